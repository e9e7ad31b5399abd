//! Compliance profiles (Mozilla intermediate/modern, RFC 9325): not "can a
//! client connect" but "does the server accept anything the guideline
//! forbids". Judged only on a complete version scan; otherwise `compliant`
//! stays null.

use crate::vocab::TlsVersion;

use super::client_verdict::ClientVerdict;
use super::negotiation::{suite_list, version_list};
use super::profiles::ClientProfile;
use super::server::{self, Known, ServerView};

/// A compliance profile's violations: what the server accepts beyond the guideline.
pub fn judge(view: &ServerView, profile: &ClientProfile, v: &mut ClientVerdict) {
    let Some(rules) = profile.compliance else {
        return;
    };
    if !view.versions_scanned() {
        return;
    }
    let accepted = view.accepted_versions();
    let extra: Vec<TlsVersion> = accepted
        .iter()
        .copied()
        .filter(|x| !rules.allowed_versions.contains(x))
        .collect();
    if !extra.is_empty() {
        v.violations
            .push(format!("accepts {}", version_list(&extra)));
    }
    if rules.allowed_versions.contains(&TlsVersion::Tls12)
        && profile.id == "rfc9325"
        && view.offers_version(TlsVersion::Tls12) == Known::No
    {
        v.violations.push("does not support TLSv1.2".into());
    }
    let legacy: Vec<u16> = view
        .versions
        .iter()
        .filter(|x| x.offered == Some(true) && x.version != TlsVersion::Tls13)
        .flat_map(|x| x.suites.iter().copied())
        .fold(Vec::new(), |mut acc, s| {
            if !acc.contains(&s) {
                acc.push(s);
            }
            acc
        });
    if let Some(allowed) = rules.allowed_suites {
        let outside: Vec<u16> = legacy
            .iter()
            .copied()
            .filter(|s| !allowed.contains(s))
            .collect();
        if !outside.is_empty() {
            v.violations.push(format!(
                "accepts suites outside the guideline: {}",
                suite_list(&outside, 6)
            ));
        }
    } else if rules.forbid_broken_ciphers {
        let broken: Vec<u16> = legacy
            .iter()
            .copied()
            .filter(|s| server::is_broken_suite(*s))
            .collect();
        if !broken.is_empty() {
            v.violations
                .push(format!("accepts broken suites: {}", suite_list(&broken, 6)));
        }
    }
    if rules.prefer_forward_secrecy
        && let Some(list) = view.suites_at(TlsVersion::Tls12)
    {
        let fs = |s: &u16| crate::tls::suites::lookup(*s).is_some_and(|x| x.forward_secrecy);
        if !list.iter().any(fs) {
            v.violations
                .push("no forward-secret suite at TLSv1.2".into());
        } else if view.server_preference == Some(true) && list.first().is_some_and(|s| !fs(s)) {
            v.violations.push(format!(
                "prefers a suite without forward secrecy: {}",
                server::suite_name(list[0])
            ));
        }
    }
    if let (Some(min), Some(bits)) = (rules.min_dh_bits, view.obs.tls.dh_bits)
        && bits < min
    {
        v.violations
            .push(format!("DHE group of {bits} bits (at least {min})"));
    }
    if let (Some("EC"), Some(false)) = (rules.certificate_key_type, view.leaf_is_ec()) {
        v.violations.push("the certificate key is not ECDSA".into());
    }
    v.compliant = Some(v.violations.is_empty());
    if !v.violations.is_empty() {
        let text = format!("not compliant: {}", v.violations.join("; "));
        v.reason = Some(match &v.reason {
            Some(r) => format!("{r}; {text}"),
            None => text,
        });
    }
}
