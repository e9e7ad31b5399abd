//! The wire scanner against real OpenSSL servers configured with exact
//! versions and suites, cross-checked with OpenSSL itself as the client.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailprobe::net::{Connector, Meter};
use mailprobe::observations::HelloAnswer;
use mailprobe::report::{Protocol, Stats, TlsVersion, Transport};
use mailprobe::tls::scan::{self, Ending, Endpoint, OfferOutcome, ScanOptions, ScanResult};
use mailprobe::tls::suites;
use mailprobe::vocab::Deadline;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::app::spawn_app;
use crate::support::openssl_server::{self, OpensslServer, Profile, Transport as FxTransport};

type SuiteSets = BTreeMap<TlsVersion, BTreeSet<String>>;

fn endpoint(addr: SocketAddr, transport: Transport) -> (Endpoint, Arc<Meter>) {
    let meter = Arc::new(Meter::default());
    let connector = Connector::new(vec![addr], 4, Arc::clone(&meter));
    (Endpoint::new(connector, Protocol::Imap, transport), meter)
}

async fn scan_at(addr: SocketAddr, transport: Transport) -> (ScanResult, Stats) {
    let (ep, meter) = endpoint(addr, transport);
    let result = scan::scan(
        &ep,
        &ScanOptions::full(None),
        Deadline::after(Duration::from_secs(20)),
    )
    .await;
    (result, meter.snapshot())
}

/// Accepted suites per accepted version, as the scan reports them.
fn scanned(result: &ScanResult) -> SuiteSets {
    result
        .versions
        .iter()
        .filter(|v| v.offered == Some(true))
        .map(|v| (v.version, v.suites.iter().map(|s| s.iana.clone()).collect()))
        .collect()
}

fn code(openssl_name: &str) -> u16 {
    suites::by_openssl_name(openssl_name)
        .unwrap_or_else(|| panic!("{openssl_name} not in the registry"))
        .code
}

/// What the fixture was configured with, as code points.
fn configured(p: Profile) -> SuiteSets {
    p.expected()
        .into_iter()
        .map(|(v, names)| {
            (
                v,
                names
                    .into_iter()
                    .map(|n| suites::iana_hex(code(n)))
                    .collect(),
            )
        })
        .collect()
}

/// The bound the issue sets: Σ over accepted versions (accepted suites + 1),
/// plus a constant for version and group detection. Spelled out: one hello
/// per version (6); per accepted version, one more per further bundle of at
/// most 128 suites (each bundle is eliminated to its own refusal) and one
/// reverse-order hello when it has two or more suites; and the group
/// elimination (groups found + 1, less the one the suite scan already saw).
/// Issue #7's budget for a full scan (versions, suites, preference, groups,
/// chain): the sum over accepted versions of (accepted suites + 1), plus 8.
fn connection_budget(result: &ScanResult) -> u32 {
    let accepted: u32 = result
        .versions
        .iter()
        .filter(|v| v.offered == Some(true))
        .map(|v| v.suites.len() as u32 + 1)
        .sum();
    accepted + 8
}

fn assert_matches_configuration(p: Profile, result: &ScanResult) {
    assert_eq!(scanned(result), configured(p), "{p:?}: accepted suites");
    let listed: Vec<TlsVersion> = result.versions.iter().map(|v| v.version).collect();
    assert_eq!(
        listed,
        TlsVersion::ALL.to_vec(),
        "{p:?}: every version listed"
    );
    let expected: BTreeSet<TlsVersion> = configured(p).into_keys().collect();
    for v in &result.versions {
        let want = expected.contains(&v.version);
        assert_eq!(v.offered, Some(want), "{p:?}: {} offered", v.version);
    }
    assert!(
        result.errors.is_empty(),
        "{p:?}: scan errors {:?}",
        result.errors
    );
    // A server with its own order: the suites come in exactly that order.
    if p.config().server_preference {
        for (v, names) in p.expected() {
            let entry = result.version(v).unwrap();
            let got: Vec<String> = entry.suites.iter().map(|s| s.iana.clone()).collect();
            let want: Vec<String> = names.iter().map(|n| suites::iana_hex(code(n))).collect();
            assert_eq!(got, want, "{p:?}: {v} server order");
            assert_eq!(
                entry.server_preference,
                (want.len() >= 2).then_some(true),
                "{p:?}: {v}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_scans_exactly_as_configured() {
    for p in Profile::ALL {
        let server = OpensslServer::profile(p);
        let started = Instant::now();
        let (result, stats) = scan_at(server.addr, Transport::Implicit).await;
        let ms = started.elapsed().as_millis();
        println!(
            "{p:?}: {} connections ({} server-side), {} handshakes, {ms} ms, groups {:?}, dh {:?}",
            stats.connections,
            server.connections(),
            stats.handshakes,
            result.groups,
            result.dh_bits
        );
        assert_matches_configuration(p, &result);
        assert_eq!(stats.connections, result.connections, "{p:?}: counted");
        assert_eq!(
            server.connections(),
            stats.connections as usize,
            "{p:?}: every connection counted"
        );
        assert!(
            result.connections <= connection_budget(&result),
            "{p:?}: {} connections over budget {}",
            result.connections,
            connection_budget(&result)
        );
    }
}

fn ssl_version(v: TlsVersion) -> Option<openssl::ssl::SslVersion> {
    use openssl::ssl::SslVersion as S;
    Some(match v {
        TlsVersion::Ssl2 => return None,
        TlsVersion::Ssl3 => S::SSL3,
        TlsVersion::Tls10 => S::TLS1,
        TlsVersion::Tls11 => S::TLS1_1,
        TlsVersion::Tls12 => S::TLS1_2,
        TlsVersion::Tls13 => S::TLS1_3,
    })
}

/// One handshake with OpenSSL as the client (what `openssl s_client
/// -<version> -cipher <suite>` does): the version and suite it got, if any.
fn openssl_client(addr: SocketAddr, v: TlsVersion, cipher: &str) -> Option<(TlsVersion, u16)> {
    use openssl::ssl::{SslConnector, SslMethod, SslOptions, SslVerifyMode};
    openssl_server::load_legacy_provider();
    let ver = ssl_version(v)?;
    let mut b = SslConnector::builder(SslMethod::tls_client()).ok()?;
    // SslConnector turns SSLv3 off; `s_client -ssl3` does not.
    b.clear_options(SslOptions::NO_SSLV3);
    b.set_security_level(0);
    b.set_verify(SslVerifyMode::NONE);
    b.set_min_proto_version(Some(ver)).ok()?;
    b.set_max_proto_version(Some(ver)).ok()?;
    if v == TlsVersion::Tls13 {
        b.set_ciphersuites(cipher).ok()?;
    } else {
        b.set_cipher_list(cipher).ok()?;
    }
    let connector = b.build();
    let tcp = std::net::TcpStream::connect(addr).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let stream = connector
        .configure()
        .ok()?
        .verify_hostname(false)
        .connect("localhost", tcp)
        .ok()?;
    let ssl = stream.ssl();
    let got = match ssl.version2()? {
        openssl::ssl::SslVersion::SSL3 => TlsVersion::Ssl3,
        openssl::ssl::SslVersion::TLS1 => TlsVersion::Tls10,
        openssl::ssl::SslVersion::TLS1_1 => TlsVersion::Tls11,
        openssl::ssl::SslVersion::TLS1_2 => TlsVersion::Tls12,
        openssl::ssl::SslVersion::TLS1_3 => TlsVersion::Tls13,
        _ => return None,
    };
    let id = ssl.current_cipher()?.protocol_id();
    Some((got, u16::from_be_bytes(id)))
}

/// What OpenSSL as a client negotiates with the fixture: per version (SSLv3
/// .. TLS 1.3), each registry suite that OpenSSL knows, offered alone. A
/// version where no OpenSSL offer at all succeeds is skipped early.
fn openssl_client_view(addr: SocketAddr) -> SuiteSets {
    let mut out = SuiteSets::new();
    for v in TlsVersion::ALL.into_iter().skip(1) {
        let any = if v == TlsVersion::Tls13 {
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
        } else {
            "ALL:COMPLEMENTOFALL:@SECLEVEL=0"
        };
        if openssl_client(addr, v, any).is_none() {
            continue;
        }
        for s in suites::all().iter().filter(|s| s.usable_at(v)) {
            let Some(name) = s.openssl_name else { continue };
            if let Some((got, code)) = openssl_client(addr, v, name) {
                assert_eq!(got, v, "OpenSSL got another version for {name}");
                assert_eq!(code, s.code, "OpenSSL got another suite for {name}");
                out.entry(v).or_default().insert(suites::iana_hex(code));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanner_agrees_with_openssl_as_a_client() {
    for p in [
        Profile::Exchange2010,
        Profile::Modern,
        Profile::Dhe1024,
        Profile::Ssl3Tls10,
        Profile::Tls13Only,
    ] {
        let server = OpensslServer::profile(p);
        let addr = server.addr;
        let openssl_view = tokio::task::spawn_blocking(move || openssl_client_view(addr))
            .await
            .unwrap();
        let (result, _) = scan_at(server.addr, Transport::Implicit).await;
        assert_eq!(scanned(&result), openssl_view, "{p:?}");
    }
}

/// The vendored OpenSSL must have SSLv3, 3DES and RC4 compiled in, or the
/// legacy fixtures silently serve less than they claim (see Cargo.toml).
#[test]
fn vendored_openssl_has_the_legacy_suites() {
    use openssl::ssl::{SslContextBuilder, SslMethod, SslVersion};
    openssl_server::load_legacy_provider();
    for name in ["DES-CBC3-SHA", "RC4-SHA", "RC4-MD5"] {
        let mut b = SslContextBuilder::new(SslMethod::tls_server()).unwrap();
        b.set_security_level(0);
        assert!(
            b.set_cipher_list(name).is_ok(),
            "{name} is not compiled into the vendored OpenSSL"
        );
    }
    let mut b = SslContextBuilder::new(SslMethod::tls_server()).unwrap();
    assert!(b.set_min_proto_version(Some(SslVersion::SSL3)).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_preference_is_detected_and_its_order_reported() {
    let server = OpensslServer::profile(Profile::ServerPreference);
    let (result, _) = scan_at(server.addr, Transport::Implicit).await;
    let tls12 = result.version(TlsVersion::Tls12).unwrap();
    assert_eq!(tls12.server_preference, Some(true));
    assert_eq!(result.server_preference, Some(true));
    let order: Vec<String> = tls12.suites.iter().map(|s| s.iana.clone()).collect();
    let configured: Vec<String> = Profile::ServerPreference.expected()[0]
        .1
        .iter()
        .map(|n| suites::iana_hex(code(n)))
        .collect();
    assert_eq!(order, configured, "the server's own order");

    let server = OpensslServer::profile(Profile::ClientPreference);
    let (result, _) = scan_at(server.addr, Transport::Implicit).await;
    let tls12 = result.version(TlsVersion::Tls12).unwrap();
    assert_eq!(tls12.server_preference, Some(false));
    assert_eq!(result.server_preference, Some(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_and_dh_size_are_found() {
    // Given a TLS 1.3-only server with exactly x25519 and secp384r1
    let server = OpensslServer::profile(Profile::Tls13Only);
    let (result, _) = scan_at(server.addr, Transport::Implicit).await;
    let groups: BTreeSet<u16> = result.groups.iter().copied().collect();
    assert_eq!(
        groups,
        BTreeSet::from([0x001D, 0x0018]),
        "{:?}",
        result.groups
    );
    assert_eq!(result.dh_bits, None);

    // Given a DHE-only TLS 1.2 server on a 1024-bit prime
    let server = OpensslServer::profile(Profile::Dhe1024);
    let (result, _) = scan_at(server.addr, Transport::Implicit).await;
    assert_eq!(result.dh_bits, Some(1024));
    assert!(result.groups.is_empty(), "no ECDHE: {:?}", result.groups);

    // Given Exchange-like ECDHE-RSA suites at TLS 1.0: curves from the ServerKeyExchange
    let server = OpensslServer::profile(Profile::Exchange2010);
    let (result, _) = scan_at(server.addr, Transport::Implicit).await;
    assert!(result.groups.contains(&0x0017), "{:?}", result.groups);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_comes_from_a_tls10_only_server() {
    let server = OpensslServer::profile(Profile::Exchange2010);
    let (result, _) = scan_at(server.addr, Transport::Implicit).await;
    assert_eq!(result.chain_der, openssl_server::pki().chain_der);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange2010_over_starttls_scans_the_same() {
    // Given the Exchange 2010-like server on a plaintext IMAP port
    let server = OpensslServer::profile_over(Profile::Exchange2010, FxTransport::Starttls);
    // When every scanner connection runs the IMAP STARTTLS prelude first
    let (result, stats) = scan_at(server.addr, Transport::Starttls).await;
    // Then it reads exactly TLS 1.0 and its seven suites, and the chain
    assert_matches_configuration(Profile::Exchange2010, &result);
    assert_eq!(result.chain_der, openssl_server::pki().chain_der);
    assert_eq!(server.connections(), stats.connections as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls12_hello_answered_with_tls10_means_tls12_is_not_accepted() {
    let server = OpensslServer::profile(Profile::Exchange2010);
    let (ep, _) = endpoint(server.addr, Transport::Implicit);
    let hello = scan::scan_hello(
        TlsVersion::Tls12,
        scan::offer_order(TlsVersion::Tls12),
        None,
    );
    let ex = scan::send_hello(&ep, &hello, true, Deadline::after(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(
        scan::read_answer(0x0303, &ex),
        OfferOutcome::Downgraded { to: 0x0301 }
    );
    // The one-shot, read as a client trial, says what a client would get.
    assert!(matches!(
        scan::trial_outcome(&Ok(ex)),
        mailprobe::observations::TrialOutcome::Negotiated {
            version: TlsVersion::Tls10,
            ..
        }
    ));
}

/// A TCP server that reads whatever comes and answers each connection the
/// same way: `reply` bytes then a close, or an RST (`reset`).
async fn refusing_server(reply: &'static [u8], reset: bool) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                if reset {
                    // SO_LINGER 0: the close sends an RST, as a filter would.
                    #[allow(deprecated)]
                    let _ = s.set_linger(Some(Duration::ZERO));
                } else {
                    let _ = s.write_all(reply).await;
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn refusal_by_alert_and_by_silent_close_both_read_as_not_accepted() {
    // nginx/OpenSSL style: a fatal handshake_failure alert.
    let alert = refusing_server(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28], false).await;
    // Dovecot style: close without a word.
    let silent = refusing_server(b"", false).await;
    for addr in [alert, silent] {
        let (result, stats) = scan_at(addr, Transport::Implicit).await;
        for v in &result.versions {
            assert_eq!(v.offered, Some(false), "{addr}: {}", v.version);
            assert!(v.suites.is_empty());
        }
        assert!(result.errors.is_empty(), "{:?}", result.errors);
        // No retries on a clean refusal: one hello per bundle at most.
        assert!(stats.connections <= 12, "{}", stats.connections);
    }
}

#[tokio::test]
async fn a_reset_after_the_hello_is_an_answer_and_an_all_reset_server_is_not_called_tls_less() {
    let addr = refusing_server(b"", true).await;
    let (ep, meter) = endpoint(addr, Transport::Implicit);
    let hello = scan::scan_hello(TlsVersion::Tls12, vec![0xC02F], None);
    let started = Instant::now();
    let ex = scan::send_hello(&ep, &hello, true, Deadline::after(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(ex.ending, Ending::Reset);
    // Issue 21: no retry where a retry cannot change the answer (the scan's
    // control hello tells a refusal from a limit), and no fixed pause.
    assert_eq!(ex.connections, 1, "not retried");
    assert_eq!(meter.snapshot().connections, 1);
    assert!(started.elapsed() < Duration::from_millis(100));
    assert_eq!(
        scan::read_answer(0x0303, &ex),
        OfferOutcome::Refused { alert: None }
    );

    let (result, _) = scan_at(addr, Transport::Implicit).await;
    assert!(result.versions.iter().all(|v| v.offered.is_none()));
    assert!(
        result
            .errors
            .iter()
            .any(|e| e.message.contains("connection reset")),
        "{:?}",
        result.errors
    );
}

#[tokio::test]
async fn a_bye_greeting_on_starttls_is_a_rate_limit_not_unsupported_tls() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s
                .write_all(b"* BYE Too many connections from your IP\r\n")
                .await;
        }
    });
    let (result, stats) = scan_at(addr, Transport::Starttls).await;
    assert!(result.versions.iter().all(|v| v.offered.is_none()));
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert!(
        result.errors[0].message.contains("connection limit")
            && result.errors[0].message.contains("* BYE"),
        "{:?}",
        result.errors
    );
    // And the server is left alone once it said so: no more than each
    // version's first hello and its one retry, none of the eliminations.
    assert!(stats.connections <= 12, "{}", stats.connections);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_exchange2010_when_probed_over_http_then_tls10_only_with_its_seven_suites() {
    let server = OpensslServer::profile(Profile::Exchange2010);
    let app = spawn_app().await;
    let started = Instant::now();
    let resp = app
        .get(&format!(
            "/v1/probes?host=127.0.0.1&port={}&protocol=imap",
            server.port()
        ))
        .await;
    let took = started.elapsed();
    assert_eq!(resp.status(), 200);
    let report: Value = resp.json().await.unwrap();
    println!(
        "exchange2010 probe over HTTP: {} ms wall, duration_ms {}, stats {}",
        took.as_millis(),
        report["duration_ms"],
        report["stats"]
    );
    let versions = report["tls"]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 6);
    let offered: Vec<&str> = versions
        .iter()
        .filter(|v| v["offered"] == true)
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["TLSv1.0"]);
    assert!(versions.iter().all(|v| v["offered"].is_boolean()));
    let tls10 = versions.iter().find(|v| v["version"] == "TLSv1.0").unwrap();
    let names: BTreeSet<&str> = tls10["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["openssl_name"].as_str().unwrap())
        .collect();
    let want: BTreeSet<&str> = Profile::Exchange2010.expected()[0]
        .1
        .iter()
        .copied()
        .collect();
    assert_eq!(names, want);
    assert_eq!(tls10["server_preference"], true);
    assert_eq!(report["tls"]["server_preference"], true);
    // A TLS 1.0-only server still yields its chain (read in clear by the
    // scanner): leaf and intermediate, as the fixture sends them.
    let chain = report["tls"]["certificate"]["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 2, "{:#}", report["tls"]["certificate"]);
    assert_eq!(chain[0]["key_type"], "RSA");
    let stats = &report["stats"];
    assert!(stats["connections"].as_u64().unwrap() >= 10);
    // The Report says what the scan itself used: at least one connection
    // per accepted suite plus the refusal that ends the elimination, at most
    // that plus the extra bundles' refusals (2), the order check (1), one
    // hello per version (6) and the groups (6); the probe's other steps
    // (dialogue, real handshakes, client trials) come on top.
    let scan = stats["scan_connections"].as_u64().unwrap();
    assert!((8..=8 + 2 + 1 + 6 + 6).contains(&scan), "{stats}");
    assert!(scan < stats["connections"].as_u64().unwrap(), "{stats}");
    assert!(stats["handshakes"].as_u64().unwrap() >= 10);
    // Each step carries its start offset, so the picture of what ran side
    // by side is data: the client trials follow the wire scan on its path,
    // the mail dialogue runs beside the scan, and every step ends within
    // the probe (offsets and durations are whole milliseconds, rounded down).
    let timings = report["timings"].as_array().unwrap();
    let span = |step: &str| {
        let t = timings
            .iter()
            .find(|t| t["step"] == step)
            .unwrap_or_else(|| panic!("no {step} timing in {timings:?}"));
        (t["start_ms"].as_u64().unwrap(), t["ms"].as_u64().unwrap())
    };
    let (scan_start, scan_ms) = span("tls_scan");
    let (trials_start, trials_ms) = span("client_trials");
    let (dialogue_start, dialogue_ms) = span("mail_dialogue");
    // Issue 21: the observed trials run beside the scan; the predictions
    // need the whole scan, so the trials end after it.
    assert!(trials_start <= scan_start + scan_ms, "{timings:?}");
    assert!(
        trials_start + trials_ms + 1 >= scan_start + scan_ms,
        "{timings:?}"
    );
    assert!(dialogue_start < scan_start + scan_ms, "{timings:?}");
    assert!(
        scan_start < dialogue_start + dialogue_ms.max(1),
        "{timings:?}"
    );
    let duration = report["duration_ms"].as_u64().unwrap();
    for t in timings {
        let end = t["start_ms"].as_u64().unwrap() + t["ms"].as_u64().unwrap();
        assert!(
            end <= duration + 2,
            "{t} ends after the probe ({duration} ms)"
        );
    }
    // rustls cannot speak TLS 1.0, and the scan says so before the
    // dialogue's handshake: no rustls handshake is tried, the dialogue runs
    // over the legacy engine from the start, on one connection.
    assert!(
        !report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["step"] == "tls_handshake"),
        "{:#}",
        report["errors"]
    );
    assert_eq!(report["mail"]["tls"]["engine"], "legacy");
    assert_eq!(report["mail"]["tls"]["version"], "TLSv1.0");
    assert!(
        report["mail"]["transcript"][0]
            .as_str()
            .is_some_and(|l| l.contains("TLS 1.2 hello answered with TLSv1.0")),
        "{:#}",
        report["mail"]["transcript"]
    );
}

async fn observe(port: u16, transport: Transport) -> mailprobe::observations::Observations {
    let settings = crate::support::app::settings(&["--allow-targets", "127.0.0.0/8"]);
    let prober = mailprobe::probe::Prober::new(Arc::new(settings));
    let request = mailprobe::probe::request::ProbeRequest {
        host: "127.0.0.1".into(),
        port: Some(port),
        protocol: Some(Protocol::Imap),
        transport: Some(transport),
        ..Default::default()
    };
    prober.observe(&request).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_probe_of_exchange2010_keeps_the_scanners_chain_and_counts_everything() {
    for (fx, transport) in [
        (FxTransport::Implicit, Transport::Implicit),
        (FxTransport::Starttls, Transport::Starttls),
    ] {
        let server = OpensslServer::profile_over(Profile::Exchange2010, fx);
        let started = Instant::now();
        let obs = observe(server.port(), transport).await;
        println!(
            "exchange2010 full probe ({transport:?}): {} ms, {} connections, {} handshakes",
            started.elapsed().as_millis(),
            obs.stats.connections,
            obs.stats.handshakes
        );
        // The rustls handshake fails (TLS 1.0 only); the chain is the scanner's.
        assert_eq!(obs.chain_der, openssl_server::pki().chain_der);
        assert_eq!(obs.scan_chain_der, openssl_server::pki().chain_der);
        assert_eq!(obs.stats.connections as usize, server.connections());
        let offered: Vec<TlsVersion> = obs
            .tls
            .versions
            .iter()
            .filter(|v| v.offered == Some(true))
            .map(|v| v.version)
            .collect();
        assert_eq!(offered, [TlsVersion::Tls10]);
        assert!(obs.error_of("tls_scan").is_none(), "{:?}", obs.errors);
        // The evidence: TLS 1.1 and 1.2 hellos answered with TLS 1.0.
        let answer = |v: TlsVersion| {
            obs.version_answers
                .iter()
                .find(|a| a.version == v)
                .map(|a| a.answer.clone())
        };
        for v in [TlsVersion::Tls11, TlsVersion::Tls12] {
            assert_eq!(
                answer(v),
                Some(HelloAnswer::OtherVersion { version: 0x0301 }),
                "{v}"
            );
        }
        assert_eq!(answer(TlsVersion::Tls10), Some(HelloAnswer::Accepted));
        assert!(matches!(
            answer(TlsVersion::Ssl3),
            Some(HelloAnswer::Alert { .. })
        ));
        assert_eq!(obs.version_answers.len(), 6);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_probe_of_a_modern_server_keeps_the_handshake_chain() {
    let server = OpensslServer::profile(Profile::Modern);
    let obs = observe(server.port(), Transport::Implicit).await;
    assert!(obs.tls.handshake.is_some(), "{:?}", obs.errors);
    assert_eq!(obs.chain_der, openssl_server::pki().chain_der);
    assert_eq!(obs.scan_chain_der, openssl_server::pki().chain_der);
    let groups: BTreeSet<&str> = obs.tls.groups.iter().map(String::as_str).collect();
    assert!(
        groups.contains("x25519") && groups.contains("secp256r1"),
        "{groups:?}"
    );
    // OpenSSL 3.6's default groups include the ML-KEM hybrid.
    assert!(groups.contains("X25519MLKEM768"), "{groups:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plaintext_port_scanned_as_implicit_tls_is_an_error_not_a_refusal() {
    // Given an IMAP port that greets in plaintext (STARTTLS), probed as 993-style
    let server = OpensslServer::profile_over(Profile::Exchange2010, FxTransport::Starttls);
    let (result, stats) = scan_at(server.addr, Transport::Implicit).await;
    // Then nothing is called "not accepted": every version is undetermined
    assert!(
        result.versions.iter().all(|v| v.offered.is_none()),
        "{:?}",
        result.versions
    );
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert!(result.errors[0].message.contains("plaintext"));
    // And one hello per version is enough to see it
    assert!(stats.connections <= 6, "{}", stats.connections);
}

#[tokio::test]
async fn an_sslv2_server_is_seen_with_its_cipher_kinds() {
    // Given a server that answers only an SSLv2 CLIENT-HELLO (high bit set in
    // the first byte) with an SSLv2 SERVER-HELLO for RC4-MD5 and 3DES-MD5,
    // and closes on anything else
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let Ok(n) = s.read(&mut buf).await else {
                    return;
                };
                if n > 0 && buf[0] & 0x80 != 0 {
                    let cert = openssl_server::pki().chain_der[0].clone();
                    let kinds = [0x01, 0x00, 0x80, 0x07, 0x00, 0xC0];
                    let mut m = vec![4, 0, 1, 0x00, 0x02];
                    for len in [cert.len(), kinds.len(), 16] {
                        m.extend_from_slice(&(len as u16).to_be_bytes());
                    }
                    m.extend_from_slice(&cert);
                    m.extend_from_slice(&kinds);
                    m.extend_from_slice(&[0xC1; 16]);
                    let mut out = (0x8000 | m.len() as u16).to_be_bytes().to_vec();
                    out.extend_from_slice(&m);
                    let _ = s.write_all(&out).await;
                }
            });
        }
    });
    let (result, _) = scan_at(addr, Transport::Implicit).await;
    let ssl2 = result.version(TlsVersion::Ssl2).unwrap();
    assert_eq!(ssl2.offered, Some(true));
    let names: Vec<&str> = ssl2.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "SSL_CK_RC4_128_WITH_MD5",
            "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"
        ]
    );
    assert_eq!(ssl2.suites[1].iana, "0x0700C0");
    for v in &result.versions[1..] {
        assert_eq!(v.offered, Some(false), "{}", v.version);
    }
}

#[tokio::test]
async fn a_closed_port_gives_one_error_and_no_verdict_on_any_version() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let started = Instant::now();
    let (result, stats) = scan_at(addr, Transport::Implicit).await;
    assert!(result.versions.iter().all(|v| v.offered.is_none()));
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert_eq!(result.errors[0].kind, mailprobe::report::ErrorKind::Refused);
    assert_eq!(stats.connections, 0);
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// How a [`reset_proxy`] misbehaves.
#[derive(Clone, Copy)]
enum ProxyMode {
    /// Passes everything, but turns every alert and every close from the
    /// server into a TCP reset: how SChannel refuses a hello.
    AlertsAsResets,
    /// Passes the first `n` connections, then resets every new one at once:
    /// a connection limit.
    LimitAfter(usize),
}

/// A TCP proxy in front of a fixture that refuses the way real servers and
/// firewalls do, with resets.
async fn reset_proxy(upstream: SocketAddr, mode: ProxyMode) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut accepted = 0usize;
        while let Ok((mut client, _)) = listener.accept().await {
            accepted += 1;
            // SO_LINGER 0: dropping the socket sends an RST.
            #[allow(deprecated)]
            let _ = client.set_linger(Some(Duration::ZERO));
            if let ProxyMode::LimitAfter(n) = mode
                && accepted > n
            {
                drop(client);
                continue;
            }
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let mut up = [0u8; 8192];
                let mut down = [0u8; 8192];
                loop {
                    tokio::select! {
                        n = cr.read(&mut up) => match n {
                            Ok(n) if n > 0 => { if sw.write_all(&up[..n]).await.is_err() { break } }
                            _ => break,
                        },
                        n = sr.read(&mut down) => match n {
                            Ok(n) if n > 0 => {
                                if matches!(mode, ProxyMode::AlertsAsResets) && down[0] == 0x15 {
                                    break;
                                }
                                if cw.write_all(&down[..n]).await.is_err() { break }
                            }
                            _ => break,
                        },
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_refuses_by_reset_is_still_scanned_exactly() {
    // Given the Exchange 2010-like server refusing every unacceptable hello
    // with a reset instead of an alert, as SChannel does
    let server = OpensslServer::profile(Profile::Exchange2010);
    let proxy = reset_proxy(server.addr, ProxyMode::AlertsAsResets).await;
    let (result, _) = scan_at(proxy, Transport::Implicit).await;
    // Then the resets read as refusals: exactly TLS 1.0 and its suites
    assert_matches_configuration(Profile::Exchange2010, &result);
    let ssl3 = result
        .answers
        .iter()
        .find(|a| a.version == TlsVersion::Ssl3)
        .unwrap();
    assert_eq!(ssl3.answer, HelloAnswer::Reset);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_limit_mid_scan_is_reported_not_mistaken_for_refusal() {
    let server = OpensslServer::profile(Profile::Exchange2010);
    // What a whole scan takes, through the same proxy with no limit.
    let open = reset_proxy(server.addr, ProxyMode::LimitAfter(usize::MAX)).await;
    let (full, stats) = scan_at(open, Transport::Implicit).await;
    assert_matches_configuration(Profile::Exchange2010, &full);
    let need = stats.connections as usize;
    assert!(need > 12, "{need}");
    for limit in [0, 2, 3, 5, 8, 12, need - 2, need - 1] {
        // Given a server that resets every connection after the first few
        let proxy = reset_proxy(server.addr, ProxyMode::LimitAfter(limit)).await;
        let (result, _) = scan_at(proxy, Transport::Implicit).await;
        // Then TLS 1.0 is never called unsupported, and the scan says why
        // its answer is incomplete
        let tls10 = result.version(TlsVersion::Tls10).unwrap();
        assert_ne!(tls10.offered, Some(false), "limit {limit}");
        assert!(
            result
                .errors
                .iter()
                .any(|e| e.message.contains("connection limit")),
            "limit {limit}: {:?} / {:?}",
            result.errors,
            scanned(&result)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_and_smtp_starttls_ports_are_scanned_through_their_preludes() {
    use crate::support::openssl_server::MailProtocol;
    for (fixture, protocol) in [
        (MailProtocol::Pop3, Protocol::Pop3),
        (MailProtocol::Smtp, Protocol::Smtp),
        (MailProtocol::Imap, Protocol::Imap),
    ] {
        let server =
            OpensslServer::profile_speaking(Profile::Exchange2010, fixture, FxTransport::Starttls);
        let meter = Arc::new(Meter::default());
        let connector = Connector::new(vec![server.addr], 4, Arc::clone(&meter));
        let ep = Endpoint::new(connector, protocol, Transport::Starttls);
        let result = scan::scan(
            &ep,
            &ScanOptions::full(None),
            Deadline::after(Duration::from_secs(20)),
        )
        .await;
        assert_matches_configuration(Profile::Exchange2010, &result);
        assert_eq!(server.connections(), meter.snapshot().connections as usize);
    }
}

/// What a [`hello_proxy`] saw of one ClientHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SeenHello {
    /// `client_version` (0x0002 for an SSLv2 CLIENT-HELLO).
    pub(crate) version: u16,
    pub(crate) suites: usize,
}

/// Reads the start of a ClientHello: its version and how many suites it
/// offers. `None` until enough bytes are there (or for anything else).
fn parse_hello_start(buf: &[u8]) -> Option<SeenHello> {
    if buf.first() == Some(&0x80) || buf.first().is_some_and(|b| b & 0x80 != 0 && *b != 0x16) {
        return Some(SeenHello {
            version: 0x0002,
            suites: 0,
        });
    }
    if buf.len() < 44 || buf[0] != 0x16 || buf[5] != 1 {
        return None;
    }
    let version = u16::from_be_bytes([buf[9], buf[10]]);
    let sid = usize::from(buf[43]);
    let at = 44 + sid;
    let len = u16::from_be_bytes([*buf.get(at)?, *buf.get(at + 1)?]);
    Some(SeenHello {
        version,
        suites: usize::from(len) / 2,
    })
}

/// A TCP proxy in front of a fixture that records every ClientHello and,
/// with `refuse_large`, answers a hello of more than 128 suites with a fatal
/// `illegal_parameter` alert, as some servers do (bredband.com in a
/// public scanner's notes).
pub(crate) async fn hello_proxy(
    upstream: SocketAddr,
    refuse_large: bool,
) -> (SocketAddr, Arc<std::sync::Mutex<Vec<SeenHello>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let hello = loop {
                    match client.read(&mut chunk).await {
                        Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                        _ => return,
                    }
                    if let Some(h) = parse_hello_start(&buf) {
                        break h;
                    }
                    if buf.len() > 8192 {
                        return;
                    }
                };
                log.lock().unwrap().push(hello);
                if refuse_large && hello.suites > 128 {
                    let _ = client
                        .write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x2F])
                        .await;
                    return;
                }
                let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                if server.write_all(&buf).await.is_err() {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_below_a_downgrade_get_no_hello_of_their_own() {
    // Given the Exchange 2010-like server (TLS 1.0 only), which answers a
    // TLS 1.2 hello with a TLS 1.0 ServerHello
    let server = OpensslServer::profile(Profile::Exchange2010);
    let (proxy, seen) = hello_proxy(server.addr, false).await;
    let (result, _) = scan_at(proxy, Transport::Implicit).await;
    assert_matches_configuration(Profile::Exchange2010, &result);
    // Then TLS 1.1 is settled by that answer, with no TLS 1.1 hello sent
    let hellos = seen.lock().unwrap().clone();
    assert!(
        !hellos.iter().any(|h| h.version == 0x0302),
        "a TLS 1.1 hello was sent: {hellos:?}"
    );
    let tls11 = result
        .answers
        .iter()
        .find(|a| a.version == TlsVersion::Tls11)
        .unwrap();
    assert_eq!(tls11.answer, HelloAnswer::OtherVersion { version: 0x0301 });
    // And the suites were eliminated over whole lists, not bundles of 128
    assert!(hellos.iter().any(|h| h.suites > 128), "{hellos:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_refuses_large_hellos_is_scanned_in_bundles() {
    for p in [Profile::Exchange2010, Profile::Modern, Profile::Ssl3Tls10] {
        // Given a server that refuses any hello of more than 128 suites
        // with an illegal_parameter alert
        let server = OpensslServer::profile(p);
        let (proxy, seen) = hello_proxy(server.addr, true).await;
        let (result, _) = scan_at(proxy, Transport::Implicit).await;
        // Then the refusal is not taken for "no such version": the
        // versions are offered again in bundles, and found exactly
        assert_matches_configuration(p, &result);
        let hellos = seen.lock().unwrap().clone();
        assert!(hellos.iter().any(|h| h.suites > 128), "{p:?}");
        assert!(
            hellos
                .iter()
                .any(|h| h.suites > 0 && h.suites <= 128 && h.version < 0x0304),
            "{p:?}: no bundled hello {hellos:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls13_suites_and_groups_are_found_together() {
    // Given a TLS 1.3-only server with two suites and two groups
    let server = OpensslServer::profile(Profile::Tls13Only);
    let (result, stats) = scan_at(server.addr, Transport::Implicit).await;
    assert_matches_configuration(Profile::Tls13Only, &result);
    // Then both groups are found, the server's favourite first
    assert_eq!(result.groups, vec![0x001D, 0x0018], "X25519 then P-384");
    // And it took (suites + 1) + a group terminal + the lower-version and
    // SSLv2 hellos: fewer than the two eliminations one after the other
    assert!(stats.connections <= 7, "{}", stats.connections);
}
