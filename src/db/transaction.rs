//! Write transactions and read snapshots, with the same guarantee on both backends.

use super::*;
use crate::error::AppResult;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;

/// SQLite has one writer at a time. Writers of this process queue here, in order, instead of
/// polling SQLite's busy handler, whose growing sleeps starve unlucky writers (bench/run.sh: p99
/// of four concurrent PATCH writers fell from 1.2 s to 11 ms). Other processes (`forvaltning migrate`) are
/// still covered by `busy_timeout`. One gate for all SQLite files of the process: only tests
/// open more than one.
pub(super) static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in a write transaction. Both backends give the same guarantee: the transaction
/// behaves as if it ran alone, so rules that span rows (a TJF exists before a service goes into
/// operation, a portfolio is empty before it retires) cannot be broken by a concurrent write.
/// SQLite starts it with `BEGIN IMMEDIATE` (one writer at a time; a transaction that reads
/// before it writes cannot fail with SQLITE_BUSY halfway). PostgreSQL runs it SERIALIZABLE; a
/// collision surfaces as [`AppError::TransactionConflict`], which the caller may retry.
pub fn write_transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> AppResult<T>,
) -> AppResult<T> {
    type Manager = <DbConnection as Connection>::TransactionManager;
    // Held until commit or rollback (declared before the match so it outlives the transaction).
    let _writer;
    match conn {
        DbConnection::Sqlite(c) => {
            _writer = SQLITE_WRITER
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgresql(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN ISOLATION LEVEL SERIALIZABLE")?
        }
    }
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = Manager::rollback_transaction(conn) {
                log::error!("rollback failed: {rollback}");
            }
            Err(error)
        }
    }
}

/// Runs `f` in one read-only snapshot of the database, for a read that takes several queries
/// and must see one state (a long, streamed answer).
pub fn read_snapshot<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> AppResult<T>,
) -> AppResult<T> {
    type Manager = <DbConnection as Connection>::TransactionManager;
    match conn {
        // A deferred transaction: SQLite's snapshot begins at its first read.
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?,
        DbConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        )?,
    }
    let result = f(conn);
    // Nothing was written: ending the snapshot either way is the same.
    if let Err(end) = Manager::rollback_transaction(conn) {
        log::error!("ending a read snapshot failed: {end}");
    }
    result
}
