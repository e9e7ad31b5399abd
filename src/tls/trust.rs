//! Trust stores and path validation.
//!
//! Three stores, tried in order: the Mozilla roots (webpki-roots, what most
//! clients ship), the bundle the operator configured (`MAILPROBE_CA_BUNDLE`,
//! e.g. a company CA), and the bundle a request carried (`ca_bundle_pem`).
//! Each is tried on its own so the Report can say *which* store trusted the
//! chain. Path validation is webpki's, with the same signature algorithms
//! the rustls client accepts; the host name is checked separately (see
//! [`super::name`]) so that trust and name are two facts, not one error.

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, TrustAnchor, UnixTime};

/// Most certificates a CA bundle may hold. The Mozilla store has ~150; a
/// file with thousands is a mistake (or an attack on start-up time).
pub const MAX_BUNDLE_CERTS: usize = 1000;

/// Most certificates a request's `ca_bundle_pem` may hold.
pub const MAX_REQUEST_CERTS: usize = 32;

/// Which store a chain was validated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Mozilla,
    Configured,
    Request,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Mozilla => "mozilla",
            StoreKind::Configured => "configured",
            StoreKind::Request => "request",
        }
    }
}

/// The stores fixed at start-up (Mozilla, and the configured bundle).
#[derive(Debug, Clone, Default)]
pub struct TrustStores {
    pub configured: Vec<TrustAnchor<'static>>,
}

/// Why a CA bundle could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("cannot read {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("no PEM `CERTIFICATE` block found")]
    Empty,
    #[error("more than {max} certificates")]
    TooMany { max: usize },
    #[error("PEM does not decode: {message}")]
    BadPem { message: String },
    #[error("certificate {index} cannot serve as a trust anchor: {message}")]
    BadCertificate { index: usize, message: String },
}

impl TrustStores {
    /// Loads the configured bundle, if any.
    pub fn load(ca_bundle: Option<&Path>) -> Result<TrustStores, BundleError> {
        let Some(path) = ca_bundle else {
            return Ok(TrustStores::default());
        };
        let pem = std::fs::read(path).map_err(|e| BundleError::Unreadable {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(TrustStores {
            configured: anchors_from_pem(&pem, MAX_BUNDLE_CERTS)?,
        })
    }

    pub fn mozilla(&self) -> &'static [TrustAnchor<'static>] {
        webpki_roots::TLS_SERVER_ROOTS
    }
}

/// Parses a PEM bundle into trust anchors. Blocks other than `CERTIFICATE`
/// (keys, CRLs) are skipped; a bundle with no certificate is an error.
pub fn anchors_from_pem(pem: &[u8], max: usize) -> Result<Vec<TrustAnchor<'static>>, BundleError> {
    let mut anchors = Vec::new();
    for (index, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
        if index >= max {
            return Err(BundleError::TooMany { max });
        }
        let cert = cert.map_err(|e| BundleError::BadPem {
            message: e.to_string(),
        })?;
        let anchor =
            webpki::anchor_from_trusted_cert(&cert).map_err(|e| BundleError::BadCertificate {
                index,
                message: format!("{e:?}"),
            })?;
        anchors.push(anchor.to_owned());
    }
    if anchors.is_empty() {
        return Err(BundleError::Empty);
    }
    Ok(anchors)
}

/// A store to validate against.
#[derive(Debug, Clone, Copy)]
pub struct Store<'a> {
    pub kind: StoreKind,
    pub anchors: &'a [TrustAnchor<'a>],
}

/// Validates `chain` (leaf first, as sent) for server authentication against
/// each store in turn. `Ok` names the first store that accepts the path;
/// `Err` holds the most telling error: one from a store that got past
/// "unknown issuer" beats one that did not (an expired leaf from a private
/// CA is, first of all, expired for the store that knows the CA).
pub fn validate_path(
    chain: &[Vec<u8>],
    stores: &[Store<'_>],
    now: UnixTime,
) -> Result<StoreKind, webpki::Error> {
    let Some(leaf_der) = chain.first() else {
        return Err(webpki::Error::BadDer);
    };
    let leaf_der = CertificateDer::from(leaf_der.as_slice());
    let leaf = webpki::EndEntityCert::try_from(&leaf_der)?;
    let intermediates: Vec<CertificateDer<'_>> = chain
        .iter()
        .skip(1)
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let algorithms = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    let mut best: Option<webpki::Error> = None;
    for store in stores {
        if store.anchors.is_empty() {
            continue;
        }
        match leaf.verify_for_usage(
            algorithms,
            store.anchors,
            &intermediates,
            now,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        ) {
            Ok(_) => return Ok(store.kind),
            Err(e) => {
                let replace = match &best {
                    None => true,
                    Some(webpki::Error::UnknownIssuer) => {
                        !matches!(e, webpki::Error::UnknownIssuer)
                    }
                    Some(_) => false,
                };
                if replace {
                    best = Some(e);
                }
            }
        }
    }
    Err(best.unwrap_or(webpki::Error::UnknownIssuer))
}

/// Why a chain is not trusted, as a stable code for scripts and rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustReason {
    /// The chain ends in a certificate no store holds as a root.
    UnknownIssuer,
    /// The server did not send its leaf's (or intermediate's) issuer, and
    /// that issuer is not a root in any store: an intermediate is missing.
    IncompleteChain,
    /// The server sent its chain up to a CA certificate whose issuer it did
    /// not send and no store holds: a private (or unknown) root, not a
    /// missing intermediate.
    UnknownRoot,
    Expired,
    NotYetValid,
    /// The path is valid but does not cover the reference name.
    NameMismatch,
    BadSignature,
    UnsupportedAlgorithm,
    /// The leaf's extended key usage excludes server authentication.
    NotServerAuth,
    Revoked,
    /// Anything else webpki rejected (malformed extension, constraints, ...).
    Invalid,
}

impl TrustReason {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustReason::UnknownIssuer => "unknown_issuer",
            TrustReason::IncompleteChain => "incomplete_chain",
            TrustReason::UnknownRoot => "unknown_root",
            TrustReason::Expired => "expired",
            TrustReason::NotYetValid => "not_yet_valid",
            TrustReason::NameMismatch => "name_mismatch",
            TrustReason::BadSignature => "bad_signature",
            TrustReason::UnsupportedAlgorithm => "unsupported_algorithm",
            TrustReason::NotServerAuth => "not_server_auth",
            TrustReason::Revoked => "revoked",
            TrustReason::Invalid => "invalid",
        }
    }

    /// webpki's error as a reason (before the missing-intermediate analysis,
    /// which needs the chain). The deprecated context-free variants are kept
    /// so a webpki patch release that still emits them maps the same way.
    #[allow(deprecated)]
    pub fn from_webpki(e: &webpki::Error) -> TrustReason {
        use webpki::Error as E;
        match e {
            E::UnknownIssuer => TrustReason::UnknownIssuer,
            E::CertExpired { .. } => TrustReason::Expired,
            E::CertNotValidYet { .. } => TrustReason::NotYetValid,
            E::CertNotValidForName(_) => TrustReason::NameMismatch,
            E::InvalidSignatureForPublicKey => TrustReason::BadSignature,
            E::UnsupportedSignatureAlgorithm
            | E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKey
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
            | E::SignatureAlgorithmMismatch => TrustReason::UnsupportedAlgorithm,
            E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => TrustReason::NotServerAuth,
            E::CertRevoked => TrustReason::Revoked,
            _ => TrustReason::Invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_errors_are_specific() {
        assert_eq!(anchors_from_pem(b"", 10), Err(BundleError::Empty));
        assert_eq!(
            anchors_from_pem(b"just text, no PEM", 10),
            Err(BundleError::Empty)
        );
        let junk = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            anchors_from_pem(junk, 10),
            Err(BundleError::BadCertificate { index: 0, .. })
        ));
        assert!(matches!(
            TrustStores::load(Some(Path::new("/nonexistent/ca.pem"))),
            Err(BundleError::Unreadable { .. })
        ));
    }

    #[test]
    fn mozilla_store_is_not_empty() {
        assert!(TrustStores::default().mozilla().len() > 100);
    }

    #[test]
    fn empty_chain_is_an_error() {
        let now = UnixTime::now();
        assert!(validate_path(&[], &[], now).is_err());
        assert!(validate_path(&[vec![0x30, 0x00]], &[], now).is_err());
    }
}
