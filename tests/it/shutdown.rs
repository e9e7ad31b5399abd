//! Graceful shutdown of the real binary (issue 8): SIGTERM stops accepting
//! connections, a probe already in flight still gets its Report, and the
//! process then exits 0.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::hostile_servers::{self as hs, drain};

/// Kills the service if the test fails before it exits by itself.
struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_probe_finish_then_exits() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // A server that never greets: the probe runs until its 2 s deadline.
    let server = hs::spawn(drain).await;
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailprobe"));
    for (k, _) in std::env::vars() {
        if k.starts_with("MAILPROBE_") {
            cmd.env_remove(k);
        }
    }
    let child = cmd
        .env("MAILPROBE_LISTEN", format!("127.0.0.1:{port}"))
        .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
        .env("MAILPROBE_ALLOW_PORTS", "*")
        .env("MAILPROBE_SHUTDOWN_GRACE_MS", "10000")
        .env("MAILPROBE_WORKERS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mailprobe");
    let pid = child.id();
    let mut guard = KillOnDrop(Some(child));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never came up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let probe = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/v1/probes");
        async move {
            let res = client
                .post(url)
                .json(&json!({
                    "host": "127.0.0.1",
                    "port": server.port,
                    "transport": "starttls",
                    "timeout_ms": 2000,
                }))
                .send()
                .await
                .expect("the in-flight probe is answered");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.expect("a Report"))
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());

    // New connections are no longer accepted.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fresh = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .timeout(Duration::from_secs(1))
        .send()
        .await;
    assert!(fresh.is_err(), "accepted a connection after SIGTERM");

    let (status, report) = probe.await.expect("probe task");
    assert_eq!(status, 200);
    assert!(
        report["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["step"] == "greeting")),
        "{report}"
    );

    let mut child = guard.0.take().expect("the child");
    let exit = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .expect("wait");
    let exit = exit.expect("exited within the grace period");
    assert!(exit.success(), "{exit:?}");
    assert!(sent.elapsed() < Duration::from_secs(10));
}
