//! The event stream: every audited change as an event (`type` = the audit action, `data` = the
//! object after the change), appended in the writing transaction by [`super::audit::record`],
//! read by key (`after`) by systems that follow changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::events;
use super::DbConnection;
use crate::domain::event::EventTypePattern;
use crate::error::AppResult;

pub struct NewEvent<'a> {
    pub event_type: &'a str,
    pub occurred_at: NaiveDateTime,
    pub object_type: &'a str,
    pub object_id: i64,
    pub portfolio_id: Option<i64>,
    pub data: Option<&'a str>,
    /// The import the change was part of.
    pub import_id: Option<i64>,
}

/// An event as readers see it: `id` is its place in the stream (the column `position`), given in
/// commit order (see [`sequence`]); events without one yet are not shown.
#[derive(Debug, Clone, Queryable)]
pub struct Event {
    pub id: i64,
    pub event_type: String,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub occurred_at: NaiveDateTime,
    pub object_type: String,
    pub object_id: i64,
    pub portfolio_id: Option<i64>,
    pub data: Option<String>,
    pub import_id: Option<i64>,
}

type EventColumns = (
    diesel::dsl::AssumeNotNull<events::position>,
    events::event_type,
    events::occurred_at,
    events::object_type,
    events::object_id,
    events::portfolio_id,
    events::data,
    events::import_id,
);

/// The columns of an [`Event`] (only for rows with a position).
pub fn columns() -> EventColumns {
    (
        events::position.assume_not_null(),
        events::event_type,
        events::occurred_at,
        events::object_type,
        events::object_id,
        events::portfolio_id,
        events::data,
        events::import_id,
    )
}

/// Appends one event (inside the caller's transaction); its id.
pub fn append(conn: &mut DbConnection, event: &NewEvent<'_>) -> AppResult<i64> {
    Ok(diesel::insert_into(events::table)
        .values((
            events::event_type.eq(event.event_type),
            events::occurred_at.eq(event.occurred_at),
            events::object_type.eq(event.object_type),
            events::object_id.eq(event.object_id),
            events::portfolio_id.eq(event.portfolio_id),
            events::data.eq(event.data),
            events::import_id.eq(event.import_id),
        ))
        .returning(events::id)
        .get_result(conn)?)
}

/// Filters of `GET /api/v1/events`.
#[derive(Debug, Default)]
pub struct EventFilter {
    pub event_type: Option<EventTypePattern>,
    pub object_type: Option<String>,
    pub object_id: Option<i64>,
    /// Object types left out (the reader may not read such objects).
    pub hidden_types: Vec<String>,
    /// `None`: everything; otherwise only events of these portfolios or services (as the
    /// audit trail's scope).
    pub portfolios: Option<Vec<i64>>,
    pub services: Vec<i64>,
}

/// The events after position `after`, in stream order, at most `limit`; their number only
/// when asked for.
pub fn list(
    conn: &mut DbConnection,
    filter: &EventFilter,
    after: i64,
    limit: i64,
    with_count: bool,
) -> AppResult<(Option<i64>, Vec<Event>)> {
    let query = || {
        let mut q = events::table
            .filter(events::position.is_not_null())
            .into_boxed();
        match &filter.event_type {
            Some(EventTypePattern::Exact(t)) => q = q.filter(events::event_type.eq(t.clone())),
            Some(EventTypePattern::Prefix(p)) => {
                q = q.filter(
                    events::event_type
                        .like(EventTypePattern::like_pattern(p))
                        .escape('\\'),
                )
            }
            None => {}
        }
        if let Some(t) = &filter.object_type {
            q = q.filter(events::object_type.eq(t.clone()));
        }
        if !filter.hidden_types.is_empty() {
            q = q.filter(events::object_type.ne_all(filter.hidden_types.clone()));
        }
        if let Some(id) = filter.object_id {
            q = q.filter(events::object_id.eq(id));
        }
        if let Some(portfolios) = &filter.portfolios {
            q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &super::history_scope::in_scope_sql("events", portfolios, &filter.services),
            ));
        }
        q
    };
    let count = if with_count {
        Some(query().count().get_result(conn)?)
    } else {
        None
    };
    let rows = query()
        .filter(events::position.gt(after))
        .order(events::position.asc())
        .limit(limit)
        .select(columns())
        .load(conn)?;
    Ok((count, rows))
}

/// Gives stream positions (PostgreSQL; SQLite's trigger gives each its id as it is inserted).
///
/// An identity value is taken at insert, not at commit: a transaction may yet commit an event
/// with a smaller id than one already visible, and a reader that had moved past it would miss
/// it for good. So positions go, in transaction order, to the events of transactions older than
/// every transaction still running (`pg_snapshot_xmin`): all of those have ended, and any event
/// still to come belongs to a later transaction and gets a later position. One sequencer at a
/// time (an advisory lock); the number of events placed.
pub fn sequence(conn: &mut DbConnection) -> AppResult<usize> {
    let DbConnection::Postgresql(_) = conn else {
        return Ok(0);
    };
    conn.transaction(|conn| {
        let sequencer: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "pg_try_advisory_xact_lock(7466234)",
        ))
        .get_result(conn)?;
        if !sequencer {
            return Ok(0);
        }
        Ok(diesel::sql_query(
            "UPDATE events SET position = placed.base + placed.n \
             FROM (SELECT e.id, row_number() OVER (ORDER BY e.txid, e.id) AS n, \
                          (SELECT COALESCE(MAX(position), 0) FROM events) AS base \
                   FROM events e \
                   WHERE e.position IS NULL \
                     AND e.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint) placed \
             WHERE events.id = placed.id",
        )
        .execute(conn)?)
    })
}
