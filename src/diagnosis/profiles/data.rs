//! The texts several profiles share, and the OpenSSL error lines. Each
//! profile lives in its group's file (`migration`, `apps`, `guidelines`) and
//! is listed in [`super::PROFILES`]; every source it cites is in `sources`.

use super::facts::Source;
use super::sources::OSSL_OBSERVED_RUN;

// ---- shared texts ------------------------------------------------------------

/// Exchange Online's error chain for "no common protocol or cipher" (SChannel
/// SEC_E_ALGORITHM_MISMATCH), whole and verbatim with its exception prefixes, as
/// Microsoft's article prints it (one line per inner exception, joined by spaces) \[2010IMAP\].
pub const EXO_TLS_CHAIN: &str = "Microsoft.Exchange.Migration.MigrationServerConnectionFailedException: The connection to the server '{host}' could not be completed. Microsoft.Exchange.Connections.Common.RemoteNetworkErrorTransientException: We were unable to reach your email provider. Please check your server settings, or try again later. Microsoft.Exchange.Connections.Common.SslStreamFailureException: TLS negotiation failed. System.ComponentModel.Win32Exception: The client and server cannot communicate, because they do not possess a common algorithm.";

/// Outlook's own dialog text (0x800CCC1A), not SChannel's.
pub const OUTLOOK_ENCRYPTION_TEXT: &str = "Your server does not support the connection encryption type you have specified. Try changing the encryption method. Contact your mail server administrator or Internet service provider (ISP). (0x800CCC1A)";

pub(super) const OSSL_UNSUPPORTED_PROTOCOL: &str =
    "error:0A000102:SSL routines::unsupported protocol";
pub(super) const OSSL_VERSION_ALERT: &str =
    "error:0A00042E:SSL routines::tlsv1 alert protocol version";
pub(super) const OSSL_EOF: &str = "error:0A000126:SSL routines::unexpected eof while reading";
pub(super) const OSSL_HANDSHAKE_FAILURE: &str =
    "error:0A000410:SSL routines::sslv3 alert handshake failure";
pub(super) const OSSL_OBSERVED: Source = OSSL_OBSERVED_RUN;
