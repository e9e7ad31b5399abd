//! The SMTP dialogue: greeting (possibly multi-line), EHLO, STARTTLS and
//! EHLO again inside TLS (RFC 3207 §4.2), the optional login (AUTH
//! PLAIN/XOAUTH2/LOGIN), QUIT.

use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};

use super::protocol::MailProtocol;
use super::{
    Ctx, DialogueOutcome, LoginResult, SeenInDialogue, attempted, login_allowed, mechanisms,
    not_attempted, record_failure,
};
use crate::mail::auth::{self, LoginRequest, Mechanism};
use crate::mail::codec::smtp;
use crate::mail::connection::{MailConnection, StepFailure};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, Protocol, steps};

/// SMTP's side of the dialogue (RFC 5321 EHLO, RFC 3207 STARTTLS, RFC 4954 AUTH).
pub(super) struct SmtpProtocol;

impl MailProtocol for SmtpProtocol {
    type Session<S: AsyncRead + AsyncWrite + Unpin> = MailConnection<S>;

    /// A multi-line 220 (RFC 5321 §4.2): the rest of it too.
    async fn greeting<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        mut wire: MailConnection<S>,
        greeting: &[u8],
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
        seen: &mut SeenInDialogue,
    ) -> Result<(MailConnection<S>, Option<Vec<String>>), MailConnection<S>> {
        seen.greeting = vec![wire.shown(greeting)];
        if greeting.get(3) == Some(&b'-') {
            match smtp::reply(&mut wire, steps::GREETING, ctx.deadline).await {
                Ok(r) => seen
                    .greeting
                    .extend(r.texts.iter().map(|t| format!("220 {t}"))),
                Err(f) => {
                    record_failure(out, f);
                    return Err(wire);
                }
            }
        }
        Ok((wire, None))
    }

    async fn capability<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: &mut MailConnection<S>,
        _from_greeting: Option<Vec<String>>,
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
    ) -> Option<Vec<String>> {
        match smtp::ehlo(wire, ctx.deadline).await {
            Ok(r) if r.is(2) => Some(smtp::keywords(&r)),
            Ok(r) => {
                out.error(
                    steps::CAPABILITY,
                    ErrorKind::Protocol,
                    format!("EHLO refused: {}", r.line),
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
        smtp::advertises_starttls(caps)
    }

    /// RFC 3207 §4: 220 is "ready to start TLS"; anything else refuses.
    async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: &mut MailConnection<S>,
        ctx: &Ctx<'_>,
    ) -> Result<(bool, String), StepFailure> {
        wire.command("STARTTLS", steps::STARTTLS, ctx.deadline)
            .await?;
        let r = smtp::reply(wire, steps::STARTTLS, ctx.deadline).await?;
        Ok((r.code == 220, r.line))
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
        smtp_login(wire, login, caps, in_tls, ctx.deadline).await
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
            let _ = smtp::reply(wire, steps::LOGOUT, ctx.deadline).await;
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

async fn smtp_login<S>(
    wire: &mut MailConnection<S>,
    login: &LoginRequest,
    caps: &[String],
    in_tls: bool,
    dl: Deadline,
) -> Result<LoginResult, StepFailure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as B64;

    if let Err(r) = login_allowed(login, in_tls) {
        return Ok(r);
    }
    let mechs = mechanisms(Protocol::Smtp, caps);
    let mech = match auth::choose(Protocol::Smtp, &login.secret, &mechs, false) {
        Ok(m) => m,
        Err(reason) => return Ok(not_attempted(format!("not attempted: {reason}"))),
    };
    let reply = match mech {
        Mechanism::Login => {
            // RFC 4954 with the LOGIN mechanism: user and password, each base64, each after a 334.
            wire.command("AUTH LOGIN", steps::LOGIN, dl).await?;
            let r = smtp::reply(wire, steps::LOGIN, dl).await?;
            if r.code != 334 {
                return Ok(attempted(Protocol::Smtp, mech, false, r.line));
            }
            let user = format!("{}\r\n", B64.encode(login.username.as_bytes()));
            wire.send(user.as_bytes(), "[username]", steps::LOGIN, dl)
                .await?;
            let r = smtp::reply(wire, steps::LOGIN, dl).await?;
            if r.code != 334 {
                return Ok(attempted(Protocol::Smtp, mech, false, r.line));
            }
            let pass = format!("{}\r\n", B64.encode(auth::secret_value(login).as_bytes()));
            wire.send(pass.as_bytes(), "[password]", steps::LOGIN, dl)
                .await?;
            smtp::reply(wire, steps::LOGIN, dl).await?
        }
        Mechanism::Plain | Mechanism::XOAuth2 => {
            let name = mech.label(Protocol::Smtp);
            let ir = auth::sasl_initial_response(mech, login);
            let line = format!("AUTH {name} {}\r\n", ir.expose_secret());
            wire.send(
                line.as_bytes(),
                &format!("AUTH {name} [credentials]"),
                steps::LOGIN,
                dl,
            )
            .await?;
            let mut r = smtp::reply(wire, steps::LOGIN, dl).await?;
            if r.code == 334 {
                // XOAUTH2 reports a failure as a challenge; answer it empty.
                wire.send(b"\r\n", "", steps::LOGIN, dl).await?;
                r = smtp::reply(wire, steps::LOGIN, dl).await?;
            }
            r
        }
    };
    Ok(attempted(
        Protocol::Smtp,
        mech,
        reply.code == 235,
        reply.line,
    ))
}
