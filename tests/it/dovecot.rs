//! Interop with a real Dovecot, started by `.ci/dovecot.sh` (which `.ci/run`
//! calls). Skips, saying so, when no Dovecot was started: the hermetic tests
//! in `mail.rs` cover the same dialogues without it.

use std::time::Duration;

use mailprobe::report::{Protocol, Transport};

use crate::mail::{mail_report, observe_addr, password};

const USER: &str = "alice@example.com";
const PASSWORD: &str = "interop-Secret-7f3a";

/// The address `.ci/dovecot.sh start` exported in `var`; when there is
/// none, says the test is skipped (the hermetic tests cover the dialogue).
pub(crate) fn interop(var: &str) -> Option<std::net::SocketAddr> {
    let addr = std::env::var(var).ok().and_then(|v| v.parse().ok());
    if addr.is_none() {
        eprintln!("skipped: no {var} (run .ci/dovecot.sh start)");
    }
    addr
}

#[tokio::test]
async fn real_dovecot_starttls_and_implicit_tls() {
    let (Some(imap), Some(imaps)) = (
        interop("DOVECOT_INTEROP_IMAP"),
        interop("DOVECOT_INTEROP_IMAPS"),
    ) else {
        return;
    };
    let obs = observe_addr(
        imap,
        Protocol::Imap,
        Transport::Starttls,
        password(USER, PASSWORD),
        Duration::from_secs(10),
    )
    .await;
    assert!(obs.errors.is_empty(), "{:?}", obs.errors);
    assert_eq!(obs.service, None);
    let m = &mail_report(&obs);
    assert!(
        m.greeting.as_deref().unwrap().contains("Dovecot"),
        "{:?}",
        m.greeting
    );
    assert_eq!(m.software_guess.as_ref().unwrap().name, "Dovecot");
    let st = m.starttls.as_ref().unwrap();
    assert_eq!((st.advertised, st.accepted), (Some(true), Some(true)));
    // Dovecot counts a loopback client as secured (`secured` in its log), so
    // despite disable_plaintext_auth it offers PLAIN and no LOGINDISABLED here.
    assert_eq!(m.login_disabled, Some(false));
    assert!(m.auth_mechanisms_before_tls.contains(&"PLAIN".to_string()));
    assert!(
        m.auth_mechanisms.contains(&"PLAIN".to_string()),
        "{:?}",
        m.auth_mechanisms
    );
    assert_eq!(m.imap4rev1, Some(true));
    let login = m.login.as_ref().unwrap();
    assert_eq!(
        (login.ok, login.mechanism.as_deref()),
        (Some(true), Some("PLAIN")),
        "{login:?}"
    );

    let obs = observe_addr(
        imaps,
        Protocol::Imap,
        Transport::Implicit,
        password(USER, "wrong"),
        Duration::from_secs(10),
    )
    .await;
    assert!(obs.errors.is_empty(), "{:?}", obs.errors);
    assert!(obs.mail.capabilities_before_tls.is_empty());
    assert!(!obs.mail.capabilities_after_tls.is_empty());
    assert_eq!(obs.mail.login.as_ref().unwrap().ok, Some(false));
    assert!(obs.tls.handshake.is_some());
}

/// The TLS 1.0-only instance (Exchange 2010's situation, on a real server):
/// rustls cannot talk to it, the legacy engine carries the dialogue, and
/// the login test runs over it.
#[tokio::test]
async fn real_dovecot_tls10_only_through_the_legacy_engine() {
    let Some(tls10) = interop("DOVECOT_INTEROP_IMAPS_TLS10") else {
        return;
    };
    let app = crate::support::app::spawn_app().await;
    for (password, ok) in [(PASSWORD, true), ("wrong", false)] {
        let r: serde_json::Value = app
            .post_probe(&serde_json::json!({
                "host": tls10.ip().to_string(),
                "port": tls10.port(),
                "protocol": "imap",
                "transport": "implicit",
                // The interop Dovecot's certificate is self-signed: the
                // caller opts in to a login the gate would otherwise withhold.
                "credentials": {"username": USER, "password": password},
                "allow_untrusted_login": true,
            }))
            .await
            .json()
            .await
            .unwrap();
        let m = &r["mail"];
        assert!(
            m["greeting"].as_str().unwrap_or("").contains("Dovecot"),
            "{m:#} {:#}",
            r["errors"]
        );
        assert_eq!(m["software_guess"]["name"], "Dovecot");
        assert_eq!(m["tls"]["engine"], "legacy", "{m:#}");
        assert_eq!(m["tls"]["version"], "TLSv1.0");
        assert!(m["tls"]["suite"]["name"].is_string());
        assert!(
            m["capabilities_after_tls"]
                .as_array()
                .is_some_and(|c| !c.is_empty())
        );
        assert_eq!(m["login"]["ok"], ok, "{:#}", m["login"]);
        // The scan agrees: TLS 1.0 is all it speaks, and no modern client's
        // evidence came from the legacy engine.
        let offered: Vec<&str> = r["tls"]["versions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["offered"] == true)
            .filter_map(|v| v["version"].as_str())
            .collect();
        assert_eq!(offered, ["TLSv1.0"]);
        assert!(r["tls"]["handshake"].is_null());
        eprintln!(
            "TLS 1.0 Dovecot: greeting {} engine {} {} {} connections {} login ok {}",
            m["greeting"],
            m["tls"]["engine"],
            m["tls"]["version"],
            m["tls"]["suite"]["name"],
            r["stats"]["connections"],
            m["login"]["ok"]
        );
    }
}

/// Dovecot refuses a TLS 1.2 hello carrying TLS_FALLBACK_SCSV by closing the
/// connection without OpenSSL's `inappropriate_fallback` alert, as it closes
/// on every refusal. The same suites are accepted at TLS 1.2 without the
/// SCSV, so the refusal is the SCSV's: honoured (sslyze: "Supported"), not
/// inconclusive.
#[tokio::test]
async fn real_dovecot_honours_the_fallback_scsv_without_the_alert() {
    let Some(imaps) = interop("DOVECOT_INTEROP_IMAPS") else {
        return;
    };
    let app = crate::support::app::spawn_app().await;
    let res = app
        .post_probe(&serde_json::json!({
            "host": "127.0.0.1", "port": imaps.port(), "protocol": "imap",
            "transport": "implicit", "checks": ["fallback_scsv"], "timeout_ms": 20000,
        }))
        .await;
    assert_eq!(res.status(), 200);
    let report: serde_json::Value = res.json().await.unwrap();
    let check = report["security"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "fallback_scsv"))
        .unwrap_or_else(|| panic!("no fallback_scsv check: {:#}", report["security"]))
        .clone();
    assert_eq!(check["status"], "done", "{check:#}");
    assert_eq!(check["result"], "honoured", "{check:#}");
    let evidence = check["evidence"].as_str().unwrap_or("");
    assert!(
        evidence.contains("without the SCSV the scan saw the same suites accepted"),
        "{evidence}"
    );
    assert!(check["finding"].is_null(), "{check:#}");
}
