//! The SSL 2.0 cipher kinds (3-byte codes), a table apart from the TLS suites.

use std::fmt;

/// An SSL 2.0 cipher kind: a 3-byte code from CLIENT-HELLO / SERVER-HELLO cipher-specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ssl2CipherKind {
    /// The 3-byte code in the low 24 bits, e.g. `0x0700C0`.
    pub code: u32,
    /// The name from the SSL 2.0 specification, e.g. `SSL_CK_DES_192_EDE3_CBC_WITH_MD5`.
    pub name: &'static str,
    /// The OpenSSL (0.9.8) name, e.g. `DES-CBC3-MD5`. It may equal a TLS suite's OpenSSL name
    /// (`RC4-MD5`), which is why SSLv2 kinds have their own table.
    pub openssl_name: Option<&'static str>,
    /// Secret key bits, same convention as `CipherSuite::bits` (3DES 168, export 40).
    pub bits: u16,
    /// Export grade (40 secret key bits, 512-bit RSA).
    pub export: bool,
}

/// The SSLv2 cipher kinds, sorted by code. The first eight non-zero codes are the SSL 2.0
/// specification's; `0x000000`, `0x060140`, `0x0701C0` ("v3" in SSLeay's `ssl2.h`) and
/// `0xFF0800`, `0xFF0810` (SSLeay private) come from OpenSSL's `ssl2.h`, so that whatever an old
/// server lists can be named.
#[rustfmt::skip]
static SSL2_KINDS: &[Ssl2CipherKind] = &[
    ssl2(0x000000, "SSL_CK_NULL_WITH_MD5", Some("NULL-MD5"), 0, false),
    ssl2(0x010080, "SSL_CK_RC4_128_WITH_MD5", Some("RC4-MD5"), 128, false),
    ssl2(0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", Some("EXP-RC4-MD5"), 40, true),
    ssl2(0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", Some("RC2-CBC-MD5"), 128, false),
    ssl2(0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", Some("EXP-RC2-CBC-MD5"), 40, true),
    ssl2(0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", Some("IDEA-CBC-MD5"), 128, false),
    ssl2(0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", Some("DES-CBC-MD5"), 56, false),
    ssl2(0x060140, "SSL_CK_DES_64_CBC_WITH_SHA", Some("DES-CBC-SHA"), 56, false),
    ssl2(0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", Some("DES-CBC3-MD5"), 168, false),
    ssl2(0x0701C0, "SSL_CK_DES_192_EDE3_CBC_WITH_SHA", Some("DES-CBC3-SHA"), 168, false),
    ssl2(0x080080, "SSL_CK_RC4_64_WITH_MD5", Some("RC4-64-MD5"), 64, false),
    ssl2(0xFF0800, "SSL_CK_DES_64_CFB64_WITH_MD5_1", Some("DES-CFB-M1"), 56, false),
    ssl2(0xFF0810, "SSL_CK_NULL", Some("NULL"), 0, false),
];

const fn ssl2(
    code: u32,
    name: &'static str,
    openssl_name: Option<&'static str>,
    bits: u16,
    export: bool,
) -> Ssl2CipherKind {
    Ssl2CipherKind {
        code,
        name,
        openssl_name,
        bits,
        export,
    }
}

impl Ssl2CipherKind {
    /// The code as `0x0700C0` (six upper-case hex digits).
    pub fn hex(&self) -> String {
        ssl2_hex(self.code)
    }
}

impl fmt::Display for Ssl2CipherKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Every known SSLv2 cipher kind, sorted by code.
pub fn ssl2_kinds() -> &'static [Ssl2CipherKind] {
    SSL2_KINDS
}

/// The SSLv2 cipher kind with this 3-byte code (low 24 bits), or `None` (report it with
/// [`ssl2_hex`]).
pub fn ssl2_lookup(code: u32) -> Option<&'static Ssl2CipherKind> {
    SSL2_KINDS
        .binary_search_by_key(&code, |k| k.code)
        .ok()
        .and_then(|i| SSL2_KINDS.get(i))
}

/// A 3-byte SSLv2 code as `0x0700C0`; bits above the low 24 are ignored, as they cannot come
/// from the wire.
pub fn ssl2_hex(code: u32) -> String {
    format!("0x{:06X}", code & 0x00FF_FFFF)
}
