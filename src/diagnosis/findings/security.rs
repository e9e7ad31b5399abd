//! Security findings: each weakness the scan saw on its own (DROWN, POODLE,
//! BEAST, Sweet32, RC4, FREAK, Logjam, NULL, anonymous, Lucky Thirteen),
//! and what the security checks established (STARTTLS injection, fallback
//! SCSV, compression, renegotiation, Heartbleed, CCS injection).

use crate::observations::{Answer, CheckId, CheckRun, CheckStatus, Observations, Seen, steps};
use crate::report::{Finding, Severity};
use crate::tls::hello::records::content_type;
use crate::tls::suites::{self, Authentication, BulkCipher, CipherSuite, KeyExchange};
use crate::vocab::TlsVersion;

use super::super::client_verdict::ClientVerdict;
use super::super::profiles::Failure;
use super::super::server::{ServerView, Software};
use super::{affected, make, suites_named};

/// Alert `inappropriate_fallback` (RFC 7507 §2).
pub const INAPPROPRIATE_FALLBACK: u8 = 86;
/// Alerts a CCS-injectable server sends on the second early CCS:
/// `decryption_failed` (21) and `bad_record_mac` (20), as testssl.sh reads them.
const CCS_ACCEPTED_ALERTS: [u8; 2] = [21, 20];

/// A wire version's name (`TLSv1.2`), or its hex.
fn vname(v: u16) -> String {
    crate::tls::hello::version_name(v)
        .map(str::to_string)
        .unwrap_or_else(|| format!("0x{v:04X}"))
}

fn is_cbc(s: &CipherSuite) -> bool {
    !s.aead
        && matches!(
            s.cipher,
            BulkCipher::Des
                | BulkCipher::Des40
                | BulkCipher::TripleDes
                | BulkCipher::Idea
                | BulkCipher::Seed
                | BulkCipher::Rc2
                | BulkCipher::Aes128
                | BulkCipher::Aes256
                | BulkCipher::Camellia128
                | BulkCipher::Camellia256
                | BulkCipher::Aria128
                | BulkCipher::Aria256
        )
}

fn is_64bit_block(s: &CipherSuite) -> bool {
    matches!(
        s.cipher,
        BulkCipher::Des
            | BulkCipher::Des40
            | BulkCipher::TripleDes
            | BulkCipher::Idea
            | BulkCipher::Rc2
    )
}

/// The accepted suites at `v` that match.
fn at(view: &ServerView, v: TlsVersion, pred: fn(&CipherSuite) -> bool) -> Vec<u16> {
    view.suites_at(v)
        .unwrap_or(&[])
        .iter()
        .copied()
        .filter(|c| suites::lookup(*c).is_some_and(pred))
        .collect()
}

/// The accepted suites at any version that match (each once).
fn anywhere(view: &ServerView, pred: fn(&CipherSuite) -> bool) -> Vec<u16> {
    view.all_suites()
        .into_iter()
        .filter(|c| suites::lookup(*c).is_some_and(pred))
        .collect()
}

/// One finding per weakness the scan saw (scanned servers only).
pub(super) fn derived_rules(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    endpoint: &str,
    out: &mut Vec<Finding>,
) {
    let sw = view.software;
    let accepted = view.accepted_versions();
    if accepted.contains(&TlsVersion::Ssl2) {
        // SSLv2 cipher kinds are 3-byte codes: name them from the scan itself.
        let kinds: Vec<String> = view
            .obs
            .tls
            .versions
            .iter()
            .filter(|v| v.version == TlsVersion::Ssl2)
            .flat_map(|v| v.suites.iter().map(|s| s.name.clone()))
            .collect();
        let named = if kinds.is_empty() {
            String::new()
        } else {
            format!(" with {}", kinds.join(", "))
        };
        out.push(make(
            "SSL2_DROWN",
            None,
            format!("{endpoint} accepts an SSLv2 hello{named}. DROWN decrypts TLS sessions of any server that shares this RSA key."),
            sw,
        ));
    }
    let ssl3_cbc = at(view, TlsVersion::Ssl3, is_cbc);
    if !ssl3_cbc.is_empty() {
        out.push(make(
            "SSL3_POODLE",
            None,
            format!(
                "At SSLv3 {endpoint} accepts the CBC suites {}.",
                suites_named(&ssl3_cbc)
            ),
            sw,
        ));
    }
    let tls10_cbc = at(view, TlsVersion::Tls10, is_cbc);
    if !tls10_cbc.is_empty() {
        out.push(make(
            "TLS10_CBC_BEAST",
            None,
            format!(
                "At TLSv1.0 {endpoint} accepts the CBC suites {}.",
                suites_named(&tls10_cbc)
            ),
            sw,
        ));
    }
    let all = view.all_suites();
    let block64 = anywhere(view, is_64bit_block);
    if !block64.is_empty() {
        // Nothing stronger: every accepted suite is weak (64-bit block, RC4, ...).
        let only = all.iter().all(|c| super::super::server::is_weak_suite(*c));
        out.push(make(
            "SWEET32_64BIT_BLOCK",
            only.then_some(Severity::High),
            format!(
                "{endpoint} accepts {}{}.{}",
                suites_named(&block64),
                if only { ", and nothing stronger" } else { "" },
                affected(verdicts, &[Failure::NoCommonSuite])
            ),
            sw,
        ));
    }
    suite_class_rules(view, endpoint, out);
}

/// Whether a suite belongs to a class a finding is about.
type SuiteClass = fn(&CipherSuite) -> bool;

/// RC4, export, NULL, anonymous, and CBC with HMAC (information).
fn suite_class_rules(view: &ServerView, endpoint: &str, out: &mut Vec<Finding>) {
    let sw = view.software;
    let classes: [(&str, SuiteClass); 6] = [
        ("RC4_ENABLED", |s| s.cipher == BulkCipher::Rc4),
        ("EXPORT_RSA_FREAK", |s| s.export && s.kx == KeyExchange::Rsa),
        ("EXPORT_DH_LOGJAM", |s| {
            s.export && matches!(s.kx, KeyExchange::Dhe | KeyExchange::Dh)
        }),
        ("NULL_CIPHER_ENABLED", |s| s.cipher == BulkCipher::Null),
        ("ANONYMOUS_SUITES_ENABLED", |s| {
            s.auth == Authentication::Anon
        }),
        ("LUCKY13_CBC", is_cbc),
    ];
    for (id, pred) in classes {
        let found = anywhere(view, pred);
        if found.is_empty() {
            continue;
        }
        let shown = if found.len() > 8 {
            format!(
                "{} and {} more",
                suites_named(found.get(..8).unwrap_or(&[])),
                found.len() - 8
            )
        } else {
            suites_named(&found)
        };
        out.push(make(id, None, format!("{endpoint} accepts {shown}."), sw));
    }
}

/// The check's record, when it ran to an answer.
fn done(obs: &Observations, id: CheckId) -> Option<&Seen> {
    obs.security
        .iter()
        .find(|r| r.id == id && r.status == CheckStatus::Done)
        .and_then(|r| r.seen.as_ref())
}

/// Findings from the security checks, and from the dialogue's STARTTLS
/// (plaintext after the OK, which the dialogue refuses to hand to TLS).
pub(super) fn check_rules(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    injection_rules(obs, sw, out);
    if let Some(Seen::FallbackScsv {
        offered,
        highest,
        answer:
            Answer::ServerHello {
                version,
                downgrade_sentinel: false,
            },
        ..
    }) = done(obs, CheckId::FallbackScsv)
    {
        out.push(make(
            "NO_FALLBACK_SCSV",
            None,
            format!(
                "A {} hello carrying TLS_FALLBACK_SCSV was answered with a {} ServerHello, although the server accepts {}; RFC 7507 wants inappropriate_fallback.",
                vname(*offered),
                vname(*version),
                vname(*highest),
            ),
            sw,
        ));
    }
    if let Some(Seen::Compression { method }) = done(obs, CheckId::Compression)
        && *method != 0
    {
        out.push(make(
            "TLS_COMPRESSION_CRIME",
            None,
            format!("The ServerHello chose compression method {method} (1 = DEFLATE) from a hello offering DEFLATE and null."),
            sw,
        ));
    }
    renegotiation_rules(obs, sw, out);
    memory_rules(obs, sw, out);
}

fn injection_rules(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    if let Some(Seen::StarttlsInjection {
        answered_in_tls,
        before_handshake,
        transcript,
    }) = done(obs, CheckId::StarttlsInjection)
    {
        if !answered_in_tls.is_empty() {
            out.push(make(
                "STARTTLS_INJECTION",
                None,
                format!(
                    "A command sent in the same segment as STARTTLS was answered inside TLS: {}. Inside TLS the server said: {}.",
                    answered_in_tls.join(" | "),
                    transcript.join(" | ")
                ),
                sw,
            ));
        }
        if let Some(said) = before_handshake {
            out.push(make(
                "STARTTLS_DATA_BEFORE_HANDSHAKE",
                None,
                format!("After its STARTTLS OK, before any TLS, the server sent: {said} (answering the command pipelined after STARTTLS in plaintext)."),
                sw,
            ));
            return;
        }
    }
    // The dialogue saw it without any pipelining of ours.
    if let Some(e) = obs.error_of(steps::STARTTLS)
        && e.message
            .contains(crate::mail::connection::DATA_BEFORE_HANDSHAKE)
    {
        out.push(make(
            "STARTTLS_DATA_BEFORE_HANDSHAKE",
            None,
            format!("The mail dialogue: {}.", e.message),
            sw,
        ));
    }
}

fn renegotiation_rules(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    let client_reneg = match done(obs, CheckId::ClientRenegotiation) {
        Some(Seen::ClientRenegotiation { accepted, .. }) => Some(*accepted),
        _ => None,
    };
    let secure = match done(obs, CheckId::SecureRenegotiation) {
        Some(Seen::SecureRenegotiation { extension, version }) => Some((*extension, *version)),
        _ => None,
    };
    if let Some((false, version)) = secure {
        out.push(make(
            "NO_SECURE_RENEGOTIATION",
            (client_reneg == Some(true)).then_some(Severity::High),
            format!(
                "The {} ServerHello carries no renegotiation_info extension (RFC 5746).{}",
                vname(version),
                if client_reneg == Some(true) {
                    " The server also lets clients renegotiate, so CVE-2009-3555 prefix injection applies."
                } else {
                    ""
                }
            ),
            sw,
        ));
    }
    if client_reneg == Some(true) {
        out.push(make(
            "CLIENT_RENEGOTIATION_ALLOWED",
            None,
            "After a completed handshake the client asked for a renegotiation (OpenSSL SSL_renegotiate) and the server carried it out.".into(),
            sw,
        ));
    }
}

/// Whether the server answered the five ROBOT payloads in more than one way.
fn differs(answers: &[Answer]) -> bool {
    answers.windows(2).any(|w| w.first() != w.get(1))
}

fn robot_rule(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    let Some(Seen::Robot { full, kex_only, .. }) = done(obs, CheckId::Robot) else {
        return;
    };
    let show = |a: &[Answer]| {
        a.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if differs(full) {
        out.push(make(
            "ROBOT",
            None,
            format!("Five RSA key exchanges (one well formed, four with broken PKCS#1 padding) followed by ChangeCipherSpec and Finished got different answers: {}. The server is an RSA padding oracle.", show(full)),
            sw,
        ));
    } else if differs(kex_only) {
        out.push(make(
            "ROBOT_UNCONFIRMED",
            None,
            format!("With ChangeCipherSpec and Finished the five RSA key exchanges got the same answer ({}), but the key exchange alone got different ones: {}. A weaker oracle, or a server that answers late.", show(full), show(kex_only)),
            sw,
        ));
    }
}

fn memory_rules(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    robot_rule(obs, sw, out);
    if let Some(Seen::Heartbleed {
        answer:
            Some(Answer::Record {
                content_type: content_type::HEARTBEAT,
                length,
            }),
        ..
    }) = done(obs, CheckId::Heartbleed)
        && *length > 3
    {
        out.push(make(
            "HEARTBLEED",
            None,
            format!("A heartbeat request claiming 16384 bytes and carrying none was answered with a heartbeat record of {length} bytes: server memory."),
            sw,
        ));
    }
    if let Some(Seen::CcsInjection {
        answer: Answer::Alert { description },
    }) = done(obs, CheckId::CcsInjection)
        && CCS_ACCEPTED_ALERTS.contains(description)
    {
        out.push(make(
            "CCS_INJECTION",
            None,
            format!(
                "Two ChangeCipherSpec records sent before any key exchange: the server took the first and answered the second with {} (a correct server refuses the first with unexpected_message).",
                crate::tls::reply::alert_name(*description)
            ),
            sw,
        ));
    }
}

/// The verdict words a Report shows per check (judgement on the facts).
pub fn check_result(run: &CheckRun) -> Option<&'static str> {
    let seen = run.seen.as_ref()?;
    Some(match seen {
        Seen::Robot { full, kex_only, .. } => match (differs(full), differs(kex_only)) {
            (true, _) => "vulnerable",
            (false, true) => "vulnerable_unconfirmed",
            (false, false) => "not_vulnerable",
        },
        Seen::StarttlsInjection {
            answered_in_tls,
            before_handshake,
            ..
        } => {
            if !answered_in_tls.is_empty() {
                "vulnerable"
            } else if before_handshake.is_some() {
                "data_before_handshake"
            } else {
                "not_vulnerable"
            }
        }
        Seen::FallbackScsv {
            answer,
            accepted_without,
            ..
        } => match answer {
            Answer::Alert {
                description: INAPPROPRIATE_FALLBACK,
            } => "honoured",
            // RFC 8446 §4.1.3: TLS 1.3 clients detect the downgrade by the
            // sentinel in the random, so the SCSV is not needed for them.
            Answer::ServerHello {
                downgrade_sentinel: true,
                ..
            } => "protected_by_tls13_sentinel",
            Answer::ServerHello { .. } => "not_honoured",
            // A refusal of suites the server accepts at that version without
            // the SCSV is the refusal RFC 7507 asks for, whatever its form:
            // Dovecot closes without the alert on every refusal, SChannel
            // resets (sslyze counts these as supported too).
            Answer::Alert { .. } | Answer::Closed | Answer::Reset if *accepted_without => {
                "honoured"
            }
            _ => "inconclusive",
        },
        Seen::Compression { method } => {
            if *method == 0 {
                "not_accepted"
            } else {
                "accepted"
            }
        }
        Seen::SecureRenegotiation { extension, .. } => {
            if *extension {
                "supported"
            } else {
                "not_supported"
            }
        }
        Seen::ClientRenegotiation { accepted, .. } => {
            if *accepted {
                "accepted"
            } else {
                "refused"
            }
        }
        Seen::Heartbleed { answer, .. } => match answer {
            Some(Answer::Record {
                content_type: content_type::HEARTBEAT,
                length,
            }) if *length > 3 => "vulnerable",
            _ => "not_vulnerable",
        },
        Seen::CcsInjection { answer } => match answer {
            Answer::Alert { description } if CCS_ACCEPTED_ALERTS.contains(description) => {
                "vulnerable"
            }
            _ => "not_vulnerable",
        },
    })
}
