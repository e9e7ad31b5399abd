//! TLS: the wire scanner (hand-built hellos, any version and suite) and the
//! real handshake (rustls), both returning what they saw for the pipeline to
//! record.

pub mod cert;
pub mod chain;
pub mod engine;
pub mod handshake;
pub mod hello;
pub mod legacy;
pub mod name;
pub mod ocsp;
pub mod reply;
pub mod scan;
pub mod security;
pub mod suites;
pub mod trust;

use suites::Suite;

/// Report entry for a cipher suite code point, from the registry. Unknown
/// code points are reported, not dropped: `UNKNOWN_0xABCD` with no details.
pub fn suite_info(code: u16) -> Suite {
    match suites::lookup(code) {
        Some(s) => Suite {
            iana: suites::iana_hex(code),
            name: s.iana_name.to_string(),
            openssl_name: s.openssl_name.map(str::to_string),
            kx: Some(s.kx.as_str().to_string()),
            auth: Some(s.auth.as_str().to_string()),
            cipher: Some(s.cipher.as_str().to_string()),
            mac: Some(s.mac.as_str().to_string()),
            bits: Some(s.bits),
            aead: Some(s.aead),
            forward_secrecy: Some(s.forward_secrecy),
        },
        None => Suite::bare(code, format!("UNKNOWN_{}", suites::iana_hex(code))),
    }
}

/// Name of a key-exchange group code point (`x25519`, `secp256r1`, ...);
/// unknown groups as `0xABCD`.
pub fn group_label(code: u16) -> String {
    hello::group_name(code)
        .map(str::to_string)
        .unwrap_or_else(|| format!("0x{code:04X}"))
}
