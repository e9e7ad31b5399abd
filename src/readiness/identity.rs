//! RFC 7817 §3 for a discovered host: a pure function of an endpoint's
//! Report and what discovery found. A client that was given the host name
//! checks the certificate against that name; one that starts from the
//! email domain and looks up SRV records checks the *domain* (DNS-ID
//! `example.com` or SRV-ID `_imaps.example.com`), because an unsigned SRV
//! answer cannot vouch for the target host. A certificate can satisfy one
//! kind of client and not the other, and the report says which.

use super::model::{Discovery, EndpointResult, IdentityCheck};
use crate::tls::cert::presented_from_sans;
use crate::tls::name::check_source_domain;

/// The SRV service label (RFC 6186, RFC 8314 for `submissions`) a client
/// would look up for an endpoint; none for the SMTP relay and HTTPS.
pub fn srv_service(endpoint: &str) -> Option<&'static str> {
    match endpoint {
        "imap_implicit" => Some("imaps"),
        "imap_starttls" => Some("imap"),
        "pop3_implicit" => Some("pop3s"),
        "pop3_starttls" => Some("pop3"),
        "submission" => Some("submission"),
        "smtps" => Some("submissions"),
        _ => None,
    }
}

/// The identity check of one endpoint of `host`, found by `discovery`;
/// `None` when the endpoint showed no certificate.
pub fn check(
    endpoint: &EndpointResult,
    host: &str,
    discovery: &Discovery,
) -> Option<IdentityCheck> {
    let cert = endpoint.report.as_ref()?.tls.certificate.as_ref()?;
    let leaf = cert.chain.first()?;
    let domain = discovery.domain.as_str();
    let service = srv_service(&endpoint.name);
    let presented = presented_from_sans(&leaf.sans);
    let by_domain = check_source_domain(domain, service, &presented);
    let srv_id = service.map(|s| format!("_{s}.{domain}"));
    let found_by_srv = service.is_some_and(|s| {
        let query = format!("_{s}._tcp.{domain}");
        discovery.lookups.iter().any(|l| {
            l.kind == "srv"
                && l.query.eq_ignore_ascii_case(&query)
                && l.hosts.iter().any(|h| h.host.eq_ignore_ascii_case(host))
        })
    });
    let host_match = cert.name_match;
    let domain_ok = by_domain.dns_id.is_some() || by_domain.srv_id.is_some();
    let domain_ids = match (&by_domain.dns_id, &by_domain.srv_id) {
        (Some(d), Some(s)) => format!("DNS-ID {d} and SRV-ID {s}"),
        (Some(d), None) => format!("DNS-ID {d}"),
        (None, Some(s)) => format!("SRV-ID {s}"),
        (None, None) => String::new(),
    };
    let how = if found_by_srv {
        "found through SRV"
    } else {
        "not named by this service's SRV record"
    };
    let meaning = match (host_match, domain_ok) {
        (Some(true), true) => format!(
            "The certificate names both {host} and {domain} ({domain_ids}): clients accept it whether they were given the host or start from the email domain (RFC 7817 §3)."
        ),
        (Some(true), false) => format!(
            "The certificate names {host} but not {domain}: clients given the host name (an Exchange Online migration endpoint is) accept it; a client that starts from {domain} and uses SRV checks the domain (RFC 7817 §3) and accepts it only if it trusts the SRV answer ({host} {how})."
        ),
        (_, true) => format!(
            "The certificate names {domain} ({domain_ids}) but not {host}: a client that starts from the email domain and uses SRV may accept it (RFC 7817 §3), but a client given the host name (an Exchange Online migration endpoint is) rejects it."
        ),
        (_, false) => format!(
            "The certificate names neither {host} nor {domain}: a client that checks the server's name rejects it, however it found the server."
        ),
    };
    Some(IdentityCheck {
        host: host.to_string(),
        host_match,
        source_domain: domain.to_string(),
        domain_match: by_domain.dns_id.is_some(),
        domain_matched_by: by_domain.dns_id,
        srv_id_match: srv_id.as_ref().map(|_| by_domain.srv_id.is_some()),
        srv_id,
        srv_ids_presented: presented.srv,
        found_by_srv,
        meaning,
    })
}
