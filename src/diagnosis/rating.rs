//! The security rating: A to F at a glance, beside the migration verdict.
//!
//! The verdict answers "can the clients that decide connect?"; the rating
//! answers "how well is this port protected?". They are independent: an
//! Exchange 2010 server can fail the verdict (TLS 1.0 only) and still rate
//! C, and a port with Heartbleed can pass the verdict (every client
//! connects) and rate F. Security findings never turn the verdict to
//! `fail`; at most to `warn`.
//!
//! Rules: start at A; every rule below that holds caps the grade; the
//! lowest cap wins. Each rule names a finding id (or a fact), so a report
//! says exactly why. The table is [`CAPS`]; `docs/security-checks.md`
//! shows it for people.
//!
//! STARTTLS ports: a port on which a client can log in before TLS
//! (`LOGIN_ALLOWED_WITHOUT_TLS`) is opportunistic: a man in the middle who
//! strips STARTTLS gets the password, so it is capped at B. A STARTTLS port
//! that refuses login before TLS (IMAP `LOGINDISABLED`, SMTP/POP3 offering
//! no AUTH before TLS, i.e. `530 5.7.0 Must issue a STARTTLS command first`)
//! is not capped for being STARTTLS: a stripped client fails instead of
//! leaking, which testssl.sh's rating does not credit yet (its issues #1832
//! and #2987).

use crate::observations::Observations;
use crate::report::{Finding, Rating, RatingCap};
use crate::vocab::{Protocol, Transport};

/// Grades, best first.
const GRADES: [&str; 5] = ["A", "A-", "B", "C", "F"];

/// (finding id, the grade it caps at). Unlisted findings do not cap.
pub const CAPS: &[(&str, &str)] = &[
    ("STARTTLS_INJECTION", "F"),
    ("HEARTBLEED", "F"),
    ("CCS_INJECTION", "F"),
    ("ROBOT", "F"),
    ("ROBOT_UNCONFIRMED", "B"),
    ("SSL2_DROWN", "F"),
    ("NULL_CIPHER_ENABLED", "F"),
    ("ANONYMOUS_SUITES_ENABLED", "F"),
    ("EXPORT_RSA_FREAK", "F"),
    ("EXPORT_DH_LOGJAM", "F"),
    ("CERT_EXPIRED", "F"),
    ("STARTTLS_NOT_OFFERED", "F"),
    ("TLS_HANDSHAKE_FAILED", "F"),
    ("SSL3_POODLE", "C"),
    ("RC4_ENABLED", "C"),
    ("TLS_COMPRESSION_CRIME", "C"),
    ("STARTTLS_DATA_BEFORE_HANDSHAKE", "C"),
    ("TLS_MAX_VERSION_TOO_LOW", "C"),
    ("CERT_UNTRUSTED", "C"),
    ("CERT_SELF_SIGNED", "C"),
    ("CERT_NAME_MISMATCH", "C"),
    ("CERT_CHAIN_INCOMPLETE", "B"),
    ("RSA_KEY_TOO_SMALL", "C"),
    ("LEGACY_PROTOCOL_ENABLED", "B"),
    ("SWEET32_64BIT_BLOCK", "B"),
    ("NO_FORWARD_SECRECY", "B"),
    ("WEAK_DH", "B"),
    ("NO_SECURE_RENEGOTIATION", "B"),
    ("LOGIN_ALLOWED_WITHOUT_TLS", "B"),
    ("CERT_SHA1", "B"),
    ("NO_FALLBACK_SCSV", "A-"),
    ("CLIENT_RENEGOTIATION_ALLOWED", "A-"),
    ("TLS10_CBC_BEAST", "A-"),
];

/// Findings whose high severity (DH below 1024 bits) lowers their cap to C.
const HIGH_TO_C: &[&str] = &["WEAK_DH", "NO_SECURE_RENEGOTIATION", "SWEET32_64BIT_BLOCK"];

fn rank(grade: &str) -> usize {
    GRADES.iter().position(|g| *g == grade).unwrap_or(0)
}

/// The rating of a reached port; `None` when nothing answered.
pub fn rate(obs: &Observations, findings: &[Finding]) -> Option<Rating> {
    if !obs.connect.ok {
        return None;
    }
    let mut caps: Vec<RatingCap> = Vec::new();
    for f in findings {
        let Some((_, grade)) = CAPS.iter().find(|(id, _)| *id == f.id) else {
            continue;
        };
        let grade = if HIGH_TO_C.contains(&f.id.as_str())
            && f.severity >= crate::report::Severity::High
            && rank(grade) < rank("C")
        {
            "C"
        } else {
            grade
        };
        if !caps.iter().any(|c| c.because == f.id) {
            caps.push(RatingCap {
                grade: grade.to_string(),
                because: f.id.clone(),
            });
        }
    }
    caps.sort_by_key(|c| std::cmp::Reverse(rank(&c.grade)));
    let grade = caps
        .first()
        .map(|c| c.grade.clone())
        .unwrap_or_else(|| "A".into());
    Some(Rating {
        grade,
        caps,
        credited: credited(obs, findings),
    })
}

/// A STARTTLS port that refuses login before TLS: credited, not capped.
fn credited(obs: &Observations, findings: &[Finding]) -> Vec<String> {
    if obs.target.transport != Transport::Starttls
        || findings.iter().any(|f| f.id == "LOGIN_ALLOWED_WITHOUT_TLS")
    {
        return Vec::new();
    }
    let mail = &obs.mail;
    let refuses = match obs.target.protocol {
        Protocol::Imap => mail.login_disabled == Some(true),
        Protocol::Smtp | Protocol::Pop3 => {
            !mail.capabilities_before_tls.is_empty() && mail.auth_mechanisms_before_tls.is_empty()
        }
        Protocol::Tls => false,
    };
    if refuses {
        vec!["STARTTLS port that refuses login before TLS (LOGINDISABLED / no AUTH before STARTTLS): not capped as opportunistic".into()]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cap_names_a_catalogue_finding_and_a_grade() {
        for (id, grade) in CAPS {
            assert!(super::super::catalogue::spec(id).is_some(), "{id}");
            assert!(GRADES.contains(grade), "{id}: {grade}");
        }
    }
}
