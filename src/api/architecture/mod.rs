//! `GET /api/v1/architecture`: förvaltningstjänstearkitekturen (FTA) — every active portfolio
//! with its services and the people holding TÄ, TS and TJF. Three queries, whatever the size.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Authenticated;
use crate::db::role_assignments::Held;
use crate::db::{portfolios, role_assignments, services, DbPool};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::role::RoleCode;
use crate::error::AppResult;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(architecture);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolderView {
    pub assignment_id: i64,
    pub subject: String,
    pub name: Option<String>,
    pub role: RoleCode,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchitectureService {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub lifecycle: Lifecycle,
    /// TS on the service, TJF and specialists.
    pub holders: Vec<HolderView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchitecturePortfolio {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// TÄ and portfolio-wide TS.
    pub holders: Vec<HolderView>,
    pub services: Vec<ArchitectureService>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Architecture {
    pub portfolios: Vec<ArchitecturePortfolio>,
    /// Proposed services not yet placed in a portfolio.
    pub unplaced_services: Vec<ArchitectureService>,
}

fn holder(h: &Held) -> Option<HolderView> {
    Some(HolderView {
        assignment_id: h.assignment.id,
        subject: h.sub.clone(),
        name: h.name.clone(),
        role: h.assignment.role.parse().ok()?,
    })
}

#[utoipa::path(
    tag = "architecture",
    operation_id = "getArchitecture",
    summary = "The service architecture (FTA): portfolios, services, and their management organisation",
    responses((status = 200, description = "OK", body = Architecture), crate::openapi::ReadErrors),
    security(("bearer" = []))
)]
#[get("/architecture")]
pub async fn architecture(who: Authenticated, pool: web::Data<DbPool>) -> AppResult<HttpResponse> {
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        let all_portfolios = portfolios::all_active(conn)?;
        let all_services = services::all(conn)?;
        let holders = role_assignments::all_active(conn, None)?;
        let service_view = |s: &services::Service| ArchitectureService {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            lifecycle: s.lifecycle(),
            holders: holders
                .iter()
                .filter(|h| h.assignment.service_id == Some(s.id))
                .filter_map(holder)
                .collect(),
        };
        let portfolios = all_portfolios
            .iter()
            .map(|p| ArchitecturePortfolio {
                id: p.id,
                slug: p.slug.clone(),
                name: p.name.clone(),
                holders: holders
                    .iter()
                    .filter(|h| h.assignment.portfolio_id == Some(p.id))
                    .filter_map(holder)
                    .collect(),
                services: all_services
                    .iter()
                    .filter(|s| s.portfolio_id == Some(p.id))
                    .map(service_view)
                    .collect(),
            })
            .collect();
        let unplaced_services = all_services
            .iter()
            .filter(|s| s.portfolio_id.is_none())
            .map(service_view)
            .collect();
        Ok(Architecture {
            portfolios,
            unplaced_services,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
