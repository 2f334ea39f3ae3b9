//! Fault tests: `kill -9` during writes loses no acknowledged write, a restart keeps
//! everything, and a database outage gives 503 (never a hang or a 500).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use serde_json::json;

use forvaltning::startup::open_database;

use crate::helpers::{postgres_admin_url, test_settings, token, Backend, Server, TestDatabase};

/// A GET that must answer with JSON.
async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> serde_json::Value {
    let reply = client.get(url).bearer_auth(token).send().await.unwrap();
    reply.json().await.unwrap()
}

/// Every portfolio slug stored, page by page.
async fn stored_slugs(client: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let mut slugs = Vec::new();
    loop {
        let url = format!("{base}/api/v1/portfolios?limit=500&offset={}", slugs.len());
        let page = get_json(client, &url, token).await;
        let results = page["results"].as_array().unwrap();
        slugs.extend(
            results
                .iter()
                .map(|p| p["slug"].as_str().unwrap().to_string()),
        );
        if results.len() < 500 {
            return slugs;
        }
    }
}

pub async fn kill_9_during_writes_loses_no_acknowledged_write(backend: Backend) {
    const WRITERS: usize = 16;
    let db = TestDatabase::new(backend);
    let mut server = Server::start(&db);
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let client = reqwest::Client::new();
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
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
    tokio::time::sleep(Duration::from_millis(1500)).await;
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
    let stored = stored_slugs(&client, &server.base, &lg).await;
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|s| !stored.contains(s))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    // Committed when the process died, the answer never sent: at most one per writer.
    let unanswered = stored.len() - acknowledged.len();
    assert!(
        unanswered <= WRITERS,
        "{unanswered} stored without an answer"
    );
    eprintln!(
        "kill -9 under {WRITERS} writers ({backend:?}): {} acknowledged, {} stored, {unanswered} \
         committed but unanswered, 0 lost",
        acknowledged.len(),
        stored.len()
    );
    // Every stored write has its audit event (same transaction).
    let url = format!(
        "{}/api/v1/audit-events?count=true&object_type=portfolio&limit=1",
        server.base
    );
    let trail = get_json(&client, &url, &lg).await;
    assert_eq!(trail["count"].as_u64().unwrap() as usize, stored.len());
    drop(server);
    // The database itself is sound: SQLite's own check of every page and index, and on both
    // the audit chain walks clean.
    if backend == Backend::Sqlite {
        let settings = test_settings(&db, &[], None);
        let (_, pool) = open_database(&settings).expect("database");
        let mut conn = pool.get().expect("connection");
        #[derive(diesel::QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
            .load(&mut **conn)
            .expect("integrity check");
        assert_eq!(check.len(), 1);
        assert_eq!(check[0].integrity_check, "ok");
    }
    let (intact, printed) = crate::audit_chain::verify(&db);
    assert!(intact, "{printed}");
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

pub async fn a_database_outage_gives_503_and_recovers() {
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
    let db = TestDatabase::new(Backend::Postgres);
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
    // During the outage, under load: 8 clients reading and writing, and a monitor asking
    // /health/ready every 100 ms.
    let monitor = spawn_ready_monitor(client.clone(), base.clone());
    let during = load(&client, &base, &lg, "avbrott", Duration::from_secs(3)).await;
    let (ready_statuses, ready_slowest) = monitor.stop().await;
    eprintln!(
        "PostgreSQL outage under load: statuses {:?}, slowest answer {:?}; /health/ready {:?}, \
         slowest {:?}",
        during.statuses, during.slowest, ready_statuses, ready_slowest
    );
    assert_eq!(
        during.statuses.keys().copied().collect::<Vec<_>>(),
        [503],
        "only 503 while the database is away"
    );
    assert!(
        during.slowest < Duration::from_millis(2500),
        "no hang beyond the pool timeout (1 s): {:?}",
        during.slowest
    );
    assert_eq!(ready_statuses.keys().copied().collect::<Vec<_>>(), [503]);
    assert!(ready_slowest < Duration::from_secs(1), "{ready_slowest:?}");
    let problem = client
        .get(format!("{base}/api/v1/portfolios"))
        .bearer_auth(&lg)
        .send()
        .await
        .unwrap();
    assert!(problem.headers().get("retry-after").is_some());
    assert_eq!(
        problem.headers().get("content-type").unwrap(),
        "application/problem+json"
    );

    // The database comes back on the same address: the service recovers by itself.
    let restored = Proxy::start(&proxy.upstream, proxy.port).await;
    let back = std::time::Instant::now();
    loop {
        let reply = client
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .unwrap();
        if reply.status().as_u16() == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "not ready 5 s after the database returned"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovery = back.elapsed();
    let after = load(&client, &base, &lg, "efter", Duration::from_secs(1)).await;
    eprintln!(
        "recovered {recovery:?} after the database returned; then statuses {:?}",
        after.statuses
    );
    assert!(
        after.statuses.keys().all(|s| *s == 200 || *s == 201),
        "{:?}",
        after.statuses
    );
    let refused = get_json(&client, &format!("{base}/api/v1/portfolios?q=avbrott"), &lg).await;
    assert_eq!(
        refused["count"], 0,
        "the refused writes left nothing behind"
    );
    restored.cut();
}

/// What a load run saw: how many answers of each status, and the slowest.
struct Seen {
    statuses: BTreeMap<u16, usize>,
    slowest: Duration,
}

/// 8 clients for `duration`, each alternating a list read and a portfolio create (slugs
/// `{prefix}-…`).
async fn load(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    prefix: &str,
    duration: Duration,
) -> Seen {
    let until = Instant::now() + duration;
    let mut clients = Vec::new();
    for c in 0..8 {
        let (client, base, token, prefix) = (
            client.clone(),
            base.to_string(),
            token.to_string(),
            prefix.to_string(),
        );
        clients.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut i = 0;
            while Instant::now() < until {
                i += 1;
                let request = if i % 2 == 0 {
                    client.get(format!("{base}/api/v1/portfolios"))
                } else {
                    client
                        .post(format!("{base}/api/v1/portfolios"))
                        .json(&json!({"slug": format!("{prefix}-{c}-{i}"), "name": "Under last"}))
                };
                let started = Instant::now();
                let status = request.bearer_auth(&token).send().await.unwrap().status();
                seen.push((status.as_u16(), started.elapsed()));
            }
            seen
        }));
    }
    let mut all = Seen {
        statuses: BTreeMap::new(),
        slowest: Duration::ZERO,
    };
    for c in clients {
        for (status, took) in c.await.unwrap() {
            *all.statuses.entry(status).or_default() += 1;
            all.slowest = all.slowest.max(took);
        }
    }
    all
}

struct ReadyMonitor {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<(BTreeMap<u16, usize>, Duration)>,
}

impl ReadyMonitor {
    async fn stop(self) -> (BTreeMap<u16, usize>, Duration) {
        let _ = self.stop.send(());
        self.task.await.unwrap()
    }
}

fn spawn_ready_monitor(client: reqwest::Client, base: String) -> ReadyMonitor {
    let (stop, mut stopped) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let (mut statuses, mut slowest) = (BTreeMap::new(), Duration::ZERO);
        loop {
            let started = Instant::now();
            let status = client
                .get(format!("{base}/health/ready"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            *statuses.entry(status).or_default() += 1;
            slowest = slowest.max(started.elapsed());
            tokio::select! {
                _ = &mut stopped => return (statuses, slowest),
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    });
    ReadyMonitor { stop, task }
}

/// SQLite has one writer at a time: 32 clients writing at once for 30 seconds (creating
/// portfolios and editing their own with `If-Match`) must all be served — writers queue in the
/// service, and no `SQLITE_BUSY` ("database is locked") ever reaches a client as a 503.
pub async fn sqlite_serves_32_writers_for_30_seconds() {
    let app = crate::helpers::spawn_app(Backend::Sqlite).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    app.get("/api/v1/me", Some(&lg)).await.expect(200);
    let until = Instant::now() + Duration::from_secs(30);
    let mut writers = Vec::new();
    for w in 0..32 {
        let (client, base, lg) = (app.client.clone(), app.base.clone(), lg.clone());
        writers.push(tokio::spawn(async move {
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            let mut i = 0;
            while Instant::now() < until {
                i += 1;
                let created = client
                    .post(format!("{base}/api/v1/portfolios"))
                    .bearer_auth(&lg)
                    .json(&json!({"slug": format!("skrivare-{w}-{i}"), "name": "Skrivare"}))
                    .send()
                    .await
                    .unwrap();
                *statuses.entry(created.status().as_u16()).or_default() += 1;
                let Some(etag) = created.headers().get("etag").cloned() else {
                    continue;
                };
                let edited = client
                    .patch(format!("{base}/api/v1/portfolios/skrivare-{w}-{i}"))
                    .bearer_auth(&lg)
                    .header("If-Match", etag)
                    .json(&json!({"description": "Ändrad under last"}))
                    .send()
                    .await
                    .unwrap();
                *statuses.entry(edited.status().as_u16()).or_default() += 1;
            }
            statuses
        }));
    }
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for w in writers {
        for (status, n) in w.await.unwrap() {
            *statuses.entry(status).or_default() += n;
        }
    }
    eprintln!("SQLite, 32 writers for 30 s: {statuses:?}");
    assert_eq!(
        statuses.keys().copied().collect::<Vec<_>>(),
        [200, 201],
        "{statuses:?}"
    );
}

/// Idempotency keys live in the database, so a retry that a load balancer sends to another
/// instance is answered as the first was: the same bytes, nothing written twice; another body
/// under the key is 422 there too; and a burst spread over both instances makes one object.
pub async fn idempotency_keys_hold_across_instances(backend: Backend) {
    let db = TestDatabase::new(backend);
    let instances = [Server::start(&db), Server::start(&db)];
    let client = reqwest::Client::new();
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let post = |instance: usize, key: &str, body: serde_json::Value| {
        let request = client
            .post(format!("{}/api/v1/portfolios", instances[instance].base))
            .bearer_auth(&lg)
            .header("Idempotency-Key", key)
            .json(&body);
        async move {
            let reply = request.send().await.unwrap();
            (reply.status().as_u16(), reply.bytes().await.unwrap())
        }
    };
    let natverk = json!({"slug": "natverk", "name": "Nätverkstjänster"});
    let first = post(0, "c0ffee-1", natverk.clone()).await;
    assert_eq!(first.0, 201);
    assert_eq!(
        post(1, "c0ffee-1", natverk).await,
        first,
        "the other instance replays"
    );
    let other = post(1, "c0ffee-1", json!({"slug": "lagring", "name": "Lagring"})).await;
    assert_eq!(other.0, 422);

    let burst = (0..8).map(|i| {
        post(
            i % 2,
            "c0ffee-2",
            json!({"slug": "identitet", "name": "Identitetstjänster"}),
        )
    });
    let answers = futures_util::future::join_all(burst).await;
    let created: Vec<_> = answers.iter().filter(|(s, _)| *s == 201).collect();
    assert!(
        answers.iter().all(|(s, _)| *s == 201 || *s == 409),
        "{answers:?}"
    );
    assert!(
        created.windows(2).all(|w| w[0].1 == w[1].1),
        "every 201 is the same answer"
    );
    let list = get_json(
        &client,
        &format!("{}/api/v1/portfolios", instances[1].base),
        &lg,
    )
    .await;
    assert_eq!(list["count"], 2, "{list}");
}

/// SIGTERM (a rolling deploy, `docker stop`): the server stops taking connections, answers the
/// request it is in the middle of — here one whose body has not fully arrived when the signal
/// comes — commits it, and exits cleanly.
/// Reads one answer's head and its `Content-Length` body from `stream`; the head.
fn read_head(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        stream
            .read_exact(&mut byte)
            .expect("read the answer's head");
        bytes.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&bytes).to_string();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream
        .read_exact(&mut body)
        .expect("read the answer's body");
    head
}

pub async fn sigterm_finishes_requests_in_flight(backend: Backend) {
    use std::io::{Read, Write};

    let db = TestDatabase::new(backend);
    let mut server = Server::start(&db);
    let address = server.base.trim_start_matches("http://").to_string();
    let body = json!({"slug": "sista-beslutet", "name": "Sista beslutet före omstart"}).to_string();
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    let head = format!(
        "POST /api/v1/portfolios HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        token("lena@sunet.se", &["management_group"]),
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    // A first request answered on the same connection: the server has accepted it (a
    // connection still in the listen backlog when the listener closes is reset by the kernel,
    // before any server could answer it).
    stream
        .write_all(format!("GET /health/live HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes())
        .expect("send a first request");
    let first_answer = read_head(&mut stream);
    assert!(first_answer.starts_with("HTTP/1.1 200"), "{first_answer}");
    stream.write_all(head.as_bytes()).expect("send the head");
    stream.write_all(first).expect("send half the body");
    std::thread::sleep(Duration::from_millis(300));

    server.terminate();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        std::net::TcpStream::connect(&address).is_err(),
        "a stopping server takes no new connections"
    );
    stream.write_all(rest).expect("send the rest of the body");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let status = server
        .wait_for_exit(Duration::from_secs(15))
        .expect("the server exits after its last request");
    assert!(status.success(), "exit status {status}");

    let again = Server::start(&db);
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/portfolios/sista-beslutet", again.base))
        .bearer_auth(token("lena@sunet.se", &["management_group"]))
        .send()
        .await
        .expect("read after restart");
    assert_eq!(response.status(), 200, "the answered write was kept");
}

/// Writes that arrive together (on SQLite committed together, each in a savepoint of one
/// transaction) succeed or fail each on its own: of 36 writes at once — twelve new slugs, each
/// asked for twice, six first-time callers, six bodies the rules refuse — exactly the twelve
/// first of each slug are created, each with one audit event, each new caller is written once,
/// and nothing of a refused write remains.
pub async fn writes_arriving_together_succeed_or_fail_alone(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    app.get("/api/v1/me", Some(&lg)).await.expect(200);
    let newcomers: Vec<String> = (0..6)
        .map(|i| token(&format!("ny.ledamot{i}@sunet.se"), &["management_group"]))
        .collect();
    let mut writes: Vec<serde_json::Value> = (0..24)
        .map(|i| json!({"slug": format!("samtidig-{}", i % 12), "name": format!("Samtidig portfölj {}", i % 12)}))
        .collect();
    let callers: Vec<String> = (0..36)
        .map(|i| {
            if i < 6 {
                newcomers[i].clone()
            } else {
                lg.clone()
            }
        })
        .collect();
    for i in 0..12 {
        // Refused by the rules: a slug must start with a letter.
        writes.push(json!({"slug": format!("{i}-ogiltig"), "name": "Ogiltig"}));
    }
    let requests = writes.iter().zip(&callers).map(|(body, caller)| {
        let request = app
            .client
            .post(format!("{}/api/v1/portfolios", app.base))
            .bearer_auth(caller)
            .json(body);
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let statuses = futures_util::future::join_all(requests).await;
    let created = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses[24..]
        .iter()
        .filter(|s| **s == 400 || **s == 422)
        .count();
    assert_eq!(created, 12, "{statuses:?}");
    assert_eq!(refused, 12, "{statuses:?}");
    assert!(
        statuses[..24].iter().all(|s| *s == 201 || *s == 409),
        "a slug taken by a write of the same moment is a conflict: {statuses:?}"
    );
    let slugs = stored_slugs(&app.client, &app.base, &lg).await;
    let mut expected: Vec<String> = (0..12).map(|i| format!("samtidig-{i}")).collect();
    let mut stored = slugs.clone();
    stored.sort();
    expected.sort();
    assert_eq!(stored, expected);
    assert_eq!(
        app.audit_count(&lg, "portfolio").await,
        12,
        "one audit event per created portfolio"
    );
    for i in 0..6 {
        let sub = format!("ny.ledamot{i}@sunet.se");
        let people = app
            .get(&format!("/api/v1/people?sub={sub}"), Some(&lg))
            .await
            .expect(200);
        assert_eq!(people.body["count"], 1, "{sub} written once");
    }
}

/// Each instance keeps the dependency graph in memory: a dependency one instance removes is gone
/// for the next request to the other (the graph's generation moved with the write).
pub async fn instances_share_one_dependency_graph(backend: Backend) {
    let db = TestDatabase::new(backend);
    let instances = [Server::start(&db), Server::start(&db)];
    let client = reqwest::Client::new();
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let send = |instance: usize,
                method: reqwest::Method,
                path: String,
                body: Option<serde_json::Value>| {
        let mut request = client
            .request(method, format!("{}/api/v1{path}", instances[instance].base))
            .bearer_auth(&lg);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let reply = request.send().await.unwrap();
            let status = reply.status().as_u16();
            (
                status,
                reply.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    for slug in ["radius", "stamnat"] {
        let body = json!({"slug": slug, "name": slug, "kind": "infrastructure", "lifecycle": "in_use", "hosting": "sunet"});
        let (status, _) = send(
            0,
            reqwest::Method::POST,
            "/information-systems".into(),
            Some(body),
        )
        .await;
        assert_eq!(status, 201);
    }
    let (status, _) = send(
        0,
        reqwest::Method::POST,
        "/information-systems/radius/dependencies".into(),
        Some(json!({"depends_on_id": 2})),
    )
    .await;
    assert_eq!(status, 201);
    // The other instance reads the graph: the way back would close a cycle.
    let back = || {
        send(
            1,
            reqwest::Method::POST,
            "/information-systems/stamnat/dependencies".into(),
            Some(json!({"depends_on_id": 1})),
        )
    };
    assert_eq!(back().await.0, 422);
    let (_, dependencies) = send(
        0,
        reqwest::Method::GET,
        "/information-systems/radius/dependencies".into(),
        None,
    )
    .await;
    let id = dependencies["results"][0]["id"].as_i64().unwrap();
    let (status, _) = send(
        0,
        reqwest::Method::DELETE,
        format!("/information-systems/radius/dependencies/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(back().await.0, 201, "the other instance saw the removal");
}
