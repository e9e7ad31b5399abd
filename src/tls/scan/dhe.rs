//! Whether finite-field DHE can be negotiated at all, asked once, and only
//! of a server that refuses silently (issue 21).
//!
//! A server with DHE suites in its list but no DH parameters (Dovecot 2.3
//! without `ssl_dh`) picks DHE and then closes without a word, just as it
//! refuses a hello it has no suite for. So every list holding DHE that such
//! a server refuses is offered once more without DHE (`versions::dh_retry`,
//! the descent's retry): one connection per version checked and one at the
//! end of each elimination. A server that says why it refuses (an alert)
//! needs none of that; one that closes silently gets this question instead,
//! as soon as its first silent refusal is seen: a hello offering every DHE
//! suite and nothing else.
//! - A ServerHello with a DHE suite: DHE works. A silent refusal is then
//!   never a failed DHE pick, and nothing is offered twice.
//! - A refusal: no DHE suite can be negotiated (none in the list, or no
//!   parameters). Lists sent from then on leave DHE out, so their refusals
//!   are plain answers; a DHE suite is reported as not accepted, as the
//!   retries would have found.
//! - Anything else (no answer, a reset, a connection limit): not known; the
//!   retries stay.
//!
//! A server that follows the client's order needs no question at all: once
//! that is seen (a preference answer, `order::tell_order`), every list the
//! scan offers puts DHE last (`order::put_dh_last`), so the server picks a DHE suite
//! only when nothing else in the list is left to pick, and a silent refusal
//! says just that: no other suite, and no DHE suite that can be negotiated
//! (a working one would have been picked). So the question waits for the
//! first preference answer (or for the eliminations to end without one,
//! both told in `scan::order`)
//! and is asked only of a server with its own order: one connection fewer
//! on Dovecot's default configuration (`ssl_prefer_server_ciphers = no`).
//! That the order seen at one version holds at the others is an
//! assumption: OpenSSL, SChannel, GnuTLS, JSSE and Go each set it once per
//! server, not per version.

use tokio::sync::watch;

use super::order::{OrderSeen, follows_client};
use super::versions::{needs_dh_params, offer_order, scan_hello};
use super::{Endpoint, OfferOutcome, SeenInScan, read_answer, send_hello};
use crate::tls::scan::Ending;
use crate::vocab::{Deadline, TlsVersion};

/// What is known of DHE on this endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DheKnown {
    /// Nothing asked (the server has not refused silently).
    #[default]
    NotAsked,
    /// A silent refusal was seen: the question is due.
    Wanted,
    /// The DHE-only hello is out.
    Asking,
    /// Answered: `true` when a DHE suite was negotiated.
    Known(bool),
    /// Asked, but the answer says nothing (no answer, a reset).
    Unknown,
    /// Not asked: the server follows the client's order, and lists put DHE
    /// last (see the module doc).
    Ordered,
}

impl DheKnown {
    /// The answer, if one came.
    pub fn answer(self) -> Option<bool> {
        match self {
            DheKnown::Known(b) => Some(b),
            _ => None,
        }
    }
}

/// Waits for the question to become due (a silent refusal), asks it, and
/// returns what the hello saw; returns at once with nothing when `over`
/// comes first (the scan's versions are done).
pub(super) async fn ask_when_silent(
    endpoint: &Endpoint,
    sni: Option<String>,
    deadline: Deadline,
    mut over: watch::Receiver<bool>,
) -> SeenInScan {
    let mut seen = SeenInScan::default();
    let due = |k: &DheKnown| *k == DheKnown::Wanted;
    // Due, then the server's order (see the module doc), unless over first.
    if !before_over(endpoint.dhe_watch(), due, &mut over).await
        || !before_over(
            endpoint.order_seen().subscribe(),
            OrderSeen::known_or_over,
            &mut over,
        )
        .await
    {
        return seen;
    }
    if follows_client(endpoint) {
        endpoint.set_dhe(DheKnown::Ordered);
        return seen;
    }
    endpoint.set_dhe(DheKnown::Asking);
    let dhe: Vec<u16> = offer_order(TlsVersion::Tls12)
        .into_iter()
        .filter(|c| needs_dh_params(*c))
        .collect();
    let hello = scan_hello(TlsVersion::Tls12, dhe, sni);
    // Nothing waits on the answer but the versions below an accepted one
    // and the ends of eliminations: it queues behind the chains.
    let asking = endpoint.at(crate::net::Priority::Settle);
    let answer = match send_hello(&asking, &hello, false, deadline).await {
        Ok(ex) => {
            seen.observe(TlsVersion::Tls12, &ex);
            let picked = ex.reply.server_hello.as_ref().map(|sh| sh.cipher_suite);
            match (read_answer(TlsVersion::Tls12.wire(), &ex), picked) {
                // At TLS 1.2 or below (a TLS 1.0 server answers with 1.0).
                (OfferOutcome::Accepted { .. } | OfferOutcome::Downgraded { .. }, Some(s)) => {
                    match needs_dh_params(s) {
                        true => DheKnown::Known(true),
                        // A suite that was not offered: not to be trusted.
                        false => DheKnown::Unknown,
                    }
                }
                (OfferOutcome::VersionRefused, _) => DheKnown::Known(false),
                (OfferOutcome::Refused { alert }, _)
                    if alert.is_some() || ex.ending == Ending::Closed =>
                {
                    DheKnown::Known(false)
                }
                _ => DheKnown::Unknown,
            }
        }
        Err(_) => DheKnown::Unknown,
    };
    endpoint.set_dhe(answer);
    seen
}

/// Waits until `ready` holds for what `watch` holds: `false` when `over`
/// comes first (or either sender is gone).
async fn before_over<T>(
    mut watch: watch::Receiver<T>,
    ready: impl Fn(&T) -> bool,
    over: &mut watch::Receiver<bool>,
) -> bool {
    loop {
        if ready(&watch.borrow_and_update()) {
            return true;
        }
        if *over.borrow_and_update() {
            return false;
        }
        tokio::select! {
            r = watch.changed() => if r.is_err() { return false },
            r = over.changed() => if r.is_err() { return false },
        }
    }
}

/// Waits, for a server not seen to follow the client, until the question
/// is due (a silent refusal was seen: then [`settled`] waits for its
/// answer), or the server is seen to refuse with an alert or a reset (its
/// refusals say whether they are a failed DHE pick:
/// `versions::may_be_failed_pick`), or
/// every elimination has ended without either (at most until `deadline`).
pub(super) async fn due_or_over(endpoint: &Endpoint, deadline: Deadline) {
    let mut known = endpoint.dhe_watch();
    let mut order = endpoint.order_seen().subscribe();
    let mut aloud = endpoint.refused_aloud();
    let wait = async {
        loop {
            let o = *order.borrow_and_update();
            let due = *known.borrow_and_update() != DheKnown::NotAsked;
            if o.follows() || o.all_ended() || due || *aloud.borrow_and_update() {
                return;
            }
            tokio::select! {
                r = known.changed() => if r.is_err() { return },
                r = order.changed() => if r.is_err() { return },
                r = aloud.changed() => if r.is_err() { return },
            }
        }
    };
    let _ = deadline.run(wait).await;
}

/// Waits for the first answers (TLS 1.3's hello, sent beside the descent's
/// first, and SSLv2's, sent after it unless a silent refusal has made the
/// question due already: one of them may be that refusal), then while the
/// question is due or out and the server is not seen to follow the client
/// (whose lists put DHE last instead), at most until `deadline`; what is
/// known then.
pub(super) async fn settled(endpoint: &Endpoint, deadline: Deadline) -> DheKnown {
    let mut known = endpoint.dhe_watch();
    let mut order = endpoint.order_seen().subscribe();
    let mut progress = endpoint.progress();
    let wait = async {
        loop {
            let now = progress.borrow_and_update().clone();
            let in_ =
                |v: TlsVersion| now.done || now.accepted(v).is_some() || now.unknown.contains(&v);
            // SSLv2 is asked after TLS 1.3's answer (`scan::ssl2`): not
            // waited for once a silent refusal has made the question due.
            let due = *known.borrow() != DheKnown::NotAsked;
            if in_(TlsVersion::Tls13) && (due || in_(TlsVersion::Ssl2)) {
                break;
            }
            tokio::select! {
                r = progress.changed() => if r.is_err() { break },
                r = known.changed() => if r.is_err() { break },
            }
        }
        loop {
            let now = *known.borrow_and_update();
            let follows = order.borrow_and_update().follows();
            if follows || !matches!(now, DheKnown::Wanted | DheKnown::Asking) {
                return now;
            }
            tokio::select! {
                r = known.changed() => if r.is_err() { return now },
                r = order.changed() => if r.is_err() { return now },
            }
        }
    };
    deadline.run(wait).await.unwrap_or(DheKnown::Unknown)
}
