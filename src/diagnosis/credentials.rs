//! May credentials be sent on this connection? One pure decision for every
//! engine that runs the login test (the modern dialogue today, the legacy
//! OpenSSL one too): the engine describes the connection, this says yes or
//! why not, and the Report carries that reason (issue 15).
//!
//! The rule: credentials go only to a server that proved who it is — inside
//! TLS, with a chain that validates against the default store, the
//! configured bundle or the request's `ca_bundle_pem`, for the name the
//! client was configured with. Otherwise any on-path attacker or spoofed DNS
//! answer would receive the password. The caller may opt out of each
//! half explicitly: `allow_plaintext_login` (no TLS) and
//! `allow_untrusted_login` (TLS without a trusted, matching certificate).

/// What the decision looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginConnection<'a> {
    /// The dialogue runs inside TLS.
    pub encrypted: bool,
    /// The certificate judgement of that TLS session (`tls.certificate`):
    /// the chain validates and the name matches. `None`: not judged (no
    /// chain seen).
    pub trusted: Option<bool>,
    /// The leaf covers the reference identity.
    pub name_match: Option<bool>,
    /// Why the chain is not trusted, as its stable code (`unknown_issuer`,
    /// `name_mismatch`, ...), for the reason given.
    pub trust_reason: Option<&'a str>,
    /// The caller's `allow_plaintext_login`.
    pub allow_plaintext: bool,
    /// The caller's `allow_untrusted_login`.
    pub allow_untrusted: bool,
}

/// `Ok` when credentials may be sent; otherwise the reason, worded for
/// `mail.login.reason` (it starts with "not attempted").
pub fn may_send_credentials(c: &LoginConnection<'_>) -> Result<(), String> {
    if !c.encrypted {
        return if c.allow_plaintext {
            Ok(())
        } else {
            Err("not attempted: the connection is not encrypted (the STARTTLS upgrade did not complete); set allow_plaintext_login to send credentials in clear".into())
        };
    }
    if c.trusted == Some(true) && c.name_match != Some(false) || c.allow_untrusted {
        return Ok(());
    }
    let why = match (c.trusted, c.name_match, c.trust_reason) {
        (None, _, _) => "the server's certificate could not be judged".to_string(),
        (_, Some(false), _) => {
            "the server's certificate does not match the name the client was configured with"
                .to_string()
        }
        (_, _, Some(reason)) => format!("the server's certificate is not trusted ({reason})"),
        _ => "the server's certificate is not trusted".to_string(),
    };
    Err(format!(
        "not attempted: {why}, so the server has not proved who it is and anyone on the path could receive the credentials; set allow_untrusted_login to send them anyway"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(
        encrypted: bool,
        trusted: Option<bool>,
        name_match: Option<bool>,
    ) -> LoginConnection<'static> {
        LoginConnection {
            encrypted,
            trusted,
            name_match,
            trust_reason: None,
            allow_plaintext: false,
            allow_untrusted: false,
        }
    }

    #[test]
    fn only_a_trusted_matching_tls_server_gets_credentials_by_default() {
        assert_eq!(
            may_send_credentials(&conn(true, Some(true), Some(true))),
            Ok(())
        );
        for (trusted, name) in [
            (Some(false), Some(true)),
            (Some(false), Some(false)),
            (Some(true), Some(false)),
            (None, None),
        ] {
            let r = may_send_credentials(&conn(true, trusted, name)).unwrap_err();
            assert!(r.starts_with("not attempted"), "{r}");
            assert!(r.contains("allow_untrusted_login"), "{r}");
        }
        let mut c = conn(true, Some(false), Some(true));
        c.trust_reason = Some("unknown_issuer");
        assert!(
            may_send_credentials(&c)
                .unwrap_err()
                .contains("(unknown_issuer)")
        );
    }

    #[test]
    fn each_opt_in_covers_its_own_case_only() {
        let mut c = conn(true, Some(false), Some(false));
        c.allow_plaintext = true;
        assert!(
            may_send_credentials(&c).is_err(),
            "plaintext opt-in is not trust"
        );
        c.allow_untrusted = true;
        assert_eq!(may_send_credentials(&c), Ok(()));
        let mut c = conn(false, None, None);
        c.allow_untrusted = true;
        assert!(
            may_send_credentials(&c)
                .unwrap_err()
                .contains("allow_plaintext_login"),
            "trust opt-in is not plaintext"
        );
        c.allow_plaintext = true;
        assert_eq!(may_send_credentials(&c), Ok(()));
    }
}
