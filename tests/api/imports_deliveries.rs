//! Importing deliveries (docs/imports.md): which customer gets which service under which
//! contract comes in after the contracts, each row by the rules of `POST /deliveries`, and goes
//! back out equal.

use serde_json::json;

use crate::helpers::{spawn_app, token, Backend, TestApp};
use crate::imports::{
    comparable, export, import, refused_rows, rows_and_fields, sunet, ORGANIZATIONS, REGISTER,
};

/// Sunet with its customers and contract register, imported.
async fn with_contracts(app: &TestApp, lg: &str) {
    sunet(app, lg).await;
    import(app, lg, "organizations", "", "text/csv", ORGANIZATIONS)
        .await
        .expect(200);
    import(app, lg, "contracts", "", "text/csv", REGISTER)
        .await
        .expect(200);
}

/// Who gets what, as the controller's spreadsheet says (Swedish Excel: semicolons, CRLF).
const DELIVERIES: &str =
    "service_slug;organization_slug;contract_reference;start_date;end_date\r\n\
eduroam;uppsala-universitet;UU 2026-001;2026-01-01;\r\n\
swamid;uppsala-universitet;UU 2026-001;2026-01-01;2026-12-31\r\n\
eduroam;lunds-universitet;LU 2026-002;2026-02-01;\r\n\
swamid;lunds-universitet;;2026-03-01;\r\n";

pub async fn deliveries_come_in_after_their_contracts(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group", "controller"]);
    with_contracts(&app, &lg).await;

    let done = import(&app, &lg, "deliveries", "", "text/csv", DELIVERIES)
        .await
        .expect(200);
    assert_eq!(done.body["created"], 4, "{}", done.body);
    let uncovered = app
        .get("/api/v1/deliveries?covered=false", Some(&lg))
        .await
        .expect(200);
    assert_eq!(uncovered.body["count"], 1, "{}", uncovered.body);
    assert_eq!(uncovered.body["results"][0]["service_slug"], "swamid");
    assert_eq!(
        uncovered.body["results"][0]["organization_slug"],
        "lunds-universitet"
    );
    let linked = app
        .get(
            "/api/v1/deliveries?service=eduroam&organization=uppsala-universitet",
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(
        linked.body["results"][0]["contract_reference"],
        "UU 2026-001"
    );

    // Exported, imported after the same register into an empty database, exported again.
    let exported = export(&app, "/api/v1/deliveries", &lg).await;
    let other = spawn_app(backend).await;
    with_contracts(&other, &lg).await;
    import(&other, &lg, "deliveries", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(
        comparable(&export(&other, "/api/v1/deliveries", &lg).await),
        comparable(&exported)
    );

    // Again: nothing changes, nothing is audited; a changed end is an update.
    let audited = app.audit_count(&lg, "delivery").await;
    let same = import(&app, &lg, "deliveries", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(same.body["unchanged"], 4, "{}", same.body);
    assert_eq!(app.audit_count(&lg, "delivery").await, audited);
    let ended = import(
        &app,
        &lg,
        "deliveries",
        "",
        "application/json",
        &json!([{"service_slug": "swamid", "organization_slug": "lunds-universitet", "start_date": "2026-03-01", "end_date": "2026-11-30", "contract_reference": null}]).to_string(),
    )
    .await
    .expect(200);
    assert_eq!(ended.body["updated"], 1, "{}", ended.body);
    assert_eq!(app.audit_count(&lg, "delivery").await, audited + 1);
}

pub async fn delivery_rows_keep_the_single_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group", "controller"]);
    with_contracts(&app, &lg).await;
    let bad = "service_slug,organization_slug,contract_reference,start_date,end_date\n\
eduroam,atea,,2026-01-01,\n\
sunet-drive,uppsala-universitet,,2026-01-01,\n\
eduroam,uppsala-universitet,ATEA 2025-17,2026-01-01,\n\
swamid,lunds-universitet,LU 2026-002,2026-03-01,\n\
eduroam,lunds-universitet,SAKNAS 1,2026-02-01,\n\
swamid,lunds-universitet,,2026-04-01,2026-01-31\n\
eduroam,uppsala-universitet,,2026-01-01,\n\
okänd-tjänst,lunds-universitet,,2026-02-01,\n";
    let refused = import(&app, &lg, "deliveries", "", "text/csv", bad)
        .await
        .expect(422);
    let errors = rows_and_fields(&refused);
    assert_eq!(
        errors,
        vec![
            (2, "organization_slug".to_string()),
            (3, "service_slug".to_string()),
            (4, "contract_reference".to_string()),
            (5, "contract_reference".to_string()),
            (6, "contract_reference".to_string()),
            (7, "end_date".to_string()),
            (8, "start_date".to_string()),
            (9, "service_slug".to_string()),
        ],
        "{}",
        refused.body
    );
    assert_eq!(
        refused.body["errors"][0]["message"],
        "atea is a supplier; deliveries go to customers"
    );
    assert_eq!(
        refused.body["errors"][6]["message"],
        "repeats row 4: a file names each object once"
    );

    // eduroam's TJF records eduroam's deliveries, not swamid's, and links no contract.
    let tjf = token("tjf-eduroam@sunet.se", &[]);
    let refused = import(&app, &tjf, "deliveries", "", "text/csv", DELIVERIES)
        .await
        .expect(422);
    let rows = refused_rows(&refused);
    assert_eq!(rows, vec![2, 3, 4, 5], "{}", refused.body);
    let own = "service_slug,organization_slug,start_date\neduroam,uppsala-universitet,2026-01-01\n";
    import(&app, &tjf, "deliveries", "", "text/csv", own)
        .await
        .expect(200);
    assert_eq!(app.audit_count(&lg, "delivery").await, 1);
}
