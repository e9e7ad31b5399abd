//! What a readiness caller asks for, and the Readiness report it gets back.
//! One model for HTTP and CLI, as for single probes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::probe::request::Credentials;
use crate::report::Report;
use crate::vocab::{Protocol, Transport};

/// Migration readiness of a whole mail host: give `host`, or `email_domain`
/// to discover the host first (RFC 6186 SRV, MX, autoconfig, Autodiscover).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"host": "mail.example.com", "timeout_ms": 20000}))]
pub struct ReadinessRequest {
    /// Host name or IP address of the mail server.
    pub host: Option<String>,
    /// An email domain (or address); the mail host is discovered from DNS
    /// and the HTTP autoconfiguration services.
    pub email_domain: Option<String>,
    /// Client profiles that decide each endpoint Report's verdict.
    pub profiles: Option<Vec<String>>,
    /// Optional login test, run on the IMAP endpoints only: at most one
    /// attempt per endpoint (993 and 143, on the first address probed;
    /// mind lockout policies). Sent only to a server whose certificate is
    /// trusted and matches, and never to a host learnt by discovery, unless
    /// `allow_untrusted_login`. Never logged or echoed.
    pub credentials: Option<Credentials>,
    /// Send `credentials` to a server whose certificate is not trusted or
    /// does not match, and to a host learnt from `email_domain` discovery
    /// (DNS and autoconfig answers are not authenticated). Default `false`.
    pub allow_untrusted_login: Option<bool>,
    /// Extra trusted roots (PEM) for every endpoint's certificate check.
    pub ca_bundle_pem: Option<String>,
    /// One deadline for the whole readiness check (discovery included), in
    /// milliseconds. Default: 30000 (bounded by `MAILPROBE_MAX_TIMEOUT_MS`,
    /// and never below `MAILPROBE_DEFAULT_TIMEOUT_MS`).
    #[schema(minimum = 100)]
    pub timeout_ms: Option<u64>,
    /// Ports to probe instead of the well-known ones; `0` skips an endpoint.
    pub ports: Option<PortOverrides>,
}

/// Per-endpoint port overrides (for servers on unusual ports, and tests).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortOverrides {
    /// IMAP over implicit TLS (default 993).
    pub imap_implicit: Option<u16>,
    /// IMAP with STARTTLS (default 143).
    pub imap_starttls: Option<u16>,
    /// POP3 over implicit TLS (default 995).
    pub pop3_implicit: Option<u16>,
    /// POP3 with STLS (default 110).
    pub pop3_starttls: Option<u16>,
    /// SMTP relay with STARTTLS (default 25).
    pub smtp: Option<u16>,
    /// SMTP submission over implicit TLS (default 465).
    pub smtps: Option<u16>,
    /// SMTP submission with STARTTLS (default 587).
    pub submission: Option<u16>,
    /// HTTPS: TLS facts and the Exchange endpoints, and the port the
    /// discovery HTTPS lookups use (default 443).
    pub https: Option<u16>,
    /// The port discovery's plain-`http://` autoconfig lookups use
    /// (default 80); `0` skips them. Not an endpoint: nothing is probed here.
    pub http: Option<u16>,
}

/// The Readiness report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadinessReport {
    /// The host probed (discovered, when an email domain was given).
    pub host: String,
    /// Its addresses, resolved once and checked against the target policy.
    pub addresses: Vec<String>,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// Wall-clock time of the whole check, in milliseconds.
    pub duration_ms: u64,
    /// One sentence: which migration paths look viable.
    pub summary: String,
    /// Present when an email domain was given.
    pub discovery: Option<Discovery>,
    /// Why the login test ran on no endpoint although `credentials` were
    /// given (e.g. the host was learnt by discovery). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_withheld: Option<String>,
    /// Every endpoint, in a fixed order (IMAP, POP3, SMTP, HTTPS).
    pub endpoints: Vec<EndpointResult>,
    /// 993 vs 143, 995 vs 110, 465 vs 587, 25 vs 587.
    pub comparisons: Vec<Comparison>,
    /// Which addresses were probed, and whether IPv4 and IPv6 differ; null
    /// when nothing was probed.
    pub address_families: Option<AddressFamilies>,
    /// The Exchange HTTP endpoints a cutover or hybrid migration needs.
    pub exchange_http: Option<ExchangeHttp>,
    /// One entry per migration path: `imap_migration`, `cutover`, `hybrid`, `pst_import`.
    pub advice: Vec<PathAdvice>,
    /// The HTTP request's `X-Request-Id` (also in every endpoint Report);
    /// `null` from the CLI.
    pub request_id: Option<String>,
}

/// Whether an endpoint could be probed, and its Report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointState {
    /// The TCP connection succeeded; `report` has the full diagnosis.
    Open,
    /// Nothing accepted the connection (refused, or no answer before the
    /// deadline); `report` says which.
    Closed,
    /// Port `0` in `ports`: not probed.
    Skipped,
    /// The probe was not run (`error` says why).
    NotRun,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndpointResult {
    /// `imap_implicit`, `imap_starttls`, `pop3_implicit`, `pop3_starttls`,
    /// `smtp`, `smtps`, `submission` or `https`.
    #[schema(value_type = super::names::EndpointName)]
    pub name: String,
    /// TCP port probed.
    pub port: u16,
    /// Mail protocol of the endpoint (`tls` for HTTPS).
    pub protocol: Protocol,
    /// Implicit TLS or STARTTLS.
    pub transport: Transport,
    /// Whether the endpoint could be probed.
    pub state: EndpointState,
    /// The same Report `/v1/probes` gives for this endpoint.
    pub report: Option<Report>,
    /// Why the probe was not run, when it was not.
    pub error: Option<String>,
    /// The address probed (the host's first IPv4 address when it has one);
    /// null when nothing was probed.
    pub address: Option<String>,
    /// The same endpoint probed on the host's first address of the other
    /// family (IPv6 when `address` is IPv4), when the host has both and
    /// the target policy allows them; `differences` says where it differs.
    pub other_family: Option<FamilyProbe>,
    /// For an endpoint of a discovered host: which reference identities
    /// its certificate covers (RFC 7817 §3). Null without discovery or
    /// without a certificate.
    pub identity: Option<IdentityCheck>,
}

/// The host's addresses by family, and what probing both showed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddressFamilies {
    /// The address every endpoint's own result (and the advice) is from.
    pub primary: String,
    /// The first address of the other family, when the host has one.
    pub other: Option<String>,
    /// `other` was probed too (each endpoint's `other_family`); false when
    /// there is no other family, or no room for twice the probes
    /// (`MAILPROBE_MAX_CONCURRENT_PROBES`), and `note` says which.
    pub other_probed: bool,
    /// Addresses known but not probed (beyond the first of each family).
    pub not_probed: Vec<String>,
    /// Endpoints whose result differs between the two families.
    #[schema(value_type = Vec<super::names::EndpointName>)]
    pub differing: Vec<String>,
    /// What was probed on which family, or why the other family was not probed.
    pub note: String,
}

/// One endpoint on the host's other address family.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FamilyProbe {
    /// The other-family address probed.
    pub address: String,
    /// Whether the endpoint could be probed on this address.
    pub state: EndpointState,
    /// The Report for this address; null when it was not probed.
    pub report: Option<Report>,
    /// Why the probe was not run, when it was not.
    pub error: Option<String>,
    /// Aspects that differ from the endpoint's own result (`a`: the
    /// endpoint's `address`, `b`: this one): `state`, `versions`, `suites`,
    /// `certificate`, `capabilities`, `login`. Empty: the same on both.
    pub differences: Vec<Difference>,
}

/// The certificate of a discovered endpoint against the reference
/// identities of RFC 7817 §3. A client configured with a host name checks
/// that name; one that starts from the email domain and follows SRV
/// records checks the domain (DNS-ID `example.com`, SRV-ID
/// `_imaps.example.com`), and may accept the SRV target host only when it
/// can trust the SRV answer (e.g. DNSSEC).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentityCheck {
    /// The host name probed (the SNI).
    pub host: String,
    /// The certificate covers `host` (the Report's `name_match`).
    pub host_match: Option<bool>,
    /// The email domain discovery started from.
    pub source_domain: String,
    /// A subjectAltName dNSName covers the domain (no CN fallback).
    pub domain_match: bool,
    /// The dNSName that covered it.
    pub domain_matched_by: Option<String>,
    /// The SRV-ID a client would look for (`_imaps.example.com`); null for
    /// endpoints without an RFC 6186/8314 service name (SMTP relay, HTTPS).
    pub srv_id: Option<String>,
    /// The certificate carries that SRV-ID (RFC 4985 otherName).
    pub srv_id_match: Option<bool>,
    /// Every SRV-ID the certificate presents.
    pub srv_ids_presented: Vec<String>,
    /// `host` was named by this service's SRV record of the domain.
    pub found_by_srv: bool,
    /// What that means for clients, in one sentence.
    pub meaning: String,
}

/// Two endpoints of one service compared.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    /// `imap`, `pop3`, `submission` (465 vs 587) or `smtp` (25 vs 587).
    #[schema(value_type = super::names::ComparedService)]
    pub service: String,
    /// Endpoint names, as in `endpoints[].name`.
    #[schema(value_type = super::names::EndpointName)]
    pub a: String,
    /// The other endpoint's name, as in `endpoints[].name`.
    #[schema(value_type = super::names::EndpointName)]
    pub b: String,
    /// False when either endpoint is not open; `note` says which.
    pub compared: bool,
    /// Why the two were not compared, when `compared` is false.
    pub note: Option<String>,
    /// Aspects that differ (`versions`, `suites`, `certificate`,
    /// `capabilities`, `login`); aspects not listed are the same.
    pub differences: Vec<Difference>,
    /// Aspects that were compared and found equal.
    pub same: Vec<String>,
    /// Aspects one of the two Reports has no observation of (e.g. no
    /// capabilities on a port where no TLS session could be completed).
    pub not_observed: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Difference {
    /// What differs: `state`, `versions`, `suites`, `certificate`, `capabilities` or `login`.
    #[schema(value_type = super::names::ComparedAspect)]
    pub aspect: String,
    /// What endpoint `a` shows.
    pub a: String,
    /// What endpoint `b` shows.
    pub b: String,
}

/// The HTTPS checks of the Exchange virtual directories.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeHttp {
    /// The host the HTTPS requests went to.
    pub host: String,
    /// The HTTPS port.
    pub port: u16,
    /// One per path: `/EWS/Exchange.asmx`, `/EWS/mrsproxy.svc`,
    /// `/rpc/rpcproxy.dll`, `/autodiscover/autodiscover.xml`.
    pub checks: Vec<HttpCheck>,
    /// TCP connections the checks opened (one per request).
    pub connections: u32,
}

/// One unauthenticated request (no credentials are ever sent) with a client
/// that offers TLS 1.2 only, as Exchange Online's migration service needs.
/// The certificate is not judged here (the `https` endpoint Report does);
/// redirects are reported, not followed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HttpCheck {
    /// The request path, e.g. `/EWS/Exchange.asmx`.
    pub path: String,
    /// `GET` or `POST`.
    #[schema(value_type = super::names::HttpMethod)]
    pub method: String,
    /// An HTTP answer came back.
    pub reachable: bool,
    /// The HTTP status code, when an answer came back.
    pub status: Option<u16>,
    /// A TLS 1.2 handshake completed (the client offers nothing else);
    /// `null` when the connection failed before TLS could be judged.
    pub tls12: Option<bool>,
    /// The endpoint exists and wants authentication or answers: 2xx, 401, 403, 405.
    pub answers: bool,
    /// Schemes from `WWW-Authenticate`, e.g. `Negotiate`, `NTLM`, `Basic`.
    pub auth_schemes: Vec<String>,
    /// `Location` of a redirect (not followed).
    pub location: Option<String>,
    /// Why no answer came back, when none did.
    pub error: Option<String>,
    /// Milliseconds the request took.
    pub ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Viable {
    Yes,
    No,
    Unknown,
}

/// Whether a migration path looks viable, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PathAdvice {
    /// `imap_migration`, `cutover`, `hybrid` or `pst_import`.
    #[schema(value_type = super::names::MigrationPath)]
    pub path: String,
    /// `yes`, `no`, or `unknown` when a deciding fact is missing.
    pub viable: Viable,
    /// The facts the judgement rests on.
    pub why: Vec<String>,
    /// What else to check or do (not decisive).
    pub caveats: Vec<String>,
}

/// What discovery found for an email domain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Discovery {
    /// The email domain discovery started from.
    pub domain: String,
    /// The nameserver asked (`MAILPROBE_DNS_SERVER`), or `system`.
    pub nameserver: String,
    /// Every lookup, in the order made, with what it found.
    pub lookups: Vec<Lookup>,
    /// The host chosen for probing, and why.
    pub chosen_host: Option<String>,
    /// Why `chosen_host` was chosen (or why none was).
    pub chosen_because: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Lookup {
    /// `srv`, `mx`, `autoconfig` (Thunderbird's ISP lookups over HTTPS and
    /// HTTP, the ISPDB and the MX-derived lookup) or `autodiscover`.
    pub kind: String,
    /// The DNS name or URL asked (for a lookup not made, what it would
    /// have been and `error` says why).
    pub query: String,
    /// Something useful came back.
    pub found: bool,
    /// What came back, one line per record or setting.
    pub records: Vec<String>,
    /// The hosts named, with port and protocol where known.
    pub hosts: Vec<DiscoveredHost>,
    /// Why the lookup failed or was not made.
    pub error: Option<String>,
    /// Milliseconds the lookup took.
    pub ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DiscoveredHost {
    /// The host name found.
    pub host: String,
    /// The port found with it, when the record gives one.
    pub port: Option<u16>,
    /// e.g. `imaps`, `imap`, `submission`, `pop3s`, `smtp`, `IMAP`, `EXCH`.
    pub service: String,
}
