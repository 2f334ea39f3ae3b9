//! `/api/v1/plans/{id}/items`: a plan's activities. Planned in a draft (TÄ, TS[plan], TJF);
//! followed up on an approved plan (actual cost, outcome, progress: TÄ, TS[plan]/TS[economy],
//! TJF), where a cost above plan or frame is a deviation, reported once.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{deviations, editable, ItemPatch, ItemView, NewItem};
use crate::api::{with_etag, IfMatch};
use crate::auth::policy::{Action, Grant, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::plans::{self, ItemFields, Plan, PlanItem};
use crate::db::{services, DbConnection, DbPool};
use crate::domain::plan::PlanStatus;
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove);
}

/// An activity's service must be one of the plan's portfolio.
fn check_service(conn: &mut DbConnection, plan: &Plan, fields: &ItemFields) -> AppResult<()> {
    let Some(id) = fields.service_id else {
        return Ok(());
    };
    match services::find_by_id(conn, id) {
        Ok(s) if s.portfolio_id == Some(plan.portfolio_id) => Ok(()),
        Ok(s) => Err(AppError::unprocessable(
            "service_id",
            format!("{} is not a service of the plan's portfolio", s.slug),
        )),
        Err(AppError::NotFound(_)) => Err(AppError::unprocessable(
            "service_id",
            format!("there is no service {id}"),
        )),
        Err(e) => Err(e),
    }
}

/// The audited change of an activity (a removal has no state after).
fn item_change(
    grant: &Grant,
    plan: &Plan,
    id: i64,
    before: Option<&ItemView>,
    after: Option<&ItemView>,
) -> Change {
    Change::by(grant, ObjectType::PlanItem, id)
        .in_portfolio(Some(plan.portfolio_id))
        .before_if(before)
        .after_if(after)
}

#[utoipa::path(
    tag = "plans",
    operation_id = "listPlanItems",
    summary = "A plan's activities",
    params(("id" = i64, Path), crate::api::ListQuery<crate::api::NoFilters>),
    responses((status = 200, description = "OK", body = Vec<ItemView>), crate::api::responses::ReadErrors)
)]
#[get("/plans/{id}/items")]
pub async fn list(
    req: actix_web::HttpRequest,
    whole: crate::api::ListQuery<crate::api::NoFilters>,
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let views = crate::api::read(&pool, who, move |conn, _caller| {
        let plan = plans::find(conn, id)?;
        Ok(plans::items_of(conn, &[plan.id])?
            .iter()
            .map(ItemView::from)
            .collect::<Vec<_>>())
    })
    .await?;
    crate::api::answer_array(&req, &whole.list, views)
}

#[utoipa::path(
    tag = "plans",
    operation_id = "createPlanItem",
    summary = "Add an activity to a draft plan (TÄ, TS[plan], TJF in scope)",
    params(("id" = i64, Path)),
    request_body = NewItem,
    responses((status = 201, description = "Created", body = ItemView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/plans/{id}/items")]
pub async fn create(
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<NewItem>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let plan = plans::find(conn, id)?;
        let grant = caller.authorize(Action::PlanEdit, &Target::portfolio(plan.portfolio_id))?;
        let fields = request.parse()?;
        check_service(conn, &plan, &fields)?;
        editable(&plan)?;
        let item = plans::insert_item(conn, plan.id, &fields)?;
        let view = ItemView::from(&item);
        let change = item_change(&grant, &plan, item.id, None, Some(&view));
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "plans",
    operation_id = "getPlanItem",
    summary = "One activity of a plan",
    params(("id" = i64, Path), ("item" = i64, Path)),
    responses((status = 200, description = "OK", body = ItemView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/plans/{id}/items/{item}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<(i64, i64)>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (id, item) = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        Ok(ItemView::from(&plans::find_item(conn, id, item)?))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// Which right a patch needs on a plan in this state, or why it cannot be made at all.
fn patch_action(patch: &ItemPatch, status: PlanStatus) -> AppResult<Action> {
    match status {
        PlanStatus::Draft if patch.touches_follow_up() => Err(AppError::conflict(
            "Follow-up (actual_cost, outcome, progress) is recorded once the plan is approved.",
        )),
        PlanStatus::Draft => Ok(Action::PlanEdit),
        PlanStatus::Approved if patch.touches_planning() => Err(AppError::conflict(
            "The plan is approved: only follow-up is recorded; revise the plan to change what is planned.",
        )),
        PlanStatus::Approved => Ok(Action::PlanFollowUp),
        other => Err(AppError::conflict(format!(
            "The plan is {other}; its activities do not change now."
        ))),
    }
}

#[utoipa::path(
    tag = "plans",
    operation_id = "updatePlanItem",
    summary = "Change an activity: planning fields in a draft (TÄ, TS[plan], TJF), follow-up on an approved plan (TÄ, TS[plan]/TS[economy], TJF)",
    params(
        ("id" = i64, Path),
        ("item" = i64, Path),
        crate::api::IfMatch
    ),
    request_body = ItemPatch,
    responses((status = 200, description = "OK", body = ItemView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/plans/{id}/items/{item}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<(i64, i64)>,
    body: web::Json<ItemPatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (id, item_id) = path.into_inner();
    let patch = body.into_inner();
    if !patch.touches_planning() && !patch.touches_follow_up() {
        return Err(AppError::bad_request("The body changes nothing."));
    }
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let plan = plans::find(conn, id)?;
        let current = plans::find_item(conn, plan.id, item_id)?;
        let target = Target::portfolio(plan.portfolio_id);
        // Authorization first: whoever may neither plan nor follow up is refused before
        // learning the plan's state.
        let any = [Action::PlanEdit, Action::PlanFollowUp]
            .into_iter()
            .find_map(|a| caller.may(a, &target));
        if any.is_none() {
            let needed = if patch.touches_follow_up() {
                Action::PlanFollowUp
            } else {
                Action::PlanEdit
            };
            return Err(AppError::forbidden(needed.code()));
        }
        let grant = caller.authorize(patch_action(&patch, plan.status())?, &target)?;
        let fields = patch.apply(&current)?;
        check_service(conn, &plan, &fields)?;
        if_match.check(current.version)?;
        let updated = plans::update_item(conn, &current, &fields)?;
        let view = ItemView::from(&updated);
        let change = item_change(
            &grant,
            &plan,
            current.id,
            Some(&ItemView::from(&current)),
            Some(&view),
        );
        let deviations = deviations(conn, &grant, &plan)?;
        Ok(Audited::new(view, change).and_all(deviations))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "plans",
    operation_id = "deletePlanItem",
    summary = "Remove an activity from a draft plan (TÄ, TS[plan], TJF in scope)",
    params(
        ("id" = i64, Path),
        ("item" = i64, Path),
        crate::api::IfMatch
    ),
    responses((status = 204, description = "Removed"), crate::api::responses::WriteErrors)
)]
#[delete("/plans/{id}/items/{item}")]
pub async fn remove(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<(i64, i64)>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (id, item_id) = path.into_inner();
    crate::api::write(&pool, who, move |conn, caller| {
        let plan = plans::find(conn, id)?;
        let current: PlanItem = plans::find_item(conn, plan.id, item_id)?;
        let grant = caller.authorize(Action::PlanEdit, &Target::portfolio(plan.portfolio_id))?;
        if_match.check(current.version)?;
        editable(&plan)?;
        if crate::db::change_requests::count_linked_to_item(conn, current.id)? > 0 {
            return Err(AppError::conflict(
                "Change requests are linked to this activity; it stays.",
            ));
        }
        if crate::db::needs::count_links_to_item(conn, current.id)? > 0 {
            return Err(AppError::conflict(
                "Needs point at this activity to be realised; it stays.",
            ));
        }
        plans::delete_item(conn, &current)?;
        let change = item_change(
            &grant,
            &plan,
            current.id,
            Some(&ItemView::from(&current)),
            None,
        );
        Ok(Audited::new((), change))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
