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
        // The preflight pipeline takes the survey out before filing.
        survey: _,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::dialogue::MailSeen;
    use crate::report::Target;
    use crate::vocab::{ErrorKind, Protocol, Transport, steps};

    fn obs() -> Observations {
        let target = Target {
            host: "mail.example".into(),
            port: 993,
            protocol: Protocol::Imap,
            transport: Transport::Implicit,
            addresses: vec!["192.0.2.1".into()],
            sni: None,
        };
        Observations::new(target, time::OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn the_legacy_chain_is_kept_apart_and_stands_in_only_when_none_was_seen() {
        let mut o = obs();
        let mut out = DialogueOutcome {
            legacy_chain: Some(vec![b"legacy".to_vec()]),
            ..DialogueOutcome::default()
        };
        out.errors.push(crate::mail::dialogue::StepFault {
            step: steps::TLS_HANDSHAKE,
            kind: ErrorKind::Tls,
            message: "modern refused".into(),
        });
        record(&mut o, out);
        assert_eq!(o.chain_der, [b"legacy".to_vec()]);
        assert_eq!(o.chains.len(), 1);
        assert_eq!(o.chains[0].path, "legacy");
        assert_eq!(
            o.error_of(steps::TLS_HANDSHAKE).unwrap().kind,
            ErrorKind::Tls
        );

        let mut o = obs();
        o.chain_der = vec![b"earlier".to_vec()];
        let out = DialogueOutcome {
            legacy_chain: Some(vec![b"legacy".to_vec()]),
            ..DialogueOutcome::default()
        };
        record(&mut o, out);
        assert_eq!(o.chain_der, [b"earlier".to_vec()]);

        let mut o = obs();
        o.chain_der = vec![b"earlier".to_vec()];
        let out = DialogueOutcome {
            modern_chain: Some(vec![b"modern".to_vec()]),
            mail: MailSeen {
                greeting: Some("* OK hi".into()),
                ..MailSeen::default()
            },
            ..DialogueOutcome::default()
        };
        record(&mut o, out);
        assert_eq!(o.chain_der, [b"modern".to_vec()]);
        assert!(o.chains.is_empty());
        assert_eq!(o.mail.greeting.as_deref(), Some("* OK hi"));
    }
}
