//! Certificates and trust through the HTTP API: a private PKI generated per
//! run, one real TLS server per fixture certificate, and the facts the
//! Report must state for each.
//!
//! Every probe connects to 127.0.0.1 and names `mail.test` in `sni`, so the
//! reference identity is `mail.test` and no resolver is involved.

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::ssl::SslVersion;
use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, SubjectAlternativeName};
use openssl::x509::{X509, X509NameBuilder};
use rcgen::{CertificateParams, DnType, KeyPair};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::openssl_cert_server as openssl_server;
use crate::support::pki::{Ca, Leaf};
use crate::support::rustls_server::{self, Options};

const NAME: &str = "mail.test";

/// The private PKI: root → intermediate → leaves.
struct Pki {
    root: Ca,
    intermediate: Ca,
}

fn pki() -> Pki {
    let root = Ca::root("mailprobe cert-test root");
    let intermediate = root.intermediate("mailprobe cert-test intermediate");
    Pki { root, intermediate }
}

fn params(names: &[&str], from_days: i64, to_days: i64) -> CertificateParams {
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("params");
    let now = OffsetDateTime::now_utc();
    p.not_before = now + Duration::days(from_days);
    p.not_after = now + Duration::days(to_days);
    p.distinguished_name.push(DnType::CommonName, names[0]);
    p
}

/// An RSA-2048 leaf valid for 90 more days.
fn rsa_leaf(ca: &Ca, names: &[&str]) -> Leaf {
    let rsa = openssl::rsa::Rsa::generate(2048).expect("rsa");
    let pem = PKey::from_rsa(rsa)
        .and_then(|k| k.private_key_to_pem_pkcs8())
        .expect("pem");
    let key = KeyPair::from_pem(std::str::from_utf8(&pem).expect("utf8")).expect("key");
    ca.sign_leaf(params(names, -1, 90), key)
}

/// A leaf built by OpenSSL: for a SHA-1 signature or a 1024-bit RSA key,
/// which rcgen (on ring) cannot produce.
fn openssl_leaf(ca: &Ca, key: &PKey<Private>, digest: MessageDigest) -> Leaf {
    let issuer_cert = X509::from_der(&ca.cert_der).expect("issuer");
    let issuer_key = PKey::private_key_from_pem(ca.key_pem().as_bytes()).expect("issuer key");
    let mut b = X509::builder().expect("builder");
    b.set_version(2).expect("v3");
    let mut serial = BigNum::new().expect("bn");
    serial.rand(64, MsbOption::MAYBE_ZERO, false).expect("rand");
    b.set_serial_number(&serial.to_asn1_integer().expect("serial"))
        .expect("serial");
    let mut name = X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", NAME).expect("cn");
    let name = name.build();
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(issuer_cert.subject_name())
        .expect("issuer");
    b.set_pubkey(key).expect("pubkey");
    b.set_not_before(&Asn1Time::days_from_now(0).expect("t"))
        .expect("nb");
    b.set_not_after(&Asn1Time::days_from_now(90).expect("t"))
        .expect("na");
    b.append_extension(BasicConstraints::new().build().expect("bc"))
        .expect("bc");
    b.append_extension(ExtendedKeyUsage::new().server_auth().build().expect("eku"))
        .expect("eku");
    let san = SubjectAlternativeName::new()
        .dns(NAME)
        .build(&b.x509v3_context(Some(&issuer_cert), None))
        .expect("san");
    b.append_extension(san).expect("san");
    b.sign(&issuer_key, digest).expect("sign");
    let cert = b.build();
    Leaf {
        cert_der: cert.to_der().expect("der"),
        cert_pem: String::from_utf8(cert.to_pem().expect("pem")).expect("utf8"),
        key_der: key.private_key_to_pkcs8().expect("pkcs8"),
        key_pem: String::from_utf8(key.private_key_to_pem_pkcs8().expect("pem")).expect("utf8"),
    }
}

/// Serves `chain` with `leaf`'s key on a rustls IMAP fixture; returns the port.
async fn serve(chain: Vec<Vec<u8>>, leaf: &Leaf) -> u16 {
    rustls_server::start_with_leaf(Options::default(), &chain, leaf, String::new())
        .await
        .addr
        .port()
}

async fn probe(app: &TestApp, port: u16, ca_pem: Option<&str>) -> Value {
    let mut body = json!({"host": "127.0.0.1", "port": port, "sni": NAME, "timeout_ms": 10000});
    if let Some(pem) = ca_pem {
        body["ca_bundle_pem"] = json!(pem);
    }
    let resp = app.post_probe(&body).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("report")
}

fn issues(cert: &Value) -> Vec<String> {
    cert["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Both versioned handshakes ran; returns (tls13 ok, tls12 ok).
fn versioned(report: &Value) -> (bool, bool) {
    let hs = report["tls"]["handshakes"].as_array().expect("handshakes");
    assert_eq!(hs.len(), 2, "{hs:?}");
    assert_eq!(hs[0]["offered"], "TLSv1.3");
    assert_eq!(hs[1]["offered"], "TLSv1.2");
    (hs[0]["ok"] == true, hs[1]["ok"] == true)
}

#[tokio::test]
async fn given_a_good_rsa_leaf_and_intermediate_when_root_passed_in_request_then_trusted_by_request_store()
 {
    let pki = pki();
    let leaf = rsa_leaf(&pki.intermediate, &[NAME]);
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let report = probe(&app, port, Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trusted"], true, "{c}");
    assert_eq!(c["trust_store"], "request");
    assert_eq!(c["trust_reason"], Value::Null);
    assert_eq!(c["name_match"], true);
    assert_eq!(c["name_checked"], NAME);
    assert_eq!(c["name_matched_by"], NAME);
    assert_eq!(c["cn_fallback_used"], false);
    assert_eq!(c["expired"], false);
    let days = c["days_left"].as_i64().unwrap();
    assert!((89..=90).contains(&days), "{days}");
    assert_eq!(c["self_signed"], false);
    assert_eq!(c["chain_in_order"], true);
    assert_eq!(c["root_sent"], false);
    let chain = c["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0]["key_type"], "RSA");
    assert_eq!(chain[0]["key_bits"], 2048);
    assert_eq!(chain[0]["signature_algorithm"], "ecdsa-with-SHA256");
    assert_eq!(chain[0]["sans"], json!([NAME]));
    assert_eq!(chain[0]["is_ca"], false);
    assert_eq!(chain[1]["is_ca"], true);
    assert_eq!(chain[1]["subject"], "CN=mailprobe cert-test intermediate");
    assert_eq!(chain[0]["issuer"], "CN=mailprobe cert-test intermediate");
    assert_eq!(chain[0]["sha256"].as_str().unwrap().len(), 64);
    assert!(issues(c).is_empty(), "{c}");
    assert_eq!(versioned(&report), (true, true));
    let hs = &report["tls"]["handshakes"];
    assert_eq!(hs[0]["handshake"]["version"], "TLSv1.3");
    assert_eq!(hs[1]["handshake"]["version"], "TLSv1.2");
    assert!(
        hs[1]["handshake"]["suite"]["name"]
            .as_str()
            .unwrap()
            .starts_with("TLS_ECDHE_RSA_WITH_")
    );
    assert_eq!(hs[0]["handshake"]["ocsp_stapled"], false);
    // Every path (modern, no_sni, tls13, tls12, and the scanner's once it
    // runs) saw the same chain.
    let paths: Vec<&str> = c["paths"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    for p in ["modern", "no_sni", "tls13", "tls12"] {
        assert!(paths.contains(&p), "{paths:?}");
    }
    assert_eq!(c["chains_differ"], false);
    assert_eq!(report["tls"]["handshake"]["version"], "TLSv1.3");
    assert!(report["stats"]["handshakes"].as_u64().unwrap() >= 3);
}

#[tokio::test]
async fn given_no_ca_bundle_then_the_private_chain_is_not_trusted_but_all_tls_facts_are_there() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let report = probe(&app, port, None).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trusted"], false);
    assert_eq!(c["trust_store"], Value::Null);
    // The chain was sent whole up to the intermediate (a CA) whose issuer, the
    // private root, no store holds: an unknown root, not a missing intermediate.
    assert_eq!(c["trust_reason"], "unknown_root", "{c}");
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"CERT_UNTRUSTED") && !ids.contains(&"CERT_CHAIN_INCOMPLETE"),
        "{ids:?}"
    );
    assert_eq!(c["name_match"], true);
    assert_eq!(report["tls"]["handshake"]["version"], "TLSv1.3");
    assert_eq!(
        report["mail"]["greeting"],
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fixture IMAP ready."
    );
    assert_eq!(versioned(&report), (true, true));
}

#[tokio::test]
async fn given_a_root_in_the_configured_bundle_then_trusted_by_configured_store() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, &pki.root.cert_pem).unwrap();
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--ca-bundle",
        bundle.to_str().unwrap(),
    ])
    .await;
    let report = probe(&app, port, None).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trusted"], true, "{c}");
    assert_eq!(c["trust_store"], "configured");
}

#[tokio::test]
async fn given_an_expired_leaf_then_expired_with_negative_days() {
    let pki = pki();
    let leaf = pki
        .intermediate
        .sign_leaf(params(&[NAME], -100, -10), KeyPair::generate().unwrap());
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let report = probe(&app, port, Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trusted"], false);
    assert_eq!(c["trust_reason"], "expired", "{c}");
    assert_eq!(c["expired"], true);
    let days = c["days_left"].as_i64().unwrap();
    assert!((-11..=-10).contains(&days), "{days}");
    assert_eq!(c["name_match"], true);
    assert!(issues(c).contains(&"expired".to_string()));
    assert_eq!(c["other_trust_reason"], Value::Null);
    assert!(
        c["trust_error"]
            .as_str()
            .unwrap()
            .contains("within its validity the path validates against `request`"),
        "{c}"
    );
    // The handshake itself still completes: expiry is a fact, not a failure.
    assert_eq!(versioned(&report), (true, true));

    // Without the root, renewing alone would not help: say so.
    let c = probe(&app, port, None).await["tls"]["certificate"].clone();
    assert_eq!(c["trust_reason"], "expired", "{c}");
    // Leaf and intermediate were sent; the private root is in no store.
    assert_eq!(c["other_trust_reason"], "unknown_root", "{c}");
}

#[tokio::test]
async fn given_a_not_yet_valid_leaf_then_not_yet_valid() {
    let pki = pki();
    let leaf = pki
        .intermediate
        .sign_leaf(params(&[NAME], 10, 100), KeyPair::generate().unwrap());
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let c = probe(&app, port, Some(&pki.root.cert_pem)).await["tls"]["certificate"].clone();
    assert_eq!(c["trusted"], false);
    assert_eq!(c["trust_reason"], "not_yet_valid", "{c}");
    assert_eq!(c["not_yet_valid"], true);
    assert_eq!(c["expired"], false);
    assert!(c["days_left"].as_i64().unwrap() >= 99);
}

#[tokio::test]
async fn given_a_wrong_host_leaf_then_chain_valid_but_name_mismatch() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&["other.test", "*.other.test"]);
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let c = probe(&app, port, Some(&pki.root.cert_pem)).await["tls"]["certificate"].clone();
    assert_eq!(c["trusted"], false);
    assert_eq!(c["trust_store"], "request");
    assert_eq!(c["trust_reason"], "name_mismatch", "{c}");
    assert_eq!(c["name_match"], false);
    assert_eq!(c["name_matched_by"], Value::Null);
    assert!(
        c["trust_error"].as_str().unwrap().contains("other.test"),
        "{c}"
    );
}

#[tokio::test]
async fn given_a_self_signed_leaf_then_unknown_issuer_and_self_signed() {
    let key = KeyPair::generate().unwrap();
    let cert = params(&[NAME], -1, 30).self_signed(&key).unwrap();
    let leaf = Leaf {
        cert_der: cert.der().to_vec(),
        cert_pem: cert.pem(),
        key_der: key.serialize_der(),
        key_pem: key.serialize_pem(),
    };
    let pki = pki();
    let port = serve(vec![leaf.cert_der.clone()], &leaf).await;
    let app = spawn_app().await;
    let report = probe(&app, port, Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trusted"], false);
    assert_eq!(c["trust_reason"], "unknown_issuer", "{c}");
    assert_eq!(c["self_signed"], true);
    assert_eq!(c["chain"][0]["self_signed"], true);
    assert_eq!(c["root_sent"], false);
    assert!(c["trust_error"].as_str().unwrap().contains("self-signed"));
    assert!(issues(c).contains(&"self-signed".to_string()));
    // Untrusted, and still every TLS fact.
    assert_eq!(report["tls"]["handshake"]["version"], "TLSv1.3");
    assert_eq!(versioned(&report), (true, true));
}

/// The same private root, the leaf alone, no root supplied: a missing
/// intermediate, a finding of its own, and SChannel's AIA fetch named.
#[tokio::test]
async fn given_a_leaf_alone_under_a_private_root_without_the_root_then_incomplete_chain() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let port = serve(vec![leaf.cert_der.clone()], &leaf).await;
    let app = spawn_app().await;
    let report = probe(&app, port, None).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trust_reason"], "incomplete_chain", "{c}");
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(ids.contains(&"CERT_CHAIN_INCOMPLETE"), "{ids:?}");
    let exo = report["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["profile"] == "exchange-online")
        .unwrap();
    assert!(
        exo["risks"].to_string().contains("AIA caIssuers"),
        "{exo:#}"
    );
}

#[tokio::test]
async fn given_a_leaf_served_without_its_intermediate_then_incomplete_chain() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let port = serve(vec![leaf.cert_der.clone()], &leaf).await;
    let app = spawn_app().await;
    let c = probe(&app, port, Some(&pki.root.cert_pem)).await["tls"]["certificate"].clone();
    assert_eq!(c["trusted"], false);
    assert_eq!(c["trust_reason"], "incomplete_chain", "{c}");
    assert!(
        c["trust_error"]
            .as_str()
            .unwrap()
            .contains("did not send the certificate of `CN=mailprobe cert-test intermediate`"),
        "{c}"
    );
    assert_eq!(c["chain"].as_array().unwrap().len(), 1);
    assert_eq!(c["name_match"], true);
}

#[tokio::test]
async fn given_the_root_sent_along_then_root_sent_and_trusted() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let port = serve(
        vec![
            leaf.cert_der.clone(),
            pki.intermediate.cert_der.clone(),
            pki.root.cert_der.clone(),
        ],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let c = probe(&app, port, Some(&pki.root.cert_pem)).await["tls"]["certificate"].clone();
    assert_eq!(c["trusted"], true, "{c}");
    assert_eq!(c["root_sent"], true);
    assert_eq!(c["chain_in_order"], true);
    assert_eq!(c["chain"][2]["self_signed"], true);
}

#[tokio::test]
async fn given_a_chain_out_of_order_then_reported() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let port = serve(
        vec![
            leaf.cert_der.clone(),
            pki.root.cert_der.clone(),
            pki.intermediate.cert_der.clone(),
        ],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let c = probe(&app, port, Some(&pki.root.cert_pem)).await["tls"]["certificate"].clone();
    assert_eq!(c["chain_in_order"], false, "{c}");
    assert!(issues(&c).contains(&"chain-out-of-order".to_string()));
}

#[tokio::test]
async fn given_an_ecdsa_p384_leaf_then_key_and_curve_are_reported() {
    let pki = pki();
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let leaf = pki.intermediate.sign_leaf(params(&[NAME], -1, 30), key);
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let report = probe(&app, port, Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trusted"], true, "{c}");
    assert_eq!(c["chain"][0]["key_type"], "EC");
    assert_eq!(c["chain"][0]["curve"], "P-384");
    assert_eq!(c["chain"][0]["key_bits"], 384);
    assert_eq!(c["chain"][0]["signature_algorithm"], "ecdsa-with-SHA256");
    assert_eq!(c["chain"][1]["curve"], "P-256");
    let days = c["days_left"].as_i64().unwrap();
    assert!((29..=30).contains(&days), "{days}");
    let tls12 = &report["tls"]["handshakes"][1]["handshake"]["suite"]["name"];
    assert!(
        tls12.as_str().unwrap().starts_with("TLS_ECDHE_ECDSA_WITH_"),
        "{tls12}"
    );
}

#[tokio::test]
async fn given_a_sha1_signed_leaf_then_unsupported_algorithm_and_flagged() {
    let pki = pki();
    let key = PKey::from_ec_key(
        openssl::ec::EcKey::generate(
            &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let leaf = openssl_leaf(&pki.intermediate, &key, MessageDigest::sha1());
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let report = probe(&app, port, Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["chain"][0]["signature_algorithm"], "ecdsa-with-SHA1");
    assert_eq!(c["trusted"], false);
    assert_eq!(c["trust_reason"], "unsupported_algorithm", "{c}");
    assert!(
        c["trust_error"]
            .as_str()
            .unwrap()
            .contains("ecdsa-with-SHA1")
    );
    assert!(issues(c).contains(&"sha1-signature".to_string()), "{c}");
    assert_eq!(c["name_match"], true);
    assert_eq!(versioned(&report), (true, true));
}

#[tokio::test]
async fn given_a_1024_bit_rsa_leaf_then_key_reported_and_the_modern_handshake_fails_after_the_certificate()
 {
    let pki = pki();
    let key = PKey::from_rsa(openssl::rsa::Rsa::generate(1024).unwrap()).unwrap();
    let leaf = openssl_leaf(&pki.intermediate, &key, MessageDigest::sha256());
    let addr = openssl_server::start(
        &[leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf.key_pem,
        SslVersion::TLS1_2,
        SslVersion::TLS1_3,
    );
    let app = spawn_app().await;
    let report = probe(&app, addr.port(), Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["chain"][0]["key_type"], "RSA", "{report}");
    assert_eq!(c["chain"][0]["key_bits"], 1024);
    assert_eq!(c["chain"][0]["signature_algorithm"], "ecdsa-with-SHA256");
    assert!(issues(c).contains(&"rsa-key-under-2048-bits".to_string()));
    // The path itself is sound: the CA signed with P-256/SHA-256.
    assert_eq!(c["trusted"], true, "{c}");
    assert_eq!(c["trust_store"], "request");
    // rustls will not verify a handshake signature from a 1024-bit key, but
    // the chain was presented before that and is reported.
    let hs = report["tls"]["handshakes"].as_array().unwrap();
    for h in hs {
        assert_eq!(h["ok"], false, "{h}");
        assert_eq!(h["certificate_presented"], true, "{h}");
        assert!(h["error"].as_str().unwrap().contains("2048"), "{h}");
    }
}

#[tokio::test]
async fn given_an_ip_target_without_sni_then_the_ip_san_is_checked() {
    let fixture = rustls_server::start(Options::default()).await;
    let app = spawn_app().await;
    let resp = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": fixture.addr.port(),
            "ca_bundle_pem": fixture.root_pem,
        }))
        .await;
    let report: Value = resp.json().await.unwrap();
    let c = &report["tls"]["certificate"];
    assert_eq!(c["name_checked"], "127.0.0.1");
    assert_eq!(c["name_match"], true, "{c}");
    assert_eq!(c["name_matched_by"], "127.0.0.1");
    assert_eq!(c["trusted"], true);
}

#[tokio::test]
async fn given_a_tls12_only_server_then_the_tls13_attempt_fails_and_tls12_succeeds() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let fixture = rustls_server::start_with_leaf(
        Options {
            versions: vec![&rustls::version::TLS12],
            ..Options::default()
        },
        &[leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
        String::new(),
    )
    .await;
    let app = spawn_app().await;
    let report = probe(&app, fixture.addr.port(), Some(&pki.root.cert_pem)).await;
    assert_eq!(versioned(&report), (false, true));
    let hs = &report["tls"]["handshakes"];
    // Issue 21: the wire scan found TLS 1.3 refused, so the TLS 1.3-only
    // handshake is not run again; its record says why.
    assert!(
        hs[0]["error"].as_str().unwrap().starts_with("not run"),
        "{hs}"
    );
    assert_eq!(report["tls"]["handshake"]["version"], "TLSv1.2");
    assert_eq!(report["tls"]["certificate"]["trusted"], true);
}

#[tokio::test]
async fn a_bad_ca_bundle_pem_names_the_field() {
    let app = spawn_app().await;
    let resp = app
        .post_probe(&json!({"host": "127.0.0.1", "port": 993, "ca_bundle_pem": "not PEM"}))
        .await;
    assert_eq!(resp.status(), 422);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["field"], "ca_bundle_pem", "{p}");
}

#[test]
fn an_unreadable_ca_bundle_exits_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .arg("openapi")
        .env("MAILPROBE_CA_BUNDLE", "/nonexistent/mailprobe-ca.pem")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("MAILPROBE_CA_BUNDLE"), "{err}");
}

/// An IMAP server on a plaintext port that upgrades with STARTTLS, serving
/// `chain` once upgraded. Other commands get a tagged OK; LOGOUT a BYE.
async fn serve_starttls(chain: Vec<Vec<u8>>, leaf: &Leaf) -> u16 {
    use std::sync::Arc;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    let certs = chain
        .into_iter()
        .map(rustls::pki_types::CertificateDer::from)
        .collect();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf.key_der.clone().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let mut io = BufReader::new(tcp);
                let greeting = b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n";
                if io.get_mut().write_all(greeting).await.is_err() {
                    return;
                }
                let mut line = String::new();
                loop {
                    line.clear();
                    match io.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let tag = line.split(' ').next().unwrap_or("*").to_string();
                    let upper = line.to_ascii_uppercase();
                    if upper.contains("STARTTLS") {
                        let ok = format!("{tag} OK Begin TLS negotiation now.\r\n");
                        if io.get_mut().write_all(ok.as_bytes()).await.is_err() {
                            return;
                        }
                        let _ = acceptor.accept(io.into_inner()).await;
                        return;
                    }
                    let reply = if upper.contains("LOGOUT") {
                        format!("* BYE\r\n{tag} OK LOGOUT completed.\r\n")
                    } else {
                        format!("{tag} OK done.\r\n")
                    };
                    if io.get_mut().write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn given_starttls_on_a_plaintext_port_then_both_versions_are_tried_after_the_upgrade() {
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let port = serve_starttls(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let app = spawn_app().await;
    let resp = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": port,
            "transport": "starttls",
            "sni": NAME,
            "ca_bundle_pem": pki.root.cert_pem,
        }))
        .await;
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["target"]["transport"], "starttls");
    assert_eq!(versioned(&report), (true, true), "{report}");
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trusted"], true, "{c}");
    assert_eq!(c["trust_store"], "request");
    assert_eq!(c["chain"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn given_a_plaintext_server_that_refuses_starttls_then_the_attempts_say_so() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = tcp.write_all(b"* OK no tls here\r\n").await;
                let mut buf = [0u8; 256];
                if let Ok(n) = tcp.read(&mut buf).await
                    && n > 0
                {
                    let _ = tcp.write_all(b"mp1 BAD unknown command\r\n").await;
                }
            });
        }
    });
    let app = spawn_app().await;
    let report: Value = app
        .post_probe(&json!({"host": "127.0.0.1", "port": port, "transport": "starttls"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versioned(&report), (false, false));
    let err = report["tls"]["handshakes"][0]["error"].as_str().unwrap();
    assert!(err.contains("STARTTLS"), "{err}");
    assert_eq!(report["tls"]["certificate"], Value::Null);
    let steps: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["step"].as_str())
        .collect();
    assert!(steps.contains(&"tls13_handshake"), "{steps:?}");
}

/// An implicit-TLS IMAP fixture that staples `ocsp` (both TLS versions).
async fn serve_with_staple(chain: Vec<Vec<u8>>, leaf: &Leaf, ocsp: Vec<u8>) -> u16 {
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let certs = chain
        .into_iter()
        .map(rustls::pki_types::CertificateDer::from)
        .collect();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf.key_der.clone().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert_with_ocsp(certs, key, ocsp)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = tls.write_all(b"* OK stapling fixture\r\n").await;
                let mut buf = [0u8; 256];
                while let Ok(n) = tls.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            });
        }
    });
    port
}

fn serial_of(der: &[u8]) -> Vec<u8> {
    use x509_parser::prelude::FromDer;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).unwrap();
    cert.tbs_certificate.raw_serial().to_vec()
}

#[tokio::test]
async fn given_a_stapled_revoked_response_then_revoked() {
    use mailprobe::tls::ocsp::build;
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let staple = build::response(&serial_of(&leaf.cert_der), &build::revoked());
    let port = serve_with_staple(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
        staple,
    )
    .await;
    let app = spawn_app().await;
    let report = probe(&app, port, Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["ocsp_stapled"], true, "{c}");
    assert_eq!(c["ocsp_status"], "revoked");
    assert_eq!(c["trusted"], false);
    assert_eq!(c["trust_reason"], "revoked");
    assert_eq!(c["trust_store"], "request");
    assert!(issues(c).contains(&"ocsp-staple-revoked".to_string()));
    assert_eq!(
        report["tls"]["handshakes"][0]["handshake"]["ocsp_stapled"],
        true
    );
    assert_eq!(
        report["tls"]["handshakes"][1]["handshake"]["ocsp_stapled"],
        true
    );
}

#[tokio::test]
async fn given_a_stapled_good_response_then_good_and_trusted() {
    use mailprobe::tls::ocsp::build;
    let pki = pki();
    let leaf = pki.intermediate.leaf(&[NAME]);
    let staple = build::response(&serial_of(&leaf.cert_der), &build::good());
    let port = serve_with_staple(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
        staple,
    )
    .await;
    let app = spawn_app().await;
    let c = probe(&app, port, Some(&pki.root.cert_pem)).await["tls"]["certificate"].clone();
    assert_eq!(c["ocsp_status"], "good", "{c}");
    assert_eq!(c["trusted"], true);
}

/// Given an Exchange 2010-like server (TLS 1.0 only), both real handshakes
/// are not run (issue 21: the wire scan found TLS 1.3 and 1.2 not accepted)
/// and their records say so. (Its chain, which travels in clear under TLS
/// 1.0, comes from the wire scanner; the analysis of a chain only the
/// scanner saw is unit-tested in `probe::real_tls`.)
#[tokio::test]
async fn given_a_tls10_only_server_then_both_real_handshakes_are_not_run_and_say_why() {
    let pki = pki();
    let leaf = rsa_leaf(&pki.intermediate, &[NAME]);
    let addr = openssl_server::start(
        &[leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf.key_pem,
        SslVersion::TLS1,
        SslVersion::TLS1,
    );
    // The fixture really speaks TLS 1.0 (OpenSSL as the client says so).
    let version = tokio::task::spawn_blocking(move || tls10_client_version(addr))
        .await
        .unwrap();
    assert_eq!(version, "TLSv1");
    let app = spawn_app().await;
    let report = probe(&app, addr.port(), Some(&pki.root.cert_pem)).await;
    assert_eq!(versioned(&report), (false, false), "{report}");
    for h in report["tls"]["handshakes"].as_array().unwrap() {
        let e = h["error"].as_str().unwrap();
        assert!(
            e.starts_with("not run") && e.contains("not accepted"),
            "{e}"
        );
        assert_eq!(h["certificate_presented"], false);
    }
    assert_eq!(report["tls"]["handshake"], Value::Null);
}

#[tokio::test]
async fn given_a_closed_port_then_versioned_attempts_do_not_repeat_the_connect_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app().await;
    let report = probe(&app, port, None).await;
    assert_eq!(versioned(&report), (false, false));
    let steps: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["step"].as_str())
        .collect();
    assert!(steps.contains(&"tcp_connect"), "{report}");
    assert!(
        !steps.contains(&"tls13_handshake") && !steps.contains(&"tls12_handshake"),
        "{report}"
    );
    assert!(
        report["tls"]["handshakes"][0]["error"]
            .as_str()
            .unwrap()
            .contains("refused")
    );
}

/// Picks the certificate by SNI: `by_name` when the client sent one,
/// `default` when it did not, as many servers with several names do.
#[derive(Debug)]
struct BySni {
    by_name: std::sync::Arc<rustls::sign::CertifiedKey>,
    default: std::sync::Arc<rustls::sign::CertifiedKey>,
}

impl rustls::server::ResolvesServerCert for BySni {
    fn resolve(
        &self,
        hello: rustls::server::ClientHello<'_>,
    ) -> Option<std::sync::Arc<rustls::sign::CertifiedKey>> {
        Some(if hello.server_name().is_some() {
            self.by_name.clone()
        } else {
            self.default.clone()
        })
    }
}

fn certified(chain: Vec<Vec<u8>>, leaf: &Leaf) -> std::sync::Arc<rustls::sign::CertifiedKey> {
    let provider = rustls::crypto::ring::default_provider();
    let key = provider
        .key_provider
        .load_private_key(rustls::pki_types::PrivateKeyDer::Pkcs8(
            leaf.key_der.clone().into(),
        ))
        .unwrap();
    std::sync::Arc::new(rustls::sign::CertifiedKey::new(
        chain.into_iter().map(Into::into).collect(),
        key,
    ))
}

#[tokio::test]
async fn given_a_server_that_picks_its_certificate_by_sni_then_the_chains_differ() {
    use std::sync::Arc;
    use tokio::io::AsyncWriteExt;

    let pki = pki();
    let named = pki.intermediate.leaf(&[NAME]);
    let fallback = pki.intermediate.leaf(&["default.invalid"]);
    let resolver = BySni {
        by_name: certified(
            vec![named.cert_der.clone(), pki.intermediate.cert_der.clone()],
            &named,
        ),
        default: certified(vec![fallback.cert_der.clone()], &fallback),
    };
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(resolver));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let _ = tls.write_all(b"* OK sni fixture\r\n").await;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    let app = spawn_app().await;
    let c = probe(&app, port, Some(&pki.root.cert_pem)).await["tls"]["certificate"].clone();
    // The analysed chain is the one the SNI clients see.
    assert_eq!(c["trusted"], true, "{c}");
    assert_eq!(c["chains_differ"], true, "{c}");
    assert!(issues(&c).contains(&"chain-differs-by-path".to_string()));
    let no_sni = c["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == "no_sni")
        .expect("no_sni path");
    assert_eq!(no_sni["chain_sha256"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_cli_takes_the_bundle_from_a_flag_and_prints_the_trust_line() {
    let pki = pki();
    let leaf = pki
        .intermediate
        .sign_leaf(params(&[NAME], -1, 30), KeyPair::generate().unwrap());
    let port = serve(
        vec![leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, &pki.root.cert_pem).unwrap();
    let target = format!("127.0.0.1:{port}");
    let out = tokio::task::spawn_blocking(move || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mailprobe"));
        for (k, _) in std::env::vars() {
            if k.starts_with("MAILPROBE_") {
                c.env_remove(k);
            }
        }
        c.args(["probe", &target, "--sni", NAME, "--ca-bundle"])
            .arg(&bundle)
            .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
            .env("MAILPROBE_ALLOW_PORTS", "*")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("certificate CN=mail.test, trusted (configured), 29 days left, EC 256"),
        "{text}"
    );
}

/// The acceptance case for a TLS 1.0-only server's certificate: its chain
/// travels in clear, the wire scanner (issue 3) reads it, and the analysis
/// runs on it. Needs the scanner to push its chain as the `scanner` path.
#[tokio::test]
async fn given_a_tls10_only_server_then_the_scanner_chain_gets_full_certificate_facts() {
    let pki = pki();
    let leaf = rsa_leaf(&pki.intermediate, &[NAME]);
    let addr = openssl_server::start(
        &[leaf.cert_der.clone(), pki.intermediate.cert_der.clone()],
        &leaf.key_pem,
        SslVersion::TLS1,
        SslVersion::TLS1,
    );
    let app = spawn_app().await;
    let report = probe(&app, addr.port(), Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["chain"].as_array().map(Vec::len), Some(2), "{report}");
    assert_eq!(c["chain"][0]["key_type"], "RSA");
    assert_eq!(c["chain"][0]["key_bits"], 2048);
    assert_eq!(c["name_match"], true);
    assert_eq!(c["trusted"], true);
    assert_eq!(c["trust_store"], "request");
    let paths: Vec<&str> = c["paths"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    // The legacy engine (issue 14) carried the dialogue and saw the same
    // chain as the scanner; the modern handshakes saw none.
    assert_eq!(paths, ["legacy", "scanner"]);
    assert_eq!(c["chains_differ"], false);
    assert_eq!(versioned(&report), (false, false));
}

/// Connects with OpenSSL offering TLS 1.0 only; returns the version spoken.
fn tls10_client_version(addr: std::net::SocketAddr) -> String {
    let mut b = openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls_client()).unwrap();
    b.set_security_level(0);
    b.set_min_proto_version(Some(SslVersion::TLS1)).unwrap();
    b.set_max_proto_version(Some(SslVersion::TLS1)).unwrap();
    b.set_cipher_list("ALL:@SECLEVEL=0").unwrap();
    b.set_verify(openssl::ssl::SslVerifyMode::NONE);
    let tcp = std::net::TcpStream::connect(addr).unwrap();
    let tls = b.build().connect(NAME, tcp).unwrap();
    tls.ssl().version_str().to_string()
}

/// An AuthorityInfoAccess extension with one caIssuers URI (RFC 5280 §4.2.2.1).
fn aia_ca_issuers(url: &str) -> rcgen::CustomExtension {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag, content.len() as u8];
        out.extend_from_slice(content);
        out
    }
    let method = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    let mut desc = method.to_vec();
    desc.extend(tlv(0x86, url.as_bytes()));
    let content = tlv(0x30, &tlv(0x30, &desc));
    rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], content)
}

/// A loopback HTTP server answering every request with `status` and `body`.
async fn http_serving(status: &'static str, body: Vec<u8>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut b = [0u8; 2048];
                let _ = s.read(&mut b).await;
                let mut reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                reply.extend_from_slice(&body);
                let _ = s.write_all(&reply).await;
            });
        }
    });
    port
}

fn client_in<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["profile"] == id)
        .unwrap()
}

/// A leaf served alone whose intermediate is reachable only through its AIA
/// caIssuers URL: the probe fetches it under the target policy, as SChannel
/// would; Exchange Online (SChannel) builds the path, Java does not.
#[tokio::test]
async fn given_an_intermediate_reachable_only_through_aia_then_schannel_builds_the_path() {
    let pki = pki();
    let aia_port = http_serving("200 OK", pki.intermediate.cert_der.clone()).await;
    let url = format!("http://127.0.0.1:{aia_port}/intermediate.der");
    let mut p = CertificateParams::new(vec![NAME.to_string()]).expect("params");
    p.custom_extensions.push(aia_ca_issuers(&url));
    let leaf = pki
        .intermediate
        .sign_leaf(p, rcgen::KeyPair::generate().unwrap());
    let port = serve(vec![leaf.cert_der.clone()], &leaf).await;
    let app = spawn_app().await;
    let report = probe(&app, port, Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["trust_reason"], "incomplete_chain", "{c}");
    assert_eq!(c["aia_ca_issuers"], url.as_str(), "{c}");
    assert_eq!(c["aia_completes_chain"], true, "{c}");
    let exo = client_in(&report, "exchange-online");
    assert!(!exo["risks"].to_string().contains("AIA"), "{exo:#}");
    let java = client_in(&report, "java-17");
    assert_ne!(java["status"], "connects", "{java:#}");
    assert!(
        java["reason"]
            .to_string()
            .contains("does not fetch missing intermediates"),
        "{java:#}"
    );

    // The same leaf whose AIA URL answers 404: the path is not built.
    let dead_port = http_serving("404 Not Found", Vec::new()).await;
    let dead = format!("http://127.0.0.1:{dead_port}/gone.der");
    let mut p = CertificateParams::new(vec![NAME.to_string()]).expect("params");
    p.custom_extensions.push(aia_ca_issuers(&dead));
    let leaf = pki
        .intermediate
        .sign_leaf(p, rcgen::KeyPair::generate().unwrap());
    let port = serve(vec![leaf.cert_der.clone()], &leaf).await;
    let report = probe(&app, port, Some(&pki.root.cert_pem)).await;
    let c = &report["tls"]["certificate"];
    assert_eq!(c["aia_completes_chain"], false, "{c}");
    assert!(c["aia_error"].as_str().unwrap().contains("404"), "{c}");
    let exo = client_in(&report, "exchange-online");
    assert_ne!(exo["status"], "connects", "{exo:#}");
    assert!(
        exo["risks"]
            .to_string()
            .contains("does not complete the path"),
        "{exo:#}"
    );
}
