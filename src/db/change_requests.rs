//! Ändringsönskemål, behov och krav: wishes for a service, assessed by its TJF, decided by the
//! TÄ, released before they reach users.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use diesel::sql_types::Bool;

use super::schema::{change_requests, services};
use super::scope::services_in_reach;
use super::{like_pattern, DbConnection, Page};
use crate::domain::access::Reach;
use crate::domain::money::{Currency, Money};
use crate::domain::plan::{ChangeRequestStatus, Priority, Recommendation};
use crate::error::{AppError, AppResult};

type Backend = <DbConnection as diesel::Connection>::Backend;
pub type Condition = Box<dyn BoxableExpression<change_requests::table, Backend, SqlType = Bool>>;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = change_requests)]
pub struct ChangeRequest {
    pub id: i64,
    pub service_id: i64,
    pub title: String,
    pub description: String,
    pub status: String,
    pub submitted_by: String,
    pub priority: Option<String>,
    pub estimated_cost_minor: Option<i64>,
    pub estimated_cost_currency: Option<String>,
    pub recommendation: Option<String>,
    pub assessment_note: Option<String>,
    pub assessed_by: Option<String>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub assessed_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub decided_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub released_at: Option<NaiveDateTime>,
    pub plan_item_id: Option<i64>,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

impl ChangeRequest {
    /// The stored state; the CHECK constraint keeps it one of the five.
    pub fn status(&self) -> ChangeRequestStatus {
        self.status
            .parse()
            .unwrap_or(ChangeRequestStatus::Submitted)
    }

    pub fn priority(&self) -> Option<Priority> {
        self.priority.as_deref().and_then(|p| p.parse().ok())
    }

    pub fn recommendation(&self) -> Option<Recommendation> {
        self.recommendation.as_deref().and_then(|r| r.parse().ok())
    }

    pub fn estimated_cost(&self) -> Option<Money> {
        let currency = self
            .estimated_cost_currency
            .as_deref()
            .and_then(|c| Currency::parse(c).ok())
            .unwrap_or(Currency::SEK);
        self.estimated_cost_minor.map(|m| Money::new(m, currency))
    }
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<ChangeRequest> {
    change_requests::table
        .find(id)
        .select(ChangeRequest::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such change request."))
}

pub fn insert(
    conn: &mut DbConnection,
    service_id: i64,
    title: &str,
    description: &str,
    submitted_by: &str,
    plan_item_id: Option<i64>,
) -> AppResult<ChangeRequest> {
    let now = super::now();
    Ok(diesel::insert_into(change_requests::table)
        .values((
            change_requests::service_id.eq(service_id),
            change_requests::title.eq(title),
            change_requests::description.eq(description),
            change_requests::status.eq(ChangeRequestStatus::Submitted.as_str()),
            change_requests::submitted_by.eq(submitted_by),
            change_requests::plan_item_id.eq(plan_item_id),
            change_requests::version.eq(1),
            change_requests::created_at.eq(now),
            change_requests::updated_at.eq(now),
        ))
        .returning(change_requests::all_columns)
        .get_result(conn)?)
}

/// The assessment of a request (TJF: priority, estimate, recommendation).
pub struct Assessment<'a> {
    pub priority: Priority,
    pub estimated_cost: Money,
    pub recommendation: Recommendation,
    pub note: Option<&'a str>,
    pub by: &'a str,
    pub plan_item_id: Option<i64>,
}

pub fn assess(
    conn: &mut DbConnection,
    current: &ChangeRequest,
    a: &Assessment<'_>,
) -> AppResult<ChangeRequest> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        change_requests,
        current,
        at = now,
        (
            change_requests::status.eq(ChangeRequestStatus::Assessed.as_str()),
            change_requests::priority.eq(Some(a.priority.as_str())),
            change_requests::estimated_cost_minor.eq(Some(a.estimated_cost.minor)),
            change_requests::estimated_cost_currency.eq(Some(a.estimated_cost.currency.as_str())),
            change_requests::recommendation.eq(Some(a.recommendation.as_str())),
            change_requests::assessment_note.eq(a.note),
            change_requests::assessed_by.eq(Some(a.by)),
            change_requests::assessed_at.eq(Some(now)),
            change_requests::plan_item_id.eq(a.plan_item_id.or(current.plan_item_id)),
        )
    )
}

/// The TÄ's decision: `approved` or `rejected`.
pub fn decide(
    conn: &mut DbConnection,
    current: &ChangeRequest,
    to: ChangeRequestStatus,
    note: Option<&str>,
    by: &str,
) -> AppResult<ChangeRequest> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        change_requests,
        current,
        at = now,
        (
            change_requests::status.eq(to.as_str()),
            change_requests::decision_note.eq(note),
            change_requests::decided_by.eq(Some(by)),
            change_requests::decided_at.eq(Some(now)),
        )
    )
}

pub fn release(conn: &mut DbConnection, current: &ChangeRequest) -> AppResult<ChangeRequest> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        change_requests,
        current,
        at = now,
        (
            change_requests::status.eq(ChangeRequestStatus::Released.as_str()),
            change_requests::released_at.eq(Some(now)),
        )
    )
}

#[derive(Debug, Default)]
pub struct ChangeRequestFilter {
    pub service_id: Option<i64>,
    pub portfolio_id: Option<i64>,
    pub status: Option<ChangeRequestStatus>,
    pub priority: Option<Priority>,
    pub submitted_by: Option<String>,
    pub q: Option<String>,
}

pub const SORT_FIELDS: &[&str] = &["id", "created_at", "updated_at"];

/// The requests the caller may read: everywhere, of a service in reach, or their own.
pub fn in_reach(reach: &Reach) -> Condition {
    if reach.everywhere {
        return Box::new(true.into_sql::<Bool>());
    }
    let of_services = change_requests::service_id.eq_any(services_in_reach(reach));
    match &reach.submitter {
        Some(sub) => Box::new(of_services.or(change_requests::submitted_by.eq(sub.clone()))),
        None => Box::new(of_services),
    }
}

pub fn list(
    conn: &mut DbConnection,
    filter: &ChangeRequestFilter,
    reach: &Reach,
    page: &Page,
) -> AppResult<(i64, Vec<ChangeRequest>)> {
    let query = || {
        let mut q = change_requests::table.into_boxed().filter(in_reach(reach));
        if let Some(s) = filter.service_id {
            q = q.filter(change_requests::service_id.eq(s));
        }
        if let Some(p) = filter.portfolio_id {
            q = q.filter(
                change_requests::service_id.eq_any(
                    services::table
                        .filter(services::portfolio_id.eq(p))
                        .select(services::id),
                ),
            );
        }
        if let Some(s) = filter.status {
            q = q.filter(change_requests::status.eq(s.as_str()));
        }
        if let Some(p) = filter.priority {
            q = q.filter(change_requests::priority.eq(p.as_str()));
        }
        if let Some(sub) = &filter.submitted_by {
            q = q.filter(change_requests::submitted_by.eq(sub.clone()));
        }
        if let Some(text) = &filter.q {
            // Titles are short: matched case-insensitively in ASCII by the database, å/ä/ö as
            // typed.
            q = q.filter(change_requests::title.like(like_pattern(text)).escape('\\'));
        }
        q
    };
    let count = query().count().get_result(conn)?;
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("created_at", false) => query().order(change_requests::created_at.asc()),
        ("created_at", true) => query().order(change_requests::created_at.desc()),
        ("updated_at", false) => query().order(change_requests::updated_at.asc()),
        ("updated_at", true) => query().order(change_requests::updated_at.desc()),
        (_, true) => query().order(change_requests::id.desc()),
        (_, false) => query().order(change_requests::id.asc()),
    };
    let rows = q
        .then_order_by(change_requests::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(ChangeRequest::as_select())
        .load(conn)?;
    Ok((count, rows))
}

/// When a request of a portfolio's service was decided and released.
pub type Milestones = (Option<i64>, Option<NaiveDateTime>, Option<NaiveDateTime>);

/// Requests of these portfolios' services decided (approved or rejected) or released within
/// `[from, until)`: (portfolio, decided, released).
pub fn decided_and_released(
    conn: &mut DbConnection,
    portfolio_ids: &[i64],
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<Vec<Milestones>> {
    Ok(change_requests::table
        .inner_join(services::table)
        .filter(services::portfolio_id.eq_any(portfolio_ids))
        .filter(
            change_requests::decided_at
                .ge(from)
                .and(change_requests::decided_at.lt(until))
                .or(change_requests::released_at
                    .ge(from)
                    .and(change_requests::released_at.lt(until))),
        )
        .select((
            services::portfolio_id,
            change_requests::decided_at,
            change_requests::released_at,
        ))
        .load(conn)?)
}

/// Requests linked to this plan activity.
pub fn count_linked_to_item(conn: &mut DbConnection, item_id: i64) -> AppResult<i64> {
    Ok(change_requests::table
        .filter(change_requests::plan_item_id.eq(item_id))
        .count()
        .get_result(conn)?)
}
