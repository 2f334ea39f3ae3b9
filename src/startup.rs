//! Builds the application: database, keys, routes, middleware; binds (port 0 in tests) and
//! reports the port.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::ResponseError;
use actix_web::{web, App, HttpMessage, HttpRequest, HttpResponse};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::auth::jwt::{Authenticator, KeySetupError};
use crate::config::Settings;
use crate::db::{self, DatabaseUrl, DbPool};
use crate::error::AppError;
use crate::openapi::ApiDoc;
use crate::ratelimit::RateLimiter;
use crate::request::{CallerSub, RequestId, REQUEST_ID_HEADER};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("JWT keys: {0}")]
    Keys(#[from] KeySetupError),
    #[error("database: {0}")]
    Database(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// Brings the schema up to date over one connection of its own (no pool, so no background
/// threads are left connecting when `forvaltning migrate` exits).
pub fn migrate_database(settings: &Settings) -> Result<DatabaseUrl, StartupError> {
    let url = DatabaseUrl::from_settings(settings).map_err(StartupError::Database)?;
    db::prepare(&url)
        .map_err(|e| StartupError::Database(format!("cannot create the data directory: {e}")))?;
    let mut conn = r2d2::ManageConnection::connect(&db::ConnectionManager::new(url.clone()))
        .map_err(|e| {
            StartupError::Database(format!("cannot connect to {}: {e}", url.backend_name()))
        })?;
    let applied = db::run_migrations(&mut conn).map_err(StartupError::Database)?;
    for name in applied {
        log::info!("applied migration {name}");
    }
    Ok(url)
}

/// One connection of its own to an up-to-date database (for the operator's commands).
pub fn connect_migrated(settings: &Settings) -> Result<db::Managed, StartupError> {
    let url = migrate_database(settings)?;
    r2d2::ManageConnection::connect(&db::ConnectionManager::new(url.clone())).map_err(|e| {
        StartupError::Database(format!("cannot connect to {}: {e}", url.backend_name()))
    })
}

/// Brings the schema up to date, then opens the pool.
pub fn open_database(settings: &Settings) -> Result<(DatabaseUrl, DbPool), StartupError> {
    let url = migrate_database(settings)?;
    let sizes =
        db::Sizes::for_machine(&url, cores(), settings.pool_size, settings.concurrent_reads);
    log::info!(
        "database pool: {} connections, at most {} of them reading, {} of those pages",
        sizes.connections,
        sizes.reads,
        sizes.scans
    );
    let pool = db::build_pool(
        &url,
        sizes,
        Duration::from_secs(settings.pool_timeout_seconds),
    );
    Ok((url, pool))
}

/// The cores this process may use (at least one).
fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        log::info!("configuration: {}", settings.describe());
        let authenticator = Authenticator::from_settings(&settings)?;
        authenticator.prefetch().await;
        let (url, pool) = open_database(&settings)?;
        log::info!("database: {}", url.backend_name());
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        spawn_sealer(pool.clone());
        crate::webhooks::spawn(
            pool.clone(),
            crate::webhooks::Delivery {
                allow_private: settings.webhooks_allow_private,
                proxy: settings.webhook_proxy.clone(),
            },
            settings.webhook_log_days,
        );
        spawn_date_scan(pool.clone(), settings.event_scan_seconds);
        if matches!(url, crate::db::DatabaseUrl::Postgres(_)) {
            spawn_sequencer(pool.clone());
        }
        let limiter = RateLimiter::new(settings.rate_limit);
        let server = serve(listener, pool, authenticator, limiter, &settings)?;
        log::info!("listening on http://{}:{port}", settings.bind.ip());
        Ok(Application { server, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// PostgreSQL: gives new events their stream positions (db::events::sequence) every 100 ms, so
/// that a committed change reaches readers and webhooks within about that. Any number of
/// instances; one places at a time.
fn spawn_sequencer(pool: DbPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match db::run(&pool, db::events::sequence).await {
                Ok(_) | Err(AppError::TransactionConflict) | Err(AppError::Unavailable(_)) => {}
                Err(e) => log::warn!("placing events in the stream failed: {}", e.cause()),
            }
        }
    });
}

/// Every `seconds` (and soon after start): the events that dates make (api::events::dates).
/// Instances scanning at once fire each event once; a collision waits for the next scan.
fn spawn_date_scan(pool: DbPool, seconds: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(seconds));
        loop {
            tick.tick().await;
            let scanned = crate::db::run(&pool, |conn| {
                api::events::dates::scan(conn, crate::db::today())
            })
            .await;
            match scanned {
                Ok(n) if n > 0 => log::info!("fired {n} date-driven events"),
                Ok(_) | Err(AppError::TransactionConflict) | Err(AppError::Unavailable(_)) => {}
                Err(e) => log::warn!("scanning for date-driven events failed: {}", e.cause()),
            }
        }
    });
}

/// Every second: seals the audit trail's settled events (db::seal), and folds the appended
/// row-count changes into their totals (db::row_counts). Two instances on one PostgreSQL both
/// try; the serializable write lets one extend the chain, the other retries on its next tick.
fn spawn_sealer(pool: DbPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut folded_since_vacuum = 0;
        loop {
            tick.tick().await;
            match db::run(&pool, db::row_counts::fold_changes).await {
                Ok(folded) => folded_since_vacuum += folded,
                Err(AppError::Unavailable(_)) => {}
                Err(e) => log::warn!("folding the row counts failed: {}", e.cause()),
            }
            if folded_since_vacuum >= db::row_counts::VACUUM_AFTER {
                folded_since_vacuum = 0;
                if let Err(e) = db::run(&pool, db::row_counts::vacuum_changes).await {
                    log::warn!(
                        "vacuuming the folded row-count changes failed: {}",
                        e.cause()
                    );
                }
            }
            // A full batch means more are waiting (a backlog after an import or a burst):
            // go on at once rather than a batch a second.
            loop {
                // In turn with the requests' writes (on SQLite one writer serves both).
                let sealed =
                    db::run_write(&pool, |conn| db::seal::seal_pending(conn, db::now())).await;
                match sealed {
                    Ok(n) if n as i64 == db::seal::BATCH => {
                        log::debug!("sealed {n} audit events");
                        tokio::task::yield_now().await;
                    }
                    Ok(0) | Err(AppError::TransactionConflict) | Err(AppError::Unavailable(_)) => {
                        break
                    }
                    Ok(n) => {
                        log::debug!("sealed {n} audit events");
                        break;
                    }
                    Err(e) => {
                        log::warn!("sealing the audit trail failed: {}", e.cause());
                        break;
                    }
                }
            }
        }
    });
}

fn serve(
    listener: TcpListener,
    pool: DbPool,
    authenticator: Authenticator,
    limiter: Option<RateLimiter>,
    settings: &Settings,
) -> Result<Server, StartupError> {
    let (cors_origins, workers) = (settings.cors_allowed_origins.clone(), settings.workers);
    let body_limit = api::BodyLimit(settings.max_body_bytes);
    let limiter = web::Data::new(limiter);
    let trusted_proxies = web::Data::new(settings.trusted_proxies.clone());
    let metrics = web::Data::new(crate::metrics::Metrics::default());
    let metrics_enabled = web::Data::new(crate::metrics::MetricsEnabled(settings.metrics));
    let thresholds = web::Data::new(settings.governance);
    let private_targets = web::Data::new(api::webhooks::PrivateTargets(
        settings.webhooks_allow_private,
    ));
    let document = crate::openapi::document();
    let method_table = web::Data::new(MethodTable::from_document(&document));
    let document = web::Data::new(api::OpenApiJson(
        serde_json::to_string(&document).unwrap_or_default(),
    ));
    let pool = web::Data::new(pool);
    let authenticator = web::Data::new(authenticator);
    let mut server = actix_web::HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .app_data(pool.clone())
            .app_data(authenticator.clone())
            .app_data(method_table.clone())
            .app_data(document.clone())
            .app_data(limiter.clone())
            .app_data(trusted_proxies.clone())
            .app_data(metrics.clone())
            .app_data(metrics_enabled.clone())
            .app_data(private_targets.clone())
            .app_data(thresholds.clone())
            .app_data(web::Data::new(body_limit))
            .app_data(api::json_config(body_limit))
            .app_data(api::query_config())
            .app_data(api::path_config())
            .configure(api::configure)
            .default_service(web::to(fallback))
            .into_app()
            // The UI's assets are compiled in (`vendored`); the document it shows is served by
            // api::openapi_json.
            .service(SwaggerUi::new("/docs/{_:.*}").config(
                // No validator badge: it would call validator.swagger.io.
                utoipa_swagger_ui::Config::from("/api/v1/openapi.json").validator_url("none"),
            ))
            .service(web::redirect("/docs", "/docs/"))
            .wrap(from_fn(api::idempotency::middleware))
            .wrap(from_fn(screen_request))
            .wrap(from_fn(crate::ratelimit::middleware))
            .wrap(from_fn(security_headers))
            .wrap(from_fn(crate::request::request_id))
            .wrap(actix_web::middleware::Condition::new(
                !cors_origins.is_empty(),
                cors(&cors_origins),
            ))
            .wrap(from_fn(crate::metrics::record))
            .wrap(from_fn(access_log))
    })
    .client_request_timeout(HEAD_TIMEOUT)
    .keep_alive(KEEP_ALIVE)
    .listen(listener)
    .map_err(|source| StartupError::Bind {
        addr: "listener".into(),
        source,
    })?
    .shutdown_timeout(10);
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.run())
}

/// One structured line per request (target `forvaltning::access`): request id, method, the
/// matched route and the path, status, duration, the caller's `sub` when a token was verified,
/// the peer, and the client (the peer, or whom a trusted proxy forwarded). Free text (path, sub) is quoted and escaped, so a line cannot be forged.
async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let (method, path) = (req.method().clone(), req.path().to_string());
    let peer = req.peer_addr().map(|a| a.ip());
    let client = match (
        peer,
        req.app_data::<web::Data<crate::client_address::TrustedProxies>>(),
    ) {
        (Some(peer), Some(trusted)) => Some(crate::client_address::client_address(
            peer,
            req.headers(),
            trusted,
        )),
        _ => peer,
    };
    let peer = peer.map(|p| p.to_string()).unwrap_or_default();
    let client = client.map(|c| c.to_string()).unwrap_or_default();
    let response = next.call(req).await?;
    if log::log_enabled!(target: "forvaltning::access", log::Level::Info) {
        let request = response.request();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let request_id = request.extensions().get::<RequestId>().map(|r| r.0.clone());
        let sub = request.extensions().get::<CallerSub>().map(|s| s.0.clone());
        log::info!(
            target: "forvaltning::access",
            "request_id={} method={method} route={route} path={path:?} status={} duration_ms={:.1} sub={:?} peer={peer} client={client}",
            request_id.unwrap_or_default(),
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0,
            sub.unwrap_or_default(),
        );
    }
    Ok(response)
}

/// CORS for the configured browser origins only (none by default): the methods and headers
/// the API uses, and the response headers a front-end needs to read.
fn cors(origins: &[String]) -> actix_cors::Cors {
    use actix_web::http::{header, Method};
    let mut cors = actix_cors::Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            HeaderName::from_static(crate::api::idempotency::HEADER),
            HeaderName::from_static(REQUEST_ID_HEADER),
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
            HeaderName::from_static(REQUEST_ID_HEADER),
            HeaderName::from_static("x-total-count"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Headers every response carries: no sniffing, no framing, no referrer, and for the API no
/// caching and a content policy that allows nothing (it serves data, never pages). The
/// documentation UI keeps what it needs to run.
async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_docs = req.path().starts_with("/docs");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "no-referrer");
    if !is_docs {
        set(
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'",
        );
        set("cache-control", "no-store");
    }
    Ok(response)
}

/// What every request must be before a handler sees it: the text rule of docs/conventions.md, refused with
/// 400 here on every backend alike (no control characters in the path, the query or a body's
/// strings — PostgreSQL would refuse NUL in text with an error of its own). A body is read here
/// (within the JSON limit) and handed on, with whole numbers written as integers (`-319.0` →
/// `-319`: JSON Schema, and so the document, counts them as integers; serde does not).
async fn screen_request(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    use crate::domain::text::{
        integral_numbers_as_integers, json_has_forbidden_control, url_part_has_control,
    };
    let refuse = |req: ServiceRequest, error: AppError| {
        Ok(req
            .into_response(error.error_response())
            .map_into_right_body())
    };
    let uri_length = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_length > MAX_URI_BYTES {
        return refuse(
            req,
            AppError::UriTooLong(format!(
                "The URI is {uri_length} bytes long; at most {MAX_URI_BYTES} are accepted."
            )),
        );
    }
    if url_part_has_control(req.path()) {
        return refuse(
            req,
            AppError::bad_request("The path contains a control character."),
        );
    }
    if url_part_has_control(req.query_string()) {
        return refuse(
            req,
            AppError::bad_request("A query parameter contains a control character."),
        );
    }
    if has_body(&req) {
        let body = match api::read_body(&mut req).await {
            Ok(body) => body,
            Err(error) => return refuse(req, error),
        };
        if json_has_forbidden_control(&body) {
            return refuse(
                req,
                AppError::bad_request(
                    "The body contains a control character (only tab, newline and carriage return are allowed in text).",
                ),
            );
        }
        let body = match integral_numbers_as_integers(&body) {
            Some(rewritten) => web::Bytes::from(rewritten),
            None => body,
        };
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The longest URI (path and query) answered; longer ones get 414.
pub const MAX_URI_BYTES: usize = 16 * 1024;

/// How long a client may take to send a request's head, and how long an idle connection is
/// kept open between requests (a body has `api::BODY_TIMEOUT`).
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const KEEP_ALIVE: Duration = Duration::from_secs(5);

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(actix_web::http::header::TRANSFER_ENCODING)
        || headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v != "0")
}

/// The documented paths and their methods, to tell 405 (path exists, method does not) from 404.
pub struct MethodTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl MethodTable {
    fn from_document(document: &utoipa::openapi::OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_matches('/')
                    .split('/')
                    .map(str::to_string)
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_string())
                .collect();
                (segments, methods)
            })
            .collect();
        MethodTable { routes }
    }

    fn allowed(&self, path: &str) -> Vec<String> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut allowed: Vec<String> = Vec::new();
        for (pattern, methods) in &self.routes {
            let fits = pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p.starts_with('{') || p == s);
            if fits {
                for m in methods {
                    if !allowed.contains(m) {
                        allowed.push(m.clone());
                    }
                }
            }
        }
        allowed
    }
}

async fn fallback(
    req: HttpRequest,
    table: web::Data<MethodTable>,
) -> Result<HttpResponse, AppError> {
    let allowed = table.allowed(req.path());
    if allowed.is_empty() {
        Err(AppError::not_found(format!(
            "There is nothing at {}.",
            req.path()
        )))
    } else {
        Err(AppError::MethodNotAllowed(
            format!("{} is not allowed on {}.", req.method(), req.path()),
            allowed,
        ))
    }
}
