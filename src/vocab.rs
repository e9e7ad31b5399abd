//! The vocabulary: the words every layer shares (protocol, transport, TLS
//! version, error kind). Nothing here knows about sockets, observations or
//! judgement; every other layer may use it. `report` re-exports these types
//! under their old paths, and the Report's JSON spells them as below.

pub mod deadline;
pub mod host;
pub mod steps;
pub mod tls_version;

pub use deadline::{Deadline, TimedOut};
use serde::{Deserialize, Serialize};
pub use tls_version::TlsVersion;
use utoipa::ToSchema;

/// Mail protocol spoken on the port; `tls` means "TLS only, no mail dialogue"
/// (e.g. HTTPS on 443).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Imap,
    Pop3,
    Smtp,
    Tls,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Smtp => "smtp",
            Protocol::Tls => "tls",
        }
    }
}

/// How TLS starts: at once on connect (`implicit`: 993, 995, 465, 443), or
/// after a plaintext upgrade command (`starttls`: 143, 110, 25, 587). In a
/// request, `auto` picks by port; a Report always says which was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Implicit,
    Starttls,
    Auto,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Implicit => "implicit",
            Transport::Starttls => "starttls",
            Transport::Auto => "auto",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The step ran out of time.
    Timeout,
    /// The name did not resolve.
    Dns,
    /// The connection was refused (nothing listens, or a firewall rejects).
    Refused,
    /// The peer reset or closed the connection unexpectedly.
    Reset,
    /// The peer spoke, but not the protocol expected.
    Protocol,
    /// The TLS handshake failed.
    Tls,
    /// Another I/O error.
    Io,
    /// A server answer exceeded a safety bound (line length, total bytes).
    Limit,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StepError {
    /// The probe step that did not complete (`dns`, `tcp_connect`, `greeting`, `capability`,
    /// `starttls`, `tls_handshake`, `login`, `tls_scan`, ...).
    #[schema(example = "tls_handshake")]
    pub step: String,
    /// The class of failure.
    pub kind: ErrorKind,
    /// What happened, in words.
    pub message: String,
}

// What was probed, as the Report shows it (`target`); the step records
// below are the Report's `timings[]` and `errors[]`. No doc comments on the
// types, so the OpenAPI schema stays as it was.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Target {
    /// The host as the request named it.
    pub host: String,
    /// TCP port probed.
    pub port: u16,
    /// Mail protocol spoken on the port.
    pub protocol: Protocol,
    /// `implicit` or `starttls`: what the probe used (never `auto`).
    pub transport: Transport,
    /// Every address the host resolved to, each checked against the target policy.
    pub addresses: Vec<String>,
    /// The server name sent in the TLS SNI extension (none for IP literals).
    pub sni: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Timing {
    /// The probe step (`dns`, `tcp_connect`, `mail_dialogue`, `tls_scan`, `client_trials`,
    /// `tls_handshakes`, `probe`, ...).
    #[schema(example = "tcp_connect")]
    pub step: String,
    /// Milliseconds from the probe's start to this step's start, as measured
    /// when the step ran: steps whose spans overlap ran side by side (the
    /// mail dialogue, the wire scan and the real handshakes each use their
    /// own connections).
    pub start_ms: u64,
    /// Milliseconds the step took.
    pub ms: u64,
}
