//! The legacy TLS engine (OpenSSL) carrying the mail dialogue where rustls
//! cannot: real OpenSSL fixtures that speak only TLS 1.0, SSLv3, TLS 1.1,
//! RC4, CBC, static RSA or DHE, over implicit TLS and STARTTLS, for IMAP,
//! POP3 and SMTP, through the real service over HTTP.

use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::openssl_server::{
    self, LOGIN_PASSWORD, LOGIN_USER, MailProtocol, OpensslServer, Profile, Transport,
};

async fn probe(server: &OpensslServer, protocol: &str, transport: &str, password: Option<&str>) -> Value {
    openssl_server::load_legacy_provider();
    let app = spawn_app().await;
    let mut body = json!({
        "host": "127.0.0.1",
        "port": server.addr.port(),
        "protocol": protocol,
        "transport": transport,
        "ca_bundle_pem": openssl_server::pki().root_pem,
    });
    if let Some(p) = password {
        body["credentials"] = json!({"username": LOGIN_USER, "password": p});
    }
    let resp = app.post_probe(&body).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn smoke_exchange_2010_implicit() {
    let server = OpensslServer::profile(Profile::Exchange2010);
    let r = probe(&server, "imap", "implicit", Some(LOGIN_PASSWORD)).await;
    println!("{:#}", r["mail"]);
    println!("{:#}", r["errors"]);
    println!("{:#} {}", r["stats"], server.connections());
    println!("{:#}", r["summary"]);
    println!("{:#}", r["timings"]);
    let _ = MailProtocol::Imap;
    let _ = Transport::Implicit;
}
