//! Which TLS engine carries the mail dialogue: the pipeline hands this
//! judgement to the dialogue ([`crate::mail::dialogue::Fallback::retry`]),
//! which only carries it out.

use crate::mail::dialogue::ModernFailure;

/// After the modern (rustls) handshake failed: a second pass over the
/// legacy (OpenSSL) engine, unless the server did not speak TLS at all
/// (plaintext, or SSL 2.0, which the legacy engine lacks too) — it would
/// fare no better.
pub fn legacy_may_help(failure: &ModernFailure) -> bool {
    !failure.answered_without_tls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_spoke_no_tls_gets_no_legacy_pass() {
        assert!(legacy_may_help(&ModernFailure {
            answered_without_tls: false
        }));
        assert!(!legacy_may_help(&ModernFailure {
            answered_without_tls: true
        }));
    }
}
