//! The security-check step: which checks this probe runs (the request's
//! `checks` within the service's `MAILPROBE_SECURITY_CHECKS`), run after
//! the wire scan because most of them start from what it found (the
//! versions, the suites to offer), and filed into the observations.

use std::time::Instant;

use crate::config::SecurityChecks;
use crate::observations::{CheckId, CheckRun, Observations, steps};
use crate::tls::scan::Endpoint;
use crate::tls::security::{self, CheckPlan, CheckTarget};
use crate::vocab::Deadline;

use super::request::ProbeSpec;

/// The plan: every id once, run or skipped with the reason.
pub fn plan(requested: Option<&[CheckId]>, service: SecurityChecks) -> CheckPlan {
    let allowed: &[CheckId] = match service {
        SecurityChecks::All => CheckId::ALL,
        SecurityChecks::Passive => CheckId::PASSIVE,
        SecurityChecks::None => &[],
    };
    let mut plan = CheckPlan::default();
    for id in CheckId::ALL {
        let selected = requested.is_none_or(|r| r.contains(id));
        if !selected {
            plan.skipped
                .push((*id, "not selected in the request's `checks`".into()));
        } else if !allowed.contains(id) {
            plan.skipped.push((
                *id,
                format!(
                    "switched off on this service (MAILPROBE_SECURITY_CHECKS={})",
                    match service {
                        SecurityChecks::All => "all",
                        SecurityChecks::Passive => "passive",
                        SecurityChecks::None => "none",
                    }
                ),
            ));
        } else {
            plan.run.push(*id);
        }
    }
    plan
}

/// Runs the planned checks against the probed endpoint and records them,
/// with one timing for the step and one per check that ran. `endpoint` is
/// the wire scan's: what it learnt of the server's manners holds for the
/// checks' hellos too (a server that answered before and greets busy now is
/// tried again after a pause; one that shed the scan's load is left alone).
pub async fn run(
    spec: &ProbeSpec,
    service: SecurityChecks,
    endpoint: &Endpoint,
    deadline: Deadline,
    obs: &mut Observations,
) {
    let mut plan = plan(spec.checks.as_deref(), service);
    if !obs.connect.ok {
        let ids = std::mem::take(&mut plan.run);
        plan.skipped.extend(
            ids.into_iter()
                .map(|id| (id, "the port did not accept a connection".into())),
        );
    }
    let target = CheckTarget {
        endpoint: endpoint.clone(),
        protocol: spec.protocol,
        transport: spec.transport,
        sni: spec.sni.clone(),
        versions: obs.tls.versions.clone(),
    };
    let started = Instant::now();
    let runs: Vec<CheckRun> = security::run(&target, &plan, deadline).await;
    if !plan.run.is_empty() {
        let ms = started.elapsed().as_millis() as u64;
        obs.timing_from(steps::SECURITY_CHECKS, started, ms);
    }
    for r in runs.iter().filter(|r| r.connections > 0 || r.ms > 0) {
        obs.timing_from(
            &format!("{}.{}", steps::SECURITY_CHECKS, r.id.as_str()),
            started,
            r.ms,
        );
    }
    obs.security = runs;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_selects_within_the_service_setting() {
        let all = plan(None, SecurityChecks::All);
        assert_eq!(all.run, CheckId::ALL);
        let none = plan(Some(&[]), SecurityChecks::All);
        assert!(none.run.is_empty());
        assert_eq!(none.skipped.len(), CheckId::ALL.len());
        let passive = plan(
            Some(&[CheckId::Heartbleed, CheckId::Compression]),
            SecurityChecks::Passive,
        );
        assert_eq!(passive.run, [CheckId::Compression]);
        let why = &passive
            .skipped
            .iter()
            .find(|(id, _)| *id == CheckId::Heartbleed)
            .unwrap()
            .1;
        assert!(why.contains("MAILPROBE_SECURITY_CHECKS=passive"), "{why}");
        assert!(plan(None, SecurityChecks::None).run.is_empty());
    }
}
