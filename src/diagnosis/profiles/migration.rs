//! Client profiles: the migration services and tools.

use super::data::*;
use super::facts::{Fact, Refusal, Source, err, err_when};
use super::offers::*;
use super::sources::*;
use super::{
    CertRules, ClientOffer, ClientProfile, Doubt, Failure, ProfileKind, Rule, StartTlsBehaviour,
};
use crate::vocab::TlsVersion;

use Fact::*;
use Source::Unverified;
use TlsVersion::{Tls10, Tls11, Tls12, Tls13};

pub(super) const EXCHANGE_ONLINE: ClientProfile = ClientProfile {
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
        suites: EXO_DOUBT_SUITES,
        note: "Microsoft says TLS 1.3 is \"supported by some of the services\", and its encryption reference also lists the RSA AES-CBC suites (0x0035, 0x002F, 0x003D, 0x003C); whether the IMAP migration client offers them is not published [ENC]",
    }),
    min_dh_bits: None,
    min_ecdhe_bits: None,
    cert: CertRules {
        // -AcceptUntrustedCertificates implies validation by default (inference) [NME].
        trust: Rule::Unknown,
        expiry: Rule::Unknown,
        name: Rule::Unknown,
        // "Since June 2016, Office 365 no longer accepts an SHA-1 certificate" [ENC].
        sha1: Rule::Enforced,
        min_rsa_bits: Some(1024),
        min_ec_bits: None,
        key_size: Rule::Enforced,
        aia_fetch: Some(true),
    },
    starttls: StartTlsBehaviour::Required,
    errors: &[
        err(Failure::ProtocolVersion, EXO_TLS_CHAIN, EXO_2010IMAP),
        err(Failure::NoCommonSuite, EXO_TLS_CHAIN, EXO_2010IMAP),
        err(Failure::NoCommonGroup, EXO_TLS_CHAIN, EXO_2010IMAP),
        err(Failure::HandshakeRefused, EXO_TLS_CHAIN, EXO_2010IMAP),
        err(
            Failure::Timeout,
            "The connection to the server {host} timed out after 00:00:15.",
            EXO_IMAPTS,
        ),
        err(
            Failure::Unreachable,
            "The connection to the server {host} timed out after 00:00:15.",
            EXO_IMAPTS,
        ),
        err(
            Failure::Unresolved,
            "The connection to the server {host} could not be completed.",
            EXO_IMAPTS,
        ),
        err(
            Failure::LoginImpossible,
            "We had trouble signing in to this account. Confirm that you're using the correct user name and password.",
            EXO_IMAPTS,
        ),
    ],
    compliance: None,
    summary: "Microsoft 365 IMAP migration (New-MigrationEndpoint -IMAP / Test-MigrationServerAvailability): TLS 1.2 with one of the eight Office 365 suites (RSA AES-CBC a risk), no SHA-1 certificate; Ssl on 993 or Tls (STARTTLS) on 143.",
    facts: &[
        (Versions, ENC),
        (Suites, ENC),
        (
            Groups,
            Unverified(
                "Microsoft does not publish the migration client's groups; SChannel's defaults assumed",
            ),
        ),
        (
            SignatureAlgorithms,
            Unverified("not published; SChannel's defaults assumed"),
        ),
        (MinRsaBits, MSPKI),
        (KeySize, MSPKI),
        (
            Trust,
            Unverified("-AcceptUntrustedCertificates exists but its help text is a placeholder"),
        ),
        (Expiry, Unverified("not documented for IMAP endpoints")),
        (Name, Unverified("not documented for IMAP endpoints")),
        (Sha1, ENC),
        (Starttls, NME),
        (AiaFetch, SCHANNEL_AIA),
    ],
};

pub(super) const GOOGLE_WORKSPACE: ClientProfile = ClientProfile {
    id: "google-workspace",
    name: "Google Workspace data migration service (IMAP)",
    short: "Google Workspace",
    kind: ProfileKind::Migration,
    protocols: IMAP,
    decides_by_default: IMAP,
    // Google publishes no TLS floor or suite list: this is a modern BoringSSL-style offer,
    // and everything older is a doubt, not a certainty [GCERT].
    offer: ClientOffer {
        versions: &[Tls12, Tls13],
        suites: GOOGLE_SUITES,
        groups: GOOGLE_GROUPS,
        signature_algorithms: SCHANNEL_SIGALGS,
    },
    doubt: Some(Doubt {
        versions: &[Tls10, Tls11],
        // DHE-RSA AES-GCM/CBC and 3DES: whether the service offers them is not published.
        suites: &[0x009F, 0x009E, 0x0039, 0x0033, 0x000A],
        note: "Google does not publish the data migration service's TLS floor or cipher list [GCERT]",
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
        aia_fetch: None,
    },
    // The current service documents IMAP over SSL on port 993 only: a STARTTLS port
    // is not a supported way in (support.google.com/a/answer/14792325; the 993 statement
    // itself was not found in the text read, so the fact says unverified).
    starttls: StartTlsBehaviour::Unsupported,
    errors: &[],
    compliance: None,
    summary: "Google Workspace data migration service from an IMAP server: IMAP over SSL on port 993 (a STARTTLS-only port 143 is not supported), publicly trusted certificate with its intermediates; TLS floor and suites not published (modern offer assumed, older versions a risk).",
    facts: &[
        (Versions, Unverified("Google publishes no TLS floor")),
        (Suites, Unverified("Google publishes no cipher list")),
        (Groups, Unverified("not published")),
        (SignatureAlgorithms, Unverified("not published")),
        (MinRsaBits, GCERT),
        (
            KeySize,
            Unverified("2048 bits is recommended, not documented as required"),
        ),
        (Trust, GCERT),
        (Expiry, GCERT),
        (Name, Unverified("not documented")),
        (Sha1, Unverified("not documented")),
        (
            Starttls,
            Unverified(
                "the page read (support.google.com/a/answer/14792325) asks only for a server address, with no port or security choice; that the service uses IMAP over SSL on 993 only was not found in the text read",
            ),
        ),
        (
            AiaFetch,
            Unverified("not documented; Google asks for the intermediates to be installed"),
        ),
    ],
};

pub(super) const IMAPSYNC: ClientProfile = ClientProfile {
    id: "imapsync",
    name: "imapsync (OpenSSL 3 as shipped by Debian/Ubuntu)",
    short: "imapsync",
    kind: ProfileKind::Migration,
    protocols: IMAP,
    decides_by_default: IMAP,
    offer: ClientOffer {
        versions: &[Tls12, Tls13],
        suites: OPENSSL3_SUITES,
        groups: OPENSSL30_GROUPS,
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
        aia_fetch: Some(false),
    },
    starttls: StartTlsBehaviour::Opportunistic,
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
            Failure::WrongService,
            "error:0A00010B:SSL routines::wrong version number",
            OSSL_OBSERVED,
        ),
    ],
    compliance: None,
    summary: "imapsync with the system OpenSSL 3 (TLS 1.2+, security level 2 where the distribution sets it): no certificate verification by default, STARTTLS used when advertised; override with --sslargs1 SSL_version=... / SSL_cipher_list=DEFAULT.",
    facts: &[
        (
            Versions,
            Unverified(
                "the floor is the distribution's OpenSSL policy (Debian 12 sets none; OpenSSL 3.0's level 1 refuses TLS 1.0/1.1 signatures)",
            ),
        ),
        (Suites, OSSL_30_CAPTURE),
        (Groups, OSSL_30_CAPTURE),
        (SignatureAlgorithms, OSSL_30_CAPTURE),
        (MinDhBits, OSSL_SEC),
        (MinEcdheBits, OSSL_SEC),
        (MinRsaBits, OSSL_SEC),
        (MinEcBits, OSSL_SEC),
        (Trust, IMAPSYNC_SEC),
        (Expiry, IMAPSYNC_SEC),
        (Name, IMAPSYNC_SEC),
        (Sha1, IMAPSYNC_SEC),
        (KeySize, IMAPSYNC_SEC),
        (Starttls, IS37),
        (
            AiaFetch,
            Unverified("OpenSSL's verifier does not fetch AIA caIssuers; no document re-read here"),
        ),
    ],
};
