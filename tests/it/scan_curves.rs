//! The curves below TLS 1.3 (issue 21): the two that nearly every ECDHE
//! server takes are asked one hello each, beside the elimination of the
//! others, so the chain of dependent hellos is two links shorter and no
//! longer than the suites' own, for the same connections and the same
//! curves. A real OpenSSL server behind the timing proxy of `scan_tls13`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use mailprobe::net::{Connector, Meter};
use mailprobe::report::{Protocol, Transport};
use mailprobe::tls::scan::{self, Endpoint, ScanOptions, ScanResult};
use mailprobe::vocab::Deadline;
use openssl::ssl::SslVersion;

use crate::scan_tls13::{ANSWER_DELAY, longest_chain, timing_proxy};
use crate::support::openssl_server::{Config, OpensslServer, Profile};

/// TLS 1.0 only with two ECDHE suites and five curves: the suites take
/// three dependent hellos, the curves took six in one chain.
fn server(server_preference: bool) -> OpensslServer {
    OpensslServer::start(Config {
        min: SslVersion::TLS1,
        max: SslVersion::TLS1,
        cipher_list: "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA",
        groups: Some("X25519:P-256:X448:P-521:P-384"),
        server_preference,
        ..Profile::Exchange2010.config()
    })
}

async fn scan_through_proxy(server: &OpensslServer) -> (ScanResult, usize, u32) {
    let upstream = std::net::SocketAddr::from(([127, 0, 0, 1], server.port()));
    let (proxy, spans) = timing_proxy(upstream).await;
    let connector = Connector::new(vec![proxy], 4, Arc::new(Meter::default()));
    let mut ep = Endpoint::new(connector, Protocol::Imap, Transport::Implicit);
    // Hellos are counted, not time: a starved machine must not turn a slow
    // answer into "no answer".
    ep.hello_timeout = Duration::from_secs(20);
    let result = scan::scan(
        &ep,
        &ScanOptions::full(None),
        Deadline::after(Duration::from_secs(60)),
    )
    .await;
    tokio::time::sleep(ANSWER_DELAY * 2).await;
    let chain = longest_chain(&spans.lock().unwrap());
    let connections = result.connections;
    (result, chain, connections)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_curves_at_tls10_take_four_dependent_hellos_not_six() {
    for server_preference in [true, false] {
        // Given a TLS 1.0-only server with two ECDHE suites and five curves
        let server = server(server_preference);
        let (result, chain, connections) = scan_through_proxy(&server).await;
        // Then all five curves are found, the server's favourite first
        let got: BTreeSet<u16> = result.groups.iter().copied().collect();
        let want = BTreeSet::from([0x001D, 0x0017, 0x001E, 0x0019, 0x0018]);
        assert_eq!(got, want, "pref {server_preference}: {:?}", result.groups);
        assert_eq!(result.groups.first(), Some(&0x001D));
        // And the suites and the server's order as configured
        let v = result
            .version(mailprobe::report::TlsVersion::Tls10)
            .expect("TLS 1.0");
        assert_eq!(v.suites.len(), 2);
        assert_eq!(v.server_preference, Some(server_preference));
        // With the descent's hello, two curve hellos and a refusal in the
        // longest chain (one chain took the descent's, four picks and a
        // refusal); each curve still costs one connection (11 in all, as
        // with one chain)
        assert!(chain <= 4, "pref {server_preference}: chain of {chain}");
        assert!(connections <= 11, "pref {server_preference}: {connections}");
    }
}
