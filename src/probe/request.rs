//! What a caller asks for, and its validation into a [`ProbeSpec`].
//!
//! One request model serves `POST /v1/probes`, `GET /v1/probes` and the CLI,
//! so a rule (a port default, a host check) is written once.

use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;
use utoipa::ToSchema;

use rustls::pki_types::TrustAnchor;

use crate::config::Settings;
use crate::report::{Protocol, Transport};

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
}

/// A host, checked: either an IP literal or a DNS name in ASCII (A-label) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Ip(IpAddr),
    Name(String),
}

impl Host {
    pub fn as_string(&self) -> String {
        match self {
            Host::Ip(ip) => ip.to_string(),
            Host::Name(n) => n.clone(),
        }
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
    /// Trust anchors from the request's `ca_bundle_pem` (empty: none given).
    pub ca_anchors: Vec<TrustAnchor<'static>>,
}

/// A request field that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidField {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> InvalidField {
    InvalidField {
        field,
        message: message.into(),
    }
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
            ca_anchors,
        })
    }
}

/// Parses a host: an IP literal (IPv6 optionally in brackets) or a DNS name,
/// converted to its ASCII form (IDNA, so `bücher.example` works) and checked
/// against RFC 1035 lengths. Names that only *look* numeric (`127.1`,
/// `0x7f000001`) are left to the resolver; the policy checks whatever address
/// it yields, so no spelling slips past it.
pub fn parse_host(raw: &str) -> Result<Host, InvalidField> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid("host", "must not be empty"));
    }
    if s.len() > 253 + 2 {
        return Err(invalid("host", "longer than 253 characters"));
    }
    let unbracketed = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    if s.contains(['/', ':', '@', '?', '#', ' ', '\\']) {
        return Err(invalid(
            "host",
            format!(
                "`{}` is not a host name or IP address (give the port in `port`, no URL)",
                printable(s)
            ),
        ));
    }
    let name = s.strip_suffix('.').unwrap_or(s);
    let ascii = idna::domain_to_ascii(name).map_err(|_| {
        invalid(
            "host",
            format!("`{}` is not a valid host name", printable(s)),
        )
    })?;
    if ascii.is_empty() || ascii.len() > 253 {
        return Err(invalid("host", "a host name has 1 to 253 characters"));
    }
    for label in ascii.split('.') {
        let ok_len = (1..=63).contains(&label.len());
        let ok_chars = label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let ok_ends = !label.starts_with('-') && !label.ends_with('-');
        if !(ok_len && ok_chars && ok_ends) {
            return Err(invalid(
                "host",
                format!(
                    "`{}` is not a valid host name (label `{}`)",
                    printable(s),
                    printable(label)
                ),
            ));
        }
    }
    Ok(Host::Name(ascii))
}

fn printable(s: &str) -> String {
    s.chars().take(80).flat_map(char::escape_default).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
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
