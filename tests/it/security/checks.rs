//! Issue 18: the security checks on real servers (OpenSSL, rustls, the
//! scripted IMAP dialogue over rustls: none vulnerable) and on small
//! scripted servers for the positive cases no real library produces (a
//! STARTTLS buffer kept across the handshake, a heartbeat answered with
//! memory, an early ChangeCipherSpec taken, DEFLATE chosen). Each positive
//! asserts the result and its evidence; every negative asserts the check
//! ran (so it could have failed).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mailprobe::diagnosis::findings::security::check_result;
use mailprobe::net::{Connector, Meter};
use mailprobe::observations::{Answer, CheckId, CheckRun, CheckStatus, Seen};
use mailprobe::tls::scan::{Endpoint, VersionSupport};
use mailprobe::tls::security::{self, CheckPlan, CheckTarget};
use mailprobe::vocab::{Deadline, Protocol, TlsVersion, Transport};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::support::app::spawn_app_with;
use crate::support::mail_servers::{self, Script, Start};
use crate::support::openssl_server::{OpensslServer, Profile};
use crate::support::rustls_server;

fn target(
    addr: SocketAddr,
    protocol: Protocol,
    transport: Transport,
    v: &[TlsVersion],
) -> (CheckTarget, Arc<Meter>) {
    let meter = Arc::new(Meter::default());
    let connector = Connector::new(vec![addr], 4, Arc::clone(&meter));
    let versions = TlsVersion::ALL
        .iter()
        .map(|x| VersionSupport {
            version: *x,
            offered: Some(v.contains(x)),
            suites: if v.contains(x) && *x != TlsVersion::Tls13 {
                vec![
                    mailprobe::tls::suite_info(0xC02F),
                    mailprobe::tls::suite_info(0x002F),
                ]
            } else {
                Vec::new()
            },
            server_preference: None,
        })
        .collect();
    (
        CheckTarget {
            endpoint: Endpoint::new(connector, protocol, transport),
            protocol,
            transport,
            sni: None,
            versions,
        },
        meter,
    )
}

async fn run_one(t: &CheckTarget, id: CheckId) -> CheckRun {
    let plan = CheckPlan {
        run: vec![id],
        skipped: Vec::new(),
    };
    let runs = security::run(t, &plan, Deadline::after(Duration::from_secs(10))).await;
    runs.into_iter().find(|r| r.id == id).expect("a record")
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["security"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {report:#}"))
}

async fn probe(body: Value) -> Value {
    let app = spawn_app_with(&["--allow-targets", "127.0.0.0/8"]).await;
    let r = app.post_probe(&body).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Given a real OpenSSL 3 server with TLS 1.2 and 1.3, when probed, then
/// every check runs and none finds a weakness: OpenSSL honours the SCSV,
/// has no heartbeat and no compression, refuses an early CCS and refuses
/// client renegotiation (OpenSSL 3 default). And the checks stay within
/// their budget: at most 8 connections beside the scan.
#[tokio::test]
async fn a_real_openssl_server_passes_every_check_within_the_budget() {
    let server = OpensslServer::profile(Profile::Modern);
    let report = probe(
        json!({"host": "127.0.0.1", "port": server.port(), "protocol": "imap",
        "transport": "implicit", "timeout_ms": 20000}),
    )
    .await;
    let expect = [
        ("fallback_scsv", "honoured"),
        ("compression", "not_accepted"),
        ("secure_renegotiation", "supported"),
        ("client_renegotiation", "refused"),
        ("heartbleed", "not_vulnerable"),
        ("ccs_injection", "not_vulnerable"),
    ];
    for (id, result) in expect {
        let c = check(&report, id);
        assert_eq!(c["status"], "done", "{id}: {c}");
        assert_eq!(c["result"], result, "{id}: {c}");
        assert!(c["finding"].is_null(), "{id}: {c}");
    }
    assert_eq!(
        check(&report, "starttls_injection")["status"],
        "not_applicable"
    );
    let cost: u64 = report["security"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["connections"].as_u64().unwrap())
        .sum();
    assert_eq!(report["stats"]["security_connections"], cost);
    // compression + secure_renegotiation (one hello), fallback_scsv,
    // client_renegotiation, heartbleed, ccs_injection; no STARTTLS here.
    eprintln!("security checks on OpenSSL TLS 1.2+1.3, implicit TLS: {cost} connections");
    assert_eq!(cost, 5, "{cost} connections");
    let timings: Vec<&str> = report["timings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["step"].as_str())
        .collect();
    assert!(
        timings.contains(&"security_checks.heartbleed"),
        "{timings:?}"
    );
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    for id in [
        "HEARTBLEED",
        "CCS_INJECTION",
        "TLS_COMPRESSION_CRIME",
        "NO_FALLBACK_SCSV",
    ] {
        assert!(!ids.contains(&id), "{id} in {ids:?}");
    }
    assert_eq!(
        report["rating"]["grade"], "C",
        "self-signed fixture root: {}",
        report["rating"]
    );
}

/// `checks: []` runs none (what tests counting connections elsewhere send),
/// and a selection runs only what it names.
#[tokio::test]
async fn the_request_selects_the_checks() {
    let server = OpensslServer::profile(Profile::Modern);
    let report = probe(
        json!({"host": "127.0.0.1", "port": server.port(), "protocol": "imap",
        "transport": "implicit", "timeout_ms": 20000, "checks": []}),
    )
    .await;
    assert_eq!(report["stats"]["security_connections"], 0);
    assert!(
        report["security"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "not_run")
    );
    let report = probe(
        json!({"host": "127.0.0.1", "port": server.port(), "protocol": "imap",
        "transport": "implicit", "timeout_ms": 20000, "checks": ["heartbleed"]}),
    )
    .await;
    assert_eq!(report["stats"]["security_connections"], 1);
    assert_eq!(check(&report, "heartbleed")["status"], "done");
    assert_eq!(check(&report, "ccs_injection")["status"], "not_run");
}

/// A rustls server: no heartbeat, no compression, an early CCS refused,
/// renegotiation refused. rustls does not implement TLS_FALLBACK_SCSV: it
/// answers the TLS 1.2 hello with the TLS 1.3 downgrade sentinel in its
/// random (RFC 8446 §4.1.3), which protects TLS 1.3 clients, and the check
/// says so instead of reporting a missing SCSV.
#[tokio::test]
async fn a_rustls_server_is_not_vulnerable() {
    let server = rustls_server::start(rustls_server::Options::default()).await;
    let (t, _) = target(
        server.addr,
        Protocol::Imap,
        Transport::Implicit,
        &[TlsVersion::Tls12, TlsVersion::Tls13],
    );
    for (id, expected) in [
        (CheckId::Heartbleed, "not_vulnerable"),
        (CheckId::CcsInjection, "not_vulnerable"),
        (CheckId::Compression, "not_accepted"),
        (CheckId::SecureRenegotiation, "supported"),
        (CheckId::ClientRenegotiation, "refused"),
        (CheckId::FallbackScsv, "protected_by_tls13_sentinel"),
    ] {
        let run = run_one(&t, id).await;
        assert_eq!(run.status, CheckStatus::Done, "{id:?}: {run:?}");
        assert_eq!(check_result(&run), Some(expected), "{id:?}: {run:?}");
    }
}

/// The scripted IMAP dialogue over rustls reads STARTTLS through a buffer
/// and drops it at the upgrade, as Dovecot does: not vulnerable.
#[tokio::test]
async fn a_server_that_drops_its_plaintext_buffer_is_not_injectable() {
    let fixture = mail_servers::start(Script::Imap(mail_servers::dovecot()), Start::Plain).await;
    let (t, meter) = target(
        fixture.addr,
        Protocol::Imap,
        Transport::Starttls,
        &[TlsVersion::Tls12, TlsVersion::Tls13],
    );
    let run = run_one(&t, CheckId::StarttlsInjection).await;
    assert_eq!(run.status, CheckStatus::Done, "{run:?}");
    assert_eq!(check_result(&run), Some("not_vulnerable"), "{run:?}");
    assert_eq!(run.connections, 1);
    assert_eq!(meter.snapshot().connections, 1);
    assert!(
        fixture.received().iter().any(|l| l == "mp3 LOGOUT"),
        "{:?}",
        fixture.received()
    );
}

// ---- scripted positives ------------------------------------------------

async fn listen() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

/// A ServerHello (TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA) with these
/// extensions and compression method, and a ServerHelloDone, in one record.
fn server_hello(compression: u8, exts: &[(u16, &[u8])]) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend([0x42; 32]);
    body.push(0);
    body.extend([0x00, 0x2F, compression]);
    let mut block = Vec::new();
    for (t, d) in exts {
        block.extend(t.to_be_bytes());
        block.extend((d.len() as u16).to_be_bytes());
        block.extend(*d);
    }
    body.extend((block.len() as u16).to_be_bytes());
    body.extend(block);
    let mut hs = vec![2, 0, (body.len() >> 8) as u8, body.len() as u8];
    hs.extend(body);
    hs.extend([14, 0, 0, 0]);
    let mut rec = vec![0x16, 3, 3, (hs.len() >> 8) as u8, hs.len() as u8];
    rec.extend(hs);
    rec
}

/// Reads one whole TLS record (the ClientHello) or gives up.
async fn read_record(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).await.ok()?;
    let len = u16::from_be_bytes([head[3], head[4]]) as usize;
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.ok()?;
    Some([head.to_vec(), body].concat())
}

async fn scripted<F, Fut>(behaviour: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let (l, addr) = listen().await;
    let behaviour = Arc::new(behaviour);
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let b = Arc::clone(&behaviour);
            tokio::spawn(async move { b(s).await });
        }
    });
    addr
}

/// Heartbleed: the server advertises heartbeats and answers the request
/// with 16 KiB of "memory".
#[tokio::test]
async fn a_heartbeat_answered_with_extra_bytes_is_heartbleed() {
    let addr = scripted(|mut s| async move {
        if read_record(&mut s).await.is_none() {
            return;
        }
        let _ = s.write_all(&server_hello(0, &[(0x000F, &[1])])).await;
        let mut req = [0u8; 8];
        if s.read_exact(&mut req).await.is_ok() && req[0] == 0x18 {
            let mut resp = vec![0x18, 3, 3, 0x40, 0x03, 2, 0x40, 0x00];
            resp.extend(std::iter::repeat_n(0xA5, 0x4000));
            let _ = s.write_all(&resp).await;
        }
    })
    .await;
    let (t, _) = target(
        addr,
        Protocol::Tls,
        Transport::Implicit,
        &[TlsVersion::Tls12],
    );
    let run = run_one(&t, CheckId::Heartbleed).await;
    assert_eq!(check_result(&run), Some("vulnerable"), "{run:?}");
    assert_eq!(
        run.seen,
        Some(Seen::Heartbleed {
            extension: true,
            answer: Some(Answer::Record {
                content_type: 24,
                length: 0x4003
            })
        })
    );
}

/// CCS injection: the server takes the first early CCS and fails to
/// decrypt the second (`decryption_failed`), as unpatched OpenSSL did.
#[tokio::test]
async fn an_early_ccs_accepted_is_ccs_injection() {
    let addr = scripted(|mut s| async move {
        if read_record(&mut s).await.is_none() {
            return;
        }
        let _ = s.write_all(&server_hello(0, &[])).await;
        let mut ccs = [0u8; 12];
        if s.read_exact(&mut ccs).await.is_ok() && ccs[0] == 0x14 && ccs[6] == 0x14 {
            let _ = s.write_all(&[0x15, 3, 3, 0, 2, 2, 21]).await;
        }
    })
    .await;
    let (t, _) = target(
        addr,
        Protocol::Tls,
        Transport::Implicit,
        &[TlsVersion::Tls12],
    );
    let run = run_one(&t, CheckId::CcsInjection).await;
    assert_eq!(check_result(&run), Some("vulnerable"), "{run:?}");
    assert_eq!(
        run.seen,
        Some(Seen::CcsInjection {
            answer: Answer::Alert { description: 21 }
        })
    );
}

/// CRIME: the server picks DEFLATE; and the same ServerHello shows no
/// renegotiation_info, so secure renegotiation is reported missing.
#[tokio::test]
async fn deflate_chosen_is_compression_and_no_renegotiation_info_is_reported() {
    let addr = scripted(|mut s| async move {
        if let Some(hello) = read_record(&mut s).await {
            // Offered DEFLATE? Then take it.
            let method = u8::from(hello.windows(3).any(|w| w == [2, 1, 0]));
            let _ = s.write_all(&server_hello(method, &[])).await;
        }
    })
    .await;
    let (t, meter) = target(
        addr,
        Protocol::Tls,
        Transport::Implicit,
        &[TlsVersion::Tls12],
    );
    let plan = CheckPlan {
        run: vec![CheckId::Compression, CheckId::SecureRenegotiation],
        skipped: Vec::new(),
    };
    let runs = security::run(&t, &plan, Deadline::after(Duration::from_secs(10))).await;
    let comp = runs.iter().find(|r| r.id == CheckId::Compression).unwrap();
    assert_eq!(comp.seen, Some(Seen::Compression { method: 1 }), "{comp:?}");
    assert_eq!(check_result(comp), Some("accepted"));
    let reneg = runs
        .iter()
        .find(|r| r.id == CheckId::SecureRenegotiation)
        .unwrap();
    assert_eq!(check_result(reneg), Some("not_supported"), "{reneg:?}");
    assert_eq!(meter.snapshot().connections, 1, "one hello for both");
}

/// STARTTLS injection: an IMAP server that keeps its plaintext buffer
/// across the upgrade and answers the pipelined command inside TLS.
#[tokio::test]
async fn a_pipelined_command_answered_inside_tls_is_injection() {
    let acceptor = injection_acceptor();
    let addr = scripted(move |s| {
        let acceptor = acceptor.clone();
        async move {
            let mut r = BufReader::new(s);
            let _ = r.get_mut().write_all(b"* OK IMAP ready\r\n").await;
            let mut line = String::new();
            if r.read_line(&mut line).await.is_err() || !line.contains("STARTTLS") {
                return;
            }
            let _ = r.get_mut().write_all(b"mp1 OK Begin TLS\r\n").await;
            // The bug: the bytes already buffered survive the upgrade.
            let mut pending = String::new();
            let _ = r.read_line(&mut pending).await;
            let Ok(mut tls) = acceptor.accept(r.into_inner()).await else {
                return;
            };
            let tag = pending.split(' ').next().unwrap_or("*").to_string();
            let _ = tls
                .write_all(format!("{tag} OK NOOP completed\r\n").as_bytes())
                .await;
            let mut buf = [0u8; 256];
            let _ = tls.read(&mut buf).await;
            let _ = tls.write_all(b"* BYE\r\nmp3 OK LOGOUT completed\r\n").await;
            let _ = tls.shutdown().await;
        }
    })
    .await;
    let (t, _) = target(
        addr,
        Protocol::Imap,
        Transport::Starttls,
        &[TlsVersion::Tls12, TlsVersion::Tls13],
    );
    let run = run_one(&t, CheckId::StarttlsInjection).await;
    assert_eq!(check_result(&run), Some("vulnerable"), "{run:?}");
    let Some(Seen::StarttlsInjection {
        answered_in_tls, ..
    }) = &run.seen
    else {
        panic!("{run:?}")
    };
    assert_eq!(answered_in_tls, &["mp2 OK NOOP completed".to_string()]);
}

fn injection_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let root = crate::support::pki::Ca::root("injection fixture root");
    let leaf = root.leaf(&["localhost"]);
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(leaf.cert_der.clone())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone())),
    )
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// Over STARTTLS (the scripted Dovecot dialogue over rustls, TLS 1.2 and
/// 1.3) every check runs, injection included: six connections, the most
/// the checks take.
#[tokio::test]
async fn a_starttls_port_costs_six_connections_and_is_not_injectable() {
    let fixture = mail_servers::start(Script::Imap(mail_servers::dovecot()), Start::Plain).await;
    let report = probe(
        json!({"host": "127.0.0.1", "port": fixture.port, "protocol": "imap",
        "transport": "starttls", "timeout_ms": 20000}),
    )
    .await;
    let c = check(&report, "starttls_injection");
    assert_eq!(c["result"], "not_vulnerable", "{c}");
    assert_eq!(
        check(&report, "fallback_scsv")["result"],
        "protected_by_tls13_sentinel"
    );
    let cost = report["stats"]["security_connections"].as_u64().unwrap();
    eprintln!("security checks on rustls TLS 1.2+1.3 over STARTTLS: {cost} connections");
    assert_eq!(cost, 6, "{:#}", report["security"]);
    // Dovecot-like: LOGINDISABLED before TLS, so the rating credits it.
    assert!(
        report["rating"]["credited"][0]
            .as_str()
            .is_some_and(|s| s.contains("refuses login before TLS")),
        "{}",
        report["rating"]
    );
}

/// Client renegotiation on real OpenSSL 3 servers: refused by default
/// (the server's `no_renegotiation`), carried out when the server sets
/// SSL_OP_ALLOW_CLIENT_RENEGOTIATION.
#[tokio::test]
async fn client_renegotiation_is_refused_by_openssl_3_unless_allowed() {
    use crate::support::openssl_server::Config;
    for allow in [false, true] {
        let server = OpensslServer::start(Config {
            allow_client_renegotiation: allow,
            max: openssl::ssl::SslVersion::TLS1_2,
            ..Profile::Modern.config()
        });
        let (t, _) = target(
            server.addr,
            Protocol::Imap,
            Transport::Implicit,
            &[TlsVersion::Tls12],
        );
        let run = run_one(&t, CheckId::ClientRenegotiation).await;
        eprintln!("allow={allow}: {run:?}");
        let expected = if allow { "accepted" } else { "refused" };
        assert_eq!(check_result(&run), Some(expected), "allow={allow}: {run:?}");
        if !allow {
            let Some(Seen::ClientRenegotiation { detail, .. }) = &run.seen else {
                panic!()
            };
            assert!(detail.contains("renegotiation"), "{detail}");
        }
    }
}

/// `GET /v1/findings` lists every security finding with its references.
#[tokio::test]
async fn the_findings_catalogue_lists_every_security_finding_with_references() {
    let app = spawn_app_with(&[]).await;
    let list: Value = app.get("/v1/findings").await.json().await.unwrap();
    let all = list["findings"].as_array().unwrap();
    for (id, reference) in [
        ("STARTTLS_INJECTION", "CVE-2011-0411"),
        ("STARTTLS_DATA_BEFORE_HANDSHAKE", "rfc3207"),
        ("NO_FALLBACK_SCSV", "rfc7507"),
        ("TLS_COMPRESSION_CRIME", "CVE-2012-4929"),
        ("NO_SECURE_RENEGOTIATION", "rfc5746"),
        ("CLIENT_RENEGOTIATION_ALLOWED", "CVE-2011-1473"),
        ("HEARTBLEED", "CVE-2014-0160"),
        ("CCS_INJECTION", "CVE-2014-0224"),
        ("SSL2_DROWN", "CVE-2016-0800"),
        ("SSL3_POODLE", "CVE-2014-3566"),
        ("TLS10_CBC_BEAST", "CVE-2011-3389"),
        ("SWEET32_64BIT_BLOCK", "CVE-2016-2183"),
        ("RC4_ENABLED", "rfc7465"),
        ("EXPORT_RSA_FREAK", "CVE-2015-0204"),
        ("EXPORT_DH_LOGJAM", "CVE-2015-4000"),
        ("NULL_CIPHER_ENABLED", "rfc9325"),
        ("ANONYMOUS_SUITES_ENABLED", "rfc9325"),
        ("LUCKY13_CBC", "CVE-2013-0169"),
    ] {
        let f = all
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("{id} not listed"));
        let refs = f["references"].to_string();
        assert!(refs.contains(reference), "{id}: {refs}");
        let software: Vec<&str> = f["remedies"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["software"].as_str())
            .collect();
        for sw in ["Exchange", "Dovecot", "Postfix", "Courier", "Cyrus", "any"] {
            assert!(software.contains(&sw), "{id}: remedies for {software:?}");
        }
    }
    assert!(!all.iter().any(|f| f["id"] == "WEAK_CIPHERS_ENABLED"));
}

/// ServerHello (TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA), Certificate with
/// `leaf`, ServerHelloDone, in one record.
fn rsa_flight(leaf: &[u8]) -> Vec<u8> {
    let mut rec = server_hello(0, &[]);
    // Drop the ServerHelloDone and the record header; rebuild with a Certificate.
    let mut hs = rec.split_off(5);
    hs.truncate(hs.len() - 4);
    let mut certs: Vec<u8> = Vec::new();
    certs.extend(&(leaf.len() as u32).to_be_bytes()[1..]);
    certs.extend(leaf);
    let mut body = (certs.len() as u32).to_be_bytes()[1..].to_vec();
    body.extend(certs);
    hs.push(11);
    hs.extend(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend(body);
    hs.extend([14, 0, 0, 0]);
    let mut out = vec![0x16, 3, 3];
    out.extend((hs.len() as u16).to_be_bytes());
    out.extend(hs);
    out
}

/// ROBOT: a scripted server that decrypts the key exchange and answers a
/// PKCS#1 block starting `00 02` with `bad_record_mac`, anything else with
/// `handshake_failure`: the oracle Bleichenbacher needs. Ten connections.
#[tokio::test]
async fn a_padding_oracle_is_robot() {
    let root = crate::support::pki::Ca::root("robot fixture root");
    let leaf = root.rsa_leaf(&["localhost"], 2048);
    let key = Arc::new(
        openssl::pkey::PKey::private_key_from_pkcs8(&leaf.key_der)
            .unwrap()
            .rsa()
            .unwrap(),
    );
    let flight = Arc::new(rsa_flight(&leaf.cert_der));
    let addr = scripted(move |mut s| {
        let (key, flight) = (Arc::clone(&key), Arc::clone(&flight));
        async move {
            if read_record(&mut s).await.is_none() {
                return;
            }
            let _ = s.write_all(&flight).await;
            let Some(cke) = read_record(&mut s).await else {
                return;
            };
            let ct = &cke[5 + 4 + 2..];
            let mut plain = vec![0u8; key.size() as usize];
            let ok = key
                .private_decrypt(ct, &mut plain, openssl::rsa::Padding::NONE)
                .is_ok()
                && plain[0] == 0
                && plain[1] == 2;
            let alert = if ok { 20 } else { 40 };
            let _ = s.write_all(&[0x15, 3, 3, 0, 2, 2, alert]).await;
        }
    })
    .await;
    let (t, meter) = target(
        addr,
        Protocol::Tls,
        Transport::Implicit,
        &[TlsVersion::Tls12],
    );
    let run = run_one(&t, CheckId::Robot).await;
    assert_eq!(check_result(&run), Some("vulnerable"), "{run:?}");
    let Some(Seen::Robot { full, .. }) = &run.seen else {
        panic!("{run:?}")
    };
    assert_eq!(full[0], Answer::Alert { description: 20 });
    assert_eq!(full[1], Answer::Alert { description: 40 });
    // The wrong-first-bytes payload's answer (the only one whose padding
    // this fixture rejects), unlike the rest in each round, was asked once
    // more and came back the same: ten connections and two.
    let Some(Seen::Robot { asked_again, .. }) = &run.seen else {
        panic!("{run:?}")
    };
    assert_eq!(asked_again.len(), 2, "{asked_again:?}");
    assert!(asked_again.iter().all(|(_, i, a)| *i == 1 && *a == full[1]));
    assert_eq!(run.connections, 12);
    assert_eq!(meter.snapshot().connections, 12);
}

/// A real OpenSSL 3 server with static RSA only answers every payload the
/// same way (its implicit rejection): no oracle.
#[tokio::test]
async fn openssl_with_static_rsa_is_no_oracle() {
    let server = OpensslServer::profile(Profile::Tls12StaticRsa);
    let (mut t, _) = target(
        server.addr,
        Protocol::Imap,
        Transport::Implicit,
        &[TlsVersion::Tls12],
    );
    for v in t
        .versions
        .iter_mut()
        .filter(|v| v.version == TlsVersion::Tls12)
    {
        v.suites = vec![
            mailprobe::tls::suite_info(0x009C),
            mailprobe::tls::suite_info(0x002F),
        ];
    }
    let run = run_one(&t, CheckId::Robot).await;
    eprintln!("robot on OpenSSL static RSA: {run:?}");
    assert_eq!(run.status, CheckStatus::Done, "{run:?}");
    assert_eq!(check_result(&run), Some("not_vulnerable"), "{run:?}");
    assert!(run.connections <= 10);
    // Not applicable where no static RSA suite is accepted.
    let modern = OpensslServer::profile(Profile::Modern);
    let (mut t, _) = target(
        modern.addr,
        Protocol::Imap,
        Transport::Implicit,
        &[TlsVersion::Tls12],
    );
    for v in t.versions.iter_mut() {
        v.suites = if v.version == TlsVersion::Tls12 {
            vec![mailprobe::tls::suite_info(0xC02F)]
        } else {
            Vec::new()
        };
    }
    let run = run_one(&t, CheckId::Robot).await;
    assert!(
        matches!(run.status, CheckStatus::NotApplicable(_)),
        "{run:?}"
    );
    assert_eq!(run.connections, 0);
}

/// POP3 and SMTP: the scripted Exchange POP3 and Postfix dialogues (over
/// rustls) drop their plaintext buffer at the upgrade: `QUIT` inside TLS
/// is the only command answered.
#[tokio::test]
async fn pop3_and_smtp_servers_that_drop_their_buffer_are_not_injectable() {
    use crate::support::mail_servers::{Pop3Script, SmtpScript};
    let pop3 = Script::Pop3(Pop3Script {
        greeting: "+OK The Microsoft Exchange POP3 service is ready.",
        capa_plain: &["TOP", "UIDL", "USER", "STLS"],
        capa_tls: &["TOP", "UIDL", "SASL PLAIN", "USER"],
        stls_ok: true,
    });
    let smtp = Script::Smtp(SmtpScript {
        greeting: &["mx.example.com ESMTP Postfix (Debian/GNU)"],
        ehlo_plain: &["mx.example.com", "PIPELINING", "STARTTLS"],
        ehlo_tls: &["mx.example.com", "PIPELINING", "AUTH PLAIN"],
        starttls_ok: true,
    });
    for (script, protocol, closing) in [
        (pop3, Protocol::Pop3, "QUIT"),
        (smtp, Protocol::Smtp, "QUIT"),
    ] {
        let fixture = mail_servers::start(script, Start::Plain).await;
        let (t, _) = target(
            fixture.addr,
            protocol,
            Transport::Starttls,
            &[TlsVersion::Tls12, TlsVersion::Tls13],
        );
        let run = run_one(&t, CheckId::StarttlsInjection).await;
        assert_eq!(
            check_result(&run),
            Some("not_vulnerable"),
            "{protocol:?}: {run:?}"
        );
        let Some(Seen::StarttlsInjection { transcript, .. }) = &run.seen else {
            panic!("{run:?}")
        };
        assert_eq!(
            transcript.len(),
            1,
            "{protocol:?}: only the QUIT answer: {transcript:?}"
        );
        assert!(
            fixture.received().iter().any(|l| l == closing),
            "{:?}",
            fixture.received()
        );
    }
}

/// GET takes `checks` comma-separated; an unknown id is a 422 naming it.
#[tokio::test]
async fn get_takes_checks_comma_separated() {
    let server = OpensslServer::profile(Profile::Modern);
    let app = spawn_app_with(&["--allow-targets", "127.0.0.0/8"]).await;
    let path = format!(
        "/v1/probes?host=127.0.0.1&port={}&transport=implicit&checks=heartbleed,ccs_injection",
        server.port()
    );
    let report: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(
        report["stats"]["security_connections"], 2,
        "{:#}",
        report["security"]
    );
    assert_eq!(check(&report, "heartbleed")["status"], "done");
    assert_eq!(check(&report, "compression")["status"], "not_run");
    let r = app
        .get("/v1/probes?host=127.0.0.1&port=1&checks=heartbleed,bogus")
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("bogus") && body.contains("checks"), "{body}");
}
