//! The mail dialogue of one connection, start to finish, written into a
//! [`DialogueOutcome`] the caller owns (so what was learnt survives a
//! deadline that cuts the dialogue short; the pipeline files it into the
//! observations): first bytes (which service answered), greeting,
//! capabilities, STARTTLS and the TLS handshake inside it, capabilities
//! again, IMAP ID, the optional login, and a polite goodbye.
//!
//! Every step's failure is recorded as `errors[]` with its step name and the
//! dialogue stops there; what was learnt before stands.
//!
//! TLS is rustls first (what a modern client gets). When that handshake
//! fails and the pipeline's engine choice allows it ([`Fallback::retry`]), the
//! dialogue runs once more on a new connection over the legacy OpenSSL
//! engine, offering what the wire scan found the server accepts; both
//! handshakes' outcomes stay in the Report (`errors[]`, `mail.tls`).
//! When the wire scan has already shown, by the time the first handshake is
//! due, that the server speaks neither TLS 1.2 nor 1.3 ([`EngineHint`]), the
//! first pass is the legacy one: a rustls handshake could only fail, and the
//! scan's answer is the modern client's evidence (issue 21: one connection
//! and two round trips fewer on such a server).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;

use super::auth::{LoginRequest, Mechanism, Redactor};
use super::connection::{MailConnection, StepFailure};
use super::line::LineError;
use super::service::{self, Recorded, ServiceSeen};
use crate::net::{Connector, Meter};
use crate::tls::handshake::{self, Offer};
use crate::tls::legacy::LegacyOffer;
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, Protocol, Transport, steps};

mod gate;
mod handshakes;
mod imap;
mod pop3;
mod protocol;
mod seen;
mod smtp;

use handshakes::tls_handshake;

pub use gate::{LoginAsk, LoginGate};
pub use seen::{
    DialogueOutcome, LoginResult, MailSeen, MailTls, StartTls, StepFault, StepTime, TlsEngine,
};

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
    /// Decides, when the dialogue is about to log in, whether credentials
    /// may be sent on this connection (issue 15). Built by the pipeline
    /// around `diagnosis::credentials::may_send_credentials`.
    pub login_gate: LoginGate,
    /// After a successful IMAP login, the migration preflight's read-only
    /// survey (issue 19); `None` for a probe.
    pub survey: Option<crate::mail::preflight::SurveyParams>,
}

/// How long the legacy pass waits for the wire scan's findings before it
/// offers everything instead.
const SCAN_WAIT: Duration = Duration::from_secs(10);

/// The first pass's modern handshake, for a step that would repeat it (the
/// pipeline's versioned handshakes): `None` until it is over, then
/// `Some(None)` when it failed, `Some(Some(..))` when it completed.
pub type ModernSeen = watch::Sender<Option<Option<ModernHandshake>>>;

/// A completed modern handshake: what was negotiated and presented.
#[derive(Debug, Clone)]
pub struct ModernHandshake {
    pub handshake: handshake::Handshake,
    pub presented: handshake::Presented,
}

/// Which engine the dialogue's first handshake takes, as the pipeline
/// decides it from the wire scan's first answers
/// (`diagnosis::engine_choice::first_engine`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineHint {
    /// rustls, as always: TLS 1.2 or 1.3 is spoken, or nothing is known.
    Modern,
    /// The legacy engine from the start, offering `offer`: the scan saw the
    /// server refuse TLS 1.3 and answer TLS 1.2 with a lower version, so
    /// rustls could only fail. `why` says so in the transcript.
    Legacy { offer: LegacyOffer, why: String },
}

/// What the dialogue needs for its one legacy retry.
pub struct Fallback<'a> {
    /// Opens the retry's connection (under the probe's caps).
    pub connector: &'a Connector,
    /// The wire scan's findings once it has them (`None` until then).
    pub scan: watch::Receiver<Option<LegacyOffer>>,
    /// The pipeline's engine choice: after the modern handshake failed this
    /// way, whether the legacy engine carries a second pass.
    pub retry: fn(&ModernFailure) -> bool,
    /// Told how the first pass's modern handshake ended.
    pub modern: Option<ModernSeen>,
    /// The engine of the first handshake, once the scan's first answers
    /// say; no hint: rustls first.
    pub hint: Option<Hint>,
}

/// Where the first handshake learns its engine.
pub struct Hint {
    /// `None` until the pipeline knows.
    pub engine: watch::Receiver<Option<EngineHint>>,
    /// How long the handshake waits for it at most (zero: it takes what is
    /// known by then).
    pub wait: Duration,
}

impl Hint {
    /// The hint, or `None` when it did not come in time.
    async fn wait(&self, deadline: Deadline) -> Option<EngineHint> {
        let mut rx = self.engine.clone();
        if let Some(known) = rx.borrow().clone() {
            return Some(known);
        }
        let wait = deadline.within(self.wait);
        match wait.run(rx.wait_for(Option::is_some)).await {
            Ok(Ok(hint)) => hint.clone(),
            _ => None,
        }
    }
}

/// How the first pass's modern handshake failed: the facts the engine
/// choice reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModernFailure {
    /// The server's first bytes were plaintext or an SSLv2 record (seen on
    /// implicit TLS only; `false` when it sent TLS or nothing).
    pub answered_without_tls: bool,
}

impl Fallback<'_> {
    /// The scan's offer, waiting for it at most [`SCAN_WAIT`] (and never
    /// past the deadline); everything when the scan has nothing to say.
    async fn offer(&mut self, deadline: Deadline) -> LegacyOffer {
        let wait = deadline.within(SCAN_WAIT.min(deadline.remaining() / 2));
        match wait.run(self.scan.wait_for(Option::is_some)).await {
            Ok(Ok(offer)) => offer.clone().unwrap_or_default(),
            _ => LegacyOffer::everything(),
        }
    }
}

struct Ctx<'a> {
    spec: &'a DialogueSpec,
    meter: &'a Meter,
    deadline: Deadline,
    redactor: Redactor,
    /// Which engine this pass's TLS handshake uses.
    engine: TlsEngine,
    /// What the legacy engine offers (legacy passes only).
    offer: LegacyOffer,
    /// Set when this pass's modern handshake failed.
    modern_failed: AtomicBool,
    /// Set when, as it failed, the server's first bytes were not TLS.
    answered_without_tls: AtomicBool,
    /// Told how this pass's modern handshake ended.
    modern_seen: Option<ModernSeen>,
    /// The first pass's engine hint (see [`EngineHint`]).
    hint: Option<Hint>,
    /// Set when the hint turned this pass into the legacy one; the reason.
    legacy_from_start: std::sync::OnceLock<String>,
}

/// What the dialogue saw, gathered while it runs and written out at the end.
#[derive(Default)]
struct SeenInDialogue {
    greeting: Vec<String>,
    before_tls: Option<Vec<String>>,
    after_tls: Option<Vec<String>>,
    id: Option<Vec<(String, String)>>,
    transcript: Vec<String>,
    undecoded: Vec<String>,
}

/// Runs the whole dialogue over a fresh TCP connection, modern engine only.
pub async fn run<S>(
    stream: S,
    spec: &DialogueSpec,
    meter: &Meter,
    deadline: Deadline,
    out: &mut DialogueOutcome,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    run_with(stream, spec, meter, deadline, out, None).await;
}

/// Runs the whole dialogue over a fresh TCP connection; when the modern
/// handshake fails and `fallback` is given, once more over the legacy
/// engine on a new connection (at most one more connection).
pub async fn run_with<S>(
    stream: S,
    spec: &DialogueSpec,
    meter: &Meter,
    deadline: Deadline,
    out: &mut DialogueOutcome,
    fallback: Option<Fallback<'_>>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut fallback = fallback;
    let ctx = Ctx {
        spec,
        meter,
        deadline,
        redactor: Redactor::for_login(spec.login.as_ref()),
        engine: TlsEngine::Modern,
        offer: LegacyOffer::everything(),
        modern_failed: AtomicBool::new(false),
        answered_without_tls: AtomicBool::new(false),
        modern_seen: fallback.as_mut().and_then(|f| f.modern.take()),
        hint: fallback.as_mut().and_then(|f| f.hint.take()),
        legacy_from_start: std::sync::OnceLock::new(),
    };
    let mut seen = SeenInDialogue::default();
    pass(stream, &ctx, out, &mut seen).await;
    if let Some(why) = ctx.legacy_from_start.get() {
        seen.transcript.insert(
            0,
            format!("-- {why}: the TLS handshake runs over the legacy engine --"),
        );
    }
    if let Some(mut fallback) = fallback
        && ctx.modern_failed.load(Ordering::Relaxed)
        && (fallback.retry)(&ModernFailure {
            answered_without_tls: ctx.answered_without_tls.load(Ordering::Relaxed),
        })
    {
        let offer = fallback.offer(deadline).await;
        match fallback.connector.connect(deadline).await {
            Ok(stream) => {
                let retry = Ctx {
                    engine: TlsEngine::Legacy,
                    offer,
                    modern_failed: AtomicBool::new(false),
                    answered_without_tls: AtomicBool::new(false),
                    redactor: ctx.redactor.clone(),
                    modern_seen: None,
                    hint: None,
                    legacy_from_start: std::sync::OnceLock::new(),
                    ..ctx
                };
                let mut again = SeenInDialogue::default();
                pass(stream, &retry, out, &mut again).await;
                let mut transcript = std::mem::take(&mut seen.transcript);
                transcript.push(
                    "-- the modern TLS handshake failed; a new connection over the legacy engine --"
                        .into(),
                );
                transcript.append(&mut again.transcript);
                again.transcript = transcript;
                // What the retry did not get to (a server that refused the
                // second connection early) stands from the first pass.
                if again.greeting.is_empty() {
                    again.greeting = std::mem::take(&mut seen.greeting);
                }
                again.before_tls = again.before_tls.or(seen.before_tls.take());
                seen = again;
            }
            Err(e) => out.error(steps::LEGACY_TLS_HANDSHAKE, e.kind, e.message),
        }
    }
    finish(&ctx, seen, out);
}

/// One connection's dialogue, over this pass's engine.
async fn pass<S>(stream: S, ctx: &Ctx<'_>, out: &mut DialogueOutcome, seen: &mut SeenInDialogue)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let spec = ctx.spec;
    match spec.transport {
        Transport::Starttls => {
            let wire = MailConnection::new(stream, Vec::new(), ctx.redactor.clone());
            speak(wire, false, ctx, out, seen).await;
        }
        _ => {
            // Remember the first bytes: if the handshake fails because the
            // server spoke plaintext, they say so.
            let (recorded, first) = Recorded::new(stream);
            let Some(tls) = tls_handshake(recorded, ctx, out).await else {
                let bytes = first.get();
                if service::is_sslv2_record(&bytes)
                    || (!bytes.is_empty() && !service::is_tls_record(&bytes))
                {
                    ctx.answered_without_tls.store(true, Ordering::Relaxed);
                }
                if service::is_sslv2_record(&bytes) {
                    if let Some(e) = out
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
                    if let Some(e) = out
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
                    out.service = Some(ServiceSeen::PlaintextOnTlsPort { banner });
                }
                return;
            };
            if spec.protocol != Protocol::Tls {
                let wire = MailConnection::new(tls, Vec::new(), ctx.redactor.clone());
                speak(wire, true, ctx, out, seen).await;
            }
        }
    }
}

fn record_failure(out: &mut DialogueOutcome, f: StepFailure) {
    out.error(f.step, f.kind, f.message);
}

/// What the first bytes on a connection were.
enum First {
    Line(Vec<u8>),
    Stop,
    Silent { waited_ms: u64 },
}

/// Reads the first line, classifying what is not the expected greeting.
async fn first_line<S>(
    wire: &mut MailConnection<S>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
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
            out.service = Some(ServiceSeen::TlsOnPlaintextPort);
            out.error(
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
            out.service = Some(ServiceSeen::ClosedImmediately);
            out.error(
                steps::GREETING,
                ErrorKind::Reset,
                "the server closed the connection without a greeting",
            );
            return First::Stop;
        }
        Err(e) => {
            record_failure(out, StepFailure::from_line(steps::GREETING, e));
            return First::Stop;
        }
    }
    match wire.line(steps::GREETING, wait).await {
        Ok(line) => {
            out.timing_from(
                steps::GREETING,
                started,
                started.elapsed().as_millis() as u64,
            );
            out.mail.greeting = Some(wire.shown(&line));
            if let Some(other) = service::classify_banner(ctx.spec.protocol, &line) {
                out.error(
                    steps::GREETING,
                    ErrorKind::Protocol,
                    ctx.redactor.redact(&service::describe(&other)),
                );
                out.service = Some(other);
                return First::Stop;
            }
            First::Line(line)
        }
        Err(f) => {
            record_failure(out, f);
            First::Stop
        }
    }
}

/// The dialogue from the greeting on, over plaintext (`in_tls == false`,
/// STARTTLS ahead) or inside TLS.
async fn speak<S>(
    mut wire: MailConnection<S>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let greeting = match first_line(&mut wire, in_tls, ctx, out).await {
        First::Line(l) => l,
        First::Stop => {
            seen.transcript = wire.into_transcript();
            return;
        }
        First::Silent { waited_ms } => {
            match wire.into_upgrade() {
                Ok(h) => {
                    seen.transcript = h.transcript;
                    silent(h.stream, waited_ms, in_tls, ctx, out).await;
                }
                Err((f, transcript)) => {
                    seen.transcript = transcript;
                    record_failure(out, f);
                }
            }
            return;
        }
    };
    match ctx.spec.protocol {
        Protocol::Imap => {
            let imap = imap::ImapProtocol::default();
            protocol::converse(imap, wire, &greeting, in_tls, ctx, out, seen).await;
        }
        Protocol::Pop3 => {
            let pop3 = pop3::Pop3Protocol;
            protocol::converse(pop3, wire, &greeting, in_tls, ctx, out, seen).await;
        }
        Protocol::Smtp => {
            let smtp = smtp::SmtpProtocol;
            protocol::converse(smtp, wire, &greeting, in_tls, ctx, out, seen).await;
        }
        Protocol::Tls => seen.transcript = wire.into_transcript(),
    }
}

/// No greeting came. On a plaintext port the usual reason is a port that
/// speaks implicit TLS and waits for the client's ClientHello: send one and
/// see whether a TLS record comes back.
async fn silent<S>(
    stream: S,
    waited_ms: u64,
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if !in_tls {
        let (recorded, first) = Recorded::new(stream);
        ctx.meter.count_handshake();
        let sniff = ctx.deadline.within(TLS_SNIFF_TIMEOUT);
        let _ = handshake::handshake(recorded, ctx.spec.server_name.clone(), Offer::Modern, sniff)
            .await;
        if service::is_tls_record(&first.get()) {
            out.service = Some(ServiceSeen::TlsOnPlaintextPort);
            out.error(
                steps::GREETING,
                ErrorKind::Protocol,
                format!(
                    "no greeting within {waited_ms} ms, but the server answered a TLS ClientHello: the port speaks implicit TLS"
                ),
            );
            return;
        }
    }
    out.service = Some(ServiceSeen::Silent { waited_ms });
    out.error(
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
        Protocol::Pop3 => super::codec::pop3::sasl_mechanisms(caps),
        Protocol::Smtp => super::codec::smtp::auth_mechanisms(caps),
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

/// Writes what the dialogue saw into `out.mail`.
fn finish(ctx: &Ctx<'_>, seen: SeenInDialogue, out: &mut DialogueOutcome) {
    let protocol = ctx.spec.protocol;
    let mail = &mut out.mail;
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
    mail.greeting_lines = seen.greeting;
    mail.id_pairs = seen.id.unwrap_or_default();
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
