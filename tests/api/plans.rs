//! Plans within budget frames, their follow-up and revisions, change requests and the annual
//! report (guidelines §2, 4.2–4.4, 5) over HTTP.

use chrono::Datelike;
use serde_json::{json, Value};

use crate::helpers::{token, Backend, TestApp};

fn sek(amount: &str) -> Value {
    json!({"amount": amount, "currency": "SEK"})
}

fn this_year() -> i32 {
    chrono::Utc::now().year()
}

/// Nätverkstjänster with its TÄ Tove, eduroam and eduid in operation (TJF Frida on eduroam,
/// Gustav on eduid), a TS on the portfolio with the plan delegation, and a TS on eduroam only.
struct Year {
    app: TestApp,
    lg: String,
    tove: String,
    frida: String,
    gustav: String,
    ts_plan: String,
    ts_eduroam: String,
    a: i64,
    eduroam: i64,
    eduid: i64,
    other_service: i64,
}

impl Year {
    async fn build(backend: Backend) -> Year {
        let world = crate::helpers::two_portfolios(backend).await;
        let (app, lg, tove) = (world.app, world.lg, world.tove);
        let (a, eduroam, eduid) = (world.natverk, world.eduroam, world.eduid);
        let other_service = world.sunet_box;
        for body in [
            json!({"subject": "frida.forvaltare@sunet.se", "role": "service_manager", "service_id": eduroam}),
            json!({"subject": "gustav.forvaltare@sunet.se", "role": "service_manager", "service_id": eduid}),
            json!({"subject": "sara.samordnare@sunet.se", "role": "service_coordinator", "portfolio_id": a, "delegations": ["plan"]}),
            json!({"subject": "tilda.samordnare@sunet.se", "role": "service_coordinator", "service_id": eduroam, "delegations": ["plan", "prioritization"]}),
        ] {
            app.assign(&tove, body).await.expect(201);
        }
        Year {
            app,
            lg,
            tove,
            frida: token("frida.forvaltare@sunet.se", &[]),
            gustav: token("gustav.forvaltare@sunet.se", &[]),
            ts_plan: token("sara.samordnare@sunet.se", &[]),
            ts_eduroam: token("tilda.samordnare@sunet.se", &[]),
            a,
            eduroam,
            eduid,
            other_service,
        }
    }

    async fn frame(&self, year: i32, amount: &str) -> crate::helpers::Reply {
        self.app
            .send(
                "PUT",
                &format!("/api/v1/portfolios/natverk/budget-frames/{year}"),
                Some(&self.lg),
                Some(json!({"amount": sek(amount), "note": "LG-beslut 2026-11-20 § 3"})),
                &[],
            )
            .await
    }

    async fn item(&self, plan: i64, who: &str, title: &str, cost: &str) -> i64 {
        self.app
            .post(
                &format!("/api/v1/plans/{plan}/items"),
                Some(who),
                json!({"title": title, "planned_cost": sek(cost), "service_id": self.eduroam, "category": "development", "priority": "high"}),
            )
            .await
            .expect(201)
            .id()
    }
}

/// A portfolio's year through the API alone: frame, draft, presentation, approval within the
/// frame, follow-up with deviations, revision, closing.
pub async fn a_portfolio_year_runs_from_frame_to_annual_report(backend: Backend) {
    let y = Year::build(backend).await;
    let app = &y.app;
    let year = this_year() - 1; // a year that has ended, so it can be closed
    let plan = app
        .post("/api/v1/plans", Some(&y.frida), json!({"portfolio_id": y.a, "year": year, "summary": "Förvaltningsplan för nätverkstjänster", "goals": "Stabil drift, WPA3"}))
        .await
        .expect(201);
    let id = plan.id();
    assert_eq!(plan.body["status"], "draft");
    assert_eq!(plan.body["budget_frame"], Value::Null);
    app.post(
        "/api/v1/plans",
        Some(&y.tove),
        json!({"portfolio_id": y.a, "year": year}),
    )
    .await
    .expect(409);
    let radius = y
        .item(id, &y.frida, "Byte av RADIUS-servrar", "600000.00")
        .await;
    let wpa3 = y
        .item(id, &y.ts_plan, "Införande av WPA3", "250000.50")
        .await;
    let wrong_service = app
        .post(
            &format!("/api/v1/plans/{id}/items"),
            Some(&y.frida),
            json!({"title": "Fel portfölj", "planned_cost": sek("1"), "service_id": y.other_service}),
        )
        .await
        .expect(422);
    assert_eq!(wrong_service.body["errors"][0]["field"], "service_id");
    let euro = app
        .post(
            &format!("/api/v1/plans/{id}/items"),
            Some(&y.frida),
            json!({"title": "Euro", "planned_cost": {"amount": "1", "currency": "EUR"}}),
        )
        .await
        .expect(400);
    assert_eq!(euro.body["errors"][0]["field"], "planned_cost.currency");
    // Follow-up waits for approval.
    app.patch(
        &format!("/api/v1/plans/{id}/items/{radius}"),
        Some(&y.frida),
        json!({"actual_cost": sek("1")}),
    )
    .await
    .expect(409);

    // Presented by the TJF; the TÄ returns it once, then it comes back.
    app.post(
        &format!("/api/v1/plans/{id}/approve"),
        Some(&y.tove),
        json!({}),
    )
    .await
    .expect(409);
    let submitted = app
        .post(
            &format!("/api/v1/plans/{id}/submit"),
            Some(&y.frida),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(submitted.body["status"], "submitted");
    assert_eq!(submitted.body["planned_total"], sek("850000.50"));
    app.patch(
        &format!("/api/v1/plans/{id}"),
        Some(&y.frida),
        json!({"summary": "Sent"}),
    )
    .await
    .expect(409);
    let returned = app
        .post(
            &format!("/api/v1/plans/{id}/return"),
            Some(&y.tove),
            json!({"reason": "Lägg till kostnad för certifikat"}),
        )
        .await
        .expect(200);
    assert_eq!(returned.body["status"], "draft");
    assert_eq!(
        returned.body["return_reason"],
        "Lägg till kostnad för certifikat"
    );
    y.item(id, &y.frida, "Certifikat", "49999.50").await;
    app.post(
        &format!("/api/v1/plans/{id}/submit"),
        Some(&y.ts_plan),
        json!({}),
    )
    .await
    .expect(200);

    // Approval needs a frame that holds the plan (900 000.00 planned).
    let no_frame = app
        .post(
            &format!("/api/v1/plans/{id}/approve"),
            Some(&y.tove),
            json!({}),
        )
        .await
        .expect(409);
    assert!(
        no_frame.body["detail"]
            .as_str()
            .unwrap()
            .contains("no budget frame"),
        "{}",
        no_frame.body
    );
    assert_eq!(y.frame(year, "899999.99").await.status, 201);
    let over = app
        .post(
            &format!("/api/v1/plans/{id}/approve"),
            Some(&y.tove),
            json!({}),
        )
        .await
        .expect(409);
    assert_eq!(
        over.body["detail"],
        "The planned total 900000.00 SEK exceeds the budget frame 899999.99 SEK by 0.01 SEK."
    );
    assert_eq!(y.frame(year, "950000").await.status, 200);
    let approved = app
        .post(
            &format!("/api/v1/plans/{id}/approve"),
            Some(&y.tove),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["approved_by"], "tove.agare@sunet.se");
    assert_eq!(approved.body["budget_frame"], sek("950000.00"));
    assert_eq!(approved.body["remaining"], sek("950000.00"));

    // Frozen except follow-up.
    app.patch(
        &format!("/api/v1/plans/{id}/items/{radius}"),
        Some(&y.frida),
        json!({"planned_cost": sek("1")}),
    )
    .await
    .expect(409);
    app.post(
        &format!("/api/v1/plans/{id}/items"),
        Some(&y.frida),
        json!({"title": "Sent", "planned_cost": sek("1")}),
    )
    .await
    .expect(409);
    // Follow-up: the radius work cost more than planned — a deviation, reported once.
    let followed = app
        .patch(
            &format!("/api/v1/plans/{id}/items/{radius}"),
            Some(&y.frida),
            json!({"actual_cost": sek("640000.25"), "progress": "done", "outcome": "Klart i oktober"}),
        )
        .await
        .expect(200);
    assert_eq!(followed.body["deviation"], true);
    app.patch(
        &format!("/api/v1/plans/{id}/items/{wpa3}"),
        Some(&y.frida),
        json!({"outcome": "Pågår"}),
    )
    .await
    .expect(200);
    let plan_now = app
        .get(&format!("/api/v1/plans/{id}"), Some(&y.gustav))
        .await
        .expect(200);
    assert_eq!(plan_now.body["deviation"], true);
    assert_eq!(plan_now.body["actual_total"], sek("640000.25"));
    assert_eq!(plan_now.body["remaining"], sek("309999.75"));
    assert_eq!(
        plan_now.body["deviations"],
        json!([{"kind": "item", "item_id": radius, "title": "Byte av RADIUS-servrar",
                "limit": sek("600000.00"), "actual": sek("640000.25"), "excess": sek("40000.25")}])
    );
    let lg = y.lg.as_str();
    let events = |object: i64| async move {
        let trail = app
            .get(
                &format!(
                    "/api/v1/audit-events?count=true&object_type=plan&object_id={object}&limit=500"
                ),
                Some(lg),
            )
            .await
            .expect(200);
        trail.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "plan.deviation")
            .count()
    };
    assert_eq!(events(id).await, 1, "one deviation, one event");
    app.patch(
        &format!("/api/v1/plans/{id}/items/{radius}"),
        Some(&y.ts_plan),
        json!({"actual_cost": sek("650000")}),
    )
    .await
    .expect(200);
    assert_eq!(
        events(id).await,
        1,
        "the same deviation is not reported again"
    );
    // A lower frame puts the year above it: a new deviation.
    y.frame(year, "600000").await.expect(200);
    assert_eq!(
        events(id).await,
        2,
        "the year's actual costs above the frame"
    );
    let deviating = app
        .get(
            &format!("/api/v1/plans?deviation=true&year={year}"),
            Some(&y.gustav),
        )
        .await
        .expect(200);
    assert_eq!(deviating.body["count"], 1);

    // Revision: the approved version stays readable as it was.
    let revised = app
        .post(
            &format!("/api/v1/plans/{id}/revise"),
            Some(&y.frida),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(revised.body["status"], "draft");
    assert_eq!(revised.body["revision"], 2);
    assert_eq!(revised.body["approved_at"], Value::Null);
    app.patch(
        &format!("/api/v1/plans/{id}/items/{wpa3}"),
        Some(&y.frida),
        json!({"planned_cost": sek("100000")}),
    )
    .await
    .expect(200);
    let versions = app
        .get(&format!("/api/v1/plans/{id}/versions"), Some(&y.gustav))
        .await
        .expect(200);
    let versions = versions.body.as_array().unwrap().clone();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["state"], "approved");
    assert_eq!(versions[0]["revision"], 1);
    assert_eq!(versions[0]["document"]["status"], "approved");
    assert_eq!(versions[0]["document"]["planned_total"], sek("900000.00"));
    let old_wpa3 = versions[0]["document"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == wpa3)
        .unwrap()
        .clone();
    assert_eq!(old_wpa3["planned_cost"], sek("250000.50"));
    assert_eq!(versions[1]["state"], "current");
    assert_eq!(versions[1]["document"]["planned_total"], sek("749999.50"));
    app.post(
        &format!("/api/v1/plans/{id}/submit"),
        Some(&y.frida),
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/plans/{id}/approve"),
        Some(&y.tove),
        json!({}),
    )
    .await
    .expect(409);
    y.frame(year, "800000").await.expect(200);
    app.post(
        &format!("/api/v1/plans/{id}/approve"),
        Some(&y.tove),
        json!({}),
    )
    .await
    .expect(200);

    // The year is closed into annual-report input.
    app.post(
        &format!("/api/v1/plans/{id}/close"),
        Some(&y.tove),
        json!({"annual_report": ""}),
    )
    .await
    .expect(400);
    let closed = app
        .post(
            &format!("/api/v1/plans/{id}/close"),
            Some(&y.tove),
            json!({"annual_report": "Året präglades av bytet av RADIUS-servrar."}),
        )
        .await
        .expect(200);
    assert_eq!(closed.body["status"], "closed");
    app.post(
        &format!("/api/v1/plans/{id}/revise"),
        Some(&y.tove),
        json!({}),
    )
    .await
    .expect(409);
    // A plan for this year cannot be closed before the year has ended.
    let current = app
        .post(
            "/api/v1/plans",
            Some(&y.tove),
            json!({"portfolio_id": y.a, "year": this_year()}),
        )
        .await
        .expect(201)
        .id();
    y.item(current, &y.tove, "Drift", "100").await;
    y.frame(this_year(), "100").await;
    app.post(
        &format!("/api/v1/plans/{current}/submit"),
        Some(&y.frida),
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/plans/{current}/approve"),
        Some(&y.tove),
        json!({}),
    )
    .await
    .expect(200);
    let early = app
        .post(
            &format!("/api/v1/plans/{current}/close"),
            Some(&y.tove),
            json!({"annual_report": "För tidigt"}),
        )
        .await
        .expect(409);
    assert!(early.body["detail"]
        .as_str()
        .unwrap()
        .contains("has not ended"));

    let report = app
        .get(&format!("/api/v1/reports/annual?year={year}"), Some(&y.lg))
        .await
        .expect(200);
    let natverk = report.body["portfolios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["portfolio_slug"] == "natverk")
        .unwrap()
        .clone();
    assert_eq!(natverk["plan_status"], "closed");
    assert_eq!(natverk["plan_revision"], 2);
    assert_eq!(natverk["budget_frame"], sek("800000.00"));
    assert_eq!(natverk["actual_total"], sek("650000.00"));
    assert_eq!(
        natverk["activities"],
        json!({"total": 3, "done": 1, "cancelled": 0})
    );
    assert_eq!(
        natverk["annual_report"],
        "Året präglades av bytet av RADIUS-servrar."
    );
    let markdown = app
        .client
        .get(app.url(&format!("/api/v1/reports/annual?year={year}")))
        .bearer_auth(&y.tove)
        .header("Accept", "text/markdown")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        markdown.starts_with(&format!("# Verksamhetsberättelse {year}")),
        "{markdown}"
    );
    assert!(
        markdown.contains("## Nätverkstjänster (`natverk`)"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "Byte av RADIUS-servrar: utfall 650000.00 SEK mot 600000.00 SEK (+50000.00 SEK)"
        ),
        "{markdown}"
    );
    assert!(
        !markdown.contains("samarbete"),
        "the TÄ sees their own portfolio only"
    );
    app.get(
        &format!("/api/v1/reports/annual?year={year}"),
        Some(&y.frida),
    )
    .await
    .expect(403);
    app.assert_trails_filed();
}

/// Who may take each step (docs/governance-model.md), and a TS on one service is not in scope of the
/// portfolio's plan.
pub async fn plan_steps_are_taken_only_by_those_allowed(backend: Backend) {
    let y = Year::build(backend).await;
    let app = &y.app;
    let plain = token("per.plain@sunet.se", &[]);
    let orjan = token("orjan.agare@sunet.se", &[]);
    let body = json!({"portfolio_id": y.a, "year": 2030});
    for who in [&y.lg, &y.ts_eduroam, &orjan, &plain] {
        let refused = app
            .post("/api/v1/plans", Some(who), body.clone())
            .await
            .expect(403);
        assert_eq!(refused.body["action"], "plan.create");
    }
    let id = app
        .post("/api/v1/plans", Some(&y.gustav), body)
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/plans/{id}/items"),
        Some(&y.ts_eduroam),
        json!({"title": "x", "planned_cost": sek("1")}),
    )
    .await
    .expect(403);
    y.item(id, &y.gustav, "Drift", "1000").await;
    for who in [&y.tove, &y.lg, &plain] {
        let refused = app
            .post(&format!("/api/v1/plans/{id}/submit"), Some(who), json!({}))
            .await
            .expect(403);
        assert_eq!(refused.body["action"], "plan.submit");
    }
    app.post(
        &format!("/api/v1/plans/{id}/submit"),
        Some(&y.gustav),
        json!({}),
    )
    .await
    .expect(200);
    y.frame(2030, "1000").await.expect(201);
    for who in [&y.frida, &y.ts_plan, &y.lg, &orjan] {
        let refused = app
            .post(&format!("/api/v1/plans/{id}/approve"), Some(who), json!({}))
            .await
            .expect(403);
        assert_eq!(refused.body["action"], "plan.approve");
    }
    // Budget frames are the management group's.
    let refused = app
        .send(
            "PUT",
            "/api/v1/portfolios/natverk/budget-frames/2031",
            Some(&y.tove),
            Some(json!({"amount": sek("1")})),
            &[],
        )
        .await
        .expect(403);
    assert_eq!(refused.body["action"], "budget_frame.set");
    let frames = app
        .get("/api/v1/portfolios/natverk/budget-frames", Some(&plain))
        .await
        .expect(200);
    assert_eq!(frames.body["count"], 1);
    app.get(
        "/api/v1/portfolios/natverk/budget-frames/2031",
        Some(&plain),
    )
    .await
    .expect(404);
    app.get(
        "/api/v1/portfolios/natverk/budget-frames/1999",
        Some(&plain),
    )
    .await
    .expect(404);
    let stale = app
        .send(
            "PUT",
            "/api/v1/portfolios/natverk/budget-frames/2030",
            Some(&y.lg),
            Some(json!({"amount": sek("2")})),
            &[("If-Match", "\"7\"")],
        )
        .await;
    assert_eq!(stale.status, 412);
    // Follow-up is TÄ, TS[plan] or TS[economy], TJF — not the TS of one service.
    app.post(
        &format!("/api/v1/plans/{id}/approve"),
        Some(&y.tove),
        json!({}),
    )
    .await
    .expect(200);
    let item = app
        .get(&format!("/api/v1/plans/{id}/items"), Some(&plain))
        .await
        .expect(200)
        .body[0]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/plans/{id}/items/{item}");
    app.patch(&path, Some(&y.ts_eduroam), json!({"outcome": "x"}))
        .await
        .expect(403);
    app.patch(&path, Some(&plain), json!({"outcome": "x"}))
        .await
        .expect(403);
    app.patch(&path, Some(&y.tove), json!({"outcome": "Enligt plan"}))
        .await
        .expect(200);
}

/// A change request from anyone, assessed by the TJF, decided by the TÄ, released by the TJF;
/// illegal steps are 409s, steps by others 403s (404s for those who may not read it).
pub async fn change_requests_are_channelled_and_decided(backend: Backend) {
    let y = Year::build(backend).await;
    let app = &y.app;
    let kund = token("asa.oberg@uu.se", &[]);
    let created = app
        .post("/api/v1/change-requests", Some(&kund), json!({"service_id": y.eduroam, "title": "Stöd för WPA3-Enterprise", "description": "Våra användare behöver WPA3."}))
        .await
        .expect(201);
    let id = created.id();
    assert_eq!(created.body["status"], "submitted");
    assert_eq!(created.body["submitted_by"], "asa.oberg@uu.se");
    let path = |step: &str| format!("/api/v1/change-requests/{id}/{step}");
    let assessment = json!({"priority": "high", "estimated_cost": sek("120000"), "recommendation": "approve", "note": "Ryms i planen"});
    app.post(
        &path("decision"),
        Some(&y.tove),
        json!({"decision": "approved"}),
    )
    .await
    .expect(409);
    for who in [&y.tove, &kund] {
        let refused = app
            .post(&path("assessment"), Some(who), assessment.clone())
            .await
            .expect(403);
        assert_eq!(refused.body["action"], "change_request.assess");
    }
    // Another service's TJF may not even read it.
    app.post(&path("assessment"), Some(&y.gustav), assessment.clone())
        .await
        .expect(404);
    app.post(&path("assessment"), Some(&y.ts_eduroam), assessment.clone())
        .await
        .expect(200);
    let assessed = app
        .post(&path("assessment"), Some(&y.frida), assessment)
        .await
        .expect(200);
    assert_eq!(assessed.body["status"], "assessed");
    assert_eq!(assessed.body["priority"], "high");
    assert_eq!(assessed.body["estimated_cost"], sek("120000.00"));
    app.post(&path("release"), Some(&y.frida), json!({}))
        .await
        .expect(409);
    app.post(
        &path("decision"),
        Some(&y.frida),
        json!({"decision": "approved"}),
    )
    .await
    .expect(403);
    let decided = app
        .post(
            &path("decision"),
            Some(&y.tove),
            json!({"decision": "approved", "note": "Beslut TÄ"}),
        )
        .await
        .expect(200);
    assert_eq!(decided.body["status"], "approved");
    assert_eq!(decided.body["decided_by"], "tove.agare@sunet.se");
    app.post(
        &path("assessment"),
        Some(&y.frida),
        json!({"priority": "low", "estimated_cost": sek("1"), "recommendation": "reject"}),
    )
    .await
    .expect(409);
    app.post(&path("release"), Some(&y.ts_eduroam), json!({}))
        .await
        .expect(403);
    let released = app
        .post(&path("release"), Some(&y.frida), json!({}))
        .await
        .expect(200);
    assert_eq!(released.body["status"], "released");
    app.post(&path("release"), Some(&y.frida), json!({}))
        .await
        .expect(409);
    // Another one is turned down.
    let other = app
        .post(
            "/api/v1/change-requests",
            Some(&kund),
            json!({"service_id": y.eduid, "title": "Mörkt läge"}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/change-requests/{other}/assessment"),
        Some(&y.gustav),
        json!({"priority": "low", "estimated_cost": sek("5000"), "recommendation": "reject"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/change-requests/{other}/decision"),
        Some(&y.tove),
        json!({"decision": "rejected"}),
    )
    .await
    .expect(200);
    let list = |q: &str| {
        let p = format!("/api/v1/change-requests?{q}");
        let k = kund.clone();
        async move { app.get(&p, Some(&k)).await.expect(200).body["count"].clone() }
    };
    assert_eq!(list("").await, 2);
    assert_eq!(list("status=released").await, 1);
    assert_eq!(list("portfolio=natverk&priority=low").await, 1);
    assert_eq!(list("service=eduroam").await, 1);
    assert_eq!(list("submitted_by=asa.oberg%40uu.se").await, 2);
    assert_eq!(list("portfolio=samarbete").await, 0);
    app.post(
        "/api/v1/change-requests",
        Some(&kund),
        json!({"service_id": 9999, "title": "x"}),
    )
    .await
    .expect(422);
    app.post(
        "/api/v1/change-requests",
        Some(&kund),
        json!({"service_id": y.eduroam, "title": " "}),
    )
    .await
    .expect(400);
    let report = app
        .get(
            &format!("/api/v1/reports/annual?year={}", this_year()),
            Some(&y.tove),
        )
        .await
        .expect(200);
    assert_eq!(
        report.body["portfolios"][0]["change_requests"],
        json!({"decided": 2, "released": 1})
    );
    app.assert_trails_filed();
}
