//! `/api/v1/portfolios`: tjänsteportföljer, created and changed by the management group.

mod types;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{list_page, with_etag, IfMatch, Page, Paginated};
use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::{portfolios, DbPool};
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};
pub use types::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(retire);
}

#[utoipa::path(
    tag = "portfolios",
    operation_id = "listPortfolios",
    summary = "List portfolios",
    params(crate::api::ListQuery<PortfolioQuery>),
    responses((status = 200, description = "OK", body = Paginated<PortfolioView>), crate::api::responses::ReadErrors)
)]
#[get("/portfolios")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<PortfolioQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let filter = portfolios::PortfolioFilter {
        q: query.q,
        retired: query.retired,
    };
    let rows = move |conn: &mut _, _: &_, page: &Page| portfolios::list(conn, &filter, page);
    list_page::<PortfolioView, _, _>(&req, &pool, who, listing, rows).await
}

#[utoipa::path(
    tag = "portfolios",
    operation_id = "createPortfolio",
    summary = "Create a portfolio (management group)",
    request_body = NewPortfolio,
    responses((status = 201, description = "Created", body = PortfolioView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/portfolios")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewPortfolio>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let grant = caller.authorize(Action::PortfolioCreate, &Target::global())?;
        let fields = request.parse()?;
        let portfolio = portfolios::insert(conn, &fields)?;
        let view = PortfolioView::from(&portfolio);
        let change = Change::by(&grant, ObjectType::Portfolio, portfolio.id)
            .in_portfolio(Some(portfolio.id))
            .after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "portfolios",
    operation_id = "getPortfolio",
    summary = "Get a portfolio by id or slug",
    params(("portfolio" = String, Path, description = "Id or slug")),
    responses((status = 200, description = "OK", body = PortfolioView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/portfolios/{portfolio}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<String>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        Ok(PortfolioView::from(&portfolios::find(conn, &key)?))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "portfolios",
    operation_id = "updatePortfolio",
    summary = "Change a portfolio (management group)",
    params(
        ("portfolio" = String, Path, description = "Id or slug"),
        crate::api::IfMatch
    ),
    request_body = PortfolioPatch,
    responses((status = 200, description = "OK", body = PortfolioView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/portfolios/{portfolio}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<String>,
    body: web::Json<PortfolioPatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let patch = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = portfolios::find(conn, &key)?;
        let grant = caller.authorize(Action::PortfolioUpdate, &Target::portfolio(current.id))?;
        if_match.check(current.version)?;
        if current.retired_at.is_some() {
            return Err(AppError::conflict("The portfolio is retired."));
        }
        let fields = patch.clone().apply(&current)?;
        let updated = portfolios::update(conn, &current, &fields)?;
        let view = PortfolioView::from(&updated);
        let change = Change::by(&grant, ObjectType::Portfolio, current.id)
            .in_portfolio(Some(current.id))
            .before(&PortfolioView::from(&current))
            .after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "portfolios",
    operation_id = "retirePortfolio",
    summary = "Retire a portfolio (management group); refused while it has services that are not decommissioned. It is kept, with retired_at",
    params(
        ("portfolio" = String, Path, description = "Id or slug"),
        crate::api::IfMatch
    ),
    responses((status = 200, description = "OK", body = PortfolioView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/portfolios/{portfolio}/retire")]
pub async fn retire(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<String>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let view = crate::api::write(&pool, who, move |conn, caller| {
            let current = portfolios::find(conn, &key)?;
            let grant = caller.authorize(Action::PortfolioRetire, &Target::portfolio(current.id))?;
            if_match.check(current.version)?;
            if current.retired_at.is_some() {
                return Err(AppError::conflict("The portfolio is already retired."));
            }
            let live = portfolios::count_live_services(conn, current.id)?;
            if live > 0 {
                return Err(AppError::conflict(format!(
                    "The portfolio still has {live} services that are established, in operation or being decommissioned; move or decommission them first."
                )));
            }
            let retired = portfolios::retire(conn, &current)?;
            let view = PortfolioView::from(&retired);
            let change = Change::by(&grant, ObjectType::Portfolio, current.id)
                .in_portfolio(Some(current.id))
                .before(&PortfolioView::from(&current))
                .after(&view);
            Ok(Audited::new(view, change))
        })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
