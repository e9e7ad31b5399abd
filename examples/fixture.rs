//! A mail server on this machine to probe, for the README walkthrough: the
//! test suite's own OpenSSL fixtures (the vendored OpenSSL 3.6, built with
//! TLS 1.0 and the legacy suites that Debian's OpenSSL no longer enables) on
//! a random loopback port.
//!
//! ```sh
//! cargo run --example fixture -- exchange2010              # TLS 1.0 only, like Exchange 2010's IMAP4 on 993
//! cargo run --example fixture -- modern --starttls         # TLS 1.2/1.3 behind IMAP STARTTLS, like 143
//! cargo run --example fixture -- dovecot-login             # Dovecot's IMAP dialogue on STARTTLS, one account to log in with
//! ```
//!
//! It prints the port and writes the fixture's private root certificate to
//! a PEM file (pass it as `MAILPROBE_CA_BUNDLE` or `ca_bundle_pem` to see a
//! trusted chain), then serves until interrupted. `dovecot-login` (the
//! scripted rustls server of the tests) prints instead the one account it
//! accepts, as the `credentials` of a probe request, for the login test.

// The fixture modules serve the whole test suite; this uses a part.
#![allow(dead_code)]

#[path = "../tests/it/support/openssl_server.rs"]
mod openssl_server;
#[path = "../tests/it/support/pki.rs"]
mod pki;
// `mail_servers` names its sibling as `super::pki`: both sit at this root.
#[path = "../tests/it/support/mail_servers.rs"]
mod mail_servers;

use std::process::ExitCode;

use openssl_server::{OpensslServer, Profile, Transport};

const PROFILES: [(&str, Profile); 7] = [
    ("exchange2010", Profile::Exchange2010),
    ("modern", Profile::Modern),
    ("tls13-only", Profile::Tls13Only),
    ("dhe1024", Profile::Dhe1024),
    ("ssl3-tls10", Profile::Ssl3Tls10),
    ("server-preference", Profile::ServerPreference),
    ("client-preference", Profile::ClientPreference),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(String::as_str)
        .unwrap_or("exchange2010");
    if name == "dovecot-login" {
        return dovecot_login();
    }
    let Some(&(_, profile)) = PROFILES.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = PROFILES.iter().map(|(n, _)| *n).collect();
        eprintln!(
            "usage: cargo run --example fixture -- [{}|dovecot-login] [--starttls]",
            names.join("|")
        );
        return ExitCode::from(2);
    };
    let transport = if args.iter().any(|a| a == "--starttls") {
        Transport::Starttls
    } else {
        Transport::Implicit
    };
    let server = OpensslServer::profile_over(profile, transport);
    // Each run makes its own PKI: one file per fixture.
    let root = std::env::temp_dir().join(format!("mailprobe-fixture-{}-root.pem", server.port()));
    if let Err(e) = std::fs::write(&root, &openssl_server::pki().root_pem) {
        eprintln!("cannot write {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    println!(
        "{name} fixture ({}) listening on 127.0.0.1:{}",
        match transport {
            Transport::Implicit => "implicit TLS",
            Transport::Starttls => "IMAP STARTTLS",
        },
        server.port()
    );
    println!("its root CA: {}", root.display());
    println!("Ctrl-C stops it.");
    loop {
        std::thread::park();
    }
}

/// Dovecot's IMAP dialogue behind STARTTLS, accepting one account (AUTHENTICATE
/// PLAIN or XOAUTH2, LOGIN), for the login test of a probe request.
fn dovecot_login() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let server = mail_servers::start(
            mail_servers::Script::Imap(mail_servers::dovecot()),
            mail_servers::Start::Plain,
        )
        .await;
        println!(
            "dovecot-login fixture (IMAP STARTTLS) listening on 127.0.0.1:{}",
            server.port
        );
        let credentials = serde_json::json!({
            "username": mail_servers::USER,
            "password": mail_servers::PASSWORD,
        });
        println!("credentials: {credentials}");
        println!("Ctrl-C stops it.");
        std::future::pending::<()>().await;
    });
    ExitCode::SUCCESS
}
