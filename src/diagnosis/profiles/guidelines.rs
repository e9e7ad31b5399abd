//! Client profiles: configuration guidelines (compliance profiles).

use super::facts::{Fact, Source};
use super::offers::*;
use super::sources::*;
use super::{
    CertRules, ClientOffer, ClientProfile, Compliance, ProfileKind, Rule, StartTlsBehaviour,
};
use crate::vocab::TlsVersion;

use Fact::*;
use Source::Unverified;
use TlsVersion::{Tls12, Tls13};

pub(super) const MOZILLA_INTERMEDIATE: ClientProfile = ClientProfile {
    id: "mozilla-intermediate",
    name: "Mozilla intermediate configuration (guideline 6.0)",
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
    min_ecdhe_bits: Some(256),
    cert: CertRules {
        trust: Rule::NotChecked,
        expiry: Rule::NotChecked,
        name: Rule::NotChecked,
        sha1: Rule::NotChecked,
        min_rsa_bits: Some(2048),
        min_ec_bits: None,
        key_size: Rule::Enforced,
        aia_fetch: None,
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
    summary: "Mozilla server-side TLS intermediate, guideline 6.0: TLS 1.2-1.3, ECDHE AES-GCM and CHACHA20 only, groups X25519MLKEM768/X25519/P-256/P-384, DH >= 2048, RSA >= 2048.",
    facts: &[
        (Versions, MOZ6),
        (Suites, MOZ6),
        (Groups, MOZ6),
        (SignatureAlgorithms, GUIDELINE_SILENT),
        (MinDhBits, MOZ6),
        (MinEcdheBits, MOZ6),
        (MinRsaBits, MOZ6),
        (KeySize, MOZ6),
        (Trust, GUIDELINE_SILENT),
        (Expiry, GUIDELINE_SILENT),
        (Name, GUIDELINE_SILENT),
        (Sha1, GUIDELINE_SILENT),
        (Starttls, GUIDELINE_SILENT),
        (AiaFetch, GUIDELINE_SILENT),
    ],
};

pub(super) const MOZILLA_MODERN: ClientProfile = ClientProfile {
    id: "mozilla-modern",
    name: "Mozilla modern configuration (guideline 6.0)",
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
        aia_fetch: None,
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
    summary: "Mozilla server-side TLS modern (guideline 6.0): TLS 1.3 only, with an ECDSA certificate.",
    facts: &[
        (Versions, MOZ6),
        (Suites, MOZ6),
        (Groups, MOZ6),
        (SignatureAlgorithms, GUIDELINE_SILENT),
        (KeySize, MOZ6),
        (Trust, GUIDELINE_SILENT),
        (Expiry, GUIDELINE_SILENT),
        (Name, GUIDELINE_SILENT),
        (Sha1, GUIDELINE_SILENT),
        (Starttls, GUIDELINE_SILENT),
        (AiaFetch, GUIDELINE_SILENT),
    ],
};

pub(super) const RFC9325_BCP195: ClientProfile = ClientProfile {
    id: "rfc9325",
    name: "RFC 9325 (BCP 195)",
    short: "RFC 9325",
    kind: ProfileKind::Compliance,
    protocols: ALL_PROTOCOLS,
    decides_by_default: &[],
    offer: ClientOffer {
        versions: &[Tls12, Tls13],
        suites: RFC9325_SUITES,
        groups: RFC9325_GROUPS,
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
        aia_fetch: None,
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
    facts: &[
        (Versions, RFC9325),
        (Suites, RFC9325),
        (
            Groups,
            Unverified("a model client: RFC 9325 names no group order"),
        ),
        (SignatureAlgorithms, GUIDELINE_SILENT),
        (KeySize, RFC9325),
        (Trust, GUIDELINE_SILENT),
        (Expiry, GUIDELINE_SILENT),
        (Name, GUIDELINE_SILENT),
        (Sha1, GUIDELINE_SILENT),
        (Starttls, GUIDELINE_SILENT),
        (AiaFetch, GUIDELINE_SILENT),
    ],
};
