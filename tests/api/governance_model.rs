//! The governance model as data (docs/roles.md, docs/governance-model.md): the model in force
//! is visible and recorded with every decision; another organisation's model runs its own
//! story; data that outlives a model change grants nothing and is a finding.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, token, Backend, TestApp};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/models/examples/nordforsk.toml"
);

fn example_model() -> [(&'static str, &'static str); 1] {
    [("FORVALTNING_GOVERNANCE_MODEL", EXAMPLE)]
}

/// The `sha256` of the model an app runs with.
async fn digest(app: &TestApp) -> String {
    let model = app
        .get(
            "/api/v1/governance-model",
            Some(&token("vem@sunet.se", &[])),
        )
        .await
        .expect(200);
    model.body["sha256"].as_str().unwrap().to_string()
}

/// The governance model of the audit events about `object_type` `id`.
async fn models_of_events(app: &TestApp, reader: &str, object_type: &str, id: i64) -> Vec<Value> {
    let events = app
        .get(
            &format!("/api/v1/audit-events?object_type={object_type}&object_id={id}"),
            Some(reader),
        )
        .await
        .expect(200);
    events.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["governance_model"].clone())
        .collect()
}

pub async fn the_model_in_force_is_visible_and_on_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    let plain = token("vem@sunet.se", &[]);
    app.get("/api/v1/governance-model", None).await.expect(401);
    let model = app
        .get("/api/v1/governance-model", Some(&plain))
        .await
        .expect(200)
        .body;
    assert_eq!(model["name"], "sunet");
    assert_eq!(model["version"], "2022.1");
    let sha = model["sha256"].as_str().unwrap().to_string();
    assert!(
        sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "{sha}"
    );
    let support = model["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "service.update_support")
        .unwrap();
    assert_eq!(
        support["allowed"],
        json!([
            "service_owner in scope",
            "service_coordinator[support] in scope",
            "service_manager in scope"
        ])
    );
    let owner = model["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "service_owner")
        .unwrap();
    assert_eq!(owner["max_per_place"], 1);
    assert_eq!(owner["abbreviation"], "TÄ");
    // Readable by the people who decide: the same model as Markdown.
    let markdown = app
        .client
        .get(app.url("/api/v1/governance-model"))
        .bearer_auth(&plain)
        .header("Accept", "text/markdown")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        markdown.starts_with("# Sunets tjänsteförvaltning / Sunet service management"),
        "{markdown}"
    );
    assert!(markdown.contains(&sha));

    // Each decision names the model that authorised it.
    let portfolio = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    assert_eq!(
        models_of_events(&app, &lg, "portfolio", portfolio).await,
        vec![json!(sha)]
    );

    // Every model that has been in force, for LG and VU only.
    app.get("/api/v1/governance-model/versions", Some(&plain))
        .await
        .expect(403);
    let versions = app
        .get(
            "/api/v1/governance-model/versions",
            Some(&token("vu@sunet.se", &["business_developer"])),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(versions.as_array().unwrap().len(), 1);
    assert_eq!(versions[0]["sha256"], json!(sha));
    assert_eq!(versions[0]["in_force"], true);
    assert_eq!(versions[0]["document"]["name"], "sunet");

    // A rolling change: another instance on the same database runs another model. Both are on
    // record, and each decision names its own.
    let other = app.another_instance_with(&example_model()).await;
    let board = token("styrelsen@nfn.example", &["board"]);
    let other_sha = digest(&other).await;
    assert_ne!(other_sha, sha);
    let theirs = other
        .create_portfolio(&board, "lagring", "Lagringstjänster")
        .await;
    assert_eq!(
        models_of_events(&app, &lg, "portfolio", theirs).await,
        vec![json!(other_sha)]
    );
    let versions = app
        .get("/api/v1/governance-model/versions", Some(&lg))
        .await
        .expect(200)
        .body;
    let on_record: Vec<(&str, bool)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap(),
                v["in_force"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(on_record.len(), 2, "{versions}");
    assert!(on_record.contains(&("sunet", true)) && on_record.contains(&("nordforsk", false)));
}

pub async fn another_organisations_model_runs_its_own_story(backend: Backend) {
    let app = spawn_app_with(backend, &example_model(), None).await;
    let board = token("styrelsen@nfn.example", &["board"]);
    let roles = app.get("/api/v1/roles", None).await.expect(200).body;
    let codes: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "board",
            "service_owner",
            "deputy_service_owner",
            "operations_lead",
            "service_manager",
            "security_officer",
            "controller"
        ]
    );
    // Sunet's management group is nobody here: the claim maps to no role of this model.
    let lg = token("lg@sunet.se", &["management_group"]);
    app.post(
        "/api/v1/portfolios",
        Some(&lg),
        json!({"slug": "x", "name": "X"}),
    )
    .await
    .expect(403);

    let portfolio = app
        .owned_portfolio(&board, "natverk", "Nätverkstjänster", "anna@nfn.example")
        .await;
    let anna = token("anna@nfn.example", &[]);
    // At most one service owner per portfolio, two deputies.
    app.assign(
        &board,
        json!({"subject": "olle@nfn.example", "role": "service_owner", "portfolio_id": portfolio}),
    )
    .await
    .expect(409);
    for deputy in ["bertil@nfn.example", "cecilia@nfn.example"] {
        app.assign(
            &anna,
            json!({"subject": deputy, "role": "deputy_service_owner", "portfolio_id": portfolio}),
        )
        .await
        .expect(201);
    }
    app.assign(&anna, json!({"subject": "david@nfn.example", "role": "deputy_service_owner", "portfolio_id": portfolio}))
        .await
        .expect(409);
    // There is no coordinator (TS) in this model.
    app.assign(&anna, json!({"subject": "ts@nfn.example", "role": "service_coordinator", "portfolio_id": portfolio}))
        .await
        .expect(400);
    // The operations lead carries this model's own delegations, and only those.
    app.assign(&anna, json!({"subject": "dora@nfn.example", "role": "operations_lead", "portfolio_id": portfolio, "delegations": ["staffing"]}))
        .await
        .expect(400);
    app.assign(&anna, json!({"subject": "dora@nfn.example", "role": "operations_lead", "portfolio_id": portfolio, "delegations": ["roadmap"]}))
        .await
        .expect(201);

    // The deputy does what the owner does, except appoint people.
    let bertil = token("bertil@nfn.example", &[]);
    let me = app.get("/api/v1/me", Some(&bertil)).await.expect(200).body;
    let actions = me.to_string();
    assert!(actions.contains("service.start_operation"), "{me}");
    assert!(!actions.contains("role_assignment.service_manager"), "{me}");
    let service = app.established_service(&board, "eduroam", portfolio).await;
    let refused = app
        .assign(&bertil, json!({"subject": "erik@nfn.example", "role": "service_manager", "service_id": service}))
        .await
        .expect(403);
    assert!(refused
        .body
        .to_string()
        .contains("role_assignment.service_manager"));
    app.assign(
        &anna,
        json!({"subject": "erik@nfn.example", "role": "service_manager", "service_id": service}),
    )
    .await
    .expect(201);
    // An allowance Sunet's model would refuse: a deputy puts the service in operation.
    app.transition(&bertil, service, "in_operation")
        .await
        .expect(200);

    // A refusal Sunet's model would allow: the owner classifies the service. Here the
    // security officer alone does.
    let classification = json!({"security_classification": {"confidentiality": 2, "integrity": 3, "availability": 2}});
    let path = format!("/api/v1/services/{service}");
    let refused = app
        .patch(&path, Some(&anna), classification.clone())
        .await
        .expect(403);
    assert!(refused.body.to_string().contains("service.update_security"));
    let isa = token("isa@nfn.example", &["security_officer"]);
    app.patch(&path, Some(&isa), classification)
        .await
        .expect(200);

    // The service keeps its manager while in operation.
    let managers = app
        .get(
            &format!("/api/v1/role-assignments?service={service}&active=true"),
            Some(&board),
        )
        .await
        .expect(200)
        .body;
    let erik = managers["results"][0]["id"].as_i64().unwrap();
    app.act(
        &format!("/api/v1/role-assignments/{erik}/revoke"),
        Some(&anna),
    )
    .await
    .expect(409);

    // The findings take the roles from the model: a portfolio without its owner.
    app.create_portfolio(&board, "lagring", "Lagringstjänster")
        .await;
    let findings = app
        .get(
            "/api/v1/reports/governance?rule=portfolio_without_owner",
            Some(&board),
        )
        .await
        .expect(200)
        .body;
    let flagged: Vec<&str> = findings["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object_slug"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["lagring"], "{findings}");
}

/// The built-in model without the `prioritization` delegation: a revision that drops a duty.
fn sunet_without_prioritization() -> String {
    let text = forvaltning::domain::model::BUILTIN_SOURCE
        .replace(", \"service_coordinator[prioritization] in scope\"", "")
        .replace(", \"prioritization\"]", "]");
    let block = text
        .find("[[delegations]]\ncode = \"prioritization\"")
        .unwrap();
    let end = block + text[block..].find("\n\n").unwrap() + 2;
    format!("{}{}", &text[..block], &text[end..])
}

pub async fn assignments_the_model_no_longer_has_grant_nothing_and_are_findings(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    let portfolio = app
        .owned_portfolio(&lg, "natverk", "Nätverkstjänster", "anna@sunet.se")
        .await;
    let anna = token("anna@sunet.se", &[]);
    let ts = app
        .assign(&anna, json!({"subject": "ts@sunet.se", "role": "service_coordinator", "portfolio_id": portfolio, "delegations": ["staffing", "prioritization"]}))
        .await
        .expect(201)
        .id();
    let service = app.established_service(&lg, "eduroam", portfolio).await;

    // A revision of Sunet's model without the prioritization duty: the TS keeps staffing.
    let revised = app.database().data_dir.join("sunet-reviderad.toml");
    std::fs::write(&revised, sunet_without_prioritization()).unwrap();
    let revised_app = app
        .another_instance_with(&[("FORVALTNING_GOVERNANCE_MODEL", revised.to_str().unwrap())])
        .await;
    let ts_token = token("ts@sunet.se", &[]);
    revised_app
        .assign(
            &ts_token,
            json!({"subject": "tjf@sunet.se", "role": "service_manager", "service_id": service}),
        )
        .await
        .expect(201);
    let findings = revised_app
        .get(
            "/api/v1/reports/governance?rule=assignment_of_unknown_delegation",
            Some(&lg),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        findings["results"].as_array().unwrap().len(),
        1,
        "{findings}"
    );
    assert_eq!(findings["results"][0]["object_id"], ts);
    assert_eq!(findings["results"][0]["severity"], "error");
    assert!(
        findings["results"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("prioritization"),
        "{findings}"
    );

    // Under another organisation's model the TS is no role at all: shown as stored, granting
    // nothing, and a finding.
    let other = app.another_instance_with(&example_model()).await;
    let held = other
        .get(&format!("/api/v1/role-assignments/{ts}"), Some(&ts_token))
        .await
        .expect(200)
        .body;
    assert_eq!(held["role"], "service_coordinator");
    other
        .assign(
            &ts_token,
            json!({"subject": "tjf2@sunet.se", "role": "service_manager", "service_id": service}),
        )
        .await
        .expect(403);
    let board = token("styrelsen@nfn.example", &["board"]);
    let findings = other
        .get(
            "/api/v1/reports/governance?rule=assignment_of_unknown_role",
            Some(&board),
        )
        .await
        .expect(200)
        .body;
    let unknown: Vec<i64> = findings["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object_id"].as_i64().unwrap())
        .collect();
    assert!(unknown.contains(&ts), "{findings}");
    // Sunet's own model sees no such finding.
    let none = app
        .get(
            "/api/v1/reports/governance?rule=assignment_of_unknown_role",
            Some(&lg),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(none["results"], json!([]), "{none}");
}

/// At most N holders per place holds when appointments race (one TÄ per portfolio in Sunet's
/// model), on both databases, without an index written for the role.
pub async fn at_most_n_holders_hold_under_concurrent_appointments(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    let portfolio = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (client, lg) = (app.client.clone(), lg.clone());
        let url = app.url("/api/v1/role-assignments");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(&lg)
                .json(&json!({"subject": format!("agare{i}@sunet.se"), "role": "service_owner", "portfolio_id": portfolio}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let statuses = crate::helpers::sorted_statuses(tasks).await;
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    let owners = app
        .get(
            &format!(
                "/api/v1/role-assignments?portfolio={portfolio}&role=service_owner&active=true"
            ),
            Some(&lg),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(owners["count"], 1, "{owners}");
}
