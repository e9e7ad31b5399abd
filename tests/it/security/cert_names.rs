//! Item 2: names from a certificate are any UTF-8 (x509-parser passes it
//! through). The old `label[..4]` in `tls/name.rs` panicked on a wildcard
//! label with a multi-byte character across byte 4 (`ab€*`), killing the
//! probe — and with it a batch or a readiness stream.

use mailprobe::tls::cert::PresentedIds;
use mailprobe::tls::name::{ReferenceId, check, dns_matches, srv_id_matches};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::pki::Ca;
use crate::support::rustls_server::{self, Options};

/// A name made of labels of arbitrary Unicode (wildcards and dots likely).
fn unicode_name() -> impl Strategy<Value = String> {
    prop::collection::vec("[\\PC*]{0,7}", 1..5).prop_map(|labels| labels.join("."))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A wildcard label of arbitrary Unicode over a shared ASCII suffix
    /// reaches the label comparison (where the panic was).
    #[test]
    fn wildcard_labels_of_any_unicode_never_panic(
        pattern_label in "\\PC{0,4}\\*\\PC{0,4}",
        reference_label in "\\PC{1,8}",
    ) {
        let pattern = format!("{pattern_label}.example.com");
        let reference = format!("{reference_label}.example.com");
        let matched = dns_matches(&pattern, &reference);
        // A non-ASCII name is no DNS name: it never matches.
        if !pattern.is_ascii() || !reference.is_ascii() {
            prop_assert!(!matched);
        }
    }

    #[test]
    fn arbitrary_names_and_patterns_never_panic(
        pattern in unicode_name(),
        reference in unicode_name(),
        service in "\\PC{0,6}",
    ) {
        let _ = dns_matches(&pattern, &reference);
        let _ = srv_id_matches(&pattern, &service, &reference);
        let presented = PresentedIds {
            dns: vec![pattern.clone()],
            common_names: vec![pattern.clone()],
            srv: vec![pattern.clone()],
            ..PresentedIds::default()
        };
        let _ = check(&ReferenceId::Dns(reference.clone()), &presented);
        let _ = mailprobe::tls::name::check_source_domain(&reference, Some(&service), &presented);
        // An ASCII name still matches itself, whatever else was tried.
        if pattern.is_ascii() && !pattern.contains('*') && !pattern.trim_end_matches('.').is_empty()
            && pattern.parse::<std::net::IpAddr>().is_err()
        {
            prop_assert!(dns_matches(&pattern, &pattern.to_ascii_uppercase()));
        }
    }
}

/// Given a TLS server whose certificate names `ab€*.example.com` (a UTF-8
/// dNSName, which rcgen refuses to write, so the SAN is encoded by hand),
/// when a probe checks it against `mail.example.com`, then the answer is a
/// 200 Report saying the name does not match — not a dropped connection.
#[tokio::test]
async fn a_certificate_with_a_multi_byte_wildcard_name_gives_a_report() {
    let root = Ca::root("hostile names root");
    let leaf = root.leaf_with_srv_ids(&["ab€*.example.com", "xx€.example.com"], &[]);
    let server = rustls_server::start_with_leaf(
        Options::default(),
        std::slice::from_ref(&leaf.cert_der),
        &leaf,
        root.cert_pem.clone(),
    )
    .await;
    let app = spawn_app().await;
    let res = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": server.addr.port(),
            "protocol": "imap",
            "transport": "implicit",
            "sni": "mail.example.com",
            "timeout_ms": 10_000,
        }))
        .await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.expect("a Report");
    assert_eq!(
        report["tls"]["certificate"]["name_match"], false,
        "{report}"
    );
}
