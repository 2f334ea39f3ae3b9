//! Importing services (docs/imports.md): a register of services already in operation comes in
//! with its fields and its lifecycle, each step the importer's own recorded decision under the
//! policy that decides it alone; a re-import costs nothing; the export goes back out equal.

use serde_json::json;

use crate::helpers::{findings_of, spawn_app, token, Backend, TestApp};
use crate::imports::{comparable, export, import, import_json, refused_rows};

/// Two portfolios (Tove the TÄ of both) and the system the services rest on.
async fn places(app: &TestApp, lg: &str) {
    app.owned_portfolio(lg, "natverk", "Nätverkstjänster", "tove@sunet.se")
        .await;
    app.owned_portfolio(lg, "samarbete", "Samarbetstjänster", "tove@sunet.se")
        .await;
    app.post(
        "/api/v1/information-systems",
        Some(lg),
        json!({"slug": "radius-plattform", "name": "RADIUS-plattformen", "kind": "infrastructure", "lifecycle": "in_use", "hosting": "sunet"}),
    )
    .await
    .expect(201);
}

/// Sunet's services as a spreadsheet keeps them: in operation, being decommissioned, proposed
/// and turned down, with Swedish text and a classification.
const REGISTER: &str = "\u{feff}slug;name;portfolio_slug;lifecycle;rejection_reason;description;documentation_url;support_process_established;published;catalog_text;self_produced;security_classification;it_assessment_summary;it_assessment_systems\r\n\
eduroam;eduroam;natverk;in_operation;;Trådlös nätverksåtkomst för forskning och utbildning.;https://wiki.sunet.se/eduroam;true;true;Åtkomst till trådlösa nät på lärosäten världen över.;true;2/3/3;\"Körs på RADIUS-plattformen; inga nya system.\";radius-plattform\r\n\
swamid;SWAMID;samarbete;decommissioning;;Identitetsfederation.;;false;false;;false;;Bygger på befintlig federation.;\r\n\
sunet-drive;Sunet Drive;samarbete;proposed;;\"Lagring och delning av filer,\nför lärosäten.\";;false;false;;false;;;\r\n\
gammal-epost;Gammal e-post;;rejected;Ersatt av lärosätenas egna tjänster (LG 2026-03-02).;;;false;false;;false;;;\r\n";

pub async fn a_service_register_comes_in_with_its_decisions(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    places(&app, &lg).await;
    // Tove, the TÄ of both portfolios, also sits in the management group: together the rights
    // each step needs.
    let tove = token("tove@sunet.se", &["management_group"]);
    let dry = import(
        &app,
        &tove,
        "services",
        "&dry_run=true",
        "text/csv",
        REGISTER,
    )
    .await
    .expect(200);
    assert_eq!(
        dry.body,
        json!({"id": null, "kind": "services", "dry_run": true, "rows": 4, "created": 4, "updated": 0, "unchanged": 0, "errors": []})
    );
    let done = import(&app, &tove, "services", "", "text/csv", REGISTER)
        .await
        .expect(200);
    assert_eq!(done.body["created"], 4, "{}", done.body);

    let eduroam = app
        .get("/api/v1/services/eduroam", Some(&lg))
        .await
        .expect(200);
    assert_eq!(eduroam.body["lifecycle"], "in_operation");
    assert_eq!(eduroam.body["portfolio_slug"], "natverk");
    assert_eq!(eduroam.body["security_classification"]["integrity"], 3);
    assert_eq!(
        eduroam.body["it_assessment"]["summary"],
        "Körs på RADIUS-plattformen; inga nya system."
    );
    let drive = app
        .get("/api/v1/services/sunet-drive", Some(&lg))
        .await
        .expect(200);
    assert_eq!(
        drive.body["description"],
        "Lagring och delning av filer,\nför lärosäten."
    );
    let rejected = app
        .get("/api/v1/services/gammal-epost", Some(&lg))
        .await
        .expect(200);
    assert_eq!(rejected.body["lifecycle"], "rejected");
    assert_eq!(
        rejected.body["rejection_reason"],
        "Ersatt av lärosätenas egna tjänster (LG 2026-03-02)."
    );

    // Each decision is audited as Tove's, with the import's id: eduroam proposed, established,
    // put in operation.
    let import_id = done.body["id"].as_i64().unwrap();
    let trail = app
        .get(
            &format!(
                "/api/v1/audit-events?object_type=service&object_id={}",
                eduroam.id()
            ),
            Some(&lg),
        )
        .await
        .expect(200);
    let events = trail.body["results"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{}", trail.body);
    for event in events {
        assert_eq!(event["actor"], "tove@sunet.se");
        assert_eq!(event["import_id"], import_id, "{event}");
    }
    // So does each event (an event shows once the transactions before it have ended).
    let path = format!(
        "/api/v1/events?object_type=service&object_id={}",
        eduroam.id()
    );
    let mut stream = app.get(&path, Some(&lg)).await.expect(200);
    for _ in 0..100 {
        if stream.body["results"].as_array().map_or(0, Vec::len) >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        stream = app.get(&path, Some(&lg)).await.expect(200);
    }
    let events = stream.body["results"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{}", stream.body);
    assert!(
        events.iter().all(|e| e["import_id"] == import_id),
        "{}",
        stream.body
    );

    // Its staff are imported after it: the findings name what it lacks meanwhile.
    let unstaffed = findings_of(&app, &lg, "service_without_manager").await;
    assert!(
        unstaffed.iter().any(|(_, id, _)| *id == eduroam.id()),
        "{unstaffed:?}"
    );

    // Exported, imported into an empty database, exported again: equal.
    let exported = export(&app, "/api/v1/services", &lg).await;
    assert!(exported.contains("natverk"), "{exported}");
    let other = spawn_app(backend).await;
    places(&other, &lg).await;
    import(&other, &tove, "services", "", "text/csv", &exported)
        .await
        .expect(200);
    let again = export(&other, "/api/v1/services", &lg).await;
    assert_eq!(comparable(&again), comparable(&exported));

    // The same file again changes nothing and records nothing but the import.
    let audited = app.audit_count(&lg, "service").await;
    let same = import(&app, &tove, "services", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(same.body["unchanged"], 4, "{}", same.body);
    assert_eq!(app.audit_count(&lg, "service").await, audited);

    // A changed row is an update under the PATCH's rights; a step back is refused.
    let changed = import_json(
        &app,
        &tove,
        "services",
        &json!([
            {"slug": "swamid", "name": "SWAMID", "lifecycle": "decommissioned"},
            {"slug": "eduroam", "name": "eduroam", "lifecycle": "established"}
        ]),
    )
    .await
    .expect(422);
    assert_eq!(
        changed.body["errors"],
        json!([{"row": 2, "field": "lifecycle", "message": "a service cannot go from in_operation to established"}])
    );
    let moved_on = import_json(
        &app,
        &tove,
        "services",
        &json!([{"slug": "swamid", "name": "SWAMID", "lifecycle": "decommissioned", "security_classification": {"confidentiality": 1, "integrity": 2, "availability": 2}}]),
    )
    .await
    .expect(200);
    assert_eq!(moved_on.body["updated"], 1);
    let swamid = app
        .get("/api/v1/services/swamid", Some(&lg))
        .await
        .expect(200);
    assert_eq!(swamid.body["lifecycle"], "decommissioned");
    assert_eq!(swamid.body["security_classification"]["availability"], 2);
}

pub async fn each_step_needs_its_own_right(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    places(&app, &lg).await;
    // Tove, the TÄ, may propose and put in operation, not establish.
    let tove = token("tove@sunet.se", &[]);
    let refused = import(&app, &tove, "services", "", "text/csv", REGISTER)
        .await
        .expect(422);
    let errors = refused.body["errors"].as_array().unwrap();
    let rows = refused_rows(&refused);
    assert_eq!(rows, vec![2, 3, 5], "{}", refused.body);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("service.establish"),
        "{}",
        refused.body
    );
    // Lena alone may establish, not put in operation.
    let refused = import(&app, &lg, "services", "", "text/csv", REGISTER)
        .await
        .expect(422);
    let rows = refused_rows(&refused);
    assert_eq!(rows, vec![2, 3], "{}", refused.body);
    assert_eq!(app.audit_count(&lg, "service").await, 0);

    // An establishment records what was weighed; a rejection why; a system must exist.
    let bad = import_json(
        &app,
        &lg,
        "services",
        &json!([
            {"slug": "eduid", "name": "eduID", "portfolio_slug": "natverk", "lifecycle": "established"},
            {"slug": "fax", "name": "Fax", "lifecycle": "rejected"},
            {"slug": "eduvpn", "name": "eduVPN", "portfolio_slug": "natverk", "lifecycle": "established", "it_assessment_summary": "Ny VPN-plattform.", "it_assessment_systems": ["vpn-kluster"]},
            {"slug": "edugain", "name": "eduGAIN", "portfolio_slug": "okänd", "security_classification": "2/3"}
        ]),
    )
    .await
    .expect(422);
    assert_eq!(
        bad.body["errors"],
        json!([
            {"row": 1, "field": "it_assessment_summary", "message": "is required when establishing a service: what of the IT environment was weighed"},
            {"row": 2, "field": "rejection_reason", "message": "is required when rejecting a proposal"},
            {"row": 3, "field": "it_assessment_systems", "message": "there is no information system vpn-kluster"},
            {"row": 4, "field": "portfolio_slug", "message": "there is no portfolio okänd"},
            {"row": 4, "field": "security_classification", "message": "'2/3' is not a classification K/R/T (three levels 1–4, as 2/3/3)"}
        ])
    );

    // A proposal in a portfolio retired since is not established into it.
    let gammal = app.create_portfolio(&lg, "gammal", "Gamla tjänster").await;
    app.propose_service(&lg, "gammal-fax", Some(gammal)).await;
    app.act("/api/v1/portfolios/gammal/retire", Some(&lg))
        .await
        .expect(200);
    let retired = import_json(
        &app,
        &lg,
        "services",
        &json!([{"slug": "gammal-fax", "name": "gammal fax", "lifecycle": "established", "it_assessment_summary": "Inga system."}]),
    )
    .await
    .expect(422);
    assert_eq!(
        retired.body["errors"],
        json!([{"row": 1, "field": "lifecycle", "message": "the portfolio is retired"}])
    );
}
