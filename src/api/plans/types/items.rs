//! The wire types of a plan's activities.

use super::*;
use crate::api::{double_option, utc, Fields};
use crate::db::plans::{ItemFields, PlanItem};
use crate::domain::money::MoneyJson;
use crate::domain::plan::{ItemCategory, Priority, Progress};
use crate::domain::text;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    pub id: i64,
    pub plan_id: i64,
    #[schema(example = "Byte av RADIUS-servrar")]
    pub title: String,
    pub description: String,
    pub service_id: Option<i64>,
    pub category: ItemCategory,
    pub priority: Priority,
    pub planned_cost: MoneyJson,
    pub actual_cost: Option<MoneyJson>,
    pub outcome: String,
    pub progress: Progress,
    /// The actual cost exceeds the planned cost.
    pub deviation: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&PlanItem> for ItemView {
    fn from(i: &PlanItem) -> Self {
        ItemView {
            id: i.id,
            plan_id: i.plan_id,
            title: i.title.clone(),
            description: i.description.clone(),
            service_id: i.service_id,
            category: i.category(),
            priority: i.priority(),
            planned_cost: sek(i.planned_cost_minor),
            actual_cost: i.actual_cost_minor.map(sek),
            outcome: i.outcome.clone(),
            progress: i.progress(),
            deviation: i
                .actual_cost_minor
                .is_some_and(|a| a > i.planned_cost_minor),
            version: i.version,
            created_at: utc(i.created_at),
            updated_at: utc(i.updated_at),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    #[schema(
        example = "Byte av RADIUS-servrar",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 300
    )]
    pub title: String,
    #[schema(value_type = crate::domain::money::SekJson)]
    pub planned_cost: MoneyJson,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// A service of the plan's portfolio.
    pub service_id: Option<i64>,
    /// Default `other`.
    pub category: Option<ItemCategory>,
    /// Default `medium`.
    pub priority: Option<Priority>,
}

impl NewItem {
    pub fn parse(&self) -> AppResult<ItemFields> {
        let mut f = Fields::default();
        let title = f.take(text::line("title", &self.title, 300));
        let planned = f.take(parse_sek("planned_cost", &self.planned_cost));
        let description = f.take(text::bounded("description", &self.description, 10_000));
        f.finish()?;
        Ok(ItemFields {
            title: title.unwrap_or_default(),
            description: description.unwrap_or_default(),
            service_id: self.service_id,
            category: self.category.unwrap_or(ItemCategory::Other),
            priority: self.priority.unwrap_or(Priority::Medium),
            planned_cost_minor: planned.unwrap_or_default(),
            actual_cost_minor: None,
            outcome: String::new(),
            progress: Progress::Planned,
        })
    }
}

/// Planning fields (a draft plan) or follow-up fields (an approved plan).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct ItemPatch {
    #[schema(
        max_length = 300,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[schema(max_length = 10000)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub service_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub category: Option<ItemCategory>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub priority: Option<Priority>,
    /// Draft only; refused once the plan is approved.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false, value_type = Option<crate::domain::money::SekJson>)]
    pub planned_cost: Option<MoneyJson>,
    /// Follow-up (approved plan); `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<crate::domain::money::SekJson>)]
    pub actual_cost: Option<Option<MoneyJson>>,
    /// Follow-up (approved plan).
    #[schema(max_length = 10000)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub outcome: Option<String>,
    /// Follow-up (approved plan).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub progress: Option<Progress>,
}

impl ItemPatch {
    pub fn touches_planning(&self) -> bool {
        self.title.is_some()
            || self.description.is_some()
            || self.service_id.is_some()
            || self.category.is_some()
            || self.priority.is_some()
            || self.planned_cost.is_some()
    }

    pub fn touches_follow_up(&self) -> bool {
        self.actual_cost.is_some() || self.outcome.is_some() || self.progress.is_some()
    }

    pub fn apply(&self, current: &PlanItem) -> AppResult<ItemFields> {
        let mut f = Fields::default();
        let mut out = ItemFields::of(current);
        if let Some(title) = &self.title {
            out.title = f.take(text::line("title", title, 300)).unwrap_or_default();
        }
        if let Some(d) = &self.description {
            out.description = f
                .take(text::bounded("description", d, 10_000))
                .unwrap_or_default();
        }
        if let Some(s) = self.service_id {
            out.service_id = s;
        }
        if let Some(c) = self.category {
            out.category = c;
        }
        if let Some(p) = self.priority {
            out.priority = p;
        }
        if let Some(cost) = &self.planned_cost {
            out.planned_cost_minor = f.take(parse_sek("planned_cost", cost)).unwrap_or_default();
        }
        if let Some(actual) = &self.actual_cost {
            out.actual_cost_minor = actual
                .as_ref()
                .and_then(|a| f.take(parse_sek("actual_cost", a)));
        }
        if let Some(o) = &self.outcome {
            out.outcome = f
                .take(text::bounded("outcome", o, 10_000))
                .unwrap_or_default();
        }
        if let Some(p) = self.progress {
            out.progress = p;
        }
        f.finish()?;
        Ok(out)
    }
}
