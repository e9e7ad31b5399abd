//! Misbehaving servers on 127.0.0.1:0: each connection runs one scripted
//! misbehaviour (silence, floods, lying lengths, resets, ...). The probe
//! opens many connections (dialogue, scanner, real handshakes); every one
//! meets the same server.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct Hostile {
    pub addr: SocketAddr,
    pub port: u16,
}

/// Serves `behaviour` on every accepted connection, each in its own task.
pub async fn spawn<F, Fut>(behaviour: F) -> Hostile
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let behaviour = Arc::new(behaviour);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let behaviour = Arc::clone(&behaviour);
            tokio::spawn(async move { behaviour(stream).await });
        }
    });
    Hostile {
        addr,
        port: addr.port(),
    }
}

/// Reads whatever the client sends until it hangs up (or 30 s pass), so a
/// test's connection stays open as long as the client wants it.
pub async fn drain(mut s: TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(n) = s.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// Reads until the client has sent at least one TLS record header's worth
/// (the ClientHello, or the STARTTLS command line).
pub async fn read_some(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    matches!(
        tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await,
        Ok(Ok(n)) if n > 0
    )
}

/// Writes `total` bytes of `byte` in 64 KiB chunks, stopping when the client
/// hangs up.
pub async fn flood(s: &mut TcpStream, byte: u8, total: usize) -> usize {
    let chunk = vec![byte; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let n = chunk.len().min(total - sent);
        if s.write_all(&chunk[..n]).await.is_err() {
            break;
        }
        sent += n;
    }
    sent
}

/// Closes with a TCP RST instead of a FIN.
#[allow(deprecated)] // a zero linger does not block on drop: it sends RST at once
pub fn reset(s: TcpStream) {
    let _ = s.set_linger(Some(Duration::ZERO));
    drop(s);
}

/// A TLS record header: type, version, length.
pub fn record_header(content_type: u8, len: u16) -> [u8; 5] {
    let l = len.to_be_bytes();
    [content_type, 0x03, 0x03, l[0], l[1]]
}

/// The first part of a plausible TLS 1.2 ServerHello record (the record
/// claims 74 bytes; `take` of them are sent).
pub fn partial_server_hello(take: usize) -> Vec<u8> {
    let mut body = vec![0x02, 0x00, 0x00, 0x46, 0x03, 0x03];
    body.extend_from_slice(&[0x11; 32]); // random
    body.push(32);
    body.extend_from_slice(&[0x22; 32]); // session id
    body.extend_from_slice(&[0xC0, 0x2F, 0x00]); // suite, compression
    let mut out = record_header(0x16, body.len() as u16).to_vec();
    out.extend_from_slice(&body[..take.min(body.len())]);
    out
}
