//! HTTPS (and, for Thunderbird's unencrypted autoconfig variants, plain
//! HTTP) requests under the target policy: the Exchange virtual directories
//! and the discovery services (autoconfig, ISPDB, Autodiscover).
//!
//! The host is resolved once (by the caller, through [`super::discovery::Dns`]),
//! every address is checked against the [`OutboundGate`], and reqwest is told
//! to connect to exactly those addresses (`resolve_to_addrs`), so it never
//! resolves the name itself. Redirects are reported, never followed (a
//! `Location` could name any host); proxies from the environment are ignored;
//! every request is bounded in time and the body read in bytes.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::probe::ProbeRejection;
use crate::probe::outbound::OutboundGate;
use crate::vocab::Deadline;
use crate::vocab::host::Host;

/// A host whose addresses have been resolved and checked.
#[derive(Debug, Clone)]
pub struct WebTarget {
    pub host: Host,
    pub port: u16,
    pub addresses: Vec<IpAddr>,
    /// Plain `http://` (Thunderbird's unencrypted autoconfig variants);
    /// HTTPS otherwise.
    pub plain_http: bool,
}

impl WebTarget {
    /// Checks the port and every address at the outbound gate; one
    /// refused address refuses the target.
    pub fn checked(
        host: Host,
        port: u16,
        addresses: Vec<IpAddr>,
        gate: &OutboundGate,
    ) -> Result<WebTarget, ProbeRejection> {
        gate.check_fetch(&host, &addresses, port)?;
        Ok(WebTarget {
            host,
            port,
            addresses,
            plain_http: false,
        })
    }

    /// The same host over plain HTTP.
    pub fn over_plain_http(self) -> WebTarget {
        WebTarget {
            plain_http: true,
            ..self
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        let host = match &self.host {
            Host::Ip(IpAddr::V6(v6)) => format!("[{v6}]"),
            h => h.as_string(),
        };
        let (scheme, default_port) = if self.plain_http {
            ("http", 80)
        } else {
            ("https", 443)
        };
        if self.port == default_port {
            format!("{scheme}://{host}{path_and_query}")
        } else {
            format!("{scheme}://{host}:{}{path_and_query}", self.port)
        }
    }
}

/// What one request got back.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    pub status: Option<u16>,
    pub www_authenticate: Vec<String>,
    pub location: Option<String>,
    /// At most the caller's byte limit.
    pub body: Vec<u8>,
    pub error: Option<String>,
    /// The TLS handshake itself failed (as opposed to TCP, or nothing at all).
    pub tls_failed: bool,
    pub ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// One request, on a connection of its own (so each is one counted
/// connection), with a client that offers TLS 1.2 only (over plain HTTP
/// when the target says so: the client is not `https_only`).
pub async fn fetch(
    target: &WebTarget,
    method: Method,
    path_and_query: &str,
    body: Option<(&'static str, String)>,
    deadline: Deadline,
    max_body: usize,
) -> Fetched {
    let started = Instant::now();
    let mut out = Fetched::default();
    let budget = deadline.within(Duration::from_secs(10));
    let client = match client_for(target, budget.remaining()) {
        Ok(c) => c,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    let url = target.url(path_and_query);
    let mut req = match method {
        Method::Get => client.get(&url),
        Method::Post => client.post(&url),
    };
    if let Some((content_type, text)) = body {
        req = req.header("content-type", content_type).body(text);
    }
    let result = budget
        .run(async {
            let mut resp = req.send().await?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await? {
                let room = max_body.saturating_sub(body.len());
                body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or(&[]));
                if body.len() >= max_body {
                    break;
                }
            }
            Ok::<_, reqwest::Error>((status, headers, body))
        })
        .await;
    out.ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(Ok((status, headers, body))) => {
            out.status = Some(status);
            out.www_authenticate = headers
                .get_all("www-authenticate")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(|v| v.chars().take(200).collect())
                .take(16)
                .collect();
            out.location = headers
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(300).collect());
            out.body = body;
        }
        Ok(Err(e)) => {
            out.tls_failed = is_tls_error(&e);
            out.error = Some(error_chain(&e));
        }
        Err(t) => out.error = Some(format!("no answer: {t}")),
    }
    out
}

/// The schemes named in `WWW-Authenticate` values (`Negotiate`, `NTLM`,
/// `Basic realm="x"` → `Basic`), in order, without repeats.
pub fn auth_schemes(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        // Several challenges may share one header, comma-separated; a
        // challenge starts with a token that is not `key=value`.
        for part in v.split(',') {
            let Some(first) = part.split_whitespace().next() else {
                continue;
            };
            if first.contains('=') || first.contains('"') {
                continue;
            }
            if !out.iter().any(|s| s.eq_ignore_ascii_case(first)) {
                out.push(first.to_string());
            }
        }
    }
    out
}

fn client_for(target: &WebTarget, timeout: Duration) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls12_only()?)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("mailprobe/", env!("CARGO_PKG_VERSION")));
    if let Host::Name(name) = &target.host {
        let addrs: Vec<SocketAddr> = target
            .addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, target.port))
            .collect();
        builder = builder.resolve_to_addrs(name, &addrs);
    }
    builder
        .build()
        .map_err(|e| format!("HTTP client: {}", error_chain(&e)))
}

/// TLS 1.2 only (what Exchange Online's migration service needs of the
/// source), ring as everywhere else, and any certificate accepted: the
/// question here is whether the endpoint answers; the certificate is judged
/// in the `https` endpoint's Report.
fn tls12_only() -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(AnyCertificate(provider.signature_verification_algorithms));
    rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .map(|b| {
            b.dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth()
        })
        .map_err(|e| format!("TLS configuration: {e}"))
}

#[derive(Debug)]
struct AnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// Whether a rustls error is behind `e`. `io::Error::source` skips the
/// error it wraps (it returns that error's source), and hyper nests
/// `io::Error`s, so each one is opened with `get_ref` (bounded depth).
fn is_tls_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    for _ in 0..16 {
        let Some(err) = cur else { return false };
        if err.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        cur = match err.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => None,
            },
            None => err.source(),
        };
    }
    false
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        let text = err.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cur = err.source();
    }
    s.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_from_www_authenticate() {
        let v = vec![
            "Negotiate".to_string(),
            "NTLM".to_string(),
            "Basic realm=\"mail.example.com\", Bearer error=\"x\"".to_string(),
            "ntlm".to_string(),
        ];
        assert_eq!(auth_schemes(&v), ["Negotiate", "NTLM", "Basic", "Bearer"]);
        assert!(auth_schemes(&[]).is_empty());
    }

    #[test]
    fn tls_errors_are_found_inside_nested_io_errors() {
        let tls = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion),
        );
        let outer = std::io::Error::other(tls);
        assert!(is_tls_error(&outer));
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(!is_tls_error(&std::io::Error::other(refused)));
    }

    #[test]
    fn urls_bracket_ipv6_and_omit_443() {
        let t = WebTarget {
            host: Host::Ip("::1".parse().unwrap()),
            port: 8443,
            addresses: vec![],
            plain_http: false,
        };
        assert_eq!(t.url("/x"), "https://[::1]:8443/x");
        let t = WebTarget {
            host: Host::Name("mail.example.com".into()),
            port: 443,
            addresses: vec![],
            plain_http: false,
        };
        assert_eq!(t.url("/x"), "https://mail.example.com/x");
        let plain = t.clone().over_plain_http();
        assert_eq!(plain.url("/x"), "http://mail.example.com:443/x");
        let plain = WebTarget { port: 80, ..plain };
        assert_eq!(plain.url("/x"), "http://mail.example.com/x");
    }
}
