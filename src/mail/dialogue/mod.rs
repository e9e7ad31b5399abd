//! The mail dialogue of one connection, start to finish, written into the
//! [`Observations`]: first bytes (which service answered), greeting,
//! capabilities, STARTTLS and the TLS handshake inside it, capabilities
//! again, IMAP ID, the optional login, and a polite goodbye.
//!
//! Every step's failure is recorded as `errors[]` with its step name and the
//! dialogue stops there; what was learnt before stands.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::client::TlsStream;

use super::auth::{LoginRequest, Mechanism, Redactor};
use super::line::LineError;
use super::service::{self, Recorded};
use super::software::{self, Said};
use super::wire::{Handover, STEP_TIMEOUT, StepFailure, Wire};
use crate::observations::{Observations, ServiceSeen, steps};
use crate::probe::net::{Deadline, Meter};
use crate::report::{ErrorKind, LoginResult, Protocol, StartTls, Transport};
use crate::tls::handshake::{self, HandshakeError, Offer};

mod imap;
mod pop3;
mod smtp;

/// How long to wait for a server's first bytes at most.
const GREETING_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the implicit-TLS check on a silent plaintext port may take.
const TLS_SNIFF_TIMEOUT: Duration = Duration::from_secs(3);

/// What the dialogue needs to know about the probe.
#[derive(Debug, Clone)]
pub struct DialogueSpec {
    pub protocol: Protocol,
    /// `Implicit` or `Starttls`.
    pub transport: Transport,
    pub server_name: ServerName<'static>,
    pub login: Option<LoginRequest>,
}

struct Ctx<'a> {
    spec: &'a DialogueSpec,
    meter: &'a Meter,
    deadline: Deadline,
    redactor: Redactor,
}

/// What the dialogue saw, gathered while it runs and written out at the end.
#[derive(Default)]
struct Seen {
    greeting: Vec<String>,
    before_tls: Option<Vec<String>>,
    after_tls: Option<Vec<String>>,
    id: Option<Vec<(String, String)>>,
    transcript: Vec<String>,
    undecoded: Vec<String>,
}

/// Runs the whole dialogue over a fresh TCP connection.
pub async fn run<S>(
    stream: S,
    spec: &DialogueSpec,
    meter: &Meter,
    deadline: Deadline,
    obs: &mut Observations,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let ctx = Ctx {
        spec,
        meter,
        deadline,
        redactor: Redactor::for_login(spec.login.as_ref()),
    };
    let mut seen = Seen::default();
    match spec.transport {
        Transport::Starttls => {
            let wire = Wire::new(stream, Vec::new(), ctx.redactor.clone());
            speak(wire, false, &ctx, obs, &mut seen).await;
        }
        _ => {
            // Remember the first bytes: if the handshake fails because the
            // server spoke plaintext, they say so.
            let (recorded, first) = Recorded::new(stream);
            let Some(tls) = tls_handshake(recorded, &ctx, obs).await else {
                let bytes = first.get();
                if service::is_sslv2_record(&bytes) {
                    if let Some(e) = obs
                        .errors
                        .iter_mut()
                        .rev()
                        .find(|e| e.step == steps::TLS_HANDSHAKE)
                    {
                        e.message = format!(
                            "{}; the server answered with an SSLv2 record (it speaks SSL 2.0, not TLS)",
                            e.message
                        );
                    }
                } else if !bytes.is_empty() && !service::is_tls_record(&bytes) {
                    let banner = ctx.redactor.redact(&service::banner(&bytes));
                    // Not a TLS failure in the usual sense: the port speaks
                    // plaintext (OpenSSL clients say "wrong version number").
                    if let Some(e) = obs
                        .errors
                        .iter_mut()
                        .rev()
                        .find(|e| e.step == steps::TLS_HANDSHAKE)
                    {
                        e.kind = ErrorKind::Protocol;
                        e.message = format!(
                            "{}; the server sent plaintext instead of TLS: \"{banner}\"",
                            e.message
                        );
                    }
                    obs.service = Some(ServiceSeen::PlaintextOnTlsPort { banner });
                }
                return;
            };
            if spec.protocol != Protocol::Tls {
                let wire = Wire::new(tls, Vec::new(), ctx.redactor.clone());
                speak(wire, true, &ctx, obs, &mut seen).await;
            }
        }
    }
    finish(&ctx, seen, obs);
}

/// The real handshake, its facts recorded; `None` when it failed.
async fn tls_handshake<S>(io: S, ctx: &Ctx<'_>, obs: &mut Observations) -> Option<TlsStream<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    ctx.meter.count_handshake();
    // A server that never answers the ClientHello costs one step, not the
    // whole probe budget.
    match handshake::handshake(
        io,
        ctx.spec.server_name.clone(),
        Offer::Modern,
        ctx.deadline.within(STEP_TIMEOUT),
    )
    .await
    {
        Ok(done) => {
            obs.timing(steps::TLS_HANDSHAKE, done.handshake.ms);
            obs.chain_der = done.presented.chain.clone();
            obs.tls.handshake = Some(done.handshake);
            Some(done.stream)
        }
        Err(e) => {
            let kind = match e {
                HandshakeError::Timeout { .. } => ErrorKind::Timeout,
                _ => ErrorKind::Tls,
            };
            obs.error(steps::TLS_HANDSHAKE, kind, e.to_string());
            None
        }
    }
}

fn record_failure(obs: &mut Observations, f: StepFailure) {
    obs.error(f.step, f.kind, f.message);
}

/// What the dialogue does after the server answered STARTTLS (IMAP, SMTP)
/// or STLS (POP3).
enum Upgrade {
    /// Accepted: go on into TLS.
    Proceed,
    /// Refused: finish the dialogue in plaintext.
    Refused,
    /// The exchange itself failed (recorded): stop.
    Failed,
}

/// Records the upgrade command's outcome in `mail.starttls`, the same way
/// for every protocol: whether it was advertised, accepted, and the
/// server's answer verbatim. `answer` is `(accepted, the server's line)`.
fn record_starttls(
    obs: &mut Observations,
    advertised: bool,
    answer: Result<(bool, String), StepFailure>,
) -> Upgrade {
    match answer {
        Ok((accepted, line)) => {
            obs.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: Some(accepted),
                response: Some(line),
            });
            if accepted {
                Upgrade::Proceed
            } else {
                Upgrade::Refused
            }
        }
        Err(f) => {
            obs.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: None,
                response: None,
            });
            record_failure(obs, f);
            Upgrade::Failed
        }
    }
}

/// What the first bytes on a connection were.
enum First {
    Line(Vec<u8>),
    Stop,
    Silent { waited_ms: u64 },
}

/// Reads the first line, classifying what is not the expected greeting.
async fn first_line<S>(
    wire: &mut Wire<S>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
) -> First
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let started = Instant::now();
    // Half the time left at most, so the implicit-TLS check and the rest of
    // the Report still fit when a server stays silent.
    let wait = ctx
        .deadline
        .within(GREETING_TIMEOUT.min(ctx.deadline.remaining() / 2));
    match wire.reader().peek_first(wait).await {
        Ok(bytes) if !in_tls && service::is_tls_record(bytes) => {
            obs.service = Some(ServiceSeen::TlsOnPlaintextPort);
            obs.error(
                steps::GREETING,
                ErrorKind::Protocol,
                "the server sent a TLS record instead of a greeting: the port speaks implicit TLS",
            );
            return First::Stop;
        }
        Ok(_) => {}
        Err(LineError::Timeout { partial, .. }) if partial.is_empty() => {
            return First::Silent {
                waited_ms: started.elapsed().as_millis() as u64,
            };
        }
        Err(LineError::Closed { partial }) if partial.is_empty() => {
            obs.service = Some(ServiceSeen::ClosedImmediately);
            obs.error(
                steps::GREETING,
                ErrorKind::Reset,
                "the server closed the connection without a greeting",
            );
            return First::Stop;
        }
        Err(e) => {
            record_failure(obs, StepFailure::from_line(steps::GREETING, e));
            return First::Stop;
        }
    }
    match wire.line(steps::GREETING, wait).await {
        Ok(line) => {
            obs.timing_from(
                steps::GREETING,
                started,
                started.elapsed().as_millis() as u64,
            );
            obs.mail.greeting = Some(wire.shown(&line));
            if let Some(other) = service::classify_banner(ctx.spec.protocol, &line) {
                obs.error(
                    steps::GREETING,
                    ErrorKind::Protocol,
                    ctx.redactor.redact(&service::describe(&other)),
                );
                obs.service = Some(other);
                return First::Stop;
            }
            First::Line(line)
        }
        Err(f) => {
            record_failure(obs, f);
            First::Stop
        }
    }
}

/// The dialogue from the greeting on, over plaintext (`in_tls == false`,
/// STARTTLS ahead) or inside TLS.
async fn speak<S>(
    mut wire: Wire<S>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
    seen: &mut Seen,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let greeting = match first_line(&mut wire, in_tls, ctx, obs).await {
        First::Line(l) => l,
        First::Stop => {
            seen.transcript = wire.into_transcript();
            return;
        }
        First::Silent { waited_ms } => {
            match wire.into_upgrade() {
                Ok(h) => {
                    seen.transcript = h.transcript;
                    silent(h.stream, waited_ms, in_tls, ctx, obs).await;
                }
                Err((f, transcript)) => {
                    seen.transcript = transcript;
                    record_failure(obs, f);
                }
            }
            return;
        }
    };
    match ctx.spec.protocol {
        Protocol::Imap => imap::imap_dialogue(wire, &greeting, in_tls, ctx, obs, seen).await,
        Protocol::Pop3 => pop3::pop3_dialogue(wire, &greeting, in_tls, ctx, obs, seen).await,
        Protocol::Smtp => smtp::smtp_dialogue(wire, &greeting, in_tls, ctx, obs, seen).await,
        Protocol::Tls => seen.transcript = wire.into_transcript(),
    }
}

/// No greeting came. On a plaintext port the usual reason is a port that
/// speaks implicit TLS and waits for the client's ClientHello: send one and
/// see whether a TLS record comes back.
async fn silent<S>(stream: S, waited_ms: u64, in_tls: bool, ctx: &Ctx<'_>, obs: &mut Observations)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if !in_tls {
        let (recorded, first) = Recorded::new(stream);
        ctx.meter.count_handshake();
        let sniff = ctx.deadline.within(TLS_SNIFF_TIMEOUT);
        let _ = handshake::handshake(recorded, ctx.spec.server_name.clone(), Offer::Modern, sniff)
            .await;
        if service::is_tls_record(&first.get()) {
            obs.service = Some(ServiceSeen::TlsOnPlaintextPort);
            obs.error(
                steps::GREETING,
                ErrorKind::Protocol,
                format!(
                    "no greeting within {waited_ms} ms, but the server answered a TLS ClientHello: the port speaks implicit TLS"
                ),
            );
            return;
        }
    }
    obs.service = Some(ServiceSeen::Silent { waited_ms });
    obs.error(
        steps::GREETING,
        ErrorKind::Timeout,
        format!("no greeting within {waited_ms} ms"),
    );
}

fn has(caps: &[String], name: &str) -> bool {
    caps.iter().any(|c| c.eq_ignore_ascii_case(name))
}

/// SASL mechanisms as each protocol advertises them.
fn mechanisms(protocol: Protocol, caps: &[String]) -> Vec<String> {
    match protocol {
        Protocol::Imap => caps
            .iter()
            .filter_map(|c| {
                c.get(..5)
                    .filter(|p| p.eq_ignore_ascii_case("AUTH="))
                    .map(|_| c[5..].to_string())
            })
            .collect(),
        Protocol::Pop3 => super::pop3::sasl_mechanisms(caps),
        Protocol::Smtp => super::smtp::auth_mechanisms(caps),
        Protocol::Tls => Vec::new(),
    }
}

fn not_attempted(reason: impl Into<String>) -> LoginResult {
    LoginResult {
        attempted: false,
        ok: None,
        mechanism: None,
        server_text: None,
        reason: Some(reason.into()),
    }
}

/// Whether credentials may be sent here; the reason when not.
fn login_allowed(login: &LoginRequest, in_tls: bool) -> Result<(), LoginResult> {
    if in_tls || login.allow_plaintext {
        Ok(())
    } else {
        Err(not_attempted(
            "not attempted: the connection is not encrypted (the STARTTLS upgrade did not complete); set allow_plaintext_login to send credentials in clear",
        ))
    }
}

fn attempted(
    protocol: Protocol,
    mechanism: Mechanism,
    ok: bool,
    server_text: String,
) -> LoginResult {
    tracing::info!(
        target: "mailprobe::mail",
        protocol = protocol.as_str(),
        mechanism = mechanism.label(protocol),
        ok,
        "login test finished"
    );
    LoginResult {
        attempted: true,
        ok: Some(ok),
        mechanism: Some(mechanism.label(protocol).to_string()),
        server_text: Some(server_text),
        reason: None,
    }
}

/// Swaps a plaintext connection for TLS after an accepted upgrade.
async fn upgrade<S>(
    wire: Wire<S>,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
    seen: &mut Seen,
) -> Option<Wire<TlsStream<S>>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let Handover {
        stream,
        transcript,
        redactor,
    } = match wire.into_upgrade() {
        Ok(h) => h,
        Err((f, transcript)) => {
            seen.transcript = transcript;
            record_failure(obs, f);
            return None;
        }
    };
    match tls_handshake(stream, ctx, obs).await {
        Some(tls) => Some(Wire::new(tls, transcript, redactor)),
        None => {
            seen.transcript = transcript;
            None
        }
    }
}

/// Writes what the dialogue saw into `obs.mail`.
fn finish(ctx: &Ctx<'_>, seen: Seen, obs: &mut Observations) {
    let protocol = ctx.spec.protocol;
    let mail = &mut obs.mail;
    let before = seen.before_tls.clone();
    let after = seen.after_tls.clone();
    // Where a client would log in: inside TLS when reached, else in clear.
    let login_caps = after.clone().or_else(|| before.clone());
    if let Some(b) = &before {
        mail.auth_mechanisms_before_tls = mechanisms(protocol, b);
    }
    if let Some(a) = &after {
        mail.auth_mechanisms = mechanisms(protocol, a);
    }
    if protocol == Protocol::Imap {
        mail.login_disabled = before.as_ref().map(|b| has(b, "LOGINDISABLED"));
        mail.login_disabled_after_tls = after.as_ref().map(|a| has(a, "LOGINDISABLED"));
        if let Some(c) = &login_caps {
            mail.imap4rev1 = Some(has(c, "IMAP4rev1"));
            mail.imap4rev2 = Some(has(c, "IMAP4rev2"));
            mail.sasl_ir = Some(has(c, "SASL-IR"));
        }
        mail.id = seen
            .id
            .as_ref()
            .map(|pairs| pairs.iter().cloned().collect::<BTreeMap<String, String>>());
    }
    let mut all_caps = before.clone().unwrap_or_default();
    all_caps.extend(after.clone().unwrap_or_default());
    if !seen.greeting.is_empty() {
        mail.software_guess = software::guess(&Said {
            protocol,
            greeting: &seen.greeting,
            capabilities: &all_caps,
            id: seen.id.as_deref().unwrap_or_default(),
        });
    }
    mail.capabilities_before_tls = before.unwrap_or_default();
    mail.capabilities_after_tls = after.unwrap_or_default();
    mail.transcript = seen.transcript;
    mail.undecoded = seen.undecoded;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn mechanisms_per_protocol() {
        assert_eq!(
            mechanisms(
                Protocol::Imap,
                &caps(&["IMAP4rev1", "AUTH=PLAIN", "auth=XOAUTH2", "AUTH"])
            ),
            ["PLAIN", "XOAUTH2"]
        );
        assert_eq!(
            mechanisms(Protocol::Pop3, &caps(&["SASL PLAIN LOGIN", "STLS"])),
            ["PLAIN", "LOGIN"]
        );
        assert_eq!(
            mechanisms(Protocol::Smtp, &caps(&["AUTH LOGIN PLAIN", "STARTTLS"])),
            ["LOGIN", "PLAIN"]
        );
    }
}
