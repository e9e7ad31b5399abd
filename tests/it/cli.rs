//! The `mailprobe` binary itself: exit codes and output.

use std::process::Command;

use crate::support::rustls_server::{self, Options};

fn mailprobe() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mailprobe"));
    for (k, _) in std::env::vars() {
        if k.starts_with("MAILPROBE_") {
            c.env_remove(k);
        }
    }
    c
}

#[tokio::test]
async fn probe_prints_human_summary_and_json() {
    let fixture = rustls_server::start(Options::default()).await;
    let target = format!("127.0.0.1:{}", fixture.addr.port());
    // The fixture's private root, trusted through the configured bundle.
    let bundle = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bundle.path(), &fixture.root_pem).unwrap();
    let bundle_path = bundle.path().to_string_lossy().into_owned();
    let out = tokio::task::spawn_blocking(move || {
        let human = mailprobe()
            .args(["probe", &target])
            .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
            .env("MAILPROBE_ALLOW_PORTS", "*")
            .env("MAILPROBE_CA_BUNDLE", &bundle_path)
            .output()
            .unwrap();
        let json = mailprobe()
            .args(["probe", &target, "--json"])
            .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
            .env("MAILPROBE_ALLOW_PORTS", "*")
            .env("MAILPROBE_CA_BUNDLE", &bundle_path)
            .output()
            .unwrap();
        (human, json)
    })
    .await
    .unwrap();
    let (human, json) = out;
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(human.status.code(), Some(0), "{text}");
    assert!(text.contains("-> PASS"), "{text}");
    assert!(text.contains("TLSv1.3"), "{text}");
    assert!(text.contains("Fixture IMAP ready"), "{text}");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["tls"]["handshake"]["version"], "TLSv1.3");
    assert_eq!(json.status.code(), Some(0));
}

#[test]
fn failing_probe_exits_1_and_refused_target_exits_2() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = mailprobe()
        .args(["probe", &format!("127.0.0.1:{port}")])
        .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
        .env("MAILPROBE_ALLOW_PORTS", "*")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = mailprobe()
        .args(["probe", "127.0.0.1:993"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MAILPROBE_ALLOW_TARGETS"));
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    let out = mailprobe().args(["probe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = mailprobe()
        .args(["probe", "host:notaport"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = mailprobe()
        .args(["openapi"])
        .env("MAILPROBE_DENY_TARGET", "10.0.0.0/8")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MAILPROBE_DENY_TARGET"));
    let out = mailprobe()
        .args(["openapi"])
        .env("MAILPROBE_ALLOW_TARGETS", "not-a-cidr")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn openapi_subcommand_prints_the_checked_in_spec() {
    let out = mailprobe().arg("openapi").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        mailprobe::http::openapi_json()
    );
}

#[tokio::test]
async fn healthcheck_subcommand_reports_service_health() {
    let app = crate::support::app::spawn_app().await;
    let listen = app.base.trim_start_matches("http://").to_string();
    let ok = tokio::task::spawn_blocking(move || {
        mailprobe()
            .args(["healthcheck", "--listen", &listen])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = mailprobe()
        .args(["healthcheck", "--listen", &format!("127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(1));
}
