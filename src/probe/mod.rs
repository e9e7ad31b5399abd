//! Probing: resolve and check the target, run the probe steps under
//! deadlines and connection caps, collect [`Observations`], and hand them to
//! the diagnosis.

/// The connector moved down to the network layer; the old path stays.
pub mod aia;
pub mod batch;
pub mod certificate;
pub mod dialogue;
mod first_contact;
pub mod login_gate;
pub mod outbound;
pub mod policy;
pub mod preflight;
pub mod real_tls;
pub mod request;
pub mod scan_record;
pub mod security;
pub mod trials;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use time::OffsetDateTime;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::config::Settings;
use crate::diagnosis::Evidence;
use crate::diagnosis::engine_choice;
use crate::mail::dialogue::{DialogueOutcome, EngineHint};
use crate::net::{ConnectionLimits, Connector, Meter, Priority};
use crate::observations::{Observations, steps};
use crate::report::{Report, Target};
use crate::tls::legacy::LegacyOffer;
use crate::tls::scan::{self, Endpoint, ScanOptions, ScanResult};
use crate::vocab::Deadline;
use crate::vocab::ErrorKind;
use crate::vocab::host::{Host, InvalidField};
use crate::vocab::host::{fully_qualified, is_localhost};
use first_contact::{Borrower, first_contact};
use policy::{Refusal, TargetPolicy};
use request::{ProbeRequest, ProbeSpec};

/// Why a probe request was not run at all (as opposed to a probe that ran
/// and found problems, which is a Report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeRejection {
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("port {port} is refused by the target policy: MAILPROBE_ALLOW_PORTS permits {allowed}")]
    PortRefused { port: u16, allowed: String },
    #[error("over capacity: {in_flight} probes already in flight")]
    Busy { in_flight: usize },
}

/// The probe engine: settings plus the global limit on probes in flight.
#[derive(Debug, Clone)]
pub struct Prober {
    settings: Arc<Settings>,
    /// Address and port policy and connection caps for every outbound
    /// connection (probes, discovery, HTTP checks).
    outbound: Arc<outbound::OutboundGate>,
    slots: Arc<Semaphore>,
    /// The part of `slots` batch probes may hold together: half of them, so
    /// single probes (which are refused, not queued) always find room
    /// however many batches run (issue 15).
    batch_slots: Arc<Semaphore>,
    /// Mozilla roots plus the configured bundle, loaded once.
    trust: Arc<crate::tls::trust::TrustStores>,
    /// Counters behind `GET /metrics`, shared by every clone of the prober.
    metrics: Arc<crate::metrics::Metrics>,
}

impl Prober {
    pub fn new(settings: Arc<Settings>) -> Prober {
        let outbound = outbound::OutboundGate::new(&settings);
        // `Settings::validate` refused an unusable bundle at start-up; if the
        // file went bad since, probe with the Mozilla roots and say so.
        let trust = settings.trust_stores().unwrap_or_else(|e| {
            tracing::error!(error = %e, "CA bundle unusable; trusting the Mozilla roots only");
            crate::tls::trust::TrustStores::default()
        });
        Prober {
            trust: Arc::new(trust),
            slots: Arc::new(Semaphore::new(settings.max_concurrent_probes)),
            batch_slots: Arc::new(Semaphore::new(batch_share(settings.max_concurrent_probes))),
            outbound: Arc::new(outbound),
            settings,
            metrics: Arc::default(),
        }
    }

    /// The connection caps every probe shares (per target IP, global).
    pub fn connection_limits(&self) -> &ConnectionLimits {
        self.outbound.limits()
    }

    /// The gate every outbound connection passes (see [`outbound`]).
    pub fn outbound(&self) -> &outbound::OutboundGate {
        &self.outbound
    }

    pub fn metrics(&self) -> &Arc<crate::metrics::Metrics> {
        &self.metrics
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The target policy every connection of this engine obeys (readiness
    /// checks its HTTP fetches and discovered hosts against it too).
    pub fn policy(&self) -> &TargetPolicy {
        self.outbound.targets()
    }

    /// Probes in flight right now.
    pub fn in_flight(&self) -> usize {
        self.settings.max_concurrent_probes - self.slots.available_permits()
    }

    /// Connections open right now across every probe.
    pub fn connections_in_flight(&self) -> usize {
        self.outbound.limits().in_flight()
    }

    /// Validates, resolves and checks a request, then runs the probe; over
    /// capacity it is refused at once ([`ProbeRejection::Busy`]).
    pub async fn probe(&self, request: &ProbeRequest) -> Result<Report, ProbeRejection> {
        self.probe_with(request, Admission::Refuse).await
    }

    /// The same, but waiting for a free probe slot instead of refusing (for
    /// batches). Batch probes together hold at most half the probe slots,
    /// so single probes keep room; a probe that gets no slot before its
    /// deadline is a Report whose error says so.
    pub async fn probe_queued(&self, request: &ProbeRequest) -> Result<Report, ProbeRejection> {
        self.probe_with(request, Admission::Wait).await
    }

    /// Takes `n` probe slots at once, or none (429 when they are not free):
    /// a readiness check reserves its probes before discovery starts.
    pub fn reserve(&self, n: usize) -> Result<Vec<OwnedSemaphorePermit>, ProbeRejection> {
        let busy = || ProbeRejection::Busy {
            in_flight: self.in_flight(),
        };
        let n32 = u32::try_from(n).map_err(|_| busy())?;
        if n32 == 0 {
            return Ok(Vec::new());
        }
        let mut all = Arc::clone(&self.slots)
            .try_acquire_many_owned(n32)
            .map_err(|_| busy())?;
        let mut out: Vec<OwnedSemaphorePermit> = (1..n).filter_map(|_| all.split(1)).collect();
        out.push(all);
        Ok(out)
    }

    /// [`Prober::probe`] on a slot taken earlier with [`Prober::reserve`].
    pub async fn probe_reserved(
        &self,
        request: &ProbeRequest,
        slot: OwnedSemaphorePermit,
    ) -> Result<Report, ProbeRejection> {
        self.probe_with(request, Admission::Reserved(slot)).await
    }

    async fn probe_with(
        &self,
        request: &ProbeRequest,
        admission: Admission,
    ) -> Result<Report, ProbeRejection> {
        // The request's profiles decide the verdict; the diagnosis gets them beside the facts.
        let profiles = request.profiles.clone();
        let obs = self
            .observe_with(request, admission)
            .await
            .inspect_err(|e| {
                self.metrics.observe_rejection(match e {
                    ProbeRejection::Invalid(_) => crate::metrics::Rejection::Invalid,
                    ProbeRejection::Refused(_) | ProbeRejection::PortRefused { .. } => {
                        crate::metrics::Rejection::Refused
                    }
                    ProbeRejection::Busy { .. } => crate::metrics::Rejection::Busy,
                })
            })?;
        let report = crate::diagnosis::report(obs, profiles.as_deref());
        self.metrics.observe_probe(&report);
        Ok(report)
    }

    /// The probe without the judgement: the facts as seen on the wire.
    pub async fn observe(&self, request: &ProbeRequest) -> Result<Observations, ProbeRejection> {
        Ok(self.observe_with(request, Admission::Refuse).await?.obs)
    }

    async fn observe_with(
        &self,
        request: &ProbeRequest,
        admission: Admission,
    ) -> Result<Evidence, ProbeRejection> {
        let spec = request.validate(&self.settings)?;
        self.outbound.check_caller_port(spec.port)?;
        let deadline = Deadline::after(spec.timeout);
        let started = Instant::now();
        let started_at = OffsetDateTime::now_utc();
        let slot = match admission {
            Admission::Refuse => (self.try_slot()?, None),
            Admission::Reserved(slot) => (slot, None),
            Admission::Wait => match self.wait_batch_slot(deadline).await {
                Some(slots) => slots,
                None => return Ok(queue_timeout(&spec, started, started_at).into()),
            },
        };
        let resolved = self.resolve(&spec, deadline).await?;
        let obs = self
            .run(spec, resolved, deadline, started, started_at)
            .await;
        drop(slot);
        Ok(obs)
    }

    fn try_slot(&self) -> Result<OwnedSemaphorePermit, ProbeRejection> {
        match Arc::clone(&self.slots).try_acquire_owned() {
            Ok(p) => Ok(p),
            Err(TryAcquireError::NoPermits | TryAcquireError::Closed) => {
                Err(ProbeRejection::Busy {
                    in_flight: self.in_flight(),
                })
            }
        }
    }

    /// A slot of the batches' share, then a probe slot, both before
    /// `deadline`; `None` when the deadline came first.
    async fn wait_batch_slot(
        &self,
        deadline: Deadline,
    ) -> Option<(OwnedSemaphorePermit, Option<OwnedSemaphorePermit>)> {
        let share = deadline
            .run(Arc::clone(&self.batch_slots).acquire_owned())
            .await
            .ok()?
            .ok()?;
        let slot = deadline
            .run(Arc::clone(&self.slots).acquire_owned())
            .await
            .ok()?
            .ok()?;
        Some((slot, Some(share)))
    }

    /// Resolves the host once and checks every address. A name that does
    /// not resolve is a fact for the Report (`Ok` with an error inside); an
    /// address the policy refuses rejects the whole request.
    async fn resolve(
        &self,
        spec: &ProbeSpec,
        deadline: Deadline,
    ) -> Result<Resolved, ProbeRejection> {
        let started = Instant::now();
        let addresses: Vec<IpAddr> = match &spec.host {
            Host::Ip(ip) => vec![*ip],
            Host::Name(name) if is_localhost(name) => {
                vec![
                    IpAddr::from([127, 0, 0, 1]),
                    IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
                ]
            }
            Host::Name(name) => {
                let lookup = deadline.within(Duration::from_secs(10));
                match lookup
                    .run(tokio::net::lookup_host((fully_qualified(name), spec.port)))
                    .await
                {
                    Ok(Ok(addrs)) => {
                        let mut v: Vec<IpAddr> = Vec::new();
                        for a in addrs {
                            if !v.contains(&a.ip()) {
                                v.push(a.ip());
                            }
                        }
                        v
                    }
                    Ok(Err(e)) => {
                        return Ok(Resolved::failed(
                            format!("{name} did not resolve: {e}"),
                            ErrorKind::Dns,
                            started,
                        ));
                    }
                    Err(t) => {
                        return Ok(Resolved::failed(
                            format!("resolving {name} {t}"),
                            ErrorKind::Timeout,
                            started,
                        ));
                    }
                }
            }
        };
        for ip in &addresses {
            self.outbound.check_address(&spec.host, *ip)?;
        }
        Ok(Resolved {
            addresses,
            error: None,
            ms: started.elapsed().as_millis() as u64,
        })
    }

    async fn run(
        &self,
        spec: ProbeSpec,
        resolved: Resolved,
        deadline: Deadline,
        started: Instant,
        started_at: OffsetDateTime,
    ) -> Evidence {
        let mut obs = observations_for(&spec, &resolved, started, started_at);
        if let Some((message, kind)) = resolved.error {
            obs.resolution_error = Some(message.clone());
            obs.error(steps::DNS, kind, message);
            obs.duration_ms = started.elapsed().as_millis() as u64;
            return Evidence::new(obs);
        }
        let meter = Arc::new(Meter::default());
        let connector = self.connector_for(&spec, &resolved, &meter);
        // Slots go to the scan's chains first, then the dialogue and the
        // real handshakes (the long single tasks), then the trials.
        let long_tasks = connector.at(Priority::Settle);

        // A step that overruns is recorded; the steps before it stand. The
        // wire scan and the versioned real handshakes run beside the first
        // contact on their own connections, each bounded by the deadline, so
        // their partial facts survive.
        // Each arm is boxed: together they are large futures, and debug
        // builds would move them across the (small) worker thread stacks.
        // The scan tells the dialogue's legacy retry (if one is needed) what
        // the server accepts, and its first handshake which engine to take.
        let (scan_found, scan_offer) = tokio::sync::watch::channel(None);
        let (hint_found, hint) = tokio::sync::watch::channel(None);
        // The dialogue's slot, lent to a trial while it waits for the hint.
        let (lend, lent) = tokio::sync::oneshot::channel();
        let (recall, recalled) = tokio::sync::watch::channel(false);
        // The dialogue's modern handshake, which a versioned handshake of
        // the same version would only repeat.
        let (modern_seen, modern_handshake) = tokio::sync::watch::channel(None);
        let handshakes = handshake_target(&spec);
        let endpoint = Endpoint::new(connector.clone(), spec.protocol, spec.transport);
        let handshake_endpoint = endpoint.at(Priority::Settle); // as `long_tasks`
        let joined_at = Instant::now();
        // The dialogue writes here; what it learnt stands if the deadline
        // cuts it short.
        let mut seen = DialogueOutcome::default();
        let (
            (steps_done, dialogue_ms),
            (mut scan, trials, (trials_started, trials_ms)),
            (versioned, versioned_ms),
        ) = tokio::join!(
            Box::pin(timed(deadline.run(first_contact(
                &spec,
                &long_tasks,
                &self.trust,
                deadline,
                &mut obs,
                &mut seen,
                (scan_offer, modern_seen, hint, (lend, recall))
            )))),
            Box::pin(wire_scan(
                &spec,
                &endpoint,
                self.settings.client_trials,
                deadline,
                (scan_found, hint_found, (lent, recalled))
            )),
            Box::pin(timed(real_tls::versioned_handshakes(
                &handshakes,
                &handshake_endpoint,
                (endpoint.progress(), modern_handshake),
                deadline
            ))),
        );
        dialogue::record(&mut obs, seen);
        scan.client_trials = trials.observed;
        scan_record::record_scan(&mut obs, scan);
        trials::record(&mut obs, trials.predicted, trials.note);
        obs.timing_from(steps::MAIL_DIALOGUE, joined_at, dialogue_ms);
        obs.timing_from(steps::CLIENT_TRIALS, trials_started, trials_ms);
        obs.timing_from(steps::TLS_HANDSHAKES, joined_at, versioned_ms);
        record_scanner_chain(&mut obs);
        if let Err(t) = steps_done {
            obs.error(
                steps::PROBE,
                ErrorKind::Timeout,
                format!("probe deadline reached ({t})"),
            );
        }
        // The security checks start from what the scan found.
        let service_checks = self.settings.security_checks;
        security::run(&spec, service_checks, &endpoint, deadline, &mut obs).await;
        // The certificate is judged here, mid-probe: the AIA fetch is decided on it.
        let mut obs = Evidence::new(obs);
        self.certificate_facts(&mut obs, &spec, versioned);
        certificate::complete_chain(&mut obs, &spec, &self.trust, &self.outbound).await;
        obs.stats = meter.snapshot();
        obs.stats.scan_connections = obs.scan_connections;
        obs.duration_ms = started.elapsed().as_millis() as u64;
        obs
    }
}

impl Prober {
    /// The probe's connections: to every resolved address, under the
    /// instance's caps, counted by `meter`.
    fn connector_for(
        &self,
        spec: &ProbeSpec,
        resolved: &Resolved,
        meter: &Arc<Meter>,
    ) -> Connector {
        let sockets = resolved
            .addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, spec.port));
        Connector::shared(sockets.collect(), self.outbound.limits(), Arc::clone(meter))
    }

    /// Records the versioned handshakes, then analyses every chain observed
    /// (the wire scanner's too, once it has put its chain in `obs.chains`).
    fn certificate_facts(
        &self,
        obs: &mut Evidence,
        spec: &ProbeSpec,
        versioned: real_tls::RealHandshakes,
    ) {
        certificate::record_handshakes(&mut obs.obs, versioned);
        certificate::record_certificate(obs, spec, &self.trust, OffsetDateTime::now_utc());
    }
}

/// The Observations a probe starts from: the target and the DNS step.
fn observations_for(
    spec: &ProbeSpec,
    resolved: &Resolved,
    started: Instant,
    started_at: OffsetDateTime,
) -> Observations {
    let target = Target {
        host: spec.host.as_string(),
        port: spec.port,
        protocol: spec.protocol,
        transport: spec.transport,
        addresses: resolved.addresses.iter().map(|a| a.to_string()).collect(),
        sni: spec.sni.clone(),
    };
    let mut obs = Observations::new(target, started_at);
    obs.clock = started;
    obs.timing_from(steps::DNS, started, resolved.ms);
    obs
}

/// Probe slots batch probes may hold together: half, at least one.
fn batch_share(max_concurrent_probes: usize) -> usize {
    (max_concurrent_probes / 2).max(1)
}

/// The Report of a queued probe whose deadline passed before it got a slot:
/// nothing was sent to the target.
fn queue_timeout(spec: &ProbeSpec, started: Instant, started_at: OffsetDateTime) -> Observations {
    let target = Target {
        host: spec.host.as_string(),
        port: spec.port,
        protocol: spec.protocol,
        transport: spec.transport,
        addresses: Vec::new(),
        sni: spec.sni.clone(),
    };
    let mut obs = Observations::new(target, started_at);
    obs.error(
        steps::PROBE,
        ErrorKind::Timeout,
        format!(
            "no free probe slot before the probe deadline ({} ms): the instance is busy with other batch probes; nothing was sent to the target",
            spec.timeout.as_millis()
        ),
    );
    obs.duration_ms = started.elapsed().as_millis() as u64;
    obs
}

/// How a probe gets its slot.
#[derive(Debug)]
enum Admission {
    /// Take a free one, or 429.
    Refuse,
    /// Wait for one (batches), within the probe's deadline.
    Wait,
    /// Already taken ([`Prober::reserve`]).
    Reserved(OwnedSemaphorePermit),
}

struct Resolved {
    addresses: Vec<IpAddr>,
    error: Option<(String, ErrorKind)>,
    ms: u64,
}

impl Resolved {
    fn failed(message: String, kind: ErrorKind, started: Instant) -> Resolved {
        Resolved {
            addresses: Vec::new(),
            error: Some((message, kind)),
            ms: started.elapsed().as_millis() as u64,
        }
    }
}

/// The wire scanner over the probe's transport (after the STARTTLS prelude
/// on every connection when the transport is `starttls`); every protocol
/// gets it. Beside it: the client trials that do not depend on it (see
/// [`trials`]), and the legacy engine's offer as soon as the scan shows the
/// engine will be needed. Returns the scan's result, the trials, and when
/// the trials started and how many milliseconds they took.
async fn wire_scan(
    spec: &ProbeSpec,
    endpoint: &Endpoint,
    mode: crate::config::ClientTrials,
    deadline: Deadline,
    (found, hint, lent): (
        tokio::sync::watch::Sender<Option<LegacyOffer>>,
        tokio::sync::watch::Sender<Option<EngineHint>>,
        Borrower,
    ),
) -> (ScanResult, trials::Trials, (Instant, u64)) {
    // The dialogue lends its slot while it waits for the scan's first
    // answers (see `first_contact`): lent when it got one at once.
    let (mut lend, recall) = lent;
    let lent = lend
        .try_recv()
        .ok()
        .map(|slot| trials::Lent { slot, recall });
    drop(lend);
    let (first, rest) = trials::plan(spec.protocol, spec.profiles.as_deref(), mode);
    let trials_started = Instant::now();
    let options = ScanOptions::full(spec.sni.clone());
    let aside = endpoint.at(Priority::Aside);
    let scanned = async {
        let result = scan::scan(endpoint, &options, deadline).await;
        // The trials, the dialogue and the real handshakes left may now
        // take every slot: no chain of the scan needs one any more.
        endpoint.connector.chains_over();
        result
    };
    let (result, observed, ()) = tokio::join!(
        scanned,
        trials::send(spec, &aside, &first, lent, deadline),
        engine_hints(endpoint, &found, hint),
    );
    // Nobody may be listening (the dialogue needed no retry): that is fine.
    let _ = found.send(Some(LegacyOffer::from_scan(&result.versions)));
    let done = trials::complete(spec, &aside, &result, observed, rest, deadline).await;
    let ms = trials_started.elapsed().as_millis() as u64;
    (result, done, (trials_started, ms))
}

/// The dialogue's first engine ([`engine_choice::first_engine`]) as soon as
/// the scan's answers decide it; when that is the legacy engine, its offer
/// goes to the dialogue's legacy retry too (the server's version and chosen
/// suite are all it needs). Otherwise the retry's offer waits for the whole
/// scan.
async fn engine_hints(
    endpoint: &Endpoint,
    found: &tokio::sync::watch::Sender<Option<LegacyOffer>>,
    hint: tokio::sync::watch::Sender<Option<EngineHint>>,
) {
    let mut progress = endpoint.progress();
    loop {
        let now = progress.borrow_and_update().clone();
        if let Some(engine) = engine_choice::first_engine(&now) {
            if let EngineHint::Legacy { offer, .. } = &engine {
                let _ = found.send(Some(offer.clone()));
            }
            let _ = hint.send(Some(engine));
            return;
        }
        if progress.changed().await.is_err() {
            let _ = hint.send(Some(EngineHint::Modern));
            return;
        }
    }
}

/// The chain the wire scanner read (TLS <= 1.2 sends it in clear), beside
/// the others.
fn record_scanner_chain(obs: &mut Observations) {
    if !obs.scan_chain_der.is_empty() {
        obs.chains.push(crate::observations::ObservedChain {
            path: "scanner".into(),
            der: obs.scan_chain_der.clone(),
        });
    }
}

/// Runs `fut` and says how long it took, in milliseconds.
async fn timed<F: Future>(fut: F) -> (F::Output, u64) {
    let started = Instant::now();
    let out = fut.await;
    (out, started.elapsed().as_millis() as u64)
}

/// What the real-handshake engine needs of the spec.
fn handshake_target(spec: &ProbeSpec) -> real_tls::HandshakeTarget {
    real_tls::HandshakeTarget {
        server_name: server_name(spec),
        without_sni: spec.sni.is_some(),
    }
}

/// The name rustls sends in SNI and verifies against: the SNI when there is
/// one, else the IP address (rustls then sends no SNI).
fn server_name(spec: &ProbeSpec) -> ServerName<'static> {
    if let Some(sni) = &spec.sni
        && let Ok(name) = ServerName::try_from(sni.clone())
    {
        return name;
    }
    match &spec.host {
        Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
        // Validated host names always convert; fall back to a harmless literal.
        Host::Name(n) => ServerName::try_from(n.clone())
            .unwrap_or(ServerName::IpAddress(IpAddr::from([0, 0, 0, 0]).into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 15: a caller's name is looked up as given, never completed by
    /// resolv.conf search domains (getaddrinfo skips them for a name with a
    /// trailing dot). The old code passed `kubernetes.default` as is.
    #[test]
    fn names_are_resolved_fully_qualified() {
        assert_eq!(fully_qualified("kubernetes.default"), "kubernetes.default.");
        assert_eq!(fully_qualified("mail.example.com."), "mail.example.com.");
        assert_eq!(fully_qualified("kubernetes"), "kubernetes.");
        assert!(is_localhost("localhost") && is_localhost("LocalHost."));
        assert!(is_localhost("imap.localhost"));
        assert!(!is_localhost("localhost.example.com") && !is_localhost("notlocalhost"));
    }
}
