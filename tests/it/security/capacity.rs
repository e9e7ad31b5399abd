//! Item 5: one caller cannot take the whole service. Small caps and a
//! silent server make the worst batch mix deterministic: the assertions wait
//! for states (probes in flight), never for durations.
//!
//! On the old code a second batch of the same caller was accepted, every
//! batch probe queued for a global slot with no time limit, and two batches
//! of parallelism 2 held all 4 probe slots: a single probe got 429.

use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app_with};
use crate::support::hostile_servers::{self, drain};

const KEY_A: &str = "batch-key-a-0123456789";
const KEY_B: &str = "batch-key-b-0123456789";
const KEY_C: &str = "batch-key-c-0123456789";

async fn small_app() -> TestApp {
    let keys = format!("{KEY_A},{KEY_B},{KEY_C}");
    spawn_app_with(&[
        "--api-keys",
        &keys,
        "--allow-targets",
        "127.0.0.0/8",
        "--max-concurrent-probes",
        "4",
        "--batch-parallelism",
        "2",
        "--max-batches",
        "2",
        "--max-batches-per-caller",
        "1",
    ])
    .await
}

fn batch(port: u16, n: usize, timeout_ms: u64) -> Value {
    let target = json!({
        "host": "127.0.0.1", "port": port, "protocol": "imap",
        "transport": "implicit", "timeout_ms": timeout_ms,
    });
    json!({"targets": vec![target; n], "parallelism": 2})
}

async fn post_batch(app: &TestApp, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/probes:batch"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn in_flight(app: &TestApp) -> u64 {
    let r: Value = app.get("/readyz").await.json().await.unwrap();
    r["probes_in_flight"].as_u64().unwrap_or(0)
}

/// Waits (polling state, bounded) until `n` probes hold slots.
async fn until_in_flight(app: &TestApp, n: u64) {
    for _ in 0..1000 {
        if in_flight(app).await >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("never {n} probes in flight");
}

#[tokio::test]
async fn a_single_probe_is_answered_while_the_worst_batch_mix_runs() {
    let app = small_app().await;
    let silent = hostile_servers::spawn(drain).await;
    let slow = batch(silent.port, 6, 60_000);

    let a = post_batch(&app, KEY_A, &slow).await;
    assert_eq!(a.status(), 200);
    let again = post_batch(&app, KEY_A, &slow).await;
    assert_eq!(again.status(), 429, "a second batch of the same caller");
    let b = post_batch(&app, KEY_B, &slow).await;
    assert_eq!(b.status(), 200);
    let c = post_batch(&app, KEY_C, &slow).await;
    assert_eq!(
        c.status(),
        429,
        "a third batch beyond MAILPROBE_MAX_BATCHES"
    );
    assert!(c.headers().get("retry-after").is_some());

    // Both running batches want 2 probes each; together they get half the
    // 4 slots, and no more however long they wait.
    until_in_flight(&app, 2).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let single = app
        .client
        .post(app.url("/v1/probes"))
        .bearer_auth(KEY_C)
        .json(&json!({"host": "127.0.0.1", "port": port, "protocol": "tls", "timeout_ms": 5000}))
        .send()
        .await
        .unwrap();
    assert_eq!(single.status(), 200, "a single probe beside the batches");
    assert!(in_flight(&app).await <= 3);
    drop((a, b));
}

/// A batch probe that cannot get a slot before its deadline ends as a
/// timeout Report (before: it waited for a slot with no time limit).
#[tokio::test]
async fn a_queued_batch_probe_times_out_as_a_report() {
    let app = small_app().await;
    let silent = hostile_servers::spawn(drain).await;
    let hold = post_batch(&app, KEY_A, &batch(silent.port, 2, 60_000)).await;
    assert_eq!(hold.status(), 200);
    until_in_flight(&app, 2).await;

    let queued = post_batch(&app, KEY_B, &batch(silent.port, 2, 300)).await;
    assert_eq!(queued.status(), 200);
    let text = queued.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    for line in &lines {
        let errors = line["report"]["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            errors.iter().any(|e| e["kind"] == "timeout"
                && e["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("no free probe slot")),
            "{line}"
        );
    }
    drop(hold);
}

/// Each batch target counts against the caller's rate limit (before, a
/// batch of any size cost one request).
#[tokio::test]
async fn batch_targets_count_against_the_rate_limit() {
    let app = spawn_app_with(&["--rate-limit", "5"]).await;
    // Refused targets (loopback is not allowed here): quick problem lines.
    let body = json!({"targets": vec![json!({"host": "127.0.0.1", "port": 993}); 5]});
    let res = app
        .client
        .post(app.url("/v1/probes:batch"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let _ = res.text().await;
    let next = app.get("/v1/profiles").await;
    assert_eq!(next.status(), 429, "the batch used the caller's 5 requests");
    // Over the allowance, a batch is refused before it runs.
    let res = app
        .client
        .post(app.url("/v1/probes:batch"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);

    // A batch larger than the whole allowance still runs on a full one
    // (and empties it) rather than never fitting.
    let app = spawn_app_with(&["--rate-limit", "3"]).await;
    let big = json!({"targets": vec![json!({"host": "127.0.0.1", "port": 993}); 10]});
    let res = app
        .client
        .post(app.url("/v1/probes:batch"))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let _ = res.text().await;
    assert_eq!(app.get("/v1/profiles").await.status(), 429);
}
