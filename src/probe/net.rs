//! Connections to the target: deadlines, a connection cap, and byte counts.
//!
//! Every probe step opens its connections through [`Connector::connect`], so
//! the per-target cap, the statistics and the deadline apply to all of them
//! (the mail dialogue, the wire scanner, the real handshakes).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::report::{ErrorKind, Stats};

/// The moment a probe must be finished by. Each step runs under
/// `min(step limit, time left)`, so a slow step cannot eat the whole budget
/// unnoticed and no step outlives the probe.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

/// A step ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {ms} ms")]
pub struct TimedOut {
    pub ms: u64,
}

impl Deadline {
    pub fn after(d: Duration) -> Deadline {
        Deadline(Instant::now() + d)
    }

    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }

    /// The earlier of this deadline and `now + limit`.
    pub fn within(&self, limit: Duration) -> Deadline {
        Deadline(self.0.min(Instant::now() + limit))
    }

    pub fn instant(&self) -> Instant {
        self.0
    }

    /// Runs `fut` until this deadline.
    pub async fn run<F: Future>(&self, fut: F) -> Result<F::Output, TimedOut> {
        let budget = self.remaining();
        tokio::time::timeout_at(self.0, fut)
            .await
            .map_err(|_| TimedOut {
                ms: budget.as_millis() as u64,
            })
    }
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
        }
    }
}

/// A TCP stream that counts its bytes into the probe's [`Meter`] and holds a
/// slot of the per-target connection cap until dropped.
#[derive(Debug)]
pub struct ProbeStream {
    inner: TcpStream,
    meter: Arc<Meter>,
    _slot: OwnedSemaphorePermit,
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

/// Opens connections to one target's checked addresses.
#[derive(Debug, Clone)]
pub struct Connector {
    /// Addresses already checked against the target policy; nothing else is dialled.
    addresses: Arc<[SocketAddr]>,
    slots: Arc<Semaphore>,
    meter: Arc<Meter>,
}

/// How long one TCP connect attempt may take at most.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl Connector {
    pub fn new(addresses: Vec<SocketAddr>, per_target: usize, meter: Arc<Meter>) -> Connector {
        Connector {
            addresses: addresses.into(),
            slots: Arc::new(Semaphore::new(per_target.max(1))),
            meter,
        }
    }

    pub fn meter(&self) -> &Arc<Meter> {
        &self.meter
    }

    pub fn addresses(&self) -> &[SocketAddr] {
        &self.addresses
    }

    /// Connects to the first address that answers, waiting for a free slot
    /// of the per-target cap first. Both waits end at the deadline.
    pub async fn connect(&self, deadline: Deadline) -> Result<ProbeStream, ConnectError> {
        let slot = deadline
            .run(Arc::clone(&self.slots).acquire_owned())
            .await
            .map_err(|t| ConnectError {
                kind: ErrorKind::Timeout,
                message: format!(
                    "no free connection slot for this target before the deadline ({t})"
                ),
            })?
            .map_err(|_| ConnectError {
                kind: ErrorKind::Io,
                message: "connection slots closed".into(),
            })?;
        let mut last = ConnectError {
            kind: ErrorKind::Dns,
            message: "no address to connect to".into(),
        };
        for addr in self.addresses.iter() {
            let attempt = deadline.within(CONNECT_TIMEOUT);
            // When the probe's own deadline, not the connect limit, cuts the
            // attempt short, the silence says nothing about the port: earlier
            // steps (a server that holds connections open) used the time.
            let cut_by_probe_deadline = attempt.instant() == deadline.instant();
            match attempt.run(TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    self.meter.connections.fetch_add(1, Ordering::Relaxed);
                    return Ok(ProbeStream {
                        inner: stream,
                        meter: Arc::clone(&self.meter),
                        _slot: slot,
                    });
                }
                Ok(Err(e)) => last = classify_connect_error(*addr, &e),
                Err(t) if cut_by_probe_deadline => {
                    last = ConnectError {
                        kind: ErrorKind::Timeout,
                        message: format!(
                            "probe deadline reached before the TCP connect to {addr} completed ({t}; earlier steps used the time)"
                        ),
                    }
                }
                Err(t) => {
                    last = ConnectError {
                        kind: ErrorKind::Timeout,
                        message: format!(
                            "TCP connect to {addr} {t} (no answer: filtered, or the host is down)"
                        ),
                    }
                }
            }
        }
        Err(last)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
}
