//! Which checks run on this server, and running them side by side under
//! the probe's connection cap and deadline.

use std::time::Instant;

use super::target::{CheckTarget, Outcome};
use super::{CheckId, CheckRun, hello_checks, injection, wire};
use crate::vocab::Deadline;

/// The checks to run and, for those left out, why.
#[derive(Debug, Clone, Default)]
pub struct CheckPlan {
    pub run: Vec<CheckId>,
    pub skipped: Vec<(CheckId, String)>,
}

/// Runs the plan: every selected check at once (each opens at most one
/// connection, through the per-target cap), and one record per check id.
pub async fn run(target: &CheckTarget, plan: &CheckPlan, deadline: Deadline) -> Vec<CheckRun> {
    let wants = |id| plan.run.contains(&id);
    let hello_ids: Vec<CheckId> = [CheckId::Compression, CheckId::SecureRenegotiation]
        .into_iter()
        .filter(|id| wants(*id))
        .collect();
    let (hello, fallback, client_reneg, heartbleed, ccs, inject, robot) = tokio::join!(
        Box::pin(hello_checks::server_hello(target, &hello_ids, deadline)),
        Box::pin(timed(CheckId::FallbackScsv, wants, || {
            hello_checks::fallback_scsv(target, deadline)
        })),
        Box::pin(timed(CheckId::ClientRenegotiation, wants, || {
            wire::client_renegotiation(target, deadline)
        })),
        Box::pin(timed(CheckId::Heartbleed, wants, || {
            wire::heartbleed(target, deadline)
        })),
        Box::pin(timed(CheckId::CcsInjection, wants, || {
            wire::ccs_injection(target, deadline)
        })),
        Box::pin(timed(CheckId::StarttlsInjection, wants, || {
            injection::starttls_injection(target, deadline)
        })),
        Box::pin(timed(CheckId::Robot, wants, || super::robot::robot(
            target, deadline
        ))),
    );
    let mut out: Vec<CheckRun> = hello;
    out.extend(
        [fallback, client_reneg, heartbleed, ccs, inject, robot]
            .into_iter()
            .flatten(),
    );
    for (id, why) in &plan.skipped {
        out.push(CheckRun::not_run(*id, why.clone()));
    }
    out.sort_by_key(|r| r.id);
    out
}

async fn timed<F, Fut>(id: CheckId, wants: impl Fn(CheckId) -> bool, f: F) -> Option<CheckRun>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Outcome>,
{
    if !wants(id) {
        return None;
    }
    let started = Instant::now();
    let (status, seen, connections) = f().await;
    Some(CheckRun {
        id,
        status,
        seen,
        connections,
        ms: started.elapsed().as_millis() as u64,
    })
}
