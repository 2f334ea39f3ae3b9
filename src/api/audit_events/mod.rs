//! `GET /api/v1/audit-events`: the audit trail. LG, controller and VU see everything; a TÄ sees
//! the events of their portfolios. The scope is applied in SQL.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::utc;
use crate::auth::policy::{Action, Caller, Reach};
use crate::auth::Authenticated;
use crate::db::audit::{self, AuditEvent, AuditFilter, ObjectType};
use crate::db::{DbConnection, DbPool};
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// The `sub` of whoever made the change.
    pub actor: String,
    /// The roles that allowed it.
    pub actor_roles: Vec<String>,
    #[schema(example = "service.establish")]
    pub action: String,
    #[schema(example = "service")]
    pub object_type: String,
    pub object_id: i64,
    pub portfolio_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    /// The SHA-256 of the governance model that authorised the change
    /// (`GET /api/v1/governance-model/versions`); none for changes before models were recorded.
    #[schema(example = "b0ce7dc7ddfdffcf932f1476ffdc829b954cb889d1b8009b0d3df0b501aebada")]
    pub governance_model: Option<String>,
    /// The import the change was part of (`GET /api/v1/imports/{id}`), if any.
    pub import_id: Option<i64>,
}

impl From<&AuditEvent> for AuditEventView {
    fn from(e: &AuditEvent) -> Self {
        let json = |t: &Option<String>| t.as_deref().and_then(|t| serde_json::from_str(t).ok());
        AuditEventView {
            id: e.id,
            occurred_at: utc(e.occurred_at),
            actor: e.actor_sub.clone(),
            actor_roles: serde_json::from_str(&e.actor_roles).unwrap_or_default(),
            action: e.action.clone(),
            object_type: e.object_type.clone(),
            object_id: e.object_id,
            portfolio_id: e.portfolio_id,
            before: json(&e.before_state),
            after: json(&e.after_state),
            request_id: e.request_id.clone(),
            governance_model: e.governance_model.clone(),
            import_id: e.import_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub object_type: Option<String>,
    pub object_id: Option<i64>,
    /// The actor's `sub`.
    pub actor: Option<String>,
    /// From this time (inclusive), RFC 3339.
    pub since: Option<DateTime<Utc>>,
    /// Until this time (exclusive), RFC 3339.
    pub until: Option<DateTime<Utc>>,
}

impl crate::api::Listing for AuditQuery {
    const ORDERING: &'static [&'static str] = &["id"];
    const KEYSET: bool = true;
}

/// A page of the audit trail. `next` pages by key (`after`), so a page costs the same at a
/// thousand events as at ten million.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// All matching events, with `?count=true`; null otherwise.
    pub count: Option<i64>,
    /// The next page (by key), or null when this one is not full.
    pub next: Option<String>,
    /// The previous page, for offset paging only.
    pub previous: Option<String>,
    pub results: Vec<AuditEventView>,
}

/// Objects with a read rule of their own, stricter than the trail's.
pub const OWN_READ_RULES: [(ObjectType, Action); 6] = [
    (ObjectType::ChangeRequest, Action::ChangeRequestRead),
    (ObjectType::Contract, Action::ContractRead),
    (ObjectType::Delivery, Action::DeliveryRead),
    (ObjectType::Webhook, Action::WebhookManage),
    (ObjectType::Need, Action::NeedRead),
    (ObjectType::FollowUp, Action::FollowUpRead),
];

/// The object types a trail (or event stream) of `trail` reach leaves out for `caller`: a
/// reader of the whole trail sees an object's history only where they may read the object
/// itself everywhere (the controller reads no change request, a VU no webhook). A scoped trail
/// holds only objects of the reader's portfolios, which their roles there let them read.
pub fn unreadable_types(caller: &Caller, trail: &Reach) -> Vec<String> {
    if !trail.everywhere {
        return Vec::new();
    }
    OWN_READ_RULES
        .iter()
        .filter(|(_, read)| !caller.reach(*read).everywhere)
        .map(|(object_type, _)| object_type.as_str().to_string())
        .collect()
}

#[utoipa::path(
    tag = "audit",
    operation_id = "listAuditEvents",
    summary = "The audit trail (LG, controller, VU; TÄ for their portfolios)",
    params(crate::api::ListQuery<AuditQuery>),
    responses((status = 200, description = "OK", body = AuditPage), crate::api::responses::ReadErrors)
)]
#[get("/audit-events")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<AuditQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let (page, after, with_count) = (listing.page.clone(), listing.after, listing.with_count);
    let (count, rows) = crate::api::read_long(
        &pool,
        who,
        move |conn: &mut DbConnection, caller: &Caller| {
            let reach = caller.reach(Action::AuditRead);
            if reach.is_nowhere() {
                return Err(AppError::forbidden(Action::AuditRead.code()));
            }
            let filter = AuditFilter {
                object_type: query.object_type,
                object_id: query.object_id,
                actor: query.actor,
                since: query.since.map(|t| t.naive_utc()),
                until: query.until.map(|t| t.naive_utc()),
                hidden_types: unreadable_types(caller, &reach),
                portfolios: (!reach.everywhere).then_some(reach.portfolios),
                services: reach.services,
            };
            audit::list(conn, &filter, &page, after, with_count)
        },
    )
    .await?;
    let results: Vec<AuditEventView> = rows.iter().map(AuditEventView::from).collect();
    crate::api::answer_keyset(&req, &listing, count, results, |e| e.id)
}

crate::csv_record!(AuditEventView {
    id,
    occurred_at,
    actor,
    actor_roles,
    action,
    object_type,
    object_id,
    portfolio_id,
    before,
    after,
    request_id,
    governance_model,
    import_id
});
