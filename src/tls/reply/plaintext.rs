//! Answers that are not TLS at all: a mail greeting or HTTP on a TLS port.

/// Bytes that are not TLS at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotTls {
    /// The first bytes as received (at most [`NOT_TLS_PREFIX`]).
    pub raw: Vec<u8>,
    /// The first line of `raw`, non-printable bytes shown as '.'.
    pub printable: String,
    pub guess: PlaintextGuess,
}

/// How much of a non-TLS answer is kept.
pub const NOT_TLS_PREFIX: usize = 200;

/// What a plaintext answer looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaintextGuess {
    /// "* OK", "* PREAUTH", "* BYE": an IMAP greeting (STARTTLS port?).
    ImapGreeting,
    /// "+OK" / "-ERR": POP3.
    Pop3Greeting,
    /// Three digits then ' ' or '-': SMTP (or FTP).
    SmtpGreeting,
    /// "HTTP/": an HTTP server answering our bytes.
    Http,
    Unknown,
}

pub(super) fn not_tls(raw: &[u8]) -> NotTls {
    let line_end = raw
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(raw.len());
    let line = raw.get(..line_end).unwrap_or(raw);
    let printable = line
        .iter()
        .map(|&b| {
            if (0x20..0x7F).contains(&b) {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect();
    NotTls {
        raw: raw.to_vec(),
        printable,
        guess: guess_plaintext(raw),
    }
}

fn guess_plaintext(raw: &[u8]) -> PlaintextGuess {
    let starts = |prefix: &[u8]| {
        raw.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if starts(b"* OK") || starts(b"* PREAUTH") || starts(b"* BYE") {
        PlaintextGuess::ImapGreeting
    } else if starts(b"+OK") || starts(b"-ERR") {
        PlaintextGuess::Pop3Greeting
    } else if starts(b"HTTP/") {
        PlaintextGuess::Http
    } else if raw.len() >= 4
        && raw.iter().take(3).all(u8::is_ascii_digit)
        && matches!(raw.get(3), Some(b' ' | b'-'))
    {
        PlaintextGuess::SmtpGreeting
    } else {
        PlaintextGuess::Unknown
    }
}
