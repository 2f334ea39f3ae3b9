//! Budgetramar, förvaltningsplaner, their activities, and the approved versions they leave
//! behind when revised.

mod items;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{budget_frames, plan_versions, plans};
use crate::db::{DbConnection, Page};
use crate::domain::plan::{deviations, Deviation, ItemCosts, PlanStatus};
use crate::error::{AppError, AppResult};

pub use items::*;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = budget_frames)]
pub struct BudgetFrame {
    pub id: i64,
    pub portfolio_id: i64,
    pub year: i32,
    pub amount_minor: i64,
    pub note: String,
    pub version: i64,
    #[serde(serialize_with = "super::rfc3339")]
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::rfc3339")]
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

pub fn find_frame(
    conn: &mut DbConnection,
    portfolio_id: i64,
    year: i32,
) -> AppResult<Option<BudgetFrame>> {
    Ok(budget_frames::table
        .filter(budget_frames::portfolio_id.eq(portfolio_id))
        .filter(budget_frames::year.eq(year))
        .select(BudgetFrame::as_select())
        .first(conn)
        .optional()?)
}

pub fn frames_of(conn: &mut DbConnection, portfolio_id: i64) -> AppResult<Vec<BudgetFrame>> {
    Ok(budget_frames::table
        .filter(budget_frames::portfolio_id.eq(portfolio_id))
        .order(budget_frames::year.desc())
        .select(BudgetFrame::as_select())
        .load(conn)?)
}

/// Sets the frame of a portfolio and year: inserted, or changed if it still has the version
/// of `current`.
pub fn set_frame(
    conn: &mut DbConnection,
    portfolio_id: i64,
    year: i32,
    amount_minor: i64,
    note: &str,
    current: Option<&BudgetFrame>,
) -> AppResult<BudgetFrame> {
    let now = super::now();
    match current {
        None => Ok(diesel::insert_into(budget_frames::table)
            .values((
                budget_frames::portfolio_id.eq(portfolio_id),
                budget_frames::year.eq(year),
                budget_frames::amount_minor.eq(amount_minor),
                budget_frames::note.eq(note),
                budget_frames::version.eq(1),
                budget_frames::created_at.eq(now),
                budget_frames::updated_at.eq(now),
            ))
            .returning(budget_frames::all_columns)
            .get_result(conn)?),
        Some(frame) => crate::db::update_versioned!(
            conn,
            budget_frames,
            frame,
            at = now,
            (
                budget_frames::amount_minor.eq(amount_minor),
                budget_frames::note.eq(note),
            )
        ),
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct Plan {
    pub id: i64,
    pub portfolio_id: i64,
    pub year: i32,
    pub status: String,
    pub revision: i32,
    pub summary: String,
    pub goals: String,
    pub return_reason: Option<String>,
    pub annual_report: Option<String>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub submitted_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub approved_at: Option<NaiveDateTime>,
    pub approved_by: Option<String>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub closed_at: Option<NaiveDateTime>,
    pub deviation: bool,
    pub reported_deviations: String,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

impl Plan {
    /// The stored state; the CHECK constraint keeps it one of the four.
    pub fn status(&self) -> PlanStatus {
        self.status.parse().unwrap_or(PlanStatus::Draft)
    }

    fn reported(&self) -> Vec<String> {
        serde_json::from_str(&self.reported_deviations).unwrap_or_default()
    }
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Plan> {
    plans::table
        .find(id)
        .select(Plan::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such plan."))
}

pub fn insert(
    conn: &mut DbConnection,
    portfolio_id: i64,
    year: i32,
    summary: &str,
    goals: &str,
) -> AppResult<Plan> {
    let now = super::now();
    diesel::insert_into(plans::table)
        .values((
            plans::portfolio_id.eq(portfolio_id),
            plans::year.eq(year),
            plans::status.eq(PlanStatus::Draft.as_str()),
            plans::revision.eq(1),
            plans::summary.eq(summary),
            plans::goals.eq(goals),
            plans::version.eq(1),
            plans::created_at.eq(now),
            plans::updated_at.eq(now),
        ))
        .returning(plans::all_columns)
        .get_result(conn)
        .map_err(|e| match AppError::from(e) {
            AppError::Taken { .. } | AppError::Conflict(_) => AppError::conflict(format!(
                "The portfolio already has a plan for {year}; there is one plan per portfolio and year."
            )),
            other => other,
        })
}

/// What a write changes of a plan; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PlanChange {
    pub status: Option<PlanStatus>,
    pub revision: Option<i32>,
    pub summary: Option<String>,
    pub goals: Option<String>,
    pub return_reason: Option<Option<String>>,
    pub annual_report: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub approved: Option<(NaiveDateTime, String)>,
    /// A new revision is not approved (yet).
    pub clear_approval: bool,
    pub closed_at: Option<NaiveDateTime>,
}

/// Writes `change` if the plan still has `current.version`.
pub fn update(conn: &mut DbConnection, current: &Plan, change: PlanChange) -> AppResult<Plan> {
    let status = change.status.unwrap_or(current.status());
    let (approved_at, approved_by) = match change.approved {
        Some((at, by)) => (Some(at), Some(by)),
        None if change.clear_approval => (None, None),
        None => (current.approved_at, current.approved_by.clone()),
    };
    crate::db::update_versioned!(
        conn,
        plans,
        current,
        (
            plans::status.eq(status.as_str()),
            plans::revision.eq(change.revision.unwrap_or(current.revision)),
            plans::summary.eq(change.summary.unwrap_or_else(|| current.summary.clone())),
            plans::goals.eq(change.goals.unwrap_or_else(|| current.goals.clone())),
            plans::return_reason.eq(change
                .return_reason
                .unwrap_or_else(|| current.return_reason.clone())),
            plans::annual_report.eq(change
                .annual_report
                .or_else(|| current.annual_report.clone())),
            plans::submitted_at.eq(change.submitted_at.or(current.submitted_at)),
            plans::approved_at.eq(approved_at),
            plans::approved_by.eq(approved_by),
            plans::closed_at.eq(change.closed_at.or(current.closed_at)),
        )
    )
}

#[derive(Debug, Default)]
pub struct PlanFilter {
    pub portfolio_id: Option<i64>,
    pub year: Option<i32>,
    pub status: Option<PlanStatus>,
    pub deviation: Option<bool>,
}

pub const SORT_FIELDS: &[&str] = &["id", "year", "created_at", "updated_at"];

pub fn list(
    conn: &mut DbConnection,
    filter: &PlanFilter,
    page: &Page,
) -> AppResult<(i64, Vec<Plan>)> {
    let query = || {
        let mut q = plans::table.into_boxed();
        if let Some(p) = filter.portfolio_id {
            q = q.filter(plans::portfolio_id.eq(p));
        }
        if let Some(y) = filter.year {
            q = q.filter(plans::year.eq(y));
        }
        if let Some(s) = filter.status {
            q = q.filter(plans::status.eq(s.as_str()));
        }
        if let Some(d) = filter.deviation {
            q = q.filter(plans::deviation.eq(d));
        }
        q
    };
    let count = query().count().get_result(conn)?;
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("year", false) => query().order(plans::year.asc()),
        ("year", true) => query().order(plans::year.desc()),
        ("created_at", false) => query().order(plans::created_at.asc()),
        ("created_at", true) => query().order(plans::created_at.desc()),
        ("updated_at", false) => query().order(plans::updated_at.asc()),
        ("updated_at", true) => query().order(plans::updated_at.desc()),
        (_, true) => query().order(plans::id.desc()),
        (_, false) => query().order(plans::id.asc()),
    };
    let rows = q
        .then_order_by(plans::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(Plan::as_select())
        .load(conn)?;
    Ok((count, rows))
}

/// The plans of these portfolios for `year`.
pub fn of_year(conn: &mut DbConnection, portfolio_ids: &[i64], year: i32) -> AppResult<Vec<Plan>> {
    Ok(plans::table
        .filter(plans::portfolio_id.eq_any(portfolio_ids))
        .filter(plans::year.eq(year))
        .select(Plan::as_select())
        .load(conn)?)
}

/// The frames of these (portfolio, year) pairs' portfolios, for `years`.
pub fn frames_for(
    conn: &mut DbConnection,
    portfolio_ids: &[i64],
    years: &[i32],
) -> AppResult<Vec<BudgetFrame>> {
    Ok(budget_frames::table
        .filter(budget_frames::portfolio_id.eq_any(portfolio_ids))
        .filter(budget_frames::year.eq_any(years))
        .select(BudgetFrame::as_select())
        .load(conn)?)
}

/// Recomputes the plan's deviations after its activities or its frame changed; stores whether
/// it deviates, and returns the deviations not reported before (each is reported once: a
/// deviation that goes away and comes back is new again).
pub fn refresh_deviations(conn: &mut DbConnection, plan: &Plan) -> AppResult<Vec<Deviation>> {
    let items = items_of(conn, &[plan.id])?;
    let costs: Vec<ItemCosts> = items.iter().map(PlanItem::costs).collect();
    let frame = find_frame(conn, plan.portfolio_id, plan.year)?.map(|f| f.amount_minor);
    let found = deviations(&costs, frame);
    let reported = plan.reported();
    let new: Vec<Deviation> = found
        .iter()
        .filter(|d| !reported.contains(&d.key()))
        .cloned()
        .collect();
    let keys: Vec<String> = found.iter().map(Deviation::key).collect();
    let deviates = !found.is_empty();
    if keys != reported || plan.deviation != deviates {
        diesel::update(plans::table.find(plan.id))
            .set((
                plans::deviation.eq(deviates),
                plans::reported_deviations
                    .eq(serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into())),
            ))
            .execute(conn)?;
    }
    Ok(new)
}

/// An approved revision, as it was approved.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plan_versions)]
pub struct PlanVersion {
    pub id: i64,
    pub plan_id: i64,
    pub revision: i32,
    pub document: String,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub approved_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub superseded_at: NaiveDateTime,
}

pub fn insert_version(
    conn: &mut DbConnection,
    plan: &Plan,
    document: &serde_json::Value,
) -> AppResult<()> {
    diesel::insert_into(plan_versions::table)
        .values((
            plan_versions::plan_id.eq(plan.id),
            plan_versions::revision.eq(plan.revision),
            plan_versions::document.eq(document.to_string()),
            plan_versions::approved_at.eq(plan.approved_at),
            plan_versions::superseded_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn versions_of(conn: &mut DbConnection, plan_id: i64) -> AppResult<Vec<PlanVersion>> {
    Ok(plan_versions::table
        .filter(plan_versions::plan_id.eq(plan_id))
        .order(plan_versions::revision.asc())
        .select(PlanVersion::as_select())
        .load(conn)?)
}
