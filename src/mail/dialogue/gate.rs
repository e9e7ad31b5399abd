//! The login gate: the pipeline's decision, asked by the dialogue just
//! before it would send credentials.

use super::{Ctx, DialogueOutcome, not_attempted};

/// What the dialogue knows about its connection when it is about to log in.
#[derive(Debug, Clone, Copy)]
pub struct LoginAsk<'a> {
    /// The dialogue runs inside TLS.
    pub encrypted: bool,
    /// The chain the server presented in that TLS session, leaf first.
    pub chain: &'a [Vec<u8>],
}

type GateFn = dyn Fn(&LoginAsk<'_>) -> Result<(), String> + Send + Sync;

/// The login gate: `Ok` to send credentials, else the reason recorded as
/// `mail.login.reason` (the login is then not attempted).
#[derive(Clone)]
pub struct LoginGate(std::sync::Arc<GateFn>);

impl LoginGate {
    pub fn new(
        decide: impl Fn(&LoginAsk<'_>) -> Result<(), String> + Send + Sync + 'static,
    ) -> LoginGate {
        LoginGate(std::sync::Arc::new(decide))
    }

    /// Any connection may carry credentials: for tests of the dialogue
    /// itself, never for a probe a caller asked for.
    pub fn allow_any() -> LoginGate {
        LoginGate::new(|_| Ok(()))
    }

    pub fn decide(&self, ask: &LoginAsk<'_>) -> Result<(), String> {
        (self.0)(ask)
    }
}

impl std::fmt::Debug for LoginGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginGate")
    }
}

/// Asks the gate; when it refuses, records the login as not attempted and
/// returns `true`.
pub(super) fn withheld(ctx: &Ctx<'_>, out: &mut DialogueOutcome, in_tls: bool) -> bool {
    let ask = LoginAsk {
        encrypted: in_tls,
        chain: out.chain(),
    };
    match ctx.spec.login_gate.decide(&ask) {
        Ok(()) => false,
        Err(reason) => {
            out.mail.login = Some(not_attempted(reason));
            true
        }
    }
}
