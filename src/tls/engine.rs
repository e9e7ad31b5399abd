//! One stream type for the mail dialogue over either TLS engine: rustls
//! (what a modern client gets) or OpenSSL (the legacy engine, which reaches
//! anything). The dialogue never cares which carries it; the Report says
//! which did (`mail.tls.engine`).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::legacy::ReadBounded;

/// A TLS client stream from either engine.
pub enum TlsConn<S> {
    Modern(Box<tokio_rustls::client::TlsStream<S>>),
    Legacy(Box<tokio_openssl::SslStream<ReadBounded<S>>>),
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsConn<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            TlsConn::Modern(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            TlsConn::Legacy(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsConn<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            TlsConn::Modern(s) => Pin::new(s.as_mut()).poll_write(cx, data),
            TlsConn::Legacy(s) => Pin::new(s.as_mut()).poll_write(cx, data),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            TlsConn::Modern(s) => Pin::new(s.as_mut()).poll_flush(cx),
            TlsConn::Legacy(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            TlsConn::Modern(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            TlsConn::Legacy(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
