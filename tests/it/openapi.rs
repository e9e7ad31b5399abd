//! The checked-in OpenAPI document is the one the code generates.

use std::collections::BTreeSet;

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

/// Where the document falls short of what a generated client needs: every
/// operation named (`operationId`) and summarised, every response described
/// (OpenAPI 3.1 requires it; generators refuse a document without), the
/// errors a caller can meet documented as problem+json, every parameter and
/// every schema property described. A new field without a doc comment
/// fails here, not in a portal's code generator.
fn contract_gaps(spec: &Value) -> Vec<String> {
    let mut gaps = Vec::new();
    let mut operation_ids = std::collections::BTreeSet::new();
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        let Some(ops) = item.as_object() else {
            continue;
        };
        for (method, op) in ops {
            let at = format!("{} {path}", method.to_uppercase());
            match op["operationId"].as_str() {
                Some(id) if !id.is_empty() => {
                    if !operation_ids.insert(id.to_string()) {
                        gaps.push(format!("{at}: operationId `{id}` is not unique"));
                    }
                }
                _ => gaps.push(format!("{at}: no operationId")),
            }
            match op["summary"].as_str() {
                None => gaps.push(format!("{at}: no summary")),
                Some(s) if s.trim().is_empty() => gaps.push(format!("{at}: no summary")),
                // The doc comment's first paragraph: keep it to one line, the
                // rest becomes the description.
                Some(s) if s.contains('\n') || s.chars().count() > 100 => {
                    gaps.push(format!("{at}: the summary is longer than one line"))
                }
                Some(_) => {}
            }
            let responses = op["responses"].as_object().cloned().unwrap_or_default();
            for (status, response) in &responses {
                if response["description"]
                    .as_str()
                    .is_none_or(|d| d.trim().is_empty())
                {
                    gaps.push(format!("{at} {status}: no description"));
                }
                if status.starts_with('4')
                    && !response["content"]["application/problem+json"]["schema"]["$ref"]
                        .as_str()
                        .is_some_and(|r| r.ends_with("/Problem"))
                {
                    gaps.push(format!("{at} {status}: not a problem+json Problem"));
                }
            }
            let mut expected: Vec<&str> = Vec::new();
            // guard.rs: keys and the rate limit apply to /v1/* only.
            if path.starts_with("/v1/") {
                expected.extend(["401", "429"]);
            }
            if op["requestBody"].is_object() {
                expected.extend(["400", "413", "415", "422"]);
            }
            if op["parameters"].as_array().is_some_and(|p| !p.is_empty()) {
                expected.push("422");
            }
            // A batch reports a refused target on its line, not as a 403.
            if path == "/v1/probes" || path == "/v1/readiness" {
                expected.push("403");
            }
            if path == "/readyz" {
                expected.push("503");
            }
            for status in expected {
                if !responses.contains_key(status) {
                    gaps.push(format!("{at}: {status} not documented"));
                }
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param["description"]
                    .as_str()
                    .is_none_or(|d| d.trim().is_empty())
                {
                    gaps.push(format!(
                        "{at}: parameter `{}` has no description",
                        param["name"]
                    ));
                }
            }
        }
    }
    let schemas = spec["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, schema) in &schemas {
        property_gaps(name, schema, &mut gaps);
    }
    gaps
}

/// A property's description may sit on the property or, for a reference,
/// beside the `$ref` (OpenAPI 3.1 lets a Reference Object carry one) inside
/// the `oneOf`/`allOf` utoipa writes for optional and referenced fields.
fn has_description(property: &Value) -> bool {
    let here = property["description"]
        .as_str()
        .is_some_and(|d| !d.trim().is_empty());
    here || ["oneOf", "allOf", "anyOf"].iter().any(|k| {
        property[*k].as_array().is_some_and(|alts| {
            alts.iter()
                .any(|a| a["$ref"].is_string() && has_description(a))
        })
    })
}

fn property_gaps(at: &str, schema: &Value, gaps: &mut Vec<String>) {
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            let here = format!("{at}.{name}");
            if !has_description(property) {
                gaps.push(format!("{here}: no description"));
            }
            property_gaps(&here, property, gaps);
        }
    }
    for key in ["items", "additionalProperties"] {
        if schema[key].is_object() {
            property_gaps(&format!("{at}[]"), &schema[key], gaps);
        }
    }
    for key in ["oneOf", "allOf", "anyOf"] {
        for alternative in schema[key].as_array().into_iter().flatten() {
            property_gaps(at, alternative, gaps);
        }
    }
}

#[test]
fn every_operation_and_property_is_documented_for_client_generators() {
    let spec: Value = serde_json::from_str(&mailprobe::http::openapi_json()).unwrap();
    let gaps = contract_gaps(&spec);
    assert!(
        gaps.is_empty(),
        "{} gaps in the OpenAPI document (doc comments become descriptions):\n{}",
        gaps.len(),
        gaps.join("\n")
    );
}

#[test]
fn the_gap_finder_sees_an_undescribed_property_and_a_missing_error() {
    // Given a document as the code generates it, with one property's
    // description and one documented error taken away
    let mut spec: Value = serde_json::from_str(&mailprobe::http::openapi_json()).unwrap();
    spec["components"]["schemas"]["Problem"]["properties"]["detail"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    spec["paths"]["/v1/probes"]["post"]["responses"]
        .as_object_mut()
        .unwrap()
        .remove("415");
    // When the gaps are listed, then both are named
    let gaps = contract_gaps(&spec);
    assert!(
        gaps.iter().any(|g| g == "Problem.detail: no description"),
        "{gaps:?}"
    );
    assert!(
        gaps.iter()
            .any(|g| g == "POST /v1/probes: 415 not documented"),
        "{gaps:?}"
    );
}

/// The `enum` list of a component schema, as a set.
fn schema_enum(spec: &Value, component: &str) -> BTreeSet<String> {
    spec["components"]["schemas"][component]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{component} is an enum in the document"))
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

fn names<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> BTreeSet<String> {
    values.into_iter().map(Into::into).collect()
}

#[test]
fn closed_names_in_the_schema_are_the_names_the_code_writes() {
    use mailprobe::diagnosis::profiles::ProfileKind;
    use mailprobe::mail::auth::Mechanism;
    use mailprobe::report::Protocol;
    use mailprobe::tls::ocsp::StapleStatus;
    use mailprobe::tls::suites::{Authentication, BulkCipher, KeyExchange, Mac};
    use mailprobe::tls::trust::{StoreKind, TrustReason};

    let spec: Value = serde_json::from_str(&mailprobe::http::openapi_json()).unwrap();
    let check = |component: &str, written: BTreeSet<String>| {
        assert_eq!(
            schema_enum(&spec, component),
            written,
            "{component}: the schema's names and the code's differ (src/report/names.rs mirrors them)"
        );
    };
    check(
        "SuiteKeyExchange",
        names(KeyExchange::ALL.iter().map(|k| k.as_str())),
    );
    check(
        "SuiteAuthentication",
        names(Authentication::ALL.iter().map(|a| a.as_str())),
    );
    check(
        "SuiteCipher",
        names(BulkCipher::ALL.iter().map(|c| c.as_str())),
    );
    check("SuiteMac", names(Mac::ALL.iter().map(|m| m.as_str())));

    // These enums have no ALL: each list is held complete by a match that
    // stops compiling when a variant is added.
    let stores = [
        StoreKind::Mozilla,
        StoreKind::Configured,
        StoreKind::Request,
    ];
    for s in stores {
        match s {
            StoreKind::Mozilla | StoreKind::Configured | StoreKind::Request => {}
        }
    }
    check("TrustStore", names(stores.map(StoreKind::as_str)));
    let reasons = [
        TrustReason::UnknownIssuer,
        TrustReason::IncompleteChain,
        TrustReason::UnknownRoot,
        TrustReason::Expired,
        TrustReason::NotYetValid,
        TrustReason::NameMismatch,
        TrustReason::BadSignature,
        TrustReason::UnsupportedAlgorithm,
        TrustReason::NotServerAuth,
        TrustReason::Revoked,
        TrustReason::Invalid,
    ];
    for r in reasons {
        match r {
            TrustReason::UnknownIssuer
            | TrustReason::IncompleteChain
            | TrustReason::UnknownRoot
            | TrustReason::Expired
            | TrustReason::NotYetValid
            | TrustReason::NameMismatch
            | TrustReason::BadSignature
            | TrustReason::UnsupportedAlgorithm
            | TrustReason::NotServerAuth
            | TrustReason::Revoked
            | TrustReason::Invalid => {}
        }
    }
    check("TrustReason", names(reasons.map(TrustReason::as_str)));
    let staples = [
        StapleStatus::Good,
        StapleStatus::Revoked,
        StapleStatus::Unknown,
        StapleStatus::OtherCertificate,
        StapleStatus::Unsuccessful,
        StapleStatus::Unparsable,
    ];
    for s in staples {
        match s {
            StapleStatus::Good
            | StapleStatus::Revoked
            | StapleStatus::Unknown
            | StapleStatus::OtherCertificate
            | StapleStatus::Unsuccessful
            | StapleStatus::Unparsable => {}
        }
    }
    check("OcspStatus", names(staples.map(StapleStatus::as_str)));
    let mechanisms = [Mechanism::Plain, Mechanism::Login, Mechanism::XOAuth2];
    for m in mechanisms {
        match m {
            Mechanism::Plain | Mechanism::Login | Mechanism::XOAuth2 => {}
        }
    }
    let protocols = [
        Protocol::Imap,
        Protocol::Pop3,
        Protocol::Smtp,
        Protocol::Tls,
    ];
    check(
        "LoginMechanism",
        names(
            mechanisms
                .iter()
                .flat_map(|m| protocols.map(|p| m.label(p))),
        ),
    );
    let kinds = [
        ProfileKind::Migration,
        ProfileKind::MailClient,
        ProfileKind::Library,
        ProfileKind::Compliance,
    ];
    for k in kinds {
        match k {
            ProfileKind::Migration
            | ProfileKind::MailClient
            | ProfileKind::Library
            | ProfileKind::Compliance => {}
        }
    }
    check(
        "ClientKind",
        names(kinds.map(|k| {
            serde_json::to_value(k)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })),
    );
    // What the catalogue writes, too.
    let written: BTreeSet<String> = mailprobe::diagnosis::profile_docs()
        .into_iter()
        .map(|p| p.kind)
        .collect();
    assert!(
        written.is_subset(&schema_enum(&spec, "ClientKind")),
        "{written:?}"
    );
}

#[test]
fn string_fields_the_code_closes_are_enums_in_the_schema() {
    let spec: Value = serde_json::from_str(&mailprobe::http::openapi_json()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let refers = |schema: &str, field: &str, component: &str| {
        let p = &schemas[schema]["properties"][field];
        let target = format!("#/components/schemas/{component}");
        let direct = p["$ref"].as_str() == Some(target.as_str());
        let optional = p["oneOf"].as_array().is_some_and(|alts| {
            alts.iter()
                .any(|a| a["$ref"].as_str() == Some(target.as_str()))
        });
        assert!(direct || optional, "{schema}.{field} is {component}: {p}");
    };
    refers("Suite", "kx", "SuiteKeyExchange");
    refers("Suite", "auth", "SuiteAuthentication");
    refers("Suite", "cipher", "SuiteCipher");
    refers("Suite", "mac", "SuiteMac");
    refers("Certificate", "trust_store", "TrustStore");
    refers("Certificate", "trust_reason", "TrustReason");
    refers("Certificate", "other_trust_reason", "TrustReason");
    refers("Certificate", "ocsp_status", "OcspStatus");
    refers("LoginResult", "mechanism", "LoginMechanism");
    refers("ClientResult", "kind", "ClientKind");
    refers("ProfileDoc", "kind", "ClientKind");
    refers("Health", "status", "HealthStatus");
    refers("Readiness", "status", "ReadinessStatus");
}

/// Where `value` departs from `schema`, in the subset of JSON Schema the
/// document uses: `$ref`, `oneOf`/`allOf`, `type`, `enum`, `required`,
/// `properties`, `items`, `minimum`/`maximum`. A property the schema does not
/// list is a gap too: what a generated client would silently drop.
fn conformance_gaps(spec: &Value, schema: &Value, value: &Value, at: &str, gaps: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        let target = &spec["components"]["schemas"][name];
        if target.is_null() {
            gaps.push(format!("{at}: unresolved {r}"));
        } else {
            conformance_gaps(spec, target, value, at, gaps);
        }
        return;
    }
    if let Some(alternatives) = schema["oneOf"].as_array() {
        let fitting = alternatives
            .iter()
            .filter(|a| {
                let mut g = Vec::new();
                conformance_gaps(spec, a, value, at, &mut g);
                g.is_empty()
            })
            .count();
        if fitting != 1 {
            gaps.push(format!(
                "{at}: fits {fitting} of the oneOf alternatives: {value}"
            ));
        }
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        conformance_gaps(spec, part, value, at, gaps);
    }
    if let Some(types) = match &schema["type"] {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(ts) => Some(ts.iter().filter_map(Value::as_str).collect()),
        _ => None,
    } {
        let fits = types.iter().any(|t| match *t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        });
        if !fits {
            gaps.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        gaps.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(n) = value.as_f64() {
        if schema["minimum"].as_f64().is_some_and(|min| n < min) {
            gaps.push(format!("{at}: {n} below the minimum"));
        }
        if schema["maximum"].as_f64().is_some_and(|max| n > max) {
            gaps.push(format!("{at}: {n} above the maximum"));
        }
    }
    if let Some(object) = value.as_object() {
        for key in schema["required"].as_array().into_iter().flatten() {
            let key = key.as_str().unwrap_or_default();
            if !object.contains_key(key) {
                gaps.push(format!("{at}: required `{key}` missing"));
            }
        }
        let properties = schema["properties"].as_object();
        for (key, v) in object {
            let here = format!("{at}.{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(s) => conformance_gaps(spec, s, v, &here, gaps),
                None if schema["additionalProperties"].is_object() => {
                    conformance_gaps(spec, &schema["additionalProperties"], v, &here, gaps)
                }
                None if properties.is_some() => {
                    gaps.push(format!("{here}: not in the schema"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            conformance_gaps(spec, items, v, &format!("{at}[{i}]"), gaps);
        }
    }
}

/// The gaps of a real response against what the document says of it (and
/// against the status the test expects).
async fn response_gaps(
    spec: &Value,
    method: &str,
    path: &str,
    expected: u16,
    response: reqwest::Response,
) -> Vec<String> {
    let status = response.status().as_u16().to_string();
    if status != expected.to_string() {
        return vec![format!(
            "{method} {path}: status {status}, expected {expected}"
        )];
    }
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body: Value = response.json().await.expect("a JSON body");
    let documented = &spec["paths"][path][method]["responses"][&status]["content"][&content_type];
    if documented.is_null() {
        return vec![format!(
            "{method} {path}: {status} {content_type} is not documented"
        )];
    }
    let mut gaps = Vec::new();
    let at = format!("{method} {path} {status}");
    conformance_gaps(spec, &documented["schema"], &body, &at, &mut gaps);
    gaps
}

/// Given the seed case's host (Exchange 2010-like IMAP on an implicit and a
/// STARTTLS port, Exchange's virtual directories over HTTPS, SMTP closed)
/// and a Dovecot dialogue that accepts a login, when every operation is
/// called as a generated client would call it, then each response is what
/// the document says: every value fits its schema (closed names included)
/// and no field is left out of the schema.
#[tokio::test]
async fn real_responses_conform_to_the_document() {
    use crate::support::app::spawn_app_with;
    use crate::support::https_server;
    use crate::support::mail_servers::{self, PASSWORD, Script, Start, USER};
    use crate::support::openssl_server::{self, OpensslServer, Profile, Transport};
    use serde_json::json;

    openssl_server::load_legacy_provider();
    let spec: Value = serde_json::from_str(&mailprobe::http::openapi_json()).unwrap();
    let implicit = OpensslServer::profile(Profile::Exchange2010);
    let starttls = OpensslServer::profile_over(Profile::Exchange2010, Transport::Starttls);
    let https = https_server::start("mail.example.test").await;
    let login = mail_servers::start(Script::Imap(mail_servers::dovecot()), Start::Plain).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let app = spawn_app_with(&[
        "--allow-targets",
        "127.0.0.0/8",
        "--deny-targets",
        "127.0.0.2/32",
    ])
    .await;
    let c = &app.client;

    let mut gaps = Vec::new();
    let readiness = c
        .post(app.url("/v1/readiness"))
        .json(&json!({
            "host": "127.0.0.1",
            "timeout_ms": 20000,
            "ports": {
                "imap_implicit": implicit.port(),
                "imap_starttls": starttls.port(),
                "pop3_implicit": 0, "pop3_starttls": 0, "smtps": 0, "submission": 0,
                "smtp": closed,
                "https": https.addr.port(),
            }
        }))
        .send()
        .await
        .expect("readiness");
    gaps.extend(response_gaps(&spec, "post", "/v1/readiness", 200, readiness).await);
    let with_login = c
        .post(app.url("/v1/probes"))
        .json(&json!({
            "host": "127.0.0.1", "port": login.port, "transport": "starttls",
            "credentials": {"username": USER, "password": PASSWORD},
        }))
        .send()
        .await
        .expect("probe");
    gaps.extend(response_gaps(&spec, "post", "/v1/probes", 200, with_login).await);
    // The batch's NDJSON: each line a BatchLine (a Report, or a Problem).
    let batch = c
        .post(app.url("/v1/probes:batch"))
        .json(&json!({"targets": [
            {"id": "legacy", "host": "127.0.0.1", "port": implicit.port()},
            {"id": 7, "host": "127.0.0.2", "port": 993},
        ]}))
        .send()
        .await
        .expect("batch");
    assert_eq!(batch.status(), 200);
    let lines = batch.text().await.expect("NDJSON");
    let line_schema = &spec["paths"]["/v1/probes:batch"]["post"]["responses"]["200"]["content"]["application/x-ndjson"]
        ["schema"];
    assert_eq!(lines.lines().count(), 2, "{lines}");
    for line in lines.lines() {
        let value: Value = serde_json::from_str(line).expect("a JSON line");
        conformance_gaps(&spec, line_schema, &value, "batch line", &mut gaps);
    }
    // A refused target (403) and an invalid field (422) as Problems.
    for (path, query, status) in [
        (
            "/v1/probes",
            format!("?host=127.0.0.1&port={}", implicit.port()),
            200,
        ),
        ("/v1/probes", "?host=127.0.0.2&port=993".to_string(), 403),
        ("/v1/probes", "?host=127.0.0.1&port=0".to_string(), 422),
        ("/v1/profiles", String::new(), 200),
        ("/v1/findings", String::new(), 200),
        ("/healthz", String::new(), 200),
        ("/readyz", String::new(), 200),
    ] {
        let response = app.get(&format!("{path}{query}")).await;
        gaps.extend(response_gaps(&spec, "get", path, status, response).await);
    }
    assert!(gaps.is_empty(), "{} gaps:\n{}", gaps.len(), gaps.join("\n"));
}

#[test]
fn the_conformance_check_sees_an_unlisted_name_and_an_unlisted_field() {
    // Given the document, and a Problem with a field the schema lacks, and a
    // Health with a status its enum does not list
    let spec: Value = serde_json::from_str(&mailprobe::http::openapi_json()).unwrap();
    let problem = serde_json::json!({
        "type": "urn:mailprobe:problem:x", "title": "t", "status": 422, "detail": "d", "extra": 1
    });
    let health = serde_json::json!({"status": "fine"});
    // When each is checked, then each gap is named
    let mut gaps = Vec::new();
    let r = |n: &str| serde_json::json!({"$ref": format!("#/components/schemas/{n}")});
    conformance_gaps(&spec, &r("Problem"), &problem, "Problem", &mut gaps);
    conformance_gaps(&spec, &r("Health"), &health, "Health", &mut gaps);
    assert!(
        gaps.iter().any(|g| g == "Problem.extra: not in the schema"),
        "{gaps:?}"
    );
    assert!(
        gaps.iter()
            .any(|g| g.starts_with("Health.status: \"fine\" is not one of")),
        "{gaps:?}"
    );
}
