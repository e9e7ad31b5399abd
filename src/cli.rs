//! The `mailprobe` command line: `serve` (default), `probe`, `openapi`.

mod preflight;
mod readiness;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::config::{self, LogFormat, Settings};
use crate::http::{self, Application};
use crate::probe::request::ProbeRequest;
use crate::probe::{ProbeRejection, Prober};
use crate::report::{Report, Verdict};
use crate::tls::security::CheckId;
use crate::vocab::{Protocol, Transport};

#[derive(Debug, Parser)]
#[command(
    name = "mailprobe",
    version,
    about = "Diagnoses mail servers' TLS and IMAP/POP3/SMTP handshakes: which clients can connect, and why not."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Probe one endpoint and print the diagnosis. Exit code: 0 pass or warn, 1 fail, 2 usage or configuration error.
    Probe(ProbeArgs),
    /// Migration readiness of a whole mail host (or an email domain, discovered):
    /// every endpoint, 993 vs 143, the Exchange HTTPS endpoints, and which
    /// migration path is viable. Exit code: 0 done, 2 usage or configuration error.
    Readiness(ReadinessArgs),
    /// Migration preflight of one IMAP account: folders, sizes, the
    /// destination's limits and the transfer time, read-only. Exit code: 0
    /// done, 2 usage or configuration error.
    Preflight(preflight::PreflightArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Exit 0 if the service at MAILPROBE_LISTEN answers /healthz (for container health checks).
    Healthcheck,
}

#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// HOST or HOST:PORT (IPv6 as [::1]:993).
    // The brackets are the address's, not a doc link (clap prints this text as is).
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(required_unless_present = "targets", conflicts_with = "targets")]
    pub target: Option<String>,
    /// Probe every target in FILE (`-` for stdin) and print one NDJSON line
    /// per target as each finishes (as `POST /v1/probes:batch` does). A line
    /// is `host[:port]` (the other flags apply) or a JSON probe request with
    /// an optional `id`; blank lines and `#` comments are skipped.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<std::path::PathBuf>,
    /// Port, if not given in TARGET.
    #[arg(long)]
    pub port: Option<u16>,
    #[arg(long, value_enum, default_value_t = CliProtocol::Imap)]
    pub protocol: CliProtocol,
    #[arg(long, value_enum, default_value_t = CliTransport::Auto)]
    pub transport: CliTransport,
    /// Server name for SNI and the certificate check.
    #[arg(long)]
    pub sni: Option<String>,
    /// Comma-separated client profiles that decide the verdict.
    #[arg(long, value_delimiter = ',')]
    pub profiles: Vec<String>,
    /// Probe deadline in milliseconds.
    #[arg(long)]
    pub timeout_ms: Option<u64>,
    /// Comma-separated security check ids to run (`heartbleed,robot`);
    /// `none` runs none; absent: every check the service allows.
    #[arg(long, value_name = "IDS")]
    pub checks: Option<String>,
    /// Print the Report as JSON (the same document the HTTP API returns).
    #[arg(long)]
    pub json: bool,
}

/// `--checks heartbleed,robot` → the ids (`none` or empty: no check); an
/// unknown id is an error naming it and the known ones.
fn check_ids(list: &str) -> Result<Vec<CheckId>, String> {
    let list = list.trim();
    if list.is_empty() || list == "none" {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(|id| {
            let id = id.trim();
            CheckId::ALL
                .iter()
                .copied()
                .find(|c| c.as_str() == id)
                .ok_or_else(|| {
                    let known: Vec<&str> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
                    format!(
                        "--checks: unknown check `{id}` (known: {})",
                        known.join(", ")
                    )
                })
        })
        .collect()
}

#[derive(Debug, clap::Args)]
pub struct ReadinessArgs {
    /// HOST, or an email DOMAIN (or address) with `--domain` or an `@`.
    pub target: String,
    /// Treat TARGET as an email domain and discover the host.
    #[arg(long)]
    pub domain: bool,
    /// Comma-separated client profiles that decide each Report's verdict.
    #[arg(long, value_delimiter = ',')]
    pub profiles: Vec<String>,
    /// One deadline for everything, in milliseconds.
    #[arg(long)]
    pub timeout_ms: Option<u64>,
    /// A port override, `NAME=PORT` (e.g. `imap_implicit=10993`, `https=0` to skip); repeatable.
    #[arg(long = "port", value_parser = parse_port_override)]
    pub ports: Vec<(String, u16)>,
    /// Print the Readiness report as JSON (the document the HTTP API returns).
    #[arg(long)]
    pub json: bool,
}

fn parse_port_override(s: &str) -> Result<(String, u16), String> {
    let (name, port) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected NAME=PORT"))?;
    let port = port
        .parse::<u16>()
        .map_err(|_| format!("`{port}` is not a port (0-65535)"))?;
    Ok((name.trim().to_string(), port))
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CliProtocol {
    Imap,
    Pop3,
    Smtp,
    Tls,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CliTransport {
    Implicit,
    Starttls,
    Auto,
}

/// Splits `host:port`, `[v6]:port`, `[v6]`, a bare IPv6 address or a name.
pub fn split_target(s: &str) -> Result<(String, Option<u16>), String> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("`{s}`: missing `]`"))?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host.to_string(), Some(parse_port(p)?))),
            None if after.is_empty() => Ok((host.to_string(), None)),
            None => Err(format!("`{s}`: unexpected `{after}` after `]`")),
        };
    }
    match s.matches(':').count() {
        0 => Ok((s.to_string(), None)),
        1 => {
            let (h, p) = s.split_once(':').unwrap_or((s, ""));
            Ok((h.to_string(), Some(parse_port(p)?)))
        }
        _ => Ok((s.to_string(), None)), // a bare IPv6 address
    }
}

fn parse_port(p: &str) -> Result<u16, String> {
    p.parse::<u16>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{p}` is not a port (1-65535)"))
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = config::check_environment(std::env::vars().map(|(k, _)| k))
        .and_then(|_| cli.settings.validate())
    {
        eprintln!("mailprobe: configuration error: {e}");
        return ExitCode::from(2);
    }
    // Every command that opens connections needs the legacy TLS engine
    // whole: without OpenSSL's legacy provider RC4/3DES would be lost
    // silently, so refuse to start instead.
    if !matches!(cli.command, Some(Command::Openapi | Command::Healthcheck))
        && let Err(e) = crate::tls::legacy::verify()
    {
        eprintln!("mailprobe: cannot start: {e}");
        return ExitCode::from(2);
    }
    match cli.command {
        Some(Command::Openapi) => {
            print!("{}", http::openapi_json());
            ExitCode::SUCCESS
        }
        Some(Command::Healthcheck) => healthcheck(cli.settings.listen),
        Some(Command::Probe(args)) => {
            init_logging(&cli.settings, true);
            block_on(probe(cli.settings, args))
        }
        Some(Command::Readiness(args)) => {
            init_logging(&cli.settings, true);
            block_on(readiness::run(cli.settings, args))
        }
        Some(Command::Preflight(args)) => {
            init_logging(&cli.settings, true);
            block_on(preflight::run(cli.settings, args))
        }
        Some(Command::Serve) | None => {
            init_logging(&cli.settings, false);
            block_on(serve(cli.settings))
        }
    }
}

/// A plain HTTP/1.0 GET of /healthz, so container images need no curl.
fn healthcheck(listen: std::net::SocketAddr) -> ExitCode {
    use std::io::Read;
    use std::time::Duration;
    let mut addr = listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let check = || -> std::io::Result<bool> {
        let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n")?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.") && &head[9..12] == b"200")
    };
    match check() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("mailprobe: {addr}/healthz did not answer 200");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("mailprobe: {addr}/healthz: {e}");
            ExitCode::FAILURE
        }
    }
}

fn block_on<F: Future<Output = ExitCode>>(fut: F) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(fut),
        Err(e) => {
            eprintln!("mailprobe: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(settings: &Settings, to_stderr_quietly: bool) {
    let default = if to_stderr_quietly {
        "warn"
    } else {
        settings.log.as_str()
    };
    // imap-codec warns (through `log`) each time it rectifies a server quirk
    // (e.g. a status without text); a server's quirks are facts for the
    // Report, not warnings about mailprobe. An explicit setting wins.
    let default = if default.contains("imap_codec") {
        default.to_string()
    } else {
        format!("{default},imap_codec=error")
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&default)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour codes only for a person at a terminal, never into a log file
    // or a container's log stream.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn serve(settings: Settings) -> ExitCode {
    let listen = settings.listen;
    let app = match Application::build(settings) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("mailprobe: cannot listen on {listen}: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(address = %listen, port = app.port(), "mailprobe serving; API docs at /docs");
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailprobe: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The request for `host[:port]` with the command line's options.
fn request_for(args: &ProbeArgs, target: &str) -> Result<ProbeRequest, String> {
    let (host, port_in_target) = split_target(target)?;
    Ok(ProbeRequest {
        host,
        port: port_in_target.or(args.port),
        protocol: Some(match args.protocol {
            CliProtocol::Imap => Protocol::Imap,
            CliProtocol::Pop3 => Protocol::Pop3,
            CliProtocol::Smtp => Protocol::Smtp,
            CliProtocol::Tls => Protocol::Tls,
        }),
        transport: Some(match args.transport {
            CliTransport::Implicit => Transport::Implicit,
            CliTransport::Starttls => Transport::Starttls,
            CliTransport::Auto => Transport::Auto,
        }),
        sni: args.sni.clone(),
        profiles: (!args.profiles.is_empty()).then(|| args.profiles.clone()),
        timeout_ms: args.timeout_ms,
        credentials: None,
        allow_plaintext_login: None,
        allow_untrusted_login: None,
        ca_bundle_pem: None,
        checks: args.checks.as_deref().map(check_ids).transpose()?,
    })
}

async fn probe(settings: Settings, args: ProbeArgs) -> ExitCode {
    if let Some(file) = &args.targets {
        return probe_many(settings, &args, file).await;
    }
    let request = match request_for(&args, args.target.as_deref().unwrap_or_default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mailprobe: {e}");
            return ExitCode::from(2);
        }
    };
    let prober = Prober::new(Arc::new(settings));
    let report = match prober.probe(&request).await {
        Ok(r) => r,
        Err(e) => return rejected(&e),
    };
    if let Err(e) = print_report(args.json, &report, || human(&report)) {
        eprintln!("mailprobe: cannot write the report: {e}");
        return ExitCode::FAILURE;
    }
    match report.verdict {
        Verdict::Pass | Verdict::Warn => ExitCode::SUCCESS,
        Verdict::Fail => ExitCode::from(1),
    }
}

/// A request the service would refuse with a 4xx: said on stderr, exit 2
/// (a usage or configuration error), with the setting that would allow it.
pub(crate) fn rejected(e: &ProbeRejection) -> ExitCode {
    match e {
        ProbeRejection::Refused(r) => eprintln!("mailprobe: {r}; {}", r.hint),
        e => eprintln!("mailprobe: {e}"),
    }
    ExitCode::from(2)
}

/// A report on stdout: pretty JSON with `--json`, else the terminal text.
pub(crate) fn print_report<T: serde::Serialize>(
    json: bool,
    report: &T,
    human: impl FnOnce() -> String,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_string_pretty(report)
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(out, "{s}"))
    } else {
        write!(out, "{}", human())
    }
}

/// `probe --targets FILE`: the batch, printed as NDJSON as each finishes.
/// Exit code: 0 when every target passed or warned, 1 when any failed or
/// was refused, 2 for a usage error (an unreadable file, too many targets).
async fn probe_many(settings: Settings, args: &ProbeArgs, file: &std::path::Path) -> ExitCode {
    use futures_util::StreamExt;
    let text = if file.as_os_str() == "-" {
        tokio::task::spawn_blocking(|| std::io::read_to_string(std::io::stdin()))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    } else {
        tokio::fs::read_to_string(file).await
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("mailprobe: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let mut targets = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let value = if line.starts_with('{') {
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("mailprobe: {}:{}: {e}", file.display(), n + 1);
                    return ExitCode::from(2);
                }
            }
        } else {
            match request_for(args, line) {
                Ok(r) => request_json(&r),
                Err(e) => {
                    eprintln!("mailprobe: {}:{}: {e}", file.display(), n + 1);
                    return ExitCode::from(2);
                }
            }
        };
        targets.push(value);
    }
    let (runnable, invalid) = match http::batch::plan(targets, settings.max_batch) {
        Ok(v) => v,
        Err(p) => {
            eprintln!("mailprobe: {}", p.detail);
            return ExitCode::from(2);
        }
    };
    let parallelism = crate::probe::batch::parallelism(None, &settings);
    let prober = Prober::new(Arc::new(settings));
    let mut lines = std::pin::pin!(http::batch::lines(prober, runnable, invalid, parallelism));
    let mut all_good = true;
    while let Some(line) = lines.next().await {
        all_good &= line.problem.is_none()
            && line
                .report
                .as_ref()
                .is_some_and(|r| r.verdict != Verdict::Fail);
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(&line.to_ndjson()).and_then(|_| out.flush()) {
            eprintln!("mailprobe: cannot write the results: {e}");
            return ExitCode::FAILURE;
        }
    }
    if all_good {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// A request built from the command line, as the JSON a batch target is.
fn request_json(r: &ProbeRequest) -> serde_json::Value {
    let mut v = serde_json::json!({
        "host": r.host,
        "port": r.port,
        "protocol": r.protocol,
        "transport": r.transport,
        "sni": r.sni,
        "profiles": r.profiles,
        "timeout_ms": r.timeout_ms,
    });
    if let serde_json::Value::Object(map) = &mut v {
        map.retain(|_, v| !v.is_null());
    }
    v
}

/// The mail dialogue in a few lines: software, capabilities, STARTTLS, login.
fn mail_lines(m: &crate::report::Mail) -> String {
    let mut s = String::new();
    if let Some(g) = &m.software_guess {
        let version = g
            .version
            .as_ref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        s.push_str(&format!("  software    {}{version}\n", g.name));
    }
    if !m.capabilities_before_tls.is_empty() {
        s.push_str(&format!(
            "  caps clear  {}\n",
            m.capabilities_before_tls.join(" ")
        ));
    }
    if let Some(st) = &m.starttls {
        let yes_no = |b: Option<bool>| match b {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        s.push_str(&format!(
            "  starttls    advertised {}, accepted {}\n",
            yes_no(st.advertised),
            yes_no(st.accepted)
        ));
    }
    if let Some(t) = &m.tls {
        s.push_str(&format!(
            "  dialogue    over {} TLS: {} {}\n",
            t.engine.as_str(),
            t.version.as_str(),
            t.suite.name
        ));
    }
    if !m.capabilities_after_tls.is_empty() {
        s.push_str(&format!(
            "  caps in TLS {}\n",
            m.capabilities_after_tls.join(" ")
        ));
    }
    if let Some(l) = &m.login {
        let outcome = match (l.attempted, l.ok) {
            (true, Some(true)) => "ok".to_string(),
            (true, Some(false)) => "refused".to_string(),
            _ => l.reason.clone().unwrap_or_else(|| "not completed".into()),
        };
        s.push_str(&format!(
            "  login       {}{outcome}\n",
            l.mechanism
                .as_ref()
                .map(|m| format!("{m}: "))
                .unwrap_or_default()
        ));
    }
    s
}

/// The handshake, the certificate and each version, one line each.
fn tls_lines(r: &Report) -> String {
    let mut s = String::new();
    if let Some(h) = &r.tls.handshake {
        s.push_str(&format!(
            "  tls         {} {}{} in {} ms\n",
            h.version,
            h.suite.name,
            h.group
                .as_ref()
                .map(|g| format!(" ({g})"))
                .unwrap_or_default(),
            h.ms
        ));
    }
    if let Some(c) = &r.tls.certificate
        && let Some(leaf) = c.chain.first()
    {
        let trust = match (c.trusted, &c.trust_store, &c.trust_reason) {
            (Some(true), Some(store), _) => format!("trusted ({store})"),
            (_, _, Some(reason)) => format!("NOT trusted: {reason}"),
            _ => "trust unknown".into(),
        };
        s.push_str(&format!(
            "  certificate {}, {trust}, {} days left, {} {}{}\n",
            leaf.subject,
            leaf.days_left,
            leaf.key_type,
            leaf.key_bits.map(|b| b.to_string()).unwrap_or_default(),
            c.issues
                .first()
                .map(|_| format!(" [{}]", c.issues.join(", ")))
                .unwrap_or_default()
        ));
    }
    for v in &r.tls.versions {
        let state = match v.offered {
            Some(true) => format!("offered, {} suites", v.suites.len()),
            Some(false) => "not offered".into(),
            None => "unknown".into(),
        };
        s.push_str(&format!("  {:<11} {state}\n", v.version.as_str()));
    }
    s
}

/// The Report for a terminal: the verdict and summary first, then the facts.
pub fn human(r: &Report) -> String {
    let mut s = String::new();
    let t = &r.target;
    s.push_str(&format!(
        "{} {}:{} ({}) -> {}\n{}\n\n",
        t.protocol.as_str().to_uppercase(),
        t.host,
        t.port,
        t.transport.as_str(),
        r.verdict.as_str().to_uppercase(),
        r.summary
    ));
    if !t.addresses.is_empty() {
        s.push_str(&format!("  addresses   {}\n", t.addresses.join(", ")));
    }
    match (&r.connect.ok, &r.connect.error) {
        (true, _) => s.push_str(&format!(
            "  connect     ok, {} ms{}\n",
            r.connect.ms.unwrap_or(0),
            r.connect
                .address
                .as_ref()
                .map(|a| format!(" to {a}"))
                .unwrap_or_default()
        )),
        (false, Some(e)) => s.push_str(&format!("  connect     failed: {e}\n")),
        (false, None) => {}
    }
    s.push_str(&tls_lines(r));
    if let Some(g) = &r.mail.greeting {
        s.push_str(&format!("  greeting    {g}\n"));
    }
    s.push_str(&mail_lines(&r.mail));
    for c in &r.clients {
        s.push_str(&format!(
            "  client      {:<22} {}{}\n",
            c.profile,
            match c.status {
                crate::report::ClientStatus::Connects => "connects",
                crate::report::ClientStatus::AtRisk => "at risk",
                crate::report::ClientStatus::Cannot => "CANNOT connect",
            },
            c.reason
                .as_ref()
                .map(|x| format!(": {x}"))
                .unwrap_or_default()
        ));
    }
    if !r.findings.is_empty() {
        s.push_str("\nFindings:\n");
        for f in &r.findings {
            s.push_str(&format!(
                "  [{:?}] {} {}\n    {}\n    Remedy: {}\n",
                f.severity, f.id, f.title, f.detail, f.remedy
            ));
        }
    }
    if !r.errors.is_empty() {
        s.push_str("\nSteps that did not complete:\n");
        for e in &r.errors {
            s.push_str(&format!("  {} ({:?}): {}\n", e.step, e.kind, e.message));
        }
    }
    s.push_str(&format!(
        "\n{} connection(s), {} ms\n",
        r.stats.connections, r.duration_ms
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::split_target;

    #[test]
    fn splits_targets() {
        assert_eq!(
            split_target("mail.example.com").unwrap(),
            ("mail.example.com".into(), None)
        );
        assert_eq!(
            split_target("mail.example.com:143").unwrap(),
            ("mail.example.com".into(), Some(143))
        );
        assert_eq!(
            split_target("[::1]:993").unwrap(),
            ("::1".into(), Some(993))
        );
        assert_eq!(split_target("::1").unwrap(), ("::1".into(), None));
        assert!(split_target("host:0").is_err());
        assert!(split_target("host:abc").is_err());
        assert!(split_target("[::1").is_err());
    }
}
