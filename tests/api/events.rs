//! The event stream (integrators §3): every audited change is an event, in order, read by key;
//! readers and scope as the audit trail.

use serde_json::{json, Value};

use crate::helpers::{day, spawn_app, token, Backend, TestApp};

fn types(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|e| e["type"].as_str().expect("type").to_string())
        .collect()
}

fn ids(page: &Value) -> Vec<i64> {
    page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect()
}

async fn events(app: &TestApp, query: &str, token: &str) -> Value {
    app.get(&format!("/api/v1/events{query}"), Some(token))
        .await
        .expect(200)
        .body
}

/// The page once it holds `n` events. On PostgreSQL an event shows once every transaction
/// that began before its own has ended — in this suite, those of other tests on the same
/// server too — so a page read at once may still lack the newest.
async fn events_once(app: &TestApp, query: &str, token: &str, n: usize) -> Value {
    for _ in 0..100 {
        let page = events(app, query, token).await;
        if page["results"].as_array().is_some_and(|r| r.len() >= n) {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    events(app, query, token).await
}

pub async fn changes_are_followed_by_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let natverk = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let identitet = app
        .create_portfolio(&lg, "identitet", "Identitet och åtkomst")
        .await;
    app.assign(
        &lg,
        json!({"subject": "tove@sunet.se", "role": "service_owner", "portfolio_id": natverk}),
    )
    .await
    .expect(201);
    let eduroam = app.established_service(&lg, "eduroam", natverk).await;
    let swamid = app.established_service(&lg, "swamid", identitet).await;

    let all = events_once(&app, "", &lg, 9).await;
    assert_eq!(
        types(&all),
        [
            "person.create", // the management group's first sight
            "portfolio.create",
            "portfolio.create",
            "person.create", // the TÄ, appointed before their first sign-in
            "role_assignment.service_owner",
            "service.propose",
            "service.establish",
            "service.propose",
            "service.establish",
        ],
        "{all}"
    );
    assert_eq!(all["count"], Value::Null, "counted only on request");
    assert_eq!(
        all["next"],
        Value::Null,
        "a page that is not full has no next"
    );
    let first = &all["results"][1];
    assert_eq!(first["object_type"], "portfolio");
    assert_eq!(first["object_id"], natverk);
    assert_eq!(first["data"]["slug"], "natverk");
    assert_eq!(first["data"]["name"], "Nätverkstjänster");
    let established = &all["results"][6];
    assert_eq!(established["object_id"], eduroam);
    assert_eq!(established["portfolio_id"], natverk);
    assert_eq!(established["data"]["lifecycle"], "established");
    let seen = ids(&all);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "ids increase: {seen:?}"
    );

    // A reader asks for what came after the last event it saw.
    let after = events(&app, &format!("?after={}", seen[6]), &lg).await;
    assert_eq!(ids(&after), seen[7..].to_vec());
    let caught_up = events(&app, &format!("?after={}", seen[8]), &lg).await;
    assert_eq!(ids(&caught_up), Vec::<i64>::new());
    // A refused write is no event; an accepted one is, with the object after it.
    let owner = token("tove@sunet.se", &[]);
    app.patch(
        &format!("/api/v1/services/{swamid}"),
        Some(&owner),
        json!({"description": "Identitetsfederation"}),
    )
    .await
    .expect(403);
    app.patch(
        &format!("/api/v1/services/{eduroam}"),
        Some(&owner),
        json!({"description": "Trådlöst nät för forskning och utbildning"}),
    )
    .await
    .expect(200);
    let later = events_once(&app, &format!("?after={}", seen[8]), &lg, 1).await;
    assert_eq!(types(&later), ["service.update"], "{later}");
    assert_eq!(
        later["results"][0]["data"]["description"],
        "Trådlöst nät för forskning och utbildning"
    );

    // Full pages link to the next by key; filters by type, prefix and object.
    let paged = events(&app, "?limit=2&count=true", &lg).await;
    assert_eq!(paged["count"], seen.len() as i64 + ids(&later).len() as i64);
    let next = paged["next"].as_str().expect("a full page links on");
    assert!(next.ends_with(&format!("after={}", seen[1])), "{next}");
    let services = events(&app, "?type=service.*", &lg).await;
    assert!(types(&services).iter().all(|t| t.starts_with("service.")));
    assert_eq!(
        types(&services)[..4],
        [
            "service.propose",
            "service.establish",
            "service.propose",
            "service.establish"
        ]
    );
    let proposals = events(&app, "?type=service.propose", &lg).await;
    assert_eq!(types(&proposals), ["service.propose", "service.propose"]);
    let one = events(
        &app,
        &format!("?object_type=service&object_id={eduroam}"),
        &lg,
    )
    .await;
    assert_eq!(
        types(&one),
        ["service.propose", "service.establish", "service.update"]
    );
    for bad in [
        "?type=service.",
        "?type=Service.*",
        "?after=-1",
        "?limit=0",
        "?offset=10",
    ] {
        app.get(&format!("/api/v1/events{bad}"), Some(&lg))
            .await
            .expect(400);
    }

    // A TÄ follows their portfolio only; a user without a reading role is refused.
    let theirs = events(&app, "", &owner).await;
    let objects: Vec<(String, i64)> = theirs["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["object_type"].as_str().unwrap().to_string(),
                e["object_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        objects.contains(&("service".to_string(), eduroam)),
        "{theirs}"
    );
    assert!(
        objects.contains(&("portfolio".to_string(), natverk)),
        "{theirs}"
    );
    assert!(
        !objects.contains(&("service".to_string(), swamid)),
        "{theirs}"
    );
    assert!(
        !objects.contains(&("portfolio".to_string(), identitet)),
        "{theirs}"
    );
    app.get("/api/v1/events", Some(&token("per.person@sunet.se", &[])))
        .await
        .expect(403);
}

/// PostgreSQL takes an identity value at insert, not at commit: a transaction still running may
/// yet add an event with a smaller id than one already committed. The stream holds later
/// events back until it has committed, so a reader that keeps its last id misses nothing.
pub async fn a_reader_never_skips_an_event_committed_late() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    let app = spawn_app(Backend::Postgres).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    app.create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let start = events_once(&app, "", &lg, 2).await;
    let last = *ids(&start).last().expect("events so far");

    // Another writer's transaction takes the next id and keeps it open.
    let mut held = diesel::PgConnection::establish(&app.database().url).expect("connect");
    held.batch_execute(
        "BEGIN; INSERT INTO events (event_type, occurred_at, object_type, object_id) \
         VALUES ('portfolio.update', now(), 'portfolio', 1)",
    )
    .expect("a transaction holding an event");
    app.create_portfolio(&lg, "identitet", "Identitet och åtkomst")
        .await;
    let waiting = events(&app, &format!("?after={last}"), &lg).await;
    assert_eq!(
        ids(&waiting),
        Vec::<i64>::new(),
        "later events wait: {waiting}"
    );

    held.batch_execute("COMMIT").expect("commit");
    let all = events_once(&app, &format!("?after={last}"), &lg, 2).await;
    assert_eq!(
        types(&all),
        ["portfolio.update", "portfolio.create"],
        "{all}"
    );
    assert_eq!(ids(&all), [last + 1, last + 2]);
}

/// The date-driven events: fired once by the scan (here every second), whatever the number of
/// scans, each with the object as it is.
pub async fn dates_make_events_once(backend: Backend) {
    let app =
        crate::helpers::spawn_app_with(backend, &[], Some("[events]\nscan_seconds = 1\n")).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let controller = token("karin.kontroll@sunet.se", &["controller"]);
    let natverk = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    app.assign(
        &lg,
        json!({"subject": "tove@sunet.se", "role": "service_owner", "portfolio_id": natverk}),
    )
    .await
    .expect(201);
    let eduroam = app
        .service_in_operation(&lg, &token("tove@sunet.se", &[]), "eduroam", natverk)
        .await;
    let customer = app
        .post(
            "/api/v1/organizations",
            Some(&controller),
            json!({"slug": "uppsala-universitet", "name": "Uppsala universitet", "kind": "customer"}),
        )
        .await
        .expect(201)
        .id();
    let contract = |title: &str, start: i64, end: i64| {
        json!({
            "kind": "customer", "organization_id": customer, "title": title,
            "reference": format!("Dnr {title}"), "start_date": day(start), "end_date": day(end),
            "renewal": "none", "notice_period_months": 1,
            "annual_value": {"amount": "48000.00", "currency": "SEK"},
            "services": [{"service_id": eduroam, "share_percent": 100}]
        })
    };
    let make = |body: Value| {
        let (app, controller) = (&app, &controller);
        async move {
            app.post("/api/v1/contracts", Some(controller), body)
                .await
                .expect(201)
                .id()
        }
    };
    let ended = make(contract("Gammalt avtal", -400, -1)).await;
    let ending = make(contract("Löpande avtal", -30, 100)).await;
    let far = make(contract("Långt avtal", -30, 1000)).await;
    let cancelled = make(contract("Uppsagt avtal", -30, 1000)).await;
    let delivery = |contract: Option<i64>| json!({"service_id": eduroam, "organization_id": customer, "contract_id": contract, "start_date": day(-10)});
    let bare = app
        .post("/api/v1/deliveries", Some(&controller), delivery(None))
        .await
        .expect(201)
        .id();
    let lapsed = app
        .post(
            "/api/v1/deliveries",
            Some(&controller),
            delivery(Some(cancelled)),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/contracts/{cancelled}/terminate"),
        Some(&controller),
        json!({"date": day(180), "reason": "Uppsagt av kunden"}),
    )
    .await
    .expect(200);
    let covered = app
        .post("/api/v1/deliveries", Some(&controller), delivery(Some(far)))
        .await
        .expect(201)
        .id();

    let wanted = |page: &Value| -> Vec<(String, i64)> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                let t = e["type"].as_str().unwrap();
                t == "contract.notice_window_opened"
                    || t == "contract.expired"
                    || t == "delivery.uncovered"
            })
            .map(|e| {
                (
                    e["type"].as_str().unwrap().to_string(),
                    e["object_id"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let mut fired = Vec::new();
    for _ in 0..100 {
        fired = wanted(&events(&app, "?limit=500", &lg).await);
        if fired.len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    fired.sort();
    let mut expected = vec![
        ("contract.expired".to_string(), ended),
        ("contract.notice_window_opened".to_string(), ending),
        ("delivery.uncovered".to_string(), bare),
        ("delivery.uncovered".to_string(), lapsed),
    ];
    expected.sort();
    assert_eq!(fired, expected, "none for {far} or {covered}");

    // Later scans fire nothing again.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let page = events(&app, "?limit=500", &lg).await;
    assert_eq!(wanted(&page).len(), 4, "{page}");
    let expired = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "contract.expired")
        .unwrap();
    assert_eq!(expired["object_type"], "contract");
    assert_eq!(expired["data"]["status"], "expired");
    assert_eq!(expired["data"]["title"], "Gammalt avtal");
    let uncovered = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "delivery.uncovered" && e["object_id"] == lapsed)
        .unwrap();
    assert_eq!(uncovered["portfolio_id"], natverk);
    assert_eq!(
        uncovered["data"]["coverage_problem"], "contract_terminated",
        "{uncovered}"
    );
}
