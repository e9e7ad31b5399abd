//! The HTTP API against the real service and real fixture servers.

use serde_json::{Value, json};

use crate::support::app::{spawn_app, spawn_app_with};
use crate::support::rustls_server::{self, Options};

async fn problem(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(ct, "application/problem+json", "status {status}");
    (status, resp.json().await.expect("json"))
}

#[tokio::test]
async fn health_readiness_and_docs_are_served() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["probe_capacity"], 256);
    let r = app.get("/docs/").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("swagger-ui"));
    let r = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(
        r.status(),
        200,
        "swagger assets are vendored into the binary"
    );
    let r = app.get("/openapi.json").await;
    let spec: Value = r.json().await.unwrap();
    assert!(spec["paths"]["/v1/probes"]["post"].is_object());
}

#[tokio::test]
async fn given_a_tls_imap_fixture_when_probed_then_report_has_handshake_and_greeting() {
    let fixture = rustls_server::start(Options::default()).await;
    let app = spawn_app().await;
    // The fixture's private root is passed as the request's trust anchor,
    // as an operator with an internal CA would.
    let resp = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": fixture.addr.port(),
            "ca_bundle_pem": fixture.root_pem,
        }))
        .await;
    assert_eq!(resp.status(), 200);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["target"]["transport"], "implicit");
    assert_eq!(report["target"]["addresses"], json!(["127.0.0.1"]));
    assert_eq!(report["connect"]["ok"], true);
    assert_eq!(report["tls"]["handshake"]["version"], "TLSv1.3");
    let suite = report["tls"]["handshake"]["suite"]["name"]
        .as_str()
        .unwrap();
    assert!(
        suite.starts_with("TLS_AES_") || suite.starts_with("TLS_CHACHA20"),
        "{suite}"
    );
    assert!(
        report["tls"]["handshake"]["suite"]["iana"]
            .as_str()
            .unwrap()
            .starts_with("0x13")
    );
    assert_eq!(
        report["mail"]["greeting"],
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fixture IMAP ready."
    );
    assert_eq!(report["tls"]["certificate"]["trusted"], true, "{report:#}");
    assert_eq!(report["tls"]["certificate"]["trust_store"], "request");
    assert_eq!(report["verdict"], "pass", "{report:#}");
    assert!(report["stats"]["connections"].as_u64().unwrap() >= 1);
    // Not yet measured: present and empty, never invented.
    assert!(report["clients"].is_array());
    assert!(report["findings"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn tls12_only_fixture_negotiates_tls12_suite() {
    let fixture = rustls_server::start(Options {
        versions: vec![&rustls::version::TLS12],
        ..Options::default()
    })
    .await;
    let app = spawn_app().await;
    let report: Value = app
        .post_probe(
            &json!({"host": "127.0.0.1", "port": fixture.addr.port(), "transport": "implicit"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["tls"]["handshake"]["version"], "TLSv1.2");
    let name = report["tls"]["handshake"]["suite"]["name"]
        .as_str()
        .unwrap();
    assert!(name.starts_with("TLS_ECDHE_RSA_WITH_"), "{name}");
}

#[tokio::test]
async fn closed_port_is_a_failing_report_not_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app().await;
    let resp = app
        .post_probe(&json!({"host": "127.0.0.1", "port": port}))
        .await;
    assert_eq!(resp.status(), 200);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["connect"]["ok"], false);
    assert_eq!(report["findings"][0]["id"], "PORT_CLOSED");
    assert_eq!(report["errors"][0]["step"], "tcp_connect");
    assert_eq!(report["errors"][0]["kind"], "refused");
}

#[tokio::test]
async fn plaintext_server_on_implicit_port_fails_the_handshake() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s.write_all(b"* OK plaintext IMAP\r\n").await;
        }
    });
    let app = spawn_app().await;
    let report: Value = app
        .post_probe(&json!({"host": "127.0.0.1", "port": port, "transport": "implicit", "timeout_ms": 5000}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["errors"][0]["step"], "tls_handshake");
    assert!(report["tls"]["handshake"].is_null());
}

#[tokio::test]
async fn loopback_is_refused_by_default_with_the_setting_named() {
    let app = spawn_app_with(&[]).await;
    for path in [
        "/v1/probes?host=127.0.0.1&port=993",
        "/v1/probes?host=localhost&port=993",
    ] {
        let (status, p) = problem(app.get(path).await).await;
        assert_eq!(status, 403);
        assert_eq!(p["type"], "urn:mailprobe:problem:target-refused");
        assert_eq!(p["rule"], "loopback");
        assert_eq!(p["setting"], "MAILPROBE_ALLOW_TARGETS");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("MAILPROBE_ALLOW_TARGETS")
        );
    }
    let (status, p) = problem(app.post_probe(&json!({"host": "169.254.169.254"})).await).await;
    assert_eq!((status, p["rule"].as_str()), (403, Some("link-local")));
    let (status, p) = problem(app.post_probe(&json!({"host": "::ffff:10.0.0.1"})).await).await;
    assert_eq!((status, p["rule"].as_str()), (403, Some("private")));
}

#[tokio::test]
async fn deny_list_wins_over_allow_list() {
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--deny-targets",
        "127.0.0.2",
    ])
    .await;
    let (status, p) = problem(
        app.post_probe(&json!({"host": "127.0.0.2", "port": 993}))
            .await,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(p["rule"], "deny-list");
    assert_eq!(p["setting"], "MAILPROBE_DENY_TARGETS");
}

#[tokio::test]
async fn malformed_requests_name_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), 422, Some("host")),
        (json!({"host": ""}), 422, Some("host")),
        (json!({"host": "a b"}), 422, Some("host")),
        (json!({"host": "x.example", "port": 0}), 422, Some("port")),
        (
            json!({"host": "x.example", "port": 70000}),
            422,
            Some("port"),
        ),
        (
            json!({"host": "x.example", "protocol": "imap4"}),
            422,
            Some("protocol"),
        ),
        (
            json!({"host": "x.example", "transport": "ssl"}),
            422,
            Some("transport"),
        ),
        (
            json!({"host": "x.example", "timeout_ms": 1}),
            422,
            Some("timeout_ms"),
        ),
        (
            json!({"host": "x.example", "profiles": ["nope"]}),
            422,
            Some("profiles"),
        ),
        (
            json!({"host": "x.example", "sni": "10.0.0.1"}),
            422,
            Some("sni"),
        ),
        (
            json!({"host": "x.example", "colour": "red"}),
            422,
            Some("colour"),
        ),
        (json!(["x.example"]), 422, None),
    ];
    for (body, status, field) in cases {
        let (s, p) = problem(app.post_probe(&body).await).await;
        assert_eq!(s, status, "{body}");
        assert_eq!(p["status"], status);
        assert_eq!(p["field"].as_str(), field, "{body}: {p}");
        assert!(
            p["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:mailprobe:problem:")
        );
    }
    let (s, p) = problem(
        app.post_raw("/v1/probes", "application/json", b"{\"host\": ".to_vec())
            .await,
    )
    .await;
    assert_eq!(
        (s, p["type"].as_str()),
        (400, Some("urn:mailprobe:problem:malformed-json"))
    );
    let (s, p) = problem(
        app.post_raw("/v1/probes", "text/plain", b"host=x".to_vec())
            .await,
    )
    .await;
    assert_eq!((s, p["field"].as_str()), (415, Some("Content-Type")));
    let big = format!("{{\"host\": \"{}\"}}", "a".repeat(100_000));
    let (s, p) = problem(
        app.post_raw("/v1/probes", "application/json", big.into_bytes())
            .await,
    )
    .await;
    assert_eq!(
        (s, p["type"].as_str()),
        (413, Some("urn:mailprobe:problem:body-too-large"))
    );
    let (s, p) = problem(app.get("/v1/probes?host=x.example&port=abc").await).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("port")));
    let (s, p) = problem(app.get("/v1/probes?port=993").await).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("host")));
    let (s, _) = problem(app.get("/v1/nothing-here").await).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn over_capacity_is_429_with_retry_after() {
    // One probe slot; hold it with a probe of a server that never answers TLS.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--max-concurrent-probes",
        "1",
    ])
    .await;
    let slow = {
        let client = app.client.clone();
        let url = app.url("/v1/probes");
        tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"host": "127.0.0.1", "port": port, "timeout_ms": 3000}))
                .send()
                .await
        })
    };
    // Wait until the first probe holds the slot.
    for _ in 0..100 {
        let r: Value = app.get("/readyz").await.json().await.unwrap();
        if r["probes_in_flight"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let resp = app
        .post_probe(&json!({"host": "127.0.0.1", "port": port}))
        .await;
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let (s, p) = problem(resp).await;
    assert_eq!(
        (s, p["type"].as_str()),
        (429, Some("urn:mailprobe:problem:over-capacity"))
    );
    assert_eq!(app.get("/readyz").await.status(), 503);
    let first: Value = slow.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(first["errors"][0]["kind"], "timeout");
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = app.get("/healthz").await;
    assert_eq!(r.headers()["x-request-id"].len(), 32);
}

#[tokio::test]
async fn profiles_endpoint_lists_every_profile_with_its_offer_and_rules() {
    let app = spawn_app().await;
    let resp = app.get("/v1/profiles").await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let profiles = body["profiles"].as_array().unwrap();
    let ids: Vec<&str> = profiles.iter().map(|p| p["id"].as_str().unwrap()).collect();
    for id in [
        "exchange-online",
        "google-workspace",
        "imapsync",
        "openssl-seclevel2",
        "thunderbird",
        "outlook-windows",
        "apple-mail",
        "java-17",
        "mozilla-intermediate",
        "mozilla-modern",
        "rfc9325",
    ] {
        assert!(ids.contains(&id), "{id} listed");
    }
    let exo = profiles
        .iter()
        .find(|p| p["id"] == "exchange-online")
        .unwrap();
    assert_eq!(exo["kind"], "migration");
    assert_eq!(exo["default_for"], json!(["imap"]));
    assert_eq!(exo["versions"], json!(["TLSv1.2"]));
    let suites: Vec<&str> = exo["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["iana"].as_str().unwrap())
        .collect();
    assert_eq!(
        suites,
        [
            "0xC030", "0xC02F", "0xC028", "0xC027", "0xC014", "0xC013", "0x009D", "0x009C"
        ]
    );
    assert_eq!(exo["certificate"]["sha1"], "enforced");
    assert_eq!(exo["certificate"]["trust"], "unknown");
    assert_eq!(exo["uncertain_versions"], json!(["TLSv1.3"]));
    assert!(exo["errors"].as_array().unwrap().iter().any(|e| {
        e["failure"] == "protocol_version"
            && e["text"]
                .as_str()
                .unwrap()
                .contains("do not possess a common algorithm")
    }));
    // Every id listed is accepted by a probe request.
    let r = app
        .get("/v1/probes?host=127.0.0.1&port=1&profiles=no-such-client")
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn findings_endpoint_lists_the_catalogue_with_remedies() {
    let app = spawn_app().await;
    let resp = app.get("/v1/findings").await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let findings = body["findings"].as_array().unwrap();
    let f = findings
        .iter()
        .find(|f| f["id"] == "TLS_MAX_VERSION_TOO_LOW")
        .expect("TLS_MAX_VERSION_TOO_LOW listed");
    assert_eq!(f["severity"], "critical");
    let remedies = f["remedies"].as_array().unwrap();
    let ex2010 = remedies
        .iter()
        .find(|r| r["software"] == "Exchange 2010")
        .unwrap();
    for word in ["cutover", "hybrid", "PST import"] {
        assert!(ex2010["text"].as_str().unwrap().contains(word), "{word}");
    }
    assert!(
        remedies.iter().any(|r| r["software"] == "Dovecot"
            && r["text"].as_str().unwrap().contains("ssl_min_protocol"))
    );
    assert!(remedies.iter().any(|r| r["software"] == "any"));
    for id in [
        "NO_COMMON_SUITE_EXCHANGE_ONLINE",
        "CERT_UNTRUSTED",
        "STARTTLS_NOT_OFFERED",
        "WRONG_SERVICE_ON_PORT",
        "HOST_NOT_RESOLVED",
    ] {
        assert!(findings.iter().any(|f| f["id"] == id), "{id}");
    }
}

#[tokio::test]
async fn given_a_modern_fixture_when_profiles_are_named_then_they_alone_decide_the_verdict() {
    let fixture = rustls_server::start(Options::default()).await;
    let app = spawn_app().await;
    let port = fixture.addr.port();

    // Default for IMAP: the migration clients decide.
    let report: Value = app
        .get(&format!("/v1/probes?host=127.0.0.1&port={port}"))
        .await
        .json()
        .await
        .unwrap();
    let deciding: Vec<&str> = report["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["decides_verdict"] == true)
        .map(|c| c["profile"].as_str().unwrap())
        .collect();
    assert_eq!(
        deciding,
        ["exchange-online", "google-workspace", "imapsync"]
    );
    let exo = report["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["profile"] == "exchange-online")
        .unwrap();
    assert_eq!(exo["name"], "Exchange Online IMAP migration");
    assert!(exo["basis"].is_string());

    // Named profiles: they alone decide.
    let resp = app
        .post_probe(
            &json!({"host": "127.0.0.1", "port": port, "profiles": ["java-17", "thunderbird"]}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let report: Value = resp.json().await.unwrap();
    let deciding: Vec<&str> = report["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["decides_verdict"] == true)
        .map(|c| c["profile"].as_str().unwrap())
        .collect();
    assert_eq!(deciding, ["thunderbird", "java-17"]);
}
