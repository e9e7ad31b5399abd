//! Finding rules: each reads the observed facts (and the client verdicts),
//! and emits a catalogue entry with the evidence quoted: versions, suites,
//! names, dates, and which clients fail or are at risk because of it.

use crate::observations::{Observations, ServiceSeen, steps};
use crate::report::{Finding, Severity};
use crate::vocab::{ErrorKind, Protocol, TlsVersion, Transport};

use super::catalogue::{self, FindingSpec};
use super::clients::{ClientVerdict, version_list};
use super::profiles::{Failure, ProfileKind};
use super::server::{self, ServerView, Software};

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
            super::clients::status(v) == super::clients::Status::Cannot
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

fn service_rules(obs: &Observations, sw: Software, endpoint: &str, out: &mut Vec<Finding>) {
    let proto = obs.target.protocol.as_str().to_uppercase();
    match &obs.service {
        Some(ServiceSeen::RefusedAtGreeting { banner }) => out.push(make(
            "CONNECTION_LIMITED",
            None,
            format!("{endpoint} refuses the connection at once: \"{banner}\". This is how servers answer when a connection limit (per IP or per user) or an IDS throttles the client."),
            sw,
        )),
        Some(ServiceSeen::ClosedImmediately) => out.push(make(
            "CONNECTION_LIMITED",
            Some(Severity::Medium),
            format!("{endpoint} accepts the TCP connection and closes it without a word: a connection limit, an IDS, or a TLS port probed as plaintext."),
            sw,
        )),
        Some(ServiceSeen::Silent { waited_ms }) => out.push(make(
            "NO_GREETING",
            None,
            format!("{endpoint} accepted the connection but sent nothing within {} ms.", waited_ms),
            sw,
        )),
        Some(ServiceSeen::TlsOnPlaintextPort) => out.push(make(
            "WRONG_SERVICE_ON_PORT",
            None,
            format!("{endpoint} answered a plaintext {proto} client with TLS bytes: the port speaks implicit TLS (use Security Ssl / the TLS transport)."),
            sw,
        )),
        Some(ServiceSeen::PlaintextOnTlsPort { banner }) => out.push(make(
            "WRONG_SERVICE_ON_PORT",
            None,
            format!("{endpoint} answered in plaintext where TLS was expected: \"{banner}\" (use STARTTLS / Security Tls, or enable TLS on this port)."),
            sw,
        )),
        Some(
            ServiceSeen::Imap { banner }
            | ServiceSeen::Pop3 { banner }
            | ServiceSeen::Smtp { banner }
            | ServiceSeen::Http { banner }
            | ServiceSeen::Ssh { banner }
            | ServiceSeen::Unknown { banner },
        ) => out.push(make(
            "WRONG_SERVICE_ON_PORT",
            None,
            format!("{endpoint} was probed as {proto} but answers \"{banner}\"."),
            sw,
        )),
        _ => {
            if obs.target.protocol != Protocol::Tls
                && obs.mail.greeting.is_none()
                && let Some(err) = obs.error_of(steps::GREETING)
            {
                out.push(make("NO_GREETING", None, format!("{endpoint}: {}", err.message), sw));
            }
        }
    }
}

/// Later connections refused or reset after the first succeeded: how a per-IP
/// connection limit or an IDS shows itself to a probe that opens several
/// connections (Exchange 2007: 20 per IP [2007LIM]; IDS throttling [IMAPTS]).
fn throttling_rule(obs: &Observations, sw: Software, endpoint: &str, out: &mut Vec<Finding>) {
    if matches!(
        obs.service,
        Some(ServiceSeen::RefusedAtGreeting { .. } | ServiceSeen::ClosedImmediately)
    ) {
        return;
    }
    let mut seen: Vec<String> = obs
        .errors
        .iter()
        .filter(|e| e.step != steps::TCP_CONNECT && e.step != steps::DNS)
        .filter(|e| matches!(e.kind, ErrorKind::Refused | ErrorKind::Reset))
        .map(|e| format!("{}: {}", e.step, e.message))
        .collect();
    let lower = |m: &str| m.to_ascii_lowercase();
    seen.extend(obs.client_trials.iter().filter_map(|t| {
        match &t.outcome {
            crate::observations::TrialOutcome::Failed { message }
                if ["refused", "reset", "too many", "limit"]
                    .iter()
                    .any(|w| lower(message).contains(w)) =>
            {
                Some(format!("{} trial: {message}", t.profile))
            }
            _ => None,
        }
    }));
    if seen.is_empty() {
        return;
    }
    let shown: Vec<&String> = seen.iter().take(3).collect();
    out.push(make(
        "CONNECTION_LIMITED",
        Some(Severity::Medium),
        format!(
            "{endpoint} accepted the first connection but refused or reset {} later one(s) ({}{}): a per-IP or per-user connection limit or an IDS is likely; a migration at volume will stall.",
            seen.len(),
            shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; "),
            if seen.len() > 3 { "; ..." } else { "" }
        ),
        sw,
    ));
}

fn mail_rules(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    let mail = &obs.mail;
    let port = obs.target.port;
    let starttls_port =
        obs.target.transport == Transport::Starttls && obs.target.protocol != Protocol::Tls;
    let st = mail.starttls.as_ref();
    let advertised = st.and_then(|s| s.advertised);
    let caps = if mail.capabilities_before_tls.is_empty() {
        String::new()
    } else {
        format!(
            " CAPABILITY before TLS: {}.",
            mail.capabilities_before_tls.join(" ")
        )
    };
    if starttls_port && advertised == Some(false) {
        let login = if mail.login_disabled == Some(true) {
            " It also advertises LOGINDISABLED, so no client can log in on this port at all."
        } else {
            " Clients that require TLS (Exchange Online -Security Tls, Thunderbird in STARTTLS mode) stop; imapsync continues in plaintext."
        };
        out.push(make(
            "STARTTLS_NOT_OFFERED",
            None,
            format!("Port {port} does not advertise STARTTLS.{caps}{login}"),
            sw,
        ));
    }
    if starttls_port && st.and_then(|s| s.accepted) == Some(false) {
        let resp = st.and_then(|s| s.response.clone()).unwrap_or_default();
        out.push(make(
            "STARTTLS_REFUSED",
            None,
            format!("Port {port} advertises STARTTLS but answers it with \"{resp}\"."),
            sw,
        ));
    }
    if obs.target.protocol == Protocol::Imap && starttls_port {
        match mail.login_disabled {
            Some(true) => out.push(make(
                "LOGIN_DISABLED_WITHOUT_TLS",
                Some(if advertised == Some(false) { Severity::High } else { Severity::Info }),
                format!("Port {port} advertises LOGINDISABLED before TLS: a client must run STARTTLS before it logs in; a LOGIN in plaintext gets \"BAD Command received in Invalid state.\" (Exchange) or is refused.{caps}"),
                sw,
            )),
            Some(false) if advertised != Some(false) => out.push(make(
                "LOGIN_ALLOWED_WITHOUT_TLS",
                None,
                format!("Port {port} accepts LOGIN before TLS (no LOGINDISABLED){}: a client without STARTTLS sends its password in clear.{caps}", if mail.auth_mechanisms_before_tls.iter().any(|m| m.eq_ignore_ascii_case("PLAIN")) { " and offers AUTH=PLAIN" } else { "" }),
                sw,
            )),
            _ => {}
        }
    }
    let mechs = &mail.auth_mechanisms;
    if !mechs.is_empty() && !mechs.iter().any(|m| m.eq_ignore_ascii_case("PLAIN")) {
        let where_ = if starttls_port {
            "after STARTTLS"
        } else {
            "inside TLS"
        };
        let still_disabled = mail
            .capabilities_after_tls
            .iter()
            .any(|c| c.eq_ignore_ascii_case("LOGINDISABLED"));
        let login = if obs.target.protocol == Protocol::Imap {
            if still_disabled {
                " LOGINDISABLED is still advertised, so the IMAP LOGIN command is refused too."
            } else {
                " The IMAP LOGIN command may still work; AUTHENTICATE PLAIN does not."
            }
        } else {
            ""
        };
        out.push(make(
            "NO_PLAIN_AUTH_AFTER_TLS",
            None,
            format!("The server offers AUTH={} {where_}, no AUTH=PLAIN: tools that log in with PLAIN/LOGIN (imapsync's default, most migration services) get \"NO CAPABILITY for AUTHENTICATE\".{login}", mechs.join(" AUTH=")),
            sw,
        ));
    }
    if let Some(login) = &mail.login
        && login.attempted
        && login.ok == Some(false)
    {
        out.push(make(
            "LOGIN_FAILED",
            None,
            format!(
                "The test login{} failed: \"{}\".",
                login
                    .mechanism
                    .as_ref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default(),
                login.server_text.clone().unwrap_or_default()
            ),
            sw,
        ));
    }
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

/// Weak suites, no forward secrecy, a small DH group (scanned servers only).
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
    let weak: Vec<u16> = all
        .iter()
        .copied()
        .filter(|c| server::is_weak_suite(*c))
        .collect();
    if !weak.is_empty() {
        let only = weak.len() == all.len();
        out.push(make(
            "WEAK_CIPHERS_ENABLED",
            Some(if only {
                Severity::High
            } else {
                Severity::Medium
            }),
            format!(
                "{endpoint} accepts {}{}.{}",
                suites_named(&weak),
                if only { ", and nothing stronger" } else { "" },
                affected(verdicts, &[Failure::NoCommonSuite])
            ),
            sw,
        ));
    }
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
        && bits < 2048
    {
        out.push(make(
            "WEAK_DH",
            Some(if bits < 1024 { Severity::High } else { Severity::Medium }),
            format!(
                "The server's DHE group is {bits} bits.{}{}",
                if bits < 1024 { " Below 1024 bits is Logjam territory: Java 17, SChannel (Outlook) and OpenSSL at security level 1 and above refuse it (only level 0 allows it)." } else { " OpenSSL 3.2+ (security level 2) and the Mozilla intermediate guideline require 2048." },
                affected(verdicts, &[Failure::DhTooSmall])
            ),
            sw,
        ));
    }
}

fn certificate_rules(view: &ServerView, verdicts: &[ClientVerdict], out: &mut Vec<Finding>) {
    let obs = view.obs;
    let sw = view.software;
    let Some(cert) = &obs.certificate else {
        return;
    };
    let leaf = cert.chain.first();
    let subject = leaf.map(|l| l.subject.clone()).unwrap_or_default();
    let issuer = leaf.map(|l| l.issuer.clone()).unwrap_or_default();
    let exo_note = " Exchange Online's behaviour is not documented: if it refuses, retry with -AcceptUntrustedCertificates.";
    if cert.self_signed == Some(true) {
        out.push(make(
            "CERT_SELF_SIGNED",
            None,
            format!(
                "The certificate \"{subject}\" is self-signed.{}{exo_note}",
                affected(verdicts, &[Failure::Untrusted])
            ),
            sw,
        ));
    } else if cert.trust_reason.as_deref() == Some("incomplete_chain") {
        out.push(make(
            "CERT_CHAIN_INCOMPLETE",
            None,
            format!(
                "The server sent \"{subject}\" without the intermediate that issued it (\"{issuer}\"), and no trust store holds that issuer. SChannel clients (Exchange Online, Outlook) fetch it from the certificate's AIA caIssuers URL if there is one; OpenSSL-based tools and Java do not.{}",
                affected(verdicts, &[Failure::IncompleteChain])
            ),
            sw,
        ));
    } else if cert.trusted == Some(false) {
        out.push(make(
            "CERT_UNTRUSTED",
            None,
            format!(
                "The chain for \"{subject}\" (issued by \"{issuer}\", {} certificate(s) sent) is not trusted by the {} store{}.{}{}{exo_note}",
                cert.chain.len(),
                cert.trust_store.clone().unwrap_or_else(|| "mozilla".into()),
                cert.trust_error.as_ref().map(|e| format!(": {e}")).unwrap_or_default(),
                if cert.chain.len() == 1 {
                    // [GCERT][IMAPSYNC-SSL]: a missing intermediate looks like an unknown issuer.
                    " Only the leaf was sent: if the issuer is a public CA, the intermediate certificate is missing from the server's chain."
                } else {
                    ""
                },
                affected(verdicts, &[Failure::Untrusted])
            ),
            sw,
        ));
    }
    if let Some((true, what)) = server::validity(obs) {
        let ago = cert
            .days_left
            .filter(|d| *d < 0)
            .map(|d| format!(" ({} days ago)", -d))
            .unwrap_or_default();
        out.push(make(
            "CERT_EXPIRED",
            None,
            format!(
                "The certificate \"{subject}\" {what}{ago}.{}{exo_note}",
                affected(verdicts, &[Failure::Expired])
            ),
            sw,
        ));
    } else if let Some(days) = cert.days_left
        && (0..30).contains(&days)
    {
        out.push(make(
            "CERT_EXPIRES_SOON",
            None,
            format!(
                "The certificate \"{subject}\" expires on {} (in {days} days).",
                leaf.map(|l| l.not_after.clone()).unwrap_or_default()
            ),
            sw,
        ));
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
        out.push(make(
            "CERT_NAME_MISMATCH",
            None,
            format!(
                "The certificate names {} (subject \"{subject}\"), not {reference}.{} Whether Exchange Online checks the name is not documented.",
                if names.is_empty() { "no DNS name in subjectAltName".to_string() } else { names },
                affected(verdicts, &[Failure::NameMismatch])
            ),
            sw,
        ));
    }
    let sha1 = server::sha1_signed(obs);
    if !sha1.is_empty() {
        let who: Vec<String> = sha1
            .iter()
            .map(|c| format!("\"{}\" ({})", c.subject, c.signature_algorithm))
            .collect();
        out.push(make(
            "CERT_SHA1",
            None,
            format!(
                "Signed with SHA-1: {}.{}",
                who.join(", "),
                affected(verdicts, &[Failure::Sha1Certificate])
            ),
            sw,
        ));
    }
    if let Some(bits) = view.rsa_bits()
        && bits < 2048
    {
        out.push(make(
            "RSA_KEY_TOO_SMALL",
            Some(if bits < 1024 {
                Severity::Critical
            } else {
                Severity::Medium
            }),
            format!(
                "The certificate \"{subject}\" has a {bits}-bit RSA key.{}",
                affected(verdicts, &[Failure::CertKeyTooSmall])
            ),
            sw,
        ));
    }
}
