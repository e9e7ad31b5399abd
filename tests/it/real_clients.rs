//! The real clients, run here against the same fixtures mailprobe probes, and
//! their own error texts held against the profiles' (issue 16). Java 17
//! (`javac`/`java`), Debian's `openssl s_client` and Python's `ssl` are used
//! when installed; a test whose client is absent says `skipped` and why.
//!
//! Java words a version refusal three ways, by how the server refuses: a
//! downgraded ServerHello, a `protocol_version` alert, a closed connection.
//! Each has a fixture here: a raw server that answers any hello with a TLS 1.0
//! ServerHello (as SChannel on Windows 2008 R2 does), the OpenSSL TLS 1.0-only
//! fixture (OpenSSL honours supported_versions and alerts), and a server that
//! reads the hello and hangs up.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::support::app::spawn_app;
use crate::support::hostile_servers::{self, read_some};
use crate::support::openssl_server::{self, OpensslServer, Profile};

fn have(bin: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {bin}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A tiny JSSE client, compiled once into a temp dir: connects, handshakes,
/// prints `OK` or the exception's class and message.
fn java_probe_dir() -> Option<PathBuf> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        if !have("javac") || !have("java") {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("mailprobe-jsse-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        std::fs::write(
            dir.join("Probe.java"),
            r#"import javax.net.ssl.*;
public class Probe {
  public static void main(String[] a) throws Exception {
    SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
    try (SSLSocket s = (SSLSocket) f.createSocket(a[0], Integer.parseInt(a[1]))) {
      s.setSoTimeout(10000);
      s.startHandshake();
      System.out.println("OK " + s.getSession().getProtocol());
    } catch (Exception e) { System.out.println(e.getClass().getName() + ": " + e.getMessage()); }
  }
}
"#,
        )
        .ok()?;
        let ok = Command::new("javac")
            .arg("Probe.java")
            .current_dir(&dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(dir)
    })
    .clone()
}

async fn run(cmd: Vec<String>, dir: Option<PathBuf>) -> String {
    tokio::task::spawn_blocking(move || {
        let mut c = Command::new("timeout");
        c.arg("30").args(&cmd);
        if let Some(d) = dir {
            c.current_dir(d);
        }
        c.stdin(std::process::Stdio::null());
        let out = c.output().expect("run client");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
    .await
    .expect("join")
}

async fn java(port: u16) -> Option<String> {
    let dir = java_probe_dir()?;
    let out = run(
        vec![
            "java".into(),
            "-cp".into(),
            ".".into(),
            "Probe".into(),
            "127.0.0.1".into(),
            port.to_string(),
        ],
        Some(dir),
    )
    .await;
    Some(out.trim().to_string())
}

async fn probe(port: u16) -> Value {
    openssl_server::load_legacy_provider();
    let app = spawn_app().await;
    let resp = app
        .post_probe(&json!({
            "host": "127.0.0.1",
            "port": port,
            "protocol": "tls",
            "profiles": ["java-17", "openssl-seclevel2", "thunderbird"],
            "timeout_ms": 20000,
        }))
        .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn said(report: &Value, id: &str) -> String {
    report["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["profile"] == id)
        .unwrap_or_else(|| panic!("no {id} in {:#}", report["clients"]))["error_as_seen"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn skip(why: &str) {
    println!("skipped: {why}");
}

/// A server that answers any ClientHello with a TLS 1.0 ServerHello
/// (TLS_RSA_WITH_AES_128_CBC_SHA, renegotiation_info), then waits.
async fn downgrading_server() -> hostile_servers::Hostile {
    hostile_servers::spawn(|mut s| async move {
        if !read_some(&mut s).await {
            return;
        }
        let mut body = vec![0x03, 0x01];
        body.extend_from_slice(&[0x42; 32]);
        body.push(0); // session id
        body.extend_from_slice(&[0x00, 0x2F, 0x00]); // suite, compression
        body.extend_from_slice(&[0x00, 0x05, 0xFF, 0x01, 0x00, 0x01, 0x00]); // renegotiation_info
        let mut hs = vec![0x02, 0x00, 0x00, body.len() as u8];
        hs.extend_from_slice(&body);
        let mut rec = vec![0x16, 0x03, 0x01, 0x00, hs.len() as u8];
        rec.extend_from_slice(&hs);
        let _ = s.write_all(&rec).await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    })
    .await
}

/// A server that reads the hello and closes without a word.
async fn closing_server() -> hostile_servers::Hostile {
    hostile_servers::spawn(|mut s| async move {
        let _ = read_some(&mut s).await;
    })
    .await
}

#[tokio::test]
async fn java_17_downgraded_server_hello_text_matches_the_real_jdk() {
    let server = downgrading_server().await;
    let Some(real) = java(server.port).await else {
        return skip("javac/java not installed");
    };
    assert!(
        real.contains("is not accepted by client preferences"),
        "{real}"
    );
    let report = probe(server.port).await;
    assert_eq!(said(&report, "java-17"), real, "{:#}", report["clients"]);
}

#[tokio::test]
async fn java_17_protocol_version_alert_text_matches_the_real_jdk() {
    let server = OpensslServer::profile(Profile::Exchange2010);
    let Some(real) = java(server.port()).await else {
        return skip("javac/java not installed");
    };
    assert!(real.contains("protocol_version"), "{real}");
    let report = probe(server.port()).await;
    assert_eq!(said(&report, "java-17"), real, "{:#}", report["clients"]);
}

#[tokio::test]
async fn java_17_closed_connection_text_matches_the_real_jdk() {
    let server = closing_server().await;
    let Some(real) = java(server.port).await else {
        return skip("javac/java not installed");
    };
    assert!(
        real.contains("Remote host terminated the handshake"),
        "{real}"
    );
    let report = probe(server.port).await;
    assert_eq!(said(&report, "java-17"), real, "{:#}", report["clients"]);
}

/// `openssl s_client` with a TLS 1.2 floor (as the profile offers) against the
/// TLS 1.0-only fixture: its error line holds the profile's text.
#[tokio::test]
async fn openssl_s_client_version_alert_text_matches_the_profile() {
    if !have("openssl") {
        return skip("openssl not installed");
    }
    let server = OpensslServer::profile(Profile::Exchange2010);
    let real = run(
        vec![
            "openssl".into(),
            "s_client".into(),
            "-connect".into(),
            format!("127.0.0.1:{}", server.port()),
            "-no_tls1".into(),
            "-no_tls1_1".into(),
        ],
        None,
    )
    .await;
    let report = probe(server.port()).await;
    let ours = said(&report, "openssl-seclevel2");
    // "error:0A00042E:SSL routines::tlsv1 alert protocol version" against the real
    // "...:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:...".
    let code_and_reason = |t: &str| -> Option<(String, String)> {
        let at = t.find("error:")?;
        let parts: Vec<&str> = t[at..].split(':').collect();
        Some((parts.get(1)?.to_string(), parts.get(4)?.trim().to_string()))
    };
    let (code, reason) = code_and_reason(&ours).expect("profile text has an OpenSSL error line");
    assert!(
        real.contains(&code) && real.contains(&reason),
        "ours {ours:?}, real {real}"
    );
}

/// Python's `ssl` (OpenSSL underneath, TLS 1.2 floor by default) against the
/// downgrading server: "unsupported protocol", as the profile says.
#[tokio::test]
async fn python_ssl_downgrade_text_matches_the_profile() {
    if !have("python3") {
        return skip("python3 not installed");
    }
    let server = downgrading_server().await;
    let script = format!(
        "import ssl,socket\nctx=ssl.create_default_context()\nctx.check_hostname=False\nctx.verify_mode=ssl.CERT_NONE\ntry:\n  ctx.wrap_socket(socket.create_connection(('127.0.0.1',{})),server_hostname='x')\nexcept Exception as e: print(e)\n",
        server.port
    );
    let real = run(vec!["python3".into(), "-c".into(), script], None).await;
    let report = probe(server.port).await;
    let ours = said(&report, "openssl-seclevel2");
    assert!(ours.ends_with("unsupported protocol"), "{ours}");
    assert!(real.contains("unsupported protocol"), "{real}");
}
