//! The Exchange virtual directories a cutover or hybrid migration reaches,
//! checked over HTTPS under the host's connection cap: which answer, with
//! which authentication schemes, and whether TLS 1.2 got through.

use super::model::{ExchangeHttp, HttpCheck};
use super::web;
use crate::vocab::Deadline;

/// Bytes read of an Exchange endpoint's answer (only headers matter).
const MAX_HTTP_BODY: usize = 16 * 1024;

/// The Exchange virtual directories a cutover (Outlook Anywhere) or hybrid
/// (EWS, MRS proxy) migration reaches, plus Autodiscover, which both use.
pub const EXCHANGE_PATHS: &[(&str, web::Method)] = &[
    ("/EWS/Exchange.asmx", web::Method::Get),
    ("/EWS/mrsproxy.svc", web::Method::Get),
    ("/rpc/rpcproxy.dll", web::Method::Get),
    ("/autodiscover/autodiscover.xml", web::Method::Post),
];

/// Every path of [`EXCHANGE_PATHS`], all at once, each under a slot of the
/// host's connection cap.
pub async fn checks(
    target: web::WebTarget,
    limits: &crate::net::ConnectionLimits,
    deadline: Deadline,
) -> ExchangeHttp {
    let checks = EXCHANGE_PATHS.iter().map(|(path, method)| {
        let target = &target;
        async move {
            // Under the host's connection cap, like the probes' connections.
            let slots = match target.addresses.first() {
                Some(ip) => limits.acquire(*ip, deadline).await,
                None => None,
            };
            let body = (*method == web::Method::Post).then(|| {
                (
                    "text/xml; charset=utf-8",
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>postmaster@invalid</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>".to_string(),
                )
            });
            // No slot before the deadline: no connection either (issue 15).
            let got = match &slots {
                Some(_) => web::fetch(target, *method, path, body, deadline, MAX_HTTP_BODY).await,
                None => web::Fetched {
                    error: Some("not fetched: no free connection slot before the deadline".into()),
                    ..web::Fetched::default()
                },
            };
            drop(slots);
            let answers = got
                .status
                .is_some_and(|s| (200..300).contains(&s) || matches!(s, 401 | 403 | 405));
            HttpCheck {
                path: path.to_string(),
                method: match method {
                    web::Method::Get => "GET".into(),
                    web::Method::Post => "POST".into(),
                },
                reachable: got.status.is_some(),
                status: got.status,
                tls12: if got.status.is_some() {
                    Some(true)
                } else if got.tls_failed {
                    Some(false)
                } else {
                    None
                },
                answers,
                auth_schemes: web::auth_schemes(&got.www_authenticate),
                location: got.location,
                error: got.error,
                ms: got.ms,
            }
        }
    });
    let checks = futures_util::future::join_all(checks).await;
    ExchangeHttp {
        host: target.host.as_string(),
        port: target.port,
        // A request that got an answer or a TLS failure had a connection.
        connections: checks
            .iter()
            .filter(|c| c.reachable || c.tls12 == Some(false))
            .count() as u32,
        checks,
    }
}
