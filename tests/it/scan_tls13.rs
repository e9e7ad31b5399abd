//! The TLS 1.3 elimination on two tracks (issue 21): fewer hellos one after
//! another, and the same answer as one track. Real OpenSSL servers, with a
//! loopback proxy that records when each connection was opened and when the
//! server first answered on it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailprobe::net::{Connector, Meter};
use mailprobe::report::{Protocol, TlsVersion, Transport};
use mailprobe::tls::scan::{self, Endpoint, ScanOptions, ScanResult};
use mailprobe::vocab::Deadline;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::openssl_server::{Config, OpensslServer, Profile};

/// One connection as the proxy saw it: opened, and first answered (bytes
/// or a close from the server).
pub(crate) type Span = (Instant, Instant);

/// How long the proxy holds a server's first answer: a round trip of its
/// own, so that hellos sent together are all open before any is answered
/// and the spans show which hellos waited for which.
pub(crate) const ANSWER_DELAY: Duration = Duration::from_millis(25);

/// A TCP proxy in front of `upstream` recording every connection's span.
pub(crate) async fn timing_proxy(upstream: SocketAddr) -> (SocketAddr, Arc<Mutex<Vec<Span>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let spans = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&spans);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let opened = Instant::now();
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let (mut up, mut down) = ([0u8; 8192], [0u8; 8192]);
                let mut answered = false;
                loop {
                    tokio::select! {
                        n = cr.read(&mut up) => match n {
                            Ok(n) if n > 0 => { if sw.write_all(&up[..n]).await.is_err() { break } }
                            _ => break,
                        },
                        n = sr.read(&mut down) => {
                            if !answered {
                                answered = true;
                                tokio::time::sleep(ANSWER_DELAY).await;
                                log.lock().unwrap().push((opened, Instant::now()));
                            }
                            match n {
                                Ok(n) if n > 0 => { if cw.write_all(&down[..n]).await.is_err() { break } }
                                _ => break,
                            }
                        }
                    }
                }
            });
        }
    });
    (addr, spans)
}

/// The longest chain of connections each opened after the one before was
/// answered: the hellos that had to wait for one another.
pub(crate) fn longest_chain(spans: &[Span]) -> usize {
    let mut spans = spans.to_vec();
    spans.sort();
    let mut chain = vec![1usize; spans.len()];
    for j in 0..spans.len() {
        for i in 0..j {
            if spans[i].1 <= spans[j].0 {
                chain[j] = chain[j].max(chain[i] + 1);
            }
        }
    }
    chain.into_iter().max().unwrap_or(0)
}

/// A TLS 1.3-only scan (with groups) through the proxy at a per-target cap.
async fn scan_tls13(upstream: SocketAddr, cap: usize) -> (ScanResult, usize, u32) {
    let (proxy, spans) = timing_proxy(upstream).await;
    let meter = Arc::new(Meter::default());
    let connector = Connector::new(vec![proxy], cap, Arc::clone(&meter));
    let ep = Endpoint::new(connector, Protocol::Imap, Transport::Implicit);
    let options = ScanOptions {
        versions: vec![TlsVersion::Tls13],
        ..ScanOptions::full(None)
    };
    let result = scan::scan(&ep, &options, Deadline::after(Duration::from_secs(20))).await;
    // The proxy logs a span when it passes the answer on; let the last one in.
    tokio::time::sleep(ANSWER_DELAY * 2).await;
    let chain = longest_chain(&spans.lock().unwrap());
    (result, chain, meter.snapshot().connections)
}

/// What the scan says about TLS 1.3: suites in order, the preference, the
/// groups in order, errors.
fn tls13_answer(r: &ScanResult) -> (Vec<String>, Option<bool>, Vec<u16>, usize) {
    let v = r.version(TlsVersion::Tls13).unwrap();
    let suites = v.suites.iter().map(|s| s.iana.clone()).collect();
    (
        suites,
        v.server_preference,
        r.groups.clone(),
        r.errors.len(),
    )
}

/// Dovecot 2.3 with OpenSSL's three TLS 1.3 suites and the seven groups the
/// bench pins (bench/rtt.py), the client's order winning (Dovecot's
/// `ssl_prefer_server_ciphers = no`).
fn dovecot_like() -> Config {
    Config {
        ciphersuites: None,
        groups: Some("X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072"),
        server_preference: false,
        ..Profile::Modern.config()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_suites_and_seven_groups_take_six_dependent_hellos_not_nine() {
    // Given a server with three TLS 1.3 suites and seven groups
    let server = OpensslServer::start(dovecot_like());
    // When it is scanned with room for one hello at a time, then for four
    let (one, one_chain, one_conns) = scan_tls13(server.addr, 2).await;
    let (two, two_chain, two_conns) = scan_tls13(server.addr, 4).await;
    println!(
        "cap 2: {one_chain} steps, {one_conns} connections; cap 4: {two_chain} steps, {two_conns} connections"
    );
    // Then both find the same suites, preference and groups in the same order
    assert_eq!(one.version(TlsVersion::Tls13).unwrap().suites.len(), 3);
    assert_eq!(
        one.groups,
        vec![0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x0100, 0x0101],
        "the client's order"
    );
    assert_eq!(tls13_answer(&one), tls13_answer(&two));
    assert_eq!(tls13_answer(&two).3, 0, "{:?}", two.errors);
    // And one track needs max(S, G) + 2 = 9 hellos one after another, two
    // tracks at most 6, with no more connections
    assert_eq!(one_chain, 9, "one track");
    assert!(two_chain <= 6, "{two_chain} dependent hellos");
    assert!(two_conns <= one_conns, "{two_conns} > {one_conns}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_its_own_group_order_gets_the_same_answer_on_two_tracks() {
    for p in [Profile::Modern, Profile::Tls13Only] {
        // Given OpenSSL 3.6's default groups (the ML-KEM hybrid first, X448
        // before P-521) and the server's suite order, or two suites and two
        // groups
        let server = OpensslServer::profile(p);
        let (one, one_chain, one_conns) = scan_tls13(server.addr, 2).await;
        let (two, two_chain, two_conns) = scan_tls13(server.addr, 4).await;
        println!(
            "{p:?}: cap 2: {one_chain} steps, {one_conns} connections; cap 4: {two_chain} steps, {two_conns} connections"
        );
        // Then two tracks find exactly what one does, with fewer hellos one
        // after another and no more connections
        assert_eq!(tls13_answer(&one), tls13_answer(&two), "{p:?}");
        assert!(two_chain < one_chain, "{p:?}: {two_chain} vs {one_chain}");
        assert!(two_conns <= one_conns, "{p:?}: {two_conns} > {one_conns}");
    }
}

/// Server kinds by their TLS 1.3 suites and groups (OpenSSL syntax), as
/// their vendors' defaults are documented (not checked against live
/// servers): SChannel (Windows Server 2022: two suites, X25519, P-256,
/// P-384), rustls and BoringSSL before their ML-KEM hybrids (three suites,
/// the same three groups), Go's before its hybrid (plus P-521), Postfix's
/// `tls_eecdh_auto_curves` default (X25519 X448 prime256v1 secp521r1
/// secp384r1), the bench's Dovecot, OpenSSL 3.0's default groups (Debian
/// 12's Dovecot), OpenSSL 3.6's default (tuples, the ML-KEM hybrid first),
/// two suites and two groups.
const KINDS: [(&str, Option<&str>, Option<&str>); 8] = [
    (
        "schannel",
        Some("TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"),
        Some("X25519:P-256:P-384"),
    ),
    ("rustls", None, Some("X25519:P-256:P-384")),
    ("go", None, Some("X25519:P-256:P-384:P-521")),
    ("postfix", None, Some("X25519:X448:P-256:P-521:P-384")),
    (
        "dovecot",
        None,
        Some("X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072"),
    ),
    (
        "openssl-3.0",
        None,
        Some("X25519:P-256:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"),
    ),
    ("openssl-3.6", None, None),
    (
        "two-and-two",
        Some("TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"),
        Some("X25519:P-384"),
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_kind_gets_the_same_answer_on_two_tracks() {
    let mut table = String::new();
    for (kind, ciphersuites, groups) in KINDS {
        for server_preference in [false, true] {
            // Given a server of this kind, its order or the client's
            let server = OpensslServer::start(Config {
                ciphersuites,
                groups,
                server_preference,
                ..dovecot_like()
            });
            let (one, one_chain, one_conns) = scan_tls13(server.addr, 2).await;
            let (two, two_chain, two_conns) = scan_tls13(server.addr, 4).await;
            table += &format!(
                "{kind}{}: one track {one_chain} steps / {one_conns} connections, two {two_chain} / {two_conns}\n",
                if server_preference {
                    " (server order)"
                } else {
                    ""
                }
            );
            // Then two tracks find exactly what one does, in no more steps
            assert_eq!(tls13_answer(&one), tls13_answer(&two), "{kind}");
            assert_eq!(tls13_answer(&two).3, 0, "{kind}: {:?}", two.errors);
            assert!(two_chain <= one_chain, "{kind}: {two_chain} > {one_chain}");
        }
    }
    println!("{table}");
}
