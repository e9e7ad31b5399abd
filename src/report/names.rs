//! Closed sets of names that Report fields carry as strings.
//!
//! The engines and the diagnosis name these values with their own enums
//! (`tls::suites::KeyExchange`, `tls::trust::TrustReason`, ...), which live
//! above this layer; the Report keeps the strings, and these mirrors give the
//! OpenAPI schema the closed list (`#[schema(value_type = ...)]` on the
//! field), so a generated client gets an enum. Each owner's tests hold its
//! enum and its mirror together: a value added on one side only fails there.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A cipher suite's key exchange, as in its IANA name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SuiteKeyExchange {
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "RSA")]
    Rsa,
    #[serde(rename = "DH")]
    Dh,
    #[serde(rename = "DHE")]
    Dhe,
    #[serde(rename = "ECDH")]
    Ecdh,
    #[serde(rename = "ECDHE")]
    Ecdhe,
    #[serde(rename = "PSK")]
    Psk,
    #[serde(rename = "DHE_PSK")]
    DhePsk,
    #[serde(rename = "ECDHE_PSK")]
    EcdhePsk,
    #[serde(rename = "RSA_PSK")]
    RsaPsk,
    #[serde(rename = "SRP")]
    Srp,
    #[serde(rename = "KRB5")]
    Krb5,
    #[serde(rename = "GOST")]
    Gost,
    #[serde(rename = "ECCPWD")]
    EccPwd,
    #[serde(rename = "CECPQ1")]
    Cecpq1,
    #[serde(rename = "ANY")]
    Any,
}

/// How a cipher suite authenticates the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SuiteAuthentication {
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "RSA")]
    Rsa,
    #[serde(rename = "DSS")]
    Dss,
    #[serde(rename = "ECDSA")]
    Ecdsa,
    #[serde(rename = "DH")]
    Dh,
    #[serde(rename = "ECDH")]
    Ecdh,
    #[serde(rename = "ANON")]
    Anon,
    #[serde(rename = "PSK")]
    Psk,
    #[serde(rename = "SRP")]
    Srp,
    #[serde(rename = "KRB5")]
    Krb5,
    #[serde(rename = "GOST")]
    Gost,
    #[serde(rename = "ECCPWD")]
    EccPwd,
    #[serde(rename = "ANY")]
    Any,
}

/// A cipher suite's bulk cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SuiteCipher {
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "RC2_CBC")]
    Rc2,
    #[serde(rename = "RC4")]
    Rc4,
    #[serde(rename = "DES_CBC")]
    Des,
    #[serde(rename = "DES40_CBC")]
    Des40,
    #[serde(rename = "3DES_EDE_CBC")]
    TripleDes,
    #[serde(rename = "IDEA_CBC")]
    Idea,
    #[serde(rename = "SEED_CBC")]
    Seed,
    #[serde(rename = "AES_128_CBC")]
    Aes128,
    #[serde(rename = "AES_256_CBC")]
    Aes256,
    #[serde(rename = "AES_128_GCM")]
    Aes128Gcm,
    #[serde(rename = "AES_256_GCM")]
    Aes256Gcm,
    #[serde(rename = "AES_128_CCM")]
    Aes128Ccm,
    #[serde(rename = "AES_128_CCM_8")]
    Aes128Ccm8,
    #[serde(rename = "AES_256_CCM")]
    Aes256Ccm,
    #[serde(rename = "AES_256_CCM_8")]
    Aes256Ccm8,
    #[serde(rename = "CAMELLIA_128_CBC")]
    Camellia128,
    #[serde(rename = "CAMELLIA_256_CBC")]
    Camellia256,
    #[serde(rename = "CAMELLIA_128_GCM")]
    Camellia128Gcm,
    #[serde(rename = "CAMELLIA_256_GCM")]
    Camellia256Gcm,
    #[serde(rename = "ARIA_128_CBC")]
    Aria128,
    #[serde(rename = "ARIA_256_CBC")]
    Aria256,
    #[serde(rename = "ARIA_128_GCM")]
    Aria128Gcm,
    #[serde(rename = "ARIA_256_GCM")]
    Aria256Gcm,
    #[serde(rename = "CHACHA20_POLY1305")]
    ChaCha20Poly1305,
    #[serde(rename = "GOST28147_CNT")]
    Gost28147,
    #[serde(rename = "KUZNYECHIK_CTR")]
    KuznyechikCtr,
    #[serde(rename = "MAGMA_CTR")]
    MagmaCtr,
    #[serde(rename = "KUZNYECHIK_MGM_L")]
    KuznyechikMgmL,
    #[serde(rename = "KUZNYECHIK_MGM_S")]
    KuznyechikMgmS,
    #[serde(rename = "MAGMA_MGM_L")]
    MagmaMgmL,
    #[serde(rename = "MAGMA_MGM_S")]
    MagmaMgmS,
    #[serde(rename = "SM4_GCM")]
    Sm4Gcm,
    #[serde(rename = "SM4_CCM")]
    Sm4Ccm,
    #[serde(rename = "AEGIS_256")]
    Aegis256,
    #[serde(rename = "AEGIS_128L")]
    Aegis128L,
}

/// A cipher suite's message authentication (`AEAD`: the cipher's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SuiteMac {
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "SHA1")]
    Sha1,
    #[serde(rename = "SHA256")]
    Sha256,
    #[serde(rename = "SHA384")]
    Sha384,
    #[serde(rename = "AEAD")]
    Aead,
    #[serde(rename = "GOST28147_IMIT")]
    Gost28147Imit,
    #[serde(rename = "GOSTR3411")]
    GostR3411,
    #[serde(rename = "OMAC")]
    Omac,
}

/// The trust store a certificate path validated against: the bundled Mozilla roots,
/// the service's `MAILPROBE_CA_BUNDLE`, or the request's `ca_bundle_pem`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum TrustStore {
    #[serde(rename = "mozilla")]
    Mozilla,
    #[serde(rename = "configured")]
    Configured,
    #[serde(rename = "request")]
    Request,
}

/// Why a certificate chain is not trusted, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum TrustReason {
    #[serde(rename = "unknown_issuer")]
    UnknownIssuer,
    #[serde(rename = "incomplete_chain")]
    IncompleteChain,
    #[serde(rename = "unknown_root")]
    UnknownRoot,
    #[serde(rename = "expired")]
    Expired,
    #[serde(rename = "not_yet_valid")]
    NotYetValid,
    #[serde(rename = "name_mismatch")]
    NameMismatch,
    #[serde(rename = "bad_signature")]
    BadSignature,
    #[serde(rename = "unsupported_algorithm")]
    UnsupportedAlgorithm,
    #[serde(rename = "not_server_auth")]
    NotServerAuth,
    #[serde(rename = "revoked")]
    Revoked,
    #[serde(rename = "invalid")]
    Invalid,
}

/// What a stapled OCSP response claims for the leaf (its signature is not verified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum OcspStatus {
    #[serde(rename = "good")]
    Good,
    #[serde(rename = "revoked")]
    Revoked,
    #[serde(rename = "unknown")]
    Unknown,
    #[serde(rename = "other_certificate")]
    OtherCertificate,
    #[serde(rename = "unsuccessful")]
    Unsuccessful,
    #[serde(rename = "unparsable")]
    Unparsable,
}

/// The mirror lives with the login codec that owns the mechanisms.
pub use crate::mail::auth::LoginMechanism;

/// What kind of client a profile describes: a migration service or tool (these
/// decide the verdict by default), a mail app, a TLS library's defaults, or a
/// configuration guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum ClientKind {
    #[serde(rename = "migration")]
    Migration,
    #[serde(rename = "mail_client")]
    MailClient,
    #[serde(rename = "library")]
    Library,
    #[serde(rename = "compliance")]
    Compliance,
}
