//! Client profiles: mail apps and TLS libraries.

use super::data::*;
use super::facts::{Fact, Refusal, Source, err, err_when};
use super::offers::*;
use super::sources::*;
use super::{
    CertRules, ClientOffer, ClientProfile, Doubt, Failure, ProfileKind, Rule, StartTlsBehaviour,
};
use crate::vocab::{Protocol, TlsVersion};

use Fact::*;
use Source::Unverified;
use TlsVersion::{Tls10, Tls11, Tls12, Tls13};

pub(super) const OPENSSL_SECLEVEL2: ClientProfile = ClientProfile {
    id: "openssl-seclevel2",
    name: "OpenSSL 3.5 default (security level 2)",
    short: "OpenSSL 3.5",
    kind: ProfileKind::Library,
    protocols: ALL_PROTOCOLS,
    decides_by_default: &[Protocol::Tls],
    offer: ClientOffer {
        versions: &[Tls12, Tls13],
        suites: OPENSSL3_SUITES,
        groups: OPENSSL35_GROUPS,
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
        aia_fetch: Some(false),
    },
    starttls: StartTlsBehaviour::NotApplicable,
    errors: &[
        err_when(
            Failure::ProtocolVersion,
            Refusal::DowngradedHello,
            OSSL_UNSUPPORTED_PROTOCOL,
            OSSL_OBSERVED,
        ),
        err_when(
            Failure::ProtocolVersion,
            Refusal::VersionAlert,
            OSSL_VERSION_ALERT,
            OSSL_OBSERVED,
        ),
        err_when(
            Failure::ProtocolVersion,
            Refusal::Closed,
            OSSL_EOF,
            OSSL_OBSERVED,
        ),
        err(
            Failure::NoCommonSuite,
            OSSL_HANDSHAKE_FAILURE,
            OSSL_OBSERVED,
        ),
        err(
            Failure::NoCommonGroup,
            OSSL_HANDSHAKE_FAILURE,
            OSSL_OBSERVED,
        ),
        err(
            Failure::HandshakeRefused,
            OSSL_HANDSHAKE_FAILURE,
            OSSL_OBSERVED,
        ),
        err(
            Failure::DhTooSmall,
            "error:0A00018A:SSL routines::dh key too small",
            OSSL_SEC,
        ),
        err(
            Failure::CertKeyTooSmall,
            "error:0A000086:SSL routines::certificate verify failed (EE certificate key too weak)",
            OSSL_X509_TXT,
        ),
        err(
            Failure::Untrusted,
            "error:0A000086:SSL routines::certificate verify failed (self-signed certificate in certificate chain / unable to get local issuer certificate)",
            OSSL_OBSERVED,
        ),
        err(
            Failure::IncompleteChain,
            "error:0A000086:SSL routines::certificate verify failed (unable to get local issuer certificate)",
            OSSL_OBSERVED,
        ),
        err(
            Failure::Expired,
            "error:0A000086:SSL routines::certificate verify failed (certificate has expired)",
            OSSL_X509_TXT,
        ),
        err(
            Failure::NameMismatch,
            "error:0A000086:SSL routines::certificate verify failed (hostname mismatch)",
            OSSL_X509_TXT,
        ),
        err(
            Failure::Sha1Certificate,
            "error:0A000086:SSL routines::certificate verify failed (CA signature digest algorithm too weak)",
            OSSL_X509_TXT,
        ),
        err(
            Failure::WrongService,
            "error:0A00010B:SSL routines::wrong version number",
            OSSL_OBSERVED,
        ),
    ],
    compliance: None,
    summary: "A verifying client on OpenSSL 3.5 defaults: TLS 1.2+, X25519MLKEM768 first among the groups, no SHA-1 signatures, RSA/DH >= 2048 bits, ECC >= 224 bits, RC4 and 3DES off.",
    facts: &[
        (Versions, OSSL_SEC),
        (Suites, OSSL_30_CAPTURE),
        (Groups, OSSL_35_CHANGES),
        (SignatureAlgorithms, OSSL_30_CAPTURE),
        (MinDhBits, OSSL_SEC),
        (MinEcdheBits, OSSL_SEC),
        (MinRsaBits, OSSL_SEC),
        (MinEcBits, OSSL_SEC),
        (Trust, OSSL_SEC),
        (Expiry, OSSL_SEC),
        (Name, OSSL_SEC),
        (Sha1, OSSL_NEWS),
        (KeySize, OSSL_SEC),
        (Starttls, Unverified("a library: the application decides")),
        (
            AiaFetch,
            Unverified("OpenSSL's verifier does not fetch AIA caIssuers; no document re-read here"),
        ),
    ],
};

pub(super) const THUNDERBIRD: ClientProfile = ClientProfile {
    id: "thunderbird",
    name: "Thunderbird 91.9 (NSS; capture)",
    short: "Thunderbird",
    kind: ProfileKind::MailClient,
    protocols: MAIL_PROTOCOLS,
    decides_by_default: &[Protocol::Pop3, Protocol::Smtp],
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
        aia_fetch: Some(false),
    },
    starttls: StartTlsBehaviour::Required,
    errors: &[
        err_when(
            Failure::ProtocolVersion,
            Refusal::DowngradedHello,
            "Peer using unsupported version of security protocol.",
            NSS_ERRS,
        ),
        err_when(
            Failure::ProtocolVersion,
            Refusal::VersionAlert,
            "Peer reports incompatible or unsupported protocol version.",
            NSS_ERRS,
        ),
        err(
            Failure::NoCommonSuite,
            "Cannot communicate securely with peer: no common encryption algorithm(s).",
            NSS_ERRS,
        ),
    ],
    compliance: None,
    summary: "Thunderbird (91.9 capture; TLS 1.2 floor since 78) on NSS: no DHE suites, 3DES last; certificate problems raise an exception prompt.",
    facts: &[
        (Versions, TB_CAPTURE),
        (Suites, TB_CAPTURE),
        (Groups, TB_CAPTURE),
        (SignatureAlgorithms, TB_CAPTURE),
        (Trust, TBCERT),
        (Expiry, TBCERT),
        (Name, TBCERT),
        (Sha1, Unverified("not documented for Thunderbird")),
        (KeySize, Unverified("not documented for Thunderbird")),
        (Starttls, TB78),
        (
            AiaFetch,
            Unverified(
                "NSS fetches AIA only when configured; Thunderbird's default not documented",
            ),
        ),
    ],
};

pub(super) const OUTLOOK_WINDOWS: ClientProfile = ClientProfile {
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
    // SChannel's Diffie-Hellman ClientMinKeyBitLength: 1024 bits when not configured.
    min_dh_bits: Some(1024),
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
        aia_fetch: Some(true),
    },
    starttls: StartTlsBehaviour::Required,
    errors: &[
        err(
            Failure::ProtocolVersion,
            OUTLOOK_ENCRYPTION_TEXT,
            OUTLOOK_0X800CCC1A,
        ),
        err(
            Failure::NoCommonSuite,
            OUTLOOK_ENCRYPTION_TEXT,
            OUTLOOK_0X800CCC1A,
        ),
    ],
    compliance: None,
    summary: "Outlook on current Windows, via SChannel: TLS 1.2/1.3 with SCH_USE_STRONG_CRYPTO (no RC4, 3DES or DHE-RSA-AES256-GCM), DH >= 1024 bits; shows 0x800CCC1A on a version or suite mismatch; certificate problems prompt the user.",
    facts: &[
        (
            Versions,
            Unverified("Outlook is assumed to follow SChannel's defaults"),
        ),
        (Suites, W2022),
        (
            Groups,
            Unverified("SChannel's curve order is not in the cipher table"),
        ),
        (SignatureAlgorithms, Unverified("not published")),
        (MinDhBits, SCHANNEL_REG),
        (MinRsaBits, MSPKI),
        (KeySize, MSPKI),
        (
            Trust,
            Unverified("Outlook's certificate prompt is commonly reported, not documented"),
        ),
        (Expiry, Unverified("as trust")),
        (Name, Unverified("as trust")),
        (Sha1, Unverified("not documented for Outlook")),
        (Starttls, Unverified("not documented")),
        (AiaFetch, SCHANNEL_AIA),
    ],
};

pub(super) const APPLE_MAIL: ClientProfile = ClientProfile {
    id: "apple-mail",
    name: "Apple Mail 16.0 (capture)",
    short: "Apple Mail",
    kind: ProfileKind::MailClient,
    protocols: MAIL_PROTOCOLS,
    decides_by_default: &[Protocol::Pop3, Protocol::Smtp],
    // The newest capture is Apple Mail 16.0 (macOS 13): TLS 1.0-1.2, no 1.3. Later
    // versions may offer TLS 1.3: a doubt, not a fact.
    offer: ClientOffer {
        versions: &[Tls10, Tls11, Tls12],
        suites: APPLE_MAIL16_SUITES,
        groups: APPLE_MAIL16_GROUPS,
        signature_algorithms: APPLE_MAIL16_SIGALGS,
    },
    doubt: Some(Doubt {
        versions: &[Tls13],
        suites: APPLE_TLS13,
        note: "the newest captured Apple Mail (16.0) offers no TLS 1.3; whether later versions do is not verified",
    }),
    min_dh_bits: None,
    min_ecdhe_bits: None,
    cert: CertRules {
        // Apple's rules make such certificates "no longer trusted"; Mail then shows
        // "Cannot Verify Server Identity" and lets the user continue [APPLE-CERT].
        trust: Rule::Prompt,
        expiry: Rule::Prompt,
        name: Rule::Prompt,
        sha1: Rule::Prompt,
        min_rsa_bits: Some(2048),
        min_ec_bits: None,
        key_size: Rule::Prompt,
        aia_fetch: None,
    },
    starttls: StartTlsBehaviour::Required,
    errors: &[
        err(
            Failure::Untrusted,
            "Cannot Verify Server Identity",
            APPLE_PROMPT,
        ),
        err(
            Failure::Expired,
            "Cannot Verify Server Identity",
            APPLE_PROMPT,
        ),
        err(
            Failure::NameMismatch,
            "Cannot Verify Server Identity",
            APPLE_PROMPT,
        ),
        err(
            Failure::Sha1Certificate,
            "Cannot Verify Server Identity",
            APPLE_PROMPT,
        ),
        err(
            Failure::CertKeyTooSmall,
            "Cannot Verify Server Identity",
            APPLE_PROMPT,
        ),
    ],
    compliance: None,
    summary: "Apple Mail as captured (16.0, macOS 13): TLS 1.0-1.2 with 21 suites including CBC and 3DES; Apple's certificate rules (RSA >= 2048, SHA-2, name in SAN) raise a prompt the user can accept. Newer versions' TLS 1.3 is unverified.",
    facts: &[
        (Versions, APPLE_CAPTURE),
        (Suites, APPLE_CAPTURE),
        (Groups, APPLE_CAPTURE),
        (SignatureAlgorithms, APPLE_CAPTURE),
        (MinRsaBits, APPLE_CERT),
        (KeySize, APPLE_PROMPT),
        (Trust, APPLE_PROMPT),
        (Expiry, APPLE_PROMPT),
        (Name, APPLE_CERT),
        (Sha1, APPLE_PROMPT),
        (Starttls, Unverified("not documented")),
        (AiaFetch, Unverified("not documented")),
    ],
};

pub(super) const JAVA_17: ClientProfile = ClientProfile {
    id: "java-17",
    name: "Java 17 (JSSE defaults; JavaMail or Angus Mail)",
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
        note: "JDK 17.0.3 offers the TLS_RSA_* suites; later 17u updates disable them [JDK17U]",
    }),
    // jdk.tls.disabledAlgorithms: DH keySize < 1024, EC keySize < 224 [JDK17].
    min_dh_bits: Some(1024),
    min_ecdhe_bits: Some(224),
    cert: CertRules {
        trust: Rule::Enforced,
        expiry: Rule::Enforced,
        // JavaMail (com.sun.mail) does not check the host name by default
        // (mail.<protocol>.ssl.checkserveridentity = false); Angus Mail does.
        name: Rule::Configurable,
        // certpath: SHA1 jdkCA & usage TLSServer (public roots only) [JDK17].
        sha1: Rule::Enforced,
        min_rsa_bits: Some(1024),
        min_ec_bits: Some(224),
        key_size: Rule::Enforced,
        aia_fetch: Some(false),
    },
    starttls: StartTlsBehaviour::NotApplicable,
    errors: &[
        err_when(
            Failure::ProtocolVersion,
            Refusal::DowngradedHello,
            "javax.net.ssl.SSLHandshakeException: The server selected protocol version {java_version} is not accepted by client preferences [TLS13, TLS12]",
            JAVA_RUN,
        ),
        err_when(
            Failure::ProtocolVersion,
            Refusal::VersionAlert,
            "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
            JAVA_RUN,
        ),
        err_when(
            Failure::ProtocolVersion,
            Refusal::Closed,
            "javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake",
            JAVA_RUN,
        ),
        err(
            Failure::NoCommonSuite,
            "javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure",
            JAVA_RUN,
        ),
        err(
            Failure::DhTooSmall,
            "javax.net.ssl.SSLHandshakeException: DH ServerKeyExchange does not comply to algorithm constraints",
            Unverified("commonly reported JSSE text, not run here"),
        ),
        err(
            Failure::Untrusted,
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
            JAVA_RUN,
        ),
        err(
            Failure::IncompleteChain,
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
            JAVA_RUN,
        ),
        err(
            Failure::Expired,
            "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed",
            Unverified("commonly reported JSSE text, not run here"),
        ),
        err(
            Failure::NameMismatch,
            "java.io.IOException: Can't verify identity of server: {host}",
            JAVAMAIL_FETCHER,
        ),
    ],
    compliance: None,
    summary: "Java 17 JSSE defaults (17.0.3 capture): TLS 1.2+, no RC4/3DES/DES, DH >= 1024, EC >= 224, PKIX validation; the host name is checked by Angus Mail, not by JavaMail's default.",
    facts: &[
        (Versions, JDK17),
        (Suites, JAVA17_CAPTURE),
        (Groups, JAVA17_CAPTURE),
        (SignatureAlgorithms, JAVA17_CAPTURE),
        (MinDhBits, JDK17),
        (MinEcdheBits, JDK17),
        (MinRsaBits, JDK17),
        (MinEcBits, JDK17),
        (Trust, JDK17),
        (Expiry, JDK17),
        (Name, JAVAMAIL_FETCHER),
        (Sha1, JDK17),
        (KeySize, JDK17),
        (Starttls, Unverified("a library: the application decides")),
        (
            AiaFetch,
            Unverified(
                "com.sun.security.enableAIAcaIssuers is off by default (JDK documentation, not re-read here)",
            ),
        ),
    ],
};
