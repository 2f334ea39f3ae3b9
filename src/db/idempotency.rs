//! Idempotency keys: per caller and key, the fingerprint of the request and the response to
//! replay (see migrations/*/…_idempotency).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::DbConnection;
use crate::error::{AppError, AppResult};

/// How long a key is remembered.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(24);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRecord {
    pub id: i64,
    pub subject: String,
    pub idempotency_key: String,
    pub fingerprint: String,
    pub state: String,
    pub status: Option<i32>,
    pub headers: Option<String>,
    pub body: Option<String>,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
}

pub use crate::error::StoredResponse;

/// What a request whose key was seen before gets.
pub fn outcome(record: &KeyRecord, fingerprint: &str) -> AppError {
    if record.fingerprint != fingerprint {
        return AppError::IdempotencyMismatch;
    }
    match (record.state.as_str(), record.status) {
        ("done", Some(status)) => AppError::Replay(StoredResponse {
            status: status as u16,
            headers: record
                .headers
                .as_deref()
                .and_then(|h| serde_json::from_str(h).ok())
                .unwrap_or_default(),
            body: record.body.clone().unwrap_or_default(),
        }),
        _ => AppError::conflict(
            "A request with this Idempotency-Key is still being answered; retry shortly.",
        ),
    }
}

/// The live record of this caller's key, forgetting an expired one.
pub fn find(conn: &mut DbConnection, subject: &str, key: &str) -> AppResult<Option<KeyRecord>> {
    let cutoff = super::now() - KEPT_FOR;
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::subject.eq(subject))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::created_at.lt(cutoff)),
    )
    .execute(conn)?;
    Ok(idempotency_keys::table
        .filter(idempotency_keys::subject.eq(subject))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select(KeyRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Records the key in the write's own transaction. A concurrent request that got there first
/// makes this a collision, which the write path retries (and then finds the record).
pub fn insert_running(
    conn: &mut DbConnection,
    subject: &str,
    key: &str,
    fingerprint: &str,
) -> AppResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::subject.eq(subject),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::state.eq("running"),
            idempotency_keys::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map_err(|e| match AppError::from(e) {
            AppError::Taken { .. } | AppError::Conflict(_) => AppError::TransactionConflict,
            other => other,
        })?;
    Ok(())
}

/// Keeps the response of a committed write under its key (and forgets expired keys).
pub fn complete(
    conn: &mut DbConnection,
    subject: &str,
    key: &str,
    response: &StoredResponse,
) -> AppResult<()> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::subject.eq(subject))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::state.eq("running")),
    )
    .set((
        idempotency_keys::state.eq("done"),
        idempotency_keys::status.eq(Some(i32::from(response.status))),
        idempotency_keys::headers.eq(serde_json::to_string(&response.headers).ok()),
        idempotency_keys::body.eq(Some(&response.body)),
    ))
    .execute(conn)?;
    diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(super::now() - KEPT_FOR)),
    )
    .execute(conn)?;
    Ok(())
}
