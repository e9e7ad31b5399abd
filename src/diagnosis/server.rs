//! The server as the observations show it, in the terms rules ask about:
//! "does it accept this version with this suite?", "what is its highest
//! version?", "which software is it?". Three-valued where the probe may not
//! have measured a fact: [`Known::Unknown`] is never read as yes or no.

use super::evidence::Evidence;
use crate::observations::Observations;
use crate::report::CertificateInfo;
use crate::tls::suites::{self, BulkCipher, KeyExchange};
use crate::vocab::TlsVersion;

/// A fact that may not have been measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Yes,
    No,
    Unknown,
}

/// Server software families whose remedies differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Software {
    /// Exchange 2010 (or older) IMAP4: hard-coded to TLS 1.0, no fix \[2010IMAP\].
    Exchange2010,
    /// Exchange 2013 and later (or a version not determined).
    Exchange,
    Dovecot,
    Postfix,
    Courier,
    Cyrus,
    /// Anything else, or not recognised.
    Other,
}

impl Software {
    pub fn label(self) -> &'static str {
        match self {
            Software::Exchange2010 => "Exchange 2010",
            Software::Exchange => "Exchange",
            Software::Dovecot => "Dovecot",
            Software::Postfix => "Postfix",
            Software::Courier => "Courier",
            Software::Cyrus => "Cyrus",
            Software::Other => "the server",
        }
    }
}

/// One version's scan result, with suite code points in the server's order.
#[derive(Debug, Clone)]
pub struct VersionView {
    pub version: TlsVersion,
    pub offered: Option<bool>,
    pub suites: Vec<u16>,
    pub server_preference: Option<bool>,
}

/// The TLS facts of one server.
#[derive(Debug, Clone)]
pub struct ServerView<'a> {
    pub obs: &'a Evidence,
    pub versions: Vec<VersionView>,
    /// The pair a modern client (rustls) completed, if it did.
    pub handshake: Option<(TlsVersion, u16)>,
    pub server_preference: Option<bool>,
    /// Group code points the server accepts; empty when not measured.
    pub groups: Vec<u16>,
    pub software: Software,
}

/// `"0xC02F"` → `0xC02F`.
pub fn parse_code(iana: &str) -> Option<u16> {
    let hex = iana
        .strip_prefix("0x")
        .or_else(|| iana.strip_prefix("0X"))?;
    u16::from_str_radix(hex, 16).ok()
}

/// A group name (`x25519`) back to its code point, via the wire table.
fn group_code(name: &str) -> Option<u16> {
    if let Some(code) = parse_code(name) {
        return Some(code);
    }
    (0u16..=0x0300)
        .chain(0x11EB..=0x11ED)
        .find(|c| crate::tls::hello::group_name(*c).is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// Whether a suite can be negotiated at a version (registry min_version);
/// unknown code points count as usable at TLS <= 1.2.
pub fn usable_at(code: u16, v: TlsVersion) -> bool {
    match suites::lookup(code) {
        Some(s) => s.usable_at(v),
        None => v != TlsVersion::Tls13 && v != TlsVersion::Ssl2,
    }
}

/// The IANA name of a suite code point (or its hex).
pub fn suite_name(code: u16) -> String {
    suites::lookup(code)
        .map(|s| s.iana_name.to_string())
        .unwrap_or_else(|| suites::iana_hex(code))
}

/// The OpenSSL name where one exists (what Dovecot/Postfix admins write), else the IANA name.
pub fn short_suite_name(code: u16) -> String {
    suites::lookup(code)
        .and_then(|s| s.openssl_name)
        .map(str::to_string)
        .unwrap_or_else(|| suite_name(code))
}

/// Suites a careful client no longer accepts: RC4, single DES, 3DES, NULL,
/// export grade, anonymous (\[ENC\]: 3DES off in O365; RFC 7465; RFC 9325 §4.1).
pub fn is_weak_suite(code: u16) -> bool {
    suites::lookup(code).is_some_and(|s| {
        matches!(
            s.cipher,
            BulkCipher::Rc4
                | BulkCipher::Des
                | BulkCipher::Des40
                | BulkCipher::TripleDes
                | BulkCipher::Rc2
                | BulkCipher::Null
        ) || s.export
            || s.auth == suites::Authentication::Anon
    })
}

/// Broken beyond any policy: NULL, RC4, export, anonymous, single DES (RFC 9325 §4.1, RFC 7465).
pub fn is_broken_suite(code: u16) -> bool {
    suites::lookup(code).is_some_and(|s| {
        matches!(
            s.cipher,
            BulkCipher::Rc4
                | BulkCipher::Des
                | BulkCipher::Des40
                | BulkCipher::Rc2
                | BulkCipher::Null
        ) || s.export
            || s.auth == suites::Authentication::Anon
    })
}

pub fn kx(code: u16) -> Option<KeyExchange> {
    suites::lookup(code).map(|s| s.kx)
}

impl<'a> ServerView<'a> {
    pub fn new(obs: &'a Evidence) -> ServerView<'a> {
        let versions = obs
            .tls
            .versions
            .iter()
            .map(|v| VersionView {
                version: v.version,
                offered: v.offered,
                suites: v
                    .suites
                    .iter()
                    .filter_map(|s| parse_code(&s.iana))
                    .collect(),
                server_preference: v.server_preference,
            })
            .collect();
        let handshake = obs
            .tls
            .handshake
            .as_ref()
            .and_then(|h| Some((h.version, parse_code(&h.suite.iana)?)));
        ServerView {
            obs,
            versions,
            handshake,
            server_preference: obs.tls.server_preference,
            groups: obs
                .tls
                .groups
                .iter()
                .filter_map(|n| group_code(n))
                .collect(),
            software: software(obs),
        }
    }

    fn version(&self, v: TlsVersion) -> Option<&VersionView> {
        self.versions.iter().find(|x| x.version == v)
    }

    /// Whether the server accepts version `v` at all.
    pub fn offers_version(&self, v: TlsVersion) -> Known {
        match self.version(v).and_then(|x| x.offered) {
            Some(true) => Known::Yes,
            Some(false) => Known::No,
            None if self.handshake.is_some_and(|(hv, _)| hv == v) => Known::Yes,
            None => Known::Unknown,
        }
    }

    /// Whether the server accepts suite `code` at version `v`.
    pub fn accepts(&self, v: TlsVersion, code: u16) -> Known {
        if self.handshake == Some((v, code)) {
            return Known::Yes;
        }
        match self.version(v) {
            Some(x) if x.offered == Some(false) => Known::No,
            Some(x) if x.offered == Some(true) && !x.suites.is_empty() => {
                if x.suites.contains(&code) {
                    Known::Yes
                } else {
                    Known::No
                }
            }
            _ => Known::Unknown,
        }
    }

    /// Whether the server picks by its own order at `v` (the version's answer, else the overall one).
    pub fn preference_at(&self, v: TlsVersion) -> Option<bool> {
        self.version(v)
            .and_then(|x| x.server_preference)
            .or(self.server_preference)
    }

    /// The suites the server accepts at `v`, in its order, when enumerated.
    pub fn suites_at(&self, v: TlsVersion) -> Option<&[u16]> {
        self.version(v)
            .filter(|x| x.offered == Some(true) && !x.suites.is_empty())
            .map(|x| x.suites.as_slice())
    }

    /// Versions the scan saw accepted, oldest first.
    pub fn accepted_versions(&self) -> Vec<TlsVersion> {
        let mut out: Vec<TlsVersion> = TlsVersion::ALL
            .into_iter()
            .filter(|v| self.offers_version(*v) == Known::Yes)
            .collect();
        out.dedup();
        out
    }

    /// Whether the scan says yes or no for every TLS version 1.0-1.3 (SSL
    /// 2/3 may stay unmeasured: no client in the profiles offers them).
    pub fn versions_scanned(&self) -> bool {
        [
            TlsVersion::Tls10,
            TlsVersion::Tls11,
            TlsVersion::Tls12,
            TlsVersion::Tls13,
        ]
        .iter()
        .all(|v| self.version(*v).is_some_and(|x| x.offered.is_some()))
    }

    /// The highest version accepted, when every version above it is known
    /// to be refused (else the maximum is not established).
    pub fn max_version(&self) -> Option<TlsVersion> {
        let max = self.accepted_versions().into_iter().max()?;
        TlsVersion::ALL
            .into_iter()
            .filter(|v| *v > max)
            .all(|v| self.offers_version(v) == Known::No)
            .then_some(max)
    }

    /// Every accepted suite over all versions, deduplicated, by first appearance (newest version first).
    pub fn all_suites(&self) -> Vec<u16> {
        let mut out = Vec::new();
        for v in self.versions.iter().rev() {
            if v.offered == Some(true) {
                for s in &v.suites {
                    if !out.contains(s) {
                        out.push(*s);
                    }
                }
            }
        }
        out
    }

    pub fn leaf(&self) -> Option<&'a CertificateInfo> {
        self.obs.certificate.as_ref().and_then(|c| c.chain.first())
    }

    /// The leaf's RSA key size, when the leaf is RSA.
    pub fn rsa_bits(&self) -> Option<u32> {
        self.leaf()
            .filter(|l| l.key_type.to_ascii_uppercase().contains("RSA"))
            .and_then(|l| l.key_bits)
    }

    pub fn leaf_is_ec(&self) -> Option<bool> {
        self.leaf().map(|l| {
            let t = l.key_type.to_ascii_uppercase();
            t.contains("EC") && !t.contains("RSA")
        })
    }
}

/// Whether the leaf is outside its validity period at the probe's start:
/// the certificate layer's answer when it gave one, else computed from the
/// leaf's dates and `started_at` (never the clock). `Some((true, text))`
/// says which bound is crossed.
pub fn validity(obs: &Evidence) -> Option<(bool, String)> {
    use time::format_description::well_known::Rfc3339;
    let cert = obs.certificate.as_ref()?;
    let leaf = cert.chain.first();
    if let Some(expired) = cert.expired {
        let when = leaf.map(|l| l.not_after.clone()).unwrap_or_default();
        return Some((expired, format!("expired on {when}")));
    }
    let leaf = leaf?;
    let parse = |s: &str| time::OffsetDateTime::parse(s, &Rfc3339).ok();
    if let Some(after) = parse(&leaf.not_after)
        && after < obs.started_at
    {
        return Some((true, format!("expired on {}", leaf.not_after)));
    }
    if let Some(before) = parse(&leaf.not_before)
        && before > obs.started_at
    {
        return Some((true, format!("is not valid before {}", leaf.not_before)));
    }
    Some((false, String::new()))
}

/// Certificates in the chain signed with SHA-1, excluding a self-signed root
/// the server happens to send (its signature is never checked) \[ENC\]\[OSSL-SEC\].
pub fn sha1_signed(obs: &Evidence) -> Vec<&CertificateInfo> {
    let Some(cert) = obs.certificate.as_ref() else {
        return Vec::new();
    };
    let n = cert.chain.len();
    let mut out: Vec<&CertificateInfo> = cert
        .chain
        .iter()
        .enumerate()
        .filter(|(i, c)| !(n > 1 && *i == n - 1 && c.self_signed && c.is_ca))
        .map(|(_, c)| c)
        .filter(|c| {
            let a = c.signature_algorithm.to_ascii_lowercase();
            a.contains("sha1") || a.contains("sha-1")
        })
        .collect();
    if out.is_empty() && cert.issues.iter().any(|i| i.contains("sha1")) {
        out.extend(cert.chain.first());
    }
    out
}

/// Which server software answered: from the mail layer's guess, else from the greeting.
/// Exchange 2010 is told apart by the version when known, else by the
/// heuristic of [domain §2] (Microsoft banner, no MOVE/ID in CAPABILITY) or
/// a TLS 1.0 maximum, which is consistent with 2010.
pub fn software(obs: &Observations) -> Software {
    let guess = crate::mail::software::identify(obs.target.protocol, &obs.mail);
    let guess = guess.as_ref();
    let mut text = guess
        .map(|g| g.name.to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(g) = &obs.mail.greeting {
        text.push(' ');
        text.push_str(&g.to_ascii_lowercase());
    }
    if text.contains("exchange") || text.contains("microsoft") {
        let version = guess.and_then(|g| g.version.as_deref()).unwrap_or("");
        let old_version = ["2010", "2007", "2003", "14.", "8.", "6.5"]
            .iter()
            .any(|v| version.starts_with(v) || version.contains(&format!(" {v}")));
        let new_version = ["2013", "2016", "2019", "15.", "SE"]
            .iter()
            .any(|v| version.starts_with(v));
        if old_version {
            return Software::Exchange2010;
        }
        if new_version {
            return Software::Exchange;
        }
        let caps: Vec<String> = obs
            .mail
            .capabilities_before_tls
            .iter()
            .chain(obs.mail.capabilities_after_tls.iter())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let caps_say_old = !caps.is_empty() && !caps.iter().any(|c| c == "MOVE" || c == "ID");
        let view_max = obs
            .tls
            .versions
            .iter()
            .filter(|v| v.offered == Some(true))
            .map(|v| v.version)
            .max();
        let tls_says_old = view_max.is_some_and(|m| m <= TlsVersion::Tls10);
        if caps_say_old || tls_says_old {
            return Software::Exchange2010;
        }
        return Software::Exchange;
    }
    for (needle, sw) in [
        ("dovecot", Software::Dovecot),
        ("postfix", Software::Postfix),
        ("courier", Software::Courier),
        ("cyrus", Software::Cyrus),
    ] {
        if text.contains(needle) {
            return sw;
        }
    }
    Software::Other
}
