//! The migration preflight's judgement (issue 19): the survey held against
//! the destination's limits ([`limits`]), findings ([`findings`]), the
//! transfer estimate ([`estimate`]) and a summary a person can act on.
//! Pure functions of [`PreflightSeen`]; no I/O.

pub mod estimate;
pub mod findings;
pub mod limits;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::net::Stats;
use crate::observations::preflight::{
    FolderSeen, LoginResult, MailTls, NamespaceSeen, ParallelSeen, PreflightSeen, QuotaSeen,
    SampleSeen,
};
use crate::vocab::{StepError, Target};
use estimate::Estimate;
use findings::{PreflightFinding, Severity};
use limits::{Destination, Limit, Limits};

/// The capabilities migration tools use (issue 19).
pub const MIGRATION_CAPABILITIES: &[&str] = &[
    "UIDPLUS",
    "CONDSTORE",
    "QRESYNC",
    "MOVE",
    "LITERAL+",
    "COMPRESS=DEFLATE",
    "ID",
    "SPECIAL-USE",
    "STATUS=SIZE",
    "QUOTA",
    "NAMESPACE",
];

/// Totals over the surveyed folders.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    /// Folders listed.
    pub folders: u64,
    /// Items over all folders.
    pub messages: u64,
    /// Bytes over all folders.
    pub size_bytes: u64,
    /// A cap cut a count: the totals are lower bounds.
    pub partial: bool,
}

/// The preflight report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreflightReport {
    /// The request's id (`X-Request-Id`).
    pub request_id: Option<String>,
    /// The server surveyed.
    pub target: Target,
    /// The destination judged against.
    pub destination: Destination,
    /// When the preflight started (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    /// Time from accepting the request to the report, ms.
    pub duration_ms: u64,
    /// One sentence a person can act on.
    pub summary: String,
    /// The server's greeting line.
    pub greeting: Option<String>,
    /// The TLS the session ran over (`engine: legacy` for a server only OpenSSL reaches).
    pub tls: Option<MailTls>,
    /// The login (as a probe's login test reports it).
    pub login: Option<LoginResult>,
    /// The capabilities that matter to migration tools, offered or not.
    pub capabilities: BTreeMap<String, bool>,
    /// The personal namespace (RFC 2342), when NAMESPACE is offered.
    pub personal_namespace: Option<NamespaceSeen>,
    /// The hierarchy delimiter.
    pub delimiter: Option<String>,
    /// The listing command used (`LIST ... RETURN (SPECIAL-USE)`, `XLIST` or `LIST`).
    pub list_command: Option<String>,
    /// Totals over the folders.
    pub totals: Totals,
    /// Every folder of the personal namespace, in the server's order.
    pub folders: Vec<FolderSeen>,
    /// More folders than `caps.max_folders`: the list is cut.
    pub folders_partial: bool,
    /// The source quota (GETQUOTAROOT INBOX).
    pub quota: Vec<QuotaSeen>,
    /// The throughput sample (`null`: not taken).
    pub sample: Option<SampleSeen>,
    /// `null`: no sample (no messages, or the sample failed).
    pub estimate: Option<Estimate>,
    /// The limits in force, each with its source.
    pub limits: Vec<Limit>,
    /// What will not (or may not) arrive, worst first.
    pub findings: Vec<PreflightFinding>,
    /// Caps the survey reached, each with its value.
    pub caps_reached: Vec<String>,
    /// Throttling the server signalled (`NO [LIMIT]`, `BYE`, ...).
    pub throttling: Vec<String>,
    /// Survey commands that failed or were refused, with the server's answer.
    pub survey_errors: Vec<String>,
    /// The parallel-session check (`null`: not asked for).
    pub parallel: Option<ParallelSeen>,
    /// Steps that did not complete (connect, TLS, login, ...).
    pub errors: Vec<StepError>,
    /// Connections and bytes to the target.
    pub stats: Stats,
}

pub fn judge(seen: PreflightSeen, limits: &Limits) -> PreflightReport {
    let survey = seen.survey.unwrap_or_default();
    let totals = Totals {
        folders: survey.folders.len() as u64,
        messages: survey.folders.iter().filter_map(|f| f.messages).sum(),
        size_bytes: survey.folders.iter().filter_map(|f| f.size_bytes).sum(),
        partial: survey.folders_partial
            || !survey.caps_reached.is_empty()
            || survey.folders.iter().any(|f| f.partial),
    };
    let logged_in = seen.login.as_ref().and_then(|l| l.ok) == Some(true);
    let findings = if logged_in {
        findings::findings(&survey, limits)
    } else {
        Vec::new()
    };
    let estimate = survey
        .sample
        .as_ref()
        .and_then(|s| estimate::estimate(totals.size_bytes, s));
    let summary = summary(
        &seen.login,
        &seen.errors,
        &totals,
        &findings,
        estimate.as_ref(),
        limits,
    );
    let capabilities = MIGRATION_CAPABILITIES
        .iter()
        .map(|c| {
            let has = survey
                .capabilities
                .iter()
                .any(|x| x.eq_ignore_ascii_case(c));
            (c.to_string(), has)
        })
        .collect();
    PreflightReport {
        request_id: None,
        target: seen.target,
        destination: limits.destination,
        started_at: seen.started_at,
        duration_ms: seen.duration_ms,
        summary,
        greeting: seen.greeting,
        tls: seen.tls,
        login: seen.login,
        capabilities: if logged_in {
            capabilities
        } else {
            BTreeMap::new()
        },
        personal_namespace: survey.personal_namespace,
        delimiter: survey.delimiter,
        list_command: (!survey.list_command.is_empty()).then_some(survey.list_command),
        totals,
        folders: survey.folders,
        folders_partial: survey.folders_partial,
        quota: survey.quota,
        sample: survey.sample,
        estimate,
        limits: limits.listed(),
        findings,
        caps_reached: survey.caps_reached,
        throttling: survey.throttling,
        survey_errors: survey.errors,
        parallel: seen.parallel,
        errors: seen.errors,
        stats: seen.stats,
    }
}

fn summary(
    login: &Option<LoginResult>,
    errors: &[StepError],
    totals: &Totals,
    findings: &[PreflightFinding],
    estimate: Option<&Estimate>,
    limits: &Limits,
) -> String {
    match login {
        Some(l) if l.ok == Some(true) => {}
        Some(l) => {
            let why = l
                .reason
                .clone()
                .or_else(|| l.server_text.clone())
                .unwrap_or_default();
            return format!("No preflight: the login did not succeed ({why}).");
        }
        None => {
            let why = errors
                .last()
                .map_or("no login was reached".to_string(), |e| {
                    format!("{}: {}", e.step, e.message)
                });
            return format!("No preflight: {why}.");
        }
    }
    let dest = limits.destination.label();
    let mut parts = vec![format!(
        "{}, {} bytes in {}{}",
        count(totals.messages, "item"),
        totals.size_bytes,
        count(totals.folders, "folder"),
        if totals.partial {
            " (partial counts)"
        } else {
            ""
        }
    )];
    let over: Vec<&PreflightFinding> = findings
        .iter()
        .filter(|f| f.id == "item-over-size-limit")
        .collect();
    if !over.is_empty() {
        let n: u64 = over.iter().filter_map(|f| f.items).sum();
        let verb = if limits.max_item_bytes.verified {
            "will be skipped"
        } else {
            "may be skipped (limit unverified)"
        };
        parts.push(format!(
            "{} in {} {} {dest}'s limit for IMAP migration and {verb}",
            count(n, "item"),
            count(over.len() as u64, "folder"),
            if n == 1 { "exceeds" } else { "exceed" }
        ));
    }
    let problems = findings
        .iter()
        .filter(|f| f.severity == Severity::Problem)
        .count();
    let risks = findings
        .iter()
        .filter(|f| f.severity == Severity::Risk)
        .count();
    parts.push(format!(
        "{}, {}",
        count(problems as u64, "problem"),
        count(risks as u64, "risk")
    ));
    if let Some(e) = estimate {
        parts.push(format!(
            "estimated transfer {} at the measured {}{}",
            e.duration,
            estimate::rate_words(e.measured_bytes_per_sec),
            if e.rough {
                " (rough: small sample)"
            } else {
                ""
            }
        ));
    }
    format!("{}.", parts.join("; "))
}

#[cfg(test)]
mod tests;

/// `1 item`, `2 items`.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
