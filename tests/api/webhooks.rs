//! Webhooks (integrators §3): a receiver on loopback gets the events it subscribed to, signed,
//! in order, retried after a failure; targets in private networks are refused outside
//! development.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{spawn_app, spawn_app_with, token, Backend, Server, TestDatabase};

const SECRET: &str = "receiverns-hemlighet-0123456789";

/// What the receiver saw of one request.
#[derive(Debug, Clone)]
struct Received {
    /// The query of the receiving URL (which subscription).
    query: String,
    event: String,
    delivery: String,
    signature: String,
    body: String,
}

/// A receiver on 127.0.0.1 that answers 204 — or 500 to its first request, with `fail_first`.
async fn receiver(fail_first: bool) -> (String, Arc<Mutex<Vec<Received>>>) {
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let state = seen.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new().route(
            "/krok",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let state = state.clone();
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    let mut seen = state.lock().unwrap();
                    seen.push(Received {
                        query: req.query_string().to_string(),
                        event: header("x-forvaltning-event"),
                        delivery: header("x-forvaltning-delivery"),
                        signature: header("x-forvaltning-signature"),
                        body: String::from_utf8_lossy(&body).to_string(),
                    });
                    if fail_first && seen.len() == 1 {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::NoContent().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}/krok"), seen)
}

/// Checks `X-Forvaltning-Signature: t=…,v1=…` of `body` against the secret.
fn signed(signature: &str, body: &str) -> bool {
    let Some((t, v1)) = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap_or(0);
    expected == v1 && (0..60).contains(&age)
}

pub async fn subscribers_get_signed_events_in_order_after_a_retry(backend: Backend) {
    let app = spawn_app(backend).await;
    let (url, seen) = receiver(true).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let hook = app
        .post(
            "/api/v1/webhooks",
            Some(&lg),
            json!({"url": url, "secret": SECRET, "event_types": ["service.*"]}),
        )
        .await
        .expect(201);
    assert!(
        hook.body.get("secret").is_none(),
        "the secret is never read back"
    );
    assert_eq!(hook.body["event_types"], json!(["service.*"]));
    let hook_id = hook.id();

    let natverk = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let eduroam = app.established_service(&lg, "eduroam", natverk).await;
    let eduid = app.propose_service(&lg, "eduid", Some(natverk)).await;

    // The first attempt fails (500); after a second the same event comes again, then the rest.
    let mut received = Vec::new();
    for _ in 0..200 {
        received = seen.lock().unwrap().clone();
        if received.len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kinds: Vec<&str> = received.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "service.propose",
            "service.propose",
            "service.establish",
            "service.propose"
        ],
        "{received:#?}"
    );
    assert_eq!(
        received[0].delivery, received[1].delivery,
        "the failed event again"
    );
    let ids: Vec<i64> = received[1..]
        .iter()
        .map(|r| r.delivery.parse().expect("an event id"))
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "in event order: {ids:?}"
    );
    for r in &received {
        assert!(signed(&r.signature, &r.body), "bad signature {r:#?}");
        let body: Value = serde_json::from_str(&r.body).expect("JSON");
        assert_eq!(body["type"], r.event.as_str());
        assert_eq!(body["id"].to_string(), r.delivery);
        assert_eq!(body["object_type"], "service");
    }
    let last: Value = serde_json::from_str(&received[3].body).unwrap();
    assert_eq!(last["object_id"], eduid);
    assert_eq!(last["data"]["slug"], "eduid");
    let established: Value = serde_json::from_str(&received[2].body).unwrap();
    assert_eq!(established["object_id"], eduroam);
    assert_eq!(established["data"]["lifecycle"], "established");

    // The log: one failure (500), then three deliveries (each written once its answer came).
    let mut log = Value::Null;
    for _ in 0..100 {
        log = app
            .get(&format!("/api/v1/webhooks/{hook_id}/deliveries"), Some(&lg))
            .await
            .expect(200)
            .body;
        if log["results"].as_array().is_some_and(|r| r.len() >= 4) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let outcomes: Vec<(&str, i64, i64)> = log["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["outcome"].as_str().unwrap(),
                a["attempt"].as_i64().unwrap(),
                a["response_status"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("failed", 1, 500),
            ("delivered", 2, 204),
            ("delivered", 1, 204),
            ("delivered", 1, 204)
        ],
        "{log}"
    );
    let view = app
        .get(&format!("/api/v1/webhooks/{hook_id}"), Some(&lg))
        .await
        .expect(200)
        .body;
    assert_eq!(view["failed_attempts"], 0);
    assert_eq!(view["last_event_id"], ids[ids.len() - 1]);

    // Held: nothing more is posted; deleted: gone.
    app.patch(
        &format!("/api/v1/webhooks/{hook_id}"),
        Some(&lg),
        json!({"active": false}),
    )
    .await
    .expect(200);
    app.propose_service(&lg, "sunet-box", Some(natverk)).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        seen.lock().unwrap().len(),
        4,
        "a held webhook posts nothing"
    );
    app.delete(&format!("/api/v1/webhooks/{hook_id}"), Some(&lg))
        .await
        .expect(204);
    app.get(&format!("/api/v1/webhooks/{hook_id}"), Some(&lg))
        .await
        .expect(404);
}

pub async fn webhooks_reach_only_public_addresses_outside_development(backend: Backend) {
    let production = [("FORVALTNING_ENV", "production")];
    let app = spawn_app_with(backend, &production, None).await;
    let controller = token("karin.kontroll@sunet.se", &["controller"]);
    let hook = |url: &str| json!({"url": url, "secret": SECRET, "event_types": ["contract.*"]});
    for url in [
        "http://hooks.example.org/krok",
        "https://127.0.0.1/krok",
        "https://10.20.30.40/krok",
        "https://[::1]/krok",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/krok",
    ] {
        let reply = app
            .post("/api/v1/webhooks", Some(&controller), hook(url))
            .await;
        assert_eq!(reply.status, 422, "{url}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], "url", "{url}");
    }
    app.post(
        "/api/v1/webhooks",
        Some(&controller),
        hook("https://193.10.252.19/krok"),
    )
    .await
    .expect(201);
    for (body, field) in [
        (
            json!({"url": "https://193.10.252.19/", "secret": "kort", "event_types": ["x.*"]}),
            "secret",
        ),
        (
            json!({"url": "https://193.10.252.19/", "secret": SECRET, "event_types": []}),
            "event_types",
        ),
        (
            json!({"url": "https://193.10.252.19/", "secret": SECRET, "event_types": ["Service"]}),
            "event_types",
        ),
    ] {
        let reply = app.post("/api/v1/webhooks", Some(&controller), body).await;
        assert_eq!(reply.status, 400, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field);
    }
    // A user without the role is refused before anything is looked up.
    app.post(
        "/api/v1/webhooks",
        Some(&token("per.person@sunet.se", &[])),
        hook("https://localhost/krok"),
    )
    .await
    .expect(403);

    let allowing = spawn_app_with(
        backend,
        &production,
        Some("[webhooks]\nallow_private = true\n"),
    )
    .await;
    allowing
        .post(
            "/api/v1/webhooks",
            Some(&controller),
            hook("http://127.0.0.1:9/krok"),
        )
        .await
        .expect(201);
}

/// Two instances on one PostgreSQL share the deliveries: each event reaches each subscription
/// once (claims with `FOR UPDATE SKIP LOCKED` and a lease), in order per subscription.
pub async fn two_instances_deliver_each_event_once() {
    let db = TestDatabase::new(Backend::Postgres);
    let instances = [Server::start(&db), Server::start(&db)];
    let (url, seen) = receiver(false).await;
    let client = reqwest::Client::new();
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let post = |instance: usize, path: &str, body: Value| {
        client
            .post(format!("{}/api/v1/{path}", instances[instance].base))
            .bearer_auth(&lg)
            .json(&body)
            .send()
    };
    for hook in 0..3 {
        let reply = post(
            hook % 2,
            "webhooks",
            json!({"url": format!("{url}?krok={hook}"), "secret": SECRET, "event_types": ["portfolio.*"]}),
        )
        .await
        .unwrap();
        assert_eq!(reply.status(), 201);
    }
    const PORTFOLIOS: usize = 20;
    for n in 0..PORTFOLIOS {
        let reply = post(
            n % 2,
            "portfolios",
            json!({"slug": format!("portfolj-{n}"), "name": format!("Portfölj {n}")}),
        )
        .await
        .unwrap();
        assert_eq!(reply.status(), 201);
    }
    for _ in 0..300 {
        if seen.lock().unwrap().len() >= 3 * PORTFOLIOS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Time for a second delivery of anything, were there one.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = seen.lock().unwrap().clone();
    assert_eq!(received.len(), 3 * PORTFOLIOS, "{received:#?}");
    for hook in 0..3 {
        let ids: Vec<i64> = received
            .iter()
            .filter(|r| r.query == format!("krok={hook}"))
            .map(|r| r.delivery.parse().unwrap())
            .collect();
        assert_eq!(ids.len(), PORTFOLIOS, "subscription {hook}: {ids:?}");
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "subscription {hook} once each, in order: {ids:?}"
        );
        assert!(received.iter().all(|r| signed(&r.signature, &r.body)));
    }
}

/// The delivery log keeps 30 days by default: an instance prunes older attempts when it
/// starts and every ten minutes after.
pub async fn the_delivery_log_keeps_its_days(backend: Backend) {
    let db = TestDatabase::new(backend);
    let lg = token("lena@sunet.se", &["management_group"]);
    let client = reqwest::Client::new();
    let hook = {
        let server = Server::start(&db);
        let reply: Value = client
            .post(format!("{}/api/v1/webhooks", server.base))
            .bearer_auth(&lg)
            .json(&json!({"url": "http://127.0.0.1:9/krok", "secret": "loggens-hemlighet-0001", "event_types": ["plan.*"], "active": false}))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        reply["id"].as_i64().expect("an id")
    };
    let at = |days: i64| {
        (chrono::Utc::now() - chrono::TimeDelta::days(days))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let settings = crate::helpers::test_settings(&db, &[], None);
    let (_, pool) = forvaltning::startup::open_database(&settings).expect("database");
    {
        use diesel::connection::SimpleConnection;
        let mut conn = pool.get().expect("connection");
        conn.batch_execute(&format!(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, attempt, outcome, response_status, duration_ms, attempted_at) VALUES \
             ({hook}, 1, 'plan.create', 1, 'failed', 500, 12, '{}'), ({hook}, 1, 'plan.create', 2, 'delivered', 200, 9, '{}')",
            at(40),
            at(1)
        ))
        .expect("insert attempts");
    }
    let server = Server::start(&db);
    let mut attempts = Vec::new();
    for _ in 0..50 {
        let page: Value = client
            .get(format!("{}/api/v1/webhooks/{hook}/deliveries", server.base))
            .bearer_auth(&lg)
            .send()
            .await
            .expect("deliveries")
            .json()
            .await
            .expect("json");
        attempts = page["results"].as_array().cloned().unwrap_or_default();
        if attempts.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0]["attempt"], 2);
}

/// A receiver that accepts connections and never answers (each is held open until the test ends).
fn hanging_receiver() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("http://127.0.0.1:{port}/krok")
}

/// A subscription whose receiver hangs holds up only its own stream: another receiver gets
/// every event within 3 s of its write.
pub async fn a_hanging_receiver_delays_no_other_subscription(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let subscribe = async |url: &str| {
        app.post(
            "/api/v1/webhooks",
            Some(&lg),
            json!({"url": url, "secret": SECRET, "event_types": ["portfolio.*"]}),
        )
        .await
        .expect(201)
    };
    // The hanging one first: it is due first, and claimed first.
    subscribe(&hanging_receiver()).await;
    let (url, seen) = receiver(false).await;
    subscribe(&url).await;
    for n in 1..=5 {
        let written = std::time::Instant::now();
        app.create_portfolio(&lg, &format!("portfolj-{n}"), &format!("Portfölj {n}"))
            .await;
        loop {
            if seen.lock().unwrap().len() >= n {
                break;
            }
            assert!(
                written.elapsed() < Duration::from_secs(3),
                "event {n} not delivered within 3 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Pausing (`active: false`) needs no check of the stored URL, even one that no longer passes
/// it; resuming does. A new secret or URL shows in the audit event, the secret itself nowhere.
pub async fn a_webhook_is_paused_whatever_its_url(backend: Backend) {
    let app = spawn_app_with(backend, &[("FORVALTNING_ENV", "production")], None).await;
    let controller = token("karin.kontroll@sunet.se", &["controller"]);
    let id = app
        .post(
            "/api/v1/webhooks",
            Some(&controller),
            json!({"url": "https://193.10.252.19/krok", "secret": SECRET, "event_types": ["contract.*"]}),
        )
        .await
        .expect(201)
        .id();
    // Its name now points inside (as after a DNS change, written here directly).
    app.sql(&format!(
        "UPDATE webhooks SET url = 'https://10.20.30.40/krok' WHERE id = {id}"
    ));
    let path = format!("/api/v1/webhooks/{id}");
    let paused = app
        .patch(&path, Some(&controller), json!({"active": false}))
        .await
        .expect(200);
    assert_eq!(paused.body["active"], false);
    let resumed = app
        .patch(&path, Some(&controller), json!({"active": true}))
        .await;
    assert_eq!(resumed.status, 422, "{}", resumed.body);
    assert_eq!(resumed.body["errors"][0]["field"], "url");
    let new_secret = "en-helt-ny-hemlighet-för-kroken";
    app.patch(
        &path,
        Some(&controller),
        json!({"secret": new_secret, "url": "https://193.10.252.20/krok"}),
    )
    .await
    .expect(200);
    let trail = app
        .get(
            &format!("/api/v1/audit-events?object_type=webhook&object_id={id}&limit=10"),
            Some(&token("lena.ledning@sunet.se", &["management_group"])),
        )
        .await
        .expect(200);
    let text = trail.body.to_string();
    assert!(
        !text.contains(new_secret) && !text.contains(SECRET),
        "{text}"
    );
    let changes: Vec<&Value> = trail.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .collect();
    let last = changes
        .iter()
        .find(|e| e["after"]["url"] == "https://193.10.252.20/krok")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(last["before"]["url"], "https://10.20.30.40/krok");
    assert_eq!(last["after"]["secret_changed"], true, "{last}");
}

/// A listener that counts the connections made to it (and answers none).
fn counting_listener() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    (format!("http://127.0.0.1:{port}"), count)
}

/// The environment's proxy variables would send a delivery to an address the proxy picks,
/// past the address check: deliveries ignore them and reach the receiver directly.
pub async fn deliveries_ignore_the_environments_proxy(backend: Backend) {
    let db = TestDatabase::new(backend);
    let (proxy, connections) = counting_listener();
    let server = Server::start_with(
        &db,
        &[
            ("FORVALTNING_JWT_SECRET", crate::helpers::SECRET),
            ("HTTP_PROXY", &proxy),
            ("http_proxy", &proxy),
            ("HTTPS_PROXY", &proxy),
            ("ALL_PROXY", &proxy),
        ],
    );
    let (url, seen) = receiver(false).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    for (path, body) in [
        (
            "webhooks",
            json!({"url": url, "secret": SECRET, "event_types": ["portfolio.*"]}),
        ),
        (
            "portfolios",
            json!({"slug": "natverk", "name": "Nätverkstjänster"}),
        ),
    ] {
        let reply = client
            .post(format!("{}/api/v1/{path}", server.base))
            .bearer_auth(&lg)
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 201);
    }
    for _ in 0..100 {
        if !seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen.lock().unwrap().len(), 1, "the receiver got the event");
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a delivery went through the proxy"
    );
}
