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

/// Each login test counts against the caller's hourly login limit, batch
/// targets one by one (before, a batch could carry any number of logins).
#[tokio::test]
async fn login_tests_count_against_a_per_caller_limit() {
    let app = crate::support::app::spawn_app_with(&["--login-limit", "3"]).await;
    // Refused targets (loopback is not allowed here): no login really runs,
    // but the credentials were asked for and count.
    let target = json!({"host": "127.0.0.1", "port": 993,
        "credentials": {"username": USER, "password": PASSWORD}});
    let batch = |n: usize| json!({"targets": vec![target.clone(); n]});
    let send = |body: Value| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/v1/probes:batch"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = send(batch(4)).await;
    assert_eq!(
        res.status(),
        422,
        "more logins than the limit can ever allow"
    );
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["field"], "targets");
    let res = send(batch(2)).await;
    assert_eq!(res.status(), 200);
    let _ = res.text().await;
    let res = send(batch(2)).await;
    assert_eq!(res.status(), 429, "2 + 2 logins > 3 per hour");
    let res = app.post_probe(&target).await;
    assert_eq!(
        res.status(),
        403,
        "one login left: the single probe passes the limit"
    );
    let res = app.post_probe(&target).await;
    assert_eq!(res.status(), 429, "and the next one does not");
    // A probe without credentials is not a login.
    let res = app
        .post_probe(&json!({"host": "127.0.0.1", "port": 993}))
        .await;
    assert_eq!(res.status(), 403);
}

/// The same gate after a STARTTLS upgrade: the chain of the upgraded
/// session is judged before the login.
#[tokio::test]
async fn after_starttls_an_untrusted_server_gets_no_credentials_either() {
    let app = spawn_app().await;
    let f = mail_servers::start(
        mail_servers::Script::Imap(mail_servers::exchange_2016()),
        Start::Plain,
    )
    .await;
    let res = app
        .post_probe(&json!({
            "host": "127.0.0.1", "port": f.port, "protocol": "imap",
            "transport": "starttls", "timeout_ms": 5000,
            "credentials": {"username": USER, "password": PASSWORD},
        }))
        .await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["mail"]["starttls"]["accepted"], true, "{report}");
    let login = &report["mail"]["login"];
    assert_eq!(login["attempted"], false, "{login}");
    assert!(
        login["reason"]
            .as_str()
            .unwrap_or("")
            .contains("allow_untrusted_login")
    );
    assert!(!sent_credentials(&f.received()), "{:?}", f.received());
}
