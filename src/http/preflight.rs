//! `POST /v1/preflight`: translates the request into
//! [`Prober::preflight`] and its report into JSON (issue 19).

use actix_web::{HttpRequest, post, web};

use super::RequestId;
use super::intake::{caller_of, check_json_content_type, read_body};
use super::problem::{self, Problem};
use crate::diagnosis::preflight::PreflightReport;
use crate::probe::Prober;
use crate::probe::preflight::PreflightRequest;

/// Migration preflight of one IMAP account.
///
/// Logs in (under the login test's rules: inside TLS, to a trusted
/// certificate, unless the request allows otherwise) and surveys the
/// mailbox read-only (EXAMINE, BODY.PEEK; nothing is written): folders
/// with their special use, messages, sizes and largest items, quota, the
/// capabilities migration tools use, and a throughput sample; then judges
/// it against the destination's documented limits and estimates the
/// transfer time. Counts as `1 + parallel_sessions` logins against the
/// caller's login limit.
#[utoipa::path(
    operation_id = "post_preflight",
    tag = "readiness",
    request_body(content = PreflightRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The preflight report. A failed login or an unreachable server is a fact inside it.", body = PreflightReport),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "API keys are configured and the request carries none, or a wrong one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The host is refused by the probe policy", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid (`credentials` are required); `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over capacity, over the rate limit or over the login limit; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/preflight")]
pub async fn post_preflight(
    req: HttpRequest,
    request_id: RequestId,
    payload: web::Payload,
    prober: web::Data<Prober>,
) -> Result<web::Json<PreflightReport>, Problem> {
    check_json_content_type(&req)?;
    let body = read_body(payload, prober.settings().max_body_bytes).await?;
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let request: PreflightRequest =
        serde_path_to_error::deserialize(de).map_err(problem::from_json_error)?;
    // Validate before charging: a request that cannot run costs no login.
    request
        .validate(prober.settings())
        .map_err(crate::probe::ProbeRejection::from)?;
    if let Some(guard) = req.app_data::<web::Data<super::guard::Guard>>() {
        guard.charge_logins(&caller_of(&req), request.logins())?;
    }
    let mut report = prober.preflight(&request).await?;
    report.request_id = Some(request_id.0);
    Ok(web::Json(report))
}
