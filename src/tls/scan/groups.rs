//! Key-exchange groups by elimination: TLS 1.3 through key_share and
//! HelloRetryRequest, older versions through the ECDHE ServerKeyExchange.

use super::versions::VersionScan;
use super::{
    Ending, Endpoint, Hello, MAX_GROUP_ROUNDS, OfferOutcome, SeenInScan, read_answer, send_hello,
};
use crate::tls::hello::{ClientHelloSpec, KEY_SHARE_GROUPS, groups};
use crate::tls::suites::{self, KeyExchange};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, TlsVersion};

/// ML-KEM groups and hybrids (draft-ietf-tls-ecdhe-mlkem,
/// draft-connolly-tls-mlkem-key-agreement), offered by code point only: we
/// cannot make their shares, so a server that wants one asks for it with a
/// HelloRetryRequest, which names it just as well. OpenSSL 3.5+ prefers
/// X25519MLKEM768 by default; reporting it is the point.
pub(super) const POST_QUANTUM: [u16; 6] = [
    groups::X25519_MLKEM768,
    groups::SECP256R1_MLKEM768,
    groups::SECP384R1_MLKEM1024,
    groups::MLKEM512,
    groups::MLKEM768,
    groups::MLKEM1024,
];

pub(super) use super::answers::GroupFacts;

/// Where and how groups are eliminated.
#[derive(Debug, Clone)]
pub(super) struct GroupPlan {
    pub(super) version: TlsVersion,
    base: ClientHelloSpec,
    seed: Option<u16>,
    /// The first hello also asks the preference question: it offers the
    /// accepted suites reversed (as the preference check does) with the
    /// groups not yet seen. A server that follows the client picks the first
    /// offered, one with its own order picks its favourite; either way the
    /// group it names is new. Any accepted suite works with any group at
    /// TLS 1.3, and any ECDHE suite of one authentication with any curve
    /// below it, so the reversal cannot be confused with a group's effect.
    pub(super) fold: Option<Vec<u16>>,
}

/// Group elimination at the best version that has groups: TLS 1.3 (the
/// group in key_share / HelloRetryRequest), else the highest version with an
/// accepted ECDHE suite (the ServerKeyExchange curve). The version scan's
/// own first pick seeds the list, saving one hello.
pub(super) fn plan_groups(
    scans: &[VersionScan],
    seen: &SeenInScan,
    sni: Option<String>,
) -> Option<GroupPlan> {
    let accepted = |v: TlsVersion| {
        scans
            .iter()
            .find(|s| s.version == v && s.offered == Some(true))
    };
    if let Some(s13) = accepted(TlsVersion::Tls13) {
        let mut base =
            ClientHelloSpec::for_version(TlsVersion::Tls13.wire(), s13.codes.clone(), sni);
        for g in POST_QUANTUM {
            if !base.supported_groups.contains(&g) {
                base.supported_groups.push(g);
            }
        }
        let fold = (s13.codes.len() >= 2 && !s13.interleaved)
            .then(|| s13.codes.iter().rev().copied().collect());
        return Some(GroupPlan {
            version: TlsVersion::Tls13,
            base,
            seed: seen.tls13_group,
            fold,
        });
    }
    for v in [
        TlsVersion::Tls12,
        TlsVersion::Tls11,
        TlsVersion::Tls10,
        TlsVersion::Ssl3,
    ] {
        let Some(s) = accepted(v) else { continue };
        let ecdhe: Vec<u16> = s
            .codes
            .iter()
            .copied()
            .filter(|c| suites::lookup(*c).is_some_and(|x| matches!(x.kx, KeyExchange::Ecdhe)))
            .collect();
        let Some(first) = ecdhe.first().and_then(|c| suites::lookup(*c)) else {
            continue;
        };
        // One authentication only: an ECDSA certificate's curve must be
        // among the groups offered (RFC 8422 §5.1), an RSA one's need not.
        let one_auth: Vec<u16> = ecdhe
            .iter()
            .copied()
            .filter(|c| suites::lookup(*c).is_some_and(|x| x.auth == first.auth))
            .collect();
        let fold = (one_auth.len() >= 2 && s.codes.len() >= 2 && !s.interleaved)
            .then(|| one_auth.iter().rev().copied().collect());
        let base = ClientHelloSpec::for_version(v.wire(), ecdhe, sni);
        // The suite scan offered the full curve list at this version; its
        // first ECDHE answer is the server's first pick.
        let seed = s.seen.curves.first().copied();
        return Some(GroupPlan {
            version: v,
            base,
            seed,
            fold,
        });
    }
    None
}

pub(super) async fn scan_groups(
    endpoint: &Endpoint,
    plan: GroupPlan,
    deadline: Deadline,
) -> GroupFacts {
    eliminate_groups(
        endpoint,
        plan.version,
        plan.base,
        plan.seed,
        plan.fold,
        deadline,
    )
    .await
}

/// The hello offering `remaining` groups (with the accepted suites reversed
/// when this hello also asks the preference question).
fn group_hello(
    base: &ClientHelloSpec,
    v: TlsVersion,
    remaining: &[u16],
    reversed: Option<&[u16]>,
) -> ClientHelloSpec {
    let mut spec = base.clone();
    spec.supported_groups = remaining.to_vec();
    if let Some(r) = reversed {
        spec.suites = r.to_vec();
    }
    if v == TlsVersion::Tls13 {
        // A share for a group still offered, if we can make one; with
        // none the server asks for its group by HelloRetryRequest.
        spec.key_shares = remaining
            .iter()
            .copied()
            .find(|g| KEY_SHARE_GROUPS.contains(g))
            .into_iter()
            .collect();
    }
    spec
}

/// A hello reset: as for suites, a reset may be a refusal (SChannel) or a
/// connection limit; a group accepted before tells which.
async fn check_reset(
    endpoint: &Endpoint,
    v: TlsVersion,
    base: &ClientHelloSpec,
    facts: &mut GroupFacts,
    deadline: Deadline,
) {
    let Some(&control) = facts.groups.first() else {
        return;
    };
    let mut spec = base.clone();
    spec.supported_groups = vec![control];
    spec.key_shares = KEY_SHARE_GROUPS
        .iter()
        .copied()
        .filter(|g| *g == control && v == TlsVersion::Tls13)
        .collect();
    let confirmed = match send_hello(endpoint, &Hello::Tls(spec), true, deadline).await {
        Ok(ex) => {
            facts.connections += ex.connections;
            matches!(read_answer(v.wire(), &ex), OfferOutcome::Accepted { .. })
        }
        Err(_) => false,
    };
    if !confirmed {
        facts.error = Some((
            ErrorKind::Reset,
            "the server reset a hello with a group it had accepted before: a connection limit or a filter, so the group list may be incomplete".into(),
        ));
    }
}

async fn eliminate_groups(
    endpoint: &Endpoint,
    v: TlsVersion,
    base: ClientHelloSpec,
    seed: Option<u16>,
    fold: Option<Vec<u16>>,
    deadline: Deadline,
) -> GroupFacts {
    eliminate_groups_folding(endpoint, v, base, seed, (fold, None), deadline).await
}

/// `suites` with `s1` moved (or added) to the end.
fn last_of(suites: &[u16], s1: u16) -> Vec<u16> {
    let mut out: Vec<u16> = suites.iter().copied().filter(|c| *c != s1).collect();
    out.push(s1);
    out
}

async fn eliminate_groups_folding(
    endpoint: &Endpoint,
    v: TlsVersion,
    base: ClientHelloSpec,
    seed: Option<u16>,
    (mut fold, mut last): (Option<Vec<u16>>, Option<u16>),
    deadline: Deadline,
) -> GroupFacts {
    // TLS 1.3's chain, when it was refused and handed its slot over.
    let handed = endpoint.take_handed_chain();
    let _chain = match handed.is_empty() {
        true => endpoint.chain_running(),
        false => handed,
    };
    let mut facts = GroupFacts::default();
    let mut remaining = base.supported_groups.clone();
    if let Some(g) = seed
        && let Some(pos) = remaining.iter().position(|x| *x == g)
    {
        remaining.remove(pos);
        facts.groups.push(g);
    }
    for _ in 0..MAX_GROUP_ROUNDS {
        if remaining.is_empty() {
            break;
        }
        let reversed = fold.take();
        let asking = last.take();
        let moved = asking.map(|s1| last_of(&base.suites, s1));
        let spec = group_hello(
            &base,
            v,
            &remaining,
            reversed.as_deref().or(moved.as_deref()),
        );
        let ex = match send_hello(
            endpoint,
            &Hello::Tls(spec),
            v == TlsVersion::Tls13,
            deadline,
        )
        .await
        {
            Ok(ex) => ex,
            Err(e) => {
                facts.error = Some((e.kind(), e.to_string()));
                break;
            }
        };
        facts.connections += ex.connections;
        let answer = read_answer(v.wire(), &ex);
        if let (Some(r), OfferOutcome::Accepted { suite }) = (&reversed, &answer) {
            facts.preference = Some(r.first() != Some(suite));
        }
        if let (Some(s1), OfferOutcome::Accepted { suite }) = (asking, &answer) {
            // Proven when another ECDHE suite is accepted (the caller checks).
            facts.preference = Some(*suite == s1);
            super::order::tell_order(endpoint, *suite != s1);
            if *suite == s1 && !base.suites.contains(&s1) {
                // Not an ECDHE suite: no group in this answer; the chain
                // goes on with the ECDHE suites alone.
                continue;
            }
        }
        let picked = match answer {
            OfferOutcome::Accepted { .. } if v == TlsVersion::Tls13 => ex
                .reply
                .server_hello
                .as_ref()
                .and_then(|s| s.key_share_group),
            OfferOutcome::Accepted { .. } => super::versions::curve_of(&ex),
            OfferOutcome::Refused { .. } if ex.ending == Ending::Reset => {
                // As for suites: a reset may be a refusal (SChannel) or a
                // connection limit; a group accepted before tells which.
                check_reset(endpoint, v, &base, &mut facts, deadline).await;
                break;
            }
            _ => break,
        };
        match chosen(picked, &remaining) {
            Ok(pos) => facts.groups.push(remaining.remove(pos)),
            Err(e) => {
                facts.error = Some(e);
                break;
            }
        }
    }
    facts
}

/// Where the group a reply named (`picked`) stands among those `offered`;
/// an error when it named none, or one not offered.
fn chosen(picked: Option<u16>, offered: &[u16]) -> Result<usize, (ErrorKind, String)> {
    let Some(g) = picked else {
        return Err((
            ErrorKind::Tls,
            "a reply named no group; group list incomplete".into(),
        ));
    };
    offered.iter().position(|x| *x == g).ok_or_else(|| {
        (
            ErrorKind::Tls,
            format!(
                "the server chose group {}, which was not offered",
                crate::tls::group_label(g)
            ),
        )
    })
}

/// The curves nearly every ECDHE server takes (OpenSSL's, SChannel's, JSSE's,
/// Go's and BoringSSL's default lists all hold both): asked one hello each,
/// beside the elimination of the others, instead of at the head of one
/// chain. Where they are accepted (the usual case) that costs no more
/// connections than the chain, and takes two links out of it.
const LIKELY: [u16; 2] = [groups::SECP256R1, groups::SECP384R1];

/// The groups at `v` (TLS <= 1.2, the highest version accepted, TLS 1.3
/// not), eliminated beside the suites instead of after the whole scan.
/// `ecdhe` is every ECDHE suite of `v`, `(s1, seed)` the first ECDHE suite
/// the elimination found and its curve. The [`LIKELY`] curves other than
/// the seed are asked one hello each (offering every ECDHE suite and that
/// one curve), at once; the other curves go to one chain offering those
/// not yet seen, until refused. So a server's favourite curves are not
/// ordered among themselves: the seed comes first (the server's first
/// choice from the whole list), then the likely ones accepted, then the
/// chain's picks in the order it found them.
///
/// The first likely hello also asks the preference question, without
/// waiting for a second suite: it offers every ECDHE suite with `s1` last.
/// `s1` is the server's first choice among them if it has an order of its
/// own (it was picked from a list holding them all), so such a server picks
/// it again; a server that follows the client picks an earlier one when it
/// accepts another. The facts' `preference` is `Some(true)` when `s1` came
/// back (proven only if a second ECDHE suite is accepted: the caller
/// checks), `Some(false)` when another did. With no likely curve left to
/// ask, the chain's first hello asks it. A server with no ECDHE suite at `v`
/// refuses every hello: no groups, as the scan after the suites would find.
pub(super) async fn early_groups(
    endpoint: &Endpoint,
    (v, ecdhe, (s1, seed)): (TlsVersion, Vec<u16>, (u16, Option<u16>)),
    sni: Option<String>,
    deadline: Deadline,
) -> GroupFacts {
    let base = ClientHelloSpec::for_version(v.wire(), ecdhe, sni);
    let likely: Vec<u16> = LIKELY
        .into_iter()
        .filter(|g| Some(*g) != seed && base.supported_groups.contains(g))
        .collect();
    let mut chained = base.clone();
    chained.supported_groups.retain(|g| !likely.contains(g));
    let ask_in_chain = likely.is_empty().then_some(s1);
    let chain =
        eliminate_groups_folding(endpoint, v, chained, seed, (None, ask_in_chain), deadline);
    // The singles wait behind the chains' next hellos: one answer each,
    // which no chain waits on (the eliminations read the preference answer
    // when it comes, and go on meanwhile).
    let settling = endpoint.at(crate::net::Priority::Settle);
    let singles = futures_util::future::join_all(likely.iter().enumerate().map(|(i, g)| {
        let asking = (i == 0).then_some(s1);
        single_group(&settling, v, &base, (*g, asking), deadline)
    }));
    let (mut facts, singles) = tokio::join!(chain, singles);
    let mut reset = false;
    let mut found = Vec::new();
    for (g, one) in likely.iter().zip(singles) {
        facts.connections += one.connections;
        facts.preference = facts.preference.or(one.preference);
        if one.error.is_some() && facts.error.is_none() {
            facts.error = one.error;
        }
        reset |= one.reset;
        if one.accepted {
            found.push(*g);
        }
    }
    // The seed first, then the likely curves, then the chain's picks.
    let at = usize::from(seed.is_some() && !facts.groups.is_empty());
    facts.groups.splice(at..at, found);
    if reset {
        // As in the chain: a reset may be a refusal (SChannel) or a
        // connection limit; a group accepted before tells which.
        check_reset(endpoint, v, &base, &mut facts, deadline).await;
    }
    facts
}

/// What one hello offering a single curve found.
#[derive(Debug, Default)]
struct SingleGroup {
    accepted: bool,
    /// Refused by a reset: a refusal or a connection limit.
    reset: bool,
    connections: u32,
    error: Option<(ErrorKind, String)>,
    preference: Option<bool>,
}

/// One hello offering every ECDHE suite of `base` (with `s1` last when
/// `asking`, the preference question) and the curve `g` alone.
async fn single_group(
    endpoint: &Endpoint,
    v: TlsVersion,
    base: &ClientHelloSpec,
    (g, asking): (u16, Option<u16>),
    deadline: Deadline,
) -> SingleGroup {
    let mut out = SingleGroup::default();
    let moved = asking.map(|s1| last_of(&base.suites, s1));
    let spec = group_hello(base, v, &[g], moved.as_deref());
    let ex = match send_hello(endpoint, &Hello::Tls(spec), false, deadline).await {
        Ok(ex) => ex,
        Err(e) => {
            out.error = Some((e.kind(), e.to_string()));
            return out;
        }
    };
    out.connections = ex.connections;
    match read_answer(v.wire(), &ex) {
        OfferOutcome::Accepted { suite } => {
            if let Some(s1) = asking {
                out.preference = Some(suite == s1);
                super::order::tell_order(endpoint, suite != s1);
            }
            match chosen(super::versions::curve_of(&ex), &[g]) {
                Ok(_) => out.accepted = true,
                Err(e) => out.error = Some(e),
            }
        }
        OfferOutcome::Refused { .. } => out.reset = ex.ending == Ending::Reset,
        _ => {}
    }
    out
}
