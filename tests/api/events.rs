//! The event stream (integrators §3): every audited change is an event, in order, read by key;
//! readers and scope as the audit trail.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, token, Backend, TestApp};

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
