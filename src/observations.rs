//! Observations: facts from the wire, nothing inferred.
//!
//! The pipeline writes here what the engines return; the diagnosis reads
//! only this. A fact a Report shows verbatim is modelled once, by the lowest
//! module that produces it (`Connect` in `net`, `Target`, `StepError` and
//! `Timing` in `vocab`, the scanner's answers in `tls::scan`); `tls` is the
//! engines' [`TlsSeen`], without the certificate judgement, and `mail` the
//! dialogue's [`MailSeen`], without the software guess (the diagnosis adds
//! both). What a Report does not show (raw DER, error classes the rules
//! need) lives beside them.

pub mod preflight;

use std::time::Instant;

use time::OffsetDateTime;

use crate::mail::dialogue::MailSeen;
use crate::net::{Connect, Stats};
use crate::probe::real_tls::HandshakeAttempt;
use crate::tls::handshake::Handshake;
use crate::tls::scan::VersionSupport;
use crate::vocab::{ErrorKind, StepError, Target, Timing};

pub use crate::mail::service::ServiceSeen;
/// How the server answered the wire scanner and the client profiles'
/// offers, as the scanner reports it.
pub use crate::tls::scan::{ClientTrial, HelloAnswer, TrialOutcome, VersionAnswer};
/// What each security check saw, as the engine reports it.
pub use crate::tls::security::{Answer, CheckId, CheckRun, CheckStatus, Seen};

/// A client profile's offer predicted from the scan instead of sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictedTrial {
    pub profile: String,
    pub outcome: TrialOutcome,
    /// What the prediction rests on, in words.
    pub rests_on: String,
}

/// A chain as one probe path saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedChain {
    /// `tls13`, `tls12`, `modern` (the mail dialogue's handshake), `scanner`.
    pub path: String,
    /// DER, leaf first, as sent.
    pub der: Vec<Vec<u8>>,
}

/// Step names live in the vocabulary (engines name their steps); the old
/// path stays for the pipeline and the tests.
pub use crate::vocab::steps;

/// What the TLS engines saw: the Report's `tls` without the certificate
/// judgement (the diagnosis adds it, see `diagnosis::Evidence`).
#[derive(Debug, Clone, Default)]
pub struct TlsSeen {
    /// One entry per protocol version SSLv2..TLSv1.3 once scanned; empty until then.
    pub versions: Vec<VersionSupport>,
    /// Whether the server imposes its own suite order (null: not determined).
    pub server_preference: Option<bool>,
    /// Key-exchange groups the server accepts, e.g. `x25519`, `secp256r1`.
    pub groups: Vec<String>,
    /// Size of the DHE prime, when a DHE suite was accepted.
    pub dh_bits: Option<u32>,
    /// The handshake a modern client completes (rustls).
    pub handshake: Option<Handshake>,
    /// Real handshakes offering one version each (TLS 1.3 only, TLS 1.2
    /// only), on their own connections: what each version negotiates.
    pub handshakes: Vec<HandshakeAttempt>,
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
    /// What the mail dialogue saw (the Report's `mail` less the judgement).
    pub mail: MailSeen,
    pub tls: TlsSeen,
    /// The certificate chain as DER, leaf first, as the server sent it.
    pub chain_der: Vec<Vec<u8>>,
    /// Every chain seen, per probe path (`tls13`, `tls12`, `scanner`, ...),
    /// so chains that differ between paths are reported.
    pub chains: Vec<ObservedChain>,
    /// An OCSP response the server stapled, as received.
    pub ocsp_staple: Option<Vec<u8>>,
    /// The chain the wire scanner read in clear from its first TLS <= 1.2
    /// reply (leaf first, as sent), kept apart from `chain_der` so the two
    /// paths can be compared (a server may present different chains per
    /// version or suite).
    pub scan_chain_der: Vec<Vec<u8>>,
    /// How the server answered the wire scanner's hello for each version:
    /// the evidence behind `tls.versions[].offered` (e.g. a TLS 1.2 hello
    /// answered with a TLS 1.0 ServerHello, as Exchange 2010 does).
    pub version_answers: Vec<VersionAnswer>,
    /// Connections the wire scan itself opened.
    pub scan_connections: u32,
    /// What answered on the port, when it was not the service expected
    /// (filled by the mail dialogue; `None` when the expected service answered).
    pub service: Option<ServiceSeen>,
    /// Each client profile's real offer sent once on the wire, and what the
    /// server did with it.
    pub client_trials: Vec<ClientTrial>,
    /// The security checks beside the scan: one record per check id, run
    /// or not (and why).
    pub security: Vec<CheckRun>,
    /// Client profiles whose offer was not sent: the scan predicts the
    /// server's answer (issue 21); what each prediction rests on.
    pub predicted_trials: Vec<PredictedTrial>,
    /// Why every offer was sent after all (an observed trial contradicted
    /// its prediction), when that happened.
    pub trials_note: Option<String>,
    pub stats: Stats,
    pub timings: Vec<Timing>,
    pub errors: Vec<StepError>,
    /// The probe's start, the origin of every timing's `start_ms`.
    pub clock: Instant,
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
            mail: MailSeen::default(),
            tls: TlsSeen::default(),
            chain_der: Vec::new(),
            chains: Vec::new(),
            ocsp_staple: None,
            scan_chain_der: Vec::new(),
            version_answers: Vec::new(),
            scan_connections: 0,
            service: None,
            client_trials: Vec::new(),
            security: Vec::new(),
            predicted_trials: Vec::new(),
            trials_note: None,
            stats: Stats::default(),
            timings: Vec::new(),
            errors: Vec::new(),
            clock: Instant::now(),
        }
    }

    pub fn error(&mut self, step: &str, kind: ErrorKind, message: impl Into<String>) {
        self.errors.push(StepError {
            step: step.to_string(),
            kind,
            message: message.into(),
        });
    }

    /// Records a step that has just ended and took `ms`: it started `ms`
    /// before now.
    pub fn timing(&mut self, step: &str, ms: u64) {
        let now = self.clock.elapsed().as_millis() as u64;
        self.timings.push(Timing {
            step: step.to_string(),
            start_ms: now.saturating_sub(ms),
            ms,
        });
    }

    /// Records a step that started at `started` and took `ms` (for steps
    /// recorded after they ended, e.g. once concurrent steps have joined).
    pub fn timing_from(&mut self, step: &str, started: Instant, ms: u64) {
        self.timings.push(Timing {
            step: step.to_string(),
            start_ms: started.saturating_duration_since(self.clock).as_millis() as u64,
            ms,
        });
    }

    /// The first error recorded for a step, if any.
    pub fn error_of(&self, step: &str) -> Option<&StepError> {
        self.errors.iter().find(|e| e.step == step)
    }
}
