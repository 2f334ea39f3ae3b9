//! `/api/v1/change-requests`: ändringsönskemål, behov och krav. Anyone signed in submits one
//! for a service; its TJF (or a TS[prioritization]) assesses it, the TÄ decides, and the TJF
//! releases an approved change before it reaches users (guidelines 4.4).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{lookup, utc, with_etag, IfMatch, Paginated};
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::change_requests::{self, Assessment, ChangeRequest};
use crate::db::{plans, services, DbConnection, DbPool};
use crate::domain::money::MoneyJson;
use crate::domain::plan::{
    ChangeRequestStatus, ChangeRequestStep, Decision, Priority, Recommendation,
};
use crate::domain::text;
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(assess)
        .service(decide)
        .service(release);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeRequestView {
    pub id: i64,
    pub service_id: i64,
    #[schema(example = "Stöd för WPA3-Enterprise")]
    pub title: String,
    pub description: String,
    pub status: ChangeRequestStatus,
    /// The `sub` of whoever submitted it.
    pub submitted_by: String,
    pub priority: Option<Priority>,
    pub estimated_cost: Option<MoneyJson>,
    pub recommendation: Option<Recommendation>,
    pub assessment_note: Option<String>,
    pub assessed_by: Option<String>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub released_at: Option<DateTime<Utc>>,
    /// The plan activity it is carried out under, if linked.
    pub plan_item_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&ChangeRequest> for ChangeRequestView {
    fn from(c: &ChangeRequest) -> Self {
        ChangeRequestView {
            id: c.id,
            service_id: c.service_id,
            title: c.title.clone(),
            description: c.description.clone(),
            status: c.status(),
            submitted_by: c.submitted_by.clone(),
            priority: c.priority(),
            estimated_cost: c.estimated_cost().map(MoneyJson::from),
            recommendation: c.recommendation(),
            assessment_note: c.assessment_note.clone(),
            assessed_by: c.assessed_by.clone(),
            assessed_at: c.assessed_at.map(utc),
            decision_note: c.decision_note.clone(),
            decided_by: c.decided_by.clone(),
            decided_at: c.decided_at.map(utc),
            released_at: c.released_at.map(utc),
            plan_item_id: c.plan_item_id,
            version: c.version,
            created_at: utc(c.created_at),
            updated_at: utc(c.updated_at),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChangeRequest {
    pub service_id: i64,
    #[schema(
        example = "Stöd för WPA3-Enterprise",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 300
    )]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// A plan activity of the service's portfolio to carry it out under.
    pub plan_item_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRequest {
    pub priority: Priority,
    pub estimated_cost: MoneyJson,
    pub recommendation: Recommendation,
    #[schema(max_length = 10000)]
    pub note: Option<String>,
    /// Links the request to a plan activity of the service's portfolio.
    pub plan_item_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub decision: Decision,
    #[schema(max_length = 10000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeRequestQuery {
    /// Service id or slug.
    pub service: Option<String>,
    /// Portfolio id or slug (of the service).
    pub portfolio: Option<String>,
    pub status: Option<ChangeRequestStatus>,
    pub priority: Option<Priority>,
    /// The submitter's `sub`.
    pub submitted_by: Option<String>,
    /// Text search in the title.
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl crate::api::Listing for ChangeRequestQuery {
    const ORDERING: &'static [&'static str] = crate::db::change_requests::SORT_FIELDS;
}

/// The service's place, for the policy.
fn target_of(conn: &mut DbConnection, service_id: i64) -> AppResult<Target> {
    let s = services::find_by_id(conn, service_id)?;
    Ok(Target::service(s.id, s.portfolio_id))
}

/// A change request's place and submitter, for the policy. The submitter is recorded by `sub`;
/// the policy compares persons, and a caller submitted the request exactly when their `sub` is
/// the one recorded.
fn target_of_request(
    conn: &mut DbConnection,
    caller: &Caller,
    request: &ChangeRequest,
) -> AppResult<Target> {
    let target = target_of(conn, request.service_id)?;
    Ok(if request.submitted_by == caller.sub {
        target.with_submitter(caller.person_id)
    } else {
        target
    })
}

/// A caller who may not read a change request learns nothing of it, not even that it exists.
fn readable(caller: &Caller, target: &Target) -> AppResult<()> {
    caller
        .may(Action::ChangeRequestRead, target)
        .map(|_| ())
        .ok_or_else(|| AppError::not_found("The object does not exist."))
}

/// A plan activity to link: it must exist and belong to a plan of the service's portfolio.
fn check_item(conn: &mut DbConnection, target: &Target, item_id: i64) -> AppResult<()> {
    let wrong = |m: String| AppError::unprocessable("plan_item_id", m);
    let item = plans::find_item_anywhere(conn, item_id)?
        .ok_or_else(|| wrong(format!("there is no plan activity {item_id}")))?;
    let plan = plans::find(conn, item.plan_id)?;
    if Some(plan.portfolio_id) != target.portfolio_id {
        return Err(wrong("is an activity of another portfolio's plan".into()));
    }
    Ok(())
}

/// The audited change of a change request, with its view as the write's answer.
fn audited(
    grant: &Grant,
    target: &Target,
    before: Option<&ChangeRequest>,
    after: &ChangeRequest,
) -> Audited<ChangeRequestView> {
    let view = ChangeRequestView::from(after);
    let change = Change::by(grant, ObjectType::ChangeRequest, after.id)
        .in_portfolio(target.portfolio_id)
        .before_if(before.map(ChangeRequestView::from).as_ref())
        .after(&view);
    Audited::new(view, change)
}

#[utoipa::path(
    tag = "change-requests",
    operation_id = "listChangeRequests",
    summary = "List change requests",
    params(crate::api::ListQuery<ChangeRequestQuery>),
    responses((status = 200, description = "OK", body = Paginated<ChangeRequestView>), crate::api::responses::ReadErrors)
)]
#[get("/change-requests")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<ChangeRequestQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let rows = move |conn: &mut DbConnection, caller: &Caller, page: &crate::db::Page| {
        let (Some(service_id), Some(portfolio_id)) = (
            lookup::service(conn, query.service.as_deref())?.filter(),
            lookup::portfolio(conn, query.portfolio.as_deref())?.filter(),
        ) else {
            return Ok((0, Vec::new()));
        };
        let filter = change_requests::ChangeRequestFilter {
            service_id,
            portfolio_id,
            status: query.status,
            priority: query.priority,
            submitted_by: query.submitted_by,
            q: query.q,
        };
        change_requests::list(
            conn,
            &filter,
            &caller.reach(Action::ChangeRequestRead),
            page,
        )
    };
    crate::api::list_page::<ChangeRequestView, _, _>(&req, &pool, who, listing, rows).await
}

#[utoipa::path(
    tag = "change-requests",
    operation_id = "createChangeRequest",
    summary = "Submit a wish, need or requirement for a service (anyone signed in)",
    request_body = NewChangeRequest,
    responses((status = 201, description = "Created", body = ChangeRequestView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/change-requests")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewChangeRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let target = match target_of(conn, request.service_id) {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::unprocessable(
                    "service_id",
                    format!("there is no service {}", request.service_id),
                ))
            }
            other => other?,
        };
        let grant = caller.authorize(Action::ChangeRequestCreate, &target)?;
        let mut f = crate::api::Fields::default();
        let title = f.take(text::line("title", &request.title, 300));
        let description = f.take(text::bounded("description", &request.description, 10_000));
        f.finish()?;
        if let Some(item) = request.plan_item_id {
            check_item(conn, &target, item)?;
        }
        let created = change_requests::insert(
            conn,
            request.service_id,
            &title.unwrap_or_default(),
            &description.unwrap_or_default(),
            &caller.sub,
            request.plan_item_id,
        )?;
        Ok(audited(&grant, &target, None, &created))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "change-requests",
    operation_id = "getChangeRequest",
    summary = "Get a change request",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = ChangeRequestView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/change-requests/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, caller| {
        let request = change_requests::find(conn, id)?;
        readable(caller, &target_of_request(conn, caller, &request)?)?;
        Ok(ChangeRequestView::from(&request))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// The frame of every step: the request, the caller's right on its service, `If-Match`, the
/// state machine; then `apply` writes, and the change is audited.
async fn step<F>(
    if_match: IfMatch,
    who: Authenticated,
    id: i64,
    pool: web::Data<DbPool>,
    step: ChangeRequestStep,
    apply: F,
) -> AppResult<HttpResponse>
where
    F: Fn(&mut DbConnection, &Target, &str, &ChangeRequest) -> AppResult<ChangeRequest>
        + Send
        + 'static,
{
    let action = match step {
        ChangeRequestStep::Assess => Action::ChangeRequestAssess,
        ChangeRequestStep::Decide => Action::ChangeRequestDecide,
        ChangeRequestStep::Release => Action::ChangeRequestRelease,
    };
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = change_requests::find(conn, id)?;
        let target = target_of_request(conn, caller, &current)?;
        readable(caller, &target)?;
        let grant = caller.authorize(action, &target)?;
        if_match.check(current.version)?;
        if !current.status().allows(step) {
            return Err(AppError::conflict(format!(
                "A change request that is {} cannot be {}.",
                current.status(),
                match step {
                    ChangeRequestStep::Assess => "assessed",
                    ChangeRequestStep::Decide => "decided (it is assessed first)",
                    ChangeRequestStep::Release => "released (only an approved one is)",
                }
            )));
        }
        let updated = apply(conn, &target, &caller.sub, &current)?;
        Ok(audited(&grant, &target, Some(&current), &updated))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "change-requests",
    operation_id = "assessChangeRequest",
    summary = "Assess: priority, estimate, recommendation (TJF, TS[prioritization] in scope)",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    request_body = AssessmentRequest,
    responses((status = 200, description = "The updated request", body = ChangeRequestView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/change-requests/{id}/assessment")]
pub async fn assess(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<AssessmentRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    step(
        if_match,
        who,
        path.into_inner(),
        pool,
        ChangeRequestStep::Assess,
        move |conn, target, sub, current| {
            let mut f = crate::api::Fields::default();
            let cost = f.take(body.estimated_cost.parse("estimated_cost"));
            let note = body
                .note
                .as_ref()
                .and_then(|n| f.take(text::bounded("note", n, 10_000)));
            f.finish()?;
            if let Some(item) = body.plan_item_id {
                check_item(conn, target, item)?;
            }
            let assessment = Assessment {
                priority: body.priority,
                estimated_cost: cost.ok_or_else(|| AppError::internal("cost parsed"))?,
                recommendation: body.recommendation,
                note: note.as_deref(),
                by: sub,
                plan_item_id: body.plan_item_id,
            };
            change_requests::assess(conn, current, &assessment)
        },
    )
    .await
}

#[utoipa::path(
    tag = "change-requests",
    operation_id = "decideChangeRequest",
    summary = "Decide an assessed request: approved or rejected (TÄ in scope)",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    request_body = DecisionRequest,
    responses((status = 200, description = "The updated request", body = ChangeRequestView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/change-requests/{id}/decision")]
pub async fn decide(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<DecisionRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    step(
        if_match,
        who,
        path.into_inner(),
        pool,
        ChangeRequestStep::Decide,
        move |conn, _target, sub, current| {
            let note = body
                .note
                .as_ref()
                .map(|n| text::bounded("note", n, 10_000))
                .transpose()
                .map_err(|(f, m)| AppError::invalid_field(&f, m))?;
            let to = match body.decision {
                Decision::Approved => ChangeRequestStatus::Approved,
                Decision::Rejected => ChangeRequestStatus::Rejected,
            };
            change_requests::decide(conn, current, to, note.as_deref(), sub)
        },
    )
    .await
}

#[utoipa::path(
    tag = "change-requests",
    operation_id = "releaseChangeRequest",
    summary = "Release an approved change (TJF in scope)",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    responses((status = 200, description = "The updated request", body = ChangeRequestView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/change-requests/{id}/release")]
pub async fn release(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    step(
        if_match,
        who,
        path.into_inner(),
        pool,
        ChangeRequestStep::Release,
        |conn, _target, _sub, current| change_requests::release(conn, current),
    )
    .await
}

crate::csv_record!(ChangeRequestView {
    id,
    service_id,
    title,
    description,
    status,
    submitted_by,
    priority,
    estimated_cost,
    recommendation,
    assessment_note,
    assessed_by,
    assessed_at,
    decision_note,
    decided_by,
    decided_at,
    released_at,
    plan_item_id,
    version,
    created_at,
    updated_at
});
