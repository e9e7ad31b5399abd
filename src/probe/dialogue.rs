//! Files what the mail dialogue learnt ([`DialogueOutcome`]) into the
//! [`Observations`]: the engine returns, the pipeline records.

use crate::mail::dialogue::DialogueOutcome;
use crate::observations::{Observations, ObservedChain};

/// Writes `outcome` into `obs`, in the order the dialogue met things:
/// errors and timings after what `obs` already holds, the modern
/// handshake's chain as the chain of record, the legacy one's beside it.
pub fn record(obs: &mut Observations, outcome: DialogueOutcome) {
    let DialogueOutcome {
        mail,
        service,
        handshake,
        modern_chain,
        legacy_chain,
        errors,
        timings,
    } = outcome;
    for t in timings {
        obs.timing_from(t.step, t.started, t.ms);
    }
    for e in errors {
        obs.error(e.step, e.kind, e.message);
    }
    if let Some(chain) = modern_chain {
        obs.chain_der = chain;
    }
    if let Some(chain) = legacy_chain {
        if obs.chain_der.is_empty() {
            obs.chain_der = chain.clone();
        }
        obs.chains.push(ObservedChain {
            path: "legacy".into(),
            der: chain,
        });
    }
    if handshake.is_some() {
        obs.tls.handshake = handshake;
    }
    if service.is_some() {
        obs.service = service;
    }
    obs.mail = mail;
}
