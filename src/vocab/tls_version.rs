//! The one TLS version type (part of the vocabulary every layer shares): its
//! wire number and its name are written here
//! and nowhere else.
//!
//! The report, the suite registry and the hand-built hellos all speak of
//! versions; before issue 17 each kept its own spelling (`report::TlsVersion`,
//! `suites::ProtocolVersion`, `u16` constants) with the mapping copied. Now
//! `report::TlsVersion` and `suites::ProtocolVersion` are this type, and the
//! constants in `hello::version` are derived from [`TlsVersion::wire`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// Spelt as OpenSSL and testssl.sh print them; ordered oldest to newest: `Ord`
// follows history, so `min_version <= version` answers "may this suite be
// offered in a hello of that version". (The doc comment below is the
// OpenAPI description; it stays as the contract has it.)
/// Protocol versions, spelt exactly as scripts will match them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
pub enum TlsVersion {
    // SSL 2.0 uses its own cipher kinds, never the 2-byte suites.
    #[serde(rename = "SSLv2")]
    Ssl2,
    #[serde(rename = "SSLv3")]
    Ssl3,
    #[serde(rename = "TLSv1.0")]
    Tls10,
    #[serde(rename = "TLSv1.1")]
    Tls11,
    #[serde(rename = "TLSv1.2")]
    Tls12,
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// Every version, oldest first.
    pub const ALL: [TlsVersion; 6] = [
        TlsVersion::Ssl2,
        TlsVersion::Ssl3,
        TlsVersion::Tls10,
        TlsVersion::Tls11,
        TlsVersion::Tls12,
        TlsVersion::Tls13,
    ];

    /// The name in the report: exactly "SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1",
    /// "TLSv1.2" or "TLSv1.3" (the serde names above say the same).
    pub const fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Ssl2 => "SSLv2",
            TlsVersion::Ssl3 => "SSLv3",
            TlsVersion::Tls10 => "TLSv1.0",
            TlsVersion::Tls11 => "TLSv1.1",
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }

    /// The version as written on the wire (`ProtocolVersion` in RFC 8446
    /// §4.1.2; SSL 2.0 writes `0x0002` in its CLIENT-HELLO).
    pub const fn wire(self) -> u16 {
        match self {
            TlsVersion::Ssl2 => 0x0002,
            TlsVersion::Ssl3 => 0x0300,
            TlsVersion::Tls10 => 0x0301,
            TlsVersion::Tls11 => 0x0302,
            TlsVersion::Tls12 => 0x0303,
            TlsVersion::Tls13 => 0x0304,
        }
    }

    /// The version for a wire value; `None` for anything else (TLS 1.3
    /// drafts, DTLS, GREASE, garbage), which callers report by number.
    pub const fn from_wire(value: u16) -> Option<TlsVersion> {
        let mut i = 0;
        while i < TlsVersion::ALL.len() {
            if TlsVersion::ALL[i].wire() == value {
                return Some(TlsVersion::ALL[i]);
            }
            i += 1;
        }
        None
    }
}

impl std::fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::TlsVersion;

    #[test]
    fn wire_numbers_and_names_round_trip() {
        for v in TlsVersion::ALL {
            assert_eq!(TlsVersion::from_wire(v.wire()), Some(v));
            let json = serde_json::to_string(&v).expect("serialise");
            assert_eq!(json, format!("\"{}\"", v.as_str()));
        }
        assert_eq!(TlsVersion::from_wire(0x7f1c), None);
        assert!(
            TlsVersion::ALL
                .windows(2)
                .all(|w| w[0] < w[1] && w[0].wire() < w[1].wire())
        );
    }
}
