//! Which server software answered, guessed from what it said: the greeting,
//! the capabilities and the IMAP ID response. Pure: no I/O. Every guess
//! quotes its evidence, because a banner is set by an administrator and a
//! guess is only as good as the text behind it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::mail::dialogue::MailSeen;
use crate::report::SoftwareGuess;
use crate::vocab::Protocol;

/// What the server said that can identify it.
#[derive(Debug, Clone, Copy)]
pub struct Said<'a> {
    pub protocol: Protocol,
    /// The greeting line(s) (SMTP greetings can span several).
    pub greeting: &'a [String],
    /// Every capability seen, before and after TLS.
    pub capabilities: &'a [String],
    /// IMAP ID (RFC 2971) parameters.
    pub id: &'a [(String, String)],
}

fn has_cap(said: &Said<'_>, cap: &str) -> bool {
    said.capabilities
        .iter()
        .any(|c| c.eq_ignore_ascii_case(cap))
}

fn id_value<'a>(said: &'a Said<'_>, key: &str) -> Option<&'a str> {
    said.id
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// The word after `marker` in `text` (e.g. the version after "Exim ").
fn word_after(text: &str, marker: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(&marker.to_ascii_lowercase())? + marker.len();
    let word: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | ',' | ';'))
        .collect();
    let word = word.trim_end_matches('.');
    (!word.is_empty() && word.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .then(|| word.to_string())
}

/// Exchange Online appends ` [<base64 of the UTF-16LE backend FQDN>]` to the
/// default banner (e.g. `[UwBJADIA…]` = `SI2PR04CA0005.apcprd04.prod.outlook.com`).
pub fn exchange_online_backend(greeting: &str) -> Option<String> {
    let open = greeting.rfind('[')?;
    let inner = greeting[open + 1..].strip_suffix(']')?;
    if inner.len() < 8 || inner.len() > 512 {
        return None;
    }
    let bytes = B64.decode(inner).ok()?;
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let name = String::from_utf16(&units).ok()?;
    let plausible = name.contains('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    plausible.then_some(name)
}

fn quote(source: &str, text: &str) -> String {
    format!("{source}: \"{text}\"")
}

/// The software guess for what one dialogue saw; `None` when it reached no
/// greeting or nothing identifies the software.
pub fn identify(protocol: Protocol, mail: &MailSeen) -> Option<SoftwareGuess> {
    if mail.greeting_lines.is_empty() {
        return None;
    }
    let mut capabilities = mail.capabilities_before_tls.clone();
    capabilities.extend(mail.capabilities_after_tls.iter().cloned());
    guess(&Said {
        protocol,
        greeting: &mail.greeting_lines,
        capabilities: &capabilities,
        id: &mail.id_pairs,
    })
}

/// What every rule reads: the greeting (first line, all lines, lowercased)
/// and the ID name and version.
struct Text<'a> {
    greeting: &'a str,
    all_greeting: String,
    lower: String,
    id_name: Option<&'a str>,
    id_lower: String,
    id_version: Option<&'a str>,
}

fn named(name: &str, version: Option<String>, evidence: Vec<String>) -> Option<SoftwareGuess> {
    Some(SoftwareGuess {
        name: name.to_string(),
        version,
        evidence,
    })
}

/// The best guess, or `None` when nothing identifies the software.
pub fn guess(said: &Said<'_>) -> Option<SoftwareGuess> {
    let all_greeting = said.greeting.join(" ");
    let id_name = id_value(said, "name");
    let t = Text {
        greeting: said.greeting.first().map(String::as_str).unwrap_or(""),
        lower: all_greeting.to_ascii_lowercase(),
        all_greeting,
        id_name,
        id_lower: id_name.unwrap_or("").to_ascii_lowercase(),
        id_version: id_value(said, "version"),
    };
    let mut evidence = vec![quote("greeting", t.greeting)];
    if let Some(n) = t.id_name {
        evidence.push(quote("ID name", n));
    }
    if let Some(v) = t.id_version {
        evidence.push(quote("ID version", v));
    }
    if t.lower.contains("microsoft exchange")
        || t.lower.contains("microsoft esmtp mail service")
        || t.id_lower.contains("microsoft.exchange")
    {
        return exchange(said, &t, evidence);
    }
    if let Some(found) = by_product_rules(&t) {
        return named(found.0, found.1, evidence);
    }
    // Gmail's capabilities are unmistakable even behind a custom banner.
    if has_cap(said, "X-GM-EXT-1") {
        evidence.push("capability X-GM-EXT-1".into());
        return named("Gmail", None, evidence);
    }
    // hMailServer's default IMAP welcome message is literally "IMAPrev1".
    if said.protocol == Protocol::Imap && t.greeting.trim_end() == "* OK IMAPrev1" {
        return named("hMailServer", None, evidence);
    }
    if let Some(n) = t.id_name {
        return named(n, t.id_version.map(str::to_string), evidence);
    }
    None
}

/// Microsoft Exchange, and Exchange Online by its backend suffix.
fn exchange(said: &Said<'_>, t: &Text<'_>, mut evidence: Vec<String>) -> Option<SoftwareGuess> {
    if let Some(backend) = exchange_online_backend(t.greeting) {
        evidence.push(format!(
            "backend \"{backend}\" (base64 UTF-16LE suffix of the greeting)"
        ));
        return named("Microsoft Exchange Online", None, evidence);
    }
    if t.lower.contains("outlook.com") || t.lower.contains("office365.com") {
        return named("Microsoft Exchange Online", None, evidence);
    }
    if let Some(v) = word_after(
        &t.all_greeting,
        "Exchange Server 2003 IMAP4rev1 server version ",
    ) {
        return named("Microsoft Exchange", Some(format!("2003 ({v})")), evidence);
    }
    let version = if let Some(v) = t.id_version {
        Some(v.to_string())
    } else if said.protocol == Protocol::Imap && !said.capabilities.is_empty() {
        // domain.md §2, unverified heuristic: MOVE and ID arrived with 2013.
        if has_cap(said, "MOVE") || has_cap(said, "ID") {
            evidence.push("capabilities include MOVE/ID (Exchange 2013 or later)".into());
            Some("2013 or later".into())
        } else {
            evidence
                .push("capabilities lack MOVE and ID (heuristic: Exchange 2010 or earlier)".into());
            Some("2010 or earlier".into())
        }
    } else {
        None
    };
    named("Microsoft Exchange", version, evidence)
}

/// (needle in greeting or ID name, product, version marker)
const PRODUCTS: &[(&str, &str, Option<&str>)] = &[
    ("dovecot", "Dovecot", None),
    ("courier", "Courier", None),
    ("cyrus", "Cyrus IMAP", Some("v")),
    ("gimap", "Gmail", None),
    ("gpop", "Gmail", None),
    ("mx.google.com", "Gmail", None),
    ("smtp.gmail.com", "Gmail", None),
    ("zimbra", "Zimbra", None),
    ("hmailserver", "hMailServer", None),
    ("mdaemon", "MDaemon", Some("MDaemon ")),
    ("kerio", "Kerio Connect", None),
    ("icewarp", "IceWarp", None),
    ("axigen", "Axigen", None),
    ("smartermail", "SmarterMail", None),
    ("communigate", "CommuniGate Pro", None),
    ("stalwart", "Stalwart", None),
    ("uw imap", "UW IMAP", None),
    ("postfix", "Postfix", None),
    ("exim", "Exim", Some("Exim ")),
    ("sendmail", "Sendmail", Some("Sendmail ")),
    ("haraka", "Haraka", None),
    ("opensmtpd", "OpenSMTPD", None),
];

/// The first product whose needle is in the greeting or the ID name, with
/// its version (ID version first, else the word after its marker).
fn by_product_rules(t: &Text<'_>) -> Option<(&'static str, Option<String>)> {
    PRODUCTS.iter().find_map(|(needle, product, marker)| {
        (t.lower.contains(needle) || t.id_lower.contains(needle)).then(|| {
            let version = t
                .id_version
                .map(str::to_string)
                .or_else(|| marker.and_then(|m| word_after(&t.all_greeting, m)));
            (*product, version)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(
        protocol: Protocol,
        greeting: &str,
        caps: &[&str],
        id: &[(&str, &str)],
    ) -> Option<SoftwareGuess> {
        let greeting = vec![greeting.to_string()];
        let caps: Vec<String> = caps.iter().map(|s| s.to_string()).collect();
        let id: Vec<(String, String)> = id
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        guess(&Said {
            protocol,
            greeting: &greeting,
            capabilities: &caps,
            id: &id,
        })
    }

    #[test]
    fn identify_reads_what_the_dialogue_recorded() {
        let mut seen = MailSeen {
            greeting: Some("* OK The Microsoft Exchange IMAP4 service is ready.".into()),
            ..MailSeen::default()
        };
        // No greeting lines recorded: the dialogue reached no greeting.
        assert!(identify(Protocol::Imap, &seen).is_none());
        seen.greeting_lines = vec!["* OK The Microsoft Exchange IMAP4 service is ready.".into()];
        seen.capabilities_before_tls = vec!["IMAP4rev1".into()];
        let before = identify(Protocol::Imap, &seen).unwrap();
        assert_eq!(before.version.as_deref(), Some("2010 or earlier"));
        // Capabilities inside TLS count too.
        seen.capabilities_after_tls = vec!["MOVE".into()];
        let after = identify(Protocol::Imap, &seen).unwrap();
        assert_eq!(after.version.as_deref(), Some("2013 or later"));
        seen.id_pairs = vec![("version".into(), "15.1".into())];
        let by_id = identify(Protocol::Imap, &seen).unwrap();
        assert_eq!(by_id.version.as_deref(), Some("15.1"));
    }

    const EXO_GREETING: &str = "* OK The Microsoft Exchange IMAP4 service is ready. [UwBJADIAUABSADAANABDAEEAMAAwADAANQAuAGEAcABjAHAAcgBkADAANAAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]";

    #[test]
    fn exchange_online_backend_is_decoded_and_quoted() {
        assert_eq!(
            exchange_online_backend(EXO_GREETING).as_deref(),
            Some("SI2PR04CA0005.apcprd04.prod.outlook.com")
        );
        let s = g(
            Protocol::Imap,
            EXO_GREETING,
            &["IMAP4rev1", "AUTH=XOAUTH2"],
            &[],
        )
        .unwrap();
        assert_eq!(s.name, "Microsoft Exchange Online");
        assert!(
            s.evidence
                .iter()
                .any(|e| e.contains("SI2PR04CA0005.apcprd04.prod.outlook.com"))
        );
        assert_eq!(exchange_online_backend("* OK [not base64!]"), None);
    }

    #[test]
    fn exchange_versions_by_capabilities() {
        let old = g(
            Protocol::Imap,
            "* OK The Microsoft Exchange IMAP4 service is ready.",
            &["IMAP4", "IMAP4rev1", "LOGINDISABLED", "STARTTLS", "IDLE"],
            &[],
        )
        .unwrap();
        assert_eq!(
            (old.name.as_str(), old.version.as_deref()),
            ("Microsoft Exchange", Some("2010 or earlier"))
        );
        let new = g(
            Protocol::Imap,
            "* OK The Microsoft Exchange IMAP4 service is ready.",
            &["IMAP4rev1", "MOVE", "ID"],
            &[
                ("name", "Microsoft.Exchange.Imap4.Imap4Server"),
                ("version", "15.1"),
            ],
        )
        .unwrap();
        assert_eq!(new.version.as_deref(), Some("15.1"));
        assert!(new.evidence.contains(&"ID version: \"15.1\"".to_string()));
        let e2003 = g(Protocol::Imap, "* OK Microsoft Exchange Server 2003 IMAP4rev1 server version 6.5.7638.1 (mail.example) ready.", &[], &[]).unwrap();
        assert_eq!(e2003.version.as_deref(), Some("2003 (6.5.7638.1)"));
    }

    #[test]
    fn other_products() {
        let name = |p, gr: &str| g(p, gr, &[], &[]).map(|s| (s.name, s.version));
        assert_eq!(
            name(
                Protocol::Imap,
                "* OK [CAPABILITY IMAP4rev1] Dovecot (Ubuntu) ready."
            ),
            Some(("Dovecot".into(), None))
        );
        assert_eq!(
            name(Protocol::Imap, "* OK Cyrus IMAP v2.4.17 server ready"),
            Some(("Cyrus IMAP".into(), Some("2.4.17".into())))
        );
        assert_eq!(
            name(
                Protocol::Imap,
                "* OK Gimap ready for requests from 192.0.2.1"
            ),
            Some(("Gmail".into(), None))
        );
        assert_eq!(
            name(Protocol::Imap, "* OK IMAPrev1"),
            Some(("hMailServer".into(), None))
        );
        assert_eq!(
            name(
                Protocol::Imap,
                "* OK mail.example IMAP4rev1 MDaemon 21.0.3 ready"
            ),
            Some(("MDaemon".into(), Some("21.0.3".into())))
        );
        assert_eq!(
            name(
                Protocol::Imap,
                "* OK [CAPABILITY X] Courier-IMAP ready. Copyright 1998-2018 Double Precision, Inc."
            ),
            Some(("Courier".into(), None))
        );
        assert_eq!(
            name(
                Protocol::Imap,
                "* OK mail.example Zimbra IMAP4rev1 server ready"
            ),
            Some(("Zimbra".into(), None))
        );
        assert_eq!(
            name(Protocol::Smtp, "220 mx.example ESMTP Postfix (Debian/GNU)"),
            Some(("Postfix".into(), None))
        );
        assert_eq!(
            name(
                Protocol::Smtp,
                "220 mx.example ESMTP Exim 4.96 Mon, 01 Jan 2026"
            ),
            Some(("Exim".into(), Some("4.96".into())))
        );
        assert_eq!(
            name(
                Protocol::Smtp,
                "220 mx.example ESMTP Sendmail 8.15.2/8.15.2; Mon"
            ),
            Some(("Sendmail".into(), Some("8.15.2/8.15.2".into())))
        );
        assert_eq!(
            name(Protocol::Smtp, "220 mx.google.com ESMTP a1-2"),
            Some(("Gmail".into(), None))
        );
        assert_eq!(
            name(
                Protocol::Smtp,
                "220 AM0PR01.outlook.office365.com Microsoft ESMTP MAIL Service ready"
            ),
            Some(("Microsoft Exchange Online".into(), None))
        );
        assert_eq!(
            name(
                Protocol::Pop3,
                "+OK The Microsoft Exchange POP3 service is ready."
            ),
            Some(("Microsoft Exchange".into(), None))
        );
        assert_eq!(name(Protocol::Imap, "* OK ready"), None);
        let gm = g(Protocol::Imap, "* OK hi", &["IMAP4rev1", "X-GM-EXT-1"], &[]).unwrap();
        assert_eq!(gm.name, "Gmail");
    }
}
