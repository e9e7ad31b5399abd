//! Connections to the target: deadlines, a connection cap, and byte counts.
//!
//! Every probe step opens its connections through [`Connector::connect`], so
//! the caps, the statistics and the deadline apply to all of them (the mail
//! dialogue, the wire scanner, the real handshakes).
//!
//! Two caps hold a connection: the target address's slots, shared by every
//! probe of this instance that dials that IP (two probes of one server share
//! its slots, so a batch cannot hammer it), and the instance's global cap on
//! connections in flight ([`ConnectionLimits`]).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use utoipa::ToSchema;

use crate::vocab::{Deadline, ErrorKind};

mod slots;
pub use slots::{ChainRunning, Priority, Slot, Slots};

// The TCP connection to the target as the Report shows it (`connect`); no
// doc comment, so the OpenAPI schema stays as it was.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Connect {
    /// A TCP connection was established.
    pub ok: bool,
    /// The address the TCP connection was made to.
    pub address: Option<String>,
    /// TCP connect time.
    pub ms: Option<u64>,
    /// Why the connection failed (refused, timeout, DNS), in words; null when it succeeded.
    pub error: Option<String>,
}

// What a probe's connections added up to, as the Report shows it (`stats`);
// no doc comment, so the OpenAPI schema stays as it was.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// TCP connections opened to the target, by every step of the probe.
    pub connections: u32,
    /// Of those, the wire scan's (versions, suites by elimination, server
    /// order, groups); the rest are the mail dialogue, the real handshakes
    /// and the client profiles' own hellos.
    pub scan_connections: u32,
    /// Of those, the security checks' (see `security[].connections`).
    #[serde(default)]
    pub security_connections: u32,
    /// TLS handshakes started (wire-scanner hellos and real handshakes).
    pub handshakes: u32,
    /// Bytes sent to the target over every connection.
    pub bytes_sent: u64,
    /// Bytes received from the target over every connection.
    pub bytes_received: u64,
}

/// Counters shared by every connection of one probe.
#[derive(Debug, Default)]
pub struct Meter {
    connections: AtomicU32,
    handshakes: AtomicU32,
    sent: AtomicU64,
    received: AtomicU64,
}

impl Meter {
    pub fn count_handshake(&self) {
        self.handshakes.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        Stats {
            connections: self.connections.load(Ordering::Relaxed),
            handshakes: self.handshakes.load(Ordering::Relaxed),
            bytes_sent: self.sent.load(Ordering::Relaxed),
            bytes_received: self.received.load(Ordering::Relaxed),
            scan_connections: 0,
            security_connections: 0,
        }
    }
}

/// A TCP stream that counts its bytes into the probe's [`Meter`] and holds a
/// slot of the per-target connection cap until dropped.
#[derive(Debug)]
pub struct ProbeStream {
    inner: TcpStream,
    meter: Arc<Meter>,
    /// The target address's slot and the global slot, released on drop.
    _slots: (Slot, OwnedSemaphorePermit),
}

impl ProbeStream {
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }
}

impl AsyncRead for ProbeStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len().saturating_sub(before);
        self.meter.received.fetch_add(n as u64, Ordering::Relaxed);
        res
    }
}

impl AsyncWrite for ProbeStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &res {
            self.meter.sent.fetch_add(*n as u64, Ordering::Relaxed);
        }
        res
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A failed connection attempt, classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConnectError {
    pub kind: ErrorKind,
    pub message: String,
}

/// The connection caps of one instance, shared by all its probes: at most
/// `per_host` connections to any one IP address and `global` in flight in
/// all. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    global: Arc<Semaphore>,
    global_size: usize,
    per_host: usize,
    /// Live per-address semaphores. Weak: an entry lives as long as some
    /// [`Connector`] holds it, and dead entries are pruned as new ones come.
    hosts: Arc<Mutex<HashMap<IpAddr, Weak<Slots>>>>,
}

/// Live host entries beyond which dead ones are swept on insertion.
const HOST_SWEEP_AT: usize = 256;

impl ConnectionLimits {
    pub fn new(global: usize, per_host: usize) -> ConnectionLimits {
        let global_size = global.clamp(1, Semaphore::MAX_PERMITS);
        ConnectionLimits {
            global: Arc::new(Semaphore::new(global_size)),
            global_size,
            per_host: per_host.max(1),
            hosts: Arc::default(),
        }
    }

    /// Connections open right now across every probe.
    pub fn in_flight(&self) -> usize {
        self.global_size - self.global.available_permits()
    }

    /// A slot of `ip`'s cap and a global slot, for a connection made outside
    /// a [`Connector`] (readiness' HTTPS checks through reqwest), so those
    /// count against the same caps as the probes' own connections.
    pub async fn acquire(
        &self,
        ip: IpAddr,
        deadline: Deadline,
    ) -> Option<(Slot, OwnedSemaphorePermit)> {
        let host = deadline
            .run(self.host(ip).acquire(Priority::Chain))
            .await
            .ok()?;
        let global = deadline
            .run(Arc::clone(&self.global).acquire_owned())
            .await
            .ok()?
            .ok()?;
        Some((host, global))
    }

    /// The slots of one address, created on first use. An IPv6 address
    /// that carries an IPv4 one (mapped, NAT64, 6to4) shares that address's
    /// slots: it reaches the same server.
    fn host(&self, ip: IpAddr) -> Arc<Slots> {
        let ip = embedded_ipv4(ip).map_or(ip, IpAddr::V4);
        // The map is only touched under this lock for a lookup or an insert;
        // a poisoned lock still holds a usable map.
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(live) = hosts.get(&ip).and_then(Weak::upgrade) {
            return live;
        }
        if hosts.len() >= HOST_SWEEP_AT {
            hosts.retain(|_, w| w.strong_count() > 0);
        }
        let fresh = Arc::new(Slots::new(self.per_host));
        hosts.insert(ip, Arc::downgrade(&fresh));
        fresh
    }
}

/// Opens connections to one target's checked addresses.
#[derive(Debug, Clone)]
pub struct Connector {
    /// Addresses already checked against the target policy; nothing else is
    /// dialled.
    addresses: Arc<[SocketAddr]>,
    /// Each address's slots (same order), shared across probes.
    hosts: Arc<[Arc<Slots>]>,
    limits: ConnectionLimits,
    meter: Arc<Meter>,
    /// Who gets this target's next free slot first (see [`slots`]).
    priority: Priority,
    /// Set once this connector's chains are over (see
    /// [`Connector::chains_over`]); shared by every copy made with
    /// [`Connector::at`].
    chains_over: Arc<tokio::sync::watch::Sender<bool>>,
    /// A slot lent to this connector's next connection to the first
    /// address (see [`Connector::lending`]).
    lent: Option<Arc<std::sync::Mutex<Option<Slot>>>>,
    /// Per address (same order): what this probe's connects to it met.
    /// Shared by every copy, so one probe waits out a silent address once,
    /// not once per connection (see [`Connector::dialling_order`]).
    heard: Arc<tokio::sync::watch::Sender<Vec<Heard>>>,
}

/// What a probe's connects to one address met so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heard {
    Nothing,
    /// A connect succeeded: a later timeout is the network's loss, not a
    /// silent address.
    Answered,
    /// A connect timed out and none has succeeded.
    Silent,
}

/// How long one TCP connect attempt may take at most.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl Connector {
    /// A connector with caps of its own: `per_target` connections per
    /// address, no global cap. For one-off use (tests, tools); probes use
    /// [`Connector::shared`].
    pub fn new(addresses: Vec<SocketAddr>, per_target: usize, meter: Arc<Meter>) -> Connector {
        Connector::shared(
            addresses,
            &ConnectionLimits::new(Semaphore::MAX_PERMITS, per_target),
            meter,
        )
    }

    /// A connector under the instance's shared caps.
    pub fn shared(
        addresses: Vec<SocketAddr>,
        limits: &ConnectionLimits,
        meter: Arc<Meter>,
    ) -> Connector {
        Connector {
            hosts: addresses.iter().map(|a| limits.host(a.ip())).collect(),
            heard: Arc::new(tokio::sync::watch::Sender::new(vec![
                Heard::Nothing;
                addresses.len()
            ])),
            addresses: addresses.into(),
            limits: limits.clone(),
            meter,
            priority: Priority::Chain,
            chains_over: Arc::new(tokio::sync::watch::Sender::new(false)),
            lent: None,
        }
    }

    /// Tells this connector (and every copy of it) that its chains are
    /// over: the scan is done, nothing it sends will wait on an answer any
    /// more. From then on its [`Priority::Settle`] and [`Priority::Aside`]
    /// connections, queued or not, no longer leave the slots kept for the
    /// chains' next hellos (see [`Slots::chain_running`]): they queue as
    /// chains do.
    /// Other probes of the same address keep their own priorities.
    pub fn chains_over(&self) {
        self.chains_over.send_replace(true);
    }

    /// A slot of `host` at this connector's priority, or as a chain once
    /// the chains are over (see [`Connector::chains_over`]).
    async fn slot(&self, host: &Arc<Slots>) -> Slot {
        let mut over = self.chains_over.subscribe();
        if self.priority == Priority::Chain || *over.borrow_and_update() {
            return host.acquire(Priority::Chain).await;
        }
        tokio::select! {
            slot = host.acquire(self.priority) => slot,
            // The sender lives in `self`: `wait_for` ends only when set.
            Ok(()) = async { over.wait_for(|over| *over).await.map(|_| ()) } => {
                host.acquire(Priority::Chain).await
            }
        }
    }

    /// A slot of the first address, held without a connection yet (at
    /// this connector's priority); [`Connector::connect_on`] connects on it.
    pub async fn hold(&self, deadline: Deadline) -> Result<Slot, ConnectError> {
        let Some(host) = self.hosts.first() else {
            return Err(no_address());
        };
        deadline
            .run(self.slot(host))
            .await
            .map_err(|t| no_slot(&t.to_string()))
    }

    /// A copy whose next connection to the first address uses `slot`
    /// (lent: see [`Slot::lend`]) instead of waiting for one.
    pub fn lending(&self, slot: Slot) -> Connector {
        Connector {
            lent: Some(Arc::new(std::sync::Mutex::new(Some(slot)))),
            ..self.clone()
        }
    }

    /// [`Connector::connect`] with the first address's slot in hand.
    pub async fn connect_on(
        &self,
        slot: Slot,
        deadline: Deadline,
    ) -> Result<ProbeStream, ConnectError> {
        self.connect_with(Some(slot), deadline).await
    }

    /// A chain of dependent hellos runs on this connector until the
    /// guards drop: each target address keeps a slot for its next hello
    /// (see [`Slots::chain_running`]).
    pub fn chain_running(&self) -> Vec<ChainRunning> {
        self.hosts.iter().map(|h| h.chain_running()).collect()
    }

    /// The same connector, its connections queued at `priority` for the
    /// target's slots (the scan's chains go first: `slots`).
    pub fn at(&self, priority: Priority) -> Connector {
        Connector {
            priority,
            ..self.clone()
        }
    }

    pub fn meter(&self) -> &Arc<Meter> {
        &self.meter
    }

    pub fn addresses(&self) -> &[SocketAddr] {
        &self.addresses
    }

    /// The per-target cap: connections open at once to one address.
    pub fn per_target(&self) -> usize {
        self.limits.per_host
    }

    /// Connects to the first address that answers, waiting for a free slot
    /// of that address and then of the global cap. Every wait ends at the
    /// deadline. The address slot is taken first, so a probe queued behind a
    /// busy server holds no global slot that other servers' probes could use.
    pub async fn connect(&self, deadline: Deadline) -> Result<ProbeStream, ConnectError> {
        let lent = self
            .lent
            .as_ref()
            .and_then(|l| l.lock().unwrap_or_else(|e| e.into_inner()).take());
        self.connect_with(lent, deadline).await
    }

    /// The addresses' indices in the order a connection dials them: in the
    /// resolver's order, except that an address this probe found silent
    /// (a connect timed out, none succeeded) goes last. A host whose first
    /// address does not answer (an AAAA record whose route drops packets,
    /// one of two servers down) thus costs one connect timeout per probe,
    /// in its first round, instead of one per connection.
    fn dialling_order(&self) -> Vec<usize> {
        let heard = self.heard.borrow();
        let silent = |i: &usize| heard.get(*i) == Some(&Heard::Silent);
        let (quiet, live): (Vec<usize>, Vec<usize>) = (0..self.addresses.len()).partition(silent);
        live.into_iter().chain(quiet).collect()
    }

    /// `first`: the first address's slot, when already held (given back
    /// when that address is not the one dialled first).
    async fn connect_with(
        &self,
        mut first: Option<Slot>,
        deadline: Deadline,
    ) -> Result<ProbeStream, ConnectError> {
        let mut last = no_address();
        let order = self.dialling_order();
        if order.first() != Some(&0) {
            first = None;
        }
        for i in order {
            let (Some(addr), Some(host)) = (self.addresses.get(i), self.hosts.get(i)) else {
                continue;
            };
            let held = if i == 0 { first.take() } else { None };
            let host_slot = match held {
                Some(slot) => slot,
                None => deadline
                    .run(self.slot(host))
                    .await
                    .map_err(|t| no_slot(&t.to_string()))?,
            };
            let global_slot =
                wait_for_slot(&self.limits.global, deadline, "(MAILPROBE_MAX_CONNECTIONS)").await?;
            match self.dial(i, *addr, deadline).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    self.meter.connections.fetch_add(1, Ordering::Relaxed);
                    return Ok(ProbeStream {
                        inner: stream,
                        meter: Arc::clone(&self.meter),
                        _slots: (host_slot, global_slot),
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// One TCP connect to address `i`, within [`CONNECT_TIMEOUT`]; given up
    /// at once when another connect of this probe finds the address silent
    /// meanwhile (it waited as long: this one would only wait it out again).
    async fn dial(
        &self,
        i: usize,
        addr: SocketAddr,
        deadline: Deadline,
    ) -> Result<TcpStream, ConnectError> {
        let attempt = deadline.within(CONNECT_TIMEOUT);
        // When the probe's own deadline, not the connect limit, cuts the
        // attempt short, the silence says nothing about the port: earlier
        // steps (a server that holds connections open) used the time.
        let cut_by_probe_deadline = attempt.instant() == deadline.instant();
        let mut heard = self.heard.subscribe();
        let found_silent = async move {
            let silent = heard
                .wait_for(|h| h.get(i) == Some(&Heard::Silent))
                .await
                .is_ok();
            if !silent {
                // The sender lives in `self`: not reached while it does.
                std::future::pending::<()>().await;
            }
        };
        let outcome = tokio::select! {
            outcome = attempt.run(TcpStream::connect(addr)) => outcome,
            () = found_silent => return Err(silent_address(addr)),
        };
        match outcome {
            Ok(Ok(stream)) => {
                self.hear(i, Heard::Answered);
                Ok(stream)
            }
            Ok(Err(e)) => Err(classify_connect_error(addr, &e)),
            Err(t) if cut_by_probe_deadline => Err(ConnectError {
                kind: ErrorKind::Timeout,
                message: format!(
                    "probe deadline reached before the TCP connect to {addr} completed ({t}; earlier steps used the time)"
                ),
            }),
            Err(_) => {
                self.hear(i, Heard::Silent);
                Err(silent_address(addr))
            }
        }
    }

    /// Records what a connect to address `i` met: an answer stands (a later
    /// timeout there is loss, not silence).
    fn hear(&self, i: usize, what: Heard) {
        self.heard.send_if_modified(|h| match h.get_mut(i) {
            Some(now) if *now != Heard::Answered && *now != what => {
                *now = what;
                true
            }
            _ => false,
        });
    }
}

/// An address that left a connect of the probe unanswered for the whole
/// [`CONNECT_TIMEOUT`]: the same words for that connect and for those that
/// gave up on it meanwhile.
fn silent_address(addr: SocketAddr) -> ConnectError {
    ConnectError {
        kind: ErrorKind::Timeout,
        message: format!(
            "TCP connect to {addr}: no answer within {} ms (filtered, or the host is down)",
            CONNECT_TIMEOUT.as_millis()
        ),
    }
}

fn no_address() -> ConnectError {
    ConnectError {
        kind: ErrorKind::Dns,
        message: "no address to connect to".into(),
    }
}

fn no_slot(waited: &str) -> ConnectError {
    ConnectError {
        kind: ErrorKind::Timeout,
        message: format!("no free connection slot for this target before the deadline ({waited})"),
    }
}

async fn wait_for_slot(
    slots: &Arc<Semaphore>,
    deadline: Deadline,
    whose: &str,
) -> Result<OwnedSemaphorePermit, ConnectError> {
    deadline
        .run(Arc::clone(slots).acquire_owned())
        .await
        .map_err(|t| ConnectError {
            kind: ErrorKind::Timeout,
            message: format!("no free connection slot {whose} before the deadline ({t})"),
        })?
        .map_err(|_| ConnectError {
            kind: ErrorKind::Io,
            message: "connection slots closed".into(),
        })
}

fn classify_connect_error(addr: SocketAddr, e: &io::Error) -> ConnectError {
    use io::ErrorKind as K;
    let (kind, what) = match e.kind() {
        K::ConnectionRefused => (
            ErrorKind::Refused,
            "connection refused (nothing listens on the port, or a firewall rejects)",
        ),
        K::ConnectionReset | K::ConnectionAborted => (ErrorKind::Reset, "connection reset"),
        K::TimedOut => (ErrorKind::Timeout, "timed out"),
        _ => (ErrorKind::Io, "failed"),
    };
    ConnectError {
        kind,
        message: format!("TCP connect to {addr}: {what}: {e}"),
    }
}

/// The IPv4 address an IPv6 address carries and reaches: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, not `::` or `::1`), the
/// NAT64 well-known prefix (`64:ff9b::/96`) and 6to4 (`2002::/16`). An IPv4
/// address is its own. Deny lists and per-target caps compare this one.
pub fn embedded_ipv4(ip: IpAddr) -> Option<Ipv4Addr> {
    let v6 = match ip {
        IpAddr::V4(v4) => return Some(v4),
        IpAddr::V6(v6) => v6,
    };
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(mapped) = v6.to_ipv4_mapped() {
        return Some(mapped);
    }
    match s {
        [0, 0, 0, 0, 0, 0, hi, lo] if !v6.is_unspecified() && !v6.is_loopback() => Some(v4(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn a_silent_address_is_dialled_last_and_an_answered_one_never_turns_silent() {
        let addresses = vec![
            SocketAddr::from(([127, 0, 0, 1], 1)),
            SocketAddr::from(([127, 0, 0, 2], 1)),
            SocketAddr::from(([127, 0, 0, 3], 1)),
        ];
        let connector = Connector::new(addresses, 4, Arc::new(Meter::default()));
        assert_eq!(connector.dialling_order(), vec![0, 1, 2]);
        connector.hear(0, Heard::Silent);
        assert_eq!(connector.dialling_order(), vec![1, 2, 0]);
        // One connect answered: a later timeout there is loss, not silence.
        connector.hear(1, Heard::Answered);
        connector.hear(1, Heard::Silent);
        assert_eq!(connector.dialling_order(), vec![1, 2, 0]);
        // Copies share what was heard.
        assert_eq!(
            connector.at(Priority::Aside).dialling_order(),
            vec![1, 2, 0]
        );
    }

    #[tokio::test]
    async fn counts_bytes_and_connections() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            s.write_all(b"hello").await.unwrap();
            let mut b = [0u8; 3];
            s.read_exact(&mut b).await.unwrap();
        });
        let meter = Arc::new(Meter::default());
        let c = Connector::new(vec![addr], 1, Arc::clone(&meter));
        let mut s = c
            .connect(Deadline::after(Duration::from_secs(2)))
            .await
            .unwrap();
        let mut b = [0u8; 5];
        s.read_exact(&mut b).await.unwrap();
        s.write_all(b"abc").await.unwrap();
        let st = meter.snapshot();
        assert_eq!(
            (st.connections, st.bytes_received, st.bytes_sent),
            (1, 5, 3)
        );
    }

    #[tokio::test]
    async fn refused_is_classified() {
        // Bind then drop to get a port with (almost certainly) no listener.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let c = Connector::new(vec![addr], 1, Arc::default());
        let err = c
            .connect(Deadline::after(Duration::from_secs(2)))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Refused);
    }

    #[tokio::test]
    async fn cap_limits_open_connections() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        });
        let c = Connector::new(vec![addr], 1, Arc::default());
        let first = c
            .connect(Deadline::after(Duration::from_secs(2)))
            .await
            .unwrap();
        let second = c.connect(Deadline::after(Duration::from_millis(200))).await;
        assert_eq!(second.unwrap_err().kind, ErrorKind::Timeout);
        drop(first);
        assert!(
            c.connect(Deadline::after(Duration::from_secs(2)))
                .await
                .is_ok()
        );
    }

    async fn holding_listener() -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        });
        addr
    }

    /// Given two probes of the same server, when the first holds all the
    /// address's slots, then the second waits: the cap is the server's, not
    /// the probe's.
    #[tokio::test]
    async fn probes_of_one_address_share_its_slots() {
        let addr = holding_listener().await;
        let limits = ConnectionLimits::new(100, 2);
        let a = Connector::shared(vec![addr], &limits, Arc::default());
        let b = Connector::shared(vec![addr], &limits, Arc::default());
        let long = || Deadline::after(Duration::from_secs(2));
        let _a1 = a.connect(long()).await.unwrap();
        let _a2 = a.connect(long()).await.unwrap();
        let blocked = b.connect(Deadline::after(Duration::from_millis(150))).await;
        assert_eq!(blocked.unwrap_err().kind, ErrorKind::Timeout);
        // Another address (here: another loopback IP) has slots of its own.
        let other = SocketAddr::new([127, 0, 0, 2].into(), addr.port());
        let c = Connector::shared(vec![other], &limits, Arc::default());
        let _ = c.connect(Deadline::after(Duration::from_millis(500))).await;
        assert_eq!(
            limits.in_flight(),
            2 + usize::from(c.meter().snapshot().connections == 1)
        );
        drop(_a1);
        assert!(b.connect(long()).await.is_ok());
    }

    /// Given a cap of one slot held by its owner, when the owner lends it,
    /// then a connection through the borrowing copy uses it (no wait, no
    /// second slot), the slot comes back to the owner when that connection
    /// closes, and the owner connects on it; the cap holds throughout.
    #[tokio::test]
    async fn a_lent_slot_serves_one_connection_and_comes_back() {
        let addr = holding_listener().await;
        let c = Connector::new(vec![addr], 1, Arc::default());
        let dl = || Deadline::after(Duration::from_secs(2));
        let held = c.hold(dl()).await.unwrap();
        let (lent, mut back) = held.lend();
        let borrower = c.lending(lent);
        let stream = borrower.connect(dl()).await.expect("on the lent slot");
        let blocked = c.connect(Deadline::after(Duration::from_millis(100))).await;
        assert_eq!(blocked.unwrap_err().kind, ErrorKind::Timeout, "one slot");
        let early = tokio::time::timeout(Duration::from_millis(50), &mut back).await;
        assert!(early.is_err(), "not back while the connection is open");
        drop(stream);
        let slot = tokio::time::timeout(Duration::from_secs(2), back)
            .await
            .expect("back when the connection closed")
            .expect("a slot");
        let pool = c.hold(Deadline::after(Duration::from_millis(100))).await;
        assert!(pool.is_err(), "back with its owner, not in the pool");
        let again = c
            .connect_on(slot, dl())
            .await
            .expect("the owner connects on it");
        drop(again);
        assert!(c.hold(dl()).await.is_ok(), "and it ends in the pool");
    }

    /// Once a probe's chains are over, its trials are no longer held to
    /// half the slots: one queued before is let through at once, and so are
    /// new ones; another probe of the address keeps the half cap.
    #[tokio::test]
    async fn after_the_chains_the_half_cap_is_lifted_for_that_probe_only() {
        let addr = holding_listener().await;
        let limits = ConnectionLimits::new(100, 4);
        let a = Connector::shared(vec![addr], &limits, Arc::default());
        let aside = a.at(Priority::Aside);
        let long = || Deadline::after(Duration::from_secs(2));
        let _held = [
            aside.connect(long()).await.unwrap(),
            aside.connect(long()).await.unwrap(),
        ];
        // Two slots free, but trials hold their half: a third waits.
        let queued = tokio::spawn({
            let aside = aside.clone();
            async move { aside.connect(long()).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!queued.is_finished());
        let other = Connector::shared(vec![addr], &limits, Arc::default()).at(Priority::Aside);
        a.chains_over();
        let third = queued.await.unwrap().unwrap();
        // The other probe's trials still wait for the half cap (two of
        // three held slots are trials).
        let blocked = other
            .connect(Deadline::after(Duration::from_millis(150)))
            .await;
        assert_eq!(blocked.unwrap_err().kind, ErrorKind::Timeout);
        // This probe's next trial takes the last slot.
        let fourth = aside.connect(long()).await;
        assert!(fourth.is_ok());
        drop(third);
    }

    /// The global cap holds across addresses.
    #[tokio::test]
    async fn global_cap_spans_targets() {
        let addr = holding_listener().await;
        let limits = ConnectionLimits::new(1, 4);
        let a = Connector::shared(vec![addr], &limits, Arc::default());
        let b = Connector::shared(
            vec![SocketAddr::new([127, 0, 0, 3].into(), addr.port())],
            &limits,
            Arc::default(),
        );
        let held = a
            .connect(Deadline::after(Duration::from_secs(2)))
            .await
            .unwrap();
        let err = b
            .connect(Deadline::after(Duration::from_millis(150)))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Timeout);
        assert!(
            err.message.contains("MAILPROBE_MAX_CONNECTIONS"),
            "{}",
            err.message
        );
        drop(held);
        assert_eq!(limits.in_flight(), 0);
    }

    /// Issue 15: `::ffff:127.0.0.1`, `64:ff9b::7f00:1` and `2002:7f00:1::`
    /// reach 127.0.0.1, so they count against its cap (before, each
    /// spelling had a cap of its own).
    #[test]
    fn ipv6_spellings_of_an_ipv4_address_share_its_slots() {
        let limits = ConnectionLimits::new(100, 2);
        let v4 = limits.host([127, 0, 0, 1].into());
        for spelling in ["::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::9"] {
            let ip: IpAddr = spelling.parse().unwrap();
            assert!(Arc::ptr_eq(&v4, &limits.host(ip)), "{spelling}");
        }
        assert!(!Arc::ptr_eq(&v4, &limits.host("::1".parse().unwrap())));
    }
}
