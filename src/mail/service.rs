//! What answered on the port: the expected mail service, or something else.
//!
//! A migration endpoint pointed at the wrong port is as common as a TLS
//! problem, and clients report it badly (OpenSSL says `wrong version number`,
//! a plaintext client just times out). The first bytes tell: a TLS record,
//! another protocol's banner, a refusal, silence. Classifying them is pure;
//! [`Recorded`] keeps the first bytes a TLS handshake consumed, so a failed
//! implicit-TLS handshake can still say that the server spoke plaintext.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::vocab::Protocol;

/// What the first bytes on a port showed, when they were not what the
/// requested protocol and transport expect. `banner` is the server's first
/// line, escaped and capped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceSeen {
    /// A TLS record arrived on a port probed as plaintext/STARTTLS: the port
    /// speaks implicit TLS.
    TlsOnPlaintextPort,
    /// Plaintext arrived where a TLS handshake was expected.
    PlaintextOnTlsPort {
        banner: String,
    },
    Imap {
        banner: String,
    },
    Pop3 {
        banner: String,
    },
    Smtp {
        banner: String,
    },
    Http {
        banner: String,
    },
    Ssh {
        banner: String,
    },
    /// Something else entirely.
    Unknown {
        banner: String,
    },
    /// Nothing arrived before the greeting deadline.
    Silent {
        waited_ms: u64,
    },
    /// The server closed the connection without a word.
    ClosedImmediately,
    /// `* BYE`, `-ERR` or `421` at connect: often a connection limit.
    RefusedAtGreeting {
        banner: String,
    },
}

/// TLS record content types a server may send first: alert (0x15) or
/// handshake (0x16), followed by a major version of 3 (SSLv3..TLS 1.3).
pub fn is_tls_record(first: &[u8]) -> bool {
    matches!(first, [0x15 | 0x16, 0x03, ..])
}

/// An SSLv2 record (2-byte header with the high bit set) carrying a
/// SERVER-HELLO (4) or an ERROR (0): a server that speaks only SSL 2.0
/// answers a TLS ClientHello like that. It is TLS's ancestor, not plaintext.
pub fn is_sslv2_record(first: &[u8]) -> bool {
    matches!(first, [b0, _, 0x04 | 0x00, ..] if b0 & 0x80 != 0)
}

/// The first line of what arrived, escaped, for quoting.
pub fn banner(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = &bytes[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    super::printable(&line[..line.len().min(200)])
}

/// Judges a server's first line against the protocol expected on the port.
/// `None`: the expected service answered and is willing to talk.
pub fn classify_banner(expected: Protocol, line: &[u8]) -> Option<ServiceSeen> {
    let banner = banner(line);
    let upper: Vec<u8> = line.iter().take(16).map(u8::to_ascii_uppercase).collect();
    let starts = |p: &[u8]| upper.starts_with(p);
    let imap_ok = starts(b"* OK") || starts(b"* PREAUTH");
    let smtp_code = line.len() >= 3 && line[..3].iter().all(u8::is_ascii_digit);
    match expected {
        Protocol::Imap if imap_ok => return None,
        Protocol::Imap if starts(b"* BYE") => {
            return Some(ServiceSeen::RefusedAtGreeting { banner });
        }
        Protocol::Pop3 if starts(b"+OK") => return None,
        Protocol::Pop3 if starts(b"-ERR") => {
            return Some(ServiceSeen::RefusedAtGreeting { banner });
        }
        // RFC 5321 §3.1: 220 greets; 554 (and 421) refuse at connect.
        Protocol::Smtp if starts(b"220") => return None,
        Protocol::Smtp if starts(b"421") || starts(b"554") => {
            return Some(ServiceSeen::RefusedAtGreeting { banner });
        }
        Protocol::Tls => return None,
        _ => {}
    }
    Some(if imap_ok || starts(b"* BYE") {
        ServiceSeen::Imap { banner }
    } else if starts(b"+OK") || starts(b"-ERR") {
        ServiceSeen::Pop3 { banner }
    } else if starts(b"HTTP/") {
        ServiceSeen::Http { banner }
    } else if starts(b"SSH-") {
        ServiceSeen::Ssh { banner }
    } else if smtp_code {
        // 220 is also FTP's greeting; the text usually says which.
        ServiceSeen::Smtp { banner }
    } else {
        ServiceSeen::Unknown { banner }
    })
}

/// One sentence naming what answered, for error messages.
pub fn describe(seen: &ServiceSeen) -> String {
    match seen {
        ServiceSeen::TlsOnPlaintextPort => {
            "the port speaks implicit TLS (a TLS record arrived instead of a greeting)".into()
        }
        ServiceSeen::PlaintextOnTlsPort { banner } => {
            format!("the port speaks plaintext, not TLS: \"{banner}\"")
        }
        ServiceSeen::Imap { banner } => format!("an IMAP server answered: \"{banner}\""),
        ServiceSeen::Pop3 { banner } => format!("a POP3 server answered: \"{banner}\""),
        ServiceSeen::Smtp { banner } => format!("an SMTP (or FTP) server answered: \"{banner}\""),
        ServiceSeen::Http { banner } => format!("an HTTP server answered: \"{banner}\""),
        ServiceSeen::Ssh { banner } => format!("an SSH server answered: \"{banner}\""),
        ServiceSeen::Unknown { banner } => {
            format!("the first line is not the greeting of the protocol probed: \"{banner}\"")
        }
        ServiceSeen::Silent { waited_ms } => format!("no greeting within {waited_ms} ms"),
        ServiceSeen::ClosedImmediately => {
            "the server closed the connection without a greeting".into()
        }
        ServiceSeen::RefusedAtGreeting { banner } => format!(
            "the server refused the connection at the greeting (often a connection limit): \"{banner}\""
        ),
    }
}

/// The first bytes a stream delivered, shared with whoever wrapped it.
#[derive(Debug, Clone, Default)]
pub struct FirstBytes(Arc<Mutex<Vec<u8>>>);

impl FirstBytes {
    /// How much of the start of the stream is kept.
    const KEEP: usize = 512;

    pub fn get(&self) -> Vec<u8> {
        self.0.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

/// A stream that remembers the first bytes it read.
#[derive(Debug)]
pub struct Recorded<S> {
    inner: S,
    first: FirstBytes,
}

impl<S> Recorded<S> {
    pub fn new(inner: S) -> (Recorded<S>, FirstBytes) {
        let first = FirstBytes::default();
        (
            Recorded {
                inner,
                first: first.clone(),
            },
            first,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        let new = &buf.filled()[before..];
        if !new.is_empty()
            && let Ok(mut kept) = self.first.0.lock()
            && kept.len() < FirstBytes::KEEP
        {
            let room = FirstBytes::KEEP - kept.len();
            kept.extend_from_slice(&new[..new.len().min(room)]);
        }
        res
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(p: Protocol, line: &str) -> Option<ServiceSeen> {
        classify_banner(p, line.as_bytes())
    }

    #[test]
    fn expected_greetings_pass() {
        assert_eq!(seen(Protocol::Imap, "* OK ready"), None);
        assert_eq!(seen(Protocol::Imap, "* PREAUTH hi"), None);
        assert_eq!(seen(Protocol::Pop3, "+OK Dovecot ready."), None);
        assert_eq!(seen(Protocol::Smtp, "220 mx ESMTP Postfix"), None);
        assert_eq!(seen(Protocol::Smtp, "220-mx ESMTP"), None);
    }

    #[test]
    fn other_services_are_named() {
        let b = |s: &str| s.to_string();
        assert_eq!(
            seen(Protocol::Imap, "+OK POP3 ready"),
            Some(ServiceSeen::Pop3 {
                banner: b("+OK POP3 ready")
            })
        );
        assert_eq!(
            seen(Protocol::Imap, "220 mx ESMTP\r\n"),
            Some(ServiceSeen::Smtp {
                banner: b("220 mx ESMTP")
            })
        );
        assert_eq!(
            seen(Protocol::Imap, "HTTP/1.1 400 Bad Request"),
            Some(ServiceSeen::Http {
                banner: b("HTTP/1.1 400 Bad Request")
            })
        );
        assert_eq!(
            seen(Protocol::Pop3, "SSH-2.0-OpenSSH_9.6"),
            Some(ServiceSeen::Ssh {
                banner: b("SSH-2.0-OpenSSH_9.6")
            })
        );
        assert_eq!(
            seen(Protocol::Smtp, "* OK IMAP4rev1"),
            Some(ServiceSeen::Imap {
                banner: b("* OK IMAP4rev1")
            })
        );
        assert_eq!(
            seen(Protocol::Imap, "\u{1b}garbage"),
            Some(ServiceSeen::Unknown {
                banner: b("\\u{1b}garbage")
            })
        );
    }

    #[test]
    fn refusals_at_greeting() {
        assert!(matches!(
            seen(Protocol::Imap, "* BYE Too many connections"),
            Some(ServiceSeen::RefusedAtGreeting { .. })
        ));
        assert!(matches!(
            seen(Protocol::Smtp, "421 4.7.0 try later"),
            Some(ServiceSeen::RefusedAtGreeting { .. })
        ));
        assert!(matches!(
            seen(Protocol::Pop3, "-ERR busy"),
            Some(ServiceSeen::RefusedAtGreeting { .. })
        ));
    }

    #[test]
    fn tls_records_are_recognised() {
        assert!(is_tls_record(&[0x16, 0x03, 0x01, 0x00, 0x5a]));
        assert!(is_tls_record(&[0x15, 0x03, 0x03]));
        assert!(!is_tls_record(b"* OK"));
        assert!(!is_tls_record(&[0x16]));
    }
}
