//! The optional login test: credentials kept secret, the mechanism chosen
//! the way a careful client would, SASL payloads built, and every trace of
//! the secret removed from what the server says back.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use secrecy::{ExposeSecret, SecretString};

use crate::vocab::Protocol;

/// What the caller asked us to log in with.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub username: String,
    pub secret: LoginSecret,
    /// Send credentials even when the connection is not encrypted.
    pub allow_plaintext: bool,
    /// Send credentials inside TLS even when the certificate is not trusted
    /// or does not match the name.
    pub allow_untrusted: bool,
}

/// The secret, redacted in `Debug` (secrecy) and never serialised.
#[derive(Debug, Clone)]
pub enum LoginSecret {
    Password(SecretString),
    OAuth2Token(SecretString),
}

/// A login method as it is sent on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// SASL PLAIN (RFC 4616): IMAP `AUTHENTICATE PLAIN`, POP3 `AUTH PLAIN`, SMTP `AUTH PLAIN`.
    Plain,
    /// IMAP `LOGIN` (RFC 3501 §6.2.3), SMTP `AUTH LOGIN`, POP3 `USER`/`PASS`.
    Login,
    /// Google/Microsoft XOAUTH2 bearer token.
    XOAuth2,
}

impl Mechanism {
    /// The name reported in `mail.login.mechanism`.
    pub fn label(self, protocol: Protocol) -> &'static str {
        match (self, protocol) {
            (Mechanism::Plain, _) => "PLAIN",
            (Mechanism::XOAuth2, _) => "XOAUTH2",
            (Mechanism::Login, Protocol::Pop3) => "USER/PASS",
            (Mechanism::Login, _) => "LOGIN",
        }
    }
}

// The Report's closed list of `Mechanism::label`s (the OpenAPI enum of
// `mail.login.mechanism`); `report::names` re-exports it.
/// How the login test sent the credentials (`USER/PASS`: POP3's LOGIN).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub enum LoginMechanism {
    #[serde(rename = "PLAIN")]
    Plain,
    #[serde(rename = "LOGIN")]
    Login,
    #[serde(rename = "XOAUTH2")]
    XOAuth2,
    #[serde(rename = "USER/PASS")]
    UserPass,
}

/// Picks the mechanism a careful client would use, or says why none fits.
/// `mechanisms` are the SASL names offered where the login happens;
/// `login_disabled` is IMAP's LOGINDISABLED there (RFC 3501 §6.2.3: a client
/// MUST NOT send LOGIN then).
pub fn choose(
    protocol: Protocol,
    secret: &LoginSecret,
    mechanisms: &[String],
    login_disabled: bool,
) -> Result<Mechanism, String> {
    let offers = |m: &str| mechanisms.iter().any(|x| x.eq_ignore_ascii_case(m));
    let offered = if mechanisms.is_empty() {
        "none".to_string()
    } else {
        mechanisms.join(" ")
    };
    match secret {
        LoginSecret::OAuth2Token(_) => {
            if offers("XOAUTH2") {
                Ok(Mechanism::XOAuth2)
            } else {
                Err(format!(
                    "an OAuth2 token was given but the server does not offer XOAUTH2 (offered: {offered})"
                ))
            }
        }
        LoginSecret::Password(_) => {
            if offers("PLAIN") {
                return Ok(Mechanism::Plain);
            }
            match protocol {
                Protocol::Imap if login_disabled => Err(format!(
                    "the server offers no AUTH=PLAIN and advertises LOGINDISABLED (offered: {offered})"
                )),
                Protocol::Imap | Protocol::Pop3 => Ok(Mechanism::Login),
                Protocol::Smtp if offers("LOGIN") => Ok(Mechanism::Login),
                _ => Err(format!(
                    "the server offers neither PLAIN nor LOGIN (offered: {offered})"
                )),
            }
        }
    }
}

/// The base64 SASL initial response for PLAIN or XOAUTH2.
pub fn sasl_initial_response(mechanism: Mechanism, login: &LoginRequest) -> SecretString {
    let raw = match (&login.secret, mechanism) {
        (LoginSecret::OAuth2Token(t), _) => format!(
            "user={}\x01auth=Bearer {}\x01\x01",
            login.username,
            t.expose_secret()
        ),
        (LoginSecret::Password(p), _) => format!("\0{}\0{}", login.username, p.expose_secret()),
    };
    SecretString::from(B64.encode(raw.as_bytes()))
}

/// The secret itself (password or token).
pub fn secret_value(login: &LoginRequest) -> &str {
    match &login.secret {
        LoginSecret::Password(p) | LoginSecret::OAuth2Token(p) => p.expose_secret(),
    }
}

/// An IMAP quoted string (RFC 3501 §4.3): `\` and `"` escaped. CR, LF and NUL
/// are refused at request validation, so quoting is always possible.
pub fn imap_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Removes every form of the secret from text: as given, IMAP-quoted, and
/// base64 encoded alone or inside a SASL payload. Cloned into each dialogue;
/// holds secrets, so it redacts itself in `Debug`.
#[derive(Clone, Default)]
pub struct Redactor {
    needles: Vec<SecretString>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.needles.len())
    }
}

impl Redactor {
    pub fn for_login(login: Option<&LoginRequest>) -> Redactor {
        let Some(login) = login else {
            return Redactor::default();
        };
        let secret = secret_value(login);
        let mut needles = vec![
            secret.to_string(),
            imap_quoted(secret),
            B64.encode(secret.as_bytes()),
        ];
        for m in [Mechanism::Plain, Mechanism::XOAuth2] {
            needles.push(sasl_initial_response(m, login).expose_secret().to_string());
        }
        // Printable escaping of server echoes could change the form; secrets
        // with control characters are refused at validation. Every length
        // is redacted: a short secret is still a secret (issue 15).
        needles.retain(|n| !n.is_empty());
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Redactor {
            needles: needles.into_iter().map(SecretString::from).collect(),
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for n in &self.needles {
            let n = n.expose_secret();
            if out.contains(n) {
                out = out.replace(n, "[redacted]");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(secret: LoginSecret) -> LoginRequest {
        LoginRequest {
            username: "alice".into(),
            secret,
            allow_plaintext: false,
            allow_untrusted: false,
        }
    }

    fn mechs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn password_prefers_plain_then_login_unless_disabled() {
        let pw = LoginSecret::Password("pw".to_string().into());
        assert_eq!(
            choose(Protocol::Imap, &pw, &mechs(&["NTLM", "PLAIN"]), false),
            Ok(Mechanism::Plain)
        );
        assert_eq!(
            choose(Protocol::Imap, &pw, &mechs(&["NTLM"]), false),
            Ok(Mechanism::Login)
        );
        let e = choose(Protocol::Imap, &pw, &mechs(&["NTLM", "GSSAPI"]), true).unwrap_err();
        assert!(
            e.contains("LOGINDISABLED") && e.contains("NTLM GSSAPI"),
            "{e}"
        );
        assert_eq!(
            choose(Protocol::Pop3, &pw, &[], false),
            Ok(Mechanism::Login)
        );
        assert!(choose(Protocol::Smtp, &pw, &mechs(&["CRAM-MD5"]), false).is_err());
    }

    #[test]
    fn token_needs_xoauth2() {
        let tok = LoginSecret::OAuth2Token("tok".to_string().into());
        assert_eq!(
            choose(Protocol::Imap, &tok, &mechs(&["PLAIN", "xoauth2"]), false),
            Ok(Mechanism::XOAuth2)
        );
        assert!(choose(Protocol::Imap, &tok, &mechs(&["PLAIN"]), false).is_err());
    }

    #[test]
    fn sasl_payloads_follow_the_specs() {
        let l = login(LoginSecret::Password("s3cret".to_string().into()));
        let ir = sasl_initial_response(Mechanism::Plain, &l);
        assert_eq!(B64.decode(ir.expose_secret()).unwrap(), b"\0alice\0s3cret");
        let l = login(LoginSecret::OAuth2Token("ya29.tok".to_string().into()));
        let ir = sasl_initial_response(Mechanism::XOAuth2, &l);
        assert_eq!(
            B64.decode(ir.expose_secret()).unwrap(),
            b"user=alice\x01auth=Bearer ya29.tok\x01\x01"
        );
    }

    #[test]
    fn redactor_removes_every_form() {
        let l = login(LoginSecret::Password("hunter2\"x".to_string().into()));
        let r = Redactor::for_login(Some(&l));
        let plain = sasl_initial_response(Mechanism::Plain, &l);
        let text = format!(
            "NO bad hunter2\"x {} \"hunter2\\\"x\" {}",
            plain.expose_secret(),
            B64.encode("hunter2\"x")
        );
        let out = r.redact(&text);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(!out.contains(plain.expose_secret()), "{out}");
        assert!(format!("{r:?}").starts_with("Redactor("));
        assert_eq!(imap_quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
    /// Issue 15: secrets shorter than three characters were kept verbatim.
    #[test]
    fn short_secrets_are_redacted_too() {
        for secret in ["q", "pw"] {
            let r = Redactor::for_login(Some(&login(LoginSecret::Password(
                secret.to_string().into(),
            ))));
            let out = r.redact(&format!("NO [AUTHENTICATIONFAILED] {secret} is wrong"));
            assert!(out.contains("[redacted] is wrong"), "{out}");
            assert!(!out.contains(&format!(" {secret} ")), "{out}");
        }
    }
}
