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
use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::client::TlsStream;

use super::auth::{self, LoginRequest, Mechanism, Redactor};
use super::imap::{self, Imap, Reply};
use super::line::LineError;
use super::service::{self, Recorded};
use super::software::{self, Said};
use super::wire::{Handover, StepFailure, Wire};
use super::{pop3, smtp};
use crate::observations::{Observations, ServiceSeen, steps};
use crate::probe::net::{Deadline, Meter};
use crate::report::{ErrorKind, LoginResult, Protocol, StartTls, Transport};
use crate::tls::handshake::{self, HandshakeError, Offer};

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
                if !bytes.is_empty() && !service::is_tls_record(&bytes) {
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
    match handshake::handshake(
        io,
        ctx.spec.server_name.clone(),
        Offer::Modern,
        ctx.deadline,
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
            obs.timing(steps::GREETING, started.elapsed().as_millis() as u64);
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
        Protocol::Imap => imap_dialogue(wire, &greeting, in_tls, ctx, obs, seen).await,
        Protocol::Pop3 => pop3_dialogue(wire, &greeting, in_tls, ctx, obs, seen).await,
        Protocol::Smtp => smtp_dialogue(wire, &greeting, in_tls, ctx, obs, seen).await,
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
        Protocol::Pop3 => pop3::sasl_mechanisms(caps),
        Protocol::Smtp => smtp::auth_mechanisms(caps),
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

// ---------------------------------------------------------------- IMAP

async fn imap_dialogue<S>(
    wire: Wire<S>,
    greeting: &[u8],
    in_tls: bool,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
    seen: &mut Seen,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    seen.greeting = vec![wire.shown(greeting)];
    let mut session = Imap::new(wire, 1);
    let mut framed = greeting.to_vec();
    framed.extend_from_slice(b"\r\n");
    let greeting_caps = match imap::decode_greeting(&framed) {
        Some(d) => {
            if !d.by_codec {
                session.undecoded.push(seen.greeting[0].clone());
            }
            match d.reply {
                Reply::Status { capabilities, .. } => capabilities,
                _ => None,
            }
        }
        None => {
            session.undecoded.push(seen.greeting[0].clone());
            None
        }
    };
    let Some(caps) = imap_capability(&mut session, greeting_caps, ctx, obs).await else {
        return imap_close(session, seen);
    };
    if in_tls {
        seen.after_tls = Some(caps.clone());
        return imap_finish(session, caps, true, ctx, obs, seen).await;
    }
    seen.before_tls = Some(caps.clone());
    let advertised = has(&caps, "STARTTLS");
    // Sent even when not advertised: a server that accepts it anyway is a
    // fact worth reporting (and what imapsync and Thunderbird would find).
    match session
        .command("STARTTLS", None, steps::STARTTLS, ctx.deadline)
        .await
    {
        Ok(c) => {
            obs.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: Some(c.ok()),
                response: Some(c.line.clone()),
            });
            if !c.ok() {
                return imap_finish(session, caps, false, ctx, obs, seen).await;
            }
        }
        Err(f) => {
            obs.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: None,
                response: None,
            });
            record_failure(obs, f);
            return imap_close(session, seen);
        }
    }
    let next_tag = session.next_tag();
    let undecoded = std::mem::take(&mut session.undecoded);
    seen.undecoded = undecoded.clone();
    let Some(wire) = upgrade(session.wire, ctx, obs, seen).await else {
        return;
    };
    let mut session = Imap::new(wire, next_tag);
    session.undecoded = undecoded;
    // RFC 3501 §6.2.1: capabilities learnt before TLS MUST be discarded.
    let Some(caps) = imap_capability(&mut session, None, ctx, obs).await else {
        return imap_close(session, seen);
    };
    seen.after_tls = Some(caps.clone());
    imap_finish(session, caps, true, ctx, obs, seen).await
}

fn imap_close<S: AsyncRead + AsyncWrite + Unpin>(session: Imap<S>, seen: &mut Seen) {
    seen.undecoded = session.undecoded;
    seen.transcript = session.wire.into_transcript();
}

/// `CAPABILITY`; falls back to the greeting's list when the command is
/// refused. `None`: the connection is unusable.
async fn imap_capability<S>(
    session: &mut Imap<S>,
    fallback: Option<Vec<String>>,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
) -> Option<Vec<String>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match session
        .command("CAPABILITY", None, steps::CAPABILITY, ctx.deadline)
        .await
    {
        Ok(c) if c.ok() => c.capabilities().or(fallback).or(Some(Vec::new())),
        Ok(c) => {
            obs.error(
                steps::CAPABILITY,
                ErrorKind::Protocol,
                format!("CAPABILITY refused: {}", c.line),
            );
            Some(fallback.unwrap_or_default())
        }
        Err(f) => {
            record_failure(obs, f);
            None
        }
    }
}

async fn imap_finish<S>(
    mut session: Imap<S>,
    caps: Vec<String>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
    seen: &mut Seen,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let dl = ctx.deadline;
    if has(&caps, "ID") {
        // `ID NIL`: ask for the server's identity without sending ours.
        match session.command("ID NIL", None, steps::ID, dl).await {
            Ok(c) => {
                seen.id = c.untagged.iter().find_map(|r| match r {
                    Reply::Id(pairs) => Some(pairs.clone()),
                    _ => None,
                });
            }
            Err(f) => {
                record_failure(obs, f);
                return imap_close(session, seen);
            }
        }
    }
    if let Some(login) = &ctx.spec.login {
        let result = match imap_login(&mut session, login, &caps, in_tls, dl).await {
            Ok(r) => r,
            Err(f) => {
                record_failure(obs, f);
                obs.mail.login = Some(LoginResult {
                    attempted: true,
                    ok: None,
                    mechanism: None,
                    server_text: None,
                    reason: Some("the login exchange did not complete; see errors".into()),
                });
                return imap_close(session, seen);
            }
        };
        obs.mail.login = Some(result);
    }
    // A courtesy (RFC 3501 §6.1.3); its answer changes no fact.
    let _ = session.command("LOGOUT", None, steps::LOGOUT, dl).await;
    imap_close(session, seen);
}

async fn imap_login<S>(
    session: &mut Imap<S>,
    login: &LoginRequest,
    caps: &[String],
    in_tls: bool,
    dl: Deadline,
) -> Result<LoginResult, StepFailure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Err(r) = login_allowed(login, in_tls) {
        return Ok(r);
    }
    let mechs = mechanisms(Protocol::Imap, caps);
    let mech = match auth::choose(
        Protocol::Imap,
        &login.secret,
        &mechs,
        has(caps, "LOGINDISABLED"),
    ) {
        Ok(m) => m,
        Err(reason) => return Ok(not_attempted(format!("not attempted: {reason}"))),
    };
    let completion = match mech {
        Mechanism::Login => {
            let text = format!(
                "LOGIN {} {}",
                auth::imap_quoted(&login.username),
                auth::imap_quoted(auth::secret_value(login))
            );
            let shown = format!("LOGIN {} [password]", auth::imap_quoted(&login.username));
            session
                .command(&text, Some(&shown), steps::LOGIN, dl)
                .await?
        }
        Mechanism::Plain | Mechanism::XOAuth2 => {
            imap_authenticate(session, mech, login, has(caps, "SASL-IR"), dl).await?
        }
    };
    Ok(attempted(
        Protocol::Imap,
        mech,
        completion.ok(),
        completion.line,
    ))
}

/// `AUTHENTICATE` (RFC 3501 §6.2.2), with the initial response on the
/// command line when SASL-IR (RFC 4959) is offered. A second challenge
/// (XOAUTH2 sends its error as one) is answered with an empty line.
async fn imap_authenticate<S>(
    session: &mut Imap<S>,
    mech: Mechanism,
    login: &LoginRequest,
    sasl_ir: bool,
    dl: Deadline,
) -> Result<imap::Completion, StepFailure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let name = mech.label(Protocol::Imap);
    let ir = auth::sasl_initial_response(mech, login);
    let tag = session.take_tag();
    let mut sent = sasl_ir;
    if sasl_ir {
        let line = format!("{tag} AUTHENTICATE {name} {}\r\n", ir.expose_secret());
        let shown = format!("{tag} AUTHENTICATE {name} [credentials]");
        session
            .wire
            .send(line.as_bytes(), &shown, steps::LOGIN, dl)
            .await?;
    } else {
        let line = format!("{tag} AUTHENTICATE {name}");
        session.wire.command(&line, steps::LOGIN, dl).await?;
    }
    let mut untagged = Vec::new();
    for _ in 0..50 {
        let (decoded, bytes) = session.read_response(steps::LOGIN, dl).await?;
        match decoded.reply {
            Reply::Continuation if !sent => {
                let line = format!("{}\r\n", ir.expose_secret());
                session
                    .wire
                    .send(line.as_bytes(), "[credentials]", steps::LOGIN, dl)
                    .await?;
                sent = true;
            }
            Reply::Continuation => {
                session.wire.send(b"\r\n", "", steps::LOGIN, dl).await?;
            }
            Reply::Status {
                tag: Some(t),
                condition,
                capabilities,
                ..
            } if t.eq_ignore_ascii_case(&tag) => {
                return Ok(imap::Completion {
                    untagged,
                    condition,
                    capabilities,
                    line: session.wire.shown(&bytes[..bytes.len().saturating_sub(2)]),
                });
            }
            other => untagged.push(other),
        }
    }
    Err(StepFailure::new(
        steps::LOGIN,
        ErrorKind::Limit,
        "AUTHENTICATE did not complete within 50 responses",
    ))
}

// ---------------------------------------------------------------- POP3

async fn pop3_dialogue<S>(
    mut wire: Wire<S>,
    greeting: &[u8],
    in_tls: bool,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
    seen: &mut Seen,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    seen.greeting = vec![wire.shown(greeting)];
    let Some(caps) = pop3_capa(&mut wire, ctx, obs).await else {
        seen.transcript = wire.into_transcript();
        return;
    };
    if in_tls {
        seen.after_tls = Some(caps.clone());
        return pop3_finish(wire, caps, true, ctx, obs, seen).await;
    }
    seen.before_tls = Some(caps.clone());
    let advertised = pop3::advertises_stls(&caps);
    let answer = match wire.command("STLS", steps::STARTTLS, ctx.deadline).await {
        Ok(()) => pop3::answer(&mut wire, steps::STARTTLS, ctx.deadline).await,
        Err(f) => Err(f),
    };
    match answer {
        Ok(a) => {
            obs.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: Some(a.ok),
                response: Some(a.line),
            });
            if !a.ok {
                return pop3_finish(wire, caps, false, ctx, obs, seen).await;
            }
        }
        Err(f) => {
            obs.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: None,
                response: None,
            });
            record_failure(obs, f);
            seen.transcript = wire.into_transcript();
            return;
        }
    }
    let Some(mut wire) = upgrade(wire, ctx, obs, seen).await else {
        return;
    };
    let Some(caps) = pop3_capa(&mut wire, ctx, obs).await else {
        seen.transcript = wire.into_transcript();
        return;
    };
    seen.after_tls = Some(caps.clone());
    pop3_finish(wire, caps, true, ctx, obs, seen).await
}

async fn pop3_capa<S>(
    wire: &mut Wire<S>,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
) -> Option<Vec<String>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match pop3::capa(wire, ctx.deadline).await {
        Ok(Some(caps)) => Some(caps),
        Ok(None) => {
            obs.error(
                steps::CAPABILITY,
                ErrorKind::Protocol,
                "the server does not support CAPA (RFC 2449)",
            );
            Some(Vec::new())
        }
        Err(f) => {
            record_failure(obs, f);
            None
        }
    }
}

async fn pop3_finish<S>(
    mut wire: Wire<S>,
    caps: Vec<String>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
    seen: &mut Seen,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Some(login) = &ctx.spec.login {
        match pop3_login(&mut wire, login, &caps, in_tls, ctx.deadline).await {
            Ok(r) => obs.mail.login = Some(r),
            Err(f) => {
                record_failure(obs, f);
                seen.transcript = wire.into_transcript();
                return;
            }
        }
    }
    if wire
        .command("QUIT", steps::LOGOUT, ctx.deadline)
        .await
        .is_ok()
    {
        let _ = wire.line(steps::LOGOUT, ctx.deadline).await;
    }
    seen.transcript = wire.into_transcript();
}

async fn pop3_login<S>(
    wire: &mut Wire<S>,
    login: &LoginRequest,
    caps: &[String],
    in_tls: bool,
    dl: Deadline,
) -> Result<LoginResult, StepFailure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Err(r) = login_allowed(login, in_tls) {
        return Ok(r);
    }
    let mechs = mechanisms(Protocol::Pop3, caps);
    let mech = match auth::choose(Protocol::Pop3, &login.secret, &mechs, false) {
        Ok(m) => m,
        Err(reason) => return Ok(not_attempted(format!("not attempted: {reason}"))),
    };
    let answer = match mech {
        Mechanism::Login => {
            wire.command(&format!("USER {}", login.username), steps::LOGIN, dl)
                .await?;
            let a = pop3::answer(wire, steps::LOGIN, dl).await?;
            if !a.ok {
                return Ok(attempted(Protocol::Pop3, mech, false, a.line));
            }
            let line = format!("PASS {}\r\n", auth::secret_value(login));
            wire.send(line.as_bytes(), "PASS [password]", steps::LOGIN, dl)
                .await?;
            pop3::answer(wire, steps::LOGIN, dl).await?
        }
        Mechanism::Plain | Mechanism::XOAuth2 => {
            // RFC 5034 §4: the initial response may follow the mechanism.
            let name = mech.label(Protocol::Pop3);
            let ir = auth::sasl_initial_response(mech, login);
            let line = format!("AUTH {name} {}\r\n", ir.expose_secret());
            wire.send(
                line.as_bytes(),
                &format!("AUTH {name} [credentials]"),
                steps::LOGIN,
                dl,
            )
            .await?;
            let mut a = pop3::answer(wire, steps::LOGIN, dl).await?;
            if a.continuation {
                // XOAUTH2 reports a failure as a challenge; answer it empty.
                wire.send(b"\r\n", "", steps::LOGIN, dl).await?;
                a = pop3::answer(wire, steps::LOGIN, dl).await?;
            }
            a
        }
    };
    Ok(attempted(Protocol::Pop3, mech, answer.ok, answer.line))
}

// ---------------------------------------------------------------- SMTP

async fn smtp_dialogue<S>(
    mut wire: Wire<S>,
    greeting: &[u8],
    in_tls: bool,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
    seen: &mut Seen,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    seen.greeting = vec![wire.shown(greeting)];
    if greeting.get(3) == Some(&b'-') {
        // A multi-line 220 (RFC 5321 §4.2): the rest of it.
        match smtp::reply(&mut wire, steps::GREETING, ctx.deadline).await {
            Ok(r) => seen
                .greeting
                .extend(r.texts.iter().map(|t| format!("220 {t}"))),
            Err(f) => {
                record_failure(obs, f);
                seen.transcript = wire.into_transcript();
                return;
            }
        }
    }
    let Some(caps) = smtp_ehlo(&mut wire, ctx, obs).await else {
        seen.transcript = wire.into_transcript();
        return;
    };
    if in_tls {
        seen.after_tls = Some(caps.clone());
        return smtp_finish(wire, caps, true, ctx, obs, seen).await;
    }
    seen.before_tls = Some(caps.clone());
    let advertised = smtp::advertises_starttls(&caps);
    let answer = match wire
        .command("STARTTLS", steps::STARTTLS, ctx.deadline)
        .await
    {
        Ok(()) => smtp::reply(&mut wire, steps::STARTTLS, ctx.deadline).await,
        Err(f) => Err(f),
    };
    match answer {
        Ok(r) => {
            let ok = r.code == 220;
            obs.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: Some(ok),
                response: Some(r.line),
            });
            if !ok {
                return smtp_finish(wire, caps, false, ctx, obs, seen).await;
            }
        }
        Err(f) => {
            obs.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: None,
                response: None,
            });
            record_failure(obs, f);
            seen.transcript = wire.into_transcript();
            return;
        }
    }
    let Some(mut wire) = upgrade(wire, ctx, obs, seen).await else {
        return;
    };
    // RFC 3207 §4.2: forget what EHLO said before TLS and ask again.
    let Some(caps) = smtp_ehlo(&mut wire, ctx, obs).await else {
        seen.transcript = wire.into_transcript();
        return;
    };
    seen.after_tls = Some(caps.clone());
    smtp_finish(wire, caps, true, ctx, obs, seen).await
}

async fn smtp_ehlo<S>(
    wire: &mut Wire<S>,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
) -> Option<Vec<String>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match smtp::ehlo(wire, ctx.deadline).await {
        Ok(r) if r.is(2) => Some(smtp::keywords(&r)),
        Ok(r) => {
            obs.error(
                steps::CAPABILITY,
                ErrorKind::Protocol,
                format!("EHLO refused: {}", r.line),
            );
            Some(Vec::new())
        }
        Err(f) => {
            record_failure(obs, f);
            None
        }
    }
}

async fn smtp_finish<S>(
    mut wire: Wire<S>,
    caps: Vec<String>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    obs: &mut Observations,
    seen: &mut Seen,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Some(login) = &ctx.spec.login {
        match smtp_login(&mut wire, login, &caps, in_tls, ctx.deadline).await {
            Ok(r) => obs.mail.login = Some(r),
            Err(f) => {
                record_failure(obs, f);
                seen.transcript = wire.into_transcript();
                return;
            }
        }
    }
    if wire
        .command("QUIT", steps::LOGOUT, ctx.deadline)
        .await
        .is_ok()
    {
        let _ = smtp::reply(&mut wire, steps::LOGOUT, ctx.deadline).await;
    }
    seen.transcript = wire.into_transcript();
}

async fn smtp_login<S>(
    wire: &mut Wire<S>,
    login: &LoginRequest,
    caps: &[String],
    in_tls: bool,
    dl: Deadline,
) -> Result<LoginResult, StepFailure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as B64;

    if let Err(r) = login_allowed(login, in_tls) {
        return Ok(r);
    }
    let mechs = mechanisms(Protocol::Smtp, caps);
    let mech = match auth::choose(Protocol::Smtp, &login.secret, &mechs, false) {
        Ok(m) => m,
        Err(reason) => return Ok(not_attempted(format!("not attempted: {reason}"))),
    };
    let reply = match mech {
        Mechanism::Login => {
            // RFC 4954 with the LOGIN mechanism: user and password, each base64, each after a 334.
            wire.command("AUTH LOGIN", steps::LOGIN, dl).await?;
            let r = smtp::reply(wire, steps::LOGIN, dl).await?;
            if r.code != 334 {
                return Ok(attempted(Protocol::Smtp, mech, false, r.line));
            }
            let user = format!("{}\r\n", B64.encode(login.username.as_bytes()));
            wire.send(user.as_bytes(), "[username]", steps::LOGIN, dl)
                .await?;
            let r = smtp::reply(wire, steps::LOGIN, dl).await?;
            if r.code != 334 {
                return Ok(attempted(Protocol::Smtp, mech, false, r.line));
            }
            let pass = format!("{}\r\n", B64.encode(auth::secret_value(login).as_bytes()));
            wire.send(pass.as_bytes(), "[password]", steps::LOGIN, dl)
                .await?;
            smtp::reply(wire, steps::LOGIN, dl).await?
        }
        Mechanism::Plain | Mechanism::XOAuth2 => {
            let name = mech.label(Protocol::Smtp);
            let ir = auth::sasl_initial_response(mech, login);
            let line = format!("AUTH {name} {}\r\n", ir.expose_secret());
            wire.send(
                line.as_bytes(),
                &format!("AUTH {name} [credentials]"),
                steps::LOGIN,
                dl,
            )
            .await?;
            let mut r = smtp::reply(wire, steps::LOGIN, dl).await?;
            if r.code == 334 {
                // XOAUTH2 reports a failure as a challenge; answer it empty.
                wire.send(b"\r\n", "", steps::LOGIN, dl).await?;
                r = smtp::reply(wire, steps::LOGIN, dl).await?;
            }
            r
        }
    };
    Ok(attempted(
        Protocol::Smtp,
        mech,
        reply.code == 235,
        reply.line,
    ))
}

// ---------------------------------------------------------------- report

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
