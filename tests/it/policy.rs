//! The target policy through the HTTP API (issue 8): under the default
//! policy every non-global address form is refused with a 403 naming the
//! rule and the address, odd numeric spellings are read as a resolver reads
//! them, ports outside `MAILPROBE_ALLOW_PORTS` are refused, and host names
//! are validated. Nothing here connects anywhere: a refused request never
//! reaches the network.

use serde_json::{Value, json};

use crate::support::app::spawn_app_with;

async fn refusal(app: &crate::support::app::TestApp, body: Value) -> (u16, Value) {
    let res = app.post_probe(&body).await;
    let status = res.status().as_u16();
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    (status, res.json().await.expect("problem json"))
}

/// (host as the caller spells it, the address refused, the rule).
const REFUSED: &[(&str, &str, &str)] = &[
    ("127.0.0.1", "127.0.0.1", "loopback"),
    ("127.255.255.254", "127.255.255.254", "loopback"),
    ("::1", "::1", "loopback"),
    ("[::1]", "::1", "loopback"),
    // Odd spellings, read as inet_aton reads them.
    ("2130706433", "127.0.0.1", "loopback"),
    ("0x7f.1", "127.0.0.1", "loopback"),
    ("127.1", "127.0.0.1", "loopback"),
    ("0177.0.0.1", "127.0.0.1", "loopback"),
    ("0x7f000001", "127.0.0.1", "loopback"),
    ("127.0.0.1.", "127.0.0.1", "loopback"),
    ("0x0a000001", "10.0.0.1", "private"),
    ("012.1", "10.0.0.1", "private"),
    // IPv6 forms that embed a refused IPv4 address.
    ("[::ffff:7f00:1]", "::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "::ffff:10.0.0.1", "private"),
    ("::127.0.0.1", "::7f00:1", "loopback"),
    (
        "64:ff9b::a00:1",
        "64:ff9b::a00:1",
        "nat64-embedded-non-global",
    ),
    (
        "2002:c0a8:101::1",
        "2002:c0a8:101::1",
        "6to4-embedded-non-global",
    ),
    // The special-purpose ranges.
    ("0.0.0.0", "0.0.0.0", "unspecified-or-this-network"),
    ("::", "::", "unspecified-or-this-network"),
    ("10.1.2.3", "10.1.2.3", "private"),
    ("172.16.0.1", "172.16.0.1", "private"),
    ("172.31.255.255", "172.31.255.255", "private"),
    ("192.168.1.1", "192.168.1.1", "private"),
    ("100.64.0.1", "100.64.0.1", "shared-address-space"),
    ("169.254.169.254", "169.254.169.254", "link-local"),
    ("fe80::1", "fe80::1", "link-local"),
    ("fd00:ec2::254", "fd00:ec2::254", "unique-local"),
    ("224.0.0.251", "224.0.0.251", "multicast"),
    ("ff02::1", "ff02::1", "multicast"),
    ("255.255.255.255", "255.255.255.255", "broadcast"),
    ("192.0.2.1", "192.0.2.1", "documentation"),
    ("198.51.100.7", "198.51.100.7", "documentation"),
    ("203.0.113.9", "203.0.113.9", "documentation"),
    ("2001:db8::1", "2001:db8::1", "documentation"),
    ("198.18.0.1", "198.18.0.1", "benchmarking"),
    ("240.0.0.1", "240.0.0.1", "reserved"),
    ("192.0.0.8", "192.0.0.8", "ietf-protocol-assignment"),
    ("192.88.99.1", "192.88.99.1", "6to4-relay-anycast"),
    ("100::1", "100::1", "discard-only"),
];

#[tokio::test]
async fn every_non_global_address_form_is_refused_naming_its_rule() {
    assert!(REFUSED.len() >= 30);
    let app = spawn_app_with(&[]).await;
    for (host, address, rule) in REFUSED {
        let (status, p) = refusal(&app, json!({"host": host, "port": 993})).await;
        assert_eq!(status, 403, "{host}: {p}");
        assert_eq!(p["type"], "urn:mailprobe:problem:target-refused", "{host}");
        assert_eq!(p["rule"], *rule, "{host}: {p}");
        assert_eq!(p["address"], *address, "{host}: {p}");
        assert_eq!(p["setting"], "MAILPROBE_ALLOW_TARGETS", "{host}");
        assert!(
            p["detail"].as_str().unwrap_or("").contains(rule),
            "{host}: {p}"
        );
    }
}

#[tokio::test]
async fn a_name_that_resolves_to_a_refused_address_is_refused() {
    let app = spawn_app_with(&[]).await;
    for host in ["localhost", "LOCALHOST.", "localhost"] {
        let (status, p) = refusal(&app, json!({"host": host, "port": 993})).await;
        assert_eq!(status, 403, "{host}: {p}");
        assert_eq!(p["rule"], "loopback", "{host}: {p}");
        // The address a name resolved to is not shown (issue 15).
        assert!(p.get("address").is_none(), "{p}");
    }
    // The query-string form goes through the same policy.
    let res = app.get("/v1/probes?host=localhost&port=993").await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_deny_list_wins_over_the_allow_list() {
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--deny-targets",
        "127.0.0.53/32,8.8.8.8",
    ])
    .await;
    for (host, address) in [("127.0.0.53", "127.0.0.53"), ("8.8.8.8", "8.8.8.8")] {
        let (status, p) = refusal(&app, json!({"host": host})).await;
        assert_eq!(status, 403);
        assert_eq!(p["rule"], "deny-list");
        assert_eq!(p["address"], address);
        assert_eq!(p["setting"], "MAILPROBE_DENY_TARGETS");
    }
}

#[tokio::test]
async fn ports_outside_allow_ports_are_refused_naming_the_setting() {
    // The harness allows any port; these apps narrow it as production does.
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--allow-ports",
        "25,110,143,443,465,587,993,995",
    ])
    .await;
    for port in [22, 80, 3306, 6379, 8080, 11211, 994, 65535] {
        let (status, p) = refusal(&app, json!({"host": "127.0.0.1", "port": port})).await;
        assert_eq!(status, 403, "{port}: {p}");
        assert_eq!(p["type"], "urn:mailprobe:problem:target-refused");
        assert_eq!(p["rule"], "port-not-allowed", "{p}");
        assert_eq!(p["setting"], "MAILPROBE_ALLOW_PORTS", "{p}");
        assert_eq!(p["field"], "port");
        let detail = p["detail"].as_str().unwrap_or("");
        assert!(detail.contains(&format!("port {port}")), "{detail}");
        assert!(
            detail.contains("25,110,143,443,465,587,993,995"),
            "{detail}"
        );
    }
    let res = app.get("/v1/probes?host=127.0.0.1&port=6379").await;
    assert_eq!(res.status(), 403);

    let ranged = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--allow-ports",
        "993,10000-10010",
    ])
    .await;
    let (status, p) = refusal(&ranged, json!({"host": "127.0.0.1", "port": 10011})).await;
    assert_eq!(
        (status, p["rule"].as_str()),
        (403, Some("port-not-allowed"))
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or("")
            .contains("993,10000-10010")
    );
}

#[tokio::test]
async fn malformed_hosts_are_invalid_fields() {
    let app = spawn_app_with(&[]).await;
    let long_label = format!("{}.example.com", "a".repeat(64));
    let long_name = format!("{}com", "abcdefghi.".repeat(26));
    for host in [
        "",
        "1.2.3.4.5",
        "256.1.1.1",
        "4294967296",
        "08.1.1.1",
        "exa mple.com",
        "-bad.example.com",
        "bad-.example.com",
        "a..b.example",
        "http://mail.example.com",
        "mail.example.com:993",
        "user@mail.example.com",
        long_label.as_str(),
        long_name.as_str(),
        "[::1",
    ] {
        let (status, p) = refusal(&app, json!({"host": host})).await;
        assert_eq!(status, 422, "{host:?}: {p}");
        assert_eq!(p["field"], "host", "{host:?}: {p}");
    }
}
