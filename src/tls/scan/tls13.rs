//! TLS 1.3 suites and groups in one elimination.
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
//! A server with S suites and G groups costs max(S, G) + 2 hellos, against
//! (S + 1) + G for the two eliminations one after the other.

use super::groups::{GroupFacts, POST_QUANTUM};
use super::send_hello;
use super::versions::{VersionScan, offer_order};
use super::{Ending, Endpoint, Hello, MAX_GROUP_ROUNDS, OfferOutcome, hello_answer, read_answer};
use crate::tls::hello::{ClientHelloSpec, KEY_SHARE_GROUPS};
use crate::tls::suites;
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, TlsVersion};

const V: TlsVersion = TlsVersion::Tls13;

/// Which list the next hello works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Both,
    /// A (remaining, unseen) offer was refused: which list ran out?
    Which,
    GroupsOnly,
    SuitesOnly,
    Done,
}

/// Where the elimination stands: what is left to find on each side, what
/// was accepted, and which question the next hello asks.
struct Elimination {
    suites_left: Vec<u16>,
    groups_left: Vec<u16>,
    every_group: Vec<u16>,
    accepted: Vec<u16>,
    phase: Phase,
    asked_preference: bool,
}

impl Elimination {
    /// The next hello's suites and groups, and whether its suites are the
    /// accepted ones reversed (the preference question); `None` when there
    /// is nothing left to offer.
    fn next_offer(&mut self) -> Option<(Vec<u16>, Vec<u16>, bool)> {
        if self.phase == Phase::Done {
            return None;
        }
        // An empty list cannot be offered: that dimension is finished.
        if matches!(self.phase, Phase::Both | Phase::Which) && self.groups_left.is_empty() {
            self.phase = Phase::SuitesOnly;
        }
        if self.phase == Phase::Both && self.suites_left.is_empty() {
            self.phase = Phase::GroupsOnly;
        }
        if (self.phase == Phase::SuitesOnly && self.suites_left.is_empty())
            || (self.phase == Phase::GroupsOnly && self.groups_left.is_empty())
        {
            return None;
        }
        let (offer_suites, offer_groups) = match self.phase {
            Phase::Both => (self.suites_left.clone(), self.groups_left.clone()),
            Phase::Which | Phase::GroupsOnly => {
                let mut s = self.accepted.clone();
                if !self.asked_preference && s.len() >= 2 {
                    s.reverse();
                }
                (s, self.groups_left.clone())
            }
            Phase::SuitesOnly => (self.suites_left.clone(), self.every_group.clone()),
            Phase::Done => return None,
        };
        let reversed = matches!(self.phase, Phase::Which | Phase::GroupsOnly)
            && !self.asked_preference
            && offer_suites.len() >= 2;
        Some((offer_suites, offer_groups, reversed))
    }

    /// A ServerHello picking `suite` (and `group`, when it named one) from an
    /// offer of (suites, groups, reversed); `false` when the elimination must
    /// stop because the answer cannot be trusted.
    fn accepted_pick(
        &mut self,
        suite: u16,
        group: Option<u16>,
        (offer_suites, offer_groups, reversed): (&[u16], &[u16], bool),
        facts: &mut GroupFacts,
        out: &mut VersionScan,
    ) -> bool {
        if !offer_suites.contains(&suite) {
            out.errors.push((
                ErrorKind::Tls,
                format!(
                    "the server chose {}, which was not offered; elimination stopped",
                    suites::iana_hex(suite)
                ),
            ));
            return false;
        }
        let Some(group) = group.filter(|g| offer_groups.contains(g)) else {
            facts.error = Some((
                ErrorKind::Tls,
                "a reply named no group that was offered; group list incomplete".into(),
            ));
            // Suites can still be found with every group offered.
            if self.phase == Phase::Both || self.phase == Phase::SuitesOnly {
                self.suites_left.retain(|c| *c != suite);
                self.accepted.push(suite);
                self.phase = Phase::SuitesOnly;
                return true;
            }
            return false;
        };
        if reversed {
            self.asked_preference = true;
            facts.preference = Some(offer_suites.first() != Some(&suite));
        }
        self.record_pick(suite, group, facts);
        true
    }

    /// A pick of `suite` with `group`: what it removes depends on the question.
    fn record_pick(&mut self, suite: u16, group: u16, facts: &mut GroupFacts) {
        match self.phase {
            Phase::Both => {
                self.suites_left.retain(|c| *c != suite);
                self.accepted.push(suite);
                self.groups_left.retain(|g| *g != group);
                facts.groups.push(group);
            }
            // A new group where the remaining suites were refused
            // with the unseen groups: the suites ran out.
            Phase::Which | Phase::GroupsOnly => {
                self.groups_left.retain(|g| *g != group);
                facts.groups.push(group);
                if self.phase == Phase::Which {
                    self.suites_left.clear();
                    self.phase = Phase::GroupsOnly;
                }
            }
            Phase::SuitesOnly => {
                self.suites_left.retain(|c| *c != suite);
                self.accepted.push(suite);
                if !facts.groups.contains(&group) && self.groups_left.contains(&group) {
                    self.groups_left.retain(|g| *g != group);
                    facts.groups.push(group);
                }
            }
            Phase::Done => {}
        }
    }
}

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
    let mut state = Elimination {
        suites_left: offer_order(V),
        groups_left: every_group.clone(),
        every_group,
        accepted: Vec::new(),
        phase: Phase::Both,
        asked_preference: false,
    };
    let rounds = state.suites_left.len() + state.groups_left.len() + MAX_GROUP_ROUNDS;
    for round in 0..rounds {
        let Some((offer_suites, offer_groups, reversed)) = state.next_offer() else {
            break;
        };
        let spec = offer_hello(&base, &offer_suites, &offer_groups);
        let ex = match send_hello(endpoint, &Hello::Tls(spec), true, deadline).await {
            Ok(ex) => ex,
            Err(e) => {
                if round == 0 {
                    out.answer = Some(super::HelloAnswer::NoAnswer { why: e.to_string() });
                }
                out.errors.push((e.kind(), e.to_string()));
                break;
            }
        };
        out.seen.observe(V, &ex);
        let answer = read_answer(V.wire(), &ex);
        if round == 0 {
            out.answer = Some(hello_answer(&answer, &ex));
            settle_first(endpoint, &answer);
        }
        match answer {
            OfferOutcome::Accepted { suite } => {
                let group = ex
                    .reply
                    .server_hello
                    .as_ref()
                    .and_then(|s| s.key_share_group);
                let offered = (offer_suites.as_slice(), offer_groups.as_slice(), reversed);
                if !state.accepted_pick(suite, group, offered, &mut facts, &mut out) {
                    break;
                }
            }
            OfferOutcome::Refused { .. }
                if ex.ending == Ending::Reset && !state.accepted.is_empty() =>
            {
                // A refusal by reset, or a connection limit? An offer the
                // server accepted before tells (as for the other versions).
                if !control_accepted(endpoint, &base, &state.accepted, &facts, &mut out, deadline)
                    .await
                {
                    out.errors.push((
                        ErrorKind::Reset,
                        "the server reset a hello offering a suite and a group it had accepted moments before: a connection limit or a filter, so the suite and group lists may be incomplete".into(),
                    ));
                    break;
                }
                state.phase = refused(state.phase);
            }
            OfferOutcome::Refused { .. } if !state.accepted.is_empty() => {
                state.phase = refused(state.phase)
            }
            OfferOutcome::Refused { .. }
            | OfferOutcome::Downgraded { .. }
            | OfferOutcome::VersionRefused
                if state.accepted.is_empty() =>
            {
                out.refused_by_reset = ex.ending == Ending::Reset;
                break;
            }
            OfferOutcome::Unreadable { why } => {
                let kind = super::unreadable_kind(&ex);
                out.errors.push((kind, why));
                break;
            }
            other => {
                out.errors.push((
                    ErrorKind::Tls,
                    format!("the server refused TLS 1.3 after accepting it ({other:?})"),
                ));
                break;
            }
        }
    }
    record_accepted(&mut out, state.accepted);
    (out, facts)
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

/// Where a refusal leaves the elimination.
fn refused(phase: Phase) -> Phase {
    match phase {
        Phase::Both => Phase::Which,
        // The accepted suites with the unseen groups refused: groups done;
        // the remaining suites still need every group.
        Phase::Which => Phase::SuitesOnly,
        Phase::GroupsOnly | Phase::SuitesOnly | Phase::Done => Phase::Done,
    }
}

/// One suite and one group the server accepted, offered again.
async fn control_accepted(
    endpoint: &Endpoint,
    base: &ClientHelloSpec,
    accepted: &[u16],
    facts: &GroupFacts,
    out: &mut VersionScan,
    deadline: Deadline,
) -> bool {
    let (Some(&suite), Some(&group)) = (accepted.first(), facts.groups.first()) else {
        return false;
    };
    let mut spec = base.clone();
    spec.suites = vec![suite];
    spec.supported_groups = vec![group];
    spec.key_shares = KEY_SHARE_GROUPS
        .iter()
        .copied()
        .filter(|g| *g == group)
        .collect();
    match send_hello(endpoint, &Hello::Tls(spec), true, deadline).await {
        Ok(ex) => {
            out.seen.observe(V, &ex);
            matches!(read_answer(V.wire(), &ex), OfferOutcome::Accepted { .. })
        }
        Err(_) => false,
    }
}
