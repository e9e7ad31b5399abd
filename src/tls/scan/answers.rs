//! How a server answered the scanner's hellos: per version (the evidence
//! behind `tls.versions[].offered`) and per client profile's offer. The
//! scanner returns these; the pipeline records them in the observations,
//! which re-export them.

use crate::vocab::TlsVersion;

/// The server's answer to the wire scanner's hello for one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionAnswer {
    pub version: TlsVersion,
    pub answer: HelloAnswer,
}

/// How a server answered a ClientHello offering one version. For a version
/// found accepted this is `Accepted`; otherwise it is the answer to the
/// first hello (the one offering the most common suites).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HelloAnswer {
    /// A ServerHello (or HelloRetryRequest) for the version offered.
    Accepted,
    /// A ServerHello for another version, by wire number: Exchange 2010
    /// answers a TLS 1.2 hello with TLS 1.0 (`0x0301`).
    OtherVersion { version: u16 },
    /// A fatal alert by its RFC name (`protocol_version`,
    /// `handshake_failure`), or an SSLv2 ERROR by name.
    Alert { name: String },
    /// Closed without a word (how Dovecot refuses).
    Closed,
    /// Reset, also on the one retry (how SChannel refuses).
    Reset,
    /// No TLS answer: plaintext, a timeout, no connection, a rate limit.
    NoAnswer { why: String },
}

/// A client profile's offer, sent once on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTrial {
    pub profile: String,
    pub outcome: TrialOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrialOutcome {
    /// The server answered with a ServerHello for this version and suite.
    Negotiated { version: TlsVersion, suite: u16 },
    /// The server refused the offer: an alert (named), or a silent close.
    Refused { alert: Option<String> },
    /// The trial did not complete (timeout, connect failure, prelude failure).
    Failed { message: String },
}

/// What the group elimination found (see `groups`).
#[derive(Debug, Clone, Default)]
pub(super) struct GroupFacts {
    pub(super) groups: Vec<u16>,
    pub(super) connections: u32,
    pub(super) error: Option<(crate::vocab::ErrorKind, String)>,
    /// The server's preference at the plan's version, when the first hello
    /// settled it (see [`GroupPlan::fold`]).
    pub(super) preference: Option<bool>,
}
