//! Contracts and customers (guidelines 4.7) over HTTP: organizations, supplier and customer
//! contracts with their derived dates, visibility in scope only, deliveries and the coverage
//! report, CSV exports.

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use serde_json::{json, Value};

use crate::helpers::{token, Backend, TestApp};

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn days(n: i64) -> String {
    (today() + TimeDelta::days(n)).to_string()
}

/// Two portfolios with their TÄ, a service in operation in each (plus a second one in A), a
/// controller, a KA, and customers and a supplier.
pub struct Sunet {
    pub app: TestApp,
    pub lg: String,
    pub controller: String,
    pub ka: String,
    pub tove: String,
    pub orjan: String,
    pub a: i64,
    pub b: i64,
    pub eduroam: i64,
    pub eduid: i64,
    pub sunet_box: i64,
    pub uu: i64,
    pub kth: i64,
    pub supplier: i64,
}

impl Sunet {
    pub async fn build(backend: Backend) -> Sunet {
        let world = crate::helpers::two_portfolios(backend).await;
        let (app, lg, tove, orjan) = (world.app, world.lg, world.tove, world.orjan);
        let (a, b) = (world.natverk, world.samarbete);
        let (eduroam, eduid, sunet_box) = (world.eduroam, world.eduid, world.sunet_box);
        let controller = token("karin.controller@sunet.se", &["controller"]);
        let ka = token("kalle.kund@sunet.se", &["account_manager"]);
        let organization = |slug: &str, name: &str, kind: &str, number: &str| {
            json!({"slug": slug, "name": name, "kind": kind, "org_number": number,
                   "contact": {"name": "Åsa Öberg", "email": format!("kontakt@{slug}.se")}})
        };
        let mut ids = Vec::new();
        for body in [
            organization(
                "uppsala-universitet",
                "Uppsala universitet",
                "customer",
                "202100-2932",
            ),
            organization(
                "kth",
                "Kungliga Tekniska högskolan",
                "customer",
                "202100-3054",
            ),
            organization(
                "natleverantoren",
                "Nätleverantören AB",
                "supplier",
                "556016-0680",
            ),
        ] {
            ids.push(
                app.post("/api/v1/organizations", Some(&controller), body)
                    .await
                    .expect(201)
                    .id(),
            );
        }
        Sunet {
            app,
            lg,
            controller,
            ka,
            tove,
            orjan,
            a,
            b,
            eduroam,
            eduid,
            sunet_box,
            uu: ids[0],
            kth: ids[1],
            supplier: ids[2],
        }
    }

    /// A customer contract with Uppsala universitet covering `services` (equal shares).
    pub fn customer_contract(&self, reference: &str, services: &[i64]) -> Value {
        let n = services.len() as i64;
        let shares: Vec<Value> = services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let share = if i == 0 {
                    100 - (n - 1) * (100 / n)
                } else {
                    100 / n
                };
                json!({"service_id": s, "share_percent": share})
            })
            .collect();
        json!({
            "kind": "customer",
            "organization_id": self.uu,
            "title": "Anslutningsavtal, Uppsala universitet",
            "reference": reference,
            "start_date": days(-30),
            "end_date": days(365),
            "annual_value": {"amount": "125000.00", "currency": "SEK"},
            "services": shares,
        })
    }

    pub async fn contract(&self, body: Value) -> i64 {
        self.app
            .post("/api/v1/contracts", Some(&self.controller), body)
            .await
            .expect(201)
            .id()
    }
}

pub async fn organizations_are_kept_by_the_controller_and_account_managers(backend: Backend) {
    let s = Sunet::build(backend).await;
    let app = &s.app;
    let body = json!({"slug": "lunds-universitet", "name": "Lunds universitet", "kind": "customer", "org_number": "202100-3211"});
    let refused = app
        .post("/api/v1/organizations", Some(&s.tove), body.clone())
        .await
        .expect(403);
    assert_eq!(refused.body["action"], "organization.create");
    let lund = app
        .post("/api/v1/organizations", Some(&s.ka), body)
        .await
        .expect(201);
    assert_eq!(lund.body["org_number"], "202100-3211");
    let wrong = app
        .post(
            "/api/v1/organizations",
            Some(&s.ka),
            json!({"slug": "fel", "name": "Fel", "kind": "customer", "org_number": "202100-3212"}),
        )
        .await
        .expect(422); // the form is right, the check digit is not

    assert_eq!(wrong.body["errors"][0]["field"], "org_number");
    let taken = app
        .post(
            "/api/v1/organizations",
            Some(&s.ka),
            json!({"slug": "kth", "name": "KTH igen", "kind": "customer"}),
        )
        .await
        .expect(409);
    assert_eq!(taken.body["errors"][0]["field"], "slug");
    let plain = token("per.plain@sunet.se", &[]);
    let customers = app
        .get(
            "/api/v1/organizations?kind=customer&q=UNIVERSITET",
            Some(&plain),
        )
        .await
        .expect(200);
    assert_eq!(customers.body["count"], 2, "Uppsala and Lund");
    let by_slug = app
        .get("/api/v1/organizations/kth", Some(&plain))
        .await
        .expect(200);
    assert_eq!(by_slug.body["contact"]["name"], "Åsa Öberg");
    // A supplier with contracts stays a supplier.
    s.contract(json!({
        "kind": "supplier", "organization_id": s.supplier, "title": "Fiberförbindelser",
        "reference": "VR 2026-0001", "start_date": days(-10), "end_date": days(700),
        "annual_value": {"amount": "2400000", "currency": "SEK"},
        "services": [{"service_id": s.eduroam, "share_percent": 100}]
    }))
    .await;
    app.patch(
        &format!("/api/v1/organizations/{}", s.supplier),
        Some(&s.controller),
        json!({"kind": "customer"}),
    )
    .await
    .expect(409);
    let renamed = app
        .send(
            "PATCH",
            "/api/v1/organizations/kth",
            Some(&s.ka),
            Some(
                json!({"name": "KTH Kungliga Tekniska högskolan", "contact": {"name": "Örjan Ek"}}),
            ),
            &[("If-Match", "\"1\"")],
        )
        .await
        .expect(200);
    assert_eq!(renamed.body["contact"]["email"], Value::Null);
}

pub async fn contracts_are_validated_and_their_dates_derived(backend: Backend) {
    let s = Sunet::build(backend).await;
    let app = &s.app;
    let base = s.customer_contract("UU 2026-17", &[s.eduroam]);
    let with = |changes: Value| {
        let mut body = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    // 400: the document says no (form); 422: a rule across fields or over stored objects.
    let cases = [
        (json!({"end_date": days(-60)}), "end_date", 422),
        (
            json!({"annual_value": {"amount": "12.345", "currency": "SEK"}}),
            "annual_value.amount",
            400,
        ),
        (
            json!({"annual_value": {"amount": "-5", "currency": "SEK"}}),
            "annual_value.amount",
            400,
        ),
        (
            json!({"annual_value": {"amount": "5", "currency": "KRONOR"}}),
            "annual_value.currency",
            400,
        ),
        (
            json!({"services": [{"service_id": s.eduroam, "share_percent": 90}]}),
            "services",
            422,
        ),
        (
            json!({"services": [{"service_id": 9999, "share_percent": 100}]}),
            "services[0].service_id",
            422,
        ),
        (json!({"renewal": "automatic"}), "renewal_term_months", 422),
        (
            json!({"notice_period_months": -1}),
            "notice_period_months",
            400,
        ),
        (
            json!({"organization_id": s.supplier}),
            "organization_id",
            422,
        ),
        (json!({"organization_id": 9999}), "organization_id", 422),
        (json!({"title": "  "}), "title", 400),
        (json!({"document_url": "ftp://arkiv"}), "document_url", 400),
    ];
    for (changes, field, status) in cases {
        let reply = app
            .post(
                "/api/v1/contracts",
                Some(&s.controller),
                with(changes.clone()),
            )
            .await;
        assert_eq!(reply.status, status, "{changes}: {}", reply.body);
        assert_eq!(
            reply.body["errors"][0]["field"], field,
            "{changes}: {}",
            reply.body
        );
    }
    let none = app
        .get("/api/v1/contracts", Some(&s.controller))
        .await
        .expect(200);
    assert_eq!(none.body["count"], 0, "nothing was written");

    // Notice: the end of the term minus the notice period, the day clamped to month's end.
    let year = today().year() + 2;
    let end = NaiveDate::from_ymd_opt(year, 8, 31).unwrap();
    let created = app
        .post(
            "/api/v1/contracts",
            Some(&s.controller),
            with(json!({
                "end_date": end.to_string(),
                "notice_period_months": 6,
                "annual_value": {"amount": "1250000.5", "currency": "SEK"},
                "document_url": "https://diarium.sunet.se/UU-2026-17",
                "responsible": ["karin.controller@sunet.se"]
            })),
        )
        .await
        .expect(201);
    let c = &created.body;
    assert_eq!(
        c["annual_value"],
        json!({"amount": "1250000.50", "currency": "SEK"})
    );
    assert_eq!(c["current_term_end"], end.to_string());
    let end_of_february = NaiveDate::from_ymd_opt(year, 3, 1).unwrap() - TimeDelta::days(1);
    assert_eq!(c["notice_deadline"], end_of_february.to_string());
    assert_eq!(c["status"], "active");
    assert_eq!(c["expires_in_days"], (end - today()).num_days());
    assert_eq!(c["services"][0]["service_slug"], "eduroam");
    let dup = app
        .post("/api/v1/contracts", Some(&s.controller), with(json!({})))
        .await
        .expect(409);
    assert_eq!(dup.body["errors"][0]["field"], "reference");

    // Automatic renewal: an end date long past rolls forward by whole terms.
    let rolled = app
        .post(
            "/api/v1/contracts",
            Some(&s.controller),
            with(json!({
                "reference": "UU 2019-3",
                "start_date": "2019-01-01",
                "end_date": "2019-12-31",
                "renewal": "automatic",
                "renewal_term_months": 12,
                "notice_period_months": 3
            })),
        )
        .await
        .expect(201);
    let term_end = NaiveDate::from_ymd_opt(today().year(), 12, 31).unwrap();
    assert_eq!(rolled.body["current_term_end"], term_end.to_string());
    assert_eq!(
        rolled.body["notice_deadline"],
        (term_end - Months::new(3)).to_string()
    );
    assert_eq!(rolled.body["status"], "active");

    // Expiring: ends within 90 days, no automatic renewal.
    let expiring = s
        .contract(with(
            json!({"reference": "UU 2026-90", "end_date": days(45)}),
        ))
        .await;
    let controller = s.controller.as_str();
    let list = |query: &str| {
        let path = format!("/api/v1/contracts?{query}");
        async move { app.get(&path, Some(controller)).await.expect(200).body }
    };
    let found = list("status=expiring").await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["id"], expiring);
    assert_eq!(list("expiring_within_days=30").await["count"], 0);
    assert_eq!(list("expiring_within_days=60").await["count"], 1);
    assert_eq!(
        list("notice_within_days=45").await["count"],
        1,
        "no notice period: the end day"
    );
    assert_eq!(list("status=active").await["count"], 2);
    assert_eq!(list("kind=supplier").await["count"], 0);
    assert_eq!(list("service=eduroam").await["count"], 3);
    assert_eq!(list("service=eduid").await["count"], 0);
    assert_eq!(list("portfolio=natverk").await["count"], 3);
    assert_eq!(list("portfolio=samarbete").await["count"], 0);
    assert_eq!(list("organization=uppsala-universitet").await["count"], 3);
    assert_eq!(list("organization=finns-inte").await["count"], 0);
    assert_eq!(list("q=uu%202019").await["count"], 1);
    assert_eq!(
        list("ordering=-current_term_end&limit=1").await["results"][0]["reference"],
        "UU 2026-17"
    );
    assert_eq!(
        app.get(
            "/api/v1/contracts?expiring_within_days=-1",
            Some(&s.controller)
        )
        .await
        .status,
        400
    );

    // Changes need the current version; termination is final.
    let path = format!("/api/v1/contracts/{expiring}");
    app.send(
        "PATCH",
        &path,
        Some(&s.controller),
        Some(json!({"title": "Nytt"})),
        &[("If-Match", "\"9\"")],
    )
    .await
    .expect(412);
    let changed = app
        .send(
            "PATCH",
            &path,
            Some(&s.controller),
            Some(json!({"end_date": days(400)})),
            &[("If-Match", "\"1\"")],
        )
        .await
        .expect(200);
    assert_eq!(changed.body["status"], "active");
    let terminated = app
        .post(
            &format!("{path}/terminate"),
            Some(&s.controller),
            json!({"date": days(30), "reason": "Uppsägning enligt beslut 2026-11-20"}),
        )
        .await
        .expect(200);
    assert_eq!(terminated.body["status"], "terminated");
    assert_eq!(terminated.body["terminated_on"], days(30));
    app.post(
        &format!("{path}/terminate"),
        Some(&s.controller),
        json!({"date": days(30), "reason": "igen"}),
    )
    .await
    .expect(409);
    app.patch(&path, Some(&s.controller), json!({"title": "Efteråt"}))
        .await
        .expect(409);
    assert_eq!(list("status=terminated").await["count"], 1);
    let trail = app
        .get(
            &format!("/api/v1/audit-events?count=true&object_type=contract&object_id={expiring}"),
            Some(&s.lg),
        )
        .await
        .expect(200);
    assert_eq!(trail.body["count"], 3, "created, changed, terminated");
}

pub async fn contracts_are_visible_only_in_scope(backend: Backend) {
    let s = Sunet::build(backend).await;
    let app = &s.app;
    let in_a = s.contract(s.customer_contract("UU A", &[s.eduroam])).await;
    let in_b = s
        .contract(s.customer_contract("UU B", &[s.sunet_box]))
        .await;
    let both = s
        .contract(s.customer_contract("UU A+B", &[s.eduroam, s.sunet_box]))
        .await;
    let supplier = s
        .contract(json!({
            "kind": "supplier", "organization_id": s.supplier, "title": "Drift av RADIUS",
            "reference": "LEV 1", "start_date": days(-10), "end_date": days(300),
            "annual_value": {"amount": "99000", "currency": "EUR"},
            "services": [{"service_id": s.eduid, "share_percent": 100}]
        }))
        .await;
    let tjf_eduroam = token("tjf-eduroam@sunet.se", &[]);
    let plain = token("per.plain@sunet.se", &[]);
    let kom = token("kim.kommunikation@sunet.se", &["communicator"]);
    let vu = token("vera.utveckling@sunet.se", &["business_developer"]);
    let cases: [(&str, &String, [bool; 4]); 8] = [
        ("controller", &s.controller, [true, true, true, true]),
        ("LG", &s.lg, [true, true, true, true]),
        ("VU", &vu, [true, true, true, true]),
        ("KA (customer contracts)", &s.ka, [true, true, true, false]),
        ("TÄ of A", &s.tove, [true, false, true, true]),
        ("TÄ of B", &s.orjan, [false, true, true, false]),
        ("TJF of eduroam", &tjf_eduroam, [true, false, true, false]),
        ("KOM", &kom, [false, false, false, false]),
    ];
    let ids = [in_a, in_b, both, supplier];
    for (who, t, expected) in cases {
        let listed = app
            .get("/api/v1/contracts?limit=500", Some(t))
            .await
            .expect(200);
        let visible: Vec<i64> = listed.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            listed.body["count"],
            visible.len(),
            "{who}: count is of visible rows"
        );
        for (id, sees) in ids.iter().zip(expected) {
            assert_eq!(visible.contains(id), sees, "{who} lists contract {id}");
            let one = app.get(&format!("/api/v1/contracts/{id}"), Some(t)).await;
            assert_eq!(
                one.status,
                if sees { 200 } else { 404 },
                "{who} gets contract {id}"
            );
            if !sees {
                assert!(one.body.get("reference").is_none(), "a 404 tells nothing");
            }
        }
    }
    let nothing = app.get("/api/v1/contracts", Some(&plain)).await.expect(200);
    assert_eq!(nothing.body["count"], 0);
    // Writing needs scope over every covered service; one who cannot read gets 404.
    let patch = json!({"title": "Ändrad titel"});
    app.patch(
        &format!("/api/v1/contracts/{in_a}"),
        Some(&s.tove),
        patch.clone(),
    )
    .await
    .expect(200);
    let refused = app
        .patch(
            &format!("/api/v1/contracts/{both}"),
            Some(&s.tove),
            patch.clone(),
        )
        .await
        .expect(403);
    assert_eq!(refused.body["action"], "contract.update");
    app.patch(
        &format!("/api/v1/contracts/{in_b}"),
        Some(&s.tove),
        patch.clone(),
    )
    .await
    .expect(404);
    app.post(
        &format!("/api/v1/contracts/{in_b}/terminate"),
        Some(&plain),
        json!({"date": days(1), "reason": "x"}),
    )
    .await
    .expect(404);
    // A TÄ cannot move cover onto another portfolio's service, nor create one there.
    app.patch(
        &format!("/api/v1/contracts/{in_a}"),
        Some(&s.tove),
        json!({"services": [{"service_id": s.sunet_box, "share_percent": 100}]}),
    )
    .await
    .expect(403);
    app.post(
        "/api/v1/contracts",
        Some(&s.tove),
        s.customer_contract("UU ny B", &[s.sunet_box]),
    )
    .await
    .expect(403);
    app.post(
        "/api/v1/contracts",
        Some(&s.tove),
        s.customer_contract("UU ny A", &[s.eduid]),
    )
    .await
    .expect(201);
    // A TS with the contracts delegation writes; one without only reads.
    for (sub, delegations) in [
        ("ts-avtal@sunet.se", json!(["contracts"])),
        ("ts-plan@sunet.se", json!(["plan"])),
    ] {
        app.assign(&s.tove, json!({"subject": sub, "role": "service_coordinator", "portfolio_id": s.a, "delegations": delegations}))
            .await
            .expect(201);
    }
    app.patch(
        &format!("/api/v1/contracts/{in_a}"),
        Some(&token("ts-avtal@sunet.se", &[])),
        json!({"title": "TS ändrar"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/contracts/{in_a}"),
        Some(&token("ts-plan@sunet.se", &[])),
        json!({"title": "TS ändrar"}),
    )
    .await
    .expect(403);
    // The TÄ of A reads the trail of contracts covering A's services.
    let trail = app
        .get(
            "/api/v1/audit-events?count=true&object_type=contract&limit=500",
            Some(&s.tove),
        )
        .await
        .expect(200);
    let objects: Vec<i64> = trail.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["object_id"].as_i64().unwrap())
        .collect();
    assert!(objects.contains(&in_a) && objects.contains(&both) && !objects.contains(&in_b));
    app.assert_trails_filed();
}

pub async fn deliveries_without_valid_cover_are_reported(backend: Backend) {
    let s = Sunet::build(backend).await;
    let app = &s.app;
    let contract = s
        .contract(s.customer_contract("UU 1", &[s.eduroam, s.eduid]))
        .await;
    let controller = s.controller.as_str();
    let deliver = |service: i64, organization: i64, contract: Option<i64>| {
        let body = json!({"service_id": service, "organization_id": organization,
                          "contract_id": contract, "start_date": days(-7)});
        async move { app.post("/api/v1/deliveries", Some(controller), body).await }
    };
    let covered = deliver(s.eduroam, s.uu, Some(contract)).await.expect(201);
    assert_eq!(covered.body["covered"], true);
    let uncovered = deliver(s.eduid, s.kth, None).await.expect(201);
    assert_eq!(uncovered.body["coverage_problem"], "no_contract");
    let box_delivery = deliver(s.sunet_box, s.kth, None).await.expect(201).id();
    // Link rules: the organisation, the service, a customer contract, in force.
    // Rules over stored objects, not the body's form: 422.
    let wrong_org = deliver(s.eduroam, s.kth, Some(contract)).await.expect(422);
    assert_eq!(wrong_org.body["errors"][0]["field"], "contract_id");
    deliver(s.sunet_box, s.uu, Some(contract)).await.expect(422);
    deliver(s.eduroam, s.supplier, None).await.expect(422);
    let future = s
        .contract(json!({"kind": "customer", "organization_id": s.kth, "title": "Framtida", "reference": "KTH 2",
                         "start_date": days(10), "end_date": days(400),
                         "annual_value": {"amount": "1", "currency": "SEK"},
                         "services": [{"service_id": s.eduid, "share_percent": 100}]}))
        .await;
    deliver(s.eduid, s.kth, Some(future)).await.expect(409);
    let ka_link = app
        .post(
            "/api/v1/deliveries",
            Some(&s.ka),
            json!({"service_id": s.eduroam, "organization_id": s.uu, "contract_id": contract, "start_date": days(0)}),
        )
        .await
        .expect(403);
    assert_eq!(ka_link.body["action"], "delivery.link_contract");

    let report = |t: String| async move {
        app.get("/api/v1/reports/contract-coverage", Some(&t))
            .await
            .expect(200)
            .body
    };
    let all = report(s.controller.clone()).await;
    assert_eq!(all["count"], 2, "{all}");
    let reasons: Vec<(i64, String)> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["delivery_id"].as_i64().unwrap(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(reasons.contains(&(uncovered.id(), "no_contract".into())));
    assert_eq!(
        all["totals"],
        json!([
            {"portfolio_id": s.a, "portfolio_slug": "natverk", "uncovered": 1},
            {"portfolio_id": s.b, "portfolio_slug": "samarbete", "uncovered": 1}
        ])
    );
    let tove_sees = report(s.tove.clone()).await;
    assert_eq!(tove_sees["count"], 1, "the TÄ of A: A's deliveries only");
    assert_eq!(tove_sees["results"][0]["service_slug"], "eduid");
    app.get(
        "/api/v1/reports/contract-coverage",
        Some(&token("tjf-eduroam@sunet.se", &[])),
    )
    .await
    .expect(403);

    // Each reason, made by changing the contract behind a covered delivery.
    let path = format!("/api/v1/contracts/{contract}");
    let reason_of_covered = || async {
        let r = report(s.controller.clone()).await;
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["delivery_id"] == covered.id())
            .map(|r| r["reason"].as_str().unwrap().to_string())
    };
    assert_eq!(reason_of_covered().await, None);
    let steps = [
        (
            json!({"services": [{"service_id": s.eduid, "share_percent": 100}]}),
            Some("service_not_covered"),
        ),
        (
            json!({"services": [{"service_id": s.eduroam, "share_percent": 100}]}),
            None,
        ),
        (
            json!({"organization_id": s.kth}),
            Some("organization_mismatch"),
        ),
        (json!({"organization_id": s.uu}), None),
        (json!({"start_date": days(5)}), Some("contract_not_started")),
        (
            json!({"start_date": days(-400), "end_date": days(-1)}),
            Some("contract_expired"),
        ),
        (json!({"end_date": days(0)}), None),
    ];
    for (change, expected) in steps {
        app.patch(&path, Some(&s.controller), change.clone())
            .await
            .expect(200);
        assert_eq!(
            reason_of_covered().await.as_deref(),
            expected,
            "after {change}"
        );
    }
    let listed = app
        .get("/api/v1/deliveries?covered=true", Some(&s.controller))
        .await
        .expect(200);
    assert_eq!(listed.body["count"], 1);
    app.post(
        &format!("{path}/terminate"),
        Some(&s.controller),
        json!({"date": days(60), "reason": "Upphandlat på nytt"}),
    )
    .await
    .expect(200);
    assert_eq!(
        reason_of_covered().await.as_deref(),
        Some("contract_terminated"),
        "at once"
    );
    assert_eq!(
        app.get(
            "/api/v1/deliveries?covered=false&portfolio=natverk",
            Some(&s.controller)
        )
        .await
        .expect(200)
        .body["count"],
        2
    );

    // Decommissioning waits for the deliveries to end (guidelines 4.2).
    app.transition(&s.orjan, s.sunet_box, "decommissioning")
        .await
        .expect(200);
    let refused = app
        .transition(&s.lg, s.sunet_box, "decommissioned")
        .await
        .expect(409);
    assert!(refused.body["detail"]
        .as_str()
        .unwrap()
        .contains("1 active customer deliveries"));
    let ended = app
        .patch(
            &format!("/api/v1/deliveries/{box_delivery}"),
            Some(&s.orjan),
            json!({"end_date": days(-1)}),
        )
        .await
        .expect(200);
    assert_eq!(ended.body["active"], false);
    app.transition(&s.lg, s.sunet_box, "decommissioned")
        .await
        .expect(200);
    assert_eq!(report(s.controller.clone()).await["count"], 2);

    // Deliveries are visible in scope only.
    app.get(&format!("/api/v1/deliveries/{box_delivery}"), Some(&s.tove))
        .await
        .expect(404);
    app.get(
        &format!("/api/v1/deliveries/{box_delivery}"),
        Some(&s.orjan),
    )
    .await
    .expect(200);
    let tove_list = app
        .get("/api/v1/deliveries", Some(&s.tove))
        .await
        .expect(200);
    assert_eq!(tove_list.body["count"], 2);
    let plain = app
        .get(
            "/api/v1/deliveries",
            Some(&token("per.plain@sunet.se", &[])),
        )
        .await
        .expect(200);
    assert_eq!(plain.body["count"], 0);
    app.assert_trails_filed();
}

pub async fn exports_are_proper_csv(backend: Backend) {
    let s = Sunet::build(backend).await;
    let app = &s.app;
    let mut body = s.customer_contract("UU \"17\", 2026", &[s.eduroam]);
    body["title"] = json!("Avtal \"Lärosäte\", Örebro; rad två");
    s.contract(body).await;
    for (accept, path) in [
        ("text/csv", "/api/v1/contracts"),
        ("application/json", "/api/v1/contracts?format=csv"),
    ] {
        let reply = app
            .client
            .get(app.url(path))
            .bearer_auth(&s.controller)
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        assert_eq!(
            reply.headers()["content-type"].to_str().unwrap(),
            "text/csv; charset=utf-8"
        );
        assert_eq!(reply.headers()["x-total-count"].to_str().unwrap(), "1");
        let text = reply.text().await.unwrap();
        let mut lines = text.split("\r\n");
        assert!(lines
            .next()
            .unwrap()
            .starts_with("id,kind,reference,title,organization_slug"));
        let row = lines.next().unwrap();
        assert!(
            row.contains(
                r#","UU ""17"", 2026","Avtal ""Lärosäte"", Örebro; rad två",uppsala-universitet,"#
            ),
            "{row}"
        );
        assert!(row.contains(",125000.00,SEK,"), "{row}");
    }
    let deliveries = app
        .client
        .get(app.url("/api/v1/reports/contract-coverage?format=csv"))
        .bearer_auth(&s.controller)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        deliveries,
        "delivery_id,service_slug,organization_slug,portfolio_slug,contract_id,start_date,reason\r\n"
    );
    let _ = (s.kth, s.b);
}

/// A TÄ's audit trail holds the history of what is in their portfolio now and what was recorded
/// there (docs/governance-model.md; filed when written, filed again when something moves): a contract's
/// history goes where its services are, a delivery's and a change request's follow their
/// service — moved through the API or by an operator's SQL — and what was recorded in a
/// portfolio stays in its trail.
pub async fn a_portfolios_trail_follows_what_is_in_it_now(backend: Backend) {
    let s = Sunet::build(backend).await;
    let app = &s.app;
    let contract = s.contract(s.customer_contract("UU 7", &[s.eduroam])).await;
    let delivery = app
        .post(
            "/api/v1/deliveries",
            Some(&s.controller),
            json!({"service_id": s.eduid, "organization_id": s.kth, "start_date": days(-7)}),
        )
        .await
        .expect(201)
        .id();
    let request = app
        .post(
            "/api/v1/change-requests",
            Some(&s.lg),
            json!({"service_id": s.eduid, "title": "Stöd för passkeys i eduID"}),
        )
        .await
        .expect(201)
        .id();
    // Each object's first event, recorded in A.
    let everything = app
        .get("/api/v1/audit-events?limit=500", Some(&s.lg))
        .await
        .expect(200);
    let first_event = |object_type: &str, id: i64| {
        everything.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["object_type"] == object_type && e["object_id"] == id)
            .map(|e| e["id"].as_i64().unwrap())
            .min()
            .unwrap_or_else(|| panic!("{object_type} {id} has a history"))
    };
    let firsts = [
        ("contract", first_event("contract", contract)),
        ("delivery", first_event("delivery", delivery)),
        ("change request", first_event("change_request", request)),
    ];
    //                      (what, in Tove's trail, in Örjan's)
    check_trails(
        &s,
        &firsts,
        "all in A",
        [
            ("contract", true, false),
            ("delivery", true, false),
            ("change request", true, false),
        ],
    )
    .await;

    app.patch(
        &format!("/api/v1/contracts/{contract}"),
        Some(&s.controller),
        json!({"services": [{"service_id": s.sunet_box, "share_percent": 100}]}),
    )
    .await
    .expect(200);
    check_trails(
        &s,
        &firsts,
        "the contract now covers B's service",
        [
            ("contract", true, true),
            ("delivery", true, false),
            ("change request", true, false),
        ],
    )
    .await;

    app.patch(
        &format!("/api/v1/services/{}", s.eduid),
        Some(&s.lg),
        json!({"portfolio_id": s.b}),
    )
    .await
    .expect(200);
    check_trails(
        &s,
        &firsts,
        "eduID moved to B",
        [
            ("contract", true, true),
            ("delivery", true, true),
            ("change request", true, true),
        ],
    )
    .await;

    app.sql(&format!(
        "UPDATE services SET portfolio_id = {} WHERE id = {}",
        s.a, s.eduid
    ));
    app.sql(&format!(
        "DELETE FROM contract_services WHERE contract_id = {contract}"
    ));
    check_trails(
        &s,
        &firsts,
        "eduID moved back and the contract's cover removed, by SQL",
        [
            ("contract", true, false),
            ("delivery", true, false),
            ("change request", true, false),
        ],
    )
    .await;
}

/// Whether each object's first event is in Tove's and in Örjan's trail, as `expected` says; read
/// unfiltered (each part of the scope stops at the page) and with a filter.
async fn check_trails(
    s: &Sunet,
    firsts: &[(&str, i64); 3],
    step: &str,
    expected: [(&str, bool, bool); 3],
) {
    let mut wrong = Vec::new();
    for (owner, token, in_toves) in [("Tove", &s.tove, true), ("Örjan", &s.orjan, false)] {
        for path in [
            "/api/v1/audit-events?limit=500",
            "/api/v1/audit-events?limit=500&since=2000-01-01T00:00:00Z",
        ] {
            let trail = s.app.get(path, Some(token)).await.expect(200);
            let ids: Vec<i64> = trail.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_i64().unwrap())
                .collect();
            for ((what, event), (named, toves, orjans)) in firsts.iter().zip(expected) {
                assert_eq!(*what, named);
                let holds = if in_toves { toves } else { orjans };
                if ids.contains(event) != holds {
                    wrong.push(format!(
                        "{step}: {owner}, {what} ({path}): {holds} expected"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    s.app.assert_trails_filed();
}
