//! A client's certificate and key rules against the server's certificate:
//! key sizes, DH size, SHA-1, validity, trust (a missing intermediate apart:
//! SChannel builds the path from AIA), and the host name.

use crate::tls::suites::KeyExchange;

use super::profiles::{ClientProfile, Failure, Rule};
use super::server::{self, ServerView};
use crate::report::Certificate;

/// Certificate and key checks after the handshake; each hit is (failure, rule, reason).
pub(super) fn certificate_checks(
    view: &ServerView,
    profile: &ClientProfile,
    suite: Option<u16>,
) -> Vec<(Failure, Rule, String)> {
    let obs = view.obs;
    let mut out = key_checks(view, profile, suite);
    let rules = &profile.cert;
    if let Some(cert) = &obs.certificate {
        let leaf = cert.chain.first();
        if let Some((true, what)) = server::validity(obs) {
            out.push((
                Failure::Expired,
                rules.expiry,
                format!("the certificate {what}"),
            ));
        }
        if cert.trusted == Some(false) {
            out.extend(trust_check(cert, profile));
        }
        if cert.name_match == Some(false) {
            let names = leaf
                .map(|l| super::cert_names_shown(&l.sans))
                .unwrap_or_default();
            let reference = obs
                .target
                .sni
                .clone()
                .unwrap_or_else(|| obs.target.host.clone());
            out.push((
                Failure::NameMismatch,
                rules.name,
                format!(
                    "the certificate names {} but not {reference}",
                    if names.is_empty() {
                        "no DNS name".to_string()
                    } else {
                        names
                    }
                ),
            ));
        }
    }
    out
}

/// Key sizes (RSA, EC, DHE) and SHA-1 signatures against the client's minimums.
fn key_checks(
    view: &ServerView,
    profile: &ClientProfile,
    suite: Option<u16>,
) -> Vec<(Failure, Rule, String)> {
    let obs = view.obs;
    let mut out = Vec::new();
    let rules = &profile.cert;
    if let (Some(min), Some(bits)) = (rules.min_rsa_bits, view.rsa_bits())
        && bits < min
    {
        out.push((
            Failure::CertKeyTooSmall,
            rules.key_size,
            format!(
                "the certificate's RSA key is {bits} bits; {} requires at least {min}",
                profile.short
            ),
        ));
    }
    if let (Some(min), Some(true), Some(leaf)) = (rules.min_ec_bits, view.leaf_is_ec(), view.leaf())
        && let Some(bits) = leaf.key_bits
        && bits < min
    {
        out.push((
            Failure::CertKeyTooSmall,
            rules.key_size,
            format!(
                "the certificate's EC key is {bits} bits; {} requires at least {min}",
                profile.short
            ),
        ));
    }
    if let (Some(min), Some(bits), Some(s)) = (profile.min_dh_bits, obs.tls.dh_bits, suite)
        && server::kx(s) == Some(KeyExchange::Dhe)
        && bits < min
    {
        out.push((
            Failure::DhTooSmall,
            Rule::Enforced,
            format!(
                "the server's DHE group is {bits} bits; {} requires at least {min}",
                profile.short
            ),
        ));
    }
    let sha1 = server::sha1_signed(obs);
    if !sha1.is_empty() {
        let who: Vec<String> = sha1
            .iter()
            .map(|c| format!("{} ({})", c.subject, c.signature_algorithm))
            .collect();
        out.push((
            Failure::Sha1Certificate,
            rules.sha1,
            format!("the chain is signed with SHA-1: {}", who.join("; ")),
        ));
    }
    out
}

/// An untrusted chain: a missing intermediate is weighed against the
/// client's AIA fetching; anything else is plainly untrusted. `None` when the
/// client builds the path from AIA and the probe did so too.
fn trust_check(cert: &Certificate, profile: &ClientProfile) -> Option<(Failure, Rule, String)> {
    let rules = &profile.cert;
    let why = if cert.self_signed == Some(true) {
        "the certificate is self-signed".to_string()
    } else {
        format!(
            "the certificate chain is not trusted{}",
            cert.trust_error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        )
    };
    if !cert.chain_incomplete() {
        return Some((Failure::Untrusted, rules.trust, why));
    }
    // An intermediate is missing. SChannel fetches it from the leaf's AIA
    // caIssuers URL; OpenSSL and Java by default do not.
    let aia = (cert.aia_ca_issuers.as_deref(), cert.aia_completes_chain);
    match (rules.aia_fetch, aia) {
        // It builds the path from AIA, and the probe did so too.
        (Some(true), (Some(_), Some(true))) => None,
        (Some(true), (Some(url), Some(false))) => Some((
            Failure::IncompleteChain,
            rules.trust,
            format!(
                "{why}; {} fetches a missing intermediate from the AIA caIssuers URL, but {url} does not complete the path ({})",
                profile.short,
                cert.aia_error.as_deref().unwrap_or("no certificate")
            ),
        )),
        (Some(true), _) => Some((
            Failure::IncompleteChain,
            Rule::Prompt,
            format!(
                "{why}; {} fetches a missing intermediate from the certificate's AIA caIssuers URL, so it connects only if the leaf names one that answers",
                profile.short
            ),
        )),
        (fetch, _) => Some((
            Failure::IncompleteChain,
            if fetch == Some(false) {
                rules.trust
            } else {
                Rule::Unknown
            },
            format!(
                "{why}; {} does not fetch missing intermediates",
                profile.short
            ),
        )),
    }
}
