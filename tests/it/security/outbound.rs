//! Item 4: every outbound connection obeys the port policy. On the old code
//! readiness' discovery took `ports.http`/`ports.https` from the request and
//! connected before anything checked MAILPROBE_ALLOW_PORTS.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::support::app::spawn_app_with;
use crate::support::dns_server::{self, Zone};

/// Given MAILPROBE_ALLOW_PORTS=993 and a listener on another port, when a
/// readiness request points discovery's HTTP lookups at that port, then it
/// is refused (403 naming the port) and nothing connected to the port.
#[tokio::test]
async fn readiness_refuses_caller_ports_outside_allow_ports_before_any_io() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(s);
        }
    });
    let dns = dns_server::start(Zone {
        a: vec![
            ("example.test", Ipv4Addr::LOCALHOST),
            ("autoconfig.example.test", Ipv4Addr::LOCALHOST),
        ],
        ..Default::default()
    })
    .await;
    let dns_flag = dns.addr.to_string();
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--dns-server",
        &dns_flag,
        "--allow-ports",
        "993",
    ])
    .await;
    for ports in [
        json!({"http": port}),
        json!({"https": port}),
        json!({"imap_starttls": port}),
    ] {
        let res = app
            .client
            .post(app.url("/v1/readiness"))
            .json(&json!({"email_domain": "example.test", "timeout_ms": 5000, "ports": ports}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{ports}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["rule"], "port-not-allowed", "{p}");
        assert!(
            p["detail"]
                .as_str()
                .unwrap_or("")
                .contains(&port.to_string()),
            "{p}"
        );
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "a connection reached the refused port"
    );
}

/// Given an instance with room for fewer probes than a readiness check
/// needs, when readiness is asked for an email domain, then it is refused
/// before discovery sends a single query (before: discovery ran first,
/// then the capacity check refused).
#[tokio::test]
async fn readiness_reserves_its_probes_before_discovery() {
    let dns = dns_server::start(Zone {
        a: vec![("mail.example.test", Ipv4Addr::LOCALHOST)],
        ..Default::default()
    })
    .await;
    let dns_flag = dns.addr.to_string();
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--dns-server",
        &dns_flag,
        "--max-concurrent-probes",
        "4",
    ])
    .await;
    let res = app
        .client
        .post(app.url("/v1/readiness"))
        .json(&json!({"email_domain": "example.test", "timeout_ms": 5000}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(
        dns.queries.load(Ordering::SeqCst),
        0,
        "discovery ran before the refusal"
    );
}
