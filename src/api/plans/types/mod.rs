mod items;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{utc, Fields};
use crate::db::plans::{BudgetFrame, Plan, PlanItem};
use crate::domain::money::{Currency, Money, MoneyJson};
use crate::domain::plan::{deviations, totals, Deviation, DeviationKind, PlanStatus};
use crate::domain::text;
use crate::error::{AppError, AppResult};

pub use items::*;

/// Öre as SEK on the wire.
pub fn sek(minor: i64) -> MoneyJson {
    Money::new(minor, Currency::SEK).into()
}

/// SEK only (docs/conventions.md: budget frames and plans are in SEK); the error names `field`.
pub fn parse_sek(field: &str, money: &MoneyJson) -> Result<i64, (String, String)> {
    let parsed = money.parse(field)?;
    if parsed.currency != Currency::SEK {
        return Err((
            format!("{field}.currency"),
            "must be SEK: budget frames and plans are in SEK".into(),
        ));
    }
    Ok(parsed.minor)
}

/// A plan's money, in SEK.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanTotals {
    /// The sum of the activities' planned costs.
    pub planned_total: MoneyJson,
    /// The sum of the actual costs followed up so far.
    pub actual_total: MoneyJson,
    /// The management group's frame for the portfolio and year, if set.
    pub budget_frame: Option<MoneyJson>,
    /// The frame less the actual total.
    pub remaining: Option<MoneyJson>,
}

/// A deviation, with its money.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeviationView {
    pub kind: DeviationKind,
    pub item_id: Option<i64>,
    pub title: Option<String>,
    /// What was exceeded: the planned cost, the planned total, or the frame.
    pub limit: MoneyJson,
    pub actual: MoneyJson,
    pub excess: MoneyJson,
}

impl From<&Deviation> for DeviationView {
    fn from(d: &Deviation) -> Self {
        DeviationView {
            kind: d.kind,
            item_id: d.item_id,
            title: d.title.clone(),
            limit: sek(d.limit_minor),
            actual: sek(d.actual_minor),
            excess: sek(d.excess_minor()),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    pub id: i64,
    pub portfolio_id: i64,
    pub year: i32,
    pub status: PlanStatus,
    /// 1, and one more for each revision after approval (earlier ones: `…/versions`).
    pub revision: i32,
    pub summary: String,
    /// Goals for the year.
    pub goals: String,
    #[serde(flatten)]
    pub totals: PlanTotals,
    /// Actual costs exceed plan or frame somewhere (guidelines 4.4 item 8).
    pub deviation: bool,
    pub deviations: Vec<DeviationView>,
    pub activities: usize,
    /// Why the TÄ returned it, when returned.
    pub return_reason: Option<String>,
    /// Input to the annual report (verksamhetsberättelse), recorded at closing.
    pub annual_report: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    /// The `sub` of the TÄ who approved (fastställde) it.
    pub approved_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PlanView {
    /// The view of `plan` with its activities (rows of other plans are skipped) and frames
    /// (those of other portfolios or years likewise).
    pub fn of(plan: &Plan, items: &[PlanItem], frames: &[BudgetFrame]) -> Self {
        let costs: Vec<_> = items
            .iter()
            .filter(|i| i.plan_id == plan.id)
            .map(PlanItem::costs)
            .collect();
        let frame = frames
            .iter()
            .find(|f| f.portfolio_id == plan.portfolio_id && f.year == plan.year)
            .map(|f| f.amount_minor);
        let (planned, actual) = totals(&costs);
        let found = deviations(&costs, frame);
        PlanView {
            id: plan.id,
            portfolio_id: plan.portfolio_id,
            year: plan.year,
            status: plan.status(),
            revision: plan.revision,
            summary: plan.summary.clone(),
            goals: plan.goals.clone(),
            totals: PlanTotals {
                planned_total: sek(planned),
                actual_total: sek(actual),
                budget_frame: frame.map(sek),
                remaining: frame.map(|f| sek(f - actual)),
            },
            deviation: !found.is_empty(),
            deviations: found.iter().map(DeviationView::from).collect(),
            activities: costs.len(),
            return_reason: plan.return_reason.clone(),
            annual_report: plan.annual_report.clone(),
            submitted_at: plan.submitted_at.map(utc),
            approved_at: plan.approved_at.map(utc),
            approved_by: plan.approved_by.clone(),
            closed_at: plan.closed_at.map(utc),
            version: plan.version,
            created_at: utc(plan.created_at),
            updated_at: utc(plan.updated_at),
        }
    }
}

/// A plan as a document: the plan and its activities (a version's content).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanDocument {
    #[serde(flatten)]
    pub plan: PlanView,
    pub items: Vec<ItemView>,
}

/// One revision of a plan: the approved ones kept when revised, and the current one.
/// `current` for the plan as it is now; `approved` for a kept approved revision.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    Current,
    Approved,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanVersionView {
    pub revision: i32,
    pub state: VersionState,
    pub approved_at: Option<DateTime<Utc>>,
    /// When a revision replaced it (null for the current one).
    pub superseded_at: Option<DateTime<Utc>>,
    /// The plan and its activities as they were (a kept revision as it was approved).
    #[schema(value_type = PlanDocument)]
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    pub portfolio_id: i64,
    /// Any year, past ones included (history can be recorded).
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub summary: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub goals: String,
}

/// Texts of a draft plan.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct PlanPatch {
    #[schema(max_length = 10000)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub summary: Option<String>,
    #[schema(max_length = 10000)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub goals: Option<String>,
}

/// Returning a submitted plan to its authors.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    #[schema(
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

/// Closing the year.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// Input to the annual report (verksamhetsberättelse).
    #[schema(
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub annual_report: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Portfolio id or slug.
    pub portfolio: Option<String>,
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
    pub year: Option<crate::domain::plan::PlanYear>,
    pub status: Option<PlanStatus>,
    /// Only plans with (true) or without (false) deviations.
    pub deviation: Option<bool>,
}

impl crate::api::Listing for PlanQuery {
    const ORDERING: &'static [&'static str] = crate::db::plans::SORT_FIELDS;
}

/// A budget frame (budgetram) of a portfolio and year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetFrameView {
    pub id: i64,
    pub portfolio_id: i64,
    pub year: i32,
    pub amount: MoneyJson,
    pub note: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&BudgetFrame> for BudgetFrameView {
    fn from(b: &BudgetFrame) -> Self {
        BudgetFrameView {
            id: b.id,
            portfolio_id: b.portfolio_id,
            year: b.year,
            amount: sek(b.amount_minor),
            note: b.note.clone(),
            version: b.version,
            created_at: utc(b.created_at),
            updated_at: utc(b.updated_at),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetFrameRequest {
    #[schema(value_type = crate::domain::money::SekJson)]
    pub amount: MoneyJson,
    /// E.g. the decision it rests on.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

impl BudgetFrameRequest {
    pub fn parse(&self) -> AppResult<(i64, String)> {
        let mut f = Fields::default();
        let amount = f.take(parse_sek("amount", &self.amount));
        let note = f.take(text::bounded(
            "note",
            self.note.as_deref().unwrap_or(""),
            2000,
        ));
        f.finish()?;
        Ok((amount.unwrap_or_default(), note.unwrap_or_default()))
    }
}

/// A year in a path: 2000–2100, or 404 (it names no frame).
pub fn path_year(year: i32) -> AppResult<i32> {
    crate::domain::plan::PlanYear::try_from(year)
        .map(crate::domain::plan::PlanYear::get)
        .map_err(|_| AppError::not_found("Budget frames are kept for the years 2000 to 2100."))
}

// The activities are a list of their own (`/plans/{id}/items`), not a cell.
crate::csv_record!(PlanView {
    id,
    portfolio_id,
    year,
    status,
    revision,
    summary,
    goals,
    totals,
    deviation,
    return_reason,
    annual_report,
    submitted_at,
    approved_at,
    approved_by,
    closed_at,
    version,
    created_at,
    updated_at
});
crate::csv_record!(BudgetFrameView {
    id,
    portfolio_id,
    year,
    amount,
    note,
    version,
    created_at,
    updated_at
});
crate::csv_record!(ItemView {
    id,
    plan_id,
    title,
    description,
    service_id,
    category,
    priority,
    planned_cost,
    actual_cost,
    outcome,
    progress,
    deviation,
    version,
    created_at,
    updated_at
});
crate::csv_record!(PlanVersionView {
    revision,
    state,
    approved_at,
    superseded_at,
    document
});
