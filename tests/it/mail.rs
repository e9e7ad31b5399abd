//! Mail dialogues against scripted servers replaying real transcripts
//! (domain.md §2). Library-level tests read the Observations exactly
//! (including which service answered); HTTP tests check the Report end to end.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use mailprobe::mail::auth::{LoginRequest, LoginSecret};
use mailprobe::mail::dialogue::{self, DialogueSpec};
use mailprobe::net::Meter;
use mailprobe::observations::{Observations, ServiceSeen};
use mailprobe::report::{Protocol, Target, Transport};
use mailprobe::vocab::Deadline;
use rustls::pki_types::ServerName;
use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::mail_servers::{
    self, After, ImapScript, MailFixture, PASSWORD, Pop3Script, Script, SmtpScript, Start, TOKEN,
    USER,
};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn words(s: &str) -> Vec<String> {
    s.split(' ').map(str::to_string).collect()
}

pub(crate) fn password(user: &str, pw: &str) -> Option<LoginRequest> {
    Some(LoginRequest {
        username: user.into(),
        secret: LoginSecret::Password(pw.to_string().into()),
        allow_plaintext: false,
        allow_untrusted: false,
    })
}

fn token(user: &str, tok: &str) -> Option<LoginRequest> {
    Some(LoginRequest {
        username: user.into(),
        secret: LoginSecret::OAuth2Token(tok.to_string().into()),
        allow_plaintext: false,
        allow_untrusted: false,
    })
}

/// Runs the dialogue against a fixture and returns the Observations.
/// The Report's `mail` section for these observations: the dialogue's
/// record plus the diagnosis' software guess.
pub(crate) fn mail_report(obs: &Observations) -> mailprobe::report::Mail {
    mailprobe::diagnosis::mail_section::section(obs.target.protocol, obs.mail.clone())
}

pub(crate) async fn observe_addr(
    addr: std::net::SocketAddr,
    protocol: Protocol,
    transport: Transport,
    login: Option<LoginRequest>,
    timeout: Duration,
) -> Observations {
    let fixture = MailFixture {
        addr,
        port: addr.port(),
        received: Default::default(),
        flights: Default::default(),
        root_pem: String::new(),
    };
    observe(&fixture, protocol, transport, login, timeout).await
}

async fn observe(
    fixture: &MailFixture,
    protocol: Protocol,
    transport: Transport,
    login: Option<LoginRequest>,
    timeout: Duration,
) -> Observations {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let target = Target {
        host: "127.0.0.1".into(),
        port: fixture.port,
        protocol,
        transport,
        addresses: vec!["127.0.0.1".into()],
        sni: None,
    };
    let mut obs = Observations::new(target, time::OffsetDateTime::now_utc());
    let stream = tokio::net::TcpStream::connect(fixture.addr).await.unwrap();
    let spec = DialogueSpec {
        protocol,
        transport,
        server_name: ServerName::try_from("localhost").unwrap(),
        login,
        // The dialogue itself is under test here; the gate has its own tests.
        login_gate: dialogue::LoginGate::allow_any(),
        survey: None,
    };
    let meter = Meter::default();
    let mut seen = dialogue::DialogueOutcome::default();
    dialogue::run(stream, &spec, &meter, Deadline::after(timeout), &mut seen).await;
    mailprobe::probe::dialogue::record(&mut obs, seen);
    obs
}

async fn imap(
    script: ImapScript,
    start: Start,
    transport: Transport,
    login: Option<LoginRequest>,
) -> (Observations, MailFixture) {
    let f = mail_servers::start(Script::Imap(script), start).await;
    let obs = observe(&f, Protocol::Imap, transport, login, Duration::from_secs(5)).await;
    (obs, f)
}

fn no_errors(obs: &Observations) {
    assert!(obs.errors.is_empty(), "{:?}", obs.errors);
    assert_eq!(obs.service, None);
}

#[tokio::test]
async fn given_exchange_2010_on_143_when_probed_with_starttls_then_both_capability_lists_are_exact()
{
    let (obs, f) = imap(
        mail_servers::exchange_2010(),
        Start::Plain,
        Transport::Starttls,
        None,
    )
    .await;
    no_errors(&obs);
    let m = &mail_report(&obs);
    assert_eq!(
        m.greeting.as_deref(),
        Some("* OK The Microsoft Exchange IMAP4 service is ready.")
    );
    assert_eq!(
        m.capabilities_before_tls,
        words(mail_servers::exchange_2010().caps_plain)
    );
    assert_eq!(
        m.capabilities_after_tls,
        words(mail_servers::exchange_2010().caps_tls)
    );
    assert_eq!(m.login_disabled, Some(true));
    assert_eq!(m.login_disabled_after_tls, Some(false));
    assert_eq!(m.auth_mechanisms_before_tls, strings(&["NTLM", "GSSAPI"]));
    assert_eq!(m.auth_mechanisms, strings(&["PLAIN", "NTLM", "GSSAPI"]));
    let st = m.starttls.as_ref().unwrap();
    assert_eq!((st.advertised, st.accepted), (Some(true), Some(true)));
    assert_eq!(
        st.response.as_deref(),
        Some("a2 OK Begin TLS negotiation now.")
    );
    assert_eq!(
        (m.imap4rev1, m.imap4rev2, m.sasl_ir),
        (Some(true), Some(false), Some(false))
    );
    assert!(m.id.is_none(), "ID is not advertised, so not asked");
    let guess = m.software_guess.as_ref().unwrap();
    assert_eq!(guess.name, "Microsoft Exchange");
    assert_eq!(guess.version.as_deref(), Some("2010 or earlier"));
    assert!(guess.evidence[0].contains("The Microsoft Exchange IMAP4 service is ready."));
    assert!(
        obs.tls.handshake.is_some(),
        "TLS after STARTTLS is measured"
    );
    assert!(!obs.chain_der.is_empty());
    // RFC 3501 §6.2.1: CAPABILITY again after TLS; the tag sequence goes on.
    assert_eq!(
        f.received(),
        strings(&["a1 CAPABILITY", "a2 STARTTLS", "a3 CAPABILITY", "a4 LOGOUT"])
    );
    assert_eq!(
        m.transcript.first().map(String::as_str),
        Some("S: * OK The Microsoft Exchange IMAP4 service is ready.")
    );
    assert!(m.transcript.contains(&"C: a3 CAPABILITY".to_string()));
    // No list in hand after TLS and no ID: nothing to pipeline.
    assert_eq!(
        f.flights(),
        [
            ["a1 CAPABILITY"],
            ["a2 STARTTLS"],
            ["a3 CAPABILITY"],
            ["a4 LOGOUT"]
        ]
    );
}

#[tokio::test]
async fn exchange_2016_answers_id_and_is_dated_by_it() {
    let (obs, f) = imap(
        mail_servers::exchange_2016(),
        Start::Plain,
        Transport::Starttls,
        None,
    )
    .await;
    no_errors(&obs);
    let m = &mail_report(&obs);
    assert_eq!(
        m.capabilities_before_tls,
        words(mail_servers::exchange_2016().caps_plain)
    );
    assert_eq!(
        m.capabilities_after_tls,
        words(mail_servers::exchange_2016().caps_tls)
    );
    let id = m.id.as_ref().unwrap();
    assert_eq!(id["name"], "Microsoft.Exchange.Imap4.Imap4Server");
    assert_eq!(id["version"], "15.1");
    let guess = m.software_guess.as_ref().unwrap();
    assert_eq!(
        (guess.name.as_str(), guess.version.as_deref()),
        ("Microsoft Exchange", Some("15.1"))
    );
    assert!(f.received().contains(&"a4 ID NIL".to_string()));
    // After TLS the list comes from CAPABILITY; ID and LOGOUT then go in
    // one flight (RFC 3501 §5.5).
    assert_eq!(
        f.flights(),
        [
            vec!["a1 CAPABILITY"],
            vec!["a2 STARTTLS"],
            vec!["a3 CAPABILITY"],
            vec!["a4 ID NIL", "a5 LOGOUT"]
        ]
    );
    // imap-codec 1.x cannot decode `* ID`: kept verbatim, read tolerantly.
    assert_eq!(
        m.undecoded,
        strings(&["* ID (\"name\" \"Microsoft.Exchange.Imap4.Imap4Server\" \"version\" \"15.1\")"])
    );
}

#[tokio::test]
async fn exchange_online_on_993_names_its_backend() {
    let (obs, f) = imap(
        mail_servers::exchange_online(),
        Start::ImplicitTls,
        Transport::Implicit,
        None,
    )
    .await;
    no_errors(&obs);
    let m = &mail_report(&obs);
    assert!(m.capabilities_before_tls.is_empty());
    assert_eq!(
        m.capabilities_after_tls,
        words(mail_servers::exchange_online().caps_tls)
    );
    assert_eq!(m.auth_mechanisms, strings(&["PLAIN", "XOAUTH2"]));
    assert_eq!(m.sasl_ir, Some(true));
    assert!(m.starttls.is_none());
    assert_eq!(m.login_disabled, None, "no plaintext phase on 993");
    let guess = m.software_guess.as_ref().unwrap();
    assert_eq!(guess.name, "Microsoft Exchange Online");
    assert!(
        guess
            .evidence
            .iter()
            .any(|e| e.contains("SI2PR04CA0005.apcprd04.prod.outlook.com")),
        "{:?}",
        guess.evidence
    );
    assert_eq!(
        f.received(),
        strings(&["a1 CAPABILITY", "a2 ID NIL", "a3 LOGOUT"])
    );
    // The greeting lists nothing: CAPABILITY first, then ID and LOGOUT
    // together.
    assert_eq!(
        f.flights(),
        [vec!["a1 CAPABILITY"], vec!["a2 ID NIL", "a3 LOGOUT"]]
    );
}

/// A greeting that lists ID (Dovecot's): CAPABILITY, ID and LOGOUT go in
/// one flight, one round trip for the three (RFC 3501 §5.5); the lists
/// reported are CAPABILITY's answer, not the greeting's.
#[tokio::test]
async fn a_greeting_with_id_listed_gets_the_last_three_commands_in_one_flight() {
    let (obs, f) = imap(
        mail_servers::dovecot(),
        Start::ImplicitTls,
        Transport::Implicit,
        None,
    )
    .await;
    no_errors(&obs);
    assert_eq!(f.flights(), [["a1 CAPABILITY", "a2 ID NIL", "a3 LOGOUT"]]);
    let m = &mail_report(&obs);
    assert_eq!(
        m.capabilities_after_tls,
        words(mail_servers::dovecot().caps_tls)
    );
    assert_eq!(m.id.as_ref().unwrap()["name"], "Dovecot");
    let sent: Vec<&String> = m
        .transcript
        .iter()
        .filter(|l| l.starts_with("C: "))
        .collect();
    assert_eq!(sent, ["C: a1 CAPABILITY", "C: a2 ID NIL", "C: a3 LOGOUT"]);
}

#[tokio::test]
async fn dovecot_id_with_a_literal_is_read() {
    let (obs, _f) = imap(
        mail_servers::dovecot(),
        Start::Plain,
        Transport::Starttls,
        None,
    )
    .await;
    no_errors(&obs);
    let m = &mail_report(&obs);
    assert_eq!(
        m.capabilities_after_tls,
        words(mail_servers::dovecot().caps_tls)
    );
    assert_eq!(m.login_disabled, Some(true));
    assert_eq!(m.auth_mechanisms_before_tls, Vec::<String>::new());
    assert_eq!(m.auth_mechanisms, strings(&["PLAIN"]));
    assert_eq!(m.id.as_ref().unwrap()["name"], "Dovecot");
    let guess = m.software_guess.as_ref().unwrap();
    assert_eq!(
        (guess.name.as_str(), guess.version.as_deref()),
        ("Dovecot", Some("2.3.21"))
    );
}

#[tokio::test]
async fn starttls_advertised_but_refused_is_reported_with_the_answer() {
    let script = ImapScript {
        starttls_ok: None,
        ..mail_servers::exchange_2010()
    };
    let (obs, f) = imap(
        script,
        Start::Plain,
        Transport::Starttls,
        password(USER, PASSWORD),
    )
    .await;
    let m = &obs.mail;
    let st = m.starttls.as_ref().unwrap();
    assert_eq!((st.advertised, st.accepted), (Some(true), Some(false)));
    assert_eq!(
        st.response.as_deref(),
        Some("a2 BAD Command received in Invalid state.")
    );
    assert!(m.capabilities_after_tls.is_empty());
    assert!(obs.tls.handshake.is_none());
    // No credentials in clear without consent.
    let login = m.login.as_ref().unwrap();
    assert!(!login.attempted);
    assert!(login.reason.as_deref().unwrap().contains("not encrypted"));
    assert!(
        f.received()
            .iter()
            .all(|l| !l.contains("LOGIN ") && !l.contains("AUTHENTICATE"))
    );
}

#[tokio::test]
async fn starttls_accepted_without_being_advertised() {
    let script = ImapScript {
        caps_plain: "IMAP4rev1 AUTH=PLAIN",
        ..mail_servers::exchange_2010()
    };
    let (obs, _f) = imap(script, Start::Plain, Transport::Starttls, None).await;
    no_errors(&obs);
    let st = obs.mail.starttls.as_ref().unwrap();
    assert_eq!((st.advertised, st.accepted), (Some(false), Some(true)));
    assert_eq!(
        obs.mail.capabilities_after_tls,
        words(mail_servers::exchange_2010().caps_tls)
    );
    assert_eq!(obs.mail.auth_mechanisms_before_tls, strings(&["PLAIN"]));
}

#[tokio::test]
async fn starttls_as_the_last_capability_is_seen() {
    let script = ImapScript {
        caps_plain: "IMAP4rev1 LITERAL+ STARTTLS",
        ..mail_servers::exchange_2010()
    };
    let (obs, _f) = imap(script, Start::Plain, Transport::Starttls, None).await;
    no_errors(&obs);
    assert_eq!(
        obs.mail.capabilities_before_tls.last().map(String::as_str),
        Some("STARTTLS")
    );
    assert_eq!(obs.mail.starttls.as_ref().unwrap().advertised, Some(true));
}

/// Given the wrong service on a port, the probe names it instead of failing obscurely.
#[tokio::test]
async fn wrong_service_on_the_port_is_named() {
    let imap_plain = Script::Imap(mail_servers::exchange_2010());
    let cases: Vec<(&str, Script, Start, Protocol, Transport, ServiceSeen)> = vec![
        (
            "TLS on 143",
            imap_plain.clone(),
            Start::ImplicitTls,
            Protocol::Imap,
            Transport::Starttls,
            ServiceSeen::TlsOnPlaintextPort,
        ),
        (
            "plaintext on 993",
            imap_plain.clone(),
            Start::Plain,
            Protocol::Imap,
            Transport::Implicit,
            ServiceSeen::PlaintextOnTlsPort {
                banner: "* OK The Microsoft Exchange IMAP4 service is ready.".into(),
            },
        ),
        (
            "POP3 on an IMAP port",
            Script::Raw(
                b"+OK The Microsoft Exchange POP3 service is ready.\r\n",
                After::Hold,
            ),
            Start::Plain,
            Protocol::Imap,
            Transport::Starttls,
            ServiceSeen::Pop3 {
                banner: "+OK The Microsoft Exchange POP3 service is ready.".into(),
            },
        ),
        (
            "SMTP on an IMAP port",
            Script::Raw(b"220 mx.example.com ESMTP Postfix\r\n", After::Hold),
            Start::Plain,
            Protocol::Imap,
            Transport::Starttls,
            ServiceSeen::Smtp {
                banner: "220 mx.example.com ESMTP Postfix".into(),
            },
        ),
        (
            "HTTP",
            Script::Raw(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                After::Hold,
            ),
            Start::Plain,
            Protocol::Imap,
            Transport::Starttls,
            ServiceSeen::Http {
                banner: "HTTP/1.1 400 Bad Request".into(),
            },
        ),
        (
            "SSH",
            Script::Raw(b"SSH-2.0-OpenSSH_9.6p1 Debian-3\r\n", After::Hold),
            Start::Plain,
            Protocol::Pop3,
            Transport::Starttls,
            ServiceSeen::Ssh {
                banner: "SSH-2.0-OpenSSH_9.6p1 Debian-3".into(),
            },
        ),
        (
            "IMAP on an SMTP port",
            imap_plain.clone(),
            Start::Plain,
            Protocol::Smtp,
            Transport::Starttls,
            ServiceSeen::Imap {
                banner: "* OK The Microsoft Exchange IMAP4 service is ready.".into(),
            },
        ),
        (
            "BYE at greeting",
            Script::Raw(
                b"* BYE Connection refused: too many connections\r\n",
                After::Close,
            ),
            Start::Plain,
            Protocol::Imap,
            Transport::Starttls,
            ServiceSeen::RefusedAtGreeting {
                banner: "* BYE Connection refused: too many connections".into(),
            },
        ),
        (
            "421 at greeting",
            Script::Raw(b"421 4.3.2 Service not available\r\n", After::Close),
            Start::Plain,
            Protocol::Smtp,
            Transport::Starttls,
            ServiceSeen::RefusedAtGreeting {
                banner: "421 4.3.2 Service not available".into(),
            },
        ),
        (
            "immediate close",
            Script::Raw(b"", After::Close),
            Start::Plain,
            Protocol::Imap,
            Transport::Starttls,
            ServiceSeen::ClosedImmediately,
        ),
        (
            "BYE inside TLS on 993",
            Script::Raw(b"* BYE busy\r\n", After::Close),
            Start::ImplicitTls,
            Protocol::Imap,
            Transport::Implicit,
            ServiceSeen::RefusedAtGreeting {
                banner: "* BYE busy".into(),
            },
        ),
    ];
    for (name, script, start, protocol, transport, expected) in cases {
        let f = mail_servers::start(script, start).await;
        let obs = observe(&f, protocol, transport, None, Duration::from_secs(4)).await;
        assert_eq!(
            obs.service.as_ref(),
            Some(&expected),
            "{name}: {:?}",
            obs.errors
        );
        assert!(
            !obs.errors.is_empty(),
            "{name}: a wrong service is also an error of its step"
        );
    }
}

#[tokio::test]
async fn silence_is_reported_with_the_time_waited() {
    let f = mail_servers::start(Script::Raw(b"", After::Hold), Start::Plain).await;
    let obs = observe(
        &f,
        Protocol::Imap,
        Transport::Starttls,
        None,
        Duration::from_millis(1500),
    )
    .await;
    match obs.service {
        Some(ServiceSeen::Silent { waited_ms }) => {
            assert!((500..1500).contains(&waited_ms), "{waited_ms}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(obs.errors[0].step, "greeting");
}

#[tokio::test]
async fn login_plain_without_sasl_ir_after_starttls() {
    let (obs, f) = imap(
        mail_servers::exchange_2016(),
        Start::Plain,
        Transport::Starttls,
        password(USER, PASSWORD),
    )
    .await;
    no_errors(&obs);
    let login = obs.mail.login.as_ref().unwrap();
    assert_eq!(
        (login.attempted, login.ok, login.mechanism.as_deref()),
        (true, Some(true), Some("PLAIN"))
    );
    assert_eq!(
        login.server_text.as_deref(),
        Some("a5 OK AUTHENTICATE completed.")
    );
    // No SASL-IR offered: the mechanism alone, the response after `+`.
    assert!(f.received().contains(&"a5 AUTHENTICATE PLAIN".to_string()));

    let (obs, _) = imap(
        mail_servers::exchange_2016(),
        Start::Plain,
        Transport::Starttls,
        password("mallory@example.com", PASSWORD),
    )
    .await;
    let login = obs.mail.login.as_ref().unwrap();
    assert_eq!((login.attempted, login.ok), (true, Some(false)));
    assert_eq!(
        login.server_text.as_deref(),
        Some("a5 NO AUTHENTICATE failed.")
    );
}

#[tokio::test]
async fn login_xoauth2_with_sasl_ir_on_exchange_online() {
    let (obs, f) = imap(
        mail_servers::exchange_online(),
        Start::ImplicitTls,
        Transport::Implicit,
        token(USER, TOKEN),
    )
    .await;
    no_errors(&obs);
    let login = obs.mail.login.as_ref().unwrap();
    assert_eq!(
        (login.ok, login.mechanism.as_deref()),
        (Some(true), Some("XOAUTH2"))
    );
    assert!(
        f.received()
            .iter()
            .any(|l| l.starts_with("a3 AUTHENTICATE XOAUTH2 "))
    );

    // A refused token: the server's error challenge is answered empty, then NO.
    let (obs, _) = imap(
        mail_servers::exchange_online(),
        Start::ImplicitTls,
        Transport::Implicit,
        token(USER, "expired"),
    )
    .await;
    no_errors(&obs);
    let login = obs.mail.login.as_ref().unwrap();
    assert_eq!(
        (login.ok, login.server_text.as_deref()),
        (Some(false), Some("a3 NO AUTHENTICATE failed."))
    );
}

#[tokio::test]
async fn login_command_when_plain_is_not_offered_and_refused_under_logindisabled() {
    let script = ImapScript {
        caps_tls: "IMAP4rev1 AUTH=NTLM",
        ..mail_servers::exchange_2010()
    };
    let (obs, f) = imap(
        script,
        Start::Plain,
        Transport::Starttls,
        password(USER, PASSWORD),
    )
    .await;
    let login = obs.mail.login.as_ref().unwrap();
    assert_eq!(
        (login.ok, login.mechanism.as_deref()),
        (Some(true), Some("LOGIN"))
    );
    assert!(
        f.received()
            .iter()
            .any(|l| l.starts_with("a4 LOGIN \"alice@example.com\" "))
    );

    let script = ImapScript {
        caps_tls: "IMAP4rev1 AUTH=NTLM AUTH=XOAUTH2 LOGINDISABLED",
        ..mail_servers::exchange_2010()
    };
    let (obs, f) = imap(
        script,
        Start::Plain,
        Transport::Starttls,
        password(USER, PASSWORD),
    )
    .await;
    let login = obs.mail.login.as_ref().unwrap();
    assert!(!login.attempted);
    assert!(login.reason.as_deref().unwrap().contains("LOGINDISABLED"));
    assert_eq!(obs.mail.login_disabled_after_tls, Some(true));
    assert!(f.received().iter().all(|l| !l.contains("LOGIN \"")));
}

#[tokio::test]
async fn plaintext_login_only_with_consent() {
    let script = ImapScript {
        starttls_ok: None,
        caps_plain: "IMAP4rev1 AUTH=PLAIN STARTTLS",
        ..mail_servers::exchange_2010()
    };
    let mut login = password(USER, PASSWORD);
    if let Some(l) = login.as_mut() {
        l.allow_plaintext = true;
    }
    let (obs, _) = imap(script, Start::Plain, Transport::Starttls, login).await;
    let login = obs.mail.login.as_ref().unwrap();
    assert_eq!((login.attempted, login.ok), (true, Some(true)));
}

fn exchange_pop3() -> Pop3Script {
    Pop3Script {
        greeting: "+OK The Microsoft Exchange POP3 service is ready.",
        capa_plain: &["TOP", "UIDL", "SASL NTLM GSSAPI", "USER", "STLS"],
        capa_tls: &["TOP", "UIDL", "SASL PLAIN NTLM GSSAPI", "USER"],
        stls_ok: true,
    }
}

fn postfix() -> SmtpScript {
    SmtpScript {
        greeting: &["mx.example.com ESMTP Postfix (Debian/GNU)"],
        ehlo_plain: &[
            "mx.example.com",
            "PIPELINING",
            "SIZE 10240000",
            "STARTTLS",
            "ENHANCEDSTATUSCODES",
            "8BITMIME",
        ],
        ehlo_tls: &[
            "mx.example.com",
            "PIPELINING",
            "SIZE 10240000",
            "AUTH PLAIN LOGIN",
            "ENHANCEDSTATUSCODES",
            "8BITMIME",
        ],
        starttls_ok: true,
    }
}

#[tokio::test]
async fn pop3_stls_and_logins() {
    let f = mail_servers::start(Script::Pop3(exchange_pop3()), Start::Plain).await;
    let obs = observe(
        &f,
        Protocol::Pop3,
        Transport::Starttls,
        password(USER, PASSWORD),
        Duration::from_secs(5),
    )
    .await;
    no_errors(&obs);
    let m = &mail_report(&obs);
    assert_eq!(
        m.capabilities_before_tls,
        strings(exchange_pop3().capa_plain)
    );
    assert_eq!(m.capabilities_after_tls, strings(exchange_pop3().capa_tls));
    assert_eq!(m.auth_mechanisms_before_tls, strings(&["NTLM", "GSSAPI"]));
    assert_eq!(m.auth_mechanisms, strings(&["PLAIN", "NTLM", "GSSAPI"]));
    let st = m.starttls.as_ref().unwrap();
    assert_eq!((st.advertised, st.accepted), (Some(true), Some(true)));
    assert_eq!(
        m.software_guess.as_ref().unwrap().name,
        "Microsoft Exchange"
    );
    assert_eq!(m.login.as_ref().unwrap().ok, Some(true));
    assert_eq!(m.login_disabled, None, "LOGINDISABLED is IMAP's");

    // Without SASL PLAIN: USER/PASS.
    let script = Pop3Script {
        capa_tls: &["USER", "UIDL"],
        ..exchange_pop3()
    };
    let f = mail_servers::start(Script::Pop3(script), Start::Plain).await;
    let obs = observe(
        &f,
        Protocol::Pop3,
        Transport::Starttls,
        password(USER, "wrong"),
        Duration::from_secs(5),
    )
    .await;
    let login = obs.mail.login.as_ref().unwrap();
    assert_eq!(
        (login.ok, login.mechanism.as_deref()),
        (Some(false), Some("USER/PASS"))
    );
    assert!(f.received().contains(&"PASS wrong".to_string()));
}

#[tokio::test]
async fn smtp_starttls_ehlo_twice_and_auth_login() {
    let f = mail_servers::start(Script::Smtp(postfix()), Start::Plain).await;
    let obs = observe(
        &f,
        Protocol::Smtp,
        Transport::Starttls,
        None,
        Duration::from_secs(5),
    )
    .await;
    no_errors(&obs);
    let m = &mail_report(&obs);
    assert_eq!(
        m.greeting.as_deref(),
        Some("220 mx.example.com ESMTP Postfix (Debian/GNU)")
    );
    assert_eq!(
        m.capabilities_before_tls,
        strings(&postfix().ehlo_plain[1..])
    );
    assert_eq!(m.capabilities_after_tls, strings(&postfix().ehlo_tls[1..]));
    assert!(m.auth_mechanisms_before_tls.is_empty());
    assert_eq!(m.auth_mechanisms, strings(&["PLAIN", "LOGIN"]));
    assert_eq!(m.software_guess.as_ref().unwrap().name, "Postfix");
    assert_eq!(
        f.received(),
        strings(&[
            "EHLO mailprobe.invalid",
            "STARTTLS",
            "EHLO mailprobe.invalid",
            "QUIT"
        ])
    );

    // Implicit TLS (465), a multi-line Exchange greeting, AUTH LOGIN only.
    let script = SmtpScript {
        greeting: &[
            "EX01.example.com Microsoft ESMTP MAIL Service ready at Mon, 1 Jan 2026",
            "second line",
        ],
        ehlo_tls: &["EX01.example.com Hello", "SIZE 37748736", "AUTH LOGIN"],
        ..postfix()
    };
    let f = mail_servers::start(Script::Smtp(script), Start::ImplicitTls).await;
    let obs = observe(
        &f,
        Protocol::Smtp,
        Transport::Implicit,
        password(USER, PASSWORD),
        Duration::from_secs(5),
    )
    .await;
    no_errors(&obs);
    assert_eq!(
        mail_report(&obs).software_guess.as_ref().unwrap().name,
        "Microsoft Exchange"
    );
    let login = obs.mail.login.as_ref().unwrap();
    assert_eq!(
        (login.ok, login.mechanism.as_deref()),
        (Some(true), Some("LOGIN"))
    );
    assert_eq!(
        login.server_text.as_deref(),
        Some("235 2.7.0 Authentication successful")
    );
}

// ------------------------------------------------------------- end to end

#[tokio::test]
async fn given_the_seed_case_dialogue_when_probed_over_http_then_the_report_says_it() {
    let f = mail_servers::start(Script::Imap(mail_servers::exchange_2010()), Start::Plain).await;
    let app = spawn_app().await;
    let report: Value = app
        .post_probe(&json!({"host": "127.0.0.1", "port": f.port, "transport": "starttls", "timeout_ms": 5000}))
        .await
        .json()
        .await
        .unwrap();
    let m = &report["mail"];
    assert_eq!(m["login_disabled"], true);
    assert_eq!(
        m["starttls"],
        json!({"advertised": true, "accepted": true, "response": "a2 OK Begin TLS negotiation now."})
    );
    assert_eq!(m["capabilities_after_tls"][2], "AUTH=PLAIN");
    assert_eq!(m["auth_mechanisms"], json!(["PLAIN", "NTLM", "GSSAPI"]));
    assert_eq!(m["software_guess"]["name"], "Microsoft Exchange");
    assert_eq!(report["target"]["transport"], "starttls");
    assert_eq!(report["tls"]["handshake"]["version"], "TLSv1.3");
    assert_eq!(report["errors"], json!([]));
}

#[tokio::test]
async fn pop3_and_smtp_work_end_to_end() {
    let app = spawn_app().await;
    let f = mail_servers::start(Script::Pop3(exchange_pop3()), Start::ImplicitTls).await;
    let report: Value = app
        .post_probe(&json!({"host": "127.0.0.1", "port": f.port, "protocol": "pop3", "transport": "implicit", "timeout_ms": 5000}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["mail"]["capabilities_after_tls"],
        json!(exchange_pop3().capa_tls)
    );
    assert_eq!(report["mail"]["greeting"], exchange_pop3().greeting);
    let f = mail_servers::start(Script::Smtp(postfix()), Start::Plain).await;
    let report: Value = app
        .post_probe(&json!({"host": "127.0.0.1", "port": f.port, "protocol": "smtp", "transport": "starttls", "timeout_ms": 5000}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["mail"]["auth_mechanisms"], json!(["PLAIN", "LOGIN"]));
    assert_eq!(report["mail"]["software_guess"]["name"], "Postfix");
    assert_eq!(report["errors"], json!([]));
}

/// Every log line of the process, at TRACE, into one buffer.
pub(crate) fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buf);
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || BufWriter(Arc::clone(&sink)))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
        buf
    })
    .clone()
}

struct BufWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for BufWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn credentials_never_appear_in_logs_reports_or_errors() {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as B64;
    let logs = captured_logs();
    let app = spawn_app().await;
    let mut texts = Vec::new();
    let cases = [
        (
            Script::Imap(mail_servers::exchange_2016()),
            Start::Plain,
            "imap",
            "starttls",
            json!({"username": USER, "password": PASSWORD}),
        ),
        (
            Script::Imap(mail_servers::exchange_2016()),
            Start::Plain,
            "imap",
            "starttls",
            json!({"username": "mallory", "password": PASSWORD}),
        ),
        (
            Script::Imap(mail_servers::exchange_online()),
            Start::ImplicitTls,
            "imap",
            "implicit",
            json!({"username": USER, "oauth2_token": TOKEN}),
        ),
        (
            Script::Imap(mail_servers::exchange_online()),
            Start::ImplicitTls,
            "imap",
            "implicit",
            json!({"username": "x", "oauth2_token": TOKEN}),
        ),
        (
            Script::Pop3(exchange_pop3()),
            Start::Plain,
            "pop3",
            "starttls",
            json!({"username": USER, "password": PASSWORD}),
        ),
        (
            Script::Smtp(postfix()),
            Start::Plain,
            "smtp",
            "starttls",
            json!({"username": USER, "password": PASSWORD}),
        ),
    ];
    for (script, start, protocol, transport, credentials) in cases {
        let f = mail_servers::start(script, start).await;
        let resp = app
            .post_probe(
                &json!({"host": "127.0.0.1", "port": f.port, "protocol": protocol,
                "transport": transport, "timeout_ms": 5000, "credentials": credentials,
                "allow_untrusted_login": true}),
            )
            .await;
        assert_eq!(resp.status(), 200);
        let report: Value = resp.json().await.unwrap();
        assert_eq!(report["mail"]["login"]["attempted"], true, "{report}");
        texts.push(report.to_string());
    }
    // Refused requests: the problem documents must not echo the secret either.
    for body in [
        json!({"host": "127.0.0.1", "credentials": format!("{USER}:{PASSWORD}")}),
        json!({"host": "127.0.0.1", "credentials": {"username": USER, "password": [PASSWORD]}}),
        json!({"host": "127.0.0.1", "credentials": {"username": USER, "password": format!("{PASSWORD}\r\n")}}),
        json!({"host": "127.0.0.1", "protocol": "tls", "credentials": {"username": USER, "password": PASSWORD}}),
    ] {
        let resp = app.post_probe(&body).await;
        assert_eq!(resp.status(), 422);
        texts.push(resp.text().await.unwrap());
    }
    // The query-string form takes no credentials at all (URLs end up in logs).
    let resp = app
        .get(&format!("/v1/probes?host=127.0.0.1&credentials={PASSWORD}"))
        .await;
    assert_eq!(resp.status(), 422);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["field"], "credentials");
    texts.push(problem.to_string());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let log = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    // The capture works: the dialogue itself is in the log.
    assert!(
        log.contains("AUTHENTICATE PLAIN"),
        "log capture is empty or incomplete"
    );
    assert!(log.contains("login test finished"));
    texts.push(log);
    let plain = B64.encode(format!("\0{USER}\0{PASSWORD}"));
    let xoauth = B64.encode(format!("user={USER}\x01auth=Bearer {TOKEN}\x01\x01"));
    let forms = [
        PASSWORD.to_string(),
        "Corr3ct-Horse".to_string(),
        TOKEN.to_string(),
        plain,
        xoauth,
        B64.encode(PASSWORD),
    ];
    for text in &texts {
        for secret in &forms {
            assert!(
                !text.contains(secret.as_str()),
                "secret form {secret:?} leaked into: {text}"
            );
        }
    }
}

#[tokio::test]
async fn plaintext_on_993_is_a_protocol_fact_not_a_cipher_problem() {
    let f = mail_servers::start(Script::Imap(mail_servers::dovecot()), Start::Plain).await;
    let obs = observe(
        &f,
        Protocol::Imap,
        Transport::Implicit,
        None,
        Duration::from_secs(3),
    )
    .await;
    let e = &obs.errors[0];
    assert_eq!(
        (e.step.as_str(), e.kind),
        ("tls_handshake", mailprobe::report::ErrorKind::Protocol)
    );
    assert!(
        e.message
            .contains("sent plaintext instead of TLS: \"* OK [CAPABILITY"),
        "{}",
        e.message
    );
}

/// Given a hostile server, each breach of a bound is an error value of its step.
#[tokio::test]
async fn hostile_servers_are_bounded() {
    let long: &'static [u8] = Box::leak(
        format!("* OK {}\r\n", "x".repeat(20_000))
            .into_bytes()
            .into_boxed_slice(),
    );
    let cases: Vec<(&str, &'static [u8], &str)> = vec![
        ("endless greeting", long, "greeting"),
        (
            "huge literal",
            b"* OK hi\r\n* 1 FETCH (BODY[] {4000000000}\r\n",
            "capability",
        ),
        (
            "no tagged completion",
            b"* OK hi\r\n* CAPABILITY IMAP4rev1\r\n",
            "capability",
        ),
    ];
    for (name, bytes, step) in cases {
        let f = mail_servers::start(Script::Raw(bytes, After::Hold), Start::Plain).await;
        let obs = observe(
            &f,
            Protocol::Imap,
            Transport::Starttls,
            None,
            Duration::from_millis(1500),
        )
        .await;
        let e = obs
            .errors
            .first()
            .unwrap_or_else(|| panic!("{name}: no error"));
        assert_eq!(e.step, step, "{name}: {e:?}");
        assert_eq!(obs.service, None, "{name}: an IMAP server did answer");
    }
}

/// CVE-2011-0411 class: bytes after the STARTTLS OK would be read as if
/// they came through TLS. The probe refuses to go on, and says why.
#[tokio::test]
async fn plaintext_injected_after_starttls_ok_is_refused() {
    let script = ImapScript {
        starttls_ok: Some(
            "Begin TLS negotiation now.\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected",
        ),
        ..mail_servers::exchange_2010()
    };
    let (obs, _) = imap(
        script,
        Start::Plain,
        Transport::Starttls,
        password(USER, PASSWORD),
    )
    .await;
    let e = &obs.errors[0];
    assert_eq!(e.step, "starttls");
    assert!(
        e.message.contains("after accepting the upgrade"),
        "{}",
        e.message
    );
    assert!(obs.tls.handshake.is_none());
    assert!(obs.mail.capabilities_after_tls.is_empty());
    assert!(
        obs.mail.login.is_none(),
        "no login over a tainted connection"
    );
}
