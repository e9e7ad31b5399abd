//! Server identity check for mail, per RFC 7817 §3 (which applies RFC 6125).
//!
//! A pure function over the names a certificate presents, so the rules are
//! tested without a certificate or a network. We do this ourselves rather
//! than let webpki do it because the Report must say *how* a name matched:
//! mail clients still fall back to the subject CN when a certificate has no
//! DNS-ID (RFC 6125 §6.4.4), which webpki never does, and a caller needs to
//! know that fallback was used (Apple Mail ignores the CN, for example).

use std::net::IpAddr;

use super::cert::PresentedIds;

/// The identity a client expects: the configured host name (or the SNI the
/// request gave), or an IP address when the caller dialled one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceId {
    /// An ASCII (A-label) DNS name, any case, trailing dot allowed.
    Dns(String),
    Ip(IpAddr),
}

impl ReferenceId {
    pub fn as_string(&self) -> String {
        match self {
            ReferenceId::Dns(n) => n.clone(),
            ReferenceId::Ip(ip) => ip.to_string(),
        }
    }
}

/// The outcome of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCheck {
    pub matched: bool,
    /// The presented identifier that matched, verbatim.
    pub matched_by: Option<String>,
    /// The subject CN was consulted because the certificate has no DNS-ID.
    pub cn_fallback_used: bool,
}

/// Checks `reference` against what the certificate presents.
///
/// - DNS reference: SAN `dNSName`s with the wildcard rules of
///   [`dns_matches`]; the subject CN only when there is no `dNSName` at all
///   (RFC 6125 §6.4.4), and then reported as `cn_fallback_used`.
/// - IP reference: SAN `iPAddress` entries only (RFC 6125 leaves IPs out of
///   scope; like browsers and webpki we never match an IP against a CN or a
///   DNS-ID, which a CA cannot validate).
pub fn check(reference: &ReferenceId, presented: &PresentedIds) -> NameCheck {
    match reference {
        ReferenceId::Ip(ip) => {
            let hit = presented.ips.iter().find(|p| same_ip(p, ip));
            NameCheck {
                matched: hit.is_some(),
                matched_by: hit.map(|p| p.to_string()),
                cn_fallback_used: false,
            }
        }
        ReferenceId::Dns(name) => {
            let fallback = presented.dns.is_empty();
            let candidates = if fallback {
                &presented.common_names
            } else {
                &presented.dns
            };
            let hit = candidates.iter().find(|p| dns_matches(p, name));
            NameCheck {
                matched: hit.is_some(),
                matched_by: hit.cloned(),
                cn_fallback_used: fallback && !presented.common_names.is_empty(),
            }
        }
    }
}

/// What a certificate says about the email domain a client started from
/// (RFC 7817 §3: with SRV, the reference identity is the source domain, as
/// a DNS-ID and as an SRV-ID for the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDomainCheck {
    /// The presented `dNSName` that covers the domain (wildcards as for
    /// any DNS-ID; the subject CN is not consulted for the domain).
    pub dns_id: Option<String>,
    /// The presented SRV-ID for `_<service>.<domain>`, when a service was given.
    pub srv_id: Option<String>,
}

/// Checks the source `domain` as a DNS-ID, and `_<service>.<domain>` as an
/// SRV-ID when `service` (`imaps`, `imap`, `pop3s`, `submission`, ...) is given.
pub fn check_source_domain(
    domain: &str,
    service: Option<&str>,
    presented: &PresentedIds,
) -> SourceDomainCheck {
    SourceDomainCheck {
        dns_id: presented
            .dns
            .iter()
            .find(|p| dns_matches(p, domain))
            .cloned(),
        srv_id: service.and_then(|svc| {
            presented
                .srv
                .iter()
                .find(|p| srv_id_matches(p, svc, domain))
                .cloned()
        }),
    }
}

/// Does presented SRV-ID `presented` (`_imaps.example.com`) match service
/// `service` (without the underscore) at `domain`?
///
/// RFC 6125 §6.5.1 with RFC 4985: the service label compares
/// case-insensitively, without its underscore; the name part as a DNS
/// name. No wildcard: RFC 4985 defines none for SRVName, so a `*` matches
/// nothing (stricter than for DNS-IDs on purpose).
pub fn srv_id_matches(presented: &str, service: &str, domain: &str) -> bool {
    let Some((label, name)) = presented.split_once('.') else {
        return false;
    };
    let Some(label) = label.strip_prefix('_') else {
        return false;
    };
    let service = service.strip_prefix('_').unwrap_or(service);
    if label.is_empty() || !label.eq_ignore_ascii_case(service) || name.contains('*') {
        return false;
    }
    let (name, domain) = (normalise(name), normalise(domain));
    !name.is_empty() && name == domain && domain.parse::<IpAddr>().is_err()
}

/// IPv4-mapped IPv6 addresses name the same host as their IPv4 form.
fn same_ip(a: &IpAddr, b: &IpAddr) -> bool {
    a.to_canonical() == b.to_canonical()
}

/// Does presented identifier `pattern` match reference name `reference`?
///
/// RFC 6125 §6.4.1 and §6.4.3, tightened as mail clients and the CA/B
/// Forum do:
/// - labels compare ASCII case-insensitively; one trailing dot is ignored;
/// - a wildcard may appear only in the left-most label, at most once, and
///   matches within that one label only (never across a dot);
/// - `*` alone matches exactly one non-empty label; a partial wildcard
///   (`mail*.example.com`) is allowed for ASCII labels but never when either
///   side is an IDN A-label (`xn--`), where it could match inside the
///   punycode (RFC 6125 §6.4.3, last paragraph);
/// - the wildcard needs at least two labels to its right, so `*.com` or
///   `*.` match nothing;
/// - a reference that is an IP literal never matches a DNS identifier.
pub fn dns_matches(pattern: &str, reference: &str) -> bool {
    let pattern = normalise(pattern);
    let reference = normalise(reference);
    // A dNSName is an IA5String (RFC 5280 §4.2.1.6) and a reference is an
    // A-label name: anything non-ASCII on either side is no DNS name.
    if !pattern.is_ascii() || !reference.is_ascii() {
        return false;
    }
    if pattern.is_empty() || reference.is_empty() || reference.parse::<IpAddr>().is_ok() {
        return false;
    }
    if !pattern.contains('*') {
        return pattern == reference;
    }
    let mut p_labels = pattern.split('.');
    let mut r_labels = reference.split('.');
    let (Some(p_first), Some(r_first)) = (p_labels.next(), r_labels.next()) else {
        return false;
    };
    let p_rest: Vec<&str> = p_labels.collect();
    let r_rest: Vec<&str> = r_labels.collect();
    if p_rest.iter().any(|l| l.contains('*')) || p_rest.len() < 2 {
        return false;
    }
    if p_rest.iter().any(|l| l.is_empty()) || p_rest != r_rest {
        return false;
    }
    wildcard_label_matches(p_first, r_first)
}

fn wildcard_label_matches(pattern: &str, label: &str) -> bool {
    if label.is_empty() || pattern.matches('*').count() != 1 {
        return false;
    }
    if pattern == "*" {
        return true;
    }
    if is_a_label(pattern) || is_a_label(label) {
        return false;
    }
    let Some((prefix, suffix)) = pattern.split_once('*') else {
        return false;
    };
    label.len() >= prefix.len() + suffix.len()
        && label.starts_with(prefix)
        && label.ends_with(suffix)
}

/// Compared on bytes: the label comes from a certificate and may hold any
/// UTF-8 (x509-parser passes it through), so a `&str` index could fall
/// inside a character and panic the probe (issue 15).
fn is_a_label(label: &str) -> bool {
    label
        .as_bytes()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
}

fn normalise(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(dns: &[&str], ips: &[&str], cns: &[&str]) -> PresentedIds {
        PresentedIds {
            dns: dns.iter().map(|s| s.to_string()).collect(),
            ips: ips.iter().map(|s| s.parse().unwrap()).collect(),
            common_names: cns.iter().map(|s| s.to_string()).collect(),
            srv: Vec::new(),
        }
    }

    #[test]
    fn srv_ids_match_service_and_domain_exactly() {
        assert!(srv_id_matches("_imaps.example.com", "imaps", "example.com"));
        assert!(srv_id_matches(
            "_IMAPS.Example.COM.",
            "_imaps",
            "example.com"
        ));
        assert!(!srv_id_matches("_imap.example.com", "imaps", "example.com"));
        assert!(!srv_id_matches(
            "_imaps.example.com",
            "imaps",
            "mail.example.com"
        ));
        assert!(!srv_id_matches("imaps.example.com", "imaps", "example.com"));
        assert!(!srv_id_matches("_imaps.*.com", "imaps", "example.com"));
        assert!(!srv_id_matches("_imaps", "imaps", ""));
        assert!(!srv_id_matches("_.example.com", "", "example.com"));
    }

    #[test]
    fn the_source_domain_is_checked_as_dns_id_and_srv_id() {
        // A certificate for the host only (the usual case).
        let host_only = ids(&["mail.example.com"], &[], &["example.com"]);
        let c = check_source_domain("example.com", Some("imaps"), &host_only);
        assert_eq!((c.dns_id, c.srv_id), (None, None), "the CN is not a DNS-ID");
        // One naming the domain and carrying an SRV-ID for IMAPS only.
        let mut domain = ids(&["example.com"], &[], &[]);
        domain.srv.push("_imaps.example.com".into());
        let c = check_source_domain("example.com", Some("imaps"), &domain);
        assert_eq!(c.dns_id.as_deref(), Some("example.com"));
        assert_eq!(c.srv_id.as_deref(), Some("_imaps.example.com"));
        let c = check_source_domain("example.com", Some("submission"), &domain);
        assert_eq!(c.srv_id, None);
        assert_eq!(
            check_source_domain("example.com", None, &domain).srv_id,
            None
        );
        // A wildcard DNS-ID never covers the bare domain.
        let wild = ids(&["*.example.com"], &[], &[]);
        assert_eq!(check_source_domain("example.com", None, &wild).dns_id, None);
    }

    fn dns(n: &str) -> ReferenceId {
        ReferenceId::Dns(n.into())
    }

    #[test]
    fn exact_names_match_case_insensitively() {
        assert!(dns_matches("mail.example.com", "MAIL.Example.com"));
        assert!(dns_matches("mail.example.com.", "mail.example.com"));
        assert!(!dns_matches("mail.example.com", "imap.example.com"));
        assert!(!dns_matches("example.com", "mail.example.com"));
    }

    #[test]
    fn wildcard_covers_one_left_most_label_only() {
        assert!(dns_matches("*.example.com", "mail.example.com"));
        assert!(
            !dns_matches("*.example.com", "example.com"),
            "no empty label"
        );
        assert!(
            !dns_matches("*.example.com", "a.b.example.com"),
            "not across dots"
        );
        assert!(!dns_matches("mail.*.com", "mail.example.com"), "not inner");
        assert!(!dns_matches("*.*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.com", "example.com"), "too wide");
        assert!(!dns_matches("*", "localhost"));
        assert!(!dns_matches("**.example.com", "mail.example.com"));
    }

    #[test]
    fn partial_wildcards_only_for_ascii_labels() {
        assert!(dns_matches("mail*.example.com", "mail1.example.com"));
        assert!(dns_matches("*-imap.example.com", "eu-imap.example.com"));
        assert!(!dns_matches("mail*.example.com", "smtp.example.com"));
        assert!(!dns_matches(
            "xn--*.example.com",
            "xn--bcher-kva.example.com"
        ));
        assert!(!dns_matches("b*.example.com", "xn--bcher-kva.example.com"));
        // A whole-label wildcard may still cover an A-label.
        assert!(dns_matches("*.example.com", "xn--bcher-kva.example.com"));
    }

    #[test]
    fn ip_references_never_match_dns_ids() {
        assert!(!dns_matches("127.0.0.1", "127.0.0.1"));
        assert!(!dns_matches("*.0.0.1", "127.0.0.1"));
    }

    #[test]
    fn san_dns_wins_and_cn_is_ignored_when_present() {
        let c = check(
            &dns("mail.example.com"),
            &ids(&["other.example.com"], &[], &["mail.example.com"]),
        );
        assert!(!c.matched);
        assert!(!c.cn_fallback_used);
        let c = check(&dns("mail.example.com"), &ids(&["*.example.com"], &[], &[]));
        assert_eq!(
            (c.matched, c.matched_by.as_deref()),
            (true, Some("*.example.com"))
        );
    }

    #[test]
    fn cn_fallback_only_without_dns_sans_and_is_reported() {
        let c = check(
            &dns("mail.example.com"),
            &ids(&[], &["192.0.2.1"], &["mail.example.com"]),
        );
        assert!(c.matched);
        assert!(c.cn_fallback_used);
        let c = check(&dns("mail.example.com"), &ids(&[], &[], &["x.example.com"]));
        assert!(!c.matched);
        assert!(c.cn_fallback_used);
        let c = check(&dns("mail.example.com"), &ids(&[], &[], &[]));
        assert!(!c.matched && !c.cn_fallback_used);
    }

    #[test]
    fn ip_reference_matches_ip_sans_only() {
        let ip = ReferenceId::Ip("127.0.0.1".parse().unwrap());
        assert!(check(&ip, &ids(&["localhost"], &["127.0.0.1"], &[])).matched);
        assert!(!check(&ip, &ids(&["127.0.0.1"], &[], &["127.0.0.1"])).matched);
        let mapped = ReferenceId::Ip("::ffff:127.0.0.1".parse().unwrap());
        assert!(check(&mapped, &ids(&[], &["127.0.0.1"], &[])).matched);
        let v6 = ReferenceId::Ip("::1".parse().unwrap());
        assert!(!check(&v6, &ids(&[], &["127.0.0.1"], &[])).matched);
    }
}
