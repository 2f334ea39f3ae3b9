//! `GET /health/live` and `GET /health/ready` (DESIGN.md §5).

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::{self, DbPool};
use crate::error::AppResult;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(live)
        .service(ready)
        .service(crate::metrics::get_metrics);
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
    responses((status = 200, description = "OK", body = Health), crate::openapi::PublicErrors)
)]
#[get("/health/ready")]
pub async fn ready(pool: web::Data<DbPool>) -> AppResult<HttpResponse> {
    db::probe(&pool).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
