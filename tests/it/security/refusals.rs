//! Item 6: what a refusal tells the caller, and the deny list's view of
//! IPv6 spellings, through the real service.

use serde_json::{Value, json};

use crate::support::app::spawn_app_with;

/// Given a name that resolves to an internal address, the 403 says the
/// name is refused and by which rule, but not the address (on the old code
/// `address` was "127.0.0.1" and the hint carried "127.0.0.1/32").
#[tokio::test]
async fn a_refused_name_does_not_reveal_its_address() {
    let app = spawn_app_with(&[]).await;
    for host in ["localhost", "imap.localhost"] {
        let res = app.post_probe(&json!({"host": host, "port": 993})).await;
        assert_eq!(res.status(), 403, "{host}");
        let p: Value = res.json().await.unwrap();
        let text = p.to_string();
        assert_eq!(p["rule"], "loopback", "{p}");
        assert!(p.get("address").is_none(), "{p}");
        assert!(!text.contains("127.0.0") && !text.contains("::1"), "{p}");
        assert!(text.contains(host), "names the host: {p}");
    }
    // An address the caller gave is its own to see.
    let res = app
        .post_probe(&json!({"host": "127.0.0.1", "port": 993}))
        .await;
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["address"], "127.0.0.1");
}

/// A deny entry for an IPv4 range also refuses its IPv6 spellings, even
/// where the allow list would let them through.
#[tokio::test]
async fn the_deny_list_refuses_ipv6_spellings_of_a_denied_ipv4_address() {
    let app = spawn_app_with(&[
        "--allow-targets",
        "::/0,0.0.0.0/0",
        "--deny-targets",
        "127.0.0.0/8",
    ])
    .await;
    for host in ["::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1"] {
        let res = app.post_probe(&json!({"host": host, "port": 993})).await;
        assert_eq!(res.status(), 403, "{host}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["rule"], "deny-list", "{host}: {p}");
    }
}
