//! The foundation's stories, told the way the guidelines tell them.

use serde_json::json;

use crate::helpers::{spawn_app, token, Backend};

/// The README's curl walkthrough: a portfolio, a proposed service, established by LG, a TÄ
/// appointed, a TJF appointed by the TÄ, the service in operation and in the catalogue.
pub async fn a_service_goes_from_proposal_to_the_catalogue(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let ta = token("tove.agare@sunet.se", &[]);
    let kom = token("kim.kommunikation@sunet.se", &["communicator"]);
    let portfolio = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let service = app
        .post("/api/v1/services", Some(&token("kalle.kund@sunet.se", &["account_manager"])),
              json!({"slug": "eduroam", "name": "eduroam", "description": "Trådlöst nät för lärosäten"}))
        .await
        .expect(201);
    assert_eq!(service.body["lifecycle"], "proposed");
    assert_eq!(service.body["portfolio_id"], json!(null));
    let id = service.id();

    // Establishing without a portfolio is refused: the management group must place it.
    assert_eq!(app.transition(&lg, id, "established").await.status, 409);
    // ... and weigh the IT environment: without an IT assessment, no establishment.
    let decision = json!({"to": "established", "portfolio_id": portfolio, "reason": "Beslut i ledningsgruppen 2026-11-20"});
    let refused = app
        .post(
            &format!("/api/v1/services/{id}/transitions"),
            Some(&lg),
            decision.clone(),
        )
        .await
        .expect(422);
    assert_eq!(refused.body["errors"][0]["field"], "it_assessment");
    let mut decision = decision;
    decision["it_assessment"] = json!({"summary": "Körs på Sunets befintliga RADIUS-plattform.", "information_system_ids": []});
    let established = app
        .post(
            &format!("/api/v1/services/{id}/transitions"),
            Some(&lg),
            decision,
        )
        .await
        .expect(200);
    assert_eq!(established.body["lifecycle"], "established");
    assert_eq!(
        established.body["it_assessment"]["summary"],
        "Körs på Sunets befintliga RADIUS-plattform."
    );
    assert_eq!(established.body["portfolio_id"], portfolio);

    // In operation needs a TÄ on the portfolio and a TJF on the service.
    app.assign(&lg, json!({"subject": "tove.agare@sunet.se", "role": "service_owner", "portfolio_id": portfolio}))
        .await
        .expect(201);
    let refused = app.transition(&ta, id, "in_operation").await.expect(409);
    assert!(refused.body["detail"].as_str().unwrap().contains("TJF"));
    app.assign(&ta, json!({"subject": "frida.forvaltare@sunet.se", "role": "service_manager", "service_id": id}))
        .await
        .expect(201);
    app.transition(&ta, id, "in_operation").await.expect(200);

    // Not in the catalogue until published.
    let catalog = app.get("/api/v1/catalog", None).await.expect(200);
    assert_eq!(catalog.body["count"], 0);
    app.patch(&format!("/api/v1/services/{id}"), Some(&kom),
              json!({"published": true, "catalog_text": "Trådlöst nätverk för forskning och utbildning", "catalog_text_en": "Wireless network"}))
        .await
        .expect(200);
    let catalog = app.get("/api/v1/catalog", None).await.expect(200);
    assert_eq!(catalog.body["count"], 1);
    let entry = &catalog.body["results"][0];
    assert_eq!(entry["portfolio_name"], "Nätverkstjänster");
    assert!(
        entry.get("version").is_none() && entry.get("id").is_none(),
        "public fields only: {entry}"
    );

    // The architecture shows it all.
    let fta = app.get("/api/v1/architecture", Some(&ta)).await.expect(200);
    let p = &fta.body["portfolios"][0];
    assert_eq!(p["holders"][0]["role"], "service_owner");
    assert_eq!(
        p["services"][0]["holders"][0]["subject"],
        "frida.forvaltare@sunet.se"
    );

    // Decommissioning: initiated by TÄ, decided by LG.
    app.transition(&lg, id, "decommissioning").await.expect(403);
    app.transition(&ta, id, "decommissioning").await.expect(200);
    app.transition(&ta, id, "decommissioned").await.expect(403);
    app.transition(&lg, id, "decommissioned").await.expect(200);
    app.transition(&lg, id, "in_operation").await.expect(403);
    app.transition(&ta, id, "in_operation").await.expect(409);

    // Every step is in the audit trail, with the roles that allowed it.
    let trail = app
        .get(
            &format!("/api/v1/audit-events?count=true&object_type=service&object_id={id}"),
            Some(&lg),
        )
        .await
        .expect(200);
    let actions: Vec<&str> = trail.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "service.propose",
            "service.establish",
            "service.start_operation",
            "service.update_catalog",
            "service.start_decommissioning",
            "service.decommission"
        ]
    );
    let establish = &trail.body["results"][1];
    assert_eq!(establish["actor"], "lena.ledning@sunet.se");
    assert_eq!(establish["actor_roles"], json!(["management_group"]));
    assert_eq!(establish["before"]["lifecycle"], "proposed");
    assert_eq!(establish["after"]["lifecycle"], "established");
    assert_eq!(
        establish["after"]["transition_reason"],
        "Beslut i ledningsgruppen 2026-11-20"
    );
    app.assert_trails_filed();
}

/// Guidelines 3.1: one TÄ per portfolio; a second is refused until the first is revoked,
/// and the revoked assignment stays in history.
pub async fn a_portfolio_has_one_service_owner_at_a_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let p = app
        .create_portfolio(&lg, "identitet", "Identitetstjänster")
        .await;
    let first = app
        .assign(
            &lg,
            json!({"subject": "anna@sunet.se", "role": "service_owner", "portfolio_id": p}),
        )
        .await
        .expect(201)
        .id();
    app.assign(
        &lg,
        json!({"subject": "bo@sunet.se", "role": "service_owner", "portfolio_id": p}),
    )
    .await
    .expect(409);
    let revoked = app
        .act(
            &format!("/api/v1/role-assignments/{first}/revoke"),
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(revoked.body["active"], false);
    assert_eq!(revoked.body["ended_by"], "lena.ledning@sunet.se");
    app.act(
        &format!("/api/v1/role-assignments/{first}/revoke"),
        Some(&lg),
    )
    .await
    .expect(409);
    app.assign(
        &lg,
        json!({"subject": "bo@sunet.se", "role": "service_owner", "portfolio_id": p}),
    )
    .await
    .expect(201);
    let history = app
        .get(
            &format!("/api/v1/role-assignments?portfolio={p}&role=service_owner"),
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(history.body["count"], 2);
    let active = app
        .get(
            &format!("/api/v1/role-assignments?portfolio={p}&active=true"),
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(active.body["count"], 1);
    assert_eq!(active.body["results"][0]["subject"], "bo@sunet.se");
    // The revoked TÄ has lost the powers.
    let anna = token("anna@sunet.se", &[]);
    app.assign(
        &anna,
        json!({"subject": "c@sunet.se", "role": "service_coordinator", "portfolio_id": p}),
    )
    .await
    .expect(403);
    app.assert_trails_filed();
}

/// Assignments must fit the role's scope kind; delegations only for a TS.
pub async fn assignments_must_fit_their_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let p = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let s = app.established_service(&lg, "eduroam", p).await;
    app.assign(
        &lg,
        json!({"subject": "tove@sunet.se", "role": "service_owner", "portfolio_id": p}),
    )
    .await
    .expect(201);
    let ta = token("tove@sunet.se", &[]);
    // 422: the role and the place do not fit, or the place does not exist; 400: the form.
    for (body, status) in [
        (
            json!({"subject": "a@sunet.se", "role": "service_owner", "service_id": s}),
            422,
        ),
        (
            json!({"subject": "a@sunet.se", "role": "service_manager", "portfolio_id": p}),
            422,
        ),
        (
            json!({"subject": "a@sunet.se", "role": "controller", "portfolio_id": p}),
            422,
        ),
        (
            json!({"subject": "a@sunet.se", "role": "service_coordinator", "portfolio_id": p, "service_id": s}),
            422,
        ),
        (
            json!({"subject": "a@sunet.se", "role": "service_manager", "service_id": s, "delegations": ["staffing"]}),
            422,
        ),
        (
            json!({"subject": "a@sunet.se", "role": "service_coordinator", "portfolio_id": p, "delegations": ["fika"]}),
            400,
        ),
        (
            json!({"subject": "a@sunet.se", "role": "chef", "portfolio_id": p}),
            400,
        ),
        (json!({"subject": "", "role": "controller"}), 400),
        (
            json!({"subject": "a@sunet.se", "role": "service_manager", "service_id": 9999}),
            422,
        ),
    ] {
        // Each as someone who holds the right the body asks for (authorization comes first):
        // the management group for TÄ and global roles, the TÄ for the rest.
        let caller = match body["role"].as_str() {
            Some("service_owner" | "controller" | "chef") => &lg,
            _ => &ta,
        };
        let reply = app.assign(caller, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/problem+json")
        );
    }
    let none = app
        .get("/api/v1/role-assignments", Some(&lg))
        .await
        .expect(200);
    assert_eq!(none.body["count"], 1, "nothing but the TÄ was written");
    // A global role assigned in the database counts like one from the token.
    app.assign(
        &lg,
        json!({"subject": "karin@sunet.se", "role": "controller"}),
    )
    .await
    .expect(201);
    let me = app
        .get("/api/v1/me", Some(&token("karin@sunet.se", &[])))
        .await
        .expect(200);
    assert_eq!(me.body["global_roles"][0]["role"], "controller");
    assert_eq!(me.body["global_roles"][0]["source"]["kind"], "assignment");
    // Appointing twice is refused.
    app.assign(
        &lg,
        json!({"subject": "karin@sunet.se", "role": "controller"}),
    )
    .await
    .expect(409);
}

/// /me tells the caller what they may do where.
pub async fn me_lists_roles_and_permissions_per_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let p = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let s = app.established_service(&lg, "eduroam", p).await;
    app.assign(
        &lg,
        json!({"subject": "tove@sunet.se", "role": "service_owner", "portfolio_id": p}),
    )
    .await
    .expect(201);
    let tove = token("tove@sunet.se", &[]);
    app.assign(&tove, json!({"subject": "sara@sunet.se", "role": "service_coordinator", "service_id": s, "delegations": ["staffing"]}))
        .await
        .expect(201);
    let me = app
        .get("/api/v1/me", Some(&token("sara@sunet.se", &[])))
        .await
        .expect(200);
    assert_eq!(
        me.body["assignments"][0]["delegations"],
        json!(["staffing"])
    );
    assert_eq!(me.body["permissions"][0]["scope"]["kind"], "global");
    assert_eq!(
        me.body["permissions"][0]["actions"],
        json!([
            "change_request.create",
            "need.create",
            "need.read",
            "import.create"
        ]),
        "anyone signed in submits change requests, records and reads needs, and sends files (each row judged alone)"
    );
    assert_eq!(
        me.body["permissions"][1]["scope"],
        json!({"kind": "service", "portfolio_id": p, "service_id": s})
    );
    assert_eq!(
        me.body["permissions"][1]["actions"],
        json!([
            "service.propose",
            "role_assignment.service_manager",
            "role_assignment.specialist",
            "contract.read",
            "delivery.read",
            "delivery.create",
            "delivery.end",
            "report.read",
            "economics.read",
            "change_request.read",
            "change_request.create",
            "need.create",
            "need.read",
            "need.endorse",
            "follow_up.create",
            "follow_up.read",
            "import.create"
        ])
    );
    let me = app.get("/api/v1/me", Some(&lg)).await.expect(200);
    let actions = me.body["permissions"][0]["actions"].as_array().unwrap();
    assert!(actions.contains(&json!("portfolio.create")));
    assert!(!actions.contains(&json!("service.update")));
    // Every action is listed where it is allowed (a listing of actions once left these out).
    let me = app.get("/api/v1/me", Some(&tove)).await.expect(200);
    let in_portfolio = &me.body["permissions"][1];
    assert_eq!(in_portfolio["scope"]["kind"], "portfolio");
    let actions = in_portfolio["actions"].as_array().unwrap();
    assert!(
        actions.contains(&json!("service.update_security")),
        "{actions:?}"
    );
    assert!(actions.contains(&json!("economics.read")), "{actions:?}");
    let karin = token("karin@sunet.se", &["controller"]);
    let me = app.get("/api/v1/me", Some(&karin)).await.expect(200);
    let actions = me.body["permissions"][0]["actions"].as_array().unwrap();
    assert!(actions.contains(&json!("exchange_rate.set")), "{actions:?}");
}

/// People are created on first sight, with name and e-mail from the token; they can fix both.
pub async fn people_appear_on_first_sight_and_edit_themselves(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = jsonwebtoken::get_current_timestamp();
    let asa = crate::helpers::sign_hs256(
        &json!({"sub": "asa@kth.se", "name": "Åsa Öberg", "email": "asa@kth.se", "exp": now + 300}),
        crate::helpers::SECRET,
    );
    let me = app.get("/api/v1/me", Some(&asa)).await.expect(200);
    assert_eq!(me.body["person"]["name"], "Åsa Öberg");
    let id = me.body["person"]["id"].as_i64().unwrap();
    let person = app
        .get(&format!("/api/v1/people/{id}"), Some(&asa))
        .await
        .expect(200);
    let etag = person.header("etag").unwrap();
    let changed = app
        .send(
            "PATCH",
            "/api/v1/me",
            Some(&asa),
            Some(json!({"name": "Åsa Ödmark"})),
            &[("If-Match", &etag)],
        )
        .await
        .expect(200);
    assert_eq!(changed.body["name"], "Åsa Ödmark");
    assert_eq!(changed.body["email"], "asa@kth.se");
    app.send(
        "PATCH",
        "/api/v1/me",
        Some(&asa),
        Some(json!({"name": "Igen"})),
        &[("If-Match", &etag)],
    )
    .await
    .expect(412);
    app.patch("/api/v1/me", Some(&asa), json!({"email": "inte en adress"}))
        .await
        .expect(400);
    let found = app
        .get("/api/v1/people?q=asa", Some(&asa))
        .await
        .expect(200);
    assert_eq!(found.body["count"], 1);
    app.get("/api/v1/people/99999", Some(&asa))
        .await
        .expect(404);
}

/// Portfolios: slugs are unique, paths take id or slug, retiring needs an empty portfolio.
pub async fn portfolios_are_found_by_slug_and_retire_only_when_empty(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let p = app
        .create_portfolio(&lg, "lagring", "Lagringstjänster")
        .await;
    app.post(
        "/api/v1/portfolios",
        Some(&lg),
        json!({"slug": "lagring", "name": "Dubblett"}),
    )
    .await
    .expect(409);
    let by_slug = app
        .get("/api/v1/portfolios/lagring", Some(&lg))
        .await
        .expect(200);
    assert_eq!(by_slug.id(), p);
    app.get("/api/v1/portfolios/finns-inte", Some(&lg))
        .await
        .expect(404);
    // An established service keeps the portfolio; proposals and rejected ones do not.
    let s = app.established_service(&lg, "sunet-box", p).await;
    let proposal = app.propose_service(&lg, "sunet-skrivare", Some(p)).await;
    let turned_down = app.propose_service(&lg, "sunet-fax", Some(p)).await;
    app.post(
        &format!("/api/v1/services/{turned_down}/transitions"),
        Some(&lg),
        json!({"to": "rejected", "reason": "LG 2026-11-20 § 4: behovet täcks av eduroam"}),
    )
    .await
    .expect(200);
    let refused = app
        .act("/api/v1/portfolios/lagring/retire", Some(&lg))
        .await
        .expect(409);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("1 services"),
        "{}",
        refused.body
    );
    let _ = proposal;
    let other = app.create_portfolio(&lg, "moln", "Molntjänster").await;
    app.patch(
        &format!("/api/v1/services/{s}"),
        Some(&lg),
        json!({"portfolio_id": other}),
    )
    .await
    .expect(200);
    let retired = app
        .act("/api/v1/portfolios/lagring/retire", Some(&lg))
        .await
        .expect(200);
    assert!(retired.body["retired_at"].is_string());
    app.patch(
        "/api/v1/portfolios/lagring",
        Some(&lg),
        json!({"name": "Nytt namn"}),
    )
    .await
    .expect(409);
    app.post(
        "/api/v1/services",
        Some(&lg),
        json!({"slug": "ny", "name": "Ny", "portfolio_id": p}),
    )
    .await
    .expect(409);
    let active = app
        .get("/api/v1/portfolios?retired=false", Some(&lg))
        .await
        .expect(200);
    assert_eq!(active.body["count"], 1);
}

/// Lists filter, search (with å, ä, ö), order and page.
pub async fn service_lists_filter_search_order_and_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let a = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let b = app
        .create_portfolio(&lg, "samarbete", "Samarbetstjänster")
        .await;
    for (slug, name, portfolio) in [
        ("eduroam", "eduroam", a),
        ("sunet-cdn", "Sunet CDN", a),
        ("forskningsdata", "Förvaring av forskningsdata", b),
        ("motesbokning", "Mötesbokning", b),
    ] {
        app.post(
            "/api/v1/services",
            Some(&lg),
            json!({"slug": slug, "name": name, "portfolio_id": portfolio}),
        )
        .await
        .expect(201);
    }
    let in_b = app
        .get(
            "/api/v1/services?portfolio=samarbete&ordering=-name",
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(in_b.body["count"], 2);
    assert_eq!(in_b.body["results"][0]["slug"], "motesbokning");
    let searched = app
        .get("/api/v1/services?q=F%C3%96RVARING", Some(&lg))
        .await
        .expect(200);
    assert_eq!(
        searched.body["count"], 1,
        "case-insensitive for Swedish letters"
    );
    assert_eq!(searched.body["results"][0]["slug"], "forskningsdata");
    let wildcard = app
        .get("/api/v1/services?q=%25", Some(&lg))
        .await
        .expect(200);
    assert_eq!(wildcard.body["count"], 0, "% is a literal, not a wildcard");
    let page = app
        .get("/api/v1/services?limit=3&ordering=slug", Some(&lg))
        .await
        .expect(200);
    assert_eq!(page.body["count"], 4);
    assert_eq!(page.body["results"].as_array().unwrap().len(), 3);
    assert_eq!(page.body["previous"], json!(null));
    let next = page.body["next"].as_str().unwrap().to_string();
    let second = app.get(&next, Some(&lg)).await.expect(200);
    assert_eq!(second.body["results"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["results"][0]["slug"], "sunet-cdn");
    assert!(second.body["previous"].is_string());
    let proposed = app
        .get(
            &format!("/api/v1/services?lifecycle=proposed&portfolio={a}"),
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(proposed.body["count"], 2);
    for bad in [
        "limit=0",
        "limit=501",
        "offset=-1",
        "ordering=secret",
        "lifecycle=nedlagd",
        "limit=tio",
        "okänd=1",
    ] {
        let reply = app.get(&format!("/api/v1/services?{bad}"), Some(&lg)).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
    }
}
