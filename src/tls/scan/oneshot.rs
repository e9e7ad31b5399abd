//! One ClientHello over one fresh connection, and the server's answer.
//!
//! This is the scanner's only way onto the wire, and it is public because
//! client-profile trials send each client's real offer through it too. Every
//! call opens its own connection through the probe's [`Connector`] (so the
//! per-target cap and the statistics apply), runs the STARTTLS prelude when
//! the endpoint needs one, writes the hello, and reads the reply under hard
//! bounds ([`ReplyLimits`]) and a per-hello time limit.
//!
//! Servers refuse in different ways and this module reports which one
//! ([`Ending`]); it does not decide what a refusal means (see
//! [`super::OfferOutcome`]). What it does decide is the retry, and only
//! where a retry can change the answer: a connection refused or reset at
//! connect, or a `* BYE` / `-ERR` / `421` greeting or a reset before any
//! greeting, is tried once more at once, but only when this endpoint has
//! answered a hello before (it accepted then and refuses now: a busy server
//! or a SYN-flood guard does that to one connection in many). Before any
//! answer, "nothing listens" or "busy" is known at once and final; a server
//! that greets busy or resets before any greeting is reported as
//! rate-limited ([`ExchangeError::RateLimited`]), not as refusing TLS. A
//! reset after the hello is the server's answer (how SChannel refuses) and
//! is not retried: the scan's control hello (one suite the server accepted
//! before) tells a refusal from a connection limit. The one pause: a busy
//! greeting from a server that answered before (it said "try again later")
//! is tried again after a doubling pause, up to `BUSY_BACKOFF`'s six,
//! and the endpoint's other hellos hold off meanwhile.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

use super::{ClientTrial, TrialOutcome};
use crate::mail::starttls::{self, PreludeError};
use crate::net::{ConnectError, Connector, ProbeStream};
use crate::tls::hello::{self, ClientHelloSpec, HelloError};
use crate::tls::reply::{
    Progress, ReplyError, ReplyLimits, ReplyOutcome, ReplyReader, ServerReply, SkeKind,
};
use crate::tls::suites::{self, KeyExchange};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, Protocol, TlsVersion, Transport};

/// How long one hello waits for its answer, at most (the probe deadline
/// may cut it shorter). Servers answer a ClientHello in one round trip; a
/// server that has said nothing after this long is not going to.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the STARTTLS prelude of one connection may take. Longer than a
/// hello: SMTP servers behind postscreen-style greet pauses answer only
/// after several seconds, on every connection.
pub const PRELUDE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the hellos go and how a connection reaches the TLS start.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Opens the connections: per-target cap, statistics, checked addresses.
    pub connector: Connector,
    /// The mail protocol whose STARTTLS prelude runs first (`starttls` only).
    pub protocol: Protocol,
    /// `Implicit`: the hello is the first byte. `Starttls`: after the prelude.
    /// (`Auto` is treated as `Implicit`; a validated spec never has it.)
    pub transport: Transport,
    /// Longest wait for one reply.
    pub hello_timeout: Duration,
    /// Bounds on one reply.
    pub limits: ReplyLimits,
    /// Set by the first hello whose TCP connect finally failed (timeout,
    /// refused twice) or that met a rate limit: every later hello fails at
    /// once with the same error instead of waiting out its own connect
    /// timeout or pressing a server that sheds load. A filtered port thus
    /// costs one connect timeout, not one per version (the connects in
    /// flight meanwhile give up with the first: see `net::Connector`).
    unreachable: Arc<OnceLock<ExchangeError>>,
    /// Some hello on this endpoint got a TLS answer: a refusal at connect
    /// now is worth one retry (it accepted before).
    answered: Arc<AtomicBool>,
    /// What the scan has settled so far, for the steps that wait on it.
    progress: Arc<watch::Sender<Settled>>,
    /// Whether DHE can be negotiated, once asked (see `scan::dhe`).
    dhe: Arc<watch::Sender<super::dhe::DheKnown>>,
    /// The server's order as first seen, and the eliminations running
    /// (see `scan::dhe`).
    order: Arc<watch::Sender<super::order::OrderSeen>>,
    /// After a busy greeting from a server that answered before: no hello
    /// of this endpoint connects before this instant (see [`BUSY_BACKOFF`]).
    busy_until: Arc<std::sync::Mutex<Option<Instant>>>,
    /// A hello was refused with an alert or a reset, neither of which is
    /// read as a failed DHE pick (`versions::may_be_failed_pick`; see
    /// `dhe::due_or_over`).
    refused_aloud: Arc<watch::Sender<bool>>,
    /// TLS 1.3's chain guard, handed to the group chain below TLS 1.3 (see
    /// [`Endpoint::hand_over_chain`]).
    handover: Arc<std::sync::Mutex<Handover>>,
}

/// A chain guard between a chain that ended and the one that follows it.
#[derive(Debug, Default)]
struct Handover {
    /// The following chain has started, or will not run.
    taken: bool,
    guard: Vec<crate::net::ChainRunning>,
}

impl Endpoint {
    pub fn new(connector: Connector, protocol: Protocol, transport: Transport) -> Endpoint {
        Endpoint {
            connector,
            protocol,
            transport,
            hello_timeout: HELLO_TIMEOUT,
            limits: ReplyLimits::default(),
            unreachable: Arc::default(),
            answered: Arc::default(),
            progress: Arc::new(watch::Sender::new(Settled::default())),
            dhe: Arc::new(watch::Sender::new(super::dhe::DheKnown::default())),
            order: Arc::new(watch::Sender::new(super::order::OrderSeen::default())),
            busy_until: Arc::default(),
            refused_aloud: Arc::new(watch::Sender::new(false)),
            handover: Arc::default(),
        }
    }

    /// How long a hello must still wait before it connects, after a busy
    /// greeting (`None`: it may go).
    fn busy_wait(&self) -> Option<Duration> {
        let until = (*self.busy_until.lock().unwrap_or_else(|e| e.into_inner()))?;
        until.checked_duration_since(Instant::now())
    }

    /// Every hello of this endpoint waits `wait` from now before it
    /// connects (or longer, if an earlier busy greeting asked for more).
    fn hold_off(&self, wait: Duration) {
        let mut until = self.busy_until.lock().unwrap_or_else(|e| e.into_inner());
        let new = Instant::now() + wait;
        *until = Some(until.map_or(new, |u| u.max(new)));
    }

    pub(super) fn order_seen(&self) -> &watch::Sender<super::order::OrderSeen> {
        &self.order
    }

    /// The same endpoint (same findings, same progress), its connections
    /// queued at `priority` for the target's slots.
    pub fn at(&self, priority: crate::net::Priority) -> Endpoint {
        Endpoint {
            connector: self.connector.at(priority),
            ..self.clone()
        }
    }

    /// The same endpoint, its next connection on `slot` (lent, see
    /// `net::Slot::lend`) instead of one it waits for.
    pub fn lending(&self, slot: crate::net::Slot) -> Endpoint {
        Endpoint {
            connector: self.connector.lending(slot),
            ..self.clone()
        }
    }

    /// A chain of dependent hellos runs until the guards drop: the
    /// target keeps a slot for its next hello (`net::Slots::chain_running`).
    pub(super) fn chain_running(&self) -> Vec<crate::net::ChainRunning> {
        self.connector.chain_running()
    }

    /// TLS 1.3 was refused: the slot its chain kept stays kept (the guard
    /// is held here) for the group chain below TLS 1.3, which that refusal
    /// lets start (`descent::beside`), instead of going to a trial for the
    /// moment in between. Dropped when that chain has started already or
    /// will not run.
    pub(super) fn hand_over_chain(&self, guard: Vec<crate::net::ChainRunning>) {
        let mut h = self.handover.lock().unwrap_or_else(|e| e.into_inner());
        if !h.taken {
            h.guard = guard;
        }
    }

    /// The chain handed over (empty if none): the group chain takes it as
    /// it starts; dropping it says the group chain will not run.
    pub(super) fn take_handed_chain(&self) -> Vec<crate::net::ChainRunning> {
        let mut h = self.handover.lock().unwrap_or_else(|e| e.into_inner());
        h.taken = true;
        std::mem::take(&mut h.guard)
    }

    /// What is known of DHE (see `scan::dhe`).
    pub fn dhe(&self) -> super::dhe::DheKnown {
        *self.dhe.borrow()
    }

    /// Whether a hello was refused with an alert or a reset, as it becomes
    /// known.
    pub(super) fn refused_aloud(&self) -> watch::Receiver<bool> {
        self.refused_aloud.subscribe()
    }

    pub(super) fn dhe_watch(&self) -> watch::Receiver<super::dhe::DheKnown> {
        self.dhe.subscribe()
    }

    pub(super) fn set_dhe(&self, known: super::dhe::DheKnown) {
        self.dhe.send_replace(known);
    }

    /// A hello was refused without a word: the DHE question is due.
    fn refused_silently(&self) {
        self.dhe.send_if_modified(|k| {
            let due = *k == super::dhe::DheKnown::NotAsked;
            if due {
                *k = super::dhe::DheKnown::Wanted;
            }
            due
        });
    }

    /// Follows what the scan settles, version by version, as it goes.
    pub fn progress(&self) -> watch::Receiver<Settled> {
        self.progress.subscribe()
    }

    /// Records that version `v` is accepted (with a suite it chose) or not.
    pub(super) fn settle(&self, v: TlsVersion, accepted_suite: Option<u16>) {
        self.progress.send_modify(|s| {
            if !s.versions.iter().any(|(w, _)| *w == v) {
                s.versions.push((v, accepted_suite));
            }
        });
    }

    /// Version `v` will not be settled early (no answer, or not scanned).
    pub(super) fn settle_unknown(&self, v: TlsVersion) {
        self.progress.send_modify(|s| s.unknown.push(v));
    }

    /// The scan is over: whatever is not settled will not be.
    pub(super) fn settle_done(&self) {
        drop(self.take_handed_chain());
        self.progress.send_modify(|s| s.done = true);
    }

    /// Why the endpoint cannot be reached (or should be left alone), once a
    /// hello found out.
    pub fn unreachable(&self) -> Option<&ExchangeError> {
        self.unreachable.get()
    }

    fn needs_prelude(&self) -> bool {
        self.transport == Transport::Starttls && self.protocol != Protocol::Tls
    }
}

/// What the scan has settled so far: per version, accepted (with the suite
/// the server chose from the whole list) or not (`None`); `done` when the
/// scan is over. Steps that depend on a version (the versioned handshakes,
/// the legacy engine's offer) wait on this instead of the whole scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    pub versions: Vec<(TlsVersion, Option<u16>)>,
    /// Versions whose first hello got no readable answer (or were not
    /// scanned): they will not be settled before the scan is over.
    pub unknown: Vec<TlsVersion>,
    pub done: bool,
}

impl Settled {
    /// `Some(true)` accepted, `Some(false)` not, `None` not known (yet).
    pub fn accepted(&self, v: TlsVersion) -> Option<bool> {
        self.versions
            .iter()
            .find(|(w, _)| *w == v)
            .map(|(_, s)| s.is_some())
    }

    /// The highest accepted version below TLS 1.3 and the suite it chose,
    /// once every requested version above it is settled as not accepted.
    pub fn highest_below_tls13(&self, requested: &[TlsVersion]) -> Option<(TlsVersion, u16)> {
        let mut order: Vec<TlsVersion> = requested
            .iter()
            .copied()
            .filter(|v| *v != TlsVersion::Ssl2)
            .collect();
        order.sort();
        for v in order.into_iter().rev() {
            match self.versions.iter().find(|(w, _)| *w == v) {
                None => return None,
                Some((_, Some(suite))) if v != TlsVersion::Tls13 => return Some((v, *suite)),
                Some(_) => {}
            }
        }
        None
    }
}

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "built once per connection and borrowed; boxing would only add a hop"
)]
pub enum Hello {
    /// A TLS-format ClientHello (SSLv3 and up).
    Tls(ClientHelloSpec),
    /// An SSLv2-format CLIENT-HELLO offering these cipher kinds.
    Ssl2 { cipher_kinds: Vec<u32> },
}

impl Hello {
    fn bytes(&self) -> Result<Vec<u8>, HelloError> {
        match self {
            Hello::Tls(spec) => spec.encode(),
            Hello::Ssl2 { cipher_kinds } => Ok(hello::sslv2_client_hello(cipher_kinds, 16)),
        }
    }
}

/// How the server ended its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The reply reader had all it needed (ServerHelloDone, an alert, a TLS
    /// 1.3 ServerHello, ...); we hung up.
    Complete,
    /// The server closed the connection (FIN), with or without a reply.
    Closed,
    /// The server reset the connection after the hello, on both attempts.
    Reset,
    /// Nothing decisive arrived within the hello timeout.
    TimedOut,
}

/// The server's answer to one hello.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub reply: ServerReply,
    pub ending: Ending,
    /// Connections this hello used: 1, or 2 after a retry.
    pub connections: u32,
    /// From connect to the end of the reply (last attempt).
    pub ms: u64,
}

impl Exchange {
    pub fn outcome(&self) -> ReplyOutcome {
        self.reply.outcome()
    }
}

/// Why a hello got no answer worth reading.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    #[error("connecting: {0}")]
    Connect(ConnectError),
    #[error("STARTTLS prelude: {0}")]
    Prelude(PreludeError),
    /// `* BYE`, `-ERR`, `421` at connect, or resets before any greeting:
    /// how mail servers shed load. Not a statement about TLS.
    #[error("the server refuses connections, a symptom of a connection limit: {evidence}")]
    RateLimited { evidence: String },
    #[error("encoding the ClientHello: {0}")]
    Encode(HelloError),
    #[error("sending the ClientHello: {message}")]
    Send { message: String },
    /// The reply broke the TLS grammar or a safety bound; what was parsed
    /// before the fault is kept.
    #[error("unreadable reply: {error}")]
    Malformed {
        error: ReplyError,
        partial: Box<ServerReply>,
    },
}

impl ExchangeError {
    /// The report's class for this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ExchangeError::Connect(e) => e.kind,
            ExchangeError::Prelude(e) => e.kind,
            ExchangeError::RateLimited { .. } => ErrorKind::Refused,
            ExchangeError::Encode(_) => ErrorKind::Protocol,
            ExchangeError::Send { .. } => ErrorKind::Reset,
            ExchangeError::Malformed { error, .. } => match error {
                ReplyError::TooMuchData { .. } => ErrorKind::Limit,
                _ => ErrorKind::Tls,
            },
        }
    }
}

/// Whether the suite's ServerKeyExchange carries DH or ECDH parameters, so
/// the reply reader can size the DH prime and name the curve.
pub fn ske_kind(code: u16) -> SkeKind {
    match suites::lookup(code).map(|s| s.kx) {
        Some(KeyExchange::Dhe | KeyExchange::DhePsk) => SkeKind::Dhe,
        Some(KeyExchange::Ecdhe | KeyExchange::EcdhePsk) => SkeKind::Ecdhe,
        _ => SkeKind::Unknown,
    }
}

/// Sends `hello` over a fresh connection (after the STARTTLS prelude when the
/// endpoint has one, see [`open`]) and reads the reply.
/// `stop_after_server_hello` hangs up as soon as the suite is known (the
/// chain and key exchange are not read). Counts one handshake per hello
/// written.
pub async fn send_hello(
    endpoint: &Endpoint,
    hello: &Hello,
    stop_after_server_hello: bool,
    deadline: Deadline,
) -> Result<Exchange, ExchangeError> {
    let bytes = hello.bytes().map_err(ExchangeError::Encode)?;
    let mut connections = 0;
    let (stream, started) = open(endpoint, deadline, &mut connections).await?;
    let (reply, ending) =
        connected(stream, endpoint, &bytes, stop_after_server_hello, deadline).await?;
    if !reply.is_empty() {
        endpoint.answered.store(true, Ordering::Relaxed);
        if reply.server_hello.is_none() && reply.alert.is_some() {
            endpoint.refused_aloud.send_replace(true);
        }
    } else if ending == Ending::Closed {
        endpoint.refused_silently();
    } else if ending == Ending::Reset {
        endpoint.refused_aloud.send_replace(true);
    }
    Ok(Exchange {
        reply,
        ending,
        connections,
        ms: started.elapsed().as_millis() as u64,
    })
}

/// A fresh connection to the endpoint, past the STARTTLS prelude when it
/// has one, ready for a ClientHello; with when its last attempt started.
/// Counts each TCP connection made in `connections`.
///
/// Retries once when the connection is refused or reset before the server
/// said anything, and after a busy greeting waits and tries again (see the
/// module's notes), but only when this endpoint has answered a hello
/// before: "nothing listens" or "busy" before any answer is final, and
/// latched for every later connection.
pub async fn open(
    endpoint: &Endpoint,
    deadline: Deadline,
    connections: &mut u32,
) -> Result<(ProbeStream, Instant), ExchangeError> {
    let standard = |stream| async move {
        if !endpoint.needs_prelude() {
            return Ok(stream);
        }
        starttls::upgrade(stream, endpoint.protocol, deadline.within(PRELUDE_TIMEOUT)).await
    };
    open_with(endpoint, deadline, connections, standard).await
}

/// [`open`] with a prelude of the caller's (the STARTTLS-injection check
/// sends its own): the same retries and hold-off around it.
pub async fn open_with<T, F, P>(
    endpoint: &Endpoint,
    deadline: Deadline,
    connections: &mut u32,
    mut prelude: F,
) -> Result<(T, Instant), ExchangeError>
where
    F: FnMut(ProbeStream) -> P,
    P: std::future::Future<Output = Result<T, PreludeError>>,
{
    let mut retried = false;
    let mut busy_waits = BUSY_BACKOFF.iter();
    loop {
        if let Some(e) = endpoint.unreachable() {
            return Err(e.clone());
        }
        if let Some(wait) = endpoint.busy_wait() {
            let _ = deadline.within(wait).run(tokio::time::sleep(wait)).await;
        }
        let started = Instant::now();
        let retry = match endpoint.connector.connect(deadline).await {
            Ok(stream) => {
                *connections += 1;
                match prelude(stream).await.map_err(prelude_failure) {
                    Ok(opened) => return Ok((opened, started)),
                    Err(NoPrelude::Retry(r)) => r,
                    Err(NoPrelude::Final(e)) => return Err(e),
                }
            }
            Err(e) if matches!(e.kind, ErrorKind::Refused | ErrorKind::Reset) => Retry::Connect(e),
            Err(e) => return Err(endpoint.give_up(ExchangeError::Connect(e))),
        };
        // A retry can change the answer only where the server answered a
        // hello before and refuses now.
        let worth_it = endpoint.answered.load(Ordering::Relaxed);
        // A server that answered before and now greets "busy" asks to be
        // tried again later (SMTP 421): it is, after a pause that doubles
        // (see [`BUSY_BACKOFF`]), and every other hello of the endpoint
        // holds off as long, so the burst that tripped the limit ends.
        if worth_it
            && matches!(retry, Retry::Busy(_))
            && let Some(wait) = busy_waits.next()
            && deadline.remaining() > *wait
        {
            endpoint.hold_off(*wait);
            continue;
        }
        if retried || !worth_it {
            return Err(last_word(endpoint, retry, retried));
        }
        retried = true;
        if deadline.remaining().is_zero() {
            return Err(ExchangeError::Connect(ConnectError {
                kind: ErrorKind::Timeout,
                message: "probe deadline reached before the retry".into(),
            }));
        }
    }
}

/// A retry that will not come: the error every later connection meets.
fn last_word(endpoint: &Endpoint, retry: Retry, retried: bool) -> ExchangeError {
    match retry {
        // A server shedding load is left alone for the rest of the
        // probe: every later hello fails at once with this error.
        Retry::Busy(evidence) => endpoint.give_up(ExchangeError::RateLimited { evidence }),
        Retry::ResetBeforeGreeting(e) => endpoint.give_up(ExchangeError::RateLimited {
            evidence: format!(
                "reset before any greeting{} ({})",
                again(retried),
                e.message
            ),
        }),
        // Accepted by the kernel, then reset at once: how some
        // servers and firewalls shed connections over a limit.
        Retry::Connect(e) if e.kind == ErrorKind::Reset => {
            endpoint.give_up(ExchangeError::RateLimited {
                evidence: format!(
                    "connection reset at connect{} ({})",
                    again(retried),
                    e.message
                ),
            })
        }
        Retry::Connect(e) => endpoint.give_up(ExchangeError::Connect(e)),
    }
}

/// ", twice" when the failure came again on the retry.
fn again(retried: bool) -> &'static str {
    if retried { ", twice" } else { "" }
}

impl Endpoint {
    /// Latches a final connect failure (or a rate-limit answer) for every
    /// later hello.
    fn give_up(&self, e: ExchangeError) -> ExchangeError {
        let _ = self.unreachable.set(e.clone());
        e
    }
}

/// The pauses before a hello is tried again after a busy greeting (SMTP
/// `421`, IMAP `* BYE`, POP3 `-ERR`) from a server that answered before,
/// about 3 s in all, during which the endpoint's other hellos hold off too.
/// Exim's `smtp_accept_max` (20 by default) counts its children, and a
/// child of Exim 4.96 whose STARTTLS client hangs up after the ServerHello
/// lives on for a few hundred milliseconds (measured: 0.1 s before "220 TLS
/// go ahead", 0.6 s after the hang-up), so a scan's connections, one at a
/// time or four, meet "421 Too many concurrent SMTP connections" until the
/// pace drops; an immediate retry meets the same crowd. A limit that does
/// not clear within these ends the scan's connections as before.
const BUSY_BACKOFF: [Duration; 6] = [
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
    Duration::from_millis(1600),
];

/// Why a connection is worth one more try.
enum Retry {
    Connect(ConnectError),
    ResetBeforeGreeting(PreludeError),
    Busy(String),
}

/// A STARTTLS prelude that did not reach the TLS start.
enum NoPrelude {
    /// The way an overloaded or rate-limiting server fails.
    Retry(Retry),
    Final(ExchangeError),
}

/// What came back for a hello: the reply and how it ended.
type Answer = Result<(ServerReply, Ending), ExchangeError>;

/// Writes the hello on an opened connection and reads the reply.
async fn connected(
    mut stream: ProbeStream,
    endpoint: &Endpoint,
    bytes: &[u8],
    stop_after_server_hello: bool,
    deadline: Deadline,
) -> Answer {
    endpoint.connector.meter().count_handshake();
    match deadline.run(stream.write_all(bytes)).await {
        Ok(Ok(())) => {}
        // A reset after the hello is the server's answer (how SChannel
        // refuses), not worth a retry.
        Ok(Err(e)) if is_reset(&e) => return Ok((ServerReply::default(), Ending::Reset)),
        Ok(Err(e)) => {
            return Err(ExchangeError::Send {
                message: e.to_string(),
            });
        }
        Err(t) => {
            return Err(ExchangeError::Send {
                message: t.to_string(),
            });
        }
    }
    read_reply(
        &mut stream,
        endpoint,
        stop_after_server_hello,
        deadline.within(endpoint.hello_timeout),
    )
    .await
}

/// A prelude that failed the way an overloaded or rate-limiting server fails
/// is retried once; anything else (no STARTTLS, not IMAP) is final.
fn prelude_failure(e: PreludeError) -> NoPrelude {
    if let Some(said) = &e.server_said
        && is_busy_banner(said)
    {
        return NoPrelude::Retry(Retry::Busy(said.clone()));
    }
    if matches!(e.kind, ErrorKind::Reset | ErrorKind::Io) {
        return NoPrelude::Retry(Retry::ResetBeforeGreeting(e));
    }
    NoPrelude::Final(ExchangeError::Prelude(e))
}

/// `* BYE` (RFC 3501 §7.1.5 at connect), `-ERR` (POP3), `421` (RFC 5321
/// §3.8: "service not available, closing transmission channel"): what IMAP,
/// POP3 and SMTP servers say when they have too many connections.
pub fn is_busy_banner(line: &str) -> bool {
    let l = line.trim_start();
    l.starts_with("* BYE") || l.starts_with("-ERR") || l.starts_with("421")
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

async fn read_reply(
    stream: &mut ProbeStream,
    endpoint: &Endpoint,
    stop_after_server_hello: bool,
    deadline: Deadline,
) -> Answer {
    let mut reader = ReplyReader::new(endpoint.limits)
        .stop_after_server_hello(stop_after_server_hello)
        .with_ske_kind(ske_kind);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match deadline.run(stream.read(&mut buf)).await {
            Err(_) => return Ok((reader.finish_eof(), Ending::TimedOut)),
            Ok(Ok(0)) => return Ok((reader.finish_eof(), Ending::Closed)),
            Ok(Ok(n)) => n,
            Ok(Err(e)) if is_reset(&e) => {
                if reader.bytes_read() == 0 {
                    return Ok((ServerReply::default(), Ending::Reset));
                }
                return Ok((reader.finish_eof(), Ending::Reset));
            }
            Ok(Err(e)) => {
                return Err(ExchangeError::Send {
                    message: format!("reading the reply: {e}"),
                });
            }
        };
        let chunk = buf.get(..n).unwrap_or(&[]);
        match reader.feed(chunk) {
            Ok(Progress::NeedMore) => {}
            Ok(Progress::Done(reply)) => return Ok((reply, Ending::Complete)),
            Err(error) => {
                return Err(ExchangeError::Malformed {
                    error,
                    partial: Box::new(reader.reply_so_far().clone()),
                });
            }
        }
    }
}

/// What a client would have got from this offer: the reading client-profile
/// trials record. A HelloRetryRequest counts as negotiated: a real client
/// answers it with the share asked for and goes on.
pub fn trial_outcome(result: &Result<Exchange, ExchangeError>) -> TrialOutcome {
    let ex = match result {
        Ok(ex) => ex,
        Err(e) => {
            return TrialOutcome::Failed {
                message: e.to_string(),
            };
        }
    };
    if let Some(sh) = &ex.reply.server_hello {
        let wire = sh.negotiated_version();
        return match TlsVersion::from_wire(wire) {
            Some(version) => TrialOutcome::Negotiated {
                version,
                suite: sh.cipher_suite,
            },
            None => TrialOutcome::Failed {
                message: format!("the server chose an unknown version 0x{wire:04X}"),
            },
        };
    }
    if let Some(alert) = &ex.reply.alert {
        return TrialOutcome::Refused {
            alert: Some(alert.description_name().to_string()),
        };
    }
    match (ex.outcome(), ex.ending) {
        (ReplyOutcome::ClosedSilently, _) | (_, Ending::Reset) => {
            TrialOutcome::Refused { alert: None }
        }
        (ReplyOutcome::NotTls, _) => TrialOutcome::Failed {
            message: "the server answered in plaintext, not TLS".into(),
        },
        (_, Ending::TimedOut) => TrialOutcome::Failed {
            message: "no answer to the ClientHello before the time limit".into(),
        },
        _ => TrialOutcome::Failed {
            message: "the reply ended before a ServerHello or an alert".into(),
        },
    }
}

/// Sends one client profile's offer and records the trial (issue 6's use).
pub async fn client_trial(
    endpoint: &Endpoint,
    profile: &str,
    spec: ClientHelloSpec,
    deadline: Deadline,
) -> ClientTrial {
    let result = send_hello(endpoint, &Hello::Tls(spec), true, deadline).await;
    ClientTrial {
        profile: profile.to_string(),
        outcome: trial_outcome(&result),
    }
}
