//! `/api/v1/governance-model`: the governance model in force (who may decide what), and every
//! model that has been in force, so that the rules behind any audited decision can be read.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{utc, ListQuery, NoFilters};
use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::governance_models::{self, ModelRecord};
use crate::db::DbPool;
use crate::domain::model::ModelDocument;
use crate::error::AppResult;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(current).service(versions);
}

/// The model in force, as its file says it, with the digest audit events name it by.
#[derive(Debug, Serialize, ToSchema)]
pub struct GovernanceModelView {
    /// SHA-256 (hex) of the model's canonical form.
    #[schema(example = "b0ce7dc7ddfdffcf932f1476ffdc829b954cb889d1b8009b0d3df0b501aebada")]
    pub sha256: String,
    #[serde(flatten)]
    pub model: ModelDocument,
}

#[utoipa::path(
    tag = "governance-model",
    operation_id = "getGovernanceModel",
    summary = "The governance model in force",
    description = "Its roles, delegations and who may take each action, as the model file says them, with the SHA-256 every audit event names its model by. Any signed-in caller; Markdown with `Accept: text/markdown`.",
    responses(
        (status = 200, description = "OK", content(
            (GovernanceModelView = "application/json"),
            (String = "text/markdown")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/governance-model")]
pub async fn current(req: HttpRequest, who: Authenticated) -> AppResult<HttpResponse> {
    let model = &who.model;
    if crate::api::wants_markdown(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(model.markdown()));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(GovernanceModelView {
            sha256: model.sha256.clone(),
            model: model.document(),
        }))
}

/// A model that has been in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelVersionView {
    #[schema(example = "b0ce7dc7ddfdffcf932f1476ffdc829b954cb889d1b8009b0d3df0b501aebada")]
    pub sha256: String,
    #[schema(example = "sunet")]
    pub name: String,
    #[schema(example = "2022.1")]
    pub version: String,
    /// When an instance first ran with it.
    pub first_loaded_at: DateTime<Utc>,
    /// The model this instance runs with.
    pub in_force: bool,
    /// What it said (as `GET /api/v1/governance-model` answers it, without the digest).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

impl ModelVersionView {
    fn of(record: &ModelRecord, in_force: &str) -> Self {
        ModelVersionView {
            sha256: record.sha256.clone(),
            name: record.name.clone(),
            version: record.version.clone(),
            first_loaded_at: utc(record.first_loaded_at),
            in_force: record.sha256 == in_force,
            document: serde_json::from_str(&record.document).unwrap_or_default(),
        }
    }
}

#[utoipa::path(
    tag = "governance-model",
    operation_id = "listGovernanceModelVersions",
    summary = "Every governance model that has been in force",
    description = "Newest first, each with when it was first loaded and what it said: the rules behind an audit event are those of the model its `governance_model` names. In Sunet's model: LG and VU.",
    params(ListQuery<NoFilters>),
    responses((status = 200, description = "OK", body = Vec<ModelVersionView>), crate::api::responses::ReadErrors)
)]
#[get("/governance-model/versions")]
pub async fn versions(
    req: HttpRequest,
    who: Authenticated,
    whole: ListQuery<NoFilters>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let views = crate::api::read(&pool, who, move |conn, caller| {
        caller.authorize(Action::GovernanceModelHistory, &Target::global())?;
        let in_force = caller.model.sha256.clone();
        Ok(governance_models::list(conn)?
            .iter()
            .map(|r| ModelVersionView::of(r, &in_force))
            .collect::<Vec<_>>())
    })
    .await?;
    crate::api::answer_array(&req, &whole.list, views)
}

crate::csv_record!(ModelVersionView {
    sha256,
    name,
    version,
    first_loaded_at,
    in_force,
    document
});
