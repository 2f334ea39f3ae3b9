//! Fault tests: `kill -9` during writes loses no acknowledged write, a restart keeps
//! everything, and a database outage gives 503 (never a hang or a 500).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{postgres_admin_url, test_settings, token, Backend, Server, TestDatabase};

pub async fn kill_9_during_writes_loses_no_acknowledged_write(backend: Backend) {
    let db = TestDatabase::new(backend);
    let mut server = Server::start(&db);
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let client = reqwest::Client::new();
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (client, base, lg, acknowledged) = (
            client.clone(),
            server.base.clone(),
            lg.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let slug = format!("p{writer}-{i}");
                let sent = client
                    .post(format!("{base}/api/v1/portfolios"))
                    .bearer_auth(&lg)
                    .json(&json!({"slug": slug, "name": format!("Portfölj {writer}–{i}")}))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().as_u16() == 201 => acknowledged.lock().unwrap().push(slug),
                    Ok(r) => panic!("unexpected {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill_9();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 10,
        "the writers got going ({} writes)",
        acknowledged.len()
    );

    let server = Server::start(&db);
    let all = client
        .get(format!("{}/api/v1/portfolios?limit=500", server.base))
        .bearer_auth(&lg)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let stored: Vec<&str> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    let count = all["count"].as_u64().unwrap() as usize;
    for slug in &acknowledged {
        if count <= 500 {
            assert!(
                stored.contains(&slug.as_str()),
                "acknowledged {slug} was lost"
            );
        }
    }
    assert!(
        count >= acknowledged.len(),
        "{count} stored, {} acknowledged",
        acknowledged.len()
    );
    // Every stored write has its audit event (same transaction).
    let trail = client
        .get(format!(
            "{}/api/v1/audit-events?count=true&object_type=portfolio&limit=1",
            server.base
        ))
        .bearer_auth(&lg)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(trail["count"].as_u64().unwrap() as usize, count);
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore.
struct Proxy {
    port: u16,
    upstream: String,
    tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(upstream: &str, port: u16) -> Proxy {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("proxy bind");
        let port = listener.local_addr().unwrap().port();
        let tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (upstream_addr, registry) = (upstream.to_string(), tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream_addr = upstream_addr.clone();
                let handle = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream_addr).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                registry.lock().unwrap().push(handle.abort_handle());
            }
        });
        tasks.lock().unwrap().push(accept.abort_handle());
        Proxy {
            port,
            upstream: upstream.to_string(),
            tasks,
        }
    }

    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

pub async fn a_database_outage_gives_503_and_recovers(backend: Backend) {
    if backend == Backend::Sqlite {
        // An SQLite file in the data directory cannot become unreachable while the process
        // runs; the outage story is PostgreSQL's.
        return;
    }
    let admin = postgres_admin_url().unwrap();
    let Some(host) = admin
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
    else {
        panic!("TEST_DATABASE_URL needs user@host:port/db");
    };
    let upstream = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    let proxy = Proxy::start(&upstream, 0).await;
    let db = TestDatabase::new(backend);
    let proxied = db
        .url
        .replacen(host, &format!("127.0.0.1:{}", proxy.port), 1);
    let settings = test_settings(
        &db,
        &[("DATABASE_URL", &proxied)],
        Some("[database]\npool_timeout_seconds = 1\n"),
    );
    let app = forvaltning::startup::Application::build(settings)
        .await
        .expect("starts through the proxy");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let ready = client
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);

    proxy.cut();
    let started = std::time::Instant::now();
    for path in ["/health/ready", "/api/v1/portfolios"] {
        let reply = client
            .get(format!("{base}{path}"))
            .bearer_auth(&lg)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 503, "{path}");
        assert!(reply.headers().get("retry-after").is_some());
        assert_eq!(
            reply.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
    }
    let write = client
        .post(format!("{base}/api/v1/portfolios"))
        .bearer_auth(&lg)
        .json(&json!({"slug": "under-avbrott", "name": "Under avbrott"}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status().as_u16(), 503);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no hang: {:?}",
        started.elapsed()
    );

    // The database comes back on the same address: the service recovers by itself.
    let restored = Proxy::start(&proxy.upstream, proxy.port).await;
    let mut recovered = false;
    for _ in 0..20 {
        let reply = client
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .unwrap();
        if reply.status().as_u16() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "ready again after the outage");
    let listed = client
        .get(format!("{base}/api/v1/portfolios"))
        .bearer_auth(&lg)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status().as_u16(), 200);
    let body: serde_json::Value = listed.json().await.unwrap();
    assert_eq!(body["count"], 0, "the refused write left nothing behind");
    restored.cut();
}
