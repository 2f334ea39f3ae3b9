//! Data out (integrators §5): every list of the document answers `Accept: text/csv` with the
//! same filtered rows as its JSON — RFC 4180, UTF-8, a header row — and `?format=csv` alike;
//! the test knows every such list by name, so a new list without CSV fails it.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, token, Backend, TestApp};

/// The CSV document of `path`, asked for by `Accept: text/csv` or (`by_query`) by
/// `format=csv`, checking the answer's type.
async fn csv_text(app: &TestApp, path: &str, bearer: &str, by_query: bool) -> String {
    let request = match by_query {
        true => {
            let joint = if path.contains('?') { '&' } else { '?' };
            app.client.get(app.url(&format!("{path}{joint}format=csv")))
        }
        false => app.client.get(app.url(path)).header("Accept", "text/csv"),
    };
    let response = request.bearer_auth(bearer).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(kind, "text/csv; charset=utf-8", "{path}");
    response.text().await.unwrap()
}

/// The CSV rows of `path` (header first).
async fn csv_rows(app: &TestApp, path: &str, bearer: &str) -> Vec<Vec<String>> {
    let text = csv_text(app, path, bearer, false).await;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("RFC 4180").iter().map(str::to_string).collect())
        .collect()
}

/// The JSON rows of `path`: a list page's `results`, or the array itself.
async fn json_rows(app: &TestApp, path: &str, bearer: &str) -> Vec<Value> {
    let body = app.get(path, Some(bearer)).await.expect(200).body;
    match body {
        Value::Array(items) => items,
        // A list page's results; the economics report's services.
        page => page["results"]
            .as_array()
            .or(page["services"].as_array())
            .cloned()
            .unwrap_or_default(),
    }
}

pub async fn every_list_answers_csv_with_its_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group", "controller"]);
    let owner = token("tove@sunet.se", &[]);
    let natverk = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster, \"kärna\"")
        .await;
    app.assign(
        &lg,
        json!({"subject": "tove@sunet.se", "role": "service_owner", "portfolio_id": natverk}),
    )
    .await
    .expect(201);
    let eduroam = app
        .service_in_operation(&lg, &owner, "eduroam", natverk)
        .await;
    app.propose_service(&lg, "eduid", Some(natverk)).await;
    let customer = app
        .post(
            "/api/v1/organizations",
            Some(&lg),
            json!({"slug": "lunds-universitet", "name": "Lunds universitet", "kind": "customer"}),
        )
        .await
        .expect(201)
        .id();
    let today = chrono::Utc::now().date_naive();
    app.post("/api/v1/deliveries", Some(&lg), json!({"service_id": eduroam, "organization_id": customer, "start_date": today.to_string()}))
        .await
        .expect(201);
    let year = today.format("%Y").to_string().parse::<i32>().unwrap() + 1;
    app.send(
        "PUT",
        &format!("/api/v1/portfolios/natverk/budget-frames/{year}"),
        Some(&lg),
        Some(json!({"amount": {"amount": "950000.00", "currency": "SEK"}})),
        &[],
    )
    .await
    .expect(201);
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&owner),
            json!({"portfolio_id": natverk, "year": year, "summary": "Plan för året"}),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/plans/{plan}/items"), Some(&owner), json!({"title": "Byte av RADIUS-servrar", "planned_cost": {"amount": "600000.00", "currency": "SEK"}}))
        .await
        .expect(201);
    app.post(
        "/api/v1/change-requests",
        Some(&owner),
        json!({"service_id": eduroam, "title": "Stöd för WPA3"}),
    )
    .await
    .expect(201);
    let ka = token("karin.kund@sunet.se", &["account_manager"]);
    let need = app
        .post("/api/v1/needs", Some(&ka), json!({"title": "Eduroam på pendeltåg, \"snart\"", "service_id": eduroam,
            "source": {"channel": "customer_meeting", "organization_id": customer, "date": today.to_string()}}))
        .await
        .expect(201)
        .id();
    let kth = app
        .post(
            "/api/v1/organizations",
            Some(&ka),
            json!({"slug": "kth", "name": "KTH", "kind": "customer"}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/needs/{need}/endorsements"),
        Some(&ka),
        json!({"organization_id": kth}),
    )
    .await
    .expect(201);
    app.post("/api/v1/organizations/lunds-universitet/follow-ups", Some(&ka),
        json!({"date": today.to_string(), "kind": "delivery_review", "service_ids": [eduroam], "satisfaction": 4, "summary": "Nöjda, men vill ha täckning i Ångström"}))
        .await
        .expect(201);
    let hook = app
        .post("/api/v1/webhooks", Some(&lg), json!({"url": "http://127.0.0.1:9/krok", "secret": "exportens-hemlighet-01", "event_types": ["plan.*"], "active": false}))
        .await
        .expect(201)
        .id();

    // The IT environment: eduroam rests on RADIUS, which rests on the backbone.
    for (slug, name, kind) in [
        ("stamnat", "Sunets stamnät, \"kärnan\"", "network"),
        ("radius", "RADIUS", "infrastructure"),
    ] {
        app.post("/api/v1/information-systems", Some(&lg), json!({"slug": slug, "name": name, "kind": kind, "lifecycle": "in_use", "hosting": "sunet",
            "external_refs": [{"system": "netbox", "ref": format!("dcim/devices/{slug}")}]}))
            .await
            .expect(201);
    }
    app.post(
        "/api/v1/information-systems/radius/dependencies",
        Some(&lg),
        json!({"depends_on_id": 1}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/services/eduroam/dependencies",
        Some(&owner),
        json!({"information_system_id": 2, "criticality": "critical"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/architecture/reviews",
        Some(&lg),
        json!({"note": "LG § 4"}),
    )
    .await
    .expect(201);

    app.send(
        "PUT",
        "/api/v1/exchange-rates/EUR/2026",
        Some(&lg),
        Some(json!({"sek_per_unit": "11.4250", "note": "Riksbanken, årsgenomsnitt"})),
        &[],
    )
    .await
    .expect(201);

    // Every list, some filtered; (path, the JSON field the first column holds).
    let lists: Vec<(String, &str)> = vec![
        ("/api/v1/portfolios".into(), "id"),
        ("/api/v1/services".into(), "id"),
        ("/api/v1/services?lifecycle=in_operation".into(), "id"),
        ("/api/v1/people".into(), "id"),
        ("/api/v1/role-assignments".into(), "id"),
        ("/api/v1/organizations".into(), "id"),
        ("/api/v1/contracts".into(), "id"),
        ("/api/v1/deliveries".into(), "id"),
        ("/api/v1/reports/contract-coverage".into(), "delivery_id"),
        ("/api/v1/portfolios/natverk/budget-frames".into(), "id"),
        ("/api/v1/plans".into(), "id"),
        (format!("/api/v1/plans/{plan}/items"), "id"),
        (format!("/api/v1/plans/{plan}/versions"), "revision"),
        ("/api/v1/change-requests".into(), "id"),
        ("/api/v1/needs".into(), "id"),
        ("/api/v1/needs?ordering=-endorsement_count".into(), "id"),
        (format!("/api/v1/needs/{need}/endorsements"), "id"),
        ("/api/v1/follow-ups".into(), "id"),
        (
            "/api/v1/organizations/lunds-universitet/follow-ups".into(),
            "id",
        ),
        ("/api/v1/information-systems".into(), "id"),
        ("/api/v1/information-systems?used_by=eduroam".into(), "id"),
        (
            "/api/v1/information-systems/radius/dependencies".into(),
            "id",
        ),
        (
            "/api/v1/information-systems/stamnat/impact".into(),
            "service.id",
        ),
        ("/api/v1/services/eduroam/dependencies".into(), "id"),
        (
            "/api/v1/services/eduroam/dependencies?transitive=true".into(),
            "information_system.id",
        ),
        ("/api/v1/architecture/reviews".into(), "id"),
        ("/api/v1/catalog".into(), "slug"),
        ("/api/v1/roles".into(), "code"),
        ("/api/v1/governance-model/versions".into(), "sha256"),
        ("/api/v1/audit-events".into(), "id"),
        ("/api/v1/audit-events?object_type=service".into(), "id"),
        ("/api/v1/events".into(), "id"),
        ("/api/v1/events?type=service.*".into(), "id"),
        ("/api/v1/webhooks".into(), "id"),
        (format!("/api/v1/webhooks/{hook}/deliveries"), "id"),
        ("/api/v1/exchange-rates".into(), "id"),
        ("/api/v1/reports/governance".into(), "rule"),
        ("/api/v1/reports/governance?severity=warning".into(), "rule"),
        ("/api/v1/reports/governance/rules".into(), "code"),
        (
            format!("/api/v1/reports/economics?year={year}"),
            "service_id",
        ),
    ];
    for (path, key) in &lists {
        // `Accept: text/csv` and `?format=csv` are the same request.
        assert_eq!(
            csv_text(&app, path, &lg, true).await,
            csv_text(&app, path, &lg, false).await,
            "{path}"
        );
        let csv = csv_rows(&app, path, &lg).await;
        let json = json_rows(&app, path, &lg).await;
        let (header, rows) = csv.split_first().expect("a header row");
        // A nested member (`service.id`) is the flat column `service_id`.
        assert_eq!(header[0], key.replace('.', "_"), "{path}: {header:?}");
        assert_eq!(rows.len(), json.len(), "{path}: {csv:?}");
        let firsts: Vec<String> = json
            .iter()
            .map(
                |row| match key.split('.').fold(row, |value, member| &value[member]) {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            )
            .collect();
        let cells: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(cells, firsts, "{path}");
    }
    // Quotes, commas and å, ä, ö survive the round trip.
    let portfolios = csv_rows(&app, "/api/v1/portfolios", &lg).await;
    let name = portfolios[0].iter().position(|h| h == "name").unwrap();
    assert_eq!(portfolios[1][name], "Nätverkstjänster, \"kärna\"");

    // A name a spreadsheet would run as a formula is opened as text (a leading quote); plain
    // numbers, negative ones too, stay numbers.
    app.post(
        "/api/v1/organizations",
        Some(&lg),
        json!({"slug": "formel", "name": "=cmd|' /C calc'!A0", "kind": "customer"}),
    )
    .await
    .expect(201);
    let organizations = csv_rows(&app, "/api/v1/organizations?q=formel", &lg).await;
    let name = organizations[0].iter().position(|h| h == "name").unwrap();
    assert_eq!(organizations[1][name], "'=cmd|' /C calc'!A0");

    // The document names exactly these lists as answering CSV.
    let document = app.get("/api/v1/openapi.json", None).await.expect(200).body;
    let mut documented: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, item)| item["get"]["responses"]["200"]["content"]["text/csv"].is_object())
        .map(|(path, _)| path.clone())
        .collect();
    documented.sort();
    let mut tested: Vec<String> = lists
        .iter()
        .map(|(p, _)| {
            let path = p.split('?').next().unwrap().to_string();
            path.replace(&format!("/plans/{plan}/"), "/plans/{id}/")
                .replace(&format!("/webhooks/{hook}/"), "/webhooks/{id}/")
                .replace(&format!("/needs/{need}/"), "/needs/{id}/")
                .replace(
                    "/organizations/lunds-universitet/",
                    "/organizations/{organization}/",
                )
                .replace("/portfolios/natverk/", "/portfolios/{portfolio}/")
                .replace("/services/eduroam/", "/services/{service}/")
                .replace(
                    "/information-systems/radius/",
                    "/information-systems/{system}/",
                )
                .replace(
                    "/information-systems/stamnat/",
                    "/information-systems/{system}/",
                )
        })
        .collect();
    tested.sort();
    tested.dedup();
    assert_eq!(tested, documented);
    // And every one of them documents `format`.
    for path in &documented {
        let parameters = document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap();
        assert!(
            parameters.iter().any(|p| p["name"] == "format"),
            "{path} does not document format"
        );
    }
}
