//! `forvaltning demo` (README, "Two commands"): a newcomer fills an empty database with a small
//! Sunet in one command, and explores it with the tokens it prints; a database with anything in
//! it is refused, naming what it holds.

use serde_json::Value;

use crate::helpers::{binary, Backend, Server, TestDatabase, SECRET};

/// The tokens of the demo's output (`export KEY=token`), by key.
fn tokens(out: &str) -> Vec<(String, String)> {
    out.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn get(server: &Server, token: &str, path: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

pub async fn a_newcomer_looks_at_a_filled_demo(backend: Backend) {
    let db = TestDatabase::new(backend);
    let env = [("FORVALTNING_JWT_SECRET", SECRET)];
    let out = binary(&db, &env).arg("demo").output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    let tokens = tokens(&stdout);
    let keys: Vec<&str> = tokens.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["LG", "CTRL", "KA", "VU", "TA", "TA_ID", "TA_SAM", "TS", "TJF", "TJF_ID", "TJF_SAM"]
    );
    let token = |key: &str| {
        tokens
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t.clone())
            .unwrap()
    };

    let server = Server::start(&db);
    let (lg, ctrl, ta) = (token("LG"), token("CTRL"), token("TA"));
    assert_eq!(get(&server, &lg, "/portfolios").await["count"], 3);
    let services = get(&server, &lg, "/services?limit=100").await;
    assert_eq!(services["count"], 12);
    let in_operation = services["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["lifecycle"] == "in_operation")
        .count();
    assert_eq!(in_operation, 9);
    assert_eq!(get(&server, &ctrl, "/contracts").await["count"], 6);
    let near_notice = get(&server, &ctrl, "/contracts?notice_within_days=60").await;
    assert_eq!(near_notice["results"][0]["reference"], "SUNET-2024-017");
    let expiring = get(&server, &ctrl, "/contracts?status=expiring").await;
    assert_eq!(expiring["results"][0]["reference"], "LEV-2024-007");
    let uncovered = get(&server, &ctrl, "/reports/contract-coverage").await;
    assert_eq!(uncovered["count"], 2, "two deliveries without a contract");
    let plans = get(&server, &ta, "/plans").await;
    assert_eq!(plans["results"][0]["status"], "approved");
    assert_eq!(get(&server, &lg, "/needs").await["count"], 2);
    // The needs register came in through the import too, the TJF's assessment as a step.
    let pendeltag = get(&server, &lg, "/needs?service=eduroam").await;
    let need = &pendeltag["results"][0];
    assert_eq!(need["reference"], "BEH-2026-001");
    assert_eq!(need["status"], "assessed");
    assert_eq!(need["endorsement_count"], 1);
    assert_eq!(get(&server, &lg, "/change-requests").await["count"], 2);
    assert_eq!(get(&server, &lg, "/information-systems").await["count"], 7);
    let impact = get(
        &server,
        &ta,
        "/information-systems/sunet-stamnat/impact?limit=100",
    )
    .await;
    assert!(impact["count"].as_i64().unwrap() >= 8, "{impact}");
    // The contracts came in through the import, each audited with its id.
    let trail = get(&server, &lg, "/audit-events?object_type=contract&limit=100").await;
    let events = trail["results"].as_array().unwrap();
    assert_eq!(events.len(), 6);
    assert!(events
        .iter()
        .all(|e| e["import_id"].is_i64() && e["actor"] == "karin@sunet.se"));
    // So did the services: decided by the management group, put in operation by their TÄ.
    let eduroam = get(&server, &lg, "/services/eduroam").await;
    let trail = get(
        &server,
        &lg,
        &format!(
            "/audit-events?object_type=service&object_id={}",
            eduroam["id"]
        ),
    )
    .await;
    let steps: Vec<(&str, &str)> = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["import_id"].is_i64())
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("service.propose", "lena@sunet.se"),
            ("service.establish", "lena@sunet.se"),
            ("service.start_operation", "tove@sunet.se"),
        ],
        "{trail}"
    );
    let me = get(&server, &token("TS"), "/me").await;
    assert_eq!(me["assignments"][0]["role"], "service_coordinator");
    server.terminate();

    let again = binary(&db, &env).arg("demo").output().unwrap();
    let refusal = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success());
    assert!(
        refusal.contains("the database is not empty (3 portfolios, 12 services, 8 organizations, 6 contracts, 11 people)"),
        "{refusal}"
    );
}
