//! Checks answered by one ordinary ClientHello's ServerHello: compression
//! (CRIME), secure renegotiation (RFC 5746) and the fallback SCSV (RFC 7507).

use std::time::Instant;

use super::target::{CheckTarget, Outcome};
use super::{Answer, CheckId, CheckRun, CheckStatus, Seen};
use crate::tls::hello::{ClientHelloSpec, scsv};
use crate::tls::scan::{Ending, Exchange, Hello, send_hello};
use crate::vocab::{Deadline, TlsVersion};

/// Compression method DEFLATE (RFC 3749).
const DEFLATE: u8 = 1;

/// One hello at the highest version with a renegotiation and compression
/// to speak of (TLS 1.2 and below), offering DEFLATE when `compression`
/// is asked and announcing RFC 5746 support; both checks read its
/// ServerHello. The connection is counted once, on the first id.
pub async fn server_hello(
    target: &CheckTarget,
    ids: &[CheckId],
    deadline: Deadline,
) -> Vec<CheckRun> {
    let Some(first) = ids.first().copied() else {
        return Vec::new();
    };
    let Some(v) = target.highest_legacy() else {
        return ids
            .iter()
            .map(|id| {
                CheckRun::not_applicable(
                    *id,
                    "no version up to TLS 1.2 accepted: TLS 1.3 has neither compression nor renegotiation",
                )
            })
            .collect();
    };
    let started = Instant::now();
    let mut spec = ClientHelloSpec::for_version(v.wire(), target.suites_at(v), target.sni.clone());
    if ids.contains(&CheckId::Compression) {
        spec.compression = vec![DEFLATE, 0];
    }
    if v <= TlsVersion::Ssl3 {
        // No extensions in an SSLv3 hello: the SCSV says the same (RFC 5746 §3.3).
        spec.suites.push(scsv::EMPTY_RENEGOTIATION_INFO);
    }
    let result = send_hello(&target.endpoint, &Hello::Tls(spec), true, deadline).await;
    let ms = started.elapsed().as_millis() as u64;
    let (connections, outcome) = match result {
        Ok(ex) => (ex.connections, Ok(ex)),
        Err(e) => (0, Err(e.to_string())),
    };
    ids.iter()
        .map(|id| {
            let (status, seen) = match &outcome {
                Err(why) => (CheckStatus::Failed(why.clone()), None),
                Ok(ex) => match &ex.reply.server_hello {
                    None => (
                        CheckStatus::Failed(format!(
                            "no ServerHello to a {} hello: {}",
                            v.as_str(),
                            describe(ex)
                        )),
                        None,
                    ),
                    Some(sh) => (
                        CheckStatus::Done,
                        Some(match id {
                            CheckId::Compression => Seen::Compression {
                                method: sh.compression,
                            },
                            _ => Seen::SecureRenegotiation {
                                extension: sh.secure_renegotiation,
                                version: sh.negotiated_version(),
                            },
                        }),
                    ),
                },
            };
            CheckRun {
                id: *id,
                status,
                seen,
                connections: if *id == first { connections } else { 0 },
                ms,
            }
        })
        .collect()
}

/// A hello for the second-highest accepted version carrying
/// `TLS_FALLBACK_SCSV`: a server that knows a higher version must refuse
/// it with `inappropriate_fallback` (RFC 7507 §3).
pub async fn fallback_scsv(target: &CheckTarget, deadline: Deadline) -> Outcome {
    let accepted = target.accepted();
    let (Some(highest), Some(lower)) = (
        accepted.last().copied(),
        accepted
            .iter()
            .rev()
            .copied()
            .find(|v| *v < TlsVersion::Tls13 && Some(*v) != accepted.last().copied()),
    ) else {
        return (
            CheckStatus::NotApplicable(
                "the server accepts one version only: there is nothing to fall back from".into(),
            ),
            None,
            0,
        );
    };
    let mut suites = target.suites_at(lower);
    let accepted_without = !suites.is_empty();
    suites.push(scsv::FALLBACK);
    let spec = ClientHelloSpec::for_version(lower.wire(), suites, target.sni.clone());
    match send_hello(&target.endpoint, &Hello::Tls(spec), true, deadline).await {
        Err(e) => (CheckStatus::Failed(e.to_string()), None, 0),
        Ok(ex) => {
            let answer = answer_of(&ex);
            let status = match answer {
                Some(_) => CheckStatus::Done,
                None => CheckStatus::Failed(describe(&ex)),
            };
            (
                status,
                answer.map(|answer| Seen::FallbackScsv {
                    offered: lower.wire(),
                    highest: highest.wire(),
                    answer,
                    accepted_without,
                }),
                ex.connections,
            )
        }
    }
}

/// A hello's answer as a check records it; `None` for a reply that says
/// nothing (a timeout, broken TLS, plaintext).
pub(super) fn answer_of(ex: &Exchange) -> Option<Answer> {
    if let Some(sh) = &ex.reply.server_hello {
        return Some(Answer::ServerHello {
            version: sh.negotiated_version(),
            downgrade_sentinel: sh.downgrade_sentinel.is_some(),
        });
    }
    if let Some(alert) = &ex.reply.alert {
        return Some(Answer::Alert {
            description: alert.description,
        });
    }
    match ex.ending {
        Ending::Closed if ex.reply.is_empty() => Some(Answer::Closed),
        Ending::Reset if ex.reply.is_empty() => Some(Answer::Reset),
        _ => None,
    }
}

fn describe(ex: &Exchange) -> String {
    match (&ex.reply.alert, ex.ending) {
        (Some(a), _) => format!("alert {}", a.description_name()),
        (None, Ending::TimedOut) => "no answer before the time limit".into(),
        (None, Ending::Closed) => "the server closed the connection".into(),
        (None, Ending::Reset) => "the server reset the connection".into(),
        (None, Ending::Complete) => "a reply without a ServerHello".into(),
    }
}
