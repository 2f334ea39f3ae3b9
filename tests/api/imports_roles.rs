//! Importing role assignments (docs/imports.md): the organisation of a service register —
//! who is TÄ, TS, TJF where — comes in after the services, each appointment under the
//! policy that decides it alone, ended ones as history; and goes back out equal.

use serde_json::json;

use crate::helpers::{spawn_app, token, Backend, TestApp};
use crate::imports::{comparable, export, import, rows_and_fields, sunet};

/// Sunet with more staff than [`sunet`] appoints: a TS with delegations, a second TJF on
/// eduroam, and eduroam's first TJF moved on (revoked).
async fn staffed(app: &TestApp, lg: &str) {
    sunet(app, lg).await;
    let tove = token("tove@sunet.se", &[]);
    let natverk = app.get("/api/v1/portfolios/natverk", Some(lg)).await.id();
    let eduroam = app.get("/api/v1/services/eduroam", Some(lg)).await.id();
    app.assign(
        &tove,
        json!({"subject": "sara.samordnare@sunet.se", "role": "service_coordinator", "portfolio_id": natverk, "delegations": ["contracts", "staffing"]}),
    )
    .await
    .expect(201);
    app.assign(
        &tove,
        json!({"subject": "örjan.förvaltare@sunet.se", "role": "service_manager", "service_id": eduroam}),
    )
    .await
    .expect(201);
    let first = app
        .get(
            "/api/v1/role-assignments?subject=tjf-eduroam@sunet.se",
            Some(lg),
        )
        .await
        .expect(200);
    let id = first.body["results"][0]["id"].as_i64().unwrap();
    let version = first.body["results"][0]["version"].as_i64().unwrap();
    app.send(
        "POST",
        &format!("/api/v1/role-assignments/{id}/revoke"),
        Some(&tove),
        None,
        &[("If-Match", &format!("\"{version}\""))],
    )
    .await
    .expect(200);
}

pub async fn an_organisation_comes_in_after_its_services(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    staffed(&app, &lg).await;
    let exported = export(&app, "/api/v1/role-assignments", &lg).await;
    assert!(exported.contains("contracts; staffing"), "{exported}");
    assert!(exported.contains("natverk"), "{exported}");

    // Into a database with the same portfolios and TÄ, and the services imported: Tove, the
    // TÄ, who also sits in the management group, brings in the rest.
    let other = spawn_app(backend).await;
    other
        .owned_portfolio(&lg, "natverk", "Nätverkstjänster", "tove@sunet.se")
        .await;
    other
        .create_portfolio(&lg, "samarbete", "Samarbetstjänster")
        .await;
    let tove = token("tove@sunet.se", &["management_group"]);
    let services = export(&app, "/api/v1/services", &lg).await;
    import(&other, &tove, "services", "", "text/csv", &services)
        .await
        .expect(200);
    let done = import(&other, &tove, "role_assignments", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(done.body["created"], 4, "{}", done.body);
    assert_eq!(done.body["unchanged"], 1, "{}", done.body);
    let again = export(&other, "/api/v1/role-assignments", &lg).await;
    assert_eq!(comparable(&again), comparable(&exported));
    let sara = other
        .get(
            "/api/v1/role-assignments?subject=sara.samordnare@sunet.se",
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(
        sara.body["results"][0]["delegations"],
        json!(["contracts", "staffing"])
    );
    assert_eq!(sara.body["results"][0]["portfolio_slug"], "natverk");

    // The same file again: nothing written, nothing audited.
    let audited = other.audit_count(&lg, "role_assignment").await;
    let same = import(&other, &tove, "role_assignments", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(same.body["unchanged"], 5, "{}", same.body);
    assert_eq!(other.audit_count(&lg, "role_assignment").await, audited);
}

pub async fn appointments_keep_the_single_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    staffed(&app, &lg).await;
    let tove = token("tove@sunet.se", &["management_group"]);
    let file = "subject;role;portfolio_slug;service_slug;delegations;active\n\
nils@sunet.se;service_owner;natverk;;;true\n\
nils@sunet.se;chef;natverk;;;true\n\
nils@sunet.se;service_coordinator;natverk;;budget;true\n\
nils@sunet.se;service_manager;natverk;;;true\n\
nils@sunet.se;service_manager;;okänd;;true\n\
örjan.förvaltare@sunet.se;service_manager;;eduroam;;false\n\
sara.samordnare@sunet.se;service_coordinator;natverk;;contracts;true\n\
nils@sunet.se;service_manager;;swamid;;true\n";
    let refused = import(&app, &tove, "role_assignments", "", "text/csv", file)
        .await
        .expect(422);
    let errors = rows_and_fields(&refused);
    assert_eq!(
        errors,
        vec![
            (2, String::new()),
            (3, "role".to_string()),
            (4, "delegations".to_string()),
            (5, "service_slug".to_string()),
            (6, "service_slug".to_string()),
            (7, "active".to_string()),
            (8, "delegations".to_string()),
        ],
        "{}",
        refused.body
    );
    assert!(
        refused.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already has 1 active service owner"),
        "{}",
        refused.body
    );

    // eduroam's TJF appoints no TS; the TS with the staffing delegation appoints a TJF.
    let tjf = token("örjan.förvaltare@sunet.se", &[]);
    let ts = token("sara.samordnare@sunet.se", &[]);
    let coordinator = "subject,role,portfolio_slug\nnils@sunet.se,service_coordinator,natverk\n";
    import(&app, &tjf, "role_assignments", "", "text/csv", coordinator)
        .await
        .expect(422);
    let manager = "subject,role,service_slug\nnils@sunet.se,service_manager,swamid\n";
    let done = import(&app, &ts, "role_assignments", "", "text/csv", manager)
        .await
        .expect(200);
    assert_eq!(done.body["created"], 1, "{}", done.body);
}
