//! A whole wire scan of one loopback address for tests that count hellos,
//! not time: a machine starved by the tests beside one (CI once saw such a
//! scan run long) must not turn a slow answer into "no answer", so one
//! hello may wait 20 s and the scan 60 s.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mailprobe::net::{Connector, Meter};
use mailprobe::report::{Protocol, Transport};
use mailprobe::tls::scan::{self, Endpoint, ScanOptions, ScanResult};
use mailprobe::vocab::Deadline;

/// An implicit-TLS endpoint at `addr` with `cap` connections at once.
pub fn patient_endpoint(addr: SocketAddr, cap: usize) -> Endpoint {
    let connector = Connector::new(vec![addr], cap, Arc::new(Meter::default()));
    let mut ep = Endpoint::new(connector, Protocol::Imap, Transport::Implicit);
    ep.hello_timeout = Duration::from_secs(20);
    ep
}

/// The full scan of `ep`.
pub async fn patient_scan(ep: &Endpoint) -> ScanResult {
    scan::scan(
        ep,
        &ScanOptions::full(None),
        Deadline::after(Duration::from_secs(60)),
    )
    .await
}
