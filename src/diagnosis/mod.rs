//! Diagnosis: a pure function of the [`Observations`]. No I/O here.
//!
//! Rules read facts and produce findings; client profiles (data) say which
//! clients can connect; the verdict and summary follow from both.

use crate::observations::{Observations, steps};
use crate::report::{ErrorKind, Finding, Report, Severity, Verdict};

/// Client profiles a request may name in `profiles`.
pub fn profile_ids() -> &'static [&'static str] {
    &[
        "exchange-online",
        "google-workspace",
        "imapsync",
        "openssl-seclevel2",
        "thunderbird",
        "outlook-windows",
        "apple-mail",
        "java-17",
        "mozilla-intermediate",
        "mozilla-modern",
        "rfc9325",
    ]
}

/// The judgement on one probe.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub verdict: Verdict,
    pub summary: String,
    pub findings: Vec<Finding>,
}

/// Observations in, judgement out.
pub fn diagnose(obs: &Observations) -> Diagnosis {
    let mut findings = Vec::new();
    let endpoint = format!("{}:{}", obs.target.host, obs.target.port);

    if let Some(err) = &obs.resolution_error {
        findings.push(finding(
            "HOST_NOT_RESOLVED",
            Severity::Critical,
            "The host name does not resolve",
            err.clone(),
            "Fix the DNS record, or point the client at the server's public name. Exchange Online reports this as \"The connection to the server could not be completed.\"",
            &["https://learn.microsoft.com/exchange/troubleshoot/move-or-migrate-mailboxes/troubleshoot-issues-with-imap-mailbox-migration"],
        ));
    } else if !obs.connect.ok {
        let detail = obs.connect.error.clone().unwrap_or_default();
        let (title, remedy) = match obs.connect_error_kind {
            Some(ErrorKind::Timeout) => (
                "The port does not answer (filtered or the host is down)",
                "Open the port in the firewall to the clients' address ranges (for Exchange Online, Microsoft's datacenter ranges); check that the mail service runs. Exchange Online reports this as \"timed out after 00:00:15\".",
            ),
            _ => (
                "The port is closed",
                "Start the mail service or enable its listener on this port (Exchange: the \"Microsoft Exchange IMAP4\" service and its bindings).",
            ),
        };
        findings.push(finding(
            "PORT_CLOSED",
            Severity::Critical,
            title,
            detail,
            remedy,
            &[],
        ));
    } else if let Some(err) = obs.error_of(steps::TLS_HANDSHAKE) {
        findings.push(finding(
            "TLS_HANDSHAKE_FAILED",
            Severity::High,
            "A modern TLS 1.2/1.3 client cannot complete a handshake",
            format!("{endpoint}: {}", err.message),
            "Enable TLS 1.2 (and 1.3) with AES-GCM suites on the server, and check that the port speaks TLS from the first byte.",
            &["https://www.rfc-editor.org/rfc/rfc8314", "https://www.rfc-editor.org/rfc/rfc9325"],
        ));
    }
    if obs.connect.ok
        && obs.target.protocol != crate::report::Protocol::Tls
        && let Some(err) = obs.error_of(steps::GREETING)
    {
        findings.push(finding(
            "NO_GREETING",
            Severity::Medium,
            "The server sent no greeting",
            err.message.clone(),
            "Check that a mail service (not another service) listens on this port.",
            &[],
        ));
    }

    let verdict = findings.iter().map(|f| match f.severity {
        Severity::Critical | Severity::High => Verdict::Fail,
        Severity::Medium | Severity::Low => Verdict::Warn,
        Severity::Info => Verdict::Pass,
    });
    let verdict = verdict.max().unwrap_or(Verdict::Pass);
    let summary = summarize(obs, &findings, &endpoint);
    Diagnosis {
        verdict,
        summary,
        findings,
    }
}

fn summarize(obs: &Observations, findings: &[Finding], endpoint: &str) -> String {
    if let Some(worst) = findings.iter().max_by_key(|f| f.severity) {
        return format!("{endpoint}: {}: {}", worst.title, worst.detail);
    }
    match &obs.tls.handshake {
        Some(h) => format!(
            "{endpoint} completes a {} handshake with {}{}.",
            h.version,
            h.suite.name,
            obs.mail
                .greeting
                .as_ref()
                .map(|g| format!(" and greets with \"{g}\""))
                .unwrap_or_default()
        ),
        None => format!(
            "{endpoint} answers{}.",
            obs.mail
                .greeting
                .as_ref()
                .map(|g| format!(" with \"{g}\""))
                .unwrap_or_default()
        ),
    }
}

fn finding(
    id: &str,
    severity: Severity,
    title: &str,
    detail: String,
    remedy: &str,
    references: &[&str],
) -> Finding {
    Finding {
        id: id.to_string(),
        severity,
        title: title.to_string(),
        detail,
        remedy: remedy.to_string(),
        references: references.iter().map(|r| r.to_string()).collect(),
    }
}

/// Observations plus their diagnosis, as the Report callers receive.
pub fn report(obs: Observations) -> Report {
    let dx = diagnose(&obs);
    let started_at = obs
        .started_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Report {
        target: obs.target,
        started_at,
        duration_ms: obs.duration_ms,
        verdict: dx.verdict,
        summary: dx.summary,
        connect: obs.connect,
        mail: obs.mail,
        tls: obs.tls,
        clients: Vec::new(),
        findings: dx.findings,
        stats: obs.stats,
        timings: obs.timings,
        errors: obs.errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Protocol, Target, Transport};

    fn obs() -> Observations {
        Observations::new(
            Target {
                host: "mail.example.com".into(),
                port: 993,
                protocol: Protocol::Imap,
                transport: Transport::Implicit,
                addresses: vec![],
                sni: None,
            },
            time::OffsetDateTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn unresolvable_host_fails() {
        let mut o = obs();
        o.resolution_error = Some("mail.example.com did not resolve".into());
        let d = diagnose(&o);
        assert_eq!(d.verdict, Verdict::Fail);
        assert_eq!(d.findings[0].id, "HOST_NOT_RESOLVED");
        assert!(d.summary.contains("does not resolve"));
    }

    #[test]
    fn closed_port_fails_and_timeout_says_filtered() {
        let mut o = obs();
        o.connect_error_kind = Some(ErrorKind::Timeout);
        o.connect.error = Some("no answer".into());
        let d = diagnose(&o);
        assert_eq!(d.verdict, Verdict::Fail);
        assert_eq!(d.findings[0].id, "PORT_CLOSED");
        assert!(d.findings[0].title.contains("filtered"));
    }

    #[test]
    fn handshake_failure_fails() {
        let mut o = obs();
        o.connect.ok = true;
        o.error(
            steps::TLS_HANDSHAKE,
            ErrorKind::Tls,
            "server sent alert ProtocolVersion",
        );
        let d = diagnose(&o);
        assert_eq!(d.verdict, Verdict::Fail);
        assert!(d.summary.contains("ProtocolVersion"));
    }

    #[test]
    fn clean_connection_passes() {
        let mut o = obs();
        o.connect.ok = true;
        o.mail.greeting = Some("* OK ready".into());
        let d = diagnose(&o);
        assert_eq!(d.verdict, Verdict::Pass);
        assert!(d.findings.is_empty());
    }
}
