//! The connection manager: either backend from one URL, SQLite configured for concurrent use.

use super::*;
use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;

/// An r2d2 manager that picks the backend itself. (The derived `establish` tries each backend
/// and discards their errors; we want PostgreSQL's own message when it is down.)
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

pub(super) fn setup_error(e: diesel::result::Error) -> ConnectionError {
    ConnectionError::CouldntSetupConfiguration(e)
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Managed;
    type Error = ConnectionError;

    fn connect(&self) -> Result<Managed, ConnectionError> {
        Ok(Managed {
            conn: self.establish()?,
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut Managed) -> Result<(), ConnectionError> {
        conn.conn.batch_execute("SELECT 1").map_err(setup_error)
    }

    fn has_broken(&self, conn: &mut Managed) -> bool {
        conn.broken
            || std::thread::panicking()
            || <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(
                &mut conn.conn,
            )
    }
}

/// SQLite's process-wide settings, before its first connection: no memory statistics (their
/// global mutex is taken on every allocation, by every connection), no mutex per connection
/// (the pool hands each connection to one thread at a time), and every connection opened with
/// [`plan_without_bound_values`].
pub(super) fn configure_sqlite_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is called before SQLite is initialised (no connection has been
        // opened yet in this process), with the argument types these options take; if SQLite
        // is already initialised it refuses with SQLITE_MISUSE and changes nothing.
        unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            );
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD);
            libsqlite3_sys::sqlite3_auto_extension(Some(plan_without_bound_values));
        }
    });
}

/// Run on each new SQLite connection (an auto-extension): the query planner's stability
/// guarantee (QPSG), so that a plan never depends on a bound value. Without it SQLite (3.47 and
/// later) plans `LIMIT ?` by the value bound, and marks the statement to be prepared again
/// whenever that parameter is bound anew: every `.first()` and every page of a list was parsed
/// and planned again on each run, diesel's statement cache notwithstanding (perf of a single
/// read at c32: `sqlite3Reprepare` 14 % of the process). With QPSG the cached statement is
/// reused as is.
unsafe extern "C" fn plan_without_bound_values(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut std::ffi::c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::ffi::c_int {
    // SAFETY: SQLite calls this with the connection it is opening; ENABLE_QPSG takes an int
    // (1: on) and an int pointer for the new setting, which may be null.
    unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    }
}

impl ConnectionManager {
    pub(super) fn establish(&self) -> Result<DbConnection, ConnectionError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                configure_sqlite_once();
                let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
                // WAL is a property of the file, switched on once by `run_migrations`; switching
                // it here would race with other connections opening and fail with "database is
                // locked". synchronous=FULL: with WAL, NORMAL may lose the last acknowledged
                // commits on power loss.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )
                .map_err(setup_error)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = diesel::PgConnection::establish(url)?;
                // Many small requests at once: parallel workers for one query take the cores
                // the other requests need (a TÄ's audit trail at 1M events, 8 at a time:
                // 83 queries/s with them, 154 without).
                conn.batch_execute("SET max_parallel_workers_per_gather = 0")
                    .map_err(setup_error)?;
                Ok(DbConnection::Postgresql(conn))
            }
        }
    }
}
