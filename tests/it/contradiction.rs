//! A server that answers the wire scan well and breaks the real handshake
//! after its ServerHello: no client may be reported as certain to connect, and
//! the summary says what broke (issue 16). The fixture is the real OpenSSL
//! "modern" server behind a loopback relay that forwards the ClientHello and
//! the server's first record (its ServerHello), then hangs up: the scanner has
//! what it reads, a real handshake does not.

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::app::spawn_app;
use crate::support::openssl_server::{self, OpensslServer, Profile};

/// Reads one TLS record (header and body) from `s`.
async fn record(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).await.ok()?;
    let len = u16::from_be_bytes([head[3], head[4]]) as usize;
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.ok()?;
    let mut out = head.to_vec();
    out.extend_from_slice(&body);
    Some(out)
}

async fn cutting_relay(upstream: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    return;
                };
                let Some(hello) = record(&mut client).await else {
                    return;
                };
                if server.write_all(&hello).await.is_err() {
                    return;
                }
                // The server's first record (its ServerHello) goes through; then both
                // sides are cut, before anything a real handshake needs next.
                if let Some(first) = record(&mut server).await {
                    let _ = client.write_all(&first).await;
                }
                let _ = client.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn a_handshake_broken_after_server_hello_leaves_no_client_certain() {
    openssl_server::load_legacy_provider();
    let server = OpensslServer::profile(Profile::Modern);
    let port = cutting_relay(server.port()).await;
    let app = spawn_app().await;
    let resp = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": port,
            "protocol": "tls",
            "timeout_ms": 15000,
        }))
        .await;
    assert_eq!(resp.status(), 200);
    let report: serde_json::Value = resp.json().await.unwrap();
    // The scan saw a healthy TLS 1.2/1.3 server...
    let offered: Vec<&str> = report["tls"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["offered"] == true)
        .filter_map(|v| v["version"].as_str())
        .collect();
    assert!(
        offered.contains(&"TLSv1.2") || offered.contains(&"TLSv1.3"),
        "{offered:?}"
    );
    // ...the real handshake broke, and no client is certain to connect.
    let clients = report["clients"].as_array().unwrap();
    assert!(!clients.is_empty());
    for c in clients {
        assert_ne!(c["status"], "connects", "{c:#}");
    }
    let summary = report["summary"].as_str().unwrap();
    assert!(
        summary.contains("No client is certain to connect"),
        "{summary}"
    );
    assert!(summary.contains("a real TLS handshake failed"), "{summary}");
}
