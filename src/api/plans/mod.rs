//! `/api/v1/plans`: förvaltningsplaner. One per portfolio and year: drafted by TJF (and the TÄ,
//! TS[plan]), presented (submitted), established (approved) by the TÄ within the budget frame,
//! followed up, revised as new versions, and closed into annual-report input.

mod items;
mod steps;
mod types;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{lookup, with_etag, IfMatch, Paginated};
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::plans::{self, Plan, PlanChange};
use crate::db::{portfolios, DbConnection, DbPool};
use crate::domain::plan::{PlanStatus, PlanStep};
use crate::domain::text;
use crate::error::{AppError, AppResult};

use steps::*;
pub use types::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(submit)
        .service(return_plan)
        .service(approve)
        .service(close)
        .service(revise)
        .service(versions)
        .configure(items::configure);
}

/// The plan's activities and its frame (two queries).
fn items_and_frame(
    conn: &mut DbConnection,
    plan: &Plan,
) -> AppResult<(Vec<plans::PlanItem>, Vec<plans::BudgetFrame>)> {
    let items = plans::items_of(conn, &[plan.id])?;
    let frames = plans::find_frame(conn, plan.portfolio_id, plan.year)?
        .into_iter()
        .collect();
    Ok((items, frames))
}

/// The plan with its activities and frame, as the API shows it.
pub(crate) fn view_of(conn: &mut DbConnection, plan: &Plan) -> AppResult<PlanView> {
    let (items, frames) = items_and_frame(conn, plan)?;
    Ok(PlanView::of(plan, &items, &frames))
}

/// The plan as a document: its view and its activities.
fn document_of(conn: &mut DbConnection, plan: &Plan) -> AppResult<PlanDocument> {
    let (items, frames) = items_and_frame(conn, plan)?;
    Ok(PlanDocument {
        plan: PlanView::of(plan, &items, &frames),
        items: items.iter().map(ItemView::from).collect(),
    })
}

/// The audited change of a plan.
pub(crate) fn plan_change(
    grant: &Grant,
    plan: &Plan,
    before: Option<&PlanView>,
    after: &PlanView,
) -> Change {
    Change::by(grant, ObjectType::Plan, plan.id)
        .in_portfolio(Some(plan.portfolio_id))
        .before_if(before)
        .after(after)
}

/// Recomputes the plan's deviations; each new one is recorded once as `plan.deviation`
/// (guidelines 4.4 item 8: TJF notifies TÄ/TS when work exceeds the budget).
pub(crate) fn deviations(
    conn: &mut DbConnection,
    grant: &Grant,
    plan: &Plan,
) -> AppResult<Vec<Change>> {
    let new = plans::refresh_deviations(conn, plan)?;
    Ok(new
        .iter()
        .map(|deviation| {
            Change::as_action("plan.deviation", grant, ObjectType::Plan, plan.id)
                .in_portfolio(Some(plan.portfolio_id))
                .after(&DeviationView::from(deviation))
        })
        .collect())
}

#[utoipa::path(
    tag = "plans",
    operation_id = "listPlans",
    summary = "List plans",
    params(crate::api::ListQuery<PlanQuery>),
    responses((status = 200, description = "OK", body = Paginated<PlanView>), crate::api::responses::ReadErrors)
)]
#[get("/plans")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<PlanQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let rows = move |conn: &mut DbConnection, _: &Caller, page: &crate::db::Page| {
        let Some(portfolio_id) = lookup::portfolio(conn, query.portfolio.as_deref())?.filter()
        else {
            return Ok((0, Vec::new()));
        };
        let filter = plans::PlanFilter {
            portfolio_id,
            year: query.year.map(crate::domain::plan::PlanYear::get),
            status: query.status,
            deviation: query.deviation,
        };
        let (count, rows) = plans::list(conn, &filter, page)?;
        let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let portfolio_ids: Vec<i64> = rows.iter().map(|p| p.portfolio_id).collect();
        let years: Vec<i32> = rows.iter().map(|p| p.year).collect();
        let items = plans::items_of(conn, &ids)?;
        let frames = plans::frames_for(conn, &portfolio_ids, &years)?;
        let views: Vec<PlanView> = rows
            .iter()
            .map(|p| PlanView::of(p, &items, &frames))
            .collect();
        Ok((count, views))
    };
    crate::api::list_views(&req, &pool, who, listing, rows).await
}

#[utoipa::path(
    tag = "plans",
    operation_id = "createPlan",
    summary = "Start the plan of a portfolio for a year (TÄ, TS[plan], TJF in scope)",
    request_body = NewPlan,
    responses((status = 201, description = "Created", body = PlanView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/plans")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewPlan>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let portfolio = match portfolios::find_by_id(conn, request.portfolio_id) {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::unprocessable(
                    "portfolio_id",
                    format!("there is no portfolio {}", request.portfolio_id),
                ))
            }
            other => other?,
        };
        let grant = caller.authorize(Action::PlanCreate, &Target::portfolio(portfolio.id))?;
        let mut f = crate::api::Fields::default();
        if crate::domain::plan::PlanYear::try_from(request.year).is_err() {
            f.error("year", "must be 2000 to 2100");
        }
        let summary = f.take(text::bounded("summary", &request.summary, 10_000));
        let goals = f.take(text::bounded("goals", &request.goals, 10_000));
        f.finish()?;
        if portfolio.retired_at.is_some() {
            return Err(AppError::conflict("The portfolio is retired."));
        }
        let plan = plans::insert(
            conn,
            portfolio.id,
            request.year,
            &summary.unwrap_or_default(),
            &goals.unwrap_or_default(),
        )?;
        let view = view_of(conn, &plan)?;
        let change = plan_change(&grant, &plan, None, &view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "plans",
    operation_id = "getPlan",
    summary = "Get a plan, its totals and deviations",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = PlanView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/plans/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        let plan = plans::find(conn, id)?;
        view_of(conn, &plan)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "plans",
    operation_id = "updatePlan",
    summary = "Change a draft plan's summary and goals (TÄ, TS[plan], TJF in scope)",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    request_body = PlanPatch,
    responses((status = 200, description = "OK", body = PlanView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/plans/{id}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<PlanPatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = body.into_inner();
    if patch.summary.is_none() && patch.goals.is_none() {
        return Err(AppError::bad_request("The body changes nothing."));
    }
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = plans::find(conn, id)?;
        let grant = caller.authorize(Action::PlanEdit, &Target::portfolio(current.portfolio_id))?;
        let mut f = crate::api::Fields::default();
        let summary = patch
            .summary
            .as_ref()
            .and_then(|s| f.take(text::bounded("summary", s, 10_000)));
        let goals = patch
            .goals
            .as_ref()
            .and_then(|g| f.take(text::bounded("goals", g, 10_000)));
        f.finish()?;
        if_match.check(current.version)?;
        editable(&current)?;
        let before = view_of(conn, &current)?;
        let updated = plans::update(
            conn,
            &current,
            PlanChange {
                summary,
                goals,
                ..PlanChange::default()
            },
        )?;
        let view = view_of(conn, &updated)?;
        let change = plan_change(&grant, &updated, Some(&before), &view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// Only a draft is edited (docs/domain.md; an approved plan changes through a revision).
pub(crate) fn editable(plan: &Plan) -> AppResult<()> {
    match plan.status() {
        PlanStatus::Draft => Ok(()),
        other => Err(AppError::conflict(format!(
            "The plan is {other}; only a draft is edited (revise an approved plan to change it)."
        ))),
    }
}

/// What a workflow step needs beyond the state change itself.
enum StepInput {
    None,
    Reason(String),
    AnnualReport(String),
}

/// A step of the plan workflow: the caller's right, the state machine, the step's own rules,
/// the write, the audit event.
async fn take_step(
    if_match: IfMatch,
    who: Authenticated,
    id: i64,
    pool: web::Data<DbPool>,
    step: PlanStep,
    input: StepInput,
) -> AppResult<HttpResponse> {
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = plans::find(conn, id)?;
        let action = match step {
            PlanStep::Submit => Action::PlanSubmit,
            PlanStep::Return => Action::PlanReturn,
            PlanStep::Approve => Action::PlanApprove,
            PlanStep::Close => Action::PlanClose,
            PlanStep::Revise => Action::PlanRevise,
        };
        let grant = caller.authorize(action, &Target::portfolio(current.portfolio_id))?;
        let text = match &input {
            StepInput::None => None,
            StepInput::Reason(r) => Some(text::required("reason", r, 2000)),
            StepInput::AnnualReport(a) => Some(text::required("annual_report", a, 20_000)),
        }
        .transpose()
        .map_err(|(f, m)| AppError::invalid_field(&f, m))?;
        if_match.check(current.version)?;
        let to = current.status().after(step).ok_or_else(|| {
            AppError::conflict(format!(
                "A plan that is {} cannot be {}.",
                current.status(),
                match step {
                    PlanStep::Submit => "submitted",
                    PlanStep::Return => "returned",
                    PlanStep::Approve => "approved",
                    PlanStep::Close => "closed",
                    PlanStep::Revise => "revised",
                }
            ))
        })?;
        let before = view_of(conn, &current)?;
        let change = step_change(conn, caller, &current, step, to, text)?;
        let updated = plans::update(conn, &current, change)?;
        let view = view_of(conn, &updated)?;
        let change = plan_change(&grant, &updated, Some(&before), &view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "plans",
    operation_id = "listPlanVersions",
    summary = "Every approved revision of the plan as it was approved, and the current one",
    params(("id" = i64, Path), crate::api::ListQuery<crate::api::NoFilters>),
    responses((status = 200, description = "Oldest first", body = Vec<PlanVersionView>), crate::api::responses::ReadErrors)
)]
#[get("/plans/{id}/versions")]
pub async fn versions(
    req: HttpRequest,
    whole: crate::api::ListQuery<crate::api::NoFilters>,
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let views = crate::api::read(&pool, who, move |conn, _caller| {
        let plan = plans::find(conn, id)?;
        let mut views: Vec<PlanVersionView> = plans::versions_of(conn, id)?
            .into_iter()
            .map(|v| PlanVersionView {
                revision: v.revision,
                state: VersionState::Approved,
                approved_at: v.approved_at.map(crate::api::utc),
                superseded_at: Some(crate::api::utc(v.superseded_at)),
                document: serde_json::from_str(&v.document).unwrap_or_default(),
            })
            .collect();
        let current = document_of(conn, &plan)?;
        views.push(PlanVersionView {
            revision: plan.revision,
            state: VersionState::Current,
            approved_at: plan.approved_at.map(crate::api::utc),
            superseded_at: None,
            document: serde_json::to_value(current).map_err(AppError::internal)?,
        });
        Ok(views)
    })
    .await?;
    crate::api::answer_array(&req, &whole.list, views)
}
