//! TLS: the wire scanner (hand-built hellos, any version and suite) and the
//! real handshake (rustls), both producing observations.

pub mod handshake;
pub mod suites;

use crate::report::Suite;

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

/// Name of a key-exchange group code point (`x25519`, `secp256r1`, ...).
pub fn group_label(code: u16) -> String {
    match code {
        0x0017 => "secp256r1".into(),
        0x0018 => "secp384r1".into(),
        0x0019 => "secp521r1".into(),
        0x001D => "x25519".into(),
        0x001E => "x448".into(),
        0x0100 => "ffdhe2048".into(),
        0x0101 => "ffdhe3072".into(),
        0x0102 => "ffdhe4096".into(),
        0x11EC => "X25519MLKEM768".into(),
        other => format!("0x{other:04X}"),
    }
}
