//! The real-handshake probe steps: one rustls handshake offering only TLS
//! 1.3 and one offering only TLS 1.2, each on its own connection (through
//! the STARTTLS prelude when the transport needs it), and one without SNI.
//! An engine: it returns what each handshake saw (the attempt, the chain as
//! DER, the stapled OCSP response); the pipeline ([`super::certificate`])
//! records it and judges the chains.

use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;

use crate::tls::handshake::{self, Handshake, HandshakeError, Offer};
use crate::tls::scan::{self, Endpoint, ExchangeError, Settled};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, TlsVersion};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use utoipa::ToSchema;

/// One versioned handshake may take at most this long (connect, prelude and
/// handshake together), within the probe's deadline.
const HANDSHAKE_STEP_TIMEOUT: Duration = Duration::from_secs(15);

/// What one versioned handshake observed.
#[derive(Debug, Clone)]
pub struct HandshakeRun {
    pub attempt: HandshakeAttempt,
    pub chain: Vec<Vec<u8>>,
    pub ocsp: Option<Vec<u8>>,
    /// A step error (timeout, connect failure, prelude failure), as opposed
    /// to the server refusing the version, which is a fact in `attempt`.
    pub step_error: Option<(ErrorKind, String)>,
    /// The TCP connect itself failed.
    pub connect_failed: bool,
    /// When the TLS handshake itself began (after connect and prelude).
    pub handshake_started: Option<Instant>,
}

/// What the real-handshake steps observed.
#[derive(Debug, Clone, Default)]
pub struct RealHandshakes {
    /// TLS 1.3 only, then TLS 1.2 only.
    pub versioned: Vec<HandshakeRun>,
    /// A modern handshake that sends no SNI (only when the probe has one):
    /// servers that pick their certificate by SNI may show clients without
    /// it (older mail clients and libraries) a different, default one.
    pub without_sni: Option<HandshakeRun>,
}

/// What the pipeline tells the handshakes: which name to present (the
/// endpoint they connect through knows how to reach the TLS layer).
#[derive(Debug, Clone)]
pub struct HandshakeTarget {
    /// The name sent as SNI (an IP address sends none).
    pub server_name: ServerName<'static>,
    /// Also run a modern handshake that sends no SNI (the probe has one).
    pub without_sni: bool,
}

/// Runs the TLS 1.3-only and TLS 1.2-only handshakes, and the one without
/// SNI, concurrently, each connecting through the scan's `endpoint` (its
/// STARTTLS prelude, retries and busy hold-off: `scan::oneshot::open`).
/// Each versioned one first waits for the wire scan's
/// answer about its version (one hello, usually the scan's first): a version
/// the scan found not accepted is not tried again, and its record says so.
/// The one without SNI runs when TLS 1.2 or 1.3 is accepted (or unknown).
/// A versioned handshake of the version the mail dialogue's modern
/// handshake negotiated (the highest the server speaks) is not repeated:
/// the same client, the same name, the same answer; its record is that
/// handshake's (issue 21: one connection fewer on every TLS 1.2+ server).
pub async fn versioned_handshakes(
    spec: &HandshakeTarget,
    endpoint: &Endpoint,
    (scan, modern): (watch::Receiver<Settled>, Modern),
    deadline: Deadline,
) -> RealHandshakes {
    let no_sni = async {
        if spec.without_sni {
            let (a, b) = tokio::join!(
                scan_says(scan.clone(), TlsVersion::Tls13),
                scan_says(scan.clone(), TlsVersion::Tls12)
            );
            if a == Some(false) && b == Some(false) {
                return None;
            }
            Some(one_handshake(spec, endpoint, deadline, Offer::Modern, false).await)
        } else {
            None
        }
    };
    let versioned = |offer: Offer, v: TlsVersion| {
        let scan = scan.clone();
        let modern = modern.clone();
        async move {
            match scan_says(scan.clone(), v).await {
                Some(false) => return not_run(v),
                Some(true) => {
                    // The modern handshake negotiates `v` when nothing
                    // above it is spoken.
                    let highest = v == TlsVersion::Tls13
                        || scan_says(scan, TlsVersion::Tls13).await == Some(false);
                    if highest && let Some(run) = reused(modern, v, deadline).await {
                        return run;
                    }
                }
                None => {}
            }
            one_handshake(spec, endpoint, deadline, offer, true).await
        }
    };
    let (v13, v12, without_sni) = tokio::join!(
        versioned(Offer::Tls13Only, TlsVersion::Tls13),
        versioned(Offer::Tls12Only, TlsVersion::Tls12),
        no_sni,
    );
    RealHandshakes {
        versioned: vec![v13, v12],
        without_sni,
    }
}

/// The mail dialogue's modern handshake (see `mail::dialogue::ModernSeen`).
pub type Modern = watch::Receiver<Option<Option<crate::mail::dialogue::ModernHandshake>>>;

/// The modern handshake's record as `v`'s versioned one, when it completed
/// with `v`; `None` (run one) otherwise.
async fn reused(mut modern: Modern, v: TlsVersion, deadline: Deadline) -> Option<HandshakeRun> {
    let done = deadline
        .run(modern.wait_for(Option::is_some))
        .await
        .ok()?
        .ok()?
        .clone()
        .flatten()?;
    if done.handshake.version != v {
        return None;
    }
    Some(HandshakeRun {
        attempt: HandshakeAttempt {
            offered: v,
            ok: true,
            handshake: Some(done.handshake),
            error: None,
            certificate_presented: !done.presented.chain.is_empty(),
        },
        chain: done.presented.chain,
        ocsp: done.presented.ocsp_response,
        step_error: None,
        connect_failed: false,
        handshake_started: None,
    })
}

/// What the scan settled about `v`: waits until it knows or is over.
async fn scan_says(mut scan: watch::Receiver<Settled>, v: TlsVersion) -> Option<bool> {
    loop {
        let now = scan.borrow_and_update().clone();
        if let Some(known) = now.accepted(v) {
            return Some(known);
        }
        if now.done || scan.changed().await.is_err() {
            return None;
        }
    }
}

/// The record of a handshake not run: the wire scan found its version not
/// accepted, and a second refusal would only cost a connection.
fn not_run(offered: TlsVersion) -> HandshakeRun {
    HandshakeRun {
        attempt: HandshakeAttempt {
            offered,
            ok: false,
            handshake: None,
            error: Some(format!(
                "not run: the wire scan found {offered} not accepted (see tls.versions)"
            )),
            certificate_presented: false,
        },
        chain: Vec::new(),
        ocsp: None,
        step_error: None,
        connect_failed: false,
        handshake_started: None,
    }
}

async fn one_handshake(
    spec: &HandshakeTarget,
    endpoint: &Endpoint,
    deadline: Deadline,
    offer: Offer,
    send_sni: bool,
) -> HandshakeRun {
    let offered = match offer {
        Offer::Tls12Only => TlsVersion::Tls12,
        _ => TlsVersion::Tls13,
    };
    let deadline = deadline.within(HANDSHAKE_STEP_TIMEOUT);
    let failed = |kind: ErrorKind, message: String, connect_failed: bool| HandshakeRun {
        attempt: HandshakeAttempt {
            offered,
            ok: false,
            handshake: None,
            error: Some(message.clone()),
            certificate_presented: false,
        },
        chain: Vec::new(),
        ocsp: None,
        step_error: Some((kind, message)),
        connect_failed,
        handshake_started: None,
    };
    // Connected and past the STARTTLS prelude the way the scan's hellos
    // are (`scan::oneshot::open`): one retry where the server refuses after
    // it has answered, and a busy greeting (Exim's 421 once its children
    // reach `smtp_accept_max`) waited out with the scan's hold-off.
    let stream = match scan::oneshot::open(endpoint, deadline, &mut 0).await {
        Ok((s, _)) => s,
        Err(ExchangeError::Connect(e)) => return failed(e.kind, e.message, true),
        Err(e) => return failed(e.kind(), e.to_string(), false),
    };
    // rustls sends no SNI when the server name is an IP address.
    let name = match (send_sni, stream.peer_addr()) {
        (false, Ok(peer)) => ServerName::IpAddress(peer.ip().into()),
        _ => spec.server_name.clone(),
    };
    endpoint.connector.meter().count_handshake();
    let handshake_started = Some(Instant::now());
    let (result, presented) = handshake::handshake_recording(stream, name, offer, deadline).await;
    let certificate_presented = !presented.chain.is_empty();
    match result {
        Ok(mut done) => {
            // Say goodbye properly (close_notify, FIN) so the server logs a
            // clean close rather than a reset; bounded, never waited for.
            let bye = deadline.within(Duration::from_millis(500));
            let _ = bye
                .run(tokio::io::AsyncWriteExt::shutdown(&mut done.stream))
                .await;
            HandshakeRun {
                attempt: HandshakeAttempt {
                    offered,
                    ok: true,
                    handshake: Some(done.handshake),
                    error: None,
                    certificate_presented,
                },
                chain: presented.chain,
                ocsp: presented.ocsp_response,
                step_error: None,
                connect_failed: false,
                handshake_started,
            }
        }
        Err(e) => {
            let step_error = match &e {
                HandshakeError::Timeout { .. } => Some((ErrorKind::Timeout, e.to_string())),
                _ => None,
            };
            HandshakeRun {
                attempt: HandshakeAttempt {
                    offered,
                    ok: false,
                    handshake: None,
                    error: Some(e.to_string()),
                    certificate_presented,
                },
                chain: presented.chain,
                ocsp: presented.ocsp_response,
                step_error,
                connect_failed: false,
                handshake_started,
            }
        }
    }
}

/// One real (rustls) handshake offering a single protocol version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HandshakeAttempt {
    /// The only version the client offered.
    pub offered: TlsVersion,
    /// The handshake completed.
    pub ok: bool,
    /// What was negotiated, when it completed.
    pub handshake: Option<Handshake>,
    /// Why it did not complete (the server's alert, a close, a timeout), or
    /// why it was not run (`not run: ...`: the wire scan found the version
    /// not accepted).
    pub error: Option<String>,
    /// The server presented a certificate chain on this attempt (even when
    /// the handshake failed afterwards).
    pub certificate_presented: bool,
}
