//! `/api/v1/role-assignments`: förvaltningsorganisationen. Appointing, revoking (kept in
//! history with `ended_at`), and the appointee's acceptance (guidelines 2: responsibility is
//! "dokumenterat och accepterat").

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{list_page, utc, with_etag, IfMatch, Page, Paginated};
use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::audit::{self, Change, ObjectType};
use crate::db::role_assignments::{self as assignments, Held, NewAssignment};
use crate::db::{people, portfolios, services, DbConnection, DbPool};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::role::{Delegation, Delegations, RoleCode, ScopeKind};
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(revoke)
        .service(accept);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: i64,
    /// The holder's `sub`.
    #[schema(example = "tjf.eduroam@sunet.se")]
    pub subject: String,
    pub subject_name: Option<String>,
    pub person_id: i64,
    pub role: RoleCode,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    /// For a TS: the delegated duties.
    pub delegations: Vec<Delegation>,
    /// When the appointee accepted the responsibility.
    pub accepted_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub created_by: String,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Held> for AssignmentView {
    fn from(h: &Held) -> Self {
        let a = &h.assignment;
        AssignmentView {
            id: a.id,
            subject: h.sub.clone(),
            subject_name: h.name.clone(),
            person_id: a.person_id,
            // Unknown stored codes cannot be written through this API; fall back harmlessly.
            role: a.role.parse().unwrap_or(RoleCode::ServiceSpecialist),
            portfolio_id: a.portfolio_id,
            service_id: a.service_id,
            delegations: Delegations::from_stored(&a.delegations).items().to_vec(),
            accepted_at: a.accepted_at.map(utc),
            active: a.ended_at.is_none(),
            created_by: a.created_by.clone(),
            ended_at: a.ended_at.map(utc),
            ended_by: a.ended_by.clone(),
            version: a.version,
            created_at: utc(a.created_at),
            updated_at: utc(a.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignmentRequest {
    /// The appointee's `sub`; the person is created if not yet seen.
    #[schema(example = "tjf.eduroam@sunet.se", pattern = "\\S", max_length = 255)]
    pub subject: String,
    pub role: RoleCode,
    /// For a TÄ or a portfolio-wide TS.
    pub portfolio_id: Option<i64>,
    /// For a TJF, a specialist, or a service-level TS.
    pub service_id: Option<i64>,
    /// For a TS only.
    #[serde(default)]
    pub delegations: Vec<Delegation>,
}

/// The place an assignment is on, checked against the role's scope kind.
enum Place {
    Global,
    Portfolio(i64),
    Service(i64),
}

impl NewAssignmentRequest {
    fn place(&self) -> AppResult<Place> {
        let wrong = |message: &str| AppError::invalid_field("portfolio_id", message.to_string());
        match (self.role.scope_kind(), self.portfolio_id, self.service_id) {
            (ScopeKind::Global, None, None) => Ok(Place::Global),
            (ScopeKind::Global, _, _) => Err(wrong("a global role takes neither portfolio_id nor service_id")),
            (ScopeKind::Portfolio, Some(p), None) => Ok(Place::Portfolio(p)),
            (ScopeKind::Portfolio, _, _) => Err(wrong("a service owner (TÄ) is appointed on a portfolio: give portfolio_id only")),
            (ScopeKind::Service, None, Some(s)) => Ok(Place::Service(s)),
            (ScopeKind::Service, _, _) => Err(AppError::invalid_field(
                "service_id",
                "this role is assigned on a service: give service_id only",
            )),
            (ScopeKind::PortfolioOrService, Some(p), None) => Ok(Place::Portfolio(p)),
            (ScopeKind::PortfolioOrService, None, Some(s)) => Ok(Place::Service(s)),
            (ScopeKind::PortfolioOrService, _, _) => Err(wrong("a TS is assigned on a portfolio or on a service: give exactly one of portfolio_id, service_id")),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// The holder's `sub`.
    pub subject: Option<String>,
    pub role: Option<RoleCode>,
    /// Portfolio id.
    pub portfolio: Option<i64>,
    /// Service id.
    pub service: Option<i64>,
    /// Only active (true) or only ended (false) assignments.
    pub active: Option<bool>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// `id`, `role`, `created_at`, `ended_at`; prefix `-` for descending.
    #[param(pattern = "^-?(id|role|created_at|ended_at)$")]
    pub ordering: Option<String>,
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "listRoleAssignments",
    summary = "List role assignments (active and ended)",
    params(AssignmentQuery),
    responses((status = 200, description = "OK", body = Paginated<AssignmentView>), crate::openapi::ReadErrors),
    security(("bearer" = []))
)]
#[get("/role-assignments")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: web::Query<AssignmentQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let page = Page::parse(
        query.limit,
        query.offset,
        query.ordering.as_deref(),
        assignments::SORT_FIELDS,
    )?;
    let filter = assignments::AssignmentFilter {
        subject: query.subject,
        role: query.role,
        portfolio_id: query.portfolio,
        service_id: query.service,
        active: query.active,
    };
    let rows = move |conn: &mut _, _: &_, page: &Page| assignments::list(conn, &filter, page);
    list_page::<AssignmentView, _, _>(&req, &pool, who, page, rows).await
}

/// The policy target of an assignment's place; also checks that the place can take it.
fn target_of(conn: &mut DbConnection, place: &Place) -> AppResult<Target> {
    match *place {
        Place::Global => Ok(Target::global()),
        Place::Portfolio(id) => match portfolios::find_by_id(conn, id) {
            Ok(p) if p.retired_at.is_some() => Err(AppError::conflict("The portfolio is retired.")),
            Ok(_) => Ok(Target::portfolio(id)),
            Err(AppError::NotFound(_)) => Err(AppError::invalid_field(
                "portfolio_id",
                format!("there is no portfolio {id}"),
            )),
            Err(e) => Err(e),
        },
        Place::Service(id) => match services::find_by_id(conn, id) {
            Ok(s) if s.lifecycle() == Lifecycle::Decommissioned => {
                Err(AppError::conflict("The service is decommissioned."))
            }
            Ok(s) => Ok(Target::service(s.id, s.portfolio_id)),
            Err(AppError::NotFound(_)) => Err(AppError::invalid_field(
                "service_id",
                format!("there is no service {id}"),
            )),
            Err(e) => Err(e),
        },
    }
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "createRoleAssignment",
    summary = "Appoint someone to a role",
    description = "TÄ and global roles: the management group. TS: the TÄ. TJF: the TÄ or a TS with the staffing delegation. Specialists: also the service's TJF. At most one active TÄ per portfolio (409 until the first is revoked).",
    request_body = NewAssignmentRequest,
    responses((status = 201, description = "Created", body = AssignmentView, headers(("ETag" = String))), crate::openapi::WriteErrors),
    security(("bearer" = []))
)]
#[post("/role-assignments")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewAssignmentRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let place = request.place()?;
    if !request.delegations.is_empty() && request.role != RoleCode::ServiceCoordinator {
        return Err(AppError::invalid_field(
            "delegations",
            "only a service coordinator (TS) carries delegations",
        ));
    }
    let subject = request.subject.trim().to_string();
    if subject.is_empty() || subject.len() > 255 {
        return Err(AppError::invalid_field(
            "subject",
            "must be a sub of 1 to 255 characters",
        ));
    }
    let delegations = Delegations::new(request.delegations.clone());
    let view = crate::api::write(&pool, who, move |conn, caller, actor| {
        let target = target_of(conn, &place)?;
        let grant = caller.authorize(Action::assign(request.role), &target)?;
        if let Place::Portfolio(p) = place {
            if request.role == RoleCode::ServiceOwner
                && assignments::count_active(conn, RoleCode::ServiceOwner, Some(p), None)? > 0
            {
                return Err(AppError::conflict(
                    "The portfolio already has a service owner (TÄ); revoke that assignment first.",
                ));
            }
        }
        let person = people::ensure(conn, &subject, None, None, actor)?;
        let (portfolio_id, service_id) = match place {
            Place::Global => (None, None),
            Place::Portfolio(p) => (Some(p), None),
            Place::Service(s) => (None, Some(s)),
        };
        let created = assignments::insert(
            conn,
            &NewAssignment {
                person_id: person.id,
                role: request.role,
                portfolio_id,
                service_id,
                delegations: &delegations,
                created_by: &caller.sub,
            },
        )
        .map_err(|e| match e {
            AppError::Conflict(_) => AppError::conflict(
                "This person already holds this role there (or the portfolio already has a TÄ).",
            ),
            other => other,
        })?;
        let held = assignments::find(conn, created.id)?;
        let view = AssignmentView::from(&held);
        audit::record(
            conn,
            actor,
            Change::by(&grant, ObjectType::RoleAssignment, created.id)
                .in_portfolio(target.portfolio_id)
                .after(&view),
        )?;
        Ok(view)
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "getRoleAssignment",
    summary = "Get a role assignment",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = AssignmentView, headers(("ETag" = String))), crate::openapi::ReadErrors),
    security(("bearer" = []))
)]
#[get("/role-assignments/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        Ok(AssignmentView::from(&assignments::find(conn, id)?))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// Guidelines 4.4: a service under management has one or more TJF, so the last one of a
/// service in operation is not revoked before a successor is appointed.
fn keeps_a_manager(conn: &mut DbConnection, service_id: Option<i64>) -> AppResult<()> {
    let Some(service_id) = service_id else {
        return Ok(());
    };
    let service = services::find_by_id(conn, service_id)?;
    let managers =
        assignments::count_active(conn, RoleCode::ServiceManager, None, Some(service_id))?;
    if service.lifecycle().requires_manager() && managers <= 1 {
        return Err(AppError::conflict(
            "This is the service's last service manager (TJF) and the service is under management; appoint a successor first.",
        ));
    }
    Ok(())
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
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]+\"(, *\"[0-9]+\")*)$", description = "The ETag last seen")
    ),
    responses((status = 200, description = "OK", body = AssignmentView, headers(("ETag" = String))), crate::openapi::WriteErrors),
    security(("bearer" = []))
)]
#[delete("/role-assignments/{id}")]
pub async fn revoke(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let if_match = IfMatch::from_request(&req);
    let view = crate::api::write(&pool, who, move |conn, caller, actor| {
        let current = assignments::find(conn, id)?;
        let target = target_of_existing(conn, &current)?;
        let role: RoleCode = current.assignment.role.parse().map_err(|_| {
            AppError::conflict("This assignment has a role this version does not know.")
        })?;
        let grant = caller.authorize(Action::assign(role), &target)?;
        if_match.check(current.assignment.version)?;
        if current.assignment.ended_at.is_some() {
            return Err(AppError::conflict("The assignment has already ended."));
        }
        if role == RoleCode::ServiceManager {
            keeps_a_manager(conn, current.assignment.service_id)?;
        }
        assignments::end(conn, &current.assignment, &caller.sub)?;
        let view = AssignmentView::from(&assignments::find(conn, id)?);
        audit::record(
            conn,
            actor,
            Change::by(&grant, ObjectType::RoleAssignment, id)
                .in_portfolio(target.portfolio_id)
                .before(&AssignmentView::from(&current))
                .after(&view),
        )?;
        Ok(view)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "role-assignments",
    operation_id = "acceptRoleAssignment",
    summary = "Accept one's own appointment",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = AssignmentView, headers(("ETag" = String))), crate::openapi::WriteErrors),
    security(("bearer" = []))
)]
#[post("/role-assignments/{id}/accept")]
pub async fn accept(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller, actor| {
        let current = assignments::find(conn, id)?;
        let target = target_of_existing(conn, &current)?;
        let grant = caller.authorize(Action::AcceptAssignment, &target)?;
        if current.assignment.ended_at.is_some() {
            return Err(AppError::conflict("The assignment has ended."));
        }
        if current.assignment.accepted_at.is_some() {
            return Err(AppError::conflict("The assignment is already accepted."));
        }
        assignments::accept(conn, &current.assignment)?;
        let view = AssignmentView::from(&assignments::find(conn, id)?);
        audit::record(
            conn,
            actor,
            Change::by(&grant, ObjectType::RoleAssignment, id)
                .in_portfolio(target.portfolio_id)
                .before(&AssignmentView::from(&current))
                .after(&view),
        )?;
        Ok(view)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
