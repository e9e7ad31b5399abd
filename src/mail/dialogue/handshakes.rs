//! The TLS handshake under the dialogue, over this pass's engine: rustls
//! (what a modern client gets) or, on the one retry, the legacy OpenSSL
//! engine; the first pass's rustls gives way to the legacy engine when the
//! pipeline's [`super::EngineHint`] says rustls could only fail. Each
//! records its facts in the [`DialogueOutcome`].

use std::sync::atomic::Ordering;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{Ctx, DialogueOutcome, EngineHint, MailTls, TlsEngine};
use crate::mail::connection::STEP_TIMEOUT;
use crate::tls::engine::TlsConn;
use crate::tls::handshake::{self, HandshakeError, Offer};
use crate::tls::legacy::{self, LegacyError, LegacyOffer};
use crate::vocab::{ErrorKind, steps};

/// This pass's handshake, its facts recorded; `None` when it failed.
pub(super) async fn tls_handshake<S>(
    io: S,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
) -> Option<TlsConn<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match ctx.engine {
        TlsEngine::Modern => {
            let hint = match &ctx.hint {
                Some(hint) => hint.wait(ctx.deadline).await,
                None => None,
            };
            match hint {
                Some(EngineHint::Legacy { offer, why }) => {
                    let _ = ctx.legacy_from_start.set(why);
                    // No modern handshake will come: whoever waits for one
                    // runs its own.
                    if let Some(tx) = &ctx.modern_seen {
                        tx.send_replace(Some(None));
                    }
                    legacy_handshake(io, ctx, &offer, out).await
                }
                _ => modern_handshake(io, ctx, out).await,
            }
        }
        TlsEngine::Legacy => legacy_handshake(io, ctx, &ctx.offer, out).await,
    }
}

/// The rustls handshake: also the evidence of what a modern client gets.
async fn modern_handshake<S>(io: S, ctx: &Ctx<'_>, out: &mut DialogueOutcome) -> Option<TlsConn<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    ctx.meter.count_handshake();
    // A server that never answers the ClientHello costs one step, not the
    // whole probe budget.
    match handshake::handshake(
        io,
        ctx.spec.server_name.clone(),
        Offer::Modern,
        ctx.deadline.within(STEP_TIMEOUT),
    )
    .await
    {
        Ok(done) => {
            out.timing(steps::TLS_HANDSHAKE, done.handshake.ms);
            out.modern_chain = Some(done.presented.chain.clone());
            out.mail.tls = Some(MailTls {
                engine: TlsEngine::Modern,
                version: done.handshake.version,
                suite: done.handshake.suite.clone(),
            });
            if let Some(tx) = &ctx.modern_seen {
                tx.send_replace(Some(Some(super::ModernHandshake {
                    handshake: done.handshake.clone(),
                    presented: done.presented.clone(),
                })));
            }
            out.handshake = Some(done.handshake);
            Some(TlsConn::Modern(Box::new(done.stream)))
        }
        Err(e) => {
            let kind = match e {
                HandshakeError::Timeout { .. } => ErrorKind::Timeout,
                _ => ErrorKind::Tls,
            };
            out.error(steps::TLS_HANDSHAKE, kind, e.to_string());
            ctx.modern_failed.store(true, Ordering::Relaxed);
            if let Some(tx) = &ctx.modern_seen {
                tx.send_replace(Some(None));
            }
            None
        }
    }
}

/// The OpenSSL handshake. It never sets `tls.handshake` (the modern
/// client's evidence); its chain is recorded under the path `legacy`.
async fn legacy_handshake<S>(
    io: S,
    ctx: &Ctx<'_>,
    offer: &LegacyOffer,
    out: &mut DialogueOutcome,
) -> Option<TlsConn<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    ctx.meter.count_handshake();
    let sni = match &ctx.spec.server_name {
        ServerName::DnsName(name) => Some(name.as_ref()),
        _ => None,
    };
    match legacy::handshake(io, sni, offer, ctx.deadline.within(STEP_TIMEOUT)).await {
        Ok(done) => {
            out.timing(steps::LEGACY_TLS_HANDSHAKE, done.negotiated.ms);
            if !done.chain.is_empty() {
                out.legacy_chain = Some(done.chain);
            }
            out.mail.tls = Some(MailTls {
                engine: TlsEngine::Legacy,
                version: done.negotiated.version,
                suite: done.negotiated.suite,
            });
            Some(TlsConn::Legacy(Box::new(done.stream)))
        }
        Err(e) => {
            let kind = match e {
                LegacyError::Timeout { .. } => ErrorKind::Timeout,
                _ => ErrorKind::Tls,
            };
            out.error(steps::LEGACY_TLS_HANDSHAKE, kind, e.to_string());
            None
        }
    }
}
