//! The Report's `security`: each check's record with its result in words
//! and the evidence, built from the observations (the judgement of what a
//! server's answer means is in `findings::security`).

use crate::observations::{Answer, CheckRun, CheckStatus, Seen};
use crate::report::{Finding, SecurityCheck};
use crate::tls::hello::records::content_type;
use crate::tls::reply::alert_name;

use super::findings::security::check_result;

/// The finding each check can produce.
fn finding_of(run: &CheckRun) -> &'static [&'static str] {
    use crate::observations::CheckId::*;
    match run.id {
        StarttlsInjection => &["STARTTLS_INJECTION", "STARTTLS_DATA_BEFORE_HANDSHAKE"],
        FallbackScsv => &["NO_FALLBACK_SCSV"],
        Compression => &["TLS_COMPRESSION_CRIME"],
        SecureRenegotiation => &["NO_SECURE_RENEGOTIATION"],
        ClientRenegotiation => &["CLIENT_RENEGOTIATION_ALLOWED"],
        Heartbleed => &["HEARTBLEED"],
        CcsInjection => &["CCS_INJECTION"],
        Robot => &["ROBOT", "ROBOT_UNCONFIRMED"],
    }
}

pub fn section(runs: &[CheckRun], findings: &[Finding]) -> Vec<SecurityCheck> {
    runs.iter()
        .map(|r| {
            let (status, reason) = match &r.status {
                CheckStatus::Done => ("done", None),
                CheckStatus::NotApplicable(why) => ("not_applicable", Some(why.clone())),
                CheckStatus::Failed(why) => ("failed", Some(why.clone())),
                CheckStatus::NotRun(why) => ("not_run", Some(why.clone())),
            };
            SecurityCheck {
                id: r.id,
                status: status.into(),
                result: check_result(r).map(str::to_string),
                reason,
                evidence: r.seen.as_ref().map(evidence),
                finding: finding_of(r)
                    .iter()
                    .find(|id| findings.iter().any(|f| f.id == **id))
                    .map(|s| s.to_string()),
                connections: r.connections,
                ms: r.ms,
            }
        })
        .collect()
}

fn answer(a: &Answer) -> String {
    match a {
        Answer::ServerHello {
            version,
            downgrade_sentinel,
        } => format!(
            "a ServerHello for {}{}",
            crate::tls::hello::version_name(*version).unwrap_or("an unknown version"),
            if *downgrade_sentinel {
                " carrying the TLS 1.3 downgrade sentinel (RFC 8446 §4.1.3)"
            } else {
                ""
            }
        ),
        Answer::Alert { description } => format!("alert {}", alert_name(*description)),
        Answer::Record {
            content_type: ct,
            length,
        } => {
            let kind = match *ct {
                content_type::HEARTBEAT => "heartbeat",
                content_type::HANDSHAKE => "handshake",
                content_type::APPLICATION_DATA => "application data",
                content_type::CHANGE_CIPHER_SPEC => "ChangeCipherSpec",
                _ => "unknown",
            };
            format!("a {kind} record of {length} bytes")
        }
        Answer::Closed => "the connection closed".into(),
        Answer::Reset => "a reset".into(),
        Answer::Silent => "silence until the time limit".into(),
    }
}

fn evidence(seen: &Seen) -> String {
    match seen {
        Seen::StarttlsInjection {
            before_handshake: Some(said),
            ..
        } => format!("plaintext after the STARTTLS OK: {said}"),
        Seen::StarttlsInjection { transcript, .. } => {
            format!(
                "inside TLS, after our closing command: {}",
                transcript.join(" | ")
            )
        }
        Seen::FallbackScsv {
            offered,
            answer: a,
            accepted_without,
            ..
        } => {
            let version = crate::tls::hello::version_name(*offered).unwrap_or("a lower-version");
            let refused = matches!(a, Answer::Alert { .. } | Answer::Closed | Answer::Reset);
            let without = if refused && *accepted_without {
                format!("; without the SCSV the scan saw the same suites accepted at {version}")
            } else {
                String::new()
            };
            format!(
                "{version} hello with TLS_FALLBACK_SCSV answered with {}{without}",
                answer(a)
            )
        }
        Seen::Compression { method } => {
            format!("hello offering DEFLATE and null: ServerHello compression method {method}")
        }
        Seen::SecureRenegotiation { extension, .. } => format!(
            "renegotiation_info in the ServerHello: {}",
            if *extension { "yes" } else { "no" }
        ),
        Seen::ClientRenegotiation { detail, .. } => detail.clone(),
        Seen::Heartbleed {
            extension: false, ..
        } => "no heartbeat extension in the ServerHello; no heartbeat sent".into(),
        Seen::Heartbleed { answer: a, .. } => format!(
            "heartbeat request claiming 16384 bytes, none sent: {}",
            a.as_ref().map(answer).unwrap_or_else(|| "not sent".into())
        ),
        Seen::Robot {
            full,
            kex_only,
            asked_again,
            ..
        } => format!(
            "five RSA key exchanges (valid, wrong first bytes, zero early, no zero, wrong version) with CCS and Finished: {}; key exchange alone: {}{}",
            full.iter().map(answer).collect::<Vec<_>>().join(", "),
            kex_only.iter().map(answer).collect::<Vec<_>>().join(", "),
            asked_again
                .iter()
                .map(|(with_finished, i, first)| format!(
                    "; payload {} ({}) first answered {}, so it was asked again",
                    i + 1,
                    if *with_finished {
                        "with CCS and Finished"
                    } else {
                        "key exchange alone"
                    },
                    answer(first)
                ))
                .collect::<String>()
        ),
        Seen::CcsInjection { answer: a } => {
            format!(
                "two ChangeCipherSpec records before the key exchange: {}",
                answer(a)
            )
        }
    }
}
