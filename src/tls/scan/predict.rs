//! What a client's offer would get from this server, read off the scan
//! instead of sent: the highest version both speak, then the suite the
//! server picks there (its own order when the scan found one, else the
//! client's), and a group both name where the pick needs one.
//!
//! A fact about the server, not a verdict: the pipeline sends the offers
//! that decide and one per TLS library family, predicts the rest with this,
//! and sends every offer when an observed one contradicts its prediction.
//! Where the scan does not settle the answer (an error in the scan, no
//! known order with two candidates, no group known) there is no prediction
//! and the offer is sent.

use super::{ScanResult, TrialOutcome};
use crate::tls::suites::{self, KeyExchange};
use crate::vocab::TlsVersion;

/// A prediction and what it rests on (for the Report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    pub outcome: TrialOutcome,
    pub rests_on: String,
}

/// The server's answer to an offer of `versions` and `suites` (client
/// order) with `groups`, as the scan predicts it; `None` when it cannot.
pub fn predict(
    scan: &ScanResult,
    versions: &[TlsVersion],
    suites_offered: &[u16],
    groups: &[u16],
) -> Option<Prediction> {
    if !scan.errors.is_empty() {
        return None;
    }
    let accepted: Vec<&super::VersionSupport> = scan
        .versions
        .iter()
        .filter(|v| v.offered == Some(true) && v.version != TlsVersion::Ssl2)
        .collect();
    // Every version the client offers must be settled one way or the other.
    if versions.iter().any(|v| {
        scan.version(*v)
            .is_none_or(|s| s.offered.is_none() && *v != TlsVersion::Ssl2)
    }) {
        return None;
    }
    let Some(at) = accepted
        .iter()
        .filter(|s| versions.contains(&s.version))
        .max_by_key(|s| s.version)
    else {
        return Some(Prediction {
            outcome: TrialOutcome::Refused { alert: None },
            rests_on: "no version the client offers is accepted by the server (scan)".into(),
        });
    };
    let v = at.version;
    let server: Vec<u16> = at.suites.iter().filter_map(|s| code(&s.iana)).collect();
    let common: Vec<u16> = server
        .iter()
        .copied()
        .filter(|c| suites_offered.contains(c))
        .collect();
    if common.is_empty() {
        return Some(Prediction {
            outcome: TrialOutcome::Refused { alert: None },
            rests_on: format!(
                "{v} is the highest version both speak, and none of the {} suites the server accepts there is offered (scan)",
                server.len()
            ),
        });
    }
    let (suite, how) = match (common.len(), at.server_preference) {
        (1, _) => (common[0], "the only suite both have"),
        (_, Some(true)) => (common[0], "the first in the server's own order"),
        (_, Some(false)) => (
            suites_offered.iter().copied().find(|c| common.contains(c))?,
            "the client's first (the server follows the client's order)",
        ),
        (_, None) => return None,
    };
    let needs_group = v == TlsVersion::Tls13
        || suites::lookup(suite)
            .is_some_and(|s| matches!(s.kx, KeyExchange::Ecdhe | KeyExchange::EcdhePsk));
    if needs_group && !scan.groups.iter().any(|g| groups.contains(g)) {
        return None;
    }
    Some(Prediction {
        outcome: TrialOutcome::Negotiated { version: v, suite },
        rests_on: format!(
            "{v} is the highest version both speak; {} is {how} among the {} accepted suites the client offers{} (scan)",
            crate::tls::suite_info(suite).name,
            common.len(),
            if needs_group {
                "; a group both name was found"
            } else {
                ""
            }
        ),
    })
}

/// Whether an observed trial agrees with its prediction: the same version
/// and suite, or both refused. A trial that did not complete says nothing.
pub fn agrees(observed: &TrialOutcome, predicted: &TrialOutcome) -> bool {
    match (observed, predicted) {
        (TrialOutcome::Failed { .. }, _) => true,
        (TrialOutcome::Refused { .. }, TrialOutcome::Refused { .. }) => true,
        (a, b) => a == b,
    }
}

fn code(iana: &str) -> Option<u16> {
    u16::from_str_radix(iana.strip_prefix("0x")?, 16).ok()
}
