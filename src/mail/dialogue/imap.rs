//! The IMAP dialogue (RFC 3501): greeting, CAPABILITY, STARTTLS and
//! CAPABILITY again inside TLS (§6.2.1), ID (RFC 2971), the optional login
//! (AUTHENTICATE with SASL-IR, or LOGIN), LOGOUT.

use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};

use super::protocol::MailProtocol;
use super::{
    Ctx, DialogueOutcome, LoginResult, SeenInDialogue, attempted, has, login_allowed, mechanisms,
    not_attempted, record_failure,
};
use crate::mail::auth::{self, LoginRequest, Mechanism};
use crate::mail::codec::imap::{self, Completion, Imap, ImapResponse};
use crate::mail::connection::{MailConnection, StepFailure};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, Protocol, steps};

/// IMAP's side of the dialogue; what outlives the plaintext stream: the
/// next tag and the lines the decoder could not read.
#[derive(Default)]
pub(super) struct ImapProtocol {
    next_tag: u32,
    undecoded: Vec<String>,
}

impl MailProtocol for ImapProtocol {
    type Session<S: AsyncRead + AsyncWrite + Unpin> = Imap<S>;

    async fn greeting<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        wire: MailConnection<S>,
        greeting: &[u8],
        _ctx: &Ctx<'_>,
        _out: &mut DialogueOutcome,
        seen: &mut SeenInDialogue,
    ) -> Result<(Imap<S>, Option<Vec<String>>), Imap<S>> {
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
        Ok((session, greeting_caps))
    }

    /// `CAPABILITY`; falls back to the greeting's list when the command is
    /// refused.
    async fn capability<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Imap<S>,
        fallback: Option<Vec<String>>,
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
    ) -> Option<Vec<String>> {
        let answer = session
            .command("CAPABILITY", None, steps::CAPABILITY, ctx.deadline)
            .await;
        capabilities(answer, fallback, out)
    }

    /// Pipelined (RFC 3501 §5.5): `CAPABILITY`, `ID NIL` and `LOGOUT` in
    /// one flight when the greeting's list has `ID`; otherwise
    /// `CAPABILITY` first (its list decides whether `ID` is sent), then
    /// `ID NIL` and `LOGOUT` together.
    async fn closing<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Imap<S>,
        from_greeting: Option<Vec<String>>,
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
        seen: &mut SeenInDialogue,
    ) -> Option<Vec<String>> {
        let mut flight = Vec::new();
        let known = from_greeting.as_deref().is_some_and(|caps| has(caps, "ID"));
        let caps = match from_greeting {
            Some(caps) if known => {
                flight.push(("CAPABILITY", steps::CAPABILITY));
                caps
            }
            other => self.capability(session, other, ctx, out).await?,
        };
        let id = has(&caps, "ID");
        if id {
            flight.push(("ID NIL", steps::ID));
        }
        flight.push(("LOGOUT", steps::LOGOUT));
        let mut answers = session.pipeline(&flight, ctx.deadline).await.into_iter();
        let caps = if known {
            capabilities(answers.next()?, Some(caps), out)?
        } else {
            caps
        };
        if id {
            id_answer(answers.next()?, out, seen);
        }
        // LOGOUT's answer changes no fact.
        Some(caps)
    }

    fn advertises_upgrade(&self, caps: &[String]) -> bool {
        has(caps, "STARTTLS")
    }

    async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Imap<S>,
        ctx: &Ctx<'_>,
    ) -> Result<(bool, String), StepFailure> {
        session
            .command("STARTTLS", None, steps::STARTTLS, ctx.deadline)
            .await
            .map(|c| (c.ok(), c.line))
    }

    fn hand_over<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        mut session: Imap<S>,
        seen: &mut SeenInDialogue,
    ) -> MailConnection<S> {
        self.next_tag = session.next_tag();
        self.undecoded = std::mem::take(&mut session.undecoded);
        seen.undecoded = self.undecoded.clone();
        session.wire
    }

    fn resume<S: AsyncRead + AsyncWrite + Unpin>(&mut self, wire: MailConnection<S>) -> Imap<S> {
        let mut session = Imap::new(wire, self.next_tag);
        session.undecoded = std::mem::take(&mut self.undecoded);
        session
    }

    /// `ID NIL` when advertised: the server's identity without sending ours.
    async fn before_login<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Imap<S>,
        caps: &[String],
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
        seen: &mut SeenInDialogue,
    ) -> bool {
        if !has(caps, "ID") {
            return true;
        }
        let answer = session
            .command("ID NIL", None, steps::ID, ctx.deadline)
            .await;
        id_answer(answer, out, seen)
    }

    async fn login<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Imap<S>,
        login: &LoginRequest,
        caps: &[String],
        in_tls: bool,
        ctx: &Ctx<'_>,
    ) -> Result<LoginResult, StepFailure> {
        imap_login(session, login, caps, in_tls, ctx.deadline).await
    }

    async fn after_login<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Imap<S>,
        ctx: &Ctx<'_>,
        out: &mut DialogueOutcome,
    ) {
        if let Some(params) = &ctx.spec.survey {
            out.survey = Some(crate::mail::preflight::survey(session, params, ctx.deadline).await);
        }
    }

    fn login_broke_off(&self) -> Option<LoginResult> {
        Some(LoginResult {
            attempted: true,
            ok: None,
            mechanism: None,
            server_text: None,
            reason: Some("the login exchange did not complete; see errors".into()),
        })
    }

    /// A courtesy (RFC 3501 §6.1.3).
    async fn logout<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Imap<S>,
        ctx: &Ctx<'_>,
    ) {
        let _ = session
            .command("LOGOUT", None, steps::LOGOUT, ctx.deadline)
            .await;
    }

    fn close<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: Imap<S>,
        seen: &mut SeenInDialogue,
    ) {
        seen.undecoded = session.undecoded;
        seen.transcript = session.wire.into_transcript();
    }
}

/// The capabilities a `CAPABILITY` answer gives: its list, else the
/// greeting's (`fallback`); `None` when the connection failed (recorded).
fn capabilities(
    answer: Result<Completion, StepFailure>,
    fallback: Option<Vec<String>>,
    out: &mut DialogueOutcome,
) -> Option<Vec<String>> {
    match answer {
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

/// What an `ID NIL` answer says of the server; `false` when the
/// connection failed (recorded).
fn id_answer(
    answer: Result<Completion, StepFailure>,
    out: &mut DialogueOutcome,
    seen: &mut SeenInDialogue,
) -> bool {
    match answer {
        Ok(c) => {
            seen.id = c.untagged.iter().find_map(|r| match r {
                ImapResponse::Id(pairs) => Some(pairs.clone()),
                _ => None,
            });
            true
        }
        Err(f) => {
            record_failure(out, f);
            false
        }
    }
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
