//! What each client puts in its ClientHello: suites in the client's order,
//! groups and signature algorithms. Where a wire capture exists (testssl.sh's
//! `client-simulation.txt`, GPL-2, read at test time and never copied here),
//! the list is the capture's, and `tests::captures` holds it field by field.

use crate::tls::hello::{groups as g, sigschemes as s};
use crate::vocab::Protocol;

pub(super) const ALL_PROTOCOLS: &[Protocol] = &[
    Protocol::Imap,
    Protocol::Pop3,
    Protocol::Smtp,
    Protocol::Tls,
];
pub(super) const MAIL_PROTOCOLS: &[Protocol] = &[Protocol::Imap, Protocol::Pop3, Protocol::Smtp];
pub(super) const IMAP: &[Protocol] = &[Protocol::Imap];

/// The eight Office 365 TLS 1.2 suites, Microsoft's order, strongest first \[ENC\]:
/// ECDHE_RSA AES-256/128-GCM, ECDHE_RSA AES-256/128-CBC-SHA384/256,
/// ECDHE_RSA AES-256/128-CBC-SHA, RSA AES-256/128-GCM.
pub const OFFICE365_SUITES: &[u16] = &[
    0xC030, 0xC02F, 0xC028, 0xC027, 0xC014, 0xC013, 0x009D, 0x009C,
];
/// RSA key-transport CBC suites Microsoft's encryption reference also lists
/// (AES-256/128-CBC-SHA, AES-256/128-CBC-SHA256). Whether the IMAP migration
/// client still offers them at TLS 1.2 is not published: a doubt, so a server
/// offering only these is a risk, never a certain failure [ENC].
/// Together with SChannel's TLS 1.3 suites (Windows Server 2022 order [W2022]),
/// the migration client's doubtful suites.
pub(super) const EXO_DOUBT_SUITES: &[u16] = &[0x1302, 0x1301, 0x0035, 0x002F, 0x003D, 0x003C];

/// OpenSSL 3.0 default client list (TLS 1.3 suites, then `DEFAULT`), in OpenSSL's
/// order; equal to testssl.sh's "OpenSSL 3.0.3 (git)" capture.
pub(super) const OPENSSL3_SUITES: &[u16] = &[
    0x1302, 0x1303, 0x1301, // TLS 1.3
    0xC02C, 0xC030, 0x009F, 0xCCA9, 0xCCA8, 0xCCAA, 0xC02B, 0xC02F, 0x009E, // AEAD
    0xC024, 0xC028, 0x006B, 0xC023, 0xC027, 0x0067, // CBC SHA-2
    0xC00A, 0xC014, 0x0039, 0xC009, 0xC013, 0x0033, // CBC SHA-1, forward secret
    0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, // RSA key transport
    0x00FF, // renegotiation SCSV
];
/// OpenSSL 3.0-3.4 default groups (testssl.sh's OpenSSL 3.0.3 capture).
pub(super) const OPENSSL30_GROUPS: &[u16] = &[
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
/// OpenSSL 3.5+ default groups: `?*X25519MLKEM768 / ?*X25519:?secp256r1 /
/// ?X448:?secp384r1:?secp521r1 / ?ffdhe2048:?ffdhe3072` (CHANGES.md, 3.5.0):
/// the hybrid post-quantum group first, FFDHE above 3072 bits dropped.
pub(super) const OPENSSL35_GROUPS: &[u16] = &[
    g::X25519_MLKEM768,
    g::X25519,
    g::SECP256R1,
    g::X448,
    g::SECP384R1,
    g::SECP521R1,
    g::FFDHE2048,
    g::FFDHE3072,
];
/// OpenSSL 3.0 signature_algorithms (testssl.sh's OpenSSL 3.0.3 capture).
pub(super) const OPENSSL3_SIGALGS: &[u16] = &[
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
    s::ECDSA_SHA224,
    s::RSA_PKCS1_SHA224,
    s::DSA_SHA224,
    s::DSA_SHA256,
    s::DSA_SHA384,
    s::DSA_SHA512,
];

/// SChannel (Windows Server 2022 / Windows 11) default order under
/// SCH_USE_STRONG_CRYPTO: Microsoft's table marks TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
/// (0x009F) and 3DES "No" for strong crypto, so both are left out [W2022].
pub(super) const SCHANNEL_SUITES: &[u16] = &[
    0x1302, 0x1301, 0xC02C, 0xC02B, 0xC030, 0xC02F, 0x009E, 0xC024, 0xC023, 0xC028, 0xC027, 0xC00A,
    0xC009, 0xC014, 0xC013, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F,
];
pub(super) const SCHANNEL_GROUPS: &[u16] = &[g::X25519, g::SECP256R1, g::SECP384R1];
pub(super) const SCHANNEL_SIGALGS: &[u16] = &[
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

/// Thunderbird 91.9 (NSS) as testssl.sh captured it: no DHE suites, 3DES last.
pub(super) const NSS_SUITES: &[u16] = &[
    0x1301, 0x1303, 0x1302, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8, 0xC02C, 0xC030, 0xC00A, 0xC009, 0xC013,
    0xC014, 0x009C, 0x009D, 0x002F, 0x0035, 0x000A,
];
pub(super) const NSS_GROUPS: &[u16] = &[
    g::X25519,
    g::SECP256R1,
    g::SECP384R1,
    g::SECP521R1,
    g::FFDHE2048,
    g::FFDHE3072,
];
pub(super) const NSS_SIGALGS: &[u16] = &[
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

/// Apple Mail 16.0 as testssl.sh captured it: TLS 1.0-1.2 (no 1.3), the
/// renegotiation SCSV and 21 suites including ECDHE-RSA-AES128-SHA256 and 3DES.
pub(super) const APPLE_MAIL16_SUITES: &[u16] = &[
    0x00FF, 0xC02C, 0xC02B, 0xC024, 0xC023, 0xC00A, 0xC009, 0xC008, 0xC030, 0xC02F, 0xC028, 0xC027,
    0xC014, 0xC013, 0xC012, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x000A,
];
pub(super) const APPLE_MAIL16_GROUPS: &[u16] = &[g::SECP256R1, g::SECP384R1, g::SECP521R1];
pub(super) const APPLE_MAIL16_SIGALGS: &[u16] = &[
    s::RSA_PKCS1_SHA256,
    s::RSA_PKCS1_SHA1,
    s::RSA_PKCS1_SHA384,
    s::RSA_PKCS1_SHA512,
    s::ECDSA_SECP256R1_SHA256,
    s::ECDSA_SHA1,
    s::ECDSA_SECP384R1_SHA384,
    s::ECDSA_SECP521R1_SHA512,
];
/// TLS 1.3 suites a later Apple Mail may add: not in the 16.0 capture, unverified.
pub(super) const APPLE_TLS13: &[u16] = &[0x1301, 0x1302, 0x1303];

/// JDK 17.0.3 default client suites as testssl.sh captured them.
pub(super) const JAVA17_SUITES: &[u16] = &[
    0x1302, 0x1301, 0x1303, 0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xCCA8, 0xC02F, 0x009F, 0xCCAA, 0x009E,
    0xC024, 0xC028, 0xC023, 0xC027, 0x006B, 0x0067, 0xC00A, 0xC014, 0xC009, 0xC013, 0x0039, 0x0033,
    0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x00FF,
];
/// TLS_RSA_* suites, which later 17u updates add to `jdk.tls.disabledAlgorithms` [JDK17U].
pub(super) const JAVA17U_DISABLED: &[u16] = &[0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F];
pub(super) const JAVA17_GROUPS: &[u16] = &[
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
pub(super) const JAVA17_SIGALGS: &[u16] = &[
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
    s::ECDSA_SHA224,
    s::RSA_PKCS1_SHA224,
];

/// Mozilla "intermediate", guideline 6.0 (the newest published), exactly:
/// TLS 1.3 `ciphersuites`, then the six ECDHE AES-GCM/CHACHA20 `ciphers` in order [MOZ6].
pub(super) const MOZ_INTERMEDIATE_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
];
/// Mozilla "modern": TLS 1.3 suites only [MOZ6].
pub(super) const MOZ_MODERN_SUITES: &[u16] = &[0x1301, 0x1302, 0x1303];
/// `tls_curves` of guideline 6.0 [MOZ6].
pub(super) const MOZ_GROUPS: &[u16] = &[g::X25519_MLKEM768, g::X25519, g::SECP256R1, g::SECP384R1];
/// Groups for the RFC 9325 model client.
pub(super) const RFC9325_GROUPS: &[u16] = &[g::X25519, g::SECP256R1, g::SECP384R1];

/// A broad modern client for RFC 9325: TLS 1.3 and 1.2 forward-secret AEAD first, then
/// the rest RFC 9325 still permits.
pub(super) const RFC9325_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0x009E, 0x009F, 0xC009,
    0xC013, 0xC00A, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
];
/// A modern BoringSSL-style offer for Google's migration service (not published).
pub(super) const GOOGLE_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC009, 0xC013, 0xC00A,
    0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
];
pub(super) const GOOGLE_GROUPS: &[u16] = &[g::X25519, g::SECP256R1, g::SECP384R1];
