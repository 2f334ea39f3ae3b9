//! The SQL side of the policy's [`Reach`]: which services and which portfolios a scoped list
//! shows. `Caller::may` answers for one object; these filters answer for a whole list, in the
//! query, so that `count` and pagination stay right. They must agree (tests/api/agreement.rs
//! checks them against each other on random data, on both databases).

use diesel::prelude::*;

use super::schema::{portfolios, services};
use super::DbConnection;
use crate::auth::policy::Reach;
use crate::error::AppResult;

type Backend = <DbConnection as diesel::Connection>::Backend;

/// A boolean SQL condition over `services`.
pub type ServiceCondition =
    Box<dyn BoxableExpression<services::table, Backend, SqlType = diesel::sql_types::Bool>>;

/// A boolean SQL condition over `portfolios`.
pub type PortfolioCondition =
    Box<dyn BoxableExpression<portfolios::table, Backend, SqlType = diesel::sql_types::Bool>>;

/// Services whose own objects (the service, its contracts, deliveries, change requests) are in
/// reach: held on the service, or on its current portfolio.
pub fn services_in_reach(reach: &Reach) -> ServiceCondition {
    if reach.everywhere {
        return Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 1"));
    }
    Box::new(
        services::id
            .eq_any(reach.services.clone())
            .or(services::portfolio_id
                .eq_any(reach.portfolios.clone())
                .assume_not_null()),
    )
}

/// Portfolios whose portfolio-wide objects (plans, budget frames) are in reach.
pub fn portfolios_in_reach(reach: &Reach) -> PortfolioCondition {
    if reach.everywhere {
        return Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 1"));
    }
    Box::new(portfolios::id.eq_any(reach.portfolio_wide.clone()))
}

/// The ids of the services in reach (for tests and small lookups).
pub fn service_ids(conn: &mut DbConnection, reach: &Reach) -> AppResult<Vec<i64>> {
    Ok(services::table
        .filter(services_in_reach(reach))
        .select(services::id)
        .order(services::id)
        .load(conn)?)
}

/// The ids of the portfolios in reach.
pub fn portfolio_ids(conn: &mut DbConnection, reach: &Reach) -> AppResult<Vec<i64>> {
    Ok(portfolios::table
        .filter(portfolios_in_reach(reach))
        .select(portfolios::id)
        .order(portfolios::id)
        .load(conn)?)
}
