//! The server's answer to a hand-built ClientHello, read push-style.
//!
//! The wire scanner writes a ClientHello, then hands every chunk it reads
//! from the socket to [`ReplyReader::feed`] until the reader says
//! [`Progress::Done`] (or the peer closes, then [`ReplyReader::finish_eof`]).
//! The reader reassembles handshake messages across records (and splits
//! records holding several), and stops as soon as there is nothing more to
//! learn in clear: ServerHelloDone, an alert, a TLS 1.3 ServerHello (the rest
//! is encrypted), a HelloRetryRequest, or a ChangeCipherSpec.
//!
//! Everything a hostile or broken server can send is bounded
//! ([`ReplyLimits`]) and checked before it is buffered; everything malformed
//! is a [`ReplyError`], never a panic. Parsing goes through [`Reader`], a
//! cursor that hands out sub-slices only when they exist. Values we do not
//! know (suites, groups, extensions, alert codes) are data, kept as numbers.
//!
//! Real servers this has to read:
//! - Dovecot refuses a handshake by closing without an alert: `finish_eof`
//!   then yields a reply with nothing in it ([`ReplyOutcome::ClosedSilently`]).
//! - nginx / OpenSSL send a fatal alert, sometimes on a record versioned
//!   0x0300 or 0x0301 whatever was offered: any record version is accepted.
//! - Exchange 2010 answers a TLS 1.2 hello with a TLS 1.0 ServerHello: that is
//!   reported as `legacy_version` 0x0301, not an error.
//! - Apache sends a *warning* `unrecognized_name` before its ServerHello when
//!   the SNI is unknown: warnings are collected and reading goes on.
//! - Old servers answer with an SSLv2 SERVER-HELLO or an SSLv2 ERROR message.
//! - A plaintext service on a TLS port ("* OK", "+OK", "220 ", "HTTP/") is
//!   reported as [`NotTls`], not as an error.

use super::hello::version;

pub use super::hello::version_name;

/// A bounded cursor over untrusted bytes, after rustls `msgs/codec.rs`:
/// every read either returns the bytes that are there or `None`; no index
/// arithmetic on lengths read from the wire happens outside it.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// The next `n` bytes, or `None` (consuming nothing) if fewer remain.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|b| b.first().copied())
    }

    pub fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
    }

    pub fn u24(&mut self) -> Option<usize> {
        let b = self.take(3)?;
        Some(u32::from_be_bytes([0, *b.first()?, *b.get(1)?, *b.get(2)?]) as usize)
    }

    /// A vector with a 1-byte length prefix.
    pub fn u8_prefixed(&mut self) -> Option<&'a [u8]> {
        let len = self.u8()?;
        self.take(usize::from(len))
    }

    /// A vector with a 2-byte length prefix.
    pub fn u16_prefixed(&mut self) -> Option<&'a [u8]> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }

    /// A vector with a 3-byte length prefix.
    pub fn u24_prefixed(&mut self) -> Option<&'a [u8]> {
        let len = self.u24()?;
        self.take(len)
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        out
    }

    pub fn left(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub fn is_empty(&self) -> bool {
        self.left() == 0
    }
}

/// Hard bounds on what one server reply may make us buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// Largest record payload accepted (RFC 5246 §6.2.3: 2^14 + 2048 for
    /// TLS <= 1.2 ciphertext, the loosest bound any version allows).
    pub max_record_payload: usize,
    /// Largest handshake message (or SSLv2 record) accepted. The Certificate
    /// is the big one; a claimed length above this is rejected as soon as
    /// the 4-byte handshake header has arrived, before anything is buffered
    /// for it.
    pub max_handshake_message: usize,
    /// Total bytes accepted from the peer for one reply.
    pub max_total_bytes: usize,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        Self {
            max_record_payload: (1 << 14) + 2048,
            max_handshake_message: 64 * 1024,
            max_total_bytes: 256 * 1024,
        }
    }
}

/// How the ServerKeyExchange of the chosen suite is laid out. The suite
/// registry knows; this module does not depend on it, so the caller passes a
/// classifier to [`ReplyReader::with_ske_kind`].
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

/// Why a reply could not be read. After an error the reader accepts no more
/// bytes, but [`ReplyReader::reply_so_far`] / [`ReplyReader::finish_eof`]
/// still give everything parsed before the fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// A TLS record header claims more payload than any version allows.
    #[error("record of type {content_type} claims {len} bytes (max {max})")]
    RecordTooLarge {
        content_type: u8,
        len: usize,
        max: usize,
    },
    /// A handshake header claims a message larger than the configured bound.
    #[error("handshake message type {msg_type} claims {len} bytes (max {max})")]
    HandshakeMessageTooLarge {
        msg_type: u8,
        len: usize,
        max: usize,
    },
    /// An SSLv2 record larger than the configured bound.
    #[error("SSLv2 record claims {len} bytes (max {max})")]
    Ssl2RecordTooLarge { len: usize, max: usize },
    /// The peer sent more than the total budget without finishing a reply.
    #[error("server sent more than {max} bytes without completing its reply")]
    TooMuchData { max: usize },
    /// A handshake message whose inner lengths do not add up.
    #[error("malformed handshake message type {msg_type}: {reason}")]
    MalformedHandshake { msg_type: u8, reason: &'static str },
    /// An SSLv2 message whose inner lengths do not add up.
    #[error("malformed SSLv2 message type {msg_type}: {reason}")]
    MalformedSsl2 { msg_type: u8, reason: &'static str },
    /// A record type that has no place in a server's first flight.
    #[error("unexpected record content type {content_type}")]
    UnexpectedContentType { content_type: u8 },
    /// `feed` was called after the reader finished (Done or an error).
    #[error("the reply was already complete or failed")]
    Finished,
}

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

/// A TLS alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    pub level: u8,
    pub description: u8,
    /// Version on the alert's record header (often 0x0300/0x0301 whatever
    /// was offered).
    pub record_version: u16,
}

impl Alert {
    pub fn level_name(&self) -> &'static str {
        match self.level {
            1 => "warning",
            2 => "fatal",
            _ => "unknown",
        }
    }

    pub fn description_name(&self) -> &'static str {
        alert_name(self.description)
    }

    /// Ends the reply: every fatal (or unknown-level) alert, and close_notify.
    /// Other warnings (e.g. unrecognized_name) precede a normal ServerHello.
    pub fn ends_reply(&self) -> bool {
        self.level != 1 || self.description == 0
    }
}

/// The RFC name of an alert description; "unknown" for unassigned codes.
pub fn alert_name(description: u8) -> &'static str {
    match description {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        121 => "ech_required",
        _ => "unknown",
    }
}

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

/// Bytes that are not TLS at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotTls {
    /// The first bytes as received (at most [`NOT_TLS_PREFIX`]).
    pub raw: Vec<u8>,
    /// The first line of `raw`, non-printable bytes shown as '.'.
    pub printable: String,
    pub guess: PlaintextGuess,
}

/// How much of a non-TLS answer is kept.
pub const NOT_TLS_PREFIX: usize = 200;

/// What a plaintext answer looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaintextGuess {
    /// "* OK", "* PREAUTH", "* BYE": an IMAP greeting (STARTTLS port?).
    ImapGreeting,
    /// "+OK" / "-ERR": POP3.
    Pop3Greeting,
    /// Three digits then ' ' or '-': SMTP (or FTP).
    SmtpGreeting,
    /// "HTTP/": an HTTP server answering our bytes.
    Http,
    Unknown,
}

/// Everything learned from one reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerReply {
    /// Version on the first record header.
    pub record_version: Option<u16>,
    pub server_hello: Option<ServerHello>,
    /// DER chain, as sent (TLS <= 1.2 only: under TLS 1.3 it is encrypted).
    pub certificates: Option<Vec<Vec<u8>>>,
    pub key_exchange: Option<KeyExchangeInfo>,
    /// A CertificateRequest was sent (client certificates wanted).
    pub certificate_requested: bool,
    /// The OCSP response of a CertificateStatus message (stapling).
    pub ocsp_response: Option<Vec<u8>>,
    pub server_hello_done: bool,
    /// The alert that ended the reply (fatal, or close_notify).
    pub alert: Option<Alert>,
    /// Warning alerts that did not end the reply (at most 16 kept).
    pub warnings: Vec<Alert>,
    /// A ChangeCipherSpec arrived (session resumption): encrypted from here.
    pub change_cipher_spec: bool,
    /// An application_data record arrived before the handshake ended.
    pub application_data: bool,
    /// Handshake message types in arrival order (at most 64 kept).
    pub handshake_messages: Vec<u8>,
    pub ssl2_server_hello: Option<Ssl2ServerHello>,
    pub ssl2_error: Option<Ssl2Error>,
    pub not_tls: Option<NotTls>,
    /// The peer closed in the middle of a record or message.
    pub truncated: bool,
}

/// The one-word reading of a reply, for the scanner's decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyOutcome {
    ServerHello,
    HelloRetryRequest,
    Alert,
    Ssl2ServerHello,
    Ssl2Error,
    NotTls,
    /// Nothing at all before the close: how Dovecot refuses a handshake.
    ClosedSilently,
    /// Some TLS bytes, but no ServerHello and no alert.
    Incomplete,
}

impl ServerReply {
    /// Nothing was received.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn outcome(&self) -> ReplyOutcome {
        if let Some(sh) = &self.server_hello {
            if sh.is_hello_retry_request {
                ReplyOutcome::HelloRetryRequest
            } else {
                ReplyOutcome::ServerHello
            }
        } else if self.alert.is_some() {
            ReplyOutcome::Alert
        } else if self.ssl2_server_hello.is_some() {
            ReplyOutcome::Ssl2ServerHello
        } else if self.ssl2_error.is_some() {
            ReplyOutcome::Ssl2Error
        } else if self.not_tls.is_some() {
            ReplyOutcome::NotTls
        } else if self.is_empty() {
            ReplyOutcome::ClosedSilently
        } else {
            ReplyOutcome::Incomplete
        }
    }
}

/// What [`ReplyReader::feed`] concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "Done is returned once per connection; boxing would buy nothing"
)]
pub enum Progress {
    NeedMore,
    Done(ServerReply),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not enough bytes yet to tell TLS, SSLv2 and plaintext apart.
    Undecided,
    Tls,
    Ssl2,
    NotTls,
    /// Done was returned or an error happened.
    Finished,
}

const MAX_WARNINGS: usize = 16;
const MAX_MESSAGE_LOG: usize = 64;

mod content {
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    pub const ALERT: u8 = 21;
    pub const HANDSHAKE: u8 = 22;
    pub const APPLICATION_DATA: u8 = 23;
    pub const HEARTBEAT: u8 = 24;
}

mod handshake {
    pub const SERVER_HELLO: u8 = 2;
    pub const CERTIFICATE: u8 = 11;
    pub const SERVER_KEY_EXCHANGE: u8 = 12;
    pub const CERTIFICATE_REQUEST: u8 = 13;
    pub const SERVER_HELLO_DONE: u8 = 14;
    pub const CERTIFICATE_STATUS: u8 = 22;
}

type SkeClassifier = Box<dyn Fn(u16) -> SkeKind + Send + Sync>;

/// Reads one server reply, push-style. See the module docs.
pub struct ReplyReader {
    limits: ReplyLimits,
    stop_after_server_hello: bool,
    classify: Option<SkeClassifier>,
    ske_kind: SkeKind,
    mode: Mode,
    total: usize,
    /// Bytes received but not yet consumed as whole records.
    pending: Vec<u8>,
    /// Handshake bytes not yet forming a whole message.
    handshake: Vec<u8>,
    /// A fragmented alert's first byte (alerts may, in theory, be split).
    alert_buf: Vec<u8>,
    /// The first bytes of a non-TLS answer.
    plaintext: Vec<u8>,
    reply: ServerReply,
}

impl std::fmt::Debug for ReplyReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplyReader")
            .field("limits", &self.limits)
            .field("stop_after_server_hello", &self.stop_after_server_hello)
            .field("ske_kind", &self.ske_kind)
            .field("mode", &self.mode)
            .field("total", &self.total)
            .field("reply", &self.reply)
            .finish_non_exhaustive()
    }
}

impl Default for ReplyReader {
    fn default() -> Self {
        Self::new(ReplyLimits::default())
    }
}

impl ReplyReader {
    pub fn new(limits: ReplyLimits) -> Self {
        Self {
            limits,
            stop_after_server_hello: false,
            classify: None,
            ske_kind: SkeKind::Unknown,
            mode: Mode::Undecided,
            total: 0,
            pending: Vec::new(),
            handshake: Vec::new(),
            alert_buf: Vec::new(),
            plaintext: Vec::new(),
            reply: ServerReply::default(),
        }
    }

    /// Finish right after the ServerHello (suite elimination needs nothing
    /// else, and hanging up early saves the certificate's bytes).
    pub fn stop_after_server_hello(mut self, yes: bool) -> Self {
        self.stop_after_server_hello = yes;
        self
    }

    /// How to read the ServerKeyExchange for the suite the server picks;
    /// called once, with the ServerHello's cipher suite.
    pub fn with_ske_kind(
        mut self,
        classify: impl Fn(u16) -> SkeKind + Send + Sync + 'static,
    ) -> Self {
        self.classify = Some(Box::new(classify));
        self
    }

    /// What has been parsed so far (also after an error).
    pub fn reply_so_far(&self) -> &ServerReply {
        &self.reply
    }

    /// Bytes accepted so far.
    pub fn bytes_read(&self) -> usize {
        self.total
    }

    /// Hand over the next bytes from the socket.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Progress, ReplyError> {
        if self.mode == Mode::Finished {
            return Err(ReplyError::Finished);
        }
        let budget = self.limits.max_total_bytes.saturating_sub(self.total);
        let accepted = bytes.get(..budget).unwrap_or(bytes);
        let over_budget = accepted.len() < bytes.len();
        self.total += accepted.len();

        let result = self.process(accepted);
        match result {
            Ok(true) => {
                self.mode = Mode::Finished;
                Ok(Progress::Done(std::mem::take(&mut self.reply)))
            }
            Ok(false) if over_budget => {
                self.mode = Mode::Finished;
                Err(ReplyError::TooMuchData {
                    max: self.limits.max_total_bytes,
                })
            }
            Ok(false) => Ok(Progress::NeedMore),
            Err(e) => {
                self.mode = Mode::Finished;
                Err(e)
            }
        }
    }

    /// The peer closed (or the caller gave up waiting): what we had. A reply
    /// with nothing in it means the server hung up without a word. After
    /// `Done` the reply has been handed out already and this is empty.
    pub fn finish_eof(self) -> ServerReply {
        let mut reply = self.reply;
        match self.mode {
            Mode::Undecided | Mode::Ssl2 => reply.truncated |= !self.pending.is_empty(),
            Mode::Tls => {
                reply.truncated |= !self.pending.is_empty()
                    || !self.handshake.is_empty()
                    || !self.alert_buf.is_empty();
            }
            Mode::NotTls => reply.not_tls = Some(not_tls(&self.plaintext)),
            Mode::Finished => {}
        }
        reply
    }

    /// Returns whether the reply is complete.
    fn process(&mut self, bytes: &[u8]) -> Result<bool, ReplyError> {
        if self.mode == Mode::NotTls {
            return Ok(self.collect_plaintext(bytes));
        }
        self.pending.extend_from_slice(bytes);
        if self.mode == Mode::Undecided {
            match classify(&self.pending) {
                None => return Ok(false),
                Some(Mode::NotTls) => {
                    self.mode = Mode::NotTls;
                    let first = std::mem::take(&mut self.pending);
                    return Ok(self.collect_plaintext(&first));
                }
                Some(mode) => self.mode = mode,
            }
        }
        match self.mode {
            Mode::Tls => self.process_records(),
            Mode::Ssl2 => self.process_ssl2(),
            _ => Ok(false),
        }
    }

    fn collect_plaintext(&mut self, bytes: &[u8]) -> bool {
        let room = NOT_TLS_PREFIX.saturating_sub(self.plaintext.len());
        self.plaintext
            .extend_from_slice(bytes.get(..room).unwrap_or(bytes));
        // A greeting line is complete at its newline; a silent or endless
        // one is cut at the prefix bound (or by finish_eof). Bytes after the
        // first newline are dropped, so what is quoted does not depend on how
        // the server's bytes were split into segments (found by fuzzing).
        if let Some(nl) = self.plaintext.iter().position(|&b| b == b'\n') {
            self.plaintext.truncate(nl + 1);
        }
        let done = self.plaintext.contains(&b'\n') || self.plaintext.len() >= NOT_TLS_PREFIX;
        if done {
            self.reply.not_tls = Some(not_tls(&self.plaintext));
        }
        done
    }

    fn process_records(&mut self) -> Result<bool, ReplyError> {
        let pending = std::mem::take(&mut self.pending);
        let mut r = Reader::new(&pending);
        let mut done = false;
        while !done {
            let mut header = r.clone();
            let (Some(content_type), Some(record_version), Some(len)) =
                (header.u8(), header.u16(), header.u16())
            else {
                break;
            };
            let len = usize::from(len);
            if len > self.limits.max_record_payload {
                return Err(ReplyError::RecordTooLarge {
                    content_type,
                    len,
                    max: self.limits.max_record_payload,
                });
            }
            let Some(payload) = header.take(len) else {
                break;
            };
            r = header;
            self.reply.record_version.get_or_insert(record_version);
            done = self.on_record(content_type, record_version, payload)?;
        }
        if !done {
            // Keep the unconsumed tail; without a copy when nothing was consumed
            // (the common case while a record trickles in).
            let consumed = pending.len() - r.left();
            let mut pending = pending;
            pending.drain(..consumed);
            self.pending = pending;
        }
        Ok(done)
    }

    fn on_record(
        &mut self,
        content_type: u8,
        record_version: u16,
        payload: &[u8],
    ) -> Result<bool, ReplyError> {
        match content_type {
            content::HANDSHAKE => {
                self.handshake.extend_from_slice(payload);
                self.process_handshake()
            }
            content::ALERT => {
                self.alert_buf.extend_from_slice(payload);
                let buf = std::mem::take(&mut self.alert_buf);
                let mut r = Reader::new(&buf);
                while r.left() >= 2 {
                    let (Some(level), Some(description)) = (r.u8(), r.u8()) else {
                        break;
                    };
                    let alert = Alert {
                        level,
                        description,
                        record_version,
                    };
                    if alert.ends_reply() {
                        self.reply.alert = Some(alert);
                        return Ok(true);
                    }
                    if self.reply.warnings.len() < MAX_WARNINGS {
                        self.reply.warnings.push(alert);
                    }
                }
                self.alert_buf = r.rest().to_vec();
                Ok(false)
            }
            content::CHANGE_CIPHER_SPEC => {
                self.reply.change_cipher_spec = true;
                Ok(true)
            }
            content::APPLICATION_DATA => {
                self.reply.application_data = true;
                Ok(true)
            }
            _ => Err(ReplyError::UnexpectedContentType { content_type }),
        }
    }

    fn process_handshake(&mut self) -> Result<bool, ReplyError> {
        let buf = std::mem::take(&mut self.handshake);
        let mut r = Reader::new(&buf);
        let mut done = false;
        while !done {
            let mut next = r.clone();
            let (Some(msg_type), Some(len)) = (next.u8(), next.u24()) else {
                break;
            };
            if len > self.limits.max_handshake_message {
                return Err(ReplyError::HandshakeMessageTooLarge {
                    msg_type,
                    len,
                    max: self.limits.max_handshake_message,
                });
            }
            let Some(body) = next.take(len) else {
                break;
            };
            r = next;
            done = self.on_handshake(msg_type, body)?;
        }
        if !done {
            let consumed = buf.len() - r.left();
            let mut buf = buf;
            buf.drain(..consumed);
            self.handshake = buf;
        }
        Ok(done)
    }

    fn on_handshake(&mut self, msg_type: u8, body: &[u8]) -> Result<bool, ReplyError> {
        if self.reply.handshake_messages.len() < MAX_MESSAGE_LOG {
            self.reply.handshake_messages.push(msg_type);
        }
        match msg_type {
            handshake::SERVER_HELLO if self.reply.server_hello.is_none() => {
                let sh = parse_server_hello(body)?;
                self.ske_kind = self
                    .classify
                    .as_ref()
                    .map_or(SkeKind::Unknown, |f| f(sh.cipher_suite));
                let done =
                    sh.is_hello_retry_request || sh.is_tls13() || self.stop_after_server_hello;
                self.reply.server_hello = Some(sh);
                Ok(done)
            }
            handshake::CERTIFICATE if self.reply.certificates.is_none() => {
                self.reply.certificates = Some(parse_certificates(body)?);
                Ok(false)
            }
            handshake::SERVER_KEY_EXCHANGE if self.reply.key_exchange.is_none() => {
                let version = self
                    .reply
                    .server_hello
                    .as_ref()
                    .map(ServerHello::negotiated_version);
                self.reply.key_exchange = Some(parse_key_exchange(body, self.ske_kind, version)?);
                Ok(false)
            }
            handshake::CERTIFICATE_REQUEST => {
                self.reply.certificate_requested = true;
                Ok(false)
            }
            handshake::CERTIFICATE_STATUS if self.reply.ocsp_response.is_none() => {
                let mut r = Reader::new(body);
                // status_type ocsp(1), then the DER OCSPResponse.
                if r.u8() == Some(1) {
                    let response = r.u24_prefixed().ok_or(ReplyError::MalformedHandshake {
                        msg_type,
                        reason: "OCSP response length exceeds the message",
                    })?;
                    self.reply.ocsp_response = Some(response.to_vec());
                }
                Ok(false)
            }
            handshake::SERVER_HELLO_DONE => {
                self.reply.server_hello_done = true;
                Ok(true)
            }
            // HelloRequest, repeats, and anything new: logged, not fatal.
            _ => Ok(false),
        }
    }

    fn process_ssl2(&mut self) -> Result<bool, ReplyError> {
        let mut r = Reader::new(&self.pending);
        let (Some(hi), Some(lo)) = (r.u8(), r.u8()) else {
            return Ok(false);
        };
        let len = usize::from(u16::from_be_bytes([hi & 0x7F, lo]));
        if len > self.limits.max_handshake_message {
            return Err(ReplyError::Ssl2RecordTooLarge {
                len,
                max: self.limits.max_handshake_message,
            });
        }
        let Some(message) = r.take(len) else {
            return Ok(false);
        };
        let mut m = Reader::new(message);
        match m.u8() {
            Some(4) => {
                self.reply.ssl2_server_hello = Some(parse_ssl2_server_hello(&mut m)?);
            }
            Some(0) => {
                let code = m.u16().ok_or(ReplyError::MalformedSsl2 {
                    msg_type: 0,
                    reason: "ERROR message without an error code",
                })?;
                self.reply.ssl2_error = Some(Ssl2Error { code });
            }
            other => {
                return Err(ReplyError::MalformedSsl2 {
                    msg_type: other.unwrap_or(0),
                    reason: "neither SERVER-HELLO nor ERROR",
                });
            }
        }
        Ok(true)
    }
}

/// Tell TLS, SSLv2 and anything else apart from the first bytes, or `None`
/// when more are needed. TLS: content type 20..=24 and major version 3.
/// SSLv2: 2-byte header with the high bit set and message type
/// SERVER-HELLO (4) or ERROR (0). Plaintext never has a first byte in
/// 20..=24 or above 0x7F, so one byte usually decides.
fn classify(first: &[u8]) -> Option<Mode> {
    let b0 = *first.first()?;
    if (content::CHANGE_CIPHER_SPEC..=content::HEARTBEAT).contains(&b0) {
        return Some(if *first.get(1)? == 3 {
            Mode::Tls
        } else {
            Mode::NotTls
        });
    }
    if b0 & 0x80 != 0 {
        return Some(if matches!(first.get(2)?, 0 | 4) {
            Mode::Ssl2
        } else {
            Mode::NotTls
        });
    }
    Some(Mode::NotTls)
}

fn not_tls(raw: &[u8]) -> NotTls {
    let line_end = raw
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(raw.len());
    let line = raw.get(..line_end).unwrap_or(raw);
    let printable = line
        .iter()
        .map(|&b| {
            if (0x20..0x7F).contains(&b) {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect();
    NotTls {
        raw: raw.to_vec(),
        printable,
        guess: guess_plaintext(raw),
    }
}

fn guess_plaintext(raw: &[u8]) -> PlaintextGuess {
    let starts = |prefix: &[u8]| {
        raw.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if starts(b"* OK") || starts(b"* PREAUTH") || starts(b"* BYE") {
        PlaintextGuess::ImapGreeting
    } else if starts(b"+OK") || starts(b"-ERR") {
        PlaintextGuess::Pop3Greeting
    } else if starts(b"HTTP/") {
        PlaintextGuess::Http
    } else if raw.len() >= 4
        && raw.iter().take(3).all(u8::is_ascii_digit)
        && matches!(raw.get(3), Some(b' ' | b'-'))
    {
        PlaintextGuess::SmtpGreeting
    } else {
        PlaintextGuess::Unknown
    }
}

fn parse_server_hello(body: &[u8]) -> Result<ServerHello, ReplyError> {
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
    use super::hello::ext;
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
fn parse_certificates(body: &[u8]) -> Result<Vec<Vec<u8>>, ReplyError> {
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

fn parse_key_exchange(
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

fn bit_len(be: &[u8]) -> usize {
    let first_nonzero = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    match be.get(first_nonzero..) {
        Some([top, rest @ ..]) => rest.len() * 8 + (8 - top.leading_zeros() as usize),
        _ => 0,
    }
}

fn parse_ssl2_server_hello(m: &mut Reader<'_>) -> Result<Ssl2ServerHello, ReplyError> {
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

#[cfg(test)]
mod chunking_regression {
    use super::*;

    /// Found by `cargo fuzz run reply_reader`: a plaintext answer whose
    /// first byte is a newline was quoted with the bytes after it when they
    /// arrived in the same segment, and without them otherwise.
    #[test]
    fn plaintext_is_quoted_up_to_the_first_newline_however_split() {
        let bytes = [0x0a, 0x2c, 0xcb];
        let mut whole = ReplyReader::default();
        let mut split = ReplyReader::default();
        let a = whole.feed(&bytes);
        let b = split.feed(&bytes[..1]);
        assert_eq!(a, b);
        assert!(
            matches!(a, Ok(Progress::Done(r)) if r.not_tls.as_ref().is_some_and(|n| n.raw == [0x0a]))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::hello::{ext, groups};
    use super::*;

    // ---- Building server flights by hand ---------------------------------

    fn record(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![content_type];
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    fn message(msg_type: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![msg_type];
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    fn extension(ext_type: u16, data: &[u8]) -> Vec<u8> {
        let mut out = ext_type.to_be_bytes().to_vec();
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(data);
        out
    }

    fn server_hello(
        version: u16,
        random: [u8; 32],
        suite: u16,
        exts: Option<&[Vec<u8>]>,
    ) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&random);
        body.push(4);
        body.extend_from_slice(&[9, 9, 9, 9]);
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        if let Some(exts) = exts {
            let block = exts.concat();
            body.extend_from_slice(&(block.len() as u16).to_be_bytes());
            body.extend_from_slice(&block);
        }
        message(2, &body)
    }

    fn certificate(chain: &[Vec<u8>]) -> Vec<u8> {
        let mut list = Vec::new();
        for der in chain {
            list.extend_from_slice(&(der.len() as u32).to_be_bytes()[1..]);
            list.extend_from_slice(der);
        }
        let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
        body.extend_from_slice(&list);
        message(11, &body)
    }

    fn ske_ecdhe(curve: u16, point_len: usize, tls12: bool) -> Vec<u8> {
        let mut body = vec![3];
        body.extend_from_slice(&curve.to_be_bytes());
        body.push(point_len as u8);
        body.extend(std::iter::repeat_n(0x04, point_len));
        if tls12 {
            body.extend_from_slice(&0x0804u16.to_be_bytes());
        }
        body.extend_from_slice(&[0, 3, 0xAB, 0xCD, 0xEF]);
        message(12, &body)
    }

    fn ske_dhe(prime_len: usize, tls12: bool) -> Vec<u8> {
        let mut body = Vec::new();
        for field in [vec![0xFF; prime_len], vec![2], vec![0x33; prime_len]] {
            body.extend_from_slice(&(field.len() as u16).to_be_bytes());
            body.extend_from_slice(&field);
        }
        if tls12 {
            body.extend_from_slice(&0x0401u16.to_be_bytes());
        }
        body.extend_from_slice(&[0, 2, 0xAB, 0xCD]);
        message(12, &body)
    }

    fn done() -> Vec<u8> {
        message(14, &[])
    }

    fn chain() -> Vec<Vec<u8>> {
        vec![vec![0x30; 700], vec![0x31; 500]]
    }

    /// A TLS 1.2 ECDHE flight: ServerHello, Certificate, ServerKeyExchange,
    /// ServerHelloDone as a list of handshake messages.
    fn tls12_flight() -> Vec<Vec<u8>> {
        let exts = [
            extension(ext::RENEGOTIATION_INFO, &[0]),
            extension(ext::EXTENDED_MASTER_SECRET, &[]),
            extension(ext::ALPN, &[0, 5, 4, b'i', b'm', b'a', b'p']),
        ];
        vec![
            server_hello(0x0303, [0x42; 32], 0xC02F, Some(&exts)),
            certificate(&chain()),
            ske_ecdhe(groups::SECP256R1, 65, true),
            done(),
        ]
    }

    fn tls13_server_hello(random: [u8; 32], key_share: &[u8]) -> Vec<u8> {
        let exts = [
            extension(ext::SUPPORTED_VERSIONS, &[0x03, 0x04]),
            extension(ext::KEY_SHARE, key_share),
        ];
        server_hello(0x0303, random, 0x1301, Some(&exts))
    }

    fn x25519_share() -> Vec<u8> {
        let mut share = vec![0x00, 0x1D, 0x00, 0x20];
        share.extend_from_slice(&[0x77; 32]);
        share
    }

    fn done_reply(p: Result<Progress, ReplyError>) -> ServerReply {
        match p {
            Ok(Progress::Done(reply)) => reply,
            other => panic!("expected Done, got {other:?}"),
        }
    }

    fn ecdhe_reader() -> ReplyReader {
        ReplyReader::default().with_ske_kind(|suite| match suite {
            0xC000..=0xC0FF | 0xCCA8 | 0xCCA9 => SkeKind::Ecdhe,
            0x0033 | 0x0039 | 0x009E | 0x009F => SkeKind::Dhe,
            _ => SkeKind::Unknown,
        })
    }

    fn check_tls12_reply(reply: &ServerReply) {
        let sh = reply.server_hello.as_ref().unwrap();
        assert_eq!(sh.legacy_version, 0x0303);
        assert_eq!(sh.negotiated_version(), 0x0303);
        assert_eq!(sh.cipher_suite, 0xC02F);
        assert_eq!(sh.session_id, vec![9; 4]);
        assert!(sh.secure_renegotiation && sh.extended_master_secret && !sh.encrypt_then_mac);
        assert_eq!(sh.alpn.as_deref(), Some("imap"));
        assert_eq!(sh.downgrade_sentinel, None);
        assert!(!sh.is_hello_retry_request);
        assert_eq!(reply.certificates.as_ref().unwrap(), &chain());
        assert_eq!(
            reply.key_exchange,
            Some(KeyExchangeInfo::Ecdhe {
                curve_type: 3,
                named_curve: Some(groups::SECP256R1),
                public_key_len: Some(65),
                signature_scheme: Some(0x0804),
            })
        );
        assert!(reply.server_hello_done);
        assert_eq!(reply.handshake_messages, vec![2, 11, 12, 14]);
        assert_eq!(reply.record_version, Some(0x0303));
        assert_eq!(reply.outcome(), ReplyOutcome::ServerHello);
        assert!(!reply.truncated);
    }

    // ---- Whole flights -------------------------------------------------

    #[test]
    fn tls12_flight_in_one_record() {
        let bytes = record(22, 0x0303, &tls12_flight().concat());
        let reply = done_reply(ecdhe_reader().feed(&bytes));
        check_tls12_reply(&reply);
    }

    #[test]
    fn tls12_flight_one_record_per_message() {
        let bytes: Vec<u8> = tls12_flight()
            .iter()
            .flat_map(|m| record(22, 0x0303, m))
            .collect();
        check_tls12_reply(&done_reply(ecdhe_reader().feed(&bytes)));
    }

    #[test]
    fn every_split_point_gives_the_same_reply() {
        let bytes = record(22, 0x0303, &tls12_flight().concat());
        for cut in 0..=bytes.len() {
            let mut reader = ecdhe_reader();
            let first = reader.feed(&bytes[..cut]).unwrap();
            let reply = match first {
                Progress::Done(reply) => {
                    assert_eq!(cut, bytes.len());
                    reply
                }
                Progress::NeedMore => done_reply(reader.feed(&bytes[cut..])),
            };
            check_tls12_reply(&reply);
        }
    }

    #[test]
    fn message_split_over_three_records_fed_byte_by_byte() {
        // Given a Certificate message cut across three records, between a
        // ServerHello record and a ServerKeyExchange + Done record,
        let flight = tls12_flight();
        let cert = &flight[1];
        let (a, rest) = cert.split_at(2); // inside the handshake header
        let (b, c) = rest.split_at(600); // inside the first certificate
        let mut bytes = record(22, 0x0303, &flight[0]);
        for part in [a, b, c] {
            bytes.extend(record(22, 0x0303, part));
        }
        bytes.extend(record(
            22,
            0x0303,
            &[flight[2].clone(), flight[3].clone()].concat(),
        ));

        // when it arrives one byte at a time,
        let mut reader = ecdhe_reader();
        for (i, byte) in bytes.iter().enumerate() {
            let progress = reader.feed(std::slice::from_ref(byte)).unwrap();
            if i + 1 < bytes.len() {
                // then every prefix is NeedMore, never an error,
                assert_eq!(progress, Progress::NeedMore, "prefix of {} bytes", i + 1);
            } else {
                // and the last byte completes the reply.
                check_tls12_reply(&done_reply(Ok(progress)));
            }
        }
        assert_eq!(reader.feed(&[0]), Err(ReplyError::Finished));
    }

    #[test]
    fn every_truncation_is_need_more_and_eof_reports_truncated() {
        let bytes = record(22, 0x0303, &tls12_flight().concat());
        for len in 0..bytes.len() {
            let mut reader = ecdhe_reader();
            assert_eq!(
                reader.feed(&bytes[..len]),
                Ok(Progress::NeedMore),
                "len {len}"
            );
            let reply = reader.finish_eof();
            assert_eq!(reply.truncated, len > 0, "len {len}");
            assert!(!reply.server_hello_done);
            if len == 0 {
                assert_eq!(reply.outcome(), ReplyOutcome::ClosedSilently);
            }
        }
    }

    #[test]
    fn stop_after_server_hello_skips_the_certificate() {
        let bytes = record(22, 0x0303, &tls12_flight().concat());
        let mut reader = ReplyReader::default().stop_after_server_hello(true);
        let reply = done_reply(reader.feed(&bytes));
        assert_eq!(reply.server_hello.unwrap().cipher_suite, 0xC02F);
        assert_eq!(reply.certificates, None);
        assert_eq!(reply.handshake_messages, vec![2]);
    }

    #[test]
    fn exchange_2010_answers_tls12_with_tls10() {
        // Given a TLS 1.2 hello, Exchange 2010 replies with a TLS 1.0
        // ServerHello, a plain RSA suite, and no ServerKeyExchange.
        let flight = [
            server_hello(
                0x0301,
                [1; 32],
                0x002F,
                Some(&[extension(ext::RENEGOTIATION_INFO, &[0])]),
            ),
            certificate(&chain()),
            done(),
        ]
        .concat();
        let reply = done_reply(ReplyReader::default().feed(&record(22, 0x0301, &flight)));
        let sh = reply.server_hello.unwrap();
        assert_eq!(sh.negotiated_version(), 0x0301);
        assert_eq!(version_name(sh.negotiated_version()), Some("TLSv1.0"));
        assert_eq!(reply.key_exchange, None);
        assert_eq!(reply.certificates.unwrap().len(), 2);
        assert_eq!(reply.record_version, Some(0x0301));
    }

    #[test]
    fn sslv3_server_hello_without_extensions() {
        let flight = [server_hello(0x0300, [1; 32], 0x000A, None), done()].concat();
        let reply = done_reply(ReplyReader::default().feed(&record(22, 0x0300, &flight)));
        let sh = reply.server_hello.unwrap();
        assert_eq!((sh.legacy_version, sh.extensions.len()), (0x0300, 0));
        assert!(!sh.secure_renegotiation);
    }

    #[test]
    fn dhe_key_exchange_reports_prime_bits() {
        for (tls12, version) in [(true, 0x0303), (false, 0x0301)] {
            let flight = [
                server_hello(version, [1; 32], 0x0033, Some(&[])),
                certificate(&chain()),
                ske_dhe(128, tls12),
                done(),
            ]
            .concat();
            let bytes = record(22, version, &flight);
            for reader in [ecdhe_reader(), ReplyReader::default()] {
                let reply = done_reply({ reader }.feed(&bytes));
                let Some(KeyExchangeInfo::Dhe {
                    prime_bits,
                    prime,
                    generator,
                    public_key_len,
                    signature_scheme,
                }) = reply.key_exchange
                else {
                    panic!("expected DHE, got {:?}", reply.key_exchange);
                };
                assert_eq!((prime_bits, prime.len(), public_key_len), (1024, 128, 128));
                assert_eq!(generator, vec![2]);
                assert_eq!(signature_scheme, tls12.then_some(0x0401));
            }
        }
    }

    #[test]
    fn dh_prime_bits_ignore_leading_zeros() {
        assert_eq!(bit_len(&[0, 0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01, 0xFF]), 9);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[]), 0);
    }

    #[test]
    fn unknown_kind_guesses_ecdhe_and_keeps_garbage_unparsed() {
        let bytes = record(22, 0x0303, &tls12_flight().concat());
        let reply = done_reply(ReplyReader::default().feed(&bytes));
        check_tls12_reply(&reply);

        let flight = [
            server_hello(0x0303, [1; 32], 0xFFFF, Some(&[])),
            message(12, &[0x99; 40]),
            done(),
        ]
        .concat();
        let reply = done_reply(ReplyReader::default().feed(&record(22, 0x0303, &flight)));
        assert_eq!(
            reply.key_exchange,
            Some(KeyExchangeInfo::Unparsed { len: 40 })
        );
    }

    #[test]
    fn declared_kind_that_does_not_fit_is_an_error() {
        let flight = [
            server_hello(0x0303, [1; 32], 0xC02F, Some(&[])),
            message(12, &[3, 0, 23, 200, 1]),
        ]
        .concat();
        let mut reader = ecdhe_reader();
        let err = reader.feed(&record(22, 0x0303, &flight)).unwrap_err();
        assert!(
            matches!(err, ReplyError::MalformedHandshake { msg_type: 12, .. }),
            "{err:?}"
        );
        // What came before the fault is still there.
        assert!(reader.reply_so_far().server_hello.is_some());
        assert!(reader.finish_eof().server_hello.is_some());
    }

    #[test]
    fn certificate_request_and_ocsp_staple_are_recorded() {
        let mut status = vec![1, 0, 0, 3];
        status.extend_from_slice(&[0x30, 0x01, 0x00]);
        let flight = [
            server_hello(0x0303, [1; 32], 0x002F, Some(&[])),
            certificate(&chain()),
            message(22, &status),
            message(13, &[1, 1, 0, 0]),
            done(),
        ]
        .concat();
        let reply = done_reply(ReplyReader::default().feed(&record(22, 0x0303, &flight)));
        assert!(reply.certificate_requested);
        assert_eq!(reply.ocsp_response, Some(vec![0x30, 0x01, 0x00]));
        assert_eq!(reply.handshake_messages, vec![2, 11, 22, 13, 14]);
    }

    // ---- TLS 1.3 ---------------------------------------------------------

    #[test]
    fn tls13_server_hello_is_done_at_once() {
        let mut bytes = record(22, 0x0303, &tls13_server_hello([5; 32], &x25519_share()));
        // Middlebox-compat CCS and the encrypted flight follow in the same read.
        bytes.extend(record(20, 0x0303, &[1]));
        bytes.extend(record(23, 0x0303, &[0xEE; 100]));
        let reply = done_reply(ReplyReader::default().feed(&bytes));
        let sh = reply.server_hello.as_ref().unwrap();
        assert_eq!(sh.legacy_version, 0x0303);
        assert_eq!(sh.selected_version, Some(0x0304));
        assert_eq!(sh.negotiated_version(), 0x0304);
        assert_eq!(sh.key_share_group, Some(groups::X25519));
        assert_eq!(sh.cipher_suite, 0x1301);
        assert!(sh.is_tls13() && !sh.is_hello_retry_request);
        assert!(!reply.change_cipher_spec, "stopped before the CCS");
        assert_eq!(reply.certificates, None);
    }

    #[test]
    fn hello_retry_request_names_the_wanted_group() {
        let bytes = record(
            22,
            0x0303,
            &tls13_server_hello(
                HELLO_RETRY_REQUEST_RANDOM,
                &groups::X25519_MLKEM768.to_be_bytes(),
            ),
        );
        let reply = done_reply(ReplyReader::default().feed(&bytes));
        assert_eq!(reply.outcome(), ReplyOutcome::HelloRetryRequest);
        let sh = reply.server_hello.unwrap();
        assert!(sh.is_hello_retry_request);
        assert_eq!(sh.key_share_group, Some(0x11EC));
        assert_eq!(sh.selected_version, Some(0x0304));
    }

    #[test]
    fn tls13_key_share_with_bad_length_is_malformed() {
        let bytes = record(
            22,
            0x0303,
            &tls13_server_hello([5; 32], &[0x00, 0x1D, 0x00, 0x20, 1]),
        );
        let err = ReplyReader::default().feed(&bytes).unwrap_err();
        assert!(matches!(
            err,
            ReplyError::MalformedHandshake { msg_type: 2, .. }
        ));
    }

    #[test]
    fn downgrade_sentinels() {
        for (tail, want) in [
            (*b"DOWNGRD\x01", Some(Downgrade::Tls12)),
            (*b"DOWNGRD\x00", Some(Downgrade::Tls11OrBelow)),
            (*b"DOWNGRD\x02", None),
        ] {
            let mut random = [7; 32];
            random[24..].copy_from_slice(&tail);
            let bytes = record(22, 0x0303, &server_hello(0x0303, random, 0x002F, None));
            let mut reader = ReplyReader::default().stop_after_server_hello(true);
            let sh = done_reply(reader.feed(&bytes)).server_hello.unwrap();
            assert_eq!(sh.downgrade_sentinel, want);
        }
    }

    // ---- Alerts ------------------------------------------------------------

    #[test]
    fn alert_only_reply_on_any_record_version() {
        for record_version in [0x0300, 0x0301, 0x0303] {
            let bytes = record(21, record_version, &[2, 40]);
            let reply = done_reply(ReplyReader::default().feed(&bytes));
            let alert = reply.alert.unwrap();
            assert_eq!((alert.level, alert.description), (2, 40));
            assert_eq!(alert.description_name(), "handshake_failure");
            assert_eq!(alert.level_name(), "fatal");
            assert_eq!(alert.record_version, record_version);
            assert_eq!(reply.record_version, Some(record_version));
            assert_eq!(reply.outcome(), ReplyOutcome::Alert);
        }
    }

    #[test]
    fn alert_fed_byte_by_byte() {
        let bytes = record(21, 0x0301, &[2, 70]);
        let mut reader = ReplyReader::default();
        for byte in &bytes[..bytes.len() - 1] {
            assert_eq!(
                reader.feed(std::slice::from_ref(byte)),
                Ok(Progress::NeedMore)
            );
        }
        let reply = done_reply(reader.feed(&bytes[bytes.len() - 1..]));
        assert_eq!(
            alert_name(reply.alert.unwrap().description),
            "protocol_version"
        );
    }

    #[test]
    fn alert_split_across_records() {
        let bytes = [record(21, 0x0303, &[2]), record(21, 0x0303, &[71])].concat();
        let reply = done_reply(ReplyReader::default().feed(&bytes));
        assert_eq!(
            reply.alert.unwrap().description_name(),
            "insufficient_security"
        );
    }

    #[test]
    fn warning_unrecognized_name_then_server_hello() {
        let mut bytes = record(21, 0x0303, &[1, 112]);
        bytes.extend(record(22, 0x0303, &tls12_flight().concat()));
        let reply = done_reply(ecdhe_reader().feed(&bytes));
        assert_eq!(reply.alert, None);
        assert_eq!(reply.warnings.len(), 1);
        assert_eq!(reply.warnings[0].description_name(), "unrecognized_name");
        assert!(reply.server_hello_done);
    }

    #[test]
    fn close_notify_ends_the_reply() {
        let reply = done_reply(ReplyReader::default().feed(&record(21, 0x0303, &[1, 0])));
        assert_eq!(reply.alert.unwrap().description_name(), "close_notify");
    }

    #[test]
    fn alert_after_server_hello_keeps_both() {
        let mut bytes = record(22, 0x0303, &tls12_flight()[0]);
        bytes.extend(record(21, 0x0303, &[2, 80]));
        let reply = done_reply(ReplyReader::default().feed(&bytes));
        assert!(reply.server_hello.is_some());
        assert_eq!(reply.alert.unwrap().description_name(), "internal_error");
    }

    #[test]
    fn names() {
        assert_eq!(alert_name(40), "handshake_failure");
        assert_eq!(alert_name(70), "protocol_version");
        assert_eq!(alert_name(71), "insufficient_security");
        assert_eq!(alert_name(86), "inappropriate_fallback");
        assert_eq!(alert_name(255), "unknown");
        assert_eq!(version_name(0x0303), Some("TLSv1.2"));
        assert_eq!(Ssl2Error { code: 1 }.name(), "NO-CIPHER-ERROR");
    }

    // ---- Silence, plaintext, SSLv2 -------------------------------------------

    #[test]
    fn close_without_a_word_is_an_empty_reply() {
        // Dovecot refuses a handshake by closing the connection.
        let reply = ReplyReader::default().finish_eof();
        assert!(reply.is_empty());
        assert_eq!(reply.outcome(), ReplyOutcome::ClosedSilently);
    }

    #[test]
    fn plaintext_greetings_are_not_tls() {
        for (text, guess) in [
            (
                &b"* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n"[..],
                PlaintextGuess::ImapGreeting,
            ),
            (b"+OK POP3 ready\r\n", PlaintextGuess::Pop3Greeting),
            (
                b"220 mx.example.com ESMTP Postfix\r\n",
                PlaintextGuess::SmtpGreeting,
            ),
            (
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                PlaintextGuess::Http,
            ),
            (b"SSH-2.0-OpenSSH_9.6\r\n", PlaintextGuess::Unknown),
        ] {
            let reply = done_reply(ReplyReader::default().feed(text));
            let not_tls = reply.not_tls.as_ref().unwrap();
            assert_eq!(not_tls.guess, guess);
            let first_line = std::str::from_utf8(text).unwrap().lines().next().unwrap();
            assert_eq!(not_tls.printable, first_line);
            assert_eq!(reply.outcome(), ReplyOutcome::NotTls);
        }
    }

    #[test]
    fn plaintext_without_newline_waits_then_eof_reports_it() {
        let mut reader = ReplyReader::default();
        assert_eq!(reader.feed(b"* OK"), Ok(Progress::NeedMore));
        assert_eq!(reader.feed(b" still"), Ok(Progress::NeedMore));
        let reply = reader.finish_eof();
        let not_tls = reply.not_tls.unwrap();
        assert_eq!(not_tls.printable, "* OK still");
        assert_eq!(not_tls.guess, PlaintextGuess::ImapGreeting);
    }

    #[test]
    fn plaintext_is_bounded() {
        let long = vec![b'A'; 10_000];
        let reply = done_reply(ReplyReader::default().feed(&long));
        let not_tls = reply.not_tls.unwrap();
        assert_eq!(not_tls.raw.len(), NOT_TLS_PREFIX);
        assert_eq!(not_tls.printable.len(), NOT_TLS_PREFIX);
        // Binary junk is shown as dots.
        let reply = done_reply(ReplyReader::default().feed(&[0x16, 0x99, 0x00, b'\n']));
        assert_eq!(reply.not_tls.unwrap().printable, "...");
    }

    fn ssl2_server_hello() -> Vec<u8> {
        let cert = vec![0x30; 300];
        let kinds = [0x01, 0x00, 0x80, 0x07, 0x00, 0xC0];
        let conn_id = [0xC1; 16];
        let mut m = vec![4, 0, 1, 0x00, 0x02];
        for len in [cert.len(), kinds.len(), conn_id.len()] {
            m.extend_from_slice(&(len as u16).to_be_bytes());
        }
        m.extend_from_slice(&cert);
        m.extend_from_slice(&kinds);
        m.extend_from_slice(&conn_id);
        let mut out = (0x8000 | m.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(&m);
        out
    }

    #[test]
    fn sslv2_server_hello() {
        let bytes = ssl2_server_hello();
        let mut reader = ReplyReader::default();
        for byte in &bytes[..bytes.len() - 1] {
            assert_eq!(
                reader.feed(std::slice::from_ref(byte)),
                Ok(Progress::NeedMore)
            );
        }
        let reply = done_reply(reader.feed(&bytes[bytes.len() - 1..]));
        let hello = reply.ssl2_server_hello.as_ref().unwrap();
        assert_eq!(hello.version, 0x0002);
        assert_eq!(version_name(hello.version), Some("SSLv2"));
        assert_eq!(hello.cipher_kinds, vec![0x010080, 0x0700C0]);
        assert_eq!(hello.certificate.len(), 300);
        assert_eq!(hello.connection_id.len(), 16);
        assert_eq!(hello.certificate_type, 1);
        assert_eq!(reply.outcome(), ReplyOutcome::Ssl2ServerHello);
    }

    #[test]
    fn sslv2_error_message() {
        let reply = done_reply(ReplyReader::default().feed(&[0x80, 0x03, 0x00, 0x00, 0x01]));
        assert_eq!(reply.ssl2_error.unwrap().name(), "NO-CIPHER-ERROR");
        assert_eq!(reply.outcome(), ReplyOutcome::Ssl2Error);
    }

    #[test]
    fn sslv2_server_hello_with_lying_lengths() {
        let mut bytes = ssl2_server_hello();
        bytes[9] = 0xFF; // certificate length high byte
        let err = ReplyReader::default().feed(&bytes).unwrap_err();
        assert!(matches!(err, ReplyError::MalformedSsl2 { msg_type: 4, .. }));
        let mut truncated = ssl2_server_hello();
        truncated.truncate(40);
        let mut reader = ReplyReader::default();
        assert_eq!(reader.feed(&truncated), Ok(Progress::NeedMore));
        assert!(reader.finish_eof().truncated);
    }

    // ---- Hostile input -------------------------------------------------------

    #[test]
    fn handshake_claiming_16_mb_is_refused_before_buffering() {
        // The record says 5 bytes; the handshake header inside claims 16 MB.
        let bytes = record(22, 0x0303, &[11, 0xFF, 0xFF, 0xFF, 0x00]);
        let err = ReplyReader::default().feed(&bytes).unwrap_err();
        assert_eq!(
            err,
            ReplyError::HandshakeMessageTooLarge {
                msg_type: 11,
                len: 0xFF_FFFF,
                max: 64 * 1024
            }
        );
        // Only the header: still refused at once.
        let bytes = record(22, 0x0303, &[2, 0x01, 0x00, 0x01]);
        assert!(matches!(
            ReplyReader::default().feed(&bytes),
            Err(ReplyError::HandshakeMessageTooLarge { len: 0x01_0001, .. })
        ));
    }

    #[test]
    fn oversized_record_is_refused_from_its_header() {
        let err = ReplyReader::default()
            .feed(&[22, 3, 3, 0xFF, 0xFF])
            .unwrap_err();
        assert_eq!(
            err,
            ReplyError::RecordTooLarge {
                content_type: 22,
                len: 0xFFFF,
                max: 18432
            }
        );
        // Exactly the bound is fine.
        let mut reader = ReplyReader::default();
        assert_eq!(reader.feed(&[22, 3, 3, 0x48, 0x00]), Ok(Progress::NeedMore));
    }

    #[test]
    fn total_budget_is_enforced() {
        let limits = ReplyLimits {
            max_total_bytes: 64,
            ..ReplyLimits::default()
        };
        let mut reader = ReplyReader::new(limits);
        let err = reader.feed(&record(22, 0x0303, &[0x00; 100])).unwrap_err();
        assert_eq!(err, ReplyError::TooMuchData { max: 64 });
        // A reply that completes within the budget is fine even if junk follows.
        let mut bytes = record(21, 0x0303, &[2, 40]);
        bytes.extend_from_slice(&[0xAA; 100]);
        let reply = done_reply(ReplyReader::new(limits).feed(&bytes));
        assert!(reply.alert.is_some());
        // Endless warnings stay bounded.
        let warnings: Vec<u8> = (0..10)
            .flat_map(|_| record(21, 0x0303, &[1, 112]))
            .collect();
        let mut reader = ReplyReader::new(limits);
        assert!(reader.feed(&warnings).is_err());
    }

    #[test]
    fn unexpected_content_type_is_an_error() {
        let mut bytes = record(22, 0x0303, &tls12_flight()[0]);
        bytes.extend(record(99, 0x0303, &[0]));
        let err = ReplyReader::default().feed(&bytes).unwrap_err();
        assert_eq!(err, ReplyError::UnexpectedContentType { content_type: 99 });
    }

    #[test]
    fn malformed_server_hellos_are_errors() {
        let good = server_hello(
            0x0303,
            [1; 32],
            0x002F,
            Some(&[extension(ext::RENEGOTIATION_INFO, &[0])]),
        );
        // Shrink the handshake length so the message ends at every inner
        // position: each must be an error or a valid shorter hello, never a panic.
        for cut in 4..good.len() {
            let body = &good[4..cut];
            let mut bytes = vec![2];
            bytes.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
            bytes.extend_from_slice(body);
            let result = ReplyReader::default()
                .stop_after_server_hello(true)
                .feed(&record(22, 0x0303, &bytes));
            let ends_after_compression = body.len() == 2 + 32 + 1 + 4 + 2 + 1;
            match result {
                Ok(Progress::Done(_)) => assert!(ends_after_compression, "cut {cut}"),
                Err(ReplyError::MalformedHandshake { msg_type: 2, .. }) => {}
                other => panic!("cut {cut}: {other:?}"),
            }
        }
        // Trailing bytes after the extension block.
        let mut bytes = good.clone();
        bytes.push(0);
        bytes[3] += 1;
        assert!(
            ReplyReader::default()
                .feed(&record(22, 0x0303, &bytes))
                .is_err()
        );
    }

    /// xorshift64*: deterministic garbage without a rand dependency.
    struct Garbage(u64);
    impl Garbage {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    #[test]
    fn garbage_and_mutations_never_panic() {
        let mut rng = Garbage(0x9E37_79B9_7F4A_7C15);
        let seed = record(22, 0x0303, &tls12_flight().concat());
        for round in 0..3000 {
            let mut bytes = if round % 3 == 0 {
                (0..(rng.next() % 600))
                    .map(|_| rng.next() as u8)
                    .collect::<Vec<_>>()
            } else {
                seed.clone()
            };
            if round % 3 != 0 {
                // Flip a few bytes of a valid flight, often in length fields.
                for _ in 0..(1 + rng.next() % 4) {
                    let i = (rng.next() as usize) % bytes.len();
                    bytes[i] = rng.next() as u8;
                }
            }
            if round % 2 == 0 && !bytes.is_empty() {
                bytes[0] = [20, 21, 22, 0x80][(rng.next() % 4) as usize];
            }
            let mut reader = ReplyReader::new(ReplyLimits {
                max_total_bytes: 4096,
                ..ReplyLimits::default()
            });
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = 1 + (rng.next() as usize) % 64;
                let (chunk, tail) = rest.split_at(n.min(rest.len()));
                rest = tail;
                match reader.feed(chunk) {
                    Ok(Progress::NeedMore) => {}
                    Ok(Progress::Done(_)) | Err(_) => break,
                }
            }
            let _ = reader.finish_eof();
        }
    }

    #[test]
    fn reader_cursor_never_overreads() {
        let data = [1, 2, 3];
        let mut r = Reader::new(&data);
        assert_eq!(r.take(usize::MAX), None);
        assert_eq!(r.take(4), None);
        assert_eq!(r.u16(), Some(0x0102));
        assert_eq!(r.u16(), None);
        assert_eq!(r.left(), 1);
        assert_eq!(r.u24_prefixed(), None);
        assert_eq!(r.rest(), &[3]);
        assert!(r.is_empty());
        assert_eq!(Reader::new(&[5, 1, 2]).u8_prefixed(), None);
    }

    #[test]
    fn round_trip_with_the_hello_builder_sizes() {
        // The reader's record bound accepts the largest hello the builder
        // makes in one record (servers echo nothing of it, but a fuzz target
        // can feed one through).
        use super::super::hello::{ClientHelloSpec, FixedEntropy, version};
        let bytes = ClientHelloSpec::for_version(version::TLS12, vec![0x002F; 128], None)
            .encode_with(&mut FixedEntropy::default())
            .unwrap();
        let mut r = Reader::new(&bytes);
        assert_eq!(r.u8(), Some(22));
        r.u16();
        assert!(usize::from(r.u16().unwrap()) <= ReplyLimits::default().max_record_payload);
    }
}
