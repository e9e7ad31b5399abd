//! Settings: command-line flags override `MAILPROBE_*` environment variables,
//! which override the defaults written here. clap does the layering; this
//! module adds the checks clap cannot express (ranges that depend on each
//! other, CIDR lists, stray `MAILPROBE_*` variables that are probably typos).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

pub mod api_keys;

use api_keys::ApiKeys;
use ipnet::IpNet;

/// Every setting of the service, shared by `serve` and the one-shot `probe`.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address and port the HTTP service listens on.
    #[arg(
        long,
        env = "MAILPROBE_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Probe deadline used when a request gives no `timeout_ms`.
    #[arg(
        long,
        env = "MAILPROBE_DEFAULT_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub default_timeout_ms: u64,

    /// Largest `timeout_ms` a request may ask for.
    #[arg(
        long,
        env = "MAILPROBE_MAX_TIMEOUT_MS",
        default_value_t = 60_000,
        global = true
    )]
    pub max_timeout_ms: u64,

    /// Probes in flight across the whole instance; beyond it requests get 429.
    #[arg(
        long,
        env = "MAILPROBE_MAX_CONCURRENT_PROBES",
        default_value_t = 256,
        global = true
    )]
    pub max_concurrent_probes: usize,

    /// Connections open at once to one target IP address, shared by every
    /// probe of this instance that dials it.
    #[arg(
        long,
        env = "MAILPROBE_PER_TARGET_CONNECTIONS",
        default_value_t = 4,
        global = true
    )]
    pub per_target_connections: usize,

    /// Connections in flight across all probes of this instance; beyond it
    /// connection attempts wait (within each probe's deadline).
    #[arg(
        long,
        env = "MAILPROBE_MAX_CONNECTIONS",
        default_value_t = 512,
        global = true
    )]
    pub max_connections: usize,

    /// Targets one `POST /v1/probes:batch` (or `probe --targets`) may name.
    #[arg(
        long,
        env = "MAILPROBE_MAX_BATCH",
        default_value_t = 1000,
        global = true
    )]
    pub max_batch: usize,

    /// Probes one batch runs at once (never more than half of
    /// MAILPROBE_MAX_CONCURRENT_PROBES). Batch probes take the same global
    /// probe slots as single ones but wait for them instead of a 429, so this
    /// is what leaves room for single probes beside a batch.
    #[arg(
        long,
        env = "MAILPROBE_BATCH_PARALLELISM",
        default_value_t = 32,
        global = true
    )]
    pub batch_parallelism: usize,

    /// Batches running at once across the instance; beyond it a batch gets
    /// 429. Together, running batches hold at most half the probe slots.
    #[arg(
        long,
        env = "MAILPROBE_MAX_BATCHES",
        default_value_t = 8,
        global = true
    )]
    pub max_batches: usize,

    /// Batches one caller (API key, or client address with IPv6 by /64)
    /// may run at once; beyond it that caller's next batch gets 429.
    #[arg(
        long,
        env = "MAILPROBE_MAX_BATCHES_PER_CALLER",
        default_value_t = 2,
        global = true
    )]
    pub max_batches_per_caller: usize,

    /// Comma-separated CIDRs that may be probed even though the default policy
    /// refuses them (e.g. `127.0.0.0/8` to probe local test servers).
    #[arg(long, env = "MAILPROBE_ALLOW_TARGETS", value_delimiter = ',', value_parser = parse_cidr, global = true)]
    pub allow_targets: Vec<IpNet>,

    /// Comma-separated CIDRs that are never probed; wins over the allow list.
    #[arg(long, env = "MAILPROBE_DENY_TARGETS", value_delimiter = ',', value_parser = parse_cidr, global = true)]
    pub deny_targets: Vec<IpNet>,

    /// Target ports a probe may connect to: a comma-separated list of ports
    /// and ranges (`993,10000-20000`), or `*` for any. The default is the
    /// mail and HTTPS ports, so the service cannot be pointed at, say, a
    /// database or an admin interface on an allowed address.
    #[arg(
        long,
        env = "MAILPROBE_ALLOW_PORTS",
        default_value = "25,110,143,443,465,587,993,995",
        value_parser = PortSet::parse,
        overrides_with = "allow_ports",
        global = true
    )]
    pub allow_ports: PortSet,

    /// Comma-separated API keys (at least 16 characters each). When keys are
    /// configured (here or in the key file), every path but the open ones
    /// (health, readiness, metrics, the OpenAPI document, `/docs`) requires
    /// `Authorization: Bearer <key>`. Only SHA-256 digests are kept.
    #[arg(long, env = "MAILPROBE_API_KEYS", value_parser = ApiKeys::parse_list, hide_env_values = true, global = true)]
    pub api_keys: Option<ApiKeys>,

    /// File of API keys, one per line (`#` comments). Read at start-up.
    #[arg(long, env = "MAILPROBE_API_KEY_FILE", global = true)]
    pub api_key_file: Option<PathBuf>,

    /// Requests per minute one caller (API key, or IP address when no keys
    /// are configured; IPv6 by /64) may make to every path but the open
    /// ones; a batch counts each target; 0 turns the limit off.
    #[arg(
        long,
        env = "MAILPROBE_RATE_LIMIT",
        default_value_t = 600,
        global = true
    )]
    pub rate_limit: u32,

    /// Login tests one caller (API key, else client address with IPv6 by
    /// /64) may run per hour, batches and single probes together; beyond it
    /// a request carrying credentials gets 429. 0 turns the limit off.
    #[arg(
        long,
        env = "MAILPROBE_LOGIN_LIMIT",
        default_value_t = 60,
        global = true
    )]
    pub login_limit: u32,

    /// On SIGTERM/SIGINT the service stops accepting connections and lets
    /// requests in flight (probes included) finish for up to this long, then
    /// exits. Rounded up to whole seconds (actix-web's granularity).
    #[arg(
        long,
        env = "MAILPROBE_SHUTDOWN_GRACE_MS",
        default_value_t = 30_000,
        global = true
    )]
    pub shutdown_grace_ms: u64,

    /// Largest accepted request body in bytes.
    #[arg(
        long,
        env = "MAILPROBE_MAX_BODY_BYTES",
        default_value_t = 65_536,
        global = true
    )]
    pub max_body_bytes: usize,

    /// HTTP worker threads (0: one per CPU core).
    #[arg(long, env = "MAILPROBE_WORKERS", default_value_t = 0, global = true)]
    pub workers: usize,

    /// Log filter, in `tracing` syntax (`info`, `mailprobe=debug`, ...).
    #[arg(long, env = "MAILPROBE_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "MAILPROBE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// PEM file of extra trusted roots (e.g. a company CA), tried after the
    /// Mozilla roots. Read at start-up; unreadable or invalid is an error.
    #[arg(long, env = "MAILPROBE_CA_BUNDLE", global = true)]
    pub ca_bundle: Option<PathBuf>,

    /// Nameserver for readiness discovery and host lookups (`IP` or
    /// `IP:PORT`, UDP then TCP); default: the system's resolver configuration.
    #[arg(long, env = "MAILPROBE_DNS_SERVER", value_parser = parse_dns_server, global = true)]
    pub dns_server: Option<SocketAddr>,

    /// Base URL of the Thunderbird ISP database that readiness discovery
    /// asks for `<base>/<domain>` (Thunderbird's `mailnews.auto_config_url`);
    /// `off` (or an empty value) turns the ISPDB lookup off.
    #[arg(
        long,
        env = "MAILPROBE_ISPDB_URL",
        default_value = DEFAULT_ISPDB_URL,
        value_parser = BaseUrl::parse_optional,
        overrides_with = "ispdb_url",
        global = true
    )]
    pub ispdb_url: OptionalBaseUrl,
    /// Comma-separated origins (`https://portal.example.com`) whose browser
    /// pages may call the API, or `*` for any; CORS is off when empty.
    #[arg(long, env = "MAILPROBE_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin, global = true)]
    pub cors_origins: Vec<String>,

    /// Security checks a probe may run beside the scan: `all`, `passive`
    /// (ordinary hellos only: fallback SCSV, compression, secure
    /// renegotiation) or `none`. A request's `checks` selects within this.
    #[arg(long, env = "MAILPROBE_SECURITY_CHECKS", value_enum, default_value_t = SecurityChecks::All, global = true)]
    pub security_checks: SecurityChecks,

    /// Client-profile trials: `predict` sends the offers of the clients that
    /// decide the verdict and one client per TLS library family, and predicts
    /// the rest from the scan (`basis: predicted`); `all` sends every offer.
    #[arg(long, env = "MAILPROBE_CLIENT_TRIALS", value_enum, default_value_t = ClientTrials::Predict, global = true)]
    pub client_trials: ClientTrials,
}

/// The service-wide ceiling on security checks (`MAILPROBE_SECURITY_CHECKS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecurityChecks {
    All,
    Passive,
    None,
}

/// How many client-profile offers a probe sends (see `Settings::client_trials`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientTrials {
    Predict,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Environment variables this build understands. Anything else starting with
/// `MAILPROBE_` is refused at start-up, because a misspelt safety setting
/// (say `MAILPROBE_DENY_TARGET`) must not be silently ignored.
pub const KNOWN_ENV: &[&str] = &[
    "MAILPROBE_SECURITY_CHECKS",
    "MAILPROBE_LISTEN",
    "MAILPROBE_DEFAULT_TIMEOUT_MS",
    "MAILPROBE_MAX_TIMEOUT_MS",
    "MAILPROBE_MAX_CONCURRENT_PROBES",
    "MAILPROBE_PER_TARGET_CONNECTIONS",
    "MAILPROBE_MAX_CONNECTIONS",
    "MAILPROBE_MAX_BATCH",
    "MAILPROBE_BATCH_PARALLELISM",
    "MAILPROBE_MAX_BATCHES",
    "MAILPROBE_MAX_BATCHES_PER_CALLER",
    "MAILPROBE_ALLOW_TARGETS",
    "MAILPROBE_DENY_TARGETS",
    "MAILPROBE_ALLOW_PORTS",
    "MAILPROBE_API_KEYS",
    "MAILPROBE_API_KEY_FILE",
    "MAILPROBE_RATE_LIMIT",
    "MAILPROBE_LOGIN_LIMIT",
    "MAILPROBE_SHUTDOWN_GRACE_MS",
    "MAILPROBE_MAX_BODY_BYTES",
    "MAILPROBE_WORKERS",
    "MAILPROBE_LOG",
    "MAILPROBE_LOG_FORMAT",
    "MAILPROBE_CA_BUNDLE",
    "MAILPROBE_DNS_SERVER",
    "MAILPROBE_ISPDB_URL",
    "MAILPROBE_CORS_ORIGINS",
    "MAILPROBE_CLIENT_TRIALS",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("unknown environment variable {name}; known ones are: {}", KNOWN_ENV.join(", "))]
    UnknownVariable { name: String },
    #[error("{setting} must be between {min} and {max}, got {value}")]
    OutOfRange {
        setting: &'static str,
        min: u64,
        max: u64,
        value: u64,
    },
    #[error(
        "MAILPROBE_DEFAULT_TIMEOUT_MS ({default}) must not exceed MAILPROBE_MAX_TIMEOUT_MS ({max})"
    )]
    DefaultAboveMax { default: u64, max: u64 },
    #[error("MAILPROBE_API_KEY_FILE ({path}): {error}")]
    ApiKeyFile { path: String, error: String },
    #[error("MAILPROBE_CA_BUNDLE ({path}): {error}")]
    CaBundle {
        path: String,
        error: crate::tls::trust::BundleError,
    },
}

/// `*`, or an origin as browsers send it (RFC 6454): `http` or `https`,
/// a host, an optional port, nothing else (no path, no trailing slash).
fn parse_origin(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s == "*" {
        return Ok(s.to_string());
    }
    let bad = || {
        format!(
            "`{s}` is not an origin like https://portal.example.com or http://localhost:3000 (or `*`)"
        )
    };
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, _)) if !h.ends_with(']') && h.contains(':') => (rest, None), // bare IPv6: refused below
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && (host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            || (host.starts_with('[')
                && host.ends_with(']')
                && host[1..host.len() - 1]
                    .parse::<std::net::Ipv6Addr>()
                    .is_ok()));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if host_ok && port_ok {
        Ok(s.to_string())
    } else {
        Err(bad())
    }
}

/// The ports `MAILPROBE_ALLOW_PORTS` permits: inclusive ranges (a single
/// port is a range of one), or any port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSet {
    Any,
    Ranges(Vec<(u16, u16)>),
}

impl PortSet {
    /// Parses `*` or `25,587,10000-20000` (spaces around items allowed).
    pub fn parse(s: &str) -> Result<PortSet, String> {
        let s = s.trim();
        if s == "*" {
            return Ok(PortSet::Any);
        }
        let port = |p: &str| -> Result<u16, String> {
            match p.trim().parse::<u16>() {
                Ok(0) | Err(_) => Err(format!(
                    "`{}` is not a port (1-65535); MAILPROBE_ALLOW_PORTS takes ports and ranges like `993,10000-20000`, or `*`",
                    p.trim()
                )),
                Ok(n) => Ok(n),
            }
        };
        let mut ranges = Vec::new();
        for item in s.split(',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let (lo, hi) = match item.split_once('-') {
                Some((a, b)) => (port(a)?, port(b)?),
                None => {
                    let p = port(item)?;
                    (p, p)
                }
            };
            if lo > hi {
                return Err(format!("`{item}`: a range runs from low to high"));
            }
            ranges.push((lo, hi));
        }
        if ranges.is_empty() {
            return Err("MAILPROBE_ALLOW_PORTS names no port; give `*` for any".into());
        }
        Ok(PortSet::Ranges(ranges))
    }

    pub fn contains(&self, port: u16) -> bool {
        match self {
            PortSet::Any => true,
            PortSet::Ranges(r) => r.iter().any(|(lo, hi)| (*lo..=*hi).contains(&port)),
        }
    }
}

impl std::fmt::Display for PortSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortSet::Any => f.write_str("*"),
            PortSet::Ranges(r) => {
                let items: Vec<String> = r
                    .iter()
                    .map(|(lo, hi)| {
                        if lo == hi {
                            lo.to_string()
                        } else {
                            format!("{lo}-{hi}")
                        }
                    })
                    .collect();
                f.write_str(&items.join(","))
            }
        }
    }
}

fn parse_cidr(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    if let Ok(net) = s.parse::<IpNet>() {
        return Ok(net);
    }
    // A bare address means exactly that address.
    s.parse::<std::net::IpAddr>()
        .map(IpNet::from)
        .map_err(|_| format!("`{s}` is not a CIDR (like 127.0.0.0/8) or an IP address"))
}

/// `IP` (port 53) or `IP:PORT` (IPv6 as `[::1]:53`).
/// Where Thunderbird looks up a domain in its ISP database.
pub const DEFAULT_ISPDB_URL: &str = "https://autoconfig.thunderbird.net/v1.1/";

/// An `http://` or `https://` URL split into what a fetch under the target
/// policy needs: the host (resolved and checked like any other), the port,
/// and the path the lookup appends to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub https: bool,
    /// A DNS name, or an IP address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    /// Starts with `/`; no query, no fragment.
    pub path: String,
}

/// A base URL, or none (the lookup is off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionalBaseUrl(pub Option<BaseUrl>);

impl BaseUrl {
    /// `http[s]://host[:port][/path]`; `off` or empty: none.
    pub fn parse_optional(s: &str) -> Result<OptionalBaseUrl, String> {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("off") {
            return Ok(OptionalBaseUrl(None));
        }
        let bad = |why: &str| format!("`{s}` is not an http(s) base URL ({why}), nor `off`");
        let (https, rest) = if let Some(r) = s.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = s.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad("scheme must be http or https"));
        };
        if rest.contains(['?', '#', '@', ' ']) {
            return Err(bad("no query, fragment, user or spaces"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let default_port = if https { 443 } else { 80 };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| bad("unclosed ["))?;
            h.parse::<std::net::Ipv6Addr>()
                .map_err(|_| bad("not an IPv6 address"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse::<u16>().map_err(|_| bad("bad port"))?,
                None if after.is_empty() => default_port,
                None => return Err(bad("junk after ]")),
            };
            (h.to_string(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (
                    h.to_string(),
                    p.parse::<u16>().map_err(|_| bad("bad port"))?,
                ),
                None => (authority.to_string(), default_port),
            }
        };
        if port == 0 {
            return Err(bad("bad port"));
        }
        if crate::vocab::host::parse_host(&host).is_err() {
            return Err(bad("bad host"));
        }
        Ok(OptionalBaseUrl(Some(BaseUrl {
            https,
            host,
            port,
            path: path.to_string(),
        })))
    }
}

fn parse_dns_server(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    s.parse::<SocketAddr>()
        .or_else(|_| {
            s.parse::<std::net::IpAddr>()
                .map(|ip| SocketAddr::new(ip, 53))
        })
        .map_err(|_| format!("`{s}` is not an IP address or IP:PORT"))
}

impl Settings {
    /// Checks what clap cannot: ranges and the relation between settings.
    pub fn validate(&self) -> Result<(), ConfigError> {
        range(
            "MAILPROBE_DEFAULT_TIMEOUT_MS",
            self.default_timeout_ms,
            100,
            600_000,
        )?;
        range(
            "MAILPROBE_MAX_TIMEOUT_MS",
            self.max_timeout_ms,
            100,
            600_000,
        )?;
        if self.default_timeout_ms > self.max_timeout_ms {
            return Err(ConfigError::DefaultAboveMax {
                default: self.default_timeout_ms,
                max: self.max_timeout_ms,
            });
        }
        range(
            "MAILPROBE_MAX_CONCURRENT_PROBES",
            self.max_concurrent_probes as u64,
            1,
            100_000,
        )?;
        range(
            "MAILPROBE_PER_TARGET_CONNECTIONS",
            self.per_target_connections as u64,
            1,
            64,
        )?;
        range(
            "MAILPROBE_MAX_CONNECTIONS",
            self.max_connections as u64,
            1,
            1_000_000,
        )?;
        range("MAILPROBE_MAX_BATCH", self.max_batch as u64, 1, 100_000)?;
        range(
            "MAILPROBE_BATCH_PARALLELISM",
            self.batch_parallelism as u64,
            1,
            10_000,
        )?;
        range("MAILPROBE_MAX_BATCHES", self.max_batches as u64, 1, 10_000)?;
        range(
            "MAILPROBE_MAX_BATCHES_PER_CALLER",
            self.max_batches_per_caller as u64,
            1,
            10_000,
        )?;
        range(
            "MAILPROBE_MAX_BODY_BYTES",
            self.max_body_bytes as u64,
            1024,
            64 << 20,
        )?;
        range(
            "MAILPROBE_SHUTDOWN_GRACE_MS",
            self.shutdown_grace_ms,
            0,
            3_600_000,
        )?;
        self.trust_stores()?;
        self.api_key_set()?;
        Ok(())
    }

    /// Every configured API key (list and file), as digests; empty: no keys.
    pub fn api_key_set(&self) -> Result<ApiKeys, ConfigError> {
        let mut keys = self.api_keys.clone().unwrap_or_default();
        if let Some(path) = &self.api_key_file {
            keys.extend(
                ApiKeys::read_file(path).map_err(|error| ConfigError::ApiKeyFile {
                    path: path.display().to_string(),
                    error,
                })?,
            );
        }
        Ok(keys)
    }

    /// The trust stores these settings name: the Mozilla roots plus the
    /// configured bundle, read and parsed now.
    pub fn trust_stores(&self) -> Result<crate::tls::trust::TrustStores, ConfigError> {
        crate::tls::trust::TrustStores::load(self.ca_bundle.as_deref()).map_err(|error| {
            ConfigError::CaBundle {
                path: self
                    .ca_bundle
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                error,
            }
        })
    }

    pub fn default_timeout(&self) -> Duration {
        Duration::from_millis(self.default_timeout_ms)
    }
}

fn range(setting: &'static str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            setting,
            min,
            max,
            value,
        })
    }
}

/// Refuses `MAILPROBE_*` variables this build does not know.
pub fn check_environment<I: IntoIterator<Item = String>>(names: I) -> Result<(), ConfigError> {
    for name in names {
        if name.starts_with("MAILPROBE_") && !KNOWN_ENV.contains(&name.as_str()) {
            return Err(ConfigError::UnknownVariable { name });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        s: Settings,
    }

    fn parse(args: &[&str]) -> Settings {
        let mut v = vec!["x"];
        v.extend_from_slice(args);
        Wrap::try_parse_from(v).map(|w| w.s).unwrap()
    }

    #[test]
    fn defaults_are_sane_and_valid() {
        let s = parse(&[]);
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.default_timeout_ms, 10_000);
        assert!(s.allow_targets.is_empty());
        s.validate().unwrap();
    }

    #[test]
    fn cidr_lists_accept_bare_addresses() {
        let s = parse(&["--allow-targets", "127.0.0.0/8,::1"]);
        assert_eq!(s.allow_targets.len(), 2);
        assert!(s.allow_targets[1].contains(&"::1".parse::<std::net::IpAddr>().unwrap()));
    }

    #[test]
    fn dns_server_takes_an_address_with_or_without_port() {
        let s = parse(&["--dns-server", "127.0.0.1"]);
        assert_eq!(s.dns_server.map(|a| a.port()), Some(53));
        let s = parse(&["--dns-server", "[::1]:5353"]);
        assert_eq!(s.dns_server.map(|a| a.port()), Some(5353));
        assert!(Wrap::try_parse_from(["x", "--dns-server", "ns.example"]).is_err());
    }

    #[test]
    fn ports_default_to_the_mail_and_https_ports() {
        let s = parse(&[]);
        for p in [25, 110, 143, 443, 465, 587, 993, 995] {
            assert!(s.allow_ports.contains(p), "{p}");
        }
        for p in [22, 80, 3306, 6379, 8080, 994] {
            assert!(!s.allow_ports.contains(p), "{p}");
        }
        assert_eq!(s.allow_ports.to_string(), "25,110,143,443,465,587,993,995");
    }

    #[test]
    fn ports_take_lists_ranges_and_any() {
        let s = parse(&["--allow-ports", "993, 10000-20000"]);
        assert!(s.allow_ports.contains(993));
        assert!(s.allow_ports.contains(10_000) && s.allow_ports.contains(20_000));
        assert!(!s.allow_ports.contains(9_999) && !s.allow_ports.contains(20_001));
        assert!(parse(&["--allow-ports", "*"]).allow_ports.contains(1));
        // The last flag wins, so a harness default can be overridden.
        let s = parse(&["--allow-ports", "*", "--allow-ports", "993"]);
        assert!(!s.allow_ports.contains(25));
        for bad in ["0", "70000", "20-10", "abc", "", "1-"] {
            assert!(PortSet::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_cidr_is_refused() {
        assert!(Wrap::try_parse_from(["x", "--allow-targets", "127.0.0.0/99"]).is_err());
    }

    #[test]
    fn default_above_max_is_refused() {
        let s = parse(&["--default-timeout-ms", "5000", "--max-timeout-ms", "1000"]);
        assert_eq!(
            s.validate(),
            Err(ConfigError::DefaultAboveMax {
                default: 5000,
                max: 1000
            })
        );
    }

    #[test]
    fn stray_variable_is_refused() {
        let err = check_environment(["MAILPROBE_DENY_TARGET".to_string(), "PATH".to_string()]);
        assert!(
            matches!(err, Err(ConfigError::UnknownVariable { name }) if name == "MAILPROBE_DENY_TARGET")
        );
        assert!(check_environment(["MAILPROBE_LISTEN".to_string()]).is_ok());
        assert!(check_environment(["MAILPROBE_CA_BUNDLE".to_string()]).is_ok());
    }

    #[test]
    fn every_variable_is_in_the_documented_configuration_table() {
        let table = include_str!("../docs/configuration.md");
        for name in KNOWN_ENV {
            assert!(
                table.contains(&format!("| `{name}` |")),
                "docs/configuration.md's table lacks {name}"
            );
        }
    }

    #[test]
    fn ispdb_url_defaults_to_thunderbird_and_can_be_turned_off() {
        let s = parse(&[]);
        let url = s.ispdb_url.0.expect("on by default");
        assert_eq!(
            (url.https, url.host.as_str(), url.port, url.path.as_str()),
            (true, "autoconfig.thunderbird.net", 443, "/v1.1/")
        );
        assert_eq!(parse(&["--ispdb-url", ""]).ispdb_url.0, None);
        assert_eq!(parse(&["--ispdb-url", "off"]).ispdb_url.0, None);
        let local = parse(&["--ispdb-url", "http://[::1]:8080/ispdb"])
            .ispdb_url
            .0;
        assert_eq!(
            local,
            Some(BaseUrl {
                https: false,
                host: "::1".into(),
                port: 8080,
                path: "/ispdb".into()
            })
        );
        let ip = parse(&["--ispdb-url", "https://127.0.0.1:9443"])
            .ispdb_url
            .0;
        assert_eq!(ip.map(|u| (u.port, u.path)), Some((9443, "/".into())));
        for bad in [
            "ftp://x/",
            "autoconfig.thunderbird.net",
            "https://x/?a=b",
            "https://u@x/",
            "https://x:0/",
            "https://x:99999/",
            "https://[::1/",
            "https:///v1.1/",
        ] {
            assert!(
                Wrap::try_parse_from(["x", "--ispdb-url", bad]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn cors_origins_are_checked() {
        assert!(parse(&[]).cors_origins.is_empty());
        let s = parse(&[
            "--cors-origins",
            "https://portal.example.com, http://localhost:3000,http://[::1]:8081",
        ]);
        assert_eq!(
            s.cors_origins,
            [
                "https://portal.example.com",
                "http://localhost:3000",
                "http://[::1]:8081"
            ]
        );
        assert_eq!(parse(&["--cors-origins", "*"]).cors_origins, ["*"]);
        for bad in [
            "portal.example.com",
            "https://portal.example.com/",
            "https://portal.example.com/app",
            "ftp://x",
            "https://",
            "https://x:0",
            "https://x:99999",
            "https://a b",
        ] {
            assert!(
                Wrap::try_parse_from(["x", "--cors-origins", bad]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_ca_bundle_is_a_configuration_error() {
        let s = parse(&["--ca-bundle", "/nonexistent/bundle.pem"]);
        assert!(matches!(s.validate(), Err(ConfigError::CaBundle { .. })));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundle.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let s = parse(&["--ca-bundle", path.to_str().unwrap()]);
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("no PEM"), "{err}");
    }
}
