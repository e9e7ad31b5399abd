//! What every handler does with an incoming request before it reads it:
//! the content type, the body (bounded), and whom the request counts
//! against. Shared by the probe, batch and readiness handlers.

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use super::problem::{Cause, Problem};

/// Reads a JSON body of at most `limit` bytes (413 beyond it).
pub(crate) async fn read_body(
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, Problem> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| Problem::new(Cause::MalformedJson, format!("reading the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(Problem::new(
                Cause::BodyTooLarge,
                format!("the body exceeds {limit} bytes (MAILPROBE_MAX_BODY_BYTES sets the limit)"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Whom a request counts against: what the guard decided, else (no guard
/// mounted) the client address.
pub(crate) fn caller_of(req: &HttpRequest) -> super::guard::Caller {
    use actix_web::HttpMessage;
    req.extensions()
        .get::<super::guard::Caller>()
        .cloned()
        .unwrap_or_else(|| {
            super::guard::Caller::from_address(
                req.peer_addr()
                    .map(|a| a.ip())
                    .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0])),
            )
        })
}

/// A POST body must be declared JSON: without `Content-Type:
/// application/json` (missing included) the answer is 415, so a browser form
/// or a `text/plain` request (which needs no CORS preflight) cannot start a
/// probe from another site (issue 15).
pub(crate) fn check_json_content_type(req: &HttpRequest) -> Result<(), Problem> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(Problem::new(
            Cause::UnsupportedMediaType,
            "the request has no Content-Type; send it as `Content-Type: application/json`",
        )
        .with_field("Content-Type"));
    };
    let mime = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime == "application/json" || mime.ends_with("+json") {
        Ok(())
    } else {
        Err(Problem::new(
            Cause::UnsupportedMediaType,
            format!("Content-Type is `{mime}`; send the probe request as `Content-Type: application/json`"),
        )
        .with_field("Content-Type"))
    }
}
