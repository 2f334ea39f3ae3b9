//! The hash chain over the audit trail. Writers only append events; a sealer chains the
//! committed ones in id order a moment later (so no write waits on a chain tail), and
//! [`verify`] walks the chain and names the first event that was altered, removed, or never
//! sealed.
//!
//! A seal: `content_hash` = SHA-256 of the event's canonical content, `hash` = SHA-256 of the
//! previous seal's hash and this content hash; the first seal's predecessor is 64 zeros.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::audit::AuditEvent;
use super::schema::{audit_events, audit_seals};
use super::DbConnection;
use crate::error::AppResult;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Events younger than this are left for the next pass: a write transaction that took an id
/// before them may still be open (write transactions take milliseconds; this is seconds).
pub const SETTLE: TimeDelta = TimeDelta::seconds(2);

/// How many events one pass seals at most (five bound values each: well under SQLite's and
/// PostgreSQL's limits on the parameters of one statement). A pass is one write transaction,
/// and on SQLite every request's write waits while it runs: 500 keeps that to a few
/// milliseconds (5000 held it for ~40 ms, the p99 of SQLite's creates under load in
/// bench/run.sh); a backlog is sealed pass after pass.
pub const BATCH: i64 = 500;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_seals)]
pub struct Seal {
    pub event_id: i64,
    pub previous_hash: String,
    pub content_hash: String,
    pub hash: String,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub sealed_at: NaiveDateTime,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The event's canonical content: its fields as stored, in a fixed order, as a JSON array; the
/// governance model last, where the event has one (events before models were recorded do not,
/// and keep the content they were sealed with).
pub fn content_hash(e: &AuditEvent) -> String {
    let mut canonical = serde_json::json!([
        e.id,
        e.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        e.actor_sub,
        e.actor_roles,
        e.action,
        e.object_type,
        e.object_id,
        e.portfolio_id,
        e.before_state,
        e.after_state,
        e.request_id,
    ]);
    if let (Some(model), Some(fields)) = (&e.governance_model, canonical.as_array_mut()) {
        fields.push(serde_json::json!(model));
    }
    // Only events of an import carry its id, after the model (older events keep their content).
    if let (Some(import), Some(fields)) = (e.import_id, canonical.as_array_mut()) {
        fields.push(serde_json::json!(import));
    }
    hex(&Sha256::digest(canonical.to_string().as_bytes()))
}

pub fn chain_hash(previous: &str, content: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(previous.as_bytes());
    hash.update(content.as_bytes());
    hex(&hash.finalize())
}

fn last_seal(conn: &mut DbConnection) -> AppResult<Option<Seal>> {
    Ok(audit_seals::table
        .order(audit_seals::event_id.desc())
        .select(Seal::as_select())
        .first(conn)
        .optional()?)
}

/// One pass: seals the settled events after the last seal, in id order. Returns how many.
/// Run in a write transaction: two sealers (two instances) cannot both extend the chain.
pub fn seal_pending(conn: &mut DbConnection, now: NaiveDateTime) -> AppResult<usize> {
    let last = last_seal(conn)?;
    let (after, mut previous) = match &last {
        Some(seal) => (seal.event_id, seal.hash.clone()),
        None => (0, GENESIS.to_string()),
    };
    let events: Vec<AuditEvent> = audit_events::table
        .filter(audit_events::id.gt(after))
        .filter(audit_events::occurred_at.lt(now - SETTLE))
        .order(audit_events::id.asc())
        .limit(BATCH)
        .select(AuditEvent::as_select())
        .load(conn)?;
    if events.is_empty() {
        return Ok(0);
    }
    let sealed_at = super::now();
    let mut rows = Vec::with_capacity(events.len());
    for event in &events {
        let content = content_hash(event);
        let hash = chain_hash(&previous, &content);
        rows.push((
            audit_seals::event_id.eq(event.id),
            audit_seals::previous_hash.eq(std::mem::replace(&mut previous, hash.clone())),
            audit_seals::content_hash.eq(content),
            audit_seals::hash.eq(hash),
            audit_seals::sealed_at.eq(sealed_at),
        ));
    }
    // One multi-row statement per pass: at one statement per event the sealer could not keep
    // up with the write rate the service sustains (a thousand seals a second).
    // (Multi-row inserts compile per backend, not through the MultiConnection enum.)
    let insert = diesel::insert_into(audit_seals::table).values(rows);
    match conn {
        DbConnection::Sqlite(c) => insert.execute(c)?,
        DbConnection::Postgresql(c) => insert.execute(c)?,
    };
    Ok(events.len())
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every sealed event is as it was sealed; `unsealed` settled events are not sealed yet.
    Intact { sealed: u64, unsealed: u64 },
    /// The first problem, by event id.
    Broken { event_id: i64, problem: String },
}

/// Walks the whole chain in batches (memory stays flat at millions of events).
pub fn verify(conn: &mut DbConnection, now: NaiveDateTime) -> AppResult<Verdict> {
    let mut previous = GENESIS.to_string();
    let mut after = 0_i64;
    let mut sealed = 0_u64;
    loop {
        let seals: Vec<Seal> = audit_seals::table
            .filter(audit_seals::event_id.gt(after))
            .order(audit_seals::event_id.asc())
            .limit(BATCH)
            .select(Seal::as_select())
            .load(conn)?;
        let Some(last) = seals.last() else {
            break;
        };
        let events: Vec<AuditEvent> = audit_events::table
            .filter(audit_events::id.gt(after))
            .filter(audit_events::id.le(last.event_id))
            .order(audit_events::id.asc())
            .select(AuditEvent::as_select())
            .load(conn)?;
        let mut next_event = events.iter().peekable();
        for seal in &seals {
            // An event between two seals that has none was put there behind the sealer's back.
            if let Some(e) = next_event.next_if(|e| e.id < seal.event_id) {
                return Ok(broken(
                    e.id,
                    "an event that is not in the chain (inserted afterwards)",
                ));
            }
            let Some(event) = next_event.next_if(|e| e.id == seal.event_id) else {
                return Ok(broken(seal.event_id, "the event was deleted"));
            };
            if seal.previous_hash != previous
                || chain_hash(&previous, &seal.content_hash) != seal.hash
            {
                return Ok(broken(seal.event_id, "the chain of seals is broken here"));
            }
            if content_hash(event) != seal.content_hash {
                return Ok(broken(
                    seal.event_id,
                    "the event was altered after it was sealed",
                ));
            }
            previous = seal.hash.clone();
            sealed += 1;
        }
        after = last.event_id;
    }
    let unsealed: i64 = audit_events::table
        .filter(audit_events::id.gt(after))
        .filter(audit_events::occurred_at.lt(now - SETTLE))
        .count()
        .get_result(conn)?;
    Ok(Verdict::Intact {
        sealed,
        unsealed: unsealed as u64,
    })
}

fn broken(event_id: i64, problem: &str) -> Verdict {
    Verdict::Broken {
        event_id,
        problem: problem.to_string(),
    }
}
