//! Key-exchange groups by elimination: TLS 1.3 through key_share and
//! HelloRetryRequest, older versions through the ECDHE ServerKeyExchange.

use super::versions::VersionScan;
use super::{
    Ending, Endpoint, Hello, MAX_GROUP_ROUNDS, OfferOutcome, SeenInScan, read_answer, send_hello,
};
use crate::tls::hello::{ClientHelloSpec, KEY_SHARE_GROUPS, groups};
use crate::tls::reply::KeyExchangeInfo;
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
    eliminate_groups_folding(endpoint, v, base, seed, fold, None, deadline).await
}

/// Suites found while the group chain runs, and whether the first two may
/// be folded into a group hello (both ECDHE of the chain's authentication).
struct LateFold<'a> {
    found: &'a tokio::sync::watch::Receiver<Vec<(u16, Option<u16>)>>,
    /// The pair was folded.
    used: bool,
}

impl LateFold<'_> {
    /// Waits until the pair is known or the elimination has ended, so the
    /// question goes into the next group hello whatever the timing: a
    /// chain that ran ahead of the elimination and ended before the pair
    /// was found would leave the question to a hello of its own (one
    /// connection more on some runs than on others).
    async fn settled(&self) {
        if self.used {
            return;
        }
        let mut rx = self.found.clone();
        loop {
            if Self::pair(&rx.borrow_and_update()).is_some() {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    fn pair(found: &[(u16, Option<u16>)]) -> Option<Vec<u16>> {
        let ecdhe: Vec<(u16, suites::Authentication)> = found
            .iter()
            .filter_map(|(c, _)| {
                let s = suites::lookup(*c)?;
                matches!(s.kx, KeyExchange::Ecdhe).then_some((*c, s.auth))
            })
            .collect();
        let (first, auth) = *ecdhe.first()?;
        let (second, _) = *ecdhe.iter().skip(1).find(|(_, a)| *a == auth)?;
        Some(vec![second, first])
    }

    /// The first two ECDHE suites of one authentication found (in the
    /// order found: the first was picked from a list holding the second),
    /// reversed, to fold into the next hello once both are known.
    fn take(&mut self) -> Option<Vec<u16>> {
        if self.used {
            return None;
        }
        let pair = Self::pair(&self.found.borrow())?;
        self.used = true;
        Some(pair)
    }
}

async fn eliminate_groups_folding(
    endpoint: &Endpoint,
    v: TlsVersion,
    base: ClientHelloSpec,
    seed: Option<u16>,
    mut fold: Option<Vec<u16>>,
    mut late: Option<&mut LateFold<'_>>,
    deadline: Deadline,
) -> GroupFacts {
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
        if fold.is_none()
            && facts.preference.is_none()
            && let Some(late) = late.as_deref()
        {
            late.settled().await;
        }
        let reversed = fold.take().or_else(|| {
            late.as_deref_mut()
                .filter(|_| facts.preference.is_none())
                .and_then(LateFold::take)
        });
        let spec = group_hello(&base, v, &remaining, reversed.as_deref());
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
        let picked = match answer {
            OfferOutcome::Accepted { .. } if v == TlsVersion::Tls13 => ex
                .reply
                .server_hello
                .as_ref()
                .and_then(|s| s.key_share_group),
            OfferOutcome::Accepted { .. } => match &ex.reply.key_exchange {
                Some(KeyExchangeInfo::Ecdhe { named_curve, .. }) => *named_curve,
                _ => None,
            },
            OfferOutcome::Refused { .. } if ex.ending == Ending::Reset => {
                // As for suites: a reset may be a refusal (SChannel) or a
                // connection limit; a group accepted before tells which.
                check_reset(endpoint, v, &base, &mut facts, deadline).await;
                break;
            }
            _ => break,
        };
        let Some(g) = picked else {
            facts.error = Some((
                ErrorKind::Tls,
                "a reply named no group; group list incomplete".into(),
            ));
            break;
        };
        let Some(pos) = remaining.iter().position(|x| *x == g) else {
            facts.error = Some((
                ErrorKind::Tls,
                format!(
                    "the server chose group {}, which was not offered",
                    crate::tls::group_label(g)
                ),
            ));
            break;
        };
        remaining.remove(pos);
        facts.groups.push(g);
    }
    facts
}

/// The groups at `v` (TLS <= 1.2, the highest version accepted, TLS 1.3
/// not), eliminated beside the suites instead of after the whole scan: one
/// chain offering every ECDHE suite of `v` (`ecdhe`) with the groups not yet
/// seen, until refused. `seed` is the curve of the descent's answer when
/// its suite was ECDHE. When the suites' elimination (`found`) has two ECDHE
/// suites of one authentication while the chain runs, the next group hello
/// offers those two reversed instead (the fold of [`GroupPlan::fold`]) and
/// also answers the preference question: the facts' `preference`;
/// otherwise the caller asks it. A server with no ECDHE suite at `v` refuses
/// the first hello: no groups, as the scan after the suites would find.
pub(super) async fn early_groups(
    endpoint: &Endpoint,
    (v, ecdhe, seed): (TlsVersion, Vec<u16>, Option<u16>),
    found: &tokio::sync::watch::Receiver<Vec<(u16, Option<u16>)>>,
    sni: Option<String>,
    deadline: Deadline,
) -> GroupFacts {
    let base = ClientHelloSpec::for_version(v.wire(), ecdhe, sni);
    let mut late = LateFold { found, used: false };
    eliminate_groups_folding(endpoint, v, base, seed, None, Some(&mut late), deadline).await
}
