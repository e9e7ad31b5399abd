//! Names of probe steps, as they appear in `errors[].step` and `timings[].step`.
//! The engines name the steps they run; the pipeline files them.

pub const DNS: &str = "dns";
pub const TCP_CONNECT: &str = "tcp_connect";
/// The mail dialogue's modern (rustls) handshake.
pub const TLS_HANDSHAKE: &str = "tls_handshake";
/// The mail dialogue's legacy (OpenSSL) handshake, tried once on a new
/// connection after the modern one failed.
pub const LEGACY_TLS_HANDSHAKE: &str = "legacy_tls_handshake";
pub const GREETING: &str = "greeting";
/// IMAP `CAPABILITY`, POP3 `CAPA`, SMTP `EHLO`.
pub const CAPABILITY: &str = "capability";
/// IMAP/SMTP `STARTTLS`, POP3 `STLS`.
pub const STARTTLS: &str = "starttls";
/// IMAP `ID` (RFC 2971).
pub const ID: &str = "id";
/// The optional login test.
pub const LOGIN: &str = "login";
/// IMAP `LOGOUT`, POP3/SMTP `QUIT`.
pub const LOGOUT: &str = "logout";
/// Real handshakes offering only TLS 1.3 / only TLS 1.2.
pub const TLS13_HANDSHAKE: &str = "tls13_handshake";
pub const TLS12_HANDSHAKE: &str = "tls12_handshake";
/// The wire scanner (versions, suites, groups, chain).
pub const TLS_SCAN: &str = "tls_scan";
/// Timings only: the whole first contact (connect, mail dialogue and
/// the real handshake inside it), the client profiles' trials after the
/// scan, and the versioned real handshakes beside them.
pub const MAIL_DIALOGUE: &str = "mail_dialogue";
pub const CLIENT_TRIALS: &str = "client_trials";
pub const TLS_HANDSHAKES: &str = "tls_handshakes";
pub const PROBE: &str = "probe";
/// The security checks beside the scan (`security_checks`), and each
/// check's own timing as `security_checks.<id>`.
pub const SECURITY_CHECKS: &str = "security_checks";
