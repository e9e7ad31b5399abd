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
