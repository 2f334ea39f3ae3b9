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
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: i64,
    pub event_type: String,
    pub occurred_at: NaiveDateTime,
    pub object_type: String,
    pub object_id: i64,
    pub portfolio_id: Option<i64>,
    pub data: Option<String>,
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
    /// `None`: everything; otherwise only events of these portfolios or services (as the
    /// audit trail's scope).
    pub portfolios: Option<Vec<i64>>,
    pub services: Vec<i64>,
}

/// The events after `after`, oldest first, at most `limit`; their number only when asked for.
///
/// On PostgreSQL only events of transactions older than every transaction still running are
/// returned: an identity value is taken at insert, not at commit, so a later-committing
/// transaction may still add an event with a smaller id than one already visible; a reader
/// that moved past it would miss it for good. Such events appear a moment later, in order.
pub fn list(
    conn: &mut DbConnection,
    filter: &EventFilter,
    after: i64,
    limit: i64,
    with_count: bool,
) -> AppResult<(Option<i64>, Vec<Event>)> {
    let settled = matches!(conn, DbConnection::Postgresql(_));
    let query = || {
        let mut q = events::table.into_boxed();
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
        if let Some(id) = filter.object_id {
            q = q.filter(events::object_id.eq(id));
        }
        if let Some(portfolios) = &filter.portfolios {
            q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &super::audit::in_scope_sql("events", portfolios, &filter.services),
            ));
        }
        if settled {
            q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "events.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
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
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(limit)
        .select(Event::as_select())
        .load(conn)?;
    Ok((count, rows))
}
