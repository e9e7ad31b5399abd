//! The migration preflight's pipeline (issue 19): request → spec and
//! survey plan → one logged-in IMAP session (the probe's mail dialogue,
//! login gate and engine choice, so the legacy engine carries it where
//! only OpenSSL reaches the server) that runs the read-only survey → the
//! observations → `diagnosis::preflight::judge`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::request::{Credentials, ProbeRequest, ProbeSpec};
use super::{ProbeRejection, Prober, Resolved, login_gate, server_name};
use crate::diagnosis::preflight::limits::{Destination, LimitOverrides, Limits};
use crate::diagnosis::preflight::{PreflightReport, judge};
use crate::mail::dialogue::{DialogueOutcome, DialogueSpec, Fallback};
use crate::mail::preflight::{Overlap, SurveyParams};
use crate::net::{Connector, Meter};
use crate::observations::preflight::{ParallelSeen, PreflightSeen};
use crate::tls::legacy::LegacyOffer;
use crate::vocab::host::{InvalidField, invalid};
use crate::vocab::{Deadline, ErrorKind, Protocol, StepError, Target, Transport};

/// Default deadline of a preflight, and the most a request may ask for.
pub const DEFAULT_TIMEOUT_MS: u64 = 180_000;
pub const MAX_TIMEOUT_MS: u64 = 900_000;
/// Extra parallel sessions at most (4 sessions in all).
pub const MAX_EXTRA_SESSIONS: u32 = 3;

/// A migration preflight of one IMAP account.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "host": "imap.example.com",
    "port": 993,
    "credentials": {"username": "alice@example.com", "password": "..."},
    "destination": "exchange-online"
}))]
pub struct PreflightRequest {
    /// The source IMAP server: host name or IP address.
    pub host: String,
    /// Default 993 (implicit TLS), 143 with `transport: starttls`.
    pub port: Option<u16>,
    /// Default `auto` (by port).
    pub transport: Option<Transport>,
    /// Server name for SNI and the certificate check (default: the host).
    pub sni: Option<String>,
    /// Deadline for the whole preflight in ms (default 180,000; at most 900,000).
    pub timeout_ms: Option<u64>,
    /// Extra trusted roots (PEM), as in a probe.
    pub ca_bundle_pem: Option<String>,
    /// Required: the account to survey. Sent only as in a probe's login test.
    pub credentials: Option<Credentials>,
    /// Send the credentials without TLS (the STARTTLS upgrade refused). Default `false`.
    pub allow_plaintext_login: Option<bool>,
    /// Send the credentials inside TLS to an untrusted or mismatched certificate. Default `false`.
    pub allow_untrusted_login: Option<bool>,
    /// Default `exchange-online`.
    pub destination: Option<Destination>,
    /// Overrides of the destination's limits (each default is sourced).
    pub limits: Option<LimitOverrides>,
    /// Read the largest items' subjects (default `false`: personal data).
    pub include_subjects: Option<bool>,
    /// Extra sessions opened at once to see how many the server allows
    /// (default 0, at most 3). Each is a login: mind account lockout.
    pub parallel_sessions: Option<u32>,
    /// The survey's caps.
    pub caps: Option<PreflightCaps>,
}

/// The survey's caps; a count a cap cuts short is marked `partial`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreflightCaps {
    /// Folders surveyed at most (default 1,000; at most 20,000).
    pub max_folders: Option<usize>,
    /// Server responses read at most (default 500,000; at most 5,000,000).
    pub max_responses: Option<usize>,
    /// Bytes read at most (default 128 MiB; at most 1 GiB).
    pub max_bytes: Option<usize>,
    /// Time for the survey in ms (default: the preflight's deadline).
    pub time_ms: Option<u64>,
    /// Largest items listed per folder (default 5; at most 50).
    pub largest_per_folder: Option<usize>,
    /// Body bytes the throughput sample fetches (default 8 MiB; at most 256 MiB; 0: none).
    pub sample_bytes: Option<u64>,
}

/// What a validated request runs.
#[derive(Debug, Clone)]
pub struct PreflightPlan {
    pub spec: ProbeSpec,
    pub limits: Limits,
    pub survey: SurveyParams,
    pub extra_sessions: u32,
}

fn bounded<T: PartialOrd + Copy + std::fmt::Display>(
    field: &'static str,
    value: Option<T>,
    default: T,
    max: T,
) -> Result<T, InvalidField> {
    let v = value.unwrap_or(default);
    if v > max {
        return Err(invalid(field, format!("at most {max}")));
    }
    Ok(v)
}

impl PreflightRequest {
    pub fn validate(
        &self,
        settings: &crate::config::Settings,
    ) -> Result<PreflightPlan, InvalidField> {
        let Some(credentials) = self.credentials.clone() else {
            return Err(invalid(
                "credentials",
                "a preflight needs the account's credentials",
            ));
        };
        let probe = ProbeRequest {
            host: self.host.clone(),
            port: self.port,
            protocol: Some(Protocol::Imap),
            transport: self.transport,
            sni: self.sni.clone(),
            ca_bundle_pem: self.ca_bundle_pem.clone(),
            credentials: Some(credentials),
            allow_plaintext_login: self.allow_plaintext_login,
            allow_untrusted_login: self.allow_untrusted_login,
            ..ProbeRequest::default()
        };
        let mut spec = probe.validate(settings)?;
        let timeout = self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        if !(1000..=MAX_TIMEOUT_MS).contains(&timeout) {
            return Err(invalid(
                "timeout_ms",
                format!("between 1000 and {MAX_TIMEOUT_MS}"),
            ));
        }
        spec.timeout = Duration::from_millis(timeout);
        let extra_sessions = bounded(
            "parallel_sessions",
            self.parallel_sessions,
            0,
            MAX_EXTRA_SESSIONS,
        )?;
        let destination = self.destination.unwrap_or_default();
        let limits = Limits::of(destination, &self.limits.clone().unwrap_or_default());
        let c = self.caps.clone().unwrap_or_default();
        let d = SurveyParams::default();
        let survey = SurveyParams {
            max_folders: bounded("caps.max_folders", c.max_folders, d.max_folders, 20_000)?,
            max_responses: bounded(
                "caps.max_responses",
                c.max_responses,
                d.max_responses,
                5_000_000,
            )?,
            max_bytes: bounded("caps.max_bytes", c.max_bytes, d.max_bytes, 1 << 30)?,
            time: Duration::from_millis(bounded("caps.time_ms", c.time_ms, timeout, timeout)?),
            largest_per_folder: bounded(
                "caps.largest_per_folder",
                c.largest_per_folder,
                d.largest_per_folder,
                50,
            )?,
            count_items_from: limits.item_thresholds(),
            subjects: self.include_subjects.unwrap_or(false),
            sample_bytes: bounded(
                "caps.sample_bytes",
                c.sample_bytes,
                d.sample_bytes,
                256 << 20,
            )?,
            hold_only: false,
            overlap: None,
        };
        Ok(PreflightPlan {
            spec,
            limits,
            survey,
            extra_sessions,
        })
    }

    /// Logins this request makes: one, plus the extra sessions.
    pub fn logins(&self) -> usize {
        1 + self.parallel_sessions.unwrap_or(0).min(MAX_EXTRA_SESSIONS) as usize
    }
}

impl Prober {
    /// Validates, admits (one probe slot), resolves and checks the target,
    /// runs the survey and judges it.
    pub async fn preflight(
        &self,
        request: &PreflightRequest,
    ) -> Result<PreflightReport, ProbeRejection> {
        let plan = request.validate(&self.settings)?;
        self.outbound.check_caller_port(plan.spec.port)?;
        let deadline = Deadline::after(plan.spec.timeout);
        let started = Instant::now();
        let started_at = OffsetDateTime::now_utc();
        let slot = self.try_slot()?;
        let resolved = self.resolve(&plan.spec, deadline).await?;
        let mut seen = self.survey(&plan, resolved, deadline, started_at).await;
        drop(slot);
        seen.duration_ms = started.elapsed().as_millis() as u64;
        let report = judge(seen, &plan.limits);
        self.metrics.observe_preflight(&report);
        Ok(report)
    }

    async fn survey(
        &self,
        plan: &PreflightPlan,
        resolved: Resolved,
        deadline: Deadline,
        started_at: OffsetDateTime,
    ) -> PreflightSeen {
        let spec = &plan.spec;
        let mut seen = PreflightSeen {
            target: Target {
                host: spec.host.as_string(),
                port: spec.port,
                protocol: Protocol::Imap,
                transport: spec.transport,
                addresses: resolved.addresses.iter().map(|a| a.to_string()).collect(),
                sni: spec.sni.clone(),
            },
            started_at,
            greeting: None,
            tls: None,
            login: None,
            survey: None,
            parallel: None,
            errors: Vec::new(),
            stats: Default::default(),
            duration_ms: 0,
        };
        if let Some((message, kind)) = resolved.error {
            seen.errors.push(step_error("dns", kind, message));
            return seen;
        }
        let meter = Arc::new(Meter::default());
        let sockets = resolved
            .addresses
            .iter()
            .map(|ip| std::net::SocketAddr::new(*ip, spec.port))
            .collect();
        let connector = Connector::shared(sockets, self.outbound.limits(), Arc::clone(&meter));
        // Extra sessions start once the main one is logged in, and the
        // main one stays open until they are done: they overlap.
        let (logged_in, mut main_in) = tokio::sync::watch::channel(false);
        let (release, released) = tokio::sync::watch::channel(false);
        let mut params = plan.survey.clone();
        if plan.extra_sessions > 0 {
            params.overlap = Some(Overlap {
                logged_in: Arc::new(logged_in),
                release: released,
            });
        }
        let main = session(self, spec, params, &connector, deadline);
        let hold = SurveyParams {
            hold_only: true,
            ..plan.survey.clone()
        };
        let extras = async {
            let mut out = Vec::new();
            if plan.extra_sessions > 0
                && matches!(deadline.run(main_in.wait_for(|v| *v)).await, Ok(Ok(_)))
            {
                out = futures_util::future::join_all(
                    (0..plan.extra_sessions)
                        .map(|_| session(self, spec, hold.clone(), &connector, deadline)),
                )
                .await;
            }
            release.send_replace(true);
            out
        };
        let (mut outcome, extras) = tokio::join!(main, extras);
        if plan.extra_sessions > 0 {
            seen.parallel = Some(parallel(plan.extra_sessions, extras));
        }
        seen.survey = outcome.survey.take();
        seen.greeting = outcome.mail.greeting.take();
        seen.tls = outcome.mail.tls.take();
        seen.login = outcome.mail.login.take();
        seen.errors.extend(
            outcome
                .errors
                .into_iter()
                .map(|e| step_error(e.step, e.kind, e.message)),
        );
        seen.stats = meter.snapshot();
        seen
    }
}

fn step_error(step: &str, kind: ErrorKind, message: String) -> StepError {
    StepError {
        step: step.to_string(),
        kind,
        message,
    }
}

/// One session: connect, the mail dialogue with its login, and the survey
/// (or, for an extra session, a short hold) after a successful login.
async fn session(
    prober: &Prober,
    spec: &ProbeSpec,
    survey: SurveyParams,
    connector: &Connector,
    deadline: Deadline,
) -> DialogueOutcome {
    let mut out = DialogueOutcome::default();
    let stream = match connector.connect(deadline).await {
        Ok(s) => s,
        Err(e) => {
            out.errors.push(crate::mail::dialogue::StepFault {
                step: "tcp_connect",
                kind: e.kind,
                message: e.message,
            });
            return out;
        }
    };
    let dialogue = DialogueSpec {
        protocol: Protocol::Imap,
        transport: match spec.transport {
            Transport::Starttls => Transport::Starttls,
            _ => Transport::Implicit,
        },
        server_name: server_name(spec),
        login: spec.login.clone(),
        login_gate: login_gate::for_probe(spec, Arc::clone(&prober.trust)),
        survey: Some(survey),
    };
    // No wire scan runs here: the legacy pass offers everything.
    let (_keep, offer) = tokio::sync::watch::channel(Some(LegacyOffer::everything()));
    let fallback = Fallback {
        connector,
        scan: offer,
        retry: crate::diagnosis::engine_choice::legacy_may_help,
        modern: None,
        hint: None,
    };
    let _ = deadline
        .run(crate::mail::dialogue::run_with(
            stream,
            &dialogue,
            connector.meter(),
            deadline,
            &mut out,
            Some(fallback),
        ))
        .await;
    out
}

fn parallel(requested: u32, extras: Vec<DialogueOutcome>) -> ParallelSeen {
    let mut seen = ParallelSeen {
        requested,
        ..ParallelSeen::default()
    };
    if extras.is_empty() {
        seen.refused
            .push("not tried: the main session did not log in".into());
    }
    for o in extras {
        match &o.mail.login {
            Some(l) if l.ok == Some(true) => seen.logged_in += 1,
            Some(l) => seen.refused.push(
                l.server_text
                    .clone()
                    .or_else(|| l.reason.clone())
                    .unwrap_or_else(|| "login refused".into()),
            ),
            None => seen
                .refused
                .push(o.errors.last().map_or("no login reached".into(), |e| {
                    format!("{}: {}", e.step, e.message)
                })),
        }
    }
    seen
}
