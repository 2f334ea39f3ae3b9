//! `GET /api/v1/roles` (public): the roles of the governance model in force, their codes and
//! duties.

use std::sync::Arc;

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::model::{Model, RoleDef};
use crate::domain::role::{Delegation, RoleCode, ScopeKind};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    pub code: RoleCode,
    /// The Swedish name in the guidelines.
    #[schema(example = "Tjänsteägare")]
    pub name_sv: String,
    #[schema(example = "Service owner")]
    pub name_en: String,
    #[schema(example = "TÄ")]
    pub abbreviation: Option<String>,
    pub scope: ScopeKind,
    /// The section of the guidelines that describes the role.
    #[schema(example = "4.2")]
    pub guideline_section: String,
    pub duties_sv: Vec<String>,
    pub duties_en: Vec<String>,
    /// The duties a holder may carry by delegation (a TS in Sunet's model; empty for most roles).
    pub delegations: Vec<Delegation>,
}

impl From<&RoleDef> for RoleView {
    fn from(r: &RoleDef) -> Self {
        RoleView {
            code: r.code.clone(),
            name_sv: r.name_sv.clone(),
            name_en: r.name_en.clone(),
            abbreviation: r.abbreviation.clone(),
            scope: r.scope,
            guideline_section: r.section.clone(),
            duties_sv: r.duties.iter().map(|d| d.sv.clone()).collect(),
            duties_en: r.duties.iter().map(|d| d.en.clone()).collect(),
            delegations: r.delegations.clone(),
        }
    }
}

#[utoipa::path(
    tag = "roles",
    operation_id = "listRoles",
    security(()),
    summary = "The roles of the governance model in force (public)",
    params(crate::api::ListQuery<crate::api::NoFilters>),
    responses((status = 200, description = "OK", body = Vec<RoleView>), crate::api::responses::PublicErrors)
)]
#[get("/roles")]
pub async fn list(
    req: actix_web::HttpRequest,
    whole: crate::api::ListQuery<crate::api::NoFilters>,
    model: web::Data<Arc<Model>>,
) -> crate::error::AppResult<HttpResponse> {
    let roles: Vec<RoleView> = model.roles.iter().map(RoleView::from).collect();
    crate::api::answer_array(&req, &whole.list, roles)
}

crate::csv_record!(RoleView {
    code,
    name_sv,
    name_en,
    abbreviation,
    scope,
    guideline_section,
    duties_sv,
    duties_en,
    delegations
});
