//! The POP3 dialogue: greeting, CAPA, STLS and CAPA again inside TLS, the
//! optional login (AUTH PLAIN/XOAUTH2 or USER/PASS), QUIT.

use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};

use super::protocol::MailProtocol;
use super::{
    Ctx, DialogueOutcome, LoginResult, SeenInDialogue, attempted, login_allowed, mechanisms,
    not_attempted, record_failure,
};
use crate::mail::auth::{self, LoginRequest, Mechanism};
use crate::mail::codec::pop3;
use crate::mail::connection::{MailConnection, StepFailure};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, Protocol, steps};

/// POP3's side of the dialogue (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS).
pub(super) struct Pop3Protocol;

impl MailProtocol for Pop3Protocol {
    type Session<S: AsyncRead + AsyncWrite + Unpin> = MailConnection<S>;

    async fn greeting<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: MailConnection<S>,
        greeting: &[u8],
        _ctx: &Ctx<'_>,
        _out: &mut DialogueOutcome,
        seen: &mut SeenInDialogue,
    ) -> Result<(MailConnection<S>, Option<Vec<String>>), MailConnection<S>> {
        seen.greeting = vec![wire.shown(greeting)];
        Ok((wire, None))
    }

    async fn capability<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: &mut MailConnection<S>,
        _from_greeting: Option<Vec<String>>,
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
    ) -> Option<Vec<String>> {
        match pop3::capa(wire, ctx.deadline).await {
            Ok(Some(caps)) => Some(caps),
            Ok(None) => {
                out.error(
                    steps::CAPABILITY,
                    ErrorKind::Protocol,
                    "the server does not support CAPA (RFC 2449)",
                );
                Some(Vec::new())
            }
            Err(f) => {
                record_failure(out, f);
                None
            }
        }
    }

    fn advertises_upgrade(&self, caps: &[String]) -> bool {
        pop3::advertises_stls(caps)
    }

    async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: &mut MailConnection<S>,
        ctx: &Ctx<'_>,
    ) -> Result<(bool, String), StepFailure> {
        wire.command("STLS", steps::STARTTLS, ctx.deadline).await?;
        let a = pop3::answer(wire, steps::STARTTLS, ctx.deadline).await?;
        Ok((a.ok, a.line))
    }

    fn hand_over<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: MailConnection<S>,
        _seen: &mut SeenInDialogue,
    ) -> MailConnection<S> {
        wire
    }

    fn resume<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: MailConnection<S>,
    ) -> MailConnection<S> {
        wire
    }

    async fn login<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: &mut MailConnection<S>,
        login: &LoginRequest,
        caps: &[String],
        in_tls: bool,
        ctx: &Ctx<'_>,
    ) -> Result<LoginResult, StepFailure> {
        pop3_login(wire, login, caps, in_tls, ctx.deadline).await
    }

    async fn logout<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: &mut MailConnection<S>,
        ctx: &Ctx<'_>,
    ) {
        if wire
            .command("QUIT", steps::LOGOUT, ctx.deadline)
            .await
            .is_ok()
        {
            let _ = wire.line(steps::LOGOUT, ctx.deadline).await;
        }
    }

    fn close<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: MailConnection<S>,
        seen: &mut SeenInDialogue,
    ) {
        seen.transcript = wire.into_transcript();
    }
}

async fn pop3_login<S>(
    wire: &mut MailConnection<S>,
    login: &LoginRequest,
    caps: &[String],
    in_tls: bool,
    dl: Deadline,
) -> Result<LoginResult, StepFailure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Err(r) = login_allowed(login, in_tls) {
        return Ok(r);
    }
    let mechs = mechanisms(Protocol::Pop3, caps);
    let mech = match auth::choose(Protocol::Pop3, &login.secret, &mechs, false) {
        Ok(m) => m,
        Err(reason) => return Ok(not_attempted(format!("not attempted: {reason}"))),
    };
    let answer = match mech {
        Mechanism::Login => {
            wire.command(&format!("USER {}", login.username), steps::LOGIN, dl)
                .await?;
            let a = pop3::answer(wire, steps::LOGIN, dl).await?;
            if !a.ok {
                return Ok(attempted(Protocol::Pop3, mech, false, a.line));
            }
            let line = format!("PASS {}\r\n", auth::secret_value(login));
            wire.send(line.as_bytes(), "PASS [password]", steps::LOGIN, dl)
                .await?;
            pop3::answer(wire, steps::LOGIN, dl).await?
        }
        Mechanism::Plain | Mechanism::XOAuth2 => {
            // RFC 5034 §4: the initial response may follow the mechanism.
            let name = mech.label(Protocol::Pop3);
            let ir = auth::sasl_initial_response(mech, login);
            let line = format!("AUTH {name} {}\r\n", ir.expose_secret());
            wire.send(
                line.as_bytes(),
                &format!("AUTH {name} [credentials]"),
                steps::LOGIN,
                dl,
            )
            .await?;
            let mut a = pop3::answer(wire, steps::LOGIN, dl).await?;
            if a.continuation {
                // XOAUTH2 reports a failure as a challenge; answer it empty.
                wire.send(b"\r\n", "", steps::LOGIN, dl).await?;
                a = pop3::answer(wire, steps::LOGIN, dl).await?;
            }
            a
        }
    };
    Ok(attempted(Protocol::Pop3, mech, answer.ok, answer.line))
}
