//! `spawn_app()`: the real application on 127.0.0.1:0 against a fresh database (an SQLite
//! file in a temporary directory, or its own schema in the PostgreSQL of `TEST_DATABASE_URL`),
//! and small helpers to call it over HTTP.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use forvaltning::config::Settings;
use forvaltning::startup::Application;

/// The HS256 secret every test app is configured with.
pub const SECRET: &str = "testhemlighet-för-integrationstesterna-0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A database of its own for one test; a PostgreSQL schema is dropped when the guard goes.
pub struct TestDatabase {
    pub url: String,
    pub data_dir: PathBuf,
    schema: Option<(String, String)>,
}

impl TestDatabase {
    pub fn new(backend: Backend) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("forvaltning-test-{id}"));
        std::fs::create_dir_all(&data_dir).expect("temp dir");
        match backend {
            Backend::Sqlite => TestDatabase {
                url: data_dir.join("test.sqlite3").display().to_string(),
                data_dir,
                schema: None,
            },
            Backend::Postgres => {
                let admin = postgres_admin_url().expect(
                    "TEST_DATABASE_URL was set when the tests were built but is not set now",
                );
                let schema = format!("t_{}", &id[..16]);
                let mut conn =
                    diesel::PgConnection::establish(&admin).expect("connect to TEST_DATABASE_URL");
                // An extension belongs to the database, not to a schema: made once in
                // `public`, where every test's migrations find it, rather than by the first
                // migration into its own (short-lived) schema while others race to make it.
                static SHARED_EXTENSIONS: std::sync::Once = std::sync::Once::new();
                // Under nextest each test is a process of its own: on a fresh server two may
                // race here, and the loser's IF NOT EXISTS fails on the catalogue's unique
                // key; the extension is then there, which a second try sees.
                SHARED_EXTENSIONS.call_once(|| {
                    let create = "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public";
                    if conn.batch_execute(create).is_err() {
                        conn.batch_execute(create)
                            .expect("create the pg_trgm extension");
                    }
                });
                conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("create schema");
                let separator = if admin.contains('?') { '&' } else { '?' };
                TestDatabase {
                    url: format!("{admin}{separator}options=-csearch_path%3D{schema}"),
                    data_dir,
                    schema: Some((admin, schema)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin, schema)) = &self.schema {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// Held for its `Drop`: the database goes with the last app on it.
    _db: std::sync::Arc<TestDatabase>,
}

/// The settings a test app gets: port 0, its own database, the test secret, plus `extra`.
pub fn test_settings(db: &TestDatabase, extra: &[(&str, &str)], config: Option<&str>) -> Settings {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("FORVALTNING_BIND".to_string(), "127.0.0.1:0".to_string()),
        (
            "FORVALTNING_DATA_DIR".to_string(),
            db.data_dir.display().to_string(),
        ),
        ("DATABASE_URL".to_string(), db.url.clone()),
        ("FORVALTNING_JWT_SECRET".to_string(), SECRET.to_string()),
        // The suites call as fast as they can; the limit has a test of its own.
        ("FORVALTNING_RATE_LIMIT".to_string(), "0".to_string()),
    ]);
    for (k, v) in extra {
        if v.is_empty() {
            vars.remove(*k);
        } else {
            vars.insert(k.to_string(), v.to_string());
        }
    }
    let config_path = config.map(|text| {
        let path = db.data_dir.join("config.toml");
        std::fs::write(&path, text).expect("write config");
        path
    });
    let mut settings =
        Settings::load_from(config_path.as_deref(), &move |name| vars.get(name).cloned())
            .expect("test settings");
    settings.workers = Some(2);
    settings.pool_size = Some(4);
    settings
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[], None).await
}

/// Starts the app with extra environment (an empty value removes a default) and an optional
/// TOML configuration.
pub async fn spawn_app_with(
    backend: Backend,
    extra: &[(&str, &str)],
    config: Option<&str>,
) -> TestApp {
    start(
        std::sync::Arc::new(TestDatabase::new(backend)),
        extra,
        config,
    )
    .await
}

/// An instance of the app on `db`, which it keeps while it lives.
async fn start(
    db: std::sync::Arc<TestDatabase>,
    extra: &[(&str, &str)],
    config: Option<&str>,
) -> TestApp {
    let settings = test_settings(&db, extra, config);
    let app = Application::build(settings).await.expect("the app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: reqwest::Client::new(),
        _db: db,
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The response read whole: JSON where it is, else its text.
    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn id(&self) -> i64 {
        self.body["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no id in {} {}", self.status, self.body))
    }

    /// Panics with the body when the status is not `expected`.
    pub fn expect(self, expected: u16) -> Self {
        assert_eq!(
            self.status, expected,
            "unexpected status; body: {}",
            self.body
        );
        self
    }
}

impl TestApp {
    /// The app's database (to make a state no endpoint makes).
    pub fn database(&self) -> &TestDatabase {
        &self._db
    }

    /// A second instance of the service on the same database (as behind a load balancer).
    pub async fn another_instance(&self) -> TestApp {
        start(self._db.clone(), &[], None).await
    }

    /// A second instance on the same database with other settings (another governance model
    /// during a rolling change, say).
    pub async fn another_instance_with(&self, extra: &[(&str, &str)]) -> TestApp {
        start(self._db.clone(), extra, None).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs SQL on the app's database directly: the states that arrive by imports or
    /// direct edits, or that time makes (a review a year old).
    pub fn sql(&self, statement: &str) {
        let settings = test_settings(&self._db, &[], None);
        let (_, pool) = forvaltning::startup::open_database(&settings).expect("database");
        let mut conn = pool.get().expect("connection");
        conn.batch_execute(statement)
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }

    /// The audit trail filed per portfolio (kept by triggers, the new event's by a shortcut on
    /// PostgreSQL) is exactly what its definition, the view `audit_trail_members`, says now.
    pub fn assert_trails_filed(&self) {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Difference {
            #[diesel(sql_type = diesel::sql_types::Text)]
            side: String,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            portfolio_id: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            event_id: i64,
        }
        let settings = test_settings(&self._db, &[], None);
        let (_, pool) = forvaltning::startup::open_database(&settings).expect("database");
        let mut conn = pool.get().expect("connection");
        let wrong: Vec<Difference> = diesel::sql_query(
            "SELECT 'missing' AS side, portfolio_id, event_id FROM \
               (SELECT portfolio_id, event_id FROM audit_trail_members \
                EXCEPT SELECT portfolio_id, event_id FROM audit_trails) AS m \
             UNION ALL \
             SELECT 'extra' AS side, portfolio_id, event_id FROM \
               (SELECT portfolio_id, event_id FROM audit_trails \
                EXCEPT SELECT portfolio_id, event_id FROM audit_trail_members) AS x",
        )
        .load::<Difference>(&mut **conn)
        .expect("the filed trail");
        let wrong: Vec<String> = wrong
            .iter()
            .map(|d| {
                format!(
                    "{} portfolio {} event {}",
                    d.side, d.portfolio_id, d.event_id
                )
            })
            .collect();
        assert!(wrong.is_empty(), "audit_trails: {wrong:#?}");
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        Reply::read(response).await
    }

    /// A POST whose body is text of `content_type` as it is (an imported file).
    pub async fn post_text(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        body: &str,
    ) -> Reply {
        let response = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .header("Content-Type", content_type)
            .body(body.to_string())
            .send()
            .await
            .expect("request sent");
        Reply::read(response).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("GET", path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send("POST", path, token, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send("PUT", path, token, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send("PATCH", path, token, Some(body), &[]).await
    }

    /// A POST without a body: an action on an object (`…/retire`, `…/revoke`, `…/accept`).
    pub async fn act(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("POST", path, token, None, &[]).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("DELETE", path, token, None, &[]).await
    }

    // A few stories the tests tell again and again, through the API itself.

    /// How many audit events of `object_type` `token` may read.
    pub async fn audit_count(&self, token: &str, object_type: &str) -> i64 {
        self.get(
            &format!("/api/v1/audit-events?count=true&object_type={object_type}&limit=1"),
            Some(token),
        )
        .await
        .expect(200)
        .body["count"]
            .as_i64()
            .expect("a count")
    }

    pub async fn create_portfolio(&self, lg: &str, slug: &str, name: &str) -> i64 {
        self.post(
            "/api/v1/portfolios",
            Some(lg),
            json!({"slug": slug, "name": name}),
        )
        .await
        .expect(201)
        .id()
    }

    pub async fn propose_service(&self, token: &str, slug: &str, portfolio: Option<i64>) -> i64 {
        self.post(
            "/api/v1/services",
            Some(token),
            json!({"slug": slug, "name": slug.replace('-', " "), "portfolio_id": portfolio}),
        )
        .await
        .expect(201)
        .id()
    }

    /// A lifecycle step; establishing records that nothing of the IT environment is needed.
    pub async fn transition(&self, token: &str, service: i64, to: &str) -> Reply {
        let mut body = json!({"to": to});
        if to == "established" {
            body["it_assessment"] = it_assessment();
        }
        self.post(
            &format!("/api/v1/services/{service}/transitions"),
            Some(token),
            body,
        )
        .await
    }

    pub async fn assign(&self, token: &str, body: Value) -> Reply {
        self.post("/api/v1/role-assignments", Some(token), body)
            .await
    }

    /// A portfolio made by the management group, with `owner_sub` appointed its TÄ.
    pub async fn owned_portfolio(&self, lg: &str, slug: &str, name: &str, owner_sub: &str) -> i64 {
        let id = self.create_portfolio(lg, slug, name).await;
        self.assign(
            lg,
            json!({"subject": owner_sub, "role": "service_owner", "portfolio_id": id}),
        )
        .await
        .expect(201);
        id
    }

    /// An established service in `portfolio` (proposed and established by LG).
    pub async fn established_service(&self, lg: &str, slug: &str, portfolio: i64) -> i64 {
        let id = self.propose_service(lg, slug, Some(portfolio)).await;
        self.transition(lg, id, "established").await.expect(200);
        id
    }

    /// A service in operation: established, a TJF appointed by the TÄ, put in operation by
    /// the TÄ. The portfolio must have `owner` as its TÄ.
    pub async fn service_in_operation(
        &self,
        lg: &str,
        owner: &str,
        slug: &str,
        portfolio: i64,
    ) -> i64 {
        let id = self.established_service(lg, slug, portfolio).await;
        self.assign(
            owner,
            json!({"subject": format!("tjf-{slug}@sunet.se"), "role": "service_manager", "service_id": id}),
        )
        .await
        .expect(201);
        self.transition(owner, id, "in_operation").await.expect(200);
        id
    }
}

/// The statuses of requests sent at once (each a spawned task), sorted: the outcome of a race.
pub async fn sorted_statuses(tasks: Vec<tokio::task::JoinHandle<u16>>) -> Vec<u16> {
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("a request task"));
    }
    statuses.sort();
    statuses
}

/// An HS256 token signed with the test secret.
/// The date `offset` days from today (UTC, the service's clock), as the API writes dates.
pub fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(offset)).to_string()
}

pub fn token(sub: &str, roles: &[&str]) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    sign_hs256(
        &json!({"sub": sub, "roles": roles, "iat": now, "exp": now + 600}),
        SECRET,
    )
}

pub fn sign_hs256(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The `forvaltning` binary with the database of `db` and `env` (no other configuration).
pub fn binary(db: &TestDatabase, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_forvaltning"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("FORVALTNING_BIND", "127.0.0.1:0")
        .env("FORVALTNING_DATA_DIR", &db.data_dir)
        .env("DATABASE_URL", &db.url)
        .env("FORVALTNING_RATE_LIMIT", "0")
        .env("RUST_LOG", "info");
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

/// The real binary, started as an operator would.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(db: &TestDatabase) -> Server {
        Server::start_with(db, &[("FORVALTNING_JWT_SECRET", SECRET)])
    }

    /// Starts `forvaltning serve` on port 0 with the database of `db` and `env`.
    pub fn start_with(db: &TestDatabase, env: &[(&str, &str)]) -> Server {
        let mut child = binary(db, env)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the binary");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let mut port = None;
        for line in lines.by_ref() {
            let line = line.unwrap_or_default();
            if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
                port = rest.trim().parse::<u16>().ok();
                break;
            }
        }
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let port = port.expect("the server reports its port");
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Asks the server to stop, as an orchestrator does (SIGTERM).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// The exit status, once the process ended within `limit`.
    pub fn wait_for_exit(
        &mut self,
        limit: std::time::Duration,
    ) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    pub fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().ok();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A world to test in: Nätverkstjänster with its TÄ Tove and eduroam in operation (TJF Frida).
pub struct Place {
    pub app: TestApp,
    pub lg: String,
    pub ta: String,
    pub portfolio: i64,
    pub service: i64,
}

/// Builds the [`Place`].
pub async fn place(backend: Backend) -> Place {
    let app = spawn_app(backend).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let ta = token("tove.agare@sunet.se", &[]);
    let portfolio = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    app.assign(
        &lg,
        json!({"subject": "tove.agare@sunet.se", "role": "service_owner", "portfolio_id": portfolio}),
    )
    .await
    .expect(201);
    let service = app
        .service_in_operation(&lg, &ta, "eduroam", portfolio)
        .await;
    Place {
        app,
        lg,
        ta,
        portfolio,
        service,
    }
}

/// The world most stories start from: two portfolios, each with its TÄ — Nätverkstjänster
/// (Tove; eduroam and eduid in operation) and Samarbetstjänster (Örjan; sunet-box in
/// operation) — and the management group.
/// The IT assessment of an establishment that rests on no existing system.
pub fn it_assessment() -> Value {
    json!({"summary": "Bygger på Sunets befintliga plattform; inga nya system behövs.", "information_system_ids": []})
}

pub struct TwoPortfolios {
    pub app: TestApp,
    pub lg: String,
    pub tove: String,
    pub orjan: String,
    pub natverk: i64,
    pub samarbete: i64,
    pub eduroam: i64,
    pub eduid: i64,
    pub sunet_box: i64,
}

/// Builds the [`TwoPortfolios`].
pub async fn two_portfolios(backend: Backend) -> TwoPortfolios {
    two_portfolios_with(backend, &[]).await
}

/// The [`TwoPortfolios`] of an app started with `extra` settings (another governance model).
pub async fn two_portfolios_with(backend: Backend, extra: &[(&str, &str)]) -> TwoPortfolios {
    let app = spawn_app_with(backend, extra, None).await;
    let lg = token("lena.ledning@sunet.se", &["management_group"]);
    let tove = token("tove.agare@sunet.se", &[]);
    let orjan = token("orjan.agare@sunet.se", &[]);
    let natverk = app
        .create_portfolio(&lg, "natverk", "Nätverkstjänster")
        .await;
    let samarbete = app
        .create_portfolio(&lg, "samarbete", "Samarbetstjänster")
        .await;
    for (sub, portfolio) in [
        ("tove.agare@sunet.se", natverk),
        ("orjan.agare@sunet.se", samarbete),
    ] {
        app.assign(
            &lg,
            json!({"subject": sub, "role": "service_owner", "portfolio_id": portfolio}),
        )
        .await
        .expect(201);
    }
    let eduroam = app
        .service_in_operation(&lg, &tove, "eduroam", natverk)
        .await;
    let eduid = app.service_in_operation(&lg, &tove, "eduid", natverk).await;
    let sunet_box = app
        .service_in_operation(&lg, &orjan, "sunet-box", samarbete)
        .await;
    TwoPortfolios {
        app,
        lg,
        tove,
        orjan,
        natverk,
        samarbete,
        eduroam,
        eduid,
        sunet_box,
    }
}

/// The (object_type, object_id, severity) of the findings of `rule` the caller of `token` sees.
pub async fn findings_of(app: &TestApp, token: &str, rule: &str) -> Vec<(String, i64, String)> {
    let reply = app
        .get(
            &format!("/api/v1/reports/governance?rule={rule}"),
            Some(token),
        )
        .await
        .expect(200);
    reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["object_type"].as_str().unwrap().to_string(),
                f["object_id"].as_i64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
