//! The deliveries without valid contract cover, by reason, and their count per portfolio.

use super::*;
use crate::db::schema::{contracts, deliveries, portfolios, services};
use crate::db::scope::services_in_reach;
use crate::db::{DbConnection, Page};
use crate::domain::access::Reach;
use crate::error::AppResult;
use chrono::NaiveDate;
use diesel::dsl::count_star;

pub(super) fn uncovered_filter() -> DeliveryFilter {
    DeliveryFilter {
        covered: Some(false),
        active: Some(true),
        ..DeliveryFilter::default()
    }
}

/// The coverage report: active deliveries in reach without valid cover, one page of them, and
/// their number per portfolio (whose sum is the report's count).
pub fn uncovered(
    conn: &mut DbConnection,
    reach: &Reach,
    page: &Page,
    today: NaiveDate,
) -> AppResult<(Vec<PortfolioCount>, Vec<DeliveryRow>)> {
    let totals = uncovered_per_portfolio(conn, reach, today)?;
    let rows = page_of(conn, &uncovered_filter(), reach, page, today)?;
    Ok((totals, rows))
}

/// Every active delivery in reach without valid cover on `today` (the event scan, the
/// governance findings).
pub fn all_uncovered(
    conn: &mut DbConnection,
    reach: &Reach,
    today: NaiveDate,
) -> AppResult<Vec<DeliveryRow>> {
    let page = Page {
        limit: i64::MAX,
        offset: 0,
        sort: crate::db::Sort {
            field: "id".into(),
            descending: false,
        },
    };
    page_of(conn, &uncovered_filter(), reach, &page, today)
}

/// Uncovered active deliveries of one portfolio (or of none: unplaced services).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioCount {
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
    pub uncovered: i64,
}

/// How many service ids one lookup binds (both backends' limits are far above).
pub(super) const LOOKUP_CHUNK: usize = 10_000;

/// Uncovered active deliveries in reach per portfolio, by slug: one pass over the deliveries
/// grouped by service, then the services' portfolios and the portfolios' slugs.
pub(super) fn uncovered_per_portfolio(
    conn: &mut DbConnection,
    reach: &Reach,
    today: NaiveDate,
) -> AppResult<Vec<PortfolioCount>> {
    // The same conditions as `filtered(&uncovered_filter(), …)`, unboxed: diesel groups only
    // queries it can still type.
    let per_service: Vec<(i64, i64)> = deliveries::table
        .left_join(contracts::table)
        .filter(deliveries::service_id.eq_any(services_in_reach(reach)))
        .filter(
            deliveries::end_date
                .is_null()
                .or(deliveries::end_date.ge(today)),
        )
        .filter(diesel::dsl::not(covered_sql(today)))
        .group_by(deliveries::service_id)
        .select((deliveries::service_id, count_star()))
        .load(conn)?;
    let mut portfolio_of: Vec<(i64, Option<i64>)> = Vec::with_capacity(per_service.len());
    for chunk in per_service.chunks(LOOKUP_CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|(s, _)| *s).collect();
        portfolio_of.extend(
            services::table
                .filter(services::id.eq_any(ids))
                .select((services::id, services::portfolio_id))
                .load::<(i64, Option<i64>)>(conn)?,
        );
    }
    portfolio_of.sort_unstable();
    let mut counts: std::collections::BTreeMap<Option<i64>, i64> = Default::default();
    for (service, n) in per_service {
        let portfolio = portfolio_of
            .binary_search_by_key(&service, |(s, _)| *s)
            .ok()
            .and_then(|i| portfolio_of[i].1);
        *counts.entry(portfolio).or_default() += n;
    }
    let ids: Vec<i64> = counts.keys().flatten().copied().collect();
    let slugs: Vec<(i64, String)> = portfolios::table
        .filter(portfolios::id.eq_any(ids))
        .select((portfolios::id, portfolios::slug))
        .load(conn)?;
    let mut totals: Vec<PortfolioCount> = counts
        .into_iter()
        .map(|(portfolio_id, uncovered)| PortfolioCount {
            portfolio_slug: portfolio_id.and_then(|p| {
                slugs
                    .iter()
                    .find(|(id, _)| *id == p)
                    .map(|(_, s)| s.clone())
            }),
            portfolio_id,
            uncovered,
        })
        .collect();
    totals.sort_by(|a, b| a.portfolio_slug.cmp(&b.portfolio_slug));
    Ok(totals)
}
