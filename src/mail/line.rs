//! A line reader with hard bounds, shared by every mail dialogue.
//!
//! A hostile server can send a line without end, drip one byte a second, or
//! never stop talking. Each read here is bounded in line length, in total
//! bytes over the connection, and in time; each breach is an error value.

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::vocab::Deadline;

#[derive(Debug, Clone, Copy)]
pub struct LineLimits {
    /// Longest line accepted, CRLF included.
    pub max_line: usize,
    /// Most bytes read over the whole dialogue.
    pub max_total: usize,
}

impl Default for LineLimits {
    fn default() -> Self {
        // RFC 5321 caps SMTP reply lines at 512; IMAP lines are longer in
        // practice (CAPABILITY on Exchange Online, ID responses) but a probe
        // never needs more than a few KiB per line.
        LineLimits {
            max_line: 8 * 1024,
            max_total: 256 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    #[error("no complete line within {ms} ms{}", partial_note(.partial))]
    Timeout { ms: u64, partial: Vec<u8> },
    #[error("line longer than {max} bytes")]
    TooLong { max: usize, start: Vec<u8> },
    #[error("server sent more than {max} bytes in total")]
    TotalExceeded { max: usize },
    #[error("connection closed{}", partial_note(.partial))]
    Closed { partial: Vec<u8> },
    #[error("read failed: {message}")]
    Io { message: String },
}

fn partial_note(partial: &[u8]) -> String {
    if partial.is_empty() {
        String::new()
    } else {
        format!(" (received so far: {})", crate::mail::printable(partial))
    }
}

pub struct LineReader<S> {
    stream: S,
    buf: Vec<u8>,
    limits: LineLimits,
    total: usize,
}

impl<S: AsyncRead + Unpin> LineReader<S> {
    pub fn new(stream: S, limits: LineLimits) -> Self {
        LineReader {
            stream,
            buf: Vec::new(),
            limits,
            total: 0,
        }
    }

    /// The next line, without its line ending (CRLF or a bare LF).
    pub async fn read_line(&mut self, deadline: Deadline) -> Result<Vec<u8>, LineError> {
        let budget = deadline.remaining().as_millis() as u64;
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() >= self.limits.max_line {
                let start = self.buf[..self.buf.len().min(200)].to_vec();
                return Err(LineError::TooLong {
                    max: self.limits.max_line,
                    start,
                });
            }
            if self.total >= self.limits.max_total {
                return Err(LineError::TotalExceeded {
                    max: self.limits.max_total,
                });
            }
            let want = (self.limits.max_line - self.buf.len())
                .min(self.limits.max_total - self.total)
                .min(4096);
            let mut chunk = vec![0u8; want];
            match deadline.run(self.stream.read(&mut chunk)).await {
                Err(_) => {
                    return Err(LineError::Timeout {
                        ms: budget,
                        partial: self.buf.clone(),
                    });
                }
                Ok(Err(e)) => {
                    return Err(LineError::Io {
                        message: e.to_string(),
                    });
                }
                Ok(Ok(0)) => {
                    return Err(LineError::Closed {
                        partial: std::mem::take(&mut self.buf),
                    });
                }
                Ok(Ok(n)) => {
                    self.total += n;
                    self.buf.extend_from_slice(&chunk[..n]);
                }
            }
        }
    }

    /// Waits for the first bytes of the connection without consuming them,
    /// so the caller can tell a TLS record (0x16 0x03) from a text banner
    /// before treating anything as a line. Returns what is buffered.
    pub async fn peek_first(&mut self, deadline: Deadline) -> Result<&[u8], LineError> {
        let budget = deadline.remaining().as_millis() as u64;
        if self.buf.is_empty() {
            self.fill(deadline, budget).await?;
        }
        Ok(&self.buf)
    }

    /// Exactly `n` bytes (an IMAP literal's payload). The length comes from
    /// the server, so it is checked against the remaining total budget
    /// before anything is allocated for it.
    pub async fn read_exact(&mut self, n: usize, deadline: Deadline) -> Result<Vec<u8>, LineError> {
        let budget = deadline.remaining().as_millis() as u64;
        let pending = self.buf.len();
        if n > pending && n - pending > self.limits.max_total.saturating_sub(self.total) {
            return Err(LineError::TotalExceeded {
                max: self.limits.max_total,
            });
        }
        while self.buf.len() < n {
            self.fill(deadline, budget).await?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// One read into the buffer, bounded by the total budget and the deadline.
    async fn fill(&mut self, deadline: Deadline, budget: u64) -> Result<(), LineError> {
        if self.total >= self.limits.max_total {
            return Err(LineError::TotalExceeded {
                max: self.limits.max_total,
            });
        }
        let want = (self.limits.max_total - self.total).min(4096);
        let mut chunk = vec![0u8; want];
        match deadline.run(self.stream.read(&mut chunk)).await {
            Err(_) => Err(LineError::Timeout {
                ms: budget,
                partial: self.buf.clone(),
            }),
            Ok(Err(e)) => Err(LineError::Io {
                message: e.to_string(),
            }),
            Ok(Ok(0)) => Err(LineError::Closed {
                partial: std::mem::take(&mut self.buf),
            }),
            Ok(Ok(n)) => {
                self.total += n;
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }

    /// Bytes received but not yet returned as a line. After a STARTTLS `OK`
    /// this must be empty: anything buffered would be plaintext injected
    /// ahead of the handshake (CVE-2011-0411 class).
    pub fn set_limits(&mut self, limits: LineLimits) {
        self.limits = limits;
    }

    /// Bytes read over the connection so far.
    pub fn total_read(&self) -> usize {
        self.total
    }

    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    pub fn into_inner(self) -> S {
        self.stream
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;

    fn deadline(ms: u64) -> Deadline {
        Deadline::after(Duration::from_millis(ms))
    }

    #[tokio::test]
    async fn splits_crlf_and_lf_lines() {
        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(b"* OK hi\r\nsecond\nthi").await.unwrap();
        let mut r = LineReader::new(b, LineLimits::default());
        assert_eq!(r.read_line(deadline(500)).await.unwrap(), b"* OK hi");
        assert_eq!(r.read_line(deadline(500)).await.unwrap(), b"second");
        drop(a);
        assert_eq!(
            r.read_line(deadline(500)).await.unwrap_err(),
            LineError::Closed {
                partial: b"thi".to_vec()
            }
        );
    }

    #[tokio::test]
    async fn long_line_is_an_error() {
        let (mut a, b) = tokio::io::duplex(1 << 16);
        a.write_all(&[b'x'; 20_000]).await.unwrap();
        let mut r = LineReader::new(
            b,
            LineLimits {
                max_line: 1000,
                max_total: 1 << 20,
            },
        );
        assert!(matches!(
            r.read_line(deadline(500)).await,
            Err(LineError::TooLong { max: 1000, .. })
        ));
    }

    #[tokio::test]
    async fn total_bound_stops_endless_talkers() {
        let (mut a, b) = tokio::io::duplex(1 << 16);
        tokio::spawn(
            async move { while a.write_all(b"* CAPABILITY IMAP4rev1\r\n").await.is_ok() {} },
        );
        let mut r = LineReader::new(
            b,
            LineLimits {
                max_line: 100,
                max_total: 10_000,
            },
        );
        let mut lines = 0;
        let err = loop {
            match r.read_line(deadline(2000)).await {
                Ok(_) => lines += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(err, LineError::TotalExceeded { max: 10_000 });
        assert!(lines > 100);
    }

    #[tokio::test]
    async fn peek_does_not_consume_and_literals_are_bounded() {
        let (mut a, b) = tokio::io::duplex(1 << 16);
        a.write_all(b"* 1 FETCH {5}\r\nhello)\r\n").await.unwrap();
        let mut r = LineReader::new(
            b,
            LineLimits {
                max_line: 100,
                max_total: 64,
            },
        );
        assert!(
            r.peek_first(deadline(500))
                .await
                .unwrap()
                .starts_with(b"* 1")
        );
        assert_eq!(r.read_line(deadline(500)).await.unwrap(), b"* 1 FETCH {5}");
        assert_eq!(r.read_exact(5, deadline(500)).await.unwrap(), b"hello");
        assert_eq!(r.read_line(deadline(500)).await.unwrap(), b")");
        // A literal larger than what the budget still allows is refused
        // before any allocation or read.
        assert_eq!(
            r.read_exact(1 << 30, deadline(500)).await.unwrap_err(),
            LineError::TotalExceeded { max: 64 }
        );
    }

    #[tokio::test]
    async fn silence_times_out_with_partial() {
        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(b"* O").await.unwrap();
        let mut r = LineReader::new(b, LineLimits::default());
        let err = r.read_line(deadline(100)).await.unwrap_err();
        assert!(matches!(err, LineError::Timeout { ref partial, .. } if partial == b"* O"));
        drop(a);
    }
}
