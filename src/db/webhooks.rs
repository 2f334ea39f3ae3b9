//! Webhooks: subscriptions to the event stream, each delivered in event order from its own
//! cursor, and the log of every delivery attempt. Instances claim a due subscription with a
//! lease (on PostgreSQL with `FOR UPDATE SKIP LOCKED`), so that two instances never deliver the
//! same event of one subscription; a crashed instance's lease runs out.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::Timestamp;

use super::schema::{events, webhook_deliveries, webhooks};
use super::{now, DbConnection};
use crate::db::events::Event;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub event_types: String,
    pub active: bool,
    pub last_event_id: i64,
    pub next_attempt_at: NaiveDateTime,
    pub failed_attempts: i32,
    pub lease_until: Option<NaiveDateTime>,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Webhook {
    /// The stored patterns (a JSON array of strings).
    pub fn patterns(&self) -> Vec<String> {
        serde_json::from_str(&self.event_types).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryAttempt {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub attempt: i32,
    pub outcome: String,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub attempted_at: NaiveDateTime,
}

pub struct WebhookFields {
    pub url: String,
    pub secret: String,
    pub event_types: Vec<String>,
    pub active: bool,
}

fn types_json(types: &[String]) -> String {
    serde_json::to_string(types).unwrap_or_else(|_| "[]".into())
}

/// The columns a subscription's fields are written to, by insert and update alike.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = webhooks)]
struct WebhookColumns<'a> {
    url: &'a str,
    secret: &'a str,
    event_types: String,
    active: bool,
}

impl<'a> WebhookColumns<'a> {
    fn of(fields: &'a WebhookFields) -> Self {
        WebhookColumns {
            url: &fields.url,
            secret: &fields.secret,
            event_types: types_json(&fields.event_types),
            active: fields.active,
        }
    }
}

/// A new subscription starts at the stream's end: it receives what happens from now on.
pub fn insert(conn: &mut DbConnection, fields: &WebhookFields, by: &str) -> AppResult<Webhook> {
    let stream_end: Option<i64> = events::table
        .select(diesel::dsl::max(events::position))
        .get_result(conn)?;
    let at = now();
    Ok(diesel::insert_into(webhooks::table)
        .values((
            WebhookColumns::of(fields),
            webhooks::last_event_id.eq(stream_end.unwrap_or(0)),
            webhooks::next_attempt_at.eq(at),
            webhooks::created_by.eq(by),
            webhooks::created_at.eq(at),
            webhooks::updated_at.eq(at),
        ))
        .returning(webhooks::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Webhook> {
    webhooks::table
        .filter(webhooks::id.eq(id))
        .select(Webhook::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such webhook."))
}

pub fn list(conn: &mut DbConnection, page: &super::Page) -> AppResult<(i64, Vec<Webhook>)> {
    let count = webhooks::table.count().get_result(conn)?;
    let rows = webhooks::table
        .order(webhooks::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(Webhook::as_select())
        .load(conn)?;
    Ok((count, rows))
}

/// Writes the fields of `webhook` as `fields` (one version later). Activating a subscription
/// again makes it due at once.
pub fn update(
    conn: &mut DbConnection,
    webhook: &Webhook,
    fields: &WebhookFields,
) -> AppResult<Webhook> {
    let at = now();
    crate::db::update_versioned!(
        conn,
        webhooks,
        webhook,
        at = at,
        (
            WebhookColumns::of(fields),
            webhooks::next_attempt_at.eq(at),
            webhooks::failed_attempts.eq(0),
        )
    )
}

pub fn delete(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(id)))
        .execute(conn)?;
    diesel::delete(webhooks::table.filter(webhooks::id.eq(id))).execute(conn)?;
    Ok(())
}

/// How soon a subscription with nothing new is looked at again.
pub const IDLE_RECHECK: TimeDelta = TimeDelta::milliseconds(250);

/// How long a claim holds: longer than one delivery may take (its timeout), so that a live
/// instance keeps its claim; short enough that a crashed one's subscription is taken over soon.
pub const LEASE: TimeDelta = TimeDelta::seconds(60);

/// Claims one active subscription that is due and not claimed by another instance, until
/// `LEASE` from now. PostgreSQL skips rows another instance is claiming at this moment
/// (`FOR UPDATE SKIP LOCKED`); SQLite has one writer, and one process. (`$1`, `$2` are
/// positional on PostgreSQL and numbered names on SQLite: the same statement serves both.)
pub fn claim_due(conn: &mut DbConnection) -> AppResult<Option<Webhook>> {
    let at = now();
    let lock = match conn {
        DbConnection::Postgresql(_) => "FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE webhooks SET lease_until = $1 WHERE id = (\
           SELECT id FROM webhooks WHERE active AND next_attempt_at <= $2 \
           AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_attempt_at, id LIMIT 1 {lock}) \
         RETURNING *"
    );
    // Most of the time nothing is due: a read, not a write, says so.
    let due: i64 = webhooks::table
        .filter(webhooks::active.eq(true))
        .filter(webhooks::next_attempt_at.le(at))
        .filter(
            webhooks::lease_until
                .is_null()
                .or(webhooks::lease_until.lt(at)),
        )
        .count()
        .get_result(conn)?;
    if due == 0 {
        return Ok(None);
    }
    let claimed: Vec<Webhook> = bookkeeping(conn, |conn| {
        Ok(diesel::sql_query(&sql)
            .bind::<Timestamp, _>(at + LEASE)
            .bind::<Timestamp, _>(at)
            .load(conn)?)
    })?;
    Ok(claimed.into_iter().next())
}

/// A transaction for the deliverer's own rows: SQLite's writer queue; on PostgreSQL READ
/// COMMITTED, which `SKIP LOCKED` is made for (a serializable claim would fail whenever two
/// instances claim at once), and enough for updates of one row by id.
fn bookkeeping<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> AppResult<T>,
) -> AppResult<T> {
    match conn {
        DbConnection::Sqlite(_) => super::write_transaction(conn, f),
        DbConnection::Postgresql(_) => conn.transaction(f),
    }
}

/// The events after the subscription's cursor (a stream position), at most `limit`, in order.
pub fn events_after(conn: &mut DbConnection, cursor: i64, limit: i64) -> AppResult<Vec<Event>> {
    Ok(events::table
        .filter(events::position.gt(cursor))
        .order(events::position.asc())
        .limit(limit)
        .select(crate::db::events::columns())
        .load(conn)?)
}

/// What became of one claim.
pub enum Outcome {
    /// Nothing wanted up to `cursor`: move past it.
    Skipped { cursor: i64 },
    /// An event was posted: 2xx (delivered) or not (failed, retried after a backoff).
    Attempted {
        event: Event,
        delivered: bool,
        response_status: Option<i32>,
        error: Option<String>,
        duration_ms: i64,
    },
    /// Nothing to do now.
    Idle,
}

/// The wait before the next attempt after `failures` failures in a row: 1 s, 2 s, 4 s … one hour.
pub fn backoff(failures: i32) -> TimeDelta {
    TimeDelta::seconds(1i64 << failures.clamp(0, 12).min(11)).min(TimeDelta::hours(1))
}

/// Releases the claim on `webhook` with what happened, and logs an attempt.
pub fn finish(conn: &mut DbConnection, webhook: &Webhook, outcome: &Outcome) -> AppResult<()> {
    let at = now();
    bookkeeping(conn, |conn| {
        let target = webhooks::table.filter(webhooks::id.eq(webhook.id));
        match outcome {
            // Nothing new: not due again for a moment, so that the claims go round every
            // subscription rather than returning to the same idle one.
            Outcome::Idle => {
                diesel::update(target)
                    .set((
                        webhooks::next_attempt_at.eq(at + IDLE_RECHECK),
                        webhooks::lease_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?;
            }
            Outcome::Skipped { cursor } => {
                diesel::update(target)
                    .set((
                        webhooks::last_event_id.eq(*cursor),
                        webhooks::lease_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?;
            }
            Outcome::Attempted {
                event,
                delivered,
                response_status,
                error,
                duration_ms,
            } => {
                let attempt = webhook.failed_attempts + 1;
                if *delivered {
                    diesel::update(target)
                        .set((
                            webhooks::last_event_id.eq(event.id),
                            webhooks::failed_attempts.eq(0),
                            webhooks::next_attempt_at.eq(at),
                            webhooks::lease_until.eq(None::<NaiveDateTime>),
                        ))
                        .execute(conn)?;
                } else {
                    diesel::update(target)
                        .set((
                            webhooks::failed_attempts.eq(attempt),
                            webhooks::next_attempt_at.eq(at + backoff(webhook.failed_attempts)),
                            webhooks::lease_until.eq(None::<NaiveDateTime>),
                        ))
                        .execute(conn)?;
                }
                diesel::insert_into(webhook_deliveries::table)
                    .values((
                        webhook_deliveries::webhook_id.eq(webhook.id),
                        webhook_deliveries::event_id.eq(event.id),
                        webhook_deliveries::event_type.eq(&event.event_type),
                        webhook_deliveries::attempt.eq(attempt),
                        webhook_deliveries::outcome.eq(if *delivered {
                            "delivered"
                        } else {
                            "failed"
                        }),
                        webhook_deliveries::response_status.eq(response_status),
                        webhook_deliveries::error.eq(error),
                        webhook_deliveries::duration_ms.eq(duration_ms),
                        webhook_deliveries::attempted_at.eq(at),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// A subscription's attempts after `after`, oldest first.
pub fn attempts(
    conn: &mut DbConnection,
    webhook_id: i64,
    after: i64,
    limit: i64,
) -> AppResult<Vec<DeliveryAttempt>> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::id.gt(after))
        .order(webhook_deliveries::id.asc())
        .limit(limit)
        .select(DeliveryAttempt::as_select())
        .load(conn)?)
}

/// How many delivery attempts of the webhook the log holds.
pub fn count_attempts(conn: &mut DbConnection, webhook_id: i64) -> AppResult<i64> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .count()
        .get_result(conn)?)
}

/// Removes delivery attempts made before `before`, at most `batch` of them (the oldest);
/// how many went. The log is for watching a subscription, not a record: the audit trail and
/// the event stream keep what happened.
pub fn prune_attempts(
    conn: &mut DbConnection,
    before: chrono::NaiveDateTime,
    batch: i64,
) -> AppResult<usize> {
    let old: Vec<i64> = webhook_deliveries::table
        .filter(webhook_deliveries::attempted_at.lt(before))
        .order(webhook_deliveries::id.asc())
        .limit(batch)
        .select(webhook_deliveries::id)
        .load(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    Ok(
        diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(old)))
            .execute(conn)?,
    )
}
