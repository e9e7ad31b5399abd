//! SSLv2 SERVER-HELLO and ERROR messages.

use super::ReplyError;
use super::cursor::Reader;

/// An SSLv2 SERVER-HELLO (draft-hickman-netscape-ssl-00 §2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssl2ServerHello {
    /// 0x0002 from a real SSLv2 server.
    pub version: u16,
    pub session_id_hit: bool,
    /// 1 = X.509.
    pub certificate_type: u8,
    pub certificate: Vec<u8>,
    /// 3-byte cipher kinds (see `hello::ssl2`), as sent.
    pub cipher_kinds: Vec<u32>,
    pub connection_id: Vec<u8>,
}

/// An SSLv2 ERROR message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ssl2Error {
    pub code: u16,
}

impl Ssl2Error {
    pub fn name(&self) -> &'static str {
        match self.code {
            0x0001 => "NO-CIPHER-ERROR",
            0x0002 => "NO-CERTIFICATE-ERROR",
            0x0004 => "BAD-CERTIFICATE-ERROR",
            0x0006 => "UNSUPPORTED-CERTIFICATE-TYPE-ERROR",
            _ => "unknown",
        }
    }
}

pub(super) fn parse_ssl2_server_hello(m: &mut Reader<'_>) -> Result<Ssl2ServerHello, ReplyError> {
    let bad = |reason| ReplyError::MalformedSsl2 {
        msg_type: 4,
        reason,
    };
    let (Some(hit), Some(certificate_type), Some(version)) = (m.u8(), m.u8(), m.u16()) else {
        return Err(bad("truncated SERVER-HELLO header"));
    };
    let (Some(cert_len), Some(specs_len), Some(conn_len)) = (m.u16(), m.u16(), m.u16()) else {
        return Err(bad("truncated SERVER-HELLO lengths"));
    };
    let certificate = m
        .take(usize::from(cert_len))
        .ok_or(bad("certificate overruns message"))?;
    let specs = m
        .take(usize::from(specs_len))
        .ok_or(bad("cipher specs overrun message"))?;
    if specs.len() % 3 != 0 {
        return Err(bad("cipher specs not a multiple of 3 bytes"));
    }
    let connection_id = m
        .take(usize::from(conn_len))
        .ok_or(bad("connection id overruns message"))?;
    let cipher_kinds = specs
        .chunks_exact(3)
        .map(|c| c.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
        .collect();
    Ok(Ssl2ServerHello {
        version,
        session_id_hit: hit != 0,
        certificate_type,
        certificate: certificate.to_vec(),
        cipher_kinds,
        connection_id: connection_id.to_vec(),
    })
}
