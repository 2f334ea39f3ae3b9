//! Database work off the async workers: past the gates of the pool, within its timeout, or on the request's own thread when a connection is at hand (SQLite).

use super::*;
use crate::error::{AppError, AppResult};
use std::time::Duration;

/// Runs blocking database work off the async workers, with a pooled connection. The wait for
/// the gate and for a connection together last at most the pool timeout: while the database
/// is away a request gets its 503 within that time, never twice it.
pub async fn run<T, F>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let asked = tokio::time::Instant::now();
    run_past_gate(pool, asked, None, f).await
}

/// `f` in a write transaction: on SQLite in the next batch of the group commit, in turn with
/// the requests' writes ([`batch`]); on PostgreSQL a serializable transaction of its own.
pub async fn run_write<T, F>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    match pool.group_commit() {
        Some(group) => group.write(f).await,
        None => run(pool, move |conn| write_transaction(conn, f)).await,
    }
}

/// [`run`] for a read: past the read gate first, within the same pool timeout.
pub async fn run_read<T, F>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    run_read_scanning(pool, false, f).await
}

/// [`run_read`]; a read that visits many rows (`scan`: a page of a list, a report) passes the
/// scan gate before the read gate, all within the same pool timeout. (One function for both,
/// not two: every handler's read is an instance of it, and two doubled the binary's growth.)
pub async fn run_read_scanning<T, F>(pool: &DbPool, scan: bool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let asked = tokio::time::Instant::now();
    let deadline = asked + pool.wait;
    let scan_permit = match scan {
        true => Some(pass(&pool.scan_gate, deadline).await?),
        false => None,
    };
    let read_permit = pass(&pool.read_gate, deadline).await?;
    run_past_gate(pool, asked, Some(read_permit), move |conn| {
        let _scan_permit = scan_permit;
        f(conn)
    })
    .await
}

/// A permit of `gate` before `deadline`, or 503.
async fn pass(
    gate: &std::sync::Arc<tokio::sync::Semaphore>,
    deadline: tokio::time::Instant,
) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
    tokio::time::timeout_at(deadline, gate.clone().acquire_owned())
        .await
        .map_err(|_| AppError::Unavailable("no database connection became free in time".into()))?
        .map_err(|_| AppError::Unavailable("the database gate is closed".into()))
}

async fn run_past_gate<T, F>(
    pool: &DbPool,
    asked: tokio::time::Instant,
    read_permit: Option<tokio::sync::OwnedSemaphorePermit>,
    f: F,
) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let deadline = asked + pool.wait;
    let permit = pass(&pool.gate, deadline).await?;
    actix_web::web::block(move || {
        let _permits = (permit, read_permit);
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        with_connection(&pool, left, asked, f)
    })
    .await?
}

/// A connection that was free at once, held past the gate, for a short read on the request's
/// own thread. Only on SQLite: the query is a few microseconds of work in memory, and handing it
/// to a blocking thread and back cost more than the query (perf of a read at c32: the kernel's
/// futex wake/wait and the scheduler were the largest items). PostgreSQL's round trip, and any
/// wait, belong off the async workers ([`run`]).
pub struct AtHand {
    conn: PooledConnection,
    _permits: (
        tokio::sync::OwnedSemaphorePermit,
        tokio::sync::OwnedSemaphorePermit,
    ),
}

impl AtHand {
    /// A free connection now, or `None` (PostgreSQL, the gate full, no idle connection).
    pub fn take(pool: &DbPool) -> Option<AtHand> {
        if !pool.inline_reads {
            return None;
        }
        let read_permit = pool.read_gate.clone().try_acquire_owned().ok()?;
        let permit = pool.gate.clone().try_acquire_owned().ok()?;
        let conn = pool.pool.try_get()?;
        crate::metrics::POOL_WAIT.observe(Duration::ZERO);
        Some(AtHand {
            conn,
            _permits: (permit, read_permit),
        })
    }

    /// `f` on the held connection (dropped by the pool if it failed as unavailable).
    pub fn run<T>(&mut self, f: impl FnOnce(&mut DbConnection) -> AppResult<T>) -> AppResult<T> {
        let result = f(&mut self.conn.conn);
        mark_if_gone(&mut self.conn, &result);
        result
    }
}

/// A connection that failed as unavailable (the server restarted, a failover) is dropped by the
/// pool instead of being handed out again.
pub(super) fn mark_if_gone<T>(conn: &mut Managed, result: &AppResult<T>) {
    if matches!(result, Err(AppError::Unavailable(_))) {
        conn.broken = true;
    }
}

/// `f` with a connection taken within `within`; a connection whose failure says the server is
/// gone is marked so that the pool drops it.
pub(super) fn with_connection<T>(
    pool: &DbPool,
    within: Duration,
    asked: tokio::time::Instant,
    f: impl FnOnce(&mut DbConnection) -> AppResult<T>,
) -> AppResult<T> {
    let mut conn = pool
        .pool
        .get_timeout(within.max(Duration::from_millis(1)))?;
    crate::metrics::POOL_WAIT.observe(asked.elapsed());
    let result = f(&mut conn.conn);
    mark_if_gone(&mut conn, &result);
    result
}

/// Whether the database answers, for `/health/ready`: past the gate (a probe must not queue
/// behind the requests it reports on) and within half a second, whatever the pool timeout.
pub async fn probe(pool: &DbPool) -> AppResult<()> {
    let pool = pool.clone();
    let within = pool.wait.min(Duration::from_millis(500));
    let asked = tokio::time::Instant::now();
    actix_web::web::block(move || with_connection(&pool, within, asked, ping)).await?
}
