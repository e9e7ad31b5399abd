//! Client-initiated renegotiation on a finished legacy handshake: the one
//! place mailprobe calls OpenSSL through FFI, because the `openssl` crate
//! does not wrap `SSL_renegotiate`.
//!
//! A server that lets any client renegotiate lets one client make it do
//! many expensive handshakes over one connection (THC-SSL-DOS, 2011), and
//! where secure renegotiation is missing too, CVE-2009-3555 applies.
#![allow(unsafe_code)]

use std::os::raw::c_int;
use std::pin::Pin;

use foreign_types::ForeignTypeRef;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::vocab::Deadline;

unsafe extern "C" {
    /// `int SSL_renegotiate(SSL *s)`, OpenSSL 3 `ssl/ssl_lib.c`: schedules a
    /// renegotiation that the next `SSL_do_handshake` carries out.
    fn SSL_renegotiate(s: *mut openssl_sys::SSL) -> c_int;
}

/// Asks the server for a renegotiation and runs it. `Ok` when the server
/// completed it; `Err` with what happened when it refused (OpenSSL's
/// reason, e.g. `no renegotiation` for the warning alert a server that
/// forbids it sends), closed, or did not answer before `deadline`.
pub async fn client_initiated<S>(
    stream: &mut tokio_openssl::SslStream<S>,
    deadline: Deadline,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let ptr = stream.ssl().as_ptr();
    // SAFETY: `ptr` comes from the live `SslRef` the stream owns and is
    // used only for this one call, while `stream` is borrowed mutably (no
    // other access to the SSL object can run at the same time). The call
    // only sets the renegotiation flag on that object; it does no I/O and
    // keeps no pointer. It returns 0 (and changes nothing) where a
    // renegotiation is impossible, e.g. under TLS 1.3.
    let scheduled = unsafe { SSL_renegotiate(ptr) };
    if scheduled != 1 {
        return Err("OpenSSL could not schedule a renegotiation on this connection".into());
    }
    match deadline.run(Pin::new(stream).do_handshake()).await {
        Err(t) => Err(format!("no answer to the renegotiation ({t})")),
        Ok(Err(e)) => Err(super::describe(&e)),
        Ok(Ok(())) => Ok(()),
    }
}
