//! Hostile servers on the legacy path (issue 14): each answers every
//! ClientHello with a TLS 1.0 ServerHello, so the scan sees a TLS 1.0
//! server, rustls gives up and the legacy (OpenSSL) engine is tried; then
//! it misbehaves inside the handshake. For each: a Report within the
//! deadline, bounded memory and reads, the legacy failure named, no panic
//! (the checks of [`crate::hostile::probe`]).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::hostile::{Outcome, probe};
use crate::support::app::spawn_app;
use crate::support::hostile_servers::{self as hs, drain, reset};

/// Reads the ClientHello and answers with a TLS 1.0 ServerHello choosing
/// the first suite offered (no extensions); `false` when the client sent
/// nothing usable.
async fn tls10_server_hello(s: &mut TcpStream) -> bool {
    let mut buf = vec![0u8; 16 * 1024];
    let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await else {
        return false;
    };
    let hello = buf.get(..n).unwrap_or_default();
    let Some(suite) = first_suite(hello) else {
        return false;
    };
    let mut body = vec![0x02, 0x00, 0x00, 0x26, 0x03, 0x01];
    body.extend_from_slice(&[0x11; 32]);
    body.push(0); // no session id
    body.extend_from_slice(&suite);
    body.push(0); // no compression
    let mut record = vec![0x16, 0x03, 0x01, 0x00, body.len() as u8];
    record.extend_from_slice(&body);
    s.write_all(&record).await.is_ok()
}

/// A suite of the ClientHello that TLS 1.0 can carry (AES128-SHA,
/// AES256-SHA or DES-CBC3-SHA, whichever comes first), else its first
/// suite that is not an SCSV (rustls offers no TLS 1.0 suite; it refuses
/// the version anyway).
fn first_suite(record: &[u8]) -> Option<[u8; 2]> {
    // record header 5, handshake header 4, version 2, random 32
    let sid_len = *record.get(43)? as usize;
    let at = 44 + sid_len;
    let len = u16::from_be_bytes([*record.get(at)?, *record.get(at + 1)?]) as usize;
    let list = record.get(at + 2..at + 2 + len)?;
    let suites: Vec<[u8; 2]> = list.chunks_exact(2).map(|c| [c[0], c[1]]).collect();
    suites
        .iter()
        .find(|c| [[0x00, 0x2F], [0x00, 0x35], [0x00, 0x0A]].contains(c))
        .or_else(|| {
            suites
                .iter()
                .find(|c| **c != [0x00, 0xFF] && **c != [0x56, 0x00])
        })
        .copied()
}

/// A Certificate handshake message header claiming `len` bytes, in a record.
fn certificate_header(len: u32) -> Vec<u8> {
    let l = len.to_be_bytes();
    vec![0x16, 0x03, 0x01, 0x00, 0x04, 0x0b, l[1], l[2], l[3]]
}

/// rustls was tried and failed, or the scan ruled it out before (a TLS 1.2
/// hello answered with TLS 1.0: the legacy engine from the start, and the
/// TLS 1.2 real handshake not run for that reason).
fn assert_modern_ruled_out(out: &Outcome) {
    let tried = out.has_error("tls_handshake", "tls", "");
    let ruled_out = out.report["tls"]["handshakes"]
        .as_array()
        .is_some_and(|runs| {
            runs.iter().any(|r| {
                r["offered"] == "TLSv1.2"
                    && r["error"].as_str().is_some_and(|e| {
                        e.starts_with("not run: the wire scan found TLSv1.2 not accepted")
                    })
            })
        });
    assert!(
        tried || ruled_out,
        "neither a failed rustls handshake nor the scan's refusal of TLS 1.2: {:#?} {:#}",
        out.errors(),
        out.report["tls"]["handshakes"]
    );
}

fn assert_legacy_failed(out: &Outcome, text: &str) {
    assert_modern_ruled_out(out);
    assert!(
        out.errors()
            .iter()
            .any(|(s, _, m)| s == "legacy_tls_handshake" && m.contains(text))
            // A stall may also end at the probe's own deadline.
            || (text == "timed out" && out.has_error("probe", "timeout", "")),
        "expected the legacy handshake to fail with {text:?}: {:#?}",
        out.errors()
    );
    assert!(out.report["mail"]["tls"].is_null());
    assert!(out.report["mail"]["greeting"].is_null());
}

#[tokio::test]
async fn garbage_after_a_tls10_server_hello_fails_the_legacy_handshake() {
    let server = hs::spawn(|mut s| async move {
        if tls10_server_hello(&mut s).await {
            let _ = s.write_all(&[0xAB; 4096]).await;
        }
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert_legacy_failed(&out, "legacy (OpenSSL) TLS handshake failed");
}

#[tokio::test]
async fn silence_after_a_tls10_server_hello_is_a_legacy_timeout() {
    let server = hs::spawn(|mut s| async move {
        tls10_server_hello(&mut s).await;
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert_legacy_failed(&out, "timed out");
}

#[tokio::test]
async fn a_certificate_dripped_byte_by_byte_is_a_legacy_timeout() {
    let server = hs::spawn(|mut s| async move {
        if tls10_server_hello(&mut s).await {
            // One record holding a 3000-byte Certificate message, dripped.
            let _ = s
                .write_all(&[0x16, 0x03, 0x01, 0x0B, 0xBC, 0x0b, 0x00, 0x0B, 0xB8])
                .await;
            for _ in 0..100 {
                if s.write_all(&[0x30]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert_legacy_failed(&out, "timed out");
}

#[tokio::test]
async fn a_huge_record_is_refused_unread() {
    let server = hs::spawn(|mut s| async move {
        if tls10_server_hello(&mut s).await {
            let _ = s.write_all(&[0x16, 0x03, 0x01, 0xFF, 0xFF]).await;
            hs::flood(&mut s, 0x42, 8 * 1024 * 1024).await;
        }
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert_legacy_failed(&out, "legacy (OpenSSL) TLS handshake failed");
    assert!(
        out.report["stats"]["bytes_received"].as_u64().unwrap() < 4 * 1024 * 1024,
        "{}",
        out.report["stats"]
    );
}

/// A certificate list larger than any real one: OpenSSL's own cap on the
/// Certificate message refuses it.
#[tokio::test]
async fn a_certificate_list_of_16_mb_is_refused() {
    let server = hs::spawn(|mut s| async move {
        if tls10_server_hello(&mut s).await {
            let _ = s.write_all(&certificate_header(0xFF_FFFF)).await;
            let record = [&[0x16, 0x03, 0x01, 0x40, 0x00][..], &[0x30; 0x4000][..]].concat();
            for _ in 0..1024 {
                if s.write_all(&record).await.is_err() {
                    return;
                }
            }
        }
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert_legacy_failed(&out, "legacy (OpenSSL) TLS handshake failed");
    assert!(
        out.report["stats"]["bytes_received"].as_u64().unwrap() < 4 * 1024 * 1024,
        "{}",
        out.report["stats"]
    );
}

/// An endless stream of well-formed handshake messages OpenSSL skips
/// (HelloRequest, RFC 5246 §7.4.1.1): only the engine's read bound stops it.
#[tokio::test]
async fn endless_hello_requests_hit_the_legacy_read_bound() {
    let server = hs::spawn(|mut s| async move {
        if tls10_server_hello(&mut s).await {
            let mut record = vec![0x16, 0x03, 0x01, 0x40, 0x00];
            record.extend(std::iter::repeat_n(0u8, 0x4000));
            for _ in 0..4096 {
                if s.write_all(&record).await.is_err() {
                    return;
                }
            }
        }
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert_legacy_failed(&out, "bytes during the handshake");
    assert!(
        out.report["stats"]["bytes_received"].as_u64().unwrap() < 4 * 1024 * 1024,
        "{}",
        out.report["stats"]
    );
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_certificate_is_a_legacy_failure() {
    let server = hs::spawn(|mut s| async move {
        if tls10_server_hello(&mut s).await {
            let _ = s.write_all(&certificate_header(3000)).await;
            let _ = s.write_all(&[0x30; 100]).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        reset(s);
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "implicit").await;
    assert_legacy_failed(&out, "legacy (OpenSSL) TLS handshake failed");
}

/// The IMAP plaintext part up to an accepted STARTTLS, a byte at a time so
/// the ClientHello after it stays unread; `false` when the client left.
async fn imap_until_starttls(s: &mut TcpStream) -> bool {
    if s.write_all(b"* OK IMAP ready.\r\n").await.is_err() {
        return false;
    }
    loop {
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while line.len() < 1024 {
            match tokio::time::timeout(Duration::from_secs(10), s.read(&mut b)).await {
                Ok(Ok(1)) if b[0] == b'\n' => break,
                Ok(Ok(1)) => line.push(b[0]),
                _ => return false,
            }
        }
        let text = String::from_utf8_lossy(&line).trim().to_string();
        let mut words = text.splitn(2, ' ');
        let tag = words.next().unwrap_or("*").to_string();
        let cmd = words.next().unwrap_or("").to_ascii_uppercase();
        let out = match cmd.as_str() {
            "CAPABILITY" => {
                format!("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n{tag} OK done\r\n")
            }
            "STARTTLS" => format!("{tag} OK Begin TLS negotiation now.\r\n"),
            _ => format!("{tag} BAD unknown\r\n"),
        };
        if s.write_all(out.as_bytes()).await.is_err() {
            return false;
        }
        if cmd == "STARTTLS" {
            return true;
        }
    }
}

/// The legacy retry behind STARTTLS meets the same flood: the plaintext
/// part is repeated on the new connection, the handshake is bounded.
#[tokio::test]
async fn a_hello_request_flood_after_starttls_hits_the_legacy_read_bound() {
    let server = hs::spawn(|mut s| async move {
        if imap_until_starttls(&mut s).await && tls10_server_hello(&mut s).await {
            let mut record = vec![0x16, 0x03, 0x01, 0x40, 0x00];
            record.extend(std::iter::repeat_n(0u8, 0x4000));
            for _ in 0..4096 {
                if s.write_all(&record).await.is_err() {
                    return;
                }
            }
        }
        drain(s).await;
    })
    .await;
    let app = spawn_app().await;
    let out = probe(&app, server.port, "starttls").await;
    assert_modern_ruled_out(&out);
    assert!(
        out.errors().iter().any(
            |(s, _, m)| s == "legacy_tls_handshake" && m.contains("bytes during the handshake")
        ),
        "{:#?}",
        out.errors()
    );
    // The plaintext facts of both passes stand.
    assert_eq!(out.report["mail"]["greeting"], "* OK IMAP ready.");
    assert_eq!(out.report["mail"]["starttls"]["accepted"], true);
    assert!(out.report["mail"]["tls"].is_null());
    assert!(
        out.report["stats"]["bytes_received"].as_u64().unwrap() < 4 * 1024 * 1024,
        "{}",
        out.report["stats"]
    );
}
