//! The unit of work of a request: one write transaction ([`write`]) or one read ([`read`],
//! [`read_long`]), the caller loaded inside it.

use crate::auth::caller;
use crate::auth::policy::Caller;
use crate::auth::Authenticated;
use crate::db::audit::Audited;
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppResult;

/// The one path of every write: in a write transaction (`db::write`), the caller loaded inside
/// it, a POST's Idempotency-Key checked (a repeat replays, see `api::idempotency`), then `work` —
/// which asks the policy, applies the domain rules, writes, and answers with its value and its
/// changes ([`Audited`]) — then the changes recorded in the audit trail and the event stream,
/// and the key: all committed together or not at all.
pub async fn write<T, F>(pool: &DbPool, who: Authenticated, work: F) -> AppResult<T>
where
    F: Fn(&mut DbConnection, &Caller) -> AppResult<Audited<T>> + Send + 'static,
    T: Send + 'static,
{
    let (identity, model, actor) = (who.identity.clone(), who.model.clone(), who.actor());
    db::write::as_person(pool, who.identity.clone(), who.actor(), move |conn| {
        // The caller as this transaction sees them (never from the cache: a write decides on
        // what it reads itself); `None` while their person is not written yet.
        let Some(caller) = caller::current(conn, &identity, &model)? else {
            return Ok(None);
        };
        if let Some(idem) = &who.idempotency {
            if let Some(record) = db::idempotency::find(conn, &caller.sub, &idem.key)? {
                return Err(db::idempotency::outcome(&record, &idem.fingerprint));
            }
        }
        let value = work(conn, &caller)?.record(conn, &actor)?;
        if let Some(idem) = &who.idempotency {
            db::idempotency::insert_running(conn, &caller.sub, &idem.key, &idem.fingerprint)?;
        }
        Ok(Some(value))
    })
    .await
}

/// How long a read may run, which decides where: a short one (one object, or a page of a list,
/// each bounded by an index and the page size) may run on the request's own thread (SQLite);
/// a long one (a report, an export, the architecture, a scope's audit trail) always runs off
/// the async workers, so that it cannot hold up the other requests of its worker. Pages and
/// long reads visit many rows: on PostgreSQL they pass the scan gate ([`db::Sizes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadCost {
    Short,
    Page,
    Long,
}

/// The path of every authenticated read: the caller loaded (a person is created on first
/// sight), then `f`. A short read; see [`read_long`].
pub async fn read<T, F>(pool: &DbPool, who: Authenticated, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection, &Caller) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    read_costing(ReadCost::Short, pool, who, f).await
}

/// [`read`] for work that scans: reports, exports, the architecture, audit trails.
pub async fn read_long<T, F>(pool: &DbPool, who: Authenticated, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection, &Caller) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    read_costing(ReadCost::Long, pool, who, f).await
}

pub(super) async fn read_costing<T, F>(
    cost: ReadCost,
    pool: &DbPool,
    who: Authenticated,
    f: F,
) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection, &Caller) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let callers = pool.callers();
    if cost != ReadCost::Long {
        if let Some(mut held) = db::AtHand::take(pool) {
            // A person seen before costs one small query (the count of caller changes) when
            // kept, one more when not; first sight writes, and waits for the writer off the
            // async workers (below).
            if let Some(caller) =
                held.run(|conn| caller::known(conn, &callers, &who.identity, &who.model))?
            {
                return held.run(|conn| f(conn, &caller));
            }
        }
    }
    let read = move |conn: &mut DbConnection| {
        let caller = caller::load(conn, &callers, &who.identity, &who.model, &who.actor())?;
        f(conn, &caller)
    };
    db::run_read_scanning(pool, cost != ReadCost::Short, read).await
}
