//! The number of rows of a large table, kept by triggers (migration `row_counts`): the `count`
//! of an unfiltered list read from 64 small rows instead of a pass over the table.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::row_counts;
use super::DbConnection;
use crate::error::AppResult;

/// A table whose rows are counted.
#[derive(Debug, Clone, Copy)]
pub enum Counted {
    Services,
    People,
    RoleAssignments,
}

impl Counted {
    fn table_name(self) -> &'static str {
        match self {
            Counted::Services => "services",
            Counted::People => "people",
            Counted::RoleAssignments => "role_assignments",
        }
    }
}

/// How many rows `table` has, exactly, as this connection sees it.
pub fn rows(conn: &mut DbConnection, table: Counted) -> AppResult<i64> {
    Ok(row_counts::table
        .filter(row_counts::table_name.eq(table.table_name()))
        .select(sql::<BigInt>("CAST(COALESCE(SUM(n), 0) AS BIGINT)"))
        .first(conn)?)
}
