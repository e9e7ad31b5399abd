//! A loopback IMAP-over-TLS server for `bench/load.sh`: rustls (TLS 1.2 and
//! 1.3), a throwaway self-signed certificate, an IMAP greeting, CAPABILITY
//! and LOGOUT answered. Prints its port on stdout, serves until killed.
//!
//! `cargo run --example load_fixture`

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = rcgen::KeyPair::generate()?;
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])?.self_signed(&key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )?;
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                return;
            };
            let _ = tls
                .write_all(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] load fixture ready\r\n")
                .await;
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
}
