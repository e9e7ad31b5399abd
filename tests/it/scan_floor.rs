//! A refused hello settles the versions below it too (issue 21): a server
//! speaking one of them on a suite in the list would have answered with
//! it (RFC 5246 Appendix E.1), so a server whose lowest version is TLS 1.2
//! and that refuses silently (Dovecot: no `protocol_version` alert to say
//! so) costs one hello below TLS 1.2, not three. Real OpenSSL servers
//! behind the hello-logging proxy of `scan`.

use mailprobe::report::TlsVersion;
use mailprobe::tls::scan::ScanResult;
use openssl::ssl::SslVersion;

use crate::scan::{SeenHello, hello_proxy};
use crate::support::openssl_server::{Config, OpensslServer, Profile};
use crate::support::scans::{patient_endpoint, patient_scan};

async fn scan_logged(server: &OpensslServer) -> (ScanResult, Vec<SeenHello>) {
    let upstream = std::net::SocketAddr::from(([127, 0, 0, 1], server.port()));
    let (proxy, seen) = hello_proxy(upstream, false).await;
    let result = patient_scan(&patient_endpoint(proxy, 4)).await;
    let hellos = seen.lock().unwrap().clone();
    (result, hellos)
}

fn offered(result: &ScanResult, v: TlsVersion) -> Option<bool> {
    result.version(v).and_then(|x| x.offered)
}

/// How many TLS hellos offered at most `version` (record-layer hellos;
/// the SSLv2 hello says 0x0002).
fn hellos_at(hellos: &[SeenHello], version: u16) -> usize {
    hellos.iter().filter(|h| h.version == version).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_silent_refusal_below_tls12_settles_every_version_below() {
    // Given a TLS 1.2 + 1.3 server that refuses silently, as Dovecot does
    let server = OpensslServer::start(Config {
        silent_refusal: true,
        ..Profile::Modern.config()
    });
    let (result, hellos) = scan_logged(&server).await;
    // Then TLS 1.2 and 1.3 are found, TLS 1.1, 1.0 and SSLv3 refused
    let why = format!("{:?} {:?}", result.errors, result.answers);
    assert_eq!(offered(&result, TlsVersion::Tls12), Some(true), "{why}");
    assert_eq!(offered(&result, TlsVersion::Tls13), Some(true), "{why}");
    for v in [TlsVersion::Tls11, TlsVersion::Tls10, TlsVersion::Ssl3] {
        assert_eq!(offered(&result, v), Some(false), "{v}");
    }
    // And only TLS 1.1 had a hello of its own: its refusal covers the rest
    assert_eq!(hellos_at(&hellos, 0x0302), 1, "{hellos:?}");
    assert_eq!(hellos_at(&hellos, 0x0301), 0, "{hellos:?}");
    assert_eq!(hellos_at(&hellos, 0x0300), 0, "{hellos:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_below_a_refusal_is_still_found_when_it_is_spoken() {
    // Given a TLS 1.1-only server that refuses silently
    let server = OpensslServer::start(Config {
        silent_refusal: true,
        ..Profile::Tls11Only.config()
    });
    let (result, hellos) = scan_logged(&server).await;
    // Then TLS 1.1 is found (the TLS 1.2 hello is answered with it) and
    // TLS 1.0's silent refusal settles SSLv3 without a hello
    assert_eq!(offered(&result, TlsVersion::Tls11), Some(true));
    for v in [TlsVersion::Tls12, TlsVersion::Tls10, TlsVersion::Ssl3] {
        assert_eq!(offered(&result, v), Some(false), "{v}");
    }
    assert_eq!(hellos_at(&hellos, 0x0301), 1, "{hellos:?}");
    assert_eq!(hellos_at(&hellos, 0x0300), 0, "{hellos:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preference_question_rides_in_the_elimination_of_a_client_order_server() {
    for server_preference in [false, true] {
        // Given a server speaking TLS 1.0 to 1.2 with three suites, whose
        // TLS 1.0 preference is asked beside its elimination (TLS 1.0 is
        // not the highest version: no group hello asks it)
        let server = OpensslServer::start(Config {
            min: openssl::ssl::SslVersion::TLS1,
            max: openssl::ssl::SslVersion::TLS1_2,
            cipher_list: "ECDHE-RSA-AES128-SHA:AES256-SHA:AES128-SHA",
            server_preference,
            ..Profile::Exchange2010.config()
        });
        let (result, hellos) = scan_logged(&server).await;
        // Then TLS 1.0's three suites and the server's order are found
        let tls10 = result.version(TlsVersion::Tls10).expect("TLS 1.0");
        assert_eq!(tls10.suites.len(), 3, "pref {server_preference}");
        assert_eq!(tls10.server_preference, Some(server_preference));
        let pair_hellos = hellos
            .iter()
            .filter(|h| h.version == 0x0301 && h.suites == 2)
            .count();
        if !server_preference {
            // And a server that follows the client gets no hello of its own
            // for the question (the two suites reversed): the elimination's
            // next hello asked it and found the third suite
            assert_eq!(pair_hellos, 0, "{hellos:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_speaks_tls13_is_not_asked_about_sslv2() {
    for max in [SslVersion::TLS1_3, SslVersion::TLS1_2] {
        // Given a server that speaks TLS 1.3 (no TLS 1.3 stack speaks SSL
        // 2.0: `scan::ssl2`), and the same server capped at TLS 1.2
        let server = OpensslServer::start(Config {
            max,
            ..Profile::Modern.config()
        });
        let (result, hellos) = scan_logged(&server).await;
        // Then SSLv2 is not accepted either way, and asked only of the
        // server without TLS 1.3
        let tls13 = max == SslVersion::TLS1_3;
        assert_eq!(offered(&result, TlsVersion::Tls13), Some(tls13));
        assert_eq!(offered(&result, TlsVersion::Ssl2), Some(false), "{max:?}");
        let asked = usize::from(!tls13);
        assert_eq!(hellos_at(&hellos, 0x0002), asked, "{max:?}: {hellos:?}");
    }
}
