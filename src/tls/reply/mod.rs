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

mod alert;
mod cursor;
mod key_exchange;
mod plaintext;
pub mod records;
mod server_hello;
mod ssl2;

pub use super::hello::version_name;
pub use alert::{Alert, alert_name};
pub use cursor::Reader;
pub use key_exchange::{KeyExchangeInfo, SkeKind};
pub use plaintext::{NOT_TLS_PREFIX, NotTls, PlaintextGuess};
pub use server_hello::{Downgrade, HELLO_RETRY_REQUEST_RANDOM, ServerHello};
pub use ssl2::{Ssl2Error, Ssl2ServerHello};

use key_exchange::parse_key_exchange;
use plaintext::not_tls;
use server_hello::{parse_certificates, parse_server_hello};
use ssl2::parse_ssl2_server_hello;

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
mod tests;
