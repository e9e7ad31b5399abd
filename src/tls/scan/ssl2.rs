//! SSLv2: one CLIENT-HELLO of its own, unless the server speaks TLS 1.3.
//!
//! No TLS stack that implements TLS 1.3 implements SSL 2.0, so a server
//! that accepts the TLS 1.3 hello is not asked (issue 21: one connection
//! fewer on every modern server; SSLv2 is reported not accepted and the
//! scan's answers hold no SSLv2 hello). The sources, stack by stack:
//!
//! - OpenSSL removed SSLv2 and `SSLv2_method()` in 1.1.0 (its
//!   `SSL_CTX_new(3)` manual page: "Support for SSLv2 and the corresponding
//!   SSLv2_method(), SSLv2_server_method() and SSLv2_client_method()
//!   functions where removed in OpenSSL 1.1.0"); TLS 1.3 came in 1.1.1.
//!   LibreSSL forked without it; BoringSSL never had it.
//! - SChannel: "Beginning with Windows 10, version 1607 and Windows Server
//!   2016, SSL 2.0 has been removed and is no longer supported" (Microsoft
//!   Learn, "Secure Sockets Layer Protocol"); TLS 1.3 came with Windows
//!   Server 2022.
//! - GnuTLS, JSSE, Go's crypto/tls and rustls never served SSL 2.0 (their
//!   protocol lists begin at SSL 3.0 or later; JSSE reads an SSLv2-format
//!   hello only to answer it with SSL 3.0 or TLS). NSS: not checked here
//!   (its SSL 2.0 removal predates its TLS 1.3 by our reading, unsourced).
//!
//! A server whose TLS 1.3 hello got no readable answer, or refused it, is
//! asked as before, one round later (after that first answer).

use super::versions::VersionScan;
use super::{Ending, Exchange, Hello, HelloAnswer, send_hello};
use crate::tls::hello;
use crate::tls::scan::Endpoint;
use crate::tls::suites::{self, Suite};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, TlsVersion};

/// The SSLv2 version scan: `after_tls13` when the TLS 1.3 hello settles
/// TLS 1.3 early (the scan of TLS 1.3 with its groups); then SSLv2 waits
/// for that answer and is not asked when TLS 1.3 is accepted.
pub(super) async fn scan_ssl2_unless_tls13(
    endpoint: &Endpoint,
    after_tls13: bool,
    deadline: Deadline,
) -> VersionScan {
    if after_tls13 && tls13_accepted(endpoint).await {
        return VersionScan {
            offered: Some(false),
            ..VersionScan::new(TlsVersion::Ssl2)
        };
    }
    scan_ssl2(endpoint, deadline).await
}

/// Whether the TLS 1.3 hello was accepted, once its answer is in (`false`
/// when refused, unanswered or the scan ended first).
async fn tls13_accepted(endpoint: &Endpoint) -> bool {
    let mut progress = endpoint.progress();
    loop {
        let now = progress.borrow_and_update().clone();
        if let Some(accepted) = now.accepted(TlsVersion::Tls13) {
            return accepted;
        }
        if now.done || now.unknown.contains(&TlsVersion::Tls13) {
            return false;
        }
        if progress.changed().await.is_err() {
            return false;
        }
    }
}

async fn scan_ssl2(endpoint: &Endpoint, deadline: Deadline) -> VersionScan {
    let mut out = VersionScan::new(TlsVersion::Ssl2);
    let hello = Hello::Ssl2 {
        cipher_kinds: hello::SSL2_CIPHER_KINDS.to_vec(),
    };
    match send_hello(endpoint, &hello, false, deadline).await {
        Ok(ex) => {
            out.seen.connections += ex.connections;
            out.answer = Some(ssl2_answer(&ex));
            if let Some(sh) = &ex.reply.ssl2_server_hello {
                out.offered = Some(!sh.cipher_kinds.is_empty());
                out.suites = sh.cipher_kinds.iter().map(|k| ssl2_suite(*k)).collect();
            } else if let Some(nt) = &ex.reply.not_tls {
                out.errors.push((
                    ErrorKind::Protocol,
                    format!("the server answered in plaintext: {:?}", nt.printable),
                ));
            } else if ex.ending == Ending::TimedOut && ex.reply.is_empty() {
                out.errors.push((
                    ErrorKind::Timeout,
                    "no answer to the SSLv2 CLIENT-HELLO before the time limit".into(),
                ));
            } else {
                // An alert, a TLS record, an SSLv2 ERROR, a close or a reset.
                out.offered = Some(false);
                out.refused_by_reset = ex.ending == Ending::Reset;
            }
        }
        Err(e) => {
            out.answer = Some(HelloAnswer::NoAnswer { why: e.to_string() });
            out.errors.push((e.kind(), e.to_string()));
        }
    }
    out
}

/// What an answer to an SSLv2 CLIENT-HELLO was.
fn ssl2_answer(ex: &Exchange) -> HelloAnswer {
    let reply = &ex.reply;
    if reply.ssl2_server_hello.is_some() {
        HelloAnswer::Accepted
    } else if let Some(e) = &reply.ssl2_error {
        HelloAnswer::Alert {
            name: format!("SSLv2 {}", e.name()),
        }
    } else if let Some(sh) = &reply.server_hello {
        HelloAnswer::OtherVersion {
            version: sh.negotiated_version(),
        }
    } else if let Some(a) = &reply.alert {
        HelloAnswer::Alert {
            name: a.description_name().to_string(),
        }
    } else if reply.is_empty() && ex.ending == Ending::Reset {
        HelloAnswer::Reset
    } else if reply.is_empty() && ex.ending == Ending::Closed {
        HelloAnswer::Closed
    } else {
        HelloAnswer::NoAnswer {
            why: "no SSLv2 or TLS answer".into(),
        }
    }
}

/// An SSLv2 cipher kind as a report suite (its 3-byte code as `0x0700C0`).
fn ssl2_suite(kind: u32) -> Suite {
    match suites::ssl2_kinds().iter().find(|k| k.code == kind) {
        Some(k) => Suite {
            iana: k.hex(),
            name: k.name.to_string(),
            openssl_name: k.openssl_name.map(str::to_string),
            kx: Some("RSA".into()),
            auth: Some("RSA".into()),
            cipher: None,
            mac: Some("MD5".into()),
            bits: Some(k.bits),
            aead: Some(false),
            forward_secrecy: Some(false),
        },
        None => {
            let hex = format!("0x{kind:06X}");
            Suite {
                iana: hex.clone(),
                ..Suite::bare(0, format!("UNKNOWN_{hex}"))
            }
        }
    }
}
