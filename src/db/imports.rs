//! Imports: what each import of a file did (its counts, and each row's outcome), kept for
//! `GET /api/v1/imports/{id}`; the audit events of its changes carry its id.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::contracts::Contract;
use super::deliveries::Delivery;
use super::information_systems::InformationSystem;
use super::organizations::Organization;
use super::role_assignments::{Held, RoleAssignment};
use super::schema::{imports, services};
use super::services::Service;
use super::timestamps::Stored;
use super::DbConnection;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct Import {
    pub id: i64,
    pub kind: String,
    pub format: String,
    pub imported_by: String,
    pub request_id: Option<String>,
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// A JSON array of `{"row", "outcome", "object_id"}`.
    pub outcomes: String,
    #[diesel(deserialize_as = Stored)]
    pub imported_at: NaiveDateTime,
}

/// An import about to be applied: its counts are known before its rows are written.
#[derive(Debug, Clone)]
pub struct NewImport<'a> {
    pub kind: &'a str,
    pub format: &'a str,
    pub imported_by: &'a str,
    pub request_id: &'a str,
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
}

/// Records the import (its rows' outcomes follow with [`set_outcomes`]).
pub fn insert(conn: &mut DbConnection, new: &NewImport) -> AppResult<Import> {
    Ok(diesel::insert_into(imports::table)
        .values((
            imports::kind.eq(new.kind),
            imports::format.eq(new.format),
            imports::imported_by.eq(new.imported_by),
            imports::request_id.eq(new.request_id),
            imports::rows.eq(new.rows),
            imports::created.eq(new.created),
            imports::updated.eq(new.updated),
            imports::unchanged.eq(new.unchanged),
            imports::outcomes.eq("[]"),
            imports::imported_at.eq(super::now()),
        ))
        .returning(imports::all_columns)
        .get_result(conn)?)
}

/// What each row did, once the rows are written (the ids of created objects are known then).
pub fn set_outcomes(conn: &mut DbConnection, id: i64, outcomes: &str) -> AppResult<()> {
    diesel::update(imports::table.find(id))
        .set(imports::outcomes.eq(outcomes))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Import> {
    imports::table
        .find(id)
        .select(Import::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such import."))
}

/// The id, slug and portfolio of the services with these slugs (an import's references).
pub fn service_places(
    conn: &mut DbConnection,
    slugs: &[String],
) -> AppResult<Vec<(i64, String, Option<i64>)>> {
    super::in_pieces(slugs, |chunk| {
        Ok(services::table
            .filter(services::slug.eq_any(chunk))
            .select((services::id, services::slug, services::portfolio_id))
            .load::<(i64, String, Option<i64>)>(conn)?)
    })
}

/// The services with these slugs.
pub fn services_named(conn: &mut DbConnection, slugs: &[String]) -> AppResult<Vec<Service>> {
    super::in_pieces(slugs, |chunk| {
        Ok(services::table
            .filter(services::slug.eq_any(chunk))
            .select(Service::as_select())
            .load(conn)?)
    })
}

/// The id and slug of the information systems with these slugs.
pub fn systems_named(conn: &mut DbConnection, slugs: &[String]) -> AppResult<Vec<(i64, String)>> {
    use super::schema::information_systems as systems;
    super::in_pieces(slugs, |chunk| {
        Ok(systems::table
            .filter(systems::slug.eq_any(chunk))
            .select((systems::id, systems::slug))
            .load::<(i64, String)>(conn)?)
    })
}

/// How many active (not ended by `today`) deliveries each of these services has, where any.
pub fn active_deliveries(
    conn: &mut DbConnection,
    service_ids: &[i64],
    today: NaiveDate,
) -> AppResult<Vec<(i64, i64)>> {
    use super::schema::deliveries;
    super::in_pieces(service_ids, |chunk| {
        Ok(deliveries::table
            .filter(deliveries::service_id.eq_any(chunk))
            .filter(
                deliveries::end_date
                    .is_null()
                    .or(deliveries::end_date.ge(today)),
            )
            .group_by(deliveries::service_id)
            .select((deliveries::service_id, diesel::dsl::count_star()))
            .load::<(i64, i64)>(conn)?)
    })
}

/// The deliveries of these services, each with its linked contract.
pub fn deliveries_of(
    conn: &mut DbConnection,
    service_ids: &[i64],
) -> AppResult<Vec<(Delivery, Option<Contract>)>> {
    use super::schema::{contracts, deliveries};
    super::in_pieces(service_ids, |chunk| {
        Ok(deliveries::table
            .left_join(contracts::table)
            .filter(deliveries::service_id.eq_any(chunk))
            .select((Delivery::as_select(), Option::<Contract>::as_select()))
            .load::<(Delivery, Option<Contract>)>(conn)?)
    })
}

/// The id and sub of the people with these subs.
pub fn people_named(conn: &mut DbConnection, subs: &[String]) -> AppResult<Vec<(i64, String)>> {
    use super::schema::people;
    super::in_pieces(subs, |chunk| {
        Ok(people::table
            .filter(people::sub.eq_any(chunk))
            .select((people::id, people::sub))
            .load::<(i64, String)>(conn)?)
    })
}

/// Every assignment (active and ended) of these people, with its holder.
pub fn assignments_of(conn: &mut DbConnection, person_ids: &[i64]) -> AppResult<Vec<Held>> {
    use super::schema::{people, role_assignments};
    let rows = super::in_pieces(person_ids, |chunk| {
        Ok(role_assignments::table
            .inner_join(people::table)
            .filter(role_assignments::person_id.eq_any(chunk))
            .select((RoleAssignment::as_select(), people::sub, people::name))
            .load::<(RoleAssignment, String, Option<String>)>(conn)?)
    })?;
    Ok(rows
        .into_iter()
        .map(|(assignment, sub, name)| Held {
            assignment,
            sub,
            name,
        })
        .collect())
}

/// How many active holders a role has on a place: (role, portfolio, service, holders).
pub type Holders = (String, Option<i64>, Option<i64>, i64);

/// How many active holders each role has on these portfolios and services.
pub fn active_holders(
    conn: &mut DbConnection,
    portfolio_ids: &[i64],
    service_ids: &[i64],
) -> AppResult<Vec<Holders>> {
    use super::schema::role_assignments as ra;
    let active = || {
        ra::table
            .filter(ra::ended_at.is_null())
            .group_by((ra::role, ra::portfolio_id, ra::service_id))
            .select((
                ra::role,
                ra::portfolio_id,
                ra::service_id,
                diesel::dsl::count_star(),
            ))
    };
    let mut found = super::in_pieces(portfolio_ids, |chunk| {
        Ok(active()
            .filter(ra::portfolio_id.eq_any(chunk))
            .load::<Holders>(conn)?)
    })?;
    found.extend(super::in_pieces(service_ids, |chunk| {
        Ok(active()
            .filter(ra::service_id.eq_any(chunk))
            .load::<Holders>(conn)?)
    })?);
    Ok(found)
}

/// The information systems with these slugs.
pub fn systems_with_slugs(
    conn: &mut DbConnection,
    slugs: &[String],
) -> AppResult<Vec<InformationSystem>> {
    use super::schema::information_systems as systems;
    super::in_pieces(slugs, |chunk| {
        Ok(systems::table
            .filter(systems::slug.eq_any(chunk))
            .select(InformationSystem::as_select())
            .load(conn)?)
    })
}

/// (system, portfolio) for each portfolio with a service that depends on one of these systems.
pub fn dependant_portfolios(
    conn: &mut DbConnection,
    system_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    use super::schema::service_dependencies as deps;
    super::in_pieces(system_ids, |chunk| {
        Ok(deps::table
            .inner_join(services::table)
            .filter(deps::information_system_id.eq_any(chunk))
            .filter(services::portfolio_id.is_not_null())
            .select((
                deps::information_system_id,
                services::portfolio_id.assume_not_null(),
            ))
            .distinct()
            .load::<(i64, i64)>(conn)?)
    })
}

/// The organizations with these ids.
pub fn organizations_with_ids(
    conn: &mut DbConnection,
    ids: &[i64],
) -> AppResult<Vec<Organization>> {
    use super::schema::organizations;
    super::in_pieces(ids, |chunk| {
        Ok(organizations::table
            .filter(organizations::id.eq_any(chunk))
            .select(Organization::as_select())
            .load(conn)?)
    })
}

/// The contracts with these ids.
pub fn contracts_with_ids(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<Contract>> {
    use super::schema::contracts;
    super::in_pieces(ids, |chunk| {
        Ok(contracts::table
            .filter(contracts::id.eq_any(chunk))
            .select(Contract::as_select())
            .load(conn)?)
    })
}

/// Every dependency of a system on another: (edge, system, on).
pub fn system_edges(conn: &mut DbConnection) -> AppResult<Vec<(i64, i64, i64)>> {
    use super::schema::system_dependencies as edges;
    Ok(edges::table
        .select((
            edges::id,
            edges::information_system_id,
            edges::depends_on_id,
        ))
        .load(conn)?)
}

/// How many portfolios, services, organizations, contracts and people the database holds
/// (`forvaltning demo` fills only a database without any).
pub fn contents(conn: &mut DbConnection) -> AppResult<Vec<(&'static str, i64)>> {
    use super::schema::{contracts, organizations, people, portfolios};
    Ok(vec![
        ("portfolios", portfolios::table.count().get_result(conn)?),
        ("services", services::table.count().get_result(conn)?),
        (
            "organizations",
            organizations::table.count().get_result(conn)?,
        ),
        ("contracts", contracts::table.count().get_result(conn)?),
        ("people", people::table.count().get_result(conn)?),
    ])
}

/// PostgreSQL: statistics of `tables` as this transaction sees them. An import's one
/// transaction grows tables the planner may know as (nearly) empty, and would check every
/// foreign key by a scan of the whole table; every so many rows it tells the planner again.
pub fn refresh_statistics(conn: &mut DbConnection, tables: &[&str]) -> AppResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        if !tables.is_empty() {
            diesel::sql_query(format!("ANALYZE {}", tables.join(", "))).execute(pg)?;
        }
    }
    Ok(())
}
