//! Item 6: a POST body must be declared JSON. Before, a body with no
//! Content-Type at all was read as JSON — what a cross-site `fetch` with
//! `no-cors` can send without a preflight.

use crate::support::app::spawn_app_with;

#[tokio::test]
async fn a_post_without_a_content_type_gets_415_naming_the_header() {
    let app = spawn_app_with(&[]).await;
    for (path, body) in [
        ("/v1/probes", r#"{"host":"127.0.0.1"}"#),
        ("/v1/probes:batch", r#"{"targets":[{"host":"127.0.0.1"}]}"#),
        ("/v1/readiness", r#"{"host":"127.0.0.1"}"#),
    ] {
        let res = app
            .client
            .post(app.url(path))
            .body(body.as_bytes().to_vec())
            .send()
            .await
            .unwrap();
        assert!(res.headers().get("content-type").is_some());
        assert_eq!(res.status(), 415, "{path}");
        let p: serde_json::Value = res.json().await.unwrap();
        assert_eq!(p["field"], "Content-Type", "{path}: {p}");
    }
}
