//! The IMAP dialogue (RFC 3501): greeting, CAPABILITY, STARTTLS and
//! CAPABILITY again inside TLS (§6.2.1), ID (RFC 2971), the optional login
//! (AUTHENTICATE with SASL-IR, or LOGIN), LOGOUT.

use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{
    Ctx, DialogueOutcome, LoginResult, SeenInDialogue, Upgrade, attempted, has, login_allowed,
    mechanisms, not_attempted, record_failure, record_starttls, upgrade, withheld,
};
use crate::mail::auth::{self, LoginRequest, Mechanism};
use crate::mail::codec::imap::{self, Imap, ImapResponse};
use crate::mail::connection::{MailConnection, StepFailure};
use crate::net::Deadline;
use crate::vocab::{ErrorKind, Protocol, steps};

pub(super) async fn imap_dialogue<S>(
    wire: MailConnection<S>,
    greeting: &[u8],
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    seen.greeting = vec![wire.shown(greeting)];
    let mut session = Imap::new(wire, 1);
    let mut framed = greeting.to_vec();
    framed.extend_from_slice(b"\r\n");
    let greeting_caps = match imap::decode_greeting(&framed) {
        Some(d) => {
            if !d.by_codec {
                session.undecoded.push(seen.greeting[0].clone());
            }
            match d.reply {
                ImapResponse::Status { capabilities, .. } => capabilities,
                _ => None,
            }
        }
        None => {
            session.undecoded.push(seen.greeting[0].clone());
            None
        }
    };
    let Some(caps) = imap_capability(&mut session, greeting_caps, ctx, out).await else {
        return imap_close(session, seen);
    };
    if in_tls {
        seen.after_tls = Some(caps.clone());
        return imap_finish(session, caps, true, ctx, out, seen).await;
    }
    seen.before_tls = Some(caps.clone());
    let advertised = has(&caps, "STARTTLS");
    // Sent even when not advertised: a server that accepts it anyway is a
    // fact worth reporting (and what imapsync and Thunderbird would find).
    let answer = session
        .command("STARTTLS", None, steps::STARTTLS, ctx.deadline)
        .await
        .map(|c| (c.ok(), c.line));
    match record_starttls(out, advertised, answer) {
        Upgrade::Proceed => {}
        Upgrade::Refused => return imap_finish(session, caps, false, ctx, out, seen).await,
        Upgrade::Failed => return imap_close(session, seen),
    }
    let next_tag = session.next_tag();
    let undecoded = std::mem::take(&mut session.undecoded);
    seen.undecoded = undecoded.clone();
    let Some(wire) = upgrade(session.wire, ctx, out, seen).await else {
        return;
    };
    let mut session = Imap::new(wire, next_tag);
    session.undecoded = undecoded;
    // RFC 3501 §6.2.1: capabilities learnt before TLS MUST be discarded.
    let Some(caps) = imap_capability(&mut session, None, ctx, out).await else {
        return imap_close(session, seen);
    };
    seen.after_tls = Some(caps.clone());
    imap_finish(session, caps, true, ctx, out, seen).await
}

fn imap_close<S: AsyncRead + AsyncWrite + Unpin>(session: Imap<S>, seen: &mut SeenInDialogue) {
    seen.undecoded = session.undecoded;
    seen.transcript = session.wire.into_transcript();
}

/// `CAPABILITY`; falls back to the greeting's list when the command is
/// refused. `None`: the connection is unusable.
async fn imap_capability<S>(
    session: &mut Imap<S>,
    fallback: Option<Vec<String>>,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
) -> Option<Vec<String>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match session
        .command("CAPABILITY", None, steps::CAPABILITY, ctx.deadline)
        .await
    {
        Ok(c) if c.ok() => c.capabilities().or(fallback).or(Some(Vec::new())),
        Ok(c) => {
            out.error(
                steps::CAPABILITY,
                ErrorKind::Protocol,
                format!("CAPABILITY refused: {}", c.line),
            );
            Some(fallback.unwrap_or_default())
        }
        Err(f) => {
            record_failure(out, f);
            None
        }
    }
}

async fn imap_finish<S>(
    mut session: Imap<S>,
    caps: Vec<String>,
    in_tls: bool,
    ctx: &Ctx<'_>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let dl = ctx.deadline;
    if has(&caps, "ID") {
        // `ID NIL`: ask for the server's identity without sending ours.
        match session.command("ID NIL", None, steps::ID, dl).await {
            Ok(c) => {
                seen.id = c.untagged.iter().find_map(|r| match r {
                    ImapResponse::Id(pairs) => Some(pairs.clone()),
                    _ => None,
                });
            }
            Err(f) => {
                record_failure(out, f);
                return imap_close(session, seen);
            }
        }
    }
    if let Some(login) = &ctx.spec.login
        && !withheld(ctx, out, in_tls)
    {
        let result = match imap_login(&mut session, login, &caps, in_tls, dl).await {
            Ok(r) => r,
            Err(f) => {
                record_failure(out, f);
                out.mail.login = Some(LoginResult {
                    attempted: true,
                    ok: None,
                    mechanism: None,
                    server_text: None,
                    reason: Some("the login exchange did not complete; see errors".into()),
                });
                return imap_close(session, seen);
            }
        };
        out.mail.login = Some(result);
    }
    // A courtesy (RFC 3501 §6.1.3); its answer changes no fact.
    let _ = session.command("LOGOUT", None, steps::LOGOUT, dl).await;
    imap_close(session, seen);
}

async fn imap_login<S>(
    session: &mut Imap<S>,
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
    let mechs = mechanisms(Protocol::Imap, caps);
    let mech = match auth::choose(
        Protocol::Imap,
        &login.secret,
        &mechs,
        has(caps, "LOGINDISABLED"),
    ) {
        Ok(m) => m,
        Err(reason) => return Ok(not_attempted(format!("not attempted: {reason}"))),
    };
    let completion = match mech {
        Mechanism::Login => {
            let text = format!(
                "LOGIN {} {}",
                auth::imap_quoted(&login.username),
                auth::imap_quoted(auth::secret_value(login))
            );
            let shown = format!("LOGIN {} [password]", auth::imap_quoted(&login.username));
            session
                .command(&text, Some(&shown), steps::LOGIN, dl)
                .await?
        }
        Mechanism::Plain | Mechanism::XOAuth2 => {
            imap_authenticate(session, mech, login, has(caps, "SASL-IR"), dl).await?
        }
    };
    Ok(attempted(
        Protocol::Imap,
        mech,
        completion.ok(),
        completion.line,
    ))
}

/// `AUTHENTICATE` (RFC 3501 §6.2.2), with the initial response on the
/// command line when SASL-IR (RFC 4959) is offered. A second challenge
/// (XOAUTH2 sends its error as one) is answered with an empty line.
async fn imap_authenticate<S>(
    session: &mut Imap<S>,
    mech: Mechanism,
    login: &LoginRequest,
    sasl_ir: bool,
    dl: Deadline,
) -> Result<imap::Completion, StepFailure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let name = mech.label(Protocol::Imap);
    let ir = auth::sasl_initial_response(mech, login);
    let tag = session.take_tag();
    let mut sent = sasl_ir;
    if sasl_ir {
        let line = format!("{tag} AUTHENTICATE {name} {}\r\n", ir.expose_secret());
        let shown = format!("{tag} AUTHENTICATE {name} [credentials]");
        session
            .wire
            .send(line.as_bytes(), &shown, steps::LOGIN, dl)
            .await?;
    } else {
        let line = format!("{tag} AUTHENTICATE {name}");
        session.wire.command(&line, steps::LOGIN, dl).await?;
    }
    let mut untagged = Vec::new();
    for _ in 0..50 {
        let (decoded, bytes) = session.read_response(steps::LOGIN, dl).await?;
        match decoded.reply {
            ImapResponse::Continuation if !sent => {
                let line = format!("{}\r\n", ir.expose_secret());
                session
                    .wire
                    .send(line.as_bytes(), "[credentials]", steps::LOGIN, dl)
                    .await?;
                sent = true;
            }
            ImapResponse::Continuation => {
                session.wire.send(b"\r\n", "", steps::LOGIN, dl).await?;
            }
            ImapResponse::Status {
                tag: Some(t),
                condition,
                capabilities,
                ..
            } if t.eq_ignore_ascii_case(&tag) => {
                return Ok(imap::Completion {
                    untagged,
                    condition,
                    capabilities,
                    line: session.wire.shown(&bytes[..bytes.len().saturating_sub(2)]),
                });
            }
            other => untagged.push(other),
        }
    }
    Err(StepFailure::new(
        steps::LOGIN,
        ErrorKind::Limit,
        "AUTHENTICATE did not complete within 50 responses",
    ))
}
