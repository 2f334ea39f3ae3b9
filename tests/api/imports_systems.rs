//! Importing information systems (docs/imports.md): the IT environment as an inventory keeps
//! it comes in with its suppliers and contracts by name, retired systems as recorded
//! retirements, each row under the policy of its own operation; and goes back out equal.

use serde_json::json;

use crate::helpers::{spawn_app, token, Backend, TestApp};
use crate::imports::{comparable, export, import, rows_and_fields, sunet, ORGANIZATIONS, REGISTER};

/// Sunet's organisations and contract register, imported (Tove is known as eduroam's TÄ).
async fn with_suppliers(app: &TestApp, lg: &str) {
    sunet(app, lg).await;
    import(app, lg, "organizations", "", "text/csv", ORGANIZATIONS)
        .await
        .expect(200);
    import(app, lg, "contracts", "", "text/csv", REGISTER)
        .await
        .expect(200);
}

/// The inventory as a spreadsheet: semicolons, a list of references in one quoted cell.
const INVENTORY: &str = "slug;name;kind;description;lifecycle;hosting;supplier_slug;supplier_contract_reference;responsible;security_classification;external_refs;depends_on\r\n\
radius-plattform;RADIUS-plattformen;infrastructure;Sunets RADIUS-servrar för eduroam.;in_use;supplier;atea;ATEA 2025-17;tove@sunet.se;2/3/3;\"netbox:dcim/devices/4711; url:https://wiki.sunet.se/radius\";stamnat\r\n\
satosa-proxy;SATOSA-proxyn;application;Översätter mellan SAML och OIDC.;planned;sunet;;;;;;\"radius-plattform; stamnat\"\r\n\
gammal-ldap;Gamla LDAP-katalogen;data_store;Ersatt av eduID.;retired;sunet;;;;1/1/1;;\r\n\
stamnat;Sunets stamnät;network;Optiska förbindelser mellan lärosätena.;in_use;sunet;;;;;;\r\n";

pub async fn an_inventory_comes_in_with_its_suppliers(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group", "controller"]);
    with_suppliers(&app, &lg).await;
    let done = import(&app, &lg, "information_systems", "", "text/csv", INVENTORY)
        .await
        .expect(200);
    assert_eq!(done.body["created"], 4, "{}", done.body);
    let radius = app
        .get("/api/v1/information-systems/radius-plattform", Some(&lg))
        .await
        .expect(200);
    assert_eq!(radius.body["supplier_slug"], "atea");
    assert_eq!(radius.body["supplier_contract_reference"], "ATEA 2025-17");
    assert_eq!(
        radius.body["external_refs"],
        json!([{"system": "netbox", "ref": "dcim/devices/4711"}, {"system": "url", "ref": "https://wiki.sunet.se/radius"}])
    );
    assert_eq!(
        radius.body["depends_on"],
        json!([{"id": radius.body["depends_on"][0]["id"], "slug": "stamnat"}])
    );
    let satosa = app
        .get("/api/v1/information-systems/satosa-proxy", Some(&lg))
        .await
        .expect(200);
    let on: Vec<&str> = satosa.body["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["slug"].as_str().unwrap())
        .collect();
    assert_eq!(on, vec!["radius-plattform", "stamnat"]);
    let ldap = app
        .get("/api/v1/information-systems/gammal-ldap", Some(&lg))
        .await
        .expect(200);
    assert_eq!(ldap.body["lifecycle"], "retired");

    let exported = export(&app, "/api/v1/information-systems", &lg).await;
    let other = spawn_app(backend).await;
    with_suppliers(&other, &lg).await;
    import(
        &other,
        &lg,
        "information_systems",
        "",
        "text/csv",
        &exported,
    )
    .await
    .expect(200);
    assert_eq!(
        comparable(&export(&other, "/api/v1/information-systems", &lg).await),
        comparable(&exported)
    );

    let audited = app.audit_count(&lg, "information_system").await;
    let same = import(&app, &lg, "information_systems", "", "text/csv", &exported)
        .await
        .expect(200);
    assert_eq!(same.body["unchanged"], 4, "{}", same.body);
    assert_eq!(app.audit_count(&lg, "information_system").await, audited);
}

pub async fn system_rows_keep_the_single_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group", "controller"]);
    with_suppliers(&app, &lg).await;
    let bad =
        "slug,name,kind,lifecycle,hosting,supplier_slug,responsible,external_refs,depends_on\n\
a-system,Ett system,application,in_use,sunet,okänd,,,\n\
b-system,Ett system,application,in_use,sunet,uppsala-universitet,,,\n\
c-system,Ett system,application,in_use,sunet,,nobody@sunet.se,,\n\
d-system,Ett system,application,in_use,sunet,,,ftp:server,\n\
e-system,Ett system,,in_use,sunet,,,,\n\
f-system,Ett system,application,in_use,sunet,,,,f-system\n\
g-system,Ett system,application,in_use,sunet,,,,okänd\n\
h-system,Ett system,application,in_use,sunet,,,,i-system\n\
i-system,Ett system,application,in_use,sunet,,,,h-system\n";
    let refused = import(&app, &lg, "information_systems", "", "text/csv", bad)
        .await
        .expect(422);
    let errors = rows_and_fields(&refused);
    assert_eq!(
        errors,
        vec![
            (2, "supplier_slug".to_string()),
            (3, "supplier_slug".to_string()),
            (4, "responsible".to_string()),
            (5, "external_refs".to_string()),
            (6, "kind".to_string()),
            (7, "depends_on".to_string()),
            (8, "depends_on".to_string()),
            (10, "depends_on".to_string()),
        ],
        "{}",
        refused.body
    );

    assert_eq!(
        refused.body["errors"][7]["message"],
        "would close a cycle: i-system → h-system → i-system"
    );

    // Tove, a TÄ, records systems but does not retire one; Lena does.
    let tove = token("tove@sunet.se", &[]);
    let retired = "slug,name,kind,lifecycle,hosting\ngammal-ldap,Gamla LDAP-katalogen,data_store,retired,sunet\n";
    let refused = import(&app, &tove, "information_systems", "", "text/csv", retired)
        .await
        .expect(422);
    assert!(
        refused.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("information_system.retire"),
        "{}",
        refused.body
    );
    let in_use = "slug,name,kind,lifecycle,hosting\ngammal-ldap,Gamla LDAP-katalogen,data_store,in_use,sunet\n";
    import(&app, &tove, "information_systems", "", "text/csv", in_use)
        .await
        .expect(200);
    let done = import(&app, &lg, "information_systems", "", "text/csv", retired)
        .await
        .expect(200);
    assert_eq!(done.body["updated"], 1, "{}", done.body);
}
