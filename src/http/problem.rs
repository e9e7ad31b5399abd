//! RFC 9457 problem details: every error the API returns, in one place.
//!
//! Each cause has a stable `type` URI that clients may switch on; `field`
//! names the offending request field when there is one.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::probe::ProbeRejection;
use crate::vocab::host::InvalidField;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An error response (RFC 9457 problem details).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:mailprobe:problem:invalid-field",
    "title": "A request field is invalid",
    "status": 422,
    "detail": "port: must be between 1 and 65535",
    "field": "port"
}))]
pub struct Problem {
    /// Stable identifier of the cause, e.g. `urn:mailprobe:problem:target-refused`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the cause; the same for every problem of one `type`.
    pub title: String,
    /// The HTTP status code (for a batch line: the one a single probe would have got).
    pub status: u16,
    /// What went wrong with this request, and how to fix it.
    pub detail: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `target-refused`: the address refused, when the request named
    /// it. An address a host name resolved to is not shown: it may be
    /// internal to the service's network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// For `target-refused`: the policy rule that refused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// For `target-refused`: the setting that would permit the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// For `over-capacity` and `rate-limited`: seconds to wait before retrying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// For `unauthorized`: the `WWW-Authenticate` challenge (a header, not
    /// part of the body).
    #[serde(skip)]
    pub www_authenticate: Option<String>,
}

/// The causes, each with its status and stable type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    MalformedJson,
    InvalidField,
    UnsupportedMediaType,
    BodyTooLarge,
    TargetRefused,
    OverCapacity,
    Unauthorized,
    RateLimited,
    NotFound,
    Internal,
}

impl Cause {
    pub fn slug(self) -> &'static str {
        match self {
            Cause::MalformedJson => "malformed-json",
            Cause::InvalidField => "invalid-field",
            Cause::UnsupportedMediaType => "unsupported-media-type",
            Cause::BodyTooLarge => "body-too-large",
            Cause::TargetRefused => "target-refused",
            Cause::OverCapacity => "over-capacity",
            Cause::Unauthorized => "unauthorized",
            Cause::RateLimited => "rate-limited",
            Cause::NotFound => "not-found",
            Cause::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Cause::MalformedJson => StatusCode::BAD_REQUEST,
            Cause::InvalidField => StatusCode::UNPROCESSABLE_ENTITY,
            Cause::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Cause::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Cause::TargetRefused => StatusCode::FORBIDDEN,
            Cause::OverCapacity => StatusCode::TOO_MANY_REQUESTS,
            Cause::Unauthorized => StatusCode::UNAUTHORIZED,
            Cause::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Cause::NotFound => StatusCode::NOT_FOUND,
            Cause::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Cause::MalformedJson => "The request body is not valid JSON",
            Cause::InvalidField => "A request field is invalid",
            Cause::UnsupportedMediaType => "The request body must be JSON",
            Cause::BodyTooLarge => "The request body is too large",
            Cause::TargetRefused => "The target is refused by the probe policy",
            Cause::OverCapacity => "Too many probes in flight",
            Cause::Unauthorized => "A valid API key is required",
            Cause::RateLimited => "Too many requests from this caller",
            Cause::NotFound => "No such resource",
            Cause::Internal => "Internal error",
        }
    }
}

impl Problem {
    pub fn new(cause: Cause, detail: impl Into<String>) -> Problem {
        Problem {
            type_uri: format!("urn:mailprobe:problem:{}", cause.slug()),
            title: cause.title().to_string(),
            status: cause.status().as_u16(),
            detail: detail.into(),
            field: None,
            address: None,
            rule: None,
            setting: None,
            retry_after: None,
            www_authenticate: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    pub fn cause_status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.title, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.cause_status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut resp = HttpResponse::build(self.cause_status());
        resp.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)));
        if let Some(challenge) = &self.www_authenticate {
            resp.insert_header((header::WWW_AUTHENTICATE, challenge.as_str()));
        }
        if let Some(secs) = self.retry_after {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        resp.json(self)
    }
}

impl From<InvalidField> for Problem {
    fn from(e: InvalidField) -> Problem {
        Problem::new(Cause::InvalidField, e.to_string()).with_field(e.field)
    }
}

impl From<ProbeRejection> for Problem {
    fn from(r: ProbeRejection) -> Problem {
        match r {
            ProbeRejection::Invalid(e) => e.into(),
            ProbeRejection::Refused(refusal) => {
                let mut p =
                    Problem::new(Cause::TargetRefused, format!("{refusal}; {}", refusal.hint))
                        .with_field("host");
                p.address = refusal.shown_address().map(|a| a.to_string());
                p.rule = Some(refusal.rule.to_string());
                p.setting = Some(
                    if refusal.rule == "deny-list" {
                        "MAILPROBE_DENY_TARGETS"
                    } else {
                        "MAILPROBE_ALLOW_TARGETS"
                    }
                    .to_string(),
                );
                p
            }
            ProbeRejection::PortRefused { port, allowed } => {
                let mut p = Problem::new(
                    Cause::TargetRefused,
                    format!(
                        "port {port} is refused by the target policy (port-not-allowed): MAILPROBE_ALLOW_PORTS permits {allowed}; add it there to permit it"
                    ),
                )
                .with_field("port");
                p.rule = Some("port-not-allowed".into());
                p.setting = Some("MAILPROBE_ALLOW_PORTS".into());
                p
            }
            ProbeRejection::Busy { in_flight } => {
                let mut p = Problem::new(
                    Cause::OverCapacity,
                    format!(
                        "{in_flight} probes are in flight, the configured maximum (MAILPROBE_MAX_CONCURRENT_PROBES); retry shortly"
                    ),
                );
                p.retry_after = Some(1);
                p
            }
        }
    }
}

/// Turns a serde error on the request body into a problem that names the
/// field: syntax errors are 400, wrong shapes and values 422.
pub fn from_json_error(err: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let path = err.path().to_string();
    let inner = err.inner();
    // serde_json reports a value of the wrong kind for an enum (`"transport": 1`)
    // as a syntax error; inside a field it is the field that is wrong.
    let at_root = path == "." || path.is_empty() || path.starts_with('?');
    if inner.is_eof() || (inner.is_syntax() && at_root) {
        return Problem::new(Cause::MalformedJson, inner.to_string());
    }
    let message = inner.to_string();
    let field = field_of(&path, &message);
    let mut p = Problem::new(
        Cause::InvalidField,
        match &field {
            Some(f) => format!("{f}: {message}"),
            None => message.clone(),
        },
    );
    p.field = field;
    p
}

/// The same for query strings.
pub fn from_query_error(err: serde_path_to_error::Error<serde::de::value::Error>) -> Problem {
    let path = err.path().to_string();
    let message = err.inner().to_string();
    let field = field_of(&path, &message);
    let mut p = Problem::new(
        Cause::InvalidField,
        match &field {
            Some(f) => format!("{f}: {message}"),
            None => message.clone(),
        },
    );
    p.field = field;
    p
}

/// serde reports a missing or unknown field at the parent's path, naming it
/// in backticks in the message; take it from there in that case.
fn field_of(path: &str, message: &str) -> Option<String> {
    if path != "." && !path.is_empty() {
        return Some(path.to_string());
    }
    for prefix in ["missing field `", "unknown field `"] {
        if let Some(rest) = message.strip_prefix(prefix) {
            return rest.split('`').next().map(str::to_string);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::request::ProbeRequest;

    fn parse(body: &str) -> Problem {
        let de = &mut serde_json::Deserializer::from_str(body);
        let err = serde_path_to_error::deserialize::<_, ProbeRequest>(de).unwrap_err();
        from_json_error(err)
    }

    #[test]
    fn names_the_field() {
        assert_eq!(parse("{}").field.as_deref(), Some("host"));
        assert_eq!(
            parse(r#"{"host":"a","prot":"imap"}"#).field.as_deref(),
            Some("prot")
        );
        assert_eq!(
            parse(r#"{"host":"a","port":70000}"#).field.as_deref(),
            Some("port")
        );
        assert_eq!(
            parse(r#"{"host":"a","port":"x"}"#).field.as_deref(),
            Some("port")
        );
        assert_eq!(
            parse(r#"{"host":"a","protocol":"imap4"}"#).field.as_deref(),
            Some("protocol")
        );
        assert_eq!(
            parse(r#"{"host":"a","transport":1}"#).field.as_deref(),
            Some("transport")
        );
        assert_eq!(parse(r#"{"host":5}"#).field.as_deref(), Some("host"));
        assert_eq!(
            parse(r#"{"host":"a","profiles":[1]}"#).field.as_deref(),
            Some("profiles[0]")
        );
    }

    #[test]
    fn syntax_errors_are_400() {
        let p = parse(r#"{"host": "#);
        assert_eq!(p.status, 400);
        assert_eq!(p.type_uri, "urn:mailprobe:problem:malformed-json");
        assert_eq!(parse("{]").status, 400);
        assert_eq!(parse("{}").status, 422);
    }
}
