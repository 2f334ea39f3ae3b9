//! The IT environment's rules: bad input refused with nothing written, and the findings that
//! keep the environment current.

use serde_json::{json, Value};

use super::{depends, findings, system, system_depends};
use crate::helpers::{it_assessment, two_portfolios, Backend, TwoPortfolios};

pub async fn bad_systems_and_dependencies_are_refused_and_change_nothing(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        eduroam,
        natverk,
        ..
    } = two_portfolios(backend).await;
    let controller = crate::helpers::token("kerstin.kontrakt@sunet.se", &["controller"]);
    let org = |slug: &'static str, kind: &'static str| {
        let (app, controller) = (&app, controller.clone());
        async move {
            app.post(
                "/api/v1/organizations",
                Some(&controller),
                json!({"slug": slug, "name": slug, "kind": kind}),
            )
            .await
            .expect(201)
            .id()
        }
    };
    let kund = org("lunds-universitet", "customer").await;
    let leverantor = org("driftbolaget", "supplier").await;
    let annan = org("annat-bolag", "supplier").await;
    let contract = app
        .post("/api/v1/contracts", Some(&controller), json!({"kind": "supplier", "organization_id": annan, "title": "Drift",
            "reference": "LEV-1", "start_date": crate::helpers::day(-30), "renewal": "none", "annual_value": {"amount": "120000.00", "currency": "SEK"}, "services": [{"service_id": eduroam, "share_percent": 100}]}))
        .await
        .expect(201)
        .id();
    let base = json!({"slug": "radius", "name": "RADIUS", "kind": "infrastructure", "lifecycle": "in_use", "hosting": "supplier"});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for (body, status, field) in [
        (with(json!({"kind": "mainframe"})), 400, None),
        (
            with(json!({"lifecycle": "retired"})),
            422,
            Some("lifecycle"),
        ),
        (with(json!({"supplier_id": kund})), 422, Some("supplier_id")),
        (
            with(json!({"supplier_id": leverantor, "supplier_contract_id": contract})),
            422,
            Some("supplier_contract_id"),
        ),
        (
            with(json!({"responsible": "okand@sunet.se"})),
            422,
            Some("responsible"),
        ),
        (
            with(json!({"external_refs": [{"system": "url", "ref": "inte en adress"}]})),
            422,
            Some("external_refs[0].ref"),
        ),
        (
            with(json!({"external_refs": [{"system": "cmdb", "ref": "x"}]})),
            400,
            None,
        ),
        (
            with(json!({"reviewed_at": "2999-01-01T00:00:00Z"})),
            422,
            Some("reviewed_at"),
        ),
        (with(json!({"slug": "Radius"})), 400, Some("slug")),
    ] {
        let reply = app
            .post("/api/v1/information-systems", Some(&lg), body.clone())
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        if let Some(field) = field {
            assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
        }
    }
    let none = app
        .get("/api/v1/information-systems", Some(&lg))
        .await
        .expect(200)
        .body;
    assert_eq!(none["count"], 0);
    // A supplier contract of the supplier itself is fine.
    let a = system(
        &app,
        &lg,
        "radius",
        "RADIUS",
        "infrastructure",
        json!({"supplier_id": annan, "supplier_contract_id": contract}),
    )
    .await;
    let b = system(&app, &lg, "stamnat", "Stamnät", "network", json!({})).await;
    let c = system(&app, &lg, "dns", "DNS", "application", json!({})).await;
    app.post("/api/v1/information-systems", Some(&lg), base.clone())
        .await
        .expect(409);

    // Itself, a cycle (named by its path), twice; nothing written.
    assert_eq!(
        system_depends(&app, &lg, a, a).await.expect(422).body["errors"][0]["field"],
        "depends_on_id"
    );
    system_depends(&app, &lg, a, b).await.expect(201);
    system_depends(&app, &lg, b, c).await.expect(201);
    let cycle = system_depends(&app, &lg, c, a).await.expect(422);
    assert_eq!(
        cycle.body["errors"][0]["message"], "would close a cycle: dns → radius → stamnat → dns",
        "{}",
        cycle.body
    );
    system_depends(&app, &lg, a, b).await.expect(409);
    assert_eq!(
        app.get(
            &format!("/api/v1/information-systems/{c}/dependencies"),
            Some(&lg)
        )
        .await
        .expect(200)
        .body["count"],
        0
    );

    // A lifecycle goes forward only; retiring is its own step, LG's, and final.
    app.patch(
        &format!("/api/v1/information-systems/{a}"),
        Some(&lg),
        json!({"lifecycle": "planned"}),
    )
    .await
    .expect(409);
    app.patch(
        &format!("/api/v1/information-systems/{a}"),
        Some(&lg),
        json!({"lifecycle": "retired"}),
    )
    .await
    .expect(409);
    app.patch(
        &format!("/api/v1/information-systems/{a}"),
        Some(&lg),
        json!({}),
    )
    .await
    .expect(400);
    let phasing = app
        .patch(
            &format!("/api/v1/information-systems/{c}"),
            Some(&lg),
            json!({"lifecycle": "phasing_out"}),
        )
        .await
        .expect(200);
    assert_eq!(phasing.body["lifecycle"], "phasing_out");
    app.post(
        &format!("/api/v1/information-systems/{c}/retire"),
        Some(&tove),
        json!({}),
    )
    .await
    .expect(403);
    let retired = app
        .post(
            &format!("/api/v1/information-systems/{c}/retire"),
            Some(&lg),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(retired.body["lifecycle"], "retired");
    app.post(
        &format!("/api/v1/information-systems/{c}/retire"),
        Some(&lg),
        json!({}),
    )
    .await
    .expect(409);

    // A retired system takes no new dependants: neither a system nor a service.
    let d = system(&app, &lg, "ny-tjanst", "Ny", "application", json!({})).await;
    system_depends(&app, &lg, d, c).await.expect(409);
    let refused = app
        .post(
            &format!("/api/v1/services/{eduroam}/dependencies"),
            Some(&tove),
            json!({"information_system_id": c, "criticality": "critical"}),
        )
        .await
        .expect(409);
    assert!(
        refused.body["detail"].as_str().unwrap().contains("retired"),
        "{}",
        refused.body
    );
    for (body, status) in [
        (
            json!({"information_system_id": 999999, "criticality": "critical"}),
            422,
        ),
        (
            json!({"information_system_id": a, "criticality": "vital"}),
            400,
        ),
    ] {
        let reply = app
            .post(
                &format!("/api/v1/services/{eduroam}/dependencies"),
                Some(&tove),
                body,
            )
            .await;
        assert_eq!(reply.status, status, "{}", reply.body);
    }
    assert_eq!(
        app.get(
            &format!("/api/v1/services/{eduroam}/dependencies"),
            Some(&tove)
        )
        .await
        .expect(200)
        .body["count"],
        0
    );

    // An establishment names systems that exist, with a summary that says something.
    let proposal = app.propose_service(&lg, "ny-tjanst", Some(natverk)).await;
    let path = format!("/api/v1/services/{proposal}/transitions");
    for (assessment, status, field) in [
        (
            json!({"summary": "   ", "information_system_ids": []}),
            400,
            "it_assessment.summary",
        ),
        (
            json!({"summary": "Vilar på RADIUS.", "information_system_ids": [999999]}),
            422,
            "it_assessment.information_system_ids",
        ),
    ] {
        let reply = app
            .post(
                &path,
                Some(&lg),
                json!({"to": "established", "it_assessment": assessment}),
            )
            .await;
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field);
    }
    app.post(
        &path,
        Some(&lg),
        json!({"to": "rejected", "reason": "Nej", "it_assessment": it_assessment()}),
    )
    .await
    .expect(422);
    let established = app
        .post(&path, Some(&lg), json!({"to": "established", "it_assessment": {"summary": "Vilar på RADIUS.", "information_system_ids": [a, a]}}))
        .await
        .expect(200);
    assert_eq!(
        established.body["it_assessment"],
        json!({"summary": "Vilar på RADIUS.", "information_system_ids": [a]})
    );
    let trail = app
        .get(
            &format!("/api/v1/audit-events?object_type=service&object_id={proposal}"),
            Some(&lg),
        )
        .await
        .expect(200)
        .body;
    let establishment = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "service.establish")
        .expect("the establishment");
    assert_eq!(
        establishment["after"]["it_assessment"]["information_system_ids"],
        json!([a]),
        "{trail}"
    );
}

pub async fn a_neglected_it_environment_is_a_finding(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        orjan,
        eduroam,
        eduid,
        ..
    } = two_portfolios(backend).await;
    let old = (chrono::Utc::now() - chrono::TimeDelta::days(400)).to_rfc3339();
    let stale = system(
        &app,
        &lg,
        "gammal",
        "Gammalt system",
        "application",
        json!({"reviewed_at": old, "responsible": "tove.agare@sunet.se"}),
    )
    .await;
    let fresh = system(
        &app,
        &lg,
        "ny",
        "Nytt system",
        "application",
        json!({"responsible": "tove.agare@sunet.se"}),
    )
    .await;
    let orphan = system(
        &app,
        &lg,
        "foraldralos",
        "Föräldralöst system",
        "component",
        json!({}),
    )
    .await;
    assert_eq!(
        findings(&app, &lg, "system_review_overdue").await,
        [(
            "information_system".to_string(),
            stale,
            "warning".to_string()
        )]
    );
    // Correcting the description is a review: its responsible's, not another TÄ's.
    app.patch(
        &format!("/api/v1/information-systems/{stale}"),
        Some(&orjan),
        json!({"description": "Granskad"}),
    )
    .await
    .expect(403);
    app.patch(
        &format!("/api/v1/information-systems/{stale}"),
        Some(&tove),
        json!({"description": "Granskad"}),
    )
    .await
    .expect(200);
    assert!(findings(&app, &lg, "system_review_overdue")
        .await
        .is_empty());

    // Nobody answers for the orphan; tove does for the others while she holds a role.
    assert_eq!(
        findings(&app, &lg, "system_without_responsible").await,
        [(
            "information_system".to_string(),
            orphan,
            "warning".to_string()
        )]
    );

    // eduroam rests on `fresh` through `stale`; eduid directly on `orphan`.
    system_depends(&app, &lg, stale, fresh).await.expect(201);
    depends(&app, &tove, eduroam, stale, "critical").await;
    depends(&app, &tove, eduid, orphan, "supporting").await;
    assert!(findings(&app, &lg, "service_on_retired_system")
        .await
        .is_empty());
    app.patch(
        &format!("/api/v1/information-systems/{orphan}"),
        Some(&lg),
        json!({"lifecycle": "phasing_out"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/information-systems/{fresh}/retire"),
        Some(&lg),
        json!({}),
    )
    .await
    .expect(200);
    let mut resting = findings(&app, &lg, "service_on_retired_system").await;
    resting.sort();
    assert_eq!(
        resting,
        [
            ("service".to_string(), eduroam, "error".to_string()),
            ("service".to_string(), eduid, "warning".to_string()),
        ]
    );
    let report = app
        .get(
            "/api/v1/reports/governance?rule=service_on_retired_system&severity=error",
            Some(&tove),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(report["count"], 1);
    assert_eq!(report["results"][0]["message_en"], "The service eduroam is in operation but rests on the information system ny, which is retired.");
}
