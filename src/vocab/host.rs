//! A host as a request names it, checked (an IP literal or a DNS name in
//! ASCII form), and the error that names a wrong request field. Shared by
//! the request validation, the settings, the target policy and the engines;
//! `probe::request` re-exports them under their old paths.

use std::net::IpAddr;

/// A host, checked: either an IP literal or a DNS name in ASCII (A-label) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Ip(IpAddr),
    Name(String),
}

impl Host {
    pub fn as_string(&self) -> String {
        match self {
            Host::Ip(ip) => ip.to_string(),
            Host::Name(n) => n.clone(),
        }
    }
}

/// `name` as the resolver must look it up: fully qualified (a trailing
/// dot), so the search domains of the service's own resolv.conf (a pod's
/// `default.svc.cluster.local`) never complete a caller's name —
/// `host=kubernetes.default` must not reach the cluster's API server.
pub fn fully_qualified(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

/// `localhost` and names under it are loopback (RFC 6761 §6.3), answered
/// without a lookup — a fully qualified `localhost.` is not in /etc/hosts.
pub fn is_localhost(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// A request field that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidField {
    pub field: &'static str,
    pub message: String,
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> InvalidField {
    InvalidField {
        field,
        message: message.into(),
    }
}

/// Parses a host: an IP literal (IPv6 optionally in brackets) or a DNS name,
/// converted to its ASCII form (IDNA, so `bücher.example` works) and checked
/// against RFC 1035 lengths. Names that only *look* numeric (`127.1`,
/// `0x7f000001`) are left to the resolver; the policy checks whatever address
/// it yields, so no spelling slips past it.
pub fn parse_host(raw: &str) -> Result<Host, InvalidField> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid("host", "must not be empty"));
    }
    if s.len() > 253 + 2 {
        return Err(invalid("host", "longer than 253 characters"));
    }
    let unbracketed = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    // Numeric spellings a resolver (inet_aton) accepts: `2130706433`,
    // `0x7f.1`, `127.1`, `0177.0.0.1`. Read them as the resolver would, so
    // the policy judges the address they name, not a "name".
    if let Some(v4) = legacy_ipv4(s.strip_suffix('.').unwrap_or(s)) {
        return match v4 {
            Some(ip) => Ok(Host::Ip(IpAddr::V4(ip))),
            None => Err(invalid(
                "host",
                format!(
                    "`{}` looks like a numeric IPv4 address but is out of range",
                    printable(s)
                ),
            )),
        };
    }
    if s.contains(['/', ':', '@', '?', '#', ' ', '\\']) {
        return Err(invalid(
            "host",
            format!(
                "`{}` is not a host name or IP address (give the port in `port`, no URL)",
                printable(s)
            ),
        ));
    }
    let name = s.strip_suffix('.').unwrap_or(s);
    let ascii = idna::domain_to_ascii(name).map_err(|_| {
        invalid(
            "host",
            format!("`{}` is not a valid host name", printable(s)),
        )
    })?;
    if ascii.is_empty() || ascii.len() > 253 {
        return Err(invalid("host", "a host name has 1 to 253 characters"));
    }
    for label in ascii.split('.') {
        let ok_len = (1..=63).contains(&label.len());
        let ok_chars = label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let ok_ends = !label.starts_with('-') && !label.ends_with('-');
        if !(ok_len && ok_chars && ok_ends) {
            return Err(invalid(
                "host",
                format!(
                    "`{}` is not a valid host name (label `{}`)",
                    printable(s),
                    printable(label)
                ),
            ));
        }
    }
    // RFC 3696 §2: a top-level domain is never all-numeric, so `1.2.3.4.5`
    // is neither an address nor a name a resolver should be handed.
    if ascii
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid(
            "host",
            format!(
                "`{}` is neither an IP address nor a host name (its last label is numeric)",
                printable(s)
            ),
        ));
    }
    Ok(Host::Name(ascii))
}

/// `None`: not a numeric spelling. `Some(None)`: numeric but out of range
/// (or an invalid octal digit). `Some(Some(ip))`: the address inet_aton
/// reads: 1 to 4 parts, each decimal, octal (leading `0`) or hex (`0x`); the
/// last part fills the remaining bytes.
pub(crate) fn legacy_ipv4(s: &str) -> Option<Option<std::net::Ipv4Addr>> {
    let parts: Vec<&str> = s.split('.').collect();
    let numeric = |p: &str| {
        !p.is_empty()
            && (p.bytes().all(|b| b.is_ascii_digit())
                || ((p.starts_with("0x") || p.starts_with("0X"))
                    && p[2..].bytes().all(|b| b.is_ascii_hexdigit())))
    };
    if parts.len() > 4 || !parts.iter().all(|p| numeric(p)) {
        return None;
    }
    let value = |p: &str| -> Option<u64> {
        if let Some(hex) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            if hex.is_empty() {
                return Some(0);
            }
            u64::from_str_radix(hex, 16).ok()
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(&p[1..], 8).ok()
        } else {
            p.parse().ok()
        }
    };
    let mut values = Vec::with_capacity(parts.len());
    for p in &parts {
        match value(p) {
            Some(v) => values.push(v),
            None => return Some(None),
        }
    }
    let (last, leading) = values.split_last()?;
    if leading.iter().any(|v| *v > 255) {
        return Some(None);
    }
    let last_bits = 8 * (4 - leading.len() as u32);
    if *last >= 1u64 << last_bits {
        return Some(None);
    }
    let mut addr: u64 = 0;
    for (i, v) in leading.iter().enumerate() {
        addr |= v << (24 - 8 * i as u32);
    }
    addr |= last;
    Some(Some(std::net::Ipv4Addr::from(addr as u32)))
}

pub(crate) fn printable(s: &str) -> String {
    s.chars().take(80).flat_map(char::escape_default).collect()
}
