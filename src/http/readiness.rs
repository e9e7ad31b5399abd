//! `POST /v1/readiness`: translates the request into [`crate::readiness::run`]
//! and its Readiness report into JSON.

use actix_web::{HttpRequest, post, web};

use super::RequestId;
use super::intake::{caller_of, check_json_content_type, read_body};
use super::problem::{self, Problem};
use crate::probe::Prober;
use crate::readiness::model::{ReadinessReport, ReadinessRequest};

/// Migration readiness of a whole mail host.
///
/// IMAP 993/143, POP3 995/110, SMTP 25/465/587 and HTTPS 443 probed
/// concurrently under one deadline (each a full Report), the
/// implicit/STARTTLS pairs compared, the Exchange virtual directories a
/// cutover or hybrid migration needs checked over HTTPS, and advice per
/// migration path. Give `email_domain` instead of
/// `host` to discover the host (SRV, MX, autoconfig, Autodiscover).
#[utoipa::path(
    operation_id = "post_readiness",
    tag = "readiness",
    request_body(content = ReadinessRequest, content_type = "application/json"),
    responses(
        (status = 401, description = "API keys are configured and the request carries none, or a wrong one (`unauthorized`; `WWW-Authenticate: Bearer`)", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The Readiness report. Closed ports and failed steps are facts inside it.", body = ReadinessReport),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The host (or a discovered host) is refused by the probe policy", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over capacity (`over-capacity`) or over the rate limit (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/readiness")]
pub async fn post_readiness(
    req: HttpRequest,
    request_id: RequestId,
    payload: web::Payload,
    prober: web::Data<Prober>,
) -> Result<web::Json<ReadinessReport>, Problem> {
    check_json_content_type(&req)?;
    let body = read_body(payload, prober.settings().max_body_bytes).await?;
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let request: ReadinessRequest =
        serde_path_to_error::deserialize(de).map_err(problem::from_json_error)?;
    // Up to two login tests (993 and 143) count against the caller's limit.
    if request.credentials.is_some()
        && let Some(guard) = req.app_data::<actix_web::web::Data<super::guard::Guard>>()
    {
        guard.charge_logins(&caller_of(&req), 2)?;
    }
    let mut report = crate::readiness::run(&prober, &request).await?;
    for endpoint in &mut report.endpoints {
        if let Some(r) = endpoint.report.as_mut() {
            r.request_id = Some(request_id.0.clone());
        }
    }
    report.request_id = Some(request_id.0);
    Ok(web::Json(report))
}
