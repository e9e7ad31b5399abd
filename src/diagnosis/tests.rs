//! Rules on hand-built Observations: no network. Each scenario states the
//! server (Given), runs the diagnosis (When) and checks verdict, clients and
//! findings (Then).

use super::*;
use crate::observations::{ClientTrial, ServiceSeen, TrialOutcome, steps};
use crate::report::{
    Certificate, CertificateInfo, ClientBasis, Handshake, LoginResult, StartTls, Target,
    VersionSupport,
};
use crate::vocab::{ErrorKind, Protocol, TlsVersion, Transport};
use TlsVersion::{Ssl2, Ssl3, Tls10, Tls11, Tls12, Tls13};

/// The Exchange 2010 IMAP suites, in its order [2010IMAP][W7].
const EXCHANGE_2010_SUITES: &[u16] = &[0x0035, 0x002F, 0x000A, 0x0005, 0x0004, 0xC014, 0xC013];
const EXCHANGE_GREETING: &str = "* OK The Microsoft Exchange IMAP4 service is ready.";

fn base(port: u16, transport: Transport) -> Evidence {
    let mut o: Evidence = Observations::new(
        Target {
            host: "mail.example.com".into(),
            port,
            protocol: Protocol::Imap,
            transport,
            addresses: vec!["192.0.2.10".into()],
            sni: Some("mail.example.com".into()),
        },
        time::OffsetDateTime::UNIX_EPOCH,
    )
    .into();
    o.connect.ok = true;
    o
}

/// Sets a complete scan: every version from SSLv2 to TLS 1.3, accepted with the given suites.
fn scan(o: &mut Evidence, accepted: &[(TlsVersion, &[u16])], server_preference: bool) {
    o.tls.versions = TlsVersion::ALL
        .iter()
        .map(|v| {
            let suites = accepted.iter().find(|(a, _)| a == v).map(|(_, s)| *s);
            VersionSupport {
                version: *v,
                offered: Some(suites.is_some()),
                suites: suites
                    .unwrap_or(&[])
                    .iter()
                    .map(|c| crate::tls::suite_info(*c))
                    .collect(),
                server_preference: Some(server_preference),
            }
        })
        .collect();
    o.tls.server_preference = Some(server_preference);
    o.tls.groups = vec!["x25519".into(), "secp256r1".into(), "secp384r1".into()];
}

fn cert_info(subject: &str, key_type: &str, bits: u32, sig: &str) -> CertificateInfo {
    CertificateInfo {
        subject: subject.into(),
        sans: vec!["mail.example.com".into()],
        issuer: "CN=Example CA".into(),
        serial: "01".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: "2027-01-01T00:00:00Z".into(),
        days_left: 400,
        key_type: key_type.into(),
        key_bits: Some(bits),
        curve: None,
        signature_algorithm: sig.into(),
        self_signed: false,
        is_ca: false,
        server_auth_eku: Some(true),
        sha256: "00".into(),
    }
}

fn good_cert(o: &mut Evidence) {
    o.certificate = Some(Certificate {
        chain: vec![cert_info(
            "CN=mail.example.com",
            "RSA",
            2048,
            "sha256WithRSAEncryption",
        )],
        trusted: Some(true),
        trust_store: Some("mozilla".into()),
        trust_error: None,
        name_match: Some(true),
        expired: Some(false),
        days_left: Some(400),
        self_signed: Some(false),
        issues: vec![],
        ..Default::default()
    });
}

/// The seed case: Exchange 2010 IMAP on 993, TLS 1.0 only.
fn seed(port: u16, transport: Transport) -> Evidence {
    let mut o = base(port, transport);
    scan(&mut o, &[(Tls10, EXCHANGE_2010_SUITES)], true);
    // SChannel on 2008 R2 answers a TLS 1.1/1.2/1.3 hello with a TLS 1.0 ServerHello.
    for v in [Tls11, Tls12, Tls13] {
        o.version_answers.push(crate::observations::VersionAnswer {
            version: v,
            answer: crate::observations::HelloAnswer::OtherVersion { version: 0x0301 },
        });
    }
    o.mail.greeting = Some(EXCHANGE_GREETING.into());
    good_cert(&mut o);
    o.error(
        steps::TLS_HANDSHAKE,
        ErrorKind::Tls,
        "received fatal alert: ProtocolVersion",
    );
    o
}

/// A modern server: TLS 1.2 + 1.3, ECDHE-RSA AES-GCM, server order.
fn modern() -> Evidence {
    let mut o = base(993, Transport::Implicit);
    scan(
        &mut o,
        &[
            (Tls12, &[0xC030, 0xC02F, 0xCCA8]),
            (Tls13, &[0x1302, 0x1301, 0x1303]),
        ],
        true,
    );
    o.mail.greeting = Some("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.".into());
    good_cert(&mut o);
    o
}

fn client<'a>(d: &'a Diagnosis, id: &str) -> &'a ClientResult {
    d.clients
        .iter()
        .find(|c| c.profile == id)
        .unwrap_or_else(|| panic!("client {id} in report"))
}

fn finding<'a>(d: &'a Diagnosis, id: &str) -> &'a Finding {
    d.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("finding {id} in {:?}", ids(d)))
}

fn ids(d: &Diagnosis) -> Vec<&str> {
    d.findings.iter().map(|f| f.id.as_str()).collect()
}

fn has(d: &Diagnosis, id: &str) -> bool {
    d.findings.iter().any(|f| f.id == id)
}

fn run(o: &Evidence) -> Diagnosis {
    let d = diagnose(o, None);
    every_finding_is_catalogued(&d);
    d
}

fn run_with(o: &Evidence, profiles: &[&str]) -> Diagnosis {
    let p: Vec<String> = profiles.iter().map(|s| s.to_string()).collect();
    let d = diagnose(o, Some(&p));
    every_finding_is_catalogued(&d);
    d
}

fn every_finding_is_catalogued(d: &Diagnosis) {
    for f in &d.findings {
        let spec = catalogue::spec(&f.id).unwrap_or_else(|| panic!("{} not in catalogue", f.id));
        assert_eq!(f.title, spec.title);
        assert!(!f.detail.is_empty(), "{} has evidence", f.id);
        assert!(!f.remedy.is_empty(), "{} has a remedy", f.id);
    }
    assert!(!d.summary.is_empty());
    assert!(d.summary.ends_with('.'), "{}", d.summary);
}

// ---- the seed case -------------------------------------------------------

#[test]
fn given_exchange_2010_on_993_when_diagnosed_then_exchange_online_fails_with_its_own_words() {
    let d = run(&seed(993, Transport::Implicit));
    assert_eq!(d.verdict, Verdict::Fail);

    let exo = client(&d, "exchange-online");
    assert!(!exo.connects);
    assert!(exo.decides_verdict);
    assert_eq!(exo.basis, ClientBasis::Computed);
    let seen = exo.error_as_seen.as_deref().unwrap();
    assert!(seen.contains("TLS negotiation failed"), "{seen}");
    assert!(seen.contains("do not possess a common algorithm"), "{seen}");
    assert!(seen.contains("mail.example.com"), "{seen}");
    let reason = exo.reason.as_deref().unwrap();
    assert!(
        reason.contains("TLSv1.0") && reason.contains("TLSv1.2"),
        "{reason}"
    );

    let f = finding(&d, "TLS_MAX_VERSION_TOO_LOW");
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.detail.contains("TLSv1.0"), "{}", f.detail);
    assert!(f.detail.contains("RC4-SHA (0x0005)"), "{}", f.detail);
    assert!(f.detail.contains("Exchange 2010"), "{}", f.detail);
    for word in ["cutover", "hybrid", "PST import", "Outlook Anywhere", "MRS"] {
        assert!(f.remedy.contains(word), "remedy names {word}: {}", f.remedy);
    }
    assert!(
        f.references
            .iter()
            .any(|r| r.contains("mailbox-migration-fails-using-imap"))
    );

    // The one sentence names the client, both versions and the ways out.
    for word in [
        "Exchange Online",
        "TLSv1.0",
        "TLSv1.2",
        "cutover",
        "hybrid",
        "PST import",
    ] {
        assert!(
            d.summary.contains(word),
            "summary names {word}: {}",
            d.summary
        );
    }

    // The other migration clients: imapsync's floor is the distribution's OpenSSL
    // policy (unverified: Debian 12's OpenSSL 3.0 negotiates TLS 1.0 with RSA key
    // exchange), so a risk with OpenSSL's own words; Google's floor is unknown: a risk too.
    let imapsync = client(&d, "imapsync");
    assert!(!imapsync.connects);
    assert_eq!(imapsync.status, crate::report::ClientStatus::AtRisk);
    assert!(
        imapsync
            .error_as_seen
            .as_deref()
            .unwrap()
            .contains("unsupported protocol")
    );
    let google = client(&d, "google-workspace");
    assert!(google.connects);
    assert_eq!(google.basis, ClientBasis::Incomplete);
    assert!(!google.risks.is_empty());

    // RC4 and 3DES are on, and said so, each in its own finding (issue 18).
    assert!(
        finding(&d, "SWEET32_64BIT_BLOCK")
            .detail
            .contains("DES-CBC3-SHA")
    );
    assert!(finding(&d, "RC4_ENABLED").detail.contains("RC4-MD5"));
    // The failing modern handshake is explained by the scan, not a separate finding.
    assert!(!has(&d, "TLS_HANDSHAKE_FAILED"), "{:?}", ids(&d));
}

#[test]
fn given_exchange_2010_on_143_then_starttls_and_logindisabled_facts_join_the_tls_failure() {
    let mut o = seed(143, Transport::Starttls);
    o.mail.capabilities_before_tls = "IMAP4 IMAP4rev1 AUTH=NTLM AUTH=GSSAPI LOGINDISABLED STARTTLS UIDPLUS CHILDREN IDLE NAMESPACE LITERAL+"
        .split(' ')
        .map(String::from)
        .collect();
    o.mail.login_disabled = Some(true);
    o.mail.starttls = Some(StartTls {
        advertised: Some(true),
        accepted: Some(true),
        response: Some("a2 OK Begin TLS negotiation now.".into()),
    });
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    assert!(!client(&d, "exchange-online").connects);
    assert!(
        finding(&d, "TLS_MAX_VERSION_TOO_LOW")
            .remedy
            .contains("PST import")
    );
    let ld = finding(&d, "LOGIN_DISABLED_WITHOUT_TLS");
    assert_eq!(ld.severity, Severity::Info);
    assert!(
        ld.detail.contains("LOGINDISABLED STARTTLS"),
        "{}",
        ld.detail
    );
    assert!(ld.detail.contains("BAD Command received in Invalid state."));
    assert!(!has(&d, "STARTTLS_NOT_OFFERED"));
}

#[test]
fn seed_java_and_thunderbird_show_their_own_version_errors() {
    let d = run(&seed(993, Transport::Implicit));
    // The scanner's TLS 1.2/1.3 hellos got a TLS 1.0 ServerHello: Java's text for a
    // downgraded ServerHello, with JSSE's client preferences as a default JDK 17 prints them.
    let java = client(&d, "java-17");
    assert_eq!(
        java.error_as_seen.as_deref(),
        Some(
            "javax.net.ssl.SSLHandshakeException: The server selected protocol version TLS10 is not accepted by client preferences [TLS13, TLS12]"
        )
    );
    assert!(!java.decides_verdict);
    let tb = client(&d, "thunderbird");
    assert!(
        tb.error_as_seen
            .as_deref()
            .unwrap()
            .contains("unsupported version of security protocol")
    );
    // Apple Mail 16.0's captured hello offers TLS 1.0: it connects at TLS 1.0.
    let apple = client(&d, "apple-mail");
    assert_eq!(
        apple.status,
        crate::report::ClientStatus::Connects,
        "{apple:?}"
    );
    assert_eq!(apple.negotiated.as_ref().unwrap().version, Tls10);
}

// ---- a modern server -----------------------------------------------------

#[test]
fn given_a_modern_server_then_exchange_online_connects_with_tls12_and_the_servers_suite() {
    let d = run(&modern());
    assert_eq!(d.verdict, Verdict::Pass, "{:?} {}", ids(&d), d.summary);
    let exo = client(&d, "exchange-online");
    assert!(exo.connects);
    let n = exo.negotiated.as_ref().unwrap();
    assert_eq!(n.version, Tls12);
    assert_eq!(n.suite.name, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assert!(exo.risks.is_empty());
    // imapsync offers TLS 1.3; the server's order decides the suite.
    let imapsync = client(&d, "imapsync").negotiated.clone().unwrap();
    assert_eq!(imapsync.version, Tls13);
    assert_eq!(imapsync.suite.iana, "0x1302");
    for c in &d.clients {
        if c.kind != "compliance" {
            assert!(c.connects, "{} connects: {:?}", c.profile, c.reason);
        }
    }
    assert!(d.findings.is_empty(), "{:?}", ids(&d));
    assert!(
        d.summary.contains("Exchange Online") && d.summary.contains("no problem"),
        "{}",
        d.summary
    );
}

#[test]
fn without_server_preference_the_clients_order_decides() {
    let mut o = modern();
    o.tls.server_preference = Some(false);
    for v in o.tls.versions.iter_mut() {
        v.server_preference = None;
    }
    let d = run(&o);
    let n = client(&d, "exchange-online").negotiated.clone().unwrap();
    assert_eq!(n.suite.iana, "0xC030");
    let tb = client(&d, "thunderbird").negotiated.clone().unwrap();
    assert_eq!((tb.version, tb.suite.iana.as_str()), (Tls13, "0x1301"));
}

#[test]
fn a_tls13_only_server_leaves_exchange_online_at_risk_not_failed() {
    let mut o = modern();
    scan(&mut o, &[(Tls13, &[0x1301, 0x1302])], true);
    let d = run(&o);
    let exo = client(&d, "exchange-online");
    assert!(exo.connects);
    assert_eq!(exo.basis, ClientBasis::Incomplete);
    assert!(exo.risks[0].contains("TLS 1.3"), "{:?}", exo.risks);
    assert_eq!(d.verdict, Verdict::Warn, "{}", d.summary);
}

// ---- cipher-suite edge cases ---------------------------------------------

#[test]
fn dhe_only_tls12_fails_exchange_online_but_not_openssl_or_java() {
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0x009F, 0x009E])], true);
    o.tls.dh_bits = Some(2048);
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    let exo = client(&d, "exchange-online");
    assert!(!exo.connects);
    assert!(
        exo.error_as_seen
            .as_deref()
            .unwrap()
            .contains("do not possess a common algorithm")
    );
    let f = finding(&d, "NO_COMMON_SUITE_EXCHANGE_ONLINE");
    assert!(
        f.detail.contains("DHE-RSA-AES256-GCM-SHA384"),
        "{}",
        f.detail
    );
    for id in [
        "imapsync",
        "openssl-seclevel2",
        "java-17",
        "google-workspace",
    ] {
        let c = client(&d, id);
        assert!(c.connects, "{id}: {:?}", c.reason);
        assert_eq!(
            c.negotiated.as_ref().unwrap().suite.kx.as_deref(),
            Some("DHE")
        );
    }
    // Google's cipher list is not published: DHE is a risk for it, not a certainty.
    assert!(!client(&d, "google-workspace").risks.is_empty());
    assert!(client(&d, "imapsync").risks.is_empty());
    // NSS dropped DHE: Thunderbird shares nothing (inference from NSS defaults).
    assert!(!client(&d, "thunderbird").connects);
    assert!(
        finding(&d, "NO_COMMON_SUITE")
            .detail
            .contains("Thunderbird")
    );
    assert!(!has(&d, "WEAK_DH"));
}

#[test]
fn ecdsa_only_tls12_fails_exchange_online_but_not_others() {
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0xC02C, 0xC02B, 0xCCA9])], true);
    if let Some(c) = o.certificate.as_mut() {
        c.chain[0].key_type = "EC".into();
        c.chain[0].key_bits = Some(256);
    }
    let d = run(&o);
    assert!(!client(&d, "exchange-online").connects);
    assert!(
        finding(&d, "NO_COMMON_SUITE_EXCHANGE_ONLINE")
            .detail
            .contains("EC 256")
    );
    for id in [
        "imapsync",
        "google-workspace",
        "thunderbird",
        "java-17",
        "apple-mail",
        "outlook-windows",
    ] {
        assert!(client(&d, id).connects, "{id}");
    }
}

#[test]
fn rc4_and_3des_only_fail_strict_clients() {
    let mut o = modern();
    scan(
        &mut o,
        &[(Tls10, &[0x000A, 0x0005]), (Tls12, &[0x000A, 0x0005])],
        true,
    );
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    for id in [
        "exchange-online",
        "imapsync",
        "java-17",
        "openssl-seclevel2",
    ] {
        assert!(!client(&d, id).connects, "{id}");
    }
    // Apple Mail 16.0 and Thunderbird 91.9 still offer 3DES (testssl.sh captures).
    for id in ["apple-mail", "thunderbird"] {
        let n = client(&d, id).negotiated.clone().unwrap();
        assert_eq!(n.suite.iana, "0x000A", "{id}");
    }
    let weak = finding(&d, "SWEET32_64BIT_BLOCK");
    assert_eq!(weak.severity, Severity::High);
    assert!(weak.detail.contains("nothing stronger"));
    assert!(has(&d, "NO_FORWARD_SECRECY"));
    assert!(has(&d, "LEGACY_PROTOCOL_ENABLED"));
}

#[test]
fn dh_1024_stops_openssl_level2_and_dh_768_stops_java() {
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0x009E])], true);
    o.tls.dh_bits = Some(1024);
    let d = run_with(&o, &["imapsync", "java-17"]);
    let imapsync = client(&d, "imapsync");
    assert!(!imapsync.connects);
    assert!(
        imapsync
            .error_as_seen
            .as_deref()
            .unwrap()
            .contains("dh key too small")
    );
    assert!(client(&d, "java-17").connects);
    let f = finding(&d, "WEAK_DH");
    assert_eq!(f.severity, Severity::Medium);
    assert!(f.detail.contains("1024 bits") && f.detail.contains("imapsync"));
    assert_eq!(d.verdict, Verdict::Fail);

    o.tls.dh_bits = Some(768);
    let d = run_with(&o, &["java-17"]);
    assert!(!client(&d, "java-17").connects);
    assert_eq!(finding(&d, "WEAK_DH").severity, Severity::High);
}

#[test]
fn rsa_1024_stops_openssl_level2_and_makes_apple_mail_prompt() {
    let mut o = modern();
    o.certificate.as_mut().unwrap().chain[0].key_bits = Some(1024);
    let d = run(&o);
    let f = finding(&d, "RSA_KEY_TOO_SMALL");
    assert_eq!(f.severity, Severity::Medium);
    assert!(f.detail.contains("1024-bit"));
    // Apple no longer trusts such a key, and Mail asks its user: a risk, not a refusal.
    let apple = client(&d, "apple-mail");
    assert!(apple.connects && apple.status == crate::report::ClientStatus::AtRisk);
    assert!(
        apple.risks.iter().any(|r| r.contains("asks the user")),
        "{apple:?}"
    );
    assert!(!client(&d, "openssl-seclevel2").connects);
    assert!(client(&d, "exchange-online").connects);
    assert!(client(&d, "imapsync").connects, "imapsync does not verify");
    // Google recommends 2048 without requiring it: a risk.
    assert!(!client(&d, "google-workspace").risks.is_empty());
    assert_eq!(d.verdict, Verdict::Warn);
}

// ---- certificates ----------------------------------------------------------

#[test]
fn sha1_chain_fails_exchange_online() {
    let mut o = modern();
    let c = o.certificate.as_mut().unwrap();
    c.chain[0].signature_algorithm = "sha1WithRSAEncryption".into();
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    let exo = client(&d, "exchange-online");
    assert!(!exo.connects);
    assert!(exo.reason.as_deref().unwrap().contains("SHA-1"));
    assert!(
        finding(&d, "CERT_SHA1")
            .detail
            .contains("sha1WithRSAEncryption")
    );
    assert!(client(&d, "imapsync").connects);
}

#[test]
fn a_self_signed_root_sent_in_the_chain_is_not_a_sha1_finding() {
    let mut o = modern();
    let mut root = cert_info("CN=Old Root", "RSA", 2048, "sha1WithRSAEncryption");
    root.self_signed = true;
    root.is_ca = true;
    o.certificate.as_mut().unwrap().chain.push(root);
    let d = run(&o);
    assert!(!has(&d, "CERT_SHA1"));
}

#[test]
fn self_signed_fails_google_and_is_a_risk_for_exchange_online() {
    let mut o = modern();
    let c = o.certificate.as_mut().unwrap();
    c.trusted = Some(false);
    c.self_signed = Some(true);
    c.trust_error = Some("self-signed certificate".into());
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    let google = client(&d, "google-workspace");
    assert!(!google.connects);
    assert!(google.reason.as_deref().unwrap().contains("self-signed"));
    let exo = client(&d, "exchange-online");
    assert!(exo.connects);
    assert!(exo.risks.iter().any(|r| r.contains("not documented")));
    assert!(client(&d, "imapsync").connects && client(&d, "imapsync").risks.is_empty());
    let f = finding(&d, "CERT_SELF_SIGNED");
    assert!(
        f.remedy.contains("AcceptUntrustedCertificates")
            || f.detail.contains("AcceptUntrustedCertificates")
    );
    assert!(f.detail.contains("Google"), "{}", f.detail);
    assert!(!has(&d, "CERT_UNTRUSTED"));
}

#[test]
fn untrusted_chain_names_the_trust_error() {
    let mut o = modern();
    let c = o.certificate.as_mut().unwrap();
    c.trusted = Some(false);
    c.trust_error = Some("unable to get local issuer certificate".into());
    let d = run(&o);
    let f = finding(&d, "CERT_UNTRUSTED");
    assert!(f.detail.contains("unable to get local issuer certificate"));
    assert!(
        f.detail.contains("intermediate certificate is missing"),
        "{}",
        f.detail
    );
    let d = run_with(&o, &["java-17"]);
    assert!(
        client(&d, "java-17")
            .error_as_seen
            .as_deref()
            .unwrap()
            .contains("PKIX path building failed")
    );
    assert_eq!(d.verdict, Verdict::Fail);
}

#[test]
fn expired_certificate_quotes_the_date() {
    let mut o = modern();
    let c = o.certificate.as_mut().unwrap();
    c.expired = Some(true);
    c.days_left = Some(-12);
    c.chain[0].not_after = "2026-11-13T00:00:00Z".into();
    let d = run(&o);
    let f = finding(&d, "CERT_EXPIRED");
    assert!(
        f.detail.contains("2026-11-13") && f.detail.contains("12 days ago"),
        "{}",
        f.detail
    );
    assert!(!client(&d, "google-workspace").connects);
    assert!(client(&d, "exchange-online").connects);
    assert_eq!(d.verdict, Verdict::Fail);
}

#[test]
fn certificate_expiring_soon_is_low() {
    let mut o = modern();
    o.certificate.as_mut().unwrap().days_left = Some(9);
    let d = run(&o);
    assert_eq!(finding(&d, "CERT_EXPIRES_SOON").severity, Severity::Low);
    assert_eq!(d.verdict, Verdict::Pass);
}

#[test]
fn wrong_name_is_a_risk_for_migration_java_and_apple_mail() {
    let mut o = modern();
    let c = o.certificate.as_mut().unwrap();
    c.name_match = Some(false);
    c.chain[0].sans = vec!["owa.example.net".into()];
    let d = run(&o);
    let f = finding(&d, "CERT_NAME_MISMATCH");
    assert!(f.detail.contains("owa.example.net") && f.detail.contains("mail.example.com"));
    assert!(client(&d, "exchange-online").connects);
    assert_eq!(d.verdict, Verdict::Warn);
    // JavaMail does not check the name by default, Angus Mail does: a risk that says so.
    let d = run_with(&o, &["java-17", "apple-mail"]);
    let java = client(&d, "java-17");
    assert_eq!(java.status, crate::report::ClientStatus::AtRisk);
    assert!(
        java.risks
            .iter()
            .any(|r| r.contains("depends on its library")),
        "{java:?}"
    );
    assert_eq!(
        client(&d, "apple-mail").status,
        crate::report::ClientStatus::AtRisk
    );
    assert_eq!(d.verdict, Verdict::Warn);
}

// ---- mail dialogue ---------------------------------------------------------

#[test]
fn starttls_missing_on_143_stops_exchange_online_and_imapsync_goes_plaintext() {
    let mut o = modern();
    o.target.port = 143;
    o.target.transport = Transport::Starttls;
    o.mail.capabilities_before_tls = vec!["IMAP4rev1".into(), "AUTH=PLAIN".into()];
    o.mail.login_disabled = Some(false);
    o.mail.starttls = Some(StartTls {
        advertised: Some(false),
        accepted: None,
        response: None,
    });
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    let f = finding(&d, "STARTTLS_NOT_OFFERED");
    assert!(f.detail.contains("143") && f.detail.contains("IMAP4rev1 AUTH=PLAIN"));
    let exo = client(&d, "exchange-online");
    assert!(!exo.connects);
    assert!(exo.reason.as_deref().unwrap().contains("STARTTLS"));
    let imapsync = client(&d, "imapsync");
    assert!(imapsync.connects);
    assert!(imapsync.negotiated.is_none());
    assert!(imapsync.risks[0].contains("plaintext"));
    assert!(d.summary.contains("STARTTLS"), "{}", d.summary);
}

#[test]
fn logindisabled_without_starttls_locks_everyone_out() {
    let mut o = modern();
    o.target.port = 143;
    o.target.transport = Transport::Starttls;
    o.mail.login_disabled = Some(true);
    o.mail.starttls = Some(StartTls {
        advertised: Some(false),
        accepted: None,
        response: None,
    });
    let d = run(&o);
    assert!(!client(&d, "imapsync").connects);
    assert_eq!(
        finding(&d, "LOGIN_DISABLED_WITHOUT_TLS").severity,
        Severity::High
    );
    assert!(
        finding(&d, "STARTTLS_NOT_OFFERED")
            .detail
            .contains("no client can log in")
    );
}

#[test]
fn plaintext_login_before_tls_is_low() {
    let mut o = modern();
    o.target.port = 143;
    o.target.transport = Transport::Starttls;
    o.mail.login_disabled = Some(false);
    o.mail.auth_mechanisms_before_tls = vec!["PLAIN".into()];
    o.mail.starttls = Some(StartTls {
        advertised: Some(true),
        accepted: Some(true),
        response: Some("a2 OK Begin TLS negotiation now.".into()),
    });
    let d = run(&o);
    let f = finding(&d, "LOGIN_ALLOWED_WITHOUT_TLS");
    assert_eq!(f.severity, Severity::Low);
    assert!(
        f.remedy.contains("disable_plaintext_auth"),
        "Dovecot remedy: {}",
        f.remedy
    );
}

#[test]
fn starttls_refused_quotes_the_answer() {
    let mut o = modern();
    o.target.port = 143;
    o.target.transport = Transport::Starttls;
    o.mail.starttls = Some(StartTls {
        advertised: Some(true),
        accepted: Some(false),
        response: Some("a2 BAD Command received in Invalid state.".into()),
    });
    let d = run(&o);
    assert!(
        finding(&d, "STARTTLS_REFUSED")
            .detail
            .contains("BAD Command received")
    );
    assert!(!client(&d, "exchange-online").connects);
}

#[test]
fn no_auth_plain_after_tls_warns() {
    let mut o = modern();
    o.mail.auth_mechanisms = vec!["NTLM".into(), "GSSAPI".into()];
    let d = run(&o);
    let f = finding(&d, "NO_PLAIN_AUTH_AFTER_TLS");
    assert!(f.detail.contains("AUTH=NTLM AUTH=GSSAPI"), "{}", f.detail);
    assert_eq!(d.verdict, Verdict::Warn);
    assert!(d.summary.contains("AUTH=PLAIN"), "{}", d.summary);
}

#[test]
fn failed_login_quotes_the_server() {
    let mut o = modern();
    o.mail.login = Some(LoginResult {
        attempted: true,
        ok: Some(false),
        mechanism: Some("PLAIN".into()),
        server_text: Some("a5 NO AUTHENTICATE failed.".into()),
        reason: None,
    });
    let d = run(&o);
    assert!(
        finding(&d, "LOGIN_FAILED")
            .detail
            .contains("NO AUTHENTICATE failed.")
    );
}

// ---- reachability ----------------------------------------------------------

#[test]
fn unresolvable_host_fails_with_exchange_onlines_words() {
    let mut o = base(993, Transport::Implicit);
    o.connect.ok = false;
    o.resolution_error = Some("mail.example.com did not resolve".into());
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    assert_eq!(ids(&d), ["HOST_NOT_RESOLVED"]);
    assert!(
        client(&d, "exchange-online")
            .error_as_seen
            .as_deref()
            .unwrap()
            .contains("could not be completed")
    );
    assert!(d.summary.contains("did not resolve"), "{}", d.summary);
}

#[test]
fn filtered_port_fails_with_the_15_second_timeout_text() {
    let mut o = base(993, Transport::Implicit);
    o.connect.ok = false;
    o.connect_error_kind = Some(ErrorKind::Timeout);
    o.connect.error = Some("no answer within 10 s".into());
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    let f = finding(&d, "PORT_CLOSED");
    assert!(f.detail.contains("filtered"));
    assert!(
        client(&d, "exchange-online")
            .error_as_seen
            .as_deref()
            .unwrap()
            .contains("timed out after 00:00:15")
    );
}

#[test]
fn wrong_service_on_port() {
    let mut o = base(993, Transport::Implicit);
    o.service = Some(ServiceSeen::PlaintextOnTlsPort {
        banner: "+OK POP3 ready".into(),
    });
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    assert!(
        finding(&d, "WRONG_SERVICE_ON_PORT")
            .detail
            .contains("+OK POP3 ready")
    );
    assert!(
        client(&d, "imapsync")
            .error_as_seen
            .as_deref()
            .unwrap()
            .contains("wrong version number")
    );
    assert!(
        d.summary.starts_with("No client can connect"),
        "{}",
        d.summary
    );
}

#[test]
fn bye_at_greeting_is_a_connection_limit() {
    let mut o = base(143, Transport::Starttls);
    o.service = Some(ServiceSeen::RefusedAtGreeting {
        banner: "* BYE Connection refused".into(),
    });
    let d = run(&o);
    assert!(
        finding(&d, "CONNECTION_LIMITED")
            .detail
            .contains("* BYE Connection refused")
    );
    assert_eq!(d.verdict, Verdict::Fail);
}

#[test]
fn no_greeting_is_reported() {
    let mut o = base(143, Transport::Starttls);
    o.error(
        steps::GREETING,
        ErrorKind::Timeout,
        "reading the greeting: timed out",
    );
    let d = run(&o);
    assert!(finding(&d, "NO_GREETING").detail.contains("timed out"));
}

#[test]
fn handshake_failure_without_a_scan_is_critical() {
    let mut o = base(993, Transport::Implicit);
    o.error(
        steps::TLS_HANDSHAKE,
        ErrorKind::Tls,
        "server sent alert ProtocolVersion",
    );
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Fail);
    assert_eq!(
        finding(&d, "TLS_HANDSHAKE_FAILED").severity,
        Severity::Critical
    );
    assert!(d.summary.contains("ProtocolVersion"), "{}", d.summary);
    assert_eq!(client(&d, "exchange-online").basis, ClientBasis::Incomplete);
}

#[test]
fn a_modern_handshake_without_a_scan_passes_without_invented_findings() {
    let mut o = base(993, Transport::Implicit);
    o.tls.handshake = Some(Handshake {
        version: Tls13,
        suite: crate::tls::suite_info(0x1302),
        group: Some("x25519".into()),
        alpn: None,
        ocsp_stapled: None,
        ms: 3,
    });
    o.mail.greeting = Some("* OK ready".into());
    let d = run(&o);
    assert_eq!(d.verdict, Verdict::Pass, "{}", d.summary);
    assert!(d.findings.is_empty());
    let exo = client(&d, "exchange-online");
    assert!(exo.connects);
    assert_eq!(exo.basis, ClientBasis::Incomplete);
}

// ---- protocols and compliance ---------------------------------------------

#[test]
fn legacy_versions_next_to_tls12_warn_and_fail_rfc9325() {
    let mut o = modern();
    scan(
        &mut o,
        &[
            (Ssl3, &[0x000A]),
            (Tls10, &[0xC014, 0x002F]),
            (Tls11, &[0xC014, 0x002F]),
            (Tls12, &[0xC030, 0xC02F]),
        ],
        true,
    );
    let d = run(&o);
    let f = finding(&d, "LEGACY_PROTOCOL_ENABLED");
    assert_eq!(f.severity, Severity::High, "SSLv3 is on");
    assert!(f.detail.contains("SSLv3, TLSv1.0, TLSv1.1"), "{}", f.detail);
    assert!(
        f.remedy.contains("ssl_min_protocol"),
        "Dovecot: {}",
        f.remedy
    );
    assert_eq!(d.verdict, Verdict::Warn);
    let d = run_with(&o, &["rfc9325"]);
    assert_eq!(d.verdict, Verdict::Fail);
    let r = client(&d, "rfc9325");
    assert_eq!(r.compliant, Some(false));
    assert!(r.reason.as_deref().unwrap().contains("TLSv1.0"));
    assert!(finding(&d, "NOT_COMPLIANT").detail.contains("RFC 9325"));
}

#[test]
fn compliance_profiles_judge_the_modern_server() {
    let o = modern();
    let d = run_with(&o, &["mozilla-intermediate", "rfc9325", "mozilla-modern"]);
    assert_eq!(client(&d, "mozilla-intermediate").compliant, Some(true));
    assert_eq!(client(&d, "rfc9325").compliant, Some(true));
    let modern = client(&d, "mozilla-modern");
    assert_eq!(modern.compliant, Some(false));
    assert!(modern.reason.as_deref().unwrap().contains("TLSv1.2"));
    assert!(modern.reason.as_deref().unwrap().contains("ECDSA"));
    assert_eq!(d.verdict, Verdict::Fail);
}

#[test]
fn smtp_targets_are_judged_by_mail_clients_not_migration_services() {
    let mut o = modern();
    o.target.protocol = Protocol::Smtp;
    o.target.port = 465;
    let d = run(&o);
    assert!(d.clients.iter().all(|c| c.profile != "exchange-online"));
    assert!(client(&d, "thunderbird").decides_verdict);
    assert_eq!(d.verdict, Verdict::Pass);
}

// ---- the wire trials ---------------------------------------------------------

#[test]
fn an_observed_trial_wins_and_a_disagreement_is_reported() {
    let mut o = modern();
    o.client_trials.push(ClientTrial {
        profile: "exchange-online".into(),
        outcome: TrialOutcome::Negotiated {
            version: Tls12,
            suite: 0xC02F,
        },
    });
    let d = run(&o);
    let exo = client(&d, "exchange-online");
    assert_eq!(exo.basis, ClientBasis::Observed);
    assert_eq!(exo.negotiated.as_ref().unwrap().suite.iana, "0xC02F");
    let f = finding(&d, "CLIENT_TRIAL_DISAGREES");
    assert!(
        f.detail.contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        "{}",
        f.detail
    );
    assert!(
        f.detail.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{}",
        f.detail
    );
}

#[test]
fn a_refused_trial_means_the_client_cannot_connect() {
    let mut o = modern();
    o.client_trials.push(ClientTrial {
        profile: "exchange-online".into(),
        outcome: TrialOutcome::Refused {
            alert: Some("handshake_failure".into()),
        },
    });
    let d = run(&o);
    let exo = client(&d, "exchange-online");
    assert!(!exo.connects);
    assert!(
        exo.error_as_seen
            .as_deref()
            .unwrap()
            .contains("TLS negotiation failed")
    );
    assert!(has(&d, "CLIENT_TRIAL_DISAGREES"));
    // The refused hello carried Exchange Online's groups and signature algorithms,
    // which Microsoft does not publish: the refusal is a risk, not a certainty.
    assert_eq!(exo.status, crate::report::ClientStatus::AtRisk);
    assert!(
        exo.risks.iter().any(|r| r.contains("no source confirms")),
        "{exo:?}"
    );
    assert_eq!(d.verdict, Verdict::Warn);
}

#[test]
fn an_agreeing_trial_is_not_a_finding() {
    let mut o = seed(993, Transport::Implicit);
    o.client_trials.push(ClientTrial {
        profile: "exchange-online".into(),
        outcome: TrialOutcome::Refused {
            alert: Some("protocol_version".into()),
        },
    });
    let d = run(&o);
    assert_eq!(client(&d, "exchange-online").basis, ClientBasis::Observed);
    assert!(!has(&d, "CLIENT_TRIAL_DISAGREES"));
}

// ---- remedies follow the software --------------------------------------------

#[test]
fn remedies_follow_the_guessed_software() {
    let cases = [
        ("* OK Dovecot ready.", "ssl_min_protocol"),
        ("220 mail.example.com ESMTP Postfix", "smtpd_tls_protocols"),
        (
            "* OK [CAPABILITY IMAP4rev1] Courier-IMAP ready.",
            "TLS_PROTOCOL",
        ),
        (
            "* OK mail.example.com Cyrus IMAP v2.4.17 server ready",
            "tls_versions",
        ),
        ("* OK IMAP ready", "Enable TLS 1.2"),
    ];
    for (greeting, word) in cases {
        let mut o = seed(993, Transport::Implicit);
        o.mail.greeting = Some(greeting.into());
        let d = run(&o);
        let f = finding(&d, "TLS_MAX_VERSION_TOO_LOW");
        assert!(f.remedy.contains(word), "{greeting}: {}", f.remedy);
    }
}

#[test]
fn exchange_2013_gets_the_schannel_steps_not_the_2010_ways_out() {
    let mut o = seed(993, Transport::Implicit);
    scan(
        &mut o,
        &[(Tls10, EXCHANGE_2010_SUITES), (Tls11, EXCHANGE_2010_SUITES)],
        true,
    );
    // What the dialogue records for an Exchange 2016 that answers ID: the
    // guess (Microsoft Exchange, version 15.1) is the diagnosis' own.
    o.mail.greeting = Some(EXCHANGE_GREETING.into());
    o.mail.greeting_lines = vec![EXCHANGE_GREETING.into()];
    o.mail.id_pairs = vec![
        ("name".into(), "Microsoft.Exchange.Imap4.Imap4Server".into()),
        ("version".into(), "15.1".into()),
    ];
    let d = run(&o);
    let f = finding(&d, "TLS_MAX_VERSION_TOO_LOW");
    assert!(f.remedy.contains("DisabledByDefault=0"), "{}", f.remedy);
    assert!(!f.remedy.contains("PST"), "{}", f.remedy);
}

#[test]
fn exchange_2010_is_told_apart_by_capabilities_without_move_and_id() {
    let mut o = base(143, Transport::Starttls);
    o.mail.greeting = Some(EXCHANGE_GREETING.into());
    o.mail.capabilities_before_tls = vec!["IMAP4".into(), "IMAP4rev1".into(), "STARTTLS".into()];
    assert_eq!(server::software(&o), server::Software::Exchange2010);
    o.mail.capabilities_before_tls.push("MOVE".into());
    o.mail.capabilities_before_tls.push("ID".into());
    assert_eq!(server::software(&o), server::Software::Exchange);
}

// ---- the data ----------------------------------------------------------------

#[test]
fn profiles_are_sendable_offers() {
    let required = [
        "exchange-online",
        "google-workspace",
        "imapsync",
        "openssl-seclevel2",
        "thunderbird",
        "outlook-windows",
        "apple-mail",
        "java-17",
        "mozilla-intermediate",
        "mozilla-modern",
        "rfc9325",
    ];
    for id in required {
        assert!(profile_ids().contains(&id), "{id}");
    }
    let mut seen = std::collections::HashSet::new();
    for p in profiles::all() {
        assert!(seen.insert(p.id), "duplicate {}", p.id);
        assert!(
            !p.offer.versions.is_empty() && !p.offer.suites.is_empty(),
            "{}",
            p.id
        );
        for s in p.offer.suites {
            let known = crate::tls::suites::lookup(*s)
                .unwrap_or_else(|| panic!("{}: 0x{s:04X} unknown", p.id));
            assert!(
                known.signalling || p.offer.versions.iter().any(|v| known.usable_at(*v)),
                "{}: {} never usable",
                p.id,
                known.iana_name
            );
        }
        for g in p.offer.groups {
            assert!(
                crate::tls::hello::group_name(*g).is_some(),
                "{}: group {g}",
                p.id
            );
        }
        let hello = p.offer.hello_spec(Some("mail.example.com".into()));
        let bytes = hello.encode().unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert_eq!(bytes[0], 22, "{}: a handshake record", p.id);
        assert_eq!(hello.suites, p.offer.suites);
        assert_eq!(hello.supported_groups, p.offer.groups);
        assert_eq!(hello.renegotiation_info, !p.offer.suites.contains(&0x00FF));
        if p.offer.versions.contains(&Tls13) {
            assert_eq!(hello.supported_versions.first(), Some(&0x0304));
            assert!(!hello.key_shares.is_empty(), "{}", p.id);
        }
    }
    let migration: Vec<&str> = profiles::all()
        .iter()
        .filter(|p| p.is_default_for(Protocol::Imap))
        .map(|p| p.id)
        .collect();
    assert_eq!(
        migration,
        ["exchange-online", "google-workspace", "imapsync"]
    );
    assert_eq!(
        profiles::by_id("exchange-online").unwrap().offer.suites,
        &[
            0xC030, 0xC02F, 0xC028, 0xC027, 0xC014, 0xC013, 0x009D, 0x009C
        ]
    );
}

#[test]
fn catalogue_ids_are_unique_and_complete() {
    let mut seen = std::collections::HashSet::new();
    for f in catalogue::all() {
        assert!(seen.insert(f.id), "duplicate {}", f.id);
        assert!(
            f.remedies.last().is_some_and(|r| r.software.is_none()),
            "{} has a generic remedy",
            f.id
        );
    }
    for id in [
        "TLS_MAX_VERSION_TOO_LOW",
        "NO_COMMON_SUITE_EXCHANGE_ONLINE",
        "CERT_UNTRUSTED",
        "CERT_EXPIRED",
        "CERT_NAME_MISMATCH",
        "CERT_SHA1",
        "WEAK_DH",
        "RSA_KEY_TOO_SMALL",
        "STARTTLS_NOT_OFFERED",
        "LOGIN_DISABLED_WITHOUT_TLS",
        "NO_PLAIN_AUTH_AFTER_TLS",
        "WRONG_SERVICE_ON_PORT",
        "PORT_CLOSED",
        "HOST_NOT_RESOLVED",
        "CONNECTION_LIMITED",
        "LEGACY_PROTOCOL_ENABLED",
        "RC4_ENABLED",
        "SWEET32_64BIT_BLOCK",
        "HEARTBLEED",
        "STARTTLS_INJECTION",
        "TLS_HANDSHAKE_FAILED",
        "NO_GREETING",
    ] {
        assert!(catalogue::spec(id).is_some(), "{id}");
    }
    assert_eq!(catalogue::docs().len(), catalogue::all().count());
    assert_eq!(profile_docs().len(), profiles::all().len());
}

#[test]
fn report_carries_clients_and_the_requested_selection() {
    let o = seed(993, Transport::Implicit);
    let r = report(o, Some(&["java-17".to_string()]));
    assert_eq!(r.verdict, Verdict::Fail);
    let deciding: Vec<&str> = r
        .clients
        .iter()
        .filter(|c| c.decides_verdict)
        .map(|c| c.profile.as_str())
        .collect();
    assert_eq!(deciding, ["java-17"]);
    assert!(r.summary.starts_with("Java 17"), "{}", r.summary);
    let _ = Ssl2;
}

#[test]
fn java_on_rsa_key_transport_only_is_a_risk_because_17u_disables_it() {
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0x009C, 0x009D])], true);
    let d = run_with(&o, &["java-17"]);
    let java = client(&d, "java-17");
    assert!(java.connects);
    assert_eq!(java.negotiated.as_ref().unwrap().suite.iana, "0x009C");
    assert!(java.risks[0].contains("17u"), "{:?}", java.risks);
    assert_eq!(d.verdict, Verdict::Warn);
    // Exchange Online takes RSA AES-GCM (#7, #8 of the Office 365 table).
    assert!(client(&d, "exchange-online").connects);
}

#[test]
fn validity_is_judged_against_started_at_when_the_certificate_layer_did_not() {
    let mut o = modern();
    o.started_at = time::macros::datetime!(2027-02-01 00:00 UTC);
    let c = o.certificate.as_mut().unwrap();
    c.expired = None;
    c.days_left = None;
    let d = run(&o);
    assert!(
        finding(&d, "CERT_EXPIRED")
            .detail
            .contains("expired on 2027-01-01")
    );
    o.started_at = time::macros::datetime!(2025-06-01 00:00 UTC);
    let d = run(&o);
    assert!(
        finding(&d, "CERT_EXPIRED")
            .detail
            .contains("not valid before 2026-01-01")
    );
    o.started_at = time::macros::datetime!(2026-06-01 00:00 UTC);
    assert!(!has(&run(&o), "CERT_EXPIRED"));
}

#[test]
fn an_unmeasured_tls13_leaves_the_maximum_open() {
    let mut o = seed(993, Transport::Implicit);
    if let Some(v) = o.tls.versions.iter_mut().find(|v| v.version == Tls13) {
        v.offered = None;
    }
    let d = run(&o);
    assert!(!has(&d, "TLS_MAX_VERSION_TOO_LOW"), "{:?}", ids(&d));
    // imapsync offers TLS 1.3, which was not measured: not determined. Exchange
    // Online's documented offer (TLS 1.2 only) is refused for certain.
    assert_eq!(client(&d, "imapsync").basis, ClientBasis::Incomplete);
    assert_eq!(client(&d, "exchange-online").basis, ClientBasis::Computed);
    // SSLv2/SSLv3 left unmeasured do not hide the finding.
    let mut o = seed(993, Transport::Implicit);
    for v in o.tls.versions.iter_mut().filter(|v| v.version <= Ssl3) {
        v.offered = None;
    }
    assert!(has(&run(&o), "TLS_MAX_VERSION_TOO_LOW"));
    let _ = Ssl2;
}

#[test]
fn a_requested_guideline_reads_as_compliance_in_the_summary() {
    let d = run_with(&modern(), &["mozilla-modern"]);
    assert_eq!(d.verdict, Verdict::Fail);
    assert!(
        d.summary.contains("does not meet Mozilla modern"),
        "{}",
        d.summary
    );
    assert!(d.summary.contains("TLSv1.2"), "{}", d.summary);
}

#[test]
fn on_993_without_a_greeting_the_remedy_still_names_the_exchange_2010_ways_out() {
    // Given the seed over implicit TLS: the modern handshake fails, so no
    // greeting is read and the software is not known.
    let mut o = seed(993, Transport::Implicit);
    o.mail.greeting = None;
    let d = run(&o);
    let f = finding(&d, "TLS_MAX_VERSION_TOO_LOW");
    for word in [
        "Enable TLS 1.2",
        "Exchange 2010",
        "cutover",
        "hybrid",
        "PST import",
    ] {
        assert!(f.remedy.contains(word), "{word}: {}", f.remedy);
    }
    assert!(
        d.summary.contains("enable TLS 1.2") && d.summary.contains("PST import"),
        "{}",
        d.summary
    );
}

#[test]
fn no_common_group_is_its_own_failure() {
    // Given ECDHE-RSA suites, but only on curves the clients do not offer or accept.
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0xC030, 0xC02F])], true);
    o.tls.groups = vec!["secp192r1".into()];
    let d = run(&o);
    let exo = client(&d, "exchange-online");
    assert!(!exo.connects);
    assert!(
        exo.reason.as_deref().unwrap().contains("secp192r1"),
        "{:?}",
        exo.reason
    );
    assert!(has(&d, "NO_COMMON_SUITE_EXCHANGE_ONLINE"));
    assert!(
        !client(&d, "imapsync").connects,
        "OpenSSL level 2 refuses ECC under 224 bits"
    );
}

#[test]
fn per_version_server_preference_wins_over_the_overall_flag() {
    let mut o = modern();
    o.tls.server_preference = None;
    for v in o.tls.versions.iter_mut() {
        v.server_preference = Some(v.version == Tls12);
    }
    let d = run(&o);
    // At TLS 1.2 the server's order (0xC030 first) decides.
    assert_eq!(
        client(&d, "thunderbird")
            .negotiated
            .as_ref()
            .unwrap()
            .suite
            .iana,
        "0x1301"
    );
    assert_eq!(
        client(&d, "exchange-online")
            .negotiated
            .as_ref()
            .unwrap()
            .suite
            .iana,
        "0xC030"
    );
}

// ---- every profile on every server shape --------------------------------------

fn dhe_only() -> Evidence {
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0x009F, 0x009E])], true);
    o.tls.dh_bits = Some(2048);
    o
}

fn ecdsa_only() -> Evidence {
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0xC02C, 0xC02B, 0xCCA9])], true);
    let c = o.certificate.as_mut().unwrap();
    c.chain[0].key_type = "EC".into();
    c.chain[0].key_bits = Some(256);
    o
}

fn rc4_3des_only() -> Evidence {
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0x000A, 0x0005])], true);
    o
}

/// `Y` connects, `R` at risk, `N` cannot connect (the client's `status`).
#[test]
fn every_profile_on_every_server_shape() {
    let profiles = [
        "exchange-online",
        "google-workspace",
        "imapsync",
        "openssl-seclevel2",
        "thunderbird",
        "outlook-windows",
        "apple-mail",
        "java-17",
        "mozilla-intermediate",
        "mozilla-modern",
        "rfc9325",
    ];
    let table: [(&str, Evidence, [&str; 11]); 5] = [
        //                    exo  gws  isync ossl  tb   outl apple java  mozI mozM rfc
        (
            "seed",
            seed(993, Transport::Implicit),
            ["N", "R", "R", "N", "N", "R", "Y", "N", "N", "N", "N"],
        ),
        (
            "modern",
            modern(),
            ["Y", "Y", "Y", "Y", "Y", "Y", "Y", "Y", "Y", "Y", "Y"],
        ),
        (
            "dhe-only",
            dhe_only(),
            ["N", "R", "Y", "Y", "N", "Y", "N", "Y", "N", "N", "Y"],
        ),
        (
            "ecdsa-only",
            ecdsa_only(),
            ["N", "Y", "Y", "Y", "Y", "Y", "Y", "Y", "Y", "N", "Y"],
        ),
        (
            "rc4-3des-only",
            rc4_3des_only(),
            ["N", "R", "N", "N", "Y", "N", "Y", "N", "N", "N", "N"],
        ),
    ];
    let mut wrong = Vec::new();
    for (shape, o, expected) in table {
        let d = run_with(&o, &profiles);
        let got: Vec<&str> = profiles
            .iter()
            .map(|id| match client(&d, id).status {
                crate::report::ClientStatus::Connects => "Y",
                crate::report::ClientStatus::AtRisk => "R",
                crate::report::ClientStatus::Cannot => "N",
            })
            .collect();
        if got != expected {
            wrong.push(format!("{shape}: got {got:?}, want {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_catalogue_entry_is_reachable_from_some_scenario() {
    let mut emitted = std::collections::HashSet::new();
    let mut record = |d: Diagnosis| {
        for f in d.findings {
            emitted.insert(f.id);
        }
    };
    record(run(&seed(993, Transport::Implicit)));
    record(run(&dhe_only()));
    record(run(&rc4_3des_only()));
    {
        // A leaf sent without its intermediate.
        let mut o = modern();
        let c = o.certificate.as_mut().unwrap();
        c.trusted = Some(false);
        c.trust_reason = Some("incomplete_chain".into());
        record(run(&o));
    }
    record(run_with(&modern(), &["mozilla-modern"]));
    let mut o = base(993, Transport::Implicit);
    o.resolution_error = Some("no such host".into());
    record(run(&o));
    let mut o = base(993, Transport::Implicit);
    o.connect.ok = false;
    record(run(&o));
    for seen in [
        ServiceSeen::Pop3 {
            banner: "+OK".into(),
        },
        ServiceSeen::RefusedAtGreeting {
            banner: "* BYE".into(),
        },
        ServiceSeen::Silent { waited_ms: 10_000 },
    ] {
        let mut o = base(143, Transport::Starttls);
        o.service = Some(seen);
        record(run(&o));
    }
    let mut o = base(993, Transport::Implicit);
    o.error(steps::TLS_HANDSHAKE, ErrorKind::Tls, "alert");
    record(run(&o));
    let mut o = modern();
    o.target.transport = Transport::Starttls;
    o.mail.starttls = Some(StartTls {
        advertised: Some(false),
        accepted: None,
        response: None,
    });
    o.mail.login_disabled = Some(true);
    record(run(&o));
    let mut o = modern();
    o.target.transport = Transport::Starttls;
    o.mail.starttls = Some(StartTls {
        advertised: Some(true),
        accepted: Some(false),
        response: None,
    });
    o.mail.login_disabled = Some(false);
    o.mail.auth_mechanisms = vec!["NTLM".into()];
    o.mail.login = Some(LoginResult {
        attempted: true,
        ok: Some(false),
        mechanism: None,
        server_text: None,
        reason: None,
    });
    record(run(&o));
    let mut o = modern();
    scan(&mut o, &[(Tls11, &[0x002F]), (Tls12, &[0x009C])], true);
    o.tls.dh_bits = Some(1024);
    o.client_trials.push(ClientTrial {
        profile: "imapsync".into(),
        outcome: TrialOutcome::Refused { alert: None },
    });
    let c = o.certificate.as_mut().unwrap();
    c.chain[0].key_bits = Some(1024);
    c.chain[0].signature_algorithm = "sha1WithRSAEncryption".into();
    c.name_match = Some(false);
    c.expired = Some(true);
    c.trusted = Some(false);
    record(run(&o));
    let mut o = modern();
    let c = o.certificate.as_mut().unwrap();
    c.self_signed = Some(true);
    c.trusted = Some(false);
    c.days_left = Some(5);
    record(run(&o));

    let missing: Vec<&str> = catalogue::CATALOGUE
        .iter()
        .map(|f| f.id)
        .filter(|id| !emitted.contains(*id))
        .collect();
    assert!(missing.is_empty(), "never emitted: {missing:?}");
}

#[test]
fn an_unmeasured_client_warns_and_says_what_was_not_measured() {
    // Given TLS 1.2 measured with suites, TLS 1.3 accepted but its suites not enumerated.
    let mut o = modern();
    scan(&mut o, &[(Tls12, &[0xC030]), (Tls13, &[])], true);
    let d = run(&o);
    assert_eq!(client(&d, "exchange-online").basis, ClientBasis::Computed);
    let imapsync = client(&d, "imapsync");
    assert!(!imapsync.connects);
    assert_eq!(imapsync.basis, ClientBasis::Incomplete);
    assert_eq!(d.verdict, Verdict::Warn);
    assert!(
        d.summary
            .contains("whether Google Workspace connects was not determined: the server accepts TLSv1.3 but its suites were not enumerated"),
        "{}",
        d.summary
    );
}

#[test]
fn later_connections_reset_look_like_a_connection_limit() {
    let mut o = modern();
    o.client_trials.push(ClientTrial {
        profile: "java-17".into(),
        outcome: TrialOutcome::Failed {
            message: "connection reset by peer".into(),
        },
    });
    o.error("wire_scan", ErrorKind::Refused, "connection refused");
    let d = run(&o);
    let f = finding(&d, "CONNECTION_LIMITED");
    assert_eq!(f.severity, Severity::Medium);
    assert!(
        f.detail.contains("2 later one(s)") && f.detail.contains("java-17 trial"),
        "{}",
        f.detail
    );
    assert!(
        f.remedy.contains("mail_max_userip_connections"),
        "Dovecot: {}",
        f.remedy
    );
    // A failed trial is not evidence about the suites: Java stays computed.
    assert_eq!(client(&d, "java-17").basis, ClientBasis::Computed);
    assert_eq!(d.verdict, Verdict::Warn);
}

/// Exchange 2010 answers any hello with a TLS 1.0 ServerHello. For a client
/// whose floor is TLS 1.2 that answer is the failure, not a connection.
#[test]
fn a_trial_answered_below_the_clients_floor_is_a_failure() {
    let mut o = seed(993, Transport::Implicit);
    o.client_trials.push(ClientTrial {
        profile: "exchange-online".into(),
        outcome: TrialOutcome::Negotiated {
            version: Tls10,
            suite: 0xC014,
        },
    });
    let d = run(&o);
    let exo = client(&d, "exchange-online");
    assert!(!exo.connects);
    assert_eq!(exo.basis, ClientBasis::Observed);
    assert!(
        exo.reason
            .as_deref()
            .unwrap()
            .contains("TLSv1.0 ServerHello"),
        "{:?}",
        exo.reason
    );
    assert!(
        exo.error_as_seen
            .as_deref()
            .unwrap()
            .contains("do not possess a common algorithm")
    );
}

/// A server that picks a suite the client never offered breaks the
/// handshake for that client.
#[test]
fn a_trial_answered_with_an_unoffered_suite_is_a_failure() {
    let mut o = modern();
    o.client_trials.push(ClientTrial {
        profile: "exchange-online".into(),
        outcome: TrialOutcome::Negotiated {
            version: Tls12,
            suite: 0x009E, // DHE-RSA-AES128-GCM-SHA256: not in Office 365's list
        },
    });
    let d = run(&o);
    assert!(!client(&d, "exchange-online").connects);
}

#[test]
fn a_certificate_with_thousands_of_names_is_quoted_briefly() {
    let many: Vec<String> = (0..1300).map(|i| format!("host-{i}.example.com")).collect();
    let shown = super::cert_names_shown(&many);
    assert!(shown.starts_with("host-0.example.com, host-1.example.com"));
    assert!(shown.ends_with(" and 1292 more"), "{shown}");
    assert_eq!(
        super::cert_names_shown(&many[..2]),
        "host-0.example.com, host-1.example.com"
    );
}

// ---- issue 18: security findings and the rating ------------------------

fn ran(
    id: crate::observations::CheckId,
    seen: crate::observations::Seen,
) -> crate::observations::CheckRun {
    crate::observations::CheckRun {
        id,
        status: crate::observations::CheckStatus::Done,
        seen: Some(seen),
        connections: 1,
        ms: 1,
    }
}

/// Given every weak suite class accepted, each is its own finding with its
/// suites quoted; the lumped `WEAK_CIPHERS_ENABLED` is gone.
#[test]
fn each_weakness_the_scan_saw_is_its_own_finding() {
    let mut o = modern();
    scan(
        &mut o,
        &[
            (Ssl3, &[0x002F]),
            (
                Tls10,
                &[0x002F, 0x0005, 0x000A, 0x0003, 0x0014, 0x0001, 0x0018],
            ),
            (Tls12, &[0xC02F]),
        ],
        true,
    );
    let d = run(&o);
    for (id, quoted) in [
        ("SSL3_POODLE", "AES128-SHA"),
        ("TLS10_CBC_BEAST", "AES128-SHA"),
        ("RC4_ENABLED", "RC4-SHA"),
        ("SWEET32_64BIT_BLOCK", "DES-CBC3-SHA"),
        ("EXPORT_RSA_FREAK", "0x0003"),
        ("EXPORT_DH_LOGJAM", "0x0014"),
        ("NULL_CIPHER_ENABLED", "0x0001"),
        ("ANONYMOUS_SUITES_ENABLED", "0x0018"),
        ("LUCKY13_CBC", "AES128-SHA"),
    ] {
        assert!(
            finding(&d, id).detail.contains(quoted),
            "{id}: {}",
            finding(&d, id).detail
        );
    }
    assert!(!has(&d, "WEAK_CIPHERS_ENABLED"));
    assert!(!has(&d, "SSL2_DROWN"));
    let mut o2 = modern();
    scan(&mut o2, &[(Ssl2, &[]), (Tls12, &[0xC02F])], true);
    assert!(
        finding(&run(&o2), "SSL2_DROWN")
            .detail
            .contains("SSLv2 hello")
    );
    let rating = d.rating.unwrap();
    assert_eq!(rating.grade, "F");
    assert!(rating.caps.iter().any(|c| c.because == "EXPORT_RSA_FREAK"));
}

/// Given a modern server whose checks found Heartbleed, CCS injection,
/// STARTTLS injection, DEFLATE, no RFC 5746 and client renegotiation:
/// each is a finding quoting the wire, the rating is F, and the verdict
/// (the migration answer) does not fail for it.
#[test]
fn vulnerable_checks_are_findings_and_cap_the_rating_not_the_verdict() {
    use crate::observations::{Answer, CheckId, Seen};
    let mut o = modern();
    o.security = vec![
        ran(
            CheckId::Heartbleed,
            Seen::Heartbleed {
                extension: true,
                answer: Some(Answer::Record {
                    content_type: 24,
                    length: 16387,
                }),
            },
        ),
        ran(
            CheckId::CcsInjection,
            Seen::CcsInjection {
                answer: Answer::Alert { description: 21 },
            },
        ),
        ran(
            CheckId::StarttlsInjection,
            Seen::StarttlsInjection {
                answered_in_tls: vec!["mp2 OK NOOP".into()],
                before_handshake: None,
                transcript: vec!["mp2 OK NOOP".into(), "mp3 OK".into()],
            },
        ),
        ran(CheckId::Compression, Seen::Compression { method: 1 }),
        ran(
            CheckId::SecureRenegotiation,
            Seen::SecureRenegotiation {
                extension: false,
                version: 0x0303,
            },
        ),
        ran(
            CheckId::ClientRenegotiation,
            Seen::ClientRenegotiation {
                accepted: true,
                detail: String::new(),
            },
        ),
        ran(
            CheckId::FallbackScsv,
            Seen::FallbackScsv {
                offered: 0x0303,
                highest: 0x0304,
                answer: Answer::ServerHello {
                    version: 0x0303,
                    downgrade_sentinel: false,
                },
                accepted_without: true,
            },
        ),
    ];
    let d = run(&o);
    assert!(finding(&d, "HEARTBLEED").detail.contains("16387 bytes"));
    assert!(
        finding(&d, "CCS_INJECTION")
            .detail
            .contains("decryption_failed")
    );
    assert!(
        finding(&d, "STARTTLS_INJECTION")
            .detail
            .contains("mp2 OK NOOP")
    );
    assert!(has(&d, "TLS_COMPRESSION_CRIME"));
    assert_eq!(
        finding(&d, "NO_SECURE_RENEGOTIATION").severity,
        Severity::High
    );
    assert!(has(&d, "CLIENT_RENEGOTIATION_ALLOWED"));
    assert!(finding(&d, "NO_FALLBACK_SCSV").detail.contains("TLSv1.3"));
    assert_ne!(d.verdict, Verdict::Fail, "{:?}", ids(&d));
    assert_eq!(d.rating.as_ref().unwrap().grade, "F");
    let section: Vec<(String, Option<String>)> = d
        .security
        .iter()
        .map(|c| (c.id.as_str().to_string(), c.result.clone()))
        .collect();
    assert!(
        section.contains(&("heartbleed".into(), Some("vulnerable".into()))),
        "{section:?}"
    );
    assert!(
        d.security.iter().all(|c| c.finding.is_some()),
        "{:?}",
        d.security
    );
}

/// The negatives: nothing vulnerable, no finding; a modern server with a
/// good certificate rates A.
#[test]
fn clean_checks_make_no_finding_and_a_modern_server_rates_a() {
    use crate::observations::{Answer, CheckId, Seen};
    let mut o = modern();
    o.security = vec![
        ran(
            CheckId::Heartbleed,
            Seen::Heartbleed {
                extension: false,
                answer: None,
            },
        ),
        ran(
            CheckId::CcsInjection,
            Seen::CcsInjection {
                answer: Answer::Alert { description: 10 },
            },
        ),
        ran(
            CheckId::FallbackScsv,
            Seen::FallbackScsv {
                offered: 0x0303,
                highest: 0x0304,
                answer: Answer::Alert { description: 86 },
                accepted_without: true,
            },
        ),
        ran(
            CheckId::SecureRenegotiation,
            Seen::SecureRenegotiation {
                extension: true,
                version: 0x0303,
            },
        ),
    ];
    let d = run(&o);
    assert!(
        d.security.iter().all(|c| c.finding.is_none()),
        "{:?}",
        d.security
    );
    assert_eq!(d.rating.as_ref().unwrap().grade, "A", "{:?}", d.rating);
    assert_eq!(d.verdict, Verdict::Pass);
}

/// Dovecot refuses a fallback hello by closing the connection, SChannel by
/// a reset: honoured when the same suites were accepted at that version
/// without the SCSV (sslyze: supported), inconclusive otherwise or when
/// nothing came.
#[test]
fn a_fallback_hello_refused_without_the_alert_is_honoured_when_accepted_without_it() {
    use crate::observations::{Answer, CheckId, Seen};
    let result = |answer: Answer, accepted_without: bool| {
        let run = ran(
            CheckId::FallbackScsv,
            Seen::FallbackScsv {
                offered: 0x0303,
                highest: 0x0304,
                answer,
                accepted_without,
            },
        );
        super::findings::security::check_result(&run)
    };
    assert_eq!(result(Answer::Closed, true), Some("honoured"));
    assert_eq!(result(Answer::Reset, true), Some("honoured"));
    assert_eq!(
        result(Answer::Alert { description: 40 }, true),
        Some("honoured")
    );
    assert_eq!(result(Answer::Closed, false), Some("inconclusive"));
    assert_eq!(result(Answer::Silent, true), Some("inconclusive"));
    let mut o = modern();
    o.security = vec![ran(
        CheckId::FallbackScsv,
        Seen::FallbackScsv {
            offered: 0x0303,
            highest: 0x0304,
            answer: Answer::Closed,
            accepted_without: true,
        },
    )];
    let d = run(&o);
    let check = d
        .security
        .iter()
        .find(|c| c.id == CheckId::FallbackScsv)
        .unwrap();
    assert_eq!(check.result.as_deref(), Some("honoured"));
    assert!(
        check
            .evidence
            .as_deref()
            .is_some_and(|e| e.contains("without the SCSV the scan saw")),
        "{check:?}"
    );
}

/// The dialogue's own sighting of plaintext after the STARTTLS OK is a
/// finding too, without any check.
#[test]
fn data_after_the_starttls_ok_seen_by_the_dialogue_is_a_finding() {
    let mut o = modern();
    o.target.transport = Transport::Starttls;
    o.error(
        steps::STARTTLS,
        ErrorKind::Protocol,
        format!(
            "{}: * OK injected",
            crate::mail::connection::DATA_BEFORE_HANDSHAKE
        ),
    );
    let d = run(&o);
    assert!(
        finding(&d, "STARTTLS_DATA_BEFORE_HANDSHAKE")
            .detail
            .contains("* OK injected")
    );
    assert!(
        d.rating
            .unwrap()
            .caps
            .iter()
            .any(|c| c.because == "STARTTLS_DATA_BEFORE_HANDSHAKE")
    );
}

/// ROBOT: different answers with CCS and Finished confirm the oracle; seen
/// only in the key-exchange-only round it is "unconfirmed".
#[test]
fn robot_confirmed_and_unconfirmed() {
    use crate::observations::{Answer, CheckId, Seen};
    let same = vec![Answer::Alert { description: 20 }; 5];
    let mut differ = same.clone();
    differ[1] = Answer::Alert { description: 40 };
    let mut o = modern();
    o.security = vec![ran(
        CheckId::Robot,
        Seen::Robot {
            version: 0x0303,
            full: differ.clone(),
            kex_only: same.clone(),
            asked_again: vec![(true, 1, Answer::Alert { description: 40 })],
        },
    )];
    let d = run(&o);
    assert!(finding(&d, "ROBOT").detail.contains("description: 40"));
    assert_eq!(d.rating.unwrap().grade, "F");
    o.security = vec![ran(
        CheckId::Robot,
        Seen::Robot {
            version: 0x0303,
            full: same.clone(),
            kex_only: differ,
            asked_again: Vec::new(),
        },
    )];
    let d = run(&o);
    assert!(has(&d, "ROBOT_UNCONFIRMED") && !has(&d, "ROBOT"));
    assert_eq!(
        d.security[0].result.as_deref(),
        Some("vulnerable_unconfirmed")
    );
    o.security = vec![ran(
        CheckId::Robot,
        Seen::Robot {
            version: 0x0303,
            full: same.clone(),
            kex_only: same,
            asked_again: vec![(false, 2, Answer::Silent)],
        },
    )];
    let d = run(&o);
    assert!(!has(&d, "ROBOT_UNCONFIRMED"));
    // A first answer unlike the rest, not repeated when asked again, is
    // shown in the evidence and judges nothing.
    assert_eq!(d.security[0].result.as_deref(), Some("not_vulnerable"));
    let evidence = d.security[0].evidence.as_deref().unwrap_or_default();
    assert!(
        evidence.contains("payload 3 (key exchange alone)"),
        "{evidence}"
    );
}
