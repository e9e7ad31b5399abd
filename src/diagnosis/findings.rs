//! Finding rules: each reads the observed facts (and the client verdicts),
//! and emits a catalogue entry with the evidence quoted: versions, suites,
//! names, dates, and which clients fail or are at risk because of it.

use crate::observations::{ServiceSeen, steps};
use crate::report::{Finding, Severity};
use crate::vocab::{ErrorKind, TlsVersion};

use super::catalogue::{self, FindingSpec};
use super::client_verdict::ClientVerdict;
use super::negotiation::version_list;
use super::profiles::{Failure, ProfileKind};
use super::server::{self, ServerView, Software};
use super::thresholds::{DH_MIN_BITS, KEY_BROKEN_BITS};

mod certificate;
mod mail;
pub mod security;

use certificate::certificate_rules;
use mail::{mail_rules, service_rules, throttling_rule};

/// Builds a Finding from the catalogue entry `id`, with the remedy for the software.
pub fn make(id: &str, severity: Option<Severity>, detail: String, software: Software) -> Finding {
    let spec: Option<&FindingSpec> = catalogue::spec(id);
    let remedy = spec
        .and_then(|s| s.remedy(software))
        .map(|r| r.text.to_string())
        .unwrap_or_default();
    Finding {
        id: id.to_string(),
        severity: severity
            .or(spec.map(|s| s.severity))
            .unwrap_or(Severity::Medium),
        title: spec.map(|s| s.title.to_string()).unwrap_or_default(),
        detail,
        remedy,
        references: spec
            .map(|s| s.references.iter().map(|r| r.to_string()).collect())
            .unwrap_or_default(),
    }
}

/// The short action of a finding's remedy, for the summary.
pub fn action(id: &str, software: Software) -> Option<&'static str> {
    catalogue::spec(id)
        .and_then(|s| s.remedy(software))
        .map(|r| r.action)
}

/// Which finding explains a client failure of this class.
pub fn finding_for(failure: Failure, profile_id: &str, view: &ServerView) -> &'static str {
    match failure {
        Failure::Unresolved => "HOST_NOT_RESOLVED",
        Failure::Unreachable | Failure::Timeout => match view.obs.service {
            Some(ServiceSeen::RefusedAtGreeting { .. }) | Some(ServiceSeen::ClosedImmediately) => {
                "CONNECTION_LIMITED"
            }
            Some(ServiceSeen::Silent { .. }) => "NO_GREETING",
            _ => "PORT_CLOSED",
        },
        Failure::WrongService => "WRONG_SERVICE_ON_PORT",
        Failure::NoStartTls | Failure::LoginImpossible => "STARTTLS_NOT_OFFERED",
        Failure::StartTlsRefused => "STARTTLS_REFUSED",
        Failure::ProtocolVersion => {
            if view.max_version().is_some_and(|m| m >= TlsVersion::Tls12) {
                // Only a TLS 1.3-only guideline can fail on versions here.
                "NOT_COMPLIANT"
            } else {
                "TLS_MAX_VERSION_TOO_LOW"
            }
        }
        Failure::NoCommonSuite | Failure::NoCommonGroup => {
            if profile_id == "exchange-online" {
                "NO_COMMON_SUITE_EXCHANGE_ONLINE"
            } else {
                "NO_COMMON_SUITE"
            }
        }
        Failure::DhTooSmall => "WEAK_DH",
        Failure::CertKeyTooSmall => "RSA_KEY_TOO_SMALL",
        Failure::Untrusted => {
            if view.obs.certificate.as_ref().and_then(|c| c.self_signed) == Some(true) {
                "CERT_SELF_SIGNED"
            } else {
                "CERT_UNTRUSTED"
            }
        }
        Failure::IncompleteChain => "CERT_CHAIN_INCOMPLETE",
        Failure::Expired => "CERT_EXPIRED",
        Failure::NameMismatch => "CERT_NAME_MISMATCH",
        Failure::Sha1Certificate => "CERT_SHA1",
        Failure::HandshakeRefused => "TLS_HANDSHAKE_FAILED",
    }
}

/// "Fails: A, B. At risk: C." for the clients a finding concerns.
fn affected(verdicts: &[ClientVerdict], classes: &[Failure]) -> String {
    let relevant = |v: &&ClientVerdict| v.profile.kind != ProfileKind::Compliance;
    let fails: Vec<&str> = verdicts
        .iter()
        .filter(relevant)
        .filter(|v| {
            super::certainty::status(v) == super::certainty::Status::Cannot
                && v.failure.is_some_and(|f| classes.contains(&f))
        })
        .map(|v| v.profile.short)
        .collect();
    let risks: Vec<&str> = verdicts
        .iter()
        .filter(relevant)
        .filter(|v| v.risk_classes.iter().any(|f| classes.contains(f)))
        .map(|v| v.profile.short)
        .collect();
    let mut out = String::new();
    if !fails.is_empty() {
        out.push_str(&format!(
            " Clients that cannot connect: {}.",
            fails.join(", ")
        ));
    }
    if !risks.is_empty() {
        out.push_str(&format!(" Clients at risk: {}.", risks.join(", ")));
    }
    out
}

fn suites_named(codes: &[u16]) -> String {
    codes
        .iter()
        .map(|c| {
            format!(
                "{} ({})",
                server::short_suite_name(*c),
                crate::tls::suites::iana_hex(*c)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every finding the facts support.
pub fn rules(view: &ServerView, verdicts: &[ClientVerdict]) -> Vec<Finding> {
    let obs = view.obs;
    let sw = view.software;
    let endpoint = format!("{}:{}", obs.target.host, obs.target.port);
    let mut out = Vec::new();

    if let Some(err) = &obs.resolution_error {
        out.push(make(
            "HOST_NOT_RESOLVED",
            None,
            format!("{err}. No client can reach {endpoint}."),
            sw,
        ));
        return out;
    }
    if !obs.connect.ok {
        let detail = obs.connect.error.clone().unwrap_or_default();
        let how = match obs.connect_error_kind {
            Some(ErrorKind::Timeout) => {
                "does not answer (filtered by a firewall, or the host is down)"
            }
            _ => "refuses connections (nothing listens)",
        };
        out.push(make(
            "PORT_CLOSED",
            None,
            format!("TCP {endpoint} {how}: {detail}."),
            sw,
        ));
        return out;
    }

    service_rules(obs, sw, &endpoint, &mut out);
    throttling_rule(obs, sw, &endpoint, &mut out);
    mail_rules(obs, sw, &mut out);
    tls_rules(view, verdicts, &endpoint, &mut out);
    certificate_rules(view, verdicts, &mut out);
    security::check_rules(obs, sw, &mut out);

    for v in verdicts {
        if let Some((computed, observed)) = &v.disagreement {
            out.push(make(
                "CLIENT_TRIAL_DISAGREES",
                Some(if v.decides { Severity::Medium } else { Severity::Low }),
                format!(
                    "{}: the scan predicts it {computed}; its real ClientHello on the wire {observed}. The report follows the wire.",
                    v.profile.short
                ),
                sw,
            ));
        }
        if v.decides && v.compliant == Some(false) {
            out.push(make(
                "NOT_COMPLIANT",
                None,
                format!("{}: {}.", v.profile.short, v.violations.join("; ")),
                sw,
            ));
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

/// The TLS findings, by concept: which versions, whether the clients find a
/// suite in common, and how strong what is accepted is.
fn tls_rules(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    endpoint: &str,
    out: &mut Vec<Finding>,
) {
    version_rules(view, verdicts, endpoint, out);
    common_suite_rules(view, verdicts, out);
    if !view.versions_scanned() {
        return;
    }
    legacy_protocol_rule(view, endpoint, out);
    suite_strength_rules(view, verdicts, endpoint, out);
}

/// The highest version too low, or no handshake at all.
fn version_rules(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    endpoint: &str,
    out: &mut Vec<Finding>,
) {
    let obs = view.obs;
    let sw = view.software;
    let accepted = view.accepted_versions();
    let scanned = view.versions_scanned();
    let max = view.max_version();

    if scanned
        && let Some(max) = max
        && max < TlsVersion::Tls12
    {
        let suites: Vec<u16> = view.suites_at(max).map(|s| s.to_vec()).unwrap_or_default();
        let suites_text = if suites.is_empty() {
            String::new()
        } else {
            format!(" At {max} it accepts {}.", suites_named(&suites))
        };
        let exchange_note = match sw {
            Software::Exchange2010 => {
                " A Microsoft Exchange IMAP server whose highest version is TLS 1.0 is consistent with Exchange 2010, whose IMAP4 service is hard-coded to TLS 1.0 and cannot do TLS 1.2."
            }
            _ => "",
        };
        out.push(make(
            "TLS_MAX_VERSION_TOO_LOW",
            None,
            format!(
                "{endpoint} offers only {} (highest {max}); TLS 1.2 and 1.3 are refused.{suites_text} Exchange Online requires TLS 1.2 (TLS 1.0/1.1 are off since 15 Oct 2020), and so do Thunderbird 78+, Java 17 and OpenSSL 3 clients.{exchange_note}{}",
                version_list(&accepted),
                affected(verdicts, &[Failure::ProtocolVersion]),
            ),
            sw,
        ));
    }
    if scanned && accepted.is_empty() {
        let why = obs
            .error_of(steps::TLS_HANDSHAKE)
            .map(|e| format!(" A modern handshake failed: {}.", e.message))
            .unwrap_or_default();
        out.push(make(
            "TLS_HANDSHAKE_FAILED",
            Some(Severity::Critical),
            format!("{endpoint} accepted no SSL/TLS version at all.{why}"),
            sw,
        ));
    } else if let Some(err) = obs.error_of(steps::TLS_HANDSHAKE)
        && !(scanned && max.is_some_and(|m| m < TlsVersion::Tls12))
    {
        let nobody = !verdicts.iter().any(|v| v.connects);
        let scan = if scanned {
            format!(" The scan finds {} accepted.", version_list(&accepted))
        } else {
            " The TLS versions and suites were not scanned.".to_string()
        };
        out.push(make(
            "TLS_HANDSHAKE_FAILED",
            Some(if nobody {
                Severity::Critical
            } else {
                Severity::High
            }),
            format!(
                "{endpoint}: a TLS 1.2/1.3 handshake with AEAD suites (rustls) failed: {}.{scan}",
                err.message
            ),
            sw,
        ));
    }
}

/// Clients that find no suite or group in common with the server.
fn common_suite_rules(view: &ServerView, verdicts: &[ClientVerdict], out: &mut Vec<Finding>) {
    let sw = view.software;
    // Exchange Online's suite table [ENC], and the other clients' suite/group failures.
    let exo = verdicts.iter().find(|v| v.profile.id == "exchange-online");
    if let Some(exo) = exo
        && !exo.connects
        && matches!(
            exo.failure,
            Some(Failure::NoCommonSuite | Failure::NoCommonGroup)
        )
    {
        let at12 = view
            .suites_at(TlsVersion::Tls12)
            .map(|s| s.to_vec())
            .unwrap_or_default();
        let cert = view
            .leaf()
            .map(|l| {
                format!(
                    " The certificate key is {}{}.",
                    l.key_type,
                    l.key_bits.map(|b| format!(" {b}")).unwrap_or_default()
                )
            })
            .unwrap_or_default();
        out.push(make(
            "NO_COMMON_SUITE_EXCHANGE_ONLINE",
            None,
            format!(
                "At TLSv1.2 the server accepts {}; Exchange Online offers only {}.{cert} {}",
                suites_named(&at12),
                suites_named(super::profiles::OFFICE365_SUITES),
                exo.reason.clone().unwrap_or_default()
            ),
            sw,
        ));
    }
    let others: Vec<&ClientVerdict> = verdicts
        .iter()
        .filter(|v| v.profile.id != "exchange-online" && v.profile.kind != ProfileKind::Compliance)
        .filter(|v| {
            !v.connects
                && matches!(
                    v.failure,
                    Some(Failure::NoCommonSuite | Failure::NoCommonGroup)
                )
        })
        .collect();
    if !others.is_empty() {
        let lines: Vec<String> = others
            .iter()
            .map(|v| {
                format!(
                    "{}: {}",
                    v.profile.short,
                    v.reason.clone().unwrap_or_default()
                )
            })
            .collect();
        out.push(make("NO_COMMON_SUITE", None, lines.join(". ") + ".", sw));
    }
}

/// SSL 3.0, TLS 1.0 and TLS 1.1 still accepted (scanned servers only).
fn legacy_protocol_rule(view: &ServerView, endpoint: &str, out: &mut Vec<Finding>) {
    let sw = view.software;
    let accepted = view.accepted_versions();
    let max = view.max_version();
    let max_ok = max.is_some_and(|m| m >= TlsVersion::Tls12);
    let ssl: Vec<TlsVersion> = accepted
        .iter()
        .copied()
        .filter(|v| *v <= TlsVersion::Ssl3)
        .collect();
    let old_tls: Vec<TlsVersion> = accepted
        .iter()
        .copied()
        .filter(|v| matches!(v, TlsVersion::Tls10 | TlsVersion::Tls11))
        .collect();
    if !ssl.is_empty() || (max_ok && !old_tls.is_empty()) {
        let mut legacy = ssl.clone();
        if max_ok {
            legacy.extend(old_tls.iter().copied());
        }
        out.push(make(
            "LEGACY_PROTOCOL_ENABLED",
            Some(if ssl.is_empty() { Severity::Medium } else { Severity::High }),
            format!(
                "{endpoint} still accepts {}{}. RFC 8996 deprecates TLS 1.0/1.1; SSL 3.0 is broken (POODLE).",
                version_list(&legacy),
                if max_ok { format!(" next to {}", max.map(|m| m.as_str()).unwrap_or("")) } else { String::new() }
            ),
            sw,
        ));
    }
}

/// Weak suites (each class its own finding), no forward secrecy, a small
/// DH group (scanned servers only).
fn suite_strength_rules(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    endpoint: &str,
    out: &mut Vec<Finding>,
) {
    let obs = view.obs;
    let sw = view.software;
    let accepted = view.accepted_versions();
    let all = view.all_suites();
    // Each weakness on its own (issue 18), no longer one lumped finding.
    security::derived_rules(view, verdicts, endpoint, out);
    let tls13 = accepted.contains(&TlsVersion::Tls13);
    let any_fs = all
        .iter()
        .any(|c| crate::tls::suites::lookup(*c).is_some_and(|s| s.forward_secrecy));
    if !all.is_empty() && !tls13 && !any_fs {
        out.push(make(
            "NO_FORWARD_SECRECY",
            None,
            format!(
                "None of the accepted suites ({}) is forward-secret.",
                suites_named(&all)
            ),
            sw,
        ));
    }
    if let Some(bits) = obs.tls.dh_bits
        && bits < DH_MIN_BITS
    {
        out.push(make(
            "WEAK_DH",
            Some(if bits < KEY_BROKEN_BITS { Severity::High } else { Severity::Medium }),
            format!(
                "The server's DHE group is {bits} bits.{}{}",
                if bits < KEY_BROKEN_BITS { " Below 1024 bits is Logjam territory: Java 17, SChannel (Outlook) and OpenSSL at security level 1 and above refuse it (only level 0 allows it)." } else { " OpenSSL 3.2+ (security level 2) and the Mozilla intermediate guideline require 2048." },
                affected(verdicts, &[Failure::DhTooSmall])
            ),
            sw,
        ));
    }
}
