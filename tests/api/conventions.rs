//! docs/conventions.md: problem+json everywhere, limits, ETag/If-Match, request ids, health.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, token, Backend, TestApp};

pub fn assert_problem(reply: &crate::helpers::Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    for field in ["type", "title", "status", "detail"] {
        assert!(
            !reply.body[field].is_null(),
            "problem lacks {field}: {}",
            reply.body
        );
    }
    assert_eq!(reply.body["status"], status);
    assert_eq!(
        reply.body["request_id"].as_str(),
        reply.header("x-request-id").as_deref(),
        "the problem names its request"
    );
}

async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &'static [u8],
) -> crate::helpers::Reply {
    let mut request = app
        .client
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            app.url(path),
        )
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    crate::helpers::Reply {
        status,
        headers,
        body,
    }
}

pub async fn bad_input_gets_a_problem_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let unknown = app
        .post(
            "/api/v1/portfolios",
            Some(&lg),
            json!({"slug": "natverk", "name": "Nätverk", "owner": "x"}),
        )
        .await;
    assert_problem(&unknown, 400);
    assert_eq!(unknown.body["errors"][0]["field"], "owner");
    let invalid = app
        .post(
            "/api/v1/portfolios",
            Some(&lg),
            json!({"slug": "Nätverk!", "name": "  "}),
        )
        .await;
    assert_problem(&invalid, 400);
    let fields: Vec<&str> = invalid.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["slug", "name"]);
    assert_problem(
        &raw(
            &app,
            "POST",
            "/api/v1/portfolios",
            Some(&lg),
            b"{\"slug\": ",
        )
        .await,
        400,
    );
    assert_problem(
        &raw(&app, "POST", "/api/v1/portfolios", Some(&lg), b"[1, 2]").await,
        400,
    );
    assert_problem(
        &app.post(
            "/api/v1/portfolios",
            Some(&lg),
            json!({"name": "Utan slug"}),
        )
        .await,
        400,
    );
    assert_problem(
        &app.post(
            "/api/v1/portfolios",
            Some(&lg),
            json!({"slug": 5, "name": "Fel typ"}),
        )
        .await,
        400,
    );
    let huge = "å".repeat(600 * 1024);
    assert_problem(
        &app.post(
            "/api/v1/portfolios",
            Some(&lg),
            json!({"slug": "stor", "name": huge}),
        )
        .await,
        413,
    );
    assert_problem(&app.get("/api/v1/portfolios?limit=x", Some(&lg)).await, 400);
    assert_problem(&app.get("/api/v1/people/inte-ett-id", Some(&lg)).await, 404);
    let list = app.get("/api/v1/portfolios", Some(&lg)).await.expect(200);
    assert_eq!(list.body["count"], 0, "nothing was written");
    let trail = app
        .get(
            "/api/v1/audit-events?count=true&object_type=portfolio",
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(trail.body["count"], 0);
}

pub async fn unknown_paths_and_methods_are_problems(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    assert_problem(&app.get("/api/v1/finns-inte", Some(&lg)).await, 404);
    assert_problem(&app.get("/ingenting", None).await, 404);
    let not_allowed = app
        .send(
            "PUT",
            "/api/v1/portfolios/natverk",
            Some(&lg),
            Some(json!({})),
            &[],
        )
        .await;
    assert_problem(&not_allowed, 405);
    assert_eq!(not_allowed.header("allow").as_deref(), Some("GET, PATCH"));
    assert_problem(&app.delete("/api/v1/services", Some(&lg)).await, 405);
}

pub async fn writes_carry_etags_and_if_match_is_atomic(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let created = app
        .post(
            "/api/v1/portfolios",
            Some(&lg),
            json!({"slug": "natverk", "name": "Nätverkstjänster"}),
        )
        .await
        .expect(201);
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(created.body["version"], 1);
    let stale = app
        .send(
            "PATCH",
            "/api/v1/portfolios/natverk",
            Some(&lg),
            Some(json!({"name": "X"})),
            &[("If-Match", "\"7\"")],
        )
        .await;
    assert_problem(&stale, 412);

    // Eight writers with the same ETag: exactly one wins.
    let mut writers = Vec::new();
    for i in 0..8 {
        let (client, url, lg) = (
            app.client.clone(),
            app.url("/api/v1/portfolios/natverk"),
            lg.clone(),
        );
        writers.push(tokio::spawn(async move {
            client
                .patch(url)
                .bearer_auth(lg)
                .header("If-Match", "\"1\"")
                .json(&json!({"description": format!("Skrivare {i}")}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let statuses = crate::helpers::sorted_statuses(writers).await;
    assert_eq!(statuses, [200, 412, 412, 412, 412, 412, 412, 412]);
    let now = app
        .get("/api/v1/portfolios/natverk", Some(&lg))
        .await
        .expect(200);
    assert_eq!(now.body["version"], 2);
    assert_eq!(now.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(
        app.audit_count(&lg, "portfolio").await,
        2,
        "one create, one update"
    );
}

pub async fn request_ids_are_echoed_or_made(backend: Backend) {
    let app = spawn_app(backend).await;
    let echoed = app
        .send(
            "GET",
            "/health/live",
            None,
            None,
            &[("X-Request-Id", "min-forfragan-1")],
        )
        .await;
    assert_eq!(
        echoed.header("x-request-id").as_deref(),
        Some("min-forfragan-1")
    );
    let made = app.get("/health/live", None).await;
    assert_eq!(made.header("x-request-id").map(|v| v.len()), Some(36));
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    app.send(
        "POST",
        "/api/v1/portfolios",
        Some(&lg),
        Some(json!({"slug": "spar", "name": "Spår"})),
        &[("X-Request-Id", "spar-123")],
    )
    .await
    .expect(201);
    let trail = app
        .get(
            "/api/v1/audit-events?count=true&object_type=portfolio",
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(trail.body["results"][0]["request_id"], "spar-123");
}

pub async fn health_and_public_endpoints_need_no_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/health/live", None).await.expect(200);
    app.get("/health/ready", None).await.expect(200);
    let roles = app.get("/api/v1/roles", None).await.expect(200);
    let owner = roles
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "service_owner")
        .unwrap();
    assert_eq!(owner["abbreviation"], "TÄ");
    assert_eq!(owner["name_sv"], "Tjänsteägare");
    assert_eq!(roles.body.as_array().unwrap().len(), 10);
    app.get("/api/v1/catalog", None).await.expect(200);
    let doc = app.get("/api/v1/openapi.json", None).await.expect(200);
    assert!(doc.body["paths"]["/api/v1/services/{service}/transitions"]["post"].is_object());
    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status().as_u16(), 200);
    let html = docs.text().await.unwrap();
    assert!(
        !html.contains("https://"),
        "the docs UI loads nothing from the internet"
    );
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/docs"))
        .send()
        .await
        .unwrap();
    assert!(redirect.status().is_redirection());
    for path in [
        "/api/v1/services",
        "/api/v1/me",
        "/api/v1/architecture",
        "/api/v1/people",
        "/api/v1/audit-events",
    ] {
        assert_problem(&app.get(path, None).await, 401);
    }
}

/// Rules that span rows hold when writes race: a service never ends up in operation without
/// a TJF because the last TJF was revoked at the same moment (SERIALIZABLE on PostgreSQL,
/// one writer at a time on SQLite).
pub async fn rules_spanning_rows_hold_under_concurrent_writes(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let ta = token("tove.agare@sunet.se", &[]);
    let p = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    app.post(
        "/api/v1/role-assignments",
        Some(&lg),
        json!({"subject": "tove.agare@sunet.se", "role": "service_owner", "portfolio_id": p}),
    )
    .await
    .expect(201);
    let mut races = Vec::new();
    for i in 0..12 {
        let service = app
            .established_service(&lg, &format!("tjanst-{i}"), p)
            .await;
        let tjf = app
            .post("/api/v1/role-assignments", Some(&ta), json!({"subject": format!("tjf{i}@sunet.se"), "role": "service_manager", "service_id": service}))
            .await
            .expect(201)
            .id();
        races.push((service, tjf));
    }
    let mut tasks = Vec::new();
    for (service, tjf) in &races {
        let (client, ta, service) = (app.client.clone(), ta.clone(), *service);
        let operate = app.url(&format!("/api/v1/services/{service}/transitions"));
        let revoke = app.url(&format!("/api/v1/role-assignments/{tjf}/revoke"));
        tasks.push(tokio::spawn(async move {
            let a = client
                .post(operate)
                .bearer_auth(&ta)
                .json(&json!({"to": "in_operation"}))
                .send();
            let b = client.post(revoke).bearer_auth(&ta).send();
            let (a, b) = tokio::join!(a, b);
            let outcome = (a.unwrap().status().as_u16(), b.unwrap().status().as_u16());
            (service, outcome)
        }));
    }
    for task in tasks {
        let (service, outcome) = task.await.unwrap();
        // Exactly one of the pair wins: into operation with its TJF (the revocation of the
        // last TJF is then refused), or the TJF revoked (and the service stays established).
        let operated = match outcome {
            (200, 409) => true,
            (409, 200) => false,
            other => panic!("service {service}: not one winner: {other:?}"),
        };
        let s = app
            .get(&format!("/api/v1/services/{service}"), Some(&lg))
            .await
            .expect(200);
        let managers = app
            .get(
                &format!(
                    "/api/v1/role-assignments?service={service}&role=service_manager&active=true"
                ),
                Some(&lg),
            )
            .await
            .expect(200);
        let (lifecycle, count) = match operated {
            true => ("in_operation", 1),
            false => ("established", 0),
        };
        assert_eq!(s.body["lifecycle"], lifecycle, "service {service}");
        assert_eq!(managers.body["count"], count, "service {service}");
    }
}

/// The README's Configuration: each caller gets `FORVALTNING_RATE_LIMIT` requests per second with bursts of
/// twice that; then 429 with `Retry-After`. Health checks are not limited, and other callers
/// have budgets of their own.
pub async fn callers_are_rate_limited(backend: Backend) {
    let app =
        crate::helpers::spawn_app_with(backend, &[("FORVALTNING_RATE_LIMIT", "2")], None).await;
    let greedy = token("girig@sunet.se", &[]);
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(app.get("/api/v1/roles", Some(&greedy)).await.status);
    }
    assert_eq!(
        &statuses[..4],
        &[200; 4],
        "a burst of twice the rate: {statuses:?}"
    );
    assert_eq!(statuses[7], 429, "{statuses:?}");
    let refused = app.get("/api/v1/portfolios", Some(&greedy)).await;
    assert_problem(&refused, 429);
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(retry, 1, "half a second, rounded up");
    app.get("/api/v1/roles", Some(&token("annan@sunet.se", &[])))
        .await
        .expect(200);
    for _ in 0..10 {
        app.get("/health/live", None).await.expect(200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    app.get("/api/v1/roles", Some(&greedy)).await.expect(200);
}

/// Every response carries the security headers; the API's are not cached.
pub async fn responses_carry_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    for (path, who) in [
        ("/api/v1/portfolios", Some(lg.as_str())),
        ("/api/v1/catalog", None),
        ("/api/v1/finns-inte", Some(lg.as_str())),
        ("/health/live", None),
    ] {
        let reply = app.get(path, who).await;
        assert_eq!(
            reply.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            reply.header("x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
        assert_eq!(
            reply.header("referrer-policy").as_deref(),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(
            reply.header("content-security-policy").as_deref(),
            Some("default-src 'none'; frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(
            reply.header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
        assert!(
            reply.header("access-control-allow-origin").is_none(),
            "CORS is off"
        );
    }
    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status, 200);
    assert_eq!(docs.header("x-frame-options").as_deref(), Some("DENY"));
    assert!(
        docs.header("content-security-policy").is_none(),
        "the UI runs its scripts"
    );
}

/// `Idempotency-Key` on POST: a retry replays the first response byte for byte and writes
/// nothing; the same key with another body is 422; keys are per caller; a failed request keeps
/// nothing; concurrent identical requests create exactly one object.
pub async fn retried_posts_with_an_idempotency_key_write_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let post = |key: &str, body: Value, who: String| {
        let (client, url, key) = (
            app.client.clone(),
            app.url("/api/v1/portfolios"),
            key.to_string(),
        );
        async move {
            let response = client
                .post(url)
                .bearer_auth(who)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let etag = response
                .headers()
                .get("etag")
                .map(|v| v.to_str().unwrap().to_string());
            (status, etag, response.bytes().await.unwrap())
        }
    };
    let body = json!({"slug": "lagring", "name": "Lagringstjänster"});
    let first = post("nyckel-1", body.clone(), lg.clone()).await;
    assert_eq!(first.0, 201);
    let again = post("nyckel-1", body.clone(), lg.clone()).await;
    assert_eq!(again, first, "status, ETag and body byte for byte");
    let other = post(
        "nyckel-1",
        json!({"slug": "annat", "name": "Annat"}),
        lg.clone(),
    )
    .await;
    assert_eq!(other.0, 422);
    let portfolios = app.get("/api/v1/portfolios", Some(&lg)).await.expect(200);
    assert_eq!(portfolios.body["count"], 1);
    let trail = app
        .get(
            "/api/v1/audit-events?count=true&object_type=portfolio",
            Some(&lg),
        )
        .await
        .expect(200);
    assert_eq!(trail.body["count"], 1, "one write, one audit event");
    // Keys are per caller: another LG member's same key is a request of their own.
    let lars = token("lars.ledning@sunet.se", &["management_group"]);
    let theirs = post(
        "nyckel-1",
        json!({"slug": "moln", "name": "Molntjänster"}),
        lars,
    )
    .await;
    assert_eq!(theirs.0, 201);
    // A refused request keeps nothing under its key: fixed, it goes through.
    let bad = post("nyckel-2", json!({"slug": "X", "name": "Fel"}), lg.clone()).await;
    assert_eq!(bad.0, 400);
    let fixed = post(
        "nyckel-2",
        json!({"slug": "natverk", "name": "Nät"}),
        lg.clone(),
    )
    .await;
    assert_eq!(fixed.0, 201);
    // Eight at once with one key: one portfolio, each answer its replay or a 409.
    let mut racing = Vec::new();
    for _ in 0..8 {
        racing.push(tokio::spawn(post(
            "nyckel-3",
            json!({"slug": "samtidig", "name": "Samtidig"}),
            lg.clone(),
        )));
    }
    let mut created = Vec::new();
    for r in racing {
        let (status, _, bytes) = r.await.unwrap();
        assert!(status == 201 || status == 409, "{status}");
        if status == 201 {
            created.push(bytes);
        }
    }
    assert!(!created.is_empty());
    assert!(
        created.windows(2).all(|w| w[0] == w[1]),
        "every 201 is the same response"
    );
    let all = app
        .get("/api/v1/portfolios?q=samtidig", Some(&lg))
        .await
        .expect(200);
    assert_eq!(all.body["count"], 1, "exactly one created");
    let long = post(&"k".repeat(256), body, lg.clone()).await;
    assert_eq!(long.0, 400);
}

/// CORS is off unless origins are configured; then exactly those origins may call from a
/// browser, with the headers the API uses.
pub async fn cors_serves_only_configured_origins(backend: Backend) {
    let app = crate::helpers::spawn_app_with(
        backend,
        &[],
        Some("[cors]\nallowed_origins = [\"https://portal.sunet.se\"]\n"),
    )
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/portfolios"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key",
            )
            .send()
    };
    let allowed = preflight("https://portal.sunet.se").await.unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://portal.sunet.se"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let read = app
        .client
        .get(app.url("/api/v1/portfolios"))
        .bearer_auth(&lg)
        .header("Origin", "https://portal.sunet.se")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(
        read.headers()["access-control-allow-origin"],
        "https://portal.sunet.se"
    );
    assert!(read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("etag"));
}

/// The body limit is configuration (`limits.max_body_bytes`, FORVALTNING_MAX_BODY_BYTES): above
/// it a 413 problem and nothing written, with or without an Idempotency-Key (whose middleware
/// reads the body itself).
pub async fn the_body_limit_is_configurable(backend: Backend) {
    let app =
        crate::helpers::spawn_app_with(backend, &[], Some("[limits]\nmax_body_bytes = 2048\n"))
            .await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let body = |description: usize| json!({"slug": "lagom", "name": "Lagom", "description": "ö".repeat(description)});
    assert_problem(
        &app.post("/api/v1/portfolios", Some(&lg), body(1500)).await,
        413,
    );
    let keyed = app
        .send(
            "POST",
            "/api/v1/portfolios",
            Some(&lg),
            Some(body(1500)),
            &[("Idempotency-Key", "stor-kropp-1")],
        )
        .await;
    assert_problem(&keyed, 413);
    let list = app.get("/api/v1/portfolios", Some(&lg)).await.expect(200);
    assert_eq!(list.body["count"], 0, "nothing was written");
    app.post("/api/v1/portfolios", Some(&lg), body(500))
        .await
        .expect(201);
}

/// `GET /metrics`: Prometheus text with requests counted by method, matched route (never the raw
/// path) and status, durations by route, and the pool; `metrics = false` turns it off.
pub async fn metrics_count_requests_by_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    for slug in ["tjänst-som-saknas", "en-annan-som-saknas"] {
        app.get(&format!("/api/v1/services/{slug}"), Some(&lg))
            .await
            .expect(404);
    }
    app.get("/api/v1/services", Some(&lg)).await.expect(200);
    app.get("/api/v1/services", None).await.expect(401);

    let reply = app.get("/metrics", None).await.expect(200);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = reply.body.as_str().expect("text").to_string();
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        r#"http_requests_total{method="GET",route="/api/v1/services/{service}",status="404"} 2"#,
        r#"http_requests_total{method="GET",route="/api/v1/services",status="200"} 1"#,
        r#"http_requests_total{method="GET",route="/api/v1/services",status="401"} 1"#,
        r#"http_request_duration_seconds_count{route="/api/v1/services/{service}"} 2"#,
        r#"http_request_duration_seconds_bucket{route="/api/v1/services",le="+Inf"} 2"#,
        "# TYPE http_request_duration_seconds histogram",
        "# TYPE db_pool_wait_seconds histogram",
        "# TYPE webhook_deliveries_total counter",
        "db_pool_max_connections 4",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in\n{text}");
    }
    assert!(
        !text.contains("tjänst-som-saknas"),
        "a raw path became a label"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(r#"db_pool_connections{state="idle"} "#)),
        "{text}"
    );
    // Every sample line is `name{labels} number` or `name number`.
    for line in lines.iter().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap_or_default();
        assert!(value.parse::<f64>().is_ok(), "not a sample: {line:?}");
    }

    let off = crate::helpers::spawn_app_with(backend, &[], Some("metrics = false")).await;
    let reply = off.get("/metrics", None).await;
    assert_problem(&reply, 404);
}
