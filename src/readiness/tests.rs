//! The judgement of readiness on hand-built Reports: no network.

use super::advice::advise;
use super::compare::comparisons;
use super::model::*;
use crate::observations::Observations;
use crate::report::{Report, Target, VersionSupport};
use crate::vocab::{Protocol, TlsVersion, Transport};

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
    crate::diagnosis::report(o.into(), None)
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
        address: Some("192.0.2.10".into()),
        other_family: None,
        identity: None,
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

fn other_family(e: &EndpointResult, r: Option<Report>) -> FamilyProbe {
    let state = match &r {
        Some(r) if r.connect.ok => EndpointState::Open,
        _ => EndpointState::Closed,
    };
    let mut o = FamilyProbe {
        address: "2001:db8::10".into(),
        state,
        error: (state == EndpointState::Closed).then(|| "connection refused".into()),
        report: r,
        differences: Vec::new(),
    };
    o.differences = super::compare::family_differences(e, &o);
    o
}

/// Given a dual-stack host whose 993 speaks TLS 1.2 on IPv4 but TLS 1.0 on
/// IPv6, and whose 143 is open on IPv4 only, then both differences are
/// named per endpoint, the picture says which endpoints differ, and the
/// IMAP migration advice carries a caveat about the other family.
#[test]
fn ipv4_and_ipv6_differences_are_named_and_reach_the_advice() {
    let mut e993 = endpoint(
        "imap_implicit",
        993,
        Protocol::Imap,
        Some(report(
            Protocol::Imap,
            993,
            &[(TlsVersion::Tls12, IIS_TLS12_SUITES)],
        )),
    );
    let v6 = other_family(
        &e993,
        Some(report(
            Protocol::Imap,
            993,
            &[(TlsVersion::Tls10, EXCHANGE_2010_SUITES)],
        )),
    );
    let versions = v6
        .differences
        .iter()
        .find(|d| d.aspect == "versions")
        .expect("versions differ");
    assert_eq!(
        (versions.a.as_str(), versions.b.as_str()),
        ("TLSv1.2", "TLSv1.0")
    );
    e993.other_family = Some(v6);

    let mut e143 = endpoint(
        "imap_starttls",
        143,
        Protocol::Imap,
        Some(report(
            Protocol::Imap,
            143,
            &[(TlsVersion::Tls12, IIS_TLS12_SUITES)],
        )),
    );
    let mut closed = report(Protocol::Imap, 143, &[]);
    closed.connect.ok = false;
    let v6 = other_family(&e143, Some(closed));
    assert_eq!(v6.differences.len(), 1);
    assert_eq!(v6.differences[0].aspect, "state");
    assert_eq!(v6.differences[0].a, "open");
    assert!(
        v6.differences[0].b.starts_with("closed"),
        "{:?}",
        v6.differences
    );
    e143.other_family = Some(v6);

    // The same answer on both families: nothing to say.
    let mut same = https(&[(TlsVersion::Tls12, IIS_TLS12_SUITES)]);
    let v6 = other_family(&same, same.report.clone());
    assert!(v6.differences.is_empty(), "{:?}", v6.differences);
    same.other_family = Some(v6);

    let endpoints = vec![e993, e143, same];
    let families = super::compare::address_families(
        "192.0.2.10".parse().unwrap(),
        Some("2001:db8::10".parse().unwrap()),
        true,
        &[
            "192.0.2.10".parse().unwrap(),
            "192.0.2.11".parse().unwrap(),
            "2001:db8::10".parse().unwrap(),
        ],
        &endpoints,
    );
    assert_eq!(families.differing, ["imap_implicit", "imap_starttls"]);
    assert_eq!(families.not_probed, ["192.0.2.11"]);
    assert!(families.other_probed);
    assert!(
        families
            .note
            .contains("differ on imap_implicit, imap_starttls"),
        "{}",
        families.note
    );

    let mut advice = advise(&endpoints, Some(&all_answer()));
    super::advice::family_caveats(&mut advice, &endpoints);
    let imap = advice.iter().find(|a| a.path == "imap_migration").unwrap();
    assert_eq!(
        imap.caveats
            .iter()
            .filter(|c| c.contains("2001:db8::10"))
            .count(),
        2,
        "{imap:?}"
    );
    assert!(
        imap.caveats
            .iter()
            .any(|c| c.contains("versions: TLSv1.2 vs TLSv1.0")),
        "{imap:?}"
    );
    let cutover = advice.iter().find(|a| a.path == "cutover").unwrap();
    assert!(
        cutover.caveats.iter().all(|c| !c.contains("2001:db8::10")),
        "https is the same on both"
    );
}

#[test]
fn a_single_family_or_no_room_is_said_plainly() {
    let only_v4 = super::compare::address_families(
        "192.0.2.10".parse().unwrap(),
        None,
        true,
        &["192.0.2.10".parse().unwrap()],
        &[],
    );
    assert!(!only_v4.other_probed);
    assert!(only_v4.note.contains("no IPv6 address"), "{}", only_v4.note);
    let no_room = super::compare::address_families(
        "192.0.2.10".parse().unwrap(),
        Some("2001:db8::10".parse().unwrap()),
        false,
        &[
            "192.0.2.10".parse().unwrap(),
            "2001:db8::10".parse().unwrap(),
        ],
        &[],
    );
    assert!(!no_room.other_probed);
    assert_eq!(no_room.not_probed, ["2001:db8::10"]);
    assert!(
        no_room.note.contains("MAILPROBE_MAX_CONCURRENT_PROBES"),
        "{}",
        no_room.note
    );
}

fn with_cert(mut e: EndpointResult, sans: &[&str], name_match: bool) -> EndpointResult {
    if let Some(r) = e.report.as_mut() {
        r.tls.certificate = Some(crate::report::Certificate {
            chain: vec![crate::report::CertificateInfo {
                subject: "CN=example.com".into(),
                sans: sans.iter().map(|s| s.to_string()).collect(),
                issuer: "CN=Example CA".into(),
                serial: "01".into(),
                not_before: "2026-01-01T00:00:00Z".into(),
                not_after: "2027-01-01T00:00:00Z".into(),
                days_left: 400,
                key_type: "RSA".into(),
                key_bits: Some(2048),
                curve: None,
                signature_algorithm: "sha256WithRSAEncryption".into(),
                self_signed: false,
                is_ca: false,
                server_auth_eku: Some(true),
                sha256: "00".into(),
            }],
            name_match: Some(name_match),
            ..Default::default()
        });
    }
    e
}

fn discovery_by_srv() -> Discovery {
    Discovery {
        domain: "example.com".into(),
        nameserver: "system".into(),
        lookups: vec![Lookup {
            kind: "srv".into(),
            query: "_imaps._tcp.example.com".into(),
            found: true,
            records: vec!["0 1 993 mail.example.net".into()],
            hosts: vec![DiscoveredHost {
                host: "mail.example.net".into(),
                port: Some(993),
                service: "imaps".into(),
            }],
            error: None,
            ms: 1,
        }],
        chosen_host: Some("mail.example.net".into()),
        chosen_because: "_imaps._tcp names mail.example.net".into(),
    }
}

/// RFC 7817 §3: given the host found through `_imaps._tcp.example.com`,
/// a certificate for the domain (DNS-ID and SRV-ID) but not the host
/// suits a client that starts from the domain, not one given the host.
#[test]
fn a_certificate_for_the_source_domain_only_is_explained() {
    let e = with_cert(
        endpoint(
            "imap_implicit",
            993,
            Protocol::Imap,
            Some(report(
                Protocol::Imap,
                993,
                &[(TlsVersion::Tls12, IIS_TLS12_SUITES)],
            )),
        ),
        &["example.com", "srv:_imaps.example.com"],
        false,
    );
    let id = super::identity::check(&e, "mail.example.net", &discovery_by_srv()).unwrap();
    assert_eq!(id.host_match, Some(false));
    assert!(id.domain_match);
    assert_eq!(id.domain_matched_by.as_deref(), Some("example.com"));
    assert_eq!(id.srv_id.as_deref(), Some("_imaps.example.com"));
    assert_eq!(id.srv_id_match, Some(true));
    assert!(id.found_by_srv);
    assert!(id.meaning.contains("given the host name"), "{}", id.meaning);
    assert!(id.meaning.contains("rejects it"), "{}", id.meaning);

    // The usual certificate: the host only.
    let e = with_cert(e, &["mail.example.net"], true);
    let id = super::identity::check(&e, "mail.example.net", &discovery_by_srv()).unwrap();
    assert_eq!(
        (id.host_match, id.domain_match, id.srv_id_match),
        (Some(true), false, Some(false))
    );
    assert!(
        id.meaning.contains("trusts the SRV answer"),
        "{}",
        id.meaning
    );

    // 143 was not named by `_imap._tcp` here, and the SRV-ID is per service.
    let e143 = with_cert(
        endpoint(
            "imap_starttls",
            143,
            Protocol::Imap,
            Some(report(
                Protocol::Imap,
                143,
                &[(TlsVersion::Tls12, IIS_TLS12_SUITES)],
            )),
        ),
        &["srv:_imaps.example.com"],
        false,
    );
    let id = super::identity::check(&e143, "mail.example.net", &discovery_by_srv()).unwrap();
    assert!(!id.found_by_srv);
    assert_eq!(id.srv_id.as_deref(), Some("_imap.example.com"));
    assert_eq!(id.srv_id_match, Some(false));
    assert_eq!(id.srv_ids_presented, ["_imaps.example.com"]);
    assert!(id.meaning.contains("neither"), "{}", id.meaning);

    // No certificate, no identity check.
    let bare = endpoint(
        "https",
        443,
        Protocol::Tls,
        Some(report(Protocol::Tls, 443, &[])),
    );
    assert!(super::identity::check(&bare, "mail.example.net", &discovery_by_srv()).is_none());
}

fn with_login(allow_untrusted_login: Option<bool>) -> ReadinessRequest {
    ReadinessRequest {
        host: Some("mail.example.com".into()),
        credentials: Some(
            serde_json::from_value(serde_json::json!({"username": "alice", "password": "pw"}))
                .unwrap(),
        ),
        allow_untrusted_login,
        ..Default::default()
    }
}

/// Given credentials, when the host came from discovery, then the login is
/// withheld (and says why) unless the caller opted in; a host given
/// directly, or a request without credentials, withholds nothing.
#[test]
fn the_login_is_withheld_from_a_discovered_host_only() {
    let host = crate::vocab::host::parse_host("mail.example.com").unwrap();
    let why = super::login_withheld(&with_login(None), &host, true).unwrap();
    assert!(
        why.contains("mail.example.com was learnt by discovery"),
        "{why}"
    );
    assert_eq!(
        super::login_withheld(&with_login(Some(true)), &host, true),
        None
    );
    assert_eq!(super::login_withheld(&with_login(None), &host, false), None);
    let no_login = ReadinessRequest::default();
    assert_eq!(super::login_withheld(&no_login, &host, true), None);
}

/// One login per account and endpoint: the IMAP endpoints on the first
/// address carry the credentials; the other family and the other protocols
/// do not, nor the permission to send them.
#[test]
fn only_imap_on_the_first_address_logs_in() {
    let request = with_login(Some(true));
    let plan = super::plan(&PortOverrides::default(), &Default::default());
    let ip: std::net::IpAddr = "192.0.2.10".parse().unwrap();
    let sni = Some("mail.example.com".to_string());
    for p in &plan {
        let first = super::endpoint_request(&request, p, ip, sni.clone(), 5000, true);
        let other = super::endpoint_request(&request, p, ip, sni.clone(), 5000, false);
        assert_eq!(first.host, "192.0.2.10");
        assert_eq!(first.port, Some(p.port));
        assert_eq!(first.sni, sni);
        assert_eq!(first.timeout_ms, Some(5000));
        let imap = p.protocol == Protocol::Imap;
        assert_eq!(first.credentials.is_some(), imap, "{}", p.name);
        assert_eq!(
            first.allow_untrusted_login,
            imap.then_some(true),
            "{}",
            p.name
        );
        assert!(other.credentials.is_none() && other.allow_untrusted_login.is_none());
    }
}

/// The first address's Report is the endpoint's; the other family's goes
/// beside it with what differs; a skipped port has no Report.
#[test]
fn the_other_family_goes_beside_the_first() {
    let plan = super::plan(&PortOverrides::default(), &Default::default());
    let imaps = plan.iter().find(|p| p.name == "imap_implicit").unwrap();
    let pop3s = plan.iter().find(|p| p.name == "pop3_implicit").unwrap();
    let v4: std::net::IpAddr = "192.0.2.10".parse().unwrap();
    let v6: std::net::IpAddr = "2001:db8::10".parse().unwrap();
    let tls12: &[(TlsVersion, &[u16])] = &[(TlsVersion::Tls12, IIS_TLS12_SUITES)];
    let tls10: &[(TlsVersion, &[u16])] = &[(TlsVersion::Tls10, EXCHANGE_2010_SUITES)];
    let endpoints = super::endpoints_of(vec![
        (imaps, v4, Some(report(Protocol::Imap, 993, tls12))),
        (imaps, v6, Some(report(Protocol::Imap, 993, tls10))),
        (pop3s, v4, None),
    ]);
    assert_eq!(endpoints.len(), 2);
    let imap = &endpoints[0];
    assert_eq!(imap.state, EndpointState::Open);
    assert_eq!(imap.address.as_deref(), Some("192.0.2.10"));
    let other = imap.other_family.as_ref().expect("the IPv6 result beside");
    assert_eq!(other.address, "2001:db8::10");
    assert!(!other.differences.is_empty(), "TLS 1.2 vs TLS 1.0 differ");
    assert_eq!(endpoints[1].state, EndpointState::Skipped);
    assert!(endpoints[1].report.is_none() && endpoints[1].address.is_none());
}
