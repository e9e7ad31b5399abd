//! A real TLS server built on rustls, speaking a scripted plaintext dialogue
//! (an IMAP greeting by default) once the handshake completes.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::pki::{Ca, Leaf};

pub struct RustlsFixture {
    pub addr: SocketAddr,
    pub root_pem: String,
}

pub struct Options {
    pub versions: Vec<&'static rustls::SupportedProtocolVersion>,
    pub greeting: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            versions: vec![&rustls::version::TLS13, &rustls::version::TLS12],
            greeting: Some("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fixture IMAP ready."),
        }
    }
}

pub async fn start(options: Options) -> RustlsFixture {
    let root = Ca::root("mailprobe test root");
    // RSA, as most mail servers use: Exchange Online's documented suites are
    // all RSA-authenticated, so an ECDSA leaf would (rightly) be a risk.
    let leaf = root.rsa_leaf(&["localhost", "127.0.0.1"], 2048);
    start_with_leaf(
        options,
        std::slice::from_ref(&leaf.cert_der),
        &leaf,
        root.cert_pem.clone(),
    )
    .await
}

pub async fn start_with_leaf(
    options: Options,
    chain: &[Vec<u8>],
    leaf: &Leaf,
    root_pem: String,
) -> RustlsFixture {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = chain
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&options.versions)
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("cert");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let greeting = options.greeting;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if let Some(g) = greeting {
                    let _ = tls.write_all(format!("{g}\r\n").as_bytes()).await;
                }
                // Answers each tagged command so the mail dialogue completes
                // at once: CAPABILITY, LOGOUT, and BAD for anything else.
                let mut buf = [0u8; 1024];
                while let Ok(n) = tls.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let mut done = false;
                    for line in text.lines() {
                        let (tag, cmd) = line.split_once(' ').unwrap_or((line, ""));
                        let reply = if cmd.eq_ignore_ascii_case("LOGOUT") {
                            done = true;
                            format!("* BYE\r\n{tag} OK LOGOUT completed\r\n")
                        } else if cmd.eq_ignore_ascii_case("CAPABILITY") {
                            format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n")
                        } else {
                            format!("{tag} BAD unknown command\r\n")
                        };
                        let _ = tls.write_all(reply.as_bytes()).await;
                    }
                    if done {
                        break;
                    }
                }
            });
        }
    });
    RustlsFixture { addr, root_pem }
}
