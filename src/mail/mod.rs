//! Mail dialogues (IMAP, POP3, SMTP) over a bounded line reader: what the
//! server says in plaintext and inside TLS, which software it is, whether
//! the expected service answered at all, and an optional login test.

pub mod auth;
pub mod dialogue;
pub mod imap;
pub mod line;
pub mod pop3;
pub mod service;
pub mod smtp;
pub mod software;
pub mod starttls;
pub mod wire;

/// Server text made safe to show: valid UTF-8 kept, control characters and
/// invalid bytes escaped, length capped.
pub fn printable(bytes: &[u8]) -> String {
    const MAX: usize = 1024;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX)]);
    let mut out: String = text
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if bytes.len() > MAX {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable_escapes_controls() {
        assert_eq!(
            super::printable(b"* OK\x00\x1b[31m"),
            "* OK\\u{0}\\u{1b}[31m"
        );
        assert_eq!(super::printable(&[0xff, b'a']), "\u{fffd}a");
    }
}
