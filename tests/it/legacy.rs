//! The legacy TLS engine (OpenSSL) carrying the mail dialogue where rustls
//! cannot (issue 14): real OpenSSL fixtures that speak only TLS 1.0, SSLv3,
//! TLS 1.1, RC4, CBC, static RSA or DHE, over implicit TLS and STARTTLS, for
//! IMAP, POP3 and SMTP, probed through the real service over HTTP.

use std::sync::Arc;
use std::time::Duration;

use mailprobe::mail::dialogue::{self, DialogueSpec, Fallback, LoginGate};
use mailprobe::net::{Connector, Meter};
use mailprobe::observations::Observations;
use mailprobe::report::{Protocol, Target, TlsEngine, TlsVersion};
use mailprobe::tls::legacy::LegacyOffer;
use mailprobe::vocab::Deadline;
use rustls::pki_types::ServerName;
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::openssl_server::{
    self, Config, LOGIN_PASSWORD, LOGIN_USER, MailProtocol, OpensslServer, Profile, Transport,
};

/// A greeting software identification knows, for the fixtures that are not
/// Exchange 2010 (whose greeting is Exchange's).
const DOVECOT_GREETING: &str = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.";

fn fixture(p: Profile, protocol: MailProtocol, transport: Transport) -> OpensslServer {
    openssl_server::load_legacy_provider();
    let base = p.config();
    let greeting = if p == Profile::Exchange2010 {
        base.greeting
    } else {
        DOVECOT_GREETING
    };
    OpensslServer::start(Config {
        protocol,
        transport,
        greeting,
        ..base
    })
}

async fn probe(
    app: &TestApp,
    server: &OpensslServer,
    protocol: &str,
    transport: &str,
    password: &str,
) -> Value {
    let resp = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": server.addr.port(),
            "protocol": protocol,
            "transport": transport,
            "ca_bundle_pem": openssl_server::pki().root_pem,
            "credentials": {"username": LOGIN_USER, "password": password},
            // The security checks complete handshakes of their own; this
            // test counts the dialogue's (issue 18).
            "checks": [],
        }))
        .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The probe paths that saw a chain (`modern`, `legacy`, `scanner`, ...).
fn chain_paths(r: &Value) -> Vec<String> {
    r["tls"]["certificate"]["paths"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["path"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn steps_with_errors(r: &Value) -> Vec<String> {
    r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap().to_string())
        .collect()
}

/// What every probe of a legacy fixture must show, right password or not.
fn assert_legacy_dialogue(p: Profile, r: &Value, server: &OpensslServer, what: &str) {
    let mail = &r["mail"];
    let (version, suites) = p.expected().into_iter().max_by_key(|(v, _)| *v).unwrap();
    assert!(
        mail["greeting"].is_string(),
        "{what}: {mail:#} {:#}",
        r["errors"]
    );
    assert_eq!(mail["tls"]["engine"], "legacy", "{what}: {mail:#}");
    assert_eq!(
        mail["tls"]["version"],
        serde_json::to_value(version).unwrap(),
        "{what}: the scan's highest version"
    );
    let suite = mail["tls"]["suite"]["openssl_name"].as_str().unwrap_or("");
    assert!(
        suites.contains(&suite),
        "{what}: negotiated {suite}, not among {suites:?}"
    );
    assert!(
        !strs(&mail["capabilities_after_tls"]).is_empty(),
        "{what}: capabilities inside TLS: {mail:#}"
    );
    // rustls stays the judge; the legacy handshake is not the modern
    // client's evidence. Below TLS 1.2 the scan's answer is that evidence
    // and no rustls handshake is tried (issue 21); a TLS 1.2 server rustls
    // cannot talk to (CBC or static RSA only) gets the rustls handshake,
    // which fails and is reported.
    let errors = steps_with_errors(r);
    let transcript = strs(&mail["transcript"]);
    if version < TlsVersion::Tls12 {
        assert!(
            !errors.contains(&"tls_handshake".to_string()),
            "{what}: {errors:?}"
        );
        assert!(
            transcript.first().is_some_and(|l| l.starts_with(
                "-- the wire scan found TLS 1.3 refused and a TLS 1.2 hello answered with"
            )),
            "{what}: {transcript:#?}"
        );
        let tls12 = &r["tls"]["handshakes"][1];
        assert_eq!(tls12["offered"], "TLSv1.2", "{what}");
        assert!(
            tls12["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("not run: the wire scan found TLSv1.2 not accepted")),
            "{what}: {tls12}"
        );
    } else {
        assert!(
            errors.contains(&"tls_handshake".to_string()),
            "{what}: {errors:?}"
        );
    }
    assert!(
        !errors.contains(&"legacy_tls_handshake".to_string()),
        "{what}: {:#}",
        r["errors"]
    );
    assert!(r["tls"]["handshake"].is_null(), "{what}");
    // The legacy chain is recorded like every other chain.
    let paths = chain_paths(r);
    assert!(
        paths.contains(&"legacy".to_string()),
        "{what}: paths {paths:?}"
    );
    assert_eq!(
        r["tls"]["certificate"]["chain"].as_array().map(Vec::len),
        Some(2),
        "{what}"
    );
    // Every connection is counted; of them, only the legacy dialogue
    // finished a handshake (the scanner hangs up after the ServerHello, the
    // modern handshakes fail): no engine was tried on spec.
    assert_eq!(
        r["stats"]["connections"].as_u64().unwrap() as usize,
        server.connections(),
        "{what}"
    );
    assert_eq!(server.handshakes_completed(), 1, "{what}");
    // For the closing note (`--nocapture`).
    eprintln!(
        "{what}: greeting {} | engine {} {} {} | {} connections",
        mail["greeting"],
        mail["tls"]["engine"],
        mail["tls"]["version"],
        suite,
        r["stats"]["connections"]
    );
}

/// These tests log in far more often than one caller may per hour
/// (`MAILPROBE_LOGIN_LIMIT`, 60 by default): raise the limit for them.
async fn spawn_app_for_many_logins() -> TestApp {
    spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8,::1",
        "--login-limit",
        "10000",
    ])
    .await
}

fn login(r: &Value) -> (bool, Option<bool>) {
    let l = &r["mail"]["login"];
    (l["attempted"] == true, l["ok"].as_bool())
}

#[tokio::test]
async fn every_legacy_imap_fixture_gets_greeting_capabilities_software_and_login_over_the_legacy_engine()
 {
    let app = spawn_app_for_many_logins().await;
    for p in Profile::LEGACY {
        for (transport, t) in [
            (Transport::Implicit, "implicit"),
            (Transport::Starttls, "starttls"),
        ] {
            for (password, ok) in [(LOGIN_PASSWORD, true), ("wrong-password", false)] {
                let what = format!("{p:?} IMAP {t} login ok={ok}");
                let server = fixture(p, MailProtocol::Imap, transport);
                let r = probe(&app, &server, "imap", t, password).await;
                assert_legacy_dialogue(p, &r, &server, &what);
                let mail = &r["mail"];
                let guess = mail["software_guess"]["name"].as_str().unwrap_or("");
                let expected = if p == Profile::Exchange2010 {
                    "Microsoft Exchange"
                } else {
                    "Dovecot"
                };
                assert_eq!(guess, expected, "{what}: {mail:#}");
                assert_eq!(login(&r), (true, Some(ok)), "{what}: {:#}", mail["login"]);
                if transport == Transport::Starttls {
                    assert!(
                        strs(&mail["capabilities_before_tls"]).contains(&"STARTTLS".to_string()),
                        "{what}"
                    );
                    assert_eq!(mail["starttls"]["accepted"], true, "{what}");
                    assert_eq!(mail["login_disabled"], true, "{what}");
                }
                assert_eq!(mail["login_disabled_after_tls"], false, "{what}");
                // The secret never reaches the Report.
                assert!(!r.to_string().contains(password), "{what}");
            }
        }
    }
}

#[tokio::test]
async fn every_legacy_fixture_speaks_pop3_and_smtp_over_the_legacy_engine() {
    let app = spawn_app_for_many_logins().await;
    for p in Profile::LEGACY {
        for (protocol, proto) in [(MailProtocol::Pop3, "pop3"), (MailProtocol::Smtp, "smtp")] {
            for (transport, t) in [
                (Transport::Implicit, "implicit"),
                (Transport::Starttls, "starttls"),
            ] {
                for (password, ok) in [(LOGIN_PASSWORD, true), ("wrong-password", false)] {
                    let what = format!("{p:?} {proto} {t} login ok={ok}");
                    let server = fixture(p, protocol, transport);
                    let r = probe(&app, &server, proto, t, password).await;
                    assert_legacy_dialogue(p, &r, &server, &what);
                    let mail = &r["mail"];
                    assert_eq!(login(&r), (true, Some(ok)), "{what}: {mail:#}");
                    let after = strs(&mail["capabilities_after_tls"]);
                    match protocol {
                        MailProtocol::Pop3 => assert!(after.contains(&"USER".into()), "{what}"),
                        _ => assert!(
                            after.iter().any(|c| c.starts_with("AUTH")),
                            "{what}: {after:?}"
                        ),
                    }
                    if transport == Transport::Starttls {
                        assert!(!strs(&mail["capabilities_before_tls"]).is_empty(), "{what}");
                        assert_eq!(mail["starttls"]["accepted"], true, "{what}");
                    }
                }
            }
        }
    }
}

/// Given Exchange 2010's IMAP4 on 993 (TLS 1.0 only), when probed on its
/// implicit port, then the dialogue runs over the legacy engine and the
/// Report is the seed case, complete: greeting, software, capabilities,
/// and a summary and remedies chosen by that software.
#[tokio::test]
async fn the_seed_case_on_the_implicit_port_is_complete() {
    let server = fixture(
        Profile::Exchange2010,
        MailProtocol::Imap,
        Transport::Implicit,
    );
    let app = spawn_app().await;
    let r = probe(&app, &server, "imap", "implicit", LOGIN_PASSWORD).await;
    let mail = &r["mail"];
    assert_eq!(
        mail["greeting"],
        openssl_server::EXCHANGE_GREETING,
        "{mail:#}"
    );
    assert_eq!(mail["software_guess"]["name"], "Microsoft Exchange");
    assert!(
        mail["software_guess"]["version"]
            .as_str()
            .unwrap_or("")
            .contains("2010"),
        "{mail:#}"
    );
    assert_eq!(mail["tls"]["version"], "TLSv1.0");
    let summary = r["summary"].as_str().unwrap();
    assert!(summary.contains("Exchange 2010"), "{summary}");
    eprintln!("seed case summary: {summary}");
    let low = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "TLS_MAX_VERSION_TOO_LOW")
        .unwrap();
    assert!(
        low["detail"].as_str().unwrap().contains("Exchange 2010"),
        "{low:#}"
    );
    assert!(
        low["remedy"].as_str().unwrap().contains("cutover"),
        "{low:#}"
    );
    // No client looks able to connect because the legacy engine did.
    for c in r["clients"].as_array().unwrap() {
        if ["exchange-online", "imapsync", "thunderbird", "java-17"]
            .contains(&c["profile"].as_str().unwrap_or(""))
        {
            assert_eq!(c["connects"], false, "{c:#}");
        }
    }
}

/// A modern server: the dialogue stays on rustls and nothing is retried.
#[tokio::test]
async fn a_modern_server_keeps_the_modern_engine() {
    let server = fixture(Profile::Modern, MailProtocol::Imap, Transport::Implicit);
    let app = spawn_app().await;
    let r = probe(&app, &server, "imap", "implicit", LOGIN_PASSWORD).await;
    let mail = &r["mail"];
    assert_eq!(mail["tls"]["engine"], "modern", "{mail:#}");
    assert_eq!(mail["tls"]["version"], "TLSv1.3");
    assert_eq!(
        mail["tls"]["suite"]["name"],
        r["tls"]["handshake"]["suite"]["name"]
    );
    assert_eq!(login(&r), (true, Some(true)));
    assert!(
        r["errors"].as_array().unwrap().is_empty(),
        "{:#}",
        r["errors"]
    );
    let timings: Vec<String> = r["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["step"].as_str().unwrap().to_string())
        .collect();
    assert!(!timings.contains(&"legacy_tls_handshake".to_string()));
    assert!(!chain_paths(&r).contains(&"legacy".to_string()));
}

/// The dialogue alone, counted: one connection on a modern server, exactly
/// one more on a legacy one; and no retry without a fallback.
#[tokio::test]
async fn the_dialogue_uses_one_connection_on_a_modern_server_and_two_on_a_legacy_one() {
    async fn dialogue_connections(p: Profile, with_fallback: bool) -> (u32, Observations) {
        let server = fixture(p, MailProtocol::Imap, Transport::Implicit);
        let meter = Arc::new(Meter::default());
        let connector = Connector::new(vec![server.addr], 4, Arc::clone(&meter));
        let target = Target {
            host: "127.0.0.1".into(),
            port: server.port(),
            protocol: Protocol::Imap,
            transport: mailprobe::report::Transport::Implicit,
            addresses: vec!["127.0.0.1".into()],
            sni: None,
        };
        let mut obs = Observations::new(target, time::OffsetDateTime::now_utc());
        let spec = DialogueSpec {
            protocol: Protocol::Imap,
            transport: mailprobe::report::Transport::Implicit,
            server_name: ServerName::try_from("localhost").unwrap(),
            login: None,
            login_gate: LoginGate::allow_any(),
            survey: None,
        };
        let deadline = Deadline::after(Duration::from_secs(10));
        let stream = connector.connect(deadline).await.unwrap();
        // The scan's findings, as the probe hands them over.
        let offer = LegacyOffer::from_scan(&[mailprobe::report::VersionSupport {
            version: TlsVersion::Tls10,
            offered: Some(true),
            suites: vec![mailprobe::tls::suite_info(0x0035)],
            server_preference: None,
        }]);
        let (_tx, rx) = tokio::sync::watch::channel(Some(offer));
        let fallback = with_fallback.then_some(Fallback {
            connector: &connector,
            scan: rx,
            retry: mailprobe::diagnosis::engine_choice::legacy_may_help,
            modern: None,
            hint: None,
        });
        let mut seen = dialogue::DialogueOutcome::default();
        dialogue::run_with(stream, &spec, &meter, deadline, &mut seen, fallback).await;
        mailprobe::probe::dialogue::record(&mut obs, seen);
        assert_eq!(meter.snapshot().connections as usize, server.connections());
        (meter.snapshot().connections, obs)
    }

    let (n, obs) = dialogue_connections(Profile::Modern, true).await;
    assert_eq!(n, 1);
    assert_eq!(
        obs.mail.tls.as_ref().map(|t| t.engine),
        Some(TlsEngine::Modern)
    );

    let (n, obs) = dialogue_connections(Profile::Exchange2010, true).await;
    assert_eq!(n, 2);
    let tls = obs.mail.tls.as_ref().unwrap();
    assert_eq!(
        (tls.engine, tls.version),
        (TlsEngine::Legacy, TlsVersion::Tls10)
    );
    assert_eq!(
        tls.suite.name, "TLS_RSA_WITH_AES_256_CBC_SHA",
        "the scan's suite"
    );
    assert!(
        obs.tls.handshake.is_none(),
        "not a modern client's evidence"
    );

    let (n, obs) = dialogue_connections(Profile::Exchange2010, false).await;
    assert_eq!(n, 1);
    assert!(obs.mail.tls.is_none());
    assert!(obs.mail.greeting.is_none());
}
