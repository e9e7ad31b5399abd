//! Item 3, readiness: at most one login per account and endpoint, and none
//! to a host learnt by discovery without the opt-in. On the old code the
//! dual-stack check logged in twice on 993 (once per address family) and a
//! discovered host received the credentials.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

use crate::support::app::{TestApp, spawn_app_with};
use crate::support::dns_server::{self, Zone};
use crate::support::mail_servers::{self, MailFixture, PASSWORD, Start, USER};

async fn post_readiness(app: &TestApp, body: &Value) -> (u16, Value) {
    let resp = app
        .client
        .post(app.url("/v1/readiness"))
        .json(body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn imap_fixture() -> MailFixture {
    mail_servers::start(
        mail_servers::Script::Imap(mail_servers::exchange_2016()),
        Start::ImplicitTls,
    )
    .await
}

fn logins(f: &MailFixture) -> usize {
    f.received()
        .iter()
        .filter(|l| l.contains(USER) || l.to_ascii_uppercase().contains("AUTHENTICATE"))
        .count()
}

/// Forwards every connection to `listen` on to `to` (a fixture that listens
/// on one address only), so one fixture serves both address families.
async fn forward(listen: SocketAddr, to: SocketAddr) {
    let l = TcpListener::bind(listen).await.expect("bind");
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = l.accept().await {
            tokio::spawn(async move {
                if let Ok(mut out) = TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                }
            });
        }
    });
}

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

const ONLY_IMAPS: fn(u16) -> Value = |port| {
    json!({
        "imap_implicit": port, "imap_starttls": 0, "pop3_implicit": 0, "pop3_starttls": 0,
        "smtp": 0, "smtps": 0, "submission": 0, "https": 0, "http": 0,
    })
};

/// Given a dual-stack host whose 993 answers on both families, when
/// readiness runs with credentials, then exactly one login reaches it.
#[tokio::test]
async fn a_dual_stack_host_gets_one_login_per_endpoint() {
    let f = imap_fixture().await;
    let port = port_free_on_both_families();
    forward(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), f.addr).await;
    forward(SocketAddr::from((Ipv6Addr::LOCALHOST, port)), f.addr).await;
    let dns = dns_server::start(Zone {
        a: vec![("dual.example.test", Ipv4Addr::LOCALHOST)],
        aaaa: vec![("dual.example.test", Ipv6Addr::LOCALHOST)],
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
            "host": "dual.example.test", "timeout_ms": 20000,
            "credentials": {"username": USER, "password": PASSWORD},
            "allow_untrusted_login": true,
            "ports": ONLY_IMAPS(port),
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    assert_eq!(r["address_families"]["other_probed"], true, "{r:#}");
    assert_eq!(logins(&f), 1, "{:?}", f.received());
}

/// Given an email domain whose SRV record names the host, when readiness
/// runs with credentials and no opt-in, then the discovered host gets none
/// and the report says why.
#[tokio::test]
async fn a_host_learnt_by_discovery_gets_no_credentials_without_the_opt_in() {
    let f = imap_fixture().await;
    let dns = dns_server::start(Zone {
        a: vec![("mail.example.test", Ipv4Addr::LOCALHOST)],
        srv: vec![(
            "_imaps._tcp.example.test",
            0,
            1,
            f.port,
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
            "email_domain": "example.test", "timeout_ms": 15000,
            "credentials": {"username": USER, "password": PASSWORD},
            "ports": ONLY_IMAPS(f.port),
        }),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    assert_eq!(r["host"], "mail.example.test");
    let why = r["login_withheld"].as_str().unwrap_or("");
    assert!(
        why.contains("discovery") && why.contains("allow_untrusted_login"),
        "{r:#}"
    );
    assert_eq!(logins(&f), 0, "{:?}", f.received());
}
