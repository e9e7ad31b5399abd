//! The legacy handshake engine: OpenSSL 3 (vendored, statically linked,
//! SSLv3 and the weak ciphers compiled in, the legacy provider loaded,
//! security level 0), so the mail dialogue, the login test and the
//! certificate path reach servers rustls cannot talk to: TLS 1.0/1.1 only
//! (Exchange 2010's IMAP4), SSLv3, CBC-only, static RSA or DHE only, RC4.
//!
//! It is the same approach as sslyze's nassl `LegacySslClient` and
//! testssl.sh's "bad" OpenSSL build. It never decides what a modern client
//! experiences: that stays rustls' job ([`super::handshake`]); this engine
//! only carries the dialogue, and the Report says it did
//! (`mail.tls.engine = "legacy"`).
//!
//! It verifies nothing: the peer chain is recorded as DER and judged
//! with every other observed chain ([`super::chain`]).

mod bounded;
pub mod renegotiate;

use std::pin::Pin;
use std::sync::OnceLock;
use std::time::Instant;

use openssl::provider::Provider;
use openssl::ssl::{
    Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslVerifyMode, SslVersion,
};
use tokio::io::{AsyncRead, AsyncWrite};

pub use bounded::{HANDSHAKE_READ_LIMIT, ReadBounded};

use crate::tls::suites::Suite;
use crate::vocab::Deadline;
use crate::vocab::TlsVersion;

/// Every TLS <= 1.2 suite this OpenSSL has, at security level 0.
const ALL_SUITES: &str = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";
/// Every TLS 1.3 suite (OpenSSL's default list leaves out the CCM ones).
const ALL_TLS13_SUITES: &str = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

/// OpenSSL 3's `SSL_OP_LEGACY_SERVER_CONNECT` (`SSL_OP_BIT(2)` in ssl.h).
const SSL_OP_LEGACY_SERVER_CONNECT: u64 = 1 << 2;

/// Why the engine cannot run at all (checked at start-up).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error(
        "the OpenSSL {name} provider could not be loaded ({detail}); the legacy TLS engine would silently lose RC4/3DES"
    )]
    Provider { name: &'static str, detail: String },
    #[error(
        "OpenSSL offers no RC4 suite at security level 0 ({detail}); this build lacks the weak ciphers or the legacy provider"
    )]
    NoWeakCiphers { detail: String },
    #[error("OpenSSL client context could not be built: {detail}")]
    Context { detail: String },
}

/// The providers, loaded once and kept for the life of the process (a
/// dropped `Provider` unloads it).
struct Providers {
    _default: Provider,
    _legacy: Provider,
}

fn providers() -> &'static Result<Providers, EngineError> {
    static PROVIDERS: OnceLock<Result<Providers, EngineError>> = OnceLock::new();
    PROVIDERS.get_or_init(|| {
        // Loading any provider explicitly stops OpenSSL from loading the
        // default one implicitly, so both are loaded, default first.
        let default = load("default")?;
        let legacy = load("legacy")?;
        Ok(Providers {
            _default: default,
            _legacy: legacy,
        })
    })
}

fn load(name: &'static str) -> Result<Provider, EngineError> {
    Provider::load(None, name).map_err(|e| EngineError::Provider {
        name,
        detail: e.to_string(),
    })
}

/// Loads the providers and proves that an RC4 suite is available in a
/// client context. Called before serving or probing; the service refuses to
/// start when this fails, and `/readyz` never reports ready. The answer is
/// worked out once per process.
pub fn verify() -> Result<(), EngineError> {
    static VERIFIED: OnceLock<Result<(), EngineError>> = OnceLock::new();
    VERIFIED.get_or_init(check).clone()
}

fn check() -> Result<(), EngineError> {
    providers().as_ref().map_err(Clone::clone)?;
    let mut b =
        SslContextBuilder::new(SslMethod::tls_client()).map_err(|e| EngineError::Context {
            detail: e.to_string(),
        })?;
    b.set_security_level(0);
    b.set_cipher_list("RC4-SHA:RC4-MD5:@SECLEVEL=0")
        .map_err(|e| EngineError::NoWeakCiphers {
            detail: e.to_string(),
        })?;
    // `set_cipher_list` fails when no listed suite is usable, and a
    // context lists only suites whose algorithms a provider can supply: RC4
    // needs the legacy provider and the weak ciphers compiled in.
    let ctx = b.build();
    Ssl::new(&ctx).map_err(|e| EngineError::Context {
        detail: e.to_string(),
    })?;
    Ok(())
}

/// What the legacy engine offers: the scan's highest accepted version and
/// that version's accepted suites, so no version or suite intolerance trips
/// it. Empty suites / no version: everything OpenSSL has, SSLv3 to TLS 1.3.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegacyOffer {
    pub max_version: Option<TlsVersion>,
    /// IANA code points of TLS <= 1.2 suites.
    pub suites: Vec<u16>,
}

impl LegacyOffer {
    /// Offer everything (nothing is known about the server yet).
    pub fn everything() -> LegacyOffer {
        LegacyOffer::default()
    }

    /// From the wire scan's per-version answers: the highest accepted
    /// version (SSLv2 aside, OpenSSL has none) and its suites.
    pub fn from_scan(versions: &[crate::tls::scan::VersionSupport]) -> LegacyOffer {
        let best = versions
            .iter()
            .filter(|v| v.offered == Some(true) && v.version != TlsVersion::Ssl2)
            .max_by_key(|v| v.version);
        match best {
            None => LegacyOffer::everything(),
            Some(v) => LegacyOffer {
                max_version: Some(v.version),
                suites: v
                    .suites
                    .iter()
                    .filter_map(|s| parse_code(&s.iana))
                    .collect(),
            },
        }
    }

    /// The OpenSSL cipher string for the TLS <= 1.2 suites; `None` when
    /// no listed suite has an OpenSSL name (then everything is offered).
    fn cipher_string(&self) -> Option<String> {
        let names: Vec<&str> = self
            .suites
            .iter()
            .filter_map(|c| crate::tls::suites::lookup(*c)?.openssl_name)
            .collect();
        (!names.is_empty()).then(|| format!("{}:@SECLEVEL=0", names.join(":")))
    }
}

fn parse_code(hex: &str) -> Option<u16> {
    u16::from_str_radix(hex.strip_prefix("0x")?, 16).ok()
}

fn ssl_version(v: TlsVersion) -> Option<SslVersion> {
    match v {
        TlsVersion::Ssl2 => None,
        TlsVersion::Ssl3 => Some(SslVersion::SSL3),
        TlsVersion::Tls10 => Some(SslVersion::TLS1),
        TlsVersion::Tls11 => Some(SslVersion::TLS1_1),
        TlsVersion::Tls12 => Some(SslVersion::TLS1_2),
        TlsVersion::Tls13 => Some(SslVersion::TLS1_3),
    }
}

fn tls_version(v: SslVersion) -> Option<TlsVersion> {
    [
        (SslVersion::SSL3, TlsVersion::Ssl3),
        (SslVersion::TLS1, TlsVersion::Tls10),
        (SslVersion::TLS1_1, TlsVersion::Tls11),
        (SslVersion::TLS1_2, TlsVersion::Tls12),
        (SslVersion::TLS1_3, TlsVersion::Tls13),
    ]
    .into_iter()
    .find_map(|(s, t)| (s == v).then_some(t))
}

/// The client context for an offer: anything goes (security level 0, every
/// version from SSLv3, legacy renegotiation), no verification.
fn context(offer: &LegacyOffer) -> Result<SslContext, LegacyError> {
    providers().as_ref().map_err(|e| LegacyError::Engine {
        message: e.to_string(),
    })?;
    let fail = |e: openssl::error::ErrorStack| LegacyError::Engine {
        message: format!("client configuration: {e}"),
    };
    // A bare context, not `SslConnector::builder`: that one sets NO_SSLV3
    // and a "secure" cipher list, the opposite of what this engine is for.
    let mut b = SslContextBuilder::new(SslMethod::tls_client()).map_err(fail)?;
    b.clear_options(SslOptions::NO_SSLV2 | SslOptions::NO_SSLV3);
    b.set_mode(
        SslMode::AUTO_RETRY | SslMode::ACCEPT_MOVING_WRITE_BUFFER | SslMode::ENABLE_PARTIAL_WRITE,
    );
    b.set_security_level(0);
    b.set_verify(SslVerifyMode::NONE);
    b.set_min_proto_version(Some(SslVersion::SSL3))
        .map_err(fail)?;
    let max = offer
        .max_version
        .and_then(ssl_version)
        .unwrap_or(SslVersion::TLS1_3);
    b.set_max_proto_version(Some(max)).map_err(fail)?;
    match offer.cipher_string() {
        Some(list) if b.set_cipher_list(&list).is_ok() => {}
        _ => b.set_cipher_list(ALL_SUITES).map_err(fail)?,
    }
    b.set_ciphersuites(ALL_TLS13_SUITES).map_err(fail)?;
    // SSL_OP_LEGACY_SERVER_CONNECT (not named by the openssl crate): talk to
    // servers without RFC 5746 secure renegotiation, as every pre-2010 one.
    b.set_options(
        SslOptions::from_bits_retain(SSL_OP_LEGACY_SERVER_CONNECT)
            | SslOptions::ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
    );
    // No session tickets or cache: each probe connection stands alone.
    b.set_options(SslOptions::NO_TICKET);
    Ok(b.build())
}

/// What the legacy handshake negotiated.
#[derive(Debug, Clone)]
pub struct Negotiated {
    pub version: TlsVersion,
    pub suite: Suite,
    pub ms: u64,
}

/// A finished legacy handshake and its live stream.
pub struct Completed<S> {
    pub negotiated: Negotiated,
    /// The peer's chain as DER, leaf first, as sent.
    pub chain: Vec<Vec<u8>>,
    pub stream: tokio_openssl::SslStream<ReadBounded<S>>,
}

/// Why the legacy handshake failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LegacyError {
    #[error("legacy (OpenSSL) TLS handshake timed out after {ms} ms")]
    Timeout { ms: u64 },
    #[error("legacy (OpenSSL) TLS handshake failed: {message}")]
    Failed { message: String },
    #[error("legacy (OpenSSL) TLS engine unavailable: {message}")]
    Engine { message: String },
}

/// Runs an OpenSSL client handshake over `io` (a fresh TCP stream, or one
/// that has just done STARTTLS), bounded by `deadline` and by
/// [`HANDSHAKE_READ_LIMIT`] bytes read. `sni`: a DNS name to send, if any.
pub async fn handshake<S>(
    io: S,
    sni: Option<&str>,
    offer: &LegacyOffer,
    deadline: Deadline,
) -> Result<Completed<S>, LegacyError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let ctx = context(offer)?;
    let mut ssl = Ssl::new(&ctx).map_err(|e| LegacyError::Engine {
        message: e.to_string(),
    })?;
    if let Some(name) = sni {
        ssl.set_hostname(name).map_err(|e| LegacyError::Engine {
            message: format!("SNI {name}: {e}"),
        })?;
    }
    let bounded = ReadBounded::new(io, HANDSHAKE_READ_LIMIT);
    let mut stream =
        tokio_openssl::SslStream::new(ssl, bounded).map_err(|e| LegacyError::Engine {
            message: e.to_string(),
        })?;
    let started = Instant::now();
    match deadline.run(Pin::new(&mut stream).connect()).await {
        Err(t) => return Err(LegacyError::Timeout { ms: t.ms }),
        Ok(Err(e)) => {
            let message = if stream.get_ref().exhausted() {
                format!(
                    "the server sent more than {HANDSHAKE_READ_LIMIT} bytes during the handshake"
                )
            } else {
                describe(&e)
            };
            return Err(LegacyError::Failed { message });
        }
        Ok(Ok(())) => {}
    }
    let ms = started.elapsed().as_millis() as u64;
    stream.get_mut().lift();
    let ssl = stream.ssl();
    let version = ssl
        .version2()
        .and_then(tls_version)
        .ok_or_else(|| LegacyError::Failed {
            message: format!("unknown protocol version {}", ssl.version_str()),
        })?;
    let suite = ssl
        .current_cipher()
        .map(|c| {
            let [hi, lo] = c.protocol_id();
            super::suite_info(u16::from_be_bytes([hi, lo]))
        })
        .ok_or_else(|| LegacyError::Failed {
            message: "handshake finished without a cipher suite".into(),
        })?;
    let chain = ssl
        .peer_cert_chain()
        .map(|stack| stack.iter().filter_map(|c| c.to_der().ok()).collect())
        .unwrap_or_default();
    Ok(Completed {
        negotiated: Negotiated { version, suite, ms },
        chain,
        stream,
    })
}

/// OpenSSL's error in words: the alert or reason, or what the socket did.
fn describe(e: &openssl::ssl::Error) -> String {
    if let Some(stack) = e.ssl_error() {
        let reasons: Vec<String> = stack
            .errors()
            .iter()
            .map(|x| x.reason().unwrap_or("unknown reason").to_string())
            .collect();
        if !reasons.is_empty() {
            return reasons.join("; ");
        }
    }
    if let Some(io) = e.io_error() {
        return match io.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                "server closed the connection during the handshake".into()
            }
            std::io::ErrorKind::ConnectionReset => {
                "server reset the connection during the handshake".into()
            }
            _ => io.to_string(),
        };
    }
    if e.code() == openssl::ssl::ErrorCode::ZERO_RETURN
        || e.code() == openssl::ssl::ErrorCode::SYSCALL
    {
        return "server closed the connection during the handshake".into();
    }
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_loads_the_legacy_provider_and_has_rc4() {
        verify().expect("legacy engine");
    }

    /// What the service says when it refuses to start: the provider by
    /// name and what is at stake.
    #[test]
    fn a_provider_that_cannot_be_loaded_is_named() {
        let e = load("mailprobe-no-such-provider")
            .err()
            .expect("not loadable");
        let text = e.to_string();
        assert!(text.contains("mailprobe-no-such-provider"), "{text}");
        assert!(text.contains("RC4/3DES"), "{text}");
    }

    #[test]
    fn an_offer_uses_the_highest_accepted_version_and_its_suites() {
        let v = |version, offered, suites: &[u16]| crate::tls::scan::VersionSupport {
            version,
            offered,
            suites: suites
                .iter()
                .map(|c| super::super::suite_info(*c))
                .collect(),
            server_preference: None,
        };
        let offer = LegacyOffer::from_scan(&[
            v(TlsVersion::Ssl3, Some(true), &[0x0004]),
            v(TlsVersion::Tls10, Some(true), &[0x0035, 0x0005]),
            v(TlsVersion::Tls12, Some(false), &[]),
        ]);
        assert_eq!(offer.max_version, Some(TlsVersion::Tls10));
        assert_eq!(offer.suites, vec![0x0035, 0x0005]);
        assert_eq!(
            offer.cipher_string().as_deref(),
            Some("AES256-SHA:RC4-SHA:@SECLEVEL=0")
        );
        assert!(context(&offer).is_ok());
        assert_eq!(LegacyOffer::from_scan(&[]), LegacyOffer::everything());
        assert!(context(&LegacyOffer::everything()).is_ok());
    }
}
