//! Diagnosis: a pure function of the [`Observations`]. No I/O here, no clock.
//!
//! - [`profiles`]: the clients (data): what each offers and refuses.
//! - [`server`]: the server's facts as rules ask about them (three-valued).
//! - [`clients`]: per-client verdicts, computed and checked against the wire trials;
//!   [`compliance`]: what a guideline profile forbids.
//! - [`catalogue`]: the findings catalogue (data); [`findings`]: the rules that emit them.
//! - here: the verdict and the one-sentence summary.

pub mod catalogue;
pub mod cert_rules;
pub mod certainty;
pub mod client_verdict;
pub mod clients;
pub mod compliance;
pub mod contradiction;
pub mod credentials;
pub mod engine_choice;
pub mod evidence;
pub mod findings;
pub mod mail_section;
pub mod negotiation;
pub mod preflight;
pub mod profiles;
pub mod rating;
pub mod security_section;
pub mod server;
pub mod thresholds;

#[cfg(test)]
mod captures_tests;
#[cfg(test)]
mod facts_tests;
#[cfg(test)]
mod tests;

use serde::Serialize;
use utoipa::ToSchema;

pub use evidence::Evidence;

use crate::observations::Observations;
use crate::report::{ClientResult, Finding, Negotiated, Report, Severity, Verdict};
use client_verdict::{Basis, ClientVerdict};
use profiles::{ClientProfile, ProfileKind};
use server::ServerView;

/// Client profiles a request may name in `profiles` (derived from [`profiles::PROFILES`]).
pub fn profile_ids() -> &'static [&'static str] {
    profiles::ids()
}

/// The judgement on one probe.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub verdict: Verdict,
    pub summary: String,
    pub findings: Vec<Finding>,
    pub clients: Vec<ClientResult>,
    pub security: Vec<crate::report::SecurityCheck>,
    pub rating: Option<crate::report::Rating>,
}

/// The profiles that decide the verdict: those the request names, else the
/// default set for the target's protocol (for IMAP: the migration clients).
/// Unknown ids are skipped here (the request validation already refused them).
pub fn selection(obs: &Observations, requested: Option<&[String]>) -> Vec<&'static ClientProfile> {
    match requested {
        Some(ids) if !ids.is_empty() => ids.iter().filter_map(|id| profiles::by_id(id)).collect(),
        _ => profiles::all()
            .iter()
            .filter(|p| p.is_default_for(obs.target.protocol))
            .collect(),
    }
}

/// Observations (and the certificate judged mid-probe) in, judgement out.
/// `requested`: the request's `profiles`.
pub fn diagnose(obs: &Evidence, requested: Option<&[String]>) -> Diagnosis {
    let selected = selection(obs, requested);
    let view = ServerView::new(obs);
    let mut verdicts = clients::evaluate_all(obs, &selected);
    contradiction::apply(&view, &mut verdicts);
    let findings = findings::rules(&view, &verdicts);
    let verdict = verdict(&verdicts, &findings);
    let summary = summarize(&view, &verdicts, &findings, verdict);
    let security = security_section::section(&obs.security, &findings);
    let rating = rating::rate(obs, &findings);
    Diagnosis {
        verdict,
        summary,
        security,
        rating,
        findings,
        clients: verdicts.iter().map(client_result).collect(),
    }
}

/// `fail`: a deciding client cannot connect (or a deciding guideline is not met), or a
/// critical fact holds. `warn`: a deciding client's verdict rests on risks or unmeasured
/// facts, or a finding of medium severity or worse. `pass` otherwise.
fn verdict(verdicts: &[ClientVerdict], findings: &[Finding]) -> Verdict {
    let deciding = || verdicts.iter().filter(|v| v.decides);
    let fails = deciding()
        .any(|v| (!v.connects && v.basis != Basis::Incomplete) || v.compliant == Some(false));
    // Security findings never fail the migration verdict (the rating carries
    // them); at worst they warn.
    let critical = findings
        .iter()
        .any(|f| f.severity == Severity::Critical && !catalogue::is_security(&f.id));
    if fails || critical {
        return Verdict::Fail;
    }
    let risky = deciding().any(|v| !v.connects || !v.risks.is_empty());
    if risky || findings.iter().any(|f| f.severity >= Severity::Medium) {
        return Verdict::Warn;
    }
    Verdict::Pass
}

/// A certificate's names for a sentence: the first few and a count of the
/// rest. A certificate may carry thousands of names; the Report repeats this
/// text per client, so it must not grow with them.
pub(crate) fn cert_names_shown(sans: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = sans
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if sans.len() > SHOWN {
        s.push_str(&format!(" and {} more", sans.len() - SHOWN));
    }
    s
}

fn names(vs: &[&ClientVerdict]) -> String {
    let n: Vec<&str> = vs.iter().map(|v| v.profile.short).collect();
    match n.len() {
        0 => String::new(),
        1 => n[0].to_string(),
        _ => format!("{} and {}", n[..n.len() - 1].join(", "), n[n.len() - 1]),
    }
}

fn pair_text(v: &ClientVerdict) -> String {
    v.negotiated
        .map(|(ver, s)| format!("{ver} with {}", server::suite_name(s)))
        .unwrap_or_else(|| "an undetermined TLS version".into())
}

fn sentence(s: String) -> String {
    let s = s.trim().trim_end_matches('.').to_string();
    format!("{s}.")
}

/// One sentence a person can act on, naming the decisive fact.
fn summarize(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    findings: &[Finding],
    verdict: Verdict,
) -> String {
    let deciding: Vec<&ClientVerdict> = verdicts.iter().filter(|v| v.decides).collect();
    blocking_summary(view, &deciding, findings)
        .unwrap_or_else(|| connecting_summary(view, &deciding, findings, verdict))
}

/// The sentence with the finding's action appended, when it has one.
fn with_action(sw: server::Software, text: String, id: &str) -> String {
    match findings::action(id, sw) {
        Some(a) => sentence(format!("{text}; {a}")),
        None => sentence(text),
    }
}

/// The summary when something stops a deciding client (or every client):
/// a contradicted scan, an unreachable port, a failing client, a
/// compliance miss, a critical finding; `None` when nothing does.
fn blocking_summary(
    view: &ServerView,
    deciding: &[&ClientVerdict],
    findings: &[Finding],
) -> Option<String> {
    let obs = view.obs;
    let endpoint = format!("{}:{}", obs.target.host, obs.target.port);
    let sw = view.software;
    // A handshake that breaks where the scan cannot see comes first: every
    // verdict below rests on a scan the real handshake contradicts.
    if let Some(what) = contradiction::handshake_broke(view) {
        return Some(sentence(format!(
            "No client is certain to connect to {endpoint}: {}",
            contradiction::risk_text(&what)
        )));
    }
    // Facts that stop every client come first.
    for id in ["HOST_NOT_RESOLVED", "PORT_CLOSED", "WRONG_SERVICE_ON_PORT"] {
        if let Some(f) = findings.iter().find(|f| f.id == id) {
            return Some(with_action(
                sw,
                format!(
                    "No client can connect to {endpoint}: {}",
                    f.detail.trim_end_matches('.')
                ),
                id,
            ));
        }
    }
    let failing: Vec<&ClientVerdict> = deciding
        .iter()
        .copied()
        .filter(|v| !v.connects && v.basis != Basis::Incomplete && v.compliant != Some(false))
        .collect();
    if let Some(first) = failing.first() {
        let reason = first.reason.clone().unwrap_or_default();
        let others: Vec<&ClientVerdict> = failing[1..].to_vec();
        let tail = if others.is_empty() {
            String::new()
        } else {
            format!(" ({} cannot connect either)", names(&others))
        };
        let id = first
            .failure
            .map(|f| findings::finding_for(f, first.profile.id, view))
            .unwrap_or("TLS_HANDSHAKE_FAILED");
        return Some(with_action(
            sw,
            format!("{} cannot connect: {reason}{tail}", first.profile.short),
            id,
        ));
    }
    if let Some(v) = deciding.iter().find(|v| v.compliant == Some(false)) {
        return Some(with_action(
            sw,
            format!(
                "{endpoint} does not meet {}: {}",
                v.profile.short,
                v.violations.join("; ")
            ),
            "NOT_COMPLIANT",
        ));
    }
    if let Some(f) = findings.iter().find(|f| f.severity == Severity::Critical) {
        return Some(with_action(
            sw,
            format!(
                "{endpoint}: {}: {}",
                f.title,
                f.detail.trim_end_matches('.')
            ),
            &f.id,
        ));
    }
    None
}

/// The summary when the deciding clients connect: who, and the first doubt,
/// finding or risk worth a sentence.
fn connecting_summary(
    view: &ServerView,
    deciding: &[&ClientVerdict],
    findings: &[Finding],
    verdict: Verdict,
) -> String {
    let obs = view.obs;
    let endpoint = format!("{}:{}", obs.target.host, obs.target.port);
    let sw = view.software;
    let connecting: Vec<&ClientVerdict> = deciding.iter().copied().filter(|v| v.connects).collect();
    let who = if connecting.is_empty() {
        format!("{endpoint} answers")
    } else {
        format!(
            "{} can connect to {endpoint} ({})",
            names(&connecting),
            pair_text(connecting[0])
        )
    };
    if verdict == Verdict::Pass {
        return sentence(format!("{who}; no problem found"));
    }
    if let Some(v) = deciding.iter().find(|v| !v.connects) {
        return sentence(format!(
            "{who}, but whether {} connects was not determined: {}",
            v.profile.short,
            v.reason
                .as_deref()
                .unwrap_or_default()
                .trim_start_matches("not determined: ")
        ));
    }
    if let Some(f) = findings.iter().find(|f| f.severity >= Severity::Medium) {
        return with_action(sw, format!("{who}, but {}", lower_first(&f.title)), &f.id);
    }
    if let Some(v) = deciding.iter().find(|v| !v.risks.is_empty()) {
        return sentence(format!(
            "{who}, with a risk for {}: {}",
            v.profile.short, v.risks[0]
        ));
    }
    sentence(who)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn kind_str(k: ProfileKind) -> &'static str {
    match k {
        ProfileKind::Migration => "migration",
        ProfileKind::MailClient => "mail_client",
        ProfileKind::Library => "library",
        ProfileKind::Compliance => "compliance",
    }
}

fn client_result(v: &ClientVerdict) -> ClientResult {
    ClientResult {
        profile: v.profile.id.to_string(),
        name: v.profile.name.to_string(),
        status: certainty::status(v),
        connects: v.connects,
        negotiated: v.negotiated.map(|(version, suite)| Negotiated {
            version,
            suite: crate::tls::suite_info(suite),
        }),
        reason: v.reason.clone(),
        error_as_seen: v.error_as_seen.clone(),
        kind: kind_str(v.profile.kind).to_string(),
        decides_verdict: v.decides,
        basis: v.basis,
        prediction: v.prediction.clone(),
        risks: v.risks.clone(),
        compliant: v.compliant,
    }
}

/// Observations plus their diagnosis, as the Report callers receive.
/// `requested`: the request's `profiles` (None: the default set).
pub fn report(obs: Evidence, requested: Option<&[String]>) -> Report {
    let dx = diagnose(&obs, requested);
    let Evidence { obs, certificate } = obs;
    let protocol = obs.target.protocol;
    let started_at = obs
        .started_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Report {
        request_id: None,
        target: obs.target,
        started_at,
        duration_ms: obs.duration_ms,
        verdict: dx.verdict,
        summary: dx.summary,
        connect: obs.connect,
        mail: mail_section::section(protocol, obs.mail),
        tls: evidence::report_tls(obs.tls, certificate),
        clients: dx.clients,
        findings: dx.findings,
        security: dx.security,
        rating: dx.rating,
        stats: crate::report::Stats {
            security_connections: obs.security.iter().map(|r| r.connections).sum(),
            ..obs.stats
        },
        timings: obs.timings,
        errors: obs.errors,
    }
}

/// A profile as `GET /v1/profiles` shows it: what the client offers and requires.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProfileDoc {
    /// The profile id, to name in a request's `profiles`.
    #[schema(example = "exchange-online")]
    pub id: String,
    /// The client's full name.
    pub name: String,
    /// The name reports use in running prose.
    pub short_name: String,
    /// `migration`, `mail_client`, `library` or `compliance`.
    #[schema(value_type = crate::report::names::ClientKind)]
    pub kind: String,
    /// What the client is, and what it needs of a server, in a sentence or two.
    pub summary: String,
    /// Protocols the client speaks.
    pub protocols: Vec<String>,
    /// Protocols for which this profile decides the verdict when a request names no profiles.
    pub default_for: Vec<String>,
    /// TLS versions in the client's offer (what the scanner sends for its trial).
    pub versions: Vec<crate::vocab::TlsVersion>,
    /// Cipher suites in the client's order.
    pub suites: Vec<crate::report::Suite>,
    /// supported_groups, in order.
    pub groups: Vec<String>,
    /// signature_algorithms, in order.
    pub signature_algorithms: Vec<String>,
    /// Versions whose support by the real client is not documented (a risk, not a certainty).
    pub uncertain_versions: Vec<crate::vocab::TlsVersion>,
    /// Suites whose support by the real client is not documented.
    pub uncertain_suites: Vec<String>,
    /// What is not documented about the real client, when something is not.
    pub uncertainty_note: Option<String>,
    /// Smallest DHE prime the client accepts, in bits (null: no documented limit).
    pub min_dh_bits: Option<u32>,
    /// Smallest ECDHE group the client accepts, in bits (null: no documented limit).
    pub min_ecdhe_bits: Option<u32>,
    /// Smallest RSA certificate key the client accepts, in bits (null: no documented limit).
    pub min_rsa_bits: Option<u32>,
    /// Smallest EC certificate key the client accepts, in bits (null: no documented limit).
    pub min_ec_bits: Option<u32>,
    /// How each certificate property is treated: `enforced`, `prompt`, `not_checked`, `unknown`.
    pub certificate: CertificateRulesDoc,
    /// On a plaintext port: `required`, `opportunistic` or `not_applicable`.
    pub starttls: profiles::StartTlsBehaviour,
    /// The client's error text per failure class, where a source records it.
    pub errors: Vec<ErrorTextDoc>,
    /// Whether the client fetches a missing intermediate from the leaf's AIA
    /// caIssuers URL (null: not documented).
    pub builds_path_from_aia: Option<bool>,
    /// The source of every fact the profile's verdicts rest on; `unverified: ...`
    /// where no source settles it (a verdict resting on it is a risk, never certain).
    pub facts: Vec<FactSourceDoc>,
    /// Every distinct source the profile cites.
    pub sources: Vec<String>,
}

/// One profile fact and where it comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactSourceDoc {
    /// Which fact of the profile this is (its floor, suite list, key or DH
    /// minimum, SHA-1 rule, an error text, ...).
    pub fact: profiles::Fact,
    /// A URL, a repository file at a version, a wire capture, our own run of
    /// the real client, or `unverified: <why>`.
    pub source: String,
    /// False when no source settles the fact.
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificateRulesDoc {
    /// A chain that does not validate to a trusted root.
    pub trust: profiles::Rule,
    /// An expired or not yet valid certificate.
    pub expiry: profiles::Rule,
    /// A certificate that does not cover the host name.
    pub name: profiles::Rule,
    /// A SHA-1 signature in the chain.
    pub sha1: profiles::Rule,
    /// A key below the client's minimum size.
    pub key_size: profiles::Rule,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorTextDoc {
    /// The class of failure.
    pub failure: profiles::Failure,
    /// How the server refused for this text to apply (`any`, `downgraded_hello`,
    /// `version_alert`, `closed`).
    pub refusal: profiles::Refusal,
    /// The client's error text for it, as a source records it.
    pub text: String,
    /// Where the text comes from.
    pub source: String,
}

/// Every profile, for the API.
pub fn profile_docs() -> Vec<ProfileDoc> {
    let sig = |c: &u16| {
        crate::tls::hello::signature_scheme_name(*c)
            .map(str::to_string)
            .unwrap_or_else(|| format!("0x{c:04X}"))
    };
    profiles::all()
        .iter()
        .map(|p| ProfileDoc {
            id: p.id.into(),
            name: p.name.into(),
            short_name: p.short.into(),
            kind: kind_str(p.kind).into(),
            summary: p.summary.into(),
            protocols: p.protocols.iter().map(|x| x.as_str().to_string()).collect(),
            default_for: p
                .decides_by_default
                .iter()
                .map(|x| x.as_str().to_string())
                .collect(),
            versions: p.offer.versions.to_vec(),
            suites: p
                .offer
                .suites
                .iter()
                .map(|c| crate::tls::suite_info(*c))
                .collect(),
            groups: p
                .offer
                .groups
                .iter()
                .map(|c| crate::tls::group_label(*c))
                .collect(),
            signature_algorithms: p.offer.signature_algorithms.iter().map(sig).collect(),
            uncertain_versions: p.doubt.map(|d| d.versions.to_vec()).unwrap_or_default(),
            uncertain_suites: p
                .doubt
                .map(|d| d.suites.iter().map(|c| server::suite_name(*c)).collect())
                .unwrap_or_default(),
            uncertainty_note: p.doubt.map(|d| d.note.to_string()),
            min_dh_bits: p.min_dh_bits,
            min_ecdhe_bits: p.min_ecdhe_bits,
            min_rsa_bits: p.cert.min_rsa_bits,
            min_ec_bits: p.cert.min_ec_bits,
            certificate: CertificateRulesDoc {
                trust: p.cert.trust,
                expiry: p.cert.expiry,
                name: p.cert.name,
                sha1: p.cert.sha1,
                key_size: p.cert.key_size,
            },
            starttls: p.starttls,
            errors: p
                .errors
                .iter()
                .map(|e| ErrorTextDoc {
                    failure: e.failure,
                    refusal: e.refusal,
                    text: e.text.to_string(),
                    source: e.source.cite(),
                })
                .collect(),
            builds_path_from_aia: p.cert.aia_fetch,
            facts: p
                .facts
                .iter()
                .map(|(f, s)| FactSourceDoc {
                    fact: *f,
                    source: s.cite(),
                    verified: s.is_verified(),
                })
                .collect(),
            sources: {
                let mut all: Vec<String> = p
                    .facts
                    .iter()
                    .map(|(_, s)| *s)
                    .chain(p.errors.iter().map(|e| e.source))
                    .filter(|s| s.is_verified())
                    .map(|s| s.cite())
                    .collect();
                all.sort();
                all.dedup();
                all
            },
        })
        .collect()
}
