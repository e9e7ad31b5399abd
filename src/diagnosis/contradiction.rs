//! Verdicts that would contradict their own evidence. The wire scan reads a
//! server's ServerHello (and, up to TLS 1.2, its certificates) and hangs up;
//! a server can answer that well and still break later: flood certificates,
//! cut the connection after ServerHello, never send Finished. When the real
//! modern handshake failed although the scan found a TLS 1.2/1.3 suite such a
//! client offers, the failure is something the scan cannot see, so no client
//! is reported as certain to connect, and the summary says what broke.

use crate::observations::steps;
use crate::vocab::TlsVersion;

use super::client_verdict::{Basis, ClientVerdict};
use super::server::ServerView;

/// Suites the modern handshake (rustls) offers: ECDHE AEAD at TLS 1.2, all TLS 1.3 suites.
const MODERN_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02C, 0xC02F, 0xC030, 0xCCA8, 0xCCA9,
];

/// The modern handshake's error, when the scan says that handshake should have
/// worked: the server breaks somewhere the scan does not look.
pub fn handshake_broke(view: &ServerView) -> Option<String> {
    let e = view.obs.error_of(steps::TLS_HANDSHAKE)?;
    let expected_to_work = [TlsVersion::Tls12, TlsVersion::Tls13].iter().any(|v| {
        view.suites_at(*v)
            .is_some_and(|s| s.iter().any(|c| MODERN_SUITES.contains(c)))
    });
    expected_to_work.then(|| e.message.clone())
}

/// Every client that would connect is at risk instead, naming what broke.
pub fn apply(view: &ServerView, verdicts: &mut [ClientVerdict]) {
    let Some(what) = handshake_broke(view) else {
        return;
    };
    for v in verdicts.iter_mut().filter(|v| v.connects) {
        v.basis = Basis::Incomplete;
        v.risks.insert(0, risk_text(&what));
        if let Some(r) = v.reason.as_mut() {
            *r = format!("{r}; but {}", risk_text(&what));
        }
    }
}

pub fn risk_text(what: &str) -> String {
    format!(
        "a real TLS handshake failed ({what}) although the scan found a version and suite a modern client accepts: the server breaks after its ServerHello, so no client is certain to connect"
    )
}
