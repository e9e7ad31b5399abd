//! `POST /v1/probes:batch`: NDJSON lines as probes finish, problems per
//! target, cancellation on disconnect, and the shared caps.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::openssl_server::{OpensslServer, Profile};

async fn post_batch(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/probes:batch"))
        .json(body)
        .send()
        .await
        .expect("request")
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

/// Given two fixtures, a bad target and a refused one, when batched, then
/// each target gets exactly one line with its index and id: Reports for the
/// fixtures, problems for the others, and the batch itself is a 200.
#[tokio::test]
async fn batch_streams_one_line_per_target_with_problems_inline() {
    let exchange = OpensslServer::profile(Profile::Exchange2010);
    let modern = OpensslServer::profile(Profile::Modern);
    // Loopback is allowed for 127.0.0.1 only, so 127.0.0.2 is refused.
    let app = spawn_app_with(&["--allow-targets", "127.0.0.1/32"]).await;
    let resp = post_batch(
        &app,
        &json!({"targets": [
            {"id": "ex", "host": "127.0.0.1", "port": exchange.port()},
            {"id": "modern", "host": "127.0.0.1", "port": modern.port(), "timeout_ms": 5000},
            {"id": "bad", "host": "127.0.0.1", "port": 0},
            {"id": "refused", "host": "127.0.0.2", "port": 993},
            {"host": "127.0.0.1", "port": exchange.port(), "prot": "imap"},
        ]}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/x-ndjson"
    );
    let resp_request_id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    let lines = ndjson(&resp.text().await.unwrap());
    assert_eq!(lines.len(), 5, "{lines:#?}");
    let by_index: BTreeMap<u64, &Value> = lines
        .iter()
        .map(|l| (l["index"].as_u64().unwrap(), l))
        .collect();
    assert_eq!(
        by_index.keys().copied().collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );

    let ex = by_index[&0];
    assert_eq!(ex["id"], "ex");
    // Each Report carries the batch request's id (the response echoes it).
    let request_id = resp_request_id.as_str();
    assert_eq!(ex["report"]["request_id"], request_id);
    let versions: Vec<&str> = ex["report"]["tls"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["offered"] == true)
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["TLSv1.0"]);
    let stats = &ex["report"]["stats"];
    for counter in ["connections", "handshakes", "bytes_sent", "bytes_received"] {
        assert!(stats[counter].as_u64().unwrap() > 0, "{counter}: {stats}");
    }
    let steps: Vec<&str> = ex["report"]["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["step"].as_str().unwrap())
        .collect();
    for step in [
        "tcp_connect",
        "tls_scan",
        "mail_dialogue",
        "client_trials",
        "tls_handshakes",
    ] {
        assert!(steps.contains(&step), "{step} in {steps:?}");
    }
    assert_eq!(by_index[&1]["id"], "modern");
    assert!(by_index[&1]["report"].is_object());

    assert_eq!(by_index[&2]["problem"]["field"], "port");
    assert_eq!(by_index[&2]["id"], "bad");
    assert_eq!(
        by_index[&3]["problem"]["type"],
        "urn:mailprobe:problem:target-refused"
    );
    assert_eq!(by_index[&4]["problem"]["field"], "prot");
    assert!(by_index[&4].get("id").is_none());
}

#[tokio::test]
async fn batch_limits_are_checked_up_front() {
    let app = spawn_app_with(&["--allow-targets", "127.0.0.0/8", "--max-batch", "2"]).await;
    let t = json!({"host": "127.0.0.1", "port": 1});
    let resp = post_batch(&app, &json!({"targets": [t, t, t]})).await;
    assert_eq!(resp.status(), 422);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["field"], "targets");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("MAILPROBE_MAX_BATCH")
    );
    let resp = post_batch(&app, &json!({"targets": []})).await;
    assert_eq!(resp.status(), 422);
    let resp = post_batch(&app, &json!({"targets": [t], "extra": 1})).await;
    assert_eq!(resp.status(), 422);
}

/// Given a long batch against one fixture, when the client reads one line
/// and hangs up, then the remaining probes are cancelled: after a short
/// grace the fixture sees no new connections.
#[tokio::test]
async fn a_client_that_disconnects_cancels_the_rest() {
    let fixture = OpensslServer::profile(Profile::Exchange2010);
    let app = spawn_app().await;
    let target = json!({"host": "127.0.0.1", "port": fixture.port()});
    let targets: Vec<Value> = (0..200).map(|_| target.clone()).collect();
    let resp = post_batch(&app, &json!({"targets": targets, "parallelism": 2})).await;
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let mut seen = Vec::new();
    while !seen.contains(&b'\n') {
        let chunk = body.next().await.expect("a first line").expect("bytes");
        seen.extend_from_slice(&chunk);
    }
    drop(body);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_grace = fixture.connections();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        fixture.connections(),
        after_grace,
        "probes kept connecting after the client left"
    );
    // 200 full probes would be thousands of connections.
    assert!(after_grace < 400, "{after_grace} connections");
}

/// Batch probes wait for probe slots rather than failing: with one slot
/// and a batch of three, every line is a Report.
#[tokio::test]
async fn batch_probes_queue_for_capacity_instead_of_429() {
    let fixture = OpensslServer::profile(Profile::Modern);
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--max-concurrent-probes",
        "1",
    ])
    .await;
    let target = json!({"host": "127.0.0.1", "port": fixture.port()});
    let resp = post_batch(&app, &json!({"targets": [target, target, target]})).await;
    let lines = ndjson(&resp.text().await.unwrap());
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert!(l["report"].is_object(), "{l}");
    }
}

#[tokio::test]
async fn batch_is_in_the_openapi_document() {
    let app = spawn_app().await;
    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    let batch = &spec["paths"]["/v1/probes:batch"]["post"];
    assert!(batch.is_object());
    assert!(batch["responses"]["200"]["content"]["application/x-ndjson"].is_object());
}

/// Given a batch holding what it may of the probe slots, a single probe
/// beside it still runs (a batch takes at most half the slots).
#[tokio::test]
async fn a_batch_leaves_room_for_single_probes() {
    let fixture = OpensslServer::profile(Profile::Modern);
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--max-concurrent-probes",
        "2",
        "--batch-parallelism",
        "8",
    ])
    .await;
    let target = json!({"host": "127.0.0.1", "port": fixture.port()});
    let targets: Vec<Value> = (0..20).map(|_| target.clone()).collect();
    let body = json!({"targets": targets});
    let batch = post_batch(&app, &body);
    let single = async {
        // Let the batch take its slots first.
        tokio::time::sleep(Duration::from_millis(100)).await;
        app.post_probe(&target).await.status().as_u16()
    };
    let (batch, single) = tokio::join!(batch, single);
    assert_eq!(single, 200, "the single probe found a free slot");
    assert_eq!(ndjson(&batch.text().await.unwrap()).len(), 20);
}
