//! A cap on what a handshake may read: a server that floods the legacy
//! engine with certificates or endless handshake records is cut off after
//! [`HANDSHAKE_READ_LIMIT`] bytes instead of growing memory or spending the
//! whole probe budget. The cap is lifted once the handshake has finished;
//! the mail dialogue bounds its own lines.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Bytes a legacy handshake may read at most. Real handshakes are a few
/// KiB (a long chain with big RSA keys stays well under 32 KiB); OpenSSL's
/// own certificate-list cap is 100 KiB. Four times that is generous for any
/// real server and still small.
pub const HANDSHAKE_READ_LIMIT: u64 = 400 * 1024;

/// An `AsyncRead + AsyncWrite` that fails reads with `InvalidData` once more
/// than `limit` bytes have been read, while a limit is set.
#[derive(Debug)]
pub struct ReadBounded<S> {
    inner: S,
    read: u64,
    limit: Option<u64>,
}

impl<S> ReadBounded<S> {
    pub fn new(inner: S, limit: u64) -> ReadBounded<S> {
        ReadBounded {
            inner,
            read: 0,
            limit: Some(limit),
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Whether the cap was reached.
    pub fn exhausted(&self) -> bool {
        self.limit.is_some_and(|l| self.read >= l)
    }

    /// Removes the cap (after the handshake).
    pub fn lift(&mut self) {
        self.limit = None;
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ReadBounded<S> {
    /// Counts what each read brings; once the count has reached the cap, the
    /// next read fails. One read can overshoot the cap by at most the
    /// caller's buffer (OpenSSL reads a record at a time), so memory stays
    /// bounded either way.
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(limit) = this.limit
            && this.read >= limit
        {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the server sent more than {limit} bytes during the handshake"),
            )));
        }
        let before = buf.filled().len();
        let res = Pin::new(&mut this.inner).poll_read(cx, buf);
        let got = buf.filled().len().saturating_sub(before);
        this.read = this.read.saturating_add(got as u64);
        res
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ReadBounded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
