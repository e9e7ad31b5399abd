//! `mailprobe preflight HOST[:PORT] --user USER`: the migration preflight
//! (issue 19) for a terminal, or its JSON with `--json`. The password comes
//! from an environment variable (never a flag: flags show in `ps`).

use std::process::ExitCode;
use std::sync::Arc;

use secrecy::SecretString;

use crate::config::Settings;
use crate::diagnosis::preflight::PreflightReport;
use crate::diagnosis::preflight::estimate::rate_words;
use crate::diagnosis::preflight::limits::Destination;
use crate::probe::Prober;
use crate::probe::preflight::{PreflightCaps, PreflightRequest};
use crate::probe::request::Credentials;
use crate::vocab::Transport;

#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    /// HOST or HOST:PORT of the source IMAP server (IPv6 as [::1]:993).
    pub target: String,
    /// The account to survey.
    #[arg(long)]
    pub user: String,
    /// The environment variable holding the password (not a MAILPROBE_ one).
    #[arg(long, default_value = "PREFLIGHT_PASSWORD")]
    pub password_env: String,
    #[arg(long, value_enum, default_value_t = super::CliTransport::Auto)]
    pub transport: super::CliTransport,
    #[arg(long)]
    pub sni: Option<String>,
    /// `exchange-online` (default) or `google-workspace`.
    #[arg(long, value_parser = parse_destination, default_value = "exchange-online")]
    pub destination: Destination,
    /// Show the largest items' subjects.
    #[arg(long)]
    pub subjects: bool,
    /// Extra sessions to open at once (0-3); each is a login.
    #[arg(long, default_value_t = 0)]
    pub parallel_sessions: u32,
    /// Body bytes the throughput sample fetches (0: no sample).
    #[arg(long)]
    pub sample_bytes: Option<u64>,
    /// Log in even when the certificate is not trusted or does not match.
    #[arg(long)]
    pub allow_untrusted_login: bool,
    /// Log in even without TLS (the STARTTLS upgrade refused).
    #[arg(long)]
    pub allow_plaintext_login: bool,
    #[arg(long)]
    pub timeout_ms: Option<u64>,
    /// Print the report as JSON (the document `POST /v1/preflight` returns).
    #[arg(long)]
    pub json: bool,
}

fn parse_destination(s: &str) -> Result<Destination, String> {
    match s {
        "exchange-online" => Ok(Destination::ExchangeOnline),
        "google-workspace" => Ok(Destination::GoogleWorkspace),
        _ => Err("expected exchange-online or google-workspace".into()),
    }
}

pub async fn run(settings: Settings, args: PreflightArgs) -> ExitCode {
    let (host, port) = match super::split_target(&args.target) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("mailprobe: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(password) = std::env::var(&args.password_env) else {
        eprintln!(
            "mailprobe: set the password in the environment variable {}",
            args.password_env
        );
        return ExitCode::from(2);
    };
    let request = PreflightRequest {
        host,
        port,
        transport: Some(match args.transport {
            super::CliTransport::Implicit => Transport::Implicit,
            super::CliTransport::Starttls => Transport::Starttls,
            super::CliTransport::Auto => Transport::Auto,
        }),
        sni: args.sni.clone(),
        timeout_ms: args.timeout_ms,
        credentials: Some(Credentials {
            username: args.user.clone(),
            password: Some(SecretString::from(password)),
            oauth2_token: None,
        }),
        allow_untrusted_login: Some(args.allow_untrusted_login),
        allow_plaintext_login: Some(args.allow_plaintext_login),
        destination: Some(args.destination),
        include_subjects: Some(args.subjects),
        parallel_sessions: Some(args.parallel_sessions),
        caps: Some(PreflightCaps {
            sample_bytes: args.sample_bytes,
            ..PreflightCaps::default()
        }),
        ..PreflightRequest::default()
    };
    let prober = Prober::new(Arc::new(settings));
    let report = match prober.preflight(&request).await {
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

fn human(r: &PreflightReport) -> String {
    let mut out = format!(
        "{}:{} → {}\n{}\n",
        r.target.host,
        r.target.port,
        r.destination.label(),
        r.summary
    );
    if let Some(t) = &r.tls {
        out.push_str(&format!(
            "TLS: {} engine, {}\n",
            t.engine.as_str(),
            t.version
        ));
    }
    if let Some(p) = &r.parallel {
        out.push_str(&format!(
            "parallel sessions: {} of {} extra logged in at once{}\n",
            p.logged_in,
            p.requested,
            if p.refused.is_empty() {
                String::new()
            } else {
                format!(" (refused: {})", p.refused.join("; "))
            }
        ));
    }
    if !r.folders.is_empty() {
        out.push_str("\nfolders:\n");
    }
    for f in &r.folders {
        out.push_str(&format!(
            "  {:<40} {:>8} items {:>14} bytes{}{}\n",
            f.name,
            f.messages.map_or("-".into(), |m| m.to_string()),
            f.size_bytes.map_or("-".into(), |s| s.to_string()),
            f.special_use
                .as_deref()
                .map_or(String::new(), |s| format!("  {s}")),
            if f.partial { "  (partial)" } else { "" }
        ));
    }
    if !r.findings.is_empty() {
        out.push_str("\nfindings:\n");
    }
    for f in &r.findings {
        out.push_str(&format!(
            "  [{:?}] {}{}\n    remedy: {}\n",
            f.severity,
            f.folder
                .as_deref()
                .map_or(String::new(), |n| format!("{n}: ")),
            f.what,
            f.remedy
        ));
    }
    if let Some(e) = &r.estimate {
        out.push_str(&format!(
            "\nestimate: {} at {} ({})\n",
            e.duration,
            rate_words(e.measured_bytes_per_sec),
            e.basis
        ));
    }
    for e in &r.errors {
        out.push_str(&format!("step failed: {}: {}\n", e.step, e.message));
    }
    out
}
