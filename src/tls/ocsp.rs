//! What a stapled OCSP response says about the leaf (RFC 6960 §4.2.1).
//!
//! Only the status is read; the responder's signature is *not* verified. A
//! server gains nothing by stapling a forged "revoked" about itself, so a
//! revoked staple is worth reporting; a "good" one proves nothing without
//! the signature, and is reported as what the staple claims.
//!
//! The response is walked with a bounded TLV reader: every length is
//! checked against the bytes left before it is used, and the number of
//! SingleResponses examined is capped.

/// The status the staple gives for the leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StapleStatus {
    Good,
    Revoked,
    /// The responder does not know the certificate.
    Unknown,
    /// The staple is about other certificates only.
    OtherCertificate,
    /// `responseStatus` is not `successful` (e.g. `tryLater`).
    Unsuccessful,
    /// The bytes are not an OCSP response we can read.
    Unparsable,
}

impl StapleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StapleStatus::Good => "good",
            StapleStatus::Revoked => "revoked",
            StapleStatus::Unknown => "unknown",
            StapleStatus::OtherCertificate => "other_certificate",
            StapleStatus::Unsuccessful => "unsuccessful",
            StapleStatus::Unparsable => "unparsable",
        }
    }
}

/// Most SingleResponses looked at: a staple normally holds one.
const MAX_SINGLE_RESPONSES: usize = 16;

const SEQUENCE: u8 = 0x30;
const ENUMERATED: u8 = 0x0a;
const OCTET_STRING: u8 = 0x04;
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;
const GENERALIZED_TIME: u8 = 0x18;
/// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1, as DER contents.
const OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

/// Reads the staple's status for the certificate with serial number
/// `leaf_serial` (the INTEGER's content bytes).
pub fn staple_status(response: &[u8], leaf_serial: &[u8]) -> StapleStatus {
    read(response, leaf_serial).unwrap_or(StapleStatus::Unparsable)
}

fn read(response: &[u8], leaf_serial: &[u8]) -> Option<StapleStatus> {
    // OCSPResponse ::= SEQUENCE { responseStatus, responseBytes [0] EXPLICIT }
    let (ocsp, _) = expect(response, SEQUENCE)?;
    let (status, rest) = expect(ocsp, ENUMERATED)?;
    if status != [0] {
        return Some(StapleStatus::Unsuccessful);
    }
    let (bytes, _) = expect(rest, 0xa0)?;
    let (bytes, _) = expect(bytes, SEQUENCE)?;
    let (kind, rest) = expect(bytes, OID)?;
    if kind != OCSP_BASIC {
        return None;
    }
    let (basic, _) = expect(rest, OCTET_STRING)?;
    // BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, ... }
    let (basic, _) = expect(basic, SEQUENCE)?;
    let (data, _) = expect(basic, SEQUENCE)?;
    // ResponseData ::= SEQUENCE { version [0] OPTIONAL, responderID
    //   ([1] byName | [2] byKey), producedAt, responses SEQUENCE OF ... }
    let (mut tag, _, mut rest) = tlv(data)?;
    if tag == 0xa0 {
        (tag, _, rest) = tlv(rest)?;
    }
    if tag != 0xa1 && tag != 0xa2 {
        return None;
    }
    let (_, rest) = expect(rest, GENERALIZED_TIME)?;
    let (mut responses, _) = expect(rest, SEQUENCE)?;
    for _ in 0..MAX_SINGLE_RESPONSES {
        if responses.is_empty() {
            break;
        }
        let (single, next) = expect(responses, SEQUENCE)?;
        responses = next;
        // SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate, ... }
        // CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash,
        //   issuerKeyHash, serialNumber }
        let (cert_id, rest) = expect(single, SEQUENCE)?;
        let (_, id) = expect(cert_id, SEQUENCE)?;
        let (_, id) = expect(id, OCTET_STRING)?;
        let (_, id) = expect(id, OCTET_STRING)?;
        let (serial, _) = expect(id, INTEGER)?;
        if serial != leaf_serial {
            continue;
        }
        let (status_tag, _, _) = tlv(rest)?;
        return Some(match status_tag {
            0x80 => StapleStatus::Good,
            0xa1 => StapleStatus::Revoked,
            0x82 => StapleStatus::Unknown,
            _ => return None,
        });
    }
    Some(StapleStatus::OtherCertificate)
}

/// One TLV: (tag, value, rest). Single-byte tags only (all OCSP needs);
/// lengths in definite form up to four bytes, checked against the input.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = input.get(2..2 + n)?;
        (
            bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            2 + n,
        )
    };
    let end = header.checked_add(len)?;
    Some((tag, input.get(header..end)?, input.get(end..)?))
}

fn expect(input: &[u8], want: u8) -> Option<(&[u8], &[u8])> {
    let (tag, value, rest) = tlv(input)?;
    (tag == want).then_some((value, rest))
}

/// A minimal DER builder for tests (here and in the integration tests,
/// which build staples the same way).
#[doc(hidden)]
pub mod build {
    /// DER TLV with a definite length.
    pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = value.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(value);
        out
    }

    /// An OCSP response (unsigned: the signature is zeros) giving
    /// `status_tlv` for `serial`.
    pub fn response(serial: &[u8], status_tlv: &[u8]) -> Vec<u8> {
        let sha1 = tlv(
            0x30,
            &[tlv(0x06, &[0x2b, 0x0e, 0x03, 0x02, 0x1a]), vec![0x05, 0x00]].concat(),
        );
        let cert_id = tlv(
            0x30,
            &[
                sha1.clone(),
                tlv(0x04, &[0u8; 20]),
                tlv(0x04, &[0u8; 20]),
                tlv(0x02, serial),
            ]
            .concat(),
        );
        let time = tlv(0x18, b"20260101000000Z");
        let single = tlv(0x30, &[cert_id, status_tlv.to_vec(), time.clone()].concat());
        let data = tlv(
            0x30,
            &[tlv(0xa2, &tlv(0x04, &[0u8; 20])), time, tlv(0x30, &single)].concat(),
        );
        let basic = tlv(0x30, &[data, sha1, tlv(0x03, &[0u8; 33])].concat());
        let bytes = tlv(
            0x30,
            &[tlv(0x06, super::OCSP_BASIC), tlv(0x04, &basic)].concat(),
        );
        tlv(0x30, &[tlv(0x0a, &[0]), tlv(0xa0, &bytes)].concat())
    }

    pub fn good() -> Vec<u8> {
        vec![0x80, 0x00]
    }

    pub fn revoked() -> Vec<u8> {
        tlv(0xa1, &tlv(0x18, b"20260101000000Z"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_good_revoked_unknown_for_the_leaf() {
        let serial = [0x01, 0x02, 0x03];
        let good = build::response(&serial, &build::good());
        assert_eq!(staple_status(&good, &serial), StapleStatus::Good);
        let revoked = build::response(&serial, &build::revoked());
        assert_eq!(staple_status(&revoked, &serial), StapleStatus::Revoked);
        let unknown = build::response(&serial, &[0x82, 0x00]);
        assert_eq!(staple_status(&unknown, &serial), StapleStatus::Unknown);
        assert_eq!(
            staple_status(&revoked, &[0x09]),
            StapleStatus::OtherCertificate
        );
    }

    #[test]
    fn unsuccessful_and_garbage() {
        let try_later = build::tlv(0x30, &build::tlv(0x0a, &[3]));
        assert_eq!(staple_status(&try_later, &[1]), StapleStatus::Unsuccessful);
        assert_eq!(staple_status(&[], &[1]), StapleStatus::Unparsable);
        assert_eq!(
            staple_status(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff], &[1]),
            StapleStatus::Unparsable
        );
    }

    #[test]
    fn every_prefix_and_every_byte_flip_is_handled_without_panic() {
        let serial = [0x42];
        let good = build::response(&serial, &build::good());
        for len in 0..good.len() {
            let s = staple_status(&good[..len], &serial);
            assert_ne!(s, StapleStatus::Good, "prefix {len}");
        }
        for i in 0..good.len() {
            let mut m = good.clone();
            m[i] ^= 0xff;
            let _ = staple_status(&m, &serial);
        }
    }
}
