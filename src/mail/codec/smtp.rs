//! SMTP (RFC 5321 replies and EHLO, RFC 3207 STARTTLS, RFC 4954 AUTH).

use tokio::io::{AsyncRead, AsyncWrite};

use crate::mail::connection::{MailConnection, StepFailure};
use crate::vocab::{Deadline, ErrorKind};

/// Most lines in one reply.
const MAX_LINES: usize = 256;

/// A (possibly multi-line) reply.
#[derive(Debug, Clone)]
pub struct SmtpReply {
    /// The three-digit code; 0 when the server sent no valid code.
    pub code: u16,
    /// Each line's text after the code and separator, as shown.
    pub texts: Vec<String>,
    /// The last line in full, as shown.
    pub line: String,
}

impl SmtpReply {
    pub fn is(&self, class: u16) -> bool {
        self.code / 100 == class
    }
}

/// Reads `250-...` continuation lines up to the `250 ...` that ends the
/// reply (RFC 5321 §4.2.1). A line without a code ends the reply too, with
/// code 0, so a non-SMTP peer is a value rather than a hang.
pub async fn reply<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut MailConnection<S>,
    step: &'static str,
    deadline: Deadline,
) -> Result<SmtpReply, StepFailure> {
    let mut texts = Vec::new();
    for _ in 0..MAX_LINES {
        let line = w.line(step, deadline).await?;
        let code = line
            .get(..3)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| d.parse::<u16>().ok());
        let shown = w.shown(&line);
        let Some(code) = code else {
            return Ok(SmtpReply {
                code: 0,
                texts: vec![shown.clone()],
                line: shown,
            });
        };
        texts.push(w.shown(line.get(4..).unwrap_or_default()));
        if line.get(3) != Some(&b'-') {
            return Ok(SmtpReply {
                code,
                texts,
                line: shown,
            });
        }
    }
    Err(StepFailure::new(
        step,
        ErrorKind::Limit,
        format!("reply longer than {MAX_LINES} lines"),
    ))
}

/// `EHLO`: the extension keywords (all lines after the first), verbatim.
pub async fn ehlo<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut MailConnection<S>,
    deadline: Deadline,
) -> Result<SmtpReply, StepFailure> {
    w.command("EHLO mailprobe.invalid", "capability", deadline)
        .await?;
    reply(w, "capability", deadline).await
}

pub fn keywords(ehlo: &SmtpReply) -> Vec<String> {
    if ehlo.is(2) {
        ehlo.texts.iter().skip(1).cloned().collect()
    } else {
        Vec::new()
    }
}

pub fn advertises_starttls(keywords: &[String]) -> bool {
    keywords.iter().any(|k| k.eq_ignore_ascii_case("STARTTLS"))
}

/// Mechanisms from `AUTH A B` (or the pre-standard `AUTH=A B` some servers
/// still send for old Outlook versions), deduplicated.
pub fn auth_mechanisms(keywords: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keywords {
        let upper = k.to_ascii_uppercase();
        let rest = if let Some(r) = upper.strip_prefix("AUTH ") {
            r
        } else if let Some(r) = upper.strip_prefix("AUTH=") {
            r
        } else {
            continue;
        };
        for m in rest.split_whitespace() {
            if !out.iter().any(|x| x == m) {
                out.push(m.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_keywords_both_forms() {
        let k: Vec<String> = ["SIZE 1000", "AUTH LOGIN PLAIN", "AUTH=LOGIN", "STARTTLS"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(auth_mechanisms(&k), ["LOGIN", "PLAIN"]);
        assert!(advertises_starttls(&k));
    }
}
