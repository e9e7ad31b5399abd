//! Key-exchange groups by elimination: TLS 1.3 through key_share and
//! HelloRetryRequest, older versions through the ECDHE ServerKeyExchange.

use super::versions::VersionScan;
use super::{Answer, Ending, Endpoint, Hello, MAX_GROUP_ROUNDS, Seen, read_answer, send_hello};
use crate::probe::net::Deadline;
use crate::report::{ErrorKind, TlsVersion};
use crate::tls::hello::{ClientHelloSpec, KEY_SHARE_GROUPS, groups};
use crate::tls::reply::KeyExchangeInfo;
use crate::tls::suites::{self, KeyExchange};

/// ML-KEM groups and hybrids (draft-ietf-tls-ecdhe-mlkem,
/// draft-connolly-tls-mlkem-key-agreement), offered by code point only: we
/// cannot make their shares, so a server that wants one asks for it with a
/// HelloRetryRequest, which names it just as well. OpenSSL 3.5+ prefers
/// X25519MLKEM768 by default; reporting it is the point.
const POST_QUANTUM: [u16; 6] = [
    groups::X25519_MLKEM768,
    groups::SECP256R1_MLKEM768,
    groups::SECP384R1_MLKEM1024,
    groups::MLKEM512,
    groups::MLKEM768,
    groups::MLKEM1024,
];

#[derive(Debug, Default)]
pub(super) struct GroupFacts {
    pub(super) groups: Vec<u16>,
    pub(super) connections: u32,
    pub(super) error: Option<(ErrorKind, String)>,
}

/// Group elimination at the best version that has groups: TLS 1.3 (the
/// group in key_share / HelloRetryRequest), else the highest version with an
/// accepted ECDHE suite (the ServerKeyExchange curve). The version scan's
/// own first pick seeds the list, saving one hello.
pub(super) async fn scan_groups(
    endpoint: &Endpoint,
    scans: &[VersionScan],
    seen: &Seen,
    sni: Option<String>,
    deadline: Deadline,
) -> GroupFacts {
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
        return eliminate_groups(
            endpoint,
            TlsVersion::Tls13,
            base,
            seen.tls13_group,
            deadline,
        )
        .await;
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
        if ecdhe.is_empty() {
            continue;
        }
        let base = ClientHelloSpec::for_version(v.wire(), ecdhe, sni);
        // The suite scan offered the full curve list at this version; its
        // first ECDHE answer is the server's first pick.
        let seed = s.seen.curves.first().copied();
        return eliminate_groups(endpoint, v, base, seed, deadline).await;
    }
    GroupFacts::default()
}

async fn eliminate_groups(
    endpoint: &Endpoint,
    v: TlsVersion,
    base: ClientHelloSpec,
    seed: Option<u16>,
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
        let mut spec = base.clone();
        spec.supported_groups = remaining.clone();
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
        let picked = match read_answer(v.wire(), &ex) {
            Answer::Accepted { .. } if v == TlsVersion::Tls13 => ex
                .reply
                .server_hello
                .as_ref()
                .and_then(|s| s.key_share_group),
            Answer::Accepted { .. } => match &ex.reply.key_exchange {
                Some(KeyExchangeInfo::Ecdhe { named_curve, .. }) => *named_curve,
                _ => None,
            },
            Answer::Refused { .. } if ex.ending == Ending::Reset => {
                // As for suites: a reset may be a refusal (SChannel) or a
                // connection limit; a group accepted before tells which.
                if let Some(&control) = facts.groups.first() {
                    let mut spec = base.clone();
                    spec.supported_groups = vec![control];
                    spec.key_shares = KEY_SHARE_GROUPS
                        .iter()
                        .copied()
                        .filter(|g| *g == control && v == TlsVersion::Tls13)
                        .collect();
                    let confirmed =
                        match send_hello(endpoint, &Hello::Tls(spec), true, deadline).await {
                            Ok(ex) => {
                                facts.connections += ex.connections;
                                matches!(read_answer(v.wire(), &ex), Answer::Accepted { .. })
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
