//! `/api/v1/role-assignments`: förvaltningsorganisationen. Appointing, revoking (kept in
//! history with `ended_at`), and the appointee's acceptance (guidelines 2: responsibility is
//! "dokumenterat och accepterat").

pub(crate) mod staffing;
mod types;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{lookup, with_etag, IfMatch, Page, Paginated};
use crate::auth::policy::{Action, Grant, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::role_assignments::{self as assignments, Held, NewAssignment};
use crate::db::{people, portfolios, services, DbConnection, DbPool};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::model::{Model, RoleDef};
use crate::domain::role::Delegations;
use crate::error::{AppError, AppResult};
pub use types::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(revoke)
        .service(accept);
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "listRoleAssignments",
    summary = "List role assignments (active and ended)",
    params(crate::api::ListQuery<AssignmentQuery>),
    responses((status = 200, description = "OK", body = Paginated<AssignmentView>), crate::api::responses::ReadErrors)
)]
#[get("/role-assignments")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<AssignmentQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    if let Some(role) = &query.role {
        // The document lists the model's codes; any other is outside the field's vocabulary.
        staffing::requested_role(&who.model, role)?;
    }
    let rows = move |conn: &mut DbConnection, _: &_, page: &Page| {
        // An unknown portfolio or service holds no assignments.
        let (Some(portfolio_id), Some(service_id)) = (
            lookup::portfolio(conn, query.portfolio.as_deref())?.filter(),
            lookup::service(conn, query.service.as_deref())?.filter(),
        ) else {
            return Ok((0, Vec::new()));
        };
        let filter = assignments::AssignmentFilter {
            subject: query.subject,
            role: query.role,
            portfolio_id,
            service_id,
            active: query.active,
        };
        let (count, rows) = assignments::list(conn, &filter, page)?;
        let views = with_place_slugs(conn, rows.iter().map(AssignmentView::from).collect())?;
        Ok((count, views))
    };
    crate::api::list_views(&req, &pool, who, listing, rows).await
}

/// The policy target named by a request's ids, before the rest of the request is validated:
/// a caller without the right is refused (403) before learning anything about the place's
/// state. An id that names nothing is a 400 at once: every caller may list portfolios and
/// services, so that tells nobody anything.
fn requested_target(
    conn: &mut DbConnection,
    portfolio_id: Option<i64>,
    service_id: Option<i64>,
) -> AppResult<Target> {
    if let Some(id) = service_id {
        let s = services::find_by_id(conn, id).map_err(|e| match e {
            AppError::NotFound(_) => {
                AppError::unprocessable("service_id", format!("there is no service {id}"))
            }
            other => other,
        })?;
        return Ok(Target::service(s.id, s.portfolio_id));
    }
    if let Some(id) = portfolio_id {
        let p = portfolios::find_by_id(conn, id).map_err(|e| match e {
            AppError::NotFound(_) => {
                AppError::unprocessable("portfolio_id", format!("there is no portfolio {id}"))
            }
            other => other,
        })?;
        return Ok(Target::portfolio(p.id));
    }
    Ok(Target::global())
}

/// Checks that the place can take an appointment (it exists: [`requested_target`]).
fn check_place(conn: &mut DbConnection, place: &Place) -> AppResult<()> {
    match *place {
        Place::Global => Ok(()),
        Place::Portfolio(id) => takes_appointments(Some(&portfolios::find_by_id(conn, id)?), None),
        Place::Service(id) => takes_appointments(None, Some(&services::find_by_id(conn, id)?)),
    }
}

/// A retired portfolio, or a service decommissioned or turned down, takes no appointment.
pub(crate) fn takes_appointments(
    portfolio: Option<&portfolios::Portfolio>,
    service: Option<&services::Service>,
) -> AppResult<()> {
    if portfolio.is_some_and(|p| p.retired_at.is_some()) {
        return Err(AppError::conflict("The portfolio is retired."));
    }
    match service.map(services::Service::lifecycle) {
        Some(l @ (Lifecycle::Decommissioned | Lifecycle::Rejected)) => {
            Err(AppError::conflict(format!("The service is {l}.")))
        }
        _ => Ok(()),
    }
}

/// The request's fields, validated (after the caller's right was checked).
pub(crate) fn validate(
    request: &NewAssignmentRequest,
    model: &Model,
    role: &RoleDef,
) -> AppResult<(Place, String)> {
    let place = request.place(role.scope)?;
    staffing::check_delegations(model, role, &request.delegations)?;
    let subject = request.subject.trim().to_string();
    if subject.is_empty() || subject.len() > 255 || subject.chars().any(char::is_control) {
        return Err(AppError::invalid_field(
            "subject",
            "must be a sub of 1 to 255 characters, without control characters",
        ));
    }
    Ok((place, subject))
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "createRoleAssignment",
    summary = "Appoint someone to a role",
    description = "Who may appoint to a role, and how many holders a place may have, is the governance model's (GET /api/v1/governance-model). In Sunet's model: TÄ and global roles, the management group; TS, the TÄ; TJF, the TÄ or a TS with the staffing delegation; specialists, also the service's TJF; at most one active TÄ per portfolio (409 until the first is revoked).",
    request_body = NewAssignmentRequest,
    responses((status = 201, description = "Created", body = AssignmentView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/role-assignments")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewAssignmentRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let delegations = Delegations::new(request.delegations.clone());
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let role = staffing::requested_role(&caller.model, &request.role)?;
        let target = requested_target(conn, request.portfolio_id, request.service_id)?;
        let grant = caller.authorize(role.assigned_through, &target)?;
        let (place, subject) = validate(&request, &caller.model, role)?;
        check_place(conn, &place)?;
        staffing::room_for_one_more(conn, role, &place)?;
        let (person, appointed) = people::appointee(conn, &subject)?;
        let (portfolio_id, service_id) = match place {
            Place::Global => (None, None),
            Place::Portfolio(p) => (Some(p), None),
            Place::Service(s) => (None, Some(s)),
        };
        let created = assignments::insert(
            conn,
            &NewAssignment {
                person_id: person.id,
                role: request.role.clone(),
                portfolio_id,
                service_id,
                delegations: &delegations,
                created_by: &caller.sub,
            },
        )
        .map_err(|e| match e {
            AppError::Conflict(_) | AppError::Taken { .. } => {
                AppError::conflict("This person already holds this role there.")
            }
            other => other,
        })?;
        let held = assignments::find(conn, created.id)?;
        let view = view_of(conn, &held)?;
        let change = Change::by(&grant, ObjectType::RoleAssignment, created.id)
            .in_portfolio(target.portfolio_id)
            .after(&view);
        Ok(Audited::new(view, change).preceded_by(appointed))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "getRoleAssignment",
    summary = "Get a role assignment",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = AssignmentView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/role-assignments/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        let held = assignments::find(conn, id)?;
        view_of(conn, &held)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// The change of an existing assignment (before: `current`), with its new view.
/// The view of one assignment, its place by slug.
pub fn view_of(conn: &mut DbConnection, held: &Held) -> AppResult<AssignmentView> {
    let mut views = with_place_slugs(conn, vec![AssignmentView::from(held)])?;
    views
        .pop()
        .ok_or_else(|| AppError::internal("an assignment without its view"))
}

fn changed(
    conn: &mut DbConnection,
    grant: &Grant,
    target: &Target,
    current: &Held,
) -> AppResult<Audited<AssignmentView>> {
    let id = current.assignment.id;
    let held = assignments::find(conn, id)?;
    let view = view_of(conn, &held)?;
    let change = Change::by(grant, ObjectType::RoleAssignment, id)
        .in_portfolio(target.portfolio_id)
        .before(&view_of(conn, current)?)
        .after(&view);
    Ok(Audited::new(view, change))
}

/// The policy target of an existing assignment.
fn target_of_existing(conn: &mut DbConnection, held: &Held) -> AppResult<Target> {
    let a = &held.assignment;
    let target = match (a.portfolio_id, a.service_id) {
        (Some(p), _) => Target::portfolio(p),
        (None, Some(s)) => {
            let service = services::find_by_id(conn, s)?;
            Target::service(s, service.portfolio_id)
        }
        (None, None) => Target::global(),
    };
    Ok(target.with_appointee(a.person_id))
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "revokeRoleAssignment",
    summary = "Revoke a role assignment (it is kept, with ended_at)",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    responses((status = 200, description = "OK", body = AssignmentView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/role-assignments/{id}/revoke")]
pub async fn revoke(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = assignments::find(conn, id)?;
        let target = target_of_existing(conn, &current)?;
        let role = staffing::stored_role(&caller.model, &current.assignment.role)?;
        let grant = caller.authorize(role.assigned_through, &target)?;
        if_match.check(current.assignment.version)?;
        if current.assignment.ended_at.is_some() {
            return Err(AppError::conflict("The assignment has already ended."));
        }
        let a = &current.assignment;
        staffing::keeps_enough(conn, role, a.portfolio_id, a.service_id)?;
        assignments::end(conn, &current.assignment, &caller.sub)?;
        changed(conn, &grant, &target, &current)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "acceptRoleAssignment",
    summary = "Accept one's own appointment",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    responses((status = 200, description = "OK", body = AssignmentView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/role-assignments/{id}/accept")]
pub async fn accept(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = assignments::find(conn, id)?;
        let target = target_of_existing(conn, &current)?;
        let grant = caller.authorize(Action::AcceptAssignment, &target)?;
        if_match.check(current.assignment.version)?;
        if current.assignment.ended_at.is_some() {
            return Err(AppError::conflict("The assignment has ended."));
        }
        if current.assignment.accepted_at.is_some() {
            return Err(AppError::conflict("The assignment is already accepted."));
        }
        assignments::accept(conn, &current.assignment)?;
        changed(conn, &grant, &target, &current)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
