//! `/api/v1/services`: tjänster, their fields, and their lifecycle.

mod dependencies;
pub(crate) mod types;
mod views;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{lookup, with_etag, IfMatch, Page, Paginated};
use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::{self, needs, portfolios, role_assignments, services, DbConnection, DbPool};
use crate::domain::it::ItAssessment;
use crate::domain::lifecycle::{check_transition, Lifecycle, Staffing, TransitionFacts};
use crate::domain::model::Model;
use crate::domain::need::Outcome;
use crate::domain::role::ScopeKind;
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};
pub use types::*;
pub use views::{view_of, Surroundings};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(propose)
        .service(get_one)
        .service(update)
        .service(transition)
        .service(dependencies::list_dependencies)
        .service(dependencies::add_dependency)
        .service(dependencies::remove_dependency);
}

#[utoipa::path(
    tag = "services",
    operation_id = "listServices",
    summary = "List services",
    params(crate::api::ListQuery<ServiceQuery>),
    responses((status = 200, description = "OK", body = Paginated<ServiceView>), crate::api::responses::ReadErrors)
)]
#[get("/services")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<ServiceQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let rows = move |conn: &mut DbConnection, _: &_, page: &Page| {
        // An unknown portfolio has no services.
        let Some(portfolio_id) = lookup::portfolio(conn, query.portfolio.as_deref())?.filter()
        else {
            return Ok((0, Vec::new()));
        };
        let filter = services::ServiceFilter {
            portfolio_id,
            lifecycle: query.lifecycle,
            published: query.published,
            q: query.q,
        };
        let (count, rows) = services::list(conn, &filter, page)?;
        let surroundings = Surroundings::of(conn, &rows)?;
        Ok((count, rows.iter().map(|s| surroundings.view(s)).collect()))
    };
    crate::api::list_views::<ServiceView, _>(&req, &pool, who, listing, rows).await
}

/// The needs a proposal answers: each must exist and not be declined (a declined need is
/// final).
fn proposal_needs(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found = needs::find_many(conn, &ids)?;
    for id in &ids {
        match found.iter().find(|n| n.id == *id) {
            None => {
                return Err(AppError::unprocessable(
                    "need_ids",
                    format!("there is no need {id}"),
                ))
            }
            Some(n) if n.outcome() == Some(Outcome::Declined) => {
                return Err(AppError::unprocessable(
                    "need_ids",
                    format!("need {id} is declined, which is final"),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(ids)
}

/// The portfolio a service is placed in must exist and be active.
fn active_portfolio(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    match portfolios::find_by_id(conn, id) {
        Ok(p) if p.retired_at.is_some() => Err(AppError::conflict("The portfolio is retired.")),
        Ok(_) => Ok(()),
        Err(AppError::NotFound(_)) => Err(AppError::unprocessable(
            "portfolio_id",
            format!("there is no portfolio {id}"),
        )),
        Err(e) => Err(e),
    }
}

#[utoipa::path(
    tag = "services",
    operation_id = "proposeService",
    summary = "Propose a service (LG, KA, VU; TÄ, TS, TJF within their portfolio)",
    request_body = NewService,
    responses((status = 201, description = "Created", body = ServiceView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/services")]
pub async fn propose(
    who: Authenticated,
    body: web::Json<NewService>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let proposal = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let target = match proposal.portfolio_id {
            Some(p) => Target::portfolio(p),
            None => Target::global(),
        };
        let grant = caller.authorize(Action::ServicePropose, &target)?;
        let fields = proposal.parse()?;
        if let Some(p) = fields.portfolio_id {
            active_portfolio(conn, p)?;
        }
        let needs_answered = proposal_needs(conn, &proposal.need_ids)?;
        let service = services::insert(conn, &fields)?;
        needs::link_proposal(conn, service.id, &needs_answered, &caller.sub)?;
        let view = view_of(conn, &service)?;
        let change = Change::by(&grant, ObjectType::Service, service.id)
            .in_portfolio(service.portfolio_id)
            .after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "services",
    operation_id = "getService",
    summary = "Get a service by id or slug",
    params(("service" = String, Path, description = "Id or slug")),
    responses((status = 200, description = "OK", body = ServiceView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/services/{service}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<String>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        let service = services::find(conn, &key)?;
        view_of(conn, &service)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "services",
    operation_id = "updateService",
    summary = "Change a service's fields",
    params(
        ("service" = String, Path, description = "Id or slug"),
        crate::api::IfMatch
    ),
    request_body = ServicePatch,
    responses((status = 200, description = "OK", body = ServiceView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/services/{service}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<String>,
    body: web::Json<ServicePatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let patch = body.into_inner();
    let actions = patch.actions();
    if actions.is_empty() {
        return Err(AppError::bad_request("The body changes nothing."));
    }
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = services::find(conn, &key)?;
        let target = Target::service(current.id, current.portfolio_id);
        let grant = caller.authorize_all(&actions, &target)?;
        if_match.check(current.version)?;
        if let Some(p) = patch.portfolio_id {
            active_portfolio(conn, p)?;
        }
        let fields = patch.clone().apply(&current)?;
        let updated = services::update(conn, &current, &fields, None)?;
        let view = view_of(conn, &updated)?;
        let change = Change::by(&grant, ObjectType::Service, current.id)
            .in_portfolio(updated.portfolio_id)
            .before(&view_of(conn, &current)?)
            .after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "services",
    operation_id = "transitionService",
    summary = "Move a service along its lifecycle",
    description = "proposed → established (management group; places it in a portfolio and records `it_assessment`, what of the IT environment was weighed) → in_operation (TÄ; needs a TÄ on the portfolio and at least one TJF) → decommissioning (TÄ) → decommissioned (management group; refused while deliveries are active). proposed → rejected (management group; final; `reason` required and kept).",
    params(
        ("service" = String, Path, description = "Id or slug"),
        crate::api::IfMatch
    ),
    request_body = TransitionRequest,
    responses((status = 200, description = "OK", body = ServiceView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/services/{service}/transitions")]
pub async fn transition(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<String>,
    body: web::Json<TransitionRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = services::find(conn, &key)?;
        let from = current.lifecycle();
        let action = Action::lifecycle(request.to).ok_or_else(|| {
            AppError::conflict(format!("A service cannot go back to {}.", request.to))
        })?;
        let grant = caller.authorize(action, &Target::service(current.id, current.portfolio_id))?;
        let reason = transition_reason(&request)?;
        if_match.check(current.version)?;
        if request.portfolio_id.is_some() && action != Action::ServiceEstablish {
            return Err(AppError::unprocessable(
                "portfolio_id",
                "is only given when establishing; moving a service is a PATCH of portfolio_id",
            ));
        }
        let mut fields = db::services::ServiceFields::of(&current);
        if let Some(p) = request.portfolio_id {
            fields.portfolio_id = Some(p);
        }
        let facts = transition_facts(
            conn,
            &caller.model,
            current.id,
            fields.portfolio_id,
            request.to,
        )?;
        check_transition(from, request.to, &facts)
            .map_err(|e| AppError::conflict(e.to_string()))?;
        let assessment = it_assessment(conn, &request)?;
        let step = services::Step {
            to: request.to,
            rejection_reason: (request.to == Lifecycle::Rejected)
                .then(|| reason.clone())
                .flatten(),
        };
        let mut updated = services::update(conn, &current, &fields, Some(step))?;
        if let Some(assessment) = assessment {
            let json = serde_json::to_string(&assessment).map_err(AppError::internal)?;
            services::mark_established(conn, updated.id, &json)?;
            updated.it_assessment = Some(json);
        }
        let view = view_of(conn, &updated)?;
        let mut after = serde_json::to_value(&view).unwrap_or_default();
        after["transition_reason"] = serde_json::json!(reason);
        let change = Change::by(&grant, ObjectType::Service, current.id)
            .in_portfolio(updated.portfolio_id)
            .before(&view_of(conn, &current)?)
            .after(&after);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// The IT assessment an establishment records (guidelines 1: the IT environment is considered
/// when a service is established): required then, and only then; its systems must exist.
fn it_assessment(
    conn: &mut DbConnection,
    request: &TransitionRequest,
) -> AppResult<Option<ItAssessment>> {
    let establishing = request.to == Lifecycle::Established;
    let Some(given) = &request.it_assessment else {
        if establishing {
            return Err(AppError::unprocessable(
                "it_assessment",
                "is required when establishing a service: what of the IT environment was weighed",
            ));
        }
        return Ok(None);
    };
    if !establishing {
        return Err(AppError::unprocessable(
            "it_assessment",
            "is only given when establishing a service",
        ));
    }
    let summary = crate::domain::text::required("it_assessment.summary", &given.summary, 10_000)
        .map_err(|(f, m)| AppError::invalid_field(&f, m))?;
    if given.information_system_ids.len() > 1000 {
        return Err(AppError::invalid_field(
            "it_assessment.information_system_ids",
            "at most 1000 systems",
        ));
    }
    let mut ids = given.information_system_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    let found = crate::db::information_systems::find_many(conn, &ids)?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|s| s.id == **id)) {
        return Err(AppError::unprocessable(
            "it_assessment.information_system_ids",
            format!("there is no information system {missing}"),
        ));
    }
    Ok(Some(ItAssessment {
        summary,
        information_system_ids: ids,
    }))
}

/// The reason given for a step: bounded text; required for a rejection (guidelines: the
/// decision and its grounds are kept).
fn transition_reason(request: &TransitionRequest) -> AppResult<Option<String>> {
    let reason = match &request.reason {
        Some(r) => Some(
            crate::domain::text::bounded("reason", r, 2000)
                .map_err(|(f, m)| AppError::invalid_field(&f, m))?,
        ),
        None => None,
    }
    .filter(|r| !r.is_empty());
    if request.to == Lifecycle::Rejected && reason.is_none() {
        return Err(AppError::unprocessable(
            "reason",
            "is required when rejecting a proposal",
        ));
    }
    Ok(reason)
}

fn transition_facts(
    conn: &mut DbConnection,
    model: &Model,
    service_id: i64,
    portfolio_id: Option<i64>,
    to: Lifecycle,
) -> AppResult<TransitionFacts> {
    let portfolio_retired = match portfolio_id {
        Some(p) => match portfolios::find_by_id(conn, p) {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::unprocessable(
                    "portfolio_id",
                    format!("there is no portfolio {p}"),
                ))
            }
            other => other?.retired_at.is_some(),
        },
        None => false,
    };
    let mut staffing = Vec::new();
    if to == Lifecycle::InOperation {
        for (role, need) in model.operation_needs() {
            let on_portfolio = role.scope == ScopeKind::Portfolio;
            let held = match (on_portfolio, portfolio_id) {
                (true, None) => 0,
                (true, p) => role_assignments::count_active(conn, &role.code, p, None)?,
                (false, _) => {
                    role_assignments::count_active(conn, &role.code, None, Some(service_id))?
                }
            };
            staffing.push(Staffing {
                role: format!("{} ({})", role.name_en.to_lowercase(), role.short()),
                on_portfolio,
                min: i64::from(need.min),
                held,
            });
        }
    }
    Ok(TransitionFacts {
        portfolio_id,
        portfolio_retired,
        staffing,
        active_deliveries: crate::db::deliveries::count_active_of_service(
            conn,
            service_id,
            crate::db::today(),
        )?,
    })
}
