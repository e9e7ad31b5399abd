//! The login gate a probe hands its mail dialogue (any engine): it judges
//! the chain the dialogue's TLS session presented, with the probe's trust
//! stores and reference identity, and asks the one pure decision,
//! [`crate::diagnosis::credentials::may_send_credentials`] (issue 15).

use std::sync::Arc;

use rustls::pki_types::TrustAnchor;
use time::OffsetDateTime;

use super::certificate::reference_id;
use super::request::ProbeSpec;
use crate::diagnosis::credentials::{LoginConnection, may_send_credentials};
use crate::mail::dialogue::{LoginAsk, LoginGate};
use crate::tls::chain::{self, Inputs};
use crate::tls::trust::TrustStores;

/// The gate for `spec`'s login, trusting what the probe trusts: the
/// Mozilla roots, the configured bundle and the request's `ca_bundle_pem`.
pub fn for_probe(spec: &ProbeSpec, stores: Arc<TrustStores>) -> LoginGate {
    let reference = reference_id(spec);
    let anchors: Arc<[TrustAnchor<'static>]> = spec.ca_anchors.clone().into();
    let (allow_plaintext, allow_untrusted) = spec
        .login
        .as_ref()
        .map_or((false, false), |l| (l.allow_plaintext, l.allow_untrusted));
    LoginGate::new(move |ask: &LoginAsk<'_>| {
        let judged = (ask.encrypted && !ask.chain.is_empty()).then(|| {
            chain::analyse(Inputs {
                chain: ask.chain,
                observed: &[],
                reference: &reference,
                stores: &stores,
                request_anchors: &anchors,
                ocsp_stapled: None,
                ocsp_response: None,
                now: OffsetDateTime::now_utc(),
            })
        });
        may_send_credentials(&LoginConnection {
            encrypted: ask.encrypted,
            trusted: judged.as_ref().and_then(|c| c.trusted),
            name_match: judged.as_ref().and_then(|c| c.name_match),
            trust_reason: judged.as_ref().and_then(|c| c.trust_reason.as_deref()),
            allow_plaintext,
            allow_untrusted,
        })
    })
}
