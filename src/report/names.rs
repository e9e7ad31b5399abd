//! Closed sets of names that Report fields carry as strings.
//!
//! The engines and the diagnosis name these values with their own enums
//! (`tls::suites::KeyExchange`, `tls::trust::TrustReason`, ...), which the
//! engines own; the Report keeps the strings, and these mirrors give the
//! OpenAPI schema the closed list (`#[schema(value_type = ...)]` on the
//! field), so a generated client gets an enum. Each owner's tests hold its
//! enum and its mirror together: a value added on one side only fails there.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The suite mirrors live with the suite they describe.
pub use crate::tls::suites::{SuiteAuthentication, SuiteCipher, SuiteKeyExchange, SuiteMac};

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
