//! The curves below TLS 1.3 (issue 21): the two that nearly every ECDHE
//! server takes are asked one hello each, beside the elimination of the
//! others, so the chain of dependent hellos is two links shorter and no
//! longer than the suites' own, for the same connections and the same
//! curves. A real OpenSSL server behind the timing proxy of `scan_tls13`.

use std::collections::BTreeSet;

use openssl::ssl::SslVersion;

use crate::scan_split::scan_through_proxy;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_curves_at_tls10_take_four_dependent_hellos_not_six() {
    for server_preference in [true, false] {
        // Given a TLS 1.0-only server with two ECDHE suites and five curves
        let server = server(server_preference);
        let (result, chain) = scan_through_proxy(&server, 4).await;
        let connections = result.connections;
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
