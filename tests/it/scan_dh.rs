//! A server with DHE suites in its list but no DH parameters (Dovecot 2.3
//! without `ssl_dh`): OpenSSL offers DHE, fails when it picks it, and the
//! client sees a close (Dovecot) or an `internal_error` alert (OpenSSL
//! itself). Clients negotiate TLS 1.2 with it fine on the other suites, so
//! the scan must find the version and those suites.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use mailprobe::net::{Connector, Meter};
use mailprobe::report::{Protocol, TlsVersion, Transport};
use mailprobe::tls::scan::{self, Endpoint, ScanOptions, ScanResult};
use mailprobe::vocab::Deadline;
use openssl::ssl::SslVersion;

use crate::support::openssl_server::{Config, OpensslServer, Profile};
use crate::support::scans::{patient_endpoint, patient_scan};

const SUITES: &str = "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA";

fn server(server_preference: bool, silent: bool) -> OpensslServer {
    OpensslServer::start(Config {
        min: SslVersion::TLS1_2,
        max: SslVersion::TLS1_2,
        cipher_list: SUITES,
        server_preference,
        dh_params_missing: true,
        silent_refusal: silent,
        ..Profile::Modern.config()
    })
}

async fn scan_of(server: &OpensslServer) -> ScanResult {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], server.port()));
    let meter = Arc::new(Meter::default());
    let connector = Connector::new(vec![addr], 4, meter);
    let ep = Endpoint::new(connector, Protocol::Imap, Transport::Implicit);
    scan::scan(
        &ep,
        &ScanOptions::full(None),
        Deadline::after(Duration::from_secs(20)),
    )
    .await
}

fn tls12(result: &ScanResult) -> (Option<bool>, BTreeSet<String>) {
    let v = result
        .versions
        .iter()
        .find(|v| v.version == TlsVersion::Tls12)
        .expect("TLS 1.2 in the result");
    (
        v.offered,
        v.suites
            .iter()
            .filter_map(|s| s.openssl_name.clone())
            .collect(),
    )
}

fn usable() -> BTreeSet<String> {
    ["ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA"]
        .into_iter()
        .map(String::from)
        .collect()
}

/// The whole-list hello: the server picks DHE first (its own order) and
/// closes silently, as Dovecot does.
#[tokio::test]
async fn silent_close_on_a_dhe_pick_is_not_a_refused_version() {
    let srv = server(true, true);
    let (offered, found) = tls12(&scan_of(&srv).await);
    assert_eq!(offered, Some(true), "TLS 1.2 read as not accepted");
    assert_eq!(found, usable());
}

/// OpenSSL on its own socket writes its ServerHello (choosing DHE) before
/// it fails with `internal_error`: the pick is seen, and the elimination
/// goes on past it.
#[tokio::test]
async fn internal_error_after_a_dhe_pick_keeps_the_other_suites() {
    let srv = server(true, false);
    let (offered, found) = tls12(&scan_of(&srv).await);
    assert_eq!(offered, Some(true), "TLS 1.2 read as not accepted");
    assert!(found.is_superset(&usable()), "{found:?}");
}

/// A server that follows the client: the DHE pick comes in the middle of
/// the elimination and must not end it early.
#[tokio::test]
async fn silent_close_mid_elimination_does_not_truncate_the_suites() {
    let srv = server(false, true);
    let (offered, found) = tls12(&scan_of(&srv).await);
    assert_eq!(offered, Some(true));
    assert_eq!(found, usable());
}

/// A server that refuses silently is asked once whether DHE can be
/// negotiated at all (`scan::dhe`); its answer replaces the retries without
/// DHE. One that says why it refuses (an alert) is not asked.
#[tokio::test]
async fn the_dhe_question_goes_to_silent_refusers_only() {
    use mailprobe::tls::scan::dhe::DheKnown;
    let scan_endpoint = |srv: &OpensslServer| {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], srv.port()));
        let connector = Connector::new(vec![addr], 4, Arc::new(Meter::default()));
        Endpoint::new(connector, Protocol::Imap, Transport::Implicit)
    };
    let deadline = || Deadline::after(Duration::from_secs(20));
    // Given servers with DHE in their list and no parameters: silent, then alerting
    for (silent, want) in [(true, DheKnown::Known(false)), (false, DheKnown::NotAsked)] {
        let srv = server(false, silent);
        let ep = scan_endpoint(&srv);
        let result = scan::scan(&ep, &ScanOptions::full(None), deadline()).await;
        assert_eq!(ep.dhe(), want, "silent {silent}");
        // (OpenSSL's own socket writes the DHE ServerHello before failing:
        // that pick is seen, see above.)
        assert!(tls12(&result).1.is_superset(&usable()), "silent {silent}");
    }
    // Given a silent server whose DHE works (it has parameters)
    let srv = OpensslServer::start(Config {
        min: SslVersion::TLS1_2,
        max: SslVersion::TLS1_2,
        cipher_list: SUITES,
        server_preference: false,
        silent_refusal: true,
        dh_1024: true,
        security_level: 0,
        ..Profile::Modern.config()
    });
    let ep = scan_endpoint(&srv);
    let result = scan::scan(&ep, &ScanOptions::full(None), deadline()).await;
    assert_eq!(ep.dhe(), DheKnown::Known(true));
    let (_, found) = tls12(&result);
    let want: BTreeSet<String> = SUITES.split(':').map(String::from).collect();
    assert_eq!(found, want);
    assert_eq!(result.dh_bits, Some(1024));
}

/// Two ECDHE suites, so that the group scan's first hello proves the
/// server's order; DHE first in the server's list.
const TWO_ECDHE: &str =
    "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA";

/// A silent server that follows the client is not asked the DHE question:
/// lists put DHE last, so a silent refusal says nothing else is left
/// (issue 21). One with its own order still is.
#[tokio::test]
async fn a_server_that_follows_the_client_gets_dhe_last_instead_of_the_question() {
    use mailprobe::tls::scan::dhe::DheKnown;
    let start = |server_preference: bool, dh_1024: bool| {
        OpensslServer::start(Config {
            min: SslVersion::TLS1_2,
            max: SslVersion::TLS1_2,
            cipher_list: TWO_ECDHE,
            server_preference,
            dh_params_missing: !dh_1024,
            dh_1024,
            security_level: 0,
            silent_refusal: true,
            ..Profile::Modern.config()
        })
    };
    // The DHE state the scan of a fresh server ended with, and the result.
    let scan_fresh = async |server_preference: bool, dh_1024: bool| {
        let srv = start(server_preference, dh_1024);
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], srv.port()));
        let ep = patient_endpoint(addr, 4);
        let result = patient_scan(&ep).await;
        (ep.dhe(), result)
    };
    let names = |r: &ScanResult| -> Vec<String> {
        let v = r.versions.iter().find(|v| v.version == TlsVersion::Tls12);
        v.map(|v| {
            v.suites
                .iter()
                .filter_map(|s| s.openssl_name.clone())
                .collect()
        })
        .unwrap_or_default()
    };
    // Given a silent server that follows the client, DHE without parameters
    let (dhe, result) = scan_fresh(false, false).await;
    // Then no question, and the three other suites, in offer order
    assert_eq!(dhe, DheKnown::Ordered);
    assert_eq!(
        names(&result),
        [
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "AES128-SHA"
        ]
    );
    // Given the same server with working DHE (1024-bit parameters)
    let (dhe, result) = scan_fresh(false, true).await;
    // Then the DHE suite is found too, listed in the offer order (ECDHE,
    // then RSA key transport, then DHE)
    assert_eq!(dhe, DheKnown::Ordered);
    assert_eq!(
        names(&result),
        [
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "AES128-SHA",
            "DHE-RSA-AES128-GCM-SHA256"
        ]
    );
    assert_eq!(result.dh_bits, Some(1024));
    // Given a silent server with its own order, DHE without parameters
    let (dhe, result) = scan_fresh(true, false).await;
    // Then it is asked, and the other three suites are found
    assert_eq!(dhe, DheKnown::Known(false));
    let found: BTreeSet<String> = names(&result).into_iter().collect();
    assert_eq!(found.len(), 3, "{found:?}");
}

/// Given a server that sizes DH by the suite, as OpenSSL's automatic DH does
/// on Postfix's defaults (`smtpd_tls_ciphers = medium` lets anonymous suites
/// in): ADH-AES128-SHA gets a 1024-bit group, DHE-RSA-AES128-SHA 2048 bits.
/// When scanned, both suites are found and the server's DH size is the
/// authenticated suite's: no client offers an anonymous one (a real Postfix
/// 3.7 read as 1024 bits, WEAK_DH, where sslyze sees 2048).
#[tokio::test]
async fn an_anonymous_suites_smaller_group_is_not_the_servers_dh_size() {
    let srv = OpensslServer::start(Config {
        min: SslVersion::TLS1_2,
        max: SslVersion::TLS1_2,
        cipher_list: "DHE-RSA-AES128-SHA:ADH-AES128-SHA",
        dh_by_suite: true,
        security_level: 0,
        ..Profile::Modern.config()
    });
    let result = scan_of(&srv).await;
    let (offered, found) = tls12(&result);
    assert_eq!(offered, Some(true));
    let want: BTreeSet<String> = ["DHE-RSA-AES128-SHA", "ADH-AES128-SHA"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, want);
    assert_eq!(result.dh_bits, Some(2048));
}
