//! Onboarding (docs/imports.md): a register kept in a spreadsheet comes in through
//! `POST /api/v1/imports` in one call — dry run first — every row by the rules of its own
//! operation, all or nothing; a re-import of the same file costs nothing; the export goes
//! back out equal.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, token, Backend, Reply, TestApp};

/// Sends `body` as a file of `kind` (`query` adds e.g. `&dry_run=true`).
pub async fn import(
    app: &TestApp,
    bearer: &str,
    kind: &str,
    query: &str,
    content_type: &str,
    body: &str,
) -> Reply {
    let path = format!("/api/v1/imports?kind={kind}{query}");
    app.post_text(&path, bearer, content_type, body).await
}

/// Sends `file` as a JSON file of `kind`.
pub async fn import_json(app: &TestApp, bearer: &str, kind: &str, file: &Value) -> Reply {
    import(app, bearer, kind, "", "application/json", &file.to_string()).await
}

/// Each error of a refused import: its row and field.
pub fn rows_and_fields(refused: &Reply) -> Vec<(i64, String)> {
    refused.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The rows a refused import names, once each.
pub fn refused_rows(refused: &Reply) -> Vec<i64> {
    let mut rows: Vec<i64> = rows_and_fields(refused)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    rows.dedup();
    rows
}

/// The CSV export of `path`.
pub async fn export(app: &TestApp, path: &str, bearer: &str) -> String {
    let response = app
        .client
        .get(app.url(path))
        .header("Accept", "text/csv")
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// The rows of a CSV export without the columns that differ between databases (ids, versions,
/// the times of the writes, and who made them: an import's writes are the importer's).
pub fn comparable(csv_text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let header = rows[0].clone();
    let kept: Vec<usize> = (0..header.len())
        .filter(|&i| {
            !matches!(
                header[i].as_str(),
                "id" | "version"
                    | "created_at"
                    | "updated_at"
                    | "lifecycle_changed_at"
                    | "ended_at"
                    | "retired_at"
                    | "decided_at"
                    | "created_by"
                    | "ended_by"
            ) && !header[i].ends_with("_id")
                && !header[i].ends_with("_ids")
        })
        .collect();
    let mut body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| kept.iter().map(|&i| r[i].clone()).collect())
        .collect();
    body[1..].sort();
    body
}

/// A portfolio with Tove as TÄ, eduroam and SWAMID in operation, Sunet Drive proposed.
pub async fn sunet(app: &TestApp, lg: &str) {
    let natverk = app
        .owned_portfolio(lg, "natverk", "Nätverkstjänster", "tove@sunet.se")
        .await;
    let tove = token("tove@sunet.se", &[]);
    app.service_in_operation(lg, &tove, "eduroam", natverk)
        .await;
    app.service_in_operation(lg, &tove, "swamid", natverk).await;
    let samarbete = app
        .create_portfolio(lg, "samarbete", "Samarbetstjänster")
        .await;
    app.propose_service(lg, "sunet-drive", Some(samarbete))
        .await;
}

pub const ORGANIZATIONS: &str = "slug,name,kind,org_number,contact_name,contact_email,notes\n\
uppsala-universitet,Uppsala universitet,customer,202100-2932,Åsa Öberg,asa.oberg@uu.se,\"Ansluten sedan 1998.\nKontakt via IT-avdelningen.\"\n\
lunds-universitet,'=Lunds universitet,customer,,,,\n\
atea,Atea Sverige AB,supplier,,,,\n";

/// Sunet's contract register as Swedish Excel saves it: BOM, semicolons, CRLF, Swedish text.
pub const REGISTER: &str = "\u{feff}reference;kind;title;organization_slug;services;start_date;end_date;renewal;renewal_term_months;notice_period_months;annual_value_amount;annual_value_currency;terminated_on;termination_reason;responsible\r\n\
UU 2026-001;customer;Anslutning, eduroam och SWAMID;uppsala-universitet;\"eduroam 60%; swamid 40%\";2026-01-01;2026-12-31;automatic;12;3;125000.00;SEK;;;tove@sunet.se\r\n\
LU 2026-002;customer;Anslutningsavtal Lund;lunds-universitet;eduroam:100;2026-02-01;;none;;0;80000.50;SEK;;;\r\n\
ATEA 2025-17;supplier;Drift av RADIUS-servrar;atea;eduroam 100%;2025-01-01;2027-12-31;none;;6;1200000.00;SEK;2026-06-30;\"Ersatt av egen drift.\r\nBeslut LG 2026-05-12.\";\r\n";

pub async fn a_contract_register_comes_in_and_goes_back_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group", "controller"]);
    sunet(&app, &lg).await;
    let orgs = import(&app, &lg, "organizations", "", "text/csv", ORGANIZATIONS)
        .await
        .expect(200);
    assert_eq!(orgs.body["created"], 3, "{}", orgs.body);
    let lund = app
        .get("/api/v1/organizations/lunds-universitet", Some(&lg))
        .await
        .expect(200);
    assert_eq!(
        lund.body["name"], "=Lunds universitet",
        "the spreadsheet's quote is removed"
    );
    let uu = app
        .get("/api/v1/organizations/uppsala-universitet", Some(&lg))
        .await
        .expect(200);
    assert_eq!(uu.body["contact"]["name"], "Åsa Öberg");
    assert_eq!(
        uu.body["notes"],
        "Ansluten sedan 1998.\nKontakt via IT-avdelningen."
    );

    // The dry run says what would happen and writes nothing.
    let dry = import(
        &app,
        &lg,
        "contracts",
        "&dry_run=true",
        "text/csv",
        REGISTER,
    )
    .await
    .expect(200);
    assert_eq!(
        dry.body,
        json!({"id": null, "kind": "contracts", "dry_run": true, "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": []})
    );
    let none = app.get("/api/v1/contracts", Some(&lg)).await.expect(200);
    assert_eq!(none.body["count"], 0);

    let done = import(
        &app,
        &lg,
        "contracts",
        "",
        "text/csv; charset=utf-8",
        REGISTER,
    )
    .await
    .expect(200);
    assert_eq!(done.body["created"], 3, "{}", done.body);
    assert_eq!(done.body["dry_run"], false);
    let import_id = done.id();
    let uu = app
        .get("/api/v1/contracts?q=UU%202026-001", Some(&lg))
        .await
        .expect(200);
    let uu = &uu.body["results"][0];
    assert_eq!(uu["title"], "Anslutning, eduroam och SWAMID");
    assert_eq!(
        uu["annual_value"],
        json!({"amount": "125000.00", "currency": "SEK"})
    );
    assert_eq!(uu["services"].as_array().unwrap().len(), 2);
    assert_eq!(uu["responsible"], json!(["tove@sunet.se"]));
    let atea = app
        .get("/api/v1/contracts?q=ATEA", Some(&lg))
        .await
        .expect(200);
    let atea = &atea.body["results"][0];
    assert_eq!(atea["status"], "terminated");
    assert_eq!(
        atea["termination_reason"],
        "Ersatt av egen drift.\r\nBeslut LG 2026-05-12."
    );

    // Every row audited, with the import's id; the termination as a decision of its own.
    let trail = app
        .get(
            "/api/v1/audit-events?object_type=contract&limit=100",
            Some(&lg),
        )
        .await
        .expect(200);
    let events = trail.body["results"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "contract.create").count(),
        3
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "contract.terminate")
            .count(),
        1
    );
    assert!(
        events.iter().all(|e| e["import_id"] == import_id),
        "{events:#?}"
    );
    let recorded = app
        .get(&format!("/api/v1/imports/{import_id}"), Some(&lg))
        .await
        .expect(200);
    assert_eq!(recorded.body["imported_by"], "lena.ledning@sunet.se");
    assert_eq!(recorded.body["format"], "csv");
    let rows: Vec<i64> = recorded.body["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, [2, 3, 4]);

    // Again, unchanged: nothing written, no audit event for any contract.
    let before = app.audit_count(&lg, "contract").await;
    let again = import(&app, &lg, "contracts", "", "text/csv", REGISTER)
        .await
        .expect(200);
    assert_eq!(
        (
            again.body["unchanged"].as_i64(),
            again.body["created"].as_i64()
        ),
        (Some(3), Some(0))
    );
    assert_eq!(app.audit_count(&lg, "contract").await, before);

    // The export comes back in unchanged, and a changed row is an update.
    let exported = export(&app, "/api/v1/contracts", &lg).await;
    let back = import(&app, &lg, "contracts", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(back.body["unchanged"], 3, "{}", back.body);
    let changed = exported.replace(
        "Anslutningsavtal Lund",
        "Anslutningsavtal Lunds universitet",
    );
    let update = import(&app, &lg, "contracts", "", "text/csv", &changed)
        .await
        .expect(200);
    assert_eq!(
        (
            update.body["updated"].as_i64(),
            update.body["unchanged"].as_i64()
        ),
        (Some(1), Some(2))
    );

    // A row that names another customer: the audit event says who it was made with before.
    let moved = json!([{"reference": "LU 2026-002", "kind": "customer", "title": "Anslutningsavtal Lunds universitet",
        "organization_slug": "uppsala-universitet", "services": [{"service_slug": "eduroam", "share_percent": 100}],
        "start_date": "2026-02-01", "annual_value": {"amount": "80000.50", "currency": "SEK"}}]);
    let reply = import_json(&app, &lg, "contracts", &moved)
        .await
        .expect(200);
    assert_eq!(reply.body["updated"], 1, "{}", reply.body);
    let trail = app
        .get(
            "/api/v1/audit-events?object_type=contract&limit=100",
            Some(&lg),
        )
        .await
        .expect(200);
    let last = trail.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["action"] == "contract.update"
                && e["after"]["organization_slug"] == "uppsala-universitet"
        })
        .cloned()
        .unwrap();
    assert_eq!(
        last["before"]["organization_slug"], "lunds-universitet",
        "{last}"
    );

    // Into an empty database (after its portfolios, organizations and services): equal.
    let other = spawn_app(backend).await;
    sunet(&other, &lg).await;
    let orgs_out = export(&app, "/api/v1/organizations", &lg).await;
    import(&other, &lg, "organizations", "", "text/csv", &orgs_out)
        .await
        .expect(200);
    assert_eq!(
        comparable(&export(&other, "/api/v1/organizations", &lg).await),
        comparable(&orgs_out)
    );
    let contracts_out = export(&app, "/api/v1/contracts", &lg).await;
    import(&other, &lg, "contracts", "", "text/csv", &contracts_out)
        .await
        .expect(200);
    assert_eq!(
        comparable(&export(&other, "/api/v1/contracts", &lg).await),
        comparable(&contracts_out)
    );
}

pub async fn bad_files_are_refused_naming_row_and_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group", "controller"]);
    sunet(&app, &lg).await;
    import(&app, &lg, "organizations", "", "text/csv", ORGANIZATIONS)
        .await
        .expect(200);
    let header = "reference,kind,title,organization_slug,services,start_date,annual_value_amount,annual_value_currency\n";
    let good = "UU 1,customer,Anslutning,uppsala-universitet,eduroam 100%,2026-01-01,100.00,SEK\n";
    let refused = |reply: &Reply| -> Vec<(i64, String)> {
        reply.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", reply.body))
            .iter()
            .map(|e| {
                (
                    e["row"].as_i64().unwrap_or(0),
                    e["field"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // What is wrong, the file, the status, and the (row, column) pairs it must name.
    type Case<'a> = (&'a str, String, u16, Vec<(i64, &'a str)>);
    let cases: Vec<Case> = vec![
        ("an unknown column", header.replace("title", "titel") + good, 422, vec![(1, "titel"), (1, "title")]),
        ("a missing required column", "reference,kind\nUU 1,customer\n".into(), 422, vec![(1, "title"), (1, "organization_slug"), (1, "services"), (1, "start_date"), (1, "annual_value_amount"), (1, "annual_value_currency")]),
        ("a repeated reference", format!("{header}{good}{good}"), 422, vec![(3, "reference")]),
        ("an unknown organization", format!("{header}UU 2,customer,X,okand,eduroam 100%,2026-01-01,1.00,SEK\n"), 422, vec![(2, "organization_slug")]),
        ("an unknown service", format!("{header}UU 2,customer,X,uppsala-universitet,eduroam 50%; eduvpn 50%,2026-01-01,1.00,SEK\n"), 422, vec![(2, "services")]),
        ("a supplier as customer", format!("{header}{good}AT 1,customer,X,atea,eduroam 100%,2026-01-01,1.00,SEK\n"), 422, vec![(3, "organization_slug")]),
        ("shares not summing to 100", format!("{header}UU 2,customer,X,uppsala-universitet,eduroam 60%,2026-01-01,1.00,SEK\n"), 422, vec![(2, "services")]),
        ("a bad date and amount", format!("{header}UU 2,customer,X,uppsala-universitet,eduroam 100%,1 jan,1.001,SEK\n"), 422, vec![(2, "start_date")]),
        ("too many fields", format!("{header}{good}UU 2,customer,X,uppsala-universitet,eduroam 100%,2026-01-01,1.00,SEK,extra\n"), 422, vec![(3, "")]),
    ];
    for (what, file, status, expected) in cases {
        let reply = import(&app, &lg, "contracts", "", "text/csv", &file).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        let named = refused(&reply);
        for (row, field) in &expected {
            assert!(
                named.contains(&(*row, field.to_string())),
                "{what}: {named:?}"
            );
        }
        // A refused row is an import refused with the file's counts; a wrong file is not.
        let row_refused = expected.iter().all(|(row, _)| *row > 1) && what != "too many fields";
        if row_refused {
            assert_eq!(reply.body["type"], "/problems/import-refused", "{what}");
            assert_eq!(reply.body["kind"], "contracts", "{what}");
        }
    }
    for (what, kind, content_type, body) in [
        ("an empty file", "contracts", "text/csv", "\u{feff}\r\n"),
        ("an unknown kind", "spreadsheets", "text/csv", header),
        (
            "neither CSV nor JSON",
            "contracts",
            "application/xml",
            "<contracts/>",
        ),
        (
            "JSON that is no array",
            "contracts",
            "application/json",
            "{\"reference\": \"UU 1\"}",
        ),
    ] {
        let reply = import(&app, &lg, kind, "", content_type, body).await;
        assert!(
            matches!(reply.status, 400 | 422),
            "{what}: {} {}",
            reply.status,
            reply.body
        );
    }
    let latin1 = app
        .client
        .post(app.url("/api/v1/imports?kind=organizations"))
        .bearer_auth(&lg)
        .header("Content-Type", "text/csv")
        .body(b"slug,name,kind\nmalmo,Malm\xf6 universitet,customer\n".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(latin1.status(), 400);
    let problem: Value = latin1.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");

    // A TÄ imports contracts only for their own services: one row outside refuses the file.
    let tove = token("tove@sunet.se", &[]);
    let mixed = format!("{header}UU 3,customer,Eduroam,uppsala-universitet,eduroam 100%,2026-01-01,1.00,SEK\nUU 4,customer,Drive,uppsala-universitet,sunet-drive 100%,2026-01-01,1.00,SEK\n");
    let reply = import(&app, &tove, "contracts", "", "text/csv", &mixed)
        .await
        .expect(422);
    assert_eq!(refused(&reply), [(3, String::new())], "{}", reply.body);
    assert!(reply.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("contract.create"));
    let listed = app.get("/api/v1/contracts", Some(&lg)).await.expect(200);
    assert_eq!(listed.body["count"], 0, "nothing was written");
    let own = format!(
        "{header}UU 3,customer,Eduroam,uppsala-universitet,eduroam 100%,2026-01-01,1.00,SEK\n"
    );
    let done = import(&app, &tove, "contracts", "", "text/csv", &own)
        .await
        .expect(200);

    // What an import did is read by its importer, LG and VU; others do not see it.
    let path = format!("/api/v1/imports/{}", done.id());
    app.get(&path, Some(&tove)).await.expect(200);
    app.get(&path, Some(&lg)).await.expect(200);
    app.get(&path, Some(&token("vu@sunet.se", &["business_developer"])))
        .await
        .expect(200);
    app.get(&path, Some(&token("ka@sunet.se", &["account_manager"])))
        .await
        .expect(404);
}

pub async fn json_files_and_limits(backend: Backend) {
    let app = spawn_app_with(backend, &[], Some("[limits]\nmax_import_bytes = 4096\n")).await;
    let lg = token("lena.ledning@sunet.se", &["management_group", "controller"]);
    let file = json!([
        {"slug": "kth", "name": "Kungliga Tekniska högskolan", "kind": "customer", "contact": {"name": "Örjan Åkesson", "email": "orjan@kth.se"}},
        {"slug": "sunet-leverantor", "name": "Leverantör AB", "kind": "supplier", "id": 17, "version": 3}
    ]);
    let done = import_json(&app, &lg, "organizations", &file)
        .await
        .expect(200);
    assert_eq!(done.body["created"], 2);
    let kth = app
        .get("/api/v1/organizations/kth", Some(&lg))
        .await
        .expect(200);
    assert_eq!(
        kth.body["contact"],
        json!({"name": "Örjan Åkesson", "email": "orjan@kth.se"})
    );
    let changed = json!([{"slug": "kth", "name": "KTH", "kind": "customer"}]);
    let update = import_json(&app, &lg, "organizations", &changed)
        .await
        .expect(200);
    assert_eq!(update.body["updated"], 1);
    let kth = app
        .get("/api/v1/organizations/kth", Some(&lg))
        .await
        .expect(200);
    assert_eq!(
        kth.body["contact"]["name"], "Örjan Åkesson",
        "a field the file leaves out stays"
    );

    let large = format!("slug,name,kind\n{}", "x".repeat(5000));
    import(&app, &lg, "organizations", "", "text/csv", &large)
        .await
        .expect(413);
    let wide_open =
        spawn_app_with(backend, &[], Some("[limits]\nmax_import_bytes = 1048576\n")).await;
    let many: String = (0..10_001)
        .map(|i| format!("o{i},O {i},customer\n"))
        .collect();
    let reply = import(
        &wide_open,
        &lg,
        "organizations",
        "",
        "text/csv",
        &format!("slug,name,kind\n{many}"),
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
}
