//! Discovery of a mail host from an email domain (domain.md §5): RFC 6186
//! SRV records, MX, Thunderbird's autoconfig lookups (the domain's own over
//! HTTPS and HTTP, the ISPDB, the MX-derived one) and Microsoft Autodiscover.
//! Every lookup is reported with what it found; every host named by DNS or
//! HTTP is resolved once and checked against the target policy before
//! anything connects to it.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    LookupIpStrategy, NameServerConfigGroup, ResolverConfig, ResolverOpts,
};
use hickory_resolver::name_server::TokioConnectionProvider;

use super::model::{DiscoveredHost, Discovery, Lookup};
use super::web::{self, Method, WebTarget};
use crate::config::{BaseUrl, Settings};
use crate::probe::outbound::OutboundGate;
use crate::vocab::Deadline;
use crate::vocab::host::Host;

/// Bytes read of an autoconfig or Autodiscover answer.
const MAX_XML_BYTES: usize = 64 * 1024;
/// Hosts taken from one lookup.
const MAX_HOSTS: usize = 16;

/// The resolver: `MAILPROBE_DNS_SERVER` when set, else the system's
/// configuration; short per-query timeouts, one attempt, no cache (the
/// service is stateless and a stale answer would mislead a diagnosis). A
/// and AAAA are both asked (not AAAA only when A is empty, hickory's
/// default): readiness lists and compares every family of a host.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
    pub nameserver: String,
}

impl Dns {
    pub fn new(settings: &Settings) -> Result<Dns, String> {
        let mut opts = ResolverOpts::default();
        opts.timeout = Duration::from_secs(3);
        opts.attempts = 1;
        opts.cache_size = 0;
        opts.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
        let (resolver, nameserver) = match settings.dns_server {
            Some(addr) => {
                let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
                let config = ResolverConfig::from_parts(None, vec![], group);
                (
                    TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                        .with_options(opts)
                        .build(),
                    addr.to_string(),
                )
            }
            None => (
                TokioResolver::builder_tokio()
                    .map_err(|e| format!("system resolver configuration: {e}"))?
                    .with_options(opts)
                    .build(),
                "system".to_string(),
            ),
        };
        Ok(Dns {
            resolver,
            nameserver,
        })
    }

    /// A and AAAA of a name (an IP literal is itself).
    pub async fn addresses(&self, host: &Host, deadline: Deadline) -> Result<Vec<IpAddr>, String> {
        let name = match host {
            Host::Ip(ip) => return Ok(vec![*ip]),
            Host::Name(n) => fqdn(n),
        };
        match deadline.run(self.resolver.lookup_ip(name.as_str())).await {
            Ok(Ok(ips)) => {
                let mut v: Vec<IpAddr> = Vec::new();
                for ip in ips.iter().take(MAX_HOSTS) {
                    if !v.contains(&ip) {
                        v.push(ip);
                    }
                }
                if v.is_empty() {
                    Err(format!("{} has no address", host.as_string()))
                } else {
                    Ok(v)
                }
            }
            Ok(Err(e)) => Err(format!("{} did not resolve: {e}", host.as_string())),
            Err(t) => Err(format!("resolving {} {t}", host.as_string())),
        }
    }

    async fn srv(&self, service: &str, domain: &str, deadline: Deadline) -> Lookup {
        let query = format!("_{service}._tcp.{domain}");
        let started = Instant::now();
        let mut l = lookup("srv", &query);
        match deadline.run(self.resolver.srv_lookup(fqdn(&query))).await {
            Ok(Ok(answer)) => {
                let mut records: Vec<_> = answer.iter().take(MAX_HOSTS).cloned().collect();
                records.sort_by_key(|r| (r.priority(), std::cmp::Reverse(r.weight())));
                for r in records {
                    let target = r.target().to_ascii();
                    let target = target.trim_end_matches('.').to_string();
                    l.records.push(format!(
                        "{} {} {} {}",
                        r.priority(),
                        r.weight(),
                        r.port(),
                        if target.is_empty() { "." } else { &target }
                    ));
                    // RFC 6186 §4: a target of "." means the service is not offered.
                    if !target.is_empty() {
                        l.hosts.push(DiscoveredHost {
                            host: target,
                            port: Some(r.port()),
                            service: service.to_string(),
                        });
                    }
                }
                l.found = !l.hosts.is_empty();
                if l.records.len() > l.hosts.len() && l.hosts.is_empty() {
                    l.error = Some("target \".\": the service is explicitly not offered".into());
                }
            }
            Ok(Err(e)) => l.error = Some(e.to_string()),
            Err(t) => l.error = Some(format!("no answer: {t}")),
        }
        l.ms = started.elapsed().as_millis() as u64;
        l
    }

    async fn mx(&self, domain: &str, deadline: Deadline) -> Lookup {
        let started = Instant::now();
        let mut l = lookup("mx", domain);
        match deadline.run(self.resolver.mx_lookup(fqdn(domain))).await {
            Ok(Ok(answer)) => {
                let mut records: Vec<_> = answer.iter().take(MAX_HOSTS).cloned().collect();
                records.sort_by_key(|r| r.preference());
                for r in records {
                    let host = r.exchange().to_ascii().trim_end_matches('.').to_string();
                    l.records.push(format!("{} {}", r.preference(), host));
                    if !host.is_empty() {
                        l.hosts.push(DiscoveredHost {
                            host,
                            port: Some(25),
                            service: "smtp".into(),
                        });
                    }
                }
                l.found = !l.hosts.is_empty();
            }
            Ok(Err(e)) => l.error = Some(e.to_string()),
            Err(t) => l.error = Some(format!("no answer: {t}")),
        }
        l.ms = started.elapsed().as_millis() as u64;
        l
    }
}

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

fn lookup(kind: &str, query: &str) -> Lookup {
    Lookup {
        kind: kind.into(),
        query: query.into(),
        found: false,
        records: Vec::new(),
        hosts: Vec::new(),
        error: None,
        ms: 0,
    }
}

/// The ports discovery suggests for the endpoints (from SRV records).
#[derive(Debug, Default, Clone)]
pub struct SuggestedPorts {
    pub imap_implicit: Option<u16>,
    pub imap_starttls: Option<u16>,
    pub pop3_implicit: Option<u16>,
    pub submission: Option<u16>,
}

/// Where the HTTP lookups go: the HTTPS port (443, or the request's
/// `ports.https`), the plain-HTTP port (80, or `ports.http`; `0` skips the
/// `http://` variants), and the ISPDB base URL (`MAILPROBE_ISPDB_URL`;
/// `None` skips it).
#[derive(Debug, Clone, Copy)]
pub struct HttpPlan<'a> {
    pub https_port: u16,
    pub http_port: u16,
    pub ispdb: Option<&'a BaseUrl>,
}

/// Runs every lookup concurrently and picks the host to probe.
pub async fn discover(
    domain: &str,
    address: Option<&str>,
    dns: &Dns,
    policy: &OutboundGate,
    http: HttpPlan<'_>,
    deadline: Deadline,
) -> (Discovery, SuggestedPorts) {
    let email = address
        .map(str::to_string)
        .unwrap_or_else(|| format!("postmaster@{domain}"));
    // The MX-derived autoconfig lookup needs the MX answer first; the rest
    // of the lookups do not wait for it.
    let mx_and_derived = async {
        let mx = dns.mx(domain, deadline).await;
        let derived = mx_derived_lookups(domain, &mx, dns, policy, http, deadline).await;
        (mx, derived)
    };
    let (
        imaps,
        imap,
        submission,
        pop3s,
        autodiscover_srv,
        (mx, mx_derived),
        (autoconfig, autodiscover),
    ) = tokio::join!(
        dns.srv("imaps", domain, deadline),
        dns.srv("imap", domain, deadline),
        dns.srv("submission", domain, deadline),
        dns.srv("pop3s", domain, deadline),
        // Autodiscover's last resort (domain.md §5): reported, not fetched.
        dns.srv("autodiscover", domain, deadline),
        mx_and_derived,
        http_lookups(domain, &email, dns, policy, http, deadline),
    );
    // Reported in the order a client would try them: Thunderbird's ISP
    // lookups (autoconfig over HTTPS, then HTTP, then the ISPDB), its
    // MX-derived lookup, then Autodiscover.
    let mut lookups = vec![imaps, imap, submission, pop3s, autodiscover_srv, mx];
    lookups.extend(autoconfig);
    lookups.extend(mx_derived);
    lookups.extend(autodiscover);
    let (chosen_host, chosen_because) = choose(domain, &lookups);
    // SRV ports describe their own target only.
    let srv_port = |i: usize| {
        lookups.get(i).and_then(|l| {
            l.hosts
                .iter()
                .find(|h| Some(&h.host) == chosen_host.as_ref())
                .and_then(|h| h.port)
        })
    };
    let ports = SuggestedPorts {
        imap_implicit: srv_port(0),
        imap_starttls: srv_port(1),
        submission: srv_port(2),
        pop3_implicit: srv_port(3),
    };
    (
        Discovery {
            domain: domain.to_string(),
            nameserver: dns.nameserver.clone(),
            lookups,
            chosen_host,
            chosen_because,
        },
        ports,
    )
}

/// The IMAP host, in the order a careful client trusts the sources:
/// SRV (the domain's own statement, RFC 6186), autoconfig, Autodiscover,
/// then the MX host (often the same Exchange server on premises), then the
/// domain itself.
fn choose(domain: &str, lookups: &[Lookup]) -> (Option<String>, String) {
    let order: [(&str, &str, &[&str]); 5] = [
        ("srv", "_imaps._tcp", &["imaps"]),
        ("srv", "_imap._tcp", &["imap"]),
        ("autoconfig", "autoconfig", &["imap"]),
        ("autodiscover", "Autodiscover", &["IMAP", "EXCH", "EXPR"]),
        ("mx", "MX", &["smtp"]),
    ];
    for (kind, label, services) in order {
        for l in lookups
            .iter()
            .filter(|l| l.kind == kind && (kind != "srv" || l.query.starts_with(label)))
        {
            if let Some(h) = l
                .hosts
                .iter()
                .find(|h| services.contains(&h.service.as_str()))
            {
                return (
                    Some(h.host.clone()),
                    format!("{label} names {} ({})", h.host, l.query),
                );
            }
        }
    }
    (
        Some(domain.to_string()),
        "no lookup named a host; probing the domain itself".into(),
    )
}

/// One HTTP lookup: where it goes and what it sends.
struct HttpAsk {
    kind: &'static str,
    plain_http: bool,
    /// A DNS name or an IP address.
    host: String,
    port: u16,
    path: String,
    /// A POX Autodiscover request body (POST); GET when `None`.
    post: Option<String>,
}

impl HttpAsk {
    fn autoconfig(plain_http: bool, host: String, port: u16, path: String) -> HttpAsk {
        HttpAsk {
            kind: "autoconfig",
            plain_http,
            host,
            port,
            path,
            post: None,
        }
    }
}

/// Thunderbird's ISP lookups (domain.md §5, `FetchConfig.sys.mjs`), in its
/// priority order: `https://autoconfig.<domain>/mail/config-v1.1.xml`,
/// `https://<domain>/.well-known/autoconfig/…`, the same two over plain
/// HTTP (Thunderbird's default, `fetchFromISP.sslOnly` off), then the
/// ISPDB; and Microsoft Autodiscover's two POX URLs. All at once: the
/// order is kept in the report and in [`choose`], not in time.
async fn http_lookups(
    domain: &str,
    email: &str,
    dns: &Dns,
    policy: &OutboundGate,
    plan: HttpPlan<'_>,
    deadline: Deadline,
) -> (Vec<Lookup>, Vec<Lookup>) {
    let q = form_urlencoded::byte_serialize(email.as_bytes()).collect::<String>();
    let autoconfig_host = format!("autoconfig.{domain}");
    let autoconfig_path = format!("/mail/config-v1.1.xml?emailaddress={q}");
    let well_known_path = format!("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress={q}");
    let mut autoconfig = Vec::new();
    for (plain, port) in [(false, plan.https_port), (true, plan.http_port)] {
        if port == 0 {
            continue;
        }
        autoconfig.push(HttpAsk::autoconfig(
            plain,
            autoconfig_host.clone(),
            port,
            autoconfig_path.clone(),
        ));
        autoconfig.push(HttpAsk::autoconfig(
            plain,
            domain.to_string(),
            port,
            well_known_path.clone(),
        ));
    }
    // The ISPDB is a third party: it gets the domain, never the address
    // (as in Thunderbird).
    if let Some(base) = plan.ispdb {
        let sep = if base.path.ends_with('/') { "" } else { "/" };
        autoconfig.push(HttpAsk::autoconfig(
            !base.https,
            base.host.clone(),
            base.port,
            format!("{}{sep}{domain}", base.path),
        ));
    }
    let pox = autodiscover_request(email);
    let autodiscover = [domain.to_string(), format!("autodiscover.{domain}")].map(|host| HttpAsk {
        kind: "autodiscover",
        plain_http: false,
        host,
        port: plan.https_port,
        path: "/autodiscover/autodiscover.xml".into(),
        post: Some(pox.clone()),
    });
    let (autoconfig, autodiscover) = tokio::join!(
        futures_util::future::join_all(
            autoconfig
                .iter()
                .map(|ask| http_lookup(ask, dns, policy, deadline, domain))
        ),
        futures_util::future::join_all(
            autodiscover
                .iter()
                .map(|ask| http_lookup(ask, dns, policy, deadline, domain))
        ),
    );
    (autoconfig, autodiscover)
}

/// The base domain of an MX host, as Thunderbird derives it for its
/// MX-based lookup (there with the Public Suffix List): the last two
/// labels, or the last three when the second-to-last is a short
/// registry-style label under a two-letter country code (`co.uk`,
/// `com.au`, `ne.jp`, ...). An approximation: a suffix like `gov.bc.ca`
/// or a private suffix of the PSL is not known here.
pub fn mx_base_domain(host: &str) -> String {
    const SECOND_LEVEL: &[&str] = &[
        "ac", "co", "com", "edu", "go", "gob", "gov", "gv", "ltd", "me", "mil", "ne", "net", "nhs",
        "nic", "or", "org", "plc", "sch",
    ];
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let take = match (labels.get(n.wrapping_sub(2)), labels.last()) {
        (Some(sld), Some(tld)) if n >= 3 && tld.len() == 2 && SECOND_LEVEL.contains(sld) => 3,
        _ => 2,
    };
    labels[n.saturating_sub(take)..].join(".")
}

/// Thunderbird's MX-derived lookup (domain.md §5 [TBFC]): the lowest MX
/// host's base domain, asked over HTTPS only, without the address (the MX
/// operator is often a third party). Skipped, and said so, when there is no
/// MX host or its base domain is the email domain itself (nothing new).
async fn mx_derived_lookups(
    domain: &str,
    mx: &Lookup,
    dns: &Dns,
    policy: &OutboundGate,
    plan: HttpPlan<'_>,
    deadline: Deadline,
) -> Vec<Lookup> {
    let Some(mx_host) = mx.hosts.first().map(|h| h.host.clone()) else {
        let mut l = lookup("autoconfig", "MX-derived autoconfig");
        l.error = Some("not asked: no MX host".into());
        return vec![l];
    };
    let base = mx_base_domain(&mx_host);
    if base.eq_ignore_ascii_case(domain.trim_end_matches('.')) || plan.https_port == 0 {
        let mut l = lookup(
            "autoconfig",
            &format!("MX-derived autoconfig ({mx_host} -> {base})"),
        );
        l.error = Some(if plan.https_port == 0 {
            "not asked: HTTPS lookups are off (ports.https = 0)".into()
        } else {
            "not asked: the MX host's base domain is the email domain (already asked)".into()
        });
        return vec![l];
    }
    let asks = [
        HttpAsk::autoconfig(
            false,
            format!("autoconfig.{base}"),
            plan.https_port,
            "/mail/config-v1.1.xml".into(),
        ),
        HttpAsk::autoconfig(
            false,
            base.clone(),
            plan.https_port,
            "/.well-known/autoconfig/mail/config-v1.1.xml".into(),
        ),
    ];
    let mut out = futures_util::future::join_all(
        asks.iter()
            .map(|ask| http_lookup(ask, dns, policy, deadline, &base)),
    )
    .await;
    for l in &mut out {
        l.records
            .insert(0, format!("MX {mx_host} -> base domain {base}"));
    }
    out
}

fn autodiscover_request(email: &str) -> String {
    // The POX request schema (domain.md §5, [AUTOD]); the address is escaped
    // as XML text.
    let email = email
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\
<Request><EMailAddress>{email}</EMailAddress>\
<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>\
</Request></Autodiscover>"
    )
}

/// One lookup: the host resolved through [`Dns`], every address checked
/// against the target policy, then one request to exactly those addresses.
/// `%EMAILDOMAIN%` in an autoconfig answer becomes `domain`.
async fn http_lookup(
    ask: &HttpAsk,
    dns: &Dns,
    policy: &OutboundGate,
    deadline: Deadline,
    domain: &str,
) -> Lookup {
    let started = Instant::now();
    let path = ask.path.as_str();
    let kind = ask.kind;
    let host_name = match crate::vocab::host::parse_host(&ask.host) {
        Ok(h) => h,
        Err(e) => {
            let mut l = lookup(kind, &ask.host);
            l.error = Some(format!("not asked: {}", e.message));
            return l;
        }
    };
    let shown = WebTarget {
        host: host_name.clone(),
        port: ask.port,
        addresses: Vec::new(),
        plain_http: ask.plain_http,
    };
    let mut l = lookup(kind, &shown.url(path));
    let deadline = deadline.within(Duration::from_secs(8));
    let addresses = match dns.addresses(&host_name, deadline).await {
        Ok(a) => a,
        Err(e) => {
            l.error = Some(e);
            l.ms = started.elapsed().as_millis() as u64;
            return l;
        }
    };
    let target = match WebTarget::checked(host_name, ask.port, addresses, policy) {
        Ok(t) if ask.plain_http => t.over_plain_http(),
        Ok(t) => t,
        Err(r) => {
            l.error = Some(format!("not fetched: {r}"));
            l.ms = started.elapsed().as_millis() as u64;
            return l;
        }
    };
    let (method, body) = match &ask.post {
        Some(xml) => (Method::Post, Some(("text/xml; charset=utf-8", xml.clone()))),
        None => (Method::Get, None),
    };
    // Under the same connection caps as the probes (issue 15).
    let slots = match target.addresses.first() {
        Some(ip) => policy.slots(*ip, deadline).await,
        None => None,
    };
    if slots.is_none() {
        l.error = Some("not fetched: no free connection slot before the deadline".into());
        l.ms = started.elapsed().as_millis() as u64;
        return l;
    }
    let got = web::fetch(&target, method, path, body, deadline, MAX_XML_BYTES).await;
    drop(slots);
    l.ms = started.elapsed().as_millis() as u64;
    let Some(status) = got.status else {
        l.error = got.error;
        return l;
    };
    l.records.push(format!("HTTP {status}"));
    let schemes = web::auth_schemes(&got.www_authenticate);
    if !schemes.is_empty() {
        l.records
            .push(format!("WWW-Authenticate: {}", schemes.join(", ")));
    }
    if let Some(loc) = &got.location {
        l.records.push(format!("Location: {loc} (not followed)"));
    }
    if !(200..300).contains(&status) {
        l.error = Some(format!("HTTP {status}"));
        // An Autodiscover endpoint that wants authentication exists: worth saying.
        l.found = kind == "autodiscover" && status == 401;
        return l;
    }
    let text = String::from_utf8_lossy(&got.body);
    let hosts = match kind {
        "autoconfig" => autoconfig_hosts(&text, domain),
        _ => autodiscover_hosts(&text),
    };
    for h in &hosts {
        l.records.push(format!(
            "{} {}{}",
            h.service,
            h.host,
            h.port.map(|p| format!(":{p}")).unwrap_or_default()
        ));
    }
    l.found = !hosts.is_empty();
    l.hosts = hosts;
    l
}

/// The text of each `<tag>…</tag>` in `xml` (no nesting, no entities beyond
/// what a host name or port needs), bounded in count.
fn tag_values<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(after[..end].trim());
        rest = &after[end + close.len()..];
        if out.len() >= MAX_HOSTS {
            break;
        }
    }
    out
}

/// `<incomingServer type="imap">` and `<outgoingServer type="smtp">` blocks
/// of a Thunderbird config-v1.1.xml; `%EMAILDOMAIN%` placeholders filled in.
fn autoconfig_hosts(xml: &str, domain: &str) -> Vec<DiscoveredHost> {
    let mut out = Vec::new();
    for element in ["incomingServer", "outgoingServer"] {
        let open = format!("<{element}");
        let close = format!("</{element}>");
        let mut rest = xml;
        while let Some(start) = rest.find(&open) {
            let block_start = &rest[start..];
            let Some(end) = block_start.find(&close) else {
                break;
            };
            let block = &block_start[..end];
            rest = &block_start[end + close.len()..];
            let service = block
                .split_once("type=\"")
                .and_then(|(_, t)| t.split_once('"'))
                .map(|(t, _)| t.to_string())
                .unwrap_or_default();
            let Some(host) = tag_values(block, "hostname")
                .first()
                .map(|h| h.replace("%EMAILDOMAIN%", domain))
            else {
                continue;
            };
            let port = tag_values(block, "port")
                .first()
                .and_then(|p| p.parse().ok());
            if plausible_host(&host) && out.len() < MAX_HOSTS {
                out.push(DiscoveredHost {
                    host,
                    port,
                    service,
                });
            }
        }
    }
    out
}

/// `<Protocol><Type>IMAP</Type><Server>…</Server><Port>…</Port>` entries of
/// a POX Autodiscover response.
fn autodiscover_hosts(xml: &str) -> Vec<DiscoveredHost> {
    let mut out = Vec::new();
    for block in xml.split("<Protocol>").skip(1).take(MAX_HOSTS) {
        let block = block.split("</Protocol>").next().unwrap_or("");
        let service = tag_values(block, "Type").first().copied().unwrap_or("");
        let Some(host) = tag_values(block, "Server").first().map(|s| s.to_string()) else {
            continue;
        };
        let port = tag_values(block, "Port")
            .first()
            .and_then(|p| p.parse().ok());
        if plausible_host(&host) {
            out.push(DiscoveredHost {
                host,
                port,
                service: service.to_string(),
            });
        }
    }
    out
}

fn plausible_host(h: &str) -> bool {
    crate::vocab::host::parse_host(h).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autoconfig_servers_are_read() {
        let xml = r#"<clientConfig version="1.1"><emailProvider id="example.com">
          <incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port>
            <socketType>SSL</socketType></incomingServer>
          <incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>587</port></outgoingServer>
        </emailProvider></clientConfig>"#;
        let hosts = autoconfig_hosts(xml, "example.com");
        assert_eq!(hosts.len(), 3);
        assert_eq!(hosts[0].host, "imap.example.com");
        assert_eq!(hosts[0].port, Some(993));
        assert_eq!(hosts[0].service, "imap");
        assert_eq!(hosts[2].service, "smtp");
        // Truncated or hostile input: no panic, nothing invented.
        for cut in 0..xml.len() {
            if xml.is_char_boundary(cut) {
                let _ = autoconfig_hosts(&xml[..cut], "example.com");
            }
        }
        assert!(
            autoconfig_hosts(
                "<incomingServer type=\"imap\"><hostname>a b/c</hostname></incomingServer>",
                "x"
            )
            .is_empty()
        );
    }

    #[test]
    fn autodiscover_protocols_are_read() {
        let xml = "<Autodiscover><Response><Account><Protocol><Type>EXCH</Type><Server>ex01.corp.example</Server></Protocol>\
                   <Protocol><Type>EXPR</Type><Server>mail.example.com</Server></Protocol>\
                   <Protocol><Type>IMAP</Type><Server>mail.example.com</Server><Port>993</Port></Protocol></Account></Response></Autodiscover>";
        let hosts = autodiscover_hosts(xml);
        assert_eq!(hosts.len(), 3);
        assert_eq!(hosts[2].service, "IMAP");
        assert_eq!(hosts[2].port, Some(993));
    }

    #[test]
    fn mx_base_domain_keeps_two_labels_or_three_under_a_cc_second_level() {
        for (mx, base) in [
            ("mx1.mail.example.net", "example.net"),
            ("MX1.Mail.Example.NET.", "example.net"),
            ("mx.example.co.uk", "example.co.uk"),
            ("a.b.example.com.au", "example.com.au"),
            ("mx.example.com", "example.com"),
            // `co` under a three-letter TLD is an ordinary name.
            ("mx.co.example.com", "example.com"),
            ("example.com", "example.com"),
            ("localhost", "localhost"),
            ("co.uk", "co.uk"),
        ] {
            assert_eq!(mx_base_domain(mx), base, "{mx}");
        }
    }

    #[test]
    fn srv_is_preferred_then_mx_then_the_domain() {
        let mut srv = lookup("srv", "_imaps._tcp.example.com");
        srv.hosts.push(DiscoveredHost {
            host: "imap.example.com".into(),
            port: Some(993),
            service: "imaps".into(),
        });
        let mut mx = lookup("mx", "example.com");
        mx.hosts.push(DiscoveredHost {
            host: "mx.example.com".into(),
            port: Some(25),
            service: "smtp".into(),
        });
        let (h, _) = choose("example.com", &[mx.clone(), srv]);
        assert_eq!(h.as_deref(), Some("imap.example.com"));
        let (h, _) = choose("example.com", &[mx]);
        assert_eq!(h.as_deref(), Some("mx.example.com"));
        let (h, why) = choose("example.com", &[]);
        assert_eq!(h.as_deref(), Some("example.com"));
        assert!(why.contains("domain itself"));
    }
}
