//! Security checks beyond what the wire scan already shows: each one a
//! small, bounded exchange with the server that records what it saw (facts,
//! never a verdict: `diagnosis::findings::security` judges them).
//!
//! | check | connections | how |
//! |---|---|---|
//! | `starttls_injection` | 1 | STARTTLS and a second command in one segment; after the handshake, does the second get an answer inside TLS? |
//! | `fallback_scsv` | 1 | a lower-version hello with `TLS_FALLBACK_SCSV` (RFC 7507) |
//! | `compression` | 1 | a hello offering DEFLATE (CRIME) |
//! | `secure_renegotiation` | 0 | read from the `compression` hello's ServerHello (RFC 5746); 1 when run alone |
//! | `client_renegotiation` | 1 | a full OpenSSL handshake, then `SSL_renegotiate` |
//! | `heartbleed` | 1 | heartbeat request with a false length before the handshake ends (CVE-2014-0160) |
//! | `ccs_injection` | 1 | two early ChangeCipherSpec records (CVE-2014-0224) |
//! | `robot` | 10 (static RSA only) | five RSA padding variants, two rounds ([`robot`]) |
//!
//! Six connections at most beside the scan, five on a server with one
//! version (no fallback to test), four of those on implicit TLS.

mod hello_checks;
mod injection;
mod plan;
pub mod robot;
mod target;
mod wire;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use plan::{CheckPlan, run};
pub use target::CheckTarget;

/// A security check's stable id (request `checks`, report `security[].id`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// STARTTLS command injection (CVE-2011-0411 class).
    StarttlsInjection,
    /// TLS_FALLBACK_SCSV honoured (RFC 7507).
    FallbackScsv,
    /// TLS compression accepted (CRIME).
    Compression,
    /// RFC 5746 secure renegotiation advertised.
    SecureRenegotiation,
    /// Client-initiated renegotiation accepted.
    ClientRenegotiation,
    /// Heartbleed (CVE-2014-0160).
    Heartbleed,
    /// CCS injection (CVE-2014-0224).
    CcsInjection,
    /// ROBOT: an RSA padding oracle (CVE-2017-13099 class).
    Robot,
}

impl CheckId {
    pub const ALL: &'static [CheckId] = &[
        CheckId::StarttlsInjection,
        CheckId::FallbackScsv,
        CheckId::Compression,
        CheckId::SecureRenegotiation,
        CheckId::ClientRenegotiation,
        CheckId::Heartbleed,
        CheckId::CcsInjection,
        CheckId::Robot,
    ];

    /// What readiness and batch probes run by default: ROBOT's ten
    /// connections are for a single probe that asks (or takes the default).
    pub const WITHOUT_ROBOT: &'static [CheckId] = &[
        CheckId::StarttlsInjection,
        CheckId::FallbackScsv,
        CheckId::Compression,
        CheckId::SecureRenegotiation,
        CheckId::ClientRenegotiation,
        CheckId::Heartbleed,
        CheckId::CcsInjection,
    ];

    /// Checks that send only ordinary hellos and read the ServerHello
    /// (`MAILPROBE_SECURITY_CHECKS=passive`); the rest send something a
    /// correct server must refuse.
    pub const PASSIVE: &'static [CheckId] = &[
        CheckId::FallbackScsv,
        CheckId::Compression,
        CheckId::SecureRenegotiation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::StarttlsInjection => "starttls_injection",
            CheckId::FallbackScsv => "fallback_scsv",
            CheckId::Compression => "compression",
            CheckId::SecureRenegotiation => "secure_renegotiation",
            CheckId::ClientRenegotiation => "client_renegotiation",
            CheckId::Heartbleed => "heartbleed",
            CheckId::CcsInjection => "ccs_injection",
            CheckId::Robot => "robot",
        }
    }
}

/// Whether a check ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStatus {
    /// It ran to an answer; `seen` holds what the server did.
    Done,
    /// It cannot apply to this server (why).
    NotApplicable(String),
    /// It started but got no answer it could read (why).
    Failed(String),
    /// It was not selected (request `checks`, service setting).
    NotRun(String),
}

/// How a server ended an exchange a check started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A ServerHello for this wire version; `downgrade_sentinel`: its
    /// random ends in RFC 8446's `DOWNGRD` value (a TLS 1.3 server saying
    /// it was asked for less than it can do).
    ServerHello {
        version: u16,
        downgrade_sentinel: bool,
    },
    /// An alert by description code.
    Alert { description: u8 },
    /// A record of this content type and announced length (heartbeat
    /// responses, the first thing after an early CCS).
    Record { content_type: u8, length: usize },
    /// The server closed the connection without a word.
    Closed,
    /// The server reset the connection.
    Reset,
    /// Nothing before the check's time limit.
    Silent,
}

/// What a check saw on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    StarttlsInjection {
        /// Lines received inside TLS that answer the command pipelined
        /// after STARTTLS (empty: none).
        answered_in_tls: Vec<String>,
        /// Bytes after the STARTTLS OK, before any TLS (escaped).
        before_handshake: Option<String>,
        /// Every line read inside TLS, for the evidence.
        transcript: Vec<String>,
    },
    FallbackScsv {
        /// The lower version offered with the SCSV, and the highest accepted.
        offered: u16,
        highest: u16,
        answer: Answer,
        /// The hello offered suites the scan saw accepted at `offered`
        /// (without the SCSV): a refusal of it is the SCSV's doing.
        accepted_without: bool,
    },
    Compression {
        /// The compression method the ServerHello chose (0 null, 1 DEFLATE).
        method: u8,
    },
    SecureRenegotiation {
        /// `renegotiation_info` in the ServerHello.
        extension: bool,
        version: u16,
    },
    ClientRenegotiation {
        accepted: bool,
        /// What OpenSSL said when it was refused.
        detail: String,
    },
    Heartbleed {
        /// The ServerHello carried the heartbeat extension.
        extension: bool,
        /// What came back after the heartbeat request (None: not sent).
        answer: Option<Answer>,
    },
    CcsInjection {
        /// What came back after the early ChangeCipherSpec records.
        answer: Answer,
    },
    Robot {
        version: u16,
        /// Answers to the five payloads (see `robot::PAYLOADS`) with
        /// ChangeCipherSpec and Finished after the key exchange ...
        full: Vec<Answer>,
        /// ... and to the key exchange alone.
        kex_only: Vec<Answer>,
        /// Answers unlike the rest of their round, asked once more (see
        /// `robot`): (with CCS and Finished, payload index, the first
        /// answer); the rounds hold the second.
        asked_again: Vec<(bool, usize, Answer)>,
    },
}

/// One check's record for the observations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun {
    pub id: CheckId,
    pub status: CheckStatus,
    pub seen: Option<Seen>,
    /// Connections this check opened.
    pub connections: u32,
    pub ms: u64,
}

impl CheckRun {
    pub fn not_run(id: CheckId, why: impl Into<String>) -> CheckRun {
        Self::status(id, CheckStatus::NotRun(why.into()))
    }

    pub fn not_applicable(id: CheckId, why: impl Into<String>) -> CheckRun {
        Self::status(id, CheckStatus::NotApplicable(why.into()))
    }

    fn status(id: CheckId, status: CheckStatus) -> CheckRun {
        CheckRun {
            id,
            status,
            seen: None,
            connections: 0,
            ms: 0,
        }
    }
}
