//! `/api/v1/deliveries`: tjänsteleveranser — one service delivered to one customer, which
//! must be covered by a customer contract (guidelines 4.7). Visible to those who keep them and
//! to the service's own organisation; 404 to everyone else.

mod types;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::lookup;
use crate::api::{with_etag, IfMatch, Paginated};
use crate::auth::policy::{Action, Caller, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::deliveries::{self, Delivery, DeliveryFilter, DeliveryRow};
use crate::db::{self, contracts, organizations, services, DbConnection, DbPool, Page};
use crate::domain::contract::OrganizationKind;
use crate::domain::lifecycle::Lifecycle;
use crate::error::{AppError, AppResult};
pub use types::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update);
}

/// The delivery with what its view shows, as the caller may see it; 404 otherwise.
fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    today: NaiveDate,
) -> AppResult<(DeliveryRow, Target)> {
    let delivery = deliveries::find(conn, id)?;
    let service = services::find_by_id(conn, delivery.service_id)?;
    let target = Target::service(service.id, service.portfolio_id);
    if caller.may(Action::DeliveryRead, &target).is_none() {
        return Err(AppError::not_found("There is no such delivery."));
    }
    let row = row_of(conn, caller, id, today)?;
    Ok((row, target))
}

/// One delivery's row, through the list query (so a single view and a list agree).
fn row_of(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    today: NaiveDate,
) -> AppResult<DeliveryRow> {
    let reach = caller.reach(Action::DeliveryRead);
    let page = Page {
        limit: 1,
        offset: 0,
        sort: db::Sort {
            field: "id".into(),
            descending: false,
        },
    };
    let filter = DeliveryFilter {
        ids: Some(vec![id]),
        ..DeliveryFilter::default()
    };
    let (_, rows) = deliveries::list(conn, &filter, &reach, &page, today)?;
    rows.into_iter()
        .next()
        .ok_or_else(|| AppError::not_found("There is no such delivery."))
}

/// The audited change of a delivery.
fn change(
    grant: &crate::auth::policy::Grant,
    target: &Target,
    before: Option<&DeliveryView>,
    after: &DeliveryView,
) -> Change {
    Change::by(grant, ObjectType::Delivery, after.id)
        .in_portfolio(target.portfolio_id)
        .before_if(before)
        .after(after)
}

/// A contract to link: one the caller may read (else it is "no contract"), a customer
/// contract with the organisation, covering the service, in force today.
fn check_link(
    conn: &mut DbConnection,
    caller: &Caller,
    contract_id: i64,
    service_id: i64,
    organization_id: i64,
    today: NaiveDate,
) -> AppResult<()> {
    let missing =
        || AppError::unprocessable("contract_id", format!("there is no contract {contract_id}"));
    let contract = match contracts::find(conn, contract_id) {
        Err(AppError::NotFound(_)) => return Err(missing()),
        other => other?,
    };
    let covered = contracts::covered(conn, &[contract_id])?;
    let targets: Vec<Target> = covered
        .iter()
        .map(|c| Target::service(c.service_id, c.portfolio_id).of_class(contract.class()))
        .collect();
    if caller.may_any(Action::ContractRead, &targets).is_none() {
        return Err(missing());
    }
    let covers_service = covered.iter().any(|c| c.service_id == service_id);
    match deliveries::link_problem(&contract, covers_service, organization_id, today) {
        Some(problem) if problem.starts_with("is not in force") => Err(AppError::conflict(
            format!("Contract {contract_id} {problem}."),
        )),
        Some(problem) => Err(AppError::unprocessable("contract_id", problem)),
        None => Ok(()),
    }
}

#[utoipa::path(
    tag = "deliveries",
    operation_id = "listDeliveries",
    summary = "List the deliveries the caller may see",
    description = "JSON, or CSV with `Accept: text/csv` or `?format=csv`.",
    params(crate::api::ListQuery<DeliveryQuery>),
    responses(
        (status = 200, description = "OK", content(
            (Paginated<DeliveryView> = "application/json"),
            (String = "text/csv")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/deliveries")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<DeliveryQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    contracts::catch_up_terms(&pool).await?;
    let rows = move |conn: &mut DbConnection, caller: &Caller, page: &Page| {
        let today = db::today();
        let (Some(service_id), Some(organization_id), Some(portfolio_id)) = (
            lookup::service(conn, query.service.as_deref())?.filter(),
            lookup::organization(conn, query.organization.as_deref())?.filter(),
            lookup::portfolio(conn, query.portfolio.as_deref())?.filter(),
        ) else {
            return Ok((0, Vec::new()));
        };
        let filter = DeliveryFilter {
            ids: None,
            service_id,
            organization_id,
            portfolio_id,
            covered: query.covered,
            active: query.active,
        };
        let reach = caller.reach(Action::DeliveryRead);
        let (count, rows) = deliveries::list(conn, &filter, &reach, page, today)?;
        let views: Vec<DeliveryView> = rows.iter().map(|r| DeliveryView::of(r, today)).collect();
        Ok((count, views))
    };
    crate::api::list_views(&req, &pool, who, listing, rows).await
}

#[utoipa::path(
    tag = "deliveries",
    operation_id = "createDelivery",
    summary = "Record a delivery (controller, KA; TÄ, TS, TJF in scope; linking a contract: controller, TÄ, TS[contracts])",
    request_body = NewDelivery,
    responses((status = 201, description = "Created", body = DeliveryView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/deliveries")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewDelivery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let service = match services::find_by_id(conn, request.service_id) {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::unprocessable(
                    "service_id",
                    format!("there is no service {}", request.service_id),
                ))
            }
            other => other?,
        };
        let target = Target::service(service.id, service.portfolio_id);
        let mut actions = vec![Action::DeliveryCreate];
        if request.contract_id.is_some() {
            actions.push(Action::DeliveryLink);
        }
        let grant = caller.authorize_all(&actions, &target)?;
        if request.end_date.is_some_and(|end| end < request.start_date) {
            return Err(AppError::unprocessable(
                "end_date",
                "must not be before start_date",
            ));
        }
        let organization =
            organizations::named_in_body(conn, "organization_id", request.organization_id)?;
        if organization.kind() != OrganizationKind::Customer {
            return Err(AppError::unprocessable(
                "organization_id",
                format!(
                    "{} is a {}; deliveries go to customers",
                    organization.slug,
                    organization.kind()
                ),
            ));
        }
        if service.lifecycle() != Lifecycle::InOperation {
            return Err(AppError::conflict(format!(
                "The service is {}; only a service in operation is delivered.",
                service.lifecycle()
            )));
        }
        let today = db::today();
        if let Some(contract_id) = request.contract_id {
            check_link(
                conn,
                caller,
                contract_id,
                service.id,
                organization.id,
                today,
            )?;
        }
        let created = deliveries::insert(
            conn,
            &deliveries::NewDelivery {
                service_id: service.id,
                organization_id: organization.id,
                contract_id: request.contract_id,
                start_date: request.start_date,
                end_date: request.end_date,
            },
        )?;
        let view = DeliveryView::of(&row_of(conn, caller, created.id, today)?, today);
        let change = change(&grant, &target, None, &view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "deliveries",
    operation_id = "getDelivery",
    summary = "Get a delivery (404 unless the caller may see it)",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = DeliveryView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/deliveries/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    contracts::catch_up_terms(&pool).await?;
    let view = crate::api::read(&pool, who, move |conn, caller| {
        let today = db::today();
        let (row, _) = visible(conn, caller, id, today)?;
        Ok(DeliveryView::of(&row, today))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "deliveries",
    operation_id = "updateDelivery",
    summary = "Link a contract (controller; TÄ, TS[contracts] in scope) or set the end date (controller, KA; TÄ, TS, TJF in scope)",
    params(
        ("id" = i64, Path),
        crate::api::IfMatch
    ),
    request_body = DeliveryPatch,
    responses((status = 200, description = "OK", body = DeliveryView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/deliveries/{id}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<DeliveryPatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = body.into_inner();
    let mut actions = Vec::new();
    if patch.contract_id.is_some() {
        actions.push(Action::DeliveryLink);
    }
    if patch.end_date.is_some() {
        actions.push(Action::DeliveryEnd);
    }
    if actions.is_empty() {
        return Err(AppError::bad_request("The body changes nothing."));
    }
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let today = db::today();
        let (row, target) = visible(conn, caller, id, today)?;
        let grant = caller.authorize_all(&actions, &target)?;
        let current: Delivery = row.delivery.clone();
        if_match.check(current.version)?;
        let contract_id = patch.contract_id.unwrap_or(current.contract_id);
        let end_date = patch.end_date.unwrap_or(current.end_date);
        if end_date.is_some_and(|end| end < current.start_date) {
            return Err(AppError::unprocessable(
                "end_date",
                "must not be before start_date",
            ));
        }
        if let Some(Some(contract)) = patch.contract_id {
            check_link(
                conn,
                caller,
                contract,
                current.service_id,
                current.organization_id,
                today,
            )?;
        }
        let before = DeliveryView::of(&row, today);
        deliveries::update(conn, &current, contract_id, end_date)?;
        let view = DeliveryView::of(&row_of(conn, caller, id, today)?, today);
        let change = change(&grant, &target, Some(&before), &view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
