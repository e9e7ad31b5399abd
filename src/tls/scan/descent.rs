//! SSLv3 .. TLS 1.2 from the top down, one hello per version that the
//! answers so far have not settled.
//!
//! A server answers a hello with the highest version it speaks at or below
//! the one offered (RFC 5246 Appendix E.1), so one answer settles several
//! versions:
//! - a ServerHello for TLS 1.0 to a TLS 1.2 hello (Exchange 2010) says TLS 1.2
//!   and 1.1 are not spoken and TLS 1.0 is, with the suite it chose from the
//!   whole list: the first step of TLS 1.0's elimination;
//! - a `protocol_version` alert says nothing at or below the offered
//!   version is spoken (the server's lowest is above it);
//! - any other refusal (`handshake_failure`, a close, a reset) only says
//!   "not this version with these suites", and the next version down gets
//!   its own hello.
//!
//! Each hello offers every suite of its version at once, so an accepted
//! version costs (accepted suites + 1) connections. Some servers refuse a
//! hello of more than 128 suites (an `illegal_parameter` alert has been seen
//! in the wild), so a refusal of such a hello is believed only when it is
//! `handshake_failure` / `insufficient_security`, a close or a reset (how
//! Dovecot and SChannel refuse anything), or when this server has already
//! answered a hello that large; after any other alert the version is
//! offered again in bundles of 128, as testssl.sh and sslscan do.
//!
//! A version's elimination starts as soon as its first suite is known and
//! runs beside the descent.

use std::iter::{Copied, Peekable};
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::mpsc;

use super::HelloAnswer;
use super::versions::{VersionScan, eliminate, finish, offer_order, scan_hello, scan_version};
use super::{Ending, Endpoint, Exchange, OfferOutcome, hello_answer, read_answer, send_hello};
use crate::tls::hello::MAX_SUITES_PER_HELLO;
use crate::vocab::Deadline;
use crate::vocab::TlsVersion;

/// The versions the descent covers, highest first.
const DESCENT: [TlsVersion; 4] = [
    TlsVersion::Tls12,
    TlsVersion::Tls11,
    TlsVersion::Tls10,
    TlsVersion::Ssl3,
];

/// Work the descent hands to the elimination runner.
enum Job {
    /// `version` is accepted: `suite` was chosen in `exchange`, the first
    /// step of the version's elimination over the whole list.
    Eliminate {
        version: TlsVersion,
        suite: u16,
        exchange: Box<Exchange>,
    },
    /// The whole-list hello's refusal is not to be believed: bundles.
    Bundled { version: TlsVersion },
}

/// Scans the requested versions among SSLv3 .. TLS 1.2. Returns one entry
/// per requested version, in no particular order.
pub(super) async fn scan_descending(
    endpoint: &Endpoint,
    requested: &[TlsVersion],
    sni: Option<String>,
    deadline: Deadline,
) -> Vec<VersionScan> {
    let order: Vec<TlsVersion> = DESCENT
        .into_iter()
        .filter(|v| requested.contains(v))
        .collect();
    let (jobs, mut inbox) = mpsc::unbounded_channel::<Job>();
    let descent = descend(endpoint, &order, sni.clone(), deadline, jobs);
    let runner = async {
        let mut running = FuturesUnordered::new();
        let mut done = Vec::new();
        let mut open = true;
        loop {
            tokio::select! {
                job = inbox.recv(), if open => match job {
                    Some(job) => running.push(run(endpoint, job, sni.clone(), deadline)),
                    None => open = false,
                },
                Some(scan) = running.next(), if !running.is_empty() => done.push(scan),
                else => break,
            }
        }
        done
    };
    let (mut settled, eliminated) = tokio::join!(descent, runner);
    settled.extend(eliminated);
    settled
}

async fn run(
    endpoint: &Endpoint,
    job: Job,
    sni: Option<String>,
    deadline: Deadline,
) -> VersionScan {
    match job {
        Job::Eliminate {
            version,
            suite,
            exchange,
        } => {
            let mut out = VersionScan::new(version);
            out.answer = Some(HelloAnswer::Accepted);
            let run = eliminate(
                endpoint,
                version,
                offer_order(version),
                Some((suite, *exchange)),
                sni,
                deadline,
            )
            .await;
            finish(&mut out, vec![run]);
            out
        }
        Job::Bundled { version } => scan_version(endpoint, version, sni, deadline).await,
    }
}

/// A ServerHello for a lower version `to` than the `v` offered: `v` and
/// every requested version above `to` are refused; `to` itself, when it is
/// the next one asked about, is eliminated from this very exchange.
fn downgraded(
    v: TlsVersion,
    to: u16,
    said: HelloAnswer,
    ex: Exchange,
    next: &mut Peekable<Copied<std::slice::Iter<'_, TlsVersion>>>,
    settled: &mut Vec<VersionScan>,
    jobs: &mpsc::UnboundedSender<Job>,
) {
    let spoken = TlsVersion::from_wire(to).filter(|x| *x < v);
    let mut scan = VersionScan::refused(v, said.clone());
    // Every requested version above the one the server chose.
    while let Some(&w) = next.peek() {
        if spoken.is_some_and(|x| w <= x) {
            break;
        }
        settled.push(VersionScan::refused(w, said.clone()));
        next.next();
    }
    let chosen = ex.reply.server_hello.as_ref().map(|sh| sh.cipher_suite);
    match (spoken, next.peek(), chosen) {
        (Some(x), Some(&w), Some(suite)) if w == x => {
            next.next();
            let _ = jobs.send(Job::Eliminate {
                version: x,
                suite,
                exchange: Box::new(ex),
            });
        }
        // The version chosen was not asked about (or is no
        // version at all): the connection still counts.
        _ => scan.seen.observe(v, &ex),
    }
    settled.push(scan);
}

/// Sends one whole-list hello per unsettled version, top down. Returns the
/// versions settled without an elimination; the others go to `jobs`.
async fn descend(
    endpoint: &Endpoint,
    order: &[TlsVersion],
    sni: Option<String>,
    deadline: Deadline,
    jobs: mpsc::UnboundedSender<Job>,
) -> Vec<VersionScan> {
    let large_read = AtomicBool::new(false);
    let mut settled = Vec::new();
    let mut next = order.iter().copied().peekable();
    while let Some(v) = next.next() {
        let whole = offer_order(v);
        let large = whole.len() > MAX_SUITES_PER_HELLO;
        let hello = scan_hello(v, whole, sni.clone());
        let ex = match send_hello(endpoint, &hello, false, deadline).await {
            Ok(ex) => ex,
            Err(e) => {
                let mut out = VersionScan::new(v);
                out.answer = Some(HelloAnswer::NoAnswer { why: e.to_string() });
                out.errors.push((e.kind(), e.to_string()));
                settled.push(out);
                continue;
            }
        };
        let answer = read_answer(v.wire(), &ex);
        let said = hello_answer(&answer, &ex);
        match answer {
            OfferOutcome::Accepted { suite } => {
                large_read.store(true, Ordering::Relaxed);
                let _ = jobs.send(Job::Eliminate {
                    version: v,
                    suite,
                    exchange: Box::new(ex),
                });
            }
            OfferOutcome::Downgraded { to } => {
                large_read.store(true, Ordering::Relaxed);
                downgraded(v, to, said, ex, &mut next, &mut settled, &jobs);
            }
            OfferOutcome::VersionRefused => {
                large_read.store(true, Ordering::Relaxed);
                let mut scan = VersionScan::refused(v, said.clone());
                scan.seen.observe(v, &ex);
                settled.push(scan);
                // The server's lowest version is above this one.
                settled.extend(next.by_ref().map(|w| VersionScan::refused(w, said.clone())));
            }
            OfferOutcome::Refused { alert } => {
                // A close or a reset is how Dovecot and SChannel refuse any
                // hello; an alert other than these two is what a server
                // that cannot read the hello sends.
                let believed = !large
                    || large_read.load(Ordering::Relaxed)
                    || matches!(
                        alert,
                        None | Some("handshake_failure" | "insufficient_security")
                    );
                if believed {
                    let mut scan = VersionScan::refused(v, said);
                    scan.refused_by_reset = ex.ending == Ending::Reset && alert.is_none();
                    scan.seen.observe(v, &ex);
                    settled.push(scan);
                } else {
                    // This connection is spent; the bundled scan repeats
                    // the version from its first bundle.
                    let mut scan = VersionScan::new(v);
                    scan.seen.observe(v, &ex);
                    settled.push(merge_marker(scan));
                    let _ = jobs.send(Job::Bundled { version: v });
                }
            }
            OfferOutcome::Unreadable { why } => {
                let kind = super::unreadable_kind(&ex);
                let mut scan = VersionScan::new(v);
                scan.answer = Some(said);
                scan.errors.push((kind, why));
                scan.seen.observe(v, &ex);
                settled.push(scan);
            }
        }
    }
    settled
}

/// Marks a scan that carries only a spent connection's count; the bundled
/// scan of the same version supplies the findings (see [`merge`]).
fn merge_marker(mut scan: VersionScan) -> VersionScan {
    scan.offered = None;
    scan.answer = None;
    scan
}

/// Joins entries of the same version (a spent whole-list hello and the
/// bundled scan that followed it) into one.
pub(super) fn merge(scans: Vec<VersionScan>) -> Vec<VersionScan> {
    let mut out: Vec<VersionScan> = Vec::new();
    for s in scans {
        match out.iter_mut().find(|o| o.version == s.version) {
            Some(o) => {
                let (keep, extra) = if o.answer.is_some() || o.offered.is_some() {
                    (o.clone(), s)
                } else {
                    (s, o.clone())
                };
                let mut keep = keep;
                keep.seen.connections += extra.seen.connections;
                keep.errors.extend(extra.errors);
                *o = keep;
            }
            None => out.push(s),
        }
    }
    out
}
