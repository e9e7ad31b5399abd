//! The SMTP dialogue: greeting (possibly multi-line), EHLO, STARTTLS and
//! EHLO again inside TLS (RFC 3207 §4.2), the optional login (AUTH
//! PLAIN/XOAUTH2/LOGIN), QUIT.

use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{
    Ctx, DialogueOutcome, LoginResult, SeenInDialogue, Upgrade, attempted, login_allowed,
    mechanisms, not_attempted, record_failure, record_starttls, upgrade, withheld,
};
use crate::mail::auth::{self, LoginRequest, Mechanism};
use crate::mail::codec::smtp;
use crate::mail::connection::{MailConnection, StepFailure};
use crate::net::Deadline;
use crate::vocab::{ErrorKind, Protocol, steps};

pub(super) async fn smtp_dialogue<S>(
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
    if greeting.get(3) == Some(&b'-') {
        // A multi-line 220 (RFC 5321 §4.2): the rest of it.
        match smtp::reply(&mut wire, steps::GREETING, ctx.deadline).await {
            Ok(r) => seen
                .greeting
                .extend(r.texts.iter().map(|t| format!("220 {t}"))),
            Err(f) => {
                record_failure(out, f);
                seen.transcript = wire.into_transcript();
                return;
            }
        }
    }
    let Some(caps) = smtp_ehlo(&mut wire, ctx, out).await else {
        seen.transcript = wire.into_transcript();
        return;
    };
    if in_tls {
        seen.after_tls = Some(caps.clone());
        return smtp_finish(wire, caps, true, ctx, out, seen).await;
    }
    seen.before_tls = Some(caps.clone());
    let advertised = smtp::advertises_starttls(&caps);
    let answer = match wire
        .command("STARTTLS", steps::STARTTLS, ctx.deadline)
        .await
    {
        Ok(()) => smtp::reply(&mut wire, steps::STARTTLS, ctx.deadline).await,
        Err(f) => Err(f),
    };
    // RFC 3207 §4: 220 is "ready to start TLS"; anything else refuses.
    match record_starttls(out, advertised, answer.map(|r| (r.code == 220, r.line))) {
        Upgrade::Proceed => {}
        Upgrade::Refused => return smtp_finish(wire, caps, false, ctx, out, seen).await,
        Upgrade::Failed => {
            seen.transcript = wire.into_transcript();
            return;
        }
    }
    let Some(mut wire) = upgrade(wire, ctx, out, seen).await else {
        return;
    };
    // RFC 3207 §4.2: forget what EHLO said before TLS and ask again.
    let Some(caps) = smtp_ehlo(&mut wire, ctx, out).await else {
        seen.transcript = wire.into_transcript();
        return;
    };
    seen.after_tls = Some(caps.clone());
    smtp_finish(wire, caps, true, ctx, out, seen).await
}

async fn smtp_ehlo<S>(
    wire: &mut MailConnection<S>,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
) -> Option<Vec<String>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
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

async fn smtp_finish<S>(
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
        match smtp_login(&mut wire, login, &caps, in_tls, ctx.deadline).await {
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
        let _ = smtp::reply(&mut wire, steps::LOGOUT, ctx.deadline).await;
    }
    seen.transcript = wire.into_transcript();
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
