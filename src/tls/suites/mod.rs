//! The TLS cipher-suite registry: one table, every suite a scanner may meet.
//!
//! The wire scanner offers *every* suite a server might accept (elimination: offer all, remove
//! the one chosen, repeat), so this table holds the whole IANA "TLS Cipher Suites" registry as
//! deployed, not just what rustls or OpenSSL 3 still implement: export, NULL, anonymous, RC4,
//! DES/3DES, IDEA, SEED, Camellia, ARIA, CCM, GOST, PSK/SRP/KRB5 and the TLS 1.3 suites, plus a
//! handful of code points that were never registered but shipped in real stacks
//! ([`CipherSuite::iana_registered`] is `false` for those). The SSLv2 "cipher kinds" (3-byte
//! codes) live in a second, separate table ([`ssl2_kinds`]).
//!
//! Unknown code points are data, not errors: [`lookup`] returns `None` and callers print
//! [`iana_hex`], so a server that picks something newer than this table is still reported.
//!
//! # Where the data comes from
//!
//! Code points and IANA names follow the IANA registry (`tls-parameters-4.csv`, checked entry by
//! entry). OpenSSL names, key exchange, authentication, MAC, key bits and minimum versions were
//! cross-checked against the cipher table of OpenSSL 3.6 (`ssl/s3_lib.c`, 189 suites) and, for
//! suites OpenSSL dropped (export, single DES, KRB5, ...), against OpenSSL's own headers and
//! testssl.sh's `etc/cipher-mapping.txt`. Deliberate departures from OpenSSL 3.6 are documented
//! on [`CipherSuite::min_version`].
//!
//! # Left out on purpose
//!
//! * GREASE values (`0x?A?A`, RFC 8701): reserved so that servers ignore them; see [`is_grease`].
//! * `0x001C`/`0x001D` (SSLv3 FORTEZZA, reserved by IANA; `0x001E` collides with KRB5).
//! * `0xFF02`, `0xFF03`, `0xFF85`, `0xFF87`: private-use GOST code points from OpenSSL's GOST
//!   engine that have no standard name; `0xFF85`/`0xFF87` were superseded by `0xC102`.

mod parts;
mod ssl2;
mod suite;

pub use parts::{Authentication, BulkCipher, KeyExchange, Mac};
pub use ssl2::{Ssl2CipherKind, ssl2_hex, ssl2_kinds, ssl2_lookup};
pub use suite::{Suite, SuiteAuthentication, SuiteCipher, SuiteKeyExchange, SuiteMac};

use std::fmt;

/// Code point of `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746): a client that sends it declares
/// support for secure renegotiation without sending the extension (needed in SSLv3 hellos).
pub const SCSV_EMPTY_RENEGOTIATION_INFO: u16 = 0x00FF;

/// Code point of `TLS_FALLBACK_SCSV` (RFC 7507): marks a deliberately downgraded retry, so a
/// server that supports a higher version must abort with `inappropriate_fallback`.
pub const SCSV_FALLBACK: u16 = 0x5600;

use crate::vocab::TlsVersion;

macro_rules! display_as_str {
    ($($ty:ty),+) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

display_as_str!(KeyExchange, Authentication, BulkCipher, Mac);

/// One TLS cipher suite (2-byte code point).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CipherSuite {
    /// The code point as sent on the wire, e.g. `0xC02F`.
    pub code: u16,
    /// The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`; for unregistered code points
    /// the name their implementers used.
    pub iana_name: &'static str,
    /// The OpenSSL name, e.g. `ECDHE-RSA-AES128-GCM-SHA256` (TLS 1.3 suites: the IANA name), as
    /// OpenSSL 3 spells it; for suites OpenSSL 3 dropped, the name of the last OpenSSL that had
    /// them (hence `EDH-RSA-DES-CBC-SHA`, while 3DES is `DHE-RSA-DES-CBC3-SHA`). `None` where
    /// OpenSSL never named the suite.
    pub openssl_name: Option<&'static str>,
    /// Key exchange.
    pub kx: KeyExchange,
    /// Server authentication.
    pub auth: Authentication,
    /// Bulk cipher and mode.
    pub cipher: BulkCipher,
    /// Symmetric key bits, the convention of OpenSSL's `alg_bits`, sslyze and testssl.sh: the
    /// *nominal* key length, capped by export rules (40 or 56). 3DES is therefore 168, although
    /// meet-in-the-middle leaves it about 112 bits of strength (and Sweet32 matters more than
    /// either), and single DES is 56. Do not read this as security strength; diagnosis rates
    /// ciphers by [`cipher`](Self::cipher), not by this number. 0 for NULL.
    pub bits: u16,
    /// Record MAC ([`Mac::Aead`] for AEAD suites).
    pub mac: Mac,
    /// AEAD cipher (GCM, CCM, ChaCha20-Poly1305, MGM, ...); equals `mac == Mac::Aead`.
    pub aead: bool,
    /// Ephemeral key exchange; see [`KeyExchange::is_ephemeral`] for what it does and does not
    /// promise (anonymous suites are forward-secret and unauthenticated).
    pub forward_secrecy: bool,
    /// 1990s US export grade (`_EXPORT_`, `_EXPORT1024_`): 40/56-bit keys and 512/1024-bit
    /// RSA/DH, the FREAK and Logjam downgrade targets.
    pub export: bool,
    /// Lowest version in whose hello the scanner should offer the suite.
    ///
    /// * [`Tls13`](TlsVersion::Tls13): TLS 1.3 suites (`0x13xx`, SM4, integrity-only
    ///   `TLS_SHA256_SHA256`, the GOST MGM suites); they are meaningless below 1.3 and nothing
    ///   else is valid in 1.3.
    /// * [`Tls12`](TlsVersion::Tls12): AEAD suites and CBC suites with an SHA-256/384 HMAC
    ///   (their PRF is the TLS 1.2 one), plus the RFC 9189 GOST CTR-OMAC suites.
    /// * [`Tls10`](TlsVersion::Tls10): PSK-family CBC/NULL suites with SHA-256/384
    ///   (RFC 5487 §3.2, RFC 5489, RFC 6209, RFC 6367 allow them on TLS 1.0 and 1.1 with that
    ///   version's PRF; OpenSSL agrees), and the GOST 28147 suites, whose PRF needs TLS.
    /// * [`Ssl3`](TlsVersion::Ssl3): everything else, including the ECC suites. RFC 4492
    ///   defines ECC for TLS 1.0+ and OpenSSL 1.1+ says TLSv1, but OpenSSL 1.0.x negotiated ECDHE
    ///   inside SSLv3, so an SSLv3 probe that leaves them out could miss a real server's answer.
    pub min_version: TlsVersion,
    /// A signalling value (SCSV), not a suite: a client sends it, a server must never choose it.
    pub signalling: bool,
    /// In the IANA registry. `false` for code points that shipped without registration
    /// (EXPORT1024 and `DHE_DSS_WITH_RC4` `0x0060`-`0x0066`, pre-RFC GOST `0x0080`-`0x0083`,
    /// CECPQ1, pre-RFC ChaCha20 `0xCC13`-`0xCC15`, Netscape FIPS `0xFEFE`/`0xFEFF`/`0xFFE0`/
    /// `0xFFE1`, GOST `0xFF00`/`0xFF01`).
    pub iana_registered: bool,
}

impl CipherSuite {
    /// The code point as `0xC02F`.
    pub fn hex(&self) -> String {
        iana_hex(self.code)
    }

    /// Whether the suite may be offered (and accepted) in a hello of `version`.
    pub fn usable_at(&self, version: TlsVersion) -> bool {
        if self.signalling || version == TlsVersion::Ssl2 {
            return false;
        }
        if version == TlsVersion::Tls13 || self.min_version == TlsVersion::Tls13 {
            return version == self.min_version;
        }
        self.min_version <= version
    }

    const fn export_grade(mut self) -> Self {
        self.export = true;
        self
    }

    const fn unregistered(mut self) -> Self {
        self.iana_registered = false;
        self
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.iana_name)
    }
}

#[allow(clippy::too_many_arguments)] // a table row; named fields would triple the table
const fn suite(
    code: u16,
    iana_name: &'static str,
    openssl_name: Option<&'static str>,
    kx: KeyExchange,
    auth: Authentication,
    cipher: BulkCipher,
    bits: u16,
    mac: Mac,
    min_version: TlsVersion,
) -> CipherSuite {
    CipherSuite {
        code,
        iana_name,
        openssl_name,
        kx,
        auth,
        cipher,
        bits,
        mac,
        aead: matches!(mac, Mac::Aead),
        forward_secrecy: kx.is_ephemeral(),
        export: false,
        min_version,
        signalling: false,
        iana_registered: true,
    }
}

const fn scsv(code: u16, iana_name: &'static str) -> CipherSuite {
    CipherSuite {
        code,
        iana_name,
        openssl_name: None,
        kx: KeyExchange::Null,
        auth: Authentication::Null,
        cipher: BulkCipher::Null,
        bits: 0,
        mac: Mac::Null,
        aead: false,
        forward_secrecy: false,
        export: false,
        min_version: TlsVersion::Ssl3,
        signalling: true,
        iana_registered: true,
    }
}

// Short aliases so that each table row fits on one line.
use Authentication as A;
use BulkCipher as C;
use KeyExchange as K;
use Mac as M;
use TlsVersion as V;

/// The registry, sorted by code point (a test enforces it; [`lookup`] relies on it).
/// One row per suite; `rustfmt` would spread each row over a dozen lines.
#[rustfmt::skip]
static SUITES: &[CipherSuite] = &[
    suite(0x0000, "TLS_NULL_WITH_NULL_NULL", None, K::Null, A::Null, C::Null, 0, M::Null, V::Ssl3),
    suite(0x0001, "TLS_RSA_WITH_NULL_MD5", Some("NULL-MD5"), K::Rsa, A::Rsa, C::Null, 0, M::Md5, V::Ssl3),
    suite(0x0002, "TLS_RSA_WITH_NULL_SHA", Some("NULL-SHA"), K::Rsa, A::Rsa, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", Some("EXP-RC4-MD5"), K::Rsa, A::Rsa, C::Rc4, 40, M::Md5, V::Ssl3).export_grade(),
    suite(0x0004, "TLS_RSA_WITH_RC4_128_MD5", Some("RC4-MD5"), K::Rsa, A::Rsa, C::Rc4, 128, M::Md5, V::Ssl3),
    suite(0x0005, "TLS_RSA_WITH_RC4_128_SHA", Some("RC4-SHA"), K::Rsa, A::Rsa, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", Some("EXP-RC2-CBC-MD5"), K::Rsa, A::Rsa, C::Rc2, 40, M::Md5, V::Ssl3).export_grade(),
    suite(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", Some("IDEA-CBC-SHA"), K::Rsa, A::Rsa, C::Idea, 128, M::Sha1, V::Ssl3),
    suite(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-DES-CBC-SHA"), K::Rsa, A::Rsa, C::Des40, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", Some("DES-CBC-SHA"), K::Rsa, A::Rsa, C::Des, 56, M::Sha1, V::Ssl3),
    suite(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", Some("DES-CBC3-SHA"), K::Rsa, A::Rsa, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-DH-DSS-DES-CBC-SHA"), K::Dh, A::Dh, C::Des40, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", Some("DH-DSS-DES-CBC-SHA"), K::Dh, A::Dh, C::Des, 56, M::Sha1, V::Ssl3),
    suite(0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", Some("DH-DSS-DES-CBC3-SHA"), K::Dh, A::Dh, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-DH-RSA-DES-CBC-SHA"), K::Dh, A::Dh, C::Des40, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", Some("DH-RSA-DES-CBC-SHA"), K::Dh, A::Dh, C::Des, 56, M::Sha1, V::Ssl3),
    suite(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", Some("DH-RSA-DES-CBC3-SHA"), K::Dh, A::Dh, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-EDH-DSS-DES-CBC-SHA"), K::Dhe, A::Dss, C::Des40, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", Some("EDH-DSS-DES-CBC-SHA"), K::Dhe, A::Dss, C::Des, 56, M::Sha1, V::Ssl3),
    suite(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", Some("DHE-DSS-DES-CBC3-SHA"), K::Dhe, A::Dss, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-EDH-RSA-DES-CBC-SHA"), K::Dhe, A::Rsa, C::Des40, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", Some("EDH-RSA-DES-CBC-SHA"), K::Dhe, A::Rsa, C::Des, 56, M::Sha1, V::Ssl3),
    suite(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", Some("DHE-RSA-DES-CBC3-SHA"), K::Dhe, A::Rsa, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", Some("EXP-ADH-RC4-MD5"), K::Dhe, A::Anon, C::Rc4, 40, M::Md5, V::Ssl3).export_grade(),
    suite(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", Some("ADH-RC4-MD5"), K::Dhe, A::Anon, C::Rc4, 128, M::Md5, V::Ssl3),
    suite(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-ADH-DES-CBC-SHA"), K::Dhe, A::Anon, C::Des40, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", Some("ADH-DES-CBC-SHA"), K::Dhe, A::Anon, C::Des, 56, M::Sha1, V::Ssl3),
    suite(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", Some("ADH-DES-CBC3-SHA"), K::Dhe, A::Anon, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x001E, "TLS_KRB5_WITH_DES_CBC_SHA", Some("KRB5-DES-CBC-SHA"), K::Krb5, A::Krb5, C::Des, 56, M::Sha1, V::Ssl3),
    suite(0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", Some("KRB5-DES-CBC3-SHA"), K::Krb5, A::Krb5, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x0020, "TLS_KRB5_WITH_RC4_128_SHA", Some("KRB5-RC4-SHA"), K::Krb5, A::Krb5, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA", Some("KRB5-IDEA-CBC-SHA"), K::Krb5, A::Krb5, C::Idea, 128, M::Sha1, V::Ssl3),
    suite(0x0022, "TLS_KRB5_WITH_DES_CBC_MD5", Some("KRB5-DES-CBC-MD5"), K::Krb5, A::Krb5, C::Des, 56, M::Md5, V::Ssl3),
    suite(0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5", Some("KRB5-DES-CBC3-MD5"), K::Krb5, A::Krb5, C::TripleDes, 168, M::Md5, V::Ssl3),
    suite(0x0024, "TLS_KRB5_WITH_RC4_128_MD5", Some("KRB5-RC4-MD5"), K::Krb5, A::Krb5, C::Rc4, 128, M::Md5, V::Ssl3),
    suite(0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5", Some("KRB5-IDEA-CBC-MD5"), K::Krb5, A::Krb5, C::Idea, 128, M::Md5, V::Ssl3),
    suite(0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", Some("EXP-KRB5-DES-CBC-SHA"), K::Krb5, A::Krb5, C::Des40, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA", Some("EXP-KRB5-RC2-CBC-SHA"), K::Krb5, A::Krb5, C::Rc2, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA", Some("EXP-KRB5-RC4-SHA"), K::Krb5, A::Krb5, C::Rc4, 40, M::Sha1, V::Ssl3).export_grade(),
    suite(0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5", Some("EXP-KRB5-DES-CBC-MD5"), K::Krb5, A::Krb5, C::Des40, 40, M::Md5, V::Ssl3).export_grade(),
    suite(0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5", Some("EXP-KRB5-RC2-CBC-MD5"), K::Krb5, A::Krb5, C::Rc2, 40, M::Md5, V::Ssl3).export_grade(),
    suite(0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5", Some("EXP-KRB5-RC4-MD5"), K::Krb5, A::Krb5, C::Rc4, 40, M::Md5, V::Ssl3).export_grade(),
    suite(0x002C, "TLS_PSK_WITH_NULL_SHA", Some("PSK-NULL-SHA"), K::Psk, A::Psk, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0x002D, "TLS_DHE_PSK_WITH_NULL_SHA", Some("DHE-PSK-NULL-SHA"), K::DhePsk, A::Psk, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0x002E, "TLS_RSA_PSK_WITH_NULL_SHA", Some("RSA-PSK-NULL-SHA"), K::RsaPsk, A::Rsa, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", Some("AES128-SHA"), K::Rsa, A::Rsa, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", Some("DH-DSS-AES128-SHA"), K::Dh, A::Dh, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", Some("DH-RSA-AES128-SHA"), K::Dh, A::Dh, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", Some("DHE-DSS-AES128-SHA"), K::Dhe, A::Dss, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", Some("DHE-RSA-AES128-SHA"), K::Dhe, A::Rsa, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", Some("ADH-AES128-SHA"), K::Dhe, A::Anon, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", Some("AES256-SHA"), K::Rsa, A::Rsa, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", Some("DH-DSS-AES256-SHA"), K::Dh, A::Dh, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", Some("DH-RSA-AES256-SHA"), K::Dh, A::Dh, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", Some("DHE-DSS-AES256-SHA"), K::Dhe, A::Dss, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", Some("DHE-RSA-AES256-SHA"), K::Dhe, A::Rsa, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", Some("ADH-AES256-SHA"), K::Dhe, A::Anon, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x003B, "TLS_RSA_WITH_NULL_SHA256", Some("NULL-SHA256"), K::Rsa, A::Rsa, C::Null, 0, M::Sha256, V::Tls12),
    suite(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", Some("AES128-SHA256"), K::Rsa, A::Rsa, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", Some("AES256-SHA256"), K::Rsa, A::Rsa, C::Aes256, 256, M::Sha256, V::Tls12),
    suite(0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", Some("DH-DSS-AES128-SHA256"), K::Dh, A::Dh, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", Some("DH-RSA-AES128-SHA256"), K::Dh, A::Dh, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", Some("DHE-DSS-AES128-SHA256"), K::Dhe, A::Dss, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", Some("CAMELLIA128-SHA"), K::Rsa, A::Rsa, C::Camellia128, 128, M::Sha1, V::Ssl3),
    suite(0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", Some("DH-DSS-CAMELLIA128-SHA"), K::Dh, A::Dh, C::Camellia128, 128, M::Sha1, V::Ssl3),
    suite(0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", Some("DH-RSA-CAMELLIA128-SHA"), K::Dh, A::Dh, C::Camellia128, 128, M::Sha1, V::Ssl3),
    suite(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", Some("DHE-DSS-CAMELLIA128-SHA"), K::Dhe, A::Dss, C::Camellia128, 128, M::Sha1, V::Ssl3),
    suite(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", Some("DHE-RSA-CAMELLIA128-SHA"), K::Dhe, A::Rsa, C::Camellia128, 128, M::Sha1, V::Ssl3),
    suite(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", Some("ADH-CAMELLIA128-SHA"), K::Dhe, A::Anon, C::Camellia128, 128, M::Sha1, V::Ssl3),
    suite(0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5", Some("EXP1024-RC4-MD5"), K::Rsa, A::Rsa, C::Rc4, 56, M::Md5, V::Ssl3).export_grade().unregistered(),
    suite(0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5", Some("EXP1024-RC2-CBC-MD5"), K::Rsa, A::Rsa, C::Rc2, 56, M::Md5, V::Ssl3).export_grade().unregistered(),
    suite(0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", Some("EXP1024-DES-CBC-SHA"), K::Rsa, A::Rsa, C::Des, 56, M::Sha1, V::Ssl3).export_grade().unregistered(),
    suite(0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", Some("EXP1024-DHE-DSS-DES-CBC-SHA"), K::Dhe, A::Dss, C::Des, 56, M::Sha1, V::Ssl3).export_grade().unregistered(),
    suite(0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", Some("EXP1024-RC4-SHA"), K::Rsa, A::Rsa, C::Rc4, 56, M::Sha1, V::Ssl3).export_grade().unregistered(),
    suite(0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", Some("EXP1024-DHE-DSS-RC4-SHA"), K::Dhe, A::Dss, C::Rc4, 56, M::Sha1, V::Ssl3).export_grade().unregistered(),
    suite(0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA", Some("DHE-DSS-RC4-SHA"), K::Dhe, A::Dss, C::Rc4, 128, M::Sha1, V::Ssl3).unregistered(),
    suite(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", Some("DHE-RSA-AES128-SHA256"), K::Dhe, A::Rsa, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", Some("DH-DSS-AES256-SHA256"), K::Dh, A::Dh, C::Aes256, 256, M::Sha256, V::Tls12),
    suite(0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", Some("DH-RSA-AES256-SHA256"), K::Dh, A::Dh, C::Aes256, 256, M::Sha256, V::Tls12),
    suite(0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", Some("DHE-DSS-AES256-SHA256"), K::Dhe, A::Dss, C::Aes256, 256, M::Sha256, V::Tls12),
    suite(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", Some("DHE-RSA-AES256-SHA256"), K::Dhe, A::Rsa, C::Aes256, 256, M::Sha256, V::Tls12),
    suite(0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", Some("ADH-AES128-SHA256"), K::Dhe, A::Anon, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", Some("ADH-AES256-SHA256"), K::Dhe, A::Anon, C::Aes256, 256, M::Sha256, V::Tls12),
    suite(0x0080, "TLS_GOSTR341094_WITH_28147_CNT_IMIT", Some("GOST94-GOST89-GOST89"), K::Gost, A::Gost, C::Gost28147, 256, M::Gost28147Imit, V::Tls10).unregistered(),
    suite(0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT", Some("GOST2001-GOST89-GOST89"), K::Gost, A::Gost, C::Gost28147, 256, M::Gost28147Imit, V::Tls10).unregistered(),
    suite(0x0082, "TLS_GOSTR341094_WITH_NULL_GOSTR3411", Some("GOST94-NULL-GOST94"), K::Gost, A::Gost, C::Null, 0, M::GostR3411, V::Tls10).unregistered(),
    suite(0x0083, "TLS_GOSTR341001_WITH_NULL_GOSTR3411", Some("GOST2001-NULL-GOST94"), K::Gost, A::Gost, C::Null, 0, M::GostR3411, V::Tls10).unregistered(),
    suite(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", Some("CAMELLIA256-SHA"), K::Rsa, A::Rsa, C::Camellia256, 256, M::Sha1, V::Ssl3),
    suite(0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", Some("DH-DSS-CAMELLIA256-SHA"), K::Dh, A::Dh, C::Camellia256, 256, M::Sha1, V::Ssl3),
    suite(0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", Some("DH-RSA-CAMELLIA256-SHA"), K::Dh, A::Dh, C::Camellia256, 256, M::Sha1, V::Ssl3),
    suite(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", Some("DHE-DSS-CAMELLIA256-SHA"), K::Dhe, A::Dss, C::Camellia256, 256, M::Sha1, V::Ssl3),
    suite(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", Some("DHE-RSA-CAMELLIA256-SHA"), K::Dhe, A::Rsa, C::Camellia256, 256, M::Sha1, V::Ssl3),
    suite(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", Some("ADH-CAMELLIA256-SHA"), K::Dhe, A::Anon, C::Camellia256, 256, M::Sha1, V::Ssl3),
    suite(0x008A, "TLS_PSK_WITH_RC4_128_SHA", Some("PSK-RC4-SHA"), K::Psk, A::Psk, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", Some("PSK-3DES-EDE-CBC-SHA"), K::Psk, A::Psk, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", Some("PSK-AES128-CBC-SHA"), K::Psk, A::Psk, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", Some("PSK-AES256-CBC-SHA"), K::Psk, A::Psk, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA", Some("DHE-PSK-RC4-SHA"), K::DhePsk, A::Psk, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", Some("DHE-PSK-3DES-EDE-CBC-SHA"), K::DhePsk, A::Psk, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", Some("DHE-PSK-AES128-CBC-SHA"), K::DhePsk, A::Psk, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", Some("DHE-PSK-AES256-CBC-SHA"), K::DhePsk, A::Psk, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA", Some("RSA-PSK-RC4-SHA"), K::RsaPsk, A::Rsa, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", Some("RSA-PSK-3DES-EDE-CBC-SHA"), K::RsaPsk, A::Rsa, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", Some("RSA-PSK-AES128-CBC-SHA"), K::RsaPsk, A::Rsa, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", Some("RSA-PSK-AES256-CBC-SHA"), K::RsaPsk, A::Rsa, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", Some("SEED-SHA"), K::Rsa, A::Rsa, C::Seed, 128, M::Sha1, V::Ssl3),
    suite(0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", Some("DH-DSS-SEED-SHA"), K::Dh, A::Dh, C::Seed, 128, M::Sha1, V::Ssl3),
    suite(0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", Some("DH-RSA-SEED-SHA"), K::Dh, A::Dh, C::Seed, 128, M::Sha1, V::Ssl3),
    suite(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", Some("DHE-DSS-SEED-SHA"), K::Dhe, A::Dss, C::Seed, 128, M::Sha1, V::Ssl3),
    suite(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", Some("DHE-RSA-SEED-SHA"), K::Dhe, A::Rsa, C::Seed, 128, M::Sha1, V::Ssl3),
    suite(0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", Some("ADH-SEED-SHA"), K::Dhe, A::Anon, C::Seed, 128, M::Sha1, V::Ssl3),
    suite(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", Some("AES128-GCM-SHA256"), K::Rsa, A::Rsa, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", Some("AES256-GCM-SHA384"), K::Rsa, A::Rsa, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", Some("DHE-RSA-AES128-GCM-SHA256"), K::Dhe, A::Rsa, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", Some("DHE-RSA-AES256-GCM-SHA384"), K::Dhe, A::Rsa, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", Some("DH-RSA-AES128-GCM-SHA256"), K::Dh, A::Dh, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", Some("DH-RSA-AES256-GCM-SHA384"), K::Dh, A::Dh, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", Some("DHE-DSS-AES128-GCM-SHA256"), K::Dhe, A::Dss, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", Some("DHE-DSS-AES256-GCM-SHA384"), K::Dhe, A::Dss, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", Some("DH-DSS-AES128-GCM-SHA256"), K::Dh, A::Dh, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", Some("DH-DSS-AES256-GCM-SHA384"), K::Dh, A::Dh, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", Some("ADH-AES128-GCM-SHA256"), K::Dhe, A::Anon, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", Some("ADH-AES256-GCM-SHA384"), K::Dhe, A::Anon, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", Some("PSK-AES128-GCM-SHA256"), K::Psk, A::Psk, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", Some("PSK-AES256-GCM-SHA384"), K::Psk, A::Psk, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", Some("DHE-PSK-AES128-GCM-SHA256"), K::DhePsk, A::Psk, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", Some("DHE-PSK-AES256-GCM-SHA384"), K::DhePsk, A::Psk, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", Some("RSA-PSK-AES128-GCM-SHA256"), K::RsaPsk, A::Rsa, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", Some("RSA-PSK-AES256-GCM-SHA384"), K::RsaPsk, A::Rsa, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", Some("PSK-AES128-CBC-SHA256"), K::Psk, A::Psk, C::Aes128, 128, M::Sha256, V::Tls10),
    suite(0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", Some("PSK-AES256-CBC-SHA384"), K::Psk, A::Psk, C::Aes256, 256, M::Sha384, V::Tls10),
    suite(0x00B0, "TLS_PSK_WITH_NULL_SHA256", Some("PSK-NULL-SHA256"), K::Psk, A::Psk, C::Null, 0, M::Sha256, V::Tls10),
    suite(0x00B1, "TLS_PSK_WITH_NULL_SHA384", Some("PSK-NULL-SHA384"), K::Psk, A::Psk, C::Null, 0, M::Sha384, V::Tls10),
    suite(0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", Some("DHE-PSK-AES128-CBC-SHA256"), K::DhePsk, A::Psk, C::Aes128, 128, M::Sha256, V::Tls10),
    suite(0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", Some("DHE-PSK-AES256-CBC-SHA384"), K::DhePsk, A::Psk, C::Aes256, 256, M::Sha384, V::Tls10),
    suite(0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", Some("DHE-PSK-NULL-SHA256"), K::DhePsk, A::Psk, C::Null, 0, M::Sha256, V::Tls10),
    suite(0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", Some("DHE-PSK-NULL-SHA384"), K::DhePsk, A::Psk, C::Null, 0, M::Sha384, V::Tls10),
    suite(0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", Some("RSA-PSK-AES128-CBC-SHA256"), K::RsaPsk, A::Rsa, C::Aes128, 128, M::Sha256, V::Tls10),
    suite(0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", Some("RSA-PSK-AES256-CBC-SHA384"), K::RsaPsk, A::Rsa, C::Aes256, 256, M::Sha384, V::Tls10),
    suite(0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256", Some("RSA-PSK-NULL-SHA256"), K::RsaPsk, A::Rsa, C::Null, 0, M::Sha256, V::Tls10),
    suite(0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384", Some("RSA-PSK-NULL-SHA384"), K::RsaPsk, A::Rsa, C::Null, 0, M::Sha384, V::Tls10),
    suite(0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", Some("CAMELLIA128-SHA256"), K::Rsa, A::Rsa, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256", Some("DH-DSS-CAMELLIA128-SHA256"), K::Dh, A::Dh, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", Some("DH-RSA-CAMELLIA128-SHA256"), K::Dh, A::Dh, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", Some("DHE-DSS-CAMELLIA128-SHA256"), K::Dhe, A::Dss, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", Some("DHE-RSA-CAMELLIA128-SHA256"), K::Dhe, A::Rsa, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", Some("ADH-CAMELLIA128-SHA256"), K::Dhe, A::Anon, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", Some("CAMELLIA256-SHA256"), K::Rsa, A::Rsa, C::Camellia256, 256, M::Sha256, V::Tls12),
    suite(0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256", Some("DH-DSS-CAMELLIA256-SHA256"), K::Dh, A::Dh, C::Camellia256, 256, M::Sha256, V::Tls12),
    suite(0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", Some("DH-RSA-CAMELLIA256-SHA256"), K::Dh, A::Dh, C::Camellia256, 256, M::Sha256, V::Tls12),
    suite(0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", Some("DHE-DSS-CAMELLIA256-SHA256"), K::Dhe, A::Dss, C::Camellia256, 256, M::Sha256, V::Tls12),
    suite(0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", Some("DHE-RSA-CAMELLIA256-SHA256"), K::Dhe, A::Rsa, C::Camellia256, 256, M::Sha256, V::Tls12),
    suite(0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", Some("ADH-CAMELLIA256-SHA256"), K::Dhe, A::Anon, C::Camellia256, 256, M::Sha256, V::Tls12),
    suite(0x00C6, "TLS_SM4_GCM_SM3", None, K::Any, A::Any, C::Sm4Gcm, 128, M::Aead, V::Tls13),
    suite(0x00C7, "TLS_SM4_CCM_SM3", None, K::Any, A::Any, C::Sm4Ccm, 128, M::Aead, V::Tls13),
    scsv(0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
    suite(0x1301, "TLS_AES_128_GCM_SHA256", Some("TLS_AES_128_GCM_SHA256"), K::Any, A::Any, C::Aes128Gcm, 128, M::Aead, V::Tls13),
    suite(0x1302, "TLS_AES_256_GCM_SHA384", Some("TLS_AES_256_GCM_SHA384"), K::Any, A::Any, C::Aes256Gcm, 256, M::Aead, V::Tls13),
    suite(0x1303, "TLS_CHACHA20_POLY1305_SHA256", Some("TLS_CHACHA20_POLY1305_SHA256"), K::Any, A::Any, C::ChaCha20Poly1305, 256, M::Aead, V::Tls13),
    suite(0x1304, "TLS_AES_128_CCM_SHA256", Some("TLS_AES_128_CCM_SHA256"), K::Any, A::Any, C::Aes128Ccm, 128, M::Aead, V::Tls13),
    suite(0x1305, "TLS_AES_128_CCM_8_SHA256", Some("TLS_AES_128_CCM_8_SHA256"), K::Any, A::Any, C::Aes128Ccm8, 128, M::Aead, V::Tls13),
    suite(0x1306, "TLS_AEGIS_256_SHA512", None, K::Any, A::Any, C::Aegis256, 256, M::Aead, V::Tls13),
    suite(0x1307, "TLS_AEGIS_128L_SHA256", None, K::Any, A::Any, C::Aegis128L, 128, M::Aead, V::Tls13),
    suite(0x16B7, "TLS_CECPQ1_RSA_WITH_CHACHA20_POLY1305_SHA256", None, K::Cecpq1, A::Rsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12).unregistered(),
    suite(0x16B8, "TLS_CECPQ1_ECDSA_WITH_CHACHA20_POLY1305_SHA256", None, K::Cecpq1, A::Ecdsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12).unregistered(),
    suite(0x16B9, "TLS_CECPQ1_RSA_WITH_AES_256_GCM_SHA384", None, K::Cecpq1, A::Rsa, C::Aes256Gcm, 256, M::Aead, V::Tls12).unregistered(),
    suite(0x16BA, "TLS_CECPQ1_ECDSA_WITH_AES_256_GCM_SHA384", None, K::Cecpq1, A::Ecdsa, C::Aes256Gcm, 256, M::Aead, V::Tls12).unregistered(),
    scsv(0x5600, "TLS_FALLBACK_SCSV"),
    suite(0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", Some("ECDH-ECDSA-NULL-SHA"), K::Ecdh, A::Ecdh, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", Some("ECDH-ECDSA-RC4-SHA"), K::Ecdh, A::Ecdh, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", Some("ECDH-ECDSA-DES-CBC3-SHA"), K::Ecdh, A::Ecdh, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", Some("ECDH-ECDSA-AES128-SHA"), K::Ecdh, A::Ecdh, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", Some("ECDH-ECDSA-AES256-SHA"), K::Ecdh, A::Ecdh, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", Some("ECDHE-ECDSA-NULL-SHA"), K::Ecdhe, A::Ecdsa, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", Some("ECDHE-ECDSA-RC4-SHA"), K::Ecdhe, A::Ecdsa, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", Some("ECDHE-ECDSA-DES-CBC3-SHA"), K::Ecdhe, A::Ecdsa, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", Some("ECDHE-ECDSA-AES128-SHA"), K::Ecdhe, A::Ecdsa, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", Some("ECDHE-ECDSA-AES256-SHA"), K::Ecdhe, A::Ecdsa, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", Some("ECDH-RSA-NULL-SHA"), K::Ecdh, A::Ecdh, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", Some("ECDH-RSA-RC4-SHA"), K::Ecdh, A::Ecdh, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", Some("ECDH-RSA-DES-CBC3-SHA"), K::Ecdh, A::Ecdh, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", Some("ECDH-RSA-AES128-SHA"), K::Ecdh, A::Ecdh, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", Some("ECDH-RSA-AES256-SHA"), K::Ecdh, A::Ecdh, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", Some("ECDHE-RSA-NULL-SHA"), K::Ecdhe, A::Rsa, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", Some("ECDHE-RSA-RC4-SHA"), K::Ecdhe, A::Rsa, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", Some("ECDHE-RSA-DES-CBC3-SHA"), K::Ecdhe, A::Rsa, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", Some("ECDHE-RSA-AES128-SHA"), K::Ecdhe, A::Rsa, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", Some("ECDHE-RSA-AES256-SHA"), K::Ecdhe, A::Rsa, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", Some("AECDH-NULL-SHA"), K::Ecdhe, A::Anon, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", Some("AECDH-RC4-SHA"), K::Ecdhe, A::Anon, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", Some("AECDH-DES-CBC3-SHA"), K::Ecdhe, A::Anon, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", Some("AECDH-AES128-SHA"), K::Ecdhe, A::Anon, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", Some("AECDH-AES256-SHA"), K::Ecdhe, A::Anon, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", Some("SRP-3DES-EDE-CBC-SHA"), K::Srp, A::Srp, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", Some("SRP-RSA-3DES-EDE-CBC-SHA"), K::Srp, A::Rsa, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", Some("SRP-DSS-3DES-EDE-CBC-SHA"), K::Srp, A::Dss, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", Some("SRP-AES-128-CBC-SHA"), K::Srp, A::Srp, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", Some("SRP-RSA-AES-128-CBC-SHA"), K::Srp, A::Rsa, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", Some("SRP-DSS-AES-128-CBC-SHA"), K::Srp, A::Dss, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", Some("SRP-AES-256-CBC-SHA"), K::Srp, A::Srp, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", Some("SRP-RSA-AES-256-CBC-SHA"), K::Srp, A::Rsa, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", Some("SRP-DSS-AES-256-CBC-SHA"), K::Srp, A::Dss, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", Some("ECDHE-ECDSA-AES128-SHA256"), K::Ecdhe, A::Ecdsa, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", Some("ECDHE-ECDSA-AES256-SHA384"), K::Ecdhe, A::Ecdsa, C::Aes256, 256, M::Sha384, V::Tls12),
    suite(0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", Some("ECDH-ECDSA-AES128-SHA256"), K::Ecdh, A::Ecdh, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", Some("ECDH-ECDSA-AES256-SHA384"), K::Ecdh, A::Ecdh, C::Aes256, 256, M::Sha384, V::Tls12),
    suite(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Some("ECDHE-RSA-AES128-SHA256"), K::Ecdhe, A::Rsa, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Some("ECDHE-RSA-AES256-SHA384"), K::Ecdhe, A::Rsa, C::Aes256, 256, M::Sha384, V::Tls12),
    suite(0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", Some("ECDH-RSA-AES128-SHA256"), K::Ecdh, A::Ecdh, C::Aes128, 128, M::Sha256, V::Tls12),
    suite(0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", Some("ECDH-RSA-AES256-SHA384"), K::Ecdh, A::Ecdh, C::Aes256, 256, M::Sha384, V::Tls12),
    suite(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Some("ECDHE-ECDSA-AES128-GCM-SHA256"), K::Ecdhe, A::Ecdsa, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", Some("ECDHE-ECDSA-AES256-GCM-SHA384"), K::Ecdhe, A::Ecdsa, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", Some("ECDH-ECDSA-AES128-GCM-SHA256"), K::Ecdh, A::Ecdh, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", Some("ECDH-ECDSA-AES256-GCM-SHA384"), K::Ecdh, A::Ecdh, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Some("ECDHE-RSA-AES128-GCM-SHA256"), K::Ecdhe, A::Rsa, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Some("ECDHE-RSA-AES256-GCM-SHA384"), K::Ecdhe, A::Rsa, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", Some("ECDH-RSA-AES128-GCM-SHA256"), K::Ecdh, A::Ecdh, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", Some("ECDH-RSA-AES256-GCM-SHA384"), K::Ecdh, A::Ecdh, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", Some("ECDHE-PSK-RC4-SHA"), K::EcdhePsk, A::Psk, C::Rc4, 128, M::Sha1, V::Ssl3),
    suite(0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", Some("ECDHE-PSK-3DES-EDE-CBC-SHA"), K::EcdhePsk, A::Psk, C::TripleDes, 168, M::Sha1, V::Ssl3),
    suite(0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", Some("ECDHE-PSK-AES128-CBC-SHA"), K::EcdhePsk, A::Psk, C::Aes128, 128, M::Sha1, V::Ssl3),
    suite(0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", Some("ECDHE-PSK-AES256-CBC-SHA"), K::EcdhePsk, A::Psk, C::Aes256, 256, M::Sha1, V::Ssl3),
    suite(0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", Some("ECDHE-PSK-AES128-CBC-SHA256"), K::EcdhePsk, A::Psk, C::Aes128, 128, M::Sha256, V::Tls10),
    suite(0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", Some("ECDHE-PSK-AES256-CBC-SHA384"), K::EcdhePsk, A::Psk, C::Aes256, 256, M::Sha384, V::Tls10),
    suite(0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA", Some("ECDHE-PSK-NULL-SHA"), K::EcdhePsk, A::Psk, C::Null, 0, M::Sha1, V::Ssl3),
    suite(0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256", Some("ECDHE-PSK-NULL-SHA256"), K::EcdhePsk, A::Psk, C::Null, 0, M::Sha256, V::Tls10),
    suite(0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384", Some("ECDHE-PSK-NULL-SHA384"), K::EcdhePsk, A::Psk, C::Null, 0, M::Sha384, V::Tls10),
    suite(0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", None, K::Rsa, A::Rsa, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", None, K::Rsa, A::Rsa, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256", None, K::Dh, A::Dh, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384", None, K::Dh, A::Dh, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256", None, K::Dh, A::Dh, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384", None, K::Dh, A::Dh, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256", None, K::Dhe, A::Dss, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384", None, K::Dhe, A::Dss, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", None, K::Dhe, A::Rsa, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", None, K::Dhe, A::Rsa, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256", None, K::Dhe, A::Anon, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384", None, K::Dhe, A::Anon, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", None, K::Ecdhe, A::Ecdsa, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", None, K::Ecdhe, A::Ecdsa, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256", None, K::Ecdh, A::Ecdh, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384", None, K::Ecdh, A::Ecdh, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", None, K::Ecdhe, A::Rsa, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", None, K::Ecdhe, A::Rsa, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256", None, K::Ecdh, A::Ecdh, C::Aria128, 128, M::Sha256, V::Tls12),
    suite(0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384", None, K::Ecdh, A::Ecdh, C::Aria256, 256, M::Sha384, V::Tls12),
    suite(0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", Some("ARIA128-GCM-SHA256"), K::Rsa, A::Rsa, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", Some("ARIA256-GCM-SHA384"), K::Rsa, A::Rsa, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", Some("DHE-RSA-ARIA128-GCM-SHA256"), K::Dhe, A::Rsa, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", Some("DHE-RSA-ARIA256-GCM-SHA384"), K::Dhe, A::Rsa, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256", Some("DH-RSA-ARIA128-GCM-SHA256"), K::Dh, A::Dh, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384", Some("DH-RSA-ARIA256-GCM-SHA384"), K::Dh, A::Dh, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", Some("DHE-DSS-ARIA128-GCM-SHA256"), K::Dhe, A::Dss, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", Some("DHE-DSS-ARIA256-GCM-SHA384"), K::Dhe, A::Dss, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256", Some("DH-DSS-ARIA128-GCM-SHA256"), K::Dh, A::Dh, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384", Some("DH-DSS-ARIA256-GCM-SHA384"), K::Dh, A::Dh, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256", Some("ADH-ARIA128-GCM-SHA256"), K::Dhe, A::Anon, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384", Some("ADH-ARIA256-GCM-SHA384"), K::Dhe, A::Anon, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", Some("ECDHE-ECDSA-ARIA128-GCM-SHA256"), K::Ecdhe, A::Ecdsa, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", Some("ECDHE-ECDSA-ARIA256-GCM-SHA384"), K::Ecdhe, A::Ecdsa, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256", Some("ECDH-ECDSA-ARIA128-GCM-SHA256"), K::Ecdh, A::Ecdh, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384", Some("ECDH-ECDSA-ARIA256-GCM-SHA384"), K::Ecdh, A::Ecdh, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", Some("ECDHE-ARIA128-GCM-SHA256"), K::Ecdhe, A::Rsa, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", Some("ECDHE-ARIA256-GCM-SHA384"), K::Ecdhe, A::Rsa, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256", Some("ECDH-ARIA128-GCM-SHA256"), K::Ecdh, A::Ecdh, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384", Some("ECDH-ARIA256-GCM-SHA384"), K::Ecdh, A::Ecdh, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256", None, K::Psk, A::Psk, C::Aria128, 128, M::Sha256, V::Tls10),
    suite(0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384", None, K::Psk, A::Psk, C::Aria256, 256, M::Sha384, V::Tls10),
    suite(0xC066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256", None, K::DhePsk, A::Psk, C::Aria128, 128, M::Sha256, V::Tls10),
    suite(0xC067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384", None, K::DhePsk, A::Psk, C::Aria256, 256, M::Sha384, V::Tls10),
    suite(0xC068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256", None, K::RsaPsk, A::Rsa, C::Aria128, 128, M::Sha256, V::Tls10),
    suite(0xC069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384", None, K::RsaPsk, A::Rsa, C::Aria256, 256, M::Sha384, V::Tls10),
    suite(0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", Some("PSK-ARIA128-GCM-SHA256"), K::Psk, A::Psk, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", Some("PSK-ARIA256-GCM-SHA384"), K::Psk, A::Psk, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", Some("DHE-PSK-ARIA128-GCM-SHA256"), K::DhePsk, A::Psk, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", Some("DHE-PSK-ARIA256-GCM-SHA384"), K::DhePsk, A::Psk, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", Some("RSA-PSK-ARIA128-GCM-SHA256"), K::RsaPsk, A::Rsa, C::Aria128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", Some("RSA-PSK-ARIA256-GCM-SHA384"), K::RsaPsk, A::Rsa, C::Aria256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256", None, K::EcdhePsk, A::Psk, C::Aria128, 128, M::Sha256, V::Tls10),
    suite(0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384", None, K::EcdhePsk, A::Psk, C::Aria256, 256, M::Sha384, V::Tls10),
    suite(0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", Some("ECDHE-ECDSA-CAMELLIA128-SHA256"), K::Ecdhe, A::Ecdsa, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", Some("ECDHE-ECDSA-CAMELLIA256-SHA384"), K::Ecdhe, A::Ecdsa, C::Camellia256, 256, M::Sha384, V::Tls12),
    suite(0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", Some("ECDH-ECDSA-CAMELLIA128-SHA256"), K::Ecdh, A::Ecdh, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", Some("ECDH-ECDSA-CAMELLIA256-SHA384"), K::Ecdh, A::Ecdh, C::Camellia256, 256, M::Sha384, V::Tls12),
    suite(0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", Some("ECDHE-RSA-CAMELLIA128-SHA256"), K::Ecdhe, A::Rsa, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", Some("ECDHE-RSA-CAMELLIA256-SHA384"), K::Ecdhe, A::Rsa, C::Camellia256, 256, M::Sha384, V::Tls12),
    suite(0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256", Some("ECDH-RSA-CAMELLIA128-SHA256"), K::Ecdh, A::Ecdh, C::Camellia128, 128, M::Sha256, V::Tls12),
    suite(0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384", Some("ECDH-RSA-CAMELLIA256-SHA384"), K::Ecdh, A::Ecdh, C::Camellia256, 256, M::Sha384, V::Tls12),
    suite(0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", None, K::Rsa, A::Rsa, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", None, K::Rsa, A::Rsa, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", None, K::Dhe, A::Rsa, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", None, K::Dhe, A::Rsa, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256", None, K::Dh, A::Dh, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384", None, K::Dh, A::Dh, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", None, K::Dhe, A::Dss, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", None, K::Dhe, A::Dss, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256", None, K::Dh, A::Dh, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384", None, K::Dh, A::Dh, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", None, K::Dhe, A::Anon, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", None, K::Dhe, A::Anon, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", None, K::Ecdhe, A::Ecdsa, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", None, K::Ecdhe, A::Ecdsa, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", None, K::Ecdh, A::Ecdh, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", None, K::Ecdh, A::Ecdh, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", None, K::Ecdhe, A::Rsa, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", None, K::Ecdhe, A::Rsa, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256", None, K::Ecdh, A::Ecdh, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384", None, K::Ecdh, A::Ecdh, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC08E, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256", None, K::Psk, A::Psk, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC08F, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384", None, K::Psk, A::Psk, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256", None, K::DhePsk, A::Psk, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384", None, K::DhePsk, A::Psk, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256", None, K::RsaPsk, A::Rsa, C::Camellia128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384", None, K::RsaPsk, A::Rsa, C::Camellia256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", Some("PSK-CAMELLIA128-SHA256"), K::Psk, A::Psk, C::Camellia128, 128, M::Sha256, V::Tls10),
    suite(0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", Some("PSK-CAMELLIA256-SHA384"), K::Psk, A::Psk, C::Camellia256, 256, M::Sha384, V::Tls10),
    suite(0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", Some("DHE-PSK-CAMELLIA128-SHA256"), K::DhePsk, A::Psk, C::Camellia128, 128, M::Sha256, V::Tls10),
    suite(0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", Some("DHE-PSK-CAMELLIA256-SHA384"), K::DhePsk, A::Psk, C::Camellia256, 256, M::Sha384, V::Tls10),
    suite(0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", Some("RSA-PSK-CAMELLIA128-SHA256"), K::RsaPsk, A::Rsa, C::Camellia128, 128, M::Sha256, V::Tls10),
    suite(0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", Some("RSA-PSK-CAMELLIA256-SHA384"), K::RsaPsk, A::Rsa, C::Camellia256, 256, M::Sha384, V::Tls10),
    suite(0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", Some("ECDHE-PSK-CAMELLIA128-SHA256"), K::EcdhePsk, A::Psk, C::Camellia128, 128, M::Sha256, V::Tls10),
    suite(0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", Some("ECDHE-PSK-CAMELLIA256-SHA384"), K::EcdhePsk, A::Psk, C::Camellia256, 256, M::Sha384, V::Tls10),
    suite(0xC09C, "TLS_RSA_WITH_AES_128_CCM", Some("AES128-CCM"), K::Rsa, A::Rsa, C::Aes128Ccm, 128, M::Aead, V::Tls12),
    suite(0xC09D, "TLS_RSA_WITH_AES_256_CCM", Some("AES256-CCM"), K::Rsa, A::Rsa, C::Aes256Ccm, 256, M::Aead, V::Tls12),
    suite(0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", Some("DHE-RSA-AES128-CCM"), K::Dhe, A::Rsa, C::Aes128Ccm, 128, M::Aead, V::Tls12),
    suite(0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", Some("DHE-RSA-AES256-CCM"), K::Dhe, A::Rsa, C::Aes256Ccm, 256, M::Aead, V::Tls12),
    suite(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", Some("AES128-CCM8"), K::Rsa, A::Rsa, C::Aes128Ccm8, 128, M::Aead, V::Tls12),
    suite(0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", Some("AES256-CCM8"), K::Rsa, A::Rsa, C::Aes256Ccm8, 256, M::Aead, V::Tls12),
    suite(0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", Some("DHE-RSA-AES128-CCM8"), K::Dhe, A::Rsa, C::Aes128Ccm8, 128, M::Aead, V::Tls12),
    suite(0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", Some("DHE-RSA-AES256-CCM8"), K::Dhe, A::Rsa, C::Aes256Ccm8, 256, M::Aead, V::Tls12),
    suite(0xC0A4, "TLS_PSK_WITH_AES_128_CCM", Some("PSK-AES128-CCM"), K::Psk, A::Psk, C::Aes128Ccm, 128, M::Aead, V::Tls12),
    suite(0xC0A5, "TLS_PSK_WITH_AES_256_CCM", Some("PSK-AES256-CCM"), K::Psk, A::Psk, C::Aes256Ccm, 256, M::Aead, V::Tls12),
    suite(0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM", Some("DHE-PSK-AES128-CCM"), K::DhePsk, A::Psk, C::Aes128Ccm, 128, M::Aead, V::Tls12),
    suite(0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM", Some("DHE-PSK-AES256-CCM"), K::DhePsk, A::Psk, C::Aes256Ccm, 256, M::Aead, V::Tls12),
    suite(0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", Some("PSK-AES128-CCM8"), K::Psk, A::Psk, C::Aes128Ccm8, 128, M::Aead, V::Tls12),
    suite(0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", Some("PSK-AES256-CCM8"), K::Psk, A::Psk, C::Aes256Ccm8, 256, M::Aead, V::Tls12),
    suite(0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", Some("DHE-PSK-AES128-CCM8"), K::DhePsk, A::Psk, C::Aes128Ccm8, 128, M::Aead, V::Tls12),
    suite(0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", Some("DHE-PSK-AES256-CCM8"), K::DhePsk, A::Psk, C::Aes256Ccm8, 256, M::Aead, V::Tls12),
    suite(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", Some("ECDHE-ECDSA-AES128-CCM"), K::Ecdhe, A::Ecdsa, C::Aes128Ccm, 128, M::Aead, V::Tls12),
    suite(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", Some("ECDHE-ECDSA-AES256-CCM"), K::Ecdhe, A::Ecdsa, C::Aes256Ccm, 256, M::Aead, V::Tls12),
    suite(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", Some("ECDHE-ECDSA-AES128-CCM8"), K::Ecdhe, A::Ecdsa, C::Aes128Ccm8, 128, M::Aead, V::Tls12),
    suite(0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", Some("ECDHE-ECDSA-AES256-CCM8"), K::Ecdhe, A::Ecdsa, C::Aes256Ccm8, 256, M::Aead, V::Tls12),
    suite(0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", None, K::EccPwd, A::EccPwd, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0xC0B1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384", None, K::EccPwd, A::EccPwd, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0xC0B2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256", None, K::EccPwd, A::EccPwd, C::Aes128Ccm, 128, M::Aead, V::Tls12),
    suite(0xC0B3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384", None, K::EccPwd, A::EccPwd, C::Aes256Ccm, 256, M::Aead, V::Tls12),
    suite(0xC0B4, "TLS_SHA256_SHA256", Some("TLS_SHA256_SHA256"), K::Any, A::Any, C::Null, 0, M::Sha256, V::Tls13),
    suite(0xC0B5, "TLS_SHA384_SHA384", Some("TLS_SHA384_SHA384"), K::Any, A::Any, C::Null, 0, M::Sha384, V::Tls13),
    suite(0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", Some("GOST2012-KUZNYECHIK-KUZNYECHIKOMAC"), K::Gost, A::Gost, C::KuznyechikCtr, 256, M::Omac, V::Tls12),
    suite(0xC101, "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC", Some("GOST2012-MAGMA-MAGMAOMAC"), K::Gost, A::Gost, C::MagmaCtr, 256, M::Omac, V::Tls12),
    suite(0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", Some("IANA-GOST2012-GOST8912-GOST8912"), K::Gost, A::Gost, C::Gost28147, 256, M::Gost28147Imit, V::Tls10),
    suite(0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", None, K::Any, A::Any, C::KuznyechikMgmL, 256, M::Aead, V::Tls13),
    suite(0xC104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L", None, K::Any, A::Any, C::MagmaMgmL, 256, M::Aead, V::Tls13),
    suite(0xC105, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S", None, K::Any, A::Any, C::KuznyechikMgmS, 256, M::Aead, V::Tls13),
    suite(0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S", None, K::Any, A::Any, C::MagmaMgmS, 256, M::Aead, V::Tls13),
    suite(0xCC13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", Some("ECDHE-RSA-CHACHA20-POLY1305-OLD"), K::Ecdhe, A::Rsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12).unregistered(),
    suite(0xCC14, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD", Some("ECDHE-ECDSA-CHACHA20-POLY1305-OLD"), K::Ecdhe, A::Ecdsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12).unregistered(),
    suite(0xCC15, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", Some("DHE-RSA-CHACHA20-POLY1305-OLD"), K::Dhe, A::Rsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12).unregistered(),
    suite(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Some("ECDHE-RSA-CHACHA20-POLY1305"), K::Ecdhe, A::Rsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12),
    suite(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", Some("ECDHE-ECDSA-CHACHA20-POLY1305"), K::Ecdhe, A::Ecdsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12),
    suite(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Some("DHE-RSA-CHACHA20-POLY1305"), K::Dhe, A::Rsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12),
    suite(0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", Some("PSK-CHACHA20-POLY1305"), K::Psk, A::Psk, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12),
    suite(0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", Some("ECDHE-PSK-CHACHA20-POLY1305"), K::EcdhePsk, A::Psk, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12),
    suite(0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", Some("DHE-PSK-CHACHA20-POLY1305"), K::DhePsk, A::Psk, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12),
    suite(0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", Some("RSA-PSK-CHACHA20-POLY1305"), K::RsaPsk, A::Rsa, C::ChaCha20Poly1305, 256, M::Aead, V::Tls12),
    suite(0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", None, K::EcdhePsk, A::Psk, C::Aes128Gcm, 128, M::Aead, V::Tls12),
    suite(0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384", None, K::EcdhePsk, A::Psk, C::Aes256Gcm, 256, M::Aead, V::Tls12),
    suite(0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", None, K::EcdhePsk, A::Psk, C::Aes128Ccm8, 128, M::Aead, V::Tls12),
    suite(0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", None, K::EcdhePsk, A::Psk, C::Aes128Ccm, 128, M::Aead, V::Tls12),
    suite(0xFEFE, "SSL_RSA_FIPS_WITH_DES_CBC_SHA", None, K::Rsa, A::Rsa, C::Des, 56, M::Sha1, V::Ssl3).unregistered(),
    suite(0xFEFF, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA", None, K::Rsa, A::Rsa, C::TripleDes, 168, M::Sha1, V::Ssl3).unregistered(),
    suite(0xFF00, "TLS_GOSTR341094_RSA_WITH_28147_CNT_MD5", Some("GOST-MD5"), K::Rsa, A::Rsa, C::Gost28147, 256, M::Md5, V::Tls10).unregistered(),
    suite(0xFF01, "TLS_RSA_WITH_28147_CNT_GOST94", Some("GOST-GOST94"), K::Rsa, A::Rsa, C::Gost28147, 256, M::GostR3411, V::Tls10).unregistered(),
    suite(0xFFE0, "SSL_RSA_OLDFIPS_WITH_3DES_EDE_CBC_SHA", None, K::Rsa, A::Rsa, C::TripleDes, 168, M::Sha1, V::Ssl3).unregistered(),
    suite(0xFFE1, "SSL_RSA_OLDFIPS_WITH_DES_CBC_SHA", None, K::Rsa, A::Rsa, C::Des, 56, M::Sha1, V::Ssl3).unregistered(),
];

/// Every known TLS cipher suite (and the two SCSVs), sorted by code point.
pub fn all() -> &'static [CipherSuite] {
    SUITES
}

/// The suite with this code point, or `None` for a value this table does not know (report it
/// with [`iana_hex`]).
pub fn lookup(code: u16) -> Option<&'static CipherSuite> {
    SUITES
        .binary_search_by_key(&code, |s| s.code)
        .ok()
        .and_then(|i| SUITES.get(i))
}

/// The suite with this IANA name, ignoring ASCII case.
///
/// Also accepts the `SSL_` spelling Java and old Windows use for the SSLv3-era suites
/// (`SSL_RSA_WITH_RC4_128_MD5`), so names copied from a client's logs resolve too.
pub fn by_iana_name(name: &str) -> Option<&'static CipherSuite> {
    let name = name.trim();
    let exact = SUITES
        .iter()
        .find(|s| s.iana_name.eq_ignore_ascii_case(name));
    exact.or_else(|| {
        let rest = strip_prefix_ignore_case(name, "SSL_")?;
        SUITES.iter().find(|s| {
            strip_prefix_ignore_case(s.iana_name, "TLS_")
                .is_some_and(|own| own.eq_ignore_ascii_case(rest))
        })
    })
}

/// The suite with this OpenSSL name, ignoring ASCII case.
///
/// OpenSSL 1.1 renamed `EDH-` to `DHE-`; both spellings resolve (`EDH-RSA-DES-CBC3-SHA` and
/// `DHE-RSA-DES-CBC3-SHA` are both `0x0016`), since logs and configs carry either.
pub fn by_openssl_name(name: &str) -> Option<&'static CipherSuite> {
    let name = name.trim();
    let find = |wanted: &str| {
        SUITES.iter().find(|s| {
            s.openssl_name
                .is_some_and(|own| own.eq_ignore_ascii_case(wanted))
        })
    };
    find(name).or_else(|| {
        const ALIASES: [(&str, &str); 4] = [
            ("EDH-", "DHE-"),
            ("DHE-", "EDH-"),
            ("EXP-EDH-", "EXP-DHE-"),
            ("EXP-DHE-", "EXP-EDH-"),
        ];
        ALIASES.iter().find_map(|(from, to)| {
            let rest = strip_prefix_ignore_case(name, from)?;
            find(&format!("{to}{rest}"))
        })
    })
}

/// A code point as IANA writes it in prose: exactly `0x` plus four upper-case hex digits
/// (`0xC02F`), whether or not the suite is known.
pub fn iana_hex(code: u16) -> String {
    format!("0x{code:04X}")
}

/// GREASE values (RFC 8701: `0x0A0A`, `0x1A1A`, ... `0xFAFA`) are reserved so that clients can
/// send them to keep servers tolerant of unknown values; a server that *selects* one is broken.
pub const fn is_grease(code: u16) -> bool {
    let [high, low] = code.to_be_bytes();
    high == low && low & 0x0F == 0x0A
}

/// What a scanner offers in a hello of `version`: every non-signalling suite usable at that
/// version, in code-point order (the scanner chooses order and chunking; some servers reject
/// hellos with too many suites).
///
/// TLS 1.3 gets only TLS 1.3 suites; TLS 1.2 and below never get them; SSLv2 gets nothing (it
/// offers [`ssl2_kinds`] instead). Unregistered code points are included: a server that picks
/// one is exactly what a scan should find. The SCSVs are the scanner's own decision.
pub fn offerable_for(version: TlsVersion) -> Vec<u16> {
    SUITES
        .iter()
        .filter(|s| s.usable_at(version))
        .map(|s| s.code)
        .collect()
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn code_points_are_sorted_unique_and_lookup_finds_each() {
        for pair in SUITES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} then {}",
                pair[0].hex(),
                pair[1].hex()
            );
        }
        for s in all() {
            assert_eq!(lookup(s.code), Some(s), "{}", s.hex());
            assert_eq!(by_iana_name(s.iana_name), Some(s), "{}", s.iana_name);
            if let Some(name) = s.openssl_name {
                assert_eq!(by_openssl_name(name), Some(s), "{name}");
            }
        }
    }

    #[test]
    fn unknown_code_points_are_none_and_print_as_hex() {
        for code in [0x001C, 0x0047, 0x00C8, 0x1308, 0xC0B6, 0xD004, 0xFFFF] {
            assert_eq!(lookup(code), None, "{}", iana_hex(code));
        }
        assert_eq!(iana_hex(0xC02F), "0xC02F");
        assert_eq!(iana_hex(0x0004), "0x0004");
        assert_eq!(iana_hex(0xcca8), "0xCCA8");
        assert_eq!(iana_hex(0), "0x0000");
        assert_eq!(
            lookup(0xC02F).map(CipherSuite::hex).as_deref(),
            Some("0xC02F")
        );
    }

    #[test]
    fn the_whole_registry_is_there() {
        assert!(all().len() >= 320, "only {} suites", all().len());
        let registered = all().iter().filter(|s| s.iana_registered).count();
        // Every single-code assignment in the IANA registry (tls-parameters-4, 2024).
        assert_eq!(registered, 352);
    }

    #[test]
    fn names_are_unique() {
        let mut iana = HashSet::new();
        let mut openssl = HashSet::new();
        for s in all() {
            assert!(
                iana.insert(s.iana_name.to_ascii_uppercase()),
                "{}",
                s.iana_name
            );
            if let Some(name) = s.openssl_name {
                assert!(openssl.insert(name.to_ascii_uppercase()), "{name}");
            }
        }
        let mut ssl2 = HashSet::new();
        for k in ssl2_kinds() {
            assert!(ssl2.insert(k.name), "{}", k.name);
        }
    }

    /// The rule [`CipherSuite::min_version`] documents, checked row by row.
    #[test]
    fn min_version_follows_mac_and_aead() {
        use TlsVersion::*;
        let psk = [K::Psk, K::DhePsk, K::EcdhePsk, K::RsaPsk];
        for s in all().iter().filter(|s| !s.signalling) {
            let is_13 = (0x1301..=0x13FF).contains(&s.code)
                || [0x00C6, 0x00C7, 0xC0B4, 0xC0B5].contains(&s.code)
                || (0xC103..=0xC106).contains(&s.code);
            let expected = if is_13 {
                Tls13
            } else if s.aead || matches!(s.mac, Mac::Omac) {
                Tls12
            } else if matches!(s.mac, Mac::Sha256 | Mac::Sha384) {
                if psk.contains(&s.kx) { Tls10 } else { Tls12 }
            } else if matches!(s.kx, K::Gost) || matches!(s.cipher, C::Gost28147) {
                Tls10
            } else {
                Ssl3
            };
            assert_eq!(s.min_version, expected, "{}", s.iana_name);
            assert_eq!(is_13, matches!(s.kx, K::Any), "{}", s.iana_name);
        }
    }

    #[test]
    fn derived_flags_agree_with_the_other_fields() {
        for s in all() {
            let name = s.iana_name;
            assert_eq!(s.aead, s.mac == Mac::Aead, "{name}");
            assert_eq!(s.aead, s.cipher.is_aead(), "{name}");
            assert_eq!(s.forward_secrecy, s.kx.is_ephemeral(), "{name}");
            assert_eq!(s.export, name.contains("_EXPORT"), "{name}");
            assert_eq!(s.signalling, name.ends_with("_SCSV"), "{name}");
            if s.export {
                assert!(s.bits <= 56, "{name}");
            }
            assert_eq!(s.bits == 0, s.cipher == C::Null, "{name}");
        }
    }

    /// A guard against hand edits: the MAC column must match the name's suffix.
    #[test]
    fn mac_matches_the_name_suffix() {
        for s in all() {
            let name = s.iana_name;
            let gost = name.contains("GOST") || name.contains("28147");
            if s.aead || s.signalling || gost || s.min_version == TlsVersion::Tls13 {
                continue;
            }
            let expected = if name.ends_with("_NULL_NULL") {
                Mac::Null
            } else if name.ends_with("_MD5") {
                Mac::Md5
            } else if name.ends_with("_SHA") {
                Mac::Sha1
            } else if name.ends_with("_SHA256") {
                Mac::Sha256
            } else if name.ends_with("_SHA384") {
                Mac::Sha384
            } else {
                panic!("unexpected suffix: {name}")
            };
            assert_eq!(s.mac, expected, "{name}");
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        code: u16,
        iana: &str,
        openssl: Option<&str>,
        kx: KeyExchange,
        auth: Authentication,
        cipher: BulkCipher,
        bits: u16,
        mac: Mac,
        (aead, fs, export): (bool, bool, bool),
        min: TlsVersion,
    ) {
        let s = lookup(code).unwrap_or_else(|| panic!("{} missing", iana_hex(code)));
        let expected = CipherSuite {
            code,
            iana_name: s.iana_name,
            openssl_name: s.openssl_name,
            kx,
            auth,
            cipher,
            bits,
            mac,
            aead,
            forward_secrecy: fs,
            export,
            min_version: min,
            signalling: false,
            iana_registered: s.iana_registered,
        };
        assert_eq!(s.iana_name, iana);
        assert_eq!(s.openssl_name, openssl, "{iana}");
        assert_eq!(*s, expected, "{iana}");
    }

    #[test]
    #[rustfmt::skip] // one suite per line reads as a table
    fn well_known_suites_have_exactly_the_expected_fields() {
        use TlsVersion::*;
        const PLAIN: (bool, bool, bool) = (false, false, false);
        const FS: (bool, bool, bool) = (false, true, false);
        const AEAD: (bool, bool, bool) = (true, false, false);
        const AEAD_FS: (bool, bool, bool) = (true, true, false);
        const EXPORT: (bool, bool, bool) = (false, false, true);

        check(0x0000, "TLS_NULL_WITH_NULL_NULL", None, K::Null, A::Null, C::Null, 0, M::Null, PLAIN, Ssl3);
        check(0x0001, "TLS_RSA_WITH_NULL_MD5", Some("NULL-MD5"), K::Rsa, A::Rsa, C::Null, 0, M::Md5, PLAIN, Ssl3);
        check(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", Some("EXP-RC4-MD5"), K::Rsa, A::Rsa, C::Rc4, 40, M::Md5, EXPORT, Ssl3);
        check(0x0004, "TLS_RSA_WITH_RC4_128_MD5", Some("RC4-MD5"), K::Rsa, A::Rsa, C::Rc4, 128, M::Md5, PLAIN, Ssl3);
        check(0x0005, "TLS_RSA_WITH_RC4_128_SHA", Some("RC4-SHA"), K::Rsa, A::Rsa, C::Rc4, 128, M::Sha1, PLAIN, Ssl3);
        check(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", Some("IDEA-CBC-SHA"), K::Rsa, A::Rsa, C::Idea, 128, M::Sha1, PLAIN, Ssl3);
        check(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", Some("DES-CBC-SHA"), K::Rsa, A::Rsa, C::Des, 56, M::Sha1, PLAIN, Ssl3);
        check(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", Some("DES-CBC3-SHA"), K::Rsa, A::Rsa, C::TripleDes, 168, M::Sha1, PLAIN, Ssl3);
        check(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-EDH-RSA-DES-CBC-SHA"), K::Dhe, A::Rsa, C::Des40, 40, M::Sha1, (false, true, true), Ssl3);
        check(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", Some("DHE-RSA-DES-CBC3-SHA"), K::Dhe, A::Rsa, C::TripleDes, 168, M::Sha1, FS, Ssl3);
        check(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", Some("ADH-RC4-MD5"), K::Dhe, A::Anon, C::Rc4, 128, M::Md5, FS, Ssl3);
        check(0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", Some("KRB5-DES-CBC3-SHA"), K::Krb5, A::Krb5, C::TripleDes, 168, M::Sha1, PLAIN, Ssl3);
        check(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", Some("AES128-SHA"), K::Rsa, A::Rsa, C::Aes128, 128, M::Sha1, PLAIN, Ssl3);
        check(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", Some("DH-RSA-AES128-SHA"), K::Dh, A::Dh, C::Aes128, 128, M::Sha1, PLAIN, Ssl3);
        check(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", Some("AES256-SHA"), K::Rsa, A::Rsa, C::Aes256, 256, M::Sha1, PLAIN, Ssl3);
        check(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", Some("AES128-SHA256"), K::Rsa, A::Rsa, C::Aes128, 128, M::Sha256, PLAIN, Tls12);
        check(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", Some("AES256-SHA256"), K::Rsa, A::Rsa, C::Aes256, 256, M::Sha256, PLAIN, Tls12);
        check(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", Some("CAMELLIA128-SHA"), K::Rsa, A::Rsa, C::Camellia128, 128, M::Sha1, PLAIN, Ssl3);
        check(0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", Some("EXP1024-RC4-SHA"), K::Rsa, A::Rsa, C::Rc4, 56, M::Sha1, EXPORT, Ssl3);
        check(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", Some("SEED-SHA"), K::Rsa, A::Rsa, C::Seed, 128, M::Sha1, PLAIN, Ssl3);
        check(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", Some("AES128-GCM-SHA256"), K::Rsa, A::Rsa, C::Aes128Gcm, 128, M::Aead, AEAD, Tls12);
        check(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", Some("AES256-GCM-SHA384"), K::Rsa, A::Rsa, C::Aes256Gcm, 256, M::Aead, AEAD, Tls12);
        check(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", Some("DHE-RSA-AES128-GCM-SHA256"), K::Dhe, A::Rsa, C::Aes128Gcm, 128, M::Aead, AEAD_FS, Tls12);
        check(0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", Some("PSK-AES128-CBC-SHA256"), K::Psk, A::Psk, C::Aes128, 128, M::Sha256, PLAIN, Tls10);
        check(0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", Some("ECDH-RSA-AES128-SHA"), K::Ecdh, A::Ecdh, C::Aes128, 128, M::Sha1, PLAIN, Ssl3);
        check(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", Some("ECDHE-RSA-RC4-SHA"), K::Ecdhe, A::Rsa, C::Rc4, 128, M::Sha1, FS, Ssl3);
        check(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", Some("ECDHE-RSA-AES128-SHA"), K::Ecdhe, A::Rsa, C::Aes128, 128, M::Sha1, FS, Ssl3);
        check(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", Some("ECDHE-RSA-AES256-SHA"), K::Ecdhe, A::Rsa, C::Aes256, 256, M::Sha1, FS, Ssl3);
        check(0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", Some("SRP-RSA-AES-128-CBC-SHA"), K::Srp, A::Rsa, C::Aes128, 128, M::Sha1, FS, Ssl3);
        check(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Some("ECDHE-RSA-AES128-SHA256"), K::Ecdhe, A::Rsa, C::Aes128, 128, M::Sha256, FS, Tls12);
        check(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Some("ECDHE-RSA-AES256-SHA384"), K::Ecdhe, A::Rsa, C::Aes256, 256, M::Sha384, FS, Tls12);
        check(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Some("ECDHE-ECDSA-AES128-GCM-SHA256"), K::Ecdhe, A::Ecdsa, C::Aes128Gcm, 128, M::Aead, AEAD_FS, Tls12);
        check(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Some("ECDHE-RSA-AES128-GCM-SHA256"), K::Ecdhe, A::Rsa, C::Aes128Gcm, 128, M::Aead, AEAD_FS, Tls12);
        check(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Some("ECDHE-RSA-AES256-GCM-SHA384"), K::Ecdhe, A::Rsa, C::Aes256Gcm, 256, M::Aead, AEAD_FS, Tls12);
        check(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", Some("ECDHE-ARIA128-GCM-SHA256"), K::Ecdhe, A::Rsa, C::Aria128Gcm, 128, M::Aead, AEAD_FS, Tls12);
        check(0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", None, K::Rsa, A::Rsa, C::Camellia128Gcm, 128, M::Aead, AEAD, Tls12);
        check(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", Some("AES128-CCM8"), K::Rsa, A::Rsa, C::Aes128Ccm8, 128, M::Aead, AEAD, Tls12);
        check(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", Some("ECDHE-ECDSA-AES128-CCM"), K::Ecdhe, A::Ecdsa, C::Aes128Ccm, 128, M::Aead, AEAD_FS, Tls12);
        check(0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", Some("GOST2012-KUZNYECHIK-KUZNYECHIKOMAC"), K::Gost, A::Gost, C::KuznyechikCtr, 256, M::Omac, PLAIN, Tls12);
        check(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Some("ECDHE-RSA-CHACHA20-POLY1305"), K::Ecdhe, A::Rsa, C::ChaCha20Poly1305, 256, M::Aead, AEAD_FS, Tls12);
        check(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", Some("ECDHE-ECDSA-CHACHA20-POLY1305"), K::Ecdhe, A::Ecdsa, C::ChaCha20Poly1305, 256, M::Aead, AEAD_FS, Tls12);
        check(0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", None, K::EcdhePsk, A::Psk, C::Aes128Gcm, 128, M::Aead, AEAD_FS, Tls12);
        check(0x1301, "TLS_AES_128_GCM_SHA256", Some("TLS_AES_128_GCM_SHA256"), K::Any, A::Any, C::Aes128Gcm, 128, M::Aead, AEAD_FS, Tls13);
        check(0x1302, "TLS_AES_256_GCM_SHA384", Some("TLS_AES_256_GCM_SHA384"), K::Any, A::Any, C::Aes256Gcm, 256, M::Aead, AEAD_FS, Tls13);
        check(0x1303, "TLS_CHACHA20_POLY1305_SHA256", Some("TLS_CHACHA20_POLY1305_SHA256"), K::Any, A::Any, C::ChaCha20Poly1305, 256, M::Aead, AEAD_FS, Tls13);
        check(0x1305, "TLS_AES_128_CCM_8_SHA256", Some("TLS_AES_128_CCM_8_SHA256"), K::Any, A::Any, C::Aes128Ccm8, 128, M::Aead, AEAD_FS, Tls13);
        check(0xC0B4, "TLS_SHA256_SHA256", Some("TLS_SHA256_SHA256"), K::Any, A::Any, C::Null, 0, M::Sha256, FS, Tls13);
    }

    #[test]
    fn registration_flag_marks_the_deployed_but_unregistered() {
        let unregistered: Vec<u16> = all()
            .iter()
            .filter(|s| !s.iana_registered)
            .map(|s| s.code)
            .collect();
        let expected = [
            0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0080, 0x0081, 0x0082, 0x0083,
            0x16B7, 0x16B8, 0x16B9, 0x16BA, 0xCC13, 0xCC14, 0xCC15, 0xFEFE, 0xFEFF, 0xFF00, 0xFF01,
            0xFFE0, 0xFFE1,
        ];
        assert_eq!(unregistered, expected);
    }

    #[test]
    fn signalling_values_are_marked_and_never_offered() {
        for code in [SCSV_EMPTY_RENEGOTIATION_INFO, SCSV_FALLBACK] {
            let s = lookup(code).unwrap_or_else(|| panic!("{} missing", iana_hex(code)));
            assert!(s.signalling && s.iana_registered && s.openssl_name.is_none());
            for v in TlsVersion::ALL {
                assert!(!offerable_for(v).contains(&code), "{} at {v}", s.iana_name);
            }
        }
        assert_eq!(all().iter().filter(|s| s.signalling).count(), 2);
        assert_eq!(
            lookup(0x5600).map(|s| s.iana_name),
            Some("TLS_FALLBACK_SCSV")
        );
        assert_eq!(
            lookup(0x00FF).map(|s| s.iana_name),
            Some("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
        );
    }

    #[test]
    fn offers_fit_the_version() {
        use TlsVersion::*;
        let tls13 = offerable_for(Tls13);
        assert!(
            tls13
                .iter()
                .all(|&c| lookup(c).is_some_and(|s| s.min_version == Tls13))
        );
        for code in [0x1301, 0x1302, 0x1303, 0x1304, 0x1305] {
            assert!(tls13.contains(&code), "{}", iana_hex(code));
        }
        assert!(!tls13.contains(&0xC02F));

        let tls12 = offerable_for(Tls12);
        assert!(tls12.iter().all(|&c| !(0x1300..=0x13FF).contains(&c)));
        for code in [0x0005, 0x000A, 0x002F, 0x009C, 0xC02F, 0xCCA8, 0x00AE] {
            assert!(tls12.contains(&code), "{}", iana_hex(code));
        }
        // Every non-signalling, non-TLS-1.3 suite is usable at TLS 1.2.
        let non_13 = all()
            .iter()
            .filter(|s| !s.signalling && s.min_version != Tls13)
            .count();
        assert_eq!(tls12.len(), non_13);

        let tls10 = offerable_for(Tls10);
        assert!(tls10.contains(&0x00AE), "PSK-AES128-CBC-SHA256 is TLS 1.0+");
        assert!(!tls10.contains(&0x003C) && !tls10.contains(&0xC02F));
        assert_eq!(offerable_for(Tls11), tls10);

        let ssl3 = offerable_for(Ssl3);
        assert!(ssl3.contains(&0x000A) && ssl3.contains(&0x0003) && ssl3.contains(&0xC013));
        assert!(!ssl3.contains(&0x00AE) && !ssl3.contains(&0x0080) && !ssl3.contains(&0x003C));

        assert!(offerable_for(Ssl2).is_empty());
        for offer in [&tls13, &tls12, &tls10, &ssl3] {
            assert!(offer.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn names_resolve_in_the_spellings_clients_log() {
        let code = |s: Option<&CipherSuite>| s.map(|s| s.code);
        assert_eq!(
            code(by_iana_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")),
            Some(0xC02F)
        );
        assert_eq!(
            code(by_iana_name(" tls_ecdhe_rsa_with_aes_128_gcm_sha256 ")),
            Some(0xC02F)
        );
        assert_eq!(code(by_iana_name("SSL_RSA_WITH_RC4_128_MD5")), Some(0x0004));
        assert_eq!(
            code(by_iana_name("SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA")),
            Some(0xFEFF)
        );
        assert_eq!(code(by_iana_name("TLS_AES_128_GCM_SHA256")), Some(0x1301));
        assert_eq!(
            code(by_openssl_name("ECDHE-RSA-AES128-GCM-SHA256")),
            Some(0xC02F)
        );
        assert_eq!(
            code(by_openssl_name("ecdhe-rsa-aes128-gcm-sha256")),
            Some(0xC02F)
        );
        assert_eq!(code(by_openssl_name("EDH-RSA-DES-CBC3-SHA")), Some(0x0016));
        assert_eq!(code(by_openssl_name("DHE-RSA-DES-CBC-SHA")), Some(0x0015));
        assert_eq!(
            code(by_openssl_name("EXP-DHE-RSA-DES-CBC-SHA")),
            Some(0x0014)
        );
        assert_eq!(
            code(by_openssl_name("TLS_CHACHA20_POLY1305_SHA256")),
            Some(0x1303)
        );
        for junk in [
            "",
            "SSL_",
            "EDH-",
            "TLS_",
            "Ä",
            "SSLÄ_X",
            "EXP-ÉDH",
            "ECDHE-RSA-AES128-GCM",
        ] {
            assert_eq!(by_iana_name(junk), None, "{junk}");
            assert_eq!(by_openssl_name(junk), None, "{junk}");
        }
    }

    #[test]
    fn grease_is_recognised() {
        for high in 0..16u16 {
            let g = (high << 12) | 0x0A00 | (high << 4) | 0x0A;
            assert!(is_grease(g), "{}", iana_hex(g));
            assert_eq!(lookup(g), None);
        }
        for code in [0x0A0B, 0x1A2A, 0xC02F, 0x0000, 0x00FF] {
            assert!(!is_grease(code), "{}", iana_hex(code));
        }
    }

    #[test]
    fn labels_are_unique_and_display_as_labels() {
        fn unique<T: fmt::Display>(items: &[T], label: impl Fn(&T) -> &'static str) {
            let mut seen = HashSet::new();
            for item in items {
                let text = label(item);
                assert!(!text.is_empty() && seen.insert(text), "{text}");
                assert_eq!(item.to_string(), text);
            }
        }
        unique(KeyExchange::ALL, KeyExchange::as_str);
        unique(Authentication::ALL, Authentication::as_str);
        unique(BulkCipher::ALL, BulkCipher::as_str);
        unique(Mac::ALL, Mac::as_str);
        unique(&TlsVersion::ALL, |v| v.as_str());
        // Every variant in use appears in its ALL list.
        for s in all() {
            assert!(KeyExchange::ALL.contains(&s.kx));
            assert!(Authentication::ALL.contains(&s.auth));
            assert!(BulkCipher::ALL.contains(&s.cipher));
            assert!(Mac::ALL.contains(&s.mac));
        }
        assert_eq!(KeyExchange::Ecdhe.to_string(), "ECDHE");
        assert_eq!(BulkCipher::Aes128Gcm.to_string(), "AES_128_GCM");
        assert_eq!(Mac::Sha256.to_string(), "SHA256");
        assert_eq!(BulkCipher::TripleDes.as_str(), "3DES_EDE_CBC");
        assert_eq!(
            lookup(0xC02F).map(ToString::to_string).as_deref(),
            Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        );
    }

    #[test]
    fn protocol_versions_round_trip_the_wire() {
        for v in TlsVersion::ALL {
            assert_eq!(TlsVersion::from_wire(v.wire()), Some(v));
        }
        assert_eq!(TlsVersion::from_wire(0x7F1C), None);
        assert!(TlsVersion::Ssl3 < TlsVersion::Tls10);
        assert!(TlsVersion::Tls12 < TlsVersion::Tls13);
    }

    #[test]
    fn ssl2_kinds_are_sorted_and_named() {
        for pair in ssl2_kinds().windows(2) {
            assert!(pair[0].code < pair[1].code);
        }
        for k in ssl2_kinds() {
            assert!(k.code <= 0x00FF_FFFF);
            assert_eq!(ssl2_lookup(k.code), Some(k));
            assert!(k.name.starts_with("SSL_CK_"));
            assert_eq!(k.export, k.name.contains("EXPORT40"), "{}", k.name);
        }
        let get = |code| ssl2_lookup(code).map(|k| (k.name, k.openssl_name, k.bits, k.export));
        assert_eq!(
            get(0x010080),
            Some(("SSL_CK_RC4_128_WITH_MD5", Some("RC4-MD5"), 128, false))
        );
        assert_eq!(
            get(0x020080),
            Some((
                "SSL_CK_RC4_128_EXPORT40_WITH_MD5",
                Some("EXP-RC4-MD5"),
                40,
                true
            ))
        );
        assert_eq!(
            get(0x040080),
            Some((
                "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5",
                Some("EXP-RC2-CBC-MD5"),
                40,
                true
            ))
        );
        assert_eq!(
            get(0x060040),
            Some(("SSL_CK_DES_64_CBC_WITH_MD5", Some("DES-CBC-MD5"), 56, false))
        );
        assert_eq!(
            get(0x0700C0),
            Some((
                "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
                Some("DES-CBC3-MD5"),
                168,
                false
            ))
        );
        assert_eq!(
            get(0x080080),
            Some(("SSL_CK_RC4_64_WITH_MD5", Some("RC4-64-MD5"), 64, false))
        );
        assert_eq!(ssl2_lookup(0x090080), None);
        assert_eq!(ssl2_hex(0x0700C0), "0x0700C0");
        assert_eq!(ssl2_hex(0x10080), "0x010080");
        assert_eq!(ssl2_hex(0xFF00_0000), "0x000000");
        assert_eq!(
            ssl2_lookup(0x0700C0).map(Ssl2CipherKind::hex).as_deref(),
            Some("0x0700C0")
        );
    }
}
