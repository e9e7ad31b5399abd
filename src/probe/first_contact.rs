//! The mail dialogue's first contact: its TCP connect (on an implicit-TLS
//! port, after lending its slot to a client trial while the scan's first
//! answers name the engine) and the dialogue run over it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diagnosis::engine_choice;
use crate::mail::dialogue::{DialogueOutcome, DialogueSpec, EngineHint, Fallback, Hint};
use crate::net::{Connector, Slot};
use crate::observations::{Observations, steps};
use crate::tls::legacy::LegacyOffer;
use crate::vocab::Deadline;
use crate::vocab::Transport;

use super::login_gate;
use super::request::ProbeSpec;
use super::server_name;

/// How long the dialogue waits for the engine hint at most, the time its
/// slot is lent before it connects included (implicit TLS), beside twice
/// its connect's time: a server that leaves the scan's first hellos
/// unanswered longer costs the dialogue no more than this.
const HINT_WAIT: Duration = Duration::from_millis(1000);

/// TCP connect, then the mail dialogue (for implicit TLS: the real
/// handshake first; for STARTTLS: the plaintext dialogue, the upgrade and
/// the handshake inside it). See [`crate::mail::dialogue`].
///
/// Which engine the first handshake takes comes from the scan's first
/// answers (`engine_hints`), about two round trips in; the handshake
/// waits for them at most [`HINT_WAIT`] beside twice the connect's time (the
/// scan's hellos are answered about one round trip after their connects).
/// The slot is taken at once, so a server that holds the scan's
/// connections open cannot keep the dialogue from one. Over STARTTLS the
/// dialogue connects at once (the plaintext part needs no hint); on an
/// implicit-TLS port, whose first words are the handshake, it lends its
/// slot to a client trial until the hint is in ([`lend_while_hinted`]).
pub(super) async fn first_contact(
    spec: &ProbeSpec,
    connector: &Connector,
    trust: &Arc<crate::tls::trust::TrustStores>,
    deadline: Deadline,
    obs: &mut Observations,
    seen: &mut DialogueOutcome,
    (scan, modern, hint, lending): (
        tokio::sync::watch::Receiver<Option<LegacyOffer>>,
        crate::mail::dialogue::ModernSeen,
        tokio::sync::watch::Receiver<Option<EngineHint>>,
        Lender,
    ),
) {
    let lent_at = Instant::now();
    let mut t = lent_at;
    // On a silent port this connect gives up as soon as another of the
    // probe's connects has waited out the connect timeout (`net::Connector`).
    let connected = if spec.transport == Transport::Starttls {
        connector.connect(deadline).await
    } else {
        match connector.hold(deadline).await {
            Ok(slot) => {
                let slot = lend_while_hinted(slot, &hint, lending, deadline).await;
                t = Instant::now();
                match slot {
                    Some(slot) => connector.connect_on(slot, deadline).await,
                    None => connector.connect(deadline).await,
                }
            }
            Err(e) => Err(e),
        }
    };
    // The hint waited for while the slot was lent counts against its wait.
    let hint_wait = HINT_WAIT.saturating_sub(t.duration_since(lent_at));
    let stream = match connected {
        Ok(s) => s,
        Err(e) => {
            obs.connect.ok = false;
            obs.connect.error = Some(e.message.clone());
            obs.connect_error_kind = Some(e.kind);
            obs.error(steps::TCP_CONNECT, e.kind, e.message);
            return;
        }
    };
    let ms = t.elapsed().as_millis() as u64;
    obs.connect.ok = true;
    obs.connect.ms = Some(ms);
    obs.connect.address = stream.peer_addr().ok().map(|a| a.to_string());
    obs.timing_from(steps::TCP_CONNECT, t, ms);

    let dialogue = DialogueSpec {
        protocol: spec.protocol,
        transport: match spec.transport {
            Transport::Starttls => Transport::Starttls,
            Transport::Implicit | Transport::Auto => Transport::Implicit,
        },
        server_name: server_name(spec),
        login: spec.login.clone(),
        login_gate: login_gate::for_probe(spec, Arc::clone(trust)),
        survey: None,
    };
    let fallback = Fallback {
        connector,
        scan,
        retry: engine_choice::legacy_may_help,
        modern: Some(modern),
        hint: Some(Hint {
            engine: hint,
            wait: hint_wait + 2 * Duration::from_millis(ms),
        }),
    };
    crate::mail::dialogue::run_with(
        stream,
        &dialogue,
        connector.meter(),
        deadline,
        seen,
        Some(fallback),
    )
    .await;
}

/// The dialogue's ends of its lent slot: where it lends it, and its call
/// for it back.
type Lender = (
    tokio::sync::oneshot::Sender<Slot>,
    tokio::sync::watch::Sender<bool>,
);

/// The trials' ends of the dialogue's lent slot (see [`Lender`]).
pub(super) type Borrower = (
    tokio::sync::oneshot::Receiver<Slot>,
    tokio::sync::watch::Receiver<bool>,
);

/// On an implicit-TLS port the dialogue's first words are its handshake,
/// whose engine the hint names: while it waits for the hint (at most
/// [`HINT_WAIT`]), its slot serves one client trial, which is answered
/// about when the hint comes (both are first-round hellos). The slot comes
/// back when the trial is done; if it is not done twice as long after the
/// hint as the hint took, [`HINT_WAIT`] at most (at once when no hint came:
/// a server that answers nothing), it is recalled: the trial's connection is dropped and the
/// trial sent again later on a slot of its own. So the dialogue neither
/// holds an idle slot for two round trips nor waits on a server that
/// holds connections open.
async fn lend_while_hinted(
    slot: Slot,
    hint: &tokio::sync::watch::Receiver<Option<EngineHint>>,
    (lend, recall): Lender,
    deadline: Deadline,
) -> Option<Slot> {
    let started = Instant::now();
    let (lent, mut back) = slot.lend();
    // Not taken (no trial to send): dropped, it is back at once.
    if let Err(lent) = lend.send(lent) {
        drop(lent);
    }
    let mut known = hint.clone();
    let hinted = deadline
        .within(HINT_WAIT)
        .run(known.wait_for(Option::is_some))
        .await
        .is_ok_and(|r| r.is_ok());
    // Twice the hint's time (at most HINT_WAIT): a trial slowed by a busy
    // server (Dovecot starting a login process per connection on a loaded
    // host) is usually answered within it, and a recall costs a connection.
    let grace = if hinted {
        (started.elapsed() * 2).min(HINT_WAIT)
    } else {
        Duration::ZERO
    };
    if let Ok(Ok(slot)) = deadline.within(grace).run(&mut back).await {
        return Some(slot);
    }
    recall.send_replace(true);
    // The lent slot is sent back whenever it is dropped, and the recall
    // drops the trial's connection; bounded all the same (`None`: the
    // dialogue waits for a slot of its own).
    deadline.run(back).await.ok().and_then(Result::ok)
}
