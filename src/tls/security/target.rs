//! The server the checks talk to, and what one check returns.

use super::{CheckStatus, Seen};
use crate::tls::scan::{Endpoint, VersionSupport};
use crate::vocab::{Protocol, TlsVersion, Transport};

/// What one check returns: its status, what it saw, connections opened.
pub type Outcome = (CheckStatus, Option<Seen>, u32);

/// The server the checks talk to, and what the scan learnt of it.
#[derive(Debug, Clone)]
pub struct CheckTarget {
    /// The scanner's endpoint: connector (cap, statistics), STARTTLS prelude.
    pub endpoint: Endpoint,
    pub protocol: Protocol,
    pub transport: Transport,
    pub sni: Option<String>,
    /// The wire scan's versions and suites.
    pub versions: Vec<VersionSupport>,
}

impl CheckTarget {
    /// Accepted versions from SSLv3 up, lowest first (SSLv2 has no place in
    /// these checks).
    pub fn accepted(&self) -> Vec<TlsVersion> {
        let mut v: Vec<TlsVersion> = self
            .versions
            .iter()
            .filter(|s| s.offered == Some(true) && s.version >= TlsVersion::Ssl3)
            .map(|s| s.version)
            .collect();
        v.sort();
        v
    }

    /// The highest accepted version with renegotiation, compression and a
    /// handshake in clear (TLS 1.2 and below).
    pub fn highest_legacy(&self) -> Option<TlsVersion> {
        self.accepted()
            .into_iter()
            .filter(|v| *v <= TlsVersion::Tls12)
            .max()
    }

    /// Suites the scan found accepted at `v`; the scanner's full offer when
    /// it found none (so the server still has something to pick).
    pub fn suites_at(&self, v: TlsVersion) -> Vec<u16> {
        let found: Vec<u16> = self
            .versions
            .iter()
            .filter(|s| s.version == v)
            .flat_map(|s| s.suites.iter())
            .filter_map(|s| u16::from_str_radix(s.iana.trim_start_matches("0x"), 16).ok())
            .collect();
        if found.is_empty() {
            crate::tls::scan::offer_order(v)
                .into_iter()
                .take(crate::tls::hello::MAX_SUITES_PER_HELLO)
                .collect()
        } else {
            found
        }
    }
}
