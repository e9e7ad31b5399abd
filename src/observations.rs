//! Observations: facts from the wire, nothing inferred.
//!
//! Everything that touches a socket writes here; the diagnosis reads only
//! this. Sections a Report shows verbatim (`connect`, `mail`, `tls`) reuse the
//! report types so a fact is modelled once; what a Report does not show
//! (raw DER, error classes the rules need) lives beside them.

use time::OffsetDateTime;

use crate::report::{Connect, ErrorKind, Mail, Stats, StepError, Target, Timing, Tls};

/// Names of probe steps, as they appear in `errors[].step` and `timings[].step`.
pub mod steps {
    pub const DNS: &str = "dns";
    pub const TCP_CONNECT: &str = "tcp_connect";
    pub const TLS_HANDSHAKE: &str = "tls_handshake";
    pub const GREETING: &str = "greeting";
    pub const PROBE: &str = "probe";
}

#[derive(Debug, Clone)]
pub struct Observations {
    pub target: Target,
    pub started_at: OffsetDateTime,
    pub duration_ms: u64,
    /// Why the host name did not resolve, if it did not.
    pub resolution_error: Option<String>,
    pub connect: Connect,
    /// The class of the connect failure (refused, timeout, ...), when it failed.
    pub connect_error_kind: Option<ErrorKind>,
    pub mail: Mail,
    pub tls: Tls,
    /// The certificate chain as DER, leaf first, as the server sent it.
    pub chain_der: Vec<Vec<u8>>,
    pub stats: Stats,
    pub timings: Vec<Timing>,
    pub errors: Vec<StepError>,
}

impl Observations {
    pub fn new(target: Target, started_at: OffsetDateTime) -> Observations {
        Observations {
            target,
            started_at,
            duration_ms: 0,
            resolution_error: None,
            connect: Connect::default(),
            connect_error_kind: None,
            mail: Mail::default(),
            tls: Tls::default(),
            chain_der: Vec::new(),
            stats: Stats::default(),
            timings: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, step: &str, kind: ErrorKind, message: impl Into<String>) {
        self.errors.push(StepError {
            step: step.to_string(),
            kind,
            message: message.into(),
        });
    }

    pub fn timing(&mut self, step: &str, ms: u64) {
        self.timings.push(Timing {
            step: step.to_string(),
            ms,
        });
    }

    /// The first error recorded for a step, if any.
    pub fn error_of(&self, step: &str) -> Option<&StepError> {
        self.errors.iter().find(|e| e.step == step)
    }
}
