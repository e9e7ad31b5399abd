//! The checked-in OpenAPI document is the one the code generates.

use serde_json::Value;

#[test]
fn checked_in_spec_matches_the_code() {
    let generated = mailprobe::http::openapi_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).expect("write openapi.json");
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "openapi/openapi.json drifted from the code; regenerate it with `cargo run -- openapi > openapi/openapi.json` (or UPDATE_OPENAPI=1 cargo test openapi)"
    );
}

#[test]
fn spec_documents_requests_errors_and_examples() {
    let spec: Value = serde_json::from_str(&mailprobe::http::openapi_json()).unwrap();
    let post = &spec["paths"]["/v1/probes"]["post"];
    assert!(
        post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap()
            .ends_with("/ProbeRequest")
    );
    for status in ["200", "400", "401", "403", "413", "415", "422", "429"] {
        assert!(
            post["responses"][status].is_object(),
            "POST /v1/probes documents {status}"
        );
    }
    assert!(post["responses"]["422"]["content"]["application/problem+json"].is_object());
    let get = &spec["paths"]["/v1/probes"]["get"];
    let params: Vec<&str> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in ["host", "port", "protocol", "transport"] {
        assert!(params.contains(&p), "GET /v1/probes documents {p}");
    }
    let schemas = &spec["components"]["schemas"];
    assert!(schemas["ProbeRequest"]["example"]["host"].is_string());
    for s in [
        "Report",
        "Problem",
        "Target",
        "Tls",
        "Mail",
        "Finding",
        "ClientResult",
        "TlsVersion",
    ] {
        assert!(schemas[s].is_object(), "schema {s}");
    }
    for s in ["ProfileList", "FindingList", "ProfileDoc", "FindingDoc"] {
        assert!(schemas[s].is_object(), "schema {s}");
    }
    for p in ["/healthz", "/readyz", "/v1/profiles", "/v1/findings"] {
        assert!(spec["paths"][p]["get"].is_object(), "{p}");
    }
}
