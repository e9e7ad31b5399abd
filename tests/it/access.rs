//! API keys and rate limits (issue 8) through the real service. The probe
//! requests here name a target the default policy refuses (403), so a
//! request that gets past the guard never touches the network.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app_with};

const KEY_A: &str = "ops-key-4f9c2e7a1b3d5f60";
const KEY_B: &str = "ci-key-0a1b2c3d4e5f6789";

async fn send(app: &TestApp, path: &str, key: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    req.send().await.expect("request")
}

async fn problem(res: reqwest::Response) -> (u16, Option<String>, Option<String>, Value) {
    let status = res.status().as_u16();
    let header = |n: &str| {
        res.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let challenge = header("www-authenticate");
    let retry = header("retry-after");
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, challenge, retry, body)
}

const REFUSED_PROBE: &str = "/v1/probes?host=127.0.0.1&port=993";

#[tokio::test]
async fn with_keys_configured_the_api_requires_a_bearer_key() {
    let keys = format!("{KEY_A},{KEY_B}");
    let app = spawn_app_with(&["--api-keys", &keys]).await;

    let (status, challenge, _, p) = problem(send(&app, REFUSED_PROBE, None).await).await;
    assert_eq!(status, 401);
    assert_eq!(p["type"], "urn:mailprobe:problem:unauthorized");
    assert_eq!(challenge.as_deref(), Some("Bearer realm=\"mailprobe\""));

    let wrong = "ops-key-4f9c2e7a1b3d5f61";
    let (status, challenge, _, p) = problem(send(&app, REFUSED_PROBE, Some(wrong)).await).await;
    assert_eq!(status, 401);
    assert_eq!(
        challenge.as_deref(),
        Some("Bearer realm=\"mailprobe\", error=\"invalid_token\"")
    );
    assert!(!p.to_string().contains(wrong), "the key is not echoed: {p}");

    // Another scheme is not a key.
    let res = app
        .client
        .get(app.url("/v1/profiles"))
        .header("authorization", format!("Basic {KEY_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Either key passes the guard (and the policy then refuses the target).
    for key in [KEY_A, KEY_B] {
        let res = send(&app, REFUSED_PROBE, Some(key)).await;
        assert_eq!(res.status(), 403, "{key}");
        let res = send(&app, "/v1/profiles", Some(key)).await;
        assert_eq!(res.status(), 200);
    }
    // POST too.
    let res = app
        .client
        .post(app.url("/v1/probes"))
        .json(&json!({"host": "127.0.0.1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Health, readiness, the contract and the docs stay open.
    for open in ["/healthz", "/readyz", "/openapi.json", "/docs/"] {
        let res = send(&app, open, None).await;
        assert_eq!(res.status(), 200, "{open}");
    }
}

#[tokio::test]
async fn keys_can_come_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys");
    std::fs::write(&path, format!("# team keys\n{KEY_A}\n\n{KEY_B}\n")).unwrap();
    let path = path.to_string_lossy().into_owned();
    let app = spawn_app_with(&["--api-key-file", &path]).await;
    assert_eq!(send(&app, "/v1/profiles", None).await.status(), 401);
    assert_eq!(send(&app, "/v1/profiles", Some(KEY_B)).await.status(), 200);
}

#[tokio::test]
async fn over_the_rate_limit_a_caller_gets_429_with_retry_after() {
    let app = spawn_app_with(&["--rate-limit", "3"]).await;
    for i in 0..3 {
        assert_eq!(send(&app, "/v1/profiles", None).await.status(), 200, "{i}");
    }
    let (status, _, retry, p) = problem(send(&app, "/v1/findings", None).await).await;
    assert_eq!(status, 429);
    assert_eq!(p["type"], "urn:mailprobe:problem:rate-limited");
    let secs: u64 = retry.as_deref().and_then(|r| r.parse().ok()).unwrap_or(0);
    // 3 per minute: the next request is allowed 20 s later.
    assert!((1..=20).contains(&secs), "Retry-After {retry:?}");
    assert_eq!(p["retry_after"], secs);
    // Health is not counted and not limited.
    for _ in 0..10 {
        assert_eq!(send(&app, "/healthz", None).await.status(), 200);
    }
}

#[tokio::test]
async fn the_rate_limit_is_per_key() {
    let keys = format!("{KEY_A},{KEY_B}");
    let app = spawn_app_with(&["--api-keys", &keys, "--rate-limit", "2"]).await;
    for _ in 0..2 {
        assert_eq!(send(&app, "/v1/profiles", Some(KEY_A)).await.status(), 200);
    }
    assert_eq!(send(&app, "/v1/profiles", Some(KEY_A)).await.status(), 429);
    assert_eq!(send(&app, "/v1/profiles", Some(KEY_B)).await.status(), 200);
}

#[tokio::test]
async fn rate_limit_zero_is_off() {
    let app = spawn_app_with(&["--rate-limit", "0"]).await;
    for _ in 0..50 {
        assert_eq!(send(&app, "/v1/profiles", None).await.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
}

/// actix-web bounds the request head (128 KiB, 96 headers): a larger head
/// is refused without a 5xx, and the service stays healthy.
#[tokio::test]
async fn an_oversized_request_head_is_refused_not_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(&[]).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    for head in [
        format!(
            "GET /v1/profiles HTTP/1.1\r\nhost: x\r\nx-pad: {}\r\n\r\n",
            "a".repeat(200 * 1024)
        ),
        format!(
            "GET /v1/profiles HTTP/1.1\r\nhost: x\r\n{}\r\n",
            (0..200)
                .map(|i| format!("x-h{i}: v\r\n"))
                .collect::<String>()
        ),
    ] {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let _ = s.write_all(head.as_bytes()).await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut answer)).await;
        let text = String::from_utf8_lossy(&answer);
        let status = text.split(' ').nth(1).unwrap_or("");
        assert!(
            status.is_empty() || status.starts_with('4'),
            "answered {status:?}"
        );
    }
    assert_eq!(send(&app, "/healthz", None).await.status(), 200);
}

/// API keys never reach the logs, problems, or the settings' `Debug`.
#[tokio::test]
async fn api_keys_never_appear_in_logs_or_settings() {
    let logs = crate::mail::captured_logs();
    let keys = format!("{KEY_A},{KEY_B}");
    let settings = crate::support::app::settings(&["--api-keys", &keys]);
    let shown = format!("{settings:?}");
    assert!(!shown.contains(KEY_A) && !shown.contains(KEY_B), "{shown}");

    let app = spawn_app_with(&["--api-keys", &keys, "--log", "trace"]).await;
    let wrong = "wrong-key-but-secret-0123456789";
    let mut bodies = Vec::new();
    for key in [Some(KEY_A), Some(wrong), None] {
        for path in [REFUSED_PROBE, "/v1/profiles"] {
            let res = send(&app, path, key).await;
            if path == REFUSED_PROBE {
                bodies.push(res.text().await.unwrap_or_default());
            }
        }
    }
    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    for secret in [KEY_A, KEY_B, wrong] {
        assert!(!logged.contains(secret), "a key in the logs");
        assert!(
            !bodies.iter().any(|b| b.contains(secret)),
            "a key in a body"
        );
    }
    assert!(logged.contains("/v1/profiles"), "the requests were logged");
}
