//! `GET /health/live` and `GET /health/ready` (docs/conventions.md).

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::{self, DbPool};
use crate::error::{AppError, AppResult};
use crate::metrics::{Metrics, MetricsEnabled, PoolGauge};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(live).service(ready).service(get_metrics);
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process answers.
#[utoipa::path(tag = "health", operation_id = "healthLive", summary = "Liveness", security(()), responses((status = 200, description = "OK", body = Health)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers; 503 (problem+json, Retry-After) when it does not.
#[utoipa::path(
    tag = "health",
    operation_id = "healthReady",
    security(()),
    summary = "Readiness (checks the database)",
    responses((status = 200, description = "OK", body = Health), crate::api::responses::PublicErrors)
)]
#[get("/health/ready")]
pub async fn ready(pool: web::Data<DbPool>) -> AppResult<HttpResponse> {
    db::probe(&pool).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Prometheus metrics of this instance (no token: keep it off the public network, or turn it
/// off with `metrics = false` in the configuration file).
#[utoipa::path(
    tag = "health",
    operation_id = "getMetrics",
    security(()),
    summary = "Prometheus metrics",
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", content_type = "text/plain", body = String),
        (status = 404, description = "Metrics are turned off in the configuration", content_type = "application/problem+json", body = crate::error::Problem)
    )
)]
#[get("/metrics")]
pub async fn get_metrics(
    enabled: web::Data<MetricsEnabled>,
    counted: web::Data<Metrics>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let state = pool.state();
    if !enabled.0 {
        return Err(AppError::not_found(
            "Metrics are turned off (metrics = false in the configuration file).",
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(counted.render(PoolGauge {
            open: state.open,
            idle: state.idle,
            max: state.max,
        })))
}
