//! What the server would negotiate with a client's offer: the version, the
//! suite (server preference respected when known) and a key-exchange group
//! the client accepts, computed from the scan. Trials seen on the wire are
//! weighed against this in [`super::clients`].

use super::profiles::{ClientProfile, Failure};
use super::server::{self, Known, ServerView};
use crate::report::TlsVersion;
use crate::tls::suites::KeyExchange;

/// The outcome of one offer against the server's TLS facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsOutcome {
    /// The server would pick this pair. `certain` is false when a fact on the way was not measured.
    Connects {
        version: TlsVersion,
        suite: u16,
        certain: bool,
    },
    Fails {
        failure: Failure,
        reason: String,
    },
    /// Not determined; the text says which fact was not measured.
    Unknown(String),
}

/// What a client's version range requires, in words: "TLSv1.2 or later", "TLSv1.3".
pub fn requirement(vs: &[TlsVersion]) -> String {
    match (vs.iter().min(), vs.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => lo.to_string(),
        (Some(lo), Some(TlsVersion::Tls13)) => format!("{lo} or later"),
        (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
        _ => "no TLS version".into(),
    }
}

/// Names of versions, `TLSv1.0, TLSv1.1`.
pub fn version_list(vs: &[TlsVersion]) -> String {
    if vs.is_empty() {
        return "no TLS version".into();
    }
    vs.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
}

pub fn suite_list(codes: &[u16], max: usize) -> String {
    let mut names: Vec<String> = codes
        .iter()
        .take(max)
        .map(|c| {
            format!(
                "{} ({})",
                server::short_suite_name(*c),
                crate::tls::suites::iana_hex(*c)
            )
        })
        .collect();
    if codes.len() > max {
        names.push(format!("and {} more", codes.len() - max));
    }
    names.join(", ")
}

/// Bits of security-relevant size for an EC group (for `min_ecdhe_bits`).
fn group_bits(code: u16) -> Option<u32> {
    use crate::tls::hello::groups as g;
    Some(match code {
        g::SECP160K1 | g::SECP160R1 | g::SECP160R2 | g::SECT163K1 | g::SECT163R1 | g::SECT163R2 => {
            160
        }
        g::SECP192K1 | g::SECP192R1 | g::SECT193R1 | g::SECT193R2 => 192,
        g::SECP224K1 | g::SECP224R1 | g::SECT233K1 | g::SECT233R1 | g::SECT239K1 => 224,
        g::X25519 => 253,
        g::SECP256K1 | g::SECP256R1 | g::BRAINPOOLP256R1 | g::BRAINPOOLP256R1_TLS13 => 256,
        g::SECT283K1 | g::SECT283R1 => 283,
        g::SECP384R1
        | g::BRAINPOOLP384R1
        | g::BRAINPOOLP384R1_TLS13
        | g::SECT409K1
        | g::SECT409R1 => 384,
        g::X448 => 448,
        g::SECP521R1
        | g::BRAINPOOLP512R1
        | g::BRAINPOOLP512R1_TLS13
        | g::SECT571K1
        | g::SECT571R1 => 521,
        _ => return None,
    })
}

fn is_ec_group(code: u16) -> bool {
    code < 0x0100 || (0x11EB..=0x11ED).contains(&code) || code == 0x6399
}

/// Whether the client and the server share a group the client accepts for this suite at `v`.
fn group_ok(
    view: &ServerView,
    v: TlsVersion,
    suite: u16,
    groups: &[u16],
    min_ec: Option<u32>,
) -> bool {
    let needs_group = v == TlsVersion::Tls13 || server::kx(suite) == Some(KeyExchange::Ecdhe);
    if !needs_group || view.groups.is_empty() {
        return true;
    }
    groups.iter().any(|c| {
        view.groups.contains(c)
            && (v == TlsVersion::Tls13 || is_ec_group(*c))
            && match (min_ec, group_bits(*c)) {
                (Some(min), Some(bits)) => bits >= min,
                _ => true,
            }
    })
}

/// What the server would do with an offer of `versions` × `suites`
/// (server preference respected when known, else the client's order).
pub fn negotiate(
    view: &ServerView,
    profile: &ClientProfile,
    versions: &[TlsVersion],
    suites: &[u16],
) -> TlsOutcome {
    let mut vs: Vec<TlsVersion> = versions.to_vec();
    vs.sort_unstable_by(|a, b| b.cmp(a));
    let groups = profile.offer.groups;
    let mut uncertain = false;
    let mut unmeasured: Vec<TlsVersion> = Vec::new();
    for v in vs {
        match view.offers_version(v) {
            Known::No => continue,
            Known::Unknown => {
                uncertain = true;
                unmeasured.push(v);
                continue;
            }
            Known::Yes => {}
        }
        let client: Vec<u16> = suites
            .iter()
            .copied()
            .filter(|s| server::usable_at(*s, v))
            .collect();
        let Some(server_list) = view.suites_at(v) else {
            // Suites not enumerated: only the modern handshake's pair is known.
            return match view.handshake {
                Some((hv, hs)) if hv == v && client.contains(&hs) => TlsOutcome::Connects {
                    version: v,
                    suite: hs,
                    certain: false,
                },
                _ => TlsOutcome::Unknown(format!(
                    "the server accepts {v} but its suites were not enumerated"
                )),
            };
        };
        let fits = |s: &u16| {
            server_list.contains(s)
                && client.contains(s)
                && group_ok(view, v, *s, groups, profile.min_ecdhe_bits)
        };
        let pick = if view.preference_at(v) == Some(true) {
            server_list.iter().copied().find(|s| fits(s))
        } else {
            client.iter().copied().find(|s| fits(s))
        };
        return match pick {
            Some(suite) => TlsOutcome::Connects {
                version: v,
                suite,
                certain: !uncertain,
            },
            None if uncertain => TlsOutcome::Unknown(format!(
                "no common suite at {v}, and whether the server accepts {} was not measured",
                version_list(&unmeasured)
            )),
            None => no_common_pick(view, profile, v, &client, server_list),
        };
    }
    if uncertain {
        return TlsOutcome::Unknown(format!(
            "whether the server accepts {} was not measured",
            version_list(&unmeasured)
        ));
    }
    let mut want = versions.to_vec();
    want.sort_unstable();
    TlsOutcome::Fails {
        failure: Failure::ProtocolVersion,
        reason: format!(
            "the server offers {}{}, {} requires {}",
            if view.accepted_versions().is_empty() {
                ""
            } else {
                "only "
            },
            version_list(&view.accepted_versions()),
            profile.short,
            requirement(&want)
        ),
    }
}

/// Why no suite fits at `v`: none of the client's suites is accepted at all,
/// or they are but no key-exchange group both sides accept goes with them.
fn no_common_pick(
    view: &ServerView,
    profile: &ClientProfile,
    v: TlsVersion,
    client: &[u16],
    server_list: &[u16],
) -> TlsOutcome {
    let groups = profile.offer.groups;
    let no_suite_at_all = !client.iter().any(|s| server_list.contains(s));
    if no_suite_at_all {
        TlsOutcome::Fails {
            failure: Failure::NoCommonSuite,
            reason: format!(
                "at {v} the server accepts only {}, none of them in {}'s offer",
                suite_list(server_list, 6),
                profile.short,
            ),
        }
    } else {
        TlsOutcome::Fails {
            failure: Failure::NoCommonGroup,
            reason: format!(
                "the server's key-exchange groups ({}) and {}'s ({}) have none in common that the client accepts",
                view.obs.tls.groups.join(", "),
                profile.short,
                groups
                    .iter()
                    .map(|c| crate::tls::group_label(*c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}
