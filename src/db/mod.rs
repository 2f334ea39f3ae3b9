//! Persistence: one connection enum over SQLite and PostgreSQL, chosen by the URL's scheme;
//! an r2d2 pool of it; the embedded migrations of both backends; and the write transaction.

/// Runs one typed query on the connection's own backend rather than through the
/// `MultiConnection` enum, whose wrapper writes the query's SQL text anew on every pass over it
/// (several per execution), where a backend's own connection finds its prepared statement by the
/// query's type. perf of a single read on SQLite: 12 % of the process in diesel's SQL writer.
/// For the hottest reads (the caller, one object, a count); the query is written once and must
/// compile for both backends.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $query:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $query,
            $crate::db::DbConnection::Postgresql($c) => $query,
        }
    };
}
pub(crate) use on_backend;

pub mod audit;
pub mod batch;
pub mod callers;
pub mod change_requests;
mod connection;
pub mod contracts;
pub mod deliveries;
pub mod events;
pub mod exchange_rates;
pub mod follow_ups;
mod gates;
pub mod governance;
pub mod governance_models;
mod history_scope;
pub mod idempotency;
pub mod imports;
pub mod information_systems;
pub mod needs;
pub mod organizations;
pub mod people;
pub mod plans;
pub mod portfolios;
pub mod role_assignments;
pub mod row_counts;
pub mod schema;
pub mod scope;
pub mod seal;
pub mod search;
pub mod services;
pub mod timestamps;
mod transaction;
mod versioned;
pub mod webhooks;
pub mod write;

pub use connection::*;
pub use gates::*;
pub use transaction::*;
pub(crate) use versioned::update_versioned;

use std::time::Duration;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// The pool, and a fair gate in front of it: at most as many blocking tasks as connections
/// run database work at once; the rest wait asynchronously, first come first served, instead
/// of as threads contending for the pool's lock (that contention, not the database, was the
/// largest cost of a read under 32 connections). Reads pass a second, narrower gate first
/// (see [`Sizes`]).
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<ConnectionManager>,
    gate: std::sync::Arc<tokio::sync::Semaphore>,
    read_gate: std::sync::Arc<tokio::sync::Semaphore>,
    /// Reads that visit many rows (pages, reports) pass this one first ([`Sizes::scans`]).
    scan_gate: std::sync::Arc<tokio::sync::Semaphore>,
    wait: Duration,
    /// Short reads run on the request's own thread (SQLite; see [`AtHand`]).
    inline_reads: bool,
    /// Callers between requests (see [`callers`]): one cache per database.
    callers: std::sync::Arc<callers::CallerCache>,
    /// SQLite: the requests' writes, committed together ([`batch`]).
    group_commit: Option<std::sync::Arc<batch::GroupCommit>>,
    /// The day the stored contract term dates were last caught up to ([`contracts::catch_up_terms`]).
    terms_caught_up: std::sync::Arc<std::sync::Mutex<Option<chrono::NaiveDate>>>,
}

impl DbPool {
    /// A connection, waiting at most the pool timeout (for tools and tests; requests go
    /// through [`run`]).
    pub fn get(&self) -> Result<PooledConnection, r2d2::Error> {
        self.pool.get()
    }

    /// The callers known from earlier requests to this database.
    pub fn callers(&self) -> std::sync::Arc<callers::CallerCache> {
        self.callers.clone()
    }

    /// Where the requests' writes go on SQLite (none on PostgreSQL, which commits in groups
    /// itself).
    pub fn group_commit(&self) -> Option<&batch::GroupCommit> {
        self.group_commit.as_deref()
    }

    /// Open and idle connections, and the pool's size (for `/metrics`).
    pub fn state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            open: state.connections,
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// A pooled connection, and whether it failed in a way that means the server is gone (a
/// restart, a failover): then the pool drops it instead of handing it out again. This replaces
/// a validation query on every checkout — one round trip per request saved.
pub struct Managed {
    conn: DbConnection,
    broken: bool,
}

impl std::ops::Deref for Managed {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Managed {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub use crate::config::{default_sqlite_path, DatabaseUrl, SQLITE_FILE};

/// How much database work runs at once: `connections` in all (the pool), of which at most
/// `reads` are reads.
///
/// Measured on PostgreSQL (bench/run.sh, c32, 2 cores shared with the database and wrk; the
/// sweep is in bench/RESULTS.md): reads are answered from memory and want about as many in
/// flight as the cores can run — one service's p99 was 6.5 ms with 5 connections, 10 ms with
/// 10, 23 ms with 16 and 150 ms with 32, at the same throughput — while writes mostly wait for
/// the log to reach the disk, and more of them in flight share a flush (create + audit: 58 % of
/// TPC-B with 5 connections, 65–72 % with 10, 70–77 % with 16, whose p99 passed 30 ms). So on
/// PostgreSQL the pool is sized for the writes and reads pass a gate sized for the cores.
/// SQLite reads in process and writes one at a time: one limit for both.
///
/// Of those reads, `scans` may be pages of lists or reports, which keep a core busy for a
/// millisecond or more rather than wait for a round trip: with as many in flight as for short
/// reads, PostgreSQL's backends time-sliced on the cores and such pages' p99 at c8 (bench/scale.sh,
/// 100 000 services) was 20–50 ms beside a p50 of 4–5 ms; at cores + 1 it was 7–12 ms at the
/// same throughput, while one object at a time loses 15 % with so few (9 058 vs 7 831 req/s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub connections: u32,
    pub reads: u32,
    pub scans: u32,
}

impl Sizes {
    /// The sizes for this database on `cores` cores, unless configured (`connections`, `reads`;
    /// reads never more than connections).
    pub fn for_machine(
        url: &DatabaseUrl,
        cores: u32,
        connections: Option<u32>,
        reads: Option<u32>,
    ) -> Sizes {
        let (default_connections, default_reads, scans) = match url {
            // At most 32: several instances share the server's max_connections (100).
            DatabaseUrl::Postgres(_) => ((cores * 5).min(32), cores * 2 + 1, cores + 1),
            DatabaseUrl::Sqlite(_) => ((cores * 4).max(8), u32::MAX, u32::MAX),
        };
        let connections = connections.unwrap_or(default_connections).max(1);
        let reads = reads.unwrap_or(default_reads).clamp(1, connections);
        Sizes {
            connections,
            reads,
            scans: scans.min(reads),
        }
    }
}

/// Builds the pool without connecting: the service starts (and `/health/ready` says 503) even
/// when the database is down; a checkout waits at most `timeout`.
pub fn build_pool(url: &DatabaseUrl, sizes: Sizes, timeout: Duration) -> DbPool {
    let size = sizes.connections;
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(timeout)
        // No query on checkout: a connection the database dropped fails its request once (503)
        // and is then dropped by the pool (see `run`).
        .test_on_check_out(false)
        .error_handler(Box::new(r2d2::LoggingErrorHandler))
        .build_unchecked(ConnectionManager::new(url.clone()));
    let group_commit = matches!(url, DatabaseUrl::Sqlite(_))
        .then(|| std::sync::Arc::new(batch::GroupCommit::start(pool.clone())));
    DbPool {
        group_commit,
        pool,
        gate: std::sync::Arc::new(tokio::sync::Semaphore::new(size as usize)),
        read_gate: std::sync::Arc::new(tokio::sync::Semaphore::new(sizes.reads as usize)),
        scan_gate: std::sync::Arc::new(tokio::sync::Semaphore::new(sizes.scans as usize)),
        wait: timeout,
        inline_reads: matches!(url, DatabaseUrl::Sqlite(_)),
        callers: Default::default(),
        terms_caught_up: Default::default(),
    }
}

/// Creates the SQLite file's directory, so that a fresh checkout needs nothing.
pub fn prepare(url: &DatabaseUrl) -> std::io::Result<()> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
    }
    Ok(())
}

/// Runs the pending migrations of the connection's backend; returns their names.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, String> {
    let applied = match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute("PRAGMA journal_mode = WAL")
                .map_err(|e| e.to_string())?;
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.iter().map(|m| m.to_string()).collect())
        }
        DbConnection::Postgresql(c) => {
            // Several instances may start at once: one migrates, the others wait.
            c.batch_execute("SELECT pg_advisory_lock(7466233)")
                .map_err(|e| e.to_string())?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(|m| m.to_string()).collect());
            c.batch_execute("SELECT pg_advisory_unlock(7466233)")
                .map_err(|e| e.to_string())?;
            result
        }
    };
    let applied = applied.map_err(|e| e.to_string())?;
    services::fill_catalog_search_texts(conn).map_err(|e| e.to_string())?;
    Ok(applied)
}

/// One page of a list: how many, from where, in which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
    pub sort: Sort,
}

/// An ordering of a list: a field the resource allows, ascending or descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub field: String,
    pub descending: bool,
}

/// The row changed between our read and our write (the compare-and-write of `version` found
/// another version): the caller's view is stale.
pub fn concurrent_change() -> AppError {
    AppError::PreconditionFailed(
        "The object was changed by another request; fetch it again and retry.".into(),
    )
}

/// Checks that the database answers (for `/health/ready`).
pub fn ping(conn: &mut DbConnection) -> AppResult<()> {
    conn.batch_execute("SELECT 1").map_err(AppError::from)
}

/// The most ids one statement binds: an export page (up to 100,000 rows) reads what its rows
/// need in pieces, within SQLite's 32,766 and PostgreSQL's 65,535 parameters.
pub const IDS_PER_STATEMENT: usize = 10_000;

/// `query` over `ids` (or slugs, references …) in pieces of [`IDS_PER_STATEMENT`], the answers
/// joined in order.
pub fn in_pieces<K, T>(
    ids: &[K],
    mut query: impl FnMut(&[K]) -> AppResult<Vec<T>>,
) -> AppResult<Vec<T>> {
    let mut out = Vec::new();
    for piece in ids.chunks(IDS_PER_STATEMENT) {
        out.extend(query(piece)?);
    }
    Ok(out)
}

/// How many values one `IN (…)` list binds at most (well within both backends' limits on the
/// parameters of a statement).
pub const IN_CHUNK: usize = 5000;

/// The current time, truncated to microseconds so that both backends store the same value.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}

/// Today's date, for the dates of contracts and deliveries (UTC: the service keeps one clock).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Serialises a stored UTC timestamp as RFC 3339 with `Z`, like the API's views, for rows
/// that go into audit events as they are.
pub fn rfc3339<S: serde::Serializer>(
    t: &chrono::NaiveDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&t.and_utc(), serializer)
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern, and lowercases (the stored
/// `search_text` is lowercased in Rust, since SQLite's `lower()` only knows ASCII: å, ä, ö).
pub fn like_pattern(q: &str) -> String {
    let mut pattern = String::from("%");
    for ch in q.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_is_sized_for_writes_and_reads_for_the_cores() {
        let pg = DatabaseUrl::Postgres("postgres://u@h/db".into());
        let sqlite = DatabaseUrl::Sqlite("x.db".into());
        // (database, cores, configured connections, configured reads)
        //     -> (connections, reads, scans)
        let cases = [
            (&pg, 2, None, None, (10, 5, 3)),
            (&pg, 8, None, None, (32, 17, 9)),
            (&sqlite, 2, None, None, (8, 8, 8)),
            (&sqlite, 4, None, None, (16, 16, 16)),
            // Configured: taken as they are, reads never more than connections, scans never
            // more than reads.
            (&pg, 2, Some(4), None, (4, 4, 3)),
            (&pg, 2, Some(30), Some(2), (30, 2, 2)),
            (&sqlite, 2, Some(2), Some(9), (2, 2, 2)),
        ];
        for (url, cores, connections, reads, (want_connections, want_reads, want_scans)) in cases {
            assert_eq!(
                Sizes::for_machine(url, cores, connections, reads),
                Sizes {
                    connections: want_connections,
                    reads: want_reads,
                    scans: want_scans,
                },
                "{url:?} on {cores} cores, configured {connections:?} / {reads:?}"
            );
        }
    }

    #[test]
    fn urls_choose_the_backend() {
        let data = std::path::Path::new("/srv/data");
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db", data).unwrap(),
            DatabaseUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db", data).unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("x.db", data).unwrap(),
            DatabaseUrl::Sqlite("x.db".into())
        );
        assert!(DatabaseUrl::parse("mysql://h/db", data).is_err());
    }

    #[test]
    fn like_patterns_escape_wildcards_and_fold_swedish_letters() {
        assert_eq!(like_pattern("Ö_%"), "%ö\\_\\%%");
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let sqlite = names("migrations/sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, names("migrations/postgres"));
    }
}
