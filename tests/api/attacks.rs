//! The second hardening round, each test written as the attack it answers (README, "Limits"):
//! what a caller chooses never grows the service's memory, an allowance is one person's however
//! they knock, and bad input gets a problem, never a hang or a 500.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::json;

use crate::conventions::assert_problem;
use crate::helpers::{sign_hs256, spawn_app, spawn_app_with, token, Backend, SECRET};

/// `GET path` with `headers` (no token but what a header carries).
async fn get_with(
    app: &crate::helpers::TestApp,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> crate::helpers::Reply {
    app.send("GET", path, token, None, headers).await
}

/// Nätverkstjänster, owned by tove@sunet.se, with eduroam in operation: (portfolio, service).
async fn natverk_with_eduroam(app: &crate::helpers::TestApp, lg: &str) -> (i64, i64) {
    let tove = token("tove@sunet.se", &[]);
    let natverk = app
        .owned_portfolio(lg, "natverk", "Nätverkstjänster", "tove@sunet.se")
        .await;
    let eduroam = app
        .service_in_operation(lg, &tove, "eduroam", natverk)
        .await;
    (natverk, eduroam)
}

/// 300 requests with invented methods of 2 kB each, all different: the metrics keep one series
/// for them (`method="other"`), and the page stays the size it was.
pub async fn invented_methods_leave_the_metrics_bounded(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/health/live", None).await.expect(200);
    let before = app.get("/metrics", None).await.expect(200);
    let before = before.body.as_str().expect("text").len();
    for n in 0..300 {
        let method = format!("X{n:0>2000}");
        let reply = app.send(&method, "/x", None, None, &[]).await;
        assert!(reply.status >= 400, "{}", reply.status);
    }
    let text = app.get("/metrics", None).await.expect(200);
    let text = text.body.as_str().expect("text").to_string();
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("http_requests_total{"))
        .collect();
    assert!(series.len() <= 6, "{series:#?}");
    assert!(
        series.iter().any(|l| l
            .starts_with(r#"http_requests_total{method="other",route="unmatched""#)
            && l.ends_with(" 300")),
        "{series:#?}"
    );
    assert!(
        text.len() < before + 4096,
        "the page grew from {before} to {} bytes",
        text.len()
    );
}

/// A token for `sub` that no other token equals (its own `jti`).
fn fresh_token(sub: &str) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    let jti = uuid::Uuid::new_v4().to_string();
    sign_hs256(
        &json!({"sub": sub, "roles": [], "iat": now, "exp": now + 600, "jti": jti}),
        SECRET,
    )
}

/// With a limit of 2 per second (bursts of 4): the scheme's spelling, spaces and fresh tokens
/// of one `sub` share one allowance; a header that is no valid bearer token is anonymous and
/// shares the address's allowance; a report costs more than one request.
pub async fn one_person_has_one_allowance_however_they_knock(backend: Backend) {
    let app = spawn_app_with(backend, &[("FORVALTNING_RATE_LIMIT", "2")], None).await;
    let anna = fresh_token("anna.öberg@sunet.se");
    let statuses = async |headers: Vec<String>| {
        let mut statuses = Vec::new();
        for header in headers {
            let reply = get_with(&app, "/api/v1/roles", None, &[("Authorization", &header)]).await;
            statuses.push(reply.status);
        }
        statuses
    };
    let knocks = vec![
        format!("Bearer {anna}"),
        format!("bearer {anna}"),
        format!("BEARER   {anna}  "),
        format!("Bearer {}", fresh_token("anna.öberg@sunet.se")),
        format!("Bearer {}", fresh_token("anna.öberg@sunet.se")),
    ];
    assert_eq!(statuses(knocks).await, [200, 200, 200, 200, 429]);

    // Junk in the header buys no allowance of its own: it is the address's.
    let junk = vec![
        "Junk 1".to_string(),
        "Bearer not-a-token".to_string(),
        format!(
            "Bearer {}",
            sign_hs256(&json!({"sub": "x", "exp": 1}), SECRET)
        ),
        "Basic YW5uYTpsw7ZzZW4=".to_string(),
        "Junk 2".to_string(),
    ];
    assert_eq!(statuses(junk).await, [200, 200, 200, 200, 429]);
    app.get("/api/v1/roles", None).await.expect(429);

    // Another person is not held back by either.
    let lg = token("lg@sunet.se", &["management_group"]);
    app.get("/api/v1/reports/governance", Some(&lg))
        .await
        .expect(200);
    // A report cost the whole burst.
    let refused = app.get("/api/v1/roles", Some(&lg)).await;
    assert_problem(&refused, 429);
}

/// Behind a trusted proxy each client has its own allowance; a client that is not the proxy
/// cannot choose its address by sending the header itself.
pub async fn only_a_trusted_proxy_names_the_client(backend: Backend) {
    let limit = ("FORVALTNING_RATE_LIMIT", "2");
    let proxied = spawn_app_with(
        backend,
        &[limit, ("FORVALTNING_TRUSTED_PROXIES", "127.0.0.0/8, ::1")],
        None,
    )
    .await;
    let direct = spawn_app_with(backend, &[limit], None).await;
    for (app, second_client) in [(&proxied, 200), (&direct, 429)] {
        for _ in 0..4 {
            get_with(
                app,
                "/api/v1/roles",
                None,
                &[("X-Forwarded-For", "198.51.100.1")],
            )
            .await
            .expect(200);
        }
        let first = get_with(
            app,
            "/api/v1/roles",
            None,
            &[("X-Forwarded-For", "198.51.100.1")],
        )
        .await;
        assert_eq!(first.status, 429);
        let second = get_with(
            app,
            "/api/v1/roles",
            None,
            &[("Forwarded", "for=198.51.100.2")],
        )
        .await;
        assert_eq!(second.status, second_client, "{}", second.body);
    }
}

/// A raw HTTP/1.1 exchange: what the service answered (status line, headers, body) before it
/// closed the connection or `wait` passed.
fn raw_exchange(base: &str, head: &str, body: &[u8], wait: Duration) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(wait)).expect("timeout");
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(body).expect("body");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// An import's file may be 16 MiB, far more than a JSON body: one from a caller without a valid
/// token is answered 401 before it arrives (nobody unknown makes the service hold 16 MiB).
pub async fn an_anonymous_file_is_answered_before_it_is_read(backend: Backend) {
    let app = spawn_app(backend).await;
    for authorization in ["", "Authorization: Bearer not-a-token\r\n"] {
        let base = app.base.clone();
        let head = format!(
            "POST /api/v1/imports?kind=organizations HTTP/1.1\r\nHost: x\r\n{authorization}Content-Type: text/csv\r\nContent-Length: 16000000\r\n\r\n"
        );
        let answer = tokio::task::spawn_blocking(move || {
            raw_exchange(&base, &head, b"slug,name,kind\n", Duration::from_secs(10))
        })
        .await
        .expect("exchange");
        assert!(answer.starts_with("HTTP/1.1 401 "), "{answer}");
    }
}

/// A body that never arrives is answered 408 and its connection closed (README: 30 s); a URI
/// past 16 kB is 414; both with a problem body.
pub async fn slow_bodies_and_long_uris_get_problems(backend: Backend) {
    let app = spawn_app(backend).await;
    let base = app.base.clone();
    let started = std::time::Instant::now();
    let answer = tokio::task::spawn_blocking(move || {
        let head = "POST /api/v1/portfolios HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
        raw_exchange(&base, head, b"{\"slug\":", Duration::from_secs(45))
    })
    .await
    .expect("exchange");
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    assert!(answer.contains("/problems/request-timeout"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(44),
        "the connection was kept"
    );

    let lg = token("lg@sunet.se", &["management_group"]);
    let long = format!("/api/v1/services?lifecycle={}", "x".repeat(17_000));
    let reply = app.get(&long, Some(&lg)).await;
    assert_problem(&reply, 414);
}

/// `?q=` is at most 200 characters on every list (a 50 000-character search was a 500 on
/// SQLite); 200 are searched.
pub async fn searches_are_bounded_on_every_list(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    for list in [
        "/api/v1/portfolios",
        "/api/v1/services",
        "/api/v1/organizations",
        "/api/v1/contracts",
        "/api/v1/change-requests",
        "/api/v1/people",
        "/api/v1/catalog",
    ] {
        let fits = app
            .get(&format!("{list}?q={}", "ö".repeat(200)), Some(&lg))
            .await;
        assert_eq!(fits.status, 200, "{list}: {}", fits.body);
        for length in [201, 10_000] {
            let reply = app
                .get(&format!("{list}?q={}", "a".repeat(length)), Some(&lg))
                .await;
            assert_problem(&reply, 400);
            assert!(
                reply.body["detail"]
                    .as_str()
                    .unwrap()
                    .contains("200 characters"),
                "{list}: {}",
                reply.body
            );
        }
    }
}

/// A token whose `sub` holds a control character names nobody (401); a name or title that
/// would break out of its line is refused with 400 naming the field, while long texts keep
/// their line breaks.
pub async fn names_and_subjects_stay_on_one_line(backend: Backend) {
    let app = spawn_app(backend).await;
    for sub in [
        "anna\nadmin@sunet.se",
        "anna\u{7f}@sunet.se",
        "anna\t@sunet.se",
    ] {
        let now = jsonwebtoken::get_current_timestamp();
        let forged = sign_hs256(&json!({"sub": sub, "exp": now + 600}), SECRET);
        assert_problem(&app.get("/api/v1/me", Some(&forged)).await, 401);
    }
    let lg = token("lg@sunet.se", &["management_group"]);
    for name in ["Nät\n# Falsk rubrik", "Nät\ttjänster", "Nät\r\ntjänster"] {
        let reply = app
            .post(
                "/api/v1/portfolios",
                Some(&lg),
                json!({"slug": "nat", "name": name, "description": "Rad ett\nrad två"}),
            )
            .await;
        assert_problem(&reply, 400);
        assert_eq!(reply.body["errors"][0]["field"], "name", "{}", reply.body);
    }
    let kept = app
        .post(
            "/api/v1/portfolios",
            Some(&lg),
            json!({"slug": "nat", "name": "Nättjänster", "description": "Rad ett\nrad två"}),
        )
        .await
        .expect(201);
    assert_eq!(kept.body["description"], "Rad ett\nrad två");
    let service = app.propose_service(&lg, "eduroam", Some(kept.id())).await;
    let title = app
        .post(
            "/api/v1/change-requests",
            Some(&lg),
            json!({"service_id": service, "title": "Ny\nrad", "description": "x"}),
        )
        .await;
    assert_eq!(title.status, 400, "{}", title.body);
}

/// `check-config` and the startup log show a database URL without its password, whatever form
/// the password takes.
pub fn secrets_stay_out_of_what_operators_see() {
    let db = crate::helpers::TestDatabase::new(Backend::Sqlite);
    for (url, understood) in [
        ("postgres://app:hemligt@x@127.0.0.1:1/forvaltning", false),
        ("postgres://app:hemligt@127.0.0.1:1/forvaltning", true),
        (
            "postgres://127.0.0.1:1/forvaltning?user=app&password=hemligt",
            true,
        ),
        (
            "postgresql://app@127.0.0.1:1/f?sslpassword=hemligt&PASSWORD=hemligt",
            true,
        ),
    ] {
        let output = crate::helpers::binary(&db, &[("DATABASE_URL", url)])
            .arg("check-config")
            .output()
            .expect("check-config runs");
        let shown = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.success(), understood, "{shown}");
        assert!(shown.contains("127.0.0.1:1/f"), "{shown}");
        assert!(!shown.contains("hemligt"), "{shown}");
        let started = crate::helpers::binary(&db, &[("DATABASE_URL", url)])
            .arg("serve")
            .output()
            .expect("serve runs and stops: the database is not there");
        let logged = String::from_utf8_lossy(&started.stderr).to_string();
        assert!(!started.status.success());
        assert!(!logged.contains("hemligt"), "{logged}");
    }
}

/// A change request's estimate and notes are internal: a plain user reads their own request,
/// not another's (404, as if it did not exist), and a list shows them only their own.
pub async fn change_requests_are_read_only_by_those_who_may(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lg@sunet.se", &["management_group"]);
    let portfolio = app
        .owned_portfolio(&lg, "natverk", "Nätverkstjänster", "ta.natverk@sunet.se")
        .await;
    let service = app.established_service(&lg, "eduroam", portfolio).await;
    let submit = async |who: &str, title: &str| {
        app.post(
            "/api/v1/change-requests",
            Some(who),
            json!({"service_id": service, "title": title, "description": "Från Umeå universitet"}),
        )
        .await
        .expect(201)
        .id()
    };
    let astrid = token("astrid.lof@umu.se", &[]);
    let bengt = token("bengt.ahlen@kth.se", &[]);
    let own = submit(&astrid, "Stöd för WPA3").await;
    let others = submit(&bengt, "Gästnät på Öland").await;
    let path = |id: i64| format!("/api/v1/change-requests/{id}");
    app.get(&path(own), Some(&astrid)).await.expect(200);
    let hidden = app.get(&path(others), Some(&astrid)).await;
    assert_problem(&hidden, 404);
    assert!(
        !hidden.body.to_string().contains("Öland"),
        "{}",
        hidden.body
    );
    let step = app
        .post(
            &format!("{}/decision", path(others)),
            Some(&astrid),
            json!({"decision": "approved"}),
        )
        .await;
    assert_problem(&step, 404);
    let listed = app
        .get("/api/v1/change-requests?limit=10", Some(&astrid))
        .await
        .expect(200);
    assert_eq!(listed.body["count"], 1, "{}", listed.body);
    assert_eq!(listed.body["results"][0]["id"], own);
    let csv = get_with(
        &app,
        "/api/v1/change-requests",
        Some(&astrid),
        &[("Accept", "text/csv")],
    )
    .await
    .expect(200);
    let csv = csv.body.as_str().expect("CSV text");
    assert!(csv.contains("WPA3") && !csv.contains("Öland"), "{csv}");
    // Nor does the audit trail or the event stream show them to a reader of the whole trail
    // who may not read change requests (the controller), while the management group sees them.
    let karin = token("karin@sunet.se", &["controller"]);
    let count = async |path: &str, reader: &str| {
        app.get(path, Some(reader)).await.expect(200).body["count"].clone()
    };
    let stream = "/api/v1/events?object_type=change_request&count=true";
    // (PostgreSQL places events in the stream within about 100 ms of their commit.)
    for _ in 0..50 {
        if count(stream, &lg).await == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for (reader, expected) in [(&karin, 0), (&lg, 2)] {
        let trail = "/api/v1/audit-events?object_type=change_request&count=true";
        assert_eq!(count(trail, reader).await, expected);
        assert_eq!(count(stream, reader).await, expected);
        let whole = app
            .get("/api/v1/audit-events?limit=500", Some(reader))
            .await
            .expect(200);
        assert_eq!(whole.body.to_string().contains("Öland"), expected > 0);
    }
    // Nor may they subscribe to them.
    let hook = json!({"url": "http://127.0.0.1:9/krok", "secret": "en-lång-hemlighet-för-kroken", "event_types": ["service.*", "change_request.*"]});
    let refused = app
        .post("/api/v1/webhooks", Some(&karin), hook.clone())
        .await;
    assert_problem(&refused, 403);
    assert_eq!(refused.body["action"], "change_request.read");
    app.post("/api/v1/webhooks", Some(&lg), hook)
        .await
        .expect(201);
    // The service's owner and the management group read both.
    let owner = token("ta.natverk@sunet.se", &[]);
    for reader in [&owner, &lg] {
        let all = app
            .get("/api/v1/change-requests", Some(reader))
            .await
            .expect(200);
        assert_eq!(all.body["count"], 2, "{}", all.body);
        app.get(&path(others), Some(reader)).await.expect(200);
    }
}

/// The path of the object a governance finding is about.
fn object_path(finding: &serde_json::Value) -> String {
    let id = finding["object_id"].as_i64().expect("object_id");
    let collection = match finding["object_type"].as_str().expect("object_type") {
        "portfolio" => "portfolios",
        "service" => "services",
        "delivery" => "deliveries",
        "plan" => "plans",
        "change_request" => "change-requests",
        "contract" => "contracts",
        "role_assignment" => "role-assignments",
        "information_system" => "information-systems",
        "architecture" => return "/api/v1/architecture/reviews".to_string(),
        other => panic!("a finding about {other}"),
    };
    format!("/api/v1/{collection}/{id}")
}

/// A governance report shows no caller anything its single-object endpoint would refuse: a KA
/// (who reads customer contracts only, and no economics) sees no supplier contract and no
/// deficit in SEK, in JSON, CSV and Markdown; the controller sees the contract and the amount
/// but not the change request; the totals count only what is shown.
pub async fn no_report_shows_what_its_object_hides(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena@sunet.se", &["management_group"]);
    let tove = token("tove@sunet.se", &[]);
    let karin = token("karin@sunet.se", &["controller"]);
    let ka = token("kalle.kund@sunet.se", &["account_manager"]);
    let (_, eduroam) = natverk_with_eduroam(&app, &lg).await;
    let supplier = app
        .post("/api/v1/organizations", Some(&karin), json!({"slug": "radius-leverantoren", "name": "Radiusleverantören AB", "kind": "supplier", "org_number": "556000-4615"}))
        .await
        .expect(201)
        .id();
    let contract = app
        .post("/api/v1/contracts", Some(&karin), json!({
            "kind": "supplier", "organization_id": supplier, "title": "Drift av RADIUS", "reference": "LEV-2026-7",
            "start_date": crate::helpers::day(-30), "end_date": crate::helpers::day(60), "renewal": "none",
            "notice_period_months": 1, "annual_value": {"amount": "120000.00", "currency": "SEK"},
            "services": [{"service_id": eduroam, "share_percent": 100}]
        }))
        .await
        .expect(201)
        .id();
    let request = app
        .post(
            "/api/v1/change-requests",
            Some(&token("bengt.ahlen@kth.se", &[])),
            json!({"service_id": eduroam, "title": "Hemligt önskemål från KTH"}),
        )
        .await
        .expect(201)
        .id();
    app.sql(&format!(
        "UPDATE change_requests SET created_at = '2020-01-01 00:00:00' WHERE id = {request}"
    ));
    assert_problem(
        &app.get(&format!("/api/v1/contracts/{contract}"), Some(&ka))
            .await,
        404,
    );
    let year = chrono::Utc::now().format("%Y");
    let economics = app
        .get(&format!("/api/v1/reports/economics?year={year}"), Some(&ka))
        .await;
    assert_problem(&economics, 403);

    let report = async |who: &str| {
        let json = app
            .get("/api/v1/reports/governance?limit=500", Some(who))
            .await
            .expect(200)
            .body;
        let mut text = String::new();
        for accept in ["text/csv", "text/markdown"] {
            let reply = get_with(
                &app,
                "/api/v1/reports/governance",
                Some(who),
                &[("Accept", accept)],
            )
            .await
            .expect(200);
            text.push_str(reply.body.as_str().expect("text"));
        }
        (json, text)
    };
    let total = |json: &serde_json::Value, rule: &str| {
        json["totals"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .find(|t| t["rule"] == rule)
            .map(|t| t["findings"].as_i64().expect("findings"))
    };
    let (seen, text) = report(&ka).await;
    let everything = format!("{seen}{text}");
    for hidden in ["LEV-2026-7", "Drift av RADIUS", "120000", "120 000", "SEK"] {
        assert!(
            !everything.contains(hidden),
            "a KA sees {hidden:?}: {everything}"
        );
    }
    assert_eq!(total(&seen, "contract_notice_due"), Some(0));
    // A KA reads change requests (they bring customers' wishes to the management group).
    assert_eq!(total(&seen, "change_request_waiting"), Some(1));
    assert_eq!(total(&seen, "service_not_self_sustaining"), Some(1));
    assert!(
        text.contains("Tjänsten eduroam är inte ekonomiskt självbärande i år."),
        "{text}"
    );

    let (seen, text) = report(&karin).await;
    assert_eq!(total(&seen, "contract_notice_due"), Some(1));
    assert_eq!(total(&seen, "change_request_waiting"), Some(0));
    assert!(
        text.contains("LEV-2026-7") && text.contains("SEK"),
        "{text}"
    );
    assert!(!text.contains("Hemligt önskemål"), "{text}");

    let (seen, _) = report(&lg).await;
    assert_eq!(total(&seen, "contract_notice_due"), Some(1));
    assert_eq!(total(&seen, "change_request_waiting"), Some(1));

    // The annual report names plans (which every caller reads) and counts; the economics
    // report shows a TÄ of another portfolio nothing of eduroam's figures.
    let annual = app
        .get(&format!("/api/v1/reports/annual?year={year}"), Some(&ka))
        .await
        .expect(200);
    for portfolio in annual.body["portfolios"].as_array().expect("portfolios") {
        if let Some(plan) = portfolio["plan_id"].as_i64() {
            app.get(&format!("/api/v1/plans/{plan}"), Some(&ka))
                .await
                .expect(200);
        }
    }
    let other_owner = "ta.samarbete@sunet.se";
    app.owned_portfolio(&lg, "samarbete", "Samarbetstjänster", other_owner)
        .await;
    let theirs = app
        .get(
            &format!("/api/v1/reports/economics?year={year}"),
            Some(&token(other_owner, &[])),
        )
        .await
        .expect(200);
    assert_eq!(theirs.body["services"], json!([]), "{}", theirs.body);
    // Whatever a caller's report names, its own endpoint lets that caller read.
    for who in [&ka, &karin, &tove] {
        let (seen, _) = report(who).await;
        for finding in seen["results"].as_array().expect("results") {
            let reply = app.get(&object_path(finding), Some(who)).await;
            assert_eq!(reply.status, 200, "{finding} for {who}: {}", reply.body);
        }
    }
}

/// `|` characters that end a table cell (not escaped).
fn cell_bars(line: &str) -> usize {
    let chars: Vec<char> = line.chars().collect();
    (0..chars.len())
        .filter(|&i| chars[i] == '|' && (i == 0 || chars[i - 1] != '\\'))
        .count()
}

/// A Markdown report keeps its own structure whatever the values in it say: no raw HTML, no
/// heading but its own, every row of a table as many cells as its header.
fn assert_structure(markdown: &str, headings: usize) {
    assert!(!markdown.contains('<'), "raw HTML survived:\n{markdown}");
    let found = markdown.lines().filter(|l| l.starts_with('#')).count();
    assert_eq!(found, headings, "headings:\n{markdown}");
    let mut header_cells = None;
    for line in markdown.lines() {
        match (line.starts_with('|'), header_cells) {
            (true, None) => header_cells = Some(cell_bars(line)),
            (true, Some(cells)) => assert_eq!(cell_bars(line), cells, "{line}\n{markdown}"),
            (false, _) => header_cells = None,
        }
    }
}

/// Values written before names were kept to one line (or by an operator's SQL) carry HTML,
/// headings, links and cell separators; every Markdown report shows them as text.
pub async fn markdown_reports_survive_hostile_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let lg = token("lena@sunet.se", &["management_group"]);
    let tove = token("tove@sunet.se", &[]);
    let (natverk, eduroam) = natverk_with_eduroam(&app, &lg).await;
    let year = chrono::Utc::now().format("%Y").to_string();
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&tove),
            json!({"portfolio_id": natverk, "year": year.parse::<i32>().unwrap(), "summary": "Plan"}),
        )
        .await
        .expect(201)
        .id();
    let item = app
        .post(
            &format!("/api/v1/plans/{plan}/items"),
            Some(&tove),
            json!({"title": "Byte av RADIUS", "planned_cost": {"amount": "100.00", "currency": "SEK"}}),
        )
        .await
        .expect(201)
        .id();
    let nl = match backend {
        Backend::Sqlite => "char(10)",
        Backend::Postgres => "chr(10)",
    };
    app.sql(&format!(
        "UPDATE portfolios SET name = '<script>alert(1)</script>' || {nl} || '# Falsk rubrik | x' WHERE id = {natverk};
         UPDATE services SET name = '<img src=x onerror=alert(1)> | [klick](javascript:x)' || {nl} || '---' WHERE id = {eduroam};
         UPDATE plan_items SET title = '<script>x</script>' || {nl} || '## Falsk', actual_cost_minor = 20000 WHERE id = {item};
         UPDATE plans SET annual_report = '# Falsk' || {nl} || '<b>fet</b>' || {nl} || '| a | b |' || {nl} || '1. lista' WHERE id = {plan};"
    ));
    let markdown = async |path: String| {
        let reply = get_with(&app, &path, Some(&lg), &[("Accept", "text/markdown")])
            .await
            .expect(200);
        reply.body.as_str().expect("Markdown").to_string()
    };
    let governance = markdown("/api/v1/reports/governance".into()).await;
    assert!(
        governance.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{governance}"
    );
    assert_structure(&governance, 1);
    let economics = markdown(format!("/api/v1/reports/economics?year={year}")).await;
    assert!(
        economics.contains("\\[klick\\](javascript:x)"),
        "{economics}"
    );
    assert_structure(&economics, 1);
    let annual = markdown(format!("/api/v1/reports/annual?year={year}")).await;
    assert!(annual.contains("&lt;b&gt;fet&lt;/b&gt;"), "{annual}");
    assert!(annual.contains("\\# Falsk"), "{annual}");
    assert_structure(&annual, 2);
}
