//! The activities of a plan: planned in a draft, followed up once approved.

use crate::db::schema::plan_items;
use crate::db::DbConnection;
use crate::domain::plan::{ItemCategory, ItemCosts, Priority, Progress};
use crate::error::{AppError, AppResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = plan_items)]
pub struct PlanItem {
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    pub description: String,
    pub service_id: Option<i64>,
    pub category: String,
    pub priority: String,
    pub planned_cost_minor: i64,
    pub actual_cost_minor: Option<i64>,
    pub outcome: String,
    pub progress: String,
    pub version: i64,
    #[serde(serialize_with = "crate::db::rfc3339")]
    #[diesel(deserialize_as = crate::db::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::rfc3339")]
    #[diesel(deserialize_as = crate::db::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

impl PlanItem {
    pub fn category(&self) -> ItemCategory {
        self.category.parse().unwrap_or(ItemCategory::Other)
    }

    pub fn priority(&self) -> Priority {
        self.priority.parse().unwrap_or(Priority::Medium)
    }

    pub fn progress(&self) -> Progress {
        self.progress.parse().unwrap_or(Progress::Planned)
    }

    pub fn costs(&self) -> ItemCosts {
        ItemCosts {
            id: self.id,
            title: self.title.clone(),
            planned: self.planned_cost_minor,
            actual: self.actual_cost_minor,
        }
    }
}

/// Every writable field of an activity, already parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFields {
    pub title: String,
    pub description: String,
    pub service_id: Option<i64>,
    pub category: ItemCategory,
    pub priority: Priority,
    pub planned_cost_minor: i64,
    pub actual_cost_minor: Option<i64>,
    pub outcome: String,
    pub progress: Progress,
}

impl ItemFields {
    pub fn of(item: &PlanItem) -> Self {
        ItemFields {
            title: item.title.clone(),
            description: item.description.clone(),
            service_id: item.service_id,
            category: item.category(),
            priority: item.priority(),
            planned_cost_minor: item.planned_cost_minor,
            actual_cost_minor: item.actual_cost_minor,
            outcome: item.outcome.clone(),
            progress: item.progress(),
        }
    }
}

/// The activities of these plans, in order.
pub fn items_of(conn: &mut DbConnection, plan_ids: &[i64]) -> AppResult<Vec<PlanItem>> {
    Ok(plan_items::table
        .filter(plan_items::plan_id.eq_any(plan_ids))
        .order((plan_items::plan_id, plan_items::id))
        .select(PlanItem::as_select())
        .load(conn)?)
}

pub fn find_item(conn: &mut DbConnection, plan_id: i64, id: i64) -> AppResult<PlanItem> {
    plan_items::table
        .filter(plan_items::plan_id.eq(plan_id))
        .filter(plan_items::id.eq(id))
        .select(PlanItem::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("The plan has no such activity."))
}

/// An activity by id alone (a change request's link).
pub fn find_item_anywhere(conn: &mut DbConnection, id: i64) -> AppResult<Option<PlanItem>> {
    Ok(plan_items::table
        .find(id)
        .select(PlanItem::as_select())
        .first(conn)
        .optional()?)
}

/// The columns an activity's fields are written to, by insert and update alike.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = plan_items, treat_none_as_null = true, treat_none_as_default_value = false)]
struct ItemColumns<'a> {
    title: &'a str,
    description: &'a str,
    service_id: Option<i64>,
    category: &'static str,
    priority: &'static str,
    planned_cost_minor: i64,
    actual_cost_minor: Option<i64>,
    outcome: &'a str,
    progress: &'static str,
}

impl<'a> ItemColumns<'a> {
    fn of(f: &'a ItemFields) -> Self {
        ItemColumns {
            title: &f.title,
            description: &f.description,
            service_id: f.service_id,
            category: f.category.as_str(),
            priority: f.priority.as_str(),
            planned_cost_minor: f.planned_cost_minor,
            actual_cost_minor: f.actual_cost_minor,
            outcome: &f.outcome,
            progress: f.progress.as_str(),
        }
    }
}

pub fn insert_item(conn: &mut DbConnection, plan_id: i64, f: &ItemFields) -> AppResult<PlanItem> {
    let now = crate::db::now();
    Ok(diesel::insert_into(plan_items::table)
        .values((
            ItemColumns::of(f),
            plan_items::plan_id.eq(plan_id),
            plan_items::version.eq(1),
            plan_items::created_at.eq(now),
            plan_items::updated_at.eq(now),
        ))
        .returning(plan_items::all_columns)
        .get_result(conn)?)
}

/// Writes `f` if the activity still has `current.version`.
pub fn update_item(
    conn: &mut DbConnection,
    current: &PlanItem,
    f: &ItemFields,
) -> AppResult<PlanItem> {
    crate::db::update_versioned!(conn, plan_items, current, ItemColumns::of(f))
}

pub fn delete_item(conn: &mut DbConnection, current: &PlanItem) -> AppResult<()> {
    let deleted = diesel::delete(
        plan_items::table
            .filter(plan_items::id.eq(current.id))
            .filter(plan_items::version.eq(current.version)),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(crate::db::concurrent_change());
    }
    Ok(())
}
