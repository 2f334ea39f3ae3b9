//! Needs and customer relations (docs/domain.md, "Needs"): from a customer's meeting to the
//! management group's agenda and decision, realised through a proposal, a change request or a
//! plan activity; shared needs; customer follow-ups; and the key account of a customer.

use serde_json::{json, Value};

use crate::helpers::{day, token, two_portfolios, Backend, TestApp, TwoPortfolios};

const KA: &str = "karin.kund@sunet.se";

fn ka() -> String {
    token(KA, &["account_manager"])
}

fn controller() -> String {
    token("kerstin.kontrakt@sunet.se", &["controller"])
}

async fn organization(app: &TestApp, slug: &str, name: &str, kind: &str) -> i64 {
    app.post(
        "/api/v1/organizations",
        Some(&controller()),
        json!({"slug": slug, "name": name, "kind": kind}),
    )
    .await
    .expect(201)
    .id()
}

/// A need as recorded at a customer meeting with `org`.
fn meeting_need(title: &str, org: i64, place: Value) -> Value {
    let mut need = json!({
        "title": title,
        "description": "Framfört vid kundmöte.",
        "source": {"channel": "customer_meeting", "organization_id": org, "date": day(-3)}
    });
    if let (Some(n), Some(p)) = (need.as_object_mut(), place.as_object()) {
        n.extend(p.clone());
    }
    need
}

/// A need the KA records from a customer meeting with `org`, placed by `place`.
async fn record(app: &TestApp, title: &str, org: i64, place: Value) -> i64 {
    app.post(
        "/api/v1/needs",
        Some(&ka()),
        meeting_need(title, org, place),
    )
    .await
    .expect(201)
    .id()
}

fn assessment() -> Value {
    json!({"value": 4, "urgency": 3, "estimated_cost": {"amount": "250000", "currency": "SEK"},
           "recommendation": "pursue", "note": "Stort värde för lärosätena."})
}

/// Assesses and presents a need (the KA presents), answering the presented need.
async fn to_agenda(app: &TestApp, id: i64, assessor: &str) -> Value {
    app.post(
        &format!("/api/v1/needs/{id}/assessment"),
        Some(assessor),
        assessment(),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/needs/{id}/presentation"),
        Some(&ka()),
        json!({"date": day(-1), "reference": "LG 2026 § 7"}),
    )
    .await
    .expect(200)
    .body
}

pub async fn a_need_goes_from_a_customer_meeting_to_a_new_service_in_operation(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        natverk,
        ..
    } = two_portfolios(backend).await;
    let lund = organization(&app, "lunds-universitet", "Lunds universitet", "customer").await;
    let created = app
        .post(
            "/api/v1/needs",
            Some(&ka()),
            meeting_need("Säker filöverföring för forskningsdata", lund, json!({})),
        )
        .await
        .expect(201)
        .body;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["status"], "identified");
    assert_eq!(created["portfolio_id"], Value::Null);
    assert_eq!(created["source"]["organization_id"], lund);
    assert_eq!(created["source_organization_slug"], "lunds-universitet");
    assert_eq!(created["portfolio_slug"], Value::Null);
    assert_eq!(created["realised"], false);

    // Nobody has it yet: the KA assesses it herself; a presentation needs the assessment first.
    app.post(
        &format!("/api/v1/needs/{id}/presentation"),
        Some(&ka()),
        json!({"date": day(-1)}),
    )
    .await
    .expect(409);
    let presented = to_agenda(&app, id, &ka()).await;
    assert_eq!(presented["status"], "presented");
    assert_eq!(presented["value"], 4);
    assert_eq!(presented["estimated_cost"]["amount"], "250000.00");

    // A new service is the management group's decision, never a TÄ's.
    app.post(
        &format!("/api/v1/needs/{id}/decision"),
        Some(&tove),
        json!({"outcome": "new_service", "reason": "Behovet delas av många."}),
    )
    .await
    .expect(403);
    app.post(
        &format!("/api/v1/needs/{id}/decision"),
        Some(&lg),
        json!({"outcome": "new_service", "reason": ""}),
    )
    .await
    .expect(400);
    let decided = app
        .post(
            &format!("/api/v1/needs/{id}/decision"),
            Some(&lg),
            json!({"outcome": "new_service", "reason": "Behovet delas av många lärosäten."}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(decided["status"], "decided");
    assert_eq!(decided["outcome"], "new_service");
    assert_eq!(decided["decided_by"], "lena.ledning@sunet.se");

    // The proposal answers the need; the service shows it, and the need points at the service.
    let proposal = app
        .post(
            "/api/v1/services",
            Some(&lg),
            json!({"slug": "sunet-filsluss", "name": "Sunet Filsluss", "portfolio_id": natverk, "need_ids": [id]}),
        )
        .await
        .expect(201)
        .body;
    let service = proposal["id"].as_i64().unwrap();
    assert_eq!(proposal["need_ids"], json!([id]));
    let need = app
        .get(&format!("/api/v1/needs/{id}"), Some(&ka()))
        .await
        .expect(200)
        .body;
    assert_eq!(need["links"][0]["kind"], "service");
    assert_eq!(need["links"][0]["object_id"], service);
    assert_eq!(need["links"][0]["done"], false);
    assert_eq!(need["realised"], false);

    app.transition(&lg, service, "established")
        .await
        .expect(200);
    app.assign(
        &tove,
        json!({"subject": "tjf-filsluss@sunet.se", "role": "service_manager", "service_id": service}),
    )
    .await
    .expect(201);
    app.transition(&tove, service, "in_operation")
        .await
        .expect(200);
    let need = app
        .get(&format!("/api/v1/needs/{id}"), Some(&ka()))
        .await
        .expect(200)
        .body;
    assert_eq!(need["realised"], true);
    let realised = app
        .get("/api/v1/needs?realised=true", Some(&ka()))
        .await
        .expect(200)
        .body;
    assert_eq!(realised["count"], 1);
    assert_eq!(realised["results"][0]["id"], id);
    let service_view = app
        .get(&format!("/api/v1/services/{service}"), Some(&ka()))
        .await
        .expect(200)
        .body;
    assert_eq!(service_view["need_ids"], json!([id]));

    // Every step is on record as a need.* event.
    let trail = app
        .get(
            &format!("/api/v1/audit-events?object_type=need&object_id={id}"),
            Some(&lg),
        )
        .await
        .expect(200)
        .body;
    let mut actions: Vec<String> = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "need.assess",
            "need.create",
            "need.decide_new_service",
            "need.present"
        ]
    );
}

pub async fn a_need_of_a_service_is_realised_by_a_released_change(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        orjan,
        eduroam,
        sunet_box,
        ..
    } = two_portfolios(backend).await;
    let tjf = token("tjf-eduroam@sunet.se", &[]);
    let anna = token("anna.student@uu.se", &[]);
    let uu = organization(
        &app,
        "uppsala-universitet",
        "Uppsala universitet",
        "customer",
    )
    .await;
    let recorded = app
        .post(
            "/api/v1/needs",
            Some(&anna),
            meeting_need("Eduroam på pendeltåg", uu, json!({"service_id": eduroam})),
        )
        .await
        .expect(201);
    assert_eq!(recorded.body["service_slug"], "eduroam");
    assert_eq!(recorded.body["portfolio_slug"], "natverk");
    let id = recorded.id();
    // Its recorder corrects it before the decision; the TJF of another service may not assess.
    app.patch(
        &format!("/api/v1/needs/{id}"),
        Some(&anna),
        json!({"title": "Eduroam på pendeltåg i Mälardalen"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/needs/{id}/assessment"),
        Some(&token("tjf-eduid@sunet.se", &[])),
        assessment(),
    )
    .await
    .expect(403);
    app.post(
        &format!("/api/v1/needs/{id}/assessment"),
        Some(&ka()),
        assessment(),
    )
    .await
    .expect(403);
    to_agenda(&app, id, &tjf).await;
    // The TÄ decides a change in their own portfolio; the other TÄ may not.
    app.post(
        &format!("/api/v1/needs/{id}/decision"),
        Some(&orjan),
        json!({"outcome": "change", "reason": "Ryms i förvaltningen."}),
    )
    .await
    .expect(403);
    app.post(
        &format!("/api/v1/needs/{id}/decision"),
        Some(&tove),
        json!({"outcome": "change", "reason": "Ryms i förvaltningen."}),
    )
    .await
    .expect(200);
    // Decided: no more corrections.
    app.patch(
        &format!("/api/v1/needs/{id}"),
        Some(&anna),
        json!({"title": "Något annat"}),
    )
    .await
    .expect(409);

    let request = app
        .post(
            "/api/v1/change-requests",
            Some(&anna),
            json!({"service_id": eduroam, "title": "Eduroam i SJ:s tåg"}),
        )
        .await
        .expect(201)
        .id();
    let elsewhere = app
        .post(
            "/api/v1/change-requests",
            Some(&anna),
            json!({"service_id": sunet_box, "title": "Större lagring"}),
        )
        .await
        .expect(201)
        .id();
    let wrong = app
        .post(
            &format!("/api/v1/needs/{id}/links"),
            Some(&tove),
            json!({"change_request_id": elsewhere}),
        )
        .await
        .expect(422);
    assert_eq!(wrong.body["errors"][0]["field"], "change_request_id");
    app.post(
        &format!("/api/v1/needs/{id}/links"),
        Some(&lg),
        json!({"change_request_id": request, "service_id": eduroam}),
    )
    .await
    .expect(400);
    let linked = app
        .post(
            &format!("/api/v1/needs/{id}/links"),
            Some(&tove),
            json!({"change_request_id": request}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(linked["links"][0]["kind"], "change_request");
    app.post(
        &format!("/api/v1/needs/{id}/links"),
        Some(&tove),
        json!({"change_request_id": request}),
    )
    .await
    .expect(409);

    app.post(
        &format!("/api/v1/change-requests/{request}/assessment"),
        Some(&tjf),
        json!({"priority": "high", "estimated_cost": {"amount": "50000", "currency": "SEK"}, "recommendation": "approve"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/change-requests/{request}/decision"),
        Some(&tove),
        json!({"decision": "approved"}),
    )
    .await
    .expect(200);
    app.act(
        &format!("/api/v1/change-requests/{request}/release"),
        Some(&tjf),
    )
    .await
    .expect(200);
    let need = app
        .get(&format!("/api/v1/needs/{id}"), Some(&anna))
        .await
        .expect(200)
        .body;
    assert_eq!(need["realised"], true);
    assert_eq!(need["links"][0]["done"], true);

    // Unlinked, it is no longer realised.
    let link = need["links"][0]["id"].as_i64().unwrap();
    app.delete(&format!("/api/v1/needs/{id}/links/{link}"), Some(&tjf))
        .await
        .expect(200);
    let need = app
        .get(&format!("/api/v1/needs/{id}"), Some(&anna))
        .await
        .expect(200)
        .body;
    assert_eq!(need["realised"], false);
    assert_eq!(need["links"], json!([]));
}

pub async fn customers_share_needs_and_the_list_shows_demand(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        natverk,
        eduroam,
        ..
    } = two_portfolios(backend).await;
    let lund = organization(&app, "lunds-universitet", "Lunds universitet", "customer").await;
    let kth = organization(&app, "kth", "Kungliga Tekniska högskolan", "customer").await;
    let umu = organization(&app, "umea-universitet", "Umeå universitet", "customer").await;
    let atea = organization(&app, "atea", "Atea Sverige AB", "supplier").await;
    let shared = record(
        &app,
        "Gästnät för konferenser",
        lund,
        json!({"portfolio_id": natverk}),
    )
    .await;
    let single = record(
        &app,
        "Statistik per campus",
        kth,
        json!({"service_id": eduroam}),
    )
    .await;
    for org in [kth, umu] {
        app.post(
            &format!("/api/v1/needs/{shared}/endorsements"),
            Some(&ka()),
            json!({"organization_id": org, "note": "Samma behov"}),
        )
        .await
        .expect(201);
    }
    app.post(
        &format!("/api/v1/needs/{shared}/endorsements"),
        Some(&tove),
        json!({"organization_id": kth}),
    )
    .await
    .expect(409);
    let supplier = app
        .post(
            &format!("/api/v1/needs/{shared}/endorsements"),
            Some(&ka()),
            json!({"organization_id": atea}),
        )
        .await
        .expect(422);
    assert_eq!(supplier.body["errors"][0]["field"], "organization_id");
    app.post(
        &format!("/api/v1/needs/{shared}/endorsements"),
        Some(&token("vem@sunet.se", &[])),
        json!({"organization_id": umu}),
    )
    .await
    .expect(403);

    let by_demand = app
        .get("/api/v1/needs?ordering=-endorsement_count", Some(&lg))
        .await
        .expect(200)
        .body;
    assert_eq!(by_demand["results"][0]["id"], shared);
    assert_eq!(by_demand["results"][0]["endorsement_count"], 2);
    assert_eq!(by_demand["results"][1]["id"], single);
    let of_umu = app
        .get("/api/v1/needs?organization=umea-universitet", Some(&lg))
        .await
        .expect(200)
        .body;
    assert_eq!(of_umu["count"], 1);
    let of_kth = app
        .get("/api/v1/needs?organization=kth", Some(&lg))
        .await
        .expect(200)
        .body;
    assert_eq!(of_kth["count"], 2, "source of one, endorser of the other");
    let in_natverk = app
        .get("/api/v1/needs?portfolio=natverk&q=gästnät", Some(&lg))
        .await
        .expect(200)
        .body;
    assert_eq!(in_natverk["count"], 1);
    let endorsers = app
        .get(&format!("/api/v1/needs/{shared}/endorsements"), Some(&lg))
        .await
        .expect(200)
        .body;
    let names: Vec<&str> = endorsers["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["organization_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Kungliga Tekniska högskolan", "Umeå universitet"]);
    let csv = app
        .send("GET", "/api/v1/needs?format=csv", Some(&lg), None, &[])
        .await
        .expect(200);
    let text = csv.body.as_str().unwrap();
    assert!(
        text.starts_with("id,reference,title,description,portfolio_id"),
        "{text}"
    );
    assert!(text.contains("Gästnät för konferenser"));

    // A declined need is final: no endorsement, no new assessment, no proposal.
    to_agenda(&app, single, &token("tjf-eduroam@sunet.se", &[])).await;
    app.post(
        &format!("/api/v1/needs/{single}/decision"),
        Some(&tove),
        json!({"outcome": "declined", "reason": "Finns redan i Eduroam CAT."}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/needs/{single}/endorsements"),
        Some(&ka()),
        json!({"organization_id": umu}),
    )
    .await
    .expect(409);
    app.post(
        &format!("/api/v1/needs/{single}/assessment"),
        Some(&token("tjf-eduroam@sunet.se", &[])),
        assessment(),
    )
    .await
    .expect(409);
    let refused = app
        .post(
            "/api/v1/services",
            Some(&lg),
            json!({"slug": "campusstatistik", "name": "Campusstatistik", "need_ids": [single]}),
        )
        .await
        .expect(422);
    assert_eq!(refused.body["errors"][0]["field"], "need_ids");
}

pub async fn bad_needs_are_refused_and_change_nothing(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        samarbete,
        eduroam,
        ..
    } = two_portfolios(backend).await;
    let lund = organization(&app, "lunds-universitet", "Lunds universitet", "customer").await;
    let anyone = token("vem@sunet.se", &[]);
    let cases = [
        (
            meeting_need(
                "Fel portfölj",
                lund,
                json!({"service_id": eduroam, "portfolio_id": samarbete}),
            ),
            "service_id",
        ),
        (
            meeting_need("Ingen tjänst", lund, json!({"service_id": 999_999})),
            "service_id",
        ),
        (
            meeting_need("Ingen kund", 999_999, json!({})),
            "source.organization_id",
        ),
        (
            json!({"title": "Framtid", "source": {"channel": "forum", "date": day(3)}}),
            "source.date",
        ),
        (
            json!({"title": "   ", "source": {"channel": "forum", "date": day(0)}}),
            "title",
        ),
    ];
    for (body, field) in cases {
        let reply = app.post("/api/v1/needs", Some(&anyone), body).await;
        assert!(
            [400, 422].contains(&reply.status),
            "{field}: {}",
            reply.body
        );
        assert!(
            reply.body.to_string().contains(field),
            "{field}: {}",
            reply.body
        );
    }
    let id = app
        .post(
            "/api/v1/needs",
            Some(&anyone),
            meeting_need("Bättre täckning", lund, json!({"service_id": eduroam})),
        )
        .await
        .expect(201)
        .id();
    let tjf = token("tjf-eduroam@sunet.se", &[]);
    for bad in [
        json!({"value": 0, "urgency": 3, "recommendation": "pursue"}),
        json!({"value": 6, "urgency": 3, "recommendation": "pursue"}),
        json!({"value": 3, "urgency": 3, "recommendation": "pursue", "estimated_cost": {"amount": "10", "currency": "EUR"}}),
    ] {
        let reply = app
            .post(&format!("/api/v1/needs/{id}/assessment"), Some(&tjf), bad)
            .await;
        assert!([400, 422].contains(&reply.status), "{}", reply.body);
        let field = reply.body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            ["value", "estimated_cost.currency"].contains(&field.as_str()),
            "{}",
            reply.body
        );
    }
    app.post(
        &format!("/api/v1/needs/{id}/decision"),
        Some(&lg),
        json!({"outcome": "plan", "reason": "För tidigt"}),
    )
    .await
    .expect(409);
    app.post(
        &format!("/api/v1/needs/{id}/links"),
        Some(&lg),
        json!({"service_id": eduroam}),
    )
    .await
    .expect(409);
    let need = app
        .get(&format!("/api/v1/needs/{id}"), Some(&anyone))
        .await
        .expect(200)
        .body;
    assert_eq!(need["status"], "identified");
    assert_eq!(need["version"], 1);
    assert_eq!(app.audit_count(&lg, "need").await, 1);
}

pub async fn customers_are_followed_up_by_those_who_answer_for_them(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        orjan,
        eduroam,
        sunet_box,
        ..
    } = two_portfolios(backend).await;
    let lund = organization(&app, "lunds-universitet", "Lunds universitet", "customer").await;
    let atea = organization(&app, "atea", "Atea Sverige AB", "supplier").await;
    app.post(
        "/api/v1/deliveries",
        Some(&controller()),
        json!({"service_id": eduroam, "organization_id": lund, "start_date": day(-400)}),
    )
    .await
    .expect(201);
    let review = json!({"date": day(-2), "kind": "delivery_review", "service_ids": [eduroam],
        "satisfaction": 4, "summary": "Nöjda med eduroam; vill ha bättre täckning i Ångström.",
        "actions": "TJF ser över accesspunkterna."});
    // The TÄ of the service records it; the other TÄ may not, nor may anyone for a supplier.
    app.post(
        "/api/v1/organizations/lunds-universitet/follow-ups",
        Some(&orjan),
        review.clone(),
    )
    .await
    .expect(403);
    let recorded = app
        .post(
            "/api/v1/organizations/lunds-universitet/follow-ups",
            Some(&tove),
            review.clone(),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(recorded["service_ids"], json!([eduroam]));
    assert_eq!(recorded["satisfaction"], 4);
    app.post(
        &format!("/api/v1/organizations/{atea}/follow-ups"),
        Some(&ka()),
        review.clone(),
    )
    .await
    .expect(422);
    // A review of a service the customer has no delivery of is refused; a meeting about it is not.
    let wrong = app
        .post(
            "/api/v1/organizations/lunds-universitet/follow-ups",
            Some(&ka()),
            json!({"date": day(-1), "kind": "delivery_review", "service_ids": [sunet_box], "summary": "Box"}),
        )
        .await
        .expect(422);
    assert_eq!(wrong.body["errors"][0]["field"], "service_ids");
    for bad in [0, 6] {
        let reply = app
            .post(
                "/api/v1/organizations/lunds-universitet/follow-ups",
                Some(&ka()),
                json!({"date": day(-1), "kind": "survey", "satisfaction": bad, "summary": "Enkät"}),
            )
            .await
            .expect(400);
        assert_eq!(reply.body["errors"][0]["field"], "satisfaction");
    }
    app.post(
        "/api/v1/organizations/lunds-universitet/follow-ups",
        Some(&ka()),
        json!({"date": day(-1), "kind": "meeting", "service_ids": [sunet_box], "summary": "Intresse för Sunet Box"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/organizations/lunds-universitet/follow-ups",
        Some(&token("vu@sunet.se", &["business_developer"])),
        json!({"date": day(-1), "kind": "survey", "summary": "Årlig kundenkät", "satisfaction": 5}),
    )
    .await
    .expect(201);

    // LG reads all three; a TÄ those naming their services; a signed-in nobody none.
    let all = app
        .get("/api/v1/follow-ups", Some(&lg))
        .await
        .expect(200)
        .body;
    assert_eq!(all["count"], 3);
    let toves = app
        .get(
            "/api/v1/organizations/lunds-universitet/follow-ups",
            Some(&tove),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(toves["count"], 1);
    let orjans = app
        .get("/api/v1/follow-ups", Some(&orjan))
        .await
        .expect(200)
        .body;
    assert_eq!(orjans["count"], 1);
    let nobody = app
        .get("/api/v1/follow-ups", Some(&token("vem@sunet.se", &[])))
        .await
        .expect(200)
        .body;
    assert_eq!(nobody["count"], 0);
    let id = recorded["id"].as_i64().unwrap();
    app.get(&format!("/api/v1/follow-ups/{id}"), Some(&orjan))
        .await
        .expect(404);
    let reviews = app
        .get(
            &format!(
                "/api/v1/follow-ups?kind=delivery_review&service=eduroam&from={}",
                day(-10)
            ),
            Some(&ka()),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(reviews["count"], 1);
}

pub async fn a_customer_names_its_key_account(backend: Backend) {
    let TwoPortfolios { app, lg, .. } = two_portfolios(backend).await;
    organization(&app, "lunds-universitet", "Lunds universitet", "customer").await;
    organization(&app, "atea", "Atea Sverige AB", "supplier").await;
    let path = "/api/v1/organizations/lunds-universitet";
    // The controller keeps the organization, but the key account is LG's and the KA's.
    app.patch(path, Some(&controller()), json!({"key_account": KA}))
        .await
        .expect(403);
    // Someone never seen with the account-manager role is no key account.
    let unknown = app
        .patch(path, Some(&lg), json!({"key_account": "okand@sunet.se"}))
        .await
        .expect(422);
    assert_eq!(unknown.body["errors"][0]["field"], "key_account");
    // The KA names herself: her token carries the role.
    let named = app
        .patch(path, Some(&ka()), json!({"key_account": KA}))
        .await
        .expect(200)
        .body;
    assert_eq!(named["key_account"], KA);
    // A KA assigned in the database may be named by LG without ever having signed in.
    app.assign(
        &lg,
        json!({"subject": "kalle.konto@sunet.se", "role": "account_manager"}),
    )
    .await
    .expect(201);
    app.patch(
        path,
        Some(&lg),
        json!({"key_account": "kalle.konto@sunet.se"}),
    )
    .await
    .expect(200);
    app.patch(
        "/api/v1/organizations/atea",
        Some(&lg),
        json!({"key_account": KA}),
    )
    .await
    .expect(422);
    let cleared = app
        .patch(path, Some(&lg), json!({"key_account": null}))
        .await
        .expect(200)
        .body;
    assert_eq!(cleared["key_account"], Value::Null);
}

fn ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::TimeDelta::days(days))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The (object_type, object_id) of the findings of `rule` the management group sees.
async fn findings(app: &TestApp, lg: &str, rule: &str) -> Vec<(String, i64)> {
    crate::helpers::findings_of(app, lg, rule)
        .await
        .into_iter()
        .map(|(object_type, id, _)| (object_type, id))
        .collect()
}

pub async fn what_is_left_undone_is_a_finding(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        orjan,
        natverk,
        eduroam,
        ..
    } = two_portfolios(backend).await;
    let lund = organization(&app, "lunds-universitet", "Lunds universitet", "customer").await;
    // need_unassessed: identified 31 days ago; the TÄ of the service sees it, the other TÄ not.
    let waiting = record(
        &app,
        "Bättre täckning i Ångström",
        lund,
        json!({"service_id": eduroam}),
    )
    .await;
    app.sql(&format!(
        "UPDATE needs SET created_at = '{}' WHERE id = {waiting}",
        ago(31)
    ));
    let unassessed = vec![("need".to_string(), waiting)];
    assert_eq!(findings(&app, &lg, "need_unassessed").await, unassessed);
    assert_eq!(findings(&app, &tove, "need_unassessed").await, unassessed);
    assert_eq!(findings(&app, &orjan, "need_unassessed").await, vec![]);
    // need_undecided: assessed, then presented 61 days ago.
    to_agenda(&app, waiting, &token("tjf-eduroam@sunet.se", &[])).await;
    assert_eq!(findings(&app, &lg, "need_unassessed").await, vec![]);
    assert_eq!(findings(&app, &lg, "need_undecided").await, vec![]);
    app.sql(&format!(
        "UPDATE needs SET presented_at = '{}' WHERE id = {waiting}",
        ago(61)
    ));
    assert_eq!(
        findings(&app, &lg, "need_undecided").await,
        vec![("need".to_string(), waiting)]
    );
    app.post(
        &format!("/api/v1/needs/{waiting}/decision"),
        Some(&tove),
        json!({"outcome": "plan", "reason": "Tas in i förvaltningsplanen."}),
    )
    .await
    .expect(200);
    assert_eq!(findings(&app, &lg, "need_undecided").await, vec![]);

    // proposal_without_need: services established before needs were recorded are not flagged
    // (the migration leaves their `established_at` empty); one established now without a need
    // is, until a need points at it.
    assert_eq!(findings(&app, &lg, "proposal_without_need").await.len(), 3);
    app.sql("UPDATE services SET established_at = NULL");
    assert_eq!(findings(&app, &lg, "proposal_without_need").await, vec![]);
    let filsluss = app
        .established_service(&lg, "sunet-filsluss", natverk)
        .await;
    assert_eq!(
        findings(&app, &lg, "proposal_without_need").await,
        vec![("service".to_string(), filsluss)]
    );
    app.post(
        &format!("/api/v1/needs/{waiting}/links"),
        Some(&lg),
        json!({"service_id": filsluss}),
    )
    .await
    .expect(201);
    assert_eq!(findings(&app, &lg, "proposal_without_need").await, vec![]);

    // customer_follow_up_overdue: a delivery for 13 months and no follow-up; then one 13 months
    // old; then a recent one.
    app.post(
        "/api/v1/deliveries",
        Some(&controller()),
        json!({"service_id": eduroam, "organization_id": lund, "start_date": day(-400)}),
    )
    .await
    .expect(201);
    let overdue = vec![("organization".to_string(), lund)];
    assert_eq!(
        findings(&app, &lg, "customer_follow_up_overdue").await,
        overdue
    );
    app.post(
        "/api/v1/organizations/lunds-universitet/follow-ups",
        Some(&ka()),
        json!({"date": day(-395), "kind": "meeting", "summary": "Uppstartsmöte"}),
    )
    .await
    .expect(201);
    assert_eq!(
        findings(&app, &lg, "customer_follow_up_overdue").await,
        overdue
    );
    assert_eq!(
        findings(&app, &orjan, "customer_follow_up_overdue").await,
        vec![]
    );
    app.post(
        "/api/v1/organizations/lunds-universitet/follow-ups",
        Some(&ka()),
        json!({"date": day(-20), "kind": "survey", "satisfaction": 4, "summary": "Årlig enkät"}),
    )
    .await
    .expect(201);
    assert_eq!(
        findings(&app, &lg, "customer_follow_up_overdue").await,
        vec![]
    );
}

pub async fn the_management_group_sees_demand_and_its_agenda(backend: Backend) {
    let TwoPortfolios {
        app,
        lg,
        tove,
        orjan,
        natverk,
        eduroam,
        ..
    } = two_portfolios(backend).await;
    let lund = organization(&app, "lunds-universitet", "Lunds universitet", "customer").await;
    let kth = organization(&app, "kth", "Kungliga Tekniska högskolan", "customer").await;
    let tjf = token("tjf-eduroam@sunet.se", &[]);
    let guest = record(
        &app,
        "Gästnät för konferenser",
        lund,
        json!({"service_id": eduroam}),
    )
    .await;
    app.post(
        &format!("/api/v1/needs/{guest}/endorsements"),
        Some(&ka()),
        json!({"organization_id": kth, "note": "Behövs till Almedalen"}),
    )
    .await
    .expect(201);
    to_agenda(&app, guest, &tjf).await;
    let stats = record(
        &app,
        "Statistik per campus",
        kth,
        json!({"portfolio_id": natverk}),
    )
    .await;
    to_agenda(&app, stats, &tjf).await;
    app.post(
        &format!("/api/v1/needs/{stats}/decision"),
        Some(&tove),
        json!({"outcome": "plan", "reason": "Tas in i planen för nästa år."}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/needs",
        Some(&ka()),
        meeting_need("Ny idé", lund, json!({})),
    )
    .await
    .expect(201);

    let report = app
        .get("/api/v1/reports/needs", Some(&lg))
        .await
        .expect(200)
        .body;
    let natverk_counts = report["portfolios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["portfolio_id"] == natverk)
        .unwrap()["needs"]
        .clone();
    assert_eq!(natverk_counts["presented"], 1);
    assert_eq!(natverk_counts["decided"], 1);
    assert_eq!(natverk_counts["decided_in_period"]["plan"], 1);
    let unplaced = report["portfolios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["portfolio_id"].is_null())
        .unwrap()["needs"]
        .clone();
    assert_eq!(unplaced["identified"], 1);
    assert_eq!(report["most_endorsed_open"][0]["need_id"], guest);
    assert_eq!(report["most_endorsed_open"][0]["endorsement_count"], 1);
    assert_eq!(report["decisions"][0]["need_id"], stats);
    assert_eq!(report["decisions"][0]["outcome"], "plan");
    assert_eq!(report["agenda"][0]["need_id"], guest);
    assert_eq!(report["agenda"][0]["value"], 4);
    assert_eq!(
        report["agenda"][0]["endorsers"][0]["organization_name"],
        "Kungliga Tekniska högskolan"
    );
    let kth_line = report["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["organization_id"] == kth)
        .unwrap()
        .clone();
    assert_eq!(
        (kth_line["voiced"].clone(), kth_line["endorsed"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(kth_line["open"], 1);

    // The TÄ of the other portfolio sees none of these; a TJF reads no reports.
    let theirs = app
        .get("/api/v1/reports/needs", Some(&orjan))
        .await
        .expect(200)
        .body;
    assert_eq!(theirs["agenda"], json!([]));
    assert_eq!(theirs["decisions"], json!([]));
    app.get("/api/v1/reports/needs", Some(&tjf))
        .await
        .expect(403);

    let agenda = app
        .send(
            "GET",
            "/api/v1/reports/needs",
            Some(&lg),
            None,
            &[("Accept", "text/markdown")],
        )
        .await
        .expect(200);
    let text = agenda.body.as_str().unwrap();
    assert!(text.contains("## Gästnät för konferenser"), "{text}");
    assert!(text.contains("| Nytta | 4 |"), "{text}");
    assert!(text.contains("- Kungliga Tekniska högskolan"), "{text}");
    assert!(!text.contains("Statistik per campus"), "{text}");

    // The annual report counts the portfolio's needs of the year.
    let year = chrono::Utc::now().format("%Y").to_string();
    let annual = app
        .get(&format!("/api/v1/reports/annual?year={year}"), Some(&lg))
        .await
        .expect(200)
        .body;
    let of_natverk = annual["portfolios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["portfolio_id"] == natverk)
        .unwrap()["needs"]
        .clone();
    assert_eq!(of_natverk["identified"], 2);
    assert_eq!(of_natverk["decided"]["plan"], 1);
    assert_eq!(of_natverk["realised"], 0);
}

/// Sunet's model, but needs read only by their recorder, LG, the TÄ and TJF in scope and the
/// KA for unplaced needs: the lists' SQL and the single reads must agree under it.
fn restricted_model(backend: Backend) -> std::path::PathBuf {
    let sunet = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/models/sunet.toml"))
        .expect("the built-in model");
    let restricted = sunet.replace(
        r#""need.read" = ["anyone"]"#,
        r#""need.read" = ["submitter", "management_group", "service_owner in scope", "service_manager in scope", "account_manager on unplaced_need"]"#,
    );
    assert_ne!(sunet, restricted, "the rule to restrict is in the model");
    let path = std::env::temp_dir().join(format!(
        "forvaltning-needs-model-{}-{backend:?}.toml",
        std::process::id()
    ));
    std::fs::write(&path, restricted).expect("write the model");
    path
}

pub async fn a_model_that_restricts_reading_needs_lists_what_it_lets_read(backend: Backend) {
    let model = restricted_model(backend);
    let model = model.to_str().unwrap();
    let TwoPortfolios {
        app,
        lg,
        tove,
        orjan,
        samarbete,
        eduroam,
        sunet_box,
        ..
    } = crate::helpers::two_portfolios_with(backend, &[("FORVALTNING_GOVERNANCE_MODEL", model)])
        .await;
    let anna = token("anna.student@uu.se", &[]);
    let need = |title: &str, place: Value| {
        let mut body = json!({"title": title, "source": {"channel": "forum", "date": day(0)}});
        body.as_object_mut()
            .unwrap()
            .extend(place.as_object().unwrap().clone());
        body
    };
    let mut ids = Vec::new();
    for (who, body) in [
        (
            &lg,
            need(
                "Eduroam på tåg",
                json!({"service_id": eduroam, "reference": "BEH-2026-101"}),
            ),
        ),
        (
            &lg,
            need("Delad lagring", json!({"portfolio_id": samarbete})),
        ),
        (&lg, need("Något helt nytt", json!({}))),
        (&anna, need("Större låda", json!({"service_id": sunet_box}))),
    ] {
        ids.push(
            app.post("/api/v1/needs", Some(who), body)
                .await
                .expect(201)
                .id(),
        );
    }
    let (on_eduroam, on_samarbete, unplaced, annas) = (ids[0], ids[1], ids[2], ids[3]);
    let readers = [
        (lg.clone(), vec![on_eduroam, on_samarbete, unplaced, annas]),
        (tove.clone(), vec![on_eduroam]),
        (orjan.clone(), vec![on_samarbete, annas]),
        (token("tjf-eduroam@sunet.se", &[]), vec![on_eduroam]),
        (ka(), vec![unplaced]),
        (anna.clone(), vec![annas]),
        (token("vem@sunet.se", &[]), vec![]),
    ];
    for (who, expected) in readers {
        let listed = app
            .get("/api/v1/needs?ordering=created_at", Some(&who))
            .await
            .expect(200)
            .body;
        let got: Vec<i64> = listed["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, expected);
        assert_eq!(listed["count"], expected.len());
        for id in &ids {
            let status = if expected.contains(id) { 200 } else { 404 };
            app.get(&format!("/api/v1/needs/{id}"), Some(&who))
                .await
                .expect(status);
        }
    }
    // An import learns no more of a need it may not read than POST /needs would: its
    // reference is taken.
    let file = format!(
        "reference,title,source_channel,source_date\nBEH-2026-101,Eduroam på tåg,forum,{}\n",
        day(0)
    );
    let vem = token("vem@sunet.se", &[]);
    let refused = app
        .post_text("/api/v1/imports?kind=needs", &vem, "text/csv", &file)
        .await
        .expect(422);
    assert_eq!(
        (
            &refused.body["errors"][0]["field"],
            &refused.body["errors"][0]["message"]
        ),
        (&json!("reference"), &json!("is already taken")),
        "{}",
        refused.body
    );
    let _ = std::fs::remove_file(model);
}
