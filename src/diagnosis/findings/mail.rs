//! The mail service findings, by concept: what answered on the port, a
//! connection limit showing itself, STARTTLS (not offered, refused), login
//! before TLS, no AUTH=PLAIN inside TLS, and a failed test login.

use crate::diagnosis::server::Software;
use crate::observations::{Observations, ServiceSeen, steps};
use crate::report::{Finding, Severity};
use crate::vocab::{ErrorKind, Protocol, Transport};

use super::make;

/// What answered when it is not the service probed for: a refusal, silence,
/// TLS on a plaintext port or the reverse, another service.
pub(super) fn service_rules(
    obs: &Observations,
    sw: Software,
    endpoint: &str,
    out: &mut Vec<Finding>,
) {
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
pub(super) fn throttling_rule(
    obs: &Observations,
    sw: Software,
    endpoint: &str,
    out: &mut Vec<Finding>,
) {
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

/// The mail dialogue's findings: STARTTLS, login before TLS, the
/// mechanisms inside TLS, the test login.
pub(super) fn mail_rules(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    starttls_rules(obs, sw, out);
    login_before_tls_rule(obs, sw, out);
    plain_auth_rule(obs, sw, out);
    login_failed_rule(obs, sw, out);
}

/// A mail protocol probed on its STARTTLS port.
fn on_starttls_port(obs: &Observations) -> bool {
    obs.target.transport == Transport::Starttls && obs.target.protocol != Protocol::Tls
}

/// The capabilities before TLS, quoted (empty when none were seen).
fn capabilities_quoted(obs: &Observations) -> String {
    let before = &obs.mail.capabilities_before_tls;
    if before.is_empty() {
        String::new()
    } else {
        format!(" CAPABILITY before TLS: {}.", before.join(" "))
    }
}

/// STARTTLS not advertised, or advertised and refused, on a STARTTLS port.
fn starttls_rules(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    let mail = &obs.mail;
    let port = obs.target.port;
    if !on_starttls_port(obs) {
        return;
    }
    let st = mail.starttls.as_ref();
    if st.and_then(|s| s.advertised) == Some(false) {
        let login = if mail.login_disabled == Some(true) {
            " It also advertises LOGINDISABLED, so no client can log in on this port at all."
        } else {
            " Clients that require TLS (Exchange Online -Security Tls, Thunderbird in STARTTLS mode) stop; imapsync continues in plaintext."
        };
        out.push(make(
            "STARTTLS_NOT_OFFERED",
            None,
            format!(
                "Port {port} does not advertise STARTTLS.{}{login}",
                capabilities_quoted(obs)
            ),
            sw,
        ));
    }
    if st.and_then(|s| s.accepted) == Some(false) {
        let resp = st.and_then(|s| s.response.clone()).unwrap_or_default();
        out.push(make(
            "STARTTLS_REFUSED",
            None,
            format!("Port {port} advertises STARTTLS but answers it with \"{resp}\"."),
            sw,
        ));
    }
}

/// IMAP on its STARTTLS port: LOGINDISABLED before TLS, or LOGIN allowed
/// in clear.
fn login_before_tls_rule(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    if obs.target.protocol != Protocol::Imap || !on_starttls_port(obs) {
        return;
    }
    let mail = &obs.mail;
    let port = obs.target.port;
    let advertised = mail.starttls.as_ref().and_then(|s| s.advertised);
    let caps = capabilities_quoted(obs);
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

/// Mechanisms offered inside TLS, none of them PLAIN.
fn plain_auth_rule(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    let mail = &obs.mail;
    let mechs = &mail.auth_mechanisms;
    if mechs.is_empty() || mechs.iter().any(|m| m.eq_ignore_ascii_case("PLAIN")) {
        return;
    }
    let where_ = if on_starttls_port(obs) {
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

/// The test login ran and the server said no.
fn login_failed_rule(obs: &Observations, sw: Software, out: &mut Vec<Finding>) {
    if let Some(login) = &obs.mail.login
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
