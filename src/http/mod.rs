//! The HTTP service (actix-web): routes, problem+json errors, the OpenAPI
//! document and the offline Swagger UI.

// Handlers return `Result<_, Problem>`; a Problem is a few strings, built
// once per failed request, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

pub mod guard;
pub mod problem;
pub mod routes;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Next, from_fn};
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
        (name = "catalogue", description = "Client profiles and the findings catalogue"),
        (name = "operations", description = "Health and readiness"),
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

/// One log line per request; `X-Request-Id` accepted or generated, returned.
async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()));
    let method = req.method().to_string();
    let path = req.path().to_string();
    let mut res = next.call(req).await?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    tracing::info!(
        request_id = %id,
        method = %method,
        path = %path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    Ok(res)
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
        let grace_secs = settings.shutdown_grace_ms.div_ceil(1000);
        let keys = settings.api_key_set().map_err(std::io::Error::other)?;
        let guard = web::Data::new(guard::Guard::new(keys, settings.rate_limit));
        let prober = web::Data::new(Prober::new(Arc::new(settings)));
        let spec = openapi();
        let mut server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(prober.clone())
                .app_data(guard.clone())
                .configure(routes::configure)
                .split_for_parts();
            app.wrap(from_fn(guard::guard))
                .wrap(from_fn(log_requests))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
                .service(web::redirect("/docs", "/docs/"))
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
