//! A server that sheds load with a busy greeting after it has answered:
//! Exim's `smtp_accept_max` (20 by default) counts its children, which
//! outlive a scanner's hang-up by a few hundred milliseconds, so a quick
//! scan meets "421 Too many concurrent SMTP connections" in the middle
//! (Exim 4.96 on loopback: incomplete suite lists before the back-off).
//! Here a real OpenSSL SMTP STARTTLS server sits behind a relay that
//! answers a run of connections with that 421 itself, as Exim does.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::time::Duration;

use mailprobe::diagnosis::findings::security::check_result;
use mailprobe::net::{Connector, Meter};
use mailprobe::observations::{CheckId, CheckRun, CheckStatus};
use mailprobe::report::{Protocol, TlsVersion, Transport};
use mailprobe::tls::scan::{Endpoint, ScanResult, Settled};
use mailprobe::tls::security::{self, CheckPlan, CheckTarget};
use mailprobe::vocab::Deadline;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::support::openssl_server::{
    Config, MailProtocol, OpensslServer, Profile, Transport as Fx,
};
use crate::support::scans::patient_scan;

const BUSY: &[u8] =
    b"421 4.7.0 mx.example.test Too many concurrent SMTP connections; please try again later.\r\n";

/// Forwards every connection to `upstream`, except those `busy` picks
/// (given each connection's number in accept order): they get [`BUSY`] and
/// are closed.
async fn relay(upstream: SocketAddr, busy: impl Fn(usize) -> bool + Send + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut client, _)) = listener.accept().await {
            let busy = busy(n);
            n += 1;
            tokio::spawn(async move {
                if busy {
                    let _ = client.write_all(BUSY).await;
                    return;
                }
                if let Ok(mut server) = TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    addr
}

/// A [`relay`] whose connections number `first_busy..first_busy + busy`
/// get [`BUSY`]; with the count of connections seen.
async fn busy_relay(
    upstream: SocketAddr,
    first_busy: usize,
    busy: usize,
) -> (SocketAddr, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&seen);
    let addr = relay(upstream, move |n| {
        count.store(n + 1, Ordering::SeqCst);
        (first_busy..first_busy + busy).contains(&n)
    })
    .await;
    (addr, seen)
}

/// A real OpenSSL STARTTLS SMTP server (TLS 1.2 + 1.3).
fn smtp_server() -> OpensslServer {
    OpensslServer::start(Config {
        protocol: MailProtocol::Smtp,
        transport: Fx::Starttls,
        ..Profile::Modern.config()
    })
}

/// A fresh STARTTLS SMTP endpoint on `addr` at the default cap of four.
fn smtp_endpoint(addr: SocketAddr) -> Endpoint {
    let connector = Connector::new(vec![addr], 4, Arc::new(Meter::default()));
    Endpoint::new(connector, Protocol::Smtp, Transport::Starttls)
}

async fn scan_smtp(addr: SocketAddr) -> ScanResult {
    patient_scan(&smtp_endpoint(addr)).await
}

fn suites_at(result: &ScanResult, v: TlsVersion) -> Vec<String> {
    let mut s: Vec<String> = result
        .versions
        .iter()
        .filter(|x| x.version == v)
        .flat_map(|x| x.suites.iter().map(|s| s.iana.clone()))
        .collect();
    s.sort();
    s
}

/// Given a STARTTLS SMTP server that, once it has answered the scan's first
/// six connections (the first round of four and two after its answers),
/// greets the next eight with 421, when it is scanned,
/// then the scan holds off and tries again, and finds what it finds without
/// the 421s: every suite at TLS 1.2 and 1.3, no error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_greeting_after_answers_is_waited_out_not_the_end_of_the_scan() {
    let server = smtp_server();
    let direct = scan_smtp(server.addr).await;
    assert!(direct.errors.is_empty(), "{:?}", direct.errors);
    let (relay, seen) = busy_relay(server.addr, 6, 8).await;
    let result = scan_smtp(relay).await;
    assert!(
        seen.load(Ordering::SeqCst) > 6 + 8,
        "the relay's run of 421s was reached: {}",
        seen.load(Ordering::SeqCst)
    );
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    for v in [TlsVersion::Tls12, TlsVersion::Tls13] {
        let want = suites_at(&direct, v);
        assert!(!want.is_empty(), "{v:?}");
        assert_eq!(suites_at(&result, v), want, "{v:?}");
    }
}

/// A [`relay`] that answers [`BUSY`] while the returned counter is above
/// zero (and counts it down).
async fn switchable_relay(upstream: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let busy_left = Arc::new(AtomicUsize::new(0));
    let left = Arc::clone(&busy_left);
    let addr = relay(upstream, move |_| {
        left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    })
    .await;
    (addr, busy_left)
}

async fn check(endpoint: &Endpoint, result: &ScanResult, id: CheckId) -> CheckRun {
    let target = CheckTarget {
        endpoint: endpoint.clone(),
        protocol: Protocol::Smtp,
        transport: Transport::Starttls,
        sni: None,
        versions: result.versions.clone(),
    };
    let plan = CheckPlan {
        run: vec![id],
        skipped: Vec::new(),
    };
    let deadline = Deadline::after(Duration::from_secs(20));
    security::run(&target, &plan, deadline)
        .await
        .into_iter()
        .next()
        .expect("the check's record")
}

/// Given a STARTTLS SMTP server whose scan went through, when it greets
/// the next three connections with 421, then a security check on the
/// scan's endpoint (the probe's) waits the busy spell out and runs (its own
/// STARTTLS prelude or the scan's), where
/// the same check on a fresh endpoint that never saw an answer takes the
/// 421 as the server shedding load and stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_security_check_after_the_scan_waits_out_a_busy_greeting() {
    let server = smtp_server();
    let (relay, busy_left) = switchable_relay(server.addr).await;
    let endpoint = smtp_endpoint(relay);
    let result = patient_scan(&endpoint).await;
    assert!(result.errors.is_empty(), "{:?}", result.errors);

    busy_left.store(3, Ordering::SeqCst);
    let run = check(&endpoint, &result, CheckId::Heartbleed).await;
    assert_eq!(busy_left.load(Ordering::SeqCst), 0, "the 421s were met");
    assert_eq!(run.status, CheckStatus::Done, "{run:?}");
    assert_eq!(check_result(&run), Some("not_vulnerable"), "{run:?}");

    // The STARTTLS injection check sends a prelude of its own: it too gets
    // past the 421s to the TLS handshake (this OpenSSL fixture then hangs
    // up on the bytes injected after STARTTLS, which is the check's own
    // business).
    busy_left.store(3, Ordering::SeqCst);
    let run = check(&endpoint, &result, CheckId::StarttlsInjection).await;
    assert_eq!(busy_left.load(Ordering::SeqCst), 0, "the 421s were met");
    assert_eq!(run.connections, 4, "three 421s, then one through: {run:?}");
    if let CheckStatus::Failed(why) = &run.status {
        assert!(!why.contains("421") && !why.contains("refuses"), "{why}");
    }

    busy_left.store(3, Ordering::SeqCst);
    let fresh = smtp_endpoint(relay);
    let run = check(&fresh, &result, CheckId::Heartbleed).await;
    match &run.status {
        CheckStatus::Failed(why) => assert!(why.contains("421"), "{why}"),
        other => panic!("a fresh endpoint stops at the 421: {other:?}"),
    }
}

/// The real (rustls) handshakes connect as the scan's hellos do: after a
/// scan has seen the server answer, a busy spell (three 421s) is waited
/// out and both versioned handshakes complete, where a fresh endpoint
/// reports the 421.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_handshakes_wait_out_a_busy_greeting_too() {
    use mailprobe::probe::real_tls::{HandshakeTarget, versioned_handshakes};
    use rustls::pki_types::ServerName;

    let server = smtp_server();
    let (relay, busy_left) = switchable_relay(server.addr).await;
    let target = HandshakeTarget {
        server_name: ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()),
        without_sni: false,
    };
    let run = |endpoint: Endpoint| {
        let target = target.clone();
        async move {
            // No modern handshake to reuse: both versions run their own;
            // and no scan to wait for on a fresh endpoint.
            let (_tx, modern) = tokio::sync::watch::channel(Some(None));
            let over = Settled {
                done: true,
                ..Settled::default()
            };
            let (_scan_tx, scan) = tokio::sync::watch::channel(over);
            let scan = if endpoint.progress().borrow().done {
                endpoint.progress()
            } else {
                scan
            };
            let deadline = Deadline::after(Duration::from_secs(20));
            versioned_handshakes(&target, &endpoint, (scan, modern), deadline).await
        }
    };
    let endpoint = smtp_endpoint(relay);
    let result = patient_scan(&endpoint).await;
    assert!(result.errors.is_empty(), "{:?}", result.errors);

    busy_left.store(3, Ordering::SeqCst);
    let seen = run(endpoint).await;
    assert_eq!(busy_left.load(Ordering::SeqCst), 0, "the 421s were met");
    let done: Vec<(TlsVersion, bool)> = seen
        .versioned
        .iter()
        .map(|r| (r.attempt.offered, r.attempt.ok))
        .collect();
    assert_eq!(
        done,
        vec![(TlsVersion::Tls13, true), (TlsVersion::Tls12, true)],
        "{seen:?}"
    );

    busy_left.store(3, Ordering::SeqCst);
    let fresh = smtp_endpoint(relay);
    let seen = run(fresh).await;
    let errors: Vec<String> = seen
        .versioned
        .iter()
        .filter_map(|r| r.attempt.error.clone())
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("421")),
        "a fresh endpoint stops at the 421: {errors:?}"
    );
}
