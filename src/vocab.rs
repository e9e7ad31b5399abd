//! The vocabulary: the words every layer shares (protocol, transport, TLS
//! version, error kind). Nothing here knows about sockets, observations or
//! judgement; every other layer may use it. `report` re-exports these types
//! under their old paths, and the Report's JSON spells them as below.

pub mod deadline;
pub mod host;

pub use deadline::{Deadline, TimedOut};
use serde::{Deserialize, Serialize};
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

/// Protocol versions, spelt exactly as scripts will match them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
pub enum TlsVersion {
    #[serde(rename = "SSLv2")]
    Ssl2,
    #[serde(rename = "SSLv3")]
    Ssl3,
    #[serde(rename = "TLSv1.0")]
    Tls10,
    #[serde(rename = "TLSv1.1")]
    Tls11,
    #[serde(rename = "TLSv1.2")]
    Tls12,
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    pub const ALL: [TlsVersion; 6] = [
        TlsVersion::Ssl2,
        TlsVersion::Ssl3,
        TlsVersion::Tls10,
        TlsVersion::Tls11,
        TlsVersion::Tls12,
        TlsVersion::Tls13,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Ssl2 => "SSLv2",
            TlsVersion::Ssl3 => "SSLv3",
            TlsVersion::Tls10 => "TLSv1.0",
            TlsVersion::Tls11 => "TLSv1.1",
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }

    /// The on-the-wire version number (SSLv2 has none in the TLS sense; 0x0002).
    pub fn wire(self) -> u16 {
        match self {
            TlsVersion::Ssl2 => 0x0002,
            TlsVersion::Ssl3 => 0x0300,
            TlsVersion::Tls10 => 0x0301,
            TlsVersion::Tls11 => 0x0302,
            TlsVersion::Tls12 => 0x0303,
            TlsVersion::Tls13 => 0x0304,
        }
    }

    pub fn from_wire(v: u16) -> Option<TlsVersion> {
        TlsVersion::ALL.into_iter().find(|t| t.wire() == v)
    }
}

impl std::fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
