//! The judgement of readiness on hand-built Reports: no network.

use super::advice::advise;
use super::compare::comparisons;
use super::model::*;
use crate::observations::Observations;
use crate::report::{Protocol, Report, Target, TlsVersion, Transport, VersionSupport};

const EXCHANGE_2010_SUITES: &[u16] = &[0x0035, 0x002F, 0xC014, 0xC013];
const IIS_TLS12_SUITES: &[u16] = &[0xC030, 0xC02F, 0xC028, 0xC027];

fn report(protocol: Protocol, port: u16, accepted: &[(TlsVersion, &[u16])]) -> Report {
    let mut o = Observations::new(
        Target {
            host: "mail.example.com".into(),
            port,
            protocol,
            transport: Transport::Implicit,
            addresses: vec!["192.0.2.10".into()],
            sni: Some("mail.example.com".into()),
        },
        time::OffsetDateTime::UNIX_EPOCH,
    );
    o.connect.ok = true;
    o.tls.versions = TlsVersion::ALL
        .iter()
        .map(|v| {
            let suites = accepted.iter().find(|(a, _)| a == v).map(|(_, s)| *s);
            VersionSupport {
                version: *v,
                offered: Some(suites.is_some()),
                suites: suites
                    .unwrap_or(&[])
                    .iter()
                    .map(|c| crate::tls::suite_info(*c))
                    .collect(),
                server_preference: Some(true),
            }
        })
        .collect();
    crate::diagnosis::report(o, None)
}

fn endpoint(name: &str, port: u16, protocol: Protocol, r: Option<Report>) -> EndpointResult {
    let state = match &r {
        Some(r) if r.connect.ok => EndpointState::Open,
        Some(_) => EndpointState::Closed,
        None => EndpointState::Skipped,
    };
    EndpointResult {
        name: name.into(),
        port,
        protocol,
        transport: Transport::Implicit,
        state,
        report: r,
        error: None,
    }
}

fn exchange2010_imap() -> Vec<EndpointResult> {
    vec![
        endpoint(
            "imap_implicit",
            993,
            Protocol::Imap,
            Some(report(
                Protocol::Imap,
                993,
                &[(TlsVersion::Tls10, EXCHANGE_2010_SUITES)],
            )),
        ),
        endpoint(
            "imap_starttls",
            143,
            Protocol::Imap,
            Some(report(
                Protocol::Imap,
                143,
                &[(TlsVersion::Tls10, EXCHANGE_2010_SUITES)],
            )),
        ),
    ]
}

fn https(accepted: &[(TlsVersion, &[u16])]) -> EndpointResult {
    endpoint(
        "https",
        443,
        Protocol::Tls,
        Some(report(Protocol::Tls, 443, accepted)),
    )
}

fn http(statuses: &[(&str, Option<u16>)]) -> ExchangeHttp {
    ExchangeHttp {
        host: "mail.example.com".into(),
        port: 443,
        connections: statuses.len() as u32,
        checks: statuses
            .iter()
            .map(|(path, status)| HttpCheck {
                path: path.to_string(),
                method: "GET".into(),
                reachable: status.is_some(),
                status: *status,
                tls12: status.map(|_| true),
                answers: status.is_some_and(|s| matches!(s, 200 | 401 | 403 | 405)),
                auth_schemes: vec!["Negotiate".into(), "NTLM".into()],
                location: None,
                error: status.is_none().then(|| "connection reset".into()),
                ms: 1,
            })
            .collect(),
    }
}

fn all_answer() -> ExchangeHttp {
    http(&[
        ("/EWS/Exchange.asmx", Some(401)),
        ("/EWS/mrsproxy.svc", Some(401)),
        ("/rpc/rpcproxy.dll", Some(401)),
        ("/autodiscover/autodiscover.xml", Some(401)),
    ])
}

fn viable(advice: &[PathAdvice], path: &str) -> Viable {
    advice
        .iter()
        .find(|a| a.path == path)
        .map(|a| a.viable)
        .unwrap_or(Viable::Unknown)
}

#[test]
fn given_exchange_2010_then_imap_is_not_viable_and_cutover_hybrid_pst_are() {
    let mut endpoints = exchange2010_imap();
    endpoints.push(https(&[(TlsVersion::Tls12, IIS_TLS12_SUITES)]));
    let http = all_answer();
    let advice = advise(&endpoints, Some(&http));
    assert_eq!(viable(&advice, "imap_migration"), Viable::No);
    let why = advice[0].why.join(" ");
    assert!(why.contains("TLSv1.0"), "{why}");
    assert_eq!(viable(&advice, "cutover"), Viable::Yes);
    assert_eq!(viable(&advice, "hybrid"), Viable::Yes);
    assert_eq!(viable(&advice, "pst_import"), Viable::Yes);
}

#[test]
fn https_without_tls12_makes_cutover_and_hybrid_not_viable() {
    let mut endpoints = exchange2010_imap();
    endpoints.push(https(&[(TlsVersion::Tls10, EXCHANGE_2010_SUITES)]));
    let advice = advise(&endpoints, Some(&all_answer()));
    assert_eq!(viable(&advice, "cutover"), Viable::No);
    assert_eq!(viable(&advice, "hybrid"), Viable::No);
    assert!(
        advice[1].why[0].contains("does not offer TLS 1.2"),
        "{:?}",
        advice[1].why
    );
    assert_eq!(viable(&advice, "pst_import"), Viable::Yes);
}

#[test]
fn an_unpublished_virtual_directory_is_not_viable_and_a_failed_request_is_unknown() {
    let mut endpoints = exchange2010_imap();
    endpoints.push(https(&[(TlsVersion::Tls12, IIS_TLS12_SUITES)]));
    let h = http(&[
        ("/EWS/Exchange.asmx", None),
        ("/EWS/mrsproxy.svc", Some(404)),
        ("/rpc/rpcproxy.dll", Some(404)),
        ("/autodiscover/autodiscover.xml", Some(401)),
    ]);
    let advice = advise(&endpoints, Some(&h));
    assert_eq!(viable(&advice, "cutover"), Viable::No);
    assert!(
        advice[1].why.iter().any(|w| w.contains("not published")),
        "{:?}",
        advice[1].why
    );
    assert_eq!(viable(&advice, "hybrid"), Viable::Unknown);
    // Without HTTP checks at all, nothing can be said either way.
    let advice = advise(&endpoints, None);
    assert_eq!(viable(&advice, "cutover"), Viable::Unknown);
}

#[test]
fn closed_https_makes_cutover_not_viable() {
    let mut endpoints = exchange2010_imap();
    let mut closed = report(Protocol::Tls, 443, &[]);
    closed.connect.ok = false;
    closed.connect.error = Some("connection refused".into());
    endpoints.push(endpoint("https", 443, Protocol::Tls, Some(closed)));
    let advice = advise(&endpoints, None);
    assert_eq!(viable(&advice, "cutover"), Viable::No);
    assert!(advice[1].why[0].contains("closed"), "{:?}", advice[1].why);
}

#[test]
fn pairs_compare_versions_and_suites() {
    let mut endpoints = exchange2010_imap();
    let cmp = comparisons(&endpoints);
    let imap = cmp.iter().find(|c| c.service == "imap").unwrap();
    assert!(imap.compared);
    assert!(imap.same.contains(&"versions".to_string()), "{imap:?}");
    assert!(imap.same.contains(&"suites".to_string()), "{imap:?}");
    assert!(imap.differences.is_empty(), "{imap:?}");

    // 143 upgraded to TLS 1.2 while 993 was not: the difference is named.
    endpoints[1].report = Some(report(
        Protocol::Imap,
        143,
        &[(TlsVersion::Tls12, IIS_TLS12_SUITES)],
    ));
    let cmp = comparisons(&endpoints);
    let imap = cmp.iter().find(|c| c.service == "imap").unwrap();
    let versions = imap
        .differences
        .iter()
        .find(|d| d.aspect == "versions")
        .unwrap();
    assert_eq!(versions.a, "TLSv1.0");
    assert_eq!(versions.b, "TLSv1.2");
    // The POP3 pair is absent from these endpoints: not compared at all.
    assert!(cmp.iter().all(|c| c.service != "pop3"));
}
