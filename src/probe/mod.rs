//! Probing: resolve and check the target, run the probe steps under
//! deadlines and connection caps, collect [`Observations`], and hand them to
//! the diagnosis.

pub mod aia;
pub mod batch;
pub mod net;
pub mod policy;
pub mod real_tls;
pub mod request;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use time::OffsetDateTime;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::config::Settings;
use crate::mail::dialogue::DialogueSpec;
use crate::observations::{Observations, steps};
use crate::report::{ErrorKind, Report, Target, Transport};
use crate::tls::scan::{self, Endpoint, ScanOptions, ScanResult};
use net::{ConnectionLimits, Connector, Deadline, Meter};
use policy::{Refusal, TargetPolicy};
use request::{Host, InvalidField, ProbeRequest, ProbeSpec};

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
    policy: Arc<TargetPolicy>,
    slots: Arc<Semaphore>,
    /// Connection caps shared by every probe: per target IP and global.
    limits: ConnectionLimits,
    /// Mozilla roots plus the configured bundle, loaded once.
    trust: Arc<crate::tls::trust::TrustStores>,
    /// Counters behind `GET /metrics`, shared by every clone of the prober.
    metrics: Arc<crate::metrics::Metrics>,
}

impl Prober {
    pub fn new(settings: Arc<Settings>) -> Prober {
        let policy = TargetPolicy {
            allow: settings.allow_targets.clone(),
            deny: settings.deny_targets.clone(),
        };
        // `Settings::validate` refused an unusable bundle at start-up; if the
        // file went bad since, probe with the Mozilla roots and say so.
        let trust = settings.trust_stores().unwrap_or_else(|e| {
            tracing::error!(error = %e, "CA bundle unusable; trusting the Mozilla roots only");
            crate::tls::trust::TrustStores::default()
        });
        Prober {
            trust: Arc::new(trust),
            slots: Arc::new(Semaphore::new(settings.max_concurrent_probes)),
            limits: ConnectionLimits::new(
                settings.max_connections,
                settings.per_target_connections,
            ),
            policy: Arc::new(policy),
            settings,
            metrics: Arc::default(),
        }
    }

    /// The connection caps every probe shares (per target IP, global).
    pub fn connection_limits(&self) -> &ConnectionLimits {
        &self.limits
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
        &self.policy
    }

    /// Probes in flight right now.
    pub fn in_flight(&self) -> usize {
        self.settings.max_concurrent_probes - self.slots.available_permits()
    }

    /// Connections open right now across every probe.
    pub fn connections_in_flight(&self) -> usize {
        self.limits.in_flight()
    }

    /// Validates, resolves and checks a request, then runs the probe; over
    /// capacity it is refused at once ([`ProbeRejection::Busy`]).
    pub async fn probe(&self, request: &ProbeRequest) -> Result<Report, ProbeRejection> {
        self.probe_with(request, Admission::Refuse).await
    }

    /// The same, but waiting for a free probe slot instead of refusing (for
    /// batches, whose own parallelism cap keeps room for single probes).
    pub async fn probe_queued(&self, request: &ProbeRequest) -> Result<Report, ProbeRejection> {
        self.probe_with(request, Admission::Wait).await
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
        self.observe_with(request, Admission::Refuse).await
    }

    async fn observe_with(
        &self,
        request: &ProbeRequest,
        admission: Admission,
    ) -> Result<Observations, ProbeRejection> {
        let spec = request.validate(&self.settings)?;
        if !self.settings.allow_ports.contains(spec.port) {
            return Err(ProbeRejection::PortRefused {
                port: spec.port,
                allowed: self.settings.allow_ports.to_string(),
            });
        }
        let slot = match admission {
            Admission::Refuse => self.try_slot()?,
            Admission::Wait => self.wait_slot().await?,
        };
        let deadline = Deadline::after(spec.timeout);
        let started = Instant::now();
        let started_at = OffsetDateTime::now_utc();
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

    async fn wait_slot(&self) -> Result<OwnedSemaphorePermit, ProbeRejection> {
        Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(|_| ProbeRejection::Busy {
                in_flight: self.in_flight(),
            })
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
            Host::Name(name) => {
                let lookup = deadline.within(Duration::from_secs(10));
                match lookup
                    .run(tokio::net::lookup_host((name.as_str(), spec.port)))
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
            self.policy.check(*ip)?;
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
        obs.timing(steps::DNS, resolved.ms);
        if let Some((message, kind)) = resolved.error {
            obs.resolution_error = Some(message.clone());
            obs.error(steps::DNS, kind, message);
            obs.duration_ms = started.elapsed().as_millis() as u64;
            return obs;
        }
        let meter = Arc::new(Meter::default());
        let sockets: Vec<SocketAddr> = resolved
            .addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, spec.port))
            .collect();
        let connector = Connector::shared(sockets, &self.limits, Arc::clone(&meter));

        // A step that overruns is recorded; the steps before it stand. The
        // wire scan and the versioned real handshakes run beside the first
        // contact on their own connections, each bounded by the deadline, so
        // their partial facts survive.
        // Each arm is boxed: together they are large futures, and debug
        // builds would move them across the (small) worker thread stacks.
        let ((steps_done, dialogue_ms), (scan, trials_ms), (versioned, versioned_ms)) = tokio::join!(
            Box::pin(timed(
                deadline.run(first_contact(&spec, &connector, deadline, &mut obs))
            )),
            Box::pin(wire_scan(&spec, &connector, deadline)),
            Box::pin(timed(real_tls::versioned_handshakes(
                &spec, &connector, deadline
            ))),
        );
        scan.merge_into(&mut obs);
        obs.timing(steps::MAIL_DIALOGUE, dialogue_ms);
        obs.timing(steps::CLIENT_TRIALS, trials_ms);
        obs.timing(steps::TLS_HANDSHAKES, versioned_ms);
        if !obs.scan_chain_der.is_empty() {
            obs.chains.push(crate::observations::ObservedChain {
                path: "scanner".into(),
                der: obs.scan_chain_der.clone(),
            });
        }
        if let Err(t) = steps_done {
            obs.error(
                steps::PROBE,
                ErrorKind::Timeout,
                format!("probe deadline reached ({t})"),
            );
        }
        self.certificate_facts(&mut obs, &spec, versioned);
        aia::complete_chain(&mut obs, &spec, &self.trust, &self.policy).await;
        obs.stats = meter.snapshot();
        obs.stats.scan_connections = obs.scan_connections;
        obs.duration_ms = started.elapsed().as_millis() as u64;
        obs
    }
}

impl Prober {
    /// Records the versioned handshakes, then analyses every chain observed
    /// (the wire scanner's too, once it has put its chain in `obs.chains`).
    fn certificate_facts(
        &self,
        obs: &mut Observations,
        spec: &ProbeSpec,
        versioned: real_tls::RealHandshakes,
    ) {
        real_tls::record_handshakes(obs, versioned);
        real_tls::record_certificate(obs, spec, &self.trust, OffsetDateTime::now_utc());
    }
}

/// What to do when every probe slot is taken.
#[derive(Debug, Clone, Copy)]
enum Admission {
    Refuse,
    Wait,
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
/// gets it.
/// Returns the scan's result and the client trials' milliseconds.
async fn wire_scan(
    spec: &ProbeSpec,
    connector: &Connector,
    deadline: Deadline,
) -> (ScanResult, u64) {
    let endpoint = Endpoint::new(connector.clone(), spec.protocol, spec.transport);
    let mut result = scan::scan(&endpoint, &ScanOptions::full(spec.sni.clone()), deadline).await;
    let (trials, ms) = timed(client_trials(spec, &endpoint, deadline)).await;
    result.client_trials = trials;
    (result, ms)
}

/// Runs `fut` and says how long it took, in milliseconds.
async fn timed<F: Future>(fut: F) -> (F::Output, u64) {
    let started = Instant::now();
    let out = fut.await;
    (out, started.elapsed().as_millis() as u64)
}

/// Each client profile's real ClientHello, sent once on the wire after the
/// scan (same endpoint, so a server that started refusing is not pressed
/// further), recording what the server picked. Profiles whose offers are
/// identical share one connection.
async fn client_trials(
    spec: &ProbeSpec,
    endpoint: &Endpoint,
    deadline: Deadline,
) -> Vec<crate::observations::ClientTrial> {
    let mut distinct: Vec<(crate::tls::hello::ClientHelloSpec, Vec<&'static str>)> = Vec::new();
    for profile in crate::diagnosis::profiles::all()
        .iter()
        .filter(|p| p.protocols.contains(&spec.protocol))
    {
        let hello = profile.offer.hello_spec(spec.sni.clone());
        match distinct.iter_mut().find(|(h, _)| *h == hello) {
            Some((_, ids)) => ids.push(profile.id),
            None => distinct.push((hello, vec![profile.id])),
        }
    }
    let trials = distinct.into_iter().map(|(hello, ids)| async move {
        let trial = scan::client_trial(endpoint, ids[0], hello, deadline).await;
        ids.into_iter()
            .map(|id| crate::observations::ClientTrial {
                profile: id.to_string(),
                outcome: trial.outcome.clone(),
            })
            .collect::<Vec<_>>()
    });
    futures_util::future::join_all(trials)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// TCP connect, then the mail dialogue (for implicit TLS: the real
/// handshake first; for STARTTLS: the plaintext dialogue, the upgrade and
/// the handshake inside it). See [`crate::mail::dialogue`].
async fn first_contact(
    spec: &ProbeSpec,
    connector: &Connector,
    deadline: Deadline,
    obs: &mut Observations,
) {
    let t = Instant::now();
    let stream = match connector.connect(deadline).await {
        Ok(s) => s,
        Err(e) => {
            obs.connect.ok = false;
            obs.connect.error = Some(e.message.clone());
            obs.connect_error_kind = Some(e.kind);
            obs.error(steps::TCP_CONNECT, e.kind, e.message);
            return;
        }
    };
    let ms = t.elapsed().as_millis() as u64;
    obs.connect.ok = true;
    obs.connect.ms = Some(ms);
    obs.connect.address = stream.peer_addr().ok().map(|a| a.to_string());
    obs.timing(steps::TCP_CONNECT, ms);

    let dialogue = DialogueSpec {
        protocol: spec.protocol,
        transport: match spec.transport {
            Transport::Starttls => Transport::Starttls,
            Transport::Implicit | Transport::Auto => Transport::Implicit,
        },
        server_name: server_name(spec),
        login: spec.login.clone(),
    };
    crate::mail::dialogue::run(stream, &dialogue, connector.meter(), deadline, obs).await;
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
