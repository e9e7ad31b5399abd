//! Per-client verdicts: can this client connect, with what, and if not, why
//! and what does it show its user. Computed from the observed facts; where
//! the scanner sent the client's real offer (`client_trials`), what the
//! server did is what counts, and a disagreement with the computation is
//! kept so the diagnosis can report it.

use crate::observations::{Observations, ServiceSeen, TrialOutcome};
use crate::vocab::{Protocol, TlsVersion, Transport};

use super::profiles::{ClientProfile, Failure, ProfileKind, Refusal, Rule, StartTlsBehaviour};
use super::server::{self, Known, ServerView};
use crate::tls::suites::KeyExchange;

pub use crate::report::ClientBasis as Basis;

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

/// One client's verdict.
#[derive(Debug, Clone)]
pub struct ClientVerdict {
    pub profile: &'static ClientProfile,
    pub connects: bool,
    pub basis: Basis,
    pub negotiated: Option<(TlsVersion, u16)>,
    /// The failure class that stops it (when `connects` is false).
    pub failure: Option<Failure>,
    pub reason: Option<String>,
    pub error_as_seen: Option<String>,
    /// What may still stop it: unknown client behaviour or a user prompt.
    pub risks: Vec<String>,
    /// The failure class behind each risk, where there is one.
    pub risk_classes: Vec<Failure>,
    /// Compliance profiles: whether the server complies (None: not measured).
    pub compliant: Option<bool>,
    pub violations: Vec<String>,
    /// The wire trial disagreed with the computation: (computed, observed).
    pub disagreement: Option<(String, String)>,
    /// Counts for the verdict.
    pub decides: bool,
    /// The failure rests on a profile fact no source settles (so it is a risk).
    pub unverified: bool,
}

pub use super::certainty::{Status, status};
use super::certainty::{refusal_of, rest_on_sources};

/// Evaluates every profile that applies to the target's protocol, plus any
/// profile the request selected explicitly.
pub fn evaluate_all(obs: &Observations, selected: &[&'static ClientProfile]) -> Vec<ClientVerdict> {
    let view = ServerView::new(obs);
    super::profiles::all()
        .iter()
        .filter(|p| {
            p.protocols.contains(&obs.target.protocol) || selected.iter().any(|s| s.id == p.id)
        })
        .map(|p| {
            let mut v = evaluate(&view, p);
            v.decides = selected.iter().any(|s| s.id == p.id);
            v
        })
        .collect()
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
            None => {
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

fn with_doubt(base: &[TlsVersion], add: &[TlsVersion], remove: bool) -> Vec<TlsVersion> {
    let mut out: Vec<TlsVersion> = base
        .iter()
        .copied()
        .filter(|v| !(remove && add.contains(v)))
        .collect();
    if !remove {
        for v in add {
            if !out.contains(v) {
                out.push(*v);
            }
        }
    }
    out
}

fn with_doubt_suites(base: &[u16], add: &[u16], remove: bool) -> Vec<u16> {
    let mut out: Vec<u16> = base
        .iter()
        .copied()
        .filter(|s| !(remove && add.contains(s)))
        .collect();
    if !remove {
        for s in add {
            if !out.contains(s) {
                out.push(*s);
            }
        }
    }
    out
}

fn fill(template: &str, obs: &Observations, view: &ServerView) -> String {
    let max = view.max_version();
    let version = max.map(|v| v.as_str()).unwrap_or("unknown");
    let java = match max {
        Some(TlsVersion::Ssl3) => "SSLv3",
        Some(TlsVersion::Tls10) => "TLS10",
        Some(TlsVersion::Tls11) => "TLS11",
        Some(TlsVersion::Tls12) => "TLS12",
        Some(TlsVersion::Tls13) => "TLS13",
        _ => "unknown",
    };
    template
        .replace("{host}", &obs.target.host)
        .replace("{port}", &obs.target.port.to_string())
        .replace("{java_version}", java)
        .replace("{version}", version)
}

/// Failures before TLS: DNS, TCP, wrong service, STARTTLS.
fn before_tls(view: &ServerView, profile: &ClientProfile) -> Option<(Failure, String)> {
    let obs = view.obs;
    if let Some(e) = &obs.resolution_error {
        return Some((
            Failure::Unresolved,
            format!("the host name does not resolve ({e})"),
        ));
    }
    if !obs.connect.ok {
        let detail = obs.connect.error.clone().unwrap_or_default();
        let timeout = obs.connect_error_kind == Some(crate::vocab::ErrorKind::Timeout);
        return Some(if timeout {
            (
                Failure::Timeout,
                format!("port {} does not answer ({detail})", obs.target.port),
            )
        } else {
            (
                Failure::Unreachable,
                format!("port {} is closed ({detail})", obs.target.port),
            )
        });
    }
    if let Some(seen) = &obs.service {
        let r = match seen {
            ServiceSeen::TlsOnPlaintextPort => Some((
                Failure::WrongService,
                format!(
                    "port {} speaks implicit TLS, not plaintext {} with STARTTLS",
                    obs.target.port,
                    obs.target.protocol.as_str().to_uppercase()
                ),
            )),
            ServiceSeen::PlaintextOnTlsPort { banner } => Some((
                Failure::WrongService,
                format!(
                    "port {} answers in plaintext (\"{banner}\"), not TLS",
                    obs.target.port
                ),
            )),
            ServiceSeen::Imap { banner }
            | ServiceSeen::Pop3 { banner }
            | ServiceSeen::Smtp { banner }
            | ServiceSeen::Http { banner }
            | ServiceSeen::Ssh { banner }
            | ServiceSeen::Unknown { banner } => Some((
                Failure::WrongService,
                format!(
                    "port {} is not {}: it answers \"{banner}\"",
                    obs.target.port,
                    obs.target.protocol.as_str().to_uppercase()
                ),
            )),
            ServiceSeen::RefusedAtGreeting { banner } => Some((
                Failure::Unreachable,
                format!(
                    "the server refuses the connection at once (\"{banner}\"), often a connection limit"
                ),
            )),
            ServiceSeen::ClosedImmediately => Some((
                Failure::Unreachable,
                "the server closes the connection without a word".to_string(),
            )),
            ServiceSeen::Silent { waited_ms } => Some((
                Failure::Timeout,
                format!("the server sent nothing within {} s", waited_ms / 1000),
            )),
            #[allow(unreachable_patterns)]
            _ => None,
        };
        if r.is_some() {
            return r;
        }
    }
    if obs.target.transport == Transport::Starttls && obs.target.protocol != Protocol::Tls {
        let st = obs.mail.starttls.as_ref();
        let advertised = st.and_then(|s| s.advertised);
        let accepted = st.and_then(|s| s.accepted);
        if advertised == Some(false) && profile.starttls != StartTlsBehaviour::Opportunistic {
            return Some((
                Failure::NoStartTls,
                format!(
                    "port {} does not advertise STARTTLS{}",
                    obs.target.port,
                    caps_quote(&obs.mail.capabilities_before_tls)
                ),
            ));
        }
        if advertised == Some(false) && obs.mail.login_disabled == Some(true) {
            return Some((
                Failure::LoginImpossible,
                format!(
                    "port {} offers no STARTTLS and refuses plaintext login (LOGINDISABLED)",
                    obs.target.port
                ),
            ));
        }
        if accepted == Some(false) {
            let resp = st.and_then(|s| s.response.clone()).unwrap_or_default();
            return Some((
                Failure::StartTlsRefused,
                format!("the server answers STARTTLS with \"{resp}\""),
            ));
        }
    }
    None
}

fn caps_quote(caps: &[String]) -> String {
    if caps.is_empty() {
        String::new()
    } else {
        format!(" (CAPABILITY: {})", caps.join(" "))
    }
}

use super::cert_rules::certificate_checks;

fn trial_outcome(obs: &Observations, profile: &ClientProfile) -> Option<TlsOutcome> {
    let trial = obs.client_trials.iter().find(|t| t.profile == profile.id)?;
    match &trial.outcome {
        // A ServerHello is not a connection: the client still checks what the
        // server chose. A TLS 1.2-only client (Exchange Online, SChannel with
        // TLS 1.0 off) that gets a TLS 1.0 ServerHello, as Exchange 2010 sends
        // in answer to any hello, aborts: "do not possess a common algorithm".
        TrialOutcome::Negotiated { version, suite } => {
            let doubtful = profile.doubt.is_some_and(|d| d.versions.contains(version));
            if !profile.offer.versions.contains(version) && !doubtful {
                let floor = profile
                    .offer
                    .versions
                    .first()
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                return Some(TlsOutcome::Fails {
                    failure: Failure::ProtocolVersion,
                    reason: format!(
                        "the server answered {}'s ClientHello with a {version} ServerHello, and {} accepts {floor} at the lowest",
                        profile.short, profile.short
                    ),
                });
            }
            if !profile.offer.suites.contains(suite) {
                return Some(TlsOutcome::Fails {
                    failure: Failure::HandshakeRefused,
                    reason: format!(
                        "the server chose {}, which {} did not offer",
                        server::suite_name(*suite),
                        profile.short
                    ),
                });
            }
            Some(TlsOutcome::Connects {
                version: *version,
                suite: *suite,
                certain: !doubtful,
            })
        }
        TrialOutcome::Refused { alert } => {
            let alert_text = alert
                .clone()
                .unwrap_or_else(|| "closed the connection".into());
            // A silent close or a generic alert says nothing by itself; when the scan
            // found none of the client's versions accepted, it is how this server
            // refuses them.
            let none_of_its_versions = profile.offer.versions.iter().all(|v| {
                obs.tls
                    .versions
                    .iter()
                    .any(|s| s.version == *v && s.offered == Some(false))
            });
            let failure = if alert_text.contains("protocol_version")
                || alert_text.contains("ProtocolVersion")
                || none_of_its_versions
            {
                Failure::ProtocolVersion
            } else {
                Failure::HandshakeRefused
            };
            Some(TlsOutcome::Fails {
                failure,
                reason: format!(
                    "the server refused {}'s ClientHello on the wire ({alert_text})",
                    profile.short
                ),
            })
        }
        _ => None,
    }
}

fn describe(o: &TlsOutcome) -> String {
    match o {
        TlsOutcome::Connects { version, suite, .. } => {
            format!("connects with {version} {}", server::suite_name(*suite))
        }
        TlsOutcome::Fails { reason, .. } => format!("fails: {reason}"),
        TlsOutcome::Unknown(why) => format!("not determined ({why})"),
    }
}

/// "it connects with TLSv1.3 TLS_AES_128_GCM_SHA256 only if it offers TLSv1.3, which is not documented".
fn doubtful_pair(profile: &ClientProfile, version: TlsVersion, suite: u16) -> String {
    let what = match profile.doubt {
        Some(d) if d.versions.contains(&version) => version.to_string(),
        Some(d) if d.suites.contains(&suite) => server::suite_name(suite),
        _ => "what its documentation leaves open".to_string(),
    };
    format!(
        "it connects with {version} {} only if it offers {what}, which is not documented",
        server::suite_name(suite)
    )
}

/// One profile against the server.
pub fn evaluate(view: &ServerView, profile: &'static ClientProfile) -> ClientVerdict {
    let obs = view.obs;
    let mut v = ClientVerdict {
        profile,
        connects: false,
        basis: Basis::Computed,
        negotiated: None,
        failure: None,
        reason: None,
        error_as_seen: None,
        risks: Vec::new(),
        risk_classes: Vec::new(),
        compliant: None,
        violations: Vec::new(),
        disagreement: None,
        decides: false,
        unverified: false,
    };
    let fail = |v: &mut ClientVerdict, failure: Failure, reason: String| {
        let refusal = if failure == Failure::ProtocolVersion {
            refusal_of(obs, profile)
        } else {
            Refusal::Any
        };
        v.connects = false;
        v.failure = Some(failure);
        v.error_as_seen = profile
            .error_text(failure, refusal)
            .map(|t| fill(t, obs, view));
        v.reason = Some(reason);
    };
    if let Some((failure, reason)) = before_tls(view, profile) {
        fail(&mut v, failure, reason);
        return rest_on_sources(v);
    }
    if obs.target.transport == Transport::Starttls
        && obs.target.protocol != Protocol::Tls
        && profile.starttls == StartTlsBehaviour::Unsupported
    {
        v.basis = Basis::Incomplete;
        v.failure = Some(Failure::NoStartTls);
        v.risk_classes.push(Failure::NoStartTls);
        let why = format!(
            "{} documents implicit TLS only (IMAP over SSL on port 993); STARTTLS on port {} is not a supported way in",
            profile.short, obs.target.port
        );
        v.risks.push(why.clone());
        v.reason = Some(why);
        return v;
    }
    let plaintext_fallback = obs.target.transport == Transport::Starttls
        && profile.starttls == StartTlsBehaviour::Opportunistic
        && obs.mail.starttls.as_ref().and_then(|s| s.advertised) == Some(false);
    if plaintext_fallback {
        v.connects = true;
        v.reason = Some(format!(
            "port {} offers no STARTTLS; {} continues in plaintext, so passwords and mail cross the network unencrypted",
            obs.target.port, profile.short
        ));
        v.risks
            .push("plaintext connection: no STARTTLS advertised".into());
        return v;
    }

    let offer = &profile.offer;
    let computed = negotiate(view, profile, offer.versions, offer.suites);
    let observed = trial_outcome(obs, profile);
    let outcome = match (&observed, &computed) {
        (Some(o), TlsOutcome::Unknown(_)) => {
            v.basis = Basis::Observed;
            o.clone()
        }
        // Both fail: a generic refusal on the wire is explained by the computed,
        // more specific class (no common suite, DH too small, ...).
        (
            Some(TlsOutcome::Fails {
                failure: Failure::HandshakeRefused,
                ..
            }),
            TlsOutcome::Fails { .. },
        ) => {
            v.basis = Basis::Observed;
            computed.clone()
        }
        (Some(o), c) => {
            v.basis = Basis::Observed;
            let differs = match (o, c) {
                (
                    TlsOutcome::Connects {
                        version: a,
                        suite: b,
                        ..
                    },
                    TlsOutcome::Connects {
                        version: x,
                        suite: y,
                        ..
                    },
                ) => a != x || b != y,
                (TlsOutcome::Fails { .. }, TlsOutcome::Fails { .. }) => false,
                _ => true,
            };
            if differs {
                v.disagreement = Some((describe(c), describe(o)));
            }
            o.clone()
        }
        (None, c) => c.clone(),
    };
    let (certain_offer, possible_offer) = match &profile.doubt {
        Some(d) => (
            (
                with_doubt(offer.versions, d.versions, true),
                with_doubt_suites(offer.suites, d.suites, true),
            ),
            (
                with_doubt(offer.versions, d.versions, false),
                with_doubt_suites(offer.suites, d.suites, false),
            ),
        ),
        None => (
            (offer.versions.to_vec(), offer.suites.to_vec()),
            (offer.versions.to_vec(), offer.suites.to_vec()),
        ),
    };
    let certain = negotiate(view, profile, &certain_offer.0, &certain_offer.1);
    let possible = negotiate(view, profile, &possible_offer.0, &possible_offer.1);
    let doubt_note = profile.doubt.map(|d| d.note).unwrap_or("");

    let pair = match (&outcome, &possible) {
        (
            TlsOutcome::Connects {
                version,
                suite,
                certain: sure,
            },
            _,
        ) => {
            if !sure && v.basis != Basis::Observed {
                v.basis = Basis::Incomplete;
            }
            if let TlsOutcome::Fails { reason, failure } = &certain {
                v.risk_classes.push(*failure);
                v.risks.push(format!(
                    "{reason}; {} ({doubt_note})",
                    doubtful_pair(profile, *version, *suite)
                ));
            }
            Some((*version, *suite))
        }
        (TlsOutcome::Fails { failure, reason }, TlsOutcome::Connects { version, suite, .. })
            if v.disagreement.is_none() =>
        {
            // The documented offer fails, a doubtful one would connect: a risk, not a certainty.
            // Not when the wire contradicted the scan: then the computed rescue is not evidence.
            v.risk_classes.push(*failure);
            v.risks.push(format!(
                "{reason}; {} ({doubt_note})",
                doubtful_pair(profile, *version, *suite)
            ));
            v.basis = Basis::Incomplete;
            Some((*version, *suite))
        }
        (TlsOutcome::Fails { failure, reason }, _) => {
            fail(&mut v, *failure, reason.clone());
            None
        }
        (TlsOutcome::Unknown(_), TlsOutcome::Connects { version, suite, .. }) => {
            v.basis = Basis::Incomplete;
            Some((*version, *suite))
        }
        (TlsOutcome::Unknown(why), _) => {
            v.basis = Basis::Incomplete;
            v.reason = Some(
                match obs.error_of(crate::observations::steps::TLS_HANDSHAKE) {
                    Some(e) => format!(
                        "not determined: {why}, and a modern TLS 1.2/1.3 handshake failed ({})",
                        e.message
                    ),
                    None => format!("not determined: {why}"),
                },
            );
            None
        }
    };
    if let Some((version, suite)) = pair {
        v.connects = true;
        v.negotiated = Some((version, suite));
        for (failure, rule, reason) in certificate_checks(view, profile, Some(suite)) {
            match rule {
                Rule::Enforced if v.connects => fail(&mut v, failure, reason),
                Rule::Enforced => {}
                Rule::Prompt
                    if failure == Failure::IncompleteChain
                        && profile.cert.aia_fetch == Some(true) =>
                {
                    v.risk_classes.push(failure);
                    v.risks.push(reason);
                }
                Rule::Prompt => {
                    v.risk_classes.push(failure);
                    v.risks.push(format!(
                        "{reason}: {} asks the user to accept it",
                        profile.short
                    ));
                }
                Rule::Unknown => {
                    v.risk_classes.push(failure);
                    v.risks.push(format!(
                        "{reason}: whether {} refuses this is not documented",
                        profile.short
                    ));
                }
                Rule::Configurable => {
                    v.risk_classes.push(failure);
                    v.risks.push(format!(
                        "{reason}: whether {} refuses this depends on its library and settings",
                        profile.short
                    ));
                }
                Rule::NotChecked => {}
            }
        }
        if v.connects && v.reason.is_none() {
            v.reason = Some(if v.risks.is_empty() {
                format!("connects with {version} {}", server::suite_name(suite))
            } else {
                format!(
                    "may connect with {version} {}; risk: {}",
                    server::suite_name(suite),
                    v.risks.join("; risk: ")
                )
            });
        }
    }
    if profile.kind == ProfileKind::Compliance {
        super::compliance::judge(view, profile, &mut v);
    }
    rest_on_sources(v)
}
