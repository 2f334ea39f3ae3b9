//! The one entry point of a request's write: a write transaction on either backend, written as
//! the caller's person. On SQLite the transaction is a savepoint of a batch that commits the
//! writes waiting at that moment together ([`super::batch`]); on PostgreSQL a serializable
//! transaction of its own, run again when it collided with a concurrent one.

use super::audit::Actor;
use super::batch::GroupCommit;
use super::{people, DbConnection, DbPool};
use crate::domain::access::Identity;
use crate::error::{AppError, AppResult};

/// How often a write that collided with a concurrent one is tried in all.
const WRITE_ATTEMPTS: u32 = 5;

/// Runs `work` in a write transaction and commits it. `work` answers `None` when the caller's
/// person is not written yet (first sight, or a name or e-mail to take from the token): the
/// person is then written by a write of its own — so that it stays written whatever becomes of
/// the request's write, and a burst of first requests of one person does not collide on that
/// row inside the request's transaction — and `work` runs again.
pub async fn as_person<T, F>(
    pool: &DbPool,
    identity: Identity,
    actor: Actor,
    work: F,
) -> AppResult<T>
where
    F: Fn(&mut DbConnection) -> AppResult<Option<T>> + Send + 'static,
    T: Send + 'static,
{
    match pool.group_commit() {
        Some(group) => in_group(group, identity, actor, work).await,
        None => alone(pool, identity, actor, work).await,
    }
}

/// SQLite: the write in the group commit's next batch.
async fn in_group<T, F>(
    group: &GroupCommit,
    identity: Identity,
    actor: Actor,
    work: F,
) -> AppResult<T>
where
    F: Fn(&mut DbConnection) -> AppResult<Option<T>> + Send + 'static,
    T: Send + 'static,
{
    let mut work = work;
    for _ in 0..2 {
        // The write hands `work` back when it found no person to write as.
        let written = group.write(move |conn| Ok(work(conn)?.ok_or(work))).await?;
        work = match written {
            Ok(value) => return Ok(value),
            Err(back) => back,
        };
        let (identity, actor) = (identity.clone(), actor.clone());
        group
            .write(move |conn| people::ensure_in_transaction(conn, &identity, &actor))
            .await?;
    }
    Err(AppError::internal("the caller's person vanished"))
}

/// PostgreSQL: the write in a serializable transaction of its own, tried again on a collision.
async fn alone<T, F>(pool: &DbPool, identity: Identity, actor: Actor, work: F) -> AppResult<T>
where
    F: Fn(&mut DbConnection) -> AppResult<Option<T>> + Send + 'static,
    T: Send + 'static,
{
    super::run(pool, move |conn| {
        let mut attempt = 1;
        let mut ensured = false;
        loop {
            match super::write_transaction(conn, &work) {
                Ok(Some(value)) => return Ok(value),
                Ok(None) if !ensured => {
                    people::ensure_identity(conn, &identity, &actor)?;
                    ensured = true;
                }
                Ok(None) => return Err(AppError::internal("the caller's person vanished")),
                // A serialisation failure means nothing was written: run it again.
                Err(AppError::TransactionConflict) if attempt < WRITE_ATTEMPTS => attempt += 1,
                Err(other) => return Err(other),
            }
        }
    })
    .await
}
