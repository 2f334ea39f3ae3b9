//! What a request may carry: no control characters anywhere, no field the service decides
//! itself; and authorization comes before validation.

use serde_json::json;

use crate::helpers::{place, token, Backend};

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
