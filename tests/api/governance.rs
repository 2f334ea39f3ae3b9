//! Governance health (the guidelines' rules as findings, the economics of each service): for
//! every rule, the violating situation is made, exactly that finding appears, the situation is
//! repaired and the finding goes. States no endpoint makes (a TJF gone by an import, a review a
//! year old, a request waiting since last month) are written into the database directly.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::{day, spawn_app, token, Backend, TestApp};

/// The findings of one rule the management group sees, as (object_type, object_id).
async fn found(app: &TestApp, lg: &str, rule: &str) -> BTreeSet<(String, i64)> {
    let reply = app
        .get(
            &format!("/api/v1/reports/governance?rule={rule}&limit=500"),
            Some(lg),
        )
        .await
        .expect(200);
    reply.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|f| {
            assert_eq!(f["rule"], rule, "{f}");
            (
                f["object_type"].as_str().unwrap_or_default().to_string(),
                f["object_id"].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}

fn one(object_type: &str, id: i64) -> BTreeSet<(String, i64)> {
    BTreeSet::from([(object_type.to_string(), id)])
}

fn none() -> BTreeSet<(String, i64)> {
    BTreeSet::new()
}

/// A timestamp `days` ago, as both databases take it in SQL.
fn ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::TimeDelta::days(days))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

pub async fn every_rule_is_found_and_repaired(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena@sunet.se", &["management_group"]);
    let tove = token("tove@sunet.se", &[]);
    let frida = token("frida@sunet.se", &[]);
    let karin = token("karin@sunet.se", &["controller"]);

    let natverk = app
        .owned_portfolio(&lg, "natverk", "Nätverkstjänster", "tove@sunet.se")
        .await;
    let eduroam = app
        .service_in_operation(&lg, &tove, "eduroam", natverk)
        .await;

    // A fresh service in operation is missing what the foundation never asked for.
    assert_eq!(found(&app, &lg, "portfolio_without_owner").await, none());
    assert_eq!(found(&app, &lg, "service_without_manager").await, none());
    assert_eq!(
        found(&app, &lg, "support_or_ordering_missing").await,
        one("service", eduroam)
    );
    assert_eq!(
        found(&app, &lg, "security_review_overdue").await,
        one("service", eduroam)
    );
    assert_eq!(
        found(&app, &lg, "documentation_review_overdue").await,
        one("service", eduroam)
    );
    assert_eq!(
        found(&app, &lg, "service_without_supplier_contract").await,
        one("service", eduroam)
    );
    assert_eq!(
        found(&app, &lg, "catalogue_review_overdue").await,
        none(),
        "not published"
    );
    assert_eq!(
        found(&app, &lg, "service_not_self_sustaining").await,
        none(),
        "no costs"
    );
    assert_eq!(
        found(&app, &lg, "plan_missing").await,
        none(),
        "made after the deadline"
    );

    // portfolio_without_owner
    let tomt = app.create_portfolio(&lg, "tomt", "Tom portfölj").await;
    assert_eq!(
        found(&app, &lg, "portfolio_without_owner").await,
        one("portfolio", tomt)
    );
    let report = app
        .get(
            "/api/v1/reports/governance?rule=portfolio_without_owner",
            Some(&lg),
        )
        .await
        .expect(200);
    let finding = &report.body["results"][0];
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["guideline"], "2");
    assert_eq!(finding["object_slug"], "tomt");
    assert_eq!(finding["portfolio_slug"], "tomt");
    assert_eq!(
        finding["message_sv"],
        "Tjänsteportföljen Tom portfölj saknar tjänsteägare (TÄ)."
    );
    assert_eq!(finding["since"], day(0));
    app.assign(
        &lg,
        json!({"subject": "olle@sunet.se", "role": "service_owner", "portfolio_id": tomt}),
    )
    .await
    .expect(201);
    assert_eq!(found(&app, &lg, "portfolio_without_owner").await, none());

    // service_without_manager: the API keeps the last TJF; an import does not.
    app.sql(&format!(
        "UPDATE role_assignments SET ended_at = '{}', ended_by = 'import' WHERE service_id = {eduroam} AND role = 'service_manager'",
        ago(0)
    ));
    assert_eq!(
        found(&app, &lg, "service_without_manager").await,
        one("service", eduroam)
    );
    let frida_tjf = app
        .assign(
            &tove,
            json!({"subject": "frida@sunet.se", "role": "service_manager", "service_id": eduroam}),
        )
        .await
        .expect(201)
        .id();
    assert_eq!(found(&app, &lg, "service_without_manager").await, none());

    // support_or_ordering_missing and documentation_review_overdue: the TJF's own fields.
    let service_path = format!("/api/v1/services/{eduroam}");
    app.patch(
        &service_path,
        Some(&frida),
        json!({"support_process_established": true}),
    )
    .await
    .expect(200);
    assert_eq!(
        found(&app, &lg, "support_or_ordering_missing").await,
        one("service", eduroam),
        "no ordering routine yet"
    );
    app.patch(
        &service_path,
        Some(&frida),
        json!({"ordering_routine": "Beställs av organisationens kontaktperson via Sunets portal."}),
    )
    .await
    .expect(200);
    assert_eq!(
        found(&app, &lg, "support_or_ordering_missing").await,
        none()
    );
    let patched = app
        .patch(
            &service_path,
            Some(&frida),
            json!({"documentation_url": "https://wiki.sunet.se/display/eduroam"}),
        )
        .await
        .expect(200);
    assert!(
        patched.body["documentation_reviewed_at"].is_string(),
        "{}",
        patched.body
    );
    assert_eq!(
        found(&app, &lg, "documentation_review_overdue").await,
        none()
    );
    app.sql(&format!(
        "UPDATE services SET documentation_reviewed_at = '{}' WHERE id = {eduroam}",
        ago(400)
    ));
    assert_eq!(
        found(&app, &lg, "documentation_review_overdue").await,
        one("service", eduroam)
    );
    let tomorrow = (chrono::Utc::now() + chrono::TimeDelta::days(1)).to_rfc3339();
    app.patch(
        &service_path,
        Some(&frida),
        json!({"documentation_reviewed_at": tomorrow}),
    )
    .await
    .expect(422);
    app.patch(
        &service_path,
        Some(&frida),
        json!({"documentation_reviewed_at": chrono::Utc::now().to_rfc3339()}),
    )
    .await
    .expect(200);
    assert_eq!(
        found(&app, &lg, "documentation_review_overdue").await,
        none()
    );

    // security_review_overdue: classified by the TÄ (a TJF may not), then a review grows old.
    let classification = json!({"security_classification": {"confidentiality": 2, "integrity": 3, "availability": 3}});
    app.patch(&service_path, Some(&frida), classification.clone())
        .await
        .expect(403);
    let classified = app
        .patch(&service_path, Some(&tove), classification)
        .await
        .expect(200);
    assert_eq!(classified.body["security_classification"]["integrity"], 3);
    assert_eq!(found(&app, &lg, "security_review_overdue").await, none());
    app.patch(&service_path, Some(&tove), json!({"security_classification": {"confidentiality": 5, "integrity": 3, "availability": 3}}))
        .await
        .expect(400);
    app.sql(&format!(
        "UPDATE services SET security_reviewed_at = '{}' WHERE id = {eduroam}",
        ago(400)
    ));
    assert_eq!(
        found(&app, &lg, "security_review_overdue").await,
        one("service", eduroam)
    );
    app.patch(
        &service_path,
        Some(&tove),
        json!({"security_reviewed_at": chrono::Utc::now().to_rfc3339()}),
    )
    .await
    .expect(200);
    assert_eq!(found(&app, &lg, "security_review_overdue").await, none());

    // catalogue_review_overdue: published text, reviewed more than a year ago.
    app.patch(&service_path, Some(&tove), json!({"published": true, "catalog_text": "Trådlöst nätverk för forskning och utbildning."}))
        .await
        .expect(200);
    assert_eq!(found(&app, &lg, "catalogue_review_overdue").await, none());
    app.sql(&format!(
        "UPDATE services SET catalog_reviewed_at = '{}' WHERE id = {eduroam}",
        ago(400)
    ));
    assert_eq!(
        found(&app, &lg, "catalogue_review_overdue").await,
        one("service", eduroam)
    );
    let kom = token("kim@sunet.se", &["communicator"]);
    app.patch(
        &service_path,
        Some(&kom),
        json!({"catalog_reviewed_at": chrono::Utc::now().to_rfc3339()}),
    )
    .await
    .expect(200);
    assert_eq!(found(&app, &lg, "catalogue_review_overdue").await, none());

    // service_without_supplier_contract, contract_notice_due, service_not_self_sustaining.
    let supplier = app
        .post("/api/v1/organizations", Some(&karin), json!({"slug": "radius-leverantoren", "name": "Radiusleverantören AB", "kind": "supplier", "org_number": "556000-4615"}))
        .await
        .expect(201)
        .id();
    let supplier_contract = app
        .post("/api/v1/contracts", Some(&karin), json!({
            "kind": "supplier", "organization_id": supplier, "title": "Drift av RADIUS", "reference": "LEV-2026-7",
            "start_date": day(-30), "end_date": day(60), "renewal": "none", "notice_period_months": 1,
            "annual_value": {"amount": "120000.00", "currency": "SEK"},
            "services": [{"service_id": eduroam, "share_percent": 100}]
        }))
        .await
        .expect(201)
        .id();
    assert_eq!(
        found(&app, &lg, "service_without_supplier_contract").await,
        none()
    );
    assert_eq!(
        found(&app, &lg, "contract_notice_due").await,
        one("contract", supplier_contract)
    );
    assert_eq!(
        found(&app, &lg, "service_not_self_sustaining").await,
        one("service", eduroam)
    );
    app.patch(
        &format!("/api/v1/contracts/{supplier_contract}"),
        Some(&karin),
        json!({"end_date": day(400)}),
    )
    .await
    .expect(200);
    assert_eq!(found(&app, &lg, "contract_notice_due").await, none());

    // delivery_without_contract, then the customer contract that also pays for the service.
    let customer = app
        .post("/api/v1/organizations", Some(&karin), json!({"slug": "uppsala-universitet", "name": "Uppsala universitet", "kind": "customer", "org_number": "202100-2932"}))
        .await
        .expect(201)
        .id();
    let delivery = app
        .post(
            "/api/v1/deliveries",
            Some(&karin),
            json!({"service_id": eduroam, "organization_id": customer, "start_date": day(-10)}),
        )
        .await
        .expect(201)
        .id();
    assert_eq!(
        found(&app, &lg, "delivery_without_contract").await,
        one("delivery", delivery)
    );
    let customer_contract = app
        .post("/api/v1/contracts", Some(&karin), json!({
            "kind": "customer", "organization_id": customer, "title": "Anslutning eduroam", "reference": "UU 2024-0012",
            "start_date": day(-800), "renewal": "none", "notice_period_months": 3,
            "annual_value": {"amount": "10000000.00", "currency": "SEK"},
            "services": [{"service_id": eduroam, "share_percent": 100}]
        }))
        .await
        .expect(201)
        .id();
    app.patch(
        &format!("/api/v1/deliveries/{delivery}"),
        Some(&karin),
        json!({"contract_id": customer_contract}),
    )
    .await
    .expect(200);
    assert_eq!(found(&app, &lg, "delivery_without_contract").await, none());
    assert_eq!(
        found(&app, &lg, "service_not_self_sustaining").await,
        none()
    );

    // plan_missing: a portfolio older than this year's deadline without an approved plan.
    app.sql(&format!(
        "UPDATE portfolios SET created_at = '2020-01-01 00:00:00' WHERE id = {natverk}"
    ));
    assert_eq!(
        found(&app, &lg, "plan_missing").await,
        one("portfolio", natverk)
    );
    let year = chrono::Utc::now().format("%Y").to_string();
    app.put(
        &format!("/api/v1/portfolios/{natverk}/budget-frames/{year}"),
        Some(&lg),
        json!({"amount": {"amount": "1000000.00", "currency": "SEK"}}),
    )
    .await
    .expect(201);
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&frida),
            json!({"portfolio_id": natverk, "year": year.parse::<i64>().unwrap_or(2026)}),
        )
        .await
        .expect(201)
        .id();
    let item = app
        .post(&format!("/api/v1/plans/{plan}/items"), Some(&frida), json!({"title": "Byte av RADIUS-servrar", "planned_cost": {"amount": "200000.00", "currency": "SEK"}, "service_id": eduroam, "category": "development"}))
        .await
        .expect(201)
        .id();
    app.act(&format!("/api/v1/plans/{plan}/submit"), Some(&frida))
        .await
        .expect(200);
    assert_eq!(
        found(&app, &lg, "plan_missing").await,
        one("portfolio", natverk),
        "submitted is not approved"
    );
    app.act(&format!("/api/v1/plans/{plan}/approve"), Some(&tove))
        .await
        .expect(200);
    assert_eq!(found(&app, &lg, "plan_missing").await, none());

    // plan_deviation: actual cost above plan, then corrected.
    let item_path = format!("/api/v1/plans/{plan}/items/{item}");
    app.patch(
        &item_path,
        Some(&frida),
        json!({"actual_cost": {"amount": "250000.00", "currency": "SEK"}}),
    )
    .await
    .expect(200);
    assert_eq!(found(&app, &lg, "plan_deviation").await, one("plan", plan));
    app.patch(
        &item_path,
        Some(&frida),
        json!({"actual_cost": {"amount": "150000.00", "currency": "SEK"}}),
    )
    .await
    .expect(200);
    assert_eq!(found(&app, &lg, "plan_deviation").await, none());

    // change_request_waiting: submitted 40 days ago and never assessed.
    let request = app
        .post(
            "/api/v1/change-requests",
            Some(&token("per@sunet.se", &[])),
            json!({"service_id": eduroam, "title": "Stöd för WPA3-Enterprise"}),
        )
        .await
        .expect(201)
        .id();
    assert_eq!(found(&app, &lg, "change_request_waiting").await, none());
    app.sql(&format!(
        "UPDATE change_requests SET created_at = '{}' WHERE id = {request}",
        ago(40)
    ));
    assert_eq!(
        found(&app, &lg, "change_request_waiting").await,
        one("change_request", request)
    );
    app.post(&format!("/api/v1/change-requests/{request}/assessment"), Some(&frida), json!({"priority": "high", "recommendation": "approve", "estimated_cost": {"amount": "50000.00", "currency": "SEK"}}))
        .await
        .expect(200);
    assert_eq!(found(&app, &lg, "change_request_waiting").await, none());

    // assignment_not_accepted: appointed 20 days ago, then accepted by the appointee.
    assert_eq!(found(&app, &lg, "assignment_not_accepted").await, none());
    app.sql(&format!(
        "UPDATE role_assignments SET created_at = '{}' WHERE id = {frida_tjf}",
        ago(20)
    ));
    assert_eq!(
        found(&app, &lg, "assignment_not_accepted").await,
        one("role_assignment", frida_tjf)
    );
    app.act(
        &format!("/api/v1/role-assignments/{frida_tjf}/accept"),
        Some(&frida),
    )
    .await
    .expect(200);
    assert_eq!(found(&app, &lg, "assignment_not_accepted").await, none());

    // self_produced: a service Sunet runs itself needs no supplier contract.
    let box_service = app
        .service_in_operation(&lg, &tove, "sunet-box", natverk)
        .await;
    assert_eq!(
        found(&app, &lg, "service_without_supplier_contract").await,
        one("service", box_service)
    );
    app.patch(
        &format!("/api/v1/services/{box_service}"),
        Some(&tove),
        json!({"self_produced": true}),
    )
    .await
    .expect(200);
    assert_eq!(
        found(&app, &lg, "service_without_supplier_contract").await,
        none()
    );

    // Totals, filters and the other formats.
    let all = app
        .get("/api/v1/reports/governance?limit=500", Some(&lg))
        .await
        .expect(200);
    let rules: Vec<&str> = all.body["totals"]["rules"]
        .as_array()
        .expect("totals")
        .iter()
        .map(|t| t["rule"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(rules.len(), 24, "every rule, with zeros");
    let sum: i64 = all.body["totals"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["findings"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(sum, all.body["count"].as_i64().unwrap());
    let errors = app
        .get("/api/v1/reports/governance?severity=error", Some(&lg))
        .await
        .expect(200);
    assert_eq!(errors.body["count"], 0, "{}", errors.body);
    let of_tomt = app
        .get("/api/v1/reports/governance?portfolio=tomt", Some(&lg))
        .await
        .expect(200);
    assert_eq!(of_tomt.body["count"], 0, "{}", of_tomt.body);
    let unknown = app
        .get("/api/v1/reports/governance?portfolio=finns-inte", Some(&lg))
        .await
        .expect(200);
    assert_eq!(unknown.body["count"], 0);
    let csv = app
        .send(
            "GET",
            "/api/v1/reports/governance",
            Some(&lg),
            None,
            &[("Accept", "text/csv")],
        )
        .await;
    assert_eq!(csv.status, 200);
    let markdown = app
        .send(
            "GET",
            "/api/v1/reports/governance",
            Some(&lg),
            None,
            &[("Accept", "text/markdown")],
        )
        .await;
    assert_eq!(markdown.status, 200);
}

pub async fn findings_and_economics_keep_to_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena@sunet.se", &["management_group"]);
    let tove = token("tove@sunet.se", &[]);
    let olle = token("olle@sunet.se", &[]);
    let natverk = app
        .owned_portfolio(&lg, "natverk", "Nätverkstjänster", "tove@sunet.se")
        .await;
    let samarbete = app
        .owned_portfolio(&lg, "samarbete", "Samarbetstjänster", "olle@sunet.se")
        .await;
    let eduroam = app
        .service_in_operation(&lg, &tove, "eduroam", natverk)
        .await;
    let filesender = app
        .service_in_operation(&lg, &olle, "filesender", samarbete)
        .await;

    let slugs = |reply: &Value| -> BTreeSet<String> {
        reply["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter_map(|f| f["portfolio_slug"].as_str().map(str::to_string))
            .collect()
    };
    let everything = app
        .get("/api/v1/reports/governance?limit=500", Some(&lg))
        .await
        .expect(200);
    assert_eq!(
        slugs(&everything.body),
        BTreeSet::from(["natverk".to_string(), "samarbete".to_string()])
    );
    let toves = app
        .get("/api/v1/reports/governance?limit=500", Some(&tove))
        .await
        .expect(200);
    assert_eq!(slugs(&toves.body), BTreeSet::from(["natverk".to_string()]));
    assert!(toves.body["count"].as_i64().unwrap() > 0);
    // The scoped queries (narrowed to the TÄ's own services and portfolios) find what the
    // management group's find there: the TJF and the TÄ are there, a supplier contract is not.
    let of_rule = |reply: &Value, rule: &str| {
        reply["totals"]["rules"]
            .as_array()
            .expect("totals")
            .iter()
            .find(|t| t["rule"] == rule)
            .map(|t| t["findings"].clone())
    };
    for (rule, expected) in [
        ("service_without_manager", 0),
        ("portfolio_without_owner", 0),
        ("service_without_supplier_contract", 1),
        ("support_or_ordering_missing", 1),
    ] {
        assert_eq!(of_rule(&toves.body, rule), Some(json!(expected)), "{rule}");
    }
    let ka = token("kalle@sunet.se", &["account_manager"]);
    app.get("/api/v1/reports/governance", Some(&ka))
        .await
        .expect(200);
    let tjf = token("tjf-eduroam@sunet.se", &[]);
    app.get("/api/v1/reports/governance", Some(&tjf))
        .await
        .expect(403);
    app.get("/api/v1/reports/governance/rules", Some(&tjf))
        .await
        .expect(200);

    let year = chrono::Utc::now().format("%Y").to_string();
    let ids = |reply: &Value| -> BTreeSet<i64> {
        reply["services"]
            .as_array()
            .expect("services")
            .iter()
            .filter_map(|s| s["service_id"].as_i64())
            .collect()
    };
    let all = app
        .get(&format!("/api/v1/reports/economics?year={year}"), Some(&lg))
        .await
        .expect(200);
    assert_eq!(ids(&all.body), BTreeSet::from([eduroam, filesender]));
    let own = app
        .get(
            &format!("/api/v1/reports/economics?year={year}"),
            Some(&tove),
        )
        .await
        .expect(200);
    assert_eq!(ids(&own.body), BTreeSet::from([eduroam]));
    app.get(&format!("/api/v1/reports/economics?year={year}"), Some(&ka))
        .await
        .expect(403);
    app.get(
        &format!("/api/v1/reports/economics?year={year}"),
        Some(&tjf),
    )
    .await
    .expect(403);
}

/// The economics of 2025, written out to the öre: pro rata, shares, a rate, a missing rate,
/// and the plan's unassigned activity spread evenly.
pub async fn economics_are_exact_to_the_ore(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena@sunet.se", &["management_group"]);
    let tove = token("tove@sunet.se", &[]);
    let karin = token("karin@sunet.se", &["controller"]);
    let frida = token("tjf-alfa@sunet.se", &[]);
    let portfolio = app
        .owned_portfolio(&lg, "berakning", "Beräkningstjänster", "tove@sunet.se")
        .await;
    let alfa = app
        .service_in_operation(&lg, &tove, "alfa", portfolio)
        .await;
    let beta = app.established_service(&lg, "beta", portfolio).await;
    assert!(alfa < beta);

    let org = |slug: &str, kind: &str, number: &str| json!({"slug": slug, "name": slug, "kind": kind, "org_number": number});
    let customer = app
        .post(
            "/api/v1/organizations",
            Some(&karin),
            org("lunds-universitet", "customer", "202100-3211"),
        )
        .await
        .expect(201)
        .id();
    let supplier = app
        .post(
            "/api/v1/organizations",
            Some(&karin),
            org("europeisk-leverantor", "supplier", "556000-4615"),
        )
        .await
        .expect(201)
        .id();
    let contract = |kind: &str,
                    organization: i64,
                    start: &str,
                    end: Option<&str>,
                    amount: &str,
                    currency: &str,
                    services: Value| {
        json!({
            "kind": kind, "organization_id": organization, "title": format!("{kind} {amount} {currency}"),
            "reference": format!("AVT-{start}-{currency}"),
            "start_date": start, "end_date": end, "renewal": "none", "notice_period_months": 0,
            "annual_value": {"amount": amount, "currency": currency}, "services": services
        })
    };
    // 120 000 kr a year from 1 July 2025 (184 of 365 days), 70 % alfa, 30 % beta.
    app.post("/api/v1/contracts", Some(&karin), contract("customer", customer, "2025-07-01", None, "120000.00", "SEK",
        json!([{"service_id": alfa, "share_percent": 70}, {"service_id": beta, "share_percent": 30}])))
        .await.expect(201);
    // 10 000 EUR a year, ended 31 March 2025 (90 days of 2025), alfa.
    app.post(
        "/api/v1/contracts",
        Some(&karin),
        contract(
            "supplier",
            supplier,
            "2024-01-01",
            Some("2025-03-31"),
            "10000.00",
            "EUR",
            json!([{"service_id": alfa, "share_percent": 100}]),
        ),
    )
    .await
    .expect(201);
    // 1 000 USD a year for beta: no USD rate is recorded for 2025.
    app.post(
        "/api/v1/contracts",
        Some(&karin),
        contract(
            "supplier",
            supplier,
            "2025-01-01",
            None,
            "1000.00",
            "USD",
            json!([{"service_id": beta, "share_percent": 100}]),
        ),
    )
    .await
    .expect(201);
    app.put(
        "/api/v1/exchange-rates/EUR/2025",
        Some(&tove),
        json!({"sek_per_unit": "11.4250"}),
    )
    .await
    .expect(403);
    let rate = app
        .send(
            "PUT",
            "/api/v1/exchange-rates/EUR/2025",
            Some(&karin),
            Some(json!({"sek_per_unit": "11.4250", "note": "Riksbanken, årsgenomsnitt"})),
            &[],
        )
        .await
        .expect(201);
    assert_eq!(rate.body["sek_per_unit"], "11.425");
    // Not the document's form (400), well-formed but no rate (422), SEK itself (404).
    for (currency, rate, status) in [
        ("EUR", "11,4", 400),
        ("EUR", "0.000000", 422),
        ("SEK", "1", 404),
    ] {
        app.put(
            &format!("/api/v1/exchange-rates/{currency}/2025"),
            Some(&karin),
            json!({ "sek_per_unit": rate }),
        )
        .await
        .expect(status);
    }
    app.get("/api/v1/exchange-rates?year=2025", Some(&frida))
        .await
        .expect(200);

    // The 2025 plan: 10 000.00 for alfa, 1 000.01 unassigned (alfa 500.01, beta 500.00).
    app.put(
        &format!("/api/v1/portfolios/{portfolio}/budget-frames/2025"),
        Some(&lg),
        json!({"amount": {"amount": "50000.00", "currency": "SEK"}}),
    )
    .await
    .expect(201);
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&frida),
            json!({"portfolio_id": portfolio, "year": 2025}),
        )
        .await
        .expect(201)
        .id();
    for body in [
        json!({"title": "Uppgradering", "planned_cost": {"amount": "10000.00", "currency": "SEK"}, "service_id": alfa, "category": "development"}),
        json!({"title": "Gemensam förvaltning", "planned_cost": {"amount": "1000.01", "currency": "SEK"}, "category": "maintenance"}),
    ] {
        app.post(&format!("/api/v1/plans/{plan}/items"), Some(&frida), body)
            .await
            .expect(201);
    }
    app.act(&format!("/api/v1/plans/{plan}/submit"), Some(&frida))
        .await
        .expect(200);
    app.act(&format!("/api/v1/plans/{plan}/approve"), Some(&tove))
        .await
        .expect(200);

    let report = app
        .get("/api/v1/reports/economics?year=2025", Some(&lg))
        .await
        .expect(200)
        .body;
    let service = |id: i64| {
        report["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service_id"] == id)
            .cloned()
            .expect("the service")
    };
    let amounts = |v: &Value| {
        [
            v["revenue"]["amount"].clone(),
            v["supplier_costs"]["amount"].clone(),
            v["management_costs"]["amount"].clone(),
            v["result"]["amount"].clone(),
        ]
    };
    // alfa: 120 000 × 70 % × 184/365 = 42 345.2054… → 42 345.21; 10 000 EUR × 90/365 × 11.425
    // = 28 171.2328… → 28 171.23; 10 000.00 + 500.01.
    let a = service(alfa);
    assert_eq!(
        amounts(&a),
        [
            json!("42345.21"),
            json!("28171.23"),
            json!("10500.01"),
            json!("3673.97")
        ]
    );
    assert_eq!(a["self_sustaining"], true);
    // beta: 120 000 × 30 % × 184/365 = 18 147.9452… → 18 147.95; the USD contract left out.
    let b = service(beta);
    assert_eq!(
        amounts(&b),
        [
            json!("18147.95"),
            json!("0.00"),
            json!("500.00"),
            json!("17647.95")
        ]
    );
    assert_eq!(b["self_sustaining"], Value::Null);
    assert_eq!(b["missing_rates"], json!(["USD"]));
    let p = &report["portfolios"][0];
    assert_eq!(p["portfolio_slug"], "berakning");
    assert_eq!(
        amounts(p),
        [
            json!("60493.16"),
            json!("28171.23"),
            json!("11000.01"),
            json!("21321.92")
        ]
    );
    assert_eq!(p["self_sustaining"], Value::Null);
    assert_eq!(report["missing_rates"], json!(["USD"]));

    // With the USD rate recorded, beta's cost is counted: 1 000 × 10.50 = 10 500.00.
    app.put(
        "/api/v1/exchange-rates/USD/2025",
        Some(&karin),
        json!({"sek_per_unit": "10.50"}),
    )
    .await
    .expect(201);
    let report = app
        .get("/api/v1/reports/economics?year=2025", Some(&lg))
        .await
        .expect(200)
        .body;
    let b = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_id"] == beta)
        .cloned()
        .unwrap();
    assert_eq!(
        amounts(&b),
        [
            json!("18147.95"),
            json!("10500.00"),
            json!("500.00"),
            json!("7147.95")
        ]
    );
    assert_eq!(b["self_sustaining"], true);
    let csv = app
        .send(
            "GET",
            "/api/v1/reports/economics?year=2025",
            Some(&lg),
            None,
            &[("Accept", "text/csv")],
        )
        .await;
    assert_eq!(csv.status, 200);
}

pub async fn thresholds_come_from_the_configuration(backend: Backend) {
    let config = "[governance]\nchange_request_waiting_days = 7\nplan_deadline = \"11-15\"\n";
    let app = crate::helpers::spawn_app_with(backend, &[], Some(config)).await;
    let someone = token("per@sunet.se", &[]);
    let rules = app
        .get("/api/v1/reports/governance/rules", Some(&someone))
        .await
        .expect(200);
    let rules = rules.body.as_array().expect("rules").clone();
    assert_eq!(rules.len(), 24);
    let rule = |code: &str| {
        rules
            .iter()
            .find(|r| r["code"] == code)
            .cloned()
            .expect(code)
    };
    assert_eq!(
        rule("change_request_waiting")["threshold"],
        json!({"setting": "change_request_waiting_days", "value": "7", "unit": "days"})
    );
    assert_eq!(
        rule("plan_missing")["threshold"],
        json!({"setting": "plan_deadline", "value": "11-15", "unit": "month_day"})
    );
    assert_eq!(rule("contract_notice_due")["threshold"]["value"], "90");
    assert_eq!(rule("portfolio_without_owner")["threshold"], Value::Null);
    assert_eq!(rule("delivery_without_contract")["guideline"], "4.7");
    assert_eq!(rule("service_without_manager")["severity"], "error");
}
