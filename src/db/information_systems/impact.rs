//! What the impact of a system shows of the services it reaches, and their people.

use diesel::prelude::*;

use super::super::DbConnection;
use crate::error::AppResult;

/// A service as the impact shows it, with its portfolio's slug.
#[derive(Debug, Clone, Queryable)]
pub struct ImpactedService {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub lifecycle: String,
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
}

pub fn impacted_services(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<ImpactedService>> {
    use super::super::schema::{portfolios, services};
    super::super::in_pieces(ids, |ids| {
        Ok(services::table
            .left_join(portfolios::table)
            .filter(services::id.eq_any(ids))
            .select((
                services::id,
                services::slug,
                services::name,
                services::lifecycle,
                services::portfolio_id,
                portfolios::slug.nullable(),
            ))
            .load(conn)?)
    })
}

/// An active holder: on a portfolio or on a service, by `sub`.
pub type Holder = (Option<i64>, Option<i64>, String);

/// The active holders of `roles` on these portfolios and these services, in order of
/// appointment.
pub fn holders(
    conn: &mut DbConnection,
    roles: &[String],
    portfolio_ids: &[i64],
    service_ids: &[i64],
) -> AppResult<Vec<Holder>> {
    use super::super::schema::{people, role_assignments};
    let active = || {
        role_assignments::table
            .inner_join(people::table)
            .filter(role_assignments::ended_at.is_null())
            .filter(role_assignments::role.eq_any(roles.to_vec()))
            .order(role_assignments::id)
            .select((
                role_assignments::portfolio_id,
                role_assignments::service_id,
                people::sub,
            ))
    };
    let mut out = super::super::in_pieces(portfolio_ids, |ids| {
        Ok(active()
            .filter(role_assignments::portfolio_id.eq_any(ids))
            .load(conn)?)
    })?;
    out.extend(super::super::in_pieces(service_ids, |ids| {
        Ok(active()
            .filter(role_assignments::service_id.eq_any(ids))
            .load(conn)?)
    })?);
    Ok(out)
}

/// The ids of the services in `lifecycle` (an impact narrowed to them).
pub fn services_in_lifecycle(
    conn: &mut DbConnection,
    lifecycle: crate::domain::lifecycle::Lifecycle,
) -> AppResult<std::collections::HashSet<i64>> {
    use super::super::schema::services;
    Ok(services::table
        .filter(services::lifecycle.eq(lifecycle.as_str()))
        .select(services::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}
