//! IMAP: responses decoded by imap-codec, driven by our own small state
//! machine (greeting → CAPABILITY → STARTTLS → CAPABILITY → ID → login →
//! LOGOUT; the order lives in [`crate::mail::dialogue`]).
//!
//! imap-codec decides what a response *is*; where it cannot decode a line a
//! real server sends (imap-codec 1.x knows no `* ID`, and servers bend the
//! grammar), the line is kept verbatim and read tolerantly, so a server
//! quirk never fails the probe. Capability names are reported as the server
//! spelt them (imap-codec's `Display` upper-cases `IMAP4rev1`).

use imap_codec::decode::{Decoder, GreetingDecodeError, ResponseDecodeError};
use imap_codec::imap_types::core::NonEmptyVec;
use imap_codec::imap_types::response::{
    Capability, Code, CommandContinuationRequest, Data, GreetingKind, Response, Status,
};
use imap_codec::{GreetingCodec, ResponseCodec};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::mail::connection::{MailConnection, StepFailure};
use crate::vocab::{Deadline, ErrorKind};

/// Largest literal accepted in a response; a probe never needs message bodies.
const MAX_LITERAL: usize = 64 * 1024;
/// Most responses read while waiting for one tagged completion.
const MAX_RESPONSES: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Ok,
    No,
    Bad,
    PreAuth,
    Bye,
}

/// One server response, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImapResponse {
    Capability(Vec<String>),
    /// RFC 2971 ID parameters, in the server's order (NIL values dropped).
    Id(Vec<(String, String)>),
    Status {
        tag: Option<String>,
        condition: Condition,
        /// `[CAPABILITY ...]` response code, when present.
        capabilities: Option<Vec<String>>,
        text: String,
    },
    Continuation,
    /// Anything else (EXISTS, FLAGS, ...): not needed by a probe.
    Other,
}

/// A decoded response and whether imap-codec accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub reply: ImapResponse,
    /// `false`: imap-codec refused the bytes; `reply` comes from the tolerant reader.
    pub by_codec: bool,
}

/// Decodes a greeting line (CRLF included). `None`: not an IMAP greeting.
pub fn decode_greeting(bytes: &[u8]) -> Option<Decoded> {
    match GreetingCodec::default().decode(bytes) {
        Ok((_, g)) => {
            let condition = match g.kind {
                GreetingKind::Ok => Condition::Ok,
                GreetingKind::PreAuth => Condition::PreAuth,
                GreetingKind::Bye => Condition::Bye,
            };
            let capabilities = code_capabilities(g.code.as_ref(), bytes);
            Some(Decoded {
                reply: ImapResponse::Status {
                    tag: None,
                    condition,
                    capabilities,
                    text: g.text.inner().to_string(),
                },
                by_codec: true,
            })
        }
        Err(GreetingDecodeError::Incomplete | GreetingDecodeError::Failed) => {
            match tolerant(bytes) {
                Some(ImapResponse::Status {
                    tag: None,
                    condition,
                    capabilities,
                    text,
                }) if matches!(
                    condition,
                    Condition::Ok | Condition::PreAuth | Condition::Bye
                ) =>
                {
                    Some(Decoded {
                        reply: ImapResponse::Status {
                            tag: None,
                            condition,
                            capabilities,
                            text,
                        },
                        by_codec: false,
                    })
                }
                _ => None,
            }
        }
    }
}

/// Decodes one complete response (CRLF and any literal payloads included).
pub fn decode_response(bytes: &[u8]) -> Decoded {
    match ResponseCodec::default().decode(bytes) {
        Ok((_, response)) => Decoded {
            reply: from_codec(response, bytes),
            by_codec: true,
        },
        Err(
            ResponseDecodeError::Incomplete
            | ResponseDecodeError::Failed
            | ResponseDecodeError::LiteralFound { .. },
        ) => Decoded {
            reply: tolerant(bytes).unwrap_or(ImapResponse::Other),
            by_codec: false,
        },
    }
}

fn from_codec(response: Response<'_>, raw: &[u8]) -> ImapResponse {
    match response {
        Response::CommandContinuationRequest(CommandContinuationRequest::Basic(_))
        | Response::CommandContinuationRequest(CommandContinuationRequest::Base64(_)) => {
            ImapResponse::Continuation
        }
        Response::Data(Data::Capability(caps)) => {
            ImapResponse::Capability(verbatim(&caps, after_word(raw, "CAPABILITY")))
        }
        Response::Data(_) => ImapResponse::Other,
        Response::Status(status) => {
            let (tag, condition, code, text) = match status {
                Status::Ok { tag, code, text } => (tag, Condition::Ok, code, text),
                Status::No { tag, code, text } => (tag, Condition::No, code, text),
                Status::Bad { tag, code, text } => (tag, Condition::Bad, code, text),
                Status::Bye { code, text } => (None, Condition::Bye, code, text),
            };
            ImapResponse::Status {
                tag: tag.map(|t| t.inner().to_string()),
                condition,
                capabilities: code_capabilities(code.as_ref(), raw),
                text: text.inner().to_string(),
            }
        }
    }
}

fn code_capabilities(code: Option<&Code<'_>>, raw: &[u8]) -> Option<Vec<String>> {
    match code {
        Some(Code::Capability(caps)) => Some(verbatim(caps, bracket_capabilities(raw))),
        _ => None,
    }
}

/// The server's own spelling of each capability imap-codec recognised.
fn verbatim(caps: &NonEmptyVec<Capability<'_>>, raw: Option<Vec<String>>) -> Vec<String> {
    let decoded: Vec<String> = caps.as_ref().iter().map(|c| c.to_string()).collect();
    match raw {
        Some(raw)
            if raw.len() == decoded.len()
                && raw
                    .iter()
                    .zip(&decoded)
                    .all(|(r, d)| r.eq_ignore_ascii_case(d)) =>
        {
            raw
        }
        _ => decoded,
    }
}

fn text_of(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Whitespace-separated tokens after `* WORD ` on the first line.
fn after_word(raw: &[u8], word: &str) -> Option<Vec<String>> {
    let line = text_of(raw);
    let rest = line.strip_prefix("* ")?;
    let (w, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    w.eq_ignore_ascii_case(word)
        .then(|| tail.split_whitespace().map(str::to_string).collect())
}

/// Tokens of a `[CAPABILITY ...]` response code.
fn bracket_capabilities(raw: &[u8]) -> Option<Vec<String>> {
    let line = text_of(raw);
    let upper = line.to_ascii_uppercase();
    let start = upper.find("[CAPABILITY ")? + "[CAPABILITY ".len();
    let end = start + line[start..].find(']')?;
    Some(
        line[start..end]
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    )
}

/// Reads a response the codec refused: by its first words only.
fn tolerant(bytes: &[u8]) -> Option<ImapResponse> {
    let line = text_of(bytes);
    if line.starts_with('+') {
        return Some(ImapResponse::Continuation);
    }
    let (tag, rest) = line.split_once(' ')?;
    let (word, text) = rest.split_once(' ').unwrap_or((rest, ""));
    let condition = match word.to_ascii_uppercase().as_str() {
        "OK" => Condition::Ok,
        "NO" => Condition::No,
        "BAD" => Condition::Bad,
        "PREAUTH" => Condition::PreAuth,
        "BYE" => Condition::Bye,
        "CAPABILITY" if tag == "*" => {
            return Some(ImapResponse::Capability(
                text.split_whitespace().map(str::to_string).collect(),
            ));
        }
        "ID" if tag == "*" => return Some(ImapResponse::Id(id_pairs(bytes))),
        _ => return Some(ImapResponse::Other),
    };
    Some(ImapResponse::Status {
        tag: (tag != "*").then(|| tag.to_string()),
        condition,
        capabilities: bracket_capabilities(bytes),
        text: text.to_string(),
    })
}

/// RFC 2971 `* ID ("name" "Dovecot" "version" NIL ...)`: strings, NILs and
/// literals in pairs. Tolerant: stops at the first thing it cannot read.
pub fn id_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    let Some(open) = bytes.iter().position(|&b| b == b'(') else {
        return Vec::new();
    };
    let mut items: Vec<Option<String>> = Vec::new();
    let mut i = open + 1;
    while i < bytes.len() && items.len() < 64 {
        match bytes[i] {
            b' ' => i += 1,
            b')' => break,
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    s.push(bytes[i]);
                    i += 1;
                }
                i += 1;
                items.push(Some(crate::mail::printable(&s)));
            }
            b'{' => {
                // {n}\r\n then n bytes (already framed into `bytes`).
                let Some(close) = bytes[i..].iter().position(|&b| b == b'}') else {
                    break;
                };
                let n: usize = match std::str::from_utf8(&bytes[i + 1..i + close])
                    .ok()
                    .and_then(|s| s.trim_end_matches('+').parse().ok())
                {
                    Some(n) => n,
                    None => break,
                };
                let start = i + close + 3;
                let Some(data) = start.checked_add(n).and_then(|end| bytes.get(start..end)) else {
                    break;
                };
                items.push(Some(crate::mail::printable(data)));
                i = start + n;
            }
            _ => {
                let end = bytes[i..]
                    .iter()
                    .position(|&b| b == b' ' || b == b')')
                    .map_or(bytes.len(), |p| i + p);
                let atom = &bytes[i..end];
                items.push(
                    (!atom.eq_ignore_ascii_case(b"NIL")).then(|| crate::mail::printable(atom)),
                );
                i = end;
            }
        }
    }
    items
        .chunks(2)
        .filter_map(|kv| match kv {
            [Some(k), Some(v)] => Some((k.clone(), v.clone())),
            _ => None,
        })
        .collect()
}

/// The tagged completion of a command, and what came before it.
#[derive(Debug, Clone)]
pub struct Completion {
    pub untagged: Vec<ImapResponse>,
    pub condition: Condition,
    /// `[CAPABILITY ...]` in the tagged response (Dovecot sends it after login).
    pub capabilities: Option<Vec<String>>,
    /// The tagged line, escaped and redacted.
    pub line: String,
}

impl Completion {
    pub fn ok(&self) -> bool {
        self.condition == Condition::Ok
    }

    /// Capabilities from an untagged CAPABILITY response, else from a code.
    pub fn capabilities(&self) -> Option<Vec<String>> {
        self.untagged
            .iter()
            .find_map(|r| match r {
                ImapResponse::Capability(c) => Some(c.clone()),
                _ => None,
            })
            .or_else(|| self.capabilities.clone())
    }
}

/// An IMAP connection at some point of the dialogue.
pub struct Imap<S> {
    pub wire: MailConnection<S>,
    next_tag: u32,
    /// Lines imap-codec could not decode, kept verbatim.
    pub undecoded: Vec<String>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Imap<S> {
    /// Tags continue across a STARTTLS upgrade (`next_tag`), as in RFC 3501's examples.
    pub fn new(wire: MailConnection<S>, next_tag: u32) -> Imap<S> {
        Imap {
            wire,
            next_tag,
            undecoded: Vec::new(),
        }
    }

    pub fn next_tag(&self) -> u32 {
        self.next_tag
    }

    /// A fresh tag (`a1`, `a2`, ...).
    pub fn take_tag(&mut self) -> String {
        let tag = format!("a{}", self.next_tag);
        self.next_tag += 1;
        tag
    }

    /// Reads one whole response: a line, and for each `{n}` literal at its
    /// end the n bytes and the line that follows (RFC 3501 §4.3), bounded.
    pub async fn read_response(
        &mut self,
        step: &'static str,
        deadline: Deadline,
    ) -> Result<(Decoded, Vec<u8>), StepFailure> {
        let mut bytes = Vec::new();
        let mut line = self.wire.line(step, deadline).await?;
        loop {
            bytes.extend_from_slice(&line);
            bytes.extend_from_slice(b"\r\n");
            let Some(n) = literal_length(&line) else {
                break;
            };
            if n > MAX_LITERAL {
                return Err(StepFailure::new(
                    step,
                    ErrorKind::Limit,
                    format!("literal of {n} bytes exceeds the {MAX_LITERAL}-byte bound"),
                ));
            }
            let data = self.wire.read_exact(n, step, deadline).await?;
            // `{n}` CRLF, n bytes, then the rest of the response up to CRLF.
            bytes.extend_from_slice(&data);
            line = self.wire.line(step, deadline).await?;
        }
        let decoded = decode_response(&bytes);
        if !decoded.by_codec {
            let shown = self.wire.shown(&bytes[..bytes.len().saturating_sub(2)]);
            if self.undecoded.len() < 20 {
                self.undecoded.push(shown);
            }
        }
        Ok((decoded, bytes))
    }

    /// Sends `tag SP text` and collects responses up to its tagged completion.
    /// `shown` replaces the text in the transcript (for secrets).
    pub async fn command(
        &mut self,
        text: &str,
        shown: Option<&str>,
        step: &'static str,
        deadline: Deadline,
    ) -> Result<Completion, StepFailure> {
        let tag = self.take_tag();
        let line = format!("{tag} {text}\r\n");
        let display = format!("{tag} {}", shown.unwrap_or(text));
        self.wire
            .send(line.as_bytes(), &display, step, deadline)
            .await?;
        self.complete(&tag, step, deadline).await
    }

    /// Sends `commands` (text, step; none may carry a secret) in one write
    /// and collects each one's completion in turn (pipelining, RFC 3501
    /// §5.5: one round trip for all). The list stops at the first failure:
    /// the commands after it have no answer to read.
    pub async fn pipeline(
        &mut self,
        commands: &[(&str, &'static str)],
        deadline: Deadline,
    ) -> Vec<Result<Completion, StepFailure>> {
        let Some(&(_, first_step)) = commands.first() else {
            return Vec::new();
        };
        let tagged: Vec<(String, &'static str, String)> = commands
            .iter()
            .map(|&(text, step)| {
                let tag = self.take_tag();
                let line = format!("{tag} {text}");
                (tag, step, line)
            })
            .collect();
        let mut bytes = Vec::new();
        for (_, _, line) in &tagged {
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        let shown: Vec<&str> = tagged.iter().map(|(_, _, line)| line.as_str()).collect();
        if let Err(f) = self
            .wire
            .send_flight(&bytes, &shown, first_step, deadline)
            .await
        {
            return vec![Err(f)];
        }
        let mut done = Vec::new();
        for (tag, step, _) in &tagged {
            let completion = self.complete(tag, step, deadline).await;
            let failed = completion.is_err();
            done.push(completion);
            if failed {
                break;
            }
        }
        done
    }

    /// Reads responses until the one tagged `tag`.
    pub async fn complete(
        &mut self,
        tag: &str,
        step: &'static str,
        deadline: Deadline,
    ) -> Result<Completion, StepFailure> {
        let mut untagged = Vec::new();
        for _ in 0..MAX_RESPONSES {
            let (decoded, bytes) = self.read_response(step, deadline).await?;
            match decoded.reply {
                ImapResponse::Status {
                    tag: Some(t),
                    condition,
                    capabilities,
                    ..
                } if t.eq_ignore_ascii_case(tag) => {
                    return Ok(Completion {
                        untagged,
                        condition,
                        capabilities,
                        line: self.wire.shown(&bytes[..bytes.len().saturating_sub(2)]),
                    });
                }
                ImapResponse::Continuation => {
                    return Err(StepFailure::new(
                        step,
                        ErrorKind::Protocol,
                        "the server asked for more data for a command that takes none",
                    ));
                }
                other => untagged.push(other),
            }
        }
        Err(StepFailure::new(
            step,
            ErrorKind::Limit,
            format!("no tagged completion within {MAX_RESPONSES} responses"),
        ))
    }
}

/// `{n}` or `{n+}` (RFC 7888) at the end of a line: a literal follows.
fn literal_length(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn exchange_greeting_and_capabilities_decode_verbatim() {
        let g =
            decode_greeting(b"* OK The Microsoft Exchange IMAP4 service is ready.\r\n").unwrap();
        assert!(g.by_codec);
        assert_eq!(
            g.reply,
            ImapResponse::Status {
                tag: None,
                condition: Condition::Ok,
                capabilities: None,
                text: "The Microsoft Exchange IMAP4 service is ready.".into()
            }
        );
        let d = decode_response(b"* CAPABILITY IMAP4 IMAP4rev1 AUTH=NTLM AUTH=GSSAPI LOGINDISABLED STARTTLS UIDPLUS CHILDREN IDLE NAMESPACE LITERAL+\r\n");
        assert!(d.by_codec);
        assert_eq!(
            d.reply,
            ImapResponse::Capability(caps(&[
                "IMAP4",
                "IMAP4rev1",
                "AUTH=NTLM",
                "AUTH=GSSAPI",
                "LOGINDISABLED",
                "STARTTLS",
                "UIDPLUS",
                "CHILDREN",
                "IDLE",
                "NAMESPACE",
                "LITERAL+"
            ]))
        );
    }

    #[test]
    fn greeting_capability_code_and_bye() {
        let g = decode_greeting(b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot ready.\r\n").unwrap();
        match g.reply {
            ImapResponse::Status {
                capabilities: Some(c),
                text,
                ..
            } => {
                assert_eq!(c[0], "IMAP4rev1");
                assert_eq!(c.last().map(String::as_str), Some("AUTH=PLAIN"));
                assert_eq!(text, "Dovecot ready.");
            }
            other => panic!("{other:?}"),
        }
        let g = decode_greeting(b"* BYE Too many connections\r\n").unwrap();
        assert!(matches!(
            g.reply,
            ImapResponse::Status {
                condition: Condition::Bye,
                ..
            }
        ));
        assert!(decode_greeting(b"+OK POP3 ready\r\n").is_none());
        assert!(decode_greeting(b"* NO go away\r\n").is_none());
    }

    #[test]
    fn tagged_status_and_continuation() {
        let d = decode_response(b"a2 OK Begin TLS negotiation now.\r\n");
        assert_eq!(
            d.reply,
            ImapResponse::Status {
                tag: Some("a2".into()),
                condition: Condition::Ok,
                capabilities: None,
                text: "Begin TLS negotiation now.".into()
            }
        );
        assert_eq!(decode_response(b"+ \r\n").reply, ImapResponse::Continuation);
        let d = decode_response(b"a5 NO AUTHENTICATE failed.\r\n");
        assert!(matches!(
            d.reply,
            ImapResponse::Status {
                condition: Condition::No,
                ..
            }
        ));
    }

    #[test]
    fn id_response_is_read_tolerantly() {
        // imap-codec 1.x has no RFC 2971 support: the tolerant reader takes over.
        let d = decode_response(
            b"* ID (\"name\" \"Microsoft.Exchange.Imap4.Imap4Server\" \"version\" \"15.20\" \"x\" NIL)\r\n",
        );
        assert!(!d.by_codec);
        assert_eq!(
            d.reply,
            ImapResponse::Id(vec![
                ("name".into(), "Microsoft.Exchange.Imap4.Imap4Server".into()),
                ("version".into(), "15.20".into())
            ])
        );
        assert_eq!(
            id_pairs(b"* ID (\"name\" {7}\r\nDovecot)\r\n"),
            vec![("name".to_string(), "Dovecot".to_string())]
        );
    }

    #[test]
    fn every_prefix_of_a_response_is_safe() {
        let full: &[u8] = b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready \xff\r\n";
        for i in 0..=full.len() {
            let _ = decode_greeting(&full[..i]);
            let _ = decode_response(&full[..i]);
            let _ = id_pairs(&full[..i]);
        }
        let id: &[u8] = b"* ID (\"a\" {3}\r\nxyz \"b\\\"\" NIL)\r\n";
        for i in 0..=id.len() {
            let _ = id_pairs(&id[..i]);
        }
    }

    #[test]
    fn id_literal_lengths_cannot_overflow() {
        assert!(id_pairs(b"* ID (\"a\" {18446744073709551614}\r\nx)").is_empty());
    }

    #[test]
    fn literal_lengths() {
        assert_eq!(literal_length(b"* 1 FETCH (BODY {12}"), Some(12));
        assert_eq!(literal_length(b"x {5+}"), Some(5));
        assert_eq!(literal_length(b"x {}"), None);
        assert_eq!(literal_length(b"x {99999999999}"), None);
        assert_eq!(literal_length(b"* OK done"), None);
    }
}
