//! Starts the real HTTP service on 127.0.0.1:0, as production runs it.

use clap::Parser;
use mailprobe::config::Settings;
use mailprobe::http::Application;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
}

#[derive(Parser)]
struct Wrap {
    #[command(flatten)]
    settings: Settings,
}

/// Settings as the binary would parse them from these flags (no environment).
pub fn settings(flags: &[&str]) -> Settings {
    // Fixtures listen on random ports: any port, unless a test narrows it
    // (the last `--allow-ports` wins).
    let mut argv = vec![
        "mailprobe",
        "--listen",
        "127.0.0.1:0",
        "--workers",
        "1",
        "--allow-ports",
        "*",
        // Never the real ISPDB from a test; a test may point it at a fixture.
        "--ispdb-url",
        "off",
    ];
    argv.extend_from_slice(flags);
    Wrap::try_parse_from(argv)
        .expect("test flags parse")
        .settings
}

/// The service with loopback allowed, as for local testing.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&["--allow-targets", "127.0.0.0/8,::1"]).await
}

pub async fn spawn_app_with(flags: &[&str]) -> TestApp {
    // reqwest is built with `rustls-no-provider`: the process picks ring, as the service does.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = Application::build(settings(flags)).expect("bind");
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_probe(&self, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url("/v1/probes"))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }
}
