//! Tjänsteleveranser: one service delivered to one customer, covered (guidelines 4.7) by a
//! customer contract. Lists and the coverage report are set-based: a fixed number of queries
//! whatever the number of deliveries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date};

use super::contracts::Contract;
use super::schema::{
    contract_services, contracts, deliveries, organizations, portfolios, services,
};
use super::scope::service_in_reach;
use super::{DbConnection, Page};
use crate::auth::policy::Reach;
use crate::domain::contract::{ContractKind, CoverageReason};
use crate::error::{AppError, AppResult};

type Backend = <DbConnection as diesel::Connection>::Backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deliveries)]
pub struct Delivery {
    pub id: i64,
    pub service_id: i64,
    pub organization_id: i64,
    pub contract_id: Option<i64>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Delivery {
    /// Not ended: no end date, or one today or later.
    pub fn is_active_on(&self, today: NaiveDate) -> bool {
        self.end_date.is_none_or(|end| end >= today)
    }
}

/// Why a delivery lacks valid cover on `today`, or `None` when it has it. Mirrors
/// [`covered_sql`], which answers the same question for whole lists.
pub fn coverage_reason(
    delivery: &Delivery,
    contract: Option<&Contract>,
    contract_covers_service: bool,
    today: NaiveDate,
) -> Option<CoverageReason> {
    let Some(contract) = contract else {
        return Some(CoverageReason::NoContract);
    };
    if contract.terminated_on.is_some() {
        return Some(CoverageReason::ContractTerminated);
    }
    if contract.current_term_end.is_some_and(|end| end < today) {
        return Some(CoverageReason::ContractExpired);
    }
    if contract.start_date > today {
        return Some(CoverageReason::ContractNotStarted);
    }
    if !contract_covers_service {
        return Some(CoverageReason::ServiceNotCovered);
    }
    if contract.organization_id != delivery.organization_id {
        return Some(CoverageReason::OrganizationMismatch);
    }
    None
}

/// Valid cover on `today`, as SQL over a query that has `deliveries`: a linked customer
/// contract with the delivery's organisation, covering its service, in force today (not
/// terminated, started, its current term not ended). A correlated subquery, which diesel's
/// typed DSL cannot say; the text is standard SQL, the same on both backends.
fn covered_sql(
    today: NaiveDate,
) -> diesel::expression::SqlLiteral<Bool, impl diesel::query_builder::QueryFragment<Backend> + Clone>
{
    sql::<Bool>(
        "EXISTS (SELECT 1 FROM contracts c \
         JOIN contract_services cs ON cs.contract_id = c.id \
         WHERE c.id = deliveries.contract_id \
         AND cs.service_id = deliveries.service_id \
         AND c.organization_id = deliveries.organization_id \
         AND c.terminated_on IS NULL \
         AND c.start_date <= ",
    )
    .bind::<Date, _>(today)
    .sql(" AND (c.current_term_end IS NULL OR c.current_term_end >= ")
    .bind::<Date, _>(today)
    .sql("))")
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Delivery> {
    deliveries::table
        .find(id)
        .select(Delivery::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such delivery."))
}

pub struct NewDelivery {
    pub service_id: i64,
    pub organization_id: i64,
    pub contract_id: Option<i64>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

pub fn insert(conn: &mut DbConnection, new: &NewDelivery) -> AppResult<Delivery> {
    let now = super::now();
    Ok(diesel::insert_into(deliveries::table)
        .values((
            deliveries::service_id.eq(new.service_id),
            deliveries::organization_id.eq(new.organization_id),
            deliveries::contract_id.eq(new.contract_id),
            deliveries::start_date.eq(new.start_date),
            deliveries::end_date.eq(new.end_date),
            deliveries::version.eq(1),
            deliveries::created_at.eq(now),
            deliveries::updated_at.eq(now),
        ))
        .returning(deliveries::all_columns)
        .get_result(conn)?)
}

/// Sets the contract and the end date if the row still has `current.version`.
pub fn update(
    conn: &mut DbConnection,
    current: &Delivery,
    contract_id: Option<i64>,
    end_date: Option<NaiveDate>,
) -> AppResult<Delivery> {
    diesel::update(
        deliveries::table
            .filter(deliveries::id.eq(current.id))
            .filter(deliveries::version.eq(current.version)),
    )
    .set((
        deliveries::contract_id.eq(contract_id),
        deliveries::end_date.eq(end_date),
        deliveries::version.eq(current.version + 1),
        deliveries::updated_at.eq(super::now()),
    ))
    .returning(deliveries::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or_else(super::concurrent_change)
}

/// Active deliveries of a service (the lifecycle's decommissioning rule).
pub fn count_active_of_service(
    conn: &mut DbConnection,
    service_id: i64,
    today: NaiveDate,
) -> AppResult<i64> {
    Ok(deliveries::table
        .filter(deliveries::service_id.eq(service_id))
        .filter(
            deliveries::end_date
                .is_null()
                .or(deliveries::end_date.ge(today)),
        )
        .count()
        .get_result(conn)?)
}

pub fn count_of_organization(conn: &mut DbConnection, organization_id: i64) -> AppResult<i64> {
    Ok(deliveries::table
        .filter(deliveries::organization_id.eq(organization_id))
        .count()
        .get_result(conn)?)
}

/// Does the contract cover the service?
pub fn contract_covers(
    conn: &mut DbConnection,
    contract_id: i64,
    service_id: i64,
) -> AppResult<bool> {
    let n: i64 = contract_services::table
        .filter(contract_services::contract_id.eq(contract_id))
        .filter(contract_services::service_id.eq(service_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

#[derive(Debug, Default, Clone)]
pub struct DeliveryFilter {
    /// Only these deliveries (one view goes through the list query).
    pub ids: Option<Vec<i64>>,
    pub service_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub portfolio_id: Option<i64>,
    pub covered: Option<bool>,
    pub active: Option<bool>,
}

pub const SORT_FIELDS: &[&str] = &["id", "start_date", "end_date", "created_at", "updated_at"];

type Joined = diesel::dsl::InnerJoin<
    diesel::dsl::InnerJoin<deliveries::table, services::table>,
    organizations::table,
>;

/// Deliveries with their service and organisation, filtered, within the caller's reach.
fn filtered(
    filter: &DeliveryFilter,
    reach: &Reach,
    today: NaiveDate,
) -> diesel::dsl::IntoBoxed<'static, Joined, Backend> {
    let mut q = deliveries::table
        .inner_join(services::table)
        .inner_join(organizations::table)
        .into_boxed();
    q = q.filter(service_in_reach(reach));
    if let Some(ids) = &filter.ids {
        q = q.filter(deliveries::id.eq_any(ids.clone()));
    }
    if let Some(id) = filter.service_id {
        q = q.filter(deliveries::service_id.eq(id));
    }
    if let Some(id) = filter.organization_id {
        q = q.filter(deliveries::organization_id.eq(id));
    }
    if let Some(id) = filter.portfolio_id {
        q = q.filter(services::portfolio_id.eq(id));
    }
    let active = || {
        deliveries::end_date
            .is_null()
            .or(deliveries::end_date.ge(today))
    };
    match filter.active {
        Some(true) => q = q.filter(active()),
        Some(false) => q = q.filter(deliveries::end_date.lt(today)),
        None => {}
    }
    // Cover is a question about active deliveries: an ended one is neither.
    match filter.covered {
        Some(true) => q = q.filter(active()).filter(covered_sql(today)),
        Some(false) => {
            q = q
                .filter(active())
                .filter(diesel::dsl::not(covered_sql(today)))
        }
        None => {}
    }
    q
}

/// A delivery with what its views show: service slug and portfolio, organisation slug, the
/// portfolio's slug, and why it lacks cover (if it does).
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub delivery: Delivery,
    pub service_slug: String,
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
    pub organization_slug: String,
    pub uncovered: Option<CoverageReason>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &DeliveryFilter,
    reach: &Reach,
    page: &Page,
    today: NaiveDate,
) -> AppResult<(i64, Vec<DeliveryRow>)> {
    let count = filtered(filter, reach, today).count().get_result(conn)?;
    let q = filtered(filter, reach, today);
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("start_date", false) => q.order(deliveries::start_date.asc()),
        ("start_date", true) => q.order(deliveries::start_date.desc()),
        ("end_date", false) => q.order(deliveries::end_date.asc()),
        ("end_date", true) => q.order(deliveries::end_date.desc()),
        ("created_at", false) => q.order(deliveries::created_at.asc()),
        ("created_at", true) => q.order(deliveries::created_at.desc()),
        ("updated_at", false) => q.order(deliveries::updated_at.asc()),
        ("updated_at", true) => q.order(deliveries::updated_at.desc()),
        (_, true) => q.order(deliveries::id.desc()),
        (_, false) => q.order(deliveries::id.asc()),
    };
    let rows: Vec<(Delivery, String, Option<i64>, String)> = q
        .then_order_by(deliveries::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select((
            Delivery::as_select(),
            services::slug,
            services::portfolio_id,
            organizations::slug,
        ))
        .load(conn)?;
    Ok((count, with_details(conn, rows, today)?))
}

/// Portfolio slugs and coverage reasons for a page: three queries, whatever its length.
fn with_details(
    conn: &mut DbConnection,
    rows: Vec<(Delivery, String, Option<i64>, String)>,
    today: NaiveDate,
) -> AppResult<Vec<DeliveryRow>> {
    let portfolio_ids: Vec<i64> = rows.iter().filter_map(|r| r.2).collect();
    let portfolio_slugs: Vec<(i64, String)> = portfolios::table
        .filter(portfolios::id.eq_any(portfolio_ids))
        .select((portfolios::id, portfolios::slug))
        .load(conn)?;
    let contract_ids: Vec<i64> = rows.iter().filter_map(|r| r.0.contract_id).collect();
    let linked: Vec<Contract> = contracts::table
        .filter(contracts::id.eq_any(&contract_ids))
        .select(Contract::as_select())
        .load(conn)?;
    let covers: Vec<(i64, i64)> = contract_services::table
        .filter(contract_services::contract_id.eq_any(&contract_ids))
        .select((
            contract_services::contract_id,
            contract_services::service_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(delivery, service_slug, portfolio_id, organization_slug)| {
                let contract = delivery
                    .contract_id
                    .and_then(|id| linked.iter().find(|c| c.id == id));
                let covers_service =
                    contract.is_some_and(|c| covers.contains(&(c.id, delivery.service_id)));
                let uncovered = delivery
                    .is_active_on(today)
                    .then(|| coverage_reason(&delivery, contract, covers_service, today))
                    .flatten();
                DeliveryRow {
                    portfolio_slug: portfolio_id.and_then(|p| {
                        portfolio_slugs
                            .iter()
                            .find(|(id, _)| *id == p)
                            .map(|(_, s)| s.clone())
                    }),
                    delivery,
                    service_slug,
                    portfolio_id,
                    organization_slug,
                    uncovered,
                }
            },
        )
        .collect())
}

/// The coverage report's page: active deliveries in reach without valid cover.
pub fn uncovered(
    conn: &mut DbConnection,
    reach: &Reach,
    page: &Page,
    today: NaiveDate,
) -> AppResult<(i64, Vec<DeliveryRow>)> {
    let filter = DeliveryFilter {
        covered: Some(false),
        active: Some(true),
        ..DeliveryFilter::default()
    };
    list(conn, &filter, reach, page, today)
}

/// Uncovered active deliveries of one portfolio (or of none: unplaced services).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioCount {
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
    pub uncovered: i64,
}

/// Uncovered active deliveries in reach per portfolio, by slug: one grouped query and one for
/// the slugs.
pub fn uncovered_per_portfolio(
    conn: &mut DbConnection,
    reach: &Reach,
    today: NaiveDate,
) -> AppResult<Vec<PortfolioCount>> {
    let counts: Vec<(Option<i64>, i64)> = deliveries::table
        .inner_join(services::table)
        .filter(service_in_reach(reach))
        .filter(
            deliveries::end_date
                .is_null()
                .or(deliveries::end_date.ge(today)),
        )
        .filter(diesel::dsl::not(covered_sql(today)))
        .group_by(services::portfolio_id)
        .select((services::portfolio_id, count_star()))
        .load(conn)?;
    let ids: Vec<i64> = counts.iter().filter_map(|(p, _)| *p).collect();
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

/// The customer contracts a delivery may link to: a customer contract of the same organisation,
/// covering the service, in force on `day`. Returns what is wrong, in the API's words.
pub fn link_problem(
    contract: &Contract,
    covers_service: bool,
    organization_id: i64,
    day: NaiveDate,
) -> Option<String> {
    if contract.kind() != ContractKind::Customer {
        return Some("is a supplier contract; deliveries are covered by customer contracts".into());
    }
    if contract.organization_id != organization_id {
        return Some("is a contract with another organization".into());
    }
    if !covers_service {
        return Some("does not cover the delivered service".into());
    }
    if !contract.in_force_on(day) {
        return Some(format!("is not in force on {day}"));
    }
    None
}
