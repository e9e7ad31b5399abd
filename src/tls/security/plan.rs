//! Which checks run on this server, and running them side by side under
//! the probe's connection cap and deadline.

use std::time::Instant;

use super::{CheckId, CheckRun, CheckStatus, Seen, hello_checks, injection, wire};
use crate::tls::scan::{Endpoint, VersionSupport};
use crate::vocab::{Deadline, Protocol, TlsVersion, Transport};

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
    let (hello, fallback, client_reneg, heartbleed, ccs, inject) = tokio::join!(
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
    );
    let mut out: Vec<CheckRun> = hello;
    out.extend(
        [fallback, client_reneg, heartbleed, ccs, inject]
            .into_iter()
            .flatten(),
    );
    for (id, why) in &plan.skipped {
        out.push(CheckRun::not_run(*id, why.clone()));
    }
    out.sort_by_key(|r| r.id);
    out
}

/// What one check returns: its status, what it saw, connections opened.
pub(super) type Outcome = (CheckStatus, Option<Seen>, u32);

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
