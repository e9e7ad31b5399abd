//! What the mail dialogue saw, as plain records it returns: the mail facts
//! ([`MailSeen`]), and the [`DialogueOutcome`] around them (the handshake
//! facts, the chain, which service answered, step errors and timings). The
//! pipeline files the outcome into the observations; the Report's `mail`
//! section is built from [`MailSeen`] by the diagnosis, which adds its
//! judgement (the software guess).
//!
//! The types the Report shows verbatim (`StartTls`, `LoginResult`,
//! `MailTls`, `TlsEngine`) live here, with the dialogue that produces them; `report`
//! re-exports them.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::mail::auth::LoginMechanism;
use crate::mail::service::ServiceSeen;
use crate::tls::handshake::Handshake;
use crate::tls::suites::Suite;
use crate::vocab::{ErrorKind, TlsVersion};

/// The TLS under the mail dialogue (greeting, capabilities, login).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MailTls {
    /// The engine that carried the dialogue. A `legacy` dialogue says
    /// nothing about what a modern client gets: see `clients` and
    /// `tls.handshake`.
    pub engine: TlsEngine,
    /// The version negotiated for the dialogue, e.g. `TLSv1.0`.
    pub version: TlsVersion,
    /// The cipher suite negotiated for the dialogue.
    pub suite: Suite,
}

/// A TLS client engine of the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TlsEngine {
    /// rustls: TLS 1.2/1.3 with ECDHE and AEAD suites, as a modern client
    /// connects.
    Modern,
    /// OpenSSL at security level 0 (SSLv3 to TLS 1.3, RC4, 3DES, CBC,
    /// static RSA, DHE), used after the modern handshake failed, or from the
    /// start when the wire scan found TLS 1.3 refused and TLS 1.2 answered
    /// with a lower version, so the dialogue reaches servers modern clients
    /// cannot.
    Legacy,
}

impl TlsEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsEngine::Modern => "modern",
            TlsEngine::Legacy => "legacy",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StartTls {
    /// STARTTLS (IMAP/SMTP) or STLS (POP3) listed in the capabilities.
    pub advertised: Option<bool>,
    /// The server answered the upgrade command with OK.
    pub accepted: Option<bool>,
    /// The server's answer to the upgrade command, verbatim.
    pub response: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResult {
    /// Credentials were sent to the server.
    pub attempted: bool,
    /// The server accepted them (null: not attempted or no answer).
    pub ok: Option<bool>,
    /// The mechanism used: `PLAIN`, `LOGIN`, `XOAUTH2` or `USER/PASS` (POP3).
    #[schema(value_type = Option<LoginMechanism>)]
    pub mechanism: Option<String>,
    /// The server's answer, with any secret removed.
    pub server_text: Option<String>,
    /// Why the login was not attempted (or did not complete).
    pub reason: Option<String>,
}

/// What the mail server said in plaintext and inside TLS: the facts of the
/// Report's `mail` section (see `report::Mail` for each field), and the raw
/// evidence the software identification reads.
#[derive(Debug, Clone, Default)]
pub struct MailSeen {
    pub greeting: Option<String>,
    /// Every line of the greeting as shown (an SMTP greeting can span
    /// several); empty when the dialogue reached no greeting.
    pub greeting_lines: Vec<String>,
    pub capabilities_before_tls: Vec<String>,
    pub capabilities_after_tls: Vec<String>,
    pub starttls: Option<StartTls>,
    pub tls: Option<MailTls>,
    pub login_disabled: Option<bool>,
    pub auth_mechanisms_before_tls: Vec<String>,
    pub auth_mechanisms: Vec<String>,
    pub login: Option<LoginResult>,
    pub login_disabled_after_tls: Option<bool>,
    pub imap4rev1: Option<bool>,
    pub imap4rev2: Option<bool>,
    pub sasl_ir: Option<bool>,
    pub id: Option<BTreeMap<String, String>>,
    /// The IMAP `ID` response as sent, in order (duplicates kept).
    pub id_pairs: Vec<(String, String)>,
    pub transcript: Vec<String>,
    pub undecoded: Vec<String>,
}

/// A step that did not complete, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFault {
    pub step: &'static str,
    pub kind: ErrorKind,
    pub message: String,
}

/// A step that completed: when it started and how long it took.
#[derive(Debug, Clone, Copy)]
pub struct StepTime {
    pub step: &'static str,
    pub started: Instant,
    pub ms: u64,
}

/// Everything one dialogue learnt, for the pipeline to record.
#[derive(Debug, Default)]
pub struct DialogueOutcome {
    pub mail: MailSeen,
    /// What answered on the port, when it was not the service expected.
    pub service: Option<ServiceSeen>,
    /// The modern (rustls) handshake's facts: what a modern client gets.
    pub handshake: Option<Handshake>,
    /// The chain the modern handshake was presented (leaf first, as sent).
    pub modern_chain: Option<Vec<Vec<u8>>>,
    /// The chain the legacy handshake was presented, when it got one.
    pub legacy_chain: Option<Vec<Vec<u8>>>,
    /// Steps that did not complete, in the order they failed.
    pub errors: Vec<StepFault>,
    /// Steps timed, in the order they ended.
    pub timings: Vec<StepTime>,
    /// The migration preflight's survey, when the spec asked for one and
    /// the login succeeded (issue 19).
    pub survey: Option<crate::mail::preflight::Survey>,
}

impl DialogueOutcome {
    pub(super) fn error(
        &mut self,
        step: &'static str,
        kind: ErrorKind,
        message: impl Into<String>,
    ) {
        self.errors.push(StepFault {
            step,
            kind,
            message: message.into(),
        });
    }

    /// A step that has just ended and took `ms`.
    pub(super) fn timing(&mut self, step: &'static str, ms: u64) {
        let now = Instant::now();
        let started = now
            .checked_sub(std::time::Duration::from_millis(ms))
            .unwrap_or(now);
        self.timings.push(StepTime { step, started, ms });
    }

    pub(super) fn timing_from(&mut self, step: &'static str, started: Instant, ms: u64) {
        self.timings.push(StepTime { step, started, ms });
    }

    /// The chain of this dialogue's TLS session so far (what the login gate
    /// judges): the modern handshake's, else the legacy one's.
    pub fn chain(&self) -> &[Vec<u8>] {
        self.modern_chain
            .as_deref()
            .or(self.legacy_chain.as_deref())
            .unwrap_or_default()
    }
}
