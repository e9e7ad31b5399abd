//! `mailprobe readiness HOST|DOMAIN`: the Readiness report for a terminal.

use std::process::ExitCode;
use std::sync::Arc;

use super::ReadinessArgs;
use crate::config::Settings;
use crate::probe::Prober;
use crate::readiness::model::*;

pub async fn run(settings: Settings, args: ReadinessArgs) -> ExitCode {
    let mut ports = PortOverrides::default();
    for (name, port) in &args.ports {
        let slot = match name.as_str() {
            "imap_implicit" => &mut ports.imap_implicit,
            "imap_starttls" => &mut ports.imap_starttls,
            "pop3_implicit" => &mut ports.pop3_implicit,
            "pop3_starttls" => &mut ports.pop3_starttls,
            "smtp" => &mut ports.smtp,
            "smtps" => &mut ports.smtps,
            "submission" => &mut ports.submission,
            "https" => &mut ports.https,
            "http" => &mut ports.http,
            other => {
                eprintln!(
                    "mailprobe: unknown endpoint `{other}` in --port; known: imap_implicit, imap_starttls, pop3_implicit, pop3_starttls, smtp, smtps, submission, https, http"
                );
                return ExitCode::from(2);
            }
        };
        *slot = Some(*port);
    }
    let is_domain = args.domain || args.target.contains('@');
    let request = ReadinessRequest {
        host: (!is_domain).then(|| args.target.clone()),
        email_domain: is_domain.then(|| args.target.clone()),
        profiles: (!args.profiles.is_empty()).then(|| args.profiles.clone()),
        timeout_ms: args.timeout_ms,
        ports: Some(ports),
        ..Default::default()
    };
    let prober = Prober::new(Arc::new(settings));
    let report = match crate::readiness::run(&prober, &request).await {
        Ok(r) => r,
        Err(e) => return super::rejected(&e),
    };
    match super::print_report(args.json, &report, || human(&report)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailprobe: cannot write the report: {e}");
            ExitCode::FAILURE
        }
    }
}

fn viable_word(v: Viable) -> &'static str {
    match v {
        Viable::Yes => "VIABLE",
        Viable::No => "NOT VIABLE",
        Viable::Unknown => "UNKNOWN",
    }
}

/// Advice first (what the administrator came for), then the facts.
pub fn human(r: &ReadinessReport) -> String {
    let mut s = format!(
        "Readiness of {} ({})\n{}\n\n",
        r.host,
        r.addresses.join(", "),
        r.summary
    );
    advice_lines(&mut s, &r.advice);
    if let Some(d) = &r.discovery {
        discovery_lines(&mut s, d);
    }
    s.push_str("\nEndpoints:\n");
    for e in &r.endpoints {
        endpoint_lines(&mut s, e);
    }
    if let Some(f) = &r.address_families {
        s.push_str(&format!("\nAddresses: {}\n", f.note));
    }
    s.push_str("\nComparisons:\n");
    for c in &r.comparisons {
        comparison_lines(&mut s, c);
    }
    if let Some(x) = &r.exchange_http {
        exchange_lines(&mut s, x);
    }
    s.push_str(&format!("\n{} ms\n", r.duration_ms));
    s
}

/// Each migration path, viable or not, with why and its caveats.
fn advice_lines(s: &mut String, advice: &[PathAdvice]) {
    s.push_str("Migration paths:\n");
    for a in advice {
        s.push_str(&format!("  {:<15} {}\n", a.path, viable_word(a.viable)));
        for w in &a.why {
            s.push_str(&format!("      - {w}\n"));
        }
        for c in &a.caveats {
            s.push_str(&format!("      ! {c}\n"));
        }
    }
}

/// Each lookup discovery made, and the host it chose.
fn discovery_lines(s: &mut String, d: &Discovery) {
    s.push_str(&format!(
        "\nDiscovery for {} (nameserver {}):\n",
        d.domain, d.nameserver
    ));
    for l in &d.lookups {
        let what = if l.records.is_empty() {
            l.error.clone().unwrap_or_else(|| "nothing".into())
        } else {
            l.records.join("; ")
        };
        s.push_str(&format!("  {:<12} {} -> {what}\n", l.kind, l.query));
    }
    s.push_str(&format!("  chosen: {}\n", d.chosen_because));
}

/// One endpoint: its state and verdict, the other address family, and its
/// identity check.
fn endpoint_lines(s: &mut String, e: &EndpointResult) {
    let detail = match (&e.state, &e.report) {
        (EndpointState::Open, Some(rep)) => {
            let versions: Vec<&str> = rep
                .tls
                .versions
                .iter()
                .filter(|v| v.offered == Some(true))
                .map(|v| v.version.as_str())
                .collect();
            format!(
                "open, {} [{}] {}",
                rep.verdict.as_str().to_uppercase(),
                versions.join(" "),
                rep.summary
            )
        }
        (EndpointState::Closed, _) => {
            format!("closed: {}", e.error.clone().unwrap_or_default())
        }
        (EndpointState::Skipped, _) => "skipped".into(),
        _ => format!("not probed: {}", e.error.clone().unwrap_or_default()),
    };
    s.push_str(&format!("  {:<14} {:>5}  {detail}\n", e.name, e.port));
    if let Some(o) = &e.other_family {
        let on = e.address.as_deref().unwrap_or("the first address");
        if o.differences.is_empty() {
            s.push_str(&format!("      {}: the same as on {on}\n", o.address));
        }
        for d in &o.differences {
            s.push_str(&format!(
                "      {} differs: {on}: {} | {}: {}\n",
                d.aspect, d.a, o.address, d.b
            ));
        }
    }
    if let Some(id) = &e.identity {
        let yes = |b: bool| if b { "yes" } else { "no" };
        let srv = match (&id.srv_id, id.srv_id_match) {
            (Some(srv), Some(m)) => format!(", SRV-ID {srv} {}", yes(m)),
            _ => String::new(),
        };
        s.push_str(&format!(
            "      identity (RFC 7817): host {} {}, domain {} {}{srv}. {}\n",
            id.host,
            id.host_match.map(yes).unwrap_or("unknown"),
            id.source_domain,
            yes(id.domain_match),
            id.meaning
        ));
    }
}

/// One implicit/STARTTLS pair: what is the same, what differs.
fn comparison_lines(s: &mut String, c: &Comparison) {
    if !c.compared {
        s.push_str(&format!(
            "  {:<11} {}\n",
            c.service,
            c.note.clone().unwrap_or_default()
        ));
        return;
    }
    if !c.same.is_empty() {
        s.push_str(&format!(
            "  {:<11} {} and {} have the same {}\n",
            c.service,
            c.a,
            c.b,
            c.same.join(", ")
        ));
    }
    if !c.not_observed.is_empty() {
        s.push_str(&format!(
            "  {:<11} not observed on one of them: {}\n",
            c.service,
            c.not_observed.join(", ")
        ));
    }
    for d in &c.differences {
        s.push_str(&format!(
            "  {:<11} {} differs: {}: {} | {}: {}\n",
            c.service, d.aspect, c.a, d.a, c.b, d.b
        ));
    }
}

/// The Exchange virtual directories checked over HTTPS.
fn exchange_lines(s: &mut String, x: &ExchangeHttp) {
    s.push_str(&format!("\nExchange over HTTPS ({}:{}):\n", x.host, x.port));
    for c in &x.checks {
        let what = match c.status {
            Some(st) => format!(
                "{st}{}{}",
                if c.auth_schemes.is_empty() {
                    String::new()
                } else {
                    format!(" auth {}", c.auth_schemes.join(", "))
                },
                if c.tls12 == Some(true) {
                    ", TLS 1.2"
                } else {
                    ""
                }
            ),
            None => c.error.clone().unwrap_or_else(|| "no answer".into()),
        };
        s.push_str(&format!("  {:<5} {:<32} {what}\n", c.method, c.path));
    }
}
