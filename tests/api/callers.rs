//! The caller as each request sees them: a person created once on first sight, a role gone or
//! given at the very next request, an appointment accepted under If-Match.

use serde_json::{json, Value};

use crate::helpers::{place, token, Backend};

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
    let statuses = crate::helpers::sorted_statuses(requests).await;
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
