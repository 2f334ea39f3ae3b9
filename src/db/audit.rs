//! The audit trail: every successful write records one event in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::schema::{
    audit_events, change_requests, contract_services, deliveries, role_assignments, services,
};
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

pub fn record(conn: &mut DbConnection, actor: &Actor, change: Change<'_>) -> AppResult<()> {
    let roles = serde_json::to_string(change.roles).unwrap_or_else(|_| "[]".into());
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(super::now()),
            audit_events::actor_sub.eq(&actor.sub),
            audit_events::actor_roles.eq(roles),
            audit_events::action.eq(change.action),
            audit_events::object_type.eq(change.object_type.as_str()),
            audit_events::object_id.eq(change.object_id),
            audit_events::portfolio_id.eq(change.portfolio_id),
            audit_events::before_state.eq(change.before.map(|v| v.to_string())),
            audit_events::after_state.eq(change.after.map(|v| v.to_string())),
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
            // The whole history of every object now in these portfolios (what happened to a
            // service before it moved here included), and what was recorded in them.
            let services_now = || {
                services::table
                    .filter(services::portfolio_id.eq_any(portfolios.clone()))
                    .select(services::id)
            };
            let services_now_nullable = services::table
                .filter(services::portfolio_id.eq_any(portfolios.clone()))
                .select(services::id.nullable());
            let assignments_now = role_assignments::table
                .filter(
                    role_assignments::portfolio_id
                        .eq_any(portfolios.clone())
                        .or(role_assignments::service_id.eq_any(services_now_nullable))
                        .or(role_assignments::service_id.eq_any(filter.services.clone())),
                )
                .select(role_assignments::id);
            let contracts_now = contract_services::table
                .filter(contract_services::service_id.eq_any(services_now()))
                .select(contract_services::contract_id);
            let deliveries_now = deliveries::table
                .filter(deliveries::service_id.eq_any(services_now()))
                .select(deliveries::id);
            let change_requests_now = change_requests::table
                .filter(change_requests::service_id.eq_any(services_now()))
                .select(change_requests::id);
            let of_type = |t: ObjectType| audit_events::object_type.eq(t.as_str());
            q = q.filter(
                audit_events::portfolio_id
                    .eq_any(portfolios.clone())
                    .or(of_type(ObjectType::Portfolio)
                        .and(audit_events::object_id.eq_any(portfolios.clone())))
                    .or(of_type(ObjectType::Service).and(
                        audit_events::object_id
                            .eq_any(services_now())
                            .or(audit_events::object_id.eq_any(filter.services.clone())),
                    ))
                    .or(of_type(ObjectType::RoleAssignment)
                        .and(audit_events::object_id.eq_any(assignments_now)))
                    .or(of_type(ObjectType::Contract)
                        .and(audit_events::object_id.eq_any(contracts_now)))
                    .or(of_type(ObjectType::Delivery)
                        .and(audit_events::object_id.eq_any(deliveries_now)))
                    .or(of_type(ObjectType::ChangeRequest)
                        .and(audit_events::object_id.eq_any(change_requests_now))),
            );
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
