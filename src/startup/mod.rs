//! Builds the application: database, keys, routes, middleware; binds (port 0 in tests) and
//! reports the port.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::auth::jwt::{Authenticator, KeySetupError};
use crate::config::Settings;
use crate::db::{self, DatabaseUrl, DbPool};
use crate::openapi::ApiDoc;
use crate::ratelimit::RateLimiter;

mod jobs;
mod middleware;

use jobs::*;
pub use middleware::*;

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
    db::governance_models::record(&mut conn, &settings.governance_model)
        .map_err(|e| StartupError::Database(format!("cannot record the governance model: {e}")))?;
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

fn serve(
    listener: TcpListener,
    pool: DbPool,
    authenticator: Authenticator,
    limiter: Option<RateLimiter>,
    settings: &Settings,
) -> Result<Server, StartupError> {
    let (cors_origins, workers) = (settings.cors_allowed_origins.clone(), settings.workers);
    let body_limit = api::BodyLimit {
        json: settings.max_body_bytes,
        import: settings.max_import_bytes,
    };
    let limiter = web::Data::new(limiter);
    let trusted_proxies = web::Data::new(settings.trusted_proxies.clone());
    let metrics = web::Data::new(crate::metrics::Metrics::default());
    let metrics_enabled = web::Data::new(crate::metrics::MetricsEnabled(settings.metrics));
    let thresholds = web::Data::new(settings.governance);
    let dependency_graph = web::Data::new(crate::db::information_systems::GraphCache::default());
    let model = web::Data::new(settings.governance_model.clone());
    let private_targets = web::Data::new(api::webhooks::PrivateTargets(
        settings.webhooks_allow_private,
    ));
    let document = crate::openapi::document_for(&settings.governance_model);
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
            .app_data(dependency_graph.clone())
            .app_data(authenticator.clone())
            .app_data(method_table.clone())
            .app_data(document.clone())
            .app_data(limiter.clone())
            .app_data(trusted_proxies.clone())
            .app_data(metrics.clone())
            .app_data(metrics_enabled.clone())
            .app_data(private_targets.clone())
            .app_data(thresholds.clone())
            .app_data(model.clone())
            .app_data(web::Data::new(body_limit))
            .app_data(api::json_config(body_limit))
            // An import's file arrives as bytes; the body check has held it to its limit.
            .app_data(web::PayloadConfig::new(
                body_limit.import.max(body_limit.json),
            ))
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
