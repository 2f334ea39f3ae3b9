//! Tjänsteleveranser: one service delivered to one customer, covered (guidelines 4.7) by a
//! customer contract. Lists and the coverage report are set-based: a fixed number of queries
//! whatever the number of deliveries.

mod coverage;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date};

use crate::db::contracts::Contract;
use crate::db::schema::{
    contract_services, contracts, deliveries, organizations, portfolios, services,
};
use crate::db::scope::services_in_reach;
use crate::db::{DbConnection, Page};
use crate::domain::access::Reach;
use crate::domain::contract::{ContractKind, CoverageReason};
use crate::error::{AppError, AppResult};

pub use coverage::*;

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
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
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

/// Valid cover on `today`, as SQL over `deliveries LEFT JOIN contracts`: a linked contract
/// with the delivery's organisation, in force today (not terminated, started, its current term
/// not ended), covering the delivered service. The last part is a correlated subquery, which
/// diesel's typed DSL cannot say; the text is standard SQL, the same on both backends, and its
/// negation is exact (no NULL survives the first conjunct). [`coverage_reason`] says the same
/// for one row.
fn covered_sql(
    today: NaiveDate,
) -> diesel::expression::SqlLiteral<Bool, impl diesel::query_builder::QueryFragment<Backend> + Clone>
{
    sql::<Bool>(
        "(contracts.id IS NOT NULL \
         AND contracts.organization_id = deliveries.organization_id \
         AND contracts.terminated_on IS NULL \
         AND contracts.start_date <= ",
    )
    .bind::<Date, _>(today)
    .sql(" AND (contracts.current_term_end IS NULL OR contracts.current_term_end >= ")
    .bind::<Date, _>(today)
    .sql(
        ") AND EXISTS (SELECT 1 FROM contract_services cs \
         WHERE cs.contract_id = contracts.id AND cs.service_id = deliveries.service_id))",
    )
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Delivery> {
    deliveries::table
        .find(id)
        .select(Delivery::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such delivery."))
}

/// A delivery as created; the columns it is written to.
#[derive(Insertable)]
#[diesel(table_name = deliveries, treat_none_as_default_value = false)]
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
            new,
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
    crate::db::update_versioned!(
        conn,
        deliveries,
        current,
        (
            deliveries::contract_id.eq(contract_id),
            deliveries::end_date.eq(end_date),
        )
    )
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

type Joined = diesel::dsl::LeftJoin<deliveries::table, contracts::table>;

/// Deliveries joined to their contract, filtered, within the caller's reach. The scan is driven
/// by `deliveries` (services and organisations are looked up for the page only), so a filter
/// over 100,000 deliveries costs one pass with two primary-key probes per row.
fn filtered(
    filter: &DeliveryFilter,
    reach: &Reach,
    today: NaiveDate,
) -> diesel::dsl::IntoBoxed<'static, Joined, Backend> {
    let mut q = deliveries::table.left_join(contracts::table).into_boxed();
    if !reach.everywhere {
        q = q.filter(deliveries::service_id.eq_any(services_in_reach(reach)));
    }
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
        q = q.filter(
            deliveries::service_id.eq_any(
                services::table
                    .filter(services::portfolio_id.eq(id))
                    .select(services::id),
            ),
        );
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
    /// The linked contract's reference.
    pub contract_reference: Option<String>,
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
    Ok((count, page_of(conn, filter, reach, page, today)?))
}

/// One page of the filtered deliveries, with their details.
fn page_of(
    conn: &mut DbConnection,
    filter: &DeliveryFilter,
    reach: &Reach,
    page: &Page,
    today: NaiveDate,
) -> AppResult<Vec<DeliveryRow>> {
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
    let rows: Vec<(Delivery, Option<Contract>)> = q
        .then_order_by(deliveries::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select((Delivery::as_select(), Option::<Contract>::as_select()))
        .load(conn)?;
    with_details(conn, rows, today)
}

/// Services, organisations, portfolios and cover of a page: four queries, whatever its length.
fn with_details(
    conn: &mut DbConnection,
    rows: Vec<(Delivery, Option<Contract>)>,
    today: NaiveDate,
) -> AppResult<Vec<DeliveryRow>> {
    let service_ids: Vec<i64> = rows.iter().map(|(d, _)| d.service_id).collect();
    let services_of_page: Vec<(i64, String, Option<i64>)> = services::table
        .filter(services::id.eq_any(&service_ids))
        .select((services::id, services::slug, services::portfolio_id))
        .load(conn)?;
    let organization_ids: Vec<i64> = rows.iter().map(|(d, _)| d.organization_id).collect();
    let organization_slugs: Vec<(i64, String)> = organizations::table
        .filter(organizations::id.eq_any(organization_ids))
        .select((organizations::id, organizations::slug))
        .load(conn)?;
    let portfolio_ids: Vec<i64> = services_of_page.iter().filter_map(|s| s.2).collect();
    let portfolio_slugs: Vec<(i64, String)> = portfolios::table
        .filter(portfolios::id.eq_any(portfolio_ids))
        .select((portfolios::id, portfolios::slug))
        .load(conn)?;
    let contract_ids: Vec<i64> = rows.iter().filter_map(|(d, _)| d.contract_id).collect();
    let covers: Vec<(i64, i64)> = contract_services::table
        .filter(contract_services::contract_id.eq_any(&contract_ids))
        .select((
            contract_services::contract_id,
            contract_services::service_id,
        ))
        .load(conn)?;
    let slug_of = |list: &[(i64, String)], id: i64| {
        list.iter().find(|(i, _)| *i == id).map(|(_, s)| s.clone())
    };
    Ok(rows
        .into_iter()
        .map(|(delivery, contract)| {
            let (service_slug, portfolio_id) = services_of_page
                .iter()
                .find(|(id, _, _)| *id == delivery.service_id)
                .map(|(_, slug, p)| (slug.clone(), *p))
                .unwrap_or_default();
            let covers_service = contract
                .as_ref()
                .is_some_and(|c| covers.contains(&(c.id, delivery.service_id)));
            let uncovered = delivery
                .is_active_on(today)
                .then(|| coverage_reason(&delivery, contract.as_ref(), covers_service, today))
                .flatten();
            DeliveryRow {
                contract_reference: contract.as_ref().map(|c| c.reference.clone()),
                portfolio_slug: portfolio_id.and_then(|p| slug_of(&portfolio_slugs, p)),
                organization_slug: slug_of(&organization_slugs, delivery.organization_id)
                    .unwrap_or_default(),
                delivery,
                service_slug,
                portfolio_id,
                uncovered,
            }
        })
        .collect())
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
