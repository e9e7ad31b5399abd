//! Message subjects: the `Subject:` field out of a header block, unfolded,
//! with RFC 2047 encoded words (`=?charset?B|Q?text?=`) decoded for UTF-8,
//! US-ASCII and ISO-8859-1; other charsets stay as sent.

use base64::Engine;

/// The first `Subject:` field's value, unfolded and decoded; capped at 300
/// characters.
pub fn subject(header: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(header);
    let mut value: Option<String> = None;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        match &mut value {
            None => {
                // `get`: byte 8 of a server's header line may fall inside a
                // multi-byte character.
                if let (Some(name), Some(rest)) = (line.get(..8), line.get(8..))
                    && name.eq_ignore_ascii_case("subject:")
                {
                    value = Some(rest.trim().to_string());
                }
            }
            Some(v) if line.starts_with([' ', '\t']) => {
                v.push(' ');
                v.push_str(line.trim());
            }
            Some(_) => break,
        }
    }
    let decoded = decode_words(&value?);
    Some(decoded.chars().take(300).collect())
}

/// Decodes every encoded word; whitespace between two adjacent encoded
/// words is dropped (RFC 2047 §6.2).
pub fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, tail) = rest.split_at(start);
        let Some((decoded, used)) = word(tail) else {
            out.push_str(before);
            out.push_str("=?");
            rest = tail.get(2..).unwrap_or_default();
            last_was_word = false;
            continue;
        };
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        out.push_str(&decoded);
        rest = tail.get(used..).unwrap_or_default();
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

/// One encoded word at the start of `s`: its text and its length.
fn word(s: &str) -> Option<(String, usize)> {
    let body = s.get(2..)?;
    let q1 = body.find('?')?;
    let charset = body.get(..q1)?.split('*').next()?.to_ascii_lowercase();
    let enc = body.get(q1 + 1..q1 + 2)?.to_ascii_uppercase();
    if body.get(q1 + 2..q1 + 3)? != "?" {
        return None;
    }
    let text_start = q1 + 3;
    let end = body.get(text_start..)?.find("?=")? + text_start;
    let text = body.get(text_start..end)?;
    let bytes = match enc.as_str() {
        "B" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?,
        "Q" => q_decode(text)?,
        _ => return None,
    };
    let decoded = match charset.as_str() {
        "utf-8" | "us-ascii" => String::from_utf8_lossy(&bytes).into_owned(),
        "iso-8859-1" | "latin1" => bytes.iter().map(|&b| b as char).collect(),
        _ => return None,
    };
    Some((decoded, 2 + end + 2))
}

fn q_decode(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_line_with_a_multibyte_character_at_byte_8_is_no_panic() {
        // "Betref€" puts byte 8 inside the euro sign.
        assert_eq!(
            subject("Betref€: x\r\nSubject: ok\r\n\r\n".as_bytes()).as_deref(),
            Some("ok")
        );
        assert_eq!(subject("Subjec€\r\n\r\n".as_bytes()), None);
    }

    #[test]
    fn subjects_decoded_and_unfolded() {
        assert_eq!(
            subject(b"Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n\r\n").as_deref(),
            Some("Grüße")
        );
        assert_eq!(
            subject(b"SUBJECT: =?iso-8859-1?q?caf=E9_au?=\r\n =?utf-8?q?_lait?= ok\r\n\r\n")
                .as_deref(),
            Some("café au lait ok")
        );
        assert_eq!(subject(b"From: x\r\n\r\n"), None);
        assert_eq!(decode_words("=?koi8-r?B?x?= plain"), "=?koi8-r?B?x?= plain");
        assert_eq!(decode_words("a =?utf-8?q?=ZZ?= b"), "a =?utf-8?q?=ZZ?= b");
        assert_eq!(decode_words("=?"), "=?");
    }
}
