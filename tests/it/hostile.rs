//! Hostile servers (issue 8): each misbehaving server runs on loopback and is
//! probed through the HTTP API with a short deadline. For each: the Report
//! names what happened, arrives within the deadline plus a small margin, the
//! memory it took stays bounded, and the service answers `/healthz` after.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::app::{TestApp, spawn_app};
use crate::support::hostile_servers::{
    self as hs, drain, flood, partial_server_hello, read_some, record_header, reset,
};
use crate::support::pki::Ca;
use crate::support::rustls_server::{self, Options};

/// The probe deadline every case asks for.
const TIMEOUT_MS: u64 = 3000;
/// What the service may add on top: diagnosis, serialisation, scheduling on
/// two shared cores.
const MARGIN: Duration = Duration::from_millis(1500);
/// The Report of every case stays under this size.
const REPORT_MAX: usize = 128 * 1024;

/// The process's resident set, from /proc/self/status (kB).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub(crate) struct Outcome {
    pub(crate) report: Value,
}

impl Outcome {
    pub(crate) fn errors(&self) -> Vec<(String, String, String)> {
        self.report["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["step"].as_str().unwrap_or("").to_string(),
                            e["kind"].as_str().unwrap_or("").to_string(),
                            e["message"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An error of this step and kind, whose message contains `text`.
    pub(crate) fn has_error(&self, step: &str, kind: &str, text: &str) -> bool {
        self.errors()
            .iter()
            .any(|(s, k, m)| s == step && k == kind && m.contains(text))
    }

    pub(crate) fn assert_error(&self, step: &str, kind: &str, text: &str) {
        assert!(
            self.has_error(step, kind, text),
            "expected a {step}/{kind} error containing {text:?}; errors: {:#?}",
            self.errors()
        );
    }

    fn finding_ids(&self) -> Vec<String> {
        self.report["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn bytes_received(&self) -> u64 {
        self.report["stats"]["bytes_received"].as_u64().unwrap_or(0)
    }
}

/// Probes `port` through the API and checks what every case must hold:
/// a 200 Report within the deadline plus the margin, a small Report, bounded
/// memory, and a healthy service afterwards.
pub(crate) async fn probe(app: &TestApp, port: u16, transport: &str) -> Outcome {
    // One hostile probe at a time, so the RSS measured is this probe's.
    let _one_at_a_time = SERIAL.lock().await;
    let rss_before = rss_kb();
    let started = Instant::now();
    let res = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": port,
            "protocol": "imap",
            "transport": transport,
            "timeout_ms": TIMEOUT_MS,
        }))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(res.status(), 200, "a hostile server is never a 4xx/5xx");
    let text = res.text().await.expect("body");
    let report: Value = serde_json::from_str(&text).expect("report json");
    if let Some(dir) = std::env::var_os("HOSTILE_DUMP") {
        let _ = std::fs::write(
            std::path::Path::new(&dir).join(format!("{port}.json")),
            &text,
        );
    }
    assert!(
        elapsed <= Duration::from_millis(TIMEOUT_MS) + MARGIN,
        "the Report took {elapsed:?}, over the {TIMEOUT_MS} ms deadline plus {MARGIN:?}"
    );
    assert!(
        text.len() < REPORT_MAX,
        "the Report is {} bytes: server data leaked into it unbounded",
        text.len()
    );
    let grown_mb = rss_kb().saturating_sub(rss_before) / 1024;
    // Tests run side by side in one process, so this is a coarse bound:
    // what it catches is a reader that buffers a flood (tens of MB).
    assert!(grown_mb < 128, "RSS grew by {grown_mb} MB during the probe");
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200, "the service is healthy after");
    if std::env::var_os("HOSTILE_DEBUG").is_some() {
        eprintln!(
            "{elapsed:?} errors={:#?} findings={:?} summary={} stats={}",
            report["errors"],
            report["findings"]
                .as_array()
                .map(|a| a.iter().map(|f| f["id"].clone()).collect::<Vec<_>>()),
            report["summary"],
            report["stats"]
        );
    }
    Outcome { report }
}

// --- the plaintext mail dialogue -------------------------------------------

#[tokio::test]
async fn silence_after_connect_is_a_greeting_timeout() {
    let server = hs::spawn(drain).await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "starttls").await;
    out.assert_error("greeting", "timeout", "no greeting within");
    assert!(out.finding_ids().contains(&"NO_GREETING".to_string()));
    // The steps that never got a connection say why: the deadline, not a
    // filtered port.
    out.assert_error(
        "tls13_handshake",
        "timeout",
        "probe deadline reached before the TCP connect",
    );
    assert!(
        !out.errors().iter().any(|(_, _, m)| m.contains("filtered")),
        "{:#?}",
        out.errors()
    );
}

#[tokio::test]
async fn a_greeting_dripped_one_byte_per_second_times_out() {
    let server = hs::spawn(|mut s| async move {
        for b in b"* OK dripping greeting, one byte per second\r\n" {
            if s.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "starttls").await;
    out.assert_error("greeting", "timeout", "received so far: *");
    assert!(out.finding_ids().contains(&"NO_GREETING".to_string()));
}

#[tokio::test]
async fn a_10_mb_line_without_newline_hits_the_line_bound() {
    let server = hs::spawn(|mut s| async move {
        flood(&mut s, b'A', 10 << 20).await;
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "starttls").await;
    out.assert_error("greeting", "limit", "line longer than 8192 bytes");
    out.assert_error("tls_scan", "limit", "line longer than 8192 bytes");
    // 19 connections, each stopped at the line bound: far from 19 x 10 MB.
    assert!(
        out.bytes_received() < 1 << 20,
        "the probe read {} bytes",
        out.bytes_received()
    );
}

#[tokio::test]
async fn binary_garbage_is_named_as_not_imap() {
    let server = hs::spawn(|mut s| async move {
        let garbage: Vec<u8> = (0..65_536u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let _ = s.write_all(&garbage).await;
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "starttls").await;
    out.assert_error(
        "greeting",
        "protocol",
        "the first line is not the greeting of the protocol probed",
    );
    assert_eq!(out.finding_ids(), ["WRONG_SERVICE_ON_PORT"]);
}

#[tokio::test]
async fn starttls_ok_followed_by_plaintext_fails_the_handshake() {
    let server = hs::spawn(|mut s| async move {
        let _ = s
            .write_all(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n")
            .await;
        let mut buf = vec![0u8; 4096];
        let mut seen = Vec::new();
        loop {
            let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await
            else {
                return;
            };
            if n == 0 {
                return;
            }
            seen.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&seen).to_string();
            if let Some(line) = text.lines().last().filter(|_| text.ends_with('\n')) {
                let tag = line.split(' ').next().unwrap_or("a").to_string();
                let upper = line.to_ascii_uppercase();
                seen.clear();
                if upper.contains("STARTTLS") {
                    let _ = s
                        .write_all(format!("{tag} OK Begin TLS negotiation now.\r\n").as_bytes())
                        .await;
                    let _ = s
                        .write_all(b"* OK this is still plaintext, not TLS\r\n")
                        .await;
                    drain(s).await;
                    return;
                } else if upper.contains("CAPABILITY") {
                    let _ = s
                        .write_all(
                            format!(
                                "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n{tag} OK done\r\n"
                            )
                            .as_bytes(),
                        )
                        .await;
                } else {
                    let _ = s.write_all(format!("{tag} BAD no\r\n").as_bytes()).await;
                }
            }
        }
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "starttls").await;
    out.assert_error("tls_handshake", "tls", "InvalidContentType");
    out.assert_error(
        "tls_scan",
        "protocol",
        "the server answered in plaintext: \"* OK this is still plaintext",
    );
}

#[tokio::test]
async fn endless_capability_lines_hit_a_bound() {
    let server = hs::spawn(|mut s| async move {
        let _ = s.write_all(b"* OK ready\r\n").await;
        if !read_some(&mut s).await {
            return;
        }
        let line = b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN X-ENDLESS\r\n";
        let mut chunk = Vec::new();
        for _ in 0..1000 {
            chunk.extend_from_slice(line);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if s.write_all(&chunk).await.is_err() {
                return;
            }
        }
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "starttls").await;
    out.assert_error(
        "capability",
        "limit",
        "no tagged completion within 1000 responses",
    );
    out.assert_error(
        "tls_scan",
        "limit",
        "server sent more than 262144 bytes in total",
    );
    // Every connection stops at its byte bound (19 connections x 256 KiB).
    assert!(
        out.bytes_received() < 8 << 20,
        "read {}",
        out.bytes_received()
    );
}

// --- TLS records and handshake messages ------------------------------------

#[tokio::test]
async fn a_tls_record_with_a_lying_length_is_a_truncated_reply() {
    let server = hs::spawn(|mut s| async move {
        if !read_some(&mut s).await {
            return;
        }
        // Claims 16384 bytes, sends 40, then closes.
        let mut out = record_header(0x16, 16_384).to_vec();
        out.extend_from_slice(&partial_server_hello(80)[5..45]);
        let _ = s.write_all(&out).await;
        let _ = s.shutdown().await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    out.assert_error(
        "tls_handshake",
        "tls",
        "server closed the connection during the handshake",
    );
    out.assert_error(
        "tls_scan",
        "tls",
        "the reply ended before a ServerHello or an alert",
    );
}

#[tokio::test]
async fn a_handshake_message_claiming_16_mb_is_refused_unread() {
    let server = hs::spawn(|mut s| async move {
        if !read_some(&mut s).await {
            return;
        }
        // A Certificate message claiming 0xFFFFFF bytes, then records of
        // filler for as long as the client reads.
        let mut first = record_header(0x16, 16_384).to_vec();
        first.extend_from_slice(&[0x0B, 0xFF, 0xFF, 0xFF]);
        first.extend_from_slice(&vec![0u8; 16_380]);
        if s.write_all(&first).await.is_err() {
            return;
        }
        let mut rec = record_header(0x16, 16_384).to_vec();
        rec.extend_from_slice(&vec![0u8; 16_384]);
        for _ in 0..1100 {
            if s.write_all(&rec).await.is_err() {
                return;
            }
        }
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert!(
        out.bytes_received() < 4 << 20,
        "read {}",
        out.bytes_received()
    );
    out.assert_error("tls_handshake", "tls", "HandshakePayloadTooLarge");
    out.assert_error(
        "tls_scan",
        "tls",
        "handshake message type 11 claims 16777215 bytes (max 65536)",
    );
}

#[tokio::test]
async fn an_alert_storm_is_read_as_a_refusal_not_followed_forever() {
    let server = hs::spawn(|mut s| async move {
        if !read_some(&mut s).await {
            return;
        }
        let mut storm = Vec::new();
        for _ in 0..10_000 {
            storm.extend_from_slice(&record_header(0x15, 2));
            storm.extend_from_slice(&[0x01, 0x00]); // warning close_notify
        }
        for _ in 0..100 {
            if s.write_all(&storm).await.is_err() {
                return;
            }
        }
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert!(
        out.bytes_received() < 4 << 20,
        "read {}",
        out.bytes_received()
    );
    out.assert_error("tls_handshake", "tls", "TooManyWarningAlertsReceived");
    // The scanner reads the first alert as the answer and hangs up; the clients'
    // verdicts say so (the summary names the failed handshake).
    assert!(
        out.report["clients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["reason"]
                .as_str()
                .unwrap_or("")
                .contains("(close_notify)")),
        "{:#}",
        out.report["clients"]
    );
    assert_eq!(out.finding_ids(), ["TLS_HANDSHAKE_FAILED"]);
}

#[tokio::test]
async fn a_reset_in_the_middle_of_server_hello_is_a_reset() {
    let server = hs::spawn(|mut s| async move {
        if !read_some(&mut s).await {
            return;
        }
        let _ = s.write_all(&partial_server_hello(30)).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        reset(s);
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    out.assert_error(
        "tls_handshake",
        "tls",
        "server reset the connection during the handshake",
    );
    assert!(
        out.has_error("tls_scan", "reset", "connection reset")
            || out.has_error("tls_scan", "tls", "the reply ended before a ServerHello"),
        "{:#?}",
        out.errors()
    );
}

#[tokio::test]
async fn a_half_close_after_the_hello_is_a_closed_connection() {
    let server = hs::spawn(|mut s| async move {
        if !read_some(&mut s).await {
            return;
        }
        let _ = s.shutdown().await; // FIN, but keep reading
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    out.assert_error(
        "tls_handshake",
        "tls",
        "server closed the connection during the handshake",
    );
    assert!(
        out.report["tls"]["versions"]
            .as_array()
            .is_some_and(|v| v.iter().all(|v| v["offered"] != json!(true))),
        "no version is offered by a server that only hangs up"
    );
}

#[tokio::test]
async fn an_sslv2_looking_reply_to_a_tls_hello_is_named() {
    let server = hs::spawn(|mut s| async move {
        if !read_some(&mut s).await {
            return;
        }
        // SSLv2 SERVER-HELLO header: 2-byte length with the high bit set,
        // message type 4, then a session-id-hit byte, cert type, version 0x0002.
        let mut reply = vec![0x80, 0x2E, 0x04, 0x00, 0x01, 0x00, 0x02];
        reply.extend_from_slice(&[0x00, 0x10, 0x00, 0x03, 0x00, 0x10]);
        reply.extend_from_slice(&[0x41; 0x2E - 11]);
        let _ = s.write_all(&reply).await;
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    // Named as SSLv2, not as a plaintext service on the port.
    out.assert_error("tls_handshake", "tls", "answered with an SSLv2 record");
    assert!(
        !out.finding_ids()
            .contains(&"WRONG_SERVICE_ON_PORT".to_string())
    );
    let offered: Vec<&str> = out.report["tls"]["versions"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|v| v["offered"] == json!(true))
                .filter_map(|v| v["version"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(offered, ["SSLv2"]);
    assert!(
        out.finding_ids()
            .contains(&"LEGACY_PROTOCOL_ENABLED".to_string())
    );
}

#[tokio::test]
async fn a_server_that_accepts_and_never_reads_times_out() {
    let server = hs::spawn(|s| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    out.assert_error("tls_handshake", "timeout", "TLS handshake timed out");
    out.assert_error(
        "tls_scan",
        "timeout",
        "no answer to the ClientHello before the time limit",
    );
}

// --- certificates ----------------------------------------------------------

#[tokio::test]
async fn a_chain_of_100_certificates_is_reported_bounded() {
    let root = Ca::root("hostile root");
    let leaf = root.leaf(&["localhost", "127.0.0.1"]);
    let mut chain = vec![leaf.cert_der.clone()];
    let inter = root.intermediate("hostile intermediate");
    for _ in 0..99 {
        chain.push(inter.cert_der.clone());
    }
    let server =
        rustls_server::start_with_leaf(Options::default(), &chain, &leaf, root.cert_pem.clone())
            .await;
    let app = spawn_app().await;
    let out = probe(&app, server.addr.port(), "implicit").await;
    let cert = &out.report["tls"]["certificate"];
    let listed = cert["chain"].as_array().map(Vec::len).unwrap_or(0);
    assert!(
        (1..=10).contains(&listed),
        "the Report lists {listed} certificates"
    );
    assert_eq!(cert["trust_reason"], "incomplete_chain");
    assert!(
        out.finding_ids()
            .contains(&"CERT_CHAIN_INCOMPLETE".to_string())
    );
}

#[tokio::test]
async fn a_huge_certificate_is_reported_bounded() {
    let root = Ca::root("hostile root");
    let names: Vec<String> = (0..1300)
        .map(|i| format!("host-{i:05}.a-rather-long-name.example.com"))
        .collect();
    let params = rcgen::CertificateParams::new(names).expect("params");
    let key = rcgen::KeyPair::generate().expect("key");
    let leaf = root.sign_leaf(params, key);
    assert!(leaf.cert_der.len() > 50_000, "{}", leaf.cert_der.len());
    let server = rustls_server::start_with_leaf(
        Options::default(),
        std::slice::from_ref(&leaf.cert_der),
        &leaf,
        root.cert_pem.clone(),
    )
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.addr.port(), "implicit").await;
    assert!(
        out.finding_ids()
            .contains(&"CERT_NAME_MISMATCH".to_string())
    );
    let detail = out.report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["id"] == "CERT_NAME_MISMATCH"))
        .and_then(|f| f["detail"].as_str())
        .unwrap_or("")
        .to_string();
    assert!(detail.contains(" and 1292 more"), "{detail}");
    assert!(detail.len() < 2000, "{} bytes", detail.len());
}
