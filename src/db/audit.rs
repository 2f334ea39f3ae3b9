//! The audit trail: every successful write records one event in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::schema::audit_events;
use super::DbConnection;
use crate::auth::policy::Grant;
use crate::error::AppResult;

/// The singular snake_case resource names of DESIGN.md §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectType {
    Portfolio,
    Service,
    Person,
    RoleAssignment,
    Organization,
    Contract,
    Delivery,
    BudgetFrame,
    Plan,
    PlanItem,
    ChangeRequest,
    Webhook,
    ExchangeRate,
}

impl ObjectType {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Portfolio => "portfolio",
            ObjectType::Service => "service",
            ObjectType::Person => "person",
            ObjectType::RoleAssignment => "role_assignment",
            ObjectType::Organization => "organization",
            ObjectType::Contract => "contract",
            ObjectType::Delivery => "delivery",
            ObjectType::BudgetFrame => "budget_frame",
            ObjectType::Plan => "plan",
            ObjectType::PlanItem => "plan_item",
            ObjectType::ChangeRequest => "change_request",
            ObjectType::Webhook => "webhook",
            ObjectType::ExchangeRate => "exchange_rate",
        }
    }
}

/// Who did it, and under which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub sub: String,
    pub request_id: String,
}

/// One change to record.
pub struct Change<'a> {
    /// The action code (the policy's, or e.g. `person.create` for a first sight).
    pub action: &'a str,
    /// The roles that allowed it.
    pub roles: &'a [String],
    pub object_type: ObjectType,
    pub object_id: i64,
    /// The portfolio the object belongs to, for scoped reading of the trail.
    pub portfolio_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Change<'a> {
    pub fn by(grant: &'a Grant, object_type: ObjectType, object_id: i64) -> Self {
        Change {
            action: grant.action.code(),
            roles: &grant.roles,
            object_type,
            object_id,
            portfolio_id: None,
            before: None,
            after: None,
        }
    }

    pub fn in_portfolio(mut self, portfolio_id: Option<i64>) -> Self {
        self.portfolio_id = portfolio_id;
        self
    }

    pub fn before(mut self, value: &impl serde::Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    /// The state before, when there was one (a creation has none).
    pub fn before_if(mut self, value: Option<&impl serde::Serialize>) -> Self {
        self.before = value.and_then(|v| serde_json::to_value(v).ok());
        self
    }

    pub fn after(mut self, value: &impl serde::Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
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
}

/// Records `change` in the audit trail and, as an event of the same transaction, in the event
/// stream (`type` = the action, `data` = the object after the change).
pub fn record(conn: &mut DbConnection, actor: &Actor, change: Change<'_>) -> AppResult<()> {
    let roles = serde_json::to_string(change.roles).unwrap_or_else(|_| "[]".into());
    let occurred_at = super::now();
    let after = change.after.map(|v| v.to_string());
    super::events::append(
        conn,
        &super::events::NewEvent {
            event_type: change.action,
            occurred_at,
            object_type: change.object_type.as_str(),
            object_id: change.object_id,
            portfolio_id: change.portfolio_id,
            data: after.as_deref(),
        },
    )?;
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(occurred_at),
            audit_events::actor_sub.eq(&actor.sub),
            audit_events::actor_roles.eq(roles),
            audit_events::action.eq(change.action),
            audit_events::object_type.eq(change.object_type.as_str()),
            audit_events::object_id.eq(change.object_id),
            audit_events::portfolio_id.eq(change.portfolio_id),
            audit_events::before_state.eq(change.before.map(|v| v.to_string())),
            audit_events::after_state.eq(after),
            audit_events::request_id.eq(&actor.request_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Filters of `GET /api/v1/audit-events`.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub object_type: Option<String>,
    pub object_id: Option<i64>,
    pub actor: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
    /// `None`: everything; otherwise only events of these portfolios or services.
    pub portfolios: Option<Vec<i64>>,
    pub services: Vec<i64>,
}

/// The rows of `table` (the audit trail, or the event stream: both have `object_type`,
/// `object_id` and `portfolio_id`) of a scope: the whole history of every object now in these portfolios (what
/// happened to a service before it moved here included), of these further services, and what
/// was recorded in the portfolios.
///
/// One union of index lookups, one per kind of object (by `object_type, object_id, id`), so
/// the database collects the scope's events from the indexes and pages through those — rather
/// than walking the whole trail and testing each event against the scope, whose cost grows
/// with the trail. The ids are the caller's own scope, read from the database, never client
/// text; they are written into the statement as integers.
pub(super) fn in_scope_sql(table: &str, portfolios: &[i64], services: &[i64]) -> String {
    let list = |ids: &[i64]| {
        if ids.is_empty() {
            "NULL".to_string()
        } else {
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        }
    };
    let (p, s) = (list(portfolios), list(services));
    let services_now = format!("SELECT id FROM services WHERE portfolio_id IN ({p})");
    let of = |object_type: ObjectType, ids: &str| {
        format!(
            "SELECT id FROM {table} WHERE object_type = '{}' AND object_id IN ({ids})",
            object_type.as_str()
        )
    };
    let parts = [
        format!("SELECT id FROM {table} WHERE portfolio_id IN ({p})"),
        of(ObjectType::Portfolio, &p),
        of(ObjectType::Service, &services_now),
        of(ObjectType::Service, &s),
        // Three lookups rather than one with OR, which PostgreSQL answers by a scan.
        of(
            ObjectType::RoleAssignment,
            &format!("SELECT id FROM role_assignments WHERE portfolio_id IN ({p})"),
        ),
        of(
            ObjectType::RoleAssignment,
            &format!("SELECT id FROM role_assignments WHERE service_id IN ({services_now})"),
        ),
        of(
            ObjectType::RoleAssignment,
            &format!("SELECT id FROM role_assignments WHERE service_id IN ({s})"),
        ),
        of(
            ObjectType::Contract,
            &format!(
                "SELECT contract_id FROM contract_services WHERE service_id IN ({services_now})"
            ),
        ),
        of(
            ObjectType::Delivery,
            &format!("SELECT id FROM deliveries WHERE service_id IN ({services_now})"),
        ),
        of(
            ObjectType::ChangeRequest,
            &format!("SELECT id FROM change_requests WHERE service_id IN ({services_now})"),
        ),
    ];
    format!("{table}.id IN ({})", parts.join(" UNION ALL "))
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
    let query = || {
        let mut q = audit_events::table.into_boxed();
        if let Some(t) = &filter.object_type {
            q = q.filter(audit_events::object_type.eq(t.clone()));
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
            q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&in_scope_sql(
                "audit_events",
                portfolios,
                &filter.services,
            )));
        }
        q
    };
    let count = if with_count {
        Some(query().count().get_result(conn)?)
    } else {
        None
    };
    let ordered = match (page.sort.descending, after) {
        (true, Some(key)) => query()
            .filter(audit_events::id.lt(key))
            .order(audit_events::id.desc()),
        (true, None) => query().order(audit_events::id.desc()),
        (false, Some(key)) => query()
            .filter(audit_events::id.gt(key))
            .order(audit_events::id.asc()),
        (false, None) => query().order(audit_events::id.asc()),
    };
    let rows = ordered
        .limit(page.limit)
        .offset(page.offset)
        .select(AuditEvent::as_select())
        .load(conn)?;
    Ok((count, rows))
}
