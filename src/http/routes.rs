//! HTTP handlers. They translate requests into probe calls and Reports into
//! responses; nothing here reads a socket of the target or judges anything.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::RequestId;
use super::batch::{self, BatchLine, BatchRequest};
use super::intake::{caller_of, check_json_content_type, read_body};
use super::problem::{self, Cause, Problem};
use crate::probe::Prober;
use crate::probe::request::ProbeRequest;
use crate::report::Report;
use crate::tls::security::CheckId;
use crate::vocab::{Protocol, Transport};

/// `GET /v1/probes` query: the probe request for curl one-liners.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProbeQuery {
    /// Host name or IP address.
    #[param(example = "mail.example.com")]
    pub host: String,
    /// TCP port (default by protocol and transport).
    #[param(minimum = 1, maximum = 65535)]
    pub port: Option<u16>,
    /// Default `imap`.
    #[param(inline)]
    pub protocol: Option<Protocol>,
    /// Default `auto`: implicit TLS on 993/995/465/443, STARTTLS on
    /// 143/110/25/587, implicit on any other port.
    #[param(inline)]
    pub transport: Option<Transport>,
    /// Server name to send in SNI and to check the certificate against.
    /// Default: the host, unless it is an IP address.
    pub sni: Option<String>,
    /// Comma-separated client profile ids.
    pub profiles: Option<String>,
    /// Deadline for the whole probe, in milliseconds (bounded by
    /// `MAILPROBE_MAX_TIMEOUT_MS`).
    #[param(minimum = 100)]
    pub timeout_ms: Option<u64>,
    /// Comma-separated security check ids (`heartbleed,ccs_injection`);
    /// empty (`checks=`) runs none; absent: every check the service allows.
    #[serde(default, deserialize_with = "check_list")]
    #[param(value_type = Option<String>)]
    pub checks: Option<Vec<CheckId>>,
}

/// `heartbleed,ccs_injection` → the ids; an unknown id is an error naming it.
fn check_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<CheckId>>, D::Error> {
    let text = String::deserialize(d)?;
    text.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| CheckId::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(id)))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl From<ProbeQuery> for ProbeRequest {
    fn from(q: ProbeQuery) -> ProbeRequest {
        ProbeRequest {
            host: q.host,
            port: q.port,
            protocol: q.protocol,
            transport: q.transport,
            sni: q.sni,
            profiles: q.profiles.map(|p| {
                p.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            timeout_ms: q.timeout_ms,
            // Never from a query string: URLs end up in logs and histories.
            credentials: None,
            allow_plaintext_login: None,
            allow_untrusted_login: None,
            // A PEM bundle does not fit a query string; POST carries it.
            ca_bundle_pem: None,
            checks: q.checks,
        }
    }
}

/// Probe one mail endpoint.
#[utoipa::path(
    operation_id = "post_probe",
    tag = "probes",
    request_body(content = ProbeRequest, content_type = "application/json"),
    responses(
        (status = 401, description = "API keys are configured and the request carries none, or a wrong one (`unauthorized`; `WWW-Authenticate: Bearer`)", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The diagnosis. A probe that reaches the server but fails a step is still a 200; its findings say so.", body = Report),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The target is refused by the probe policy", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over capacity (`over-capacity`) or over the rate limit (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/probes")]
pub async fn post_probe(
    req: HttpRequest,
    request_id: RequestId,
    payload: web::Payload,
    prober: web::Data<Prober>,
) -> Result<web::Json<Report>, Problem> {
    check_json_content_type(&req)?;
    let body = read_body(payload, prober.settings().max_body_bytes).await?;
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let request: ProbeRequest =
        serde_path_to_error::deserialize(de).map_err(problem::from_json_error)?;
    if request.credentials.is_some()
        && let Some(guard) = req.app_data::<web::Data<super::guard::Guard>>()
    {
        guard.charge_logins(&caller_of(&req), 1)?;
    }
    let mut report = prober.probe(&request).await?;
    report.request_id = Some(request_id.0);
    Ok(web::Json(report))
}

/// Bytes a batch body may take: the single-request limit, plus 2 KiB per
/// target the batch may name.
fn batch_body_limit(settings: &crate::config::Settings) -> usize {
    settings
        .max_body_bytes
        .saturating_add(settings.max_batch.saturating_mul(2048))
}

/// Probe many endpoints; results stream back as NDJSON.
///
/// One line per target as each finishes (a `BatchLine`): `{index, id?, report}`, or `{index, id?,
/// problem}` for a target that is invalid or refused (the rest still run).
/// Batch probes wait for a probe slot instead of a 429, at most
/// `MAILPROBE_BATCH_PARALLELISM` at once; all batches together hold at most
/// half the probe slots, and a probe that gets none before its deadline is
/// a timeout Report. At most `MAILPROBE_MAX_BATCHES` batches run at once and
/// `MAILPROBE_MAX_BATCHES_PER_CALLER` per caller (429 beyond); each target
/// counts against the caller's rate limit. Closing the connection cancels
/// the targets not yet finished.
#[utoipa::path(
    operation_id = "post_batch",
    tag = "probes",
    request_body(content = BatchRequest, content_type = "application/json"),
    responses(
        (status = 401, description = "API keys are configured and the request carries none, or a wrong one (`unauthorized`; `WWW-Authenticate: Bearer`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over capacity (`over-capacity`) or over the rate limit (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "One JSON object per line (NDJSON), one line per target, in the order they finish", body = BatchLine, content_type = "application/x-ndjson"),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`targets` is empty or longer than `MAILPROBE_MAX_BATCH`, or a top-level field is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/probes:batch")]
pub async fn post_batch(
    req: HttpRequest,
    payload: web::Payload,
    prober: web::Data<Prober>,
    request_id: RequestId,
) -> Result<HttpResponse, Problem> {
    check_json_content_type(&req)?;
    let settings = prober.settings();
    let body = read_body(payload, batch_body_limit(settings)).await?;
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let request: BatchRequest =
        serde_path_to_error::deserialize(de).map_err(problem::from_json_error)?;
    drop(body);
    let parallelism = crate::probe::batch::parallelism(request.parallelism, settings);
    let (runnable, invalid) = batch::plan(request.targets, settings.max_batch)?;
    // Each target beyond the first counts against the caller's rate limit,
    // and the caller's running batches are capped (issue 15).
    let caller = caller_of(&req);
    if let Some(guard) = req.app_data::<web::Data<super::guard::Guard>>() {
        let extra = u32::try_from(runnable.len().saturating_sub(1)).unwrap_or(u32::MAX);
        guard.charge(&caller, extra)?;
        let logins = runnable
            .iter()
            .filter(|t| t.request.credentials.is_some())
            .count();
        guard.charge_logins(&caller, logins)?;
    }
    let ticket = match req.app_data::<web::Data<super::admission::BatchAdmission>>() {
        Some(admission) => Some(admission.clone().into_inner().admit(caller)?),
        None => None,
    };
    // Every Report of the batch carries the batch request's id, so a line
    // can be matched to the request's log line.
    let lines = batch::lines(prober.get_ref().clone(), runnable, invalid, parallelism).map(
        move |mut line| {
            // Held until the stream ends or is dropped: the batch's place.
            let _ticket = &ticket;
            if let Some(report) = line.report.as_mut() {
                report.request_id = Some(request_id.0.clone());
            }
            Ok::<_, std::convert::Infallible>(web::Bytes::from(line.to_ndjson()))
        },
    );
    Ok(HttpResponse::Ok()
        .content_type(batch::NDJSON)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(lines))
}

/// Probe one mail endpoint, with the request in the query string.
#[utoipa::path(
    operation_id = "get_probe",
    tag = "probes",
    params(ProbeQuery),
    responses(
        (status = 401, description = "API keys are configured and the request carries none, or a wrong one (`unauthorized`; `WWW-Authenticate: Bearer`)", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The diagnosis", body = Report),
        (status = 403, description = "The target is refused by the probe policy", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over capacity (`over-capacity`) or over the rate limit (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/probes")]
pub async fn get_probe(
    req: HttpRequest,
    request_id: RequestId,
    prober: web::Data<Prober>,
) -> Result<web::Json<Report>, Problem> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(req.query_string()));
    let query: ProbeQuery =
        serde_path_to_error::deserialize(de).map_err(problem::from_query_error)?;
    let mut report = prober.probe(&query.into()).await?;
    report.request_id = Some(request_id.0);
    Ok(web::Json(report))
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

/// `GET /healthz`: the process serves HTTP.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: HealthStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
}

/// `GET /readyz`: whether probes can be accepted now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or `at-capacity` (then the status code is 503).
    pub status: ReadinessStatus,
    /// Probes running now.
    pub probes_in_flight: usize,
    /// Probes that may run at once (`MAILPROBE_MAX_CONCURRENT_PROBES`).
    pub probe_capacity: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReadinessStatus {
    /// Below capacity: a probe request is accepted.
    Ready,
    /// Every probe slot is taken: a probe request gets 429 `over-capacity`.
    AtCapacity,
    /// The legacy TLS engine (OpenSSL with its legacy provider) could not be
    /// verified at start-up: the instance never reports ready.
    LegacyTlsEngineUnavailable,
}

/// Liveness: the process serves HTTP.
#[utoipa::path(
    operation_id = "healthz",
    tag = "operations",
    responses((status = 200, description = "The process serves HTTP", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: HealthStatus::Ok,
    })
}

/// Readiness: 200 while probes can be accepted, 503 at capacity.
///
/// Never ready when the legacy TLS engine could not be verified.
#[utoipa::path(operation_id = "readyz", tag = "operations", responses(
    (status = 200, description = "Probes can be accepted", body = Readiness),
    (status = 503, description = "At capacity, or the legacy TLS engine is unavailable", body = Readiness),
))]
#[get("/readyz")]
pub async fn readyz(prober: web::Data<Prober>) -> HttpResponse {
    let in_flight = prober.in_flight();
    let capacity = prober.settings().max_concurrent_probes;
    let engine_ok = crate::tls::legacy::verify().is_ok();
    let ready = engine_ok && in_flight < capacity;
    let status = match (engine_ok, ready) {
        (false, _) => ReadinessStatus::LegacyTlsEngineUnavailable,
        (true, true) => ReadinessStatus::Ready,
        (true, false) => ReadinessStatus::AtCapacity,
    };
    let body = Readiness {
        status,
        probes_in_flight: in_flight,
        probe_capacity: capacity,
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus metrics.
///
/// Text exposition format 0.0.4: probes by protocol and verdict, probe
/// requests rejected, probe duration, connections opened, probes in flight,
/// HTTP requests by route pattern, method and status. Open, like `/healthz`.
#[utoipa::path(operation_id = "metrics", tag = "operations", responses(
    (status = 200, description = "The exposition", body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
))]
#[get("/metrics")]
pub async fn metrics(prober: web::Data<Prober>) -> HttpResponse {
    let body = prober
        .metrics()
        .render(prober.in_flight(), prober.settings().max_concurrent_probes);
    HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(body)
}

/// `GET /v1/profiles`: every client profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileList {
    /// In the order reports list `clients`.
    pub profiles: Vec<crate::diagnosis::ProfileDoc>,
}

/// `GET /v1/findings`: the findings catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingList {
    /// Sorted by id.
    pub findings: Vec<crate::diagnosis::catalogue::FindingDoc>,
}

/// The client profiles.
///
/// What each client offers (the ClientHello the probe sends on its behalf)
/// and what it requires of a server. Name them in a
/// probe's `profiles` to decide its verdict.
#[utoipa::path(operation_id = "get_profiles", tag = "catalogue", responses(
    (status = 200, description = "Every client profile", body = ProfileList),
        (status = 401, description = "API keys are configured and the request carries none, or a wrong one (`unauthorized`; `WWW-Authenticate: Bearer`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over capacity (`over-capacity`) or over the rate limit (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/profiles")]
pub async fn get_profiles() -> web::Json<ProfileList> {
    web::Json(ProfileList {
        profiles: crate::diagnosis::profile_docs(),
    })
}

/// The findings catalogue.
///
/// Every finding id a report can carry, its default severity, its remedies
/// per server software and its references.
#[utoipa::path(operation_id = "get_findings", tag = "catalogue", responses(
    (status = 200, description = "The findings catalogue", body = FindingList),
        (status = 401, description = "API keys are configured and the request carries none, or a wrong one (`unauthorized`; `WWW-Authenticate: Bearer`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over capacity (`over-capacity`) or over the rate limit (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/findings")]
pub async fn get_findings() -> web::Json<FindingList> {
    web::Json(FindingList {
        findings: crate::diagnosis::catalogue::docs(),
    })
}

/// Anything unrouted: a problem, not an empty 404.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    Problem::new(
        Cause::NotFound,
        format!(
            "{} {} is not an endpoint of this service; see /docs",
            req.method(),
            req.path()
        ),
    )
    .error_response()
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(post_probe)
        .service(post_batch)
        .service(get_probe)
        .service(super::readiness::post_readiness)
        .service(super::preflight::post_preflight)
        .service(get_profiles)
        .service(get_findings)
        .service(healthz)
        .service(readyz)
        .service(metrics);
}
