//! The management group's reviews of the service architecture and the IT environment
//! (guidelines 4.1: kept documented and current).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::schema::{architecture_reviews, information_systems, services};
use super::super::timestamps::Stored;
use super::super::{DbConnection, Page};
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = architecture_reviews)]
pub struct ArchitectureReview {
    pub id: i64,
    pub note: Option<String>,
    pub reviewed_by: String,
    #[diesel(deserialize_as = Stored)]
    pub reviewed_at: NaiveDateTime,
    /// How many systems and services the reviewed document held.
    pub information_systems: i64,
    pub services: i64,
}

/// Recorded now, with the size of what was reviewed.
pub fn record(
    conn: &mut DbConnection,
    note: Option<&str>,
    by: &str,
) -> AppResult<ArchitectureReview> {
    let systems: i64 = information_systems::table.count().get_result(conn)?;
    let service_count: i64 = services::table.count().get_result(conn)?;
    Ok(diesel::insert_into(architecture_reviews::table)
        .values((
            architecture_reviews::note.eq(note),
            architecture_reviews::reviewed_by.eq(by),
            architecture_reviews::reviewed_at.eq(super::super::now()),
            architecture_reviews::information_systems.eq(systems),
            architecture_reviews::services.eq(service_count),
        ))
        .returning(architecture_reviews::all_columns)
        .get_result(conn)?)
}

/// The reviews, latest first.
pub fn list_reviews(
    conn: &mut DbConnection,
    page: &Page,
) -> AppResult<(i64, Vec<ArchitectureReview>)> {
    let count = architecture_reviews::table.count().get_result(conn)?;
    let rows = architecture_reviews::table
        .order((
            architecture_reviews::reviewed_at.desc(),
            architecture_reviews::id.desc(),
        ))
        .limit(page.limit)
        .offset(page.offset)
        .select(ArchitectureReview::as_select())
        .load(conn)?;
    Ok((count, rows))
}

/// When the management group last reviewed, if ever.
pub fn last_review(conn: &mut DbConnection) -> AppResult<Option<NaiveDateTime>> {
    let at: Option<NaiveDateTime> = architecture_reviews::table
        .select(diesel::dsl::max(architecture_reviews::reviewed_at))
        .first(conn)?;
    Ok(at)
}
