//! The OpenAPI document cannot drift from the code: it is compared with the committed
//! `openapi/openapi.json` (regenerate with `cargo run -- openapi > openapi/openapi.json`), and
//! every operation is checked for what generated clients need.

use serde_json::Value;

use crate::helpers::Backend;

const PUBLIC: [&str; 7] = [
    "/health/live",
    "/health/ready",
    "/metrics",
    "/api/v1/roles",
    "/api/v1/catalog",
    "/api/v1/openapi.json",
    "/docs",
];

pub async fn the_document_matches_the_committed_snapshot(_backend: Backend) {
    let generated = serde_json::to_string_pretty(&forvaltning::openapi::document()).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json` and commit it"
    );
}

pub async fn every_operation_is_complete(_backend: Backend) {
    let doc: Value = serde_json::to_value(forvaltning::openapi::document()).unwrap();
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: no operationId"));
            assert!(
                !ids.contains(&id.to_string()),
                "{name}: duplicate operationId {id}"
            );
            ids.push(id.to_string());
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name}: no tag"
            );
            assert!(op["summary"].is_string(), "{name}: no summary");
            let responses = op["responses"].as_object().unwrap();
            if path != "/health/live" && path != "/api/v1/roles" && path != "/api/v1/openapi.json" {
                let problems = responses.iter().filter(|(code, r)| {
                    code.starts_with('4')
                        || code.starts_with('5')
                            && r["content"]["application/problem+json"].is_object()
                });
                assert!(problems.count() > 0, "{name}: no problem responses");
            }
            for (code, r) in responses {
                if code.starts_with('4') {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{name} {code}: not problem+json"
                    );
                }
            }
            // Bearer is declared once, for the whole document; a public operation says so.
            let security = op.get("security").unwrap_or(&doc["security"]);
            let public = security.as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
            });
            assert_eq!(public, PUBLIC.contains(&path.as_str()), "{name}: public?");
            if !PUBLIC.contains(&path.as_str()) {
                assert_eq!(security, &serde_json::json!([{"bearer": []}]), "{name}");
                assert!(responses.contains_key("401"), "{name}: no 401");
            }
        }
    }
    assert!(ids.len() >= 25, "{} operations", ids.len());
    let stamp = &doc["components"]["schemas"]["PortfolioView"]["properties"]["created_at"];
    assert_eq!(stamp["format"], "date-time");
}
