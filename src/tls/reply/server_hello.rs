//! ServerHello (and HelloRetryRequest), the downgrade sentinel, and the
//! TLS <= 1.2 Certificate message.

use super::cursor::Reader;
use super::{ReplyError, handshake};
use crate::tls::hello::version;

/// The RFC 8446 §4.1.3 downgrade sentinel in the last 8 bytes of
/// ServerHello.random: a TLS 1.3 server negotiating lower says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Downgrade {
    /// "DOWNGRD\x01": the server negotiated TLS 1.2 but supports TLS 1.3.
    Tls12,
    /// "DOWNGRD\x00": the server negotiated TLS 1.1 or below but supports
    /// TLS 1.2 or above.
    Tls11OrBelow,
}

/// SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest
/// (RFC 8446 §4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// A ServerHello (or HelloRetryRequest, which shares its layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    pub legacy_version: u16,
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    pub cipher_suite: u16,
    pub compression: u8,
    /// Every extension as sent, in order. Bounded by the message bound.
    pub extensions: Vec<(u16, Vec<u8>)>,
    /// From supported_versions: the TLS 1.3 way of naming the version.
    pub selected_version: Option<u16>,
    /// From key_share: the group of the server's share (or, in a
    /// HelloRetryRequest, the group it asks for).
    pub key_share_group: Option<u16>,
    pub is_hello_retry_request: bool,
    pub downgrade_sentinel: Option<Downgrade>,
    pub alpn: Option<String>,
    /// renegotiation_info present (RFC 5746).
    pub secure_renegotiation: bool,
    pub extended_master_secret: bool,
    pub encrypt_then_mac: bool,
}

impl ServerHello {
    /// The version the server chose: supported_versions when present, else
    /// `legacy_version`.
    pub fn negotiated_version(&self) -> u16 {
        self.selected_version.unwrap_or(self.legacy_version)
    }

    /// True when everything after this message is encrypted (TLS 1.3 or one
    /// of its drafts, whose numbers are all above 0x0303).
    pub fn is_tls13(&self) -> bool {
        self.selected_version.is_some_and(|v| v > version::TLS12)
    }

    /// The data of the first extension of type `ext_type`.
    pub fn extension(&self, ext_type: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(t, _)| *t == ext_type)
            .map(|(_, data)| data.as_slice())
    }
}

pub(super) fn parse_server_hello(body: &[u8]) -> Result<ServerHello, ReplyError> {
    let bad = |reason| ReplyError::MalformedHandshake {
        msg_type: handshake::SERVER_HELLO,
        reason,
    };
    let mut r = Reader::new(body);
    let legacy_version = r.u16().ok_or(bad("no version"))?;
    let random: [u8; 32] = r
        .take(32)
        .and_then(|b| b.try_into().ok())
        .ok_or(bad("random shorter than 32 bytes"))?;
    let session_id = r.u8_prefixed().ok_or(bad("session id overruns message"))?;
    let cipher_suite = r.u16().ok_or(bad("no cipher suite"))?;
    let compression = r.u8().ok_or(bad("no compression method"))?;

    let mut sh = ServerHello {
        legacy_version,
        random,
        session_id: session_id.to_vec(),
        cipher_suite,
        compression,
        extensions: Vec::new(),
        selected_version: None,
        key_share_group: None,
        is_hello_retry_request: random == HELLO_RETRY_REQUEST_RANDOM,
        downgrade_sentinel: match random.get(24..) {
            Some(tail) if tail == DOWNGRADE_TLS12 => Some(Downgrade::Tls12),
            Some(tail) if tail == DOWNGRADE_TLS11 => Some(Downgrade::Tls11OrBelow),
            _ => None,
        },
        alpn: None,
        secure_renegotiation: false,
        extended_master_secret: false,
        encrypt_then_mac: false,
    };
    // SSLv3 and early TLS servers may end the message after compression.
    if r.is_empty() {
        return Ok(sh);
    }
    let block = r
        .u16_prefixed()
        .ok_or(bad("extension block overruns message"))?;
    if !r.is_empty() {
        return Err(bad("bytes after the extension block"));
    }
    let mut exts = Reader::new(block);
    while !exts.is_empty() {
        let ext_type = exts.u16().ok_or(bad("truncated extension header"))?;
        let data = exts
            .u16_prefixed()
            .ok_or(bad("extension overruns its block"))?;
        sh.extensions.push((ext_type, data.to_vec()));
    }
    use crate::tls::hello::ext;
    if let Some(data) = sh.extension(ext::SUPPORTED_VERSIONS) {
        let mut d = Reader::new(data);
        let v = d.u16().ok_or(bad("empty supported_versions"))?;
        if !d.is_empty() {
            return Err(bad("supported_versions longer than one version"));
        }
        sh.selected_version = Some(v);
    }
    if let Some(data) = sh.extension(ext::KEY_SHARE) {
        let mut d = Reader::new(data);
        let group = d.u16().ok_or(bad("empty key_share"))?;
        // A HelloRetryRequest names only the group; a ServerHello adds the key.
        if !sh.is_hello_retry_request && (d.u16_prefixed().is_none() || !d.is_empty()) {
            return Err(bad("key_share entry length mismatch"));
        }
        sh.key_share_group = Some(group);
    }
    if let Some(data) = sh.extension(ext::ALPN) {
        let mut d = Reader::new(data);
        let mut list = Reader::new(d.u16_prefixed().ok_or(bad("ALPN list overruns"))?);
        let proto = list.u8_prefixed().ok_or(bad("ALPN name overruns"))?;
        sh.alpn = Some(String::from_utf8_lossy(proto).into_owned());
    }
    sh.secure_renegotiation = sh.extension(ext::RENEGOTIATION_INFO).is_some();
    sh.extended_master_secret = sh.extension(ext::EXTENDED_MASTER_SECRET).is_some();
    sh.encrypt_then_mac = sh.extension(ext::ENCRYPT_THEN_MAC).is_some();
    Ok(sh)
}

/// The TLS <= 1.2 Certificate message: a 3-byte-length list of 3-byte-length
/// DER certificates.
pub(super) fn parse_certificates(body: &[u8]) -> Result<Vec<Vec<u8>>, ReplyError> {
    let bad = |reason| ReplyError::MalformedHandshake {
        msg_type: handshake::CERTIFICATE,
        reason,
    };
    let mut r = Reader::new(body);
    let list = r
        .u24_prefixed()
        .ok_or(bad("certificate list overruns message"))?;
    if !r.is_empty() {
        return Err(bad("bytes after the certificate list"));
    }
    let mut certs = Reader::new(list);
    let mut out = Vec::new();
    while !certs.is_empty() {
        let der = certs
            .u24_prefixed()
            .ok_or(bad("certificate overruns the list"))?;
        out.push(der.to_vec());
    }
    Ok(out)
}
