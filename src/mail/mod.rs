//! Mail dialogues (IMAP, later POP3 and SMTP) over a bounded line reader.

pub mod line;
pub mod starttls;

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
