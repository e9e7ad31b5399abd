//! Fetching a certificate's issuer from its AIA caIssuers URL (RFC 5280
//! §4.2.2.1), as SChannel does when a server leaves out its intermediate.
//! One function, so every outbound AIA request goes through one place: the
//! URL's host is resolved once (fully qualified), the port and every address
//! pass the `FetchGate`'s fetch policy (the pipeline's outbound gate) (one refused address refuses the
//! fetch), the connection takes a per-target and a global connection slot
//! like any probe connection, goes only to a checked address, and the
//! request is bounded in time and in the bytes read. Plain `http://` only: caIssuers URLs are HTTP (or LDAP,
//! which is not fetched), and following redirects is refused (a `Location`
//! could name any host).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::vocab::Deadline;
use crate::vocab::host::{Host, fully_qualified, is_localhost};

/// What an AIA fetch passes before it connects: the service's fetch policy
/// and its connection caps. The pipeline gives its outbound gate; the
/// refusal comes back as the gate's own error, unchanged.
pub trait FetchGate: Sync {
    /// Why the policy refuses a fetch.
    type Refusal: std::error::Error + Send + Sync + 'static;
    /// The connection slots held while the fetch runs.
    type Slots: Send;
    /// Refuses a fetch to `port` on any of `ips` (the addresses `host`
    /// resolved to) that the policy does not allow, before any I/O.
    fn check_fetch(&self, host: &Host, ips: &[IpAddr], port: u16) -> Result<(), Self::Refusal>;
    /// A connection slot for `ip`; `None` when the deadline comes first.
    fn slots(
        &self,
        ip: IpAddr,
        deadline: Deadline,
    ) -> impl Future<Output = Option<Self::Slots>> + Send;
}

/// Bounds of one AIA fetch.
#[derive(Debug, Clone, Copy)]
pub struct AiaLimits {
    /// The whole fetch: resolution, connect, request, response.
    pub deadline: Duration,
    /// Bytes of the response (headers and body) read at most.
    pub max_bytes: usize,
}

impl Default for AiaLimits {
    fn default() -> Self {
        // An intermediate is a few KiB; a PKCS#7 bundle rarely above 16 KiB.
        AiaLimits {
            deadline: Duration::from_secs(5),
            max_bytes: 64 * 1024,
        }
    }
}

/// Why an AIA fetch gave nothing; `R` is the gate's refusal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AiaError<R: std::error::Error + 'static> {
    #[error("not an http:// URL: {0}")]
    NotHttp(String),
    #[error("the URL's host does not resolve: {0}")]
    Unresolved(String),
    #[error(transparent)]
    Refused(R),
    #[error("no connection slot before the deadline")]
    NoSlot,
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("connection failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the answer is larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("HTTP status {0}, not 200")]
    Status(String),
    #[error("not an HTTP response")]
    NotHttpResponse,
}

/// `http://host[:port]/path` split into its parts; `None` for anything else.
fn split_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (rest.get(..i)?, rest.get(i..)?),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') || path.contains(['\r', '\n', ' ']) {
        return None;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 80,
            None => return None,
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (authority.to_string(), 80),
        }
    };
    Some((host, port, path.to_string()))
}

/// Fetches the body at an AIA caIssuers URL under the target policy and the
/// limits: DER, PEM or PKCS#7, as the CA serves it.
pub async fn fetch_ca_issuers<G: FetchGate>(
    url: &str,
    gate: &G,
    limits: AiaLimits,
) -> Result<Vec<u8>, AiaError<G::Refusal>> {
    let deadline = Deadline::after(limits.deadline);
    match tokio::time::timeout(
        limits.deadline,
        fetch(url, gate, deadline, limits.max_bytes),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => Err(AiaError::Timeout(limits.deadline)),
    }
}

async fn fetch<G: FetchGate>(
    url: &str,
    gate: &G,
    deadline: Deadline,
    max: usize,
) -> Result<Vec<u8>, AiaError<G::Refusal>> {
    let (host, port, path) = split_url(url).ok_or_else(|| AiaError::NotHttp(url.into()))?;
    let (target, addresses): (Host, Vec<IpAddr>) = match host.parse::<IpAddr>() {
        Ok(ip) => (Host::Ip(ip), vec![ip]),
        Err(_) if is_localhost(&host) => {
            (Host::Name(host.clone()), vec![IpAddr::from([127, 0, 0, 1])])
        }
        Err(_) => (
            Host::Name(host.clone()),
            tokio::net::lookup_host((fully_qualified(&host), port))
                .await
                .map_err(|e| AiaError::Unresolved(format!("{host}: {e}")))?
                .map(|a| a.ip())
                .collect(),
        ),
    };
    let Some(&first) = addresses.first() else {
        return Err(AiaError::Unresolved(host));
    };
    gate.check_fetch(&target, &addresses, port)
        .map_err(AiaError::Refused)?;
    let _slots = gate.slots(first, deadline).await.ok_or(AiaError::NoSlot)?;
    let mut stream = TcpStream::connect(SocketAddr::new(first, port)).await?;
    let host_header = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.clone()
    };
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: {host_header}\r\nAccept: */*\r\nConnection: close\r\nUser-Agent: mailprobe\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        if buf.len() + n > max {
            return Err(AiaError::TooLarge { max });
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
    }
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(AiaError::NotHttpResponse)?;
    let head = String::from_utf8_lossy(buf.get(..end).unwrap_or(&[])).to_string();
    let status = head.lines().next().unwrap_or("");
    let mut parts = status.split_whitespace();
    if !parts.next().is_some_and(|v| v.starts_with("HTTP/1.")) {
        return Err(AiaError::NotHttpResponse);
    }
    let code = parts.next().unwrap_or("").to_string();
    if code != "200" {
        return Err(AiaError::Status(code.chars().take(16).collect()));
    }
    Ok(buf.get(end + 4..).unwrap_or(&[]).to_vec())
}

/// A DER certificate, or the first one of a PEM body (PKCS#7 is not read).
pub fn first_certificate(body: &[u8]) -> Option<Vec<u8>> {
    if body.first() == Some(&0x30) {
        return Some(body.to_vec());
    }
    let text = std::str::from_utf8(body).ok()?;
    let (_, rest) = text.split_once("-----BEGIN CERTIFICATE-----")?;
    let (b64, _) = rest.split_once("-----END CERTIFICATE-----")?;
    let clean: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::ProbeRejection;
    use crate::probe::outbound::OutboundGate;
    use tokio::net::TcpListener;

    /// A loopback HTTP server answering every request with `reply`.
    async fn serve(reply: Vec<u8>) -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                let reply = reply.clone();
                tokio::spawn(async move {
                    let mut b = [0u8; 1024];
                    let _ = s.read(&mut b).await;
                    let _ = s.write_all(&reply).await;
                });
            }
        });
        port
    }

    #[derive(clap::Parser)]
    struct Wrap {
        #[command(flatten)]
        settings: crate::config::Settings,
    }

    fn gate(flags: &[&str]) -> OutboundGate {
        use clap::Parser as _;
        let mut argv = vec!["mailprobe", "--ispdb-url", "off"];
        argv.extend_from_slice(flags);
        OutboundGate::new(&Wrap::try_parse_from(argv).unwrap().settings)
    }

    /// Loopback allowed, and the fixtures' random ports (as a caller's
    /// `MAILPROBE_ALLOW_PORTS='*'` would allow them).
    fn loopback_allowed() -> OutboundGate {
        gate(&["--allow-targets", "127.0.0.0/8", "--allow-ports", "*"])
    }

    #[tokio::test]
    async fn fetches_the_issuer_from_a_loopback_ca() {
        let mut reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\n\r\n".to_vec();
        reply.extend_from_slice(&[0x30, 0x82, 0x01, 0x00]);
        let port = serve(reply).await;
        let url = format!("http://127.0.0.1:{port}/int.der");
        let body = fetch_ca_issuers(&url, &loopback_allowed(), AiaLimits::default())
            .await
            .unwrap();
        assert_eq!(body, vec![0x30, 0x82, 0x01, 0x00]);
    }

    #[tokio::test]
    async fn the_target_policy_refuses_before_connecting() {
        let port = serve(b"HTTP/1.1 200 OK\r\n\r\nx".to_vec()).await;
        let url = format!("http://127.0.0.1:{port}/int.der");
        let err = fetch_ca_issuers(&url, &gate(&["--allow-ports", "*"]), AiaLimits::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AiaError::Refused(ProbeRejection::Refused(ref r)) if r.rule == "loopback"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_port_outside_both_port_policies_is_refused_before_connecting() {
        let port = serve(b"HTTP/1.1 200 OK\r\n\r\nx".to_vec()).await;
        let url = format!("http://127.0.0.1:{port}/int.der");
        let gate = gate(&["--allow-targets", "127.0.0.0/8", "--allow-ports", "993"]);
        let err = fetch_ca_issuers(&url, &gate, AiaLimits::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AiaError::Refused(ProbeRejection::PortRefused { port: p, .. }) if p == port),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_refused() {
        let mut reply = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
        reply.extend(std::iter::repeat_n(0u8, 100_000));
        let port = serve(reply).await;
        let url = format!("http://127.0.0.1:{port}/big");
        let limits = AiaLimits {
            max_bytes: 10_000,
            ..AiaLimits::default()
        };
        let err = fetch_ca_issuers(&url, &loopback_allowed(), limits)
            .await
            .unwrap_err();
        assert!(matches!(err, AiaError::TooLarge { max: 10_000 }), "{err}");
    }

    #[tokio::test]
    async fn a_silent_server_is_cut_at_the_deadline() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = l.accept().await {
                held.push(s);
            }
        });
        let limits = AiaLimits {
            deadline: Duration::from_millis(200),
            ..AiaLimits::default()
        };
        let url = format!("http://127.0.0.1:{port}/x");
        let err = fetch_ca_issuers(&url, &loopback_allowed(), limits)
            .await
            .unwrap_err();
        assert!(matches!(err, AiaError::Timeout(_)), "{err}");
    }

    #[tokio::test]
    async fn redirects_and_errors_are_not_followed() {
        let port =
            serve(b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\n\r\n".to_vec())
                .await;
        let url = format!("http://127.0.0.1:{port}/x");
        let err = fetch_ca_issuers(&url, &loopback_allowed(), AiaLimits::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AiaError::Status(ref c) if c == "302"),
            "{err}"
        );
    }

    #[test]
    fn only_plain_http_urls_are_fetched() {
        assert_eq!(
            split_url("http://ca.example/int.crt"),
            Some(("ca.example".into(), 80, "/int.crt".into()))
        );
        assert_eq!(
            split_url("http://[::1]:8080/a"),
            Some(("::1".into(), 8080, "/a".into()))
        );
        for bad in [
            "https://ca.example/x",
            "ldap://ca.example/x",
            "http://user@ca.example/x",
            "http:///x",
            "http://ca.example/a b",
            "http://ca.example:99999/x",
        ] {
            assert_eq!(split_url(bad), None, "{bad}");
        }
    }
}
