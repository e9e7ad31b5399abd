//! The page for people at `/`: plain HTML, CSS and a little JavaScript,
//! embedded in the binary (`web/`), rendering the same JSON the API returns.
//!
//! Two routes only, so an API-key guard's open list stays short: `/` and
//! `/assets/{name}`. Both carry a strict Content-Security-Policy (nothing
//! but this origin; no inline script or style); Swagger UI at `/docs` keeps
//! its own headers. The page is not an API operation, so it is not in the
//! OpenAPI document.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

/// The page's policy: every fetch, script, style, image and font from this
/// origin only; no plugins, no framing, no `<base>` rewriting; forms post
/// here only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/// An embedded file: its name under `/assets/`, media type and bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    body: &'static str,
}

const INDEX: &str = include_str!("../../web/index.html");

const ASSETS: &[Asset] = &[
    Asset {
        name: "ui.js",
        media_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/ui.js"),
    },
    Asset {
        name: "page.js",
        media_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/page.js"),
    },
    Asset {
        name: "page.css",
        media_type: "text/css; charset=utf-8",
        body: include_str!("../../web/page.css"),
    },
    Asset {
        name: "icon.svg",
        media_type: "image/svg+xml",
        body: include_str!("../../web/icon.svg"),
    },
];

/// `GET /`: the page. A query (`?host=...`) is read by the page's script,
/// which runs the probe it names.
pub async fn index() -> HttpResponse {
    page_response("text/html; charset=utf-8", INDEX)
}

/// `GET /assets/{name}`: one embedded file, or the service's 404 problem.
pub async fn asset(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|a| a.name == name.as_str()) {
        Some(a) => page_response(a.media_type, a.body),
        None => super::routes::not_found(req).await,
    }
}

fn page_response(media_type: &'static str, body: &'static str) -> HttpResponse {
    let mut res = HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media_type))
        // Assets change with the binary; revalidation is cheap on loopback
        // and keeps a new release from mixing with an old script.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .body(body);
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    res
}

/// Mounts the page's two routes (outside the OpenAPI document).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/assets/{name}", web::get().to(asset));
}
