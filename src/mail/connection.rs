//! One mail connection as the dialogues see it: the bounded line reader, a
//! transcript of what was said (secrets redacted before anything is kept),
//! and failures as values naming the step.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::auth::Redactor;
use super::line::{LineError, LineLimits, LineReader};
use crate::vocab::Deadline;
use crate::vocab::ErrorKind;

/// A dialogue step that did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{step}: {message}")]
pub struct StepFailure {
    pub step: &'static str,
    pub kind: ErrorKind,
    pub message: String,
    /// The read error, when the failure was a read (for wrong-service checks).
    pub line: Option<LineError>,
}

impl StepFailure {
    pub fn new(step: &'static str, kind: ErrorKind, message: impl Into<String>) -> StepFailure {
        StepFailure {
            step,
            kind,
            message: message.into(),
            line: None,
        }
    }

    pub fn from_line(step: &'static str, e: LineError) -> StepFailure {
        let kind = match &e {
            LineError::Timeout { .. } => ErrorKind::Timeout,
            LineError::Closed { .. } => ErrorKind::Reset,
            LineError::TooLong { .. } | LineError::TotalExceeded { .. } => ErrorKind::Limit,
            _ => ErrorKind::Io,
        };
        StepFailure {
            step,
            kind,
            message: e.to_string(),
            line: Some(e),
        }
    }
}

/// Lines kept in a transcript; a chatty server cannot grow a Report beyond this.
const TRANSCRIPT_LINES: usize = 200;

/// The longest a single answer may take. A server that stalls mid-dialogue
/// costs this much, not the whole probe budget the TLS scan also needs.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// The bare stream and what goes on with it into TLS.
pub struct Handover<S> {
    pub stream: S,
    pub transcript: Vec<String>,
    pub redactor: Redactor,
}

pub struct MailConnection<S> {
    reader: LineReader<S>,
    transcript: Vec<String>,
    redactor: Redactor,
}

impl<S: AsyncRead + AsyncWrite + Unpin> MailConnection<S> {
    pub fn new(stream: S, transcript: Vec<String>, redactor: Redactor) -> MailConnection<S> {
        MailConnection {
            reader: LineReader::new(stream, LineLimits::default()),
            transcript,
            redactor,
        }
    }

    pub fn reader(&mut self) -> &mut LineReader<S> {
        &mut self.reader
    }

    /// Server text made safe to keep: escaped, and with any secret removed
    /// (a server may echo what it was sent).
    pub fn shown(&self, bytes: &[u8]) -> String {
        self.redactor.redact(&super::printable(bytes))
    }

    /// A read failure for `errors[]`: its message quotes the partial line
    /// the server sent, which may echo a secret, so it is redacted too.
    fn failure(&self, step: &'static str, e: LineError) -> StepFailure {
        let mut f = StepFailure::from_line(step, e);
        f.message = self.redactor.redact(&f.message);
        f
    }

    pub fn note(&mut self, line: String) {
        tracing::debug!(target: "mailprobe::mail", "{line}");
        if self.transcript.len() < TRANSCRIPT_LINES {
            self.transcript.push(line);
        }
    }

    /// The next server line, recorded as `S: ...`.
    pub async fn line(
        &mut self,
        step: &'static str,
        deadline: Deadline,
    ) -> Result<Vec<u8>, StepFailure> {
        let line = self
            .reader
            .read_line(deadline.within(STEP_TIMEOUT))
            .await
            .map_err(|e| self.failure(step, e))?;
        let shown = self.shown(&line);
        self.note(format!("S: {shown}"));
        Ok(line)
    }

    /// Sends `bytes`; the transcript shows `shown` (so an AUTHENTICATE line
    /// is recorded without its payload).
    pub async fn send(
        &mut self,
        bytes: &[u8],
        shown: &str,
        step: &'static str,
        deadline: Deadline,
    ) -> Result<(), StepFailure> {
        self.send_flight(bytes, &[shown], step, deadline).await
    }

    /// Sends several commands in one write (pipelining: RFC 3501 §5.5);
    /// the transcript shows one `C:` line for each of `shown`.
    pub async fn send_flight(
        &mut self,
        bytes: &[u8],
        shown: &[&str],
        step: &'static str,
        deadline: Deadline,
    ) -> Result<(), StepFailure> {
        for line in shown {
            let line = self.redactor.redact(line);
            self.note(format!("C: {line}"));
        }
        let deadline = deadline.within(STEP_TIMEOUT);
        let stream = self.reader.get_mut();
        match deadline
            .run(async {
                stream.write_all(bytes).await?;
                stream.flush().await
            })
            .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StepFailure::new(
                step,
                ErrorKind::Reset,
                format!("sending: {e}"),
            )),
            Err(t) => Err(StepFailure::new(
                step,
                ErrorKind::Timeout,
                format!("sending {t}"),
            )),
        }
    }

    /// Exactly `n` bytes (an IMAP literal), under the same bounds as a line.
    pub async fn read_exact(
        &mut self,
        n: usize,
        step: &'static str,
        deadline: Deadline,
    ) -> Result<Vec<u8>, StepFailure> {
        self.reader
            .read_exact(n, deadline.within(STEP_TIMEOUT))
            .await
            .map_err(|e| self.failure(step, e))
    }

    /// Sends a command that carries no secret; the transcript shows it verbatim.
    pub async fn command(
        &mut self,
        text: &str,
        step: &'static str,
        deadline: Deadline,
    ) -> Result<(), StepFailure> {
        let bytes = format!("{text}\r\n");
        self.send(bytes.as_bytes(), text, step, deadline).await
    }

    /// Hands the stream over for the TLS handshake after an accepted
    /// upgrade. Bytes already buffered would be read as TLS: plaintext
    /// injected ahead of the handshake (CVE-2011-0411 class), so refuse.
    pub fn into_upgrade(self) -> Result<Handover<S>, (StepFailure, Vec<String>)> {
        if !self.reader.buffered().is_empty() {
            let said = self.shown(self.reader.buffered());
            return Err((
                StepFailure::new(
                    "starttls",
                    ErrorKind::Protocol,
                    format!("{DATA_BEFORE_HANDSHAKE}: {said}"),
                ),
                self.transcript,
            ));
        }
        Ok(Handover {
            stream: self.reader.into_inner(),
            transcript: self.transcript,
            redactor: self.redactor,
        })
    }

    pub fn into_transcript(self) -> Vec<String> {
        self.transcript
    }
}

/// How the dialogue's STARTTLS error begins when the server sent bytes
/// after its OK and before the handshake (the diagnosis matches on it).
pub const DATA_BEFORE_HANDSHAKE: &str =
    "server sent data after accepting the upgrade, before the TLS handshake";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::auth::{LoginRequest, LoginSecret};
    use tokio::io::AsyncWriteExt;

    /// Issue 15: a server that echoes the password in a line it never
    /// finishes had the partial line quoted verbatim in `errors[]`.
    #[tokio::test]
    async fn a_partial_line_in_an_error_is_redacted() {
        let login = LoginRequest {
            username: "alice".into(),
            secret: LoginSecret::Password("hunter2-secret".to_string().into()),
            allow_plaintext: false,
            allow_untrusted: false,
        };
        let (client, mut server) = tokio::io::duplex(1024);
        server
            .write_all(b"a1 NO bad password hunter2-secret")
            .await
            .unwrap();
        drop(server);
        let mut wire = MailConnection::new(client, Vec::new(), Redactor::for_login(Some(&login)));
        let deadline = Deadline::after(Duration::from_secs(5));
        let failure = wire.line("login", deadline).await.unwrap_err();
        assert!(
            failure.message.contains("a1 NO bad password"),
            "{}",
            failure.message
        );
        assert!(!failure.message.contains("hunter2"), "{}", failure.message);
    }
}
