//! Facts about one certificate, read with x509-parser: names, validity, key,
//! signature algorithm, CA flags, fingerprint. No judgement: whether a
//! 1024-bit key or a SHA-1 signature matters to a client is the diagnosis'
//! business.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::public_key::PublicKey;

/// Largest certificate we parse. Real ones are 1-4 KiB; a TLS handshake
/// message cannot exceed 16 MiB, but nothing legitimate comes near 64 KiB.
pub const MAX_CERT_BYTES: usize = 64 * 1024;

/// The identifiers a certificate presents, as far as the name check cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PresentedIds {
    /// `dNSName` entries of the subjectAltName extension.
    pub dns: Vec<String>,
    /// `iPAddress` entries of the subjectAltName extension.
    pub ips: Vec<IpAddr>,
    /// Subject common names (only consulted when `dns` is empty).
    pub common_names: Vec<String>,
    /// SRV-IDs (RFC 4985 `otherName` id-on-dnsSRV), e.g. `_imaps.example.com`.
    pub srv: Vec<String>,
}

/// One parsed certificate: the Report's facts plus what the chain and name
/// checks need (raw names for issuer matching, identifiers, validity).
#[derive(Debug, Clone)]
pub struct CertFacts {
    pub info: CertificateInfo,
    /// DER of the subject and issuer Names (with their SEQUENCE header).
    pub subject_raw: Vec<u8>,
    pub issuer_raw: Vec<u8>,
    pub ids: PresentedIds,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// Dotted OID of the signature algorithm.
    pub signature_oid: String,
    /// The serial number's INTEGER content bytes (for OCSP matching).
    pub serial_raw: Vec<u8>,
}

impl CertFacts {
    pub fn expired_at(&self, now: OffsetDateTime) -> bool {
        now > self.not_after
    }

    pub fn not_yet_valid_at(&self, now: OffsetDateTime) -> bool {
        now < self.not_before
    }

    /// Subject and issuer are the same Name: the certificate claims to have
    /// issued itself (a root, or a self-signed leaf).
    pub fn self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }

    pub fn signature_hash(&self) -> Option<WeakHash> {
        weak_hash(&self.signature_oid)
    }
}

/// Hashes that make a certificate signature forgeable in practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakHash {
    Md5,
    Sha1,
}

/// Why a certificate could not be described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    #[error("certificate of {len} bytes exceeds the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("certificate does not parse: {message}")]
    Malformed { message: String },
}

/// Describes one DER certificate as of `now`.
pub fn describe(der: &[u8], now: OffsetDateTime) -> Result<CertFacts, CertError> {
    if der.len() > MAX_CERT_BYTES {
        return Err(CertError::TooLarge {
            len: der.len(),
            max: MAX_CERT_BYTES,
        });
    }
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| CertError::Malformed {
        message: e.to_string(),
    })?;
    let tbs = &cert.tbs_certificate;
    let not_before = tbs.validity().not_before.to_datetime();
    let not_after = tbs.validity().not_after.to_datetime();

    let mut ids = PresentedIds::default();
    let mut sans = Vec::new();
    if let Ok(Some(san)) = tbs.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => {
                    sans.push(d.to_string());
                    ids.dns.push(d.to_string());
                }
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_from_bytes(bytes) {
                        sans.push(ip.to_string());
                        ids.ips.push(ip);
                    }
                }
                GeneralName::RFC822Name(m) => sans.push(format!("email:{m}")),
                GeneralName::URI(u) => sans.push(format!("uri:{u}")),
                GeneralName::OtherName(oid, value) if oid.to_id_string() == ID_ON_DNS_SRV => {
                    if let Some(srv) = srv_name(value) {
                        sans.push(format!("srv:{srv}"));
                        ids.srv.push(srv);
                    }
                }
                _ => {}
            }
        }
    }
    ids.common_names = tbs
        .subject()
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok().map(str::to_string))
        .collect();

    let (key_type, key_bits, curve) = key_facts(&cert);
    let signature_oid = cert.signature_algorithm.algorithm.to_id_string();
    let subject_raw = tbs.subject().as_raw().to_vec();
    let issuer_raw = tbs.issuer().as_raw().to_vec();
    // Self-signed: names equal *and* its own key verifies the signature (a
    // certificate can copy its issuer's name without being that issuer).
    let self_signed = subject_raw == issuer_raw && cert.verify_signature(None).is_ok();
    let server_auth_eku = match tbs.extended_key_usage() {
        Ok(Some(eku)) => Some(eku.value.server_auth || eku.value.any),
        _ => None,
    };
    let sha256 = ring::digest::digest(&ring::digest::SHA256, der);

    let info = CertificateInfo {
        subject: tbs.subject().to_string(),
        sans,
        issuer: tbs.issuer().to_string(),
        serial: tbs.raw_serial_as_string(),
        not_before: rfc3339(not_before),
        not_after: rfc3339(not_after),
        days_left: days_between(now, not_after),
        key_type,
        key_bits,
        curve,
        signature_algorithm: signature_name(&signature_oid),
        self_signed,
        is_ca: tbs.is_ca(),
        server_auth_eku,
        sha256: hex(sha256.as_ref()),
    };
    Ok(CertFacts {
        info,
        subject_raw,
        issuer_raw,
        ids,
        not_before,
        not_after,
        signature_oid,
        serial_raw: tbs.raw_serial().to_vec(),
    })
}

/// Whole days from `now` to `until`, rounded towards minus infinity, so a
/// certificate that expired an hour ago has -1 days left, not 0.
pub fn days_between(now: OffsetDateTime, until: OffsetDateTime) -> i64 {
    (until - now).whole_seconds().div_euclid(86_400)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The DNS-IDs, IP and SRV-IDs back from a Report's `sans` list (the
/// inverse of how [`describe`] writes it; common names are not in it).
pub fn presented_from_sans(sans: &[String]) -> PresentedIds {
    let mut ids = PresentedIds::default();
    for s in sans {
        if let Some(srv) = s.strip_prefix("srv:") {
            ids.srv.push(srv.to_string());
        } else if let Ok(ip) = s.parse::<IpAddr>() {
            ids.ips.push(ip);
        } else if !s.contains(':') {
            ids.dns.push(s.clone());
        }
    }
    ids
}

/// id-on-dnsSRV (RFC 4985): an `otherName` holding an SRV-ID.
const ID_ON_DNS_SRV: &str = "1.3.6.1.5.5.7.8.7";

/// The SRVName of an id-on-dnsSRV `otherName` value: `[0] EXPLICIT
/// IA5String` (RFC 4985 §2), as x509-parser hands it over (the bytes after
/// the OID). Lengths are checked against what is there; anything else
/// (another string type, trailing bytes, non-ASCII, over 255 bytes) is
/// ignored rather than guessed at.
fn srv_name(value: &[u8]) -> Option<String> {
    /// One DER TLV with the expected tag: (content, rest).
    fn tlv(tag: u8, b: &[u8]) -> Option<(&[u8], &[u8])> {
        let (&t, rest) = b.split_first()?;
        if t != tag {
            return None;
        }
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = match first {
            n if n < 0x80 => (n as usize, rest),
            0x81 => {
                let (&n, rest) = rest.split_first()?;
                (n as usize, rest)
            }
            0x82 => {
                let (hi, rest) = rest.split_first()?;
                let (lo, rest) = rest.split_first()?;
                (u16::from_be_bytes([*hi, *lo]) as usize, rest)
            }
            _ => return None,
        };
        let content = rest.get(..len)?;
        Some((content, rest.get(len..)?))
    }
    let (explicit, rest) = tlv(0xA0, value)?;
    let (ia5, inner_rest) = tlv(0x16, explicit)?;
    if !rest.is_empty() || !inner_rest.is_empty() || ia5.is_empty() || ia5.len() > 255 {
        return None;
    }
    ia5.iter()
        .all(|b| b.is_ascii_graphic())
        .then(|| String::from_utf8_lossy(ia5).into_owned())
}

fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(b).ok().map(IpAddr::from),
        _ => None,
    }
}

fn key_facts(cert: &X509Certificate<'_>) -> (String, Option<u32>, Option<String>) {
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => ("RSA".into(), Some(bit_length(rsa.modulus)), None),
        Ok(PublicKey::EC(_)) => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            let (name, bits) = match curve_oid.as_deref() {
                Some("1.2.840.10045.3.1.7") => ("P-256".to_string(), Some(256)),
                Some("1.3.132.0.34") => ("P-384".to_string(), Some(384)),
                Some("1.3.132.0.35") => ("P-521".to_string(), Some(521)),
                Some(other) => (other.to_string(), None),
                None => ("unknown".to_string(), None),
            };
            ("EC".into(), bits, Some(name))
        }
        Ok(PublicKey::DSA(y)) => ("DSA".into(), Some(bit_length(y)), None),
        _ => match alg.as_str() {
            "1.3.101.112" => ("Ed25519".into(), Some(256), None),
            "1.3.101.113" => ("Ed448".into(), Some(456), None),
            other => (other.to_string(), None, None),
        },
    }
}

/// Bit length of a big-endian unsigned integer (leading zero bytes and bits
/// do not count; x509-parser's own `key_size` assumes one leading zero).
fn bit_length(be: &[u8]) -> u32 {
    let mut bytes = be.iter().skip_while(|b| **b == 0);
    match bytes.next() {
        None => 0,
        Some(first) => {
            let rest = bytes.count() as u32;
            rest * 8 + (8 - first.leading_zeros())
        }
    }
}

/// OpenSSL's names for the signature algorithms found in the wild, so an
/// administrator can compare with `openssl x509 -text`. Unknown algorithms
/// are reported by dotted OID.
pub fn signature_name(oid: &str) -> String {
    let name = match oid {
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.3" => "dsa-with-SHA1",
        "2.16.840.1.101.3.4.3.2" => "dsa-with-SHA256",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        other => return other.to_string(),
    };
    name.to_string()
}

fn weak_hash(oid: &str) -> Option<WeakHash> {
    match oid {
        "1.2.840.113549.1.1.2" | "1.2.840.113549.1.1.4" => Some(WeakHash::Md5),
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.10040.4.3" => Some(WeakHash::Sha1),
        _ => None,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The first `http://` caIssuers URL in a certificate's Authority Information
/// Access extension (RFC 5280 §4.2.2.1), capped at 2 KiB; `None` when there is
/// none or the certificate does not parse.
pub fn ca_issuers_url(der: &[u8]) -> Option<String> {
    use x509_parser::extensions::ParsedExtension;
    use x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS;
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    cert.extensions().iter().find_map(|ext| {
        let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() else {
            return None;
        };
        aia.accessdescs
            .iter()
            .find_map(|d| match &d.access_location {
                GeneralName::URI(u)
                    if d.access_method == OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS
                        && u.starts_with("http://")
                        && u.len() <= 2048 =>
                {
                    Some(u.to_string())
                }
                _ => None,
            })
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificateInfo {
    /// Distinguished name, RFC 4514 style (`CN=mail.example.com, O=...`).
    pub subject: String,
    /// subjectAltName entries: DNS names and IP addresses verbatim, others
    /// prefixed (`email:`, `uri:`, and `srv:` for an RFC 4985 SRV-ID such as
    /// `srv:_imaps.example.com`).
    pub sans: Vec<String>,
    /// Issuer distinguished name, RFC 4514 style.
    pub issuer: String,
    /// Serial number, colon-separated hex.
    pub serial: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    /// RFC 3339, UTC.
    pub not_after: String,
    /// Whole days until `not_after` (negative once expired).
    pub days_left: i64,
    /// `RSA`, `EC`, `DSA`, `Ed25519`, `Ed448`, or the key's OID.
    #[schema(example = "RSA")]
    pub key_type: String,
    /// Public key size in bits, when known.
    pub key_bits: Option<u32>,
    /// For EC keys: `P-256`, `P-384`, `P-521`, or the curve's OID.
    pub curve: Option<String>,
    /// OpenSSL's name for it, e.g. `sha256WithRSAEncryption`,
    /// `ecdsa-with-SHA256`, `sha1WithRSAEncryption`; unknown ones by OID.
    #[schema(example = "sha256WithRSAEncryption")]
    pub signature_algorithm: String,
    /// Issuer equals subject and its own key verifies its signature.
    pub self_signed: bool,
    /// Basic constraints mark it a CA certificate.
    pub is_ca: bool,
    /// Extended key usage allows server authentication (null: no EKU
    /// extension, which allows any use).
    pub server_auth_eku: Option<bool>,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[0] EXPLICIT IA5String` as an otherName value.
    fn srv_value(name: &str) -> Vec<u8> {
        let mut v = vec![0xA0, (name.len() + 2) as u8, 0x16, name.len() as u8];
        v.extend_from_slice(name.as_bytes());
        v
    }

    #[test]
    fn srv_names_are_read_strictly() {
        let good = srv_value("_imaps.example.com");
        assert_eq!(srv_name(&good).as_deref(), Some("_imaps.example.com"));
        // Every truncation is refused, never a panic or a partial name.
        for cut in 0..good.len() {
            assert_eq!(srv_name(&good[..cut]), None, "{cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(srv_name(&trailing), None);
        // A UTF8String (0x0C) is not an SRVName.
        let mut utf8 = good.clone();
        utf8[2] = 0x0C;
        assert_eq!(srv_name(&utf8), None);
        assert_eq!(srv_name(&srv_value("_imaps.exa mple.com")), None);
        // A length that claims more than is there.
        assert_eq!(srv_name(&[0xA0, 0x82, 0xFF, 0xFF, 0x16]), None);
    }

    #[test]
    fn a_certificate_with_an_srv_id_presents_it() {
        // GeneralNames { [2] "mail.example.com", [0] otherName { id-on-dnsSRV, [0] IA5 } }
        let mut other = vec![0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x07];
        other.extend(srv_value("_imaps.example.com"));
        let mut names = vec![0x82, 16];
        names.extend_from_slice(b"mail.example.com");
        names.push(0xA0);
        names.push(other.len() as u8);
        names.extend(other);
        let mut san = vec![0x30, names.len() as u8];
        san.extend(names);
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .custom_extensions
            .push(rcgen::CustomExtension::from_oid_content(
                &[2, 5, 29, 17],
                san,
            ));
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let facts = describe(cert.der(), OffsetDateTime::now_utc()).unwrap();
        assert_eq!(facts.ids.dns, ["mail.example.com"]);
        assert_eq!(facts.ids.srv, ["_imaps.example.com"]);
        assert_eq!(
            facts.info.sans,
            ["mail.example.com", "srv:_imaps.example.com"]
        );
        let mut back = presented_from_sans(&facts.info.sans);
        back.common_names = facts.ids.common_names.clone();
        assert_eq!(back, facts.ids);
        let other =
            presented_from_sans(&["192.0.2.1".into(), "email:a@b.c".into(), "uri:x:y".into()]);
        assert_eq!((other.ips.len(), other.dns.len()), (1, 0));
    }

    #[test]
    fn bit_length_ignores_leading_zeros() {
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x01, 0x00]), 9);
        assert_eq!(bit_length(&[0x00, 0x00]), 0);
        assert_eq!(bit_length(&[]), 0);
    }

    #[test]
    fn days_round_down() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(10);
        assert_eq!(days_between(now, now + time::Duration::hours(47)), 1);
        assert_eq!(days_between(now, now - time::Duration::hours(1)), -1);
        assert_eq!(days_between(now, now), 0);
    }

    #[test]
    fn weak_hashes_are_recognised() {
        assert_eq!(weak_hash("1.2.840.113549.1.1.5"), Some(WeakHash::Sha1));
        assert_eq!(weak_hash("1.2.840.113549.1.1.4"), Some(WeakHash::Md5));
        assert_eq!(weak_hash("1.2.840.113549.1.1.11"), None);
        assert_eq!(signature_name("1.2.3.4"), "1.2.3.4");
    }

    #[test]
    fn garbage_and_oversized_input_is_an_error_not_a_panic() {
        let now = OffsetDateTime::UNIX_EPOCH;
        assert!(matches!(
            describe(&[0x30, 0x82, 0xff], now),
            Err(CertError::Malformed { .. })
        ));
        assert!(matches!(
            describe(&vec![0u8; MAX_CERT_BYTES + 1], now),
            Err(CertError::TooLarge { .. })
        ));
        for len in 0..64 {
            let _ = describe(&vec![0x30; len], now);
        }
    }
}
