//! A filtered port (SYNs go unanswered, as behind a firewall that drops
//! them): the probe's connects time out, and the Report comes after one
//! connect timeout, not after one per queue of connections (the trials
//! waiting for slots, the dialogue waiting for the scan's first answers);
//! and a name whose first address is silent costs one timeout per probe,
//! not one per connection.
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

/// A loopback port whose SYNs go unanswered while this lives.
struct SilentPort {
    port: u16,
    _listener: tokio::net::TcpListener,
    _queued: Vec<std::net::TcpStream>,
}

async fn silent_port() -> SilentPort {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let listener = socket.listen(0).expect("listen");
    let port = listener.local_addr().expect("address").port();
    let queued = tokio::task::spawn_blocking(move || fill_queue(port))
        .await
        .expect("fixture");
    SilentPort {
        port,
        _listener: listener,
        _queued: queued,
    }
}

/// Posts a probe; its Report and how long it took.
async fn timed_probe(body: Value) -> (Value, Duration) {
    let app = spawn_app().await;
    let started = Instant::now();
    let res = app.post_probe(&body).await;
    let elapsed = started.elapsed();
    assert_eq!(res.status(), 200);
    (res.json().await.expect("report"), elapsed)
}

async fn probe_filtered(transport: &str) -> (Value, Duration) {
    let silent = silent_port().await;
    timed_probe(json!({
        "host": "127.0.0.1",
        "port": silent.port,
        "protocol": "imap",
        "transport": transport,
        "timeout_ms": 20_000,
    }))
    .await
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

/// Forwards every connection to `[::1]:port` on to `to` (a fixture on
/// 127.0.0.1), so one port number answers on ::1 only.
async fn relay_on_ipv6(port: u16, to: std::net::SocketAddr) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(("::1", port))
        .await
        .expect("bind [::1] on the filtered port's number");
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    })
}

/// `localhost` is 127.0.0.1 first, then ::1. With 127.0.0.1 silent, the
/// probe's first connections wait out its connect timeout and go on to ::1;
/// every later connection goes to ::1 at once. Before, each of the probe's
/// some twenty connections waited out the silent address first (in rounds
/// of four: about 25 s, past this probe's deadline).
#[tokio::test]
async fn a_silent_first_address_is_waited_out_once_per_probe() {
    use crate::support::mail_servers::{self, Script, Start};
    let fixture =
        mail_servers::start(Script::Imap(mail_servers::dovecot()), Start::ImplicitTls).await;
    let silent = silent_port().await;
    let port = silent.port;
    let relay = relay_on_ipv6(port, fixture.addr).await;
    let (report, elapsed) = timed_probe(json!({
        "host": "localhost",
        "port": port,
        "protocol": "imap",
        "transport": "implicit",
        "timeout_ms": 20_000,
        // The checks run after the scan (the rustls fixture leaves the
        // client renegotiation check to its 5 s limit): out of the time
        // measured here.
        "checks": [],
    }))
    .await;
    relay.abort();
    assert_eq!(report["connect"]["address"], format!("[::1]:{port}"));
    let tls12 = report["tls"]["versions"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["version"] == "TLSv1.2"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        tls12["offered"], true,
        "the scan ran over ::1: {}",
        report["errors"]
    );
    let bound = CONNECT_TIMEOUT + Duration::from_millis(3500);
    assert!(
        elapsed < bound,
        "the probe took {elapsed:?}: the silent address was waited out more than once; timings {}",
        report["timings"]
    );
}
