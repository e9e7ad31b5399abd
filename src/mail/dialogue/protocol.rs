//! The one protocol trait and the one driver: IMAP, POP3 and SMTP each say
//! how they greet, ask for capabilities, upgrade to TLS, log in and finish;
//! [`converse`] runs the flow they share once: capabilities → STARTTLS
//! (STLS) → TLS → capabilities again → finish (optional login, goodbye).

use tokio::io::{AsyncRead, AsyncWrite};

use super::gate::withheld;
use super::handshakes::tls_handshake;
use super::{Ctx, DialogueOutcome, LoginResult, SeenInDialogue, StartTls, record_failure};
use crate::mail::auth::LoginRequest;
use crate::mail::connection::{Handover, MailConnection, StepFailure};
use crate::tls::engine::TlsConn;

/// One mail protocol's side of the dialogue. `Session<S>` is a connection
/// speaking it over the stream `S` (plaintext, or TLS after the upgrade);
/// the protocol value itself carries what outlives a connection's stream
/// (IMAP's tag counter and undecoded lines).
pub(super) trait MailProtocol {
    type Session<S: AsyncRead + AsyncWrite + Unpin>;

    /// The greeting line has been read: opens the session, reads the rest
    /// of the greeting and records it in `seen.greeting`; returns the
    /// capabilities the greeting carried. `Err`: the dialogue stops (the
    /// failure is recorded).
    async fn greeting<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: MailConnection<S>,
        greeting: &[u8],
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
        seen: &mut SeenInDialogue,
    ) -> Result<(Self::Session<S>, Option<Vec<String>>), Self::Session<S>>;

    /// IMAP `CAPABILITY`, POP3 `CAPA`, SMTP `EHLO`; `from_greeting` stands
    /// in when the command is refused. `None`: the connection is unusable.
    async fn capability<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Self::Session<S>,
        from_greeting: Option<Vec<String>>,
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
    ) -> Option<Vec<String>>;

    /// The upgrade command is listed in `caps`.
    fn advertises_upgrade(&self, caps: &[String]) -> bool;

    /// Sends the upgrade command (sent even when not advertised: a server
    /// that accepts it anyway is a fact worth reporting); returns whether
    /// it was accepted and the server's line.
    async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Self::Session<S>,
        ctx: &Ctx<'_>,
    ) -> Result<(bool, String), StepFailure>;

    /// Hands the plaintext stream over for TLS, keeping what the next
    /// session continues with.
    fn hand_over<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: Self::Session<S>,
        seen: &mut SeenInDialogue,
    ) -> MailConnection<S>;

    /// The session inside TLS, continuing where the plaintext one stopped.
    fn resume<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: MailConnection<S>,
    ) -> Self::Session<S>;

    /// What comes before the login (IMAP: `ID`). `false`: the connection
    /// is unusable (the failure is recorded).
    async fn before_login<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        _session: &mut Self::Session<S>,
        _caps: &[String],
        _ctx: &Ctx<'_>,
        _out: &mut DialogueOutcome,
        _seen: &mut SeenInDialogue,
    ) -> bool {
        true
    }

    /// With no login to run: the capabilities, what comes before the
    /// login and the goodbye, in as few round trips as the protocol
    /// allows (IMAP pipelines them). By default one by one. Returns the
    /// capabilities; `None`: the connection was unusable before they were
    /// known (recorded).
    async fn closing<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Self::Session<S>,
        from_greeting: Option<Vec<String>>,
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
        seen: &mut SeenInDialogue,
    ) -> Option<Vec<String>> {
        let caps = self.capability(session, from_greeting, ctx, out).await?;
        if self.before_login(session, &caps, ctx, out, seen).await {
            self.logout(session, ctx).await;
        }
        Some(caps)
    }

    /// The login test.
    async fn login<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Self::Session<S>,
        login: &LoginRequest,
        caps: &[String],
        in_tls: bool,
        ctx: &Ctx<'_>,
    ) -> Result<LoginResult, StepFailure>;

    /// After a successful login, before the goodbye: IMAP runs the
    /// preflight survey here when the spec asks for one (issue 19).
    async fn after_login<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        _session: &mut Self::Session<S>,
        _ctx: &Ctx<'_>,
        _out: &mut DialogueOutcome,
    ) {
    }

    /// What `mail.login` says when the login exchange itself failed
    /// (`None`: nothing is recorded beyond the error).
    fn login_broke_off(&self) -> Option<LoginResult> {
        None
    }

    /// The polite goodbye; its answer changes no fact.
    async fn logout<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Self::Session<S>,
        ctx: &Ctx<'_>,
    );

    /// Ends the session: its transcript (and undecoded lines) into `seen`.
    fn close<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: Self::Session<S>,
        seen: &mut SeenInDialogue,
    );
}

/// The dialogue from the greeting on, over plaintext (`in_tls == false`,
/// the upgrade ahead) or inside TLS.
pub(super) async fn converse<P, S>(
    mut proto: P,
    wire: MailConnection<S>,
    greeting: &[u8],
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) where
    P: MailProtocol,
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut session, from_greeting) = match proto.greeting(wire, greeting, ctx, out, seen).await {
        Ok(opened) => opened,
        Err(session) => return proto.close(session, seen),
    };
    if in_tls && ctx.spec.login.is_none() {
        seen.after_tls = proto
            .closing(&mut session, from_greeting, ctx, out, seen)
            .await;
        return proto.close(session, seen);
    }
    let Some(caps) = proto
        .capability(&mut session, from_greeting, ctx, out)
        .await
    else {
        return proto.close(session, seen);
    };
    if in_tls {
        seen.after_tls = Some(caps.clone());
        return finish(proto, session, caps, true, ctx, out, seen).await;
    }
    seen.before_tls = Some(caps.clone());
    let advertised = proto.advertises_upgrade(&caps);
    let answer = proto.upgrade(&mut session, ctx).await;
    match record_starttls(out, advertised, answer) {
        Upgrade::Proceed => {}
        Upgrade::Refused => return finish(proto, session, caps, false, ctx, out, seen).await,
        Upgrade::Failed => return proto.close(session, seen),
    }
    let wire = proto.hand_over(session, seen);
    let Some(wire) = start_tls(wire, ctx, out, seen).await else {
        return;
    };
    let mut session: P::Session<TlsConn<S>> = proto.resume(wire);
    // RFC 3501 §6.2.1, RFC 3207 §4.2, RFC 2595 §4: what was learnt before
    // TLS is discarded; ask again.
    if ctx.spec.login.is_none() {
        seen.after_tls = proto.closing(&mut session, None, ctx, out, seen).await;
        return proto.close(session, seen);
    }
    let Some(caps) = proto.capability(&mut session, None, ctx, out).await else {
        return proto.close(session, seen);
    };
    seen.after_tls = Some(caps.clone());
    finish(proto, session, caps, true, ctx, out, seen).await
}

/// The optional login, then the goodbye.
async fn finish<P, S>(
    mut proto: P,
    mut session: P::Session<S>,
    caps: Vec<String>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) where
    P: MailProtocol,
    S: AsyncRead + AsyncWrite + Unpin,
{
    if !proto
        .before_login(&mut session, &caps, ctx, out, seen)
        .await
    {
        return proto.close(session, seen);
    }
    if let Some(login) = &ctx.spec.login
        && !withheld(ctx, out, in_tls)
    {
        match proto.login(&mut session, login, &caps, in_tls, ctx).await {
            Ok(r) => {
                let ok = r.ok == Some(true);
                out.mail.login = Some(r);
                if ok {
                    proto.after_login(&mut session, ctx, out).await;
                }
            }
            Err(f) => {
                record_failure(out, f);
                if let Some(r) = proto.login_broke_off() {
                    out.mail.login = Some(r);
                }
                return proto.close(session, seen);
            }
        }
    }
    proto.logout(&mut session, ctx).await;
    proto.close(session, seen);
}

/// What the dialogue does after the server answered STARTTLS (IMAP, SMTP)
/// or STLS (POP3).
enum Upgrade {
    /// Accepted: go on into TLS.
    Proceed,
    /// Refused: finish the dialogue in plaintext.
    Refused,
    /// The exchange itself failed (recorded): stop.
    Failed,
}

/// Records the upgrade command's outcome in `mail.starttls`, the same way
/// for every protocol: whether it was advertised, accepted, and the
/// server's answer verbatim. `answer` is `(accepted, the server's line)`.
fn record_starttls(
    out: &mut DialogueOutcome,
    advertised: bool,
    answer: Result<(bool, String), StepFailure>,
) -> Upgrade {
    match answer {
        Ok((accepted, line)) => {
            out.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: Some(accepted),
                response: Some(line),
            });
            if accepted {
                Upgrade::Proceed
            } else {
                Upgrade::Refused
            }
        }
        Err(f) => {
            out.mail.starttls = Some(StartTls {
                advertised: Some(advertised),
                accepted: None,
                response: None,
            });
            record_failure(out, f);
            Upgrade::Failed
        }
    }
}

/// Swaps a plaintext connection for TLS after an accepted upgrade.
async fn start_tls<S>(
    wire: MailConnection<S>,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) -> Option<MailConnection<TlsConn<S>>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let Handover {
        stream,
        transcript,
        redactor,
    } = match wire.into_upgrade() {
        Ok(h) => h,
        Err((f, transcript)) => {
            seen.transcript = transcript;
            record_failure(out, f);
            return None;
        }
    };
    match tls_handshake(stream, ctx, out).await {
        Some(tls) => Some(MailConnection::new(tls, transcript, redactor)),
        None => {
            seen.transcript = transcript;
            None
        }
    }
}
