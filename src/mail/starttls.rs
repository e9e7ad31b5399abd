//! The STARTTLS prelude: the one small interface every TLS probe over a
//! plaintext port (IMAP 143, POP3 110, SMTP 25/587) calls before its TLS
//! bytes. It takes a fresh connection to the point where TLS starts, and
//! nothing more: the full dialogue (capabilities, software, login) is the
//! mail probe's business, not each scanner connection's.

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::line::{LineError, LineLimits, LineReader};
use super::service::{self, ServiceSeen};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, Protocol};

/// Why a connection could not be brought to the TLS start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PreludeError {
    pub kind: ErrorKind,
    pub message: String,
    /// What the server said last, verbatim (escaped).
    pub server_said: Option<String>,
}

impl PreludeError {
    fn new(kind: ErrorKind, message: impl Into<String>, said: Option<&[u8]>) -> PreludeError {
        PreludeError {
            kind,
            message: message.into(),
            server_said: said.map(super::printable),
        }
    }
}

fn line_error(step: &str, e: LineError) -> PreludeError {
    let kind = match &e {
        LineError::Timeout { .. } => ErrorKind::Timeout,
        LineError::Closed { .. } => ErrorKind::Reset,
        LineError::TooLong { .. } | LineError::TotalExceeded { .. } => ErrorKind::Limit,
        _ => ErrorKind::Io,
    };
    PreludeError::new(kind, format!("{step}: {e}"), None)
}

/// Runs the plaintext upgrade for `protocol` and returns the stream, ready
/// for a ClientHello. `Protocol::Tls` has no prelude and returns at once.
pub async fn upgrade<S>(
    stream: S,
    protocol: Protocol,
    deadline: Deadline,
) -> Result<S, PreludeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (stream, buffered) = upgrade_pipelined(stream, protocol, b"", deadline).await?;
    if !buffered.is_empty() {
        // Bytes after the OK would be read as TLS: plaintext injection.
        return Err(PreludeError::new(
            ErrorKind::Protocol,
            "server sent data after accepting the upgrade, before the TLS handshake",
            Some(&buffered),
        ));
    }
    Ok(stream)
}

/// The same upgrade with `pipelined` written in the same segment as the
/// STARTTLS command (the CVE-2011-0411 probe), returning the stream and
/// the bytes the server sent after its OK, before any TLS (empty from a
/// correct server). The caller decides what those bytes mean.
pub async fn upgrade_pipelined<S>(
    stream: S,
    protocol: Protocol,
    pipelined: &[u8],
    deadline: Deadline,
) -> Result<(S, Vec<u8>), PreludeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if protocol == Protocol::Tls {
        return Ok((stream, Vec::new()));
    }
    let mut r = LineReader::new(stream, LineLimits::default());
    let greeting = greeting(&mut r, protocol, deadline).await?;
    match protocol {
        Protocol::Imap => {
            send(
                &mut r,
                &[&b"mp1 STARTTLS\r\n"[..], pipelined].concat(),
                deadline,
            )
            .await?;
            loop {
                let line = r
                    .read_line(deadline)
                    .await
                    .map_err(|e| line_error("STARTTLS", e))?;
                if line.starts_with(b"* ") {
                    continue; // untagged data before the tagged answer
                }
                if line.starts_with(b"mp1 OK") {
                    break;
                }
                return Err(PreludeError::new(
                    ErrorKind::Protocol,
                    "STARTTLS refused",
                    Some(&line),
                ));
            }
        }
        Protocol::Pop3 => {
            send(&mut r, &[&b"STLS\r\n"[..], pipelined].concat(), deadline).await?;
            let line = r
                .read_line(deadline)
                .await
                .map_err(|e| line_error("STLS", e))?;
            if !line.starts_with(b"+OK") {
                return Err(PreludeError::new(
                    ErrorKind::Protocol,
                    "STLS refused",
                    Some(&line),
                ));
            }
        }
        Protocol::Smtp => {
            if greeting.get(3) == Some(&b'-') {
                smtp_reply(&mut r, deadline, b"220", "greeting").await?;
            }
            send(&mut r, b"EHLO mailprobe.invalid\r\n", deadline).await?;
            smtp_reply(&mut r, deadline, b"250", "EHLO").await?;
            send(
                &mut r,
                &[&b"STARTTLS\r\n"[..], pipelined].concat(),
                deadline,
            )
            .await?;
            smtp_reply(&mut r, deadline, b"220", "STARTTLS").await?;
        }
        Protocol::Tls => {}
    }
    let buffered = r.buffered().to_vec();
    Ok((r.into_inner(), buffered))
}

/// The greeting, or an error naming what answered instead: a TLS record
/// (the port speaks implicit TLS), another protocol's banner, a refusal.
async fn greeting<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut LineReader<S>,
    protocol: Protocol,
    deadline: Deadline,
) -> Result<Vec<u8>, PreludeError> {
    let first = r
        .peek_first(deadline)
        .await
        .map_err(|e| line_error("greeting", e))?;
    if service::is_tls_record(first) {
        return Err(PreludeError::new(
            ErrorKind::Protocol,
            service::describe(&ServiceSeen::TlsOnPlaintextPort),
            None,
        ));
    }
    let line = r
        .read_line(deadline)
        .await
        .map_err(|e| line_error("greeting", e))?;
    if let Some(seen) = service::classify_banner(protocol, &line) {
        return Err(PreludeError::new(
            ErrorKind::Protocol,
            format!("greeting: {}", service::describe(&seen)),
            Some(&line),
        ));
    }
    Ok(line)
}

async fn send<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut LineReader<S>,
    bytes: &[u8],
    deadline: Deadline,
) -> Result<(), PreludeError> {
    match deadline.run(r.get_mut().write_all(bytes)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(PreludeError::new(
            ErrorKind::Reset,
            format!("sending: {e}"),
            None,
        )),
        Err(t) => Err(PreludeError::new(
            ErrorKind::Timeout,
            format!("sending {t}"),
            None,
        )),
    }
}

/// Reads a (possibly multi-line) SMTP reply and checks its code.
async fn smtp_reply<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut LineReader<S>,
    deadline: Deadline,
    code: &[u8],
    step: &str,
) -> Result<(), PreludeError> {
    // RFC 5321 §4.2.1: "250-..." continues, "250 ..." ends. Bound the count.
    for _ in 0..256 {
        let line = r
            .read_line(deadline)
            .await
            .map_err(|e| line_error(step, e))?;
        if !line.starts_with(code) {
            return Err(PreludeError::new(
                ErrorKind::Protocol,
                format!("{step}: unexpected reply"),
                Some(&line),
            ));
        }
        if line.get(3) != Some(&b'-') {
            return Ok(());
        }
    }
    Err(PreludeError::new(
        ErrorKind::Limit,
        format!("{step}: reply longer than 256 lines"),
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn run(
        protocol: Protocol,
        script: &'static [(&'static [u8], &'static [u8])],
    ) -> Result<(), PreludeError> {
        let (client, mut server) = tokio::io::duplex(4096);
        tokio::spawn(async move {
            for (expect, reply) in script {
                if !expect.is_empty() {
                    let mut buf = vec![0u8; expect.len()];
                    if server.read_exact(&mut buf).await.is_err() || &buf[..] != *expect {
                        return;
                    }
                }
                let _ = server.write_all(reply).await;
            }
            let mut sink = [0u8; 64];
            let _ = server.read(&mut sink).await;
        });
        upgrade(client, protocol, Deadline::after(Duration::from_secs(2)))
            .await
            .map(|_| ())
    }

    #[tokio::test]
    async fn imap_upgrade() {
        assert!(
            run(
                Protocol::Imap,
                &[
                    (b"", b"* OK hi\r\n"),
                    (
                        b"mp1 STARTTLS\r\n",
                        b"mp1 OK Begin TLS negotiation now.\r\n"
                    )
                ]
            )
            .await
            .is_ok()
        );
        let e = run(
            Protocol::Imap,
            &[
                (b"", b"* OK hi\r\n"),
                (b"mp1 STARTTLS\r\n", b"mp1 BAD unknown command\r\n"),
            ],
        )
        .await
        .unwrap_err();
        assert_eq!(e.server_said.as_deref(), Some("mp1 BAD unknown command"));
        let e = run(Protocol::Imap, &[(b"", b"+OK POP3 ready\r\n")])
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Protocol);
    }

    #[tokio::test]
    async fn wrong_services_are_named() {
        let e = run(Protocol::Imap, &[(b"", b"\x16\x03\x01\x00\x2a")])
            .await
            .unwrap_err();
        assert!(e.message.contains("implicit TLS"), "{}", e.message);
        let e = run(Protocol::Smtp, &[(b"", b"* OK IMAP ready\r\n")])
            .await
            .unwrap_err();
        assert!(
            e.message.contains("an IMAP server answered"),
            "{}",
            e.message
        );
        // A multi-line SMTP greeting is read to its end before EHLO.
        assert!(
            run(
                Protocol::Smtp,
                &[
                    (b"", b"220-mx ESMTP\r\n220 second line\r\n"),
                    (b"EHLO mailprobe.invalid\r\n", b"250-mx\r\n250 STARTTLS\r\n"),
                    (b"STARTTLS\r\n", b"220 2.0.0 Ready\r\n")
                ]
            )
            .await
            .is_ok()
        );
    }

    #[tokio::test]
    async fn injected_plaintext_after_ok_is_refused() {
        let e = run(
            Protocol::Imap,
            &[
                (b"", b"* OK hi\r\n"),
                (b"mp1 STARTTLS\r\n", b"mp1 OK go\r\n* OK injected\r\n"),
            ],
        )
        .await
        .unwrap_err();
        assert!(e.message.contains("after accepting"));
    }

    #[tokio::test]
    async fn smtp_and_pop3_upgrade() {
        assert!(
            run(
                Protocol::Smtp,
                &[
                    (b"", b"220 mx ESMTP\r\n"),
                    (
                        b"EHLO mailprobe.invalid\r\n",
                        b"250-mx\r\n250-STARTTLS\r\n250 SIZE 1000\r\n"
                    ),
                    (b"STARTTLS\r\n", b"220 2.0.0 Ready\r\n")
                ]
            )
            .await
            .is_ok()
        );
        assert!(
            run(
                Protocol::Pop3,
                &[(b"", b"+OK ready\r\n"), (b"STLS\r\n", b"+OK Begin TLS\r\n")]
            )
            .await
            .is_ok()
        );
        let e = run(Protocol::Smtp, &[(b"", b"421 too many connections\r\n")])
            .await
            .unwrap_err();
        assert_eq!(e.server_said.as_deref(), Some("421 too many connections"));
    }
}
