//! Item 3: credentials go only to a server that proved who it is. On the
//! old code every one of these logins was attempted: the fixture's
//! certificate comes from a private root, and the password went out anyway.

use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::mail_servers::{self, PASSWORD, Start, USER};

async fn login_probe(extra: Value) -> (Value, Vec<String>) {
    let app = spawn_app().await;
    let f = mail_servers::start(
        mail_servers::Script::Imap(mail_servers::exchange_2016()),
        Start::ImplicitTls,
    )
    .await;
    let mut body = json!({
        "host": "127.0.0.1", "port": f.port, "protocol": "imap",
        "transport": "implicit", "timeout_ms": 5000,
        "credentials": {"username": USER, "password": PASSWORD},
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let extra_root = body.get("ca_bundle_pem").is_some();
    if extra_root {
        body["ca_bundle_pem"] = json!(f.root_pem);
    }
    let res = app.post_probe(&body).await;
    assert_eq!(res.status(), 200);
    (res.json().await.unwrap(), f.received())
}

fn sent_credentials(received: &[String]) -> bool {
    received
        .iter()
        .any(|l| l.contains(USER) || l.to_ascii_uppercase().contains("AUTHENTICATE"))
}

/// Given a server whose certificate no store trusts, when a probe carries
/// credentials without opting in, then the login is not attempted, the
/// Report says why, and the server never sees an AUTHENTICATE or the user.
#[tokio::test]
async fn an_untrusted_server_gets_no_credentials_without_the_opt_in() {
    let (report, received) = login_probe(json!({})).await;
    let login = &report["mail"]["login"];
    assert_eq!(login["attempted"], false, "{login}");
    let reason = login["reason"].as_str().unwrap_or("");
    assert!(reason.contains("not trusted"), "{reason}");
    assert!(reason.contains("allow_untrusted_login"), "{reason}");
    assert!(!sent_credentials(&received), "{received:?}");
}

#[tokio::test]
async fn the_request_s_ca_bundle_makes_the_server_trusted_for_the_login() {
    let (report, received) = login_probe(json!({"ca_bundle_pem": ""})).await;
    assert_eq!(report["tls"]["certificate"]["trusted"], true, "{report}");
    assert_eq!(report["mail"]["login"]["attempted"], true);
    assert!(sent_credentials(&received));
}

#[tokio::test]
async fn allow_untrusted_login_opts_in_explicitly() {
    let (report, received) = login_probe(json!({"allow_untrusted_login": true})).await;
    assert_eq!(report["mail"]["login"]["attempted"], true, "{report}");
    assert!(sent_credentials(&received));
}

#[tokio::test]
async fn allow_untrusted_login_without_credentials_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let res = app
        .post_probe(&json!({"host": "127.0.0.1", "allow_untrusted_login": true}))
        .await;
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["field"], "allow_untrusted_login");
}
