//! The HTTP service (actix-web): routes, problem+json errors, the OpenAPI
//! document, the offline Swagger UI and the page for people (`page`).

// Handlers return `Result<_, Problem>`; a Problem is a few strings, built
// once per failed request, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

pub mod admission;
pub mod batch;
pub mod guard;
pub mod intake;
pub mod page;
pub mod preflight;
pub mod problem;
pub mod readiness;
pub mod routes;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Condition, Next, from_fn};
use actix_web::{App, HttpServer, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::probe::Prober;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mailprobe",
        description = "Probes a mail server's TLS and IMAP/POP3/SMTP handshakes and explains which clients (Exchange Online, Google Workspace, imapsync, Outlook, Thunderbird, ...) can connect, and why not.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(problem::Problem)),
    tags(
        (name = "probes", description = "Probe mail endpoints"),
        (name = "readiness", description = "Migration readiness of a whole mail host"),
        (name = "catalogue", description = "Client profiles and the findings catalogue"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
struct ApiDoc;

/// The OpenAPI document, collected from the same route table the server uses.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api
}

/// The OpenAPI document as checked in at `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut s = openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id, as `log_requests` accepted or generated it. Handlers
/// take it as an extractor and put it in the Report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl actix_web::FromRequest for RequestId {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<RequestId, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        use actix_web::HttpMessage;
        // Always present behind `log_requests`; a handler mounted without it
        // gets an empty id rather than an error.
        let id = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or(RequestId(String::new()));
        std::future::ready(Ok(id))
    }
}

/// One log line per request (request id, method, route pattern, path,
/// status, duration) and the HTTP request counter; `X-Request-Id` accepted
/// or generated, returned.
async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use actix_web::HttpMessage;
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()));
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let path = req.path().to_string();
    // The pattern, not the path: a label and a log field with bounded values.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| crate::metrics::UNMATCHED_ROUTE.to_string());
    let metrics = req
        .app_data::<web::Data<Prober>>()
        .map(|p| Arc::clone(p.metrics()));
    let result = next.call(req).await;
    let status = match &result {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    if let Some(m) = metrics {
        m.observe_http(&route, &method, status.as_u16());
    }
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        path = %path,
        status = status.as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    let mut res = result?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(res)
}

/// CORS for browser-based admin portals: off unless `MAILPROBE_CORS_ORIGINS`
/// names origins (`Settings::validate` checked their syntax). No
/// credentials: the API's callers authenticate with headers, not cookies.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST"])
        .allow_any_header()
        .expose_headers([REQUEST_ID, actix_web::http::header::RETRY_AFTER])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        cors = cors.allow_any_origin().send_wildcard();
    } else {
        for origin in origins {
            cors = cors.allowed_origin(origin);
        }
    }
    cors
}

/// A bound, not yet running, HTTP service.
pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    /// Binds `settings.listen` (port 0 picks a free port) and prepares the server.
    pub fn build(settings: Settings) -> std::io::Result<Application> {
        let listener = TcpListener::bind(settings.listen)?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        let cors_origins = settings.cors_origins.clone();
        let grace_secs = settings.shutdown_grace_ms.div_ceil(1000);
        let keys = settings.api_key_set().map_err(std::io::Error::other)?;
        let guard = web::Data::new(guard::Guard::new(
            keys,
            settings.rate_limit,
            settings.login_limit,
        ));
        let batches = web::Data::from(Arc::new(admission::BatchAdmission::new(
            settings.max_batches,
            settings.max_batches_per_caller,
        )));
        let prober = web::Data::new(Prober::new(Arc::new(settings)));
        let spec = openapi();
        let mut server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(prober.clone())
                .app_data(guard.clone())
                .app_data(batches.clone())
                .configure(routes::configure)
                .split_for_parts();
            // The last `wrap` is outermost: logging sees everything; CORS
            // answers preflights before the API-key guard (a preflight carries
            // no credentials) and decorates the guard's 401/429 so a browser
            // can read them; the guard sits closest to the routes.
            app.wrap(from_fn(guard::guard))
                .wrap(Condition::new(
                    !cors_origins.is_empty(),
                    cors(&cors_origins),
                ))
                .wrap(from_fn(log_requests))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
                .service(web::redirect("/docs", "/docs/"))
                .configure(page::configure)
                .default_service(web::to(routes::not_found))
        })
        // SIGTERM/SIGINT: stop accepting, let requests in flight finish for
        // up to the grace period, then exit.
        .shutdown_timeout(grace_secs)
        .listen(listener)?;
        if workers > 0 {
            server = server.workers(workers);
        }
        Ok(Application {
            server: server.run(),
            port,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server is stopped (SIGINT/SIGTERM stop it gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
