//! A long elimination split in two (issue 21): once the preference hello
//! proves that the server follows the client, half of what is left goes to
//! a second chain, so the elimination takes about half the dependent
//! hellos, and finds the same suites in the same (offer) order. A real
//! OpenSSL server behind the timing proxy of `scan_tls13`.

use mailprobe::report::TlsVersion;
use mailprobe::tls::scan::ScanResult;

use crate::scan_tls13::{ANSWER_DELAY, longest_chain, timing_proxy};
use crate::support::openssl_server::{Config, OpensslServer, Profile};
use crate::support::scans::{patient_endpoint, patient_scan};

/// Thirteen TLS 1.2 suites (a list long enough to split: more than
/// `SPLIT_AFTER`, seven); TLS 1.3 with one suite and one group, so that the
/// TLS 1.2 elimination is the long chain.
const SUITES: &str = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA";

fn server(server_preference: bool, silent: bool) -> OpensslServer {
    OpensslServer::start(Config {
        cipher_list: SUITES,
        ciphersuites: Some("TLS_AES_128_GCM_SHA256"),
        groups: Some("X25519"),
        server_preference,
        silent_refusal: silent,
        ..Profile::Modern.config()
    })
}

/// The scan of `server` through the timing proxy at a cap of `cap`, and
/// the longest chain of dependent hellos it took.
pub(crate) async fn scan_through_proxy(server: &OpensslServer, cap: usize) -> (ScanResult, usize) {
    let upstream = std::net::SocketAddr::from(([127, 0, 0, 1], server.port()));
    let (proxy, spans) = timing_proxy(upstream).await;
    let result = patient_scan(&patient_endpoint(proxy, cap)).await;
    tokio::time::sleep(ANSWER_DELAY * 2).await;
    let chain = longest_chain(&spans.lock().unwrap());
    (result, chain)
}

fn tls12(r: &ScanResult) -> (Vec<String>, Option<bool>) {
    let v = r.version(TlsVersion::Tls12).expect("TLS 1.2 listed");
    (
        v.suites
            .iter()
            .filter_map(|s| s.openssl_name.clone())
            .collect(),
        v.server_preference,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_order_server_gets_two_chains_and_the_same_suites() {
    for silent in [false, true] {
        // Given a server that follows the client, with thirteen TLS 1.2 suites
        let server = server(false, silent);
        // When it is scanned at the default cap (split) and at a cap of 3 (one chain)
        let (split, split_chain) = scan_through_proxy(&server, 4).await;
        let (single, single_chain) = scan_through_proxy(&server, 3).await;
        // Then both find the thirteen suites, in the same order, client order
        let (suites, pref) = tls12(&split);
        assert_eq!(suites.len(), 13, "silent {silent}: {suites:?}");
        let mut want: Vec<&str> = SUITES.split(':').collect();
        want.sort_unstable();
        let mut got: Vec<&str> = suites.iter().map(String::as_str).collect();
        got.sort_unstable();
        assert_eq!(got, want, "silent {silent}");
        assert_eq!(pref, Some(false), "silent {silent}");
        assert_eq!(tls12(&single), (suites, pref), "silent {silent}");
        assert!(split.errors.is_empty(), "{:?}", split.errors);
        // One chain: the descent's hello, twelve more picks and a refusal,
        // fourteen in a row; split once seven suites are found
        // (`SPLIT_AFTER`): seven, then three picks and a refusal on each
        // half, eleven. (A silent refusal needs no retry without DHE: the
        // server follows the client, and DHE comes last.)
        let most = 11;
        assert!(
            split_chain <= most && single_chain >= 14,
            "silent {silent}: {split_chain} dependent hellos (one chain at a cap of 3: {single_chain})"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_its_own_order_keeps_one_chain_and_its_order() {
    let server = server(true, false);
    let (result, _) = scan_through_proxy(&server, 4).await;
    let (suites, pref) = tls12(&result);
    assert_eq!(pref, Some(true));
    // OpenSSL's own order over the configured list: the list's order.
    let want: Vec<String> = SUITES.split(':').map(str::to_string).collect();
    assert_eq!(suites, want);
}
