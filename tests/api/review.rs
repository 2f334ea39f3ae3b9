//! The corrections a review of the foundation asked for (hardening issue, section 0), each as
//! a story over HTTP.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, token, Backend, TestApp};

struct Place {
    app: TestApp,
    lg: String,
    ta: String,
    portfolio: i64,
    service: i64,
}

/// Nätverkstjänster with its TÄ Tove and eduroam in operation (TJF Frida).
async fn place(backend: Backend) -> Place {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let ta = token("tove.agare@sunet.se", &[]);
    let portfolio = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    app.assign(
        &lg,
        json!({"subject": "tove.agare@sunet.se", "role": "service_owner", "portfolio_id": portfolio}),
    )
    .await
    .expect(201);
    let service = app
        .service_in_operation(&lg, &ta, "eduroam", portfolio)
        .await;
    Place {
        app,
        lg,
        ta,
        portfolio,
        service,
    }
}

/// A TJF edits the description; the identity other systems use in paths (slug, name) is
/// renamed only by the management group or the TÄ.
pub async fn only_the_management_group_or_the_owner_renames_a_service(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let tjf = token("tjf-eduroam@sunet.se", &[]);
    let path = format!("/api/v1/services/{}", p.service);
    app.patch(&path, Some(&tjf), json!({"description": "Trådlöst nät"}))
        .await
        .expect(200);
    for body in [json!({"slug": "eduroam-ny"}), json!({"name": "Eduroam 2"})] {
        let refused = app.patch(&path, Some(&tjf), body).await.expect(403);
        assert_eq!(refused.body["action"], "service.rename");
    }
    app.patch(&path, Some(&p.ta), json!({"name": "eduroam (Sunet)"}))
        .await
        .expect(200);
    let renamed = app
        .patch(&path, Some(&p.lg), json!({"slug": "eduroam-sunet"}))
        .await
        .expect(200);
    assert_eq!(renamed.body["slug"], "eduroam-sunet");
    assert_eq!(renamed.body["name"], "eduroam (Sunet)");
}

/// The management group turns a proposal down: final, the reason kept on the service.
pub async fn the_management_group_rejects_a_proposal_for_good(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let ka = token("kalle.kund@sunet.se", &["account_manager"]);
    let s = app
        .propose_service(&ka, "sunet-fax", Some(p.portfolio))
        .await;
    let path = format!("/api/v1/services/{s}/transitions");
    let refused = app
        .post(
            &path,
            Some(&p.ta),
            json!({"to": "rejected", "reason": "Nej"}),
        )
        .await
        .expect(403);
    assert_eq!(refused.body["action"], "service.reject");
    let no_reason = app
        .post(&path, Some(&p.lg), json!({"to": "rejected"}))
        .await
        .expect(422); // a rule across fields: `reason` is required with `to: rejected`
    assert_eq!(no_reason.body["errors"][0]["field"], "reason");
    let rejected = app
        .post(
            &path,
            Some(&p.lg),
            json!({"to": "rejected", "reason": "LG 2026-11-20 § 7: behovet täcks av Sunet Box"}),
        )
        .await
        .expect(200);
    assert_eq!(rejected.body["lifecycle"], "rejected");
    assert_eq!(
        rejected.body["rejection_reason"],
        "LG 2026-11-20 § 7: behovet täcks av Sunet Box"
    );
    for (who, to) in [
        (&p.lg, "established"),
        (&p.lg, "proposed"),
        (&p.ta, "in_operation"),
    ] {
        let reply = app.post(&path, Some(who), json!({"to": to})).await;
        assert_eq!(reply.status, 409, "{to}: {}", reply.body);
    }
    app.assign(
        &p.ta,
        json!({"subject": "ny@sunet.se", "role": "service_manager", "service_id": s}),
    )
    .await
    .expect(409);
    let listed = app
        .get("/api/v1/services?lifecycle=rejected", Some(&ka))
        .await
        .expect(200);
    assert_eq!(listed.body["count"], 1);
}

/// The public catalogue's `q` searches the catalogue's own text and the name, never the
/// internal description.
pub async fn the_catalogue_searches_public_text_only(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    app.patch(
        &format!("/api/v1/services/{}", p.service),
        Some(&p.ta),
        json!({
            "description": "Intern anteckning: RADIUS-proxyerna står i Örebro",
            "published": true,
            "catalog_text": "Öppet trådlöst nät för lärosäten",
            "catalog_text_en": "Wireless roaming for research and education"
        }),
    )
    .await
    .expect(200);
    let count = |q: &str| {
        let path = format!("/api/v1/catalog?q={q}");
        async move { app.get(&path, None).await.expect(200).body["count"].clone() }
    };
    assert_eq!(count("radius").await, 0, "internal text is not searched");
    assert_eq!(count("%C3%B6rebro").await, 0);
    assert_eq!(count("%C3%B6ppet").await, 1, "Ö folds to ö");
    assert_eq!(count("ROAMING").await, 1);
    assert_eq!(count("eduroam").await, 1, "the name is public");
}

/// A duplicate slug is named as a field in the API's words, never the database's message.
pub async fn a_taken_slug_is_named_as_a_field(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let cases = [
        (
            "/api/v1/portfolios",
            json!({"slug": "natverk", "name": "Nät igen"}),
            "portfolio",
        ),
        (
            "/api/v1/services",
            json!({"slug": "eduroam", "name": "eduroam igen"}),
            "service",
        ),
    ];
    for (path, body, object) in cases {
        let taken = app.post(path, Some(&p.lg), body).await.expect(409);
        assert_eq!(taken.body["errors"][0]["field"], "slug", "{}", taken.body);
        let detail = taken.body["detail"].as_str().unwrap();
        assert_eq!(detail, format!("Another {object} already has this slug."));
    }
    let renamed = app
        .patch(
            "/api/v1/portfolios/natverk",
            Some(&p.lg),
            json!({"slug": "natverk"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "its own slug is not taken");
}

/// Sixteen first requests of one new person at once (reads and writes, PostgreSQL serializable)
/// all succeed and create one person.
pub async fn a_burst_of_first_requests_creates_one_person(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let newcomer = token("nora.nykomling@sunet.se", &["account_manager"]);
    let mut requests = Vec::new();
    for i in 0..16 {
        let (client, base, newcomer) = (app.client.clone(), app.base.clone(), newcomer.clone());
        requests.push(tokio::spawn(async move {
            let request = if i % 4 == 0 {
                client.get(format!("{base}/api/v1/me"))
            } else {
                client
                    .post(format!("{base}/api/v1/services"))
                    .json(&json!({"slug": format!("ide-{i}"), "name": format!("Idé {i}")}))
            };
            request
                .bearer_auth(newcomer)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for r in requests {
        statuses.push(r.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    let people = app
        .get("/api/v1/people?sub=nora.nykomling@sunet.se", Some(&p.lg))
        .await
        .expect(200);
    assert_eq!(people.body["count"], 1);
    let created = app
        .get(
            &format!(
                "/api/v1/audit-events?count=true&object_type=person&object_id={}",
                people.body["results"][0]["id"]
            ),
            Some(&p.lg),
        )
        .await
        .expect(200);
    assert_eq!(created.body["count"], 1, "one person.create event");
}

/// NUL and other control characters in a query parameter, a path or a body are a 400 problem
/// on both backends alike, and change nothing.
pub async fn control_characters_are_refused_everywhere(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    for path in [
        "/api/v1/services?q=a%00b",
        "/api/v1/services?q=%1B%5B31m",
        "/api/v1/people?sub=x%00",
        "/api/v1/services/edu%00roam",
        "/api/v1/portfolios/%0A",
        "/api/v1/audit-events?actor=%00",
    ] {
        let reply = app.get(path, Some(&p.lg)).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
    }
    let public = app.get("/api/v1/catalog?q=%00", None).await;
    assert_eq!(public.status, 400);
    for body in [
        json!({"slug": "lagring", "name": "Lagring\u{0}"}),
        json!({"slug": "lagring", "name": "Lagring", "description": "a\u{1}b"}),
        json!({"slug": "lagring", "name": "Lagring", "description": "DEL\u{7f}"}),
    ] {
        let reply = app
            .post("/api/v1/portfolios", Some(&p.lg), body.clone())
            .await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
    }
    let subject = app
        .assign(
            &p.lg,
            json!({"subject": "nul\u{0}@sunet.se", "role": "controller"}),
        )
        .await;
    assert_eq!(subject.status, 400, "{}", subject.body);
    // Tab and newline are fine in long texts.
    app.post(
        "/api/v1/portfolios",
        Some(&p.lg),
        json!({"slug": "lagring", "name": "Lagring", "description": "Rad 1\n\tRad 2"}),
    )
    .await
    .expect(201);
    let portfolios = app.get("/api/v1/portfolios", Some(&p.lg)).await.expect(200);
    assert_eq!(
        portfolios.body["count"], 2,
        "only the clean one was created"
    );
}

/// Accepting an appointment honours `If-Match` like every other write.
pub async fn accepting_honours_if_match(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let created = app
        .assign(
            &p.ta,
            json!({"subject": "nils.ny@sunet.se", "role": "service_specialist", "service_id": p.service}),
        )
        .await
        .expect(201);
    let path = format!("/api/v1/role-assignments/{}/accept", created.id());
    let nils = token("nils.ny@sunet.se", &[]);
    app.send(
        "POST",
        &path,
        Some(&nils),
        Some(json!({})),
        &[("If-Match", "\"7\"")],
    )
    .await
    .expect(412);
    let etag = created.header("etag").unwrap();
    let accepted = app
        .send(
            "POST",
            &path,
            Some(&nils),
            Some(json!({})),
            &[("If-Match", &etag)],
        )
        .await
        .expect(200);
    assert!(accepted.body["accepted_at"].is_string());
}

/// A TÄ reads the whole history of what is now in their portfolio, including what happened to
/// a service before it moved there; and keeps what was recorded in their portfolio.
pub async fn a_service_owner_reads_the_history_of_a_service_that_moved_in(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let other = app
        .create_portfolio(&p.lg, "samarbete", "Samarbetstjänster")
        .await;
    app.assign(
        &p.lg,
        json!({"subject": "orjan.agare@sunet.se", "role": "service_owner", "portfolio_id": other}),
    )
    .await
    .expect(201);
    let orjan = token("orjan.agare@sunet.se", &[]);
    let history = |who: String| {
        let path = format!(
            "/api/v1/audit-events?count=true&object_type=service&object_id={}&limit=500",
            p.service
        );
        async move {
            app.get(&path, Some(&who)).await.expect(200).body["count"]
                .as_i64()
                .unwrap()
        }
    };
    let before = history(p.lg.clone()).await;
    assert_eq!(
        history(orjan.clone()).await,
        0,
        "not yet in Örjan's portfolio"
    );
    app.patch(
        &format!("/api/v1/services/{}", p.service),
        Some(&p.lg),
        json!({"portfolio_id": other}),
    )
    .await
    .expect(200);
    assert_eq!(
        history(orjan.clone()).await,
        before + 1,
        "the whole history"
    );
    assert_eq!(
        history(p.ta.clone()).await,
        before,
        "Tove keeps what happened while it was hers"
    );
    let assignments = app
        .get(
            "/api/v1/audit-events?count=true&object_type=role_assignment&limit=500",
            Some(&orjan),
        )
        .await
        .expect(200);
    let service_tjf = assignments.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["after"]["service_id"] == p.service);
    assert!(service_tjf, "the appointment of its TJF moved along");
    app.assert_trails_filed();
}

/// A caller without the right is refused before anything about the object's state or the
/// body's validity is told: 403, never 400 or 409.
pub async fn authorization_comes_before_validation(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let plain = token("per.plain@sunet.se", &[]);
    let service = format!("/api/v1/services/{}", p.service);
    let cases = [
        ("PATCH", service.clone(), json!({"slug": "Ogiltig slug!"})),
        (
            "PATCH",
            service.clone(),
            json!({"documentation_url": "ftp://x"}),
        ),
        (
            "POST",
            format!("{service}/transitions"),
            json!({"to": "decommissioned"}),
        ),
        (
            "POST",
            format!("{service}/transitions"),
            json!({"to": "rejected"}),
        ),
        (
            "POST",
            "/api/v1/services".to_string(),
            json!({"slug": "X", "name": "", "portfolio_id": p.portfolio}),
        ),
        (
            "POST",
            "/api/v1/role-assignments".to_string(),
            json!({"subject": "", "role": "service_manager", "service_id": p.service, "delegations": ["plan"]}),
        ),
        (
            "PATCH",
            format!("/api/v1/portfolios/{}", p.portfolio),
            json!({"slug": "OGILTIG"}),
        ),
    ];
    for (method, path, body) in cases {
        let reply = app
            .send(method, &path, Some(&plain), Some(body.clone()), &[])
            .await;
        assert_eq!(reply.status, 403, "{method} {path} {body}: {}", reply.body);
    }
    // Revoking an ended assignment: 403 for a stranger, 409 only for one who may.
    let id = app
        .assign(
            &p.ta,
            json!({"subject": "tillfallig@sunet.se", "role": "service_specialist", "service_id": p.service}),
        )
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/role-assignments/{id}/revoke");
    app.act(&path, Some(&p.ta)).await.expect(200);
    app.act(&path, Some(&plain)).await.expect(403);
    app.act(&path, Some(&p.ta)).await.expect(409);
}

/// docs/conventions.md: the audit trail pages by key; `count` is null unless asked for. The same for
/// a TÄ, whose trail is their scope's (each part of which stops at the page): by key in both
/// directions and by offset, every event of the scope once, in order.
pub async fn the_audit_trail_pages_by_key(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    for n in 0..5 {
        app.create_portfolio(&p.lg, &format!("extra-{n}"), "Extra")
            .await;
    }
    for caller in [&p.lg, &p.ta] {
        let all = app
            .get("/api/v1/audit-events?count=true&limit=500", Some(caller))
            .await
            .expect(200);
        let total = all.body["count"].as_i64().unwrap();
        let ids = |body: &serde_json::Value| -> Vec<i64> {
            body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_i64().unwrap())
                .collect()
        };
        let everything = ids(&all.body);
        assert_eq!(everything.len() as i64, total);
        assert!(total >= 4, "the TÄ's scope has a history: {total}");
        for ordering in ["id", "-id"] {
            let mut path = format!("/api/v1/audit-events?limit=3&ordering={ordering}");
            let mut seen: Vec<i64> = Vec::new();
            loop {
                let page = app.get(&path, Some(caller)).await.expect(200);
                assert_eq!(
                    page.body["count"],
                    serde_json::Value::Null,
                    "not counted unless asked"
                );
                seen.extend(ids(&page.body));
                match page.body["next"].as_str() {
                    Some(next) => {
                        assert!(next.contains("after="), "{next}");
                        path = next.to_string();
                    }
                    None => break,
                }
            }
            let mut expected = everything.clone();
            expected.sort_unstable();
            if ordering == "-id" {
                expected.reverse();
            }
            assert_eq!(seen, expected, "{ordering}: in order, every event once");
            let second = app
                .get(
                    &format!("/api/v1/audit-events?limit=3&offset=2&ordering={ordering}"),
                    Some(caller),
                )
                .await
                .expect(200);
            assert_eq!(
                ids(&second.body),
                expected[2..5].to_vec(),
                "{ordering}: by offset"
            );
        }
    }
    let bad = app
        .get("/api/v1/audit-events?after=-1", Some(&p.lg))
        .await
        .expect(400);
    assert_eq!(bad.body["errors"][0]["field"], "after");
}

/// Mass assignment (OWASP API 3): no body sets what the service decides — ids, versions,
/// timestamps, states, who did what. Each such field is refused with 400 naming it, and
/// nothing is written.
pub async fn bodies_cannot_set_what_the_service_decides(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    let controller = token("karin.controller@sunet.se", &["controller"]);
    let customer = app
        .post(
            "/api/v1/organizations",
            Some(&controller),
            json!({"slug": "kth", "name": "KTH", "kind": "customer"}),
        )
        .await
        .expect(201)
        .id();
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&p.ta),
            json!({"portfolio_id": p.portfolio, "year": 2030}),
        )
        .await
        .expect(201)
        .id();
    let money = json!({"amount": "1", "currency": "SEK"});
    let cases = [
        (
            "POST",
            "/api/v1/portfolios".to_string(),
            json!({"slug": "ny", "name": "Ny", "id": 99}),
            "id",
        ),
        (
            "POST",
            "/api/v1/portfolios".to_string(),
            json!({"slug": "ny", "name": "Ny", "retired_at": "2026-01-01T00:00:00Z"}),
            "retired_at",
        ),
        (
            "PATCH",
            format!("/api/v1/services/{}", p.service),
            json!({"version": 9}),
            "version",
        ),
        (
            "PATCH",
            format!("/api/v1/services/{}", p.service),
            json!({"lifecycle": "decommissioned"}),
            "lifecycle",
        ),
        (
            "POST",
            "/api/v1/services".to_string(),
            json!({"slug": "ny", "name": "Ny", "created_at": "2020-01-01T00:00:00Z"}),
            "created_at",
        ),
        (
            "POST",
            "/api/v1/role-assignments".to_string(),
            json!({"subject": "a@sunet.se", "role": "controller", "accepted_at": "2026-01-01T00:00:00Z"}),
            "accepted_at",
        ),
        (
            "POST",
            "/api/v1/organizations".to_string(),
            json!({"slug": "lu", "name": "LU", "kind": "customer", "version": 1}),
            "version",
        ),
        (
            "POST",
            "/api/v1/contracts".to_string(),
            json!({"kind": "customer", "organization_id": customer, "title": "A", "reference": "R", "start_date": "2026-01-01", "annual_value": money, "services": [{"service_id": p.service, "share_percent": 100}], "status": "active"}),
            "status",
        ),
        (
            "POST",
            "/api/v1/deliveries".to_string(),
            json!({"service_id": p.service, "organization_id": customer, "start_date": "2026-01-01", "covered": true}),
            "covered",
        ),
        (
            "POST",
            "/api/v1/plans".to_string(),
            json!({"portfolio_id": p.portfolio, "year": 2031, "status": "approved"}),
            "status",
        ),
        (
            "PATCH",
            format!("/api/v1/plans/{plan}"),
            json!({"approved_by": "tove.agare@sunet.se"}),
            "approved_by",
        ),
        (
            "POST",
            format!("/api/v1/plans/{plan}/items"),
            json!({"title": "T", "planned_cost": money, "actual_cost": money}),
            "actual_cost",
        ),
        (
            "POST",
            "/api/v1/change-requests".to_string(),
            json!({"service_id": p.service, "title": "T", "status": "approved"}),
            "status",
        ),
        (
            "POST",
            "/api/v1/change-requests".to_string(),
            json!({"service_id": p.service, "title": "T", "submitted_by": "någon@annan.se"}),
            "submitted_by",
        ),
    ];
    let before = app
        .get("/api/v1/audit-events?count=true&limit=1", Some(&p.lg))
        .await
        .expect(200)
        .body["count"]
        .clone();
    for (method, path, body, field) in cases {
        let who = if path.contains("organizations")
            || path.contains("contracts")
            || path.contains("deliveries")
        {
            &controller
        } else if path.contains("plans") {
            &p.ta
        } else {
            &p.lg
        };
        let reply = app
            .send(method, &path, Some(who), Some(body.clone()), &[])
            .await;
        assert_eq!(reply.status, 400, "{method} {path} {body}: {}", reply.body);
        assert_eq!(
            reply.body["errors"][0]["field"], field,
            "{method} {path}: {}",
            reply.body
        );
    }
    let after = app
        .get("/api/v1/audit-events?count=true&limit=1", Some(&p.lg))
        .await
        .expect(200)
        .body["count"]
        .clone();
    assert_eq!(before, after, "nothing was written");
}

/// Callers may be cached between writes (SQLite), never across one: a revoked TÄ loses their
/// reads on the very next request.
pub async fn a_revoked_role_is_gone_on_the_very_next_read(backend: Backend) {
    let p = place(backend).await;
    let app = &p.app;
    for _ in 0..3 {
        app.get("/api/v1/audit-events?limit=1", Some(&p.ta))
            .await
            .expect(200);
        app.get("/api/v1/me", Some(&p.ta)).await.expect(200);
    }
    let assignment = app
        .get("/api/v1/role-assignments?role=service_owner", Some(&p.lg))
        .await
        .expect(200)
        .body["results"][0]["id"]
        .as_i64()
        .unwrap();
    app.act(
        &format!("/api/v1/role-assignments/{assignment}/revoke"),
        Some(&p.lg),
    )
    .await
    .expect(200);
    let refused = app
        .get("/api/v1/audit-events?limit=1", Some(&p.ta))
        .await
        .expect(403);
    assert_eq!(refused.body["action"], "audit_event.read");
    let me = app.get("/api/v1/me", Some(&p.ta)).await.expect(200);
    assert_eq!(me.body["assignments"], json!([]), "{}", me.body);
}

/// Callers are kept between requests, but never past a change: a role ended by another
/// instance, or by an operator's SQL behind the service's back, and a service moved to another
/// portfolio, are seen by the very next request on every instance.
pub async fn a_change_elsewhere_is_seen_on_the_very_next_request(backend: Backend) {
    let p = place(backend).await;
    let (a, b) = (&p.app, &p.app.another_instance().await);
    let tjf = token("tjf-eduroam@sunet.se", &[]);
    let audit = "/api/v1/audit-events?limit=1";
    let warm = |token: String| async move {
        for app in [a, b] {
            for _ in 0..3 {
                app.get("/api/v1/me", Some(&token)).await.expect(200);
            }
        }
    };

    // Revoked through the other instance.
    warm(p.ta.clone()).await;
    a.get(audit, Some(&p.ta)).await.expect(200);
    let assignment = |body: &Value| body["assignments"][0]["id"].as_i64().unwrap();
    let first = assignment(&a.get("/api/v1/me", Some(&p.ta)).await.expect(200).body);
    b.act(
        &format!("/api/v1/role-assignments/{first}/revoke"),
        Some(&p.lg),
    )
    .await
    .expect(200);
    a.get(audit, Some(&p.ta)).await.expect(403);
    let me = a.get("/api/v1/me", Some(&p.ta)).await.expect(200);
    assert_eq!(me.body["assignments"], json!([]), "{}", me.body);

    // Appointed again, then ended by SQL: both instances refuse at once.
    a.assign(
        &p.lg,
        json!({"subject": "tove.agare@sunet.se", "role": "service_owner", "portfolio_id": p.portfolio}),
    )
    .await
    .expect(201);
    warm(p.ta.clone()).await;
    a.get(audit, Some(&p.ta)).await.expect(200);
    b.get(audit, Some(&p.ta)).await.expect(200);
    a.sql(
        "UPDATE role_assignments SET ended_at = created_at \
         WHERE role = 'service_owner' AND ended_at IS NULL",
    );
    a.get(audit, Some(&p.ta)).await.expect(403);
    b.get(audit, Some(&p.ta)).await.expect(403);

    // The TJF's service moves to another portfolio: their scope follows it at once.
    let other = a
        .create_portfolio(&p.lg, "identitet", "Identitet och åtkomst")
        .await;
    warm(tjf.clone()).await;
    let scope_of = |body: &Value| body["permissions"][1]["scope"]["portfolio_id"].clone();
    let me = b.get("/api/v1/me", Some(&tjf)).await.expect(200);
    assert_eq!(scope_of(&me.body), json!(p.portfolio), "{}", me.body);
    a.sql(&format!(
        "UPDATE services SET portfolio_id = {other} WHERE id = {}",
        p.service
    ));
    for app in [a, b] {
        let me = app.get("/api/v1/me", Some(&tjf)).await.expect(200);
        assert_eq!(scope_of(&me.body), json!(other), "{}", me.body);
    }
}
