//! A tiny HTTPS server (rustls, TLS 1.2 only, as an Exchange 2010 SP3 IIS
//! with TLS 1.2 enabled) answering the Exchange virtual directories the way
//! an unauthenticated client sees them: `401` with `WWW-Authenticate`
//! challenges. Also serves a Thunderbird autoconfig document.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::pki::Ca;

pub struct ExchangeHttps {
    pub addr: SocketAddr,
    pub root_pem: String,
    pub requests: Arc<AtomicUsize>,
}

/// `autoconfig_imap_host`: the IMAP host the autoconfig document names.
pub async fn start(autoconfig_imap_host: &str) -> ExchangeHttps {
    let root = Ca::root("mailprobe https fixture root");
    let leaf = root.rsa_leaf(
        &[
            "localhost",
            "127.0.0.1",
            "mail.example.test",
            "autoconfig.example.test",
            "autodiscover.example.test",
            "example.test",
        ],
        2048,
    );
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone())),
        )
        .expect("cert");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    let imap_host = autoconfig_imap_host.to_string();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, counter, imap_host) =
                (acceptor.clone(), Arc::clone(&counter), imap_host.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 2048];
                let head_end = loop {
                    let Ok(n) = tls.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 || buf.len() > 16 * 1024 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                while buf.len() < head_end + length.min(64 * 1024) {
                    match tls.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let path = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .to_ascii_lowercase();
                let response = respond(&path, &imap_host);
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    ExchangeHttps {
        addr,
        root_pem: root.cert_pem.clone(),
        requests,
    }
}

fn respond(path: &str, imap_host: &str) -> String {
    let unauthorized = |schemes: &[&str]| {
        let mut s =
            "HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-IIS/7.5\r\nX-Powered-By: ASP.NET\r\n"
                .to_string();
        for scheme in schemes {
            s.push_str(&format!("WWW-Authenticate: {scheme}\r\n"));
        }
        s.push_str("Content-Length: 0\r\nConnection: close\r\n\r\n");
        s
    };
    match path {
        "/ews/exchange.asmx" | "/ews/mrsproxy.svc" => unauthorized(&["Negotiate", "NTLM"]),
        "/rpc/rpcproxy.dll" => {
            unauthorized(&["Negotiate", "NTLM", "Basic realm=\"mail.example.test\""])
        }
        "/autodiscover/autodiscover.xml" => unauthorized(&["Negotiate", "NTLM"]),
        "/mail/config-v1.1.xml" | "/.well-known/autoconfig/mail/config-v1.1.xml" => {
            let body = format!(
                "<?xml version=\"1.0\"?><clientConfig version=\"1.1\"><emailProvider id=\"example.test\">\
<incomingServer type=\"imap\"><hostname>{imap_host}</hostname><port>993</port><socketType>SSL</socketType></incomingServer>\
<outgoingServer type=\"smtp\"><hostname>{imap_host}</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>\
</emailProvider></clientConfig>"
            );
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
    }
}
