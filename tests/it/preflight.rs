//! The migration preflight (issue 19) end to end: `POST /v1/preflight`
//! against the real Dovecot `.ci/dovecot.sh` starts and seeds (skips,
//! saying so, without it), and the mailbox is unchanged afterwards.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::dovecot::interop;

const USER: &str = "alice@example.com";
const PASSWORD: &str = "interop-Secret-7f3a";
/// Exchange Online's IMAP migration limit for one item: 35 MiB.
const EXO_ITEM: u64 = 35 << 20;

/// Per folder directory: UIDVALIDITY, the uid → file entries of
/// dovecot-uidlist, and the message file names (their flags included).
type Snapshot = BTreeMap<String, (Option<String>, Vec<String>, Vec<String>)>;

fn snapshot(maildir: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    let mut dirs = vec![maildir.to_path_buf()];
    for e in std::fs::read_dir(maildir).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with('.') && e.path().is_dir() {
            dirs.push(e.path());
        }
    }
    for d in dirs {
        let uidlist = std::fs::read_to_string(d.join("dovecot-uidlist")).unwrap_or_default();
        let mut lines = uidlist.lines();
        let validity = lines
            .next()
            .and_then(|h| h.split(' ').find(|w| w.starts_with('V')).map(String::from));
        // `uid [extension fields] :file`: Dovecot caches sizes in the
        // extension fields (`W...`) as it computes them; UID and file count.
        let entries: Vec<String> = lines
            .map(|l| {
                let uid = l.split(' ').next().unwrap_or("");
                let file = l.split_once(':').map_or("", |(_, f)| f);
                format!("{uid} {file}")
            })
            .collect();
        let mut files = Vec::new();
        for sub in ["cur", "new"] {
            for f in std::fs::read_dir(d.join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                files.push(format!("{sub}/{}", f.file_name().to_string_lossy()));
            }
        }
        files.sort();
        let name = d.file_name().unwrap().to_string_lossy().into_owned();
        out.insert(name, (validity, entries, files));
    }
    out
}

fn folder<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no folder {name}: {:#}", r["folders"]))
}

fn finding<'a>(r: &'a Value, id: &str, folder: &str) -> Option<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id && f["folder"] == folder)
}

#[tokio::test]
async fn preflight_against_the_seeded_dovecot_reads_everything_and_changes_nothing() {
    let (Some(imaps), Some(dir)) = (
        interop("DOVECOT_INTEROP_IMAPS"),
        std::env::var("DOVECOT_INTEROP_DIR").ok(),
    ) else {
        return;
    };
    let maildir = Path::new(&dir).join("home").join(USER).join("Maildir");
    let before = snapshot(&maildir);
    assert!(before.len() >= 10, "{before:?}");
    let app = crate::support::app::spawn_app().await;
    // More than INBOX's first 64 KiB of every message: the sample goes on
    // into the two large messages, 1 MiB per FETCH.
    let sample_bytes: u64 = 4 << 20;
    let resp = app
        .client
        .post(app.url("/v1/preflight"))
        .json(&json!({
            "host": imaps.ip().to_string(),
            "port": imaps.port(),
            "transport": "implicit",
            "credentials": {"username": USER, "password": PASSWORD},
            // The interop Dovecot's certificate is self-signed.
            "allow_untrusted_login": true,
            "include_subjects": true,
            "caps": {"sample_bytes": sample_bytes},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let r: Value = resp.json().await.unwrap();
    eprintln!("{}", serde_json::to_string_pretty(&r).unwrap());
    assert_eq!(r["login"]["ok"], true, "{:#}", r["errors"]);
    assert_eq!(r["tls"]["engine"], "modern");
    assert_eq!(r["destination"], "exchange-online");
    assert_eq!(r["delimiter"], ".");
    assert!(
        r["survey_errors"].as_array().unwrap().is_empty(),
        "{:#}",
        r["survey_errors"]
    );

    // Folders: nested, non-ASCII, special use from the server, one that
    // only looks special.
    let inbox = folder(&r, "INBOX");
    assert_eq!(inbox["messages"], 302);
    assert_eq!(folder(&r, "Sent")["special_use"], "\\Sent");
    assert_eq!(folder(&r, "Drafts")["special_use"], "\\Drafts");
    assert_eq!(folder(&r, "Sent")["messages"], 12);
    let q1 = folder(&r, "Archiv.2023.Q1");
    assert_eq!(
        (q1["depth"].as_u64(), q1["messages"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(folder(&r, "Archiv")["messages"], 0);
    let umlaut = folder(&r, "Entwürfe-Alt");
    assert_eq!(umlaut["name_raw"], "Entw&APw-rfe-Alt");
    assert_eq!(umlaut["messages"], 3);
    assert!(folder(&r, "Deleted Items")["special_use"].is_null());
    assert_eq!(r["totals"]["folders"], 10);
    assert_eq!(r["totals"]["messages"], 302 + 12 + 5 + 3 + 4);
    assert_eq!(r["totals"]["partial"], false);

    // Sizes: the two large items, the largest first, with its subject.
    let size = inbox["size_bytes"].as_u64().unwrap();
    assert!(size > 70_000_000, "{size}");
    let largest = inbox["largest"].as_array().unwrap();
    let big = largest[0]["size_bytes"].as_u64().unwrap();
    assert!(big > EXO_ITEM, "{big}");
    let second = largest[1]["size_bytes"].as_u64().unwrap();
    assert!((EXO_ITEM / 10 * 9..EXO_ITEM).contains(&second), "{second}");
    assert_eq!(largest[0]["subject"], "Grüße 301");
    assert!(largest[0]["internal_date"].is_string());

    // Findings.
    let over = finding(&r, "item-over-size-limit", "INBOX").expect("over the limit");
    assert_eq!(
        (over["items"].as_u64(), over["severity"].as_str()),
        (Some(1), Some("problem"))
    );
    let near = finding(&r, "item-near-size-limit", "INBOX").expect("near the limit");
    assert_eq!(near["items"], 1);
    assert!(finding(&r, "special-folder-unmarked", "Deleted Items").is_some());
    assert!(finding(&r, "special-folder-unmarked", "Sent").is_none());
    let summary = r["summary"].as_str().unwrap();
    assert!(
        summary.contains("1 item in 1 folder exceeds Exchange Online's limit for IMAP migration and will be skipped"),
        "{summary}"
    );
    assert!(
        r["limits"][0]["source"]
            .as_str()
            .unwrap()
            .starts_with("https://learn.microsoft.com/")
    );

    // Quota and capabilities.
    let storage = r["quota"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["resource"] == "STORAGE")
        .expect("quota");
    assert_eq!(storage["limit"], 1024 * 1024);
    assert_eq!(r["capabilities"]["UIDPLUS"], true);

    // The sample really fetched the bodies: the first 64 KiB of each of
    // INBOX's messages, byte for byte what the files on disk hold (Dovecot's
    // RFC822.SIZE is the file's size: the seed writes CRLF), then whole
    // MiB of the large ones until 4 MiB were in; seen on the wire; and the
    // estimate is its arithmetic.
    let sample = &r["sample"];
    let body = sample["body_bytes"].as_u64().unwrap();
    let on_disk: u64 = std::fs::read_dir(maildir.join("cur"))
        .unwrap()
        .flatten()
        .map(|f| f.metadata().unwrap().len().min(64 * 1024))
        .sum();
    assert_eq!(sample["messages"], 302, "{sample:#}");
    let continued = body - on_disk;
    assert_eq!(continued % (1 << 20), 0, "{body} {on_disk}");
    assert!(
        body >= sample_bytes && body < sample_bytes + (1 << 20),
        "{body}"
    );
    assert!(sample["wire_bytes"].as_u64().unwrap() > body);
    assert!(r["stats"]["bytes_received"].as_u64().unwrap() > body);
    let e = &r["estimate"];
    let rate = body as f64 * 1000.0 / sample["ms"].as_u64().unwrap().max(1) as f64;
    let seconds = (r["totals"]["size_bytes"].as_u64().unwrap() as f64 / rate).ceil() as u64;
    assert_eq!(e["seconds"], seconds);
    eprintln!(
        "throughput: {} body bytes of {} messages in {} ms = {} B/s; estimate {}",
        body, sample["messages"], sample["ms"], e["measured_bytes_per_sec"], e["duration"]
    );

    // The UIDVALIDITY the survey read is the one on disk.
    let on_disk_validity = before[&"Maildir".to_string()].0.clone().unwrap();
    assert_eq!(format!("V{}", inbox["uidvalidity"]), on_disk_validity);
    // Nothing changed: same UIDVALIDITY, UIDs and flags (file names).
    let after = snapshot(&maildir);
    assert_eq!(before, after);
}

/// The TLS 1.0-only instance: the legacy engine carries the preflight (the
/// Exchange 2010 case), with two extra sessions held at once.
#[tokio::test]
async fn preflight_over_the_legacy_engine_with_parallel_sessions() {
    let Some(tls10) = interop("DOVECOT_INTEROP_IMAPS_TLS10") else {
        return;
    };
    let app = crate::support::app::spawn_app().await;
    let r: Value = app
        .client
        .post(app.url("/v1/preflight"))
        .json(&json!({
            "host": tls10.ip().to_string(),
            "port": tls10.port(),
            "transport": "implicit",
            "credentials": {"username": USER, "password": PASSWORD},
            "allow_untrusted_login": true,
            "destination": "google-workspace",
            "parallel_sessions": 2,
            "caps": {"sample_bytes": 0},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["login"]["ok"], true, "{r:#}");
    assert_eq!(r["tls"]["engine"], "legacy");
    assert_eq!(r["tls"]["version"], "TLSv1.0");
    assert_eq!(r["totals"]["folders"], 10);
    assert!(r["sample"].is_null() && r["estimate"].is_null());
    assert_eq!(r["parallel"]["requested"], 2);
    assert_eq!(r["parallel"]["logged_in"], 2, "{:#}", r["parallel"]);
    // Google's 25 MiB default is unverified: both large items are risks.
    let over = finding(&r, "item-over-size-limit", "INBOX").expect("over 25 MiB");
    assert_eq!(
        (over["items"].as_u64(), over["severity"].as_str()),
        (Some(2), Some("risk"))
    );
}

#[tokio::test]
async fn credentials_are_required() {
    let app = crate::support::app::spawn_app().await;
    let resp = app
        .client
        .post(app.url("/v1/preflight"))
        .json(&json!({"host": "127.0.0.1", "port": 993}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["field"], "credentials", "{p:#}");
    let resp = app
        .client
        .post(app.url("/v1/preflight"))
        .json(&json!({"host": "127.0.0.1", "credentials": {"username": "a", "password": "b"}, "parallel_sessions": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
}
