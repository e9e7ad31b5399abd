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
use super::{Answer, Ending, Endpoint, Hello, MAX_GROUP_ROUNDS, hello_answer, read_answer};
use crate::net::Deadline;
use crate::tls::hello::{ClientHelloSpec, KEY_SHARE_GROUPS};
use crate::tls::suites;
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
    let mut suites_left = offer_order(V);
    let mut groups_left = every_group.clone();
    let mut accepted: Vec<u16> = Vec::new();
    let mut phase = Phase::Both;
    let mut asked_preference = false;
    let rounds = suites_left.len() + groups_left.len() + MAX_GROUP_ROUNDS;
    for round in 0..rounds {
        if phase == Phase::Done {
            break;
        }
        // An empty list cannot be offered: that dimension is finished.
        if matches!(phase, Phase::Both | Phase::Which) && groups_left.is_empty() {
            phase = Phase::SuitesOnly;
        }
        if phase == Phase::Both && suites_left.is_empty() {
            phase = Phase::GroupsOnly;
        }
        if (phase == Phase::SuitesOnly && suites_left.is_empty())
            || (phase == Phase::GroupsOnly && groups_left.is_empty())
        {
            break;
        }
        let (offer_suites, offer_groups) = match phase {
            Phase::Both => (suites_left.clone(), groups_left.clone()),
            Phase::Which | Phase::GroupsOnly => {
                let mut s = accepted.clone();
                if !asked_preference && s.len() >= 2 {
                    s.reverse();
                }
                (s, groups_left.clone())
            }
            Phase::SuitesOnly => (suites_left.clone(), every_group.clone()),
            Phase::Done => break,
        };
        let reversed = matches!(phase, Phase::Which | Phase::GroupsOnly)
            && !asked_preference
            && offer_suites.len() >= 2;
        let mut spec = base.clone();
        spec.suites = offer_suites.clone();
        spec.supported_groups = offer_groups.clone();
        // A share for a group offered, if we can make one; without, the
        // server names its group in a HelloRetryRequest.
        spec.key_shares = offer_groups
            .iter()
            .copied()
            .find(|g| KEY_SHARE_GROUPS.contains(g))
            .into_iter()
            .collect();
        let ex = match send_hello(endpoint, &Hello::Tls(spec), true, deadline).await {
            Ok(ex) => ex,
            Err(e) => {
                if round == 0 {
                    out.answer =
                        Some(crate::observations::HelloAnswer::NoAnswer { why: e.to_string() });
                }
                out.errors.push((e.kind(), e.to_string()));
                break;
            }
        };
        out.seen.observe(V, &ex);
        let answer = read_answer(V.wire(), &ex);
        if round == 0 {
            out.answer = Some(hello_answer(&answer, &ex));
        }
        match answer {
            Answer::Accepted { suite } => {
                let group = ex
                    .reply
                    .server_hello
                    .as_ref()
                    .and_then(|s| s.key_share_group);
                if !offer_suites.contains(&suite) {
                    out.errors.push((
                        ErrorKind::Tls,
                        format!(
                            "the server chose {}, which was not offered; elimination stopped",
                            suites::iana_hex(suite)
                        ),
                    ));
                    break;
                }
                let Some(group) = group.filter(|g| offer_groups.contains(g)) else {
                    facts.error = Some((
                        ErrorKind::Tls,
                        "a reply named no group that was offered; group list incomplete".into(),
                    ));
                    // Suites can still be found with every group offered.
                    if phase == Phase::Both || phase == Phase::SuitesOnly {
                        suites_left.retain(|c| *c != suite);
                        accepted.push(suite);
                        phase = Phase::SuitesOnly;
                        continue;
                    }
                    break;
                };
                if reversed {
                    asked_preference = true;
                    facts.preference = Some(offer_suites.first() != Some(&suite));
                }
                match phase {
                    Phase::Both => {
                        suites_left.retain(|c| *c != suite);
                        accepted.push(suite);
                        groups_left.retain(|g| *g != group);
                        facts.groups.push(group);
                    }
                    // A new group where the remaining suites were refused
                    // with the unseen groups: the suites ran out.
                    Phase::Which | Phase::GroupsOnly => {
                        groups_left.retain(|g| *g != group);
                        facts.groups.push(group);
                        if phase == Phase::Which {
                            suites_left.clear();
                            phase = Phase::GroupsOnly;
                        }
                    }
                    Phase::SuitesOnly => {
                        suites_left.retain(|c| *c != suite);
                        accepted.push(suite);
                        if !facts.groups.contains(&group) && groups_left.contains(&group) {
                            groups_left.retain(|g| *g != group);
                            facts.groups.push(group);
                        }
                    }
                    Phase::Done => {}
                }
            }
            Answer::Refused { .. } if ex.ending == Ending::Reset && !accepted.is_empty() => {
                // A refusal by reset, or a connection limit? An offer the
                // server accepted before tells (as for the other versions).
                if !control_accepted(endpoint, &base, &accepted, &facts, &mut out, deadline).await {
                    out.errors.push((
                        ErrorKind::Reset,
                        "the server reset a hello offering a suite and a group it had accepted moments before: a connection limit or a filter, so the suite and group lists may be incomplete".into(),
                    ));
                    break;
                }
                phase = refused(phase);
            }
            Answer::Refused { .. } if !accepted.is_empty() => phase = refused(phase),
            Answer::Refused { .. } | Answer::Downgraded { .. } | Answer::VersionRefused
                if accepted.is_empty() =>
            {
                out.refused_by_reset = ex.ending == Ending::Reset;
                break;
            }
            Answer::Unreadable { why } => {
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
    (out, facts)
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
            matches!(read_answer(V.wire(), &ex), Answer::Accepted { .. })
        }
        Err(_) => false,
    }
}
