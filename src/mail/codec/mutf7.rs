//! IMAP mailbox names in modified UTF-7 (RFC 3501 §5.1.3): `&` starts a
//! run of modified BASE64 (`,` for `/`) over UTF-16, `-` ends it, `&-` is
//! a literal `&`. Decoding is strict: what is not valid modified UTF-7
//! answers `None`, and the caller shows the name as sent.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn sextet(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The name decoded; `None` when `raw` is not valid modified UTF-7 (8-bit
/// bytes, an unterminated or malformed `&` run, a bad surrogate).
pub fn decode(raw: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c >= 0x80 {
            return None;
        }
        if c != b'&' {
            out.push(c as char);
            i += 1;
            continue;
        }
        let end = raw[i + 1..].iter().position(|&b| b == b'-')? + i + 1;
        let run = &raw[i + 1..end];
        if run.is_empty() {
            out.push('&');
        } else {
            out.push_str(&decode_run(run)?);
        }
        i = end + 1;
    }
    Some(out)
}

fn decode_run(run: &[u8]) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0u32;
    let mut units = Vec::new();
    for &c in run {
        bits = (bits << 6) | sextet(c)?;
        n += 6;
        if n >= 16 {
            n -= 16;
            units.push(((bits >> n) & 0xFFFF) as u16);
        }
    }
    // Leftover bits must be zero padding, fewer than 6 of them.
    if n >= 6 || bits & ((1 << n) - 1) != 0 {
        return None;
    }
    let s = String::from_utf16(&units).ok()?;
    // A run must not encode printable ASCII (RFC 3501 §5.1.3).
    if s.chars().any(|c| (' '..='~').contains(&c)) {
        return None;
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn rfc_examples_and_failures() {
        assert_eq!(decode(b"INBOX").as_deref(), Some("INBOX"));
        assert_eq!(decode(b"Entw&APw-rfe").as_deref(), Some("Entwürfe"));
        assert_eq!(
            decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").as_deref(),
            Some("~peter/mail/台北/日本語")
        );
        assert_eq!(decode(b"Tom &- Jerry").as_deref(), Some("Tom & Jerry"));
        assert_eq!(decode("Entwürfe".as_bytes()), None);
        assert_eq!(decode(b"&APw"), None);
        assert_eq!(decode(b"&AGE-"), None, "ASCII in a run");
        assert_eq!(decode(b"&2D3-"), None, "lone surrogate");
    }
}
