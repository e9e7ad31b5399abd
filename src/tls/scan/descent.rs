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
//! - any other refusal (`handshake_failure`, a close) says "not this
//!   version with these suites", and, for the same reason, not the versions
//!   below whose suites were all in the list (a server speaking one of them
//!   would have answered with it): a server whose lowest version is TLS 1.2
//!   is settled by one refused TLS 1.1 hello, not three. A reset (SChannel's
//!   refusal, but also a connection limit's) and a close that may be a
//!   failed DHE pick settle only the version asked; the next one down gets
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
use super::versions::{
    VersionScan, eliminate, finish, may_be_failed_pick, needs_dh_params, offer_order, scan_hello,
    scan_version, without_dh,
};
use super::{Ending, Endpoint, Exchange, OfferOutcome, hello_answer, read_answer, send_hello};
use crate::net::ChainRunning;
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
        /// Picked from a list without DHE, after a whole list was refused
        /// in a way a failed DHE pick would be: the elimination leaves DHE
        /// out too.
        without_dh: bool,
        /// Counted as a running chain from the hello that found the
        /// version on (`net::Slots::chain_running`).
        chain: Vec<ChainRunning>,
    },
    /// The whole-list hello's refusal is not to be believed: bundles.
    Bundled { version: TlsVersion },
}

/// Scans the requested versions among SSLv3 .. TLS 1.2. Returns one entry
/// per requested version, in no particular order.
pub(super) async fn scan_descending(
    endpoint: &Endpoint,
    options: &super::ScanOptions,
    deadline: Deadline,
) -> Vec<VersionScan> {
    let sni = options.sni.clone();
    let groups = options.groups;
    let order: Vec<TlsVersion> = DESCENT
        .into_iter()
        .filter(|v| options.versions.contains(v))
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
                    Some(job) => running.push(run(endpoint, job, groups, sni.clone(), deadline)),
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
    groups: bool,
    sni: Option<String>,
    deadline: Deadline,
) -> VersionScan {
    // Counted for the DHE question, which waits for a preference answer
    // or for the eliminations to end (`scan::dhe`).
    let _running = super::order::Eliminating::start(endpoint);
    match job {
        Job::Eliminate {
            version,
            suite,
            exchange,
            without_dh,
            chain: _chain,
        } => {
            // Whether this is the highest version (TLS 1.3 aside): the
            // descent settled every version above before this job.
            let highest = !endpoint
                .progress()
                .borrow()
                .versions
                .iter()
                .any(|(w, s)| *w > version && *w != TlsVersion::Tls13 && s.is_some());
            let (tx, rx) = tokio::sync::watch::channel(Vec::new());
            let (order_tx, order_rx) = tokio::sync::watch::channel(None);
            // The preference as the elimination's own question answers it.
            let (asked_tx, asked_rx) = tokio::sync::watch::channel(None);
            let (mut out, (early, preference)) = tokio::join!(
                eliminate_version(
                    endpoint,
                    (version, without_dh),
                    (suite, *exchange),
                    (tx, order_rx, (groups && highest, asked_tx)),
                    sni.clone(),
                    deadline
                ),
                beside(
                    endpoint,
                    (version, groups && highest),
                    (rx, order_tx, asked_rx),
                    sni.clone(),
                    deadline
                ),
            );
            if let Some((pref, seen)) = preference {
                out.seen.absorb(seen);
                out.server_preference = pref;
            }
            if let Some(facts) = &early {
                // "Picked again" proves an order only beside another ECDHE
                // suite the server accepts (see `groups::early_groups`).
                let ecdhe_accepted = out
                    .codes
                    .iter()
                    .filter(|c| super::versions::is_ecdhe(**c))
                    .count();
                let proven = facts.preference.filter(|p| !p || ecdhe_accepted >= 2);
                out.server_preference = out.server_preference.or(proven);
            }
            out.early_groups = early;
            if super::order::follows_client(endpoint) {
                // Listed in offer order, as found without DHE put last.
                let order = offer_order(version);
                out.codes.sort_by_key(|c| order.iter().position(|o| o == c));
                out.suites = out
                    .codes
                    .iter()
                    .map(|c| crate::tls::suite_info(*c))
                    .collect();
            }
            out
        }
        Job::Bundled { version } => scan_version(endpoint, version, sni, deadline).await,
    }
}

/// An accepted version's elimination, from the descent's hello (`suite`
/// chosen in `exchange`): one chain, split in two once `order` says the
/// server follows the client and the list has shown it is long
/// (`split::SPLIT_AFTER` suites found: `split::Split`), when the per-target cap
/// leaves room for both (four slots or more). `order` is told only by the
/// preference hello of a version whose groups do not run beside it (TLS 1.3
/// accepted: its elimination is the long one left); two chains cost one
/// more refusal and save about half of the dependent hellos after the
/// split. A server with its own order keeps the single chain (its picks
/// give its order, which two chains would not).
async fn eliminate_version(
    endpoint: &Endpoint,
    (version, without_dh): (TlsVersion, bool),
    (suite, exchange): (u16, Exchange),
    (found, order, ask): (super::versions::FoundSoFar, Order, Ask),
    sni: Option<String>,
    deadline: Deadline,
) -> VersionScan {
    let mut out = VersionScan::new(version);
    out.answer = Some(HelloAnswer::Accepted);
    let mut candidates = offer_order(version);
    if without_dh {
        candidates.retain(|c| !needs_dh_params(*c));
    }
    let (half_tx, half_rx) = tokio::sync::oneshot::channel();
    let split = Some(super::split::Split {
        order,
        half: (endpoint.connector.per_target() >= 4).then_some(half_tx),
        ask: Some(ask),
        asked: false,
    });
    let main = super::versions::eliminate_reporting(
        endpoint,
        version,
        candidates,
        Some((suite, exchange)),
        sni.clone(),
        deadline,
        (Some(found), split),
    );
    let second = async {
        match half_rx.await {
            Ok(half) => Some(eliminate(endpoint, version, half, None, sni.clone(), deadline).await),
            // Never split.
            Err(_) => None,
        }
    };
    let (mut main, second) = tokio::join!(main, second);
    // A second chain refused by a reset before any pick had no control of
    // its own to tell a refusal from a connection limit: the seed is one.
    if second.as_ref().is_some_and(|r| r.reset_without_picks()) {
        super::versions::confirm_reset_refusal(endpoint, version, suite, &sni, deadline, &mut main)
            .await;
    }
    let runs = match second {
        // Split only for a server that follows the client: offer order is
        // its order, so the merge is exact.
        Some(second) => merge_in_offer_order(version, vec![main, second]),
        None => vec![main],
    };
    finish(&mut out, runs);
    out
}

/// The preference once known, for the elimination to split on.
type Order = tokio::sync::watch::Receiver<Option<bool>>;

/// (groups wanted beside the version, where the elimination's own
/// preference question tells its answer: see `split::Split`).
type Ask = (bool, tokio::sync::watch::Sender<Option<bool>>);

/// The suites found so far once `enough` holds, or when the elimination
/// ended (then `false`).
async fn found_until(
    found: &mut Found,
    enough: impl Fn(&[(u16, Option<u16>)]) -> bool,
) -> (Vec<(u16, Option<u16>)>, bool) {
    loop {
        let now = found.borrow_and_update().clone();
        if enough(&now) {
            return (now, true);
        }
        if found.changed().await.is_err() {
            let last = found.borrow().clone();
            let met = enough(&last);
            return (last, met);
        }
    }
}

type Found = tokio::sync::watch::Receiver<Vec<(u16, Option<u16>)>>;

/// The preference question of a version whose groups are not scanned
/// beside it, settled as soon as the elimination has found two suites
/// (beside the rest of the scan, not after it): free when the second pick
/// comes before the first in the offer order (the first was picked from a
/// list holding it: the server's own order); else the elimination's own
/// next hello asks it (`scan::order::question`: free on a server that
/// follows the client); if that brings no answer, one hello offering the
/// two reversed. `None` when fewer than two suites were found.
async fn preference_after_elimination(
    endpoint: &Endpoint,
    v: TlsVersion,
    (mut found, mut asked): (Found, tokio::sync::watch::Receiver<Option<bool>>),
    (sni, order): (Option<String>, &tokio::sync::watch::Sender<Option<bool>>),
    deadline: Deadline,
) -> Option<(Option<bool>, super::SeenInScan)> {
    let (picks, _) = found_until(&mut found, |f| f.len() >= 2).await;
    let picks: Vec<u16> = picks.iter().take(2).map(|f| f.0).collect();
    if picks.len() < 2 {
        return None;
    }
    if super::versions::defy_offer_order(v, &picks) {
        super::order::tell_order(endpoint, false);
        return Some((Some(true), super::SeenInScan::default()));
    }
    let in_chain = asked.wait_for(Option::is_some).await.ok().and_then(|a| *a);
    if let Some(pref) = in_chain {
        order.send_replace(Some(pref));
        return Some((Some(pref), super::SeenInScan::default()));
    }
    let pair: Vec<u16> = picks.iter().take(2).copied().collect();
    match super::versions::server_preference(endpoint, v, &pair, sni, deadline).await {
        Ok((pref, seen)) => {
            // The elimination splits on a server that follows the client.
            order.send_replace(Some(pref));
            super::order::tell_order(endpoint, !pref);
            Some((Some(pref), seen))
        }
        // Asked again after the scan, as before.
        Err((_, seen)) => Some((None, seen)),
    }
}

/// What runs beside an accepted version's elimination: the groups, when
/// this is the highest accepted version below TLS 1.3, TLS 1.3 is not
/// accepted, and an ECDHE suite is found with its curve (the chain starts
/// then; otherwise `None`: the group scan runs after the suites); and
/// then the preference question, folded into a group hello where it can
/// be, else asked on its own as soon as two suites are known.
async fn beside(
    endpoint: &Endpoint,
    (version, wanted): (TlsVersion, bool),
    (mut found, order, asked): (
        Found,
        tokio::sync::watch::Sender<Option<bool>>,
        tokio::sync::watch::Receiver<Option<bool>>,
    ),
    sni: Option<String>,
    deadline: Deadline,
) -> (
    Option<super::groups::GroupFacts>,
    Option<(Option<bool>, super::SeenInScan)>,
) {
    let ecdhe = super::versions::is_ecdhe;
    if !wanted || !tls13_refused(endpoint).await {
        let preference = preference_after_elimination(
            endpoint,
            version,
            (found, asked),
            (sni, &order),
            deadline,
        )
        .await;
        return (None, preference);
    }
    // The group chain starts with the first ECDHE suite found (the
    // descent's pick when it is one), whose curve is the first group; its
    // first hello also asks the preference question (`groups::early_groups`).
    let (so_far, met) = found_until(&mut found, |f| {
        f.iter().any(|(c, curve)| ecdhe(*c) && curve.is_some())
    })
    .await;
    let first = so_far
        .iter()
        .find_map(|(c, curve)| curve.filter(|_| ecdhe(*c)).map(|g| (*c, Some(g))));
    let Some(first) = first.filter(|_| met) else {
        // As before: the preference after the suites, or folded into the
        // group scan that follows them (no chain takes TLS 1.3's over).
        drop(endpoint.take_handed_chain());
        return (None, None);
    };
    let all_ecdhe: Vec<u16> = offer_order(version)
        .into_iter()
        .filter(|c| ecdhe(*c))
        .collect();
    let facts =
        super::groups::early_groups(endpoint, (version, all_ecdhe, first), sni, deadline).await;
    (Some(facts), None)
}

/// Waits until the scan knows whether TLS 1.3 is accepted: true when not.
async fn tls13_refused(endpoint: &Endpoint) -> bool {
    let mut progress = endpoint.progress();
    loop {
        if let Some(none) = super::order::no_group_chain(&progress.borrow_and_update()) {
            return !none;
        }
        if progress.changed().await.is_err() {
            return false;
        }
    }
}

/// One list in offer order (the single chain's order for a server that
/// follows the client), held by the first run (the seed's).
fn merge_in_offer_order(
    v: TlsVersion,
    mut runs: Vec<super::versions::BundleRun>,
) -> Vec<super::versions::BundleRun> {
    let order = offer_order(v);
    let mut found: Vec<u16> = runs.iter().flat_map(|r| r.found().to_vec()).collect();
    found.sort_by_key(|c| order.iter().position(|o| o == c));
    if let Some(first) = runs.first_mut() {
        first.set_found(found);
    }
    for r in runs.iter_mut().skip(1) {
        r.set_found(Vec::new());
    }
    runs
}

/// A ServerHello for a lower version `to` than the `v` offered: `v` and
/// every requested version above `to` are refused; `to` itself, when it is
/// the next one asked about, is eliminated from this very exchange.
fn downgraded(
    v: TlsVersion,
    to: u16,
    (said, without_dh, chain): (HelloAnswer, bool, Vec<ChainRunning>),
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
                without_dh,
                chain,
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
///
/// A whole list refused the way a failed DHE pick is (a bare close or
/// `internal_error`: see `may_be_failed_pick`) is
/// offered once more without DHE before the version is read as refused: a
/// server with DHE suites in its list but no DH parameters (Dovecot 2.3
/// without `ssl_dh`) picks DHE from the whole list and fails, yet speaks
/// the version on its other suites. Once such a second hello is refused,
/// the versions below are not asked again: a server speaking one of them
/// on a suite in that list would have answered it with that version.
async fn descend(
    endpoint: &Endpoint,
    order: &[TlsVersion],
    sni: Option<String>,
    deadline: Deadline,
    jobs: mpsc::UnboundedSender<Job>,
) -> Vec<VersionScan> {
    let mut state = Descent {
        large_read: AtomicBool::new(false),
        dh_settled: false,
        settled: Vec::new(),
    };
    let mut next = order.iter().copied().peekable();
    // Once a version is accepted, the hellos for the versions below it are
    // waited on by nothing but the end of the scan: the eliminations and
    // groups get the target's slots first (`net::slots`).
    let settling = endpoint.at(crate::net::Priority::Settle);
    while let Some(v) = next.next() {
        let accepted_above = endpoint
            .progress()
            .borrow()
            .versions
            .iter()
            .any(|(w, s)| *w > v && s.is_some());
        let endpoint = if accepted_above { &settling } else { endpoint };
        let whole = offer_order(v);
        let large = whole.len() > MAX_SUITES_PER_HELLO;
        let mut list = whole;
        let mut retried = false;
        let dhe = dhe_below(endpoint, (v, accepted_above), deadline).await;
        if dhe == Some(false) {
            list.retain(|c| !needs_dh_params(*c));
        }
        let dh_last = accepted_above && super::order::put_dh_last(endpoint, &mut list);
        let _chain = (!accepted_above).then(|| endpoint.chain_running()); // then its job's
        loop {
            let hello = scan_hello(v, list.clone(), sni.clone());
            let ex = match send_hello(endpoint, &hello, false, deadline).await {
                Ok(ex) => ex,
                Err(e) => {
                    let mut out = VersionScan::new(v);
                    out.answer = Some(HelloAnswer::NoAnswer { why: e.to_string() });
                    out.errors.push((e.kind(), e.to_string()));
                    state.settled.push(out);
                    break;
                }
            };
            let answer = read_answer(v.wire(), &ex);
            if let OfferOutcome::Refused { alert } = answer
                && !retried
                && !state.dh_settled
                && dhe.is_none()
                && !dh_last
                && may_be_failed_pick(alert, &ex)
                && let Some(rest) = without_dh(&list)
            {
                // This connection is spent; the version's entry joins it.
                let mut scan = VersionScan::new(v);
                scan.seen.observe(v, &ex);
                state.settled.push(merge_marker(scan));
                list = rest;
                retried = true;
                continue;
            }
            if retried && matches!(answer, OfferOutcome::Refused { .. }) {
                state.dh_settled = true;
            }
            let offered = Offered {
                list: &list,
                dh_unusable: retried || dhe == Some(false),
                dh_works: dhe == Some(true) || dh_last,
            };
            state.answered(
                endpoint,
                (v, large, offered),
                (answer, ex),
                &mut next,
                &jobs,
            );
            break;
        }
    }
    state.settled
}

/// Below an accepted version, what `scan::dhe` found (asked of a server
/// that refuses silently), which replaces the retry without DHE. Below an
/// elimination, nothing waits on the hello but the scan's end: it first
/// waits for what makes a silent refusal of it a plain answer: the
/// server's order (DHE last, `order`), or for a server with its own order
/// the DHE question, due at the first silent refusal (no SSLv2 hello makes
/// one early on a TLS 1.3 server: `scan::ssl2`), unless the server refuses
/// with alerts.
async fn dhe_below(
    endpoint: &Endpoint,
    (v, accepted_above): (TlsVersion, bool),
    deadline: Deadline,
) -> Option<bool> {
    if eliminating_above(endpoint, v) {
        super::order::known_or_over(endpoint, deadline).await;
        super::dhe::due_or_over(endpoint, deadline).await;
    }
    match accepted_above {
        true => super::dhe::settled(endpoint, deadline).await.answer(),
        false => None,
    }
}

/// Whether an elimination of a version above `v` (below TLS 1.3) runs or
/// ran: it tells the server's order, or ends without one.
fn eliminating_above(endpoint: &Endpoint, v: TlsVersion) -> bool {
    let progress = endpoint.progress();
    let now = progress.borrow();
    now.versions
        .iter()
        .any(|(w, s)| *w > v && *w < TlsVersion::Tls13 && s.is_some())
}

/// A version's hello as offered, for what its answer says of the versions
/// below.
struct Offered<'a> {
    list: &'a [u16],
    /// DHE cannot be negotiated: left out of `list` after the retry without
    /// it, or because `scan::dhe` found so.
    dh_unusable: bool,
    /// `scan::dhe` found a DHE suite negotiated, or DHE was offered last to
    /// a server that follows the client: a close is no failed pick that
    /// hides another suite.
    dh_works: bool,
}

impl Offered<'_> {
    /// Whether a refusal of this hello also refuses `lower`: a server
    /// speaking `lower` answers a hello for a higher version with `lower`
    /// when a suite it takes there is offered (RFC 5246 Appendix E.1, as
    /// for a downgrade), so every suite offerable at `lower` must be in the
    /// list (or be DHE, known not to work), the refusal must not be a DHE
    /// pick the server failed, and not a reset (SChannel's refusal, but also
    /// a connection limit's).
    fn refuses_below(&self, lower: TlsVersion, alert: Option<&str>, ex: &Exchange) -> bool {
        let dh_in_list = self.list.iter().any(|c| needs_dh_params(*c));
        let failed_pick = may_be_failed_pick(alert, ex) && dh_in_list && !self.dh_works;
        ex.ending != Ending::Reset
            && !failed_pick
            && offer_order(lower)
                .iter()
                .all(|c| self.list.contains(c) || (self.dh_unusable && needs_dh_params(*c)))
    }
}

/// What the descent knows so far.
struct Descent {
    /// This server has answered a hello larger than one bundle.
    large_read: AtomicBool,
    /// A hello without DHE was refused: the versions below need none.
    dh_settled: bool,
    settled: Vec<VersionScan>,
}

impl Descent {
    /// Settles `v` (and what the answer says of the versions below) from
    /// the answer to its hello, or hands it to the elimination runner.
    fn answered(
        &mut self,
        endpoint: &Endpoint,
        (v, large, offered): (TlsVersion, bool, Offered<'_>),
        (answer, ex): (OfferOutcome, Exchange),
        next: &mut Peekable<Copied<std::slice::Iter<'_, TlsVersion>>>,
        jobs: &mpsc::UnboundedSender<Job>,
    ) {
        let without_dh = offered.dh_unusable;
        let said = hello_answer(&answer, &ex);
        let chosen = ex.reply.server_hello.as_ref().map(|sh| sh.cipher_suite);
        let settled = &mut self.settled;
        match answer {
            OfferOutcome::Accepted { suite } => {
                self.large_read.store(true, Ordering::Relaxed);
                endpoint.settle(v, Some(suite));
                let _ = jobs.send(Job::Eliminate {
                    version: v,
                    suite,
                    exchange: Box::new(ex),
                    without_dh,
                    chain: endpoint.chain_running(),
                });
            }
            OfferOutcome::Downgraded { to } => {
                self.large_read.store(true, Ordering::Relaxed);
                let from = settled.len();
                let chain = endpoint.chain_running();
                downgraded(v, to, (said, without_dh, chain), ex, next, settled, jobs);
                for s in settled.get(from..).unwrap_or(&[]) {
                    endpoint.settle(s.version, None);
                }
                if let (Some(x), Some(suite)) =
                    (TlsVersion::from_wire(to).filter(|x| *x < v), chosen)
                {
                    endpoint.settle(x, Some(suite));
                }
            }
            OfferOutcome::VersionRefused => {
                self.large_read.store(true, Ordering::Relaxed);
                let mut scan = VersionScan::refused(v, said.clone());
                scan.seen.observe(v, &ex);
                settled.push(scan);
                // The server's lowest version is above this one.
                settled.extend(next.by_ref().map(|w| VersionScan::refused(w, said.clone())));
                for s in settled.iter() {
                    endpoint.settle(s.version, None);
                }
            }
            OfferOutcome::Refused { alert } => {
                // A close or a reset is how Dovecot and SChannel refuse any
                // hello; an alert other than these two is what a server
                // that cannot read the hello sends.
                let believed = !large
                    || self.large_read.load(Ordering::Relaxed)
                    || matches!(
                        alert,
                        None | Some("handshake_failure" | "insufficient_security")
                    );
                if believed {
                    let mut scan = VersionScan::refused(v, said.clone());
                    scan.refused_by_reset = ex.ending == Ending::Reset && alert.is_none();
                    scan.seen.observe(v, &ex);
                    endpoint.settle(v, None);
                    settled.push(scan);
                    // The versions below that this refusal settles too.
                    while let Some(&w) = next.peek()
                        && offered.refuses_below(w, alert, &ex)
                    {
                        next.next();
                        settled.push(VersionScan::refused(w, said.clone()));
                        endpoint.settle(w, None);
                    }
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
