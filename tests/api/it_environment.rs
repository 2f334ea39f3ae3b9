//! The IT environment (docs/domain.md, "The IT environment"): the information systems services
//! rest on, what breaks when one goes, the IT assessment of an establishment, the architecture
//! as one document with its reviews, and the findings that keep it current.

use serde_json::{json, Value};

use crate::helpers::{two_portfolios, Backend, TestApp, TwoPortfolios};

#[path = "it_environment_rules.rs"]
mod rules;
pub use rules::*;

/// A system recorded by `who`.
pub(crate) async fn system(
    app: &TestApp,
    who: &str,
    slug: &str,
    name: &str,
    kind: &str,
    extra: Value,
) -> i64 {
    let mut body = json!({"slug": slug, "name": name, "kind": kind, "lifecycle": "in_use", "hosting": "sunet"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.post("/api/v1/information-systems", Some(who), body)
        .await
        .expect(201)
        .id()
}

pub(crate) async fn depends(
    app: &TestApp,
    who: &str,
    service: i64,
    system: i64,
    criticality: &str,
) -> Value {
    app.post(
        &format!("/api/v1/services/{service}/dependencies"),
        Some(who),
        json!({"information_system_id": system, "criticality": criticality, "note": "Utan den ingen inloggning"}),
    )
    .await
    .expect(201)
    .body
}

pub(crate) async fn system_depends(
    app: &TestApp,
    who: &str,
    system: i64,
    on: i64,
) -> crate::helpers::Reply {
    app.post(
        &format!("/api/v1/information-systems/{system}/dependencies"),
        Some(who),
        json!({"depends_on_id": on}),
    )
    .await
}

fn slugs(list: &Value, member: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[member].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The (object_type, object_id, severity) of the findings of `rule` the management group sees.
pub(crate) async fn findings(app: &TestApp, lg: &str, rule: &str) -> Vec<(String, i64, String)> {
    crate::helpers::findings_of(app, lg, rule).await
}

pub async fn what_breaks_when_a_system_goes_is_one_answer(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        orjan,
        natverk,
        eduroam,
        eduid,
        sunet_box,
        ..
    } = two_portfolios(backend).await;
    // LG records the backbone; a TÄ records what her services run on.
    let backbone = system(&app, &lg, "sunet-stamnat", "Sunets stamnät", "network",
        json!({"external_refs": [{"system": "netbox", "ref": "dcim/sites/stamnat"}], "responsible": "tove.agare@sunet.se"})).await;
    let radius = system(
        &app,
        &tove,
        "radius",
        "RADIUS-plattformen",
        "infrastructure",
        json!({}),
    )
    .await;
    let lagring = system(
        &app,
        &orjan,
        "lagring",
        "Lagringsplattformen för Sunet Box",
        "data_store",
        json!({}),
    )
    .await;
    system_depends(&app, &lg, radius, backbone)
        .await
        .expect(201);
    system_depends(&app, &lg, lagring, backbone)
        .await
        .expect(201);

    let direct = depends(&app, &tove, eduroam, radius, "critical").await;
    assert_eq!(direct["information_system"]["slug"], "radius");
    assert_eq!(direct["criticality"], "critical");
    depends(&app, &tove, eduid, radius, "supporting").await;
    depends(&app, &tove, eduid, backbone, "important").await;
    depends(&app, &orjan, sunet_box, lagring, "critical").await;
    // A proposal not in operation yet rests on RADIUS too.
    let gast = app.propose_service(&tove, "gastnat", Some(natverk)).await;
    depends(&app, &tove, gast, radius, "important").await;

    // What breaks if the backbone goes: every service, strongest first, with path and people.
    let impact = app
        .get(
            "/api/v1/information-systems/sunet-stamnat/impact",
            Some(&tove),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(impact["count"], 4, "{impact}");
    let rows = impact["results"].as_array().unwrap();
    let services: Vec<&str> = rows
        .iter()
        .map(|r| r["service"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["eduroam", "sunet-box", "eduid", "gastnat"]);
    assert_eq!(rows[0]["criticality"], "critical");
    assert_eq!(slugs(&rows[0]["path"], "slug"), ["radius", "sunet-stamnat"]);
    assert_eq!(rows[0]["portfolio"]["slug"], "natverk");
    assert_eq!(rows[0]["service_owner"], "tove.agare@sunet.se");
    assert_eq!(rows[0]["service_managers"], json!(["tjf-eduroam@sunet.se"]));
    assert_eq!(rows[1]["service_owner"], "orjan.agare@sunet.se");
    assert_eq!(
        slugs(&rows[1]["path"], "slug"),
        ["lagring", "sunet-stamnat"]
    );
    // eduid's strongest dependency that leads here is its own, direct one.
    assert_eq!(rows[2]["criticality"], "important");
    assert_eq!(slugs(&rows[2]["path"], "slug"), ["sunet-stamnat"]);
    assert_eq!(rows[3]["service"]["lifecycle"], "proposed");
    let operating = app
        .get(
            "/api/v1/information-systems/sunet-stamnat/impact?lifecycle=in_operation",
            Some(&tove),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(operating["count"], 3);

    // The other way: what eduroam rests on, through systems too.
    let below = app
        .get(
            &format!("/api/v1/services/{eduroam}/dependencies?transitive=true"),
            Some(&tove),
        )
        .await
        .expect(200)
        .body;
    let reached: Vec<(String, Vec<String>, String)> = below["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["information_system"]["slug"].as_str().unwrap().into(),
                slugs(&r["path"], "slug"),
                r["criticality"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        reached,
        [
            (
                "radius".to_string(),
                vec!["radius".to_string()],
                "critical".to_string()
            ),
            (
                "sunet-stamnat".to_string(),
                vec!["radius".to_string(), "sunet-stamnat".to_string()],
                "critical".to_string()
            ),
        ]
    );

    // Lists: what a service uses, what a portfolio's services use, by text.
    let used = app
        .get(
            &format!("/api/v1/information-systems?used_by={eduid}"),
            Some(&orjan),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(slugs(&used["results"], "slug"), ["radius", "sunet-stamnat"]);
    let of_portfolio = app
        .get(
            "/api/v1/information-systems?portfolio=samarbete",
            Some(&orjan),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(slugs(&of_portfolio["results"], "slug"), ["lagring"]);
    let found = app
        .get("/api/v1/information-systems?q=stamn%C3%A4t", Some(&orjan))
        .await
        .expect(200)
        .body;
    assert_eq!(slugs(&found["results"], "slug"), ["sunet-stamnat"]);
    let one = app
        .get("/api/v1/information-systems/radius", Some(&orjan))
        .await
        .expect(200)
        .body;
    assert_eq!(
        one["depends_on"],
        json!([{"id": backbone, "slug": "sunet-stamnat"}])
    );
    let csv = app
        .send(
            "GET",
            "/api/v1/information-systems?format=csv",
            Some(&orjan),
            None,
            &[],
        )
        .await;
    let text = csv.body.as_str().unwrap_or_default().to_string();
    assert!(text.contains("netbox:dcim/sites/stamnat"), "{text}");
    // The impact as a spreadsheet: flat columns, lists separated by `;`.
    let sheet = app
        .send(
            "GET",
            "/api/v1/information-systems/sunet-stamnat/impact?format=csv",
            Some(&orjan),
            None,
            &[],
        )
        .await;
    let text = sheet.body.as_str().unwrap_or_default().to_string();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("service_id,service_slug,service_name,service_lifecycle,portfolio_id,portfolio_slug,path,criticality,service_owner,service_managers")
    );
    assert_eq!(
        lines.next(),
        Some(format!("{eduroam},eduroam,eduroam,in_operation,{natverk},natverk,radius;sunet-stamnat,critical,tove.agare@sunet.se,tjf-eduroam@sunet.se").as_str())
    );

    // The FTA and the IT environment are one document, in JSON and in Markdown.
    let fta = app
        .get("/api/v1/architecture", Some(&orjan))
        .await
        .expect(200)
        .body;
    assert_eq!(
        slugs(&fta["information_systems"], "slug"),
        ["lagring", "radius", "sunet-stamnat"]
    );
    assert_eq!(
        fta["information_systems"][1]["depends_on"],
        json!([backbone])
    );
    let natverk_services = fta["portfolios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["slug"] == "natverk")
        .unwrap()["services"]
        .clone();
    let eduroam_fta = natverk_services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == "eduroam")
        .unwrap()
        .clone();
    assert_eq!(
        eduroam_fta["depends_on"],
        json!([{"information_system_id": radius, "information_system_slug": "radius", "criticality": "critical"}])
    );
    let markdown = app
        .send(
            "GET",
            "/api/v1/architecture",
            Some(&orjan),
            None,
            &[("Accept", "text/markdown")],
        )
        .await;
    assert_eq!(markdown.status, 200);
    let text = markdown.body.as_str().unwrap_or_default();
    assert!(text.contains("## It-miljö / IT environment"), "{text}");
    assert!(text.contains("| RADIUS-plattformen (`radius`) | infrastructure | in_use | sunet |  | `sunet-stamnat` |"), "{text}");

    // LG records its review; nobody else may.
    assert_eq!(
        findings(&app, &lg, "architecture_review_overdue")
            .await
            .len(),
        1
    );
    app.post("/api/v1/architecture/reviews", Some(&tove), json!({}))
        .await
        .expect(403);
    let review = app
        .post(
            "/api/v1/architecture/reviews",
            Some(&lg),
            json!({"note": "LG 2026-12-01 § 4: FTA och it-miljö genomgångna"}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(review["information_systems"], 3);
    let reviews = app
        .get("/api/v1/architecture/reviews", Some(&tove))
        .await
        .expect(200)
        .body;
    assert_eq!(reviews["count"], 1);
    assert!(findings(&app, &lg, "architecture_review_overdue")
        .await
        .is_empty());

    // Removing a dependency is audited, with the event of its own.
    let dependency = direct["id"].as_i64().unwrap();
    app.delete(
        &format!("/api/v1/services/{eduroam}/dependencies/{dependency}"),
        Some(&tove),
    )
    .await
    .expect(204);
    // The same instance's copy of the graph has the removal (made in memory, not read again).
    let after = app
        .get(
            "/api/v1/information-systems/sunet-stamnat/impact",
            Some(&tove),
        )
        .await
        .expect(200)
        .body;
    let services: Vec<&str> = after["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["sunet-box", "eduid", "gastnat"]);
    let trail = app
        .get(
            &format!("/api/v1/audit-events?object_type=service_dependency&object_id={dependency}"),
            Some(&lg),
        )
        .await
        .expect(200)
        .body;
    let actions: Vec<String> = slugs(&trail["results"], "action");
    assert_eq!(actions.len(), 2, "{trail}");
    assert!(
        actions.contains(&"service.dependency_add".to_string())
            && actions.contains(&"service.dependency_remove".to_string())
    );
}
