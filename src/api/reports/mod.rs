//! `/api/v1/reports`: what the guidelines ask to be known, computed from the data.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{cell, csv_response, CsvRecord};
use crate::auth::policy::Action;
use crate::auth::Authenticated;
use crate::db::deliveries::{self, DeliveryRow};
use crate::db::{self, contracts, DbPool};
use crate::domain::contract::CoverageReason;
use crate::error::{AppError, AppResult};

mod annual;
mod economics;
mod finding_messages;
mod governance;
mod needs;

pub use annual::{ActivityCounts, AnnualQuery, AnnualReport, ChangeRequestCounts, PortfolioYear};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(contract_coverage)
        .service(annual::annual)
        .service(governance::rules)
        .service(governance::report)
        .service(economics::economics)
        .service(needs::needs_report);
}

/// An active delivery without valid cover.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UncoveredDelivery {
    pub delivery_id: i64,
    pub service_id: i64,
    #[schema(example = "eduroam")]
    pub service_slug: String,
    pub organization_id: i64,
    #[schema(example = "uppsala-universitet")]
    pub organization_slug: String,
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
    /// The linked contract, if any.
    pub contract_id: Option<i64>,
    pub start_date: NaiveDate,
    pub reason: CoverageReason,
}

impl UncoveredDelivery {
    fn of(row: &DeliveryRow) -> Self {
        UncoveredDelivery {
            delivery_id: row.delivery.id,
            service_id: row.delivery.service_id,
            service_slug: row.service_slug.clone(),
            organization_id: row.delivery.organization_id,
            organization_slug: row.organization_slug.clone(),
            portfolio_id: row.portfolio_id,
            portfolio_slug: row.portfolio_slug.clone(),
            contract_id: row.delivery.contract_id,
            start_date: row.delivery.start_date,
            // The query chose rows without cover; each has its reason.
            reason: row.uncovered.unwrap_or(CoverageReason::NoContract),
        }
    }
}

impl CsvRecord for UncoveredDelivery {
    const HEADER: &'static [&'static str] = &[
        "delivery_id",
        "service_slug",
        "organization_slug",
        "portfolio_slug",
        "contract_id",
        "start_date",
        "reason",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.delivery_id.to_string(),
            self.service_slug.clone(),
            self.organization_slug.clone(),
            cell(&self.portfolio_slug),
            cell(&self.contract_id),
            self.start_date.to_string(),
            self.reason.to_string(),
        ]
    }
}

/// Uncovered deliveries of one portfolio.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioTotal {
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
    pub uncovered: i64,
}

/// The coverage report: the list envelope, and the totals per portfolio.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageReport {
    /// Uncovered active deliveries in the caller's scope, all pages.
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<UncoveredDelivery>,
    /// Uncovered active deliveries per portfolio (of the caller's scope), by slug.
    pub totals: Vec<PortfolioTotal>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {}

impl crate::api::Listing for CoverageQuery {
    const ORDERING: &'static [&'static str] = &["id", "start_date"];
}

#[utoipa::path(
    tag = "reports",
    operation_id = "contractCoverageReport",
    summary = "Active deliveries without valid contract cover (guidelines 4.7)",
    description = "LG, controller, VU, KA: every delivery; TÄ and TS: those of their scope. Reasons: no_contract, contract_terminated, contract_expired, contract_not_started, service_not_covered, organization_mismatch. A fixed number of set-based queries, whatever the number of deliveries.",
    params(crate::api::ListQuery<CoverageQuery>),
    responses(
        (status = 200, description = "OK", content(
            (CoverageReport = "application/json"),
            (String = "text/csv")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/reports/contract-coverage")]
pub async fn contract_coverage(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<CoverageQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (_, listing) = query.into_parts();
    let for_query = listing.page.clone();
    contracts::catch_up_terms(&pool).await?;
    let (count, rows, totals) = crate::api::read_long(&pool, who, move |conn, caller| {
        let reach = caller.reach(Action::ReportRead);
        if reach.is_nowhere() {
            return Err(AppError::forbidden(Action::ReportRead.code()));
        }
        let today = db::today();
        let (totals, rows) = deliveries::uncovered(conn, &reach, &for_query, today)?;
        let count = totals.iter().map(|t| t.uncovered).sum();
        let rows: Vec<UncoveredDelivery> = rows.iter().map(UncoveredDelivery::of).collect();
        Ok((count, rows, totals))
    })
    .await?;
    if listing.csv() {
        return csv_response("contract-coverage.csv", count, &rows);
    }
    let envelope = listing.page.respond(&req, count, rows);
    Ok(HttpResponse::Ok().json(CoverageReport {
        count: envelope.count,
        next: envelope.next,
        previous: envelope.previous,
        results: envelope.results,
        totals: totals
            .into_iter()
            .map(|t| PortfolioTotal {
                portfolio_id: t.portfolio_id,
                portfolio_slug: t.portfolio_slug,
                uncovered: t.uncovered,
            })
            .collect(),
    }))
}
