//! The page for people at `/` (issue 20): what the HTTP layer promises about
//! it. The page's behaviour in a browser is checked by `.ci/page.sh`
//! (headless Chromium, both views, axe-core).

use serde_json::Value;

use crate::support::app::{spawn_app, spawn_app_with};

const CSP: &str = "content-security-policy";

/// Every `src="..."` and `href="..."` in a document.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let rest = html.get(at + attr.len()..).unwrap_or_default();
            if let Some(end) = rest.find('"') {
                out.push(rest.get(..end).unwrap_or_default().to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn the_page_and_its_assets_come_from_the_binary_under_a_strict_policy() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let header = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert!(header(&res, "content-type").starts_with("text/html"));
    let policy = header(&res, CSP);
    assert!(policy.starts_with("default-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    let html = res.text().await.unwrap();

    // No inline script or style: the policy would block them anyway.
    assert!(!html.contains("<style"), "inline <style>");
    assert!(!html.contains(" style=\""), "inline style attribute");
    for (at, _) in html.match_indices("<script") {
        let tag = html
            .get(at..)
            .and_then(|t| t.split('>').next())
            .unwrap_or_default();
        assert!(tag.contains("src=\"/assets/"), "inline script: {tag}");
    }

    // Everything the page loads is under /assets/, served with the policy;
    // links go to this service only.
    let refs = references(&html);
    let assets: Vec<&String> = refs.iter().filter(|r| r.starts_with("/assets/")).collect();
    assert!(assets.len() >= 3, "{refs:?}");
    for r in &refs {
        assert!(
            r.starts_with('/') || r.starts_with('#'),
            "a reference off this origin: {r}"
        );
    }
    for asset in assets {
        let res = app.get(asset).await;
        assert_eq!(res.status(), 200, "{asset}");
        assert!(
            header(&res, CSP).starts_with("default-src 'self'"),
            "{asset}"
        );
        let want = match asset.rsplit('.').next() {
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            other => panic!("unexpected asset type {other:?}"),
        };
        assert!(header(&res, "content-type").starts_with(want), "{asset}");
    }

    // An unknown asset is the service's 404 problem, not a page.
    let res = app.get("/assets/nothing.js").await;
    assert_eq!(res.status(), 404);
    assert_eq!(header(&res, "content-type"), "application/problem+json");

    // Swagger UI keeps its own headers: the page's policy is not on it.
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, CSP).is_empty(), "{}", header(&res, CSP));
}

#[tokio::test]
async fn the_script_calls_only_this_service_and_never_parses_report_text_as_html() {
    let app = spawn_app().await;
    let mut script = String::new();
    for asset in ["/assets/ui.js", "/assets/page.js"] {
        let res = app.get(asset).await;
        assert_eq!(res.status(), 200, "{asset}");
        script.push_str(&res.text().await.unwrap());
    }
    // The only absolute URL is the SVG namespace (an identifier, not a fetch).
    for (at, _) in script.match_indices("://") {
        let url = script.get(at..).unwrap_or_default();
        assert!(
            url.starts_with("://www.w3.org/2000/svg\""),
            "an absolute URL in the script: {}",
            url.get(..40).unwrap_or(url)
        );
    }
    for path in ["\"/v1/probes\"", "\"/v1/readiness\""] {
        assert!(script.contains(path), "{path}");
    }
    assert!(script.contains("fetch(path"), "one fetch helper");
    // Server text (greetings, error texts) reaches the page as text only.
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!script.contains(sink), "{sink}");
    }
}

#[tokio::test]
async fn the_page_is_open_when_api_keys_are_required_and_is_no_api_operation() {
    let keys = "page-key-0123456789abcdef";
    let app = spawn_app_with(&["--api-keys", keys]).await;
    for path in ["/", "/assets/page.js", "/assets/page.css"] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    // The API behind it still asks for the key the page's field sends.
    assert_eq!(app.get("/v1/profiles").await.status(), 401);
    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|p| p.starts_with("/v1/")
            || p.starts_with("/healthz")
            || p.starts_with("/readyz")
            || p.starts_with("/metrics")),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    assert!(!paths.contains_key("/"));
}
