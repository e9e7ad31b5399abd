//! A tiny HTTPS server (rustls, TLS 1.2 only, as an Exchange 2010 SP3 IIS
//! with TLS 1.2 enabled) answering the Exchange virtual directories the way
//! an unauthenticated client sees them: `401` with `WWW-Authenticate`
//! challenges. Also serves a Thunderbird autoconfig document (at the
//! domain's two paths and at an ISPDB-style `/v1.1/<domain>`), over HTTPS
//! or, with [`start_plain`], plain HTTP.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::pki::Ca;

pub struct ExchangeHttps {
    pub addr: SocketAddr,
    pub root_pem: String,
    pub requests: Arc<AtomicUsize>,
    /// Each request as `<Host header> <path and query>`.
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl ExchangeHttps {
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }
}

/// The same answers over plain HTTP (no TLS).
pub async fn start_plain(autoconfig_imap_host: &str) -> ExchangeHttps {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (counter, log) = (Arc::clone(&requests), Arc::clone(&seen));
    let imap_host = autoconfig_imap_host.to_string();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (counter, log, imap_host) =
                (Arc::clone(&counter), Arc::clone(&log), imap_host.clone());
            tokio::spawn(serve(tcp, counter, log, imap_host));
        }
    });
    ExchangeHttps {
        addr,
        root_pem: String::new(),
        requests,
        seen,
    }
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
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (counter, log) = (Arc::clone(&requests), Arc::clone(&seen));
    let imap_host = autoconfig_imap_host.to_string();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, counter, log, imap_host) = (
                acceptor.clone(),
                Arc::clone(&counter),
                Arc::clone(&log),
                imap_host.clone(),
            );
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                serve(tls, counter, log, imap_host).await;
            });
        }
    });
    ExchangeHttps {
        addr,
        root_pem: root.cert_pem.clone(),
        requests,
        seen,
    }
}

/// One request on `stream`: read the head (and a bounded body), answer, close.
async fn serve<S>(
    mut stream: S,
    counter: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<String>>>,
    imap_host: String,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        let Ok(n) = stream.read(&mut chunk).await else {
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
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length.min(64 * 1024) {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    counter.fetch_add(1, Ordering::SeqCst);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    log.lock()
        .expect("lock")
        .push(format!("{} {target}", header("host").unwrap_or_default()));
    let path = target.split('?').next().unwrap_or("/").to_ascii_lowercase();
    let response = respond(&path, &imap_host);
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
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
        p if p == "/mail/config-v1.1.xml"
            || p == "/.well-known/autoconfig/mail/config-v1.1.xml"
            || p.starts_with("/v1.1/") =>
        {
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
