//! A filtered port (SYNs go unanswered, as behind a firewall that drops
//! them): the probe's connects time out, and the Report comes after one
//! connect timeout, not after one per queue of connections (the trials
//! waiting for slots, the dialogue waiting for the scan's first answers).
//!
//! The fixture is a real listener on loopback whose accept queue is full:
//! `listen(0)` and one connection never accepted. Linux then drops every
//! further SYN, which is what a client of a filtered port sees.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::app::spawn_app;

/// The connector's limit on one TCP connect (`net::CONNECT_TIMEOUT`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Fills the accept queue of the listener on `port` until a connect goes
/// unanswered; the connections returned keep it full.
fn fill_queue(port: u16) -> Vec<std::net::TcpStream> {
    let to = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut queued = Vec::new();
    for _ in 0..4 {
        match std::net::TcpStream::connect_timeout(&to, Duration::from_millis(300)) {
            Ok(s) => queued.push(s),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return queued,
            Err(e) => panic!("the fixture needs dropped SYNs; a connect met {e}"),
        }
    }
    panic!("the fixture needs dropped SYNs: four connects to a full queue were accepted");
}

async fn probe_filtered(transport: &str) -> (Value, Duration) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let listener = socket.listen(0).expect("listen");
    let port = listener.local_addr().expect("address").port();
    let _queued = tokio::task::spawn_blocking(move || fill_queue(port))
        .await
        .expect("fixture");
    let app = spawn_app().await;
    let started = Instant::now();
    let res = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": port,
            "protocol": "imap",
            "transport": transport,
            "timeout_ms": 20_000,
        }))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(res.status(), 200);
    drop(listener);
    (res.json().await.expect("report"), elapsed)
}

fn assert_one_timeout(report: &Value, elapsed: Duration) {
    let connect = report["connect"]["error"].as_str().unwrap_or_default();
    assert!(
        connect.contains("filtered"),
        "the connect error says what a silent port may be: {connect}"
    );
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["stats"]["connections"], 0);
    // One connect timeout and the diagnosis; two would be 10 s.
    let bound = CONNECT_TIMEOUT + Duration::from_millis(2500);
    assert!(
        elapsed < bound,
        "a filtered port's Report took {elapsed:?}: more than one connect timeout ({bound:?}); timings {}",
        report["timings"]
    );
}

#[tokio::test]
async fn a_filtered_implicit_tls_port_costs_one_connect_timeout() {
    let (report, elapsed) = probe_filtered("implicit").await;
    assert_one_timeout(&report, elapsed);
}

#[tokio::test]
async fn a_filtered_starttls_port_costs_one_connect_timeout() {
    let (report, elapsed) = probe_filtered("starttls").await;
    assert_one_timeout(&report, elapsed);
}
