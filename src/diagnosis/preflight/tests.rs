use super::*;
use crate::observations::preflight::Survey;
use limits::LimitOverrides;

const MIB: u64 = 1 << 20;

fn folder(name: &str, messages: u64, size: u64, near: u64, over: u64) -> FolderSeen {
    let l = Limits::of(Destination::ExchangeOnline, &LimitOverrides::default());
    let t = l.item_thresholds();
    FolderSeen {
        name_raw: name.into(),
        name: name.into(),
        destination_name: name.into(),
        name_decoded: true,
        selectable: true,
        depth: name.matches('.').count() + 1,
        messages: Some(messages),
        size_bytes: Some(size),
        items_from: vec![(t[0], near + over), (t[1], over)],
        ..FolderSeen::default()
    }
}

fn seen(folders: Vec<FolderSeen>, sample: Option<SampleSeen>) -> PreflightSeen {
    PreflightSeen {
        target: Target {
            host: "mail.example.com".into(),
            port: 993,
            protocol: crate::vocab::Protocol::Imap,
            transport: crate::vocab::Transport::Implicit,
            addresses: vec![],
            sni: None,
        },
        started_at: OffsetDateTime::UNIX_EPOCH,
        greeting: None,
        tls: None,
        login: Some(LoginResult {
            attempted: true,
            ok: Some(true),
            mechanism: Some("PLAIN".into()),
            server_text: None,
            reason: None,
        }),
        survey: Some(Survey {
            delimiter: Some(".".into()),
            folders,
            sample,
            capabilities: vec!["IMAP4rev1".into(), "UIDPLUS".into()],
            ..Survey::default()
        }),
        parallel: None,
        errors: vec![],
        stats: Stats::default(),
        duration_ms: 5,
    }
}

#[test]
fn oversized_items_slash_names_and_unmarked_sent_folders() {
    let limits = Limits::of(Destination::ExchangeOnline, &LimitOverrides::default());
    let mut slash = folder("Kunden/Alt", 3, 3000, 0, 0);
    slash.destination_name = "Kunden/Alt".into();
    let r = judge(
        seen(
            vec![
                folder("INBOX", 300, 40 * MIB, 1, 2),
                folder("Sent", 10, 1000, 0, 0),
                slash,
            ],
            Some(SampleSeen {
                folder: "INBOX".into(),
                messages: 100,
                body_bytes: 3_100_000,
                ms: 1000,
                ..SampleSeen::default()
            }),
        ),
        &limits,
    );
    let ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "item-over-size-limit",
            "folder-name-slash",
            "item-near-size-limit",
            "special-folder-unmarked"
        ]
    );
    let over = &r.findings[0];
    assert_eq!((over.items, over.severity), (Some(2), Severity::Problem));
    assert_eq!(over.folder.as_deref(), Some("INBOX"));
    assert_eq!(r.totals.messages, 313);
    assert!(r.summary.contains("2 items in 1 folder exceed Exchange Online's limit for IMAP migration and will be skipped"), "{}", r.summary);
    assert!(
        r.summary.contains("at the measured 3.1 MB/s"),
        "{}",
        r.summary
    );
    assert!(r.capabilities["UIDPLUS"]);
    assert!(!r.capabilities["MOVE"]);
}

#[test]
fn unverified_limits_are_risks_and_failed_logins_judge_nothing() {
    let limits = Limits::of(Destination::GoogleWorkspace, &LimitOverrides::default());
    let mut f = folder("INBOX", 2, 60 * MIB, 0, 0);
    f.items_from = vec![(limits.item_thresholds()[1], 1)];
    let r = judge(seen(vec![f.clone()], None), &limits);
    assert_eq!(r.findings[0].severity, Severity::Risk);
    assert!(
        r.summary.contains("may be skipped (limit unverified)"),
        "{}",
        r.summary
    );
    let mut failed = seen(vec![f], None);
    failed.login.as_mut().unwrap().ok = Some(false);
    failed.login.as_mut().unwrap().server_text = Some("a2 NO [AUTHENTICATIONFAILED]".into());
    let r = judge(failed, &limits);
    assert!(r.findings.is_empty());
    assert!(
        r.summary
            .starts_with("No preflight: the login did not succeed"),
        "{}",
        r.summary
    );
}

#[test]
fn mailbox_item_limit_and_quota() {
    let limits = Limits::of(
        Destination::ExchangeOnline,
        &LimitOverrides {
            max_items_per_mailbox: Some(100),
            mailbox_quota_bytes: Some(1000),
            ..LimitOverrides::default()
        },
    );
    let r = judge(seen(vec![folder("INBOX", 150, 950, 0, 0)], None), &limits);
    let ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["mailbox-over-item-limit", "mailbox-near-quota"]);
    assert_eq!(r.findings[0].items, Some(50));
    assert_eq!(r.findings[0].limit.as_ref().unwrap().source, "request");
}

#[test]
fn a_sample_that_slows_down_is_a_risk() {
    let limits = Limits::of(Destination::ExchangeOnline, &LimitOverrides::default());
    let sample = |batches: Vec<(u64, u64)>| SampleSeen {
        folder: "INBOX".into(),
        messages: 100,
        body_bytes: batches.iter().map(|b| b.0).sum(),
        ms: batches.iter().map(|b| b.1).sum(),
        batches,
        ..SampleSeen::default()
    };
    let mib = 1 << 20;
    // 1 MiB per 100 ms, then 1 MiB per 1000 ms: a tenth of the rate.
    let slow = sample(vec![(mib, 100), (mib, 100), (mib, 300), (mib, 1000)]);
    let r = judge(
        seen(vec![folder("INBOX", 100, 4 * mib, 0, 0)], Some(slow)),
        &limits,
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "source-slowdown")
        .expect("slow-down");
    assert!(
        f.what
            .contains("1049 kB/s in its last quarter against 10486 kB/s"),
        "{}",
        f.what
    );
    // Steady, or too little to compare: nothing.
    let steady = sample(vec![(mib, 100), (mib, 120), (mib, 110), (mib, 130)]);
    let r = judge(
        seen(vec![folder("INBOX", 100, 4 * mib, 0, 0)], Some(steady)),
        &limits,
    );
    assert!(!r.findings.iter().any(|f| f.id == "source-slowdown"));
    let tiny = sample(vec![(1000, 1), (1000, 1), (1000, 1), (1000, 100)]);
    let r = judge(
        seen(vec![folder("INBOX", 100, 4 * mib, 0, 0)], Some(tiny)),
        &limits,
    );
    assert!(!r.findings.iter().any(|f| f.id == "source-slowdown"));
}
