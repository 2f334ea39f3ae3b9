//! What the performance work changed in how answers are made, checked for what they say: the
//! indexed text search (trigrams) finds exactly what a substring search finds, and keeps up
//! with edits; the streamed architecture is one well-formed document however many chunks it
//! is written in; the assignment filters take slugs like every other filter.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, token, Backend, TestApp};

async fn slugs(app: &TestApp, path: &str, token: &str) -> Vec<String> {
    let reply = app.get(path, Some(token)).await.expect(200);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(
        reply.body["count"],
        results.len(),
        "{path}: count and rows agree"
    );
    results
        .iter()
        .map(|r| {
            r["slug"]
                .as_str()
                .or(r["sub"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

pub async fn text_search_finds_substrings_and_follows_edits(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    let p = app.create_portfolio(&lg, "samverkan", "Samverkan").await;
    for (slug, name) in [
        ("eduroam", "Eduroam – trådlöst nät"),
        ("forskningsdata", "Förvaring av forskningsdata"),
        ("moteskalender", "Mötes\"kalender\" för lärosäten"),
        ("sunet-cdn", "Sunet CDN"),
    ] {
        app.post(
            "/api/v1/services",
            Some(&lg),
            json!({"slug": slug, "name": name, "portfolio_id": p}),
        )
        .await
        .expect(201);
    }
    let search = |q: &str| format!("/api/v1/services?ordering=slug&q={q}");
    // Three characters and more: answered from the trigram index on both databases.
    assert_eq!(slugs(&app, &search("TRÅDLÖST"), &lg).await, ["eduroam"]);
    assert_eq!(
        slugs(&app, &search("f%C3%B6rvar"), &lg).await,
        ["forskningsdata"]
    );
    assert_eq!(
        slugs(&app, &search("ing%20av%20for"), &lg).await,
        ["forskningsdata"],
        "a phrase across words"
    );
    assert_eq!(
        slugs(&app, &search("%22kalender%22"), &lg).await,
        ["moteskalender"],
        "quotes are text"
    );
    assert_eq!(
        slugs(&app, &search("forskningsdatan"), &lg).await,
        Vec::<String>::new(),
        "a longer word is not a match"
    );
    assert_eq!(
        slugs(&app, &search("%25%25%25"), &lg).await,
        Vec::<String>::new(),
        "% is text"
    );
    // Shorter: a scan, same meaning.
    assert_eq!(slugs(&app, &search("cd"), &lg).await, ["sunet-cdn"]);
    assert_eq!(
        slugs(&app, &search("%C3%B6"), &lg).await,
        ["eduroam", "forskningsdata", "moteskalender"]
    );
    // An edit moves the service in the index: found by its new name, no longer by its old.
    let eduroam = app
        .get("/api/v1/services/eduroam", Some(&lg))
        .await
        .expect(200);
    app.send(
        "PATCH",
        "/api/v1/services/eduroam",
        Some(&lg),
        Some(json!({"name": "Eduroam – uppkoppling"})),
        &[("If-Match", &eduroam.header("etag").unwrap())],
    )
    .await
    .expect(200);
    assert_eq!(slugs(&app, &search("uppkoppling"), &lg).await, ["eduroam"]);
    assert_eq!(
        slugs(&app, &search("tr%C3%A5dl%C3%B6st"), &lg).await,
        Vec::<String>::new()
    );
    // People: found by name, with Swedish letters in either case.
    let asa = token("asa.ostrom@sunet.se", &[]);
    app.get("/api/v1/me", Some(&asa)).await.expect(200);
    app.send(
        "PATCH",
        "/api/v1/me",
        Some(&asa),
        Some(json!({"name": "Åsa Öström"})),
        &[],
    )
    .await
    .expect(200);
    let found = app
        .get("/api/v1/people?q=%C3%96STR%C3%96M", Some(&lg))
        .await
        .expect(200);
    assert_eq!(found.body["count"], 1, "{}", found.body);
    assert_eq!(found.body["results"][0]["sub"], "asa.ostrom@sunet.se");
}

pub async fn the_architecture_streams_as_one_document(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    // More portfolios than one chunk of the stream (25), each with a TÄ, a service and its TJF.
    for i in 1..=30 {
        let p = app
            .create_portfolio(
                &lg,
                &format!("portfolj-{i:02}"),
                &format!("Portfölj {i:02}"),
            )
            .await;
        app.assign(
            &lg,
            json!({"subject": format!("ta{i}@sunet.se"), "role": "service_owner", "portfolio_id": p}),
        )
        .await
        .expect(201);
        let s = app
            .established_service(&lg, &format!("tjanst-{i:02}"), p)
            .await;
        app.assign(
            &token(&format!("ta{i}@sunet.se"), &[]),
            json!({"subject": format!("tjf{i}@sunet.se"), "role": "service_manager", "service_id": s}),
        )
        .await
        .expect(201);
    }
    app.propose_service(&lg, "forslag-utan-portfolj", None)
        .await;
    let reply = app.get("/api/v1/architecture", Some(&lg)).await.expect(200);
    let portfolios = reply.body["portfolios"].as_array().unwrap();
    assert_eq!(portfolios.len(), 30);
    for (i, p) in portfolios.iter().enumerate() {
        let n = i + 1;
        assert_eq!(p["slug"], format!("portfolj-{n:02}"), "by name");
        assert_eq!(p["holders"][0]["subject"], format!("ta{n}@sunet.se"));
        assert_eq!(p["holders"].as_array().unwrap().len(), 1);
        let services = p["services"].as_array().unwrap();
        assert_eq!(services.len(), 1);
        assert_eq!(services[0]["slug"], format!("tjanst-{n:02}"));
        assert_eq!(
            services[0]["holders"][0]["subject"],
            format!("tjf{n}@sunet.se")
        );
        assert_eq!(services[0]["holders"][0]["role"], "service_manager");
    }
    let unplaced: Vec<&Value> = reply.body["unplaced_services"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(unplaced.len(), 1);
    assert_eq!(unplaced[0]["slug"], "forslag-utan-portfolj");
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json")
    );
    // The unfiltered lists' counts (kept by triggers, not counted) agree with their rows, as
    // written and again once the background pass has folded the changes (every second).
    for pass in ["as written", "folded"] {
        for (list, rows) in [("services", 31), ("people", 61), ("role-assignments", 60)] {
            let all = app
                .get(&format!("/api/v1/{list}?limit=500"), Some(&lg))
                .await
                .expect(200);
            assert_eq!(all.body["count"], rows, "{list}, {pass}");
            assert_eq!(
                all.body["results"].as_array().unwrap().len(),
                rows,
                "{list}"
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    }
    // Without a token: the problem comes before any of the stream.
    let refused = app.get("/api/v1/architecture", None).await.expect(401);
    assert_eq!(refused.body["status"], 401);
}

pub async fn assignment_filters_take_ids_and_slugs(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    let p = app.create_portfolio(&lg, "lardomar", "Lärdomar").await;
    let s = app.established_service(&lg, "larplattform", p).await;
    app.assign(
        &lg,
        json!({"subject": "ta@sunet.se", "role": "service_owner", "portfolio_id": p}),
    )
    .await
    .expect(201);
    let ta = token("ta@sunet.se", &[]);
    app.assign(
        &ta,
        json!({"subject": "tjf@sunet.se", "role": "service_manager", "service_id": s}),
    )
    .await
    .expect(201);
    let subjects = |r: Value| -> Vec<String> {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["subject"].as_str().unwrap().to_string())
            .collect()
    };
    for path in [
        "/api/v1/role-assignments?portfolio=lardomar".to_string(),
        format!("/api/v1/role-assignments?portfolio={p}"),
    ] {
        let r = app.get(&path, Some(&lg)).await.expect(200);
        assert_eq!(subjects(r.body), ["ta@sunet.se"], "{path}");
    }
    for path in [
        "/api/v1/role-assignments?service=larplattform".to_string(),
        format!("/api/v1/role-assignments?service={s}"),
    ] {
        let r = app.get(&path, Some(&lg)).await.expect(200);
        assert_eq!(subjects(r.body), ["tjf@sunet.se"], "{path}");
    }
    let none = app
        .get("/api/v1/role-assignments?portfolio=finns-inte", Some(&lg))
        .await
        .expect(200);
    assert_eq!(none.body["count"], 0);
    let by_subject = app
        .get("/api/v1/role-assignments?subject=tjf@sunet.se", Some(&lg))
        .await
        .expect(200);
    assert_eq!(subjects(by_subject.body), ["tjf@sunet.se"]);
}
