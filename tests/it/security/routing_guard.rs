//! Item 1: the API-key guard decides on the path actix routes on. Every
//! spelling of a protected route gets 401 without a key (or 404 when it
//! does not route), never 200 from a handler. On the old guard (`raw path
//! starts with /v1/`) `/%761/probes` answered 200 with a full Report.

use std::net::TcpListener;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::app::{TestApp, spawn_app_with};

const KEY: &str = "sec-key-0123456789abcdef";

/// A loopback port nothing listens on: a probe that got through would
/// answer 200 with a "connection refused" Report, quickly.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn keyed_app() -> TestApp {
    spawn_app_with(&["--api-keys", KEY, "--allow-targets", "127.0.0.0/8"]).await
}

/// Sends `target` byte for byte (reqwest would normalise `/./`, `//`, ...)
/// and returns the status code.
async fn raw_status(app: &TestApp, method: &str, target: &str, body: &str) -> u16 {
    let addr = app.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed before a status line");
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head).to_string();
    line.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {line:?}"))
}

fn assert_guarded(spelling: &str, status: u16) {
    assert!(
        status == 401 || status == 404,
        "{spelling} reached a handler without a key: {status}"
    );
}

/// Spellings of `/v1/probes` (a path suffix is appended).
fn probe_spellings() -> Vec<&'static str> {
    vec![
        "/v1/probes",
        "/%761/probes",
        "/v%31/probes",
        "/%76%31/%70%72%6F%62%65%73",
        "/%56%31/probes",
        "/v1%2Fprobes",
        "/%2Fv1/probes",
        "//v1/probes",
        "/v1//probes",
        "/./v1/probes",
        "/v1/./probes",
        "/x/../v1/probes",
        "/healthz/../v1/probes",
        "/docs/../v1/probes",
        "/docs%2F..%2Fv1/probes",
        "/V1/probes",
        "/v1/PROBES",
        "/v1/probes/",
        "/v1/probes//",
    ]
}

#[tokio::test]
async fn no_spelling_of_a_probe_route_passes_without_a_key() {
    let app = keyed_app().await;
    let port = closed_port();
    for path in probe_spellings() {
        let target = format!("{path}?host=127.0.0.1&port={port}&protocol=tls");
        assert_guarded(
            &format!("GET {target}"),
            raw_status(&app, "GET", &target, "").await,
        );
        let body = format!(r#"{{"host":"127.0.0.1","port":{port},"protocol":"tls"}}"#);
        assert_guarded(
            &format!("POST {path}"),
            raw_status(&app, "POST", path, &body).await,
        );
    }
}

#[tokio::test]
async fn no_spelling_of_batch_or_readiness_passes_without_a_key() {
    let app = keyed_app().await;
    let port = closed_port();
    let batch = format!(r#"{{"targets":[{{"host":"127.0.0.1","port":{port},"protocol":"tls"}}]}}"#);
    for path in [
        "/v1/probes:batch",
        "/v1/probes%3Abatch",
        "/v1/probes%3abatch",
        "/%761/probes%3Abatch",
        "/v1/probes:%62atch",
        "//v1/probes:batch",
        "/./v1/probes:batch",
        "/v1/probes:batch/",
        "/V1/probes:batch",
    ] {
        assert_guarded(path, raw_status(&app, "POST", path, &batch).await);
    }
    let readiness = format!(r#"{{"host":"127.0.0.1","ports":{{"imaps":{port}}}}}"#);
    for path in [
        "/v1/readiness",
        "/%761/readiness",
        "/v1/readines%73",
        "/v1/%72eadiness",
        "//v1/readiness",
        "/v1/./readiness",
        "/v1/readiness/",
        "/V1/Readiness",
    ] {
        assert_guarded(path, raw_status(&app, "POST", path, &readiness).await);
    }
}

#[tokio::test]
async fn every_operation_of_the_openapi_document_but_the_open_ones_needs_the_key() {
    let app = keyed_app().await;
    let api = mailprobe::http::openapi();
    let open = ["/healthz", "/readyz", "/metrics"];
    let mut checked = 0;
    for (path, item) in &api.paths.paths {
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("DELETE", item.delete.is_some()),
            ("PATCH", item.patch.is_some()),
        ];
        for (method, present) in methods {
            if !present {
                continue;
            }
            let status = raw_status(&app, method, path, "{}").await;
            if open.contains(&path.as_str()) {
                assert_ne!(status, 401, "{method} {path} is open");
            } else {
                assert_eq!(status, 401, "{method} {path} without a key");
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "only {checked} guarded operations found");
    // The open list stays open, and unknown paths are guarded too.
    for path in ["/openapi.json", "/docs/"] {
        assert_eq!(raw_status(&app, "GET", path, "").await, 200, "{path}");
    }
    assert_eq!(raw_status(&app, "GET", "/no/such/route", "").await, 401);
}
