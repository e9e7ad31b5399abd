//! What a caller asks for, and its validation into a [`ProbeSpec`].
//!
//! One request model serves `POST /v1/probes`, `GET /v1/probes` and the CLI,
//! so a rule (a port default, a host check) is written once.

use crate::tls::security::CheckId;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use utoipa::ToSchema;

use rustls::pki_types::TrustAnchor;

use crate::config::Settings;
use crate::mail::auth::{LoginRequest, LoginSecret};
use crate::vocab::host::{Host, InvalidField, invalid, parse_host};
use crate::vocab::{Protocol, Transport};

/// Probe one mail endpoint.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "host": "mail.example.com",
    "port": 993,
    "protocol": "imap",
    "transport": "implicit",
    "timeout_ms": 10000
}))]
pub struct ProbeRequest {
    /// Host name or IP address of the mail server. IPv6 may be bracketed.
    #[schema(example = "mail.example.com")]
    pub host: String,
    /// TCP port. Default by protocol and transport: IMAP 993/143, POP3
    /// 995/110, SMTP 465/587, TLS 443.
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<u16>,
    /// Default `imap`.
    pub protocol: Option<Protocol>,
    /// Default `auto`: implicit TLS on 993/995/465/443, STARTTLS on
    /// 143/110/25/587, implicit on any other port.
    pub transport: Option<Transport>,
    /// Server name to send in SNI and to check the certificate against.
    /// Default: the host, unless it is an IP address.
    pub sni: Option<String>,
    /// Client profiles whose verdict decides `verdict` (default: all).
    pub profiles: Option<Vec<String>>,
    /// Deadline for the whole probe, in milliseconds.
    #[schema(minimum = 100)]
    pub timeout_ms: Option<u64>,
    /// Extra trusted roots for this probe only (PEM, one or more
    /// `CERTIFICATE` blocks, at most 32), tried after the Mozilla roots and
    /// the configured bundle, e.g. a company's private CA.
    pub ca_bundle_pem: Option<String>,
    /// Optional login test. Credentials are sent only inside TLS (unless
    /// `allow_plaintext_login`), never logged and never echoed in the Report.
    /// Mind account lockout policies: one attempt per probe.
    pub credentials: Option<Credentials>,
    /// Send `credentials` even when the connection is not encrypted (the
    /// STARTTLS upgrade refused or failed). Default `false`.
    pub allow_plaintext_login: Option<bool>,
    /// Send `credentials` inside TLS even when the server's certificate is
    /// not trusted (default store, configured bundle or `ca_bundle_pem`) or
    /// does not match the name. Default `false`: the login is then not
    /// attempted and `mail.login.reason` says why.
    pub allow_untrusted_login: Option<bool>,
    /// Security checks to run beside the scan, by id (default: every check
    /// the service allows, `MAILPROBE_SECURITY_CHECKS`); `[]` runs none.
    /// Their cost is in `stats.security_connections` and `timings`.
    pub checks: Option<Vec<CheckId>>,
}

/// A login to test: `username` with exactly one of `password` or `oauth2_token`.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct Credentials {
    /// The account to log in as.
    #[schema(example = "alice@example.com")]
    pub username: String,
    /// For AUTHENTICATE PLAIN, or LOGIN when PLAIN is not offered.
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<SecretString>,
    /// An OAuth2 access token, for AUTHENTICATE XOAUTH2.
    #[schema(value_type = Option<String>, format = Password)]
    pub oauth2_token: Option<SecretString>,
}

/// Hand-written (through `deserialize_any`, so the visitor sees every wrong
/// type) so that no error message can quote a secret: serde's own
/// messages include the offending value (`invalid type: string "hunter2"`),
/// and the error goes back to the caller and into logs.
impl<'de> Deserialize<'de> for Credentials {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Credentials, D::Error> {
        d.deserialize_any(CredentialsVisitor)
    }
}

const CREDENTIAL_FIELDS: &[&str] = &["username", "password", "oauth2_token"];

/// Refuses everything but a map, without quoting what it got.
macro_rules! refuse_scalars {
    ($what:literal) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(de::Error::custom($what))
        }
    };
}

struct CredentialsVisitor;

impl<'de> Visitor<'de> for CredentialsVisitor {
    type Value = Credentials;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object {username, password} or {username, oauth2_token}")
    }

    refuse_scalars!("must be an object {username, password} or {username, oauth2_token}");

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Credentials, E> {
        Err(E::custom(
            "must be an object {username, password} or {username, oauth2_token}",
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Credentials, A::Error> {
        let mut c = Credentials::default();
        let mut username = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "username" => username = Some(map.next_value::<String>()?),
                "password" => c.password = Some(map.next_value::<SecretField>()?.0),
                "oauth2_token" => c.oauth2_token = Some(map.next_value::<SecretField>()?.0),
                other => return Err(de::Error::unknown_field(other, CREDENTIAL_FIELDS)),
            }
        }
        c.username = username.ok_or_else(|| de::Error::missing_field("username"))?;
        Ok(c)
    }
}

/// A secret string field; a wrong type is refused without quoting it.
struct SecretField(SecretString);

impl<'de> Deserialize<'de> for SecretField {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<SecretField, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SecretField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            refuse_scalars!("must be a string");
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretField, E> {
                Ok(SecretField(SecretString::from(v.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<SecretField, A::Error> {
                Err(de::Error::custom("must be a string"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A validated request: every field checked, every default applied.
#[derive(Debug, Clone)]
pub struct ProbeSpec {
    pub host: Host,
    pub port: u16,
    pub protocol: Protocol,
    /// `Implicit` or `Starttls`, never `Auto`.
    pub transport: Transport,
    pub sni: Option<String>,
    pub profiles: Option<Vec<String>>,
    pub timeout: Duration,
    /// The login test to run, if any.
    pub login: Option<LoginRequest>,
    /// Trust anchors from the request's `ca_bundle_pem` (empty: none given).
    pub ca_anchors: Vec<TrustAnchor<'static>>,
    /// The request's `checks` (None: the service's default).
    pub checks: Option<Vec<CheckId>>,
}

/// The port a protocol uses by default over a transport.
pub fn default_port(protocol: Protocol, transport: Transport) -> u16 {
    match (protocol, transport) {
        (Protocol::Imap, Transport::Starttls) => 143,
        (Protocol::Imap, _) => 993,
        (Protocol::Pop3, Transport::Starttls) => 110,
        (Protocol::Pop3, _) => 995,
        // 587 (submission) is what mail clients and migration tools use; MX
        // servers on 25 are probed by giving the port.
        (Protocol::Smtp, Transport::Starttls) => 587,
        (Protocol::Smtp, _) => 465,
        (Protocol::Tls, _) => 443,
    }
}

/// `auto`: the transport the well-known port implies.
pub fn transport_for_port(port: u16) -> Transport {
    match port {
        143 | 110 | 25 | 587 => Transport::Starttls,
        _ => Transport::Implicit,
    }
}

impl ProbeRequest {
    pub fn validate(&self, settings: &Settings) -> Result<ProbeSpec, InvalidField> {
        let host = parse_host(&self.host)?;
        let protocol = self.protocol.unwrap_or(Protocol::Imap);
        let requested = self.transport.unwrap_or(Transport::Auto);
        if protocol == Protocol::Tls && requested == Transport::Starttls {
            return Err(invalid(
                "transport",
                "protocol `tls` has no plaintext dialogue to upgrade; use `implicit` or pick the mail protocol that speaks STARTTLS",
            ));
        }
        let port = match self.port {
            Some(0) => return Err(invalid("port", "must be between 1 and 65535")),
            Some(p) => p,
            None => default_port(protocol, requested),
        };
        let transport = match requested {
            Transport::Auto if protocol == Protocol::Tls => Transport::Implicit,
            Transport::Auto => transport_for_port(port),
            t => t,
        };
        let sni = match &self.sni {
            Some(s) => match parse_host(s) {
                Ok(Host::Name(n)) => Some(n),
                Ok(Host::Ip(_)) => {
                    return Err(invalid(
                        "sni",
                        "SNI carries a host name, not an IP address (RFC 6066 §3)",
                    ));
                }
                Err(e) => return Err(invalid("sni", e.message)),
            },
            None => match &host {
                Host::Name(n) => Some(n.clone()),
                Host::Ip(_) => None,
            },
        };
        let timeout_ms = self.timeout_ms.unwrap_or(settings.default_timeout_ms);
        if !(100..=settings.max_timeout_ms).contains(&timeout_ms) {
            return Err(invalid(
                "timeout_ms",
                format!(
                    "must be between 100 and {} (MAILPROBE_MAX_TIMEOUT_MS)",
                    settings.max_timeout_ms
                ),
            ));
        }
        if let Some(profiles) = &self.profiles {
            let known = crate::diagnosis::profile_ids();
            if let Some(unknown) = profiles.iter().find(|p| !known.contains(&p.as_str())) {
                return Err(invalid(
                    "profiles",
                    format!("unknown profile `{unknown}`; known: {}", known.join(", ")),
                ));
            }
        }
        let login = self.login(protocol)?;
        let ca_anchors = match &self.ca_bundle_pem {
            None => Vec::new(),
            Some(pem) => crate::tls::trust::anchors_from_pem(
                pem.as_bytes(),
                crate::tls::trust::MAX_REQUEST_CERTS,
            )
            .map_err(|e| invalid("ca_bundle_pem", e.to_string()))?,
        };
        Ok(ProbeSpec {
            host,
            port,
            protocol,
            transport,
            sni,
            profiles: self.profiles.clone(),
            timeout: Duration::from_millis(timeout_ms),
            login,
            ca_anchors,
            checks: self.checks.clone(),
        })
    }

    /// Checks `credentials` and `allow_plaintext_login`. Messages name the
    /// field and never include a secret.
    fn login(&self, protocol: Protocol) -> Result<Option<LoginRequest>, InvalidField> {
        let Some(c) = &self.credentials else {
            if self.allow_plaintext_login == Some(true) {
                return Err(invalid(
                    "allow_plaintext_login",
                    "only meaningful together with `credentials`",
                ));
            }
            if self.allow_untrusted_login == Some(true) {
                return Err(invalid(
                    "allow_untrusted_login",
                    "only meaningful together with `credentials`",
                ));
            }
            return Ok(None);
        };
        if protocol == Protocol::Tls {
            return Err(invalid(
                "credentials",
                "protocol `tls` has no mail dialogue to log in to",
            ));
        }
        // CR, LF and NUL would end or corrupt the command line on the wire.
        let unsafe_chars = |s: &str| s.chars().any(|ch| matches!(ch, '\r' | '\n' | '\0'));
        if c.username.is_empty() || c.username.len() > 320 || unsafe_chars(&c.username) {
            return Err(invalid(
                "credentials.username",
                "must be 1 to 320 characters without CR, LF or NUL",
            ));
        }
        let secret = match (&c.password, &c.oauth2_token) {
            (Some(p), None) => ("credentials.password", LoginSecret::Password(p.clone())),
            (None, Some(t)) => (
                "credentials.oauth2_token",
                LoginSecret::OAuth2Token(t.clone()),
            ),
            _ => {
                return Err(invalid(
                    "credentials",
                    "give exactly one of `password` or `oauth2_token`",
                ));
            }
        };
        let (field, secret) = secret;
        let value = match &secret {
            LoginSecret::Password(s) | LoginSecret::OAuth2Token(s) => s.expose_secret(),
        };
        if value.is_empty() || value.len() > 8192 || unsafe_chars(value) {
            return Err(invalid(
                field,
                "must be 1 to 8192 characters without CR, LF or NUL",
            ));
        }
        Ok(Some(LoginRequest {
            username: c.username.clone(),
            secret,
            allow_plaintext: self.allow_plaintext_login.unwrap_or(false),
            allow_untrusted: self.allow_untrusted_login.unwrap_or(false),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_spellings_are_read_as_a_resolver_reads_them() {
        let lo = Host::Ip("127.0.0.1".parse().unwrap());
        for spelling in [
            "2130706433",
            "0x7f.1",
            "127.1",
            "0177.0.0.1",
            "0x7f000001",
            "127.0.1",
            "0x7F.0.0.0x1",
            "127.0.0.1.",
        ] {
            assert_eq!(parse_host(spelling).unwrap(), lo, "{spelling}");
        }
        assert_eq!(
            parse_host("0").unwrap(),
            Host::Ip("0.0.0.0".parse().unwrap())
        );
        for bad in [
            "4294967296",
            "256.1.1.1",
            "1.2.3.4.5",
            "08.1.1.1",
            "127.0x1ffffff",
        ] {
            assert!(
                !matches!(parse_host(bad), Ok(Host::Name(_))),
                "{bad} must not pass as a name"
            );
        }
        // A name with letters stays a name.
        assert!(matches!(parse_host("0x7f.example"), Ok(Host::Name(_))));
    }
    use clap::Parser;

    fn settings() -> Settings {
        #[derive(Parser)]
        struct W {
            #[command(flatten)]
            s: Settings,
        }
        W::parse_from(["x"]).s
    }

    fn req(host: &str) -> ProbeRequest {
        ProbeRequest {
            host: host.into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_follow_protocol_and_transport() {
        let s = settings();
        let spec = req("mail.example.com").validate(&s).unwrap();
        assert_eq!((spec.port, spec.transport), (993, Transport::Implicit));
        assert_eq!(spec.sni.as_deref(), Some("mail.example.com"));

        let mut r = req("mail.example.com");
        r.transport = Some(Transport::Starttls);
        assert_eq!(r.validate(&s).unwrap().port, 143);
        r.protocol = Some(Protocol::Smtp);
        assert_eq!(r.validate(&s).unwrap().port, 587);
        r.protocol = Some(Protocol::Pop3);
        assert_eq!(r.validate(&s).unwrap().port, 110);
    }

    #[test]
    fn auto_transport_follows_port() {
        let s = settings();
        for (port, t) in [
            (143, Transport::Starttls),
            (25, Transport::Starttls),
            (587, Transport::Starttls),
            (110, Transport::Starttls),
            (993, Transport::Implicit),
            (465, Transport::Implicit),
            (4993, Transport::Implicit),
        ] {
            let mut r = req("h.example");
            r.port = Some(port);
            assert_eq!(r.validate(&s).unwrap().transport, t, "port {port}");
        }
    }

    #[test]
    fn ip_hosts_get_no_sni() {
        let s = settings();
        let spec = req("[::1]").validate(&s).unwrap();
        assert_eq!(spec.host, Host::Ip("::1".parse().unwrap()));
        assert_eq!(spec.sni, None);
    }

    #[test]
    fn bad_fields_are_named() {
        let s = settings();
        assert_eq!(req("").validate(&s).unwrap_err().field, "host");
        assert_eq!(
            req("http://x.example/").validate(&s).unwrap_err().field,
            "host"
        );
        assert_eq!(req("a..b").validate(&s).unwrap_err().field, "host");
        assert_eq!(req("-a.example").validate(&s).unwrap_err().field, "host");
        assert_eq!(req(&"a".repeat(64)).validate(&s).unwrap_err().field, "host");
        let mut r = req("x.example");
        r.port = Some(0);
        assert_eq!(r.validate(&s).unwrap_err().field, "port");
        let mut r = req("x.example");
        r.timeout_ms = Some(10_000_000);
        assert_eq!(r.validate(&s).unwrap_err().field, "timeout_ms");
        let mut r = req("x.example");
        r.sni = Some("1.2.3.4".into());
        assert_eq!(r.validate(&s).unwrap_err().field, "sni");
        let mut r = req("x.example");
        r.protocol = Some(Protocol::Tls);
        r.transport = Some(Transport::Starttls);
        assert_eq!(r.validate(&s).unwrap_err().field, "transport");
        let mut r = req("x.example");
        r.profiles = Some(vec!["no-such-client".into()]);
        assert_eq!(r.validate(&s).unwrap_err().field, "profiles");
        let mut r = req("x.example");
        r.ca_bundle_pem =
            Some("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into());
        assert_eq!(r.validate(&s).unwrap_err().field, "ca_bundle_pem");
        r.ca_bundle_pem = Some("no pem here".into());
        let e = r.validate(&s).unwrap_err();
        assert_eq!(e.field, "ca_bundle_pem");
        assert!(e.message.contains("CERTIFICATE"), "{}", e.message);
    }

    #[test]
    fn credentials_are_checked_without_quoting_secrets() {
        let s = settings();
        let parse = |v: serde_json::Value| serde_json::from_value::<ProbeRequest>(v);
        let ok = parse(serde_json::json!({"host": "x.example",
            "credentials": {"username": "alice", "password": "hunter2"}}))
        .unwrap();
        let spec = ok.validate(&s).unwrap();
        let login = spec.login.unwrap();
        assert_eq!(login.username, "alice");
        assert!(!login.allow_plaintext);
        assert!(!format!("{ok:?}").contains("hunter2"));

        for (body, field) in [
            (serde_json::json!({"username": "a"}), "credentials"),
            (
                serde_json::json!({"username": "a", "password": "p", "oauth2_token": "t"}),
                "credentials",
            ),
            (
                serde_json::json!({"username": "", "password": "p"}),
                "credentials.username",
            ),
            (
                serde_json::json!({"username": "a\r\nx", "password": "p"}),
                "credentials.username",
            ),
            (
                serde_json::json!({"username": "a", "password": "p\r\nA1 LOGOUT"}),
                "credentials.password",
            ),
            (
                serde_json::json!({"username": "a", "oauth2_token": ""}),
                "credentials.oauth2_token",
            ),
        ] {
            let r = parse(serde_json::json!({"host": "x.example", "credentials": body})).unwrap();
            let e = r.validate(&s).unwrap_err();
            assert_eq!(e.field, field, "{body}");
            assert!(!e.message.contains("p\r\n"));
        }
        let mut r = parse(serde_json::json!({"host": "x.example", "protocol": "tls",
            "credentials": {"username": "a", "password": "p"}}))
        .unwrap();
        assert_eq!(r.validate(&s).unwrap_err().field, "credentials");
        r.credentials = None;
        r.allow_plaintext_login = Some(true);
        r.protocol = None;
        assert_eq!(r.validate(&s).unwrap_err().field, "allow_plaintext_login");

        // Wrong types are refused without echoing the value.
        for bad in [
            serde_json::json!({"host": "x", "credentials": "alice:hunter2"}),
            serde_json::json!({"host": "x", "credentials": {"username": "a", "password": ["hunter2"]}}),
            serde_json::json!({"host": "x", "credentials": {"username": "a", "password": 123456789}}),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(!e.contains("hunter2") && !e.contains("123456789"), "{e}");
        }
        let e = parse(
            serde_json::json!({"host": "x", "credentials": {"username": "a", "passwd": "p"}}),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown field `passwd`"), "{e}");
    }

    #[test]
    fn idna_names_are_converted() {
        assert_eq!(
            parse_host("bücher.example").unwrap(),
            Host::Name("xn--bcher-kva.example".into())
        );
        assert_eq!(
            parse_host("Mail.Example.COM.").unwrap(),
            Host::Name("mail.example.com".into())
        );
    }
}
