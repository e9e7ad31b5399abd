//! STARTTLS command injection (CVE-2011-0411 and its kin, "NO STARTTLS",
//! USENIX Security 2021): the STARTTLS command and a second command go out
//! in one segment. A correct server throws the second away with its
//! plaintext buffer when TLS starts (RFC 3207 §4.2, RFC 2595 §3.1); a
//! vulnerable one answers it inside TLS, so a man in the middle can inject
//! commands that run in the protected session.
//!
//! One round trip, no timer: after the handshake the check sends its own
//! closing command (IMAP `LOGOUT`, POP3/SMTP `QUIT`) and reads until the
//! server hangs up; anything answered before the closing command's reply
//! answers the injected one.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::target::{CheckTarget, Outcome};
use super::{CheckStatus, Seen};
use crate::mail::printable;
use crate::mail::starttls;
use crate::tls::legacy::{self, LegacyOffer};
use crate::tls::scan::oneshot::{HELLO_TIMEOUT, PRELUDE_TIMEOUT, open_with};
use crate::vocab::{Deadline, Protocol, Transport};

/// Bytes read inside TLS, at most.
const MAX_READ: usize = 16 * 1024;
/// Lines kept for the evidence.
const MAX_LINES: usize = 16;

/// The command pipelined after STARTTLS, and the one sent inside TLS.
fn commands(protocol: Protocol) -> (&'static [u8], &'static [u8]) {
    match protocol {
        Protocol::Imap => (b"mp2 NOOP\r\n", b"mp3 LOGOUT\r\n"),
        Protocol::Pop3 | Protocol::Smtp | Protocol::Tls => (b"NOOP\r\n", b"QUIT\r\n"),
    }
}

pub async fn starttls_injection(target: &CheckTarget, deadline: Deadline) -> Outcome {
    if target.transport != Transport::Starttls || target.protocol == Protocol::Tls {
        return (
            CheckStatus::NotApplicable(
                "implicit TLS: there is no plaintext phase to inject into".into(),
            ),
            None,
            0,
        );
    }
    let (injected, closing) = commands(target.protocol);
    // Connected as the scan's hellos are (a busy server that answered
    // before is tried again after a pause), with this check's own prelude.
    let mut connections = 0;
    let protocol = target.protocol;
    let pipelined = |stream| async move {
        let prelude = deadline.within(PRELUDE_TIMEOUT);
        starttls::upgrade_pipelined(stream, protocol, injected, prelude).await
    };
    let opened = open_with(&target.endpoint, deadline, &mut connections, pipelined).await;
    let ((stream, buffered), _) = match opened {
        Ok(x) => x,
        Err(e) => return (CheckStatus::Failed(e.to_string()), None, connections),
    };
    if !buffered.is_empty() {
        // The server answered in plaintext before TLS: a finding of its own,
        // and the handshake cannot start on those bytes.
        let seen = Seen::StarttlsInjection {
            answered_in_tls: Vec::new(),
            before_handshake: Some(printable(&buffered)),
            transcript: Vec::new(),
        };
        return (CheckStatus::Done, Some(seen), connections);
    }
    target.endpoint.connector.meter().count_handshake();
    let offer = LegacyOffer::from_scan(&target.versions);
    let limit = deadline.within(HELLO_TIMEOUT);
    let mut tls = match legacy::handshake(stream, target.sni.as_deref(), &offer, limit).await {
        Ok(done) => done.stream,
        Err(e) => return (CheckStatus::Failed(e.to_string()), None, connections),
    };
    if let Err(e) = limit
        .run(tls.write_all(closing))
        .await
        .map_err(|t| t.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()))
    {
        return (
            CheckStatus::Failed(format!("sending inside TLS: {e}")),
            None,
            1,
        );
    }
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    while bytes.len() < MAX_READ {
        match limit.run(tls.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => bytes.extend_from_slice(buf.get(..n).unwrap_or(&[])),
            // EOF, close_notify, reset, or the time limit: the answer is in.
            _ => break,
        }
    }
    let transcript: Vec<String> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .take(MAX_LINES)
        .map(|l| printable(l.strip_suffix(b"\r").unwrap_or(l)))
        .collect();
    let answered_in_tls = injected_answers(target.protocol, &transcript);
    let seen = Seen::StarttlsInjection {
        answered_in_tls,
        before_handshake: None,
        transcript,
    };
    (CheckStatus::Done, Some(seen), connections)
}

/// The lines inside TLS that answer the injected command: IMAP by its tag;
/// POP3 and SMTP every final reply line before the closing command's (the
/// last one).
pub fn injected_answers(protocol: Protocol, lines: &[String]) -> Vec<String> {
    match protocol {
        Protocol::Imap => lines
            .iter()
            .filter(|l| l.starts_with("mp2 "))
            .cloned()
            .collect(),
        Protocol::Pop3 => {
            let status: Vec<&String> = lines
                .iter()
                .filter(|l| l.starts_with("+OK") || l.starts_with("-ERR"))
                .collect();
            status
                .split_last()
                .map(|(_, before)| before.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        }
        Protocol::Smtp | Protocol::Tls => {
            let finals: Vec<&String> = lines
                .iter()
                .filter(|l| l.len() >= 4 && l.as_bytes().get(3) == Some(&b' '))
                .collect();
            finals
                .split_last()
                .map(|(_, before)| before.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn answers_to_the_injected_command_are_told_apart() {
        let imap = lines(&["* BYE bye", "mp3 OK LOGOUT done"]);
        assert!(injected_answers(Protocol::Imap, &imap).is_empty());
        let imap = lines(&["mp2 OK NOOP done", "* BYE bye", "mp3 OK LOGOUT done"]);
        assert_eq!(
            injected_answers(Protocol::Imap, &imap),
            ["mp2 OK NOOP done"]
        );
        let smtp = lines(&["221 2.0.0 Bye"]);
        assert!(injected_answers(Protocol::Smtp, &smtp).is_empty());
        let smtp = lines(&["250 2.0.0 Ok", "221 2.0.0 Bye"]);
        assert_eq!(injected_answers(Protocol::Smtp, &smtp), ["250 2.0.0 Ok"]);
        let pop = lines(&["-ERR unknown command", "+OK bye"]);
        assert_eq!(
            injected_answers(Protocol::Pop3, &pop),
            ["-ERR unknown command"]
        );
        assert!(injected_answers(Protocol::Pop3, &lines(&["+OK bye"])).is_empty());
    }
}
