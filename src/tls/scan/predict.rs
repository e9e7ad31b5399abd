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
    let Some(at) = chosen_version(&accepted, versions) else {
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
                "{v} is the version the server answers this offer with, and none of the {} suites the server accepts there is offered (scan)",
                server.len()
            ),
        });
    }
    let (suite, how) = match (common.len(), at.server_preference) {
        (1, _) => (common[0], "the only suite both have"),
        (_, Some(true)) => (common[0], "the first in the server's own order"),
        (_, Some(false)) => (
            suites_offered
                .iter()
                .copied()
                .find(|c| common.contains(c))?,
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

/// The version the server answers the offer with. A hello offering TLS
/// 1.3 lists the client's versions (supported_versions) and a server that
/// speaks TLS 1.3 picks the highest it shares from that list; a hello
/// without TLS 1.3 carries only its highest version, and the server answers
/// with its own highest at or below it (RFC 5246 Appendix E.1), whether the
/// client would go on with it or not. A server without TLS 1.3 that reads
/// the list (OpenSSL 1.1.1 and later do) answers from it; one that predates
/// the list answers by the hello's version instead, and the observed trials
/// (one per library family, most of them offering TLS 1.3) then contradict
/// the prediction, so every offer is sent.
fn chosen_version<'a>(
    accepted: &[&'a super::VersionSupport],
    versions: &[TlsVersion],
) -> Option<&'a super::VersionSupport> {
    let max = versions.iter().copied().max()?;
    let by_list = accepted
        .iter()
        .filter(|s| versions.contains(&s.version))
        .max_by_key(|s| s.version)
        .copied();
    let by_legacy = accepted
        .iter()
        .filter(|s| s.version <= max.min(TlsVersion::Tls12))
        .max_by_key(|s| s.version)
        .copied();
    let server13 = accepted.iter().any(|s| s.version == TlsVersion::Tls13);
    match (max == TlsVersion::Tls13, server13) {
        (true, true) => by_list,
        (false, _) => by_legacy,
        (true, false) => by_list,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::scan::VersionSupport;

    fn version(v: TlsVersion, codes: &[u16], pref: Option<bool>) -> VersionSupport {
        VersionSupport {
            version: v,
            offered: Some(!codes.is_empty()),
            suites: codes.iter().map(|c| crate::tls::suite_info(*c)).collect(),
            server_preference: pref,
        }
    }

    /// A TLS 1.0-only server, four suites, following the client's order.
    fn tls10_server() -> ScanResult {
        ScanResult {
            versions: TlsVersion::ALL
                .into_iter()
                .map(|v| match v {
                    TlsVersion::Tls10 => version(v, &[0x002F, 0x0035, 0xC013, 0xC014], Some(false)),
                    _ => version(v, &[], None),
                })
                .collect(),
            groups: vec![0x001D, 0x0017],
            ..ScanResult::default()
        }
    }

    #[test]
    fn a_tls12_hello_to_a_tls10_server_is_answered_with_tls10_and_the_clients_first_suite() {
        let scan = tls10_server();
        let p = predict(&scan, &[TlsVersion::Tls12], &[0xC014, 0x002F], &[0x0017]).unwrap();
        assert_eq!(
            p.outcome,
            TrialOutcome::Negotiated {
                version: TlsVersion::Tls10,
                suite: 0xC014
            }
        );
        // No shared group for the ECDHE pick: no prediction.
        assert!(predict(&scan, &[TlsVersion::Tls12], &[0xC014], &[0x0018]).is_none());
        // A TLS 1.3 offer lists its versions: a server reading the list refuses.
        let p = predict(
            &scan,
            &[TlsVersion::Tls12, TlsVersion::Tls13],
            &[0x1301, 0xC014],
            &[0x001D],
        )
        .unwrap();
        assert_eq!(p.outcome, TrialOutcome::Refused { alert: None });
    }

    #[test]
    fn a_server_with_its_own_order_picks_its_first_and_no_order_means_no_prediction() {
        let mut scan = tls10_server();
        scan.versions[2] = version(TlsVersion::Tls10, &[0x0035, 0x002F], Some(true));
        let p = predict(&scan, &[TlsVersion::Tls10], &[0x002F, 0x0035], &[]).unwrap();
        assert_eq!(
            p.outcome,
            TrialOutcome::Negotiated {
                version: TlsVersion::Tls10,
                suite: 0x0035
            }
        );
        scan.versions[2].server_preference = None;
        assert!(predict(&scan, &[TlsVersion::Tls10], &[0x002F, 0x0035], &[]).is_none());
        assert!(agrees(
            &TrialOutcome::Refused {
                alert: Some("handshake_failure".into())
            },
            &TrialOutcome::Refused { alert: None }
        ));
        assert!(!agrees(&p.outcome, &TrialOutcome::Refused { alert: None }));
    }
}
