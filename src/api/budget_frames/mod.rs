//! `/api/v1/portfolios/{portfolio}/budget-frames`: budgetramar. The management group decides
//! each portfolio's frame per year; a plan is written after it and approved only within it.

use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::plans::{deviations, path_year, BudgetFrameRequest, BudgetFrameView};
use crate::api::{with_etag, IfMatch, Paginated};
use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::{plans, portfolios, DbPool};
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(get_one).service(set);
}

#[utoipa::path(
    tag = "plans",
    operation_id = "listBudgetFrames",
    summary = "A portfolio's budget frames, newest year first",
    params(("portfolio" = String, Path, description = "Id or slug"), crate::api::ListQuery<crate::api::NoFilters>),
    responses((status = 200, description = "OK", body = Paginated<BudgetFrameView>), crate::api::responses::ReadErrors)
)]
#[get("/portfolios/{portfolio}/budget-frames")]
pub async fn list(
    req: actix_web::HttpRequest,
    whole: crate::api::ListQuery<crate::api::NoFilters>,
    who: Authenticated,
    path: web::Path<String>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let views = crate::api::read(&pool, who, move |conn, _caller| {
        let portfolio = portfolios::find(conn, &key)?;
        Ok(plans::frames_of(conn, portfolio.id)?
            .iter()
            .map(BudgetFrameView::from)
            .collect::<Vec<_>>())
    })
    .await?;
    crate::api::answer_whole(&req, &whole.list, views)
}

#[utoipa::path(
    tag = "plans",
    operation_id = "getBudgetFrame",
    summary = "A portfolio's budget frame for a year",
    params(("portfolio" = String, Path, description = "Id or slug"), ("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, description = "OK", body = BudgetFrameView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/portfolios/{portfolio}/budget-frames/{year}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<(String, i32)>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (key, year) = path.into_inner();
    let key = IdOrSlug::parse(&key);
    let year = path_year(year)?;
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        let portfolio = portfolios::find(conn, &key)?;
        plans::find_frame(conn, portfolio.id, year)?
            .map(|f| BudgetFrameView::from(&f))
            .ok_or_else(|| {
                AppError::not_found(format!("The portfolio has no budget frame for {year}."))
            })
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "plans",
    operation_id = "setBudgetFrame",
    summary = "Set a portfolio's budget frame for a year (management group); 201 when new",
    params(
        ("portfolio" = String, Path, description = "Id or slug"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100),
        crate::api::IfMatch
    ),
    request_body = BudgetFrameRequest,
    responses(
        (status = 200, description = "Changed", body = BudgetFrameView, headers(("ETag" = String))),
        (status = 201, description = "Set for the first time", body = BudgetFrameView, headers(("ETag" = String))),
        crate::api::responses::WriteErrors
    )
)]
#[put("/portfolios/{portfolio}/budget-frames/{year}")]
pub async fn set(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<(String, i32)>,
    body: web::Json<BudgetFrameRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (key, year) = path.into_inner();
    let key = IdOrSlug::parse(&key);
    let year = path_year(year)?;
    let request = body.into_inner();
    let (created, view) = crate::api::write(&pool, who, move |conn, caller| {
        let portfolio = portfolios::find(conn, &key)?;
        let grant = caller.authorize(Action::BudgetFrameSet, &Target::portfolio(portfolio.id))?;
        let (amount, note) = request.parse()?;
        let current = plans::find_frame(conn, portfolio.id, year)?;
        match &current {
            Some(frame) => if_match.check(frame.version)?,
            None => if_match.check_none_exists()?,
        }
        let frame = plans::set_frame(conn, portfolio.id, year, amount, &note, current.as_ref())?;
        let view = BudgetFrameView::from(&frame);
        let mut change = Change::by(&grant, ObjectType::BudgetFrame, frame.id)
            .in_portfolio(Some(portfolio.id))
            .after(&view);
        if let Some(before) = &current {
            change = change.before(&BudgetFrameView::from(before));
        }
        let mut written = Audited::new((current.is_none(), view), change);
        // A lower frame may put the year's actual costs above it.
        if let Some(plan) = plans::of_year(conn, &[portfolio.id], year)?.first() {
            written = written.and_all(deviations(conn, &grant, plan)?);
        }
        Ok(written)
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_etag(status, view.version, &view))
}
