//! ClientHello bytes, built by hand.
//!
//! rustls speaks only TLS 1.2/1.3 with AEAD suites, so the wire scanner builds
//! its own ClientHello: any record version, any `legacy_version` from SSLv3 to
//! TLS 1.2, any suite list (SCSVs included), any group, signature scheme and
//! extension set, and the SSLv2-format CLIENT-HELLO. It never completes a
//! handshake: the key shares are real (so a TLS 1.3 server answers with a
//! ServerHello rather than an alert) but their private halves are dropped at
//! once.
//!
//! Everything here is pure: [`ClientHelloSpec::encode`] turns a spec into the
//! record bytes to write to the socket; the only side input is entropy, which
//! tests replace with [`FixedEntropy`] through [`ClientHelloSpec::encode_with`].

use ring::rand::{SecureRandom, SystemRandom};

mod code_points;
mod entropy;
mod extensions;
pub mod records;

pub use code_points::{
    KEY_SHARE_GROUPS, SSL2_CIPHER_KINDS, ext, extension_name, group_name, groups, scsv,
    signature_scheme_name, sigschemes, ssl2, ssl2_cipher_name, version, version_name,
};
pub use entropy::{FixedEntropy, HelloEntropy, RingEntropy};

/// Record content type of a handshake record.
const CONTENT_HANDSHAKE: u8 = 22;
/// Handshake message type of a ClientHello.
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
/// RFC 5246 §6.2.1: a record fragment is at most 2^14 bytes.
pub const MAX_RECORD_FRAGMENT: usize = 1 << 14;
/// `CipherSuite cipher_suites<2..2^16-2>`: at most 32767 suites in one hello.
pub const MAX_SUITES: usize = (0xFFFE) / 2;
/// Some servers (and middleboxes) fail on hellos with more than 128 suites;
/// testssl.sh and sslscan split their offers into bundles of this size.
pub const MAX_SUITES_PER_HELLO: usize = 128;
/// RFC 5246 §7.4.1.2: `opaque SessionID<0..32>`.
pub const MAX_SESSION_ID: usize = 32;

/// Why a ClientHello could not be encoded. Every variant is a caller mistake
/// (a spec that no TLS grammar can carry) or an RNG failure; none depends on
/// the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HelloError {
    /// `cipher_suites<2..2^16-2>` needs at least one suite.
    #[error("a ClientHello needs at least one cipher suite")]
    NoCipherSuites,
    /// More suites than fit the 16-bit length.
    #[error("{count} cipher suites do not fit one ClientHello (max {max})")]
    TooManyCipherSuites { count: usize, max: usize },
    /// `compression_methods<1..2^8-1>`.
    #[error("{count} compression methods; a ClientHello carries 1..=255")]
    CompressionMethods { count: usize },
    /// `SessionID<0..32>`.
    #[error("session id of {len} bytes is longer than {max}")]
    SessionIdTooLong { len: usize, max: usize },
    /// The SNI host name is empty or does not fit its 16-bit length.
    #[error("server name of {len} bytes cannot be sent (1..={max})")]
    ServerName { len: usize, max: usize },
    /// An ALPN protocol name must be 1..=255 bytes.
    #[error("ALPN protocol name of {len} bytes cannot be sent (1..=255)")]
    AlpnProtocol { len: usize },
    /// A list inside an extension does not fit its length prefix.
    #[error("extension {extension:#06x}: list of {len} bytes exceeds {max}")]
    ListTooLong {
        extension: u16,
        len: usize,
        max: usize,
    },
    /// The whole extension block exceeds 2^16-1 bytes.
    #[error("extensions of {len} bytes exceed {max}")]
    ExtensionsTooLong { len: usize, max: usize },
    /// ring can only make X25519, P-256 and P-384 shares.
    #[error("cannot generate a key share for group {group:#06x}")]
    UnsupportedKeyShareGroup { group: u16 },
    /// RFC 8446 §4.2.8: each share must be for a group in supported_groups.
    #[error("key share for group {group:#06x} which supported_groups does not offer")]
    KeyShareNotOffered { group: u16 },
    /// RFC 8446 §4.2.8: at most one share per group.
    #[error("two key shares for group {group:#06x}")]
    DuplicateKeyShare { group: u16 },
    /// A fixed key share handed to [`FixedEntropy`] is missing or unusable.
    #[error("no usable key share for group {group:#06x}")]
    MissingKeyShare { group: u16 },
    /// The system RNG or key generation failed.
    #[error("random generation failed: {what}")]
    Random { what: &'static str },
}

/// Everything one ClientHello says. Build it with [`ClientHelloSpec::for_version`]
/// and adjust fields; list-valued extensions are left out when their list is
/// empty, and nothing below `extensions` is sent when `extensions` is false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHelloSpec {
    /// Version on the record header. Many servers want 0x0301 here whatever
    /// the hello offers (RFC 8446 §5.1 says the same for TLS 1.3 clients).
    pub record_version: u16,
    /// `legacy_version` / `client_version` in the hello body.
    pub client_version: u16,
    /// In order; SCSVs ([`scsv`]) are passed through as given.
    pub suites: Vec<u16>,
    /// Compression methods; `[0]` (null) in every sane hello.
    pub compression: Vec<u8>,
    /// 0..=32 bytes.
    pub session_id: Vec<u8>,
    /// Host name for server_name. The caller omits it for IP literals
    /// (RFC 6066 §3 forbids them) and strips a trailing dot.
    pub sni: Option<String>,
    pub supported_groups: Vec<u16>,
    /// Send ec_point_formats offering `uncompressed` (RFC 8422 §5.1.2).
    pub ec_point_formats: bool,
    pub signature_algorithms: Vec<u16>,
    /// Empty: extension omitted, so the server negotiates by `client_version`.
    pub supported_versions: Vec<u16>,
    /// Groups to send a real share for; each must be in `supported_groups`
    /// and one of [`KEY_SHARE_GROUPS`]. When `supported_versions`
    /// offers TLS 1.3 and this is empty, an empty key_share is still sent
    /// (RFC 8446 §4.2.8 allows it; the server answers with a
    /// HelloRetryRequest naming the group it wants).
    pub key_shares: Vec<u16>,
    /// Empty renegotiation_info extension (RFC 5746 §3.4).
    pub renegotiation_info: bool,
    pub extended_master_secret: bool,
    pub encrypt_then_mac: bool,
    /// Empty session_ticket extension (RFC 5077: "I support tickets").
    pub session_ticket: bool,
    /// status_request for an OCSP staple (RFC 6066 §8).
    pub status_request: bool,
    pub alpn: Vec<String>,
    /// RFC 7685: pad the handshake message (4-byte handshake header
    /// included, record header excluded) to at least this many bytes.
    /// 512 dodges the F5 BIG-IP bug that hangs on hellos of 256..=511 bytes.
    /// The padding extension always carries at least one byte, because
    /// WebSphere 7 rejects a hello whose last extension is empty.
    pub padding_to: Option<usize>,
    /// psk_key_exchange_modes = \[psk_dhe_ke\]; some TLS 1.3 servers refuse a
    /// hello without it.
    pub psk_key_exchange_modes: bool,
    /// False: no extension block at all, as an SSLv3 client would send.
    pub extensions: bool,
    /// heartbeat extension, mode `peer_allowed_to_send` (RFC 6520 §2): only
    /// the Heartbleed check sends it.
    pub heartbeat: bool,
}

/// Default signature schemes: modern first, then SHA-1 and SHA-224 pairs so a
/// server whose only certificate or configuration is old still answers.
#[rustfmt::skip]
const DEFAULT_SIGNATURE_ALGORITHMS: [u16; 25] = {
    use sigschemes::*;
    [
        ECDSA_SECP256R1_SHA256, ECDSA_SECP384R1_SHA384, ECDSA_SECP521R1_SHA512, ED25519, ED448,
        RSA_PSS_RSAE_SHA256, RSA_PSS_RSAE_SHA384, RSA_PSS_RSAE_SHA512, RSA_PSS_PSS_SHA256,
        RSA_PSS_PSS_SHA384, RSA_PSS_PSS_SHA512, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384,
        RSA_PKCS1_SHA512, ECDSA_BRAINPOOLP256R1TLS13_SHA256, ECDSA_BRAINPOOLP384R1TLS13_SHA384,
        ECDSA_BRAINPOOLP512R1TLS13_SHA512, DSA_SHA256, DSA_SHA384, DSA_SHA512, RSA_PKCS1_SHA224,
        ECDSA_SHA224, RSA_PKCS1_SHA1, ECDSA_SHA1, DSA_SHA1,
    ]
};

/// Default groups for TLS <= 1.2: every curve, so that any server able to do
/// ECDHE at all accepts an ECDHE suite and suite enumeration is complete.
/// FFDHE groups are deliberately absent: RFC 7919 §4 forbids a server that
/// knows them from choosing a DHE suite when none of the offered FFDHE groups
/// suits it, which would hide DHE suites and the server's own DH size.
#[rustfmt::skip]
const LEGACY_GROUPS: [u16; 30] = {
    use groups::*;
    [
        X25519, SECP256R1, SECP384R1, SECP521R1, X448,
        BRAINPOOLP256R1, BRAINPOOLP384R1, BRAINPOOLP512R1,
        SECP256K1, SECP224R1, SECP224K1, SECP192R1, SECP192K1, SECP160R1, SECP160R2, SECP160K1,
        SECT571R1, SECT571K1, SECT409R1, SECT409K1, SECT283R1, SECT283K1, SECT239K1,
        SECT233R1, SECT233K1, SECT193R1, SECT193R2, SECT163R1, SECT163R2, SECT163K1,
    ]
};

/// Default groups for a TLS 1.3 hello (a share is sent for x25519 only; a
/// server preferring another group answers with a HelloRetryRequest, which
/// still proves TLS 1.3).
#[rustfmt::skip]
const TLS13_GROUPS: [u16; 13] = {
    use groups::*;
    [
        X25519, SECP256R1, SECP384R1, SECP521R1, X448,
        BRAINPOOLP256R1_TLS13, BRAINPOOLP384R1_TLS13, BRAINPOOLP512R1_TLS13, FFDHE2048, FFDHE3072,
        FFDHE4096, FFDHE6144, FFDHE8192,
    ]
};

impl ClientHelloSpec {
    /// A complete hello offering `v` the way a broad, tolerant client would.
    ///
    /// - SSLv3 (and anything below): record and hello version as given, no
    ///   extension block (SSLv3 servers may choke on one). Add
    ///   [`scsv::EMPTY_RENEGOTIATION_INFO`] to `suites` to signal RFC 5746.
    /// - TLS 1.0 / 1.1: record 0x0301, SNI, every curve, point formats,
    ///   renegotiation_info, EMS, ETM, session ticket, padding to 512; no
    ///   signature_algorithms (RFC 5246 §7.4.1.4.1: not before TLS 1.2, and
    ///   some servers reject it).
    /// - TLS 1.2: the same plus signature_algorithms.
    /// - TLS 1.3 (and drafts above it): legacy_version 0x0303,
    ///   supported_versions `[v]`, an x25519 key share, psk modes, TLS 1.3
    ///   groups including FFDHE, plus the TLS 1.2 extensions so that the
    ///   answer of a TLS 1.2 server is still a clean ServerHello or alert.
    pub fn for_version(v: u16, suites: Vec<u16>, sni: Option<String>) -> Self {
        let bare = Self {
            record_version: v,
            client_version: v,
            suites,
            compression: vec![0],
            session_id: Vec::new(),
            sni: None,
            supported_groups: Vec::new(),
            ec_point_formats: false,
            signature_algorithms: Vec::new(),
            supported_versions: Vec::new(),
            key_shares: Vec::new(),
            renegotiation_info: false,
            extended_master_secret: false,
            encrypt_then_mac: false,
            session_ticket: false,
            status_request: false,
            alpn: Vec::new(),
            padding_to: None,
            psk_key_exchange_modes: false,
            extensions: false,
            heartbeat: false,
        };
        if v <= version::SSL3 {
            return bare;
        }
        let legacy = Self {
            record_version: version::TLS10,
            sni,
            supported_groups: LEGACY_GROUPS.to_vec(),
            ec_point_formats: true,
            renegotiation_info: true,
            extended_master_secret: true,
            encrypt_then_mac: true,
            session_ticket: true,
            padding_to: Some(512),
            extensions: true,
            ..bare
        };
        match v {
            version::TLS10 | version::TLS11 => legacy,
            version::TLS12 => Self {
                signature_algorithms: DEFAULT_SIGNATURE_ALGORITHMS.to_vec(),
                ..legacy
            },
            _ => Self {
                client_version: version::TLS12,
                supported_groups: TLS13_GROUPS.to_vec(),
                signature_algorithms: DEFAULT_SIGNATURE_ALGORITHMS.to_vec(),
                supported_versions: vec![v],
                key_shares: vec![groups::X25519],
                psk_key_exchange_modes: true,
                ..legacy
            },
        }
    }

    /// The TLS record(s) carrying this ClientHello, with fresh randomness.
    pub fn encode(&self) -> Result<Vec<u8>, HelloError> {
        self.encode_with(&mut RingEntropy::new())
    }

    /// As [`encode`](Self::encode), with the random and key shares taken from
    /// `entropy`. A handshake message longer than 2^14 bytes is split over
    /// several records (RFC 5246 §6.2.1); anything smaller stays in one,
    /// because some servers cannot reassemble a fragmented ClientHello.
    pub fn encode_with(&self, entropy: &mut dyn HelloEntropy) -> Result<Vec<u8>, HelloError> {
        self.validate()?;
        let extensions = if self.extensions {
            Some(self.encode_extensions(entropy)?)
        } else {
            None
        };
        let random = entropy.client_random()?;

        let mut body = Vec::with_capacity(128 + self.suites.len() * 2);
        put_u16(&mut body, self.client_version);
        body.extend_from_slice(&random);
        put_u8_prefixed(&mut body, &self.session_id);
        put_u16(&mut body, (self.suites.len() * 2) as u16);
        for suite in &self.suites {
            put_u16(&mut body, *suite);
        }
        put_u8_prefixed(&mut body, &self.compression);
        if let Some(mut exts) = extensions {
            if let Some(target) = self.padding_to {
                // 4 handshake-header bytes + body so far + 2-byte block length.
                let current = 4 + body.len() + 2 + exts.len();
                if current < target {
                    let missing = target - current;
                    let data_len = if missing > 4 { missing - 4 } else { 1 };
                    put_extension(&mut exts, ext::PADDING, &vec![0u8; data_len]);
                }
            }
            if exts.len() > 0xFFFF {
                return Err(HelloError::ExtensionsTooLong {
                    len: exts.len(),
                    max: 0xFFFF,
                });
            }
            put_u16(&mut body, exts.len() as u16);
            body.extend_from_slice(&exts);
        }

        let mut message = Vec::with_capacity(4 + body.len());
        message.push(HANDSHAKE_CLIENT_HELLO);
        put_u24(&mut message, body.len());
        message.extend_from_slice(&body);

        let mut records =
            Vec::with_capacity(message.len() + 5 * (1 + message.len() / MAX_RECORD_FRAGMENT));
        for fragment in message.chunks(MAX_RECORD_FRAGMENT) {
            records.push(CONTENT_HANDSHAKE);
            put_u16(&mut records, self.record_version);
            put_u16(&mut records, fragment.len() as u16);
            records.extend_from_slice(fragment);
        }
        Ok(records)
    }

    fn validate(&self) -> Result<(), HelloError> {
        if self.suites.is_empty() {
            return Err(HelloError::NoCipherSuites);
        }
        if self.suites.len() > MAX_SUITES {
            return Err(HelloError::TooManyCipherSuites {
                count: self.suites.len(),
                max: MAX_SUITES,
            });
        }
        if self.compression.is_empty() || self.compression.len() > 0xFF {
            return Err(HelloError::CompressionMethods {
                count: self.compression.len(),
            });
        }
        if self.session_id.len() > MAX_SESSION_ID {
            return Err(HelloError::SessionIdTooLong {
                len: self.session_id.len(),
                max: MAX_SESSION_ID,
            });
        }
        if !self.extensions {
            return Ok(());
        }
        if let Some(name) = &self.sni {
            // server_name_list(2) + name_type(1) + HostName(2 + n) inside a
            // 16-bit extension length.
            let max = 0xFFFF - 5;
            if name.is_empty() || name.len() > max {
                return Err(HelloError::ServerName {
                    len: name.len(),
                    max,
                });
            }
        }
        for proto in &self.alpn {
            if proto.is_empty() || proto.len() > 0xFF {
                return Err(HelloError::AlpnProtocol { len: proto.len() });
            }
        }
        for (i, group) in self.key_shares.iter().enumerate() {
            if !KEY_SHARE_GROUPS.contains(group) {
                return Err(HelloError::UnsupportedKeyShareGroup { group: *group });
            }
            if !self.supported_groups.contains(group) {
                return Err(HelloError::KeyShareNotOffered { group: *group });
            }
            if self.key_shares.iter().take(i).any(|g| g == group) {
                return Err(HelloError::DuplicateKeyShare { group: *group });
            }
        }
        Ok(())
    }
}

/// Split a suite list into bundles of at most `max_per_hello` suites (clamped
/// to 1..=[`MAX_SUITES_PER_HELLO`]), in order. The caller adds SCSVs to each
/// bundle as needed.
pub fn split_suites(suites: &[u16], max_per_hello: usize) -> Vec<Vec<u16>> {
    let size = max_per_hello.clamp(1, MAX_SUITES_PER_HELLO);
    suites.chunks(size).map(<[u16]>::to_vec).collect()
}

/// An SSLv2 CLIENT-HELLO (draft-hickman-netscape-ssl-00 §2.5) offering
/// `cipher_kinds`, with a random challenge of `challenge_len` bytes (clamped
/// to the 16..=32 the spec allows). The message has a 2-byte header (high
/// bit set), type 1, version 0x0002, no session id. Kinds beyond what the
/// 15-bit record length can carry are dropped; each kind's low 24 bits are
/// sent.
pub fn sslv2_client_hello(cipher_kinds: &[u32], challenge_len: usize) -> Vec<u8> {
    let mut challenge = vec![0u8; challenge_len.clamp(16, 32)];
    // The challenge only has to be unpredictable enough that the server
    // answers; the scanner never finishes an SSLv2 handshake, so an RNG
    // failure (never seen in practice) leaves it zeroed rather than failing.
    let _ = SystemRandom::new().fill(&mut challenge);
    sslv2_client_hello_with_challenge(cipher_kinds, &challenge)
}

/// [`sslv2_client_hello`] with a given challenge (truncated to 32 bytes),
/// for golden tests.
pub fn sslv2_client_hello_with_challenge(cipher_kinds: &[u32], challenge: &[u8]) -> Vec<u8> {
    const MAX_SSL2_RECORD: usize = 0x7FFF;
    let challenge = challenge.get(..32).unwrap_or(challenge);
    let fixed = 9 + challenge.len();
    let max_kinds = (MAX_SSL2_RECORD - fixed) / 3;
    let kinds = cipher_kinds.get(..max_kinds).unwrap_or(cipher_kinds);
    let len = fixed + kinds.len() * 3;

    let mut out = Vec::with_capacity(len + 2);
    put_u16(&mut out, 0x8000 | len as u16);
    out.push(1); // CLIENT-HELLO
    put_u16(&mut out, version::SSL2);
    put_u16(&mut out, (kinds.len() * 3) as u16);
    put_u16(&mut out, 0); // session id length
    put_u16(&mut out, challenge.len() as u16);
    for kind in kinds {
        out.extend_from_slice(&kind.to_be_bytes()[1..]);
    }
    out.extend_from_slice(challenge);
    out
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Callers guarantee `v < 2^24` (every caller's length is bounded by 16-bit
/// fields far below that).
fn put_u24(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
}

/// Callers guarantee `data.len() <= 255` (validated beforehand).
fn put_u8_prefixed(out: &mut Vec<u8>, data: &[u8]) {
    out.push(data.len() as u8);
    out.extend_from_slice(data);
}

/// Callers guarantee `data.len() <= 0xFFFF`.
fn put_extension(out: &mut Vec<u8>, ext_type: u16, data: &[u8]) {
    put_u16(out, ext_type);
    put_u16(out, data.len() as u16);
    out.extend_from_slice(data);
}

/// A `u16` list behind a 16-bit byte-length prefix.
fn u16_list(extension: u16, items: &[u16]) -> Result<Vec<u8>, HelloError> {
    let len = items.len() * 2;
    if len > 0xFFFF - 2 {
        return Err(HelloError::ListTooLong {
            extension,
            len,
            max: 0xFFFF - 2,
        });
    }
    let mut data = Vec::with_capacity(len + 2);
    put_u16(&mut data, len as u16);
    for item in items {
        put_u16(&mut data, *item);
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::super::reply::Reader;
    use super::*;

    /// A ClientHello read back, field by field, by a parser independent of
    /// the encoder.
    #[derive(Debug)]
    struct Parsed {
        record_versions: Vec<u16>,
        record_lens: Vec<usize>,
        /// Handshake message length including its 4-byte header.
        message_len: usize,
        client_version: u16,
        random: [u8; 32],
        session_id: Vec<u8>,
        suites: Vec<u16>,
        compression: Vec<u8>,
        extensions: Option<Vec<(u16, Vec<u8>)>>,
    }

    impl Parsed {
        fn ext(&self, t: u16) -> Option<&[u8]> {
            self.extensions
                .as_ref()?
                .iter()
                .find(|(et, _)| *et == t)
                .map(|(_, d)| d.as_slice())
        }
        fn ext_types(&self) -> Vec<u16> {
            self.extensions
                .as_ref()
                .map(|e| e.iter().map(|(t, _)| *t).collect())
                .unwrap_or_default()
        }
    }

    fn u16s(data: &[u8]) -> Vec<u16> {
        data.chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect()
    }

    fn parse(bytes: &[u8]) -> Parsed {
        let mut r = Reader::new(bytes);
        let mut message = Vec::new();
        let mut record_versions = Vec::new();
        let mut record_lens = Vec::new();
        while !r.is_empty() {
            assert_eq!(r.u8(), Some(22), "handshake record");
            record_versions.push(r.u16().unwrap());
            let frag = r.u16_prefixed().expect("record fits");
            assert!(frag.len() <= MAX_RECORD_FRAGMENT);
            record_lens.push(frag.len());
            message.extend_from_slice(frag);
        }
        let mut m = Reader::new(&message);
        assert_eq!(m.u8(), Some(1), "ClientHello");
        let body = m.u24_prefixed().expect("body fits");
        assert!(m.is_empty(), "nothing after the hello");
        let mut b = Reader::new(body);
        let client_version = b.u16().unwrap();
        let random = b.take(32).unwrap().try_into().unwrap();
        let session_id = b.u8_prefixed().unwrap().to_vec();
        let suites = u16s(b.u16_prefixed().unwrap());
        let compression = b.u8_prefixed().unwrap().to_vec();
        let extensions = if b.is_empty() {
            None
        } else {
            let mut e = Reader::new(b.u16_prefixed().unwrap());
            assert!(b.is_empty(), "nothing after extensions");
            let mut out = Vec::new();
            while !e.is_empty() {
                let t = e.u16().unwrap();
                out.push((t, e.u16_prefixed().unwrap().to_vec()));
            }
            Some(out)
        };
        Parsed {
            record_versions,
            record_lens,
            message_len: message.len(),
            client_version,
            random,
            session_id,
            suites,
            compression,
            extensions,
        }
    }

    fn fixed() -> FixedEntropy {
        FixedEntropy {
            random: [0x11; 32],
            key_shares: vec![
                (groups::X25519, vec![0xAA; 32]),
                (groups::SECP256R1, {
                    let mut p = vec![0xBB; 65];
                    p[0] = 4;
                    p
                }),
            ],
        }
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn minimal() -> ClientHelloSpec {
        ClientHelloSpec {
            record_version: 0x0301,
            client_version: 0x0303,
            suites: vec![0x002F, scsv::EMPTY_RENEGOTIATION_INFO],
            compression: vec![0],
            session_id: Vec::new(),
            sni: Some("a.b".into()),
            supported_groups: vec![groups::X25519],
            ec_point_formats: true,
            signature_algorithms: vec![sigschemes::RSA_PKCS1_SHA256],
            supported_versions: Vec::new(),
            key_shares: Vec::new(),
            renegotiation_info: false,
            extended_master_secret: true,
            encrypt_then_mac: false,
            session_ticket: false,
            status_request: false,
            alpn: Vec::new(),
            padding_to: None,
            psk_key_exchange_modes: false,
            extensions: true,
            heartbeat: false,
        }
    }

    #[test]
    fn golden_minimal_tls12_hello() {
        let bytes = minimal().encode_with(&mut fixed()).unwrap();
        let expected = hex(concat!(
            "16 0301 0057", // record
            "01 000053",    // ClientHello
            "0303",         // client_version
            "1111111111111111111111111111111111111111111111111111111111111111",
            "00",                            // session id
            "0004 002F 00FF",                // suites
            "01 00",                         // compression
            "0026",                          // extensions
            "0000 0008 0006 00 0003 612E62", // server_name a.b
            "0017 0000",                     // extended_master_secret
            "000B 0002 01 00",               // ec_point_formats
            "000A 0004 0002 001D",           // supported_groups
            "000D 0004 0002 0401",           // signature_algorithms
        ));
        assert_eq!(bytes, expected);
    }

    #[test]
    fn tls13_hello_reads_back_field_by_field() {
        let spec = ClientHelloSpec {
            key_shares: vec![groups::X25519, groups::SECP256R1],
            alpn: vec!["imap".into(), "h2".into()],
            status_request: true,
            session_id: vec![7; 32],
            ..ClientHelloSpec::for_version(
                version::TLS13,
                vec![0x1301, 0x1302],
                Some("mail.example.com".into()),
            )
        };
        let p = parse(&spec.encode_with(&mut fixed()).unwrap());
        assert_eq!(p.record_versions, vec![0x0301]);
        assert_eq!(p.client_version, 0x0303);
        assert_eq!(p.random, [0x11; 32]);
        assert_eq!(p.session_id, vec![7; 32]);
        assert_eq!(p.suites, vec![0x1301, 0x1302]);
        assert_eq!(p.compression, vec![0]);
        assert_eq!(p.message_len, 512, "padded to 512");

        let sni = p.ext(ext::SERVER_NAME).unwrap();
        let mut r = Reader::new(sni);
        let mut list = Reader::new(r.u16_prefixed().unwrap());
        assert_eq!(list.u8(), Some(0));
        assert_eq!(list.u16_prefixed().unwrap(), b"mail.example.com");
        assert!(list.is_empty() && r.is_empty());

        let mut sv = Reader::new(p.ext(ext::SUPPORTED_VERSIONS).unwrap());
        assert_eq!(u16s(sv.u8_prefixed().unwrap()), vec![0x0304]);

        let mut g = Reader::new(p.ext(ext::SUPPORTED_GROUPS).unwrap());
        assert_eq!(u16s(g.u16_prefixed().unwrap()), TLS13_GROUPS.to_vec());
        let mut s = Reader::new(p.ext(ext::SIGNATURE_ALGORITHMS).unwrap());
        assert_eq!(
            u16s(s.u16_prefixed().unwrap()),
            DEFAULT_SIGNATURE_ALGORITHMS.to_vec()
        );

        let mut ks = Reader::new(p.ext(ext::KEY_SHARE).unwrap());
        let mut shares = Reader::new(ks.u16_prefixed().unwrap());
        assert!(ks.is_empty());
        assert_eq!(shares.u16(), Some(groups::X25519));
        assert_eq!(shares.u16_prefixed().unwrap(), &[0xAA; 32]);
        assert_eq!(shares.u16(), Some(groups::SECP256R1));
        let p256 = shares.u16_prefixed().unwrap();
        assert_eq!((p256.len(), p256[0]), (65, 4));
        assert!(shares.is_empty());

        assert_eq!(p.ext(ext::PSK_KEY_EXCHANGE_MODES), Some(&[1u8, 1][..]));
        assert_eq!(p.ext(ext::RENEGOTIATION_INFO), Some(&[0u8][..]));
        assert_eq!(p.ext(ext::EC_POINT_FORMATS), Some(&[1u8, 0][..]));
        assert_eq!(p.ext(ext::STATUS_REQUEST), Some(&[1u8, 0, 0, 0, 0][..]));
        assert_eq!(p.ext(ext::EXTENDED_MASTER_SECRET), Some(&[][..]));
        assert_eq!(p.ext(ext::ENCRYPT_THEN_MAC), Some(&[][..]));
        assert_eq!(p.ext(ext::SESSION_TICKET), Some(&[][..]));
        let mut alpn = Reader::new(p.ext(ext::ALPN).unwrap());
        let mut names = Reader::new(alpn.u16_prefixed().unwrap());
        assert_eq!(names.u8_prefixed().unwrap(), b"imap");
        assert_eq!(names.u8_prefixed().unwrap(), b"h2");
        assert!(names.is_empty());

        let types = p.ext_types();
        assert_eq!(types.last(), Some(&ext::PADDING), "padding last");
        let mut sorted = types.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), types.len(), "no duplicate extensions");
        let padding = p.ext(ext::PADDING).unwrap();
        assert!(!padding.is_empty() && padding.iter().all(|b| *b == 0));
    }

    #[test]
    fn real_key_shares_have_the_right_shape() {
        let spec = ClientHelloSpec {
            key_shares: vec![groups::X25519, groups::SECP256R1, groups::SECP384R1],
            ..ClientHelloSpec::for_version(version::TLS13, vec![0x1301], None)
        };
        let a = parse(&spec.encode().unwrap());
        let b = parse(&spec.encode().unwrap());
        assert_ne!(a.random, b.random, "fresh random each time");
        let mut ks = Reader::new(a.ext(ext::KEY_SHARE).unwrap());
        let mut shares = Reader::new(ks.u16_prefixed().unwrap());
        for (group, len) in [
            (groups::X25519, 32),
            (groups::SECP256R1, 65),
            (groups::SECP384R1, 97),
        ] {
            assert_eq!(shares.u16(), Some(group));
            let key = shares.u16_prefixed().unwrap();
            assert_eq!(key.len(), len);
            if len != 32 {
                assert_eq!(key[0], 4, "uncompressed point");
            }
        }
        assert_ne!(a.ext(ext::KEY_SHARE), b.ext(ext::KEY_SHARE), "fresh keys");
    }

    #[test]
    fn tls13_without_shares_sends_an_empty_key_share_and_can_offer_mlkem() {
        let spec = ClientHelloSpec {
            supported_groups: vec![groups::X25519_MLKEM768, groups::X25519],
            key_shares: Vec::new(),
            ..ClientHelloSpec::for_version(version::TLS13, vec![0x1301], None)
        };
        let p = parse(&spec.encode_with(&mut fixed()).unwrap());
        assert_eq!(p.ext(ext::KEY_SHARE), Some(&[0u8, 0][..]));
        let mut g = Reader::new(p.ext(ext::SUPPORTED_GROUPS).unwrap());
        assert_eq!(u16s(g.u16_prefixed().unwrap()), vec![0x11EC, 0x001D]);
    }

    #[test]
    fn per_version_defaults() {
        let ssl3 = ClientHelloSpec::for_version(version::SSL3, vec![0x000A], Some("x.y".into()));
        let p = parse(&ssl3.encode_with(&mut fixed()).unwrap());
        assert_eq!(p.record_versions, vec![0x0300]);
        assert_eq!(p.client_version, 0x0300);
        assert!(p.extensions.is_none(), "SSLv3 hello has no extension block");

        for v in [version::TLS10, version::TLS11] {
            let p = parse(
                &ClientHelloSpec::for_version(v, vec![0x002F], Some("x.y".into()))
                    .encode_with(&mut fixed())
                    .unwrap(),
            );
            assert_eq!((p.record_versions[0], p.client_version), (0x0301, v));
            assert!(
                p.ext(ext::SIGNATURE_ALGORITHMS).is_none(),
                "no sig algs before TLS 1.2"
            );
            assert!(p.ext(ext::SUPPORTED_VERSIONS).is_none());
            assert!(p.ext(ext::SUPPORTED_GROUPS).is_some());
            assert!(p.ext(ext::SERVER_NAME).is_some());
        }
        let p = parse(
            &ClientHelloSpec::for_version(version::TLS12, vec![0x002F], None)
                .encode_with(&mut fixed())
                .unwrap(),
        );
        assert_eq!(p.client_version, 0x0303);
        assert!(p.ext(ext::SIGNATURE_ALGORITHMS).is_some());
        assert!(p.ext(ext::SUPPORTED_VERSIONS).is_none());
        assert!(p.ext(ext::KEY_SHARE).is_none());
        assert!(p.ext(ext::SERVER_NAME).is_none());
        let mut g = Reader::new(p.ext(ext::SUPPORTED_GROUPS).unwrap());
        let offered = u16s(g.u16_prefixed().unwrap());
        assert!(
            offered.iter().all(|g| *g < 0x0100),
            "no FFDHE groups in a TLS 1.2 hello"
        );
    }

    #[test]
    fn padding_brings_the_message_to_the_target() {
        for n in 1..=200 {
            let spec = ClientHelloSpec::for_version(version::TLS12, vec![0x002F; n], None);
            let p = parse(&spec.encode_with(&mut fixed()).unwrap());
            let unpadded = ClientHelloSpec {
                padding_to: None,
                ..spec
            };
            let u = parse(&unpadded.encode_with(&mut fixed()).unwrap());
            if u.message_len >= 512 {
                assert_eq!(p.message_len, u.message_len, "n={n}: no padding needed");
                assert!(p.ext(ext::PADDING).is_none());
            } else if 512 - u.message_len > 4 {
                assert_eq!(p.message_len, 512, "n={n}");
            } else {
                // Too close for an exact fit: a 1-byte padding extension.
                assert_eq!(p.ext(ext::PADDING), Some(&[0u8][..]), "n={n}");
                assert_eq!(p.message_len, u.message_len + 5);
            }
            assert!(!(256..512).contains(&p.message_len), "n={n}: F5 range");
        }
    }

    #[test]
    fn padding_close_to_target_uses_one_byte() {
        let spec = minimal();
        let base = parse(&spec.encode_with(&mut fixed()).unwrap()).message_len;
        for missing in 1..=6 {
            let p = parse(
                &ClientHelloSpec {
                    padding_to: Some(base + missing),
                    ..spec.clone()
                }
                .encode_with(&mut fixed())
                .unwrap(),
            );
            let pad = p.ext(ext::PADDING).unwrap();
            if missing > 4 {
                assert_eq!(p.message_len, base + missing);
            } else {
                assert_eq!(pad.len(), 1);
            }
        }
        let p = parse(
            &ClientHelloSpec {
                padding_to: Some(base),
                ..spec
            }
            .encode_with(&mut fixed())
            .unwrap(),
        );
        assert!(p.ext(ext::PADDING).is_none(), "already long enough");
    }

    #[test]
    fn last_extension_is_never_empty_with_defaults() {
        for v in [
            version::TLS10,
            version::TLS11,
            version::TLS12,
            version::TLS13,
        ] {
            let spec = ClientHelloSpec {
                padding_to: None,
                ..ClientHelloSpec::for_version(v, vec![0x002F], None)
            };
            let p = parse(&spec.encode_with(&mut fixed()).unwrap());
            let last = p.extensions.as_ref().unwrap().last().unwrap();
            assert!(
                !last.1.is_empty(),
                "{v:#06x}: last extension {:#06x} empty",
                last.0
            );
        }
    }

    #[test]
    fn huge_suite_list_is_fragmented_into_records() {
        let suites: Vec<u16> = (0..MAX_SUITES as u16).collect();
        let spec = ClientHelloSpec::for_version(version::TLS12, suites.clone(), None);
        let p = parse(&spec.encode_with(&mut fixed()).unwrap());
        assert_eq!(p.suites, suites);
        assert!(p.record_lens.len() >= 4);
        assert!(
            p.record_lens[..p.record_lens.len() - 1]
                .iter()
                .all(|l| *l == MAX_RECORD_FRAGMENT)
        );
        assert!(p.record_versions.iter().all(|v| *v == 0x0301));
    }

    #[test]
    fn invalid_specs_are_refused() {
        let base = ClientHelloSpec::for_version(version::TLS13, vec![0x1301], Some("h".into()));
        let cases: Vec<(ClientHelloSpec, HelloError)> = vec![
            (
                ClientHelloSpec {
                    suites: vec![],
                    ..base.clone()
                },
                HelloError::NoCipherSuites,
            ),
            (
                ClientHelloSpec {
                    suites: vec![1; MAX_SUITES + 1],
                    ..base.clone()
                },
                HelloError::TooManyCipherSuites {
                    count: MAX_SUITES + 1,
                    max: MAX_SUITES,
                },
            ),
            (
                ClientHelloSpec {
                    compression: vec![],
                    ..base.clone()
                },
                HelloError::CompressionMethods { count: 0 },
            ),
            (
                ClientHelloSpec {
                    session_id: vec![0; 33],
                    ..base.clone()
                },
                HelloError::SessionIdTooLong { len: 33, max: 32 },
            ),
            (
                ClientHelloSpec {
                    sni: Some(String::new()),
                    ..base.clone()
                },
                HelloError::ServerName {
                    len: 0,
                    max: 0xFFFA,
                },
            ),
            (
                ClientHelloSpec {
                    alpn: vec!["x".repeat(256)],
                    ..base.clone()
                },
                HelloError::AlpnProtocol { len: 256 },
            ),
            (
                ClientHelloSpec {
                    key_shares: vec![groups::X448],
                    supported_groups: vec![groups::X448],
                    ..base.clone()
                },
                HelloError::UnsupportedKeyShareGroup {
                    group: groups::X448,
                },
            ),
            (
                ClientHelloSpec {
                    supported_groups: vec![groups::SECP256R1],
                    ..base.clone()
                },
                HelloError::KeyShareNotOffered {
                    group: groups::X25519,
                },
            ),
            (
                ClientHelloSpec {
                    key_shares: vec![groups::X25519, groups::X25519],
                    ..base.clone()
                },
                HelloError::DuplicateKeyShare {
                    group: groups::X25519,
                },
            ),
            (
                ClientHelloSpec {
                    supported_versions: vec![0x0304; 128],
                    ..base.clone()
                },
                HelloError::ListTooLong {
                    extension: ext::SUPPORTED_VERSIONS,
                    len: 256,
                    max: 0xFE,
                },
            ),
            (
                ClientHelloSpec {
                    padding_to: Some(100_000),
                    ..base.clone()
                },
                HelloError::ExtensionsTooLong {
                    len: 0,
                    max: 0xFFFF,
                },
            ),
        ];
        for (spec, want) in cases {
            let got = spec.encode_with(&mut fixed()).unwrap_err();
            match (&got, &want) {
                (HelloError::ExtensionsTooLong { .. }, HelloError::ExtensionsTooLong { .. }) => {}
                _ => assert_eq!(got, want),
            }
        }
        // Without an extension block, extension fields are not looked at.
        let bare = ClientHelloSpec {
            extensions: false,
            sni: Some(String::new()),
            ..base
        };
        let p = parse(&bare.encode_with(&mut fixed()).unwrap());
        assert!(p.extensions.is_none());
    }

    #[test]
    fn split_suites_in_bundles_of_at_most_128() {
        let suites: Vec<u16> = (0..300).collect();
        let bundles = split_suites(&suites, 128);
        assert_eq!(
            bundles.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![128, 128, 44]
        );
        assert_eq!(bundles.concat(), suites);
        assert_eq!(split_suites(&suites, 1000).len(), 3, "clamped to 128");
        assert_eq!(
            split_suites(&suites[..5], 0).len(),
            5,
            "at least one per bundle"
        );
        assert!(split_suites(&[], 128).is_empty());
        assert_eq!(split_suites(&suites[..128], 128).len(), 1);
    }

    #[test]
    fn sslv2_client_hello_layout() {
        let challenge: Vec<u8> = (0..16).collect();
        let bytes = sslv2_client_hello_with_challenge(
            &[ssl2::RC4_128_WITH_MD5, ssl2::DES_192_EDE3_CBC_WITH_MD5],
            &challenge,
        );
        let mut expected = hex("801F 01 0002 0006 0000 0010 010080 0700C0");
        expected.extend_from_slice(&challenge);
        assert_eq!(bytes, expected);
        assert_eq!(bytes.len(), 2 + 0x1F);

        let random = sslv2_client_hello(&SSL2_CIPHER_KINDS, 5);
        assert_eq!(random.len(), 2 + 9 + 21 + 16, "challenge clamped to 16");
        assert_eq!(&random[..2], &[0x80, 9 + 21 + 16]);
        let long = sslv2_client_hello(&SSL2_CIPHER_KINDS, 99);
        assert_eq!(long.len(), 2 + 9 + 21 + 32, "challenge clamped to 32");
        let many = sslv2_client_hello(&vec![ssl2::RC4_128_WITH_MD5; 20_000], 16);
        let len = usize::from(u16::from_be_bytes([many[0] & 0x7F, many[1]]));
        assert_eq!(len + 2, many.len());
        assert!(len <= 0x7FFF);
    }

    #[test]
    fn names() {
        assert_eq!(group_name(groups::X25519), Some("x25519"));
        assert_eq!(group_name(groups::SECP256R1), Some("secp256r1"));
        assert_eq!(group_name(groups::FFDHE2048), Some("ffdhe2048"));
        assert_eq!(group_name(groups::X25519_MLKEM768), Some("X25519MLKEM768"));
        assert_eq!(
            group_name(groups::BRAINPOOLP384R1_TLS13),
            Some("brainpoolP384r1tls13")
        );
        assert_eq!(group_name(0x0A0A), None);
        assert_eq!(signature_scheme_name(0x0804), Some("rsa_pss_rsae_sha256"));
        assert_eq!(extension_name(ext::KEY_SHARE), Some("key_share"));
        assert_eq!(
            ssl2_cipher_name(ssl2::RC4_128_WITH_MD5),
            Some("SSL_CK_RC4_128_WITH_MD5")
        );
        let names: Vec<_> = [0x0002, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304]
            .iter()
            .map(|v| version_name(*v).unwrap())
            .collect();
        assert_eq!(
            names,
            ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(version_name(0x7F1C), None);
    }
}
