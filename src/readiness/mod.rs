//! Migration readiness of a whole mail host: every mail endpoint and HTTPS
//! probed concurrently under one deadline (each a full Report from the same
//! [`Prober`]), the implicit/STARTTLS pairs compared, the Exchange virtual
//! directories checked over HTTPS, and advice on which migration path is
//! viable. With an email domain, the host is discovered first.
//!
//! I/O lives in [`discovery`], [`web`] and [`exchange`] (and the Prober);
//! [`compare`] and [`advice`] are pure functions of what those observed.

pub mod advice;
pub mod compare;
pub mod discovery;
pub mod exchange;
pub mod identity;
pub mod model;
pub mod names;
pub mod web;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::probe::request::ProbeRequest;
use crate::probe::{ProbeRejection, Prober};
use crate::report::Report;
use crate::vocab::Deadline;
use crate::vocab::host::{Host, InvalidField, parse_host};
use crate::vocab::{Protocol, Transport};
use model::*;

/// One endpoint of the plan.
#[derive(Debug, Clone, Copy)]
struct Planned {
    name: &'static str,
    protocol: Protocol,
    transport: Transport,
    port: u16,
}

fn plan(ports: &PortOverrides, discovered: &discovery::SuggestedPorts) -> Vec<Planned> {
    use Protocol::*;
    use Transport::*;
    let p = |o: Option<u16>, d: Option<u16>, default: u16| o.or(d).unwrap_or(default);
    vec![
        Planned {
            name: "imap_implicit",
            protocol: Imap,
            transport: Implicit,
            port: p(ports.imap_implicit, discovered.imap_implicit, 993),
        },
        Planned {
            name: "imap_starttls",
            protocol: Imap,
            transport: Starttls,
            port: p(ports.imap_starttls, discovered.imap_starttls, 143),
        },
        Planned {
            name: "pop3_implicit",
            protocol: Pop3,
            transport: Implicit,
            port: p(ports.pop3_implicit, discovered.pop3_implicit, 995),
        },
        Planned {
            name: "pop3_starttls",
            protocol: Pop3,
            transport: Starttls,
            port: p(ports.pop3_starttls, None, 110),
        },
        Planned {
            name: "smtp",
            protocol: Smtp,
            transport: Starttls,
            port: p(ports.smtp, None, 25),
        },
        Planned {
            name: "smtps",
            protocol: Smtp,
            transport: Implicit,
            port: p(ports.smtps, None, 465),
        },
        Planned {
            name: "submission",
            protocol: Smtp,
            transport: Starttls,
            port: p(ports.submission, discovered.submission, 587),
        },
        Planned {
            name: "https",
            protocol: Tls,
            transport: Implicit,
            port: p(ports.https, None, 443),
        },
    ]
}

/// Eight ports share one host's connection cap, so a readiness check needs
/// more time than one probe: 30 s by default, never below the probe
/// default, never above the maximum.
pub fn default_timeout_ms(settings: &crate::config::Settings) -> u64 {
    READINESS_DEFAULT_TIMEOUT_MS
        .min(settings.max_timeout_ms)
        .max(settings.default_timeout_ms)
}

const READINESS_DEFAULT_TIMEOUT_MS: u64 = 30_000;

fn invalid(field: &'static str, message: impl Into<String>) -> ProbeRejection {
    ProbeRejection::Invalid(InvalidField {
        field,
        message: message.into(),
    })
}

/// Validates the request, discovers (for an email domain), probes every
/// endpoint and checks HTTPS, then compares and advises.
pub async fn run(
    prober: &Prober,
    request: &ReadinessRequest,
) -> Result<ReadinessReport, ProbeRejection> {
    let settings = prober.settings();
    let started = Instant::now();
    let started_at = OffsetDateTime::now_utc();
    let (timeout_ms, ports) = check_request(prober, request)?;
    // Capacity before discovery: the probe slots of one address family are
    // reserved now (429 when they are not free), so a readiness check never
    // spends its lookups and then finds no room for its probes (issue 15).
    // Discovery changes ports, never skips one, so the count holds.
    let mut reserved = prober.reserve(
        plan(&ports, &discovery::SuggestedPorts::default())
            .iter()
            .filter(|p| p.port != 0)
            .count(),
    )?;

    let deadline = Deadline::after(Duration::from_millis(timeout_ms));
    let dns = discovery::Dns::new(settings).map_err(|e| invalid("host", e))?;
    let (host, discovered_ports, discovery) =
        find_host(prober, request, &ports, &dns, deadline).await?;

    let login_withheld = login_withheld(request, &host, discovery.is_some());
    let request = match login_withheld {
        Some(_) => Cow::Owned(ReadinessRequest {
            credentials: None,
            ..request.clone()
        }),
        None => Cow::Borrowed(request),
    };

    let resolved = resolve_checked(prober, &dns, &host, deadline).await?;
    let addresses = resolved.clone().unwrap_or_default();
    let planned = plan(&ports, &discovered_ports);
    // A readiness check is as many probes as it has ports: refuse it whole
    // rather than run half of it. The other address family doubles that;
    // when there is room for one family only, the second is left out and
    // the report says so.
    let needed = planned.iter().filter(|p| p.port != 0).count();
    if reserved.len() < needed {
        reserved.extend(prober.reserve(needed - reserved.len())?);
    }
    let families = Families::pick(prober, &addresses, needed);
    let (mut endpoints, exchange_http) = match (&resolved, families.first) {
        (Ok(_), Some(ip)) => {
            let ips: Vec<IpAddr> = std::iter::once(ip).chain(families.probed_other()).collect();
            let on = Addresses {
                host: &host,
                ips: &ips,
                all: &addresses,
            };
            probe_all(prober, &request, on, &planned, reserved, deadline).await?
        }
        (Err(e), _) => (not_run(&planned, e), None),
        (Ok(_), None) => (not_run(&planned, "no address"), None),
    };
    if let Some(d) = &discovery {
        let name = host.as_string();
        for e in &mut endpoints {
            e.identity = identity::check(e, &name, d);
        }
    }
    let address_families = families.compare(&addresses, &endpoints);
    let comparisons = compare::comparisons(&endpoints);
    let mut advice = advice::advise(&endpoints, exchange_http.as_ref());
    advice::family_caveats(&mut advice, &endpoints);
    let summary = summary_with_families(&advice, address_families.as_ref());
    Ok(ReadinessReport {
        host: host.as_string(),
        addresses: addresses.iter().map(|a| a.to_string()).collect(),
        started_at: started_at.format(&Rfc3339).unwrap_or_default(),
        duration_ms: started.elapsed().as_millis() as u64,
        summary,
        discovery,
        login_withheld,
        endpoints,
        comparisons,
        address_families,
        exchange_http,
        advice,
        request_id: None,
    })
}

/// Every field checked now, once, before any I/O: the timeout, the fields
/// a single probe has (with its rules), and every port the caller chose.
/// Returns the timeout and the port overrides.
fn check_request(
    prober: &Prober,
    request: &ReadinessRequest,
) -> Result<(u64, PortOverrides), ProbeRejection> {
    let settings = prober.settings();
    let timeout_ms = request
        .timeout_ms
        .unwrap_or_else(|| default_timeout_ms(settings));
    if !(100..=settings.max_timeout_ms).contains(&timeout_ms) {
        return Err(invalid(
            "timeout_ms",
            format!(
                "must be between 100 and {} (MAILPROBE_MAX_TIMEOUT_MS)",
                settings.max_timeout_ms
            ),
        ));
    }
    let ports = request.ports.clone().unwrap_or_default();
    // Every other field is checked now, once, with the rules of a single
    // probe (profiles, credentials, ca_bundle_pem), before any I/O.
    let template = ProbeRequest {
        host: "readiness.invalid".into(),
        port: Some(993),
        profiles: request.profiles.clone(),
        credentials: request.credentials.clone(),
        allow_untrusted_login: request.allow_untrusted_login,
        ca_bundle_pem: request.ca_bundle_pem.clone(),
        timeout_ms: Some(timeout_ms),
        ..Default::default()
    };
    template.validate(settings)?;
    // Every port the caller chose obeys MAILPROBE_ALLOW_PORTS, and is
    // checked before any I/O: discovery's HTTP(S) lookups use
    // `ports.http`/`ports.https` too (issue 15). The well-known defaults of
    // the service's own fetches obey the fetch policy instead.
    for port in [
        ports.imap_implicit,
        ports.imap_starttls,
        ports.pop3_implicit,
        ports.pop3_starttls,
        ports.smtp,
        ports.smtps,
        ports.submission,
        ports.https,
        ports.http,
    ]
    .into_iter()
    .flatten()
    .filter(|p| *p != 0)
    {
        prober.outbound().check_caller_port(port)?;
    }
    Ok((timeout_ms, ports))
}

/// The host to probe: the caller's `host`, or the one discovery finds for
/// `email_domain` (with the ports discovery suggests and what it saw).
async fn find_host(
    prober: &Prober,
    request: &ReadinessRequest,
    ports: &PortOverrides,
    dns: &discovery::Dns,
    deadline: Deadline,
) -> Result<(Host, discovery::SuggestedPorts, Option<Discovery>), ProbeRejection> {
    match (&request.host, &request.email_domain) {
        (Some(h), None) => Ok((parse_host(h)?, discovery::SuggestedPorts::default(), None)),
        (None, Some(d)) => {
            let (address, domain) = match d.trim().rsplit_once('@') {
                Some((_, domain)) => (Some(d.trim()), domain),
                None => (None, d.trim()),
            };
            let domain = match parse_host(domain).map_err(|e| InvalidField {
                field: "email_domain",
                message: e.message,
            })? {
                Host::Name(n) => n,
                Host::Ip(_) => return Err(invalid("email_domain", "a domain, not an IP address")),
            };
            // Discovery gets at most a third of the time: the probes need the rest.
            let budget = deadline.within(deadline.remaining() / 3);
            let (found, suggested) = discovery::discover(
                &domain,
                address,
                dns,
                prober.outbound(),
                discovery::HttpPlan {
                    // `0` skips the HTTPS endpoint, not the lookups.
                    https_port: ports.https.filter(|p| *p != 0).unwrap_or(443),
                    http_port: ports.http.unwrap_or(80),
                    ispdb: prober.settings().ispdb_url.0.as_ref(),
                },
                budget,
            )
            .await;
            let chosen = found.chosen_host.clone().unwrap_or(domain);
            Ok((parse_host(&chosen)?, suggested, Some(found)))
        }
        _ => Err(invalid(
            "host",
            "give exactly one of `host` or `email_domain`",
        )),
    }
}

/// The host's addresses, resolved once and every one checked against the
/// target policy: the probes and the HTTP checks dial these only. A failed
/// lookup is a fact of the report (no endpoint runs), not a refusal.
async fn resolve_checked(
    prober: &Prober,
    dns: &discovery::Dns,
    host: &Host,
    deadline: Deadline,
) -> Result<Result<Vec<IpAddr>, String>, ProbeRejection> {
    let resolved = dns
        .addresses(host, deadline.within(Duration::from_secs(5)))
        .await;
    for ip in resolved.iter().flatten() {
        prober.policy().check_for(host, *ip)?;
    }
    Ok(resolved)
}

/// A host learnt by discovery came from answers nobody authenticated
/// (DNS, plain-HTTP autoconfig): it gets no credentials unless the
/// caller opts in (issue 15). `Some(why)` when the login is withheld.
fn login_withheld(request: &ReadinessRequest, host: &Host, discovered: bool) -> Option<String> {
    (request.credentials.is_some() && discovered && request.allow_untrusted_login != Some(true))
        .then(|| {
            format!(
                "the login test did not run: {} was learnt by discovery, whose DNS and autoconfig answers are not authenticated; give `host` directly, or set allow_untrusted_login to send the credentials anyway",
                host.as_string()
            )
        })
}

/// The addresses of the two families an endpoint is probed on.
struct Families {
    /// The address every endpoint is judged on (see [`pick`]).
    first: Option<IpAddr>,
    /// The first address of the other family, if any.
    other: Option<IpAddr>,
    /// Whether the probe slots left have room for the other family too.
    room_for_other: bool,
}

impl Families {
    /// Picks the addresses; the other family is probed only when the free
    /// probe slots (beyond the reservation) hold `needed` more probes.
    fn pick(prober: &Prober, addresses: &[IpAddr], needed: usize) -> Families {
        let free = prober
            .settings()
            .max_concurrent_probes
            .saturating_sub(prober.in_flight());
        let picked = pick(addresses);
        Families {
            first: picked.map(|(ip, _)| ip),
            other: picked.and_then(|(_, other)| other),
            room_for_other: free >= needed,
        }
    }

    /// The other family's address when it is probed.
    fn probed_other(&self) -> Option<IpAddr> {
        self.other.filter(|_| self.room_for_other)
    }

    fn compare(
        &self,
        addresses: &[IpAddr],
        endpoints: &[EndpointResult],
    ) -> Option<AddressFamilies> {
        self.first.map(|ip| {
            compare::address_families(ip, self.other, self.room_for_other, addresses, endpoints)
        })
    }
}

/// The summary, and which endpoints the two address families disagree on.
fn summary_with_families(advice: &[PathAdvice], families: Option<&AddressFamilies>) -> String {
    let mut summary = summary(advice);
    if let Some(f) = families.filter(|f| !f.differing.is_empty()) {
        summary.push_str(&format!(
            " IPv4 and IPv6 differ on: {}.",
            f.differing.join(", ")
        ));
    }
    summary
}

/// The address every endpoint is judged on (IPv4 first: what most
/// migration services still use), and the first address of the other
/// family, if any: a dual-stack mail host's IPv6 listener is the one more
/// often forgotten, so it is probed too and compared. Further addresses of
/// either family are listed, not probed (bounded work per check).
fn pick(addresses: &[IpAddr]) -> Option<(IpAddr, Option<IpAddr>)> {
    let first = addresses
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addresses.first())
        .copied()?;
    let other = addresses
        .iter()
        .find(|a| a.is_ipv4() != first.is_ipv4())
        .copied();
    Some((first, other))
}

fn not_run(planned: &[Planned], why: &str) -> Vec<EndpointResult> {
    planned
        .iter()
        .map(|p| EndpointResult {
            name: p.name.into(),
            port: p.port,
            protocol: p.protocol,
            transport: p.transport,
            state: if p.port == 0 {
                EndpointState::Skipped
            } else {
                EndpointState::NotRun
            },
            report: None,
            error: (p.port != 0).then(|| why.to_string()),
            address: None,
            other_family: None,
            identity: None,
        })
        .collect()
}

/// The host and the addresses its endpoints are probed on.
struct Addresses<'a> {
    host: &'a Host,
    /// The addresses probed: the first family's, then the other family's
    /// when there is room for it.
    ips: &'a [IpAddr],
    /// Every checked address of the host (the HTTPS checks dial these).
    all: &'a [IpAddr],
}

async fn probe_all(
    prober: &Prober,
    request: &ReadinessRequest,
    on: Addresses<'_>,
    planned: &[Planned],
    mut reserved: Vec<tokio::sync::OwnedSemaphorePermit>,
    deadline: Deadline,
) -> Result<(Vec<EndpointResult>, Option<ExchangeHttp>), ProbeRejection> {
    let sni = match on.host {
        Host::Name(n) => Some(n.clone()),
        Host::Ip(_) => None,
    };
    // Everything runs now, beside everything else; each probe gets what is
    // left of the one deadline. All ports of the host together stay under
    // the per-target connection cap, as one probe would (a server with a
    // per-IP connection limit, like Exchange's, must not see the readiness
    // check as a flood): the prober's connection limits are keyed by target
    // IP and shared by every probe; the HTTPS checks, made with reqwest,
    // take the same slots.
    // Each address has its own cap (the limits are per IP), so the second
    // family does not slow the first.
    let timeout_ms = (deadline.remaining().as_millis() as u64).max(100);
    let runs: Vec<(&Planned, IpAddr)> = planned
        .iter()
        .flat_map(|p| on.ips.iter().map(move |ip| (p, *ip)))
        .collect();
    let probes = runs.iter().map(|(p, ip)| {
        let (p, ip) = (*p, *ip);
        let first_family = Some(&ip) == on.ips.first();
        // The first family's probes run on the slots reserved before
        // discovery; the other family's take free ones.
        let slot = (p.port != 0 && first_family)
            .then(|| reserved.pop())
            .flatten();
        let probe_request = endpoint_request(request, p, ip, sni.clone(), timeout_ms, first_family);
        async move {
            if p.port == 0 {
                return Ok((p, ip, None));
            }
            match slot {
                Some(slot) => prober.probe_reserved(&probe_request, slot).await,
                None => prober.probe(&probe_request).await,
            }
            .map(|r| (p, ip, Some(r)))
        }
    });
    let http = https_checks(prober, &on, planned, deadline);
    let (results, exchange_http) = tokio::join!(futures_util::future::join_all(probes), http);
    // A busy answer (slots taken meanwhile) makes the picture partial: a
    // 429. Invalid or refused cannot happen after the checks before, but
    // would be reported the same way as for a probe.
    let results = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok((endpoints_of(results), exchange_http))
}

/// The probe of one planned endpoint on one address.
fn endpoint_request(
    request: &ReadinessRequest,
    p: &Planned,
    ip: IpAddr,
    sni: Option<String>,
    timeout_ms: u64,
    first_family: bool,
) -> ProbeRequest {
    // One login per account and endpoint: IMAP only, and on the first
    // address only (not once per address family).
    let login = if p.protocol == Protocol::Imap && first_family {
        request.credentials.clone()
    } else {
        None
    };
    ProbeRequest {
        host: ip.to_string(),
        port: Some(p.port),
        protocol: Some(p.protocol),
        transport: Some(p.transport),
        sni,
        profiles: request.profiles.clone(),
        timeout_ms: Some(timeout_ms),
        credentials: login.clone(),
        allow_plaintext_login: None,
        allow_untrusted_login: login.as_ref().and(request.allow_untrusted_login),
        ca_bundle_pem: request.ca_bundle_pem.clone(),
        // Every check the service allows but ROBOT (ten connections per
        // endpoint and address would be too many for a whole host).
        checks: Some(crate::tls::security::CheckId::WITHOUT_ROBOT.to_vec()),
    }
}

/// The Exchange virtual directories over HTTPS, unless the HTTPS port is
/// skipped or the host is refused for it.
async fn https_checks(
    prober: &Prober,
    on: &Addresses<'_>,
    planned: &[Planned],
    deadline: Deadline,
) -> Option<ExchangeHttp> {
    let https_port = planned
        .iter()
        .find(|p| p.name == "https")
        .map(|p| p.port)
        .unwrap_or(0);
    if https_port == 0 {
        return None;
    }
    let target = web::WebTarget::checked(
        on.host.clone(),
        https_port,
        on.all.to_vec(),
        prober.outbound(),
    )
    .ok()?;
    Some(exchange::checks(target, prober.connection_limits(), deadline).await)
}

/// The endpoints from the probes' Reports: the first address's result is
/// the endpoint's; the other family's goes beside it, with what differs.
fn endpoints_of(results: Vec<(&Planned, IpAddr, Option<Report>)>) -> Vec<EndpointResult> {
    let mut endpoints: Vec<EndpointResult> = Vec::new();
    for (p, ip, report) in results {
        let state = match &report {
            None => EndpointState::Skipped,
            Some(r) if r.connect.ok => EndpointState::Open,
            Some(_) => EndpointState::Closed,
        };
        let error = report
            .as_ref()
            .filter(|r| !r.connect.ok)
            .and_then(|r| r.connect.error.clone());
        let address = report.as_ref().map(|_| ip.to_string());
        if let Some(e) = endpoints.iter_mut().find(|e| e.name == p.name) {
            if report.is_some() {
                let mut other = FamilyProbe {
                    address: ip.to_string(),
                    state,
                    report,
                    error,
                    differences: Vec::new(),
                };
                other.differences = compare::family_differences(e, &other);
                e.other_family = Some(other);
            }
            continue;
        }
        endpoints.push(EndpointResult {
            name: p.name.into(),
            port: p.port,
            protocol: p.protocol,
            transport: p.transport,
            state,
            error,
            report,
            address,
            other_family: None,
            identity: None,
        });
    }
    endpoints
}

fn summary(advice: &[PathAdvice]) -> String {
    let names = |v: Viable| {
        advice
            .iter()
            .filter(|a| a.viable == v)
            .map(|a| a.path.replace('_', " "))
            .collect::<Vec<_>>()
    };
    let mut parts = Vec::new();
    let yes = names(Viable::Yes);
    if !yes.is_empty() {
        parts.push(format!("Viable: {}.", yes.join(", ")));
    }
    for a in advice.iter().filter(|a| a.viable == Viable::No) {
        parts.push(format!(
            "Not viable: {}{}.",
            a.path.replace('_', " "),
            a.why
                .iter()
                .find(|w| {
                    ["not", "closed", "cannot", "unknown"]
                        .iter()
                        .any(|neg| w.contains(neg))
                })
                .or(a.why.first())
                .map(|w| format!(" ({w})"))
                .unwrap_or_default()
        ));
    }
    let unknown = names(Viable::Unknown);
    if !unknown.is_empty() {
        parts.push(format!("Unknown: {}.", unknown.join(", ")));
    }
    parts.join(" ")
}
