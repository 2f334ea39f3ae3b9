//! Imports: what each import of a file did (its counts, and each row's outcome), kept for
//! `GET /api/v1/imports/{id}`; the audit events of its changes carry its id.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

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

/// The id, slug and portfolio of the services with these slugs (an import's references, in
/// chunks of [`super::IN_CHUNK`]).
pub fn service_places(
    conn: &mut DbConnection,
    slugs: &[String],
) -> AppResult<Vec<(i64, String, Option<i64>)>> {
    let mut found = Vec::new();
    for chunk in slugs.chunks(super::IN_CHUNK) {
        found.extend(
            services::table
                .filter(services::slug.eq_any(chunk))
                .select((services::id, services::slug, services::portfolio_id))
                .load::<(i64, String, Option<i64>)>(conn)?,
        );
    }
    Ok(found)
}

/// The services with these slugs.
pub fn services_named(conn: &mut DbConnection, slugs: &[String]) -> AppResult<Vec<Service>> {
    let mut found = Vec::new();
    for chunk in slugs.chunks(super::IN_CHUNK) {
        found.extend(
            services::table
                .filter(services::slug.eq_any(chunk))
                .select(Service::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// The id and slug of the information systems with these slugs.
pub fn systems_named(conn: &mut DbConnection, slugs: &[String]) -> AppResult<Vec<(i64, String)>> {
    use super::schema::information_systems as systems;
    let mut found = Vec::new();
    for chunk in slugs.chunks(super::IN_CHUNK) {
        found.extend(
            systems::table
                .filter(systems::slug.eq_any(chunk))
                .select((systems::id, systems::slug))
                .load::<(i64, String)>(conn)?,
        );
    }
    Ok(found)
}

/// How many active (not ended by `today`) deliveries each of these services has, where any.
pub fn active_deliveries(
    conn: &mut DbConnection,
    service_ids: &[i64],
    today: NaiveDate,
) -> AppResult<Vec<(i64, i64)>> {
    use super::schema::deliveries;
    let mut found = Vec::new();
    for chunk in service_ids.chunks(super::IN_CHUNK) {
        found.extend(
            deliveries::table
                .filter(deliveries::service_id.eq_any(chunk))
                .filter(
                    deliveries::end_date
                        .is_null()
                        .or(deliveries::end_date.ge(today)),
                )
                .group_by(deliveries::service_id)
                .select((deliveries::service_id, diesel::dsl::count_star()))
                .load::<(i64, i64)>(conn)?,
        );
    }
    Ok(found)
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
