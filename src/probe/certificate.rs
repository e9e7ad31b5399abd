//! The certificate steps of the pipeline: it records what the real
//! handshakes saw, judges the chains observed (trust path and name match, by
//! the pure judgement in `tls::chain` and `tls::name`), and decides whether a
//! missing intermediate is fetched (by the AIA engine, [`super::aia`]) and
//! whether what was fetched completes a trusted path. The engines only carry
//! out the handshakes and the fetch.

use time::OffsetDateTime;

use super::aia::{self, AiaLimits};
use super::outbound::OutboundGate;
use super::real_tls::RealHandshakes;
use super::request::ProbeSpec;
use crate::diagnosis::Evidence;
use crate::observations::{Observations, ObservedChain, steps};
use crate::tls::chain::{self, Inputs};
use crate::tls::name::ReferenceId;
use crate::tls::trust::TrustStores;
use crate::vocab::TlsVersion;
use crate::vocab::host::Host;

/// Writes the versioned handshakes into the observations. When the mail
/// dialogue's own TCP connect already failed, the attempts' connect failures
/// only repeat it: they stay in `tls.handshakes[]` but not in `errors[]`.
pub fn record_handshakes(obs: &mut Observations, runs: RealHandshakes) {
    let connect_failed = obs.error_of(steps::TCP_CONNECT).is_some();
    if let Some(run) = runs.without_sni
        && !run.chain.is_empty()
    {
        obs.chains.push(ObservedChain {
            path: "no_sni".into(),
            der: run.chain,
        });
    }
    for run in runs.versioned {
        let (step, path) = match run.attempt.offered {
            TlsVersion::Tls12 => (steps::TLS12_HANDSHAKE, "tls12"),
            _ => (steps::TLS13_HANDSHAKE, "tls13"),
        };
        if let Some(h) = &run.attempt.handshake {
            match run.handshake_started {
                Some(started) => obs.timing_from(step, started, h.ms),
                None => obs.timing(step, h.ms),
            }
        }
        if obs.ocsp_staple.is_none() {
            obs.ocsp_staple = run.ocsp;
        }
        if let Some((kind, message)) = run.step_error
            && !(connect_failed && run.connect_failed)
        {
            obs.error(step, kind, message);
        }
        if !run.chain.is_empty() {
            obs.chains.push(ObservedChain {
                path: path.to_string(),
                der: run.chain,
            });
        }
        obs.tls.handshakes.push(run.attempt);
    }
}

/// The certificate analysis over whatever chains the probe observed. The
/// chain analysed is the modern handshake's, else the first other path
/// that saw one (TLS 1.3, TLS 1.2, the wire scanner); every path's chain is
/// compared.
pub fn record_certificate(
    obs: &mut Evidence,
    spec: &ProbeSpec,
    stores: &TrustStores,
    now: OffsetDateTime,
) {
    // `chain_der` is the mail dialogue's modern handshake's chain when that
    // handshake completed; otherwise another path (the wire scanner) put it
    // there and lists it under its own name in `chains`.
    let mut observed = Vec::with_capacity(obs.chains.len() + 1);
    if !obs.chain_der.is_empty()
        && obs.tls.handshake.is_some()
        && !obs.chains.iter().any(|c| c.path == "modern")
    {
        observed.push(ObservedChain {
            path: "modern".into(),
            der: obs.chain_der.clone(),
        });
    }
    observed.extend(obs.chains.iter().filter(|c| !c.der.is_empty()).cloned());
    if obs.chain_der.is_empty()
        && let Some(first) = observed.first()
    {
        obs.chain_der = first.der.clone();
    }
    if obs.chain_der.is_empty() {
        return;
    }
    let reference = reference_id(spec);
    let ocsp_stapled = obs
        .tls
        .handshake
        .as_ref()
        .and_then(|h| h.ocsp_stapled)
        .or_else(|| {
            obs.tls
                .handshakes
                .iter()
                .filter_map(|a| a.handshake.as_ref()?.ocsp_stapled)
                .reduce(|a, b| a || b)
        });
    let certificate = chain::analyse(Inputs {
        chain: &obs.chain_der,
        observed: &observed,
        reference: &reference,
        stores,
        request_anchors: &spec.ca_anchors,
        ocsp_stapled: ocsp_stapled.or(obs.ocsp_staple.as_ref().map(|_| true)),
        ocsp_response: obs.ocsp_staple.as_deref(),
        now,
    });
    obs.certificate = Some(certificate);
}

/// RFC 7817 §3: the reference identity is the name the client was
/// configured with; here the request's `sni`, else its host.
pub fn reference_id(spec: &ProbeSpec) -> ReferenceId {
    match (&spec.sni, &spec.host) {
        (Some(sni), _) => ReferenceId::Dns(sni.clone()),
        (None, Host::Name(n)) => ReferenceId::Dns(n.clone()),
        (None, Host::Ip(ip)) => ReferenceId::Ip(*ip),
    }
}

/// When the server left out its intermediate and the top certificate names a
/// caIssuers URL, fetches it (as SChannel would) and records whether it
/// completes a valid path; the chain's own trust facts stay as sent.
pub async fn complete_chain(
    obs: &mut Evidence,
    spec: &ProbeSpec,
    stores: &TrustStores,
    gate: &OutboundGate,
) {
    let incomplete = obs
        .certificate
        .as_ref()
        .is_some_and(|c| c.chain_incomplete());
    if !incomplete {
        return;
    }
    // The top certificate sent is the one whose issuer is missing (for a leaf
    // alone, the leaf).
    let Some(url) = obs
        .chain_der
        .iter()
        .rev()
        .find_map(|der| crate::tls::cert::ca_issuers_url(der))
    else {
        return;
    };
    let result = aia::fetch_ca_issuers(&url, gate, AiaLimits::default()).await;
    let (completes, error) = match result {
        Ok(body) => match aia::first_certificate(&body) {
            Some(issuer) => {
                let mut chain = obs.chain_der.clone();
                chain.push(issuer);
                let reference = reference_id(spec);
                let c = chain::analyse(Inputs {
                    chain: &chain,
                    observed: &[],
                    reference: &reference,
                    stores,
                    request_anchors: &spec.ca_anchors,
                    ocsp_stapled: None,
                    ocsp_response: None,
                    now: time::OffsetDateTime::now_utc(),
                });
                let ok = c.trust_store.is_some();
                let why = (!ok).then(|| {
                    format!(
                        "the fetched certificate does not complete a trusted path ({})",
                        c.trust_error.unwrap_or_default()
                    )
                });
                (Some(ok), why)
            }
            None => (
                Some(false),
                Some("the answer holds no DER or PEM certificate".to_string()),
            ),
        },
        Err(e) => (Some(false), Some(e.to_string())),
    };
    if let Some(cert) = obs.certificate.as_mut() {
        cert.aia_ca_issuers = Some(url);
        cert.aia_completes_chain = completes;
        cert.aia_error = error;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Target;
    use crate::vocab::{Protocol, Transport};
    use rcgen::{CertificateParams, KeyPair};

    /// Built through validation, as the service builds it, so new request
    /// fields need no change here.
    fn spec(host: &str, sni: Option<&str>) -> ProbeSpec {
        use clap::Parser;
        #[derive(Parser)]
        struct W {
            #[command(flatten)]
            s: crate::config::Settings,
        }
        let settings = W::parse_from(["x"]).s;
        crate::probe::request::ProbeRequest {
            host: host.into(),
            sni: sni.map(str::to_string),
            ..Default::default()
        }
        .validate(&settings)
        .unwrap()
    }

    fn obs() -> Evidence {
        Evidence::new(Observations::new(
            Target {
                host: "mail.example.com".into(),
                port: 993,
                protocol: Protocol::Imap,
                transport: Transport::Implicit,
                addresses: vec![],
                sni: None,
            },
            OffsetDateTime::now_utc(),
        ))
    }

    fn self_signed(name: &str) -> Vec<u8> {
        let key = KeyPair::generate().unwrap();
        CertificateParams::new(vec![name.to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .der()
            .to_vec()
    }

    #[test]
    fn reference_is_the_sni_else_the_host() {
        assert_eq!(
            reference_id(&spec("127.0.0.1", Some("mail.example.com"))),
            ReferenceId::Dns("mail.example.com".into())
        );
        assert_eq!(
            reference_id(&spec("127.0.0.1", None)),
            ReferenceId::Ip("127.0.0.1".parse().unwrap())
        );
        assert_eq!(
            reference_id(&spec("Mail.Example.com", None)),
            ReferenceId::Dns("mail.example.com".into())
        );
    }

    /// Given a TLS 1.0-only server, no rustls handshake gets a chain, but
    /// the wire scanner reads it in clear: the analysis runs on that chain.
    #[test]
    fn a_chain_only_the_scanner_saw_is_analysed() {
        let mut o = obs();
        let leaf = self_signed("mail.example.com");
        o.chains.push(ObservedChain {
            path: "scanner".into(),
            der: vec![leaf.clone()],
        });
        let s = spec("mail.example.com", None);
        record_certificate(
            &mut o,
            &s,
            &TrustStores::default(),
            OffsetDateTime::now_utc(),
        );
        let c = o.certificate.clone().expect("analysed");
        assert_eq!(o.chain_der, vec![leaf]);
        assert_eq!(c.name_match, Some(true));
        assert_eq!(c.trusted, Some(false));
        assert_eq!(c.trust_reason.as_deref(), Some("unknown_issuer"));
        assert_eq!(c.paths.len(), 1);
        assert_eq!(c.paths[0].path, "scanner");
        assert_eq!(c.chains_differ, None);
    }

    #[test]
    fn a_modern_chain_not_listed_is_labelled_and_compared() {
        let mut o = obs();
        o.chain_der = vec![self_signed("mail.example.com")];
        o.tls.handshake = Some(crate::report::Handshake {
            version: TlsVersion::Tls13,
            suite: crate::tls::suite_info(0x1301),
            group: None,
            alpn: None,
            ocsp_stapled: Some(false),
            ms: 1,
        });
        o.chains.push(ObservedChain {
            path: "tls12".into(),
            der: vec![self_signed("mail.example.com")],
        });
        let s = spec("mail.example.com", None);
        record_certificate(
            &mut o,
            &s,
            &TrustStores::default(),
            OffsetDateTime::now_utc(),
        );
        let c = o.certificate.clone().expect("analysed");
        let paths: Vec<&str> = c.paths.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["modern", "tls12"]);
        assert_eq!(c.chains_differ, Some(true));
    }

    /// The scanner copies its chain into `chain_der` when no real handshake
    /// completed; it is then not mistaken for the modern client's.
    #[test]
    fn a_scanner_chain_in_chain_der_is_not_labelled_modern() {
        let mut o = obs();
        let leaf = self_signed("mail.example.com");
        o.chain_der = vec![leaf.clone()];
        o.chains.push(ObservedChain {
            path: "scanner".into(),
            der: vec![leaf],
        });
        let s = spec("mail.example.com", None);
        record_certificate(
            &mut o,
            &s,
            &TrustStores::default(),
            OffsetDateTime::now_utc(),
        );
        let c = o.certificate.clone().expect("analysed");
        let paths: Vec<&str> = c.paths.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["scanner"]);
    }

    #[test]
    fn no_chain_no_certificate() {
        let mut o = obs();
        record_certificate(
            &mut o,
            &spec("mail.example.com", None),
            &TrustStores::default(),
            OffsetDateTime::now_utc(),
        );
        assert!(o.certificate.is_none());
    }
}
