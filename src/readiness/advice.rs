//! Migration path advice: a pure function of the endpoint Reports and the
//! Exchange HTTP checks (domain.md §1 and §4: an IMAP migration needs Exchange
//! Online to connect over TLS 1.2; a cutover needs Outlook Anywhere
//! (`/rpc/rpcproxy.dll`) and Autodiscover over HTTPS; a hybrid migration
//! needs EWS with the MRS proxy over HTTPS; PST import needs no connection).

use super::model::{EndpointResult, EndpointState, ExchangeHttp, HttpCheck, PathAdvice, Viable};
use crate::report::Report;
use crate::vocab::TlsVersion;

pub const EXCHANGE_ONLINE: &str = "exchange-online";

pub fn advise(endpoints: &[EndpointResult], http: Option<&ExchangeHttp>) -> Vec<PathAdvice> {
    let https = endpoints.iter().find(|e| e.name == "https");
    let web = WebFacts::of(https, http);
    vec![
        imap_migration(endpoints),
        cutover(&web),
        hybrid(&web),
        pst_import(),
    ]
}

/// When an endpoint a path depends on answers differently on IPv4 and
/// IPv6, the path's verdict (judged on the endpoint's own address) holds
/// for that family only: a caveat on the path says so, naming what differs.
/// IMAP endpoints bear on the IMAP migration, HTTPS on cutover and hybrid.
pub fn family_caveats(advice: &mut [PathAdvice], endpoints: &[EndpointResult]) {
    for e in endpoints {
        let Some(other) = e
            .other_family
            .as_ref()
            .filter(|o| !o.differences.is_empty())
        else {
            continue;
        };
        let paths: &[&str] = match e.protocol {
            crate::vocab::Protocol::Imap => &["imap_migration"],
            crate::vocab::Protocol::Tls => &["cutover", "hybrid"],
            _ => &[],
        };
        let what: Vec<String> = other
            .differences
            .iter()
            .map(|d| format!("{}: {} vs {}", d.aspect, d.a, d.b))
            .collect();
        let caveat = format!(
            "{} (port {}) differs between {} and {} ({}); judged on {}: a client that connects over the other family sees the other result",
            e.name,
            e.port,
            e.address.as_deref().unwrap_or("the first address"),
            other.address,
            what.join("; "),
            e.address.as_deref().unwrap_or("the first address"),
        );
        for a in advice
            .iter_mut()
            .filter(|a| paths.contains(&a.path.as_str()))
        {
            a.caveats.push(caveat.clone());
        }
    }
}

fn imap_migration(endpoints: &[EndpointResult]) -> PathAdvice {
    let mut why = Vec::new();
    let mut caveats = Vec::new();
    let mut any_open = false;
    let mut unknown = false;
    let mut connects_on: Option<String> = None;
    for name in ["imap_implicit", "imap_starttls"] {
        let Some(e) = endpoints.iter().find(|e| e.name == name) else {
            continue;
        };
        let security = if name == "imap_implicit" {
            "Ssl"
        } else {
            "Tls"
        };
        match (&e.state, &e.report) {
            (EndpointState::Open, Some(r)) => {
                any_open = true;
                match r.clients.iter().find(|c| c.profile == EXCHANGE_ONLINE) {
                    Some(c) if c.connects => {
                        let how = c
                            .negotiated
                            .as_ref()
                            .map(|n| format!(" ({} {})", n.version.as_str(), n.suite.name))
                            .unwrap_or_default();
                        why.push(format!(
                            "Exchange Online connects to port {}{how}: use -Port {} -Security {security}",
                            e.port, e.port
                        ));
                        connects_on.get_or_insert_with(|| e.port.to_string());
                        caveats.extend(
                            r.findings
                                .iter()
                                .filter(|f| f.severity >= crate::report::Severity::Medium)
                                .map(|f| format!("port {}: {}", e.port, f.title)),
                        );
                    }
                    Some(c) => why.push(format!(
                        "Exchange Online cannot connect to port {}: {}",
                        e.port,
                        c.reason.clone().unwrap_or_else(|| offered_versions(r))
                    )),
                    None => {
                        unknown = true;
                        why.push(format!(
                            "port {}: no Exchange Online verdict in the Report",
                            e.port
                        ));
                    }
                }
            }
            (EndpointState::Skipped, _) => {}
            (_, Some(r)) => why.push(format!(
                "port {} is closed: {}",
                e.port,
                r.connect
                    .error
                    .clone()
                    .unwrap_or_else(|| "no connection".into())
            )),
            (_, None) => {
                unknown = true;
                why.push(format!(
                    "port {} not probed: {}",
                    e.port,
                    e.error.clone().unwrap_or_default()
                ));
            }
        }
    }
    let viable = if connects_on.is_some() {
        Viable::Yes
    } else if unknown || (!any_open && why.is_empty()) {
        Viable::Unknown
    } else {
        Viable::No
    };
    if viable == Viable::Yes {
        caveats.push(
            "the source must be reachable from Microsoft's datacenter addresses on that port"
                .into(),
        );
    }
    PathAdvice {
        path: "imap_migration".into(),
        viable,
        why,
        caveats,
    }
}

fn offered_versions(r: &Report) -> String {
    let v: Vec<&str> = r
        .tls
        .versions
        .iter()
        .filter(|v| v.offered == Some(true))
        .map(|v| v.version.as_str())
        .collect();
    format!("the server offers {} only", v.join(", "))
}

/// What HTTPS on the host offers, as the cutover and hybrid rules need it.
struct WebFacts<'a> {
    /// `None`: not probed or unknown.
    open: Option<bool>,
    tls12: Option<bool>,
    tls_why: String,
    cert_trusted: Option<bool>,
    port: u16,
    http: Option<&'a ExchangeHttp>,
}

impl<'a> WebFacts<'a> {
    fn of(https: Option<&EndpointResult>, http: Option<&'a ExchangeHttp>) -> WebFacts<'a> {
        let port = https.map(|e| e.port).unwrap_or(443);
        let mut f = WebFacts {
            open: None,
            tls12: None,
            tls_why: String::new(),
            cert_trusted: None,
            port,
            http,
        };
        let Some(e) = https else { return f };
        let Some(r) = &e.report else {
            f.tls_why = format!(
                "HTTPS port {port} not probed{}",
                e.error
                    .as_ref()
                    .map(|x| format!(": {x}"))
                    .unwrap_or_default()
            );
            return f;
        };
        f.open = Some(e.state == EndpointState::Open);
        if e.state != EndpointState::Open {
            f.tls_why = format!(
                "HTTPS port {port} is closed: {}",
                r.connect.error.clone().unwrap_or_default()
            );
            return f;
        }
        let v12 = r
            .tls
            .versions
            .iter()
            .find(|v| v.version == TlsVersion::Tls12)
            .and_then(|v| v.offered);
        let via_handshake = r
            .tls
            .handshakes
            .iter()
            .any(|h| h.offered == TlsVersion::Tls12 && h.ok);
        f.tls12 = match (v12, via_handshake) {
            (_, true) | (Some(true), _) => Some(true),
            (Some(false), false) => Some(false),
            (None, false) => None,
        };
        f.tls_why = match f.tls12 {
            Some(true) => format!("HTTPS port {port} offers TLS 1.2"),
            Some(false) => format!(
                "HTTPS port {port} does not offer TLS 1.2 ({})",
                offered_versions(r)
            ),
            None => format!("whether HTTPS port {port} offers TLS 1.2 is unknown"),
        };
        f.cert_trusted = r.tls.certificate.as_ref().and_then(|c| c.trusted);
        f
    }

    fn check(&self, path: &str) -> Option<&HttpCheck> {
        self.http?
            .checks
            .iter()
            .find(|c| c.path.eq_ignore_ascii_case(path))
    }
}

fn describe(c: &HttpCheck) -> String {
    match (c.status, &c.error) {
        (Some(status), _) if !c.answers => {
            format!("{} is not published (HTTP {status})", c.path)
        }
        (Some(status), _) => {
            let schemes = if c.auth_schemes.is_empty() {
                String::new()
            } else {
                format!(", authentication {}", c.auth_schemes.join("/"))
            };
            format!("{} answers {status}{schemes}", c.path)
        }
        (None, Some(e)) => format!("{} did not answer: {e}", c.path),
        (None, None) => format!("{} did not answer", c.path),
    }
}

/// Common judgement: TLS 1.2 on 443 plus every `needed` path answering.
fn web_path(
    name: &str,
    web: &WebFacts<'_>,
    needed: &[&str],
    informative: &[&str],
    mut caveats: Vec<String>,
) -> PathAdvice {
    let mut why = vec![web.tls_why.clone()];
    let mut viable = match (web.open, web.tls12) {
        (Some(false), _) | (_, Some(false)) => Viable::No,
        (Some(true), Some(true)) => Viable::Yes,
        _ => Viable::Unknown,
    };
    for path in needed {
        match web.check(path) {
            Some(c) if c.answers => why.push(describe(c)),
            Some(c) => {
                why.push(describe(c));
                if viable == Viable::Yes {
                    // A reachable 404 says the virtual directory is not
                    // published; a failed request leaves it open.
                    viable = if c.reachable {
                        Viable::No
                    } else {
                        Viable::Unknown
                    };
                }
            }
            None => {
                if viable == Viable::Yes {
                    viable = Viable::Unknown;
                }
                why.push(format!("{path} was not checked"));
            }
        }
    }
    for path in informative {
        if let Some(c) = web.check(path) {
            caveats.push(describe(c));
        }
    }
    if web.cert_trusted == Some(false) {
        caveats.push(format!(
            "the certificate on port {} is not trusted; Exchange Online needs a certificate from a public CA for {name}",
            web.port
        ));
    }
    PathAdvice {
        path: name.into(),
        viable,
        why,
        caveats,
    }
}

fn cutover(web: &WebFacts<'_>) -> PathAdvice {
    web_path(
        "cutover",
        web,
        &["/rpc/rpcproxy.dll", "/autodiscover/autodiscover.xml"],
        &[],
        vec![
            "cutover migration (Outlook Anywhere over HTTPS) moves at most 2,000 mailboxes; Microsoft recommends it for fewer than 150".into(),
            "the migration account needs FullAccess to every mailbox".into(),
        ],
    )
}

fn hybrid(web: &WebFacts<'_>) -> PathAdvice {
    web_path(
        "hybrid",
        web,
        &["/EWS/Exchange.asmx", "/autodiscover/autodiscover.xml"],
        &["/EWS/mrsproxy.svc"],
        vec![
            "hybrid moves mailboxes with MRS over HTTPS: the MRS proxy must be enabled on the EWS virtual directory (Set-WebServicesVirtualDirectory -MRSProxyEnabled $true)".into(),
            "Exchange 2010 needs SP3 with a recent rollup for the Hybrid Configuration Wizard".into(),
        ],
    )
}

fn pst_import() -> PathAdvice {
    PathAdvice {
        path: "pst_import".into(),
        viable: Viable::Yes,
        why: vec![
            "needs no connection from Microsoft 365 to the source: export mailboxes to PST (Outlook, or New-MailboxExportRequest on Exchange) and upload them with the Microsoft 365 Import service".into(),
        ],
        caveats: vec![
            "the fallback: no coexistence, and mail arriving after the export needs a second pass".into(),
        ],
    }
}
