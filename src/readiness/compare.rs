//! Two endpoints of one service compared (993 vs 143, ...): a pure function
//! of their Reports. Servers often differ per binding (another certificate,
//! TLS enabled on one listener only, LOGINDISABLED before STARTTLS), and the
//! migration endpoint's `-Security Ssl|Tls` choice depends on it.

use std::collections::BTreeSet;

use std::net::IpAddr;

use super::model::{
    AddressFamilies, Comparison, Difference, EndpointResult, EndpointState, FamilyProbe,
};
use crate::report::Report;

/// The pairs compared, by endpoint name.
pub const PAIRS: &[(&str, &str, &str)] = &[
    ("imap", "imap_implicit", "imap_starttls"),
    ("pop3", "pop3_implicit", "pop3_starttls"),
    ("submission", "smtps", "submission"),
    ("smtp", "smtp", "submission"),
];

pub fn comparisons(endpoints: &[EndpointResult]) -> Vec<Comparison> {
    PAIRS
        .iter()
        .filter_map(|(service, a, b)| {
            let ea = endpoints.iter().find(|e| e.name == *a)?;
            let eb = endpoints.iter().find(|e| e.name == *b)?;
            Some(compare(service, ea, eb))
        })
        .collect()
}

fn compare(service: &str, a: &EndpointResult, b: &EndpointResult) -> Comparison {
    let mut c = Comparison {
        service: service.into(),
        a: a.name.clone(),
        b: b.name.clone(),
        compared: false,
        note: None,
        differences: Vec::new(),
        same: Vec::new(),
        not_observed: Vec::new(),
    };
    let (ra, rb) = match (&a.report, &b.report, a.state, b.state) {
        (Some(ra), Some(rb), EndpointState::Open, EndpointState::Open) => (ra, rb),
        _ => {
            c.note = Some(format!(
                "not compared: {} is {}, {} is {}",
                a.port,
                state_word(a.state),
                b.port,
                state_word(b.state)
            ));
            return c;
        }
    };
    c.compared = true;
    for (aspect, f) in ASPECTS {
        let (Some(va), Some(vb)) = (f(ra), f(rb)) else {
            c.not_observed.push(aspect.into());
            continue;
        };
        if va == vb {
            c.same.push(aspect.into());
        } else {
            c.differences.push(Difference {
                aspect: aspect.into(),
                a: va,
                b: vb,
            });
        }
    }
    c
}

/// What is compared between two open endpoints, or one endpoint on two addresses.
const ASPECTS: [(&str, Aspect); 5] = [
    ("versions", versions),
    ("suites", suites),
    ("certificate", certificate),
    ("capabilities", capabilities),
    ("login", login),
];

/// One endpoint on its two addresses (`a`: the endpoint's own, IPv4 when
/// the host has it; `b`: the other family's): `state` when one is open and
/// the other not, else every aspect both observed and found different.
pub fn family_differences(e: &EndpointResult, other: &FamilyProbe) -> Vec<Difference> {
    let describe = |state: EndpointState, error: &Option<String>| match error {
        Some(err) => format!("{} ({err})", state_word(state)),
        None => state_word(state).to_string(),
    };
    if e.state != other.state {
        return vec![Difference {
            aspect: "state".into(),
            a: describe(e.state, &e.error),
            b: describe(other.state, &other.error),
        }];
    }
    let (Some(ra), Some(rb)) = (&e.report, &other.report) else {
        return Vec::new();
    };
    if e.state != EndpointState::Open {
        return Vec::new();
    }
    ASPECTS
        .iter()
        .filter_map(|(aspect, f)| {
            let (va, vb) = (f(ra)?, f(rb)?);
            (va != vb).then(|| Difference {
                aspect: aspect.to_string(),
                a: va,
                b: vb,
            })
        })
        .collect()
}

/// The address-family picture: which addresses were probed, which not,
/// and which endpoints differ between IPv4 and IPv6.
pub fn address_families(
    primary: IpAddr,
    other: Option<IpAddr>,
    other_probed: bool,
    addresses: &[IpAddr],
    endpoints: &[EndpointResult],
) -> AddressFamilies {
    let other_probed = other.is_some() && other_probed;
    let differing: Vec<String> = endpoints
        .iter()
        .filter(|e| {
            e.other_family
                .as_ref()
                .is_some_and(|o| !o.differences.is_empty())
        })
        .map(|e| e.name.clone())
        .collect();
    let family = |ip: IpAddr| if ip.is_ipv4() { "IPv4" } else { "IPv6" };
    let note = match other {
        None => format!(
            "{primary} ({}): the host has no {} address to compare",
            family(primary),
            if primary.is_ipv4() { "IPv6" } else { "IPv4" }
        ),
        Some(o) if !other_probed => format!(
            "{o} ({}) not probed: no room for twice the probes (MAILPROBE_MAX_CONCURRENT_PROBES); only {primary} was",
            family(o)
        ),
        Some(o) if differing.is_empty() => format!(
            "{primary} ({}) and {o} ({}) answered the same on every endpoint",
            family(primary),
            family(o)
        ),
        Some(o) => format!(
            "{primary} ({}) and {o} ({}) differ on {}: a client's result depends on the family it connects over",
            family(primary),
            family(o),
            differing.join(", ")
        ),
    };
    AddressFamilies {
        primary: primary.to_string(),
        other: other.map(|o| o.to_string()),
        other_probed,
        not_probed: addresses
            .iter()
            .filter(|a| **a != primary && (Some(**a) != other || !other_probed))
            .map(|a| a.to_string())
            .collect(),
        differing,
        note,
    }
}

/// One aspect of a Report, rendered so equal facts give equal strings.
/// `None`: the Report has no observation of it (e.g. no capabilities,
/// because no client could finish the TLS handshake on that port).
type Aspect = fn(&Report) -> Option<String>;

fn state_word(s: EndpointState) -> &'static str {
    match s {
        EndpointState::Open => "open",
        EndpointState::Closed => "closed",
        EndpointState::Skipped => "skipped",
        EndpointState::NotRun => "not probed",
    }
}

fn versions(r: &Report) -> Option<String> {
    let v: Vec<&str> = r
        .tls
        .versions
        .iter()
        .filter(|v| v.offered == Some(true))
        .map(|v| v.version.as_str())
        .collect();
    if r.tls.versions.iter().all(|v| v.offered.is_none()) {
        return None;
    }
    Some(if v.is_empty() {
        "none offered".into()
    } else {
        v.join(", ")
    })
}

fn suites(r: &Report) -> Option<String> {
    let mut out = Vec::new();
    for v in r.tls.versions.iter().filter(|v| v.offered == Some(true)) {
        let names: Vec<&str> = v.suites.iter().map(|s| s.name.as_str()).collect();
        out.push(format!("{}: {}", v.version.as_str(), names.join(" ")));
    }
    (!out.is_empty()).then(|| out.join("; "))
}

fn certificate(r: &Report) -> Option<String> {
    let cert = r.tls.certificate.as_ref()?;
    let leaf = cert.chain.first()?;
    let trust = match cert.trusted {
        Some(true) => "trusted",
        Some(false) => "not trusted",
        None => "trust unknown",
    };
    let sha = leaf.sha256.get(..16).unwrap_or(&leaf.sha256);
    Some(format!("{} (sha256 {sha}..., {trust})", leaf.subject))
}

/// The capabilities a client uses (inside TLS when there was TLS), without
/// the ones that only describe the upgrade itself.
fn capabilities(r: &Report) -> Option<String> {
    let m = &r.mail;
    let caps = if m.capabilities_after_tls.is_empty() {
        &m.capabilities_before_tls
    } else {
        &m.capabilities_after_tls
    };
    let set: BTreeSet<String> = caps
        .iter()
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| c != "STARTTLS" && c != "STLS")
        .collect();
    (!set.is_empty()).then(|| set.into_iter().collect::<Vec<_>>().join(" "))
}

/// What a client can use to log in; observed only where the capabilities were.
fn login(r: &Report) -> Option<String> {
    let m = &r.mail;
    if m.capabilities_after_tls.is_empty() && m.capabilities_before_tls.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mechs: BTreeSet<String> = m
        .auth_mechanisms
        .iter()
        .map(|a| a.to_ascii_uppercase())
        .collect();
    parts.push(if mechs.is_empty() {
        "no SASL mechanisms".to_string()
    } else {
        format!("AUTH {}", mechs.into_iter().collect::<Vec<_>>().join(","))
    });
    let disabled = m.login_disabled_after_tls.or(m.login_disabled);
    if disabled == Some(true) {
        parts.push("LOGINDISABLED".into());
    }
    if let Some(l) = &m.login {
        parts.push(match (l.attempted, l.ok) {
            (true, Some(true)) => "login ok".into(),
            (true, Some(false)) => "login refused".into(),
            _ => "login not completed".into(),
        });
    }
    Some(parts.join("; "))
}
