//! The number of rows of a large table, kept by triggers (migration `row_counts`): the `count`
//! of an unfiltered list read from two small tables instead of a pass over the table.
//!
//! On PostgreSQL, writes append their changes (so that serializable writers never conflict on
//! a shared counter) and [`fold_changes`] folds them into the totals in the background.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::schema::row_totals;
use super::DbConnection;
use crate::error::AppResult;

/// A table whose rows are counted.
#[derive(Debug, Clone, Copy)]
pub enum Counted {
    Services,
    People,
    RoleAssignments,
    /// Not a table: the changes that alter what a caller may do (db::callers).
    CallerChanges,
}

impl Counted {
    fn table_name(self) -> &'static str {
        match self {
            Counted::Services => "services",
            Counted::People => "people",
            Counted::RoleAssignments => "role_assignments",
            Counted::CallerChanges => "caller_changes",
        }
    }
}

/// How many rows `table` has, exactly, as this connection sees it: the folded total and the
/// changes not folded yet, read in one statement (the view `row_totals`).
pub fn rows(conn: &mut DbConnection, table: Counted) -> AppResult<i64> {
    Ok(super::on_backend!(conn, |c| row_totals::table
        .filter(row_totals::table_name.eq(table.table_name()))
        .select(row_totals::n)
        .get_result(c))?)
}

/// Folds the appended changes into the totals (PostgreSQL; SQLite's triggers update the totals
/// themselves), and answers how many it folded. One statement: a concurrent count sees the
/// changes either appended or folded, never both or neither; changes committed meanwhile stay
/// for the next pass. Not serializable (it must not make the writers' inserts conflict), and
/// the writers never read these rows.
pub fn fold_changes(conn: &mut DbConnection) -> AppResult<i64> {
    #[derive(QueryableByName)]
    struct Folded {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let DbConnection::Postgresql(c) = conn else {
        return Ok(0);
    };
    let folded: Folded = diesel::sql_query(
        "WITH folded AS (DELETE FROM row_count_changes RETURNING table_name, n), \
         totals AS (UPDATE row_counts SET n = row_counts.n + f.total \
           FROM (SELECT table_name, SUM(n) AS total FROM folded GROUP BY table_name) f \
           WHERE row_counts.table_name = f.table_name) \
         SELECT COUNT(*) AS n FROM folded",
    )
    .get_result(c)?;
    Ok(folded.n)
}

/// Rows folded after which [`vacuum_changes`] is due.
pub const VACUUM_AFTER: i64 = 1_000;

/// Reclaims the rows the folds took (PostgreSQL). Every request reads the changes not folded
/// yet (the caller-change count of db::callers, through the view `row_totals`), and that read
/// walks the dead rows a fold leaves until a VACUUM reclaims them: autovacuum does in its own
/// time, or never where it is off (as on the development machine's server, where after the
/// scale seed's 200 000 role assignments every request was 1.1 ms slower, bench/scale.sh).
/// The queue is small once folded, so vacuuming it costs about a millisecond.
pub fn vacuum_changes(conn: &mut DbConnection) -> AppResult<()> {
    if let DbConnection::Postgresql(c) = conn {
        c.batch_execute("VACUUM row_count_changes")?;
    }
    Ok(())
}
