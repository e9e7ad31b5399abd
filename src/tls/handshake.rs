//! The real handshake: what a modern client (rustls, TLS 1.2/1.3, AEAD
//! suites) negotiates with the server.
//!
//! The verifier records what the server presented and lets the handshake go
//! on whatever the certificate, so an untrusted server still yields its
//! facts; judging the certificate is done on the recorded chain, not here.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::suites::Suite;
use crate::vocab::Deadline;
use crate::vocab::TlsVersion;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Handshake {
    /// Negotiated protocol version.
    pub version: TlsVersion,
    /// Negotiated cipher suite.
    pub suite: Suite,
    /// Key-exchange group, e.g. `x25519`.
    pub group: Option<String>,
    /// Negotiated ALPN protocol, when any.
    pub alpn: Option<String>,
    /// The server stapled an OCSP response in this handshake.
    pub ocsp_stapled: Option<bool>,
    /// Time from ClientHello to a finished handshake.
    pub ms: u64,
}

/// What the server presented during the handshake.
#[derive(Debug, Default, Clone)]
pub struct Presented {
    pub chain: Vec<Vec<u8>>,
    pub ocsp_response: Option<Vec<u8>>,
}

/// Accepts any certificate, recording it. Signatures over the handshake are
/// still checked with the provider's algorithms: a server that cannot sign
/// is a broken handshake, not a certificate fact.
#[derive(Debug)]
struct RecordingVerifier {
    presented: Arc<Mutex<Presented>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut p) = self.presented.lock() {
            p.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.as_ref().to_vec())
                .collect();
            p.ocsp_response = (!ocsp_response.is_empty()).then(|| ocsp_response.to_vec());
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Which versions the real handshake may offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// TLS 1.3 and 1.2, as a modern client does.
    Modern,
    Tls13Only,
    Tls12Only,
}

/// Why the real handshake failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    #[error("TLS handshake timed out after {ms} ms")]
    Timeout { ms: u64 },
    #[error("TLS handshake failed: {message}")]
    Failed { message: String },
}

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A completed handshake: the facts, what was presented, and the live stream
/// (for the mail dialogue that follows inside TLS).
pub struct Completed<S> {
    pub handshake: Handshake,
    pub presented: Presented,
    pub stream: TlsStream<S>,
}

/// Runs a rustls handshake over `io` (a fresh TCP stream, or one that has
/// just done STARTTLS).
pub async fn handshake<S>(
    io: S,
    server_name: ServerName<'static>,
    offer: Offer,
    deadline: Deadline,
) -> Result<Completed<S>, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    handshake_recording(io, server_name, offer, deadline)
        .await
        .0
}

/// Like [`handshake`], and also returns what the server presented even when
/// the handshake failed after its Certificate message: a server whose key
/// rustls refuses (RSA under 2048 bits) or that cannot sign still shows its
/// chain, and the chain is a fact worth reporting.
pub async fn handshake_recording<S>(
    io: S,
    server_name: ServerName<'static>,
    offer: Offer,
    deadline: Deadline,
) -> (Result<Completed<S>, HandshakeError>, Presented)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let presented = Arc::new(Mutex::new(Presented::default()));
    let result = run_handshake(io, server_name, offer, deadline, Arc::clone(&presented)).await;
    let seen = presented.lock().map(|p| p.clone()).unwrap_or_default();
    (result, seen)
}

async fn run_handshake<S>(
    io: S,
    server_name: ServerName<'static>,
    offer: Offer,
    deadline: Deadline,
    presented: Arc<Mutex<Presented>>,
) -> Result<Completed<S>, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let provider = provider();
    let verifier = Arc::new(RecordingVerifier {
        presented: Arc::clone(&presented),
        algorithms: provider.signature_verification_algorithms,
    });
    let versions: &[&rustls::SupportedProtocolVersion] = match offer {
        Offer::Modern => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Offer::Tls13Only => &[&rustls::version::TLS13],
        Offer::Tls12Only => &[&rustls::version::TLS12],
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| HandshakeError::Failed {
            message: format!("client configuration: {e}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let started = Instant::now();
    let stream = match deadline.run(connector.connect(server_name, io)).await {
        Err(t) => return Err(HandshakeError::Timeout { ms: t.ms }),
        Ok(Err(e)) => {
            return Err(HandshakeError::Failed {
                message: describe_io_error(&e),
            });
        }
        Ok(Ok(s)) => s,
    };
    let ms = started.elapsed().as_millis() as u64;
    let (_, conn) = stream.get_ref();
    let version = conn
        .protocol_version()
        .and_then(|v| TlsVersion::from_wire(u16::from(v)))
        .ok_or_else(|| HandshakeError::Failed {
            message: "handshake finished without a protocol version".into(),
        })?;
    let suite = conn
        .negotiated_cipher_suite()
        .map(|s| super::suite_info(u16::from(s.suite())))
        .ok_or_else(|| HandshakeError::Failed {
            message: "handshake finished without a cipher suite".into(),
        })?;
    let group = conn
        .negotiated_key_exchange_group()
        .map(|g| super::group_label(u16::from(g.name())));
    let alpn = conn
        .alpn_protocol()
        .map(|a| String::from_utf8_lossy(a).into_owned());
    let presented = presented.lock().map(|p| p.clone()).unwrap_or_default();
    Ok(Completed {
        handshake: Handshake {
            version,
            suite,
            group,
            alpn,
            ocsp_stapled: Some(presented.ocsp_response.is_some()),
            ms,
        },
        presented,
        stream,
    })
}

/// rustls reports a received alert or a protocol error inside an io::Error;
/// unwrap it so the message says what the server did.
fn describe_io_error(e: &std::io::Error) -> String {
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return match inner {
            rustls::Error::AlertReceived(alert) => format!("server sent alert {alert:?}"),
            // Our verifier accepts every certificate, so this can only be the
            // server's handshake signature failing with its certificate's key,
            // most often an RSA key under 2048 bits, which ring refuses.
            rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature) => {
                "the server's handshake signature was not accepted with its certificate's key (rustls verifies RSA keys of 2048 to 8192 bits, and ECDSA P-256/P-384, Ed25519 only)".into()
            }
            other => other.to_string(),
        };
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            "server closed the connection during the handshake".into()
        }
        std::io::ErrorKind::ConnectionReset => {
            "server reset the connection during the handshake".into()
        }
        _ => e.to_string(),
    }
}
