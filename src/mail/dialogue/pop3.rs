//! The POP3 dialogue: greeting, CAPA, STLS and CAPA again inside TLS, the
//! optional login (AUTH PLAIN/XOAUTH2 or USER/PASS), QUIT.

use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{
    Ctx, DialogueOutcome, LoginResult, SeenInDialogue, Upgrade, attempted, login_allowed,
    mechanisms, not_attempted, record_failure, record_starttls, upgrade, withheld,
};
use crate::mail::auth::{self, LoginRequest, Mechanism};
use crate::mail::codec::pop3;
use crate::mail::connection::{MailConnection, StepFailure};
use crate::net::Deadline;
use crate::vocab::{ErrorKind, Protocol, steps};

pub(super) async fn pop3_dialogue<S>(
    mut wire: MailConnection<S>,
    greeting: &[u8],
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    seen.greeting = vec![wire.shown(greeting)];
    let Some(caps) = pop3_capa(&mut wire, ctx, out).await else {
        seen.transcript = wire.into_transcript();
        return;
    };
    if in_tls {
        seen.after_tls = Some(caps.clone());
        return pop3_finish(wire, caps, true, ctx, out, seen).await;
    }
    seen.before_tls = Some(caps.clone());
    let advertised = pop3::advertises_stls(&caps);
    let answer = match wire.command("STLS", steps::STARTTLS, ctx.deadline).await {
        Ok(()) => pop3::answer(&mut wire, steps::STARTTLS, ctx.deadline).await,
        Err(f) => Err(f),
    };
    match record_starttls(out, advertised, answer.map(|a| (a.ok, a.line))) {
        Upgrade::Proceed => {}
        Upgrade::Refused => return pop3_finish(wire, caps, false, ctx, out, seen).await,
        Upgrade::Failed => {
            seen.transcript = wire.into_transcript();
            return;
        }
    }
    let Some(mut wire) = upgrade(wire, ctx, out, seen).await else {
        return;
    };
    let Some(caps) = pop3_capa(&mut wire, ctx, out).await else {
        seen.transcript = wire.into_transcript();
        return;
    };
    seen.after_tls = Some(caps.clone());
    pop3_finish(wire, caps, true, ctx, out, seen).await
}

async fn pop3_capa<S>(
    wire: &mut MailConnection<S>,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
) -> Option<Vec<String>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
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

async fn pop3_finish<S>(
    mut wire: MailConnection<S>,
    caps: Vec<String>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Some(login) = &ctx.spec.login
        && !withheld(ctx, out, in_tls)
    {
        match pop3_login(&mut wire, login, &caps, in_tls, ctx.deadline).await {
            Ok(r) => out.mail.login = Some(r),
            Err(f) => {
                record_failure(out, f);
                seen.transcript = wire.into_transcript();
                return;
            }
        }
    }
    if wire
        .command("QUIT", steps::LOGOUT, ctx.deadline)
        .await
        .is_ok()
    {
        let _ = wire.line(steps::LOGOUT, ctx.deadline).await;
    }
    seen.transcript = wire.into_transcript();
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
