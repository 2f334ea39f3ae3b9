//! The audit trail: every successful write records one event in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_events;
use super::DbConnection;
use crate::domain::access::Grant;
use crate::error::AppResult;

use super::history_scope::Nearest;
pub use crate::domain::object_type::ObjectType;

/// Who did it, and under which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub sub: String,
    pub request_id: String,
    /// The SHA-256 of the governance model that authorised the request's decisions.
    pub model: String,
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    /// The action code (the policy's, or e.g. `person.create` for a first sight).
    pub action: &'static str,
    /// The roles that allowed it.
    pub roles: Vec<String>,
    pub object_type: ObjectType,
    pub object_id: i64,
    /// The portfolio the object belongs to, for scoped reading of the trail.
    pub portfolio_id: Option<i64>,
    /// The states as JSON text, written once (an import holds thousands until it commits).
    pub before: Option<String>,
    pub after: Option<String>,
    /// The import the change was part of, if any.
    pub import_id: Option<i64>,
}

impl Change {
    /// A change made under `grant`: its action, and the roles that allowed it.
    pub fn by(grant: &Grant, object_type: ObjectType, object_id: i64) -> Self {
        Change::as_action(grant.action.code(), grant, object_type, object_id)
    }

    /// A change recorded under another action than the grant's (a deviation a follow-up
    /// revealed), allowed by the grant's roles.
    pub fn as_action(
        action: &'static str,
        grant: &Grant,
        object_type: ObjectType,
        object_id: i64,
    ) -> Self {
        Change {
            action,
            roles: grant.roles.clone(),
            object_type,
            object_id,
            portfolio_id: None,
            before: None,
            after: None,
            import_id: None,
        }
    }

    /// The change as part of import `id`.
    pub fn in_import(mut self, id: i64) -> Self {
        self.import_id = Some(id);
        self
    }

    pub fn in_portfolio(mut self, portfolio_id: Option<i64>) -> Self {
        self.portfolio_id = portfolio_id;
        self
    }

    pub fn before(mut self, value: &impl serde::Serialize) -> Self {
        self.before = serde_json::to_string(value).ok();
        self
    }

    /// The state before, when there was one (a creation has none).
    pub fn before_if(mut self, value: Option<&impl serde::Serialize>) -> Self {
        self.before = value.and_then(|v| serde_json::to_string(v).ok());
        self
    }

    pub fn after(mut self, value: &impl serde::Serialize) -> Self {
        self.after = serde_json::to_string(value).ok();
        self
    }

    /// The state after, when there is one (a removal has none).
    pub fn after_if(mut self, value: Option<&impl serde::Serialize>) -> Self {
        self.after = value.and_then(|v| serde_json::to_string(v).ok());
        self
    }
}

/// What a write did: its answer and the changes it made, at least one. The work a handler
/// hands to the write path returns this, and the write path records the changes in the same
/// transaction: a write cannot leave its audit event out, since it has no other way to answer.
#[must_use = "a write's changes are recorded only when the write path receives them"]
#[derive(Debug)]
pub struct Audited<T> {
    value: T,
    changes: Vec<Change>,
}

impl<T> Audited<T> {
    pub fn new(value: T, change: Change) -> Self {
        Audited {
            value,
            changes: vec![change],
        }
    }

    /// A further change of the same write.
    pub fn and(mut self, change: Change) -> Self {
        self.changes.push(change);
        self
    }

    /// Further changes of the same write (none, one or many).
    pub fn and_all(mut self, changes: impl IntoIterator<Item = Change>) -> Self {
        self.changes.extend(changes);
        self
    }

    /// Changes that came before this write's own (a person created to be appointed).
    pub fn preceded_by(mut self, earlier: impl IntoIterator<Item = Change>) -> Self {
        let mut changes: Vec<Change> = earlier.into_iter().collect();
        changes.append(&mut self.changes);
        self.changes = changes;
        self
    }

    /// Records every change (in order) and gives the answer.
    pub fn record(self, conn: &mut DbConnection, actor: &Actor) -> AppResult<T> {
        for change in self.changes {
            record(conn, actor, change)?;
        }
        Ok(self.value)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub occurred_at: NaiveDateTime,
    pub actor_sub: String,
    pub actor_roles: String,
    pub action: String,
    pub object_type: String,
    pub object_id: i64,
    pub portfolio_id: Option<i64>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub request_id: Option<String>,
    /// The SHA-256 of the governance model in force (none before models were recorded).
    pub governance_model: Option<String>,
    /// The import the change was part of.
    pub import_id: Option<i64>,
}

/// Records `change` in the audit trail and, as an event of the same transaction, in the event
/// stream (`type` = the action, `data` = the object after the change).
fn record(conn: &mut DbConnection, actor: &Actor, mut change: Change) -> AppResult<()> {
    let row = Recorded {
        occurred_at: super::now(),
        roles: serde_json::to_string(&change.roles).unwrap_or_else(|_| "[]".into()),
        before: change.before.take(),
        after: change.after.take(),
    };
    match conn {
        DbConnection::Postgresql(pg) => record_in_one_statement(pg, actor, &change, &row),
        DbConnection::Sqlite(_) => record_in_two_statements(conn, actor, &change, &row),
    }
}

/// The texts of one recorded change, shared by its audit row and its event.
struct Recorded {
    occurred_at: NaiveDateTime,
    roles: String,
    before: Option<String>,
    after: Option<String>,
}

/// PostgreSQL: the event and the audit row in one statement (a data-modifying `WITH`), one
/// round trip of a write's seven fewer.
fn record_in_one_statement(
    conn: &mut diesel::PgConnection,
    actor: &Actor,
    change: &Change,
    row: &Recorded,
) -> AppResult<()> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    diesel::sql_query(
        "WITH event AS (\
           INSERT INTO events (event_type, occurred_at, object_type, object_id, portfolio_id, data, \
             import_id) \
           VALUES ($1, $2, $3, $4, $5, $6, $12)) \
         INSERT INTO audit_events (occurred_at, actor_sub, actor_roles, action, object_type, \
           object_id, portfolio_id, before_state, after_state, request_id, governance_model, \
           import_id) \
         VALUES ($2, $7, $8, $1, $3, $4, $5, $9, $6, $10, $11, $12)",
    )
    .bind::<Text, _>(change.action)
    .bind::<Timestamp, _>(row.occurred_at)
    .bind::<Text, _>(change.object_type.as_str())
    .bind::<BigInt, _>(change.object_id)
    .bind::<Nullable<BigInt>, _>(change.portfolio_id)
    .bind::<Nullable<Text>, _>(row.after.as_deref())
    .bind::<Text, _>(&actor.sub)
    .bind::<Text, _>(&row.roles)
    .bind::<Nullable<Text>, _>(row.before.as_deref())
    .bind::<Text, _>(&actor.request_id)
    .bind::<Text, _>(&actor.model)
    .bind::<Nullable<BigInt>, _>(change.import_id)
    .execute(conn)?;
    Ok(())
}

/// SQLite (no data-modifying `WITH`; and no round trips to save in process): two inserts.
fn record_in_two_statements(
    conn: &mut DbConnection,
    actor: &Actor,
    change: &Change,
    row: &Recorded,
) -> AppResult<()> {
    super::events::append(
        conn,
        &super::events::NewEvent {
            event_type: change.action,
            occurred_at: row.occurred_at,
            object_type: change.object_type.as_str(),
            object_id: change.object_id,
            portfolio_id: change.portfolio_id,
            data: row.after.as_deref(),
            import_id: change.import_id,
        },
    )?;
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(row.occurred_at),
            audit_events::actor_sub.eq(&actor.sub),
            audit_events::actor_roles.eq(&row.roles),
            audit_events::action.eq(change.action),
            audit_events::object_type.eq(change.object_type.as_str()),
            audit_events::object_id.eq(change.object_id),
            audit_events::portfolio_id.eq(change.portfolio_id),
            audit_events::before_state.eq(row.before.as_deref()),
            audit_events::after_state.eq(row.after.as_deref()),
            audit_events::request_id.eq(&actor.request_id),
            audit_events::governance_model.eq(&actor.model),
            audit_events::import_id.eq(change.import_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Filters of `GET /api/v1/audit-events`.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub object_type: Option<String>,
    /// Object types left out (the reader may not read such objects).
    pub hidden_types: Vec<String>,
    pub object_id: Option<i64>,
    pub actor: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
    /// `None`: everything; otherwise only events of these portfolios or services.
    pub portfolios: Option<Vec<i64>>,
    pub services: Vec<i64>,
}

/// A page of the trail: by key after `after` (in the page's order), or by offset; the number
/// of all matching events only when asked for (`with_count`), since counting costs a pass over
/// them all.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: &super::Page,
    after: Option<i64>,
    with_count: bool,
) -> AppResult<(Option<i64>, Vec<AuditEvent>)> {
    // Only the scope narrows the rows: each part of it may stop at the page (not for the count).
    let only_scope = filter.object_type.is_none()
        && filter.hidden_types.is_empty()
        && filter.object_id.is_none()
        && filter.actor.is_none()
        && filter.since.is_none()
        && filter.until.is_none();
    let page_of_scope = only_scope.then_some(Nearest {
        descending: page.sort.descending,
        after,
        take: page.limit.saturating_add(page.offset),
    });
    let query = |nearest: Option<Nearest>| {
        let mut q = audit_events::table.into_boxed();
        if let Some(t) = &filter.object_type {
            q = q.filter(audit_events::object_type.eq(t.clone()));
        }
        if !filter.hidden_types.is_empty() {
            q = q.filter(audit_events::object_type.ne_all(filter.hidden_types.clone()));
        }
        if let Some(id) = filter.object_id {
            q = q.filter(audit_events::object_id.eq(id));
        }
        if let Some(actor) = &filter.actor {
            q = q.filter(audit_events::actor_sub.eq(actor.clone()));
        }
        if let Some(since) = filter.since {
            q = q.filter(audit_events::occurred_at.ge(since));
        }
        if let Some(until) = filter.until {
            q = q.filter(audit_events::occurred_at.lt(until));
        }
        if let Some(portfolios) = &filter.portfolios {
            q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &super::history_scope::trail_scope_sql(portfolios, &filter.services, nearest),
            ));
        }
        q
    };
    let count = if with_count {
        Some(query(None).count().get_result(conn)?)
    } else {
        None
    };
    let ordered = match (page.sort.descending, after) {
        (true, Some(key)) => query(page_of_scope)
            .filter(audit_events::id.lt(key))
            .order(audit_events::id.desc()),
        (true, None) => query(page_of_scope).order(audit_events::id.desc()),
        (false, Some(key)) => query(page_of_scope)
            .filter(audit_events::id.gt(key))
            .order(audit_events::id.asc()),
        (false, None) => query(page_of_scope).order(audit_events::id.asc()),
    };
    let rows = ordered
        .limit(page.limit)
        .offset(page.offset)
        .select(AuditEvent::as_select())
        .load(conn)?;
    Ok((count, rows))
}
