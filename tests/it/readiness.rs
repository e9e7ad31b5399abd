//! `POST /v1/readiness` end to end: several fixture ports of one loopback
//! host (Exchange 2010-like IMAP on an implicit and a STARTTLS port, an
//! Exchange-like HTTPS server, a closed port), and discovery from an email
//! domain through an in-process DNS server.

use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::dns_server::{self, Zone};
use crate::support::https_server;
use crate::support::openssl_server::{self, OpensslServer, Profile, Transport};

async fn post_readiness(app: &TestApp, body: &Value) -> (u16, Value) {
    let resp = app
        .client
        .post(app.url("/v1/readiness"))
        .json(body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn advice<'a>(r: &'a Value, path: &str) -> &'a Value {
    r["advice"]
        .as_array()
        .expect("advice")
        .iter()
        .find(|a| a["path"] == path)
        .unwrap_or_else(|| panic!("no advice for {path}: {:#}", r["advice"]))
}

fn endpoint<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no endpoint {name}"))
}

fn check<'a>(r: &'a Value, path: &str) -> &'a Value {
    r["exchange_http"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["path"] == path)
        .unwrap_or_else(|| panic!("no check {path}: {:#}", r["exchange_http"]))
}

/// What the seed case's readiness must say, however the host was found.
fn assert_exchange2010_advice(r: &Value) {
    let imap = advice(r, "imap_migration");
    assert_eq!(imap["viable"], "no", "{imap:#}");
    let why = imap["why"].to_string();
    assert!(why.contains("TLSv1.0"), "{why}");
    for path in ["cutover", "hybrid", "pst_import"] {
        assert_eq!(advice(r, path)["viable"], "yes", "{:#}", advice(r, path));
    }
    assert!(
        advice(r, "cutover")["why"].to_string().contains("TLS 1.2"),
        "{:#}",
        advice(r, "cutover")
    );
    let ews = check(r, "/EWS/Exchange.asmx");
    assert_eq!(ews["status"], 401);
    assert_eq!(ews["tls12"], true);
    assert_eq!(ews["answers"], true);
    assert_eq!(ews["auth_schemes"], json!(["Negotiate", "NTLM"]));
    assert_eq!(
        check(r, "/rpc/rpcproxy.dll")["auth_schemes"],
        json!(["Negotiate", "NTLM", "Basic"])
    );
    assert_eq!(check(r, "/autodiscover/autodiscover.xml")["method"], "POST");
    let summary = r["summary"].as_str().unwrap();
    assert!(
        summary.contains("Viable: cutover, hybrid, pst import"),
        "{summary}"
    );
    assert!(summary.contains("Not viable: imap migration"), "{summary}");
}

/// Given an Exchange 2010-like host (IMAP on an implicit and a STARTTLS
/// port, TLS 1.0 only; Exchange's virtual directories over TLS 1.2; SMTP
/// closed), when its readiness is asked, then every endpoint has its full
/// Report, 993 and 143 are compared, and the advice is: IMAP migration not
/// viable (TLS 1.0 only), cutover and hybrid viable, PST import always.
#[tokio::test]
async fn given_an_exchange2010_host_then_imap_is_not_viable_but_cutover_and_hybrid_are() {
    openssl_server::load_legacy_provider();
    let implicit = OpensslServer::profile(Profile::Exchange2010);
    let starttls = OpensslServer::profile_over(Profile::Exchange2010, Transport::Starttls);
    let https = https_server::start("mail.example.test").await;
    let app = spawn_app().await;
    let closed = closed_port();
    let started = Instant::now();
    let (status, r) = post_readiness(
        &app,
        &json!({
            "host": "127.0.0.1",
            "timeout_ms": 20000,
            "ca_bundle_pem": format!("{}{}", openssl_server::pki().root_pem, https.root_pem),
            "ports": {
                "imap_implicit": implicit.port(),
                "imap_starttls": starttls.port(),
                "pop3_implicit": 0, "pop3_starttls": 0, "smtps": 0, "submission": 0,
                "smtp": closed,
                "https": https.addr.port(),
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    assert!(started.elapsed().as_millis() < 20_000);
    assert!(r["duration_ms"].as_u64().unwrap() < 20_000);

    // Every endpoint: a full Report, or a closed/skipped state.
    let e993 = endpoint(&r, "imap_implicit");
    assert_eq!(e993["state"], "open");
    assert!(r["request_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(e993["report"]["request_id"], r["request_id"]);
    assert_eq!(e993["report"]["verdict"], "fail");
    assert_eq!(e993["report"]["target"]["port"], implicit.port());
    assert_eq!(
        endpoint(&r, "imap_starttls")["report"]["target"]["transport"],
        "starttls"
    );
    let smtp = endpoint(&r, "smtp");
    assert_eq!(smtp["state"], "closed", "{smtp:#}");
    assert_eq!(smtp["report"]["connect"]["ok"], false);
    assert_eq!(endpoint(&r, "pop3_implicit")["state"], "skipped");
    let web = endpoint(&r, "https");
    assert_eq!(web["state"], "open");
    assert_eq!(web["report"]["target"]["protocol"], "tls");
    let offered: Vec<&str> = web["report"]["tls"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["offered"] == true)
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["TLSv1.2"]);

    // 993 vs 143: both TLS 1.0, same suites and certificate; the STARTTLS
    // binding advertises STARTTLS/LOGINDISABLED before TLS, not after.
    let imap = &r["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service"] == "imap")
        .unwrap();
    assert_eq!(imap["compared"], true, "{imap:#}");
    let same: Vec<&str> = imap["same"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for aspect in ["versions", "suites", "certificate"] {
        assert!(
            same.contains(&aspect),
            "{aspect} should be the same: {imap:#}"
        );
    }
    // No modern client finishes a TLS session on either port, but the
    // legacy engine (issue 14) carries both dialogues: the capabilities
    // inside TLS are observed on both, and they are the same.
    assert!(same.contains(&"capabilities"), "{imap:#}");
    assert_eq!(imap["not_observed"], serde_json::json!([]), "{imap:#}");
    let smtp_pair = r["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service"] == "smtp")
        .unwrap();
    assert_eq!(smtp_pair["compared"], false);

    assert_exchange2010_advice(&r);
    // The HTTP checks went to the fixture, one connection each.
    assert_eq!(r["exchange_http"]["connections"], 4);
    assert!(https.requests.load(std::sync::atomic::Ordering::SeqCst) >= 4);
}

/// Given HTTPS on the host without the Exchange virtual directories, then
/// cutover and hybrid are not viable: the checks saw 404.
#[tokio::test]
async fn given_https_without_exchange_then_cutover_and_hybrid_are_not_viable() {
    // The rustls IMAP fixture speaks TLS 1.2/1.3 and answers nothing else
    // over HTTP: use it as "some TLS server on 443".
    let tls = crate::support::rustls_server::start(Default::default()).await;
    let app = spawn_app().await;
    let closed = closed_port();
    let (status, r) = post_readiness(
        &app,
        &json!({
            "host": "127.0.0.1",
            "timeout_ms": 15000,
            "ports": {
                "imap_implicit": tls.addr.port(), "imap_starttls": closed,
                "pop3_implicit": 0, "pop3_starttls": 0, "smtp": 0, "smtps": 0, "submission": 0,
                "https": closed,
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    assert_eq!(
        advice(&r, "imap_migration")["viable"],
        "yes",
        "{:#}",
        advice(&r, "imap_migration")
    );
    assert_eq!(advice(&r, "cutover")["viable"], "no");
    assert_eq!(advice(&r, "hybrid")["viable"], "no");
    assert!(advice(&r, "cutover")["why"].to_string().contains("closed"));
}

/// Given an email domain whose DNS names the Exchange 2010-like host by
/// RFC 6186 SRV records (with its fixture ports) and MX, and whose
/// autoconfig document names it too, when readiness is asked for the
/// domain, then every lookup is reported, the SRV host and ports are used,
/// and the advice is the seed case's.
#[tokio::test]
async fn given_an_email_domain_then_discovery_finds_the_host_and_the_advice_follows() {
    openssl_server::load_legacy_provider();
    let implicit = OpensslServer::profile(Profile::Exchange2010);
    let starttls = OpensslServer::profile_over(Profile::Exchange2010, Transport::Starttls);
    let https = https_server::start("mail.example.test").await;
    let lo = std::net::Ipv4Addr::LOCALHOST;
    let dns = dns_server::start(Zone {
        a: vec![
            ("mail.example.test", lo),
            ("autoconfig.example.test", lo),
            ("autodiscover.example.test", lo),
            ("example.test", lo),
        ],
        srv: vec![
            (
                "_imaps._tcp.example.test",
                0,
                1,
                implicit.port(),
                "mail.example.test",
            ),
            (
                "_imap._tcp.example.test",
                0,
                1,
                starttls.port(),
                "mail.example.test",
            ),
            ("_pop3s._tcp.example.test", 0, 0, 0, "."),
        ],
        mx: vec![("example.test", 10, "mail.example.test")],
        ..Default::default()
    })
    .await;
    let dns_flag = dns.addr.to_string();
    let app = spawn_app_with(&["--allow-targets", "127.0.0.0/8", "--dns-server", &dns_flag]).await;
    let (status, r) = post_readiness(
        &app,
        &json!({
            "email_domain": "alice@example.test",
            "timeout_ms": 30000,
            "ca_bundle_pem": format!("{}{}", openssl_server::pki().root_pem, https.root_pem),
            "ports": {
                "pop3_starttls": 0, "smtp": 0, "smtps": 0, "submission": 0,
                "https": https.addr.port(),
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    let d = &r["discovery"];
    assert_eq!(d["domain"], "example.test");
    assert_eq!(d["nameserver"], dns_flag);
    assert_eq!(d["chosen_host"], "mail.example.test", "{d:#}");
    let lookups = d["lookups"].as_array().unwrap();
    let by_query = |q: &str| {
        lookups
            .iter()
            .find(|l| l["query"].as_str().unwrap().starts_with(q))
            .unwrap_or_else(|| panic!("no lookup {q}: {d:#}"))
    };
    assert_eq!(by_query("_imaps._tcp")["found"], true);
    assert_eq!(by_query("_imaps._tcp")["hosts"][0]["port"], implicit.port());
    let pop3s = by_query("_pop3s._tcp");
    assert_eq!(pop3s["found"], false, "\".\" means not offered: {pop3s:#}");
    assert_eq!(by_query("_submission._tcp")["found"], false);
    assert_eq!(by_query("example.test")["kind"], "mx");
    assert_eq!(
        by_query("example.test")["hosts"][0]["host"],
        "mail.example.test"
    );
    let autoconfig = by_query("https://autoconfig.example.test");
    assert_eq!(autoconfig["found"], true, "{autoconfig:#}");
    assert_eq!(autoconfig["hosts"][0]["host"], "mail.example.test");
    let autodiscover = by_query("https://autodiscover.example.test");
    assert!(
        autodiscover["records"].to_string().contains("Negotiate"),
        "{autodiscover:#}"
    );

    assert_eq!(r["host"], "mail.example.test");
    assert_eq!(r["addresses"], json!(["127.0.0.1"]));
    // The SRV ports were used, with the host name as SNI.
    let e993 = endpoint(&r, "imap_implicit");
    assert_eq!(e993["port"], implicit.port());
    assert_eq!(e993["report"]["target"]["sni"], "mail.example.test");
    assert_eq!(endpoint(&r, "imap_starttls")["port"], starttls.port());
    assert_exchange2010_advice(&r);
}

/// Given an email domain with no SRV records, whose autoconfig is served
/// over HTTPS and plain HTTP, listed in an ISPDB (a local fixture, never
/// the real one), and whose MX lives under another base domain that also
/// publishes autoconfig, when readiness is asked for it, then every one of
/// Thunderbird's lookups is made and reported in Thunderbird's order: the
/// domain's two HTTPS URLs, the same over HTTP, the ISPDB, then the
/// MX-derived pair (HTTPS only, without the address), and the first that
/// answered names the host.
#[tokio::test]
async fn given_an_email_domain_then_every_thunderbird_autoconfig_source_is_asked_in_order() {
    let https = https_server::start("imap.example.test").await;
    let http = https_server::start_plain("plain.example.test").await;
    let lo = std::net::Ipv4Addr::LOCALHOST;
    let dns = dns_server::start(Zone {
        a: vec![
            ("autoconfig.example.test", lo),
            ("example.test", lo),
            ("imap.example.test", lo),
            ("autoconfig.example.net", lo),
            ("example.net", lo),
        ],
        mx: vec![
            ("example.test", 20, "mx2.mail.example.net"),
            ("example.test", 10, "mx1.mail.example.net"),
        ],
        ..Default::default()
    })
    .await;
    let dns_flag = dns.addr.to_string();
    let ispdb = format!("https://127.0.0.1:{}/v1.1/", https.addr.port());
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--dns-server",
        &dns_flag,
        "--ispdb-url",
        &ispdb,
    ])
    .await;
    let (status, r) = post_readiness(
        &app,
        &json!({
            "email_domain": "alice@example.test",
            "timeout_ms": 20000,
            "ports": {
                "imap_implicit": 0, "imap_starttls": 0, "pop3_implicit": 0, "pop3_starttls": 0,
                "smtp": 0, "smtps": 0, "submission": 0,
                "https": https.addr.port(),
                "http": http.addr.port(),
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    let d = &r["discovery"];
    let (sp, hp) = (https.addr.port(), http.addr.port());
    let q = "emailaddress=alice%40example.test";
    let autoconfig: Vec<&Value> = d["lookups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "autoconfig")
        .collect();
    let queries: Vec<&str> = autoconfig
        .iter()
        .map(|l| l["query"].as_str().unwrap())
        .collect();
    assert_eq!(
        queries,
        [
            format!("https://autoconfig.example.test:{sp}/mail/config-v1.1.xml?{q}"),
            format!("https://example.test:{sp}/.well-known/autoconfig/mail/config-v1.1.xml?{q}"),
            format!("http://autoconfig.example.test:{hp}/mail/config-v1.1.xml?{q}"),
            format!("http://example.test:{hp}/.well-known/autoconfig/mail/config-v1.1.xml?{q}"),
            format!("https://127.0.0.1:{sp}/v1.1/example.test"),
            format!("https://autoconfig.example.net:{sp}/mail/config-v1.1.xml"),
            format!("https://example.net:{sp}/.well-known/autoconfig/mail/config-v1.1.xml"),
        ],
        "{d:#}"
    );
    for l in &autoconfig {
        assert_eq!(l["found"], true, "{l:#}");
    }
    // What each found is its own answer: the plain-HTTP fixture names another host.
    assert_eq!(autoconfig[0]["hosts"][0]["host"], "imap.example.test");
    assert_eq!(autoconfig[2]["hosts"][0]["host"], "plain.example.test");
    assert_eq!(autoconfig[3]["hosts"][0]["host"], "plain.example.test");
    assert!(
        autoconfig[5]["records"][0]
            .as_str()
            .unwrap()
            .contains("mx1.mail.example.net -> base domain example.net"),
        "the lowest MX is used: {:#}",
        autoconfig[5]
    );
    assert_eq!(d["chosen_host"], "imap.example.test", "{d:#}");
    assert!(
        d["chosen_because"]
            .as_str()
            .unwrap()
            .contains(&format!("https://autoconfig.example.test:{sp}/")),
        "{d:#}"
    );

    // The plain-HTTP fixture saw the two http:// lookups, with the Host each names.
    let mut plain = http.seen();
    plain.sort();
    assert_eq!(
        plain,
        [
            format!("autoconfig.example.test:{hp} /mail/config-v1.1.xml?{q}"),
            format!("example.test:{hp} /.well-known/autoconfig/mail/config-v1.1.xml?{q}"),
        ]
    );
    // The ISPDB and the MX-derived hosts never get the address.
    let secure = https.seen();
    for wanted in [
        format!("127.0.0.1:{sp} /v1.1/example.test"),
        format!("autoconfig.example.net:{sp} /mail/config-v1.1.xml"),
        format!("example.net:{sp} /.well-known/autoconfig/mail/config-v1.1.xml"),
    ] {
        assert!(secure.contains(&wanted), "{wanted} not in {secure:#?}");
    }
}

/// A port free on both 127.0.0.1 and ::1 (bound on both, then released).
fn port_free_on_both_families() -> u16 {
    for _ in 0..20 {
        let v4 = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = v4.local_addr().expect("addr").port();
        if std::net::TcpListener::bind(("::1", port)).is_ok() {
            return port;
        }
    }
    panic!("no port free on both 127.0.0.1 and ::1");
}

/// Given a dual-stack host (A 127.0.0.1, AAAA ::1) whose 993 speaks TLS
/// 1.2/1.3 on IPv4 but TLS 1.0 only on IPv6, and whose 143 listens on IPv4
/// only, when its readiness is asked, then every address is listed, each
/// endpoint is probed on both families, the differences are named per
/// endpoint, and the summary and the IMAP advice say IPv4 and IPv6 differ.
#[tokio::test]
async fn given_a_dual_stack_host_then_ipv4_and_ipv6_are_both_probed_and_differences_named() {
    openssl_server::load_legacy_provider();
    let port = port_free_on_both_families();
    let v4 = OpensslServer::start_at(
        Profile::Modern.config(),
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
    );
    let v6 = OpensslServer::start_at(
        Profile::Exchange2010.config(),
        std::net::SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)),
    );
    let starttls_v4_only = OpensslServer::profile_over(Profile::Modern, Transport::Starttls);
    let dns = dns_server::start(Zone {
        a: vec![("dual.example.test", std::net::Ipv4Addr::LOCALHOST)],
        aaaa: vec![("dual.example.test", std::net::Ipv6Addr::LOCALHOST)],
        ..Default::default()
    })
    .await;
    let dns_flag = dns.addr.to_string();
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8,::1",
        "--dns-server",
        &dns_flag,
    ])
    .await;
    let (status, r) = post_readiness(
        &app,
        &json!({
            "host": "dual.example.test",
            "timeout_ms": 20000,
            "ca_bundle_pem": openssl_server::pki().root_pem,
            "ports": {
                "imap_implicit": port, "imap_starttls": starttls_v4_only.port(),
                "pop3_implicit": 0, "pop3_starttls": 0, "smtp": 0, "smtps": 0,
                "submission": 0, "https": 0,
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    let mut addresses: Vec<&str> = r["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    addresses.sort();
    assert_eq!(addresses, ["127.0.0.1", "::1"], "every address is known");
    let families = &r["address_families"];
    assert_eq!(families["primary"], "127.0.0.1", "{families:#}");
    assert_eq!(families["other"], "::1");
    assert_eq!(families["other_probed"], true);
    assert_eq!(
        families["differing"],
        json!(["imap_implicit", "imap_starttls"]),
        "{families:#}"
    );

    let e993 = endpoint(&r, "imap_implicit");
    assert_eq!(e993["address"], "127.0.0.1");
    assert_eq!(e993["report"]["target"]["addresses"], json!(["127.0.0.1"]));
    let other = &e993["other_family"];
    assert_eq!(other["address"], "::1", "{other:#}");
    assert_eq!(other["state"], "open");
    assert_eq!(other["report"]["target"]["addresses"], json!(["::1"]));
    let versions = other["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["aspect"] == "versions")
        .unwrap_or_else(|| panic!("{other:#}"));
    assert_eq!(versions["a"], "TLSv1.2, TLSv1.3");
    assert_eq!(versions["b"], "TLSv1.0");
    assert!(v6.connections() >= 1, "the IPv6 fixture was probed");
    assert!(v4.connections() >= 1);

    let e143 = endpoint(&r, "imap_starttls");
    assert_eq!(e143["state"], "open");
    assert_eq!(e143["other_family"]["state"], "closed", "{e143:#}");
    assert_eq!(e143["other_family"]["differences"][0]["aspect"], "state");

    // Judged on IPv4 (viable through 993), with the IPv6 difference said.
    let imap = advice(&r, "imap_migration");
    assert_eq!(imap["viable"], "yes", "{imap:#}");
    assert!(
        imap["caveats"]
            .to_string()
            .contains("TLSv1.2, TLSv1.3 vs TLSv1.0"),
        "{imap:#}"
    );
    let summary = r["summary"].as_str().unwrap();
    assert!(
        summary.contains("IPv4 and IPv6 differ on: imap_implicit, imap_starttls"),
        "{summary}"
    );
}

/// Given an email domain whose `_imaps._tcp` SRV record names
/// mail.example.test, served with a certificate for the domain only (DNS-ID
/// example.test and SRV-ID `_imaps.example.test`, no name for the host),
/// when readiness is asked for the domain, then the endpoint's identity
/// check says the certificate matches the domain and the SRV-ID but not
/// the host, and what that means for each kind of client (RFC 7817 §3).
#[tokio::test]
async fn given_a_host_found_by_srv_then_the_certificate_is_checked_against_the_source_domain() {
    use crate::support::{pki::Ca, rustls_server};
    let root = Ca::root("mailprobe srv-id root");
    let leaf = root.leaf_with_srv_ids(&["example.test"], &["_imaps.example.test"]);
    let imaps = rustls_server::start_with_leaf(
        Default::default(),
        std::slice::from_ref(&leaf.cert_der),
        &leaf,
        root.cert_pem.clone(),
    )
    .await;
    let dns = dns_server::start(Zone {
        a: vec![("mail.example.test", std::net::Ipv4Addr::LOCALHOST)],
        srv: vec![(
            "_imaps._tcp.example.test",
            0,
            1,
            imaps.addr.port(),
            "mail.example.test",
        )],
        ..Default::default()
    })
    .await;
    let dns_flag = dns.addr.to_string();
    let app = spawn_app_with(&["--allow-targets", "127.0.0.0/8", "--dns-server", &dns_flag]).await;
    let (status, r) = post_readiness(
        &app,
        &json!({
            "email_domain": "example.test",
            "timeout_ms": 15000,
            "ca_bundle_pem": imaps.root_pem,
            "ports": {
                "imap_starttls": 0, "pop3_implicit": 0, "pop3_starttls": 0, "smtp": 0,
                "smtps": 0, "submission": 0, "https": 0, "http": 0,
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    assert_eq!(r["host"], "mail.example.test");
    let e = endpoint(&r, "imap_implicit");
    assert_eq!(e["state"], "open", "{e:#}");
    let cert = &e["report"]["tls"]["certificate"];
    assert!(
        cert["chain"][0]["sans"]
            .to_string()
            .contains("srv:_imaps.example.test"),
        "{cert:#}"
    );
    assert_eq!(cert["name_match"], false, "the host is not named");
    let id = &e["identity"];
    assert_eq!(id["host"], "mail.example.test", "{id:#}");
    assert_eq!(id["host_match"], false);
    assert_eq!(id["source_domain"], "example.test");
    assert_eq!(id["domain_match"], true);
    assert_eq!(id["domain_matched_by"], "example.test");
    assert_eq!(id["srv_id"], "_imaps.example.test");
    assert_eq!(id["srv_id_match"], true);
    assert_eq!(id["srv_ids_presented"], json!(["_imaps.example.test"]));
    assert_eq!(id["found_by_srv"], true);
    let meaning = id["meaning"].as_str().unwrap();
    assert!(meaning.contains("may accept it (RFC 7817 §3)"), "{meaning}");
    assert!(meaning.contains("given the host name"), "{meaning}");
    // Endpoints that were not probed have no identity to check.
    assert!(endpoint(&r, "imap_starttls")["identity"].is_null());
}

/// Given DNS that points the domain's SRV record at a private address, then
/// the readiness check is refused (403) before anything connects there,
/// and an autoconfig host on a refused address is never fetched.
#[tokio::test]
async fn given_discovery_naming_a_refused_address_then_the_target_policy_refuses_it() {
    let dns = dns_server::start(Zone {
        a: vec![
            ("imap.corp.test", std::net::Ipv4Addr::new(10, 1, 2, 3)),
            (
                "autoconfig.corp.test",
                std::net::Ipv4Addr::new(169, 254, 169, 254),
            ),
        ],
        srv: vec![("_imaps._tcp.corp.test", 0, 1, 993, "imap.corp.test")],
        ..Default::default()
    })
    .await;
    let dns_flag = dns.addr.to_string();
    let app = spawn_app_with(&["--allow-targets", "127.0.0.0/8", "--dns-server", &dns_flag]).await;
    let (status, problem) = post_readiness(
        &app,
        &json!({"email_domain": "corp.test", "timeout_ms": 5000}),
    )
    .await;
    assert_eq!(status, 403, "{problem:#}");
    // The refusal names the host and the rule, not the internal address it
    // resolved to (issue 15).
    assert_eq!(problem["rule"], "private", "{problem:#}");
    assert!(problem.get("address").is_none(), "{problem:#}");
    assert!(!problem.to_string().contains("10.1.2.3"), "{problem:#}");
}

#[tokio::test]
async fn readiness_requests_are_validated() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({}), "host"),
        (
            json!({"host": "a.example", "email_domain": "example.com"}),
            "host",
        ),
        (json!({"email_domain": "192.0.2.1"}), "email_domain"),
        (json!({"host": "a.example", "timeout_ms": 1}), "timeout_ms"),
        (
            json!({"host": "a.example", "profiles": ["nobody"]}),
            "profiles",
        ),
    ] {
        let (status, p) = post_readiness(&app, &body).await;
        assert_eq!(status, 422, "{body}: {p:#}");
        assert_eq!(p["field"], field, "{body}: {p:#}");
    }
    let (status, p) =
        post_readiness(&app, &json!({"host": "a.example", "ports": {"imap": 1}})).await;
    assert_eq!(status, 422, "{p:#}");
}

/// The same host from the command line: advice first, human-readable; and
/// the same document as the API with `--json`.
#[tokio::test]
async fn readiness_cli_prints_the_advice_and_json() {
    openssl_server::load_legacy_provider();
    let implicit = OpensslServer::profile(Profile::Exchange2010);
    let starttls = OpensslServer::profile_over(Profile::Exchange2010, Transport::Starttls);
    let https = https_server::start("mail.example.test").await;
    let bundle = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        bundle.path(),
        format!("{}{}", openssl_server::pki().root_pem, https.root_pem),
    )
    .unwrap();
    let bundle_path = bundle.path().to_string_lossy().into_owned();
    let closed = closed_port();
    let args: Vec<String> = [
        "readiness".to_string(),
        "127.0.0.1".into(),
        "--timeout-ms".into(),
        "20000".into(),
        format!("--port=imap_implicit={}", implicit.port()),
        format!("--port=imap_starttls={}", starttls.port()),
        format!("--port=https={}", https.addr.port()),
        format!("--port=smtp={closed}"),
        "--port=pop3_implicit=0".into(),
        "--port=pop3_starttls=0".into(),
        "--port=smtps=0".into(),
        "--port=submission=0".into(),
    ]
    .into();
    let (human, json) = tokio::task::spawn_blocking(move || {
        let run = |json: bool| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_mailprobe"));
            for (k, _) in std::env::vars() {
                if k.starts_with("MAILPROBE_") {
                    c.env_remove(k);
                }
            }
            c.args(&args)
                .args(json.then_some("--json"))
                .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
                .env("MAILPROBE_ALLOW_PORTS", "*") // fixtures listen on random ports
                .env("MAILPROBE_CA_BUNDLE", &bundle_path)
                .output()
                .unwrap()
        };
        (run(false), run(true))
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    eprintln!("{text}");
    assert_eq!(human.status.code(), Some(0), "{text}");
    assert!(text.contains("imap_migration  NOT VIABLE"), "{text}");
    assert!(text.contains("cutover         VIABLE"), "{text}");
    assert!(text.contains("hybrid          VIABLE"), "{text}");
    assert!(text.contains("auth Negotiate, NTLM"), "{text}");
    let r: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_exchange2010_advice(&r);

    // An unknown endpoint name is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(["readiness", "127.0.0.1", "--port", "imap=993"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Given eight ports of one host, when readiness probes them all at once,
/// then the host never sees more connections at a time than the
/// per-target cap (4 by default): the ports share it.
#[tokio::test]
async fn all_ports_of_a_host_share_the_per_target_connection_cap() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::AsyncReadExt;
    let live = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let mut ports = Vec::new();
    for _ in 0..8 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        ports.push(listener.local_addr().unwrap().port());
        let (live, peak, total) = (Arc::clone(&live), Arc::clone(&peak), Arc::clone(&total));
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let (live, peak) = (Arc::clone(&live), Arc::clone(&peak));
                total.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    // Silent for a while, then hang up: every probe step
                    // waits. A client hanging up first ends it at once.
                    let mut conn = conn;
                    let until = tokio::time::Instant::now() + std::time::Duration::from_millis(150);
                    let mut buf = [0u8; 512];
                    while let Ok(Ok(n)) = tokio::time::timeout_at(until, conn.read(&mut buf)).await
                    {
                        if n == 0 {
                            break;
                        }
                    }
                    live.fetch_sub(1, Ordering::SeqCst);
                    drop(conn);
                });
            }
        });
    }
    let app = spawn_app().await;
    let names = [
        "imap_implicit",
        "imap_starttls",
        "pop3_implicit",
        "pop3_starttls",
        "smtp",
        "smtps",
        "submission",
        "https",
    ];
    let port_map: serde_json::Map<String, Value> = names
        .iter()
        .zip(&ports)
        .map(|(n, p)| (n.to_string(), json!(p)))
        .collect();
    let (status, r) = post_readiness(
        &app,
        &json!({"host": "127.0.0.1", "timeout_ms": 4000, "ports": port_map}),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    assert!(
        total.load(Ordering::SeqCst) >= 8,
        "every port was contacted"
    );
    // The server sees a hang-up a moment after the client released its
    // slot (and reqwest closes its socket in a background task), so allow
    // that race a little slack; without the shared cap the peak is 30+.
    let peak = peak.load(Ordering::SeqCst);
    assert!(peak <= 6, "{peak} connections at once to one host");
}

/// Given a host name that does not resolve, then nothing is probed, every
/// endpoint says why, and only PST import stays viable; the rest unknown.
#[tokio::test]
async fn given_a_name_that_does_not_resolve_then_nothing_is_probed_and_the_paths_are_unknown() {
    let dns = dns_server::start(Zone::default()).await;
    let dns_flag = dns.addr.to_string();
    let app = spawn_app_with(&["--allow-targets", "127.0.0.0/8", "--dns-server", &dns_flag]).await;
    let (status, r) = post_readiness(
        &app,
        &json!({"host": "nowhere.example.test", "timeout_ms": 5000}),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    for e in r["endpoints"].as_array().unwrap() {
        assert_eq!(e["state"], "not_run", "{e:#}");
        assert!(
            e["error"].as_str().unwrap().contains("did not resolve"),
            "{e:#}"
        );
    }
    assert_eq!(advice(&r, "imap_migration")["viable"], "unknown");
    assert_eq!(advice(&r, "cutover")["viable"], "unknown");
    assert_eq!(advice(&r, "pst_import")["viable"], "yes");
    assert!(dns.queries.load(std::sync::atomic::Ordering::SeqCst) >= 1);
}

/// A readiness check needs a probe slot per port: with fewer free, it is
/// refused whole (429) instead of run in part.
#[tokio::test]
async fn readiness_beyond_capacity_is_refused_whole() {
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--max-concurrent-probes",
        "4",
    ])
    .await;
    let (status, p) = post_readiness(&app, &json!({"host": "127.0.0.1", "timeout_ms": 1000})).await;
    assert_eq!(status, 429, "{p:#}");
}

/// Given HTTPS that speaks TLS 1.0 only (an unpatched Exchange 2010 IIS),
/// then the Exchange checks fail in the TLS handshake (`tls12: false`) and
/// cutover and hybrid are not viable either: PST import is what is left.
#[tokio::test]
async fn given_https_with_tls10_only_then_only_pst_import_is_viable() {
    openssl_server::load_legacy_provider();
    let implicit = OpensslServer::profile(Profile::Exchange2010);
    let legacy_https = OpensslServer::profile(Profile::Exchange2010);
    let app = spawn_app().await;
    let (status, r) = post_readiness(
        &app,
        &json!({
            "host": "127.0.0.1",
            "timeout_ms": 20000,
            "ports": {
                "imap_implicit": implicit.port(), "imap_starttls": 0,
                "pop3_implicit": 0, "pop3_starttls": 0, "smtp": 0, "smtps": 0, "submission": 0,
                "https": legacy_https.port(),
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    let ews = check(&r, "/EWS/Exchange.asmx");
    assert_eq!(ews["reachable"], false, "{ews:#}");
    assert_eq!(ews["tls12"], false, "{ews:#}");
    assert_eq!(r["exchange_http"]["connections"], 4);
    for path in ["imap_migration", "cutover", "hybrid"] {
        assert_eq!(advice(&r, path)["viable"], "no", "{:#}", advice(&r, path));
    }
    assert!(
        advice(&r, "cutover")["why"][0]
            .as_str()
            .unwrap()
            .contains("does not offer TLS 1.2"),
        "{:#}",
        advice(&r, "cutover")
    );
    assert_eq!(advice(&r, "pst_import")["viable"], "yes");
}

/// Given a modern host whose 993 speaks TLS 1.2/1.3 but whose 143 is still
/// the Exchange 2010-like TLS 1.0 listener, and POP3 on 995 and 110, then
/// the IMAP migration is viable through 993 only (`-Security Ssl`), the
/// 993/143 comparison names the version difference, and the POP3 pair is
/// compared too.
#[tokio::test]
async fn given_993_modern_and_143_legacy_then_imap_is_viable_through_993_and_the_difference_is_named()
 {
    use crate::support::openssl_server::MailProtocol;
    openssl_server::load_legacy_provider();
    let modern = OpensslServer::profile(Profile::Modern);
    let legacy = OpensslServer::profile_over(Profile::Exchange2010, Transport::Starttls);
    let pop3s =
        OpensslServer::profile_speaking(Profile::Modern, MailProtocol::Pop3, Transport::Implicit);
    let pop3 =
        OpensslServer::profile_speaking(Profile::Modern, MailProtocol::Pop3, Transport::Starttls);
    let app = spawn_app().await;
    let (status, r) = post_readiness(
        &app,
        &json!({
            "host": "127.0.0.1",
            "timeout_ms": 20000,
            "ca_bundle_pem": openssl_server::pki().root_pem,
            "ports": {
                "imap_implicit": modern.port(), "imap_starttls": legacy.port(),
                "pop3_implicit": pop3s.port(), "pop3_starttls": pop3.port(),
                "smtp": 0, "smtps": 0, "submission": 0, "https": 0,
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    let imap = advice(&r, "imap_migration");
    assert_eq!(imap["viable"], "yes", "{imap:#}");
    let why = imap["why"].to_string();
    assert!(
        why.contains(&format!("-Port {} -Security Ssl", modern.port())),
        "{why}"
    );
    assert!(why.contains("cannot connect"), "{why}");
    // No HTTPS checked: cutover and hybrid cannot be judged.
    assert_eq!(advice(&r, "cutover")["viable"], "unknown");
    assert!(r["exchange_http"].is_null());

    let cmp = r["comparisons"].as_array().unwrap();
    let pair = |s: &str| cmp.iter().find(|c| c["service"] == s).unwrap();
    let versions = pair("imap")["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["aspect"] == "versions")
        .unwrap_or_else(|| panic!("{:#}", pair("imap")));
    assert_eq!(versions["a"], "TLSv1.2, TLSv1.3");
    assert_eq!(versions["b"], "TLSv1.0");
    let pop = pair("pop3");
    assert_eq!(pop["compared"], true, "{pop:#}");
    assert!(pop["same"].to_string().contains("versions"), "{pop:#}");
}

/// `mailprobe readiness --domain`: discovery through MAILPROBE_DNS_SERVER,
/// each lookup printed with what it found.
#[tokio::test]
async fn readiness_cli_discovers_a_domain() {
    openssl_server::load_legacy_provider();
    let implicit = OpensslServer::profile(Profile::Exchange2010);
    let lo = std::net::Ipv4Addr::LOCALHOST;
    let dns = dns_server::start(Zone {
        a: vec![("mail.example.test", lo)],
        srv: vec![(
            "_imaps._tcp.example.test",
            0,
            1,
            implicit.port(),
            "mail.example.test",
        )],
        mx: vec![("example.test", 10, "mail.example.test")],
        ..Default::default()
    })
    .await;
    let dns_flag = dns.addr.to_string();
    let out = tokio::task::spawn_blocking(move || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mailprobe"));
        for (k, _) in std::env::vars() {
            if k.starts_with("MAILPROBE_") {
                c.env_remove(k);
            }
        }
        c.args([
            "readiness",
            "example.test",
            "--domain",
            "--timeout-ms",
            "15000",
        ])
        .args([
            "--port=imap_starttls=0",
            "--port=pop3_starttls=0",
            "--port=smtp=0",
        ])
        .args(["--port=smtps=0", "--port=submission=0", "--port=https=0"])
        .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
        .env("MAILPROBE_ALLOW_PORTS", "*") // fixtures listen on random ports
        .env("MAILPROBE_DNS_SERVER", &dns_flag)
        .env("MAILPROBE_ISPDB_URL", "off") // never the real ISPDB from a test
        .args(["--port=http=0"])
        .output()
        .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Readiness of mail.example.test (127.0.0.1)"),
        "{text}"
    );
    assert!(text.contains("Discovery for example.test"), "{text}");
    assert!(
        text.contains(&format!(
            "_imaps._tcp.example.test -> 0 1 {} mail.example.test",
            implicit.port()
        )),
        "{text}"
    );
    assert!(
        text.contains("mx           example.test -> 10 mail.example.test"),
        "{text}"
    );
    assert!(
        text.contains("chosen: _imaps._tcp names mail.example.test"),
        "{text}"
    );
    assert!(
        text.contains("identity (RFC 7817): host mail.example.test "),
        "{text}"
    );
    assert!(text.contains("imap_migration  NOT VIABLE"), "{text}");
}
