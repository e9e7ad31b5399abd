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

#[tokio::test]
async fn probe_checks_flag_selects_the_security_checks() {
    let fixture = rustls_server::start(Options::default()).await;
    let target = format!("127.0.0.1:{}", fixture.addr.port());
    let run = |checks: &'static str| {
        let target = target.clone();
        move || {
            mailprobe()
                .args(["probe", &target, "--json", "--checks", checks])
                .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
                .env("MAILPROBE_ALLOW_PORTS", "*")
                .output()
                .unwrap()
        }
    };
    let statuses = |out: &std::process::Output| -> Vec<(String, String)> {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["security"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
                (s("id"), s("status"))
            })
            .collect()
    };
    let one = tokio::task::spawn_blocking(run("heartbleed"))
        .await
        .unwrap();
    let ran: Vec<_> = statuses(&one)
        .into_iter()
        .filter(|(_, status)| status != "not_run")
        .collect();
    assert_eq!(ran, [("heartbleed".to_string(), "done".to_string())]);
    let none = tokio::task::spawn_blocking(run("none")).await.unwrap();
    assert!(
        statuses(&none)
            .iter()
            .all(|(_, status)| status == "not_run")
    );
    let bad = tokio::task::spawn_blocking(run("heartbleed,nope"))
        .await
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown check `nope`"));
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

/// Given a file of targets (plain and JSON lines), `probe --targets`
/// prints one NDJSON line per target, tagged with index and id.
#[test]
fn probe_targets_file_prints_ndjson() {
    use crate::support::openssl_server::{OpensslServer, Profile};
    let fixture = OpensslServer::profile(Profile::Exchange2010);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        format!(
            "# two targets and a bad one\n127.0.0.1:{p}\n\n{{\"id\": \"json\", \"host\": \"127.0.0.1\", \"port\": {p}}}\n{{\"host\": \"127.0.0.1\", \"port\": 0}}\n",
            p = fixture.port()
        ),
    )
    .unwrap();
    let out = mailprobe()
        .args(["probe", "--targets"])
        .arg(file.path())
        .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
        .env("MAILPROBE_ALLOW_PORTS", "*") // fixtures listen on random ports
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    let mut indexes: Vec<u64> = lines.iter().map(|l| l["index"].as_u64().unwrap()).collect();
    indexes.sort();
    assert_eq!(indexes, [0, 1, 2]);
    for l in &lines {
        match l["index"].as_u64() {
            Some(0) => assert_eq!(l["report"]["target"]["port"], fixture.port()),
            Some(1) => {
                assert_eq!(l["id"], "json");
                assert!(l["report"].is_object());
            }
            _ => assert_eq!(l["problem"]["field"], "port"),
        }
    }
    // TLS 1.0 only fails the default profiles, and one target was invalid.
    assert_eq!(out.status.code(), Some(1));
}

/// The binary verifies its legacy TLS engine at start-up and, on Exchange
/// 2010's implicit port, prints the dialogue the legacy engine carried.
#[tokio::test]
async fn probe_names_the_engine_that_carried_the_dialogue() {
    use crate::support::openssl_server::{self, OpensslServer, Profile};
    openssl_server::load_legacy_provider();
    let server = OpensslServer::profile(Profile::Exchange2010);
    let target = format!("127.0.0.1:{}", server.addr.port());
    let out = tokio::task::spawn_blocking(move || {
        mailprobe()
            .args(["probe", &target])
            .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
            .env("MAILPROBE_ALLOW_PORTS", "*")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the seed case fails: {text}");
    assert!(
        text.contains("dialogue    over legacy TLS: TLSv1.0"),
        "{text}"
    );
    assert!(
        text.contains("The Microsoft Exchange IMAP4 service is ready"),
        "{text}"
    );
    assert!(text.contains("software    Microsoft Exchange"), "{text}");
}

/// OpenSSL is linked statically: the binary needs no system libssl or
/// libcrypto (the runtime image has none). Skips where there is no `ldd`.
#[test]
fn the_binary_links_no_system_openssl() {
    let Ok(out) = Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_mailprobe"))
        .output()
    else {
        eprintln!("skipped: no ldd here");
        return;
    };
    let libs = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{libs}");
    assert!(libs.contains("libc.so"), "{libs}");
    assert!(
        !libs.contains("libssl") && !libs.contains("libcrypto"),
        "{libs}"
    );
}
