//! Operations: `/metrics` read by an independent parser, the request id in
//! Reports and logs, CORS.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use prometheus_parse::{LineInfo, Scrape, Value as Metric};
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::rustls_server::{self, Options};

/// Scrapes `/metrics`, checks every line is well-formed text exposition and
/// every series has a `# TYPE`, and returns the parsed samples.
async fn scrape(app: &TestApp) -> Scrape {
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = resp.text().await.unwrap();
    // prometheus-parse skips lines it cannot read; we do not.
    let mut typed = Vec::new();
    for line in text.lines() {
        match LineInfo::parse(line) {
            LineInfo::Type { metric_name, .. } => typed.push(metric_name),
            LineInfo::Doc { .. } => {}
            LineInfo::Sample {
                metric_name, value, ..
            } => {
                assert!(value.parse::<f64>().is_ok(), "value of {line}");
                assert!(
                    typed.iter().any(|t| metric_name
                        .starts_with(t.trim_end_matches("_bucket").trim_end_matches("_total"))),
                    "no # TYPE before {line}"
                );
            }
            LineInfo::Empty | LineInfo::Ignored => panic!("not exposition format: {line:?}"),
        }
    }
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap()
}

/// The value of the sample `name` whose labels include `labels`.
fn value(s: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<f64> = s
        .samples
        .iter()
        .filter(|x| x.metric == name && labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .map(|x| match &x.value {
            Metric::Counter(v) | Metric::Gauge(v) | Metric::Untyped(v) => *v,
            other => panic!("{name}: unexpected {other:?}"),
        })
        .collect();
    match found.as_slice() {
        [v] => *v,
        [] => 0.0,
        many => panic!("{name} {labels:?}: {} series", many.len()),
    }
}

/// The histogram `name` for `labels`: (count in the `le` buckets, by bound).
fn histogram(s: &Scrape, name: &str, labels: &[(&str, &str)]) -> Vec<(f64, f64)> {
    s.samples
        .iter()
        .find(|x| x.metric == name && labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .map(|x| match &x.value {
            Metric::Histogram(b) => b.iter().map(|c| (c.less_than, c.count)).collect(),
            other => panic!("{name}: not a histogram: {other:?}"),
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn given_a_probe_when_metrics_are_scraped_then_counters_move() {
    let fixture = rustls_server::start(Options::default()).await;
    let app = spawn_app().await;
    let before = scrape(&app).await;
    let imap_probes = |s: &Scrape| {
        ["pass", "warn", "fail"]
            .iter()
            .map(|v| {
                value(
                    s,
                    "mailprobe_probes_total",
                    &[("protocol", "imap"), ("verdict", v)],
                )
            })
            .sum::<f64>()
    };
    assert_eq!(imap_probes(&before), 0.0);

    let report: Value = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": fixture.addr.port(),
            "ca_bundle_pem": fixture.root_pem,
        }))
        .await
        .json()
        .await
        .unwrap();
    let verdict = report["verdict"].as_str().unwrap();
    let connections = report["stats"]["connections"].as_f64().unwrap();
    assert!(connections > 0.0, "{report:#}");
    // An unrouted path with an id in it: counted, but not as its own series.
    assert_eq!(app.get("/v1/probes/12345/nope").await.status(), 404);

    let after = scrape(&app).await;
    assert_eq!(imap_probes(&after), 1.0);
    assert_eq!(
        value(
            &after,
            "mailprobe_probes_total",
            &[("protocol", "imap"), ("verdict", verdict)]
        ),
        1.0
    );
    assert_eq!(
        value(&after, "mailprobe_probe_connections_total", &[]),
        connections
    );
    assert!(value(&after, "mailprobe_probe_handshakes_total", &[]) > 0.0);
    let buckets = histogram(
        &after,
        "mailprobe_probe_duration_seconds",
        &[("protocol", "imap")],
    );
    assert_eq!(
        buckets.last(),
        Some(&(f64::INFINITY, 1.0)),
        "+Inf holds the probe: {buckets:?}"
    );
    assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{buckets:?}");
    assert_eq!(
        histogram(
            &after,
            "mailprobe_probe_duration_seconds",
            &[("protocol", "pop3")]
        )
        .last(),
        Some(&(f64::INFINITY, 0.0))
    );
    let requests = |route: &str, method: &str, status: &str| {
        value(
            &after,
            "mailprobe_http_requests_total",
            &[("route", route), ("method", method), ("status", status)],
        )
    };
    assert_eq!(requests("/v1/probes", "POST", "200"), 1.0);
    assert_eq!(requests("/metrics", "GET", "200"), 1.0, "the first scrape");
    assert_eq!(requests("unmatched", "GET", "404"), 1.0);
    assert!(
        after
            .samples
            .iter()
            .all(|s| s.labels.get("route") != Some("/v1/probes/12345/nope")),
        "raw paths never become labels"
    );
    assert_eq!(value(&after, "mailprobe_probes_in_flight", &[]), 0.0);
    assert_eq!(value(&after, "mailprobe_probe_capacity", &[]), 256.0);
}

#[tokio::test]
async fn in_flight_gauge_and_rejections_are_counted() {
    // A server that accepts and never speaks holds the probe until its deadline.
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
                .json(&json!({"host": "127.0.0.1", "port": port, "timeout_ms": 1500}))
                .send()
                .await
        })
    };
    let mut seen = 0.0;
    for _ in 0..100 {
        seen = value(&scrape(&app).await, "mailprobe_probes_in_flight", &[]);
        if seen == 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, 1.0, "the gauge shows the running probe");
    let busy = app
        .post_probe(&json!({"host": "127.0.0.1", "port": port}))
        .await;
    assert_eq!(busy.status(), 429);
    assert_eq!(slow.await.unwrap().unwrap().status(), 200);
    // The policy check runs once a slot is taken, so only now is this a 403.
    let refused = app.get("/v1/probes?host=10.0.0.1").await;
    assert_eq!(refused.status(), 403);

    let s = scrape(&app).await;
    assert_eq!(value(&s, "mailprobe_probes_in_flight", &[]), 0.0);
    assert_eq!(
        value(
            &s,
            "mailprobe_probes_rejected_total",
            &[("reason", "over_capacity")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &s,
            "mailprobe_probes_rejected_total",
            &[("reason", "refused")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &s,
            "mailprobe_probes_total",
            &[("protocol", "imap"), ("verdict", "fail")]
        ),
        1.0,
        "the timed-out probe is a finished probe with a fail verdict"
    );
    assert_eq!(
        value(
            &s,
            "mailprobe_http_requests_total",
            &[
                ("route", "/v1/probes"),
                ("method", "POST"),
                ("status", "429")
            ]
        ),
        1.0
    );
}

#[tokio::test]
async fn the_report_carries_the_request_id_the_response_returns() {
    let fixture = rustls_server::start(Options::default()).await;
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/v1/probes"))
        .header("x-request-id", "portal-7f3a")
        .json(&json!({"host": "127.0.0.1", "port": fixture.addr.port()}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "portal-7f3a");
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["request_id"], "portal-7f3a");

    // No id sent: one is generated, returned and recorded alike.
    let resp = app
        .get(&format!(
            "/v1/probes?host=127.0.0.1&port={}",
            fixture.addr.port()
        ))
        .await;
    let header = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(header.len(), 32);
    assert!(header.bytes().all(|b| b.is_ascii_hexdigit()), "{header}");
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["request_id"], header.as_str());

    // An id that is not printable ASCII is replaced, not echoed.
    let resp = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "two words")
        .send()
        .await
        .unwrap();
    assert_ne!(resp.headers()["x-request-id"], "two words");
}

fn preflight<'a>(app: &'a TestApp, origin: &'a str) -> reqwest::RequestBuilder {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/v1/probes"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-request-id",
        )
}

fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[tokio::test]
async fn cors_preflight_allows_the_configured_origins_only() {
    let portal = "https://portal.example.com";
    let app = spawn_app_with(&["--cors-origins", &format!("{portal},http://localhost:3000")]).await;

    let ok = preflight(&app, portal).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        header(&ok, "access-control-allow-origin").as_deref(),
        Some(portal)
    );
    let methods = header(&ok, "access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("POST"), "{methods}");
    let headers = header(&ok, "access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(headers.contains("content-type"), "{headers}");
    assert_eq!(
        header(&ok, "access-control-max-age").as_deref(),
        Some("3600")
    );

    let other = preflight(&app, "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&other, "access-control-allow-origin"), None);
    // A simple request from it is served, but the browser withholds the answer.
    let simple = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&simple, "access-control-allow-origin"), None);

    // The actual request: allowed origin, and the request id is readable by the page.
    let simple = app
        .client
        .get(app.url("/healthz"))
        .header("origin", portal)
        .send()
        .await
        .unwrap();
    assert_eq!(simple.status(), 200);
    assert_eq!(
        header(&simple, "access-control-allow-origin").as_deref(),
        Some(portal)
    );
    let exposed = header(&simple, "access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
}

#[tokio::test]
async fn cors_is_off_by_default_and_star_allows_any_origin() {
    let off = spawn_app().await;
    let resp = preflight(&off, "https://portal.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
    let resp = off
        .client
        .get(off.url("/healthz"))
        .header("origin", "https://portal.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&resp, "access-control-allow-origin"), None);

    let any = spawn_app_with(&["--cors-origins", "*"]).await;
    let resp = preflight(&any, "https://anything.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some("*")
    );
}

/// The real binary, serving on a free loopback port, its stderr read line by
/// line on a thread.
struct Served {
    child: Child,
    lines: mpsc::Receiver<String>,
    base: String,
}

impl Served {
    fn start(format: &str) -> Served {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailprobe"));
        for (k, _) in std::env::vars() {
            if k.starts_with("MAILPROBE_") {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0", "--workers", "1"])
            .env("MAILPROBE_LOG_FORMAT", format)
            .env("MAILPROBE_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Served {
            child,
            lines,
            base: String::new(),
        };
        // The start-up line names the bound port.
        let first = served.next_line_with("mailprobe serving");
        let port = port_in(&first).unwrap_or_else(|| panic!("no port in {first}"));
        served.base = format!("http://127.0.0.1:{port}");
        served
    }

    fn next_line_with(&self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => continue,
                Err(e) => panic!("no log line with {needle}: {e}"),
            }
        }
    }

    /// Every line logged within `wait`.
    fn drain(&self, wait: Duration) -> Vec<String> {
        let mut v = Vec::new();
        while let Ok(l) = self.lines.recv_timeout(wait) {
            v.push(l);
        }
        v
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `port=38211` (text) or `"port":38211` (JSON).
fn port_in(line: &str) -> Option<u16> {
    let at = line.find("port")? + 4;
    let digits: String = line[at..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn get_with_id(base: &str, path: &str, id: &str) -> u16 {
    let base = base.to_string();
    let (path, id) = (path.to_string(), id.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            reqwest::Client::new()
                .get(format!("{base}{path}"))
                .header("x-request-id", id)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    })
    .join()
    .unwrap()
}

#[test]
fn json_logs_have_one_line_per_request_with_id_route_status_duration() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let served = Served::start("json");
    assert_eq!(get_with_id(&served.base, "/healthz", "log-json-1"), 200);
    assert_eq!(get_with_id(&served.base, "/v1/nope/42", "log-json-2"), 404);
    let line = served.next_line_with("log-json-1");
    let entry: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let f = &entry["fields"];
    assert_eq!(entry["level"], "INFO");
    assert_eq!(f["message"], "request");
    assert_eq!(f["request_id"], "log-json-1");
    assert_eq!(f["method"], "GET");
    assert_eq!(f["route"], "/healthz");
    assert_eq!(f["path"], "/healthz");
    assert_eq!(f["status"], 200);
    assert!(f["ms"].is_u64(), "{line}");
    let line = served.next_line_with("log-json-2");
    let entry: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["fields"]["route"], "unmatched");
    assert_eq!(entry["fields"]["status"], 404);
    // Exactly one line each.
    let rest = served.drain(Duration::from_millis(300));
    assert!(
        !rest.iter().any(|l| l.contains("log-json-")),
        "a second line for a request: {rest:?}"
    );
}

#[test]
fn text_logs_have_one_line_per_request_with_id_route_status_duration() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let served = Served::start("text");
    assert_eq!(get_with_id(&served.base, "/readyz", "log-text-1"), 200);
    let line = served.next_line_with("log-text-1");
    assert!(
        !line.contains('\u{1b}'),
        "no colour codes off a terminal: {line:?}"
    );
    let fields: HashMap<&str, &str> = line
        .split_whitespace()
        .filter_map(|w| w.split_once('='))
        .collect();
    assert_eq!(fields.get("request_id"), Some(&"log-text-1"), "{line}");
    assert_eq!(fields.get("route"), Some(&"/readyz"), "{line}");
    assert_eq!(fields.get("status"), Some(&"200"), "{line}");
    assert!(
        fields.get("ms").is_some_and(|v| v.parse::<u64>().is_ok()),
        "{line}"
    );
    assert!(line.contains(" INFO "), "{line}");
    let rest = served.drain(Duration::from_millis(300));
    assert!(!rest.iter().any(|l| l.contains("log-text-1")), "{rest:?}");
}
