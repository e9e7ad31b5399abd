//! Client profiles as data: what each client offers on the wire and what it
//! refuses. Adding a client is adding an entry to [`PROFILES`]; the rules in
//! [`super::clients`] read these fields and nothing else.
//!
//! Every fact carries its source ([`facts::Source`]: a URL, a repository
//! file at a version, a wire capture, or our own run of the real client), in
//! the binary and in `GET /v1/profiles`. Where no source settles a fact, the
//! profile says so ([`facts::Source::Unverified`], [`Rule::Unknown`],
//! [`Doubt`]): the diagnosis then reports a risk, never a certainty. Cipher-suite lists are IANA code points in the client's own
//! order; the wire scanner sends exactly [`ClientOffer`] once per profile
//! (see [`ClientOffer::hello_spec`]) and records the server's pick in
//! `Observations::client_trials`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::tls::hello::{ClientHelloSpec, KEY_SHARE_GROUPS, version};
use crate::vocab::{Protocol, TlsVersion};
use TlsVersion::{Ssl3, Tls12, Tls13};

mod apps;
mod data;
mod families;
pub use families::tls_family;
pub mod facts;
mod guidelines;
mod migration;
mod offers;
mod sources;

pub use data::EXO_TLS_CHAIN;
pub use facts::{ErrorText, Fact, Refusal, Source};
pub use offers::OFFICE365_SUITES;

/// Every profile. Order is the order of `clients[]` in a Report.
pub static PROFILES: &[ClientProfile] = &[
    migration::EXCHANGE_ONLINE,
    migration::GOOGLE_WORKSPACE,
    migration::IMAPSYNC,
    apps::OPENSSL_SECLEVEL2,
    apps::THUNDERBIRD,
    apps::OUTLOOK_WINDOWS,
    apps::APPLE_MAIL,
    apps::JAVA_17,
    guidelines::MOZILLA_INTERMEDIATE,
    guidelines::MOZILLA_MODERN,
    guidelines::RFC9325_BCP195,
];

/// What kind of client a profile describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// A migration service or tool: these decide the verdict by default.
    Migration,
    /// A mail app people read mail with.
    MailClient,
    /// A TLS library with its default policy (what scripts and apps built on it get).
    Library,
    /// A configuration guideline: "does the server comply", not "can it connect".
    Compliance,
}

/// How a client treats one certificate or key property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The client aborts the connection.
    Enforced,
    /// The client asks its user, who may accept an exception.
    Prompt,
    /// The client does not check this.
    NotChecked,
    /// No authoritative source says: reported as a risk, not a certainty.
    Unknown,
    /// The default depends on the library or a setting (JavaMail does not
    /// check the host name, Angus Mail does): a risk, not a certainty.
    Configurable,
}

/// STARTTLS behaviour on a plaintext port (143, 110, 25, 587).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartTlsBehaviour {
    /// Configured for STARTTLS, the client refuses to go on without it
    /// (EXO `-Security Tls`, Thunderbird "STARTTLS").
    Required,
    /// Uses STARTTLS when advertised, else continues in plaintext
    /// (imapsync >= 1.755 \[IS37\]).
    Opportunistic,
    /// Not applicable (a library or guideline: the caller decides).
    NotApplicable,
    /// The client documents implicit TLS only (Google's data migration
    /// service: IMAP over SSL on 993); a STARTTLS port is not a supported way in.
    Unsupported,
}

/// The classes of failure a client can meet, each with its own error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    Unresolved,
    Unreachable,
    Timeout,
    WrongService,
    NoStartTls,
    StartTlsRefused,
    ProtocolVersion,
    NoCommonSuite,
    NoCommonGroup,
    DhTooSmall,
    CertKeyTooSmall,
    Untrusted,
    /// The server sent its leaf alone (or an incomplete chain) and the issuer
    /// is not in the trust store: an intermediate is missing.
    IncompleteChain,
    Expired,
    NameMismatch,
    Sha1Certificate,
    LoginImpossible,
    HandshakeRefused,
}

/// What the client sends in its ClientHello: exactly what the scanner puts
/// on the wire for this profile's trial.
#[derive(Debug, Clone, Copy)]
pub struct ClientOffer {
    /// Versions offered, lowest first.
    pub versions: &'static [TlsVersion],
    /// Cipher suites in the client's order (TLS 1.3 suites included).
    pub suites: &'static [u16],
    /// supported_groups in the client's order.
    pub groups: &'static [u16],
    /// signature_algorithms in the client's order (TLS 1.2+).
    pub signature_algorithms: &'static [u16],
}

/// Parts of a client's behaviour no source settles: versions or suites it
/// may (or may not) offer. The certain offer is [`ClientOffer`] minus these;
/// the possible offer is [`ClientOffer`] plus these.
#[derive(Debug, Clone, Copy)]
pub struct Doubt {
    pub versions: &'static [TlsVersion],
    pub suites: &'static [u16],
    /// Why it is in doubt, with the source.
    pub note: &'static str,
}

/// Certificate and key rules.
#[derive(Debug, Clone, Copy)]
pub struct CertRules {
    /// Chain must lead to a trusted root (self-signed, private CA, missing intermediate).
    pub trust: Rule,
    /// Validity period (expired, not yet valid).
    pub expiry: Rule,
    /// Host name must be in the certificate.
    pub name: Rule,
    /// SHA-1 signatures in the chain refused.
    pub sha1: Rule,
    /// Smallest RSA certificate key accepted.
    pub min_rsa_bits: Option<u32>,
    /// Smallest EC certificate key accepted.
    pub min_ec_bits: Option<u32>,
    /// How the key-size floors are applied.
    pub key_size: Rule,
    /// Whether the client fetches a missing intermediate from the leaf's AIA
    /// caIssuers URL (SChannel does; OpenSSL and Java by default do not).
    /// `None`: not documented.
    pub aia_fetch: Option<bool>,
}

/// What a compliance profile requires of the server (beyond a conforming client connecting).
#[derive(Debug, Clone, Copy)]
pub struct Compliance {
    /// Versions the server may accept; anything else is a violation.
    pub allowed_versions: &'static [TlsVersion],
    /// Suites the server may accept (TLS <= 1.2); `None`: any suite not excluded by the
    /// cipher rules below.
    pub allowed_suites: Option<&'static [u16]>,
    /// RC4, NULL, export, anonymous, DES suites are violations.
    pub forbid_broken_ciphers: bool,
    /// The server must prefer forward-secret suites (RFC 9325 §4.1).
    pub prefer_forward_secrecy: bool,
    /// Smallest DHE group.
    pub min_dh_bits: Option<u32>,
    /// Certificate key type required (`EC`), if any.
    pub certificate_key_type: Option<&'static str>,
}

/// One client (or guideline) and everything the diagnosis needs to know of it.
#[derive(Debug, Clone, Copy)]
pub struct ClientProfile {
    pub id: &'static str,
    pub name: &'static str,
    /// The name in running prose ("Exchange Online cannot connect: ...").
    pub short: &'static str,
    pub kind: ProfileKind,
    /// Protocols the client speaks (an IMAP migration service says nothing about SMTP).
    pub protocols: &'static [Protocol],
    /// Protocols for which this profile is in the default set that decides the verdict.
    pub decides_by_default: &'static [Protocol],
    pub offer: ClientOffer,
    pub doubt: Option<Doubt>,
    /// Smallest DHE prime accepted; a server DHE group below aborts the handshake.
    pub min_dh_bits: Option<u32>,
    /// Smallest ECDHE curve accepted (bits).
    pub min_ecdhe_bits: Option<u32>,
    pub cert: CertRules,
    pub starttls: StartTlsBehaviour,
    /// The text the client shows, per failure class and way of refusing,
    /// each with its source (placeholders: `{host}`, `{port}`, `{version}` =
    /// the server's highest version as `TLSv1.0`, `{java_version}` = the
    /// same as Java prints it, `TLS10`). A class not listed: the text is
    /// unknown, and the report says nothing rather than invent.
    pub errors: &'static [ErrorText],
    pub compliance: Option<Compliance>,
    /// One line on what the profile models, for `GET /v1/profiles`.
    pub summary: &'static str,
    /// The source of every fact above (a test fails when one is missing).
    pub facts: &'static [(Fact, Source)],
}

/// Every profile, in report order.
pub fn all() -> &'static [ClientProfile] {
    PROFILES
}

/// The profile with this id.
pub fn by_id(id: &str) -> Option<&'static ClientProfile> {
    PROFILES.iter().find(|p| p.id == id)
}

static IDS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| PROFILES.iter().map(|p| p.id).collect());

/// Every profile id, derived from [`PROFILES`].
pub fn ids() -> &'static [&'static str] {
    &IDS
}

impl ClientProfile {
    /// The error text this client shows for a failure class refused this
    /// way, if a source records it: the text for exactly this refusal first,
    /// else the one for any refusal.
    pub fn error_text(&self, failure: Failure, refusal: Refusal) -> Option<&'static str> {
        let of = |r: Refusal| {
            self.errors
                .iter()
                .find(|e| e.failure == failure && e.refusal == r)
        };
        of(refusal).or_else(|| of(Refusal::Any)).map(|e| e.text)
    }

    /// The source of one fact (None: the profile names none, which a test forbids).
    pub fn source_of(&self, fact: Fact) -> Option<Source> {
        self.facts.iter().find(|(f, _)| *f == fact).map(|(_, s)| *s)
    }

    /// The facts behind `failure` that no source settles.
    pub fn unverified_behind(&self, failure: Failure) -> Vec<Fact> {
        Fact::behind(failure)
            .iter()
            .copied()
            .filter(|f| self.source_of(*f).is_some_and(|s| !s.is_verified()))
            .collect()
    }

    /// Whether this profile decides the verdict for `protocol` when the request names none.
    pub fn is_default_for(&self, protocol: Protocol) -> bool {
        self.decides_by_default.contains(&protocol)
    }
}

impl ClientOffer {
    /// The ClientHello the scanner sends for this profile's trial: the
    /// profile's versions, suites in order, groups and signature algorithms,
    /// on top of the scanner's usual extensions for the highest version.
    /// A TLS 1.3 offer lists every offered version in supported_versions
    /// (highest first) and sends a key share for the first group the
    /// builder can make one for.
    pub fn hello_spec(&self, sni: Option<String>) -> ClientHelloSpec {
        let highest = self.versions.iter().copied().max().unwrap_or(Tls12);
        let lowest = self.versions.iter().copied().min().unwrap_or(Tls12);
        let mut spec = ClientHelloSpec::for_version(highest.wire(), self.suites.to_vec(), sni);
        spec.supported_groups = self.groups.to_vec();
        spec.signature_algorithms = if highest >= Tls12 {
            self.signature_algorithms.to_vec()
        } else {
            Vec::new()
        };
        if highest == Tls13 {
            let mut versions: Vec<u16> = self.versions.iter().map(|v| v.wire()).collect();
            versions.sort_unstable_by(|a, b| b.cmp(a));
            spec.supported_versions = versions;
            spec.key_shares = self
                .groups
                .iter()
                .copied()
                .find(|grp| KEY_SHARE_GROUPS.contains(grp))
                .into_iter()
                .collect();
        }
        if lowest <= Ssl3 {
            spec.record_version = version::SSL3;
        }
        // RFC 5746 §3.4: the SCSV or the extension, not both; clients that list the SCSV
        // (OpenSSL, Java) send no renegotiation_info extension in an initial hello.
        spec.renegotiation_info = !self
            .suites
            .contains(&crate::tls::hello::scsv::EMPTY_RENEGOTIATION_INFO);
        spec
    }
}
