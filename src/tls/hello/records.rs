//! The few records a client sends outside a ClientHello, for the security
//! checks that need no finished handshake: a heartbeat request (RFC 6520),
//! a ChangeCipherSpec (RFC 5246 §7.1) and a warning alert. Bytes only; the
//! engine in `tls::security` decides when to send them.

/// Record content types (RFC 5246 §6.2.1, RFC 6520 §3).
pub mod content_type {
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    pub const ALERT: u8 = 21;
    pub const HANDSHAKE: u8 = 22;
    pub const APPLICATION_DATA: u8 = 23;
    pub const HEARTBEAT: u8 = 24;
}

/// Heartbeat message type `heartbeat_request` (RFC 6520 §3).
const HEARTBEAT_REQUEST: u8 = 1;

/// A heartbeat request that claims `claimed` payload bytes and carries none
/// (3 bytes of record body). RFC 6520 §4: a server must discard it silently;
/// a server with CVE-2014-0160 answers with `claimed` bytes of its memory.
/// The same probe testssl.sh and sslyze send (record version = the
/// negotiated one).
pub fn heartbeat_request(record_version: u16, claimed: u16) -> Vec<u8> {
    let [vh, vl] = record_version.to_be_bytes();
    let [ch, cl] = claimed.to_be_bytes();
    vec![
        content_type::HEARTBEAT,
        vh,
        vl,
        0,
        3,
        HEARTBEAT_REQUEST,
        ch,
        cl,
    ]
}

/// A ChangeCipherSpec record. Sent before the key exchange it is the
/// CVE-2014-0224 probe: a correct server answers `unexpected_message`.
pub fn change_cipher_spec(record_version: u16) -> Vec<u8> {
    let [vh, vl] = record_version.to_be_bytes();
    vec![content_type::CHANGE_CIPHER_SPEC, vh, vl, 0, 1, 1]
}

/// A warning-level `close_notify` alert: asks the server to end the
/// connection, so a check learns "nothing more is coming" in one round
/// trip instead of waiting for a timer.
pub fn close_notify(record_version: u16) -> Vec<u8> {
    let [vh, vl] = record_version.to_be_bytes();
    vec![content_type::ALERT, vh, vl, 0, 2, 1, 0]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes testssl.sh sends (`x18, x03, x0N, x00, x03, x01, x40, x00`).
    #[test]
    fn records_match_the_reference_bytes() {
        assert_eq!(
            heartbeat_request(0x0303, 0x4000),
            [0x18, 3, 3, 0, 3, 1, 0x40, 0]
        );
        assert_eq!(change_cipher_spec(0x0301), [0x14, 3, 1, 0, 1, 1]);
        assert_eq!(close_notify(0x0302), [0x15, 3, 2, 0, 2, 1, 0]);
    }
}
