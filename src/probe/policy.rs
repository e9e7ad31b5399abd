//! Target policy: which addresses a probe may connect to.
//!
//! A service that connects wherever a caller says is an SSRF tool unless it
//! refuses its own network by default. Every resolved address is checked
//! here, and connections go only to the addresses checked (the probe never
//! resolves the name a second time).
//!
//! Order: the deny list wins; then the allow list; then the built-in refusal
//! of every non-global range (IANA special-purpose registries).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::net::embedded_ipv4;

#[derive(Debug, Clone, Default)]
pub struct TargetPolicy {
    pub allow: Vec<IpNet>,
    pub deny: Vec<IpNet>,
}

/// Why an address may not be probed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct Refusal {
    /// The refused address. Shown to the caller only when the caller gave
    /// it; an address a name resolved to may be internal (issue 15).
    pub address: IpAddr,
    /// The rule that refused it, e.g. `loopback`, `private`, `deny-list`.
    pub rule: &'static str,
    /// What would permit it, for the error message.
    pub hint: String,
    /// The host name the address was resolved from, when it was.
    pub resolved_from: Option<String>,
}

impl Refusal {
    /// The same refusal for an address `name` resolved to: the message no
    /// longer names the address, so `host=kubernetes.default` does not
    /// learn what the service's own network looks like.
    pub fn for_name(self, name: &str) -> Refusal {
        Refusal {
            hint: match self.rule {
                "deny-list" => "an address it resolves to is listed in MAILPROBE_DENY_TARGETS, which wins over every allow rule".into(),
                _ => "an operator may permit its addresses with MAILPROBE_ALLOW_TARGETS".into(),
            },
            resolved_from: Some(name.to_string()),
            ..self
        }
    }

    /// The address, when the caller may see it (it gave the address itself).
    pub fn shown_address(&self) -> Option<IpAddr> {
        self.resolved_from.is_none().then_some(self.address)
    }

    fn describe(&self) -> String {
        match &self.resolved_from {
            Some(name) => format!(
                "host {name} resolves to an address refused by the target policy ({})",
                self.rule
            ),
            None => format!(
                "address {} is refused by the target policy ({})",
                self.address, self.rule
            ),
        }
    }
}

impl TargetPolicy {
    /// [`TargetPolicy::check`] for an address of `host`: when `host` is a
    /// name, the refusal does not reveal the address.
    pub fn check_for(&self, host: &crate::vocab::host::Host, ip: IpAddr) -> Result<(), Refusal> {
        self.check(ip).map_err(|r| match host {
            crate::vocab::host::Host::Name(name) => r.for_name(name),
            crate::vocab::host::Host::Ip(_) => r,
        })
    }

    /// The deny list also catches an IPv4 address spelt as IPv6 (mapped,
    /// compatible, NAT64, 6to4): `2002:808:808::1` reaches 8.8.8.8 as surely
    /// as `8.8.8.8` does, so a deny entry for one covers the other.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        let carried = embedded_ipv4(ip).map(IpAddr::V4);
        if self
            .deny
            .iter()
            .any(|n| n.contains(&ip) || carried.is_some_and(|c| n.contains(&c)))
        {
            return Err(Refusal {
                address: ip,
                rule: "deny-list",
                hint: "it is listed in MAILPROBE_DENY_TARGETS, which wins over every allow rule"
                    .into(),
                resolved_from: None,
            });
        }
        if self.allow.iter().any(|n| n.contains(&ip)) {
            return Ok(());
        }
        match special_range(ip) {
            None => Ok(()),
            Some(rule) => Err(Refusal {
                address: ip,
                rule,
                hint: format!(
                    "add a range containing it to MAILPROBE_ALLOW_TARGETS (e.g. MAILPROBE_ALLOW_TARGETS={}) to permit it",
                    IpNet::from(ip)
                ),
                resolved_from: None,
            }),
        }
    }
}

/// The special-purpose range an address falls in, or `None` for a globally
/// routable unicast address. IPv6 forms that embed an IPv4 address
/// (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by the embedded one.
pub fn special_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    let rule = match o {
        [0, ..] => "unspecified-or-this-network",
        [127, ..] => "loopback",
        [10, ..] => "private",
        [172, b, ..] if (16..=31).contains(&b) => "private",
        [192, 168, ..] => "private",
        [100, b, ..] if (64..=127).contains(&b) => "shared-address-space",
        [169, 254, ..] => "link-local",
        [192, 0, 0, _] => "ietf-protocol-assignment",
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => "documentation",
        [192, 88, 99, _] => "6to4-relay-anycast",
        [198, b, ..] if b == 18 || b == 19 => "benchmarking",
        [255, 255, 255, 255] => "broadcast",
        [a, ..] if (224..=239).contains(&a) => "multicast",
        [a, ..] if a >= 240 => "reserved",
        _ => return None,
    };
    Some(rule)
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("unspecified-or-this-network");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(special_v4(v4).unwrap_or("ipv4-mapped"));
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return Some(special_v4(v4).unwrap_or("ipv4-compatible"));
    }
    // NAT64 well-known prefix 64:ff9b::/96: judged by the IPv4 it reaches.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return special_v4(v4).map(|_| "nat64-embedded-non-global");
    }
    // 6to4 2002::/16 embeds an IPv4 address in bits 16..48.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return special_v4(v4).map(|_| "6to4-embedded-non-global");
    }
    let rule = match s[0] {
        x if x & 0xff00 == 0xff00 => "multicast",
        x if x & 0xffc0 == 0xfe80 => "link-local",
        x if x & 0xffc0 == 0xfec0 => "site-local",
        x if x & 0xfe00 == 0xfc00 => "unique-local",
        0x2001 if s[1] == 0x0db8 => "documentation",
        0x3fff if s[1] & 0xf000 == 0 => "documentation",
        0x2001 if s[1] < 0x0200 => "ietf-protocol-assignment",
        0x0100 if s[1..4] == [0, 0, 0] => "discard-only",
        0x0064 if s[1] == 0xff9b && s[2] == 1 => "nat64-local-use",
        x if x & 0xe000 != 0x2000 => "reserved",
        _ => return None,
    };
    Some(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str) -> Option<&'static str> {
        special_range(s.parse().unwrap())
    }

    #[test]
    fn refuses_non_global_ranges() {
        for (addr, expected) in [
            ("127.0.0.1", "loopback"),
            ("127.255.0.9", "loopback"),
            ("0.0.0.0", "unspecified-or-this-network"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "shared-address-space"),
            ("169.254.169.254", "link-local"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "broadcast"),
            ("240.0.0.1", "reserved"),
            ("192.0.2.10", "documentation"),
            ("198.51.100.1", "documentation"),
            ("203.0.113.5", "documentation"),
            ("198.18.0.1", "benchmarking"),
            ("::1", "loopback"),
            ("::", "unspecified-or-this-network"),
            ("fe80::1", "link-local"),
            ("fc00::1", "unique-local"),
            ("fd12:3456::1", "unique-local"),
            ("ff02::1", "multicast"),
            ("2001:db8::1", "documentation"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:10.0.0.1", "private"),
            ("::127.0.0.1", "loopback"),
            ("64:ff9b::7f00:1", "nat64-embedded-non-global"),
            ("2002:7f00:1::", "6to4-embedded-non-global"),
            ("2002:c0a8:101::1", "6to4-embedded-non-global"),
        ] {
            assert_eq!(rule(addr), Some(expected), "{addr}");
        }
    }

    #[test]
    fn allows_global_unicast() {
        for addr in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450:4001::1",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(rule(addr), None, "{addr}");
        }
    }

    #[test]
    fn allow_list_permits_and_deny_list_wins() {
        let policy = TargetPolicy {
            allow: vec!["127.0.0.0/8".parse().unwrap()],
            deny: vec!["127.0.0.2/32".parse().unwrap()],
        };
        assert!(policy.check("127.0.0.1".parse().unwrap()).is_ok());
        let refused = policy.check("127.0.0.2".parse().unwrap()).unwrap_err();
        assert_eq!(refused.rule, "deny-list");
        let refused = policy.check("10.0.0.1".parse().unwrap()).unwrap_err();
        assert_eq!(refused.rule, "private");
        assert!(refused.hint.contains("MAILPROBE_ALLOW_TARGETS"));
    }

    /// Issue 15: a deny entry for an IPv4 address also refuses the IPv6
    /// spellings that carry it (on the old check these were allowed).
    #[test]
    fn the_deny_list_catches_ipv4_embedded_in_ipv6() {
        let policy = TargetPolicy {
            allow: vec![],
            deny: vec!["8.8.8.0/24".parse().unwrap()],
        };
        for spelling in [
            "8.8.8.8",
            "::ffff:8.8.8.8",
            "::8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            let refused = policy.check(spelling.parse().unwrap()).unwrap_err();
            assert_eq!(refused.rule, "deny-list", "{spelling}");
        }
        assert!(policy.check("64:ff9b::101:101".parse().unwrap()).is_ok());
        assert!(policy.check("2a00:1450:4001::1".parse().unwrap()).is_ok());
        assert_eq!(embedded_ipv4("::1".parse().unwrap()), None);
        assert_eq!(embedded_ipv4("::".parse().unwrap()), None);
    }
}
