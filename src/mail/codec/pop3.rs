//! POP3 (RFC 1939, CAPA and STLS from RFC 2449/2595, AUTH from RFC 5034).

use tokio::io::{AsyncRead, AsyncWrite};

use crate::mail::connection::{MailConnection, StepFailure};
use crate::vocab::{Deadline, ErrorKind};

/// Most lines read from one multi-line answer.
const MAX_LINES: usize = 1000;

/// A single-line answer: `+OK` or not, and the line as shown.
pub struct Pop3Response {
    pub ok: bool,
    pub line: String,
    /// `+ ...`: the server asks for more (SASL continuation).
    pub continuation: bool,
}

pub async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut MailConnection<S>,
    step: &'static str,
    deadline: Deadline,
) -> Result<Pop3Response, StepFailure> {
    let line = w.line(step, deadline).await?;
    Ok(Pop3Response {
        ok: line.starts_with(b"+OK"),
        continuation: line.starts_with(b"+ ") || line == b"+",
        line: w.shown(&line),
    })
}

/// `CAPA`: the capability lines verbatim, or `None` when the server does not
/// know the command (RFC 1939-only servers answer `-ERR`).
pub async fn capa<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut MailConnection<S>,
    deadline: Deadline,
) -> Result<Option<Vec<String>>, StepFailure> {
    w.command("CAPA", "capability", deadline).await?;
    if !answer(w, "capability", deadline).await?.ok {
        return Ok(None);
    }
    let mut caps = Vec::new();
    for _ in 0..MAX_LINES {
        let line = w.line("capability", deadline).await?;
        if line == b"." {
            return Ok(Some(caps));
        }
        // Dot-stuffing (RFC 1939 §3).
        let line = line.strip_prefix(b".").unwrap_or(&line);
        caps.push(w.shown(line));
    }
    Err(StepFailure::new(
        "capability",
        ErrorKind::Limit,
        format!("CAPA answer longer than {MAX_LINES} lines"),
    ))
}

/// `STARTTLS`-equivalent named in CAPA.
pub fn advertises_stls(caps: &[String]) -> bool {
    caps.iter().any(|c| c.eq_ignore_ascii_case("STLS"))
}

/// SASL mechanisms from the `SASL ...` CAPA line.
pub fn sasl_mechanisms(caps: &[String]) -> Vec<String> {
    caps.iter()
        .find_map(|c| {
            let (word, rest) = c.split_once(' ')?;
            word.eq_ignore_ascii_case("SASL")
                .then(|| rest.split_whitespace().map(str::to_string).collect())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capa_lines_are_read() {
        let caps: Vec<String> = ["TOP", "UIDL", "SASL PLAIN LOGIN", "STLS", "USER"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(advertises_stls(&caps));
        assert_eq!(sasl_mechanisms(&caps), ["PLAIN", "LOGIN"]);
        assert!(sasl_mechanisms(&[]).is_empty());
    }
}
