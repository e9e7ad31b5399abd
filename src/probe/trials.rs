//! Client-profile trials: which clients' offers go on the wire and which are
//! predicted from the scan (issue 21, `MAILPROBE_CLIENT_TRIALS`).
//!
//! With `predict` (the default) the offers of the clients that decide the
//! verdict (the protocol's default set, or the request's `profiles`) and of
//! one client per TLS library family ([`tls_family`]) are sent, beside the
//! scan, since they do not depend on it. When the scan is over, every other
//! client's answer is predicted from it ([`predict`]); a client the scan
//! cannot predict is sent after all. If any observed trial disagrees with
//! what the scan predicts for it, the prediction is not trusted: every
//! remaining offer is sent, and the Report says why (`trials_note`).
//! Configuration guidelines are never sent (they are predicted always: no
//! client stands behind them). With `all` every offer is sent.

use tokio::sync::watch;

use crate::config::ClientTrials;
use crate::diagnosis::profiles::{self, ClientProfile, ProfileKind, tls_family};
use crate::net::Slot;
use crate::observations::{ClientTrial, Observations, PredictedTrial, steps};
use crate::tls::hello::ClientHelloSpec;
use crate::tls::scan::predict::{agrees, predict};
use crate::tls::scan::{self, Endpoint, ScanResult};
use crate::vocab::ErrorKind;
use crate::vocab::{Deadline, Protocol};

use super::request::ProbeSpec;

/// The trials' outcome for the observations.
#[derive(Debug, Default)]
pub struct Trials {
    pub observed: Vec<ClientTrial>,
    pub predicted: Vec<PredictedTrial>,
    pub note: Option<String>,
}

/// The profiles that apply to the probe, split into (sent at once, left to
/// predict).
pub fn plan(
    protocol: Protocol,
    named: Option<&[String]>,
    mode: ClientTrials,
) -> (Vec<&'static ClientProfile>, Vec<&'static ClientProfile>) {
    let applies: Vec<&'static ClientProfile> = profiles::all()
        .iter()
        .filter(|p| p.protocols.contains(&protocol))
        .collect();
    if mode == ClientTrials::All {
        return (applies, Vec::new());
    }
    let decides = |p: &ClientProfile| match named {
        Some(named) => named.iter().any(|n| n == p.id),
        None => p.is_default_for(protocol),
    };
    let mut send: Vec<&'static ClientProfile> = Vec::new();
    let mut families: Vec<&'static str> = Vec::new();
    for p in applies.iter().filter(|p| decides(p)) {
        send.push(p);
        families.extend(tls_family(p.id).map(|f| f.0));
    }
    let mut predict_later = Vec::new();
    for p in applies.iter().filter(|p| !decides(p)) {
        match tls_family(p.id) {
            Some((family, _))
                if p.kind != ProfileKind::Compliance && !families.contains(&family) =>
            {
                families.push(family);
                send.push(p);
            }
            _ => predict_later.push(*p),
        }
    }
    (send, predict_later)
}

/// A slot lent to the trials while its owner waits (the dialogue, for the
/// scan's first answers), and the owner's call for it back.
pub struct Lent {
    pub slot: Slot,
    pub recall: watch::Receiver<bool>,
}

/// Sends each profile's offer once (profiles with identical offers share
/// one connection) and records what the server picked. With `lent`, the
/// first offer goes on the lent slot; recalled before its answer, it is
/// sent again on a slot of its own.
pub async fn send(
    spec: &ProbeSpec,
    endpoint: &Endpoint,
    profiles: &[&'static ClientProfile],
    mut lent: Option<Lent>,
    deadline: Deadline,
) -> Vec<ClientTrial> {
    let mut distinct: Vec<(ClientHelloSpec, Vec<&'static str>)> = Vec::new();
    for profile in profiles {
        let hello = profile.offer.hello_spec(spec.sni.clone());
        match distinct.iter_mut().find(|(h, _)| *h == hello) {
            Some((_, ids)) => ids.push(profile.id),
            None => distinct.push((hello, vec![profile.id])),
        }
    }
    let trials: Vec<_> = distinct
        .into_iter()
        .map(|(hello, ids)| {
            let lent = lent.take();
            async move {
                let trial = match lent {
                    Some(lent) => on_lent(endpoint, lent, ids[0], hello, deadline).await,
                    None => scan::client_trial(endpoint, ids[0], hello, deadline).await,
                };
                ids.into_iter()
                    .map(|id| ClientTrial {
                        profile: id.to_string(),
                        outcome: trial.outcome.clone(),
                    })
                    .collect::<Vec<_>>()
            }
        })
        .collect();
    // No offer to send: the lent slot goes back at once.
    drop(lent);
    futures_util::future::join_all(trials)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// One trial on a lent slot; recalled first, it is sent again on a slot of
/// its own (the recalled connection is dropped, its slot back with its
/// owner).
async fn on_lent(
    endpoint: &Endpoint,
    mut lent: Lent,
    profile: &str,
    hello: ClientHelloSpec,
    deadline: Deadline,
) -> ClientTrial {
    let answered = {
        let borrowed = endpoint.lending(lent.slot);
        tokio::select! {
            trial = scan::client_trial(&borrowed, profile, hello.clone(), deadline) => Some(trial),
            Ok(_) = lent.recall.wait_for(|r| *r) => None,
        }
    };
    match answered {
        Some(trial) => trial,
        None => scan::client_trial(endpoint, profile, hello, deadline).await,
    }
}

/// The predicted trials and, when every offer was sent after all, why (in
/// the Report's `errors`, step `client_trials`).
pub fn record(obs: &mut Observations, predicted: Vec<PredictedTrial>, note: Option<String>) {
    obs.predicted_trials = predicted;
    if let Some(note) = &note {
        obs.error(steps::CLIENT_TRIALS, ErrorKind::Tls, note.clone());
    }
    obs.trials_note = note;
}

/// What the scan predicts for one profile's offer.
fn predicted(scan: &ScanResult, p: &ClientProfile) -> Option<scan::predict::Prediction> {
    predict(scan, p.offer.versions, p.offer.suites, p.offer.groups)
}

/// After the scan: checks the observed trials against the scan's
/// predictions, then predicts the rest (or sends them, see the module doc).
pub async fn complete(
    spec: &ProbeSpec,
    endpoint: &Endpoint,
    scan: &ScanResult,
    observed: Vec<ClientTrial>,
    rest: Vec<&'static ClientProfile>,
    deadline: Deadline,
) -> Trials {
    let contradicted: Vec<String> = observed
        .iter()
        .filter_map(|t| {
            let p = profiles::by_id(&t.profile)?;
            let guess = predicted(scan, p)?;
            (!agrees(&t.outcome, &guess.outcome)).then(|| {
                format!(
                    "{}: sent {:?}, the scan predicted {:?}",
                    t.profile, t.outcome, guess.outcome
                )
            })
        })
        .collect();
    let mut out = Trials {
        observed,
        ..Trials::default()
    };
    let mut to_send = Vec::new();
    if contradicted.is_empty() {
        for p in rest {
            match predicted(scan, p) {
                Some(guess) => out.predicted.push(PredictedTrial {
                    profile: p.id.to_string(),
                    outcome: guess.outcome,
                    rests_on: guess.rests_on,
                }),
                None => to_send.push(p),
            }
        }
    } else {
        out.note = Some(format!(
            "every client's offer was sent: an observed trial contradicted what the scan predicts ({})",
            contradicted.join("; ")
        ));
        to_send = rest;
    }
    if !to_send.is_empty() {
        let more = send(spec, endpoint, &to_send, None, deadline).await;
        out.observed.extend(more);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deciding_clients_and_one_per_family_are_sent_the_rest_predicted() {
        let (send, rest) = plan(Protocol::Imap, None, ClientTrials::Predict);
        let sent: Vec<&str> = send.iter().map(|p| p.id).collect();
        for id in ["exchange-online", "google-workspace", "imapsync"] {
            assert!(sent.contains(&id), "{sent:?}");
        }
        // One per family: SChannel, BoringSSL (Apple's build included) and
        // OpenSSL are covered by deciding clients.
        for covered in ["outlook-windows", "apple-mail", "openssl-seclevel2"] {
            assert!(!sent.contains(&covered), "{covered}: {sent:?}");
        }
        let mut families: Vec<&str> = send
            .iter()
            .filter_map(|p| tls_family(p.id))
            .map(|f| f.0)
            .collect();
        families.sort_unstable();
        let n = families.len();
        families.dedup();
        assert!(n - families.len() <= 1, "{sent:?}");
        // Guidelines are never sent.
        assert!(send.iter().all(|p| p.kind != ProfileKind::Compliance));
        assert!(rest.iter().any(|p| p.kind == ProfileKind::Compliance));
        let (all, none) = plan(Protocol::Imap, None, ClientTrials::All);
        assert_eq!(all.len(), send.len() + rest.len());
        assert!(none.is_empty());
    }

    #[test]
    fn a_requested_profile_is_sent() {
        let named = vec!["outlook-windows".to_string()];
        let (send, _) = plan(Protocol::Imap, Some(&named), ClientTrials::Predict);
        assert!(send.iter().any(|p| p.id == "outlook-windows"));
    }
}
