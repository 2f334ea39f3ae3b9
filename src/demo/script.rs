//! What the demo records, in the order Sunet would: portfolios and the people who answer for
//! them, then through the import customers and suppliers, the IT environment, the services as
//! decided, the contract register, the TJF and operation (each TÄ's own file) and deliveries;
//! then a year's plan, change requests and needs. Dates are relative to
//! today, so that some contracts are always near their notice deadline.

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use super::data::{contracts, day, ORGANIZATIONS, PORTFOLIOS, SERVICES};
use super::files;
use super::{Body, Client, DemoError};

/// Everything, in order.
pub(super) async fn fill(c: &Client) -> Result<(), DemoError> {
    let mut ids = Ids::default();
    // Everyone has signed in once: a person is known from the first sight of their token.
    for person in super::PEOPLE {
        c.send(person.key, Method::GET, "/me", None).await?;
    }
    structure(c, &mut ids).await?;
    import(c, "CTRL", "organizations", ORGANIZATIONS.into()).await?;
    import(c, "LG", "information_systems", files::systems()).await?;
    import(c, "LG", "services", files::services_decided()).await?;
    import(c, "CTRL", "contracts", contracts()).await?;
    learn_ids(c, &mut ids).await?;
    into_operation(c).await?;
    import(c, "CTRL", "deliveries", files::deliveries()).await?;
    post(c, "KA", "/organizations/uppsala-universitet/follow-ups", json!({"date": day(-20), "kind": "delivery_review", "service_ids": [ids.of("eduroam")], "satisfaction": 4, "summary": "Nöjda med eduroam; vill ha bättre täckning i nya lokaler."})).await?;
    year(c, &ids).await?;
    needs_and_changes(c, &ids).await
}

/// The ids the steps learn, by slug.
#[derive(Default)]
struct Ids(HashMap<String, i64>);

impl Ids {
    fn of(&self, slug: &str) -> i64 {
        self.0.get(slug).copied().unwrap_or_default()
    }
}

async fn post(c: &Client, who: &str, path: &str, body: Value) -> Result<Value, DemoError> {
    c.send(who, Method::POST, path, Some(Body::Json(body)))
        .await
}

fn id(answer: &Value) -> i64 {
    answer["id"].as_i64().unwrap_or_default()
}

/// Portfolios with their TÄ and a TS.
async fn structure(c: &Client, ids: &mut Ids) -> Result<(), DemoError> {
    for (slug, name, owner) in PORTFOLIOS {
        let portfolio = post(c, "LG", "/portfolios", json!({"slug": slug, "name": name})).await?;
        ids.0.insert(slug.to_string(), id(&portfolio));
        let sub = super::PEOPLE
            .iter()
            .find(|p| p.key == *owner)
            .map(|p| p.sub)
            .unwrap_or_default();
        post(
            c,
            "LG",
            "/role-assignments",
            json!({"subject": sub, "role": "service_owner", "portfolio_id": id(&portfolio)}),
        )
        .await?;
    }
    post(c, "TA", "/role-assignments", json!({"subject": "tomas@sunet.se", "role": "service_coordinator", "portfolio_id": ids.of("natverk"), "delegations": ["contracts", "plan"]})).await?;
    Ok(())
}

/// A file of `kind` imported by `who`.
async fn import(c: &Client, who: &str, kind: &str, file: String) -> Result<Value, DemoError> {
    c.send(
        who,
        Method::POST,
        &format!("/imports?kind={kind}"),
        Some(Body::Csv(file)),
    )
    .await
}

/// The ids of the organizations and services the imports made, by slug.
async fn learn_ids(c: &Client, ids: &mut Ids) -> Result<(), DemoError> {
    for list in ["/organizations?limit=100", "/services?limit=100"] {
        let listed = c.send("LG", Method::GET, list, None).await?;
        for object in listed["results"].as_array().into_iter().flatten() {
            if let Some(slug) = object["slug"].as_str() {
                ids.0.insert(slug.to_string(), id(object));
            }
        }
    }
    Ok(())
}

/// Each TÄ records what their services rest on, appoints their TJF and puts them in operation
/// (the last two through the import: the TÄ's own decisions).
async fn into_operation(c: &Client) -> Result<(), DemoError> {
    for (slug, _, _, portfolio, stage, _, systems) in SERVICES {
        if *stage == "proposed" {
            continue;
        }
        let owner = PORTFOLIOS
            .iter()
            .find(|p| p.0 == *portfolio)
            .map(|p| p.2)
            .unwrap_or("LG");
        for (i, system) in systems.iter().enumerate() {
            let found = c
                .send(
                    "LG",
                    Method::GET,
                    &format!("/information-systems/{system}"),
                    None,
                )
                .await?;
            let criticality = if i == 0 { "critical" } else { "important" };
            post(
                c,
                owner,
                &format!("/services/{slug}/dependencies"),
                json!({"information_system_id": id(&found), "criticality": criticality}),
            )
            .await?;
        }
    }
    for (_, _, owner) in PORTFOLIOS {
        import(c, owner, "role_assignments", files::managers(owner)).await?;
        import(c, owner, "services", files::put_in_operation(owner)).await?;
    }
    Ok(())
}

/// Next year's budget frame and the network portfolio's plan, approved by its TÄ.
async fn year(c: &Client, ids: &Ids) -> Result<(), DemoError> {
    let next = Utc::now().year() + 1;
    for (portfolio, amount) in [
        ("natverk", "2400000.00"),
        ("identitet", "1600000.00"),
        ("samarbete", "2100000.00"),
    ] {
        c.send("LG", Method::PUT, &format!("/portfolios/{portfolio}/budget-frames/{next}"), Some(Body::Json(json!({"amount": {"amount": amount, "currency": "SEK"}, "note": "LG-beslut om ramar"})))).await?;
    }
    let plan = post(c, "TJF", "/plans", json!({"portfolio_id": ids.of("natverk"), "year": next, "summary": "Förvaltningsplan för nätverkstjänster"})).await?;
    let plan = id(&plan);
    for (title, cost, service, category) in [
        (
            "Byte av RADIUS-servrar",
            "600000.00",
            "eduroam",
            "development",
        ),
        (
            "Drift och övervakning",
            "1100000.00",
            "sunet-anslutning",
            "operations",
        ),
        (
            "eduVPN för fler lärosäten",
            "250000.00",
            "eduvpn",
            "development",
        ),
    ] {
        post(c, "TJF", &format!("/plans/{plan}/items"), json!({"title": title, "planned_cost": {"amount": cost, "currency": "SEK"}, "service_id": ids.of(service), "category": category})).await?;
    }
    post(c, "TJF", &format!("/plans/{plan}/submit"), json!({})).await?;
    post(c, "TA", &format!("/plans/{plan}/approve"), json!({})).await?;
    Ok(())
}

/// Change requests and customers' needs, at different steps of their way.
async fn needs_and_changes(c: &Client, ids: &Ids) -> Result<(), DemoError> {
    post(
        c,
        "TA",
        "/change-requests",
        json!({"service_id": ids.of("eduroam"), "title": "Stöd för WPA3-Enterprise"}),
    )
    .await?;
    post(c, "TA_SAM", "/change-requests", json!({"service_id": ids.of("sunet-drive"), "title": "Kvot per forskargrupp i stället för per person"})).await?;
    import(c, "KA", "needs", files::needs(false)).await?;
    import(c, "TJF", "needs", files::needs(true)).await?;
    let listed = c
        .send("KA", Method::GET, "/needs?service=eduroam", None)
        .await?;
    post(
        c,
        "KA",
        &format!("/needs/{}/endorsements", id(&listed["results"][0])),
        json!({"organization_id": ids.of("lunds-universitet"), "note": "Samma behov"}),
    )
    .await?;
    post(
        c,
        "LG",
        "/architecture/reviews",
        json!({"note": "LG: FTA och it-miljö genomgångna"}),
    )
    .await?;
    Ok(())
}
