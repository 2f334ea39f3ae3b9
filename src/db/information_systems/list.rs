//! The list of information systems: its filters and orderings.

use diesel::prelude::*;

use super::super::schema::{information_systems, service_dependencies, services};
use super::super::{like_pattern, DbConnection, Page};
use super::InformationSystem;
use crate::domain::it::{Hosting, SystemKind, SystemLifecycle};
use crate::error::AppResult;

type Backend = <DbConnection as diesel::Connection>::Backend;

#[derive(Debug, Default)]
pub struct SystemFilter {
    pub kind: Option<SystemKind>,
    pub lifecycle: Option<SystemLifecycle>,
    pub hosting: Option<Hosting>,
    pub supplier_id: Option<i64>,
    /// Systems this service depends on directly.
    pub used_by: Option<i64>,
    /// Systems a service of this portfolio depends on directly.
    pub portfolio_id: Option<i64>,
    pub responsible: Option<String>,
    pub q: Option<String>,
}

pub const SORT_FIELDS: &[&str] = &["slug", "name", "reviewed_at", "created_at"];

fn filtered(filter: &SystemFilter) -> information_systems::BoxedQuery<'static, Backend> {
    let mut q = information_systems::table.into_boxed();
    if let Some(k) = filter.kind {
        q = q.filter(information_systems::kind.eq(k.as_str()));
    }
    if let Some(l) = filter.lifecycle {
        q = q.filter(information_systems::lifecycle.eq(l.as_str()));
    }
    if let Some(h) = filter.hosting {
        q = q.filter(information_systems::hosting.eq(h.as_str()));
    }
    if let Some(s) = filter.supplier_id {
        q = q.filter(information_systems::supplier_id.eq(s));
    }
    if let Some(s) = filter.used_by {
        q = q.filter(
            information_systems::id.eq_any(
                service_dependencies::table
                    .filter(service_dependencies::service_id.eq(s))
                    .select(service_dependencies::information_system_id),
            ),
        );
    }
    if let Some(p) = filter.portfolio_id {
        q = q.filter(
            information_systems::id.eq_any(
                service_dependencies::table
                    .inner_join(services::table)
                    .filter(services::portfolio_id.eq(p))
                    .select(service_dependencies::information_system_id),
            ),
        );
    }
    if let Some(r) = &filter.responsible {
        q = q.filter(information_systems::responsible.eq(r.clone()));
    }
    if let Some(text) = &filter.q {
        q = q.filter(
            information_systems::search_text
                .like(like_pattern(text))
                .escape('\\'),
        );
    }
    q
}

pub fn list(
    conn: &mut DbConnection,
    filter: &SystemFilter,
    page: &Page,
) -> AppResult<(i64, Vec<InformationSystem>)> {
    let count = filtered(filter).count().get_result(conn)?;
    let q = filtered(filter);
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("name", false) => q.order(information_systems::name.asc()),
        ("name", true) => q.order(information_systems::name.desc()),
        ("reviewed_at", false) => q.order(information_systems::reviewed_at.asc()),
        ("reviewed_at", true) => q.order(information_systems::reviewed_at.desc()),
        ("created_at", false) => q.order(information_systems::created_at.asc()),
        ("created_at", true) => q.order(information_systems::created_at.desc()),
        (_, true) => q.order(information_systems::slug.desc()),
        (_, false) => q.order(information_systems::slug.asc()),
    };
    let rows = q
        .then_order_by(information_systems::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(InformationSystem::as_select())
        .load(conn)?;
    Ok((count, rows))
}

/// The services that depend on the system directly, with their portfolios (an update's scope).
pub fn dependant_portfolios(conn: &mut DbConnection, system: i64) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = service_dependencies::table
        .inner_join(services::table)
        .filter(service_dependencies::information_system_id.eq(system))
        .filter(services::portfolio_id.is_not_null())
        .select(services::portfolio_id.assume_not_null())
        .distinct()
        .load(conn)?;
    ids.sort_unstable();
    Ok(ids)
}

/// Every system, by slug (the architecture document).
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<InformationSystem>> {
    Ok(information_systems::table
        .order(information_systems::slug)
        .select(InformationSystem::as_select())
        .load(conn)?)
}

/// Every service's dependencies: (service, system, criticality), in order.
pub fn all_service_edges(conn: &mut DbConnection) -> AppResult<Vec<(i64, i64, String)>> {
    Ok(service_dependencies::table
        .order((
            service_dependencies::service_id,
            service_dependencies::information_system_id,
        ))
        .select((
            service_dependencies::service_id,
            service_dependencies::information_system_id,
            service_dependencies::criticality,
        ))
        .load(conn)?)
}

/// Every system's dependencies: (system, the system it depends on), in order.
pub fn all_system_edges(conn: &mut DbConnection) -> AppResult<Vec<(i64, i64)>> {
    use super::super::schema::system_dependencies;
    Ok(system_dependencies::table
        .order((
            system_dependencies::information_system_id,
            system_dependencies::depends_on_id,
        ))
        .select((
            system_dependencies::information_system_id,
            system_dependencies::depends_on_id,
        ))
        .load(conn)?)
}
