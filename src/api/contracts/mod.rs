//! `/api/v1/contracts`: the controller's portfolio of supplier and customer contracts
//! (guidelines 4.7). Contracts carry commercial terms: who may not read one gets 404, and lists
//! show only what the caller may read (filtered in SQL, so `count` and paging stay right).

mod types;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::lookup;
use crate::api::{with_etag, IfMatch, Paginated};
use crate::auth::policy::{Action, Caller, Grant, ObjectClass, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::contracts::{self, Contract, ContractFields, Covered};
use crate::db::{self, organizations, services, DbConnection, DbPool};
use crate::error::{AppError, AppResult};
pub use types::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(terminate);
}

/// The policy's targets for a contract: each covered service, in its portfolio.
pub(crate) fn targets(places: &[(i64, Option<i64>)], class: Option<ObjectClass>) -> Vec<Target> {
    places
        .iter()
        .map(|(service, portfolio)| Target::service(*service, *portfolio).of_class(class))
        .collect()
}

pub(crate) fn places_of(covered: &[Covered]) -> Vec<(i64, Option<i64>)> {
    covered
        .iter()
        .map(|c| (c.service_id, c.portfolio_id))
        .collect()
}

/// The portfolio an audit event of the contract belongs to: the one of all its services, or
/// none when they span several (the trail's scoped reading follows the services themselves).
pub(crate) fn audit_portfolio(places: &[(i64, Option<i64>)]) -> Option<i64> {
    let first = places.first()?.1;
    places
        .iter()
        .all(|(_, p)| *p == first)
        .then_some(first)
        .flatten()
}

/// A contract the caller may read, with its covered services; 404 otherwise.
fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> AppResult<(Contract, Vec<Covered>)> {
    let contract = contracts::find(conn, id)?;
    let covered = contracts::covered(conn, &[id])?;
    let targets = targets(&places_of(&covered), contract.class());
    match caller.may_any(Action::ContractRead, &targets) {
        Some(_) => Ok((contract, covered)),
        None => Err(AppError::not_found("There is no such contract.")),
    }
}

/// The services a body names, with their portfolios; 400 naming the first that does not
/// exist (every caller may list services, so this tells nothing).
fn named_services(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<(i64, Option<i64>)>> {
    let found = services::places(conn, ids)?;
    for (i, id) in ids.iter().enumerate() {
        if !found.iter().any(|(s, _)| s == id) {
            return Err(AppError::unprocessable(
                &format!("services[{i}].service_id"),
                format!("there is no service {id}"),
            ));
        }
    }
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|(s, _)| s == id).copied())
        .collect())
}

/// The organisation must exist and be of the contract's counterpart kind.
fn check_organization(
    conn: &mut DbConnection,
    fields: &ContractFields,
) -> AppResult<(String, String)> {
    let organization =
        organizations::named_in_body(conn, "organization_id", fields.organization_id)?;
    let needed = fields.kind.counterpart();
    if organization.kind() != needed {
        return Err(AppError::unprocessable(
            "organization_id",
            format!(
                "a {} contract is made with a {needed}; {} is a {}",
                fields.kind,
                organization.slug,
                organization.kind()
            ),
        ));
    }
    Ok((organization.slug, organization.name))
}

fn organization_names(conn: &mut DbConnection, id: i64) -> AppResult<(String, String)> {
    let o = organizations::find(conn, &crate::domain::slug::IdOrSlug::Id(id))?;
    Ok((o.slug, o.name))
}

pub(crate) fn view_of(
    conn: &mut DbConnection,
    contract: &Contract,
    today: NaiveDate,
) -> AppResult<ContractView> {
    let covered = contracts::covered(conn, &[contract.id])?;
    let (slug, name) = organization_names(conn, contract.organization_id)?;
    Ok(ContractView::of(contract, (&slug, &name), &covered, today))
}

/// The audited change of a contract, filed under the portfolio of the services it covers.
pub(crate) fn change(
    grant: &Grant,
    id: i64,
    places: &[(i64, Option<i64>)],
    before: Option<&ContractView>,
    after: &ContractView,
) -> Change {
    Change::by(grant, ObjectType::Contract, id)
        .in_portfolio(audit_portfolio(places))
        .before_if(before)
        .after(after)
}

#[utoipa::path(
    tag = "contracts",
    operation_id = "listContracts",
    summary = "List the contracts the caller may read",
    description = "Controller, management group, VU: every contract; KA: every customer contract; TÄ, TS, TJF: contracts covering a service in their scope. JSON, or CSV with `Accept: text/csv` or `?format=csv`.",
    params(crate::api::ListQuery<ContractQuery>),
    responses(
        (status = 200, description = "OK", content(
            (Paginated<ContractView> = "application/json"),
            (String = "text/csv")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/contracts")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<ContractQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    query.check()?;
    contracts::catch_up_terms(&pool).await?;
    let rows = move |conn: &mut DbConnection, caller: &Caller, page: &crate::db::Page| {
        let today = db::today();
        let (Some(organization_id), Some(service_id), Some(portfolio_id)) = (
            lookup::organization(conn, query.organization.as_deref())?.filter(),
            lookup::service(conn, query.service.as_deref())?.filter(),
            lookup::portfolio(conn, query.portfolio.as_deref())?.filter(),
        ) else {
            return Ok((0, Vec::new()));
        };
        let filter = contracts::ContractFilter {
            kind: query.kind,
            organization_id,
            service_id,
            portfolio_id,
            status: query.status,
            expiring_within_days: query.expiring_within_days,
            notice_within_days: query.notice_within_days,
            q: query.q,
        };
        let reach = caller.reach(Action::ContractRead);
        let (count, rows) = contracts::list(conn, &filter, &reach, page, today)?;
        let ids: Vec<i64> = rows.iter().map(|(c, _, _)| c.id).collect();
        let covered = contracts::covered(conn, &ids)?;
        let views: Vec<ContractView> = rows
            .iter()
            .map(|(c, slug, name)| ContractView::of(c, (slug, name), &covered, today))
            .collect();
        Ok((count, views))
    };
    crate::api::list_views(&req, &pool, who, listing, rows).await
}

#[utoipa::path(
    tag = "contracts",
    operation_id = "createContract",
    summary = "Record a contract (controller; TÄ, TS[contracts] in scope of every covered service)",
    request_body = NewContract,
    responses((status = 201, description = "Created", body = ContractView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/contracts")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewContract>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let places = named_services(conn, &request.service_ids())?;
        let class = (request.kind == crate::domain::contract::ContractKind::Customer)
            .then_some(ObjectClass::CustomerContract);
        let grant = caller.authorize_every(Action::ContractCreate, &targets(&places, class))?;
        let fields = request.parse()?;
        check_organization(conn, &fields)?;
        let today = db::today();
        let contract = contracts::insert(conn, &fields, today)?;
        let view = view_of(conn, &contract, today)?;
        let change = change(&grant, contract.id, &places, None, &view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "contracts",
    operation_id = "getContract",
    summary = "Get a contract (404 unless the caller may read it)",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = ContractView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/contracts/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    contracts::catch_up_terms(&pool).await?;
    let view = crate::api::read(&pool, who, move |conn, caller| {
        let today = db::today();
        let (contract, covered) = visible(conn, caller, id)?;
        let (slug, name) = organization_names(conn, contract.organization_id)?;
        Ok(ContractView::of(&contract, (&slug, &name), &covered, today))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "contracts",
    operation_id = "updateContract",
    summary = "Change a contract (controller; TÄ, TS[contracts] in scope of every covered service, before and after)",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    request_body = ContractPatch,
    responses((status = 200, description = "OK", body = ContractView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/contracts/{id}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<ContractPatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = body.into_inner();
    if patch.is_empty() {
        return Err(AppError::bad_request("The body changes nothing."));
    }
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let (current, covered) = visible(conn, caller, id)?;
        let class = current.class();
        let before_places = places_of(&covered);
        let mut grant =
            caller.authorize_every(Action::ContractUpdate, &targets(&before_places, class))?;
        if_match.check(current.version)?;
        if current.terminated_on.is_some() {
            return Err(AppError::conflict("The contract is terminated."));
        }
        let request = patch.onto(&current, &covered);
        let places = named_services(conn, &request.service_ids())?;
        if patch.services.is_some() {
            // Moving cover onto services outside one's scope is as much a write there.
            grant = caller.authorize_every(Action::ContractUpdate, &targets(&places, class))?;
        }
        let fields = request.parse()?;
        check_organization(conn, &fields)?;
        let today = db::today();
        let before = view_of(conn, &current, today)?;
        let updated = contracts::update(conn, &current, &fields, today)?;
        let view = view_of(conn, &updated, today)?;
        let change = change(&grant, id, &places, Some(&before), &view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "contracts",
    operation_id = "terminateContract",
    summary = "Terminate a contract (controller; TÄ, TS[contracts] in scope of every covered service)",
    description = "The contract is `terminated` at once and no longer covers deliveries; `date` records the day it ends.",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    request_body = Termination,
    responses((status = 200, description = "OK", body = ContractView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/contracts/{id}/terminate")]
pub async fn terminate(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<Termination>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let termination = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let (current, covered) = visible(conn, caller, id)?;
        let places = places_of(&covered);
        let grant = caller.authorize_every(
            Action::ContractTerminate,
            &targets(&places, current.class()),
        )?;
        let reason = crate::domain::text::required("reason", &termination.reason, 2000)
            .map_err(|(f, m)| AppError::invalid_field(&f, m))?;
        if termination.date < current.start_date {
            return Err(AppError::unprocessable(
                "date",
                format!(
                    "must not be before the contract's start ({})",
                    current.start_date
                ),
            ));
        }
        if_match.check(current.version)?;
        if current.terminated_on.is_some() {
            return Err(AppError::conflict("The contract is already terminated."));
        }
        let today = db::today();
        let before = view_of(conn, &current, today)?;
        let terminated = contracts::terminate(conn, &current, termination.date, &reason)?;
        let view = view_of(conn, &terminated, today)?;
        let change = change(&grant, id, &places, Some(&before), &view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
