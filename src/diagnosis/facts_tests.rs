//! Each corrected client fact pinned to its text or rule, and the rule that
//! every fact carries a source (issue 16). Hand-built Observations, no network.

use super::profiles::{self, Fact, Failure, Refusal, Source};
use super::*;
use crate::observations::{ClientTrial, HelloAnswer, TrialOutcome, VersionAnswer};
use crate::report::{Certificate, CertificateInfo, ClientStatus, Target, VersionSupport};
use crate::vocab::{Protocol, TlsVersion, Transport};
use TlsVersion::{Tls10, Tls12, Tls13};

fn server(port: u16, transport: Transport, accepted: &[(TlsVersion, &[u16])]) -> Evidence {
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
                server_preference: Some(true),
            }
        })
        .collect();
    o.tls.server_preference = Some(true);
    o.tls.groups = vec!["x25519".into(), "secp256r1".into()];
    o.certificate = Some(Certificate {
        chain: vec![CertificateInfo {
            subject: "CN=mail.example.com".into(),
            sans: vec!["mail.example.com".into()],
            issuer: "CN=Example CA".into(),
            serial: "01".into(),
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: "2027-01-01T00:00:00Z".into(),
            days_left: 400,
            key_type: "RSA".into(),
            key_bits: Some(2048),
            curve: None,
            signature_algorithm: "sha256WithRSAEncryption".into(),
            self_signed: false,
            is_ca: false,
            server_auth_eku: Some(true),
            sha256: "00".into(),
        }],
        trusted: Some(true),
        name_match: Some(true),
        expired: Some(false),
        self_signed: Some(false),
        ..Default::default()
    });
    o
}

fn tls10_only() -> Evidence {
    server(
        993,
        Transport::Implicit,
        &[(Tls10, &[0x0035, 0x002F, 0xC014])],
    )
}

fn with(o: &Evidence, id: &str) -> ClientResult {
    let d = diagnose(o, Some(&[id.to_string()]));
    d.clients
        .into_iter()
        .find(|c| c.profile == id)
        .expect("profile evaluated")
}

fn trial(o: &mut Evidence, id: &str, outcome: TrialOutcome) {
    o.client_trials.push(ClientTrial {
        profile: id.into(),
        outcome,
    });
}

// 1. Java 17: three refusals, three texts (each seen from the real JDK 17 here).
#[test]
fn java_words_a_version_refusal_by_how_the_server_refused() {
    let cases = [
        (
            TrialOutcome::Negotiated {
                version: Tls10,
                suite: 0x0035,
            },
            "javax.net.ssl.SSLHandshakeException: The server selected protocol version TLS10 is not accepted by client preferences [TLS13, TLS12]",
        ),
        (
            TrialOutcome::Refused {
                alert: Some("protocol_version".into()),
            },
            "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
        ),
        (
            TrialOutcome::Refused { alert: None },
            "javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake",
        ),
    ];
    for (outcome, text) in cases {
        let mut o = tls10_only();
        trial(&mut o, "java-17", outcome);
        let java = with(&o, "java-17");
        assert_eq!(java.status, ClientStatus::Cannot);
        assert_eq!(java.error_as_seen.as_deref(), Some(text));
    }
    // "No appropriate protocol" is what JSSE says when the application itself
    // enables only disabled versions (setEnabledProtocols TLSv1), not a default client.
    let p = profiles::by_id("java-17").unwrap();
    assert!(
        p.errors
            .iter()
            .all(|e| !e.text.contains("No appropriate protocol"))
    );
}

// 10. NSS: a protocol_version alert and a downgraded ServerHello read differently.
#[test]
fn thunderbird_words_a_version_alert_and_a_downgrade_differently() {
    let mut o = tls10_only();
    trial(
        &mut o,
        "thunderbird",
        TrialOutcome::Refused {
            alert: Some("protocol_version".into()),
        },
    );
    assert_eq!(
        with(&o, "thunderbird").error_as_seen.as_deref(),
        Some("Peer reports incompatible or unsupported protocol version.")
    );
    let mut o = tls10_only();
    o.version_answers.push(VersionAnswer {
        version: Tls13,
        answer: HelloAnswer::OtherVersion { version: 0x0301 },
    });
    assert_eq!(
        with(&o, "thunderbird").error_as_seen.as_deref(),
        Some("Peer using unsupported version of security protocol.")
    );
}

// 2. Outlook shows its own 0x800CCC1A text, not SChannel's.
#[test]
fn outlook_shows_its_own_encryption_type_message() {
    let o = server(993, Transport::Implicit, &[(Tls12, &[0x000A, 0x0005])]);
    let outlook = with(&o, "outlook-windows");
    assert_eq!(outlook.status, ClientStatus::Cannot);
    let text = outlook.error_as_seen.unwrap();
    assert!(
        text.starts_with(
            "Your server does not support the connection encryption type you have specified."
        ),
        "{text}"
    );
    assert!(text.contains("0x800CCC1A"));
    let p = profiles::by_id("outlook-windows").unwrap();
    assert!(
        p.errors
            .iter()
            .all(|e| !e.text.contains("do not possess a common algorithm"))
    );
}

// 3. OpenSSL: a small key is "EE certificate key too weak", in the profile and the catalogue.
#[test]
fn openssl_names_a_small_key_ee_certificate_key_too_weak() {
    let mut o = server(993, Transport::Implicit, &[(Tls12, &[0xC02F])]);
    o.certificate.as_mut().unwrap().chain[0].key_bits = Some(1024);
    let ossl = with(&o, "openssl-seclevel2");
    assert_eq!(ossl.status, ClientStatus::Cannot);
    assert!(
        ossl.error_as_seen
            .unwrap()
            .contains("certificate verify failed (EE certificate key too weak)")
    );
    let remedy = catalogue::spec("RSA_KEY_TOO_SMALL")
        .unwrap()
        .remedy(super::server::Software::Other)
        .unwrap();
    assert!(
        remedy.text.contains("EE certificate key too weak"),
        "{}",
        remedy.text
    );
    for p in profiles::all() {
        assert!(
            p.errors
                .iter()
                .all(|e| !e.text.contains("ee key too small")),
            "{}",
            p.id
        );
    }
    assert!(!remedy.text.contains("ee key too small"));
}

// 4. Google's data migration service documents 993 (IMAP over SSL) only.
#[test]
fn google_workspace_is_never_certain_on_a_starttls_port() {
    let o = server(
        143,
        Transport::Starttls,
        &[(Tls12, &[0xC02F]), (Tls13, &[0x1301])],
    );
    let google = with(&o, "google-workspace");
    assert_eq!(google.status, ClientStatus::AtRisk);
    assert!(!google.connects);
    assert!(google.reason.unwrap().contains("993"));
    let o = server(
        993,
        Transport::Implicit,
        &[(Tls12, &[0xC02F]), (Tls13, &[0x1301])],
    );
    assert_eq!(with(&o, "google-workspace").status, ClientStatus::Connects);
}

// 5. Java: the host-name check depends on the mail library; JavaMail's own words.
#[test]
fn java_name_check_depends_on_the_mail_library() {
    let p = profiles::by_id("java-17").unwrap();
    assert_eq!(p.cert.name, profiles::Rule::Configurable);
    assert_eq!(
        p.error_text(Failure::NameMismatch, Refusal::Any),
        Some("java.io.IOException: Can't verify identity of server: {host}")
    );
}

// 6. Exchange Online: RSA AES-CBC only at TLS 1.2 is a risk, not a certain failure.
#[test]
fn exchange_online_on_rsa_cbc_only_is_at_risk() {
    let o = server(
        993,
        Transport::Implicit,
        &[(Tls12, &[0x0035, 0x002F, 0x003D, 0x003C])],
    );
    let exo = with(&o, "exchange-online");
    assert_eq!(exo.status, ClientStatus::AtRisk, "{exo:?}");
    // and still cannot on 3DES only.
    let o = server(993, Transport::Implicit, &[(Tls12, &[0x000A])]);
    assert_eq!(with(&o, "exchange-online").status, ClientStatus::Cannot);
}

// 7. Exchange Online's chain, whole, with its exception prefixes.
#[test]
fn exchange_online_chain_is_quoted_whole() {
    let chain = profiles::EXO_TLS_CHAIN;
    for part in [
        "Microsoft.Exchange.Migration.MigrationServerConnectionFailedException: The connection to the server '{host}' could not be completed.",
        "Microsoft.Exchange.Connections.Common.RemoteNetworkErrorTransientException: We were unable to reach your email provider. Please check your server settings, or try again later.",
        "Microsoft.Exchange.Connections.Common.SslStreamFailureException: TLS negotiation failed.",
        "System.ComponentModel.Win32Exception: The client and server cannot communicate, because they do not possess a common algorithm.",
    ] {
        assert!(chain.contains(part), "{part}");
    }
}

// 8. SChannel's DH minimum is 1024 bits when not configured.
#[test]
fn outlook_refuses_dh_under_1024_bits() {
    let mut o = server(993, Transport::Implicit, &[(Tls12, &[0x009E])]);
    o.tls.dh_bits = Some(768);
    assert_eq!(with(&o, "outlook-windows").status, ClientStatus::Cannot);
    o.tls.dh_bits = Some(1024);
    assert_eq!(with(&o, "outlook-windows").status, ClientStatus::Connects);
}

// 9. Mozilla intermediate is guideline 6.0, exactly.
#[test]
fn mozilla_intermediate_is_guideline_6_0() {
    let p = profiles::by_id("mozilla-intermediate").unwrap();
    assert!(p.name.contains("6.0"));
    assert_eq!(
        p.offer.suites,
        &[
            0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8
        ]
    );
    assert_eq!(
        p.offer.groups,
        &[0x11EC, 0x001D, 0x0017, 0x0018],
        "X25519MLKEM768, X25519, prime256v1, secp384r1"
    );
    // DHE-RSA-AES128-GCM was in 5.8, not in 6.0.
    let o = server(
        993,
        Transport::Implicit,
        &[(Tls12, &[0xC02F, 0x009E]), (Tls13, &[0x1301])],
    );
    assert_eq!(with(&o, "mozilla-intermediate").compliant, Some(false));
}

// 10. The smaller corrections.
#[test]
fn apple_sha1_is_a_prompt_openssl_35_groups_and_schannel_strong_crypto() {
    let apple = profiles::by_id("apple-mail").unwrap();
    assert_eq!(apple.cert.sha1, profiles::Rule::Prompt);
    let ossl = profiles::by_id("openssl-seclevel2").unwrap();
    assert_eq!(
        ossl.offer.groups.first(),
        Some(&0x11EC),
        "X25519MLKEM768 first"
    );
    let outlook = profiles::by_id("outlook-windows").unwrap();
    assert!(!outlook.offer.suites.contains(&0x009F));
    assert!(!outlook.offer.suites.contains(&0x000A));
    // "DH under 1024 bits is refused by OpenSSL at any level" is false at level 0.
    let mut o = server(993, Transport::Implicit, &[(Tls12, &[0x009E])]);
    o.tls.dh_bits = Some(768);
    let d = diagnose(&o, None);
    let weak = d.findings.iter().find(|f| f.id == "WEAK_DH").unwrap();
    assert!(!weak.detail.contains("at any level"), "{}", weak.detail);
    assert!(weak.detail.contains("level 0"), "{}", weak.detail);
}

// ---- sources as data ----------------------------------------------------------

/// A test fails when a profile fact has neither a source nor `unverified`.
#[test]
fn every_profile_fact_has_a_source_or_says_unverified() {
    for p in profiles::all() {
        let needed = Fact::ALL.iter().copied().filter(|f| match f {
            Fact::MinDhBits => p.min_dh_bits.is_some(),
            Fact::MinEcdheBits => p.min_ecdhe_bits.is_some(),
            Fact::MinRsaBits => p.cert.min_rsa_bits.is_some(),
            Fact::MinEcBits => p.cert.min_ec_bits.is_some(),
            Fact::Starttls => {
                p.starttls != profiles::StartTlsBehaviour::NotApplicable
                    || p.kind == profiles::ProfileKind::Library
            }
            _ => true,
        });
        for fact in needed {
            let source = p
                .source_of(fact)
                .unwrap_or_else(|| panic!("{}: {fact:?} has no source", p.id));
            assert_cites(&source, p.id);
        }
        for e in p.errors {
            assert_cites(&e.source, p.id);
        }
    }
}

fn assert_cites(s: &Source, id: &str) {
    match s {
        Source::Url(u) => assert!(u.starts_with("https://"), "{id}: {u}"),
        Source::Repo {
            repo,
            path,
            version,
        } => {
            assert!(
                repo.contains('/') && !path.is_empty() && !version.is_empty(),
                "{id}: {repo}"
            )
        }
        Source::Capture(name) | Source::Observed(name) => assert!(!name.is_empty(), "{id}"),
        Source::Unverified(why) => assert!(!why.is_empty(), "{id}: unverified needs a why"),
    }
}

#[test]
fn profiles_endpoint_data_carries_the_sources() {
    let docs = profile_docs();
    let exo = docs.iter().find(|d| d.id == "exchange-online").unwrap();
    assert!(exo.facts.iter().any(|f| f.fact == Fact::Suites
        && f.verified
        && f.source.contains("MicrosoftDocs/microsoft-365-docs")));
    assert!(
        exo.facts
            .iter()
            .any(|f| f.fact == Fact::Groups && !f.verified && f.source.starts_with("unverified:"))
    );
    assert!(exo.errors.iter().all(|e| !e.source.is_empty()));
    assert_eq!(exo.builds_path_from_aia, Some(true));
}

/// A failure that rests on an unverified fact is at risk, never `cannot`.
#[test]
fn a_failure_resting_on_an_unverified_fact_is_a_risk() {
    // imapsync's version floor is the distribution's policy: unverified.
    let imapsync = with(&tls10_only(), "imapsync");
    assert!(!imapsync.connects);
    assert_eq!(imapsync.status, ClientStatus::AtRisk);
    assert!(
        imapsync
            .risks
            .iter()
            .any(|r| r.contains("versions, which no source confirms")),
        "{imapsync:?}"
    );
    // The reason (what the CLI line and the page show) carries the doubt too.
    let reason = imapsync.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("; risk: this rests on imapsync's versions, which no source confirms"),
        "{reason}"
    );
    // Exchange Online's floor is sourced [ENC]: certain.
    assert_eq!(
        with(&tls10_only(), "exchange-online").status,
        ClientStatus::Cannot
    );
}

// ---- an unknown root is not a missing intermediate ------------------------------

fn untrusted(reason: &str, sent: usize) -> Evidence {
    let mut o = server(
        993,
        Transport::Implicit,
        &[(Tls12, &[0xC02F]), (Tls13, &[0x1301])],
    );
    let c = o.certificate.as_mut().unwrap();
    c.trusted = Some(false);
    c.trust_reason = Some(reason.into());
    c.trust_error = Some("issuer not found".into());
    let leaf = c.chain[0].clone();
    for _ in 1..sent {
        c.chain.push(CertificateInfo {
            subject: "CN=Example CA".into(),
            issuer: "CN=Private Root".into(),
            is_ca: true,
            ..leaf.clone()
        });
    }
    o
}

#[test]
fn a_missing_intermediate_is_its_own_finding_and_schannel_fetches_it() {
    let o = untrusted("incomplete_chain", 1);
    let d = diagnose(&o, Some(&["exchange-online".into(), "java-17".into()]));
    assert!(d.findings.iter().any(|f| f.id == "CERT_CHAIN_INCOMPLETE"));
    assert!(!d.findings.iter().any(|f| f.id == "CERT_UNTRUSTED"));
    let exo = d
        .clients
        .iter()
        .find(|c| c.profile == "exchange-online")
        .unwrap();
    assert_eq!(exo.status, ClientStatus::AtRisk);
    assert!(
        exo.risks.iter().any(|r| r.contains("AIA caIssuers")),
        "{exo:?}"
    );
    let java = d.clients.iter().find(|c| c.profile == "java-17").unwrap();
    assert!(!java.connects);
    assert!(
        java.reason
            .as_deref()
            .unwrap()
            .contains("does not fetch missing intermediates")
    );
    let p = profiles::by_id("outlook-windows").unwrap();
    assert_eq!(p.cert.aia_fetch, Some(true));
}

#[test]
fn a_private_root_is_not_reported_as_a_missing_intermediate() {
    let o = untrusted("unknown_root", 2);
    let d = diagnose(&o, Some(&["exchange-online".into()]));
    assert!(d.findings.iter().any(|f| f.id == "CERT_UNTRUSTED"));
    assert!(!d.findings.iter().any(|f| f.id == "CERT_CHAIN_INCOMPLETE"));
    let exo = d
        .clients
        .iter()
        .find(|c| c.profile == "exchange-online")
        .unwrap();
    assert!(exo.risks.iter().all(|r| !r.contains("AIA")), "{exo:?}");
}
