//! Who may call the probe API, and how often.
//!
//! - API keys (optional): `MAILPROBE_API_KEYS` and/or `MAILPROBE_API_KEY_FILE`,
//!   sent as `Authorization: Bearer <key>`. Only SHA-256 digests of the keys
//!   are kept in memory, and a presented key is hashed and compared with
//!   every digest in constant time, so neither the comparison nor the
//!   position of a match leaks through timing.
//! - A rate limit per caller (the key's digest when keys are configured,
//!   else the peer's IP address, IPv6 by its /64), `MAILPROBE_RATE_LIMIT` requests per minute
//!   (GCRA via the `governor` crate, MIT). Over it: 429 with `Retry-After`.
//!
//! Both apply to every path except an explicit open list (health, readiness,
//! metrics, the OpenAPI document, `/docs` and the page at `/` with its
//! assets): default deny, so a route added later is guarded unless someone
//! opens it here. The decision is taken on the path actix routes on — the
//! percent-decoded form (`/%761/probes` routes as `/v1/probes`) — never on
//! the raw request path, so no spelling of a protected route reaches its
//! handler unguarded (issue 15).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::problem::{Cause, Problem};
use crate::config::api_keys::{ApiKeys, KeyDigest};

/// Whom a request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    Key(KeyDigest),
    Ip(IpAddr),
}

impl Caller {
    /// The caller a client address stands for. An IPv6 client is its /64:
    /// one subscriber gets a whole /64 and picks any address in it, so
    /// keying by the full address would give it 2^64 rate limits. An IPv4
    /// address spelt as IPv6 (`::ffff:a.b.c.d`) is that IPv4 address.
    pub fn from_address(ip: IpAddr) -> Caller {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Caller::Ip(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                Caller::Ip(IpAddr::V6(prefix.into()))
            }
        }
    }
}

/// Keys and rate limit, shared by every worker.
pub struct Guard {
    keys: ApiKeys,
    limiter: Option<DefaultKeyedRateLimiter<Caller>>,
    /// The limit's burst (requests per minute): the most one charge takes.
    burst: NonZeroU32,
    /// Login tests per caller and hour (`MAILPROBE_LOGIN_LIMIT`).
    logins: Option<(DefaultKeyedRateLimiter<Caller>, NonZeroU32)>,
    clock: DefaultClock,
    /// Requests checked; every 4096th prunes idle callers' state.
    checked: AtomicU64,
}

impl Guard {
    /// `per_minute` 0 turns the rate limit off; `logins_per_hour` 0 the
    /// login limit.
    pub fn new(keys: ApiKeys, per_minute: u32, logins_per_hour: u32) -> Guard {
        let logins =
            NonZeroU32::new(logins_per_hour).map(|n| (RateLimiter::keyed(Quota::per_hour(n)), n));
        let limiter = NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Guard {
            keys,
            limiter,
            burst: NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN),
            logins,
            clock: DefaultClock::default(),
            checked: AtomicU64::new(0),
        }
    }

    /// Checks one request: `Err` is the problem to answer with; `Ok` is the
    /// caller it counts against.
    pub fn check(&self, req: &ServiceRequest) -> Result<Caller, Problem> {
        if self.checked.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.forget_idle();
        }
        let caller = if self.keys.is_empty() {
            Caller::from_address(
                req.peer_addr()
                    .map(|a| a.ip())
                    .unwrap_or(IpAddr::from([0, 0, 0, 0])),
            )
        } else {
            let presented = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    let (scheme, token) = v.trim().split_once(' ')?;
                    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
                });
            let Some(token) = presented else {
                return Err(unauthorized(
                    "this service requires an API key: send `Authorization: Bearer <key>`",
                    None,
                ));
            };
            match self.keys.verify(token) {
                Some(d) => Caller::Key(d),
                None => {
                    return Err(unauthorized(
                        "the API key is not valid",
                        Some("invalid_token"),
                    ));
                }
            }
        };
        if let Some(limiter) = &self.limiter
            && let Err(not_until) = limiter.check_key(&caller)
        {
            let wait = not_until.wait_time_from(self.clock.now());
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut p = Problem::new(
                Cause::RateLimited,
                format!(
                    "too many requests from this {}: the limit is MAILPROBE_RATE_LIMIT requests per minute; retry after {} s",
                    match caller {
                        Caller::Key(_) => "API key",
                        Caller::Ip(_) => "address",
                    },
                    secs.max(1)
                ),
            );
            p.retry_after = Some(secs.max(1));
            return Err(p);
        }
        Ok(caller)
    }

    /// Charges `cells` more requests to `caller` (a batch's targets beyond
    /// the request itself). A batch larger than the limit's burst drains
    /// the caller's whole allowance rather than being refused for ever
    /// (it needs a full allowance).
    pub fn charge(&self, caller: &Caller, cells: u32) -> Result<(), Problem> {
        // The request itself took one cell already: at most the rest of
        // the burst, so that a batch larger than it still fits a full
        // allowance (and empties it) instead of never fitting.
        let room = self.burst.get() - 1;
        let (Some(limiter), Some(cells)) = (&self.limiter, NonZeroU32::new(cells.min(room))) else {
            return Ok(());
        };
        match limiter.check_key_n(caller, cells) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
                let mut p = Problem::new(
                    Cause::RateLimited,
                    format!(
                        "a batch counts each target against the caller's rate limit (MAILPROBE_RATE_LIMIT per minute), and this one's targets do not fit the allowance left; retry after {secs} s"
                    ),
                );
                p.retry_after = Some(secs);
                Err(p)
            }
            // `cells` is capped at the burst, so this cannot happen.
            Err(_) => Ok(()),
        }
    }

    /// Charges `count` login tests to `caller` (issue 15): a request with
    /// credentials is one, a batch one per target carrying credentials.
    /// More than the hourly limit at once can never fit: 422 naming
    /// `targets`; otherwise 429 until the allowance has grown back.
    pub fn charge_logins(&self, caller: &Caller, count: usize) -> Result<(), Problem> {
        let (Some((limiter, per_hour)), Some(n)) = (
            &self.logins,
            NonZeroU32::new(u32::try_from(count).unwrap_or(u32::MAX)),
        ) else {
            return Ok(());
        };
        match limiter.check_key_n(caller, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
                let mut p = Problem::new(
                    Cause::RateLimited,
                    format!(
                        "this caller has used its login tests: at most {per_hour} per hour (MAILPROBE_LOGIN_LIMIT), so an account is not locked out through this service; retry after {secs} s"
                    ),
                );
                p.retry_after = Some(secs);
                Err(p)
            }
            Err(_) => Err(Problem::new(
                Cause::InvalidField,
                format!(
                    "targets: {count} targets carry credentials, more than the {per_hour} login tests one caller may run per hour (MAILPROBE_LOGIN_LIMIT)"
                ),
            )
            .with_field("targets")),
        }
    }

    /// Drops idle callers' state (the keyed store grows with distinct IPs).
    pub fn forget_idle(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some((l, _)) = &self.logins {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

fn unauthorized(detail: &str, error: Option<&str>) -> Problem {
    let mut p = Problem::new(Cause::Unauthorized, detail);
    p.www_authenticate = Some(match error {
        Some(e) => format!("Bearer realm=\"mailprobe\", error=\"{e}\""),
        None => "Bearer realm=\"mailprobe\"".into(),
    });
    p
}

/// Exact paths that stay open whatever is configured: probes and load
/// balancers need them without a key.
const OPEN_PATHS: [&str; 6] = [
    "/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
];

/// Path prefixes that stay open: the Swagger UI's files and the assets of
/// the page at `/`.
const OPEN_PREFIXES: [&str; 2] = ["/docs/", "/assets/"];

/// Whether `routed` — the path as the router sees it, see [`routed_path`] —
/// stays open. Everything else needs the key and counts against the rate
/// limit, unknown paths included (they then get 401 or 404, never a handler).
fn is_open(routed: &str) -> bool {
    OPEN_PATHS.contains(&routed) || OPEN_PREFIXES.iter().any(|p| routed.starts_with(p))
}

/// The path actix-web's router matches against: the request path with
/// every percent-escape decoded except `%2F`, `%2B` and `%25` (actix-router's
/// `Url`). Before routing, `match_info()` holds exactly that, unconsumed.
fn routed_path(req: &ServiceRequest) -> &str {
    req.match_info().as_str()
}

/// The middleware: keys and rate limit for every path but the open ones.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if !is_open(routed_path(&req))
        && let Some(guard) = req.app_data::<web::Data<Guard>>()
    {
        match guard.check(&req) {
            Ok(caller) => {
                use actix_web::HttpMessage;
                req.extensions_mut().insert(caller);
            }
            Err(problem) => {
                let res = problem.error_response();
                return Ok(req.into_response(res).map_into_right_body());
            }
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kept_as_digests_and_verified() {
        let keys = ApiKeys::parse_list(" first-key-0123456789 , second-key-0123456789,").unwrap();
        assert_eq!(keys.0.len(), 2);
        assert!(keys.verify("second-key-0123456789").is_some());
        assert!(keys.verify("second-key-012345678").is_none());
        assert!(keys.verify("").is_none());
        let shown = format!("{keys:?}");
        assert!(!shown.contains("first-key"), "{shown}");
        assert!(ApiKeys::parse_list("short").is_err());
    }

    #[test]
    fn a_key_file_skips_comments_and_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        std::fs::write(
            &path,
            "# ops team\n\nops-key-0123456789abcdef\n  ci-key-0123456789abcdef  \n",
        )
        .unwrap();
        let keys = ApiKeys::read_file(&path).unwrap();
        assert_eq!(keys.0.len(), 2);
        assert!(keys.verify("ci-key-0123456789abcdef").is_some());
        std::fs::write(&path, "# nothing\n").unwrap();
        assert!(ApiKeys::read_file(&path).is_err());
    }

    /// Issue 15: the rate limit keyed IPv6 clients by their full address.
    #[test]
    fn ipv6_clients_are_one_caller_per_64() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let a = Caller::from_address(ip("2001:db8:1:2:aaaa::1"));
        assert_eq!(a, Caller::from_address(ip("2001:db8:1:2:ffff:1:2:3")));
        assert_eq!(a, Caller::Ip(ip("2001:db8:1:2::")));
        assert_ne!(a, Caller::from_address(ip("2001:db8:1:3::1")));
        assert_eq!(
            Caller::from_address(ip("::ffff:192.0.2.7")),
            Caller::Ip(ip("192.0.2.7"))
        );
        assert_ne!(
            Caller::from_address(ip("192.0.2.7")),
            Caller::from_address(ip("192.0.2.8"))
        );
    }

    #[test]
    fn everything_but_the_open_list_is_guarded() {
        for open in [
            "/",
            "/healthz",
            "/readyz",
            "/metrics",
            "/openapi.json",
            "/docs/",
            "/docs",
        ] {
            assert!(is_open(open), "{open}");
        }
        for guarded in [
            "/v1/probes",
            "/v1/probes:batch",
            "/v1/profiles",
            "/v1/readiness",
            "/v2/anything",
            "/healthz/",
            "/HEALTHZ",
            "/docsx",
            "/metrics/../v1/probes",
            "",
        ] {
            assert!(!is_open(guarded), "{guarded}");
        }
    }
}
