//! The migration preflight's edge cases (issue 19) against the scripted
//! mailbox server (`support::imap_mailbox`): no SPECIAL-USE, `/` as the
//! delimiter, STATUS=SIZE advertised but refused, XLIST, a `/` inside a
//! name, throttling after one body fetch and after one session.

use serde_json::{Value, json};

use crate::support::imap_mailbox::{self, Folder, MailboxScript};

async fn preflight(addr: std::net::SocketAddr, extra: Value) -> Value {
    let app = crate::support::app::spawn_app().await;
    let mut body = json!({
        "host": "127.0.0.1",
        "port": addr.port(),
        "transport": "starttls",
        "credentials": {"username": "alice", "password": "pw"},
        // The fixture speaks plaintext only.
        "allow_plaintext_login": true,
        "timeout_ms": 20000,
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let resp = app
        .client
        .post(app.url("/v1/preflight"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn folder<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()
}

fn ids(r: &Value) -> Vec<(String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().into(),
                f["folder"].as_str().unwrap_or("").into(),
            )
        })
        .collect()
}

/// What a read-only survey may send, and nothing else.
fn assert_read_only(received: &[String]) {
    for line in received {
        let upper = line.to_ascii_uppercase();
        let verb: Vec<&str> = upper.split(' ').skip(1).take(2).collect();
        for bad in [
            "SELECT", "STORE", "APPEND", "EXPUNGE", "CREATE", "DELETE", "RENAME", "COPY", "MOVE",
        ] {
            assert!(
                verb.first() != Some(&bad) && verb.get(1) != Some(&bad),
                "{line}"
            );
        }
        if upper.contains("BODY[") || upper.contains("RFC822 ") || upper.contains("RFC822)") {
            assert!(upper.contains("BODY.PEEK["), "{line}");
        }
    }
}

#[tokio::test]
async fn slash_delimiter_no_special_use_and_a_refused_status_size() {
    let fx = imap_mailbox::start(MailboxScript {
        capabilities: "IMAP4rev1 LITERAL+ STATUS=SIZE",
        delimiter: "/",
        folders: vec![
            Folder {
                name: "INBOX",
                attributes: "",
                sizes: vec![100_000, 50, 37_000_000, 60],
            },
            Folder {
                name: "Sent Items",
                attributes: "\\HasNoChildren",
                sizes: vec![10, 10],
            },
            Folder {
                name: "Projects/2024",
                attributes: "",
                sizes: vec![5],
            },
        ],
        refuse_status_size: true,
        max_sessions: 10,
        body_fetches_before_limit: 1000,
    })
    .await;
    let r = preflight(fx.addr, json!({"caps": {"sample_bytes": 1_000_000}})).await;
    assert_eq!(r["login"]["ok"], true, "{r:#}");
    assert_eq!(r["list_command"], "LIST \"\" \"*\"");
    assert_eq!(r["delimiter"], "/");
    assert_eq!(folder(&r, "Projects/2024")["depth"], 2);
    let inbox = folder(&r, "INBOX");
    assert_eq!(inbox["size_source"], "fetch");
    assert_eq!(inbox["size_bytes"], 100_000 + 50 + 37_000_000 + 60);
    assert_eq!(
        (
            inbox["largest"][0]["uid"].as_u64(),
            inbox["largest"][0]["size_bytes"].as_u64()
        ),
        (Some(30), Some(37_000_000))
    );
    assert!(
        r["survey_errors"].as_array().unwrap().iter().any(|e| e
            .as_str()
            .unwrap()
            .contains("STATUS (MESSAGES UIDVALIDITY SIZE)")),
        "{:#}",
        r["survey_errors"]
    );
    let found = ids(&r);
    assert!(
        found.contains(&("item-over-size-limit".into(), "INBOX".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("special-folder-unmarked".into(), "Sent Items".into())),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(id, _)| id == "folder-name-slash"),
        "{found:?}"
    );
    // The sample: the first 64 KiB of each of INBOX's four messages.
    let s = &r["sample"];
    assert_eq!(
        (s["messages"].as_u64(), s["body_bytes"].as_u64()),
        (Some(4), Some(65_536 + 50 + 65_536 + 60))
    );
    let rate = 131_182.0 * 1000.0 / s["ms"].as_u64().unwrap().max(1) as f64;
    assert_eq!(
        r["estimate"]["seconds"],
        (r["totals"]["size_bytes"].as_u64().unwrap() as f64 / rate).ceil() as u64
    );
    let received = fx.received();
    assert!(received.iter().any(|l| l.contains("EXAMINE \"INBOX\"")));
    assert_read_only(&received);
}

#[tokio::test]
async fn xlist_a_slash_in_a_name_and_throttling() {
    let fx = imap_mailbox::start(MailboxScript {
        capabilities: "IMAP4rev1 XLIST",
        delimiter: ".",
        folders: vec![
            Folder {
                name: "INBOX",
                attributes: "\\Inbox",
                sizes: vec![1000; 40],
            },
            Folder {
                name: "Sent",
                attributes: "\\Sent",
                sizes: vec![10],
            },
            Folder {
                name: "Kunden/Alt",
                attributes: "",
                sizes: vec![5],
            },
        ],
        refuse_status_size: false,
        // The main session only; the extra ones are refused.
        max_sessions: 1,
        body_fetches_before_limit: 1,
    })
    .await;
    let r = preflight(fx.addr, json!({"parallel_sessions": 2})).await;
    assert_eq!(r["login"]["ok"], true, "{r:#}");
    assert_eq!(r["list_command"], "XLIST \"\" \"*\"");
    assert_eq!(folder(&r, "Sent")["special_use"], "\\Sent");
    let found = ids(&r);
    assert!(
        found.contains(&("folder-name-slash".into(), "Kunden/Alt".into())),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(id, _)| id == "special-folder-unmarked"),
        "{found:?}"
    );
    // One batch of 16 bodies, then NO [LIMIT].
    assert_eq!(r["sample"]["body_bytes"], 16 * 1000);
    assert!(
        r["throttling"][0].as_str().unwrap().contains("[LIMIT]"),
        "{:#}",
        r["throttling"]
    );
    assert!(
        found.iter().any(|(id, _)| id == "source-throttling"),
        "{found:?}"
    );
    let p = &r["parallel"];
    assert_eq!(
        (p["requested"].as_u64(), p["logged_in"].as_u64()),
        (Some(2), Some(0)),
        "{p:#}"
    );
    assert!(
        p["refused"][1].as_str().unwrap().contains("[LIMIT]"),
        "{p:#}"
    );
    assert_read_only(&fx.received());
}

fn small_mailbox() -> MailboxScript {
    MailboxScript {
        capabilities: "IMAP4rev1",
        delimiter: "/",
        folders: vec![Folder {
            name: "INBOX",
            attributes: "",
            sizes: vec![40_000_000, 100],
        }],
        refuse_status_size: false,
        max_sessions: 10,
        body_fetches_before_limit: 1000,
    }
}

/// `mailprobe preflight`: the summary for a person, the report as JSON,
/// and exit 2 without the password.
#[tokio::test]
async fn the_cli_prints_the_summary_and_the_json() {
    let fx = imap_mailbox::start(small_mailbox()).await;
    let target = format!("127.0.0.1:{}", fx.addr.port());
    let run = move |json: bool, password: bool| {
        let target = target.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mailprobe"));
            for (k, _) in std::env::vars() {
                if k.starts_with("MAILPROBE_") || k == "PREFLIGHT_PASSWORD" {
                    c.env_remove(k);
                }
            }
            c.args([
                "preflight",
                &target,
                "--user",
                "alice",
                "--transport",
                "starttls",
            ])
            .arg("--allow-plaintext-login")
            .env("MAILPROBE_ALLOW_TARGETS", "127.0.0.0/8")
            .env("MAILPROBE_ALLOW_PORTS", "*");
            if json {
                c.arg("--json");
            }
            if password {
                c.env("PREFLIGHT_PASSWORD", "pw");
            }
            c.output().unwrap()
        })
    };
    let human = run(false, true).await.unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&human.stderr)
    );
    assert!(
        text.contains("1 item in 1 folder exceeds Exchange Online's limit for IMAP migration and will be skipped"),
        "{text}"
    );
    assert!(text.contains("INBOX") && text.contains("remedy:"), "{text}");
    let json = run(true, true).await.unwrap();
    let r: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(r["totals"]["messages"], 2);
    let missing = run(false, false).await.unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("PREFLIGHT_PASSWORD"));
}

/// The endpoint's metrics: preflights by outcome and their duration.
#[tokio::test]
async fn metrics_count_preflights() {
    let fx = imap_mailbox::start(small_mailbox()).await;
    let app = crate::support::app::spawn_app().await;
    for reachable in [true, false] {
        let mut body = json!({
            "host": "127.0.0.1",
            "port": fx.addr.port(),
            "transport": "starttls",
            "credentials": {"username": "alice", "password": "pw"},
            "allow_plaintext_login": true,
        });
        if !reachable {
            // A server that is not there: nothing to log in to.
            body["port"] = json!(1);
        }
        let resp = app
            .client
            .post(app.url("/v1/preflight"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("mailprobe_preflights_total{outcome=\"surveyed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("mailprobe_preflights_total{outcome=\"unreached\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("mailprobe_preflight_duration_seconds_count 2"),
        "{metrics}"
    );
    assert!(metrics.contains("route=\"/v1/preflight\""), "{metrics}");
}

/// A count a cap cut short is marked partial, and the cap is named.
#[tokio::test]
async fn caps_mark_what_they_cut_as_partial() {
    let fx = imap_mailbox::start(MailboxScript {
        capabilities: "IMAP4rev1",
        delimiter: "/",
        folders: vec![
            Folder {
                name: "INBOX",
                attributes: "",
                sizes: vec![100; 100],
            },
            Folder {
                name: "Later",
                attributes: "",
                sizes: vec![100; 3],
            },
        ],
        refuse_status_size: false,
        max_sessions: 10,
        body_fetches_before_limit: 1000,
    })
    .await;
    // 30 responses: LIST, STATUS and EXAMINE fit, the 100 sizes do not.
    let r = preflight(fx.addr, json!({"caps": {"max_responses": 30}})).await;
    assert_eq!(r["login"]["ok"], true, "{r:#}");
    let inbox = folder(&r, "INBOX");
    assert_eq!(inbox["partial"], true, "{inbox:#}");
    assert_eq!(inbox["messages"], 100);
    assert!(
        inbox["size_bytes"].as_u64().unwrap() < 100 * 100,
        "{inbox:#}"
    );
    let later = folder(&r, "Later");
    assert_eq!(later["partial"], true, "{later:#}");
    assert!(
        later["note"].as_str().unwrap().contains("cap reached"),
        "{later:#}"
    );
    assert_eq!(r["caps_reached"], json!(["responses (30)"]));
    assert_eq!(r["totals"]["partial"], true);
    assert!(ids(&r).iter().any(|(id, _)| id == "survey-partial"));
    // One folder at most: the list itself is cut.
    let r = preflight(fx.addr, json!({"caps": {"max_folders": 1}})).await;
    assert_eq!(r["folders"].as_array().unwrap().len(), 1);
    assert_eq!(r["folders_partial"], true);
    assert_eq!(r["caps_reached"], json!(["folders (1)"]));
}
