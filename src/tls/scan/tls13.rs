//! TLS 1.3 suites and groups in one elimination, on two tracks at once.
//!
//! At TLS 1.3 a suite and a group are chosen independently (any suite works
//! with any group), and a ServerHello or HelloRetryRequest names both. So
//! each hello offers the suites not yet found with only the groups not yet
//! seen, and one answer removes one of each:
//!
//! 1. Offer (remaining suites, unseen groups): a pick is a new suite and a
//!    new group. The first hello offers every group, with an X25519 share.
//! 2. A refusal says "no suite left, or no group left", not which. The next
//!    hello offers the accepted suites (reversed: the preference question,
//!    see `groups`) with the unseen groups: a pick is a new group and proves
//!    the suites were the ones exhausted; a refusal proves the groups were.
//! 3. Whichever list is left is eliminated on its own: groups with the
//!    accepted suites, suites with every group, each until refused.
//!
//! One track alone costs max(S, G) + 2 hellos for S suites and G groups
//! (S + 3 when G <= S), each waiting for the one before: 9 on Dovecot with
//! OpenSSL's three suites and seven groups, about 19 round trips at internet
//! distance (every hello is a new connection).
//!
//! **Two tracks.** Once the first answer proves TLS 1.3 (a server without it
//! pays nothing more), and when the per-target cap leaves room for two hellos
//! at once (cap >= 3; below, one track as above), the unseen groups are split
//! in two ([`SUITES_TRACK_GROUPS`](super::tls13_tracks::SUITES_TRACK_GROUPS)):
//! the suites' track runs steps 1-3 over P-256, P-384, ffdhe2048/4096/8192
//! and the brainpool groups; the groups' track offers the accepted suites with the rest
//! (X25519, X448, P-521, ffdhe3072/6144, ML-KEM) until refused. They go in
//! rounds, one hello each, and each round decides with both answers:
//!
//! - when the suites' track reaches step 2, the groups' track's unseen groups
//!   join that question and the groups' track ends: one refusal ends both
//!   lists, so the split costs no hello of its own;
//! - when the groups' track is refused first (few groups), the suites' track
//!   asks its two questions apart, side by side: suites with every group,
//!   groups with the accepted suites.
//!
//! Rounds, when both tracks still have groups to find as the suites' track
//! reaches step 2 (G >= 2S + 1, spread as on OpenSSL's and Dovecot's
//! defaults): G - S + 2, against G + 2 on one track, with the same hellos.
//! With fewer groups the groups' track runs dry early and its refusal (and a
//! suite found without a group) costs one or two hellos more, in fewer
//! rounds. Measured (`tests/it/scan_tls13.rs`, rounds / hellos, one track ->
//! two): Dovecot's seven groups 9/9 -> 6/9; OpenSSL 3.6's defaults 10/10 ->
//! 7/10; OpenSSL 3.0's ten 12/12 -> 9/12; two suites and two groups 5/5 ->
//! 3/5; SChannel's two suites and three groups 5/5 -> 4/6; three suites and
//! three groups (rustls) 6/6 -> 4/7; Postfix's five curves 7/7 -> 5/9.
//!
//! The groups keep the server's order of choice: a group picked from an
//! offer comes before every group of that offer found later, which on one
//! track is the order found. Two groups found on different tracks were never
//! offered together and take our offer order: the split keeps on one track
//! the groups servers order by their own preference (X448 and P-521), and
//! our order is the servers' elsewhere (the shared groups by their key share,
//! EC before FFDHE, ffdhe2048 before ffdhe3072).

use futures_util::future::join_all;

use super::groups::{GroupFacts, POST_QUANTUM};
use super::send_hello;
use super::tls13_tracks::{Elimination, Offer};
use super::versions::{VersionScan, offer_order};
use super::{
    Ending, Endpoint, Exchange, ExchangeError, Hello, MAX_GROUP_ROUNDS, OfferOutcome, hello_answer,
    read_answer,
};
use crate::tls::hello::{ClientHelloSpec, KEY_SHARE_GROUPS};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, TlsVersion};

const V: TlsVersion = TlsVersion::Tls13;

/// Below this per-target cap the elimination keeps one track.
const MIN_CAP_TO_SPLIT: usize = 3;

/// The hello for one offer: `base` with these suites and groups.
fn offer_hello(base: &ClientHelloSpec, suites: &[u16], groups: &[u16]) -> ClientHelloSpec {
    let mut spec = base.clone();
    spec.suites = suites.to_vec();
    spec.supported_groups = groups.to_vec();
    // A share for a group offered, if we can make one; without, the
    // server names its group in a HelloRetryRequest.
    spec.key_shares = groups
        .iter()
        .copied()
        .find(|g| KEY_SHARE_GROUPS.contains(g))
        .into_iter()
        .collect();
    spec
}

/// TLS 1.3 is offered when a suite was accepted, not offered when nothing
/// was and nothing failed, unknown otherwise.
fn record_accepted(out: &mut VersionScan, accepted: Vec<u16>) {
    out.offered = if !accepted.is_empty() {
        Some(true)
    } else if out.errors.is_empty() {
        Some(false)
    } else {
        None
    };
    out.suites = accepted
        .iter()
        .map(|c| crate::tls::suite_info(*c))
        .collect();
    out.codes = accepted;
}

pub(super) async fn scan_tls13(
    endpoint: &Endpoint,
    sni: Option<String>,
    deadline: Deadline,
) -> (VersionScan, GroupFacts) {
    let mut out = VersionScan::new(V);
    let mut facts = GroupFacts::default();
    let mut base = ClientHelloSpec::for_version(V.wire(), Vec::new(), sni);
    for g in POST_QUANTUM {
        if !base.supported_groups.contains(&g) {
            base.supported_groups.push(g);
        }
    }
    let every_group = base.supported_groups.clone();
    let mut state = Elimination::new(offer_order(V), every_group.clone());
    let splits = endpoint.connector.per_target() >= MIN_CAP_TO_SPLIT;
    let rounds = offer_order(V).len() + every_group.len() + MAX_GROUP_ROUNDS;
    let mut chains = Vec::new();
    for round in 0..rounds {
        let offers = state.next_offers();
        if offers.is_empty() {
            break;
        }
        // Each offer is the next hello of one chain (a track), counted
        // across rounds until the track ends.
        chains.resize_with(offers.len(), || endpoint.chain_running());
        let hellos: Vec<Hello> = offers
            .iter()
            .map(|o| Hello::Tls(offer_hello(&base, &o.suites, &o.groups)))
            .collect();
        let sent = join_all(
            hellos
                .iter()
                .map(|h| send_hello(endpoint, h, true, deadline)),
        )
        .await;
        // Every connection counts, whatever the other answers say.
        for ex in sent.iter().flatten() {
            out.seen.observe(V, ex);
        }
        let mut go_on = true;
        for (i, (offer, ex)) in offers.iter().zip(sent).enumerate() {
            let ask = Asked {
                endpoint,
                base: &base,
                offer,
                deadline,
                first: round == 0,
            };
            go_on = answered(&ask, i, ex, &mut state, &mut facts, &mut out).await;
            if !go_on {
                break;
            }
        }
        if !go_on {
            break;
        }
        if round == 0 && splits {
            state.split();
        }
        state.rejoin();
    }
    if state.accepted.is_empty() {
        // Refused: the group chain below TLS 1.3 takes this chain's slot.
        endpoint.hand_over_chain(chains.into_iter().flatten().collect());
    }
    facts.groups = state.groups_in_order();
    record_accepted(&mut out, state.accepted);
    (out, facts)
}

/// One hello of a round: what it offered, and what a control needs.
struct Asked<'a> {
    endpoint: &'a Endpoint,
    base: &'a ClientHelloSpec,
    offer: &'a Offer,
    deadline: Deadline,
    /// The scan's first hello: its answer is TLS 1.3's.
    first: bool,
}

/// Track `i`'s answer, read into the elimination; `false` when the
/// elimination stops (an error, or TLS 1.3 not accepted).
async fn answered(
    ask: &Asked<'_>,
    i: usize,
    ex: Result<Exchange, ExchangeError>,
    state: &mut Elimination,
    facts: &mut GroupFacts,
    out: &mut VersionScan,
) -> bool {
    let ex = match ex {
        Ok(ex) => ex,
        Err(e) => {
            if ask.first {
                out.answer = Some(super::HelloAnswer::NoAnswer { why: e.to_string() });
            }
            out.errors.push((e.kind(), e.to_string()));
            return false;
        }
    };
    let answer = read_answer(V.wire(), &ex);
    if ask.first {
        out.answer = Some(hello_answer(&answer, &ex));
        settle_first(ask.endpoint, &answer);
    }
    match answer {
        OfferOutcome::Accepted { suite } => {
            let group = ex
                .reply
                .server_hello
                .as_ref()
                .and_then(|s| s.key_share_group);
            state.picked(i, (suite, group), ask.offer, facts, out)
        }
        OfferOutcome::Refused { .. }
            if ex.ending == Ending::Reset && !state.accepted.is_empty() =>
        {
            // A refusal by reset, or a connection limit? An offer the
            // server accepted before tells (as for the other versions).
            let control = (state.accepted.first().copied(), state.first_group());
            if !control_accepted(ask, control, out).await {
                out.errors.push((
                    ErrorKind::Reset,
                    "the server reset a hello offering a suite and a group it had accepted moments before: a connection limit or a filter, so the suite and group lists may be incomplete".into(),
                ));
                return false;
            }
            state.refused(i);
            true
        }
        OfferOutcome::Refused { .. } if !state.accepted.is_empty() => {
            state.refused(i);
            true
        }
        OfferOutcome::Refused { .. }
        | OfferOutcome::Downgraded { .. }
        | OfferOutcome::VersionRefused
            if state.accepted.is_empty() =>
        {
            out.refused_by_reset = ex.ending == Ending::Reset;
            false
        }
        OfferOutcome::Unreadable { why } => {
            let kind = super::unreadable_kind(&ex);
            out.errors.push((kind, why));
            false
        }
        other => {
            out.errors.push((
                ErrorKind::Tls,
                format!("the server refused TLS 1.3 after accepting it ({other:?})"),
            ));
            false
        }
    }
}

/// What the first answer settles about TLS 1.3, for the steps waiting on it.
fn settle_first(endpoint: &Endpoint, answer: &OfferOutcome) {
    match answer {
        OfferOutcome::Accepted { suite } => endpoint.settle(V, Some(*suite)),
        OfferOutcome::Refused { .. }
        | OfferOutcome::Downgraded { .. }
        | OfferOutcome::VersionRefused => endpoint.settle(V, None),
        OfferOutcome::Unreadable { .. } => endpoint.settle_unknown(V),
    }
}

/// One suite and one group the server accepted, offered again.
async fn control_accepted(
    ask: &Asked<'_>,
    (suite, group): (Option<u16>, Option<u16>),
    out: &mut VersionScan,
) -> bool {
    let (Some(suite), Some(group)) = (suite, group) else {
        return false;
    };
    let mut spec = ask.base.clone();
    spec.suites = vec![suite];
    spec.supported_groups = vec![group];
    spec.key_shares = KEY_SHARE_GROUPS
        .iter()
        .copied()
        .filter(|g| *g == group)
        .collect();
    match send_hello(ask.endpoint, &Hello::Tls(spec), true, ask.deadline).await {
        Ok(ex) => {
            out.seen.observe(V, &ex);
            matches!(read_answer(V.wire(), &ex), OfferOutcome::Accepted { .. })
        }
        Err(_) => false,
    }
}
