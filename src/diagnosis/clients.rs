//! Per-client verdicts: can this client connect, with what, and if not, why
//! and what does it show its user. Computed from the observed facts; where
//! the scanner sent the client's real offer (`client_trials`), what the
//! server did is what counts, and a disagreement with the computation is
//! kept so the diagnosis can report it.

use crate::observations::{Observations, ServiceSeen, TrialOutcome};
use crate::vocab::{Protocol, TlsVersion, Transport};

use super::evidence::Evidence;
use super::profiles::{ClientProfile, Failure, ProfileKind, Refusal, Rule, StartTlsBehaviour};
use super::server::{self, ServerView};

use super::certainty::{refusal_of, rest_on_sources};
use super::client_verdict::{Basis, ClientVerdict};
use super::negotiation::{TlsOutcome, negotiate};

/// Evaluates every profile that applies to the target's protocol, plus any
/// profile the request selected explicitly.
pub fn evaluate_all(obs: &Evidence, selected: &[&'static ClientProfile]) -> Vec<ClientVerdict> {
    let view = ServerView::new(obs);
    super::profiles::all()
        .iter()
        .filter(|p| {
            p.protocols.contains(&obs.target.protocol) || selected.iter().any(|s| s.id == p.id)
        })
        .map(|p| {
            let mut v = evaluate(&view, p);
            v.decides = selected.iter().any(|s| s.id == p.id);
            // Its offer was not sent: the scan predicted the answer.
            if v.basis == Basis::Computed
                && let Some(t) = obs.predicted_trials.iter().find(|t| t.profile == p.id)
            {
                v.basis = Basis::Predicted;
                v.prediction = Some(t.rests_on.clone());
            }
            v
        })
        .collect()
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
    if let Some(seen) = &obs.service
        && let Some(r) = wrong_service(obs, seen)
    {
        return Some(r);
    }
    starttls_failure(obs, profile)
}

/// What was found on the port instead of the expected service.
fn wrong_service(obs: &Observations, seen: &ServiceSeen) -> Option<(Failure, String)> {
    match seen {
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
    }
}

/// A STARTTLS upgrade the client needs and the server does not give.
fn starttls_failure(obs: &Observations, profile: &ClientProfile) -> Option<(Failure, String)> {
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

/// One profile against the server: the transport first (no STARTTLS, a
/// plaintext fallback), then the TLS outcome (observed trials over the
/// computed negotiation), then the certificate, then compliance.
pub fn evaluate(view: &ServerView, profile: &'static ClientProfile) -> ClientVerdict {
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
        prediction: None,
    };
    if let Some((failure, reason)) = before_tls(view, profile) {
        fail(view, &mut v, failure, reason);
        return rest_on_sources(v);
    }
    if transport_decides(view, profile, &mut v) {
        return v;
    }
    let outcome = tls_outcome(view, profile, &mut v);
    if let Some((version, suite)) = negotiated_pair(view, profile, &outcome, &mut v) {
        v.connects = true;
        v.negotiated = Some((version, suite));
        certificate_verdict(view, profile, suite, &mut v);
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

/// The client does not connect: the failure, the reason, and the error text
/// the client would show (for a version refusal, the refusal the server sent).
fn fail(view: &ServerView, v: &mut ClientVerdict, failure: Failure, reason: String) {
    let obs = view.obs;
    let profile = v.profile;
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
}

/// Whether the transport alone settles the verdict: a client that cannot do
/// STARTTLS, or one that falls back to plaintext when STARTTLS is missing.
fn transport_decides(view: &ServerView, profile: &ClientProfile, v: &mut ClientVerdict) -> bool {
    let obs = view.obs;
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
        return true;
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
        return true;
    }
    false
}

/// The TLS outcome for the profile's offer: a trial seen on the wire wins
/// over the computed negotiation, which explains a generic refusal.
fn tls_outcome(view: &ServerView, profile: &ClientProfile, v: &mut ClientVerdict) -> TlsOutcome {
    let obs = view.obs;
    let offer = &profile.offer;
    let computed = negotiate(view, profile, offer.versions, offer.suites);
    let observed = trial_outcome(obs, profile);
    match (&observed, &computed) {
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
    }
}

/// The version and suite the client ends up with, if any, weighing the
/// profile's doubtful offers: a pair only a doubtful offer reaches is a risk.
fn negotiated_pair(
    view: &ServerView,
    profile: &ClientProfile,
    outcome: &TlsOutcome,
    v: &mut ClientVerdict,
) -> Option<(TlsVersion, u16)> {
    let obs = view.obs;
    let offer = &profile.offer;
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
    match (outcome, &possible) {
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
            fail(view, v, *failure, reason.clone());
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
    }
}

/// The certificate checks for a client that got a suite: enforced rules
/// refuse, the others become risks worded by how the client behaves.
fn certificate_verdict(
    view: &ServerView,
    profile: &ClientProfile,
    suite: u16,
    v: &mut ClientVerdict,
) {
    for (failure, rule, reason) in certificate_checks(view, profile, Some(suite)) {
        match rule {
            Rule::Enforced if v.connects => fail(view, v, failure, reason),
            Rule::Enforced => {}
            Rule::Prompt
                if failure == Failure::IncompleteChain && profile.cert.aia_fetch == Some(true) =>
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
}
