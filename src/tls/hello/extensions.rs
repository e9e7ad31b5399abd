//! The extension block of a ClientHello.

use super::{
    ClientHelloSpec, HelloEntropy, HelloError, ext, put_extension, put_u8_prefixed, put_u16,
    u16_list, version,
};

impl ClientHelloSpec {
    /// The extension block without its length prefix and without padding.
    /// Empty extensions go first and padding last, so the block never ends
    /// in an empty extension (WebSphere 7 intolerance).
    pub(super) fn encode_extensions(
        &self,
        entropy: &mut dyn HelloEntropy,
    ) -> Result<Vec<u8>, HelloError> {
        let mut out = Vec::with_capacity(256);
        if let Some(name) = &self.sni {
            let mut data = Vec::with_capacity(name.len() + 5);
            put_u16(&mut data, (name.len() + 3) as u16);
            data.push(0); // host_name
            put_u16(&mut data, name.len() as u16);
            data.extend_from_slice(name.as_bytes());
            put_extension(&mut out, ext::SERVER_NAME, &data);
        }
        if self.extended_master_secret {
            put_extension(&mut out, ext::EXTENDED_MASTER_SECRET, &[]);
        }
        if self.encrypt_then_mac {
            put_extension(&mut out, ext::ENCRYPT_THEN_MAC, &[]);
        }
        if self.session_ticket {
            put_extension(&mut out, ext::SESSION_TICKET, &[]);
        }
        if self.renegotiation_info {
            // renegotiated_connection<0..255>, empty on an initial handshake.
            put_extension(&mut out, ext::RENEGOTIATION_INFO, &[0]);
        }
        if self.heartbeat {
            // HeartbeatMode peer_allowed_to_send(1), RFC 6520 §2.
            put_extension(&mut out, ext::HEARTBEAT, &[1]);
        }
        if self.status_request {
            // status_type ocsp(1), empty responder_id_list, empty extensions.
            put_extension(&mut out, ext::STATUS_REQUEST, &[1, 0, 0, 0, 0]);
        }
        if self.ec_point_formats {
            // ec_point_format_list<1..2^8-1> = [uncompressed]
            put_extension(&mut out, ext::EC_POINT_FORMATS, &[1, 0]);
        }
        if !self.supported_groups.is_empty() {
            let data = u16_list(ext::SUPPORTED_GROUPS, &self.supported_groups)?;
            put_extension(&mut out, ext::SUPPORTED_GROUPS, &data);
        }
        if !self.alpn.is_empty() {
            put_extension(&mut out, ext::ALPN, &self.alpn_list()?);
        }
        if !self.signature_algorithms.is_empty() {
            let data = u16_list(ext::SIGNATURE_ALGORITHMS, &self.signature_algorithms)?;
            put_extension(&mut out, ext::SIGNATURE_ALGORITHMS, &data);
        }
        if !self.supported_versions.is_empty() {
            put_extension(&mut out, ext::SUPPORTED_VERSIONS, &self.versions_list()?);
        }
        if self.psk_key_exchange_modes {
            // ke_modes<1..255> = [psk_dhe_ke]
            put_extension(&mut out, ext::PSK_KEY_EXCHANGE_MODES, &[1, 1]);
        }
        if !self.key_shares.is_empty()
            || self.supported_versions.iter().any(|v| *v >= version::TLS13)
        {
            // An empty client_shares list is legal and asks the server for a
            // HelloRetryRequest naming its group.
            put_extension(&mut out, ext::KEY_SHARE, &self.key_share_list(entropy)?);
        }
        if out.len() > 0xFFFF {
            return Err(HelloError::ExtensionsTooLong {
                len: out.len(),
                max: 0xFFFF,
            });
        }
        Ok(out)
    }

    /// `ProtocolNameList` (RFC 7301 §3.1).
    fn alpn_list(&self) -> Result<Vec<u8>, HelloError> {
        let len: usize = self.alpn.iter().map(|p| p.len() + 1).sum();
        if len > 0xFFFF - 2 {
            return Err(HelloError::ListTooLong {
                extension: ext::ALPN,
                len,
                max: 0xFFFF - 2,
            });
        }
        let mut data = Vec::with_capacity(len + 2);
        put_u16(&mut data, len as u16);
        for proto in &self.alpn {
            put_u8_prefixed(&mut data, proto.as_bytes());
        }
        Ok(data)
    }

    /// `supported_versions` as a client sends it: a 1-byte length, then versions.
    fn versions_list(&self) -> Result<Vec<u8>, HelloError> {
        let len = self.supported_versions.len() * 2;
        if len > 0xFE {
            return Err(HelloError::ListTooLong {
                extension: ext::SUPPORTED_VERSIONS,
                len,
                max: 0xFE,
            });
        }
        let mut data = Vec::with_capacity(len + 1);
        data.push(len as u8);
        for v in &self.supported_versions {
            put_u16(&mut data, *v);
        }
        Ok(data)
    }

    /// `client_shares` (RFC 8446 §4.2.8), one real public key per group.
    fn key_share_list(&self, entropy: &mut dyn HelloEntropy) -> Result<Vec<u8>, HelloError> {
        let mut shares = Vec::new();
        for group in &self.key_shares {
            let public = entropy.key_share(*group)?;
            if public.is_empty() || public.len() > 0xFFFF {
                return Err(HelloError::MissingKeyShare { group: *group });
            }
            put_u16(&mut shares, *group);
            put_u16(&mut shares, public.len() as u16);
            shares.extend_from_slice(&public);
        }
        if shares.len() > 0xFFFF {
            return Err(HelloError::ListTooLong {
                extension: ext::KEY_SHARE,
                len: shares.len(),
                max: 0xFFFF,
            });
        }
        let mut data = Vec::with_capacity(shares.len() + 2);
        put_u16(&mut data, shares.len() as u16);
        data.extend_from_slice(&shares);
        Ok(data)
    }
}
