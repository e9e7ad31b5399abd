//! Mail dialogues (IMAP, POP3, SMTP) over a bounded line reader: what the
//! server says in plaintext and inside TLS, which software it is, whether
//! the expected service answered at all, and an optional login test.

pub mod auth;
pub mod codec;
pub mod connection;
pub mod dialogue;
pub mod line;
pub mod preflight;
pub mod service;
pub mod software;
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
    use crate::vocab::Protocol;

    /// Mutated real server lines through every parser that sees server
    /// text: none may panic (a hostile server is an error value).
    #[test]
    fn mutated_server_text_never_panics() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x6d61_696c);
        let samples: &[&[u8]] = &[
            b"* OK [CAPABILITY IMAP4rev1 SASL-IR ID STARTTLS AUTH=PLAIN] Dovecot ready.\r\n",
            b"* OK The Microsoft Exchange IMAP4 service is ready. [UwBJADIAUABSADAANABDAEEAMAAwADAANQA=]\r\n",
            b"* CAPABILITY IMAP4 IMAP4rev1 AUTH=NTLM LOGINDISABLED STARTTLS LITERAL+\r\n",
            b"* ID (\"name\" {7}\r\nDovecot \"version\" NIL)\r\n",
            b"a2 OK [CAPABILITY IMAP4rev1] Begin TLS negotiation now.\r\n",
            b"+ eyJzdGF0dXMiOiI0MDEifQ==\r\n",
            b"220 mx.example ESMTP Exim 4.96\r\n",
            b"+OK Dovecot ready.\r\n",
        ];
        for _ in 0..20_000 {
            let mut b = samples[rng.random_range(0..samples.len())].to_vec();
            for _ in 0..rng.random_range(1..6) {
                let at = rng.random_range(0..=b.len());
                match rng.random_range(0..3) {
                    0 if at < b.len() => b[at] = rng.random(),
                    1 => b.insert(at, rng.random()),
                    _ if at < b.len() => {
                        b.remove(at);
                    }
                    _ => {}
                }
            }
            let _ = super::codec::imap::decode_greeting(&b);
            let _ = super::codec::imap::decode_response(&b);
            let _ = super::codec::imap::id_pairs(&b);
            let _ = super::service::classify_banner(Protocol::Imap, &b);
            let _ = super::service::banner(&b);
            let text = String::from_utf8_lossy(&b).into_owned();
            let _ = super::software::exchange_online_backend(&text);
            let list = [text.clone()];
            let pairs = [(text.clone(), text.clone())];
            let _ = super::software::guess(&super::software::Said {
                protocol: Protocol::Imap,
                greeting: &list,
                capabilities: &list,
                id: &pairs,
            });
            let _ = super::codec::smtp::auth_mechanisms(&list);
            let _ = super::codec::pop3::sasl_mechanisms(&list);
        }
    }

    #[test]
    fn printable_escapes_controls() {
        assert_eq!(
            super::printable(b"* OK\x00\x1b[31m"),
            "* OK\\u{0}\\u{1b}[31m"
        );
        assert_eq!(super::printable(&[0xff, b'a']), "\u{fffd}a");
    }
}
