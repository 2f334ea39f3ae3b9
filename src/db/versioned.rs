//! The one compare-and-write of a versioned row.

/// Sets `changes` (an assignment, or a tuple of them) on the row of `current` in `table` only
/// while its version is still `current.version`, together with the next version and
/// `updated_at` (`at`, or now). Evaluates to the new row (the table's columns, or `returning`),
/// or to 412 when another write came first: the version is compared in the statement itself,
/// so no write can slip in between a check and the write.
macro_rules! update_versioned {
    ($conn:expr, $table:ident, $current:expr, at = $at:expr, $changes:expr $(,)?) => {
        $crate::db::update_versioned!(
            $conn,
            $table,
            $current,
            at = $at,
            returning = $table::all_columns,
            $changes
        )
    };
    ($conn:expr, $table:ident, $current:expr, at = $at:expr, returning = $columns:expr, $changes:expr $(,)?) => {{
        let (id, version) = ($current.id, $current.version);
        diesel::update(
            $table::table
                .filter($table::id.eq(id))
                .filter($table::version.eq(version)),
        )
        .set((
            $changes,
            $table::version.eq(version + 1),
            $table::updated_at.eq($at),
        ))
        .returning($columns)
        .get_result($conn)
        .optional()?
        .ok_or_else($crate::db::concurrent_change)
    }};
    ($conn:expr, $table:ident, $current:expr, $changes:expr $(,)?) => {
        $crate::db::update_versioned!($conn, $table, $current, at = $crate::db::now(), $changes)
    };
}

pub(crate) use update_versioned;
