//! Förvaltningsplaner (docs/domain.md, guidelines 4.2–4.4): the plan workflow, activities and
//! their follow-up, deviations; and the change-request workflow.

use serde::Serialize;
use utoipa::ToSchema;

/// A plan or budget year: 2000 to 2100, the years the service keeps (a filter outside them
/// is a mistake, not an empty list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "i32")]
pub struct PlanYear(i32);

impl PlanYear {
    pub const FIRST: i32 = 2000;
    pub const LAST: i32 = 2100;

    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for PlanYear {
    type Error = String;

    fn try_from(year: i32) -> Result<Self, Self::Error> {
        if (Self::FIRST..=Self::LAST).contains(&year) {
            Ok(PlanYear(year))
        } else {
            Err(format!("year must be {} to {}", Self::FIRST, Self::LAST))
        }
    }
}

crate::vocabulary! {
    /// `draft` → `submitted` (TJF/TS present it) → `approved` (fastställd by the TÄ) → `closed`;
    /// the TÄ may return a submitted plan to `draft`; an approved plan is revised into a new draft.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum PlanStatus("a plan status") {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Closed = "closed",
    }
}

crate::vocabulary! {
    /// A step of the plan workflow.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum PlanStep("a plan step") {
        Submit = "submit",
        Return = "return",
        Approve = "approve",
        Close = "close",
        Revise = "revise",
    }
}

impl PlanStatus {
    /// Where `step` takes a plan in this state, if it may be taken.
    pub fn after(self, step: PlanStep) -> Option<PlanStatus> {
        use PlanStatus::*;
        match (self, step) {
            (Draft, PlanStep::Submit) => Some(Submitted),
            (Submitted, PlanStep::Return) => Some(Draft),
            (Submitted, PlanStep::Approve) => Some(Approved),
            (Approved, PlanStep::Close) => Some(Closed),
            (Approved, PlanStep::Revise) => Some(Draft),
            _ => None,
        }
    }
}

crate::vocabulary! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum ItemCategory("an item category") {
        Maintenance = "maintenance",
        Development = "development",
        Operations = "operations",
        Other = "other",
    }
}

crate::vocabulary! {
    /// Of an activity and of a change request.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum Priority("a priority") {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
}

crate::vocabulary! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum Progress("a progress") {
        Planned = "planned",
        Ongoing = "ongoing",
        Done = "done",
        Cancelled = "cancelled",
    }
}

crate::vocabulary! {
    /// What a deviation is measured against.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum DeviationKind("a deviation kind") {
        /// An activity's actual cost exceeds its planned cost.
        Item = "item",
        /// The plan's actual total exceeds its planned total.
        PlanTotal = "plan_total",
        /// The plan's actual total exceeds the portfolio's budget frame.
        BudgetFrame = "budget_frame",
    }
}

/// One deviation (guidelines 4.4 item 8: work that exceeds the budget is reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Deviation {
    pub kind: DeviationKind,
    /// The activity, for `item`.
    pub item_id: Option<i64>,
    pub title: Option<String>,
    /// The limit exceeded, in öre.
    #[serde(skip)]
    pub limit_minor: i64,
    #[serde(skip)]
    pub actual_minor: i64,
}

impl Deviation {
    /// Names the deviation for "reported once": a new deviation has a key not reported before.
    pub fn key(&self) -> String {
        match self.item_id {
            Some(id) => format!("{}:{id}", self.kind),
            None => self.kind.to_string(),
        }
    }

    pub fn excess_minor(&self) -> i64 {
        self.actual_minor - self.limit_minor
    }
}

/// The money figures of one activity, in öre.
#[derive(Debug, Clone)]
pub struct ItemCosts {
    pub id: i64,
    pub title: String,
    pub planned: i64,
    pub actual: Option<i64>,
}

/// The plan's totals: planned and actual sums, in öre.
pub fn totals(items: &[ItemCosts]) -> (i64, i64) {
    items.iter().fold((0, 0), |(p, a), i| {
        (p + i.planned, a + i.actual.unwrap_or(0))
    })
}

/// Every deviation of a plan with these activities and this budget frame.
pub fn deviations(items: &[ItemCosts], frame: Option<i64>) -> Vec<Deviation> {
    let mut found: Vec<Deviation> = items
        .iter()
        .filter_map(|i| {
            let actual = i.actual?;
            (actual > i.planned).then(|| Deviation {
                kind: DeviationKind::Item,
                item_id: Some(i.id),
                title: Some(i.title.clone()),
                limit_minor: i.planned,
                actual_minor: actual,
            })
        })
        .collect();
    let (planned, actual) = totals(items);
    if actual > planned {
        found.push(Deviation {
            kind: DeviationKind::PlanTotal,
            item_id: None,
            title: None,
            limit_minor: planned,
            actual_minor: actual,
        });
    }
    if let Some(frame) = frame.filter(|f| actual > *f) {
        found.push(Deviation {
            kind: DeviationKind::BudgetFrame,
            item_id: None,
            title: None,
            limit_minor: frame,
            actual_minor: actual,
        });
    }
    found
}

/// What the plan workflow's rules read beyond the plan's status, fetched for the step at hand.
#[derive(Debug, Clone, Copy, Default)]
pub struct StepFacts {
    /// The plan's activities (a plan without any is not submitted).
    pub activities: usize,
    /// The planned total and the year's budget frame, in öre (for approval).
    pub planned_total: i64,
    pub frame: Option<i64>,
    /// The plan's year and this year (a plan closes once its year has ended).
    pub plan_year: i32,
    pub this_year: i32,
}

/// Why `step` may not be taken now, beyond the status ([`PlanStatus::after`] decides that):
/// submitting without activities, approving without a frame or above it, closing before the
/// year has ended.
pub fn step_problem(step: PlanStep, facts: &StepFacts) -> Option<String> {
    match step {
        PlanStep::Submit if facts.activities == 0 => {
            Some("A plan without activities cannot be submitted.".into())
        }
        PlanStep::Approve => approval_problem(facts.planned_total, facts.frame),
        PlanStep::Close if facts.plan_year >= facts.this_year => Some(format!(
            "The plan's year {} has not ended; it closes from {}-01-01.",
            facts.plan_year,
            facts.plan_year + 1
        )),
        _ => None,
    }
}

/// Why a plan may not be approved: no frame, or planned costs above it (docs/domain.md).
pub fn approval_problem(planned_total: i64, frame: Option<i64>) -> Option<String> {
    let sek = |minor: i64| {
        crate::domain::money::Money::new(minor, crate::domain::money::Currency::SEK).amount()
    };
    match frame {
        None => Some("There is no budget frame for this portfolio and year; the management group sets one first.".into()),
        Some(frame) if planned_total > frame => Some(format!(
            "The planned total {} SEK exceeds the budget frame {} SEK by {} SEK.",
            sek(planned_total),
            sek(frame),
            sek(planned_total - frame)
        )),
        Some(_) => None,
    }
}

crate::vocabulary! {
    /// `submitted` → `assessed` (TJF: priority, estimate, recommendation) → `approved` |
    /// `rejected` (the TÄ decides) → `released` (TJF, after approval).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum ChangeRequestStatus("a change request status") {
        Submitted = "submitted",
        Assessed = "assessed",
        Approved = "approved",
        Rejected = "rejected",
        Released = "released",
    }
}

crate::vocabulary! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum Recommendation("a recommendation") {
        Approve = "approve",
        Reject = "reject",
    }
}

crate::vocabulary! {
    /// The TÄ's decision on an assessed change request.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum Decision("a decision") {
        Approved = "approved",
        Rejected = "rejected",
    }
}

crate::vocabulary! {
    /// A step of the change-request workflow.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum ChangeRequestStep("a change request step") {
        Assess = "assess",
        Decide = "decide",
        Release = "release",
    }
}

impl ChangeRequestStatus {
    /// May `step` be taken in this state? (A request may be assessed again until decided.)
    pub fn allows(self, step: ChangeRequestStep) -> bool {
        use ChangeRequestStatus::*;
        matches!(
            (self, step),
            (Submitted | Assessed, ChangeRequestStep::Assess)
                | (Assessed, ChangeRequestStep::Decide)
                | (Approved, ChangeRequestStep::Release)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_keep_their_rules() {
        let facts = StepFacts {
            activities: 2,
            planned_total: 95_000_000,
            frame: Some(95_000_000),
            plan_year: 2027,
            this_year: 2027,
        };
        assert_eq!(step_problem(PlanStep::Submit, &facts), None);
        let empty = StepFacts {
            activities: 0,
            ..facts
        };
        assert!(step_problem(PlanStep::Submit, &empty).is_some());
        assert_eq!(step_problem(PlanStep::Approve, &facts), None);
        let above = StepFacts {
            planned_total: 95_000_001,
            ..facts
        };
        assert!(step_problem(PlanStep::Approve, &above)
            .unwrap()
            .contains("by 0.01 SEK"));
        let unframed = StepFacts {
            frame: None,
            ..facts
        };
        assert!(step_problem(PlanStep::Approve, &unframed).is_some());
        assert!(step_problem(PlanStep::Close, &facts)
            .unwrap()
            .contains("2028-01-01"));
        let ended = StepFacts {
            this_year: 2028,
            ..facts
        };
        assert_eq!(step_problem(PlanStep::Close, &ended), None);
        assert_eq!(step_problem(PlanStep::Return, &empty), None);
        assert_eq!(step_problem(PlanStep::Revise, &empty), None);
    }

    #[test]
    fn the_plan_workflow_takes_only_its_own_steps() {
        use PlanStatus::*;
        assert_eq!(Draft.after(PlanStep::Submit), Some(Submitted));
        assert_eq!(Submitted.after(PlanStep::Return), Some(Draft));
        assert_eq!(Submitted.after(PlanStep::Approve), Some(Approved));
        assert_eq!(Approved.after(PlanStep::Close), Some(Closed));
        assert_eq!(Approved.after(PlanStep::Revise), Some(Draft));
        for (from, step) in [
            (Draft, PlanStep::Approve),
            (Draft, PlanStep::Close),
            (Draft, PlanStep::Return),
            (Submitted, PlanStep::Submit),
            (Submitted, PlanStep::Close),
            (Approved, PlanStep::Approve),
            (Approved, PlanStep::Return),
            (Closed, PlanStep::Revise),
            (Closed, PlanStep::Submit),
        ] {
            assert_eq!(from.after(step), None, "{from} {step}");
        }
    }

    fn item(id: i64, planned: i64, actual: Option<i64>) -> ItemCosts {
        ItemCosts {
            id,
            title: format!("Aktivitet {id}"),
            planned,
            actual,
        }
    }

    #[test]
    fn deviations_are_found_per_activity_in_total_and_against_the_frame() {
        let items = [
            item(1, 100_000, Some(120_000)),
            item(2, 200_000, Some(150_000)),
        ];
        let found = deviations(&items, Some(300_000));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key(), "item:1");
        assert_eq!(found[0].excess_minor(), 20_000);
        let over = [
            item(1, 100_000, Some(180_000)),
            item(2, 200_000, Some(200_000)),
        ];
        let keys: Vec<String> = deviations(&over, Some(350_000))
            .iter()
            .map(Deviation::key)
            .collect();
        assert_eq!(keys, ["item:1", "plan_total", "budget_frame"]);
        assert!(deviations(&[item(1, 5, None)], None).is_empty());
        // Exactly on the plan is no deviation.
        assert!(deviations(&[item(1, 5, Some(5))], Some(5)).is_empty());
    }

    #[test]
    fn approval_needs_a_frame_that_holds_the_plan() {
        assert!(approval_problem(100, None)
            .unwrap()
            .contains("no budget frame"));
        assert_eq!(
            approval_problem(150_000_050, Some(150_000_000)).unwrap(),
            "The planned total 1500000.50 SEK exceeds the budget frame 1500000.00 SEK by 0.50 SEK."
        );
        assert_eq!(approval_problem(150_000_000, Some(150_000_000)), None);
    }

    #[test]
    fn change_requests_are_assessed_decided_and_released_in_order() {
        use ChangeRequestStatus::*;
        assert!(Submitted.allows(ChangeRequestStep::Assess));
        assert!(Assessed.allows(ChangeRequestStep::Assess));
        assert!(!Submitted.allows(ChangeRequestStep::Decide));
        assert!(Assessed.allows(ChangeRequestStep::Decide));
        assert!(!Rejected.allows(ChangeRequestStep::Release));
        assert!(Approved.allows(ChangeRequestStep::Release));
        assert!(!Released.allows(ChangeRequestStep::Release));
        assert!(!Approved.allows(ChangeRequestStep::Assess));
    }
}
