//! ServerKeyExchange: ECDHE and DHE parameters, and the signature over them.

use super::cursor::Reader;
use super::{ReplyError, handshake};
use crate::tls::hello::version;

/// How the ServerKeyExchange of the chosen suite is laid out. The suite
/// registry knows; this module does not depend on it, so the caller passes a
/// classifier to `ReplyReader::with_ske_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SkeKind {
    /// `ServerDHParams`: dh_p, dh_g, dh_Ys, each with a 2-byte length.
    Dhe,
    /// `ServerECDHParams`: curve_type, named curve, 1-byte-length point.
    Ecdhe,
    /// Not known: the layout is guessed from the bytes (ECDHE first, then
    /// DHE, each only if the whole message is consistent), else kept as
    /// [`KeyExchangeInfo::Unparsed`].
    #[default]
    Unknown,
}

/// What the ServerKeyExchange says about the key exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyExchangeInfo {
    Ecdhe {
        /// 3 = named_curve; 1 / 2 = explicit prime / char2 curve (obsolete).
        curve_type: u8,
        named_curve: Option<u16>,
        /// Length of the server's point; `None` for explicit curves.
        public_key_len: Option<usize>,
        /// TLS 1.2 only: the scheme of the signature over the params.
        signature_scheme: Option<u16>,
    },
    Dhe {
        /// Bit length of p (leading zero bytes ignored): the "DH size".
        prime_bits: usize,
        /// p itself, so that a well-known group (RFC 7919 ffdhe, the Oakley
        /// 1024-bit prime behind Logjam) can be recognised.
        prime: Vec<u8>,
        generator: Vec<u8>,
        public_key_len: usize,
        signature_scheme: Option<u16>,
    },
    /// The layout was unknown and neither guess fit.
    Unparsed { len: usize },
}

pub(super) fn parse_key_exchange(
    body: &[u8],
    kind: SkeKind,
    version: Option<u16>,
) -> Result<KeyExchangeInfo, ReplyError> {
    let bad = |reason| ReplyError::MalformedHandshake {
        msg_type: handshake::SERVER_KEY_EXCHANGE,
        reason,
    };
    let mut r = Reader::new(body);
    match kind {
        SkeKind::Ecdhe => {
            let info = ecdhe_params(&mut r, version).map_err(bad)?;
            Ok(info)
        }
        SkeKind::Dhe => {
            let info = dhe_params(&mut r, version).map_err(bad)?;
            Ok(info)
        }
        SkeKind::Unknown => {
            // Guess, accepting a layout only if the signature that follows
            // accounts for every remaining byte.
            if body.first() == Some(&3) {
                let mut e = Reader::new(body);
                if let Ok(info) = ecdhe_params(&mut e, version)
                    && plausible_signature(e.rest())
                {
                    return Ok(info);
                }
            }
            let mut d = Reader::new(body);
            if let Ok(info) = dhe_params(&mut d, version)
                && plausible_signature(d.rest())
            {
                return Ok(info);
            }
            Ok(KeyExchangeInfo::Unparsed { len: body.len() })
        }
    }
}

/// `ServerECDHParams` and, for TLS 1.2, the signature scheme after it.
fn ecdhe_params(r: &mut Reader<'_>, version: Option<u16>) -> Result<KeyExchangeInfo, &'static str> {
    let curve_type = r.u8().ok_or("empty ServerKeyExchange")?;
    if curve_type != 3 {
        // Explicit curves: obsolete, and their layout is not worth parsing.
        return Ok(KeyExchangeInfo::Ecdhe {
            curve_type,
            named_curve: None,
            public_key_len: None,
            signature_scheme: None,
        });
    }
    let named_curve = r.u16().ok_or("no named curve")?;
    let point = r.u8_prefixed().ok_or("EC point overruns message")?;
    if point.is_empty() {
        return Err("empty EC point");
    }
    Ok(KeyExchangeInfo::Ecdhe {
        curve_type,
        named_curve: Some(named_curve),
        public_key_len: Some(point.len()),
        signature_scheme: signature_scheme(r, version),
    })
}

/// `ServerDHParams` and, for TLS 1.2, the signature scheme after it.
fn dhe_params(r: &mut Reader<'_>, version: Option<u16>) -> Result<KeyExchangeInfo, &'static str> {
    let prime = r.u16_prefixed().ok_or("dh_p overruns message")?;
    let generator = r.u16_prefixed().ok_or("dh_g overruns message")?;
    let public = r.u16_prefixed().ok_or("dh_Ys overruns message")?;
    if prime.is_empty() || generator.is_empty() || public.is_empty() {
        return Err("empty DH parameter");
    }
    Ok(KeyExchangeInfo::Dhe {
        prime_bits: bit_len(prime),
        prime: prime.to_vec(),
        generator: generator.to_vec(),
        public_key_len: public.len(),
        signature_scheme: signature_scheme(r, version),
    })
}

/// TLS 1.2 prefixes the signature with its scheme; anonymous suites send no
/// signature at all. Peeks without consuming.
fn signature_scheme(r: &Reader<'_>, version: Option<u16>) -> Option<u16> {
    if version != Some(version::TLS12) {
        return None;
    }
    let mut peek = r.clone();
    let scheme = peek.u16()?;
    peek.u16_prefixed()?;
    Some(scheme)
}

/// Nothing (anonymous), `opaque signature<0..2^16-1>` (TLS <= 1.1) or
/// scheme + signature (TLS 1.2), exactly.
fn plausible_signature(rest: &[u8]) -> bool {
    let exact = |mut r: Reader<'_>| r.u16_prefixed().is_some() && r.is_empty();
    let mut with_scheme = Reader::new(rest);
    rest.is_empty()
        || exact(Reader::new(rest))
        || (with_scheme.u16().is_some() && exact(with_scheme))
}

pub(super) fn bit_len(be: &[u8]) -> usize {
    let first_nonzero = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    match be.get(first_nonzero..) {
        Some([top, rest @ ..]) => rest.len() * 8 + (8 - top.leading_zeros() as usize),
        _ => 0,
    }
}
