//! How certain a client verdict is: the explicit status (connects / at risk /
//! cannot), the way a server refused a client's versions (each client words
//! those differently), and the rule that a failure resting on a profile fact no
//! source settles is a risk, never a certainty.

use crate::observations::{HelloAnswer, Observations, TrialOutcome};

use super::client_verdict::{Basis, ClientVerdict};
use super::profiles::{ClientProfile, Refusal};

pub use crate::report::ClientStatus as Status;

/// The explicit status of a verdict: `connects` only when nothing stands in the
/// way, `cannot` only when a verified fact and measured evidence say so,
/// `at_risk` for everything between (risks, unmeasured or undocumented facts).
pub fn status(v: &ClientVerdict) -> Status {
    if v.connects {
        if v.risks.is_empty() && v.basis != Basis::Incomplete {
            Status::Connects
        } else {
            Status::AtRisk
        }
    } else if v.basis == Basis::Incomplete || v.unverified {
        Status::AtRisk
    } else {
        Status::Cannot
    }
}

/// How the server refused this client's versions: the client's own trial on
/// the wire first (its real hello; servers answer a hello with
/// supported_versions differently from one without), else the scanner's answer
/// to a hello of the client's highest version.
pub(super) fn refusal_of(obs: &Observations, profile: &ClientProfile) -> Refusal {
    let is_version_alert =
        |a: &str| a.contains("protocol_version") || a.contains("ProtocolVersion");
    if let Some(t) = obs.client_trials.iter().find(|t| t.profile == profile.id) {
        match &t.outcome {
            TrialOutcome::Negotiated { .. } => return Refusal::DowngradedHello,
            TrialOutcome::Refused { alert: Some(a) } if is_version_alert(a) => {
                return Refusal::VersionAlert;
            }
            TrialOutcome::Refused { alert: None } => return Refusal::Closed,
            _ => {}
        }
    }
    let Some(top) = profile.offer.versions.iter().max() else {
        return Refusal::Any;
    };
    match obs
        .version_answers
        .iter()
        .find(|a| a.version == *top)
        .map(|a| &a.answer)
    {
        Some(HelloAnswer::OtherVersion { .. }) => Refusal::DowngradedHello,
        Some(HelloAnswer::Alert { name }) if is_version_alert(name) => Refusal::VersionAlert,
        Some(HelloAnswer::Closed) | Some(HelloAnswer::Reset) => Refusal::Closed,
        _ => Refusal::Any,
    }
}

/// A failure that rests on a profile fact no source settles is a risk, not a
/// certainty: the verdict says which fact, and its basis becomes `incomplete`.
pub(super) fn rest_on_sources(mut v: ClientVerdict) -> ClientVerdict {
    let Some(failure) = v.failure.filter(|_| !v.connects) else {
        return v;
    };
    let facts = v.profile.unverified_behind(failure);
    if facts.is_empty() {
        return v;
    }
    let names: Vec<String> = facts
        .iter()
        .map(|f| {
            serde_json::to_value(f)
                .ok()
                .and_then(|j| j.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect();
    v.unverified = true;
    v.basis = Basis::Incomplete;
    v.risk_classes.push(failure);
    let doubt = format!(
        "this rests on {}'s {}, which no source confirms",
        v.profile.short,
        names.join(", ")
    );
    // The reason is what the CLI line and the page show: it carries the
    // doubt too, not only `risks[]`.
    v.reason = v.reason.take().map(|r| format!("{r}; risk: {doubt}"));
    v.risks.push(doubt);
    v
}
