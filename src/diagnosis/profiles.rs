//! Client profiles as data: what each client offers on the wire and what it
//! refuses. Adding a client is adding an entry to [`PROFILES`]; the rules in
//! [`super::clients`] read these fields and nothing else.
//!
//! Every fact carries its source key from `shared/domain.md` (e.g. [ENC],
//! [JDK17]). Where the source says **unknown**, the profile says so too
//! ([`Rule::Unknown`], [`Doubt`]): the diagnosis then reports a risk, never a
//! certainty. Cipher-suite lists are IANA code points in the client's own
//! order; the wire scanner sends exactly [`ClientOffer`] once per profile
//! (see [`ClientOffer::hello_spec`]) and records the server's pick in
//! `Observations::client_trials`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::report::{Protocol, TlsVersion};
use crate::tls::hello::{ClientHelloSpec, KEY_SHARE_GROUPS, groups as g, sigschemes as s, version};

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
}

/// STARTTLS behaviour on a plaintext port (143, 110, 25, 587).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartTlsBehaviour {
    /// Configured for STARTTLS, the client refuses to go on without it
    /// (EXO `-Security Tls`, Thunderbird "STARTTLS").
    Required,
    /// Uses STARTTLS when advertised, else continues in plaintext
    /// (imapsync >= 1.755 [IS37]).
    Opportunistic,
    /// Not applicable (a library or guideline: the caller decides).
    NotApplicable,
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
    /// The text the client shows, per failure class (placeholders: `{host}`,
    /// `{port}`, `{version}` = the server's highest version as `TLSv1.0`,
    /// `{java_version}` = the same as Java prints it, `TLS10`). A class not
    /// listed: the text is unknown, and the report says nothing rather than invent.
    pub errors: &'static [(Failure, &'static str)],
    pub compliance: Option<Compliance>,
    /// One line on what the profile models, for `GET /v1/profiles`.
    pub summary: &'static str,
    pub sources: &'static [&'static str],
}

use TlsVersion::{Ssl3, Tls10, Tls11, Tls12, Tls13};

const ALL_PROTOCOLS: &[Protocol] = &[
    Protocol::Imap,
    Protocol::Pop3,
    Protocol::Smtp,
    Protocol::Tls,
];
const MAIL_PROTOCOLS: &[Protocol] = &[Protocol::Imap, Protocol::Pop3, Protocol::Smtp];
const IMAP: &[Protocol] = &[Protocol::Imap];

/// The eight Office 365 TLS 1.2 suites, Microsoft's order, strongest first [ENC]:
/// ECDHE_RSA AES-256/128-GCM, ECDHE_RSA AES-256/128-CBC-SHA384/256,
/// ECDHE_RSA AES-256/128-CBC-SHA, RSA AES-256/128-GCM.
pub const OFFICE365_SUITES: &[u16] = &[
    0xC030, 0xC02F, 0xC028, 0xC027, 0xC014, 0xC013, 0x009D, 0x009C,
];

/// TLS 1.3 suites as SChannel on Windows Server 2022 orders them [W2022].
const SCHANNEL_TLS13: &[u16] = &[0x1302, 0x1301];

/// OpenSSL 3.x default client list: TLS 1.3 suites, then `DEFAULT` at security level 2
/// (no RC4, no 3DES), in OpenSSL's order [OSSL-SEC].
const OPENSSL3_SUITES: &[u16] = &[
    0x1302, 0x1303, 0x1301, // TLS 1.3
    0xC02C, 0xC030, 0x009F, 0xCCA9, 0xCCA8, 0xCCAA, 0xC02B, 0xC02F, 0x009E, // AEAD
    0xC024, 0xC028, 0x006B, 0xC023, 0xC027, 0x0067, // CBC SHA-2
    0xC00A, 0xC014, 0x0039, 0xC009, 0xC013, 0x0033, // CBC SHA-1, forward secret
    0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, // RSA key transport
    0x00FF, // renegotiation SCSV
];
const OPENSSL3_GROUPS: &[u16] = &[
    g::X25519,
    g::SECP256R1,
    g::X448,
    g::SECP521R1,
    g::SECP384R1,
    g::FFDHE2048,
    g::FFDHE3072,
    g::FFDHE4096,
    g::FFDHE6144,
    g::FFDHE8192,
];
const OPENSSL3_SIGALGS: &[u16] = &[
    s::ECDSA_SECP256R1_SHA256,
    s::ECDSA_SECP384R1_SHA384,
    s::ECDSA_SECP521R1_SHA512,
    s::ED25519,
    s::ED448,
    s::RSA_PSS_PSS_SHA256,
    s::RSA_PSS_PSS_SHA384,
    s::RSA_PSS_PSS_SHA512,
    s::RSA_PSS_RSAE_SHA256,
    s::RSA_PSS_RSAE_SHA384,
    s::RSA_PSS_RSAE_SHA512,
    s::RSA_PKCS1_SHA256,
    s::RSA_PKCS1_SHA384,
    s::RSA_PKCS1_SHA512,
];

/// SChannel (Windows Server 2022 / Windows 11) default order, without 3DES
/// (SCH_USE_STRONG_CRYPTO) [W2022].
const SCHANNEL_SUITES: &[u16] = &[
    0x1302, 0x1301, 0xC02C, 0xC02B, 0xC030, 0xC02F, 0x009F, 0x009E, 0xC024, 0xC023, 0xC028, 0xC027,
    0xC00A, 0xC009, 0xC014, 0xC013, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F,
];
const SCHANNEL_GROUPS: &[u16] = &[g::X25519, g::SECP256R1, g::SECP384R1];
const SCHANNEL_SIGALGS: &[u16] = &[
    s::RSA_PSS_RSAE_SHA256,
    s::RSA_PSS_RSAE_SHA384,
    s::RSA_PSS_RSAE_SHA512,
    s::RSA_PKCS1_SHA256,
    s::RSA_PKCS1_SHA384,
    s::RSA_PKCS1_SHA512,
    s::ECDSA_SECP256R1_SHA256,
    s::ECDSA_SECP384R1_SHA384,
    s::ECDSA_SECP521R1_SHA512,
    s::RSA_PKCS1_SHA1,
    s::ECDSA_SHA1,
];

/// NSS (Thunderbird >= 78) order. NSS offers no DHE suites since release 78
/// (Mozilla removed them with Firefox 78; not in domain.md, so *inference* from NSS defaults [TB78]).
const NSS_SUITES: &[u16] = &[
    0x1301, 0x1303, 0x1302, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8, 0xC02C, 0xC030, 0xC00A, 0xC009, 0xC013,
    0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
];
const NSS_GROUPS: &[u16] = &[
    g::X25519,
    g::SECP256R1,
    g::SECP384R1,
    g::SECP521R1,
    g::FFDHE2048,
    g::FFDHE3072,
];
const NSS_SIGALGS: &[u16] = &[
    s::ECDSA_SECP256R1_SHA256,
    s::ECDSA_SECP384R1_SHA384,
    s::ECDSA_SECP521R1_SHA512,
    s::RSA_PSS_RSAE_SHA256,
    s::RSA_PSS_RSAE_SHA384,
    s::RSA_PSS_RSAE_SHA512,
    s::RSA_PKCS1_SHA256,
    s::RSA_PKCS1_SHA384,
    s::RSA_PKCS1_SHA512,
    s::ECDSA_SHA1,
    s::RSA_PKCS1_SHA1,
];

/// Apple (Network.framework / Secure Transport) order, iOS 15 / macOS 12.
const APPLE_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xC02F, 0xCCA8, 0xC00A, 0xC009, 0xC014,
    0xC013, 0x009D, 0x009C, 0x0035, 0x002F, 0xC008, 0xC012, 0x000A,
];
const APPLE_GROUPS: &[u16] = &[g::X25519, g::SECP256R1, g::SECP384R1, g::SECP521R1];

/// JDK 17 GA default client suites, in the JDK's order (TLS_RSA_* and static ECDH included,
/// as in GA; current 17u disables them, see the profile's doubt) [JDK17][JDK17U].
const JAVA17_SUITES: &[u16] = &[
    0x1302, 0x1301, 0x1303, 0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xCCA8, 0xC02F, 0x009F, 0xCCAA, 0x00A3,
    0x009E, 0x00A2, 0xC024, 0xC028, 0xC023, 0xC027, 0x006B, 0x006A, 0x0067, 0x0040, 0xC02E, 0xC032,
    0xC02D, 0xC031, 0xC026, 0xC02A, 0xC025, 0xC029, 0xC00A, 0xC014, 0xC009, 0xC013, 0x0039, 0x0038,
    0x0033, 0x0032, 0xC005, 0xC00F, 0xC004, 0xC00E, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F,
    0x00FF,
];
/// What JDK 17u adds to `jdk.tls.disabledAlgorithms`: TLS_RSA_* and static ECDH [JDK17U].
const JAVA17U_DISABLED: &[u16] = &[
    0xC02E, 0xC032, 0xC02D, 0xC031, 0xC026, 0xC02A, 0xC025, 0xC029, 0xC005, 0xC00F, 0xC004, 0xC00E,
    0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F,
];
const JAVA17_GROUPS: &[u16] = &[
    g::X25519,
    g::SECP256R1,
    g::SECP384R1,
    g::SECP521R1,
    g::X448,
    g::FFDHE2048,
    g::FFDHE3072,
    g::FFDHE4096,
    g::FFDHE6144,
    g::FFDHE8192,
];
const JAVA17_SIGALGS: &[u16] = &[
    s::ECDSA_SECP256R1_SHA256,
    s::ECDSA_SECP384R1_SHA384,
    s::ECDSA_SECP521R1_SHA512,
    s::ED25519,
    s::ED448,
    s::RSA_PSS_RSAE_SHA256,
    s::RSA_PSS_RSAE_SHA384,
    s::RSA_PSS_RSAE_SHA512,
    s::RSA_PSS_PSS_SHA256,
    s::RSA_PSS_PSS_SHA384,
    s::RSA_PSS_PSS_SHA512,
    s::RSA_PKCS1_SHA256,
    s::RSA_PKCS1_SHA384,
    s::RSA_PKCS1_SHA512,
    s::DSA_SHA256,
    s::ECDSA_SHA224,
    s::RSA_PKCS1_SHA224,
    s::DSA_SHA224,
    s::ECDSA_SHA1,
    s::RSA_PKCS1_SHA1,
    s::DSA_SHA1,
];

/// Mozilla "intermediate" (guideline 5.8; 6.0 drops the two DHE suites) [MOZ].
const MOZ_INTERMEDIATE_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0x009E, 0x009F,
];
/// Mozilla "modern": TLS 1.3 suites only [MOZ].
const MOZ_MODERN_SUITES: &[u16] = &[0x1301, 0x1302, 0x1303];
const MOZ_GROUPS: &[u16] = &[g::X25519, g::SECP256R1, g::SECP384R1];

/// A broad modern client for RFC 9325: TLS 1.3 and 1.2 forward-secret AEAD first, then
/// the rest RFC 9325 still permits.
const RFC9325_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0x009E, 0x009F, 0xC009,
    0xC013, 0xC00A, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
];

const OPENSSL_VERSION_TEXT: &str = "error:0A000102:SSL routines::unsupported protocol (ssl_choose_client_version:unsupported protocol), or tlsv1 alert protocol version";

/// Every profile. Order is the order of `clients[]` in a Report.
pub static PROFILES: &[ClientProfile] = &[
    ClientProfile {
        id: "exchange-online",
        name: "Exchange Online IMAP migration",
        short: "Exchange Online",
        kind: ProfileKind::Migration,
        protocols: IMAP,
        decides_by_default: IMAP,
        offer: ClientOffer {
            versions: &[Tls12],
            suites: OFFICE365_SUITES,
            groups: SCHANNEL_GROUPS,
            signature_algorithms: SCHANNEL_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[Tls13],
            suites: SCHANNEL_TLS13,
            note: "Microsoft says TLS 1.3 is \"supported by some of the services\"; whether the IMAP migration client offers it is not published [ENC]",
        }),
        // SChannel blocks RSA keys under 1024 bits [MSPKI]; EXO's own floor is not published.
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            // -AcceptUntrustedCertificates implies validation by default (inference) [NME][DSC].
            trust: Rule::Unknown,
            expiry: Rule::Unknown,
            name: Rule::Unknown,
            // "Since June 2016, Office 365 no longer accepts an SHA-1 certificate" [ENC].
            sha1: Rule::Enforced,
            min_rsa_bits: Some(1024),
            min_ec_bits: None,
            key_size: Rule::Enforced,
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[
            (Failure::ProtocolVersion, EXO_TLS_CHAIN),
            (Failure::NoCommonSuite, EXO_TLS_CHAIN),
            (Failure::NoCommonGroup, EXO_TLS_CHAIN),
            (Failure::HandshakeRefused, EXO_TLS_CHAIN),
            (
                Failure::Timeout,
                "The connection to the server {host} timed out after 00:00:15.",
            ),
            (
                Failure::Unreachable,
                "The connection to the server {host} timed out after 00:00:15.",
            ),
            (
                Failure::Unresolved,
                "The connection to the server {host} could not be completed.",
            ),
            (
                Failure::LoginImpossible,
                "We had trouble signing in to this account. Confirm that you're using the correct user name and password.",
            ),
        ],
        compliance: None,
        summary: "Microsoft 365 IMAP migration (New-MigrationEndpoint -IMAP / Test-MigrationServerAvailability): TLS 1.2 with one of the eight Office 365 suites, no SHA-1 certificate; Ssl on 993 or Tls (STARTTLS) on 143.",
        sources: &["ENC", "NME", "TMSA", "2010IMAP", "IMAPTS", "MSPKI"],
    },
    ClientProfile {
        id: "google-workspace",
        name: "Google Workspace Data Migration Service (IMAP)",
        short: "Google Workspace",
        kind: ProfileKind::Migration,
        protocols: IMAP,
        decides_by_default: IMAP,
        // Google publishes no TLS floor or suite list: this is a modern BoringSSL-style offer,
        // and everything older is a doubt, not a certainty [GCERT][GTS].
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: &[
                0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC009,
                0xC013, 0xC00A, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
            ],
            groups: &[g::X25519, g::SECP256R1, g::SECP384R1],
            signature_algorithms: SCHANNEL_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[Tls10, Tls11],
            // DHE-RSA AES-GCM/CBC and 3DES: whether DMS offers them is not published.
            suites: &[0x009F, 0x009E, 0x0039, 0x0033, 0x000A],
            note: "Google does not publish the DMS TLS floor or cipher list [GCERT][GTS]",
        }),
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            // "signed and trusted by a third-party root certificate authority"; self-signed not supported [GCERT].
            trust: Rule::Enforced,
            expiry: Rule::Enforced,
            name: Rule::Unknown,
            sha1: Rule::Unknown,
            // 2048-bit is "recommended", not required [GCERT].
            min_rsa_bits: Some(2048),
            min_ec_bits: None,
            key_size: Rule::Unknown,
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[],
        compliance: None,
        summary: "Google Workspace data migration from an IMAP server: publicly trusted certificate with its intermediates required; TLS floor and suites not published (modern offer assumed, older versions a risk).",
        sources: &["GCERT", "GTS"],
    },
    ClientProfile {
        id: "imapsync",
        name: "imapsync (OpenSSL 3 as shipped by Debian/Ubuntu)",
        short: "imapsync",
        kind: ProfileKind::Migration,
        protocols: IMAP,
        decides_by_default: IMAP,
        // Debian/Ubuntu openssl.cnf: MinProtocol = TLSv1.2, CipherString = DEFAULT@SECLEVEL=2 [IMAPSYNC-SSL][OSSL-SEC].
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: OPENSSL3_SUITES,
            groups: OPENSSL3_GROUPS,
            signature_algorithms: OPENSSL3_SIGALGS,
        },
        doubt: None,
        min_dh_bits: Some(2048),
        min_ecdhe_bits: Some(224),
        cert: CertRules {
            // SSL_VERIFY_NONE by default since 1.653/1.673 [IMAPSYNC-SEC].
            trust: Rule::NotChecked,
            expiry: Rule::NotChecked,
            name: Rule::NotChecked,
            sha1: Rule::NotChecked,
            min_rsa_bits: Some(2048),
            min_ec_bits: Some(224),
            // Certificate key checks are verification errors, ignored under SSL_VERIFY_NONE.
            key_size: Rule::NotChecked,
        },
        starttls: StartTlsBehaviour::Opportunistic,
        errors: &[
            (Failure::ProtocolVersion, OPENSSL_VERSION_TEXT),
            (
                Failure::NoCommonSuite,
                "error:0A000410:SSL routines::sslv3 alert handshake failure",
            ),
            (
                Failure::NoCommonGroup,
                "error:0A000410:SSL routines::sslv3 alert handshake failure",
            ),
            (
                Failure::HandshakeRefused,
                "error:0A000410:SSL routines::sslv3 alert handshake failure",
            ),
            (
                Failure::DhTooSmall,
                "error:0A00018A:SSL routines::dh key too small",
            ),
            (
                Failure::WrongService,
                "error:0A00010B:SSL routines::wrong version number",
            ),
        ],
        compliance: None,
        summary: "imapsync with the system OpenSSL 3 policy of current Debian/Ubuntu (TLS 1.2+, security level 2): no certificate verification by default, STARTTLS used when advertised; override with --sslargs1 SSL_version=... / SSL_cipher_list=DEFAULT.",
        sources: &["IMAPSYNC-SEC", "IMAPSYNC-SSL", "IS37", "OSSL-SEC"],
    },
    ClientProfile {
        id: "openssl-seclevel2",
        name: "OpenSSL 3.2+ default (security level 2)",
        short: "OpenSSL 3.2+",
        kind: ProfileKind::Library,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[Protocol::Tls],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: OPENSSL3_SUITES,
            groups: OPENSSL3_GROUPS,
            signature_algorithms: OPENSSL3_SIGALGS,
        },
        doubt: None,
        // Level 2: RSA/DH < 2048 and ECC < 224 prohibited; RC4 prohibited [OSSL-SEC][OSSL-NEWS].
        min_dh_bits: Some(2048),
        min_ecdhe_bits: Some(224),
        cert: CertRules {
            trust: Rule::Enforced,
            expiry: Rule::Enforced,
            name: Rule::Enforced,
            sha1: Rule::Enforced,
            min_rsa_bits: Some(2048),
            min_ec_bits: Some(224),
            key_size: Rule::Enforced,
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[
            (Failure::ProtocolVersion, OPENSSL_VERSION_TEXT),
            (
                Failure::NoCommonSuite,
                "error:0A000410:SSL routines::sslv3 alert handshake failure",
            ),
            (
                Failure::NoCommonGroup,
                "error:0A000410:SSL routines::sslv3 alert handshake failure",
            ),
            (
                Failure::HandshakeRefused,
                "error:0A000410:SSL routines::sslv3 alert handshake failure",
            ),
            (
                Failure::DhTooSmall,
                "error:0A00018A:SSL routines::dh key too small",
            ),
            (
                Failure::CertKeyTooSmall,
                "certificate verify failed: ee key too small",
            ),
            (
                Failure::Untrusted,
                "certificate verify failed: unable to get local issuer certificate",
            ),
            (
                Failure::Expired,
                "certificate verify failed: certificate has expired",
            ),
            (
                Failure::NameMismatch,
                "certificate verify failed: hostname mismatch",
            ),
            (
                Failure::Sha1Certificate,
                "certificate verify failed: CA signature digest algorithm too weak",
            ),
            (
                Failure::WrongService,
                "error:0A00010B:SSL routines::wrong version number",
            ),
        ],
        compliance: None,
        summary: "A verifying client on OpenSSL 3.2+ defaults: TLS 1.2+, no SHA-1 signatures, RSA/DH >= 2048 bits, ECC >= 224 bits, RC4 and 3DES off.",
        sources: &["OSSL-SEC", "OSSL-NEWS"],
    },
    ClientProfile {
        id: "thunderbird",
        name: "Thunderbird 78+",
        short: "Thunderbird",
        kind: ProfileKind::MailClient,
        protocols: MAIL_PROTOCOLS,
        decides_by_default: &[Protocol::Pop3, Protocol::Smtp],
        // security.tls.version.min = 3 (TLS 1.2) since 78 [TB78].
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: NSS_SUITES,
            groups: NSS_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: None,
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            // Untrusted certificates lead to an exception prompt (observed) [TBCERT].
            trust: Rule::Prompt,
            expiry: Rule::Prompt,
            name: Rule::Prompt,
            sha1: Rule::Unknown,
            min_rsa_bits: None,
            min_ec_bits: None,
            key_size: Rule::Unknown,
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[
            (
                Failure::ProtocolVersion,
                "Peer using unsupported version of security protocol.",
            ),
            (
                Failure::NoCommonSuite,
                "Cannot communicate securely with peer: no common encryption algorithm(s).",
            ),
        ],
        compliance: None,
        summary: "Thunderbird 78 and later (NSS): TLS 1.2+, no DHE suites, certificate problems raise an exception prompt.",
        sources: &["TB78", "TBCERT"],
    },
    ClientProfile {
        id: "outlook-windows",
        name: "Outlook on Windows (SChannel)",
        short: "Outlook",
        kind: ProfileKind::MailClient,
        protocols: MAIL_PROTOCOLS,
        decides_by_default: &[Protocol::Pop3, Protocol::Smtp],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: SCHANNEL_SUITES,
            groups: SCHANNEL_GROUPS,
            signature_algorithms: SCHANNEL_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[Tls10, Tls11],
            suites: &[],
            note: "Outlook is assumed to follow SChannel (unverified); Windows releases before September 2023 still enable TLS 1.0/1.1 [PROT][WIN-TLS]",
        }),
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            trust: Rule::Prompt,
            expiry: Rule::Prompt,
            name: Rule::Prompt,
            sha1: Rule::Unknown,
            // RSA keys under 1024 bits are blocked since the 2012 update [MSPKI].
            min_rsa_bits: Some(1024),
            min_ec_bits: None,
            key_size: Rule::Enforced,
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[
            (
                Failure::ProtocolVersion,
                "The client and server cannot communicate, because they do not possess a common algorithm. (SEC_E_ALGORITHM_MISMATCH 0x80090331)",
            ),
            (
                Failure::NoCommonSuite,
                "The client and server cannot communicate, because they do not possess a common algorithm. (SEC_E_ALGORITHM_MISMATCH 0x80090331)",
            ),
            (
                Failure::NameMismatch,
                "The target principal name is incorrect. (SEC_E_WRONG_PRINCIPAL)",
            ),
        ],
        compliance: None,
        summary: "Outlook (and .NET apps) on current Windows, via SChannel: TLS 1.2/1.3 with SCH_USE_STRONG_CRYPTO (no RC4/3DES); certificate problems prompt the user.",
        sources: &["PROT", "W2022", "WIN-TLS", "MSPKI"],
    },
    ClientProfile {
        id: "apple-mail",
        name: "Apple Mail (iOS 15+/macOS 12+)",
        short: "Apple Mail",
        kind: ProfileKind::MailClient,
        protocols: MAIL_PROTOCOLS,
        decides_by_default: &[Protocol::Pop3, Protocol::Smtp],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: APPLE_SUITES,
            groups: APPLE_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[Tls10, Tls11],
            suites: &[],
            note: "TLS 1.0/1.1 are deprecated since iOS 15/macOS 12 with removal announced; whether Mail still negotiates them is not published [APPLE-TLS]",
        }),
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            trust: Rule::Prompt,
            expiry: Rule::Prompt,
            // DNS name in SAN required, CN ignored [APPLE-CERT].
            name: Rule::Enforced,
            sha1: Rule::Enforced,
            min_rsa_bits: Some(2048),
            min_ec_bits: None,
            key_size: Rule::Enforced,
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[
            (Failure::Untrusted, "Cannot Verify Server Identity"),
            (Failure::Expired, "Cannot Verify Server Identity"),
            (Failure::NameMismatch, "Cannot Verify Server Identity"),
            (Failure::Sha1Certificate, "Cannot Verify Server Identity"),
            (Failure::CertKeyTooSmall, "Cannot Verify Server Identity"),
        ],
        compliance: None,
        summary: "Apple Mail on iOS 13+/macOS 10.15+ certificate rules (RSA >= 2048, SHA-2, name in SAN) with a TLS 1.2/1.3 offer; TLS 1.0/1.1 a risk.",
        sources: &["APPLE-CERT", "APPLE-TLS"],
    },
    ClientProfile {
        id: "java-17",
        name: "Java 17 (JSSE defaults)",
        short: "Java 17",
        kind: ProfileKind::Library,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[Protocol::Tls],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: JAVA17_SUITES,
            groups: JAVA17_GROUPS,
            signature_algorithms: JAVA17_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[],
            suites: JAVA17U_DISABLED,
            note: "JDK 17 GA offers TLS_RSA_* and static ECDH suites; current 17u updates disable them [JDK17U]",
        }),
        // jdk.tls.disabledAlgorithms: DH keySize < 1024, EC keySize < 224 [JDK17].
        min_dh_bits: Some(1024),
        min_ecdhe_bits: Some(224),
        cert: CertRules {
            trust: Rule::Enforced,
            expiry: Rule::Enforced,
            name: Rule::Enforced,
            // certpath: SHA1 jdkCA & usage TLSServer (public roots only) [JDK17].
            sha1: Rule::Enforced,
            min_rsa_bits: Some(1024),
            min_ec_bits: Some(224),
            key_size: Rule::Enforced,
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[
            (
                Failure::ProtocolVersion,
                "javax.net.ssl.SSLHandshakeException: The server selected protocol version {java_version} is not accepted by client preferences [TLS12]",
            ),
            (
                Failure::NoCommonSuite,
                "javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure",
            ),
            (
                Failure::DhTooSmall,
                "javax.net.ssl.SSLHandshakeException: DH ServerKeyExchange does not comply to algorithm constraints",
            ),
            (
                Failure::Untrusted,
                "javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to requested target",
            ),
            (
                Failure::Expired,
                "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: validity check failed",
            ),
            (
                Failure::NameMismatch,
                "javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching {host} found.",
            ),
        ],
        compliance: None,
        summary: "Java 17 JSSE defaults (JavaMail and Java tools): TLS 1.2+, no RC4/3DES/DES, DH >= 1024, EC >= 224, PKIX validation.",
        sources: &["JDK17", "JDK17U"],
    },
    ClientProfile {
        id: "mozilla-intermediate",
        name: "Mozilla intermediate configuration",
        short: "Mozilla intermediate",
        kind: ProfileKind::Compliance,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: MOZ_INTERMEDIATE_SUITES,
            groups: MOZ_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: None,
        min_dh_bits: Some(2048),
        min_ecdhe_bits: None,
        cert: CertRules {
            trust: Rule::NotChecked,
            expiry: Rule::NotChecked,
            name: Rule::NotChecked,
            sha1: Rule::NotChecked,
            min_rsa_bits: Some(2048),
            min_ec_bits: None,
            key_size: Rule::Enforced,
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[],
        compliance: Some(Compliance {
            allowed_versions: &[Tls12, Tls13],
            allowed_suites: Some(MOZ_INTERMEDIATE_SUITES),
            forbid_broken_ciphers: true,
            prefer_forward_secrecy: false,
            min_dh_bits: Some(2048),
            certificate_key_type: None,
        }),
        summary: "Mozilla server-side TLS intermediate (5.8): TLS 1.2-1.3, ECDHE/DHE AES-GCM and CHACHA20 only, DH >= 2048, RSA >= 2048.",
        sources: &["MOZ"],
    },
    ClientProfile {
        id: "mozilla-modern",
        name: "Mozilla modern configuration",
        short: "Mozilla modern",
        kind: ProfileKind::Compliance,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[],
        offer: ClientOffer {
            versions: &[Tls13],
            suites: MOZ_MODERN_SUITES,
            groups: MOZ_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: None,
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            trust: Rule::NotChecked,
            expiry: Rule::NotChecked,
            name: Rule::NotChecked,
            sha1: Rule::NotChecked,
            min_rsa_bits: None,
            min_ec_bits: None,
            key_size: Rule::NotChecked,
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[],
        compliance: Some(Compliance {
            allowed_versions: &[Tls13],
            allowed_suites: Some(&[]),
            forbid_broken_ciphers: true,
            prefer_forward_secrecy: false,
            min_dh_bits: None,
            certificate_key_type: Some("EC"),
        }),
        summary: "Mozilla server-side TLS modern: TLS 1.3 only, with an ECDSA certificate.",
        sources: &["MOZ"],
    },
    ClientProfile {
        id: "rfc9325",
        name: "RFC 9325 (BCP 195)",
        short: "RFC 9325",
        kind: ProfileKind::Compliance,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: RFC9325_SUITES,
            groups: MOZ_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: None,
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            trust: Rule::NotChecked,
            expiry: Rule::NotChecked,
            name: Rule::NotChecked,
            sha1: Rule::NotChecked,
            min_rsa_bits: None,
            min_ec_bits: None,
            key_size: Rule::NotChecked,
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[],
        compliance: Some(Compliance {
            // MUST NOT negotiate SSL, TLS 1.0 or TLS 1.1; MUST support TLS 1.2 (§3.1.1).
            allowed_versions: &[Tls12, Tls13],
            allowed_suites: None,
            // MUST NOT negotiate NULL, RC4 or export-grade suites (§4.1).
            forbid_broken_ciphers: true,
            // Forward-secret suites MUST be supported and preferred (§3.1.1, §4.1).
            prefer_forward_secrecy: true,
            min_dh_bits: None,
            certificate_key_type: None,
        }),
        summary: "RFC 9325 / BCP 195: no SSL, TLS 1.0 or 1.1; TLS 1.2 supported; no NULL, RC4 or export suites; forward secrecy supported and preferred.",
        sources: &["RFC 9325", "RFC 8996"],
    },
];

/// Exchange Online's error chain for "no common protocol or cipher" (SChannel
/// SEC_E_ALGORITHM_MISMATCH), verbatim [2010IMAP].
pub const EXO_TLS_CHAIN: &str = "MigrationServerConnectionFailedException: The connection to the server '{host}' could not be completed. --> RemoteNetworkErrorTransientException: We were unable to reach your email provider. --> SslStreamFailureException: TLS negotiation failed. --> Win32Exception: The client and server cannot communicate, because they do not possess a common algorithm.";

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
    /// The error text this client shows for a failure class, if known.
    pub fn error_text(&self, failure: Failure) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == failure)
            .map(|(_, t)| *t)
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
