//! The SQL side of the policy's [`Reach`]: which services and which portfolios a scoped list
//! shows. `Caller::may` answers for one object; these filters answer for a whole list, in the
//! query, so that `count` and pagination stay right. They must agree (tests/api/agreement.rs
//! checks them against each other on random data, on both databases).

use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::schema::{portfolios, services};
use super::DbConnection;
use crate::domain::access::Reach;
use crate::error::AppResult;

/// Services whose own objects (the service, its contracts, deliveries, change requests) are
/// in reach: held on the service, or on its current portfolio. A condition for queries that
/// have `services` in their FROM clause.
#[diesel::dsl::auto_type]
pub fn service_in_reach(reach: &Reach) -> _ {
    let everywhere: bool = reach.everywhere;
    let held: Vec<i64> = reach.services.clone();
    let portfolios: Vec<i64> = reach.portfolios.clone();
    services::id
        .eq_any(held)
        .or(services::portfolio_id.eq_any(portfolios).assume_not_null())
        .or(everywhere.into_sql::<Bool>())
}

/// The ids of the services in reach, as a subselect for `eq_any` in queries without `services`
/// (diesel cannot alias a table that appears twice).
#[diesel::dsl::auto_type(no_type_alias)]
pub fn services_in_reach(reach: &Reach) -> _ {
    let condition: service_in_reach = service_in_reach(reach);
    services::table.filter(condition).select(services::id)
}

/// Portfolios whose portfolio-wide objects (plans, budget frames) are in reach.
#[diesel::dsl::auto_type]
pub fn portfolio_in_reach(reach: &Reach) -> _ {
    let everywhere: bool = reach.everywhere;
    let wide: Vec<i64> = reach.portfolio_wide.clone();
    portfolios::id
        .eq_any(wide)
        .or(everywhere.into_sql::<Bool>())
}

/// The ids of the portfolios in reach, as a subselect for `eq_any`.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn portfolios_in_reach(reach: &Reach) -> _ {
    let condition: portfolio_in_reach = portfolio_in_reach(reach);
    portfolios::table.filter(condition).select(portfolios::id)
}

/// The ids of the services in reach, in order.
pub fn service_ids(conn: &mut DbConnection, reach: &Reach) -> AppResult<Vec<i64>> {
    Ok(services::table
        .filter(service_in_reach(reach))
        .select(services::id)
        .order(services::id)
        .load(conn)?)
}

/// The ids of the portfolios in reach, in order.
pub fn portfolio_ids(conn: &mut DbConnection, reach: &Reach) -> AppResult<Vec<i64>> {
    Ok(portfolios::table
        .filter(portfolio_in_reach(reach))
        .select(portfolios::id)
        .order(portfolios::id)
        .load(conn)?)
}
