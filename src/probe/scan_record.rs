//! The pipeline's side of the wire scan: what the scanner returned
//! ([`ScanResult`]) written into the probe's [`Observations`].

use crate::observations::{Observations, steps};
use crate::tls::group_label;
use crate::tls::scan::ScanResult;

/// Puts the scan's facts into the probe's observations. The scanner's
/// chain fills `chain_der` only when the real handshake brought none
/// (a TLS 1.0-only server); it is always kept in `scan_chain_der`.
pub fn record_scan(obs: &mut Observations, scan: ScanResult) {
    obs.tls.versions = scan.versions;
    obs.tls.server_preference = scan.server_preference;
    obs.tls.groups = scan.groups.iter().map(|g| group_label(*g)).collect();
    obs.tls.dh_bits = scan.dh_bits;
    if obs.chain_der.is_empty() {
        obs.chain_der = scan.chain_der.clone();
    }
    obs.scan_chain_der = scan.chain_der;
    obs.version_answers = scan.answers;
    obs.scan_connections = scan.connections;
    obs.errors.extend(scan.errors);
    obs.client_trials = scan.client_trials;
    match scan.started {
        Some(started) => obs.timing_from(steps::TLS_SCAN, started, scan.ms),
        None => obs.timing(steps::TLS_SCAN, scan.ms),
    }
}
