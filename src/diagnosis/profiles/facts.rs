//! Where each profile fact comes from. Every fact a verdict rests on (the
//! offer, floors, key and DH minimums, certificate rules, error texts) names
//! its source here: a URL, a file in a public repository at a version, a
//! capture of the real client, or our own run of the real client against a
//! fixture. A fact no source settles says [`Source::Unverified`], and a
//! verdict resting on it is a risk, never a certainty (see `clients::status`).

use serde::Serialize;
use utoipa::ToSchema;

use super::Failure;

/// The source of one fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A web page (vendor documentation, support article).
    Url(&'static str),
    /// A file in a public repository: `owner/repo`, path, and the version
    /// (tag or commit) read.
    Repo {
        repo: &'static str,
        path: &'static str,
        version: &'static str,
    },
    /// A wire capture of the real client: testssl.sh's
    /// `/etc/testssl/client-simulation.txt` (Debian package `testssl.sh`), by its `names` entry.
    Capture(&'static str),
    /// The real client run here against a fixture; the test that does it.
    Observed(&'static str),
    /// No source settles this: why, and what it rests on instead.
    Unverified(&'static str),
}

impl Source {
    pub fn is_verified(&self) -> bool {
        !matches!(self, Source::Unverified(_))
    }

    /// One line for `GET /v1/profiles`.
    pub fn cite(&self) -> String {
        match self {
            Source::Url(u) => (*u).to_string(),
            Source::Repo {
                repo,
                path,
                version,
            } => format!("https://github.com/{repo}/blob/{version}/{path}"),
            Source::Capture(name) => format!(
                "testssl.sh client-simulation.txt ClientHello capture \"{name}\" (Debian package testssl.sh)"
            ),
            Source::Observed(test) => {
                format!("the real client run against a mailprobe test fixture ({test})")
            }
            Source::Unverified(why) => format!("unverified: {why}"),
        }
    }
}

/// One fact of a profile that a verdict can rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// The TLS versions offered (the floor and the ceiling).
    Versions,
    /// The cipher suites offered, in order.
    Suites,
    /// supported_groups, in order.
    Groups,
    /// signature_algorithms, in order.
    SignatureAlgorithms,
    /// The smallest DHE group accepted.
    MinDhBits,
    /// The smallest ECDHE curve accepted.
    MinEcdheBits,
    /// The smallest RSA certificate key accepted.
    MinRsaBits,
    /// The smallest EC certificate key accepted.
    MinEcBits,
    /// How an untrusted chain is treated.
    Trust,
    /// How an expired certificate is treated.
    Expiry,
    /// Whether the host name is checked.
    Name,
    /// How a SHA-1 signature in the chain is treated.
    Sha1,
    /// How the key-size floors are applied.
    KeySize,
    /// What the client does on a plaintext port without STARTTLS.
    Starttls,
    /// Whether the client fetches a missing intermediate from the AIA caIssuers URL.
    AiaFetch,
}

impl Fact {
    pub const ALL: [Fact; 15] = [
        Fact::Versions,
        Fact::Suites,
        Fact::Groups,
        Fact::SignatureAlgorithms,
        Fact::MinDhBits,
        Fact::MinEcdheBits,
        Fact::MinRsaBits,
        Fact::MinEcBits,
        Fact::Trust,
        Fact::Expiry,
        Fact::Name,
        Fact::Sha1,
        Fact::KeySize,
        Fact::Starttls,
        Fact::AiaFetch,
    ];

    /// The facts a failure class rests on: when one of them is unverified,
    /// the failure is a risk, not a certainty.
    pub fn behind(failure: Failure) -> &'static [Fact] {
        match failure {
            Failure::ProtocolVersion => &[Fact::Versions],
            Failure::NoCommonSuite => &[Fact::Suites],
            Failure::NoCommonGroup => &[Fact::Groups, Fact::MinEcdheBits],
            Failure::HandshakeRefused => &[
                Fact::Versions,
                Fact::Suites,
                Fact::Groups,
                Fact::SignatureAlgorithms,
            ],
            Failure::DhTooSmall => &[Fact::MinDhBits],
            Failure::CertKeyTooSmall => &[Fact::MinRsaBits, Fact::MinEcBits, Fact::KeySize],
            Failure::Untrusted => &[Fact::Trust],
            Failure::IncompleteChain => &[Fact::Trust, Fact::AiaFetch],
            Failure::Expired => &[Fact::Expiry],
            Failure::NameMismatch => &[Fact::Name],
            Failure::Sha1Certificate => &[Fact::Sha1],
            Failure::NoStartTls | Failure::StartTlsRefused => &[Fact::Starttls],
            Failure::Unresolved
            | Failure::Unreachable
            | Failure::Timeout
            | Failure::WrongService
            | Failure::LoginImpossible => &[],
        }
    }
}

/// How a server refused a client's versions: each client words these differently
/// (Java: a downgraded ServerHello, a `protocol_version` alert and a closed
/// connection give three different exceptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Any way (the text does not depend on it).
    Any,
    /// The server answered with a ServerHello for a version the client does not accept.
    DowngradedHello,
    /// The server sent a `protocol_version` alert.
    VersionAlert,
    /// The server closed (or reset) the connection without a word.
    Closed,
}

/// The text a client shows for one failure class, and where that text comes from.
#[derive(Debug, Clone, Copy)]
pub struct ErrorText {
    pub failure: Failure,
    /// Which refusal this text is for ([`Refusal::Any`]: every one).
    pub refusal: Refusal,
    pub text: &'static str,
    pub source: Source,
}

/// An error text for every way of refusing.
pub(super) const fn err(failure: Failure, text: &'static str, source: Source) -> ErrorText {
    ErrorText {
        failure,
        refusal: Refusal::Any,
        text,
        source,
    }
}

/// An error text for one way of refusing.
pub(super) const fn err_when(
    failure: Failure,
    refusal: Refusal,
    text: &'static str,
    source: Source,
) -> ErrorText {
    ErrorText {
        failure,
        refusal,
        text,
        source,
    }
}
