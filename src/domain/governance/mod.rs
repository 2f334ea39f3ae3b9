//! Governance health: the guidelines' rules that no single write can enforce, as findings
//! (`GET /api/v1/reports/governance`), their thresholds (configuration `[governance]`), the
//! information classification of a service, and the exact arithmetic of the economics report.

mod arithmetic;
mod finding;

pub use arithmetic::*;
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta};
pub use finding::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::vocabulary! {
    /// How serious a finding is: `error` breaks a rule the guidelines state as a must.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum Severity("a severity") {
        Error = "error",
        Warning = "warning",
    }
}

crate::vocabulary! {
    /// A rule of the guidelines that the findings report checks.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum Rule("a rule") {
        /// An active portfolio has no active TÄ (guidelines 2).
        PortfolioWithoutOwner = "portfolio_without_owner",
        /// A service in operation has no active TJF (guidelines 4.4).
        ServiceWithoutManager = "service_without_manager",
        /// An active delivery lacks valid contract cover (guidelines 4.7).
        DeliveryWithoutContract = "delivery_without_contract",
        /// A service in operation that no active supplier contract covers, and that is not
        /// marked `self_produced` (guidelines 4.2 item 2).
        ServiceWithoutSupplierContract = "service_without_supplier_contract",
        /// An active portfolio lacks an approved plan for a year whose deadline has passed
        /// (guidelines 2).
        PlanMissing = "plan_missing",
        /// An approved plan deviates (guidelines 4.4 item 8).
        PlanDeviation = "plan_deviation",
        /// A change request waits for assessment or decision too long (guidelines 4.4 item 12).
        ChangeRequestWaiting = "change_request_waiting",
        /// A contract's notice deadline is near (guidelines 4.2 item 5).
        ContractNoticeDue = "contract_notice_due",
        /// Published catalogue text not reviewed within the period (guidelines 4.8).
        CatalogueReviewOverdue = "catalogue_review_overdue",
        /// Service documentation not reviewed within the period (guidelines 4.2 item 10).
        DocumentationReviewOverdue = "documentation_review_overdue",
        /// A service in operation without information classification, or not reviewed for
        /// security within the period (guidelines 4.2 item 3).
        SecurityReviewOverdue = "security_review_overdue",
        /// A service in operation without an established support process or an ordering
        /// routine (guidelines 4.2 item 8, 4.4 item 6).
        SupportOrOrderingMissing = "support_or_ordering_missing",
        /// A role assignment not accepted within the period (guidelines 2).
        AssignmentNotAccepted = "assignment_not_accepted",
        /// A service whose revenue this year does not cover its costs (guidelines 1).
        ServiceNotSelfSustaining = "service_not_self_sustaining",
        /// An active assignment of a role the governance model in force does not have: it
        /// grants nothing until it is revoked or the model has the role again.
        AssignmentOfUnknownRole = "assignment_of_unknown_role",
        /// An active assignment carrying a delegation the governance model in force does not
        /// have (or does not let its role carry): the delegation grants nothing.
        AssignmentOfUnknownDelegation = "assignment_of_unknown_delegation",
        /// A need identified long ago and not assessed yet (guidelines 4.4 item 12, 4.5).
        NeedUnassessed = "need_unassessed",
        /// A need presented to the management group long ago and not decided (guidelines 4.6).
        NeedUndecided = "need_undecided",
        /// A service established since needs were recorded that no need points at
        /// (guidelines 1, 2: needs are weighed in).
        ProposalWithoutNeed = "proposal_without_need",
        /// A customer with an active delivery and no follow-up for a long time (guidelines 4.5
        /// item 5, 4.6 item 6).
        CustomerFollowUpOverdue = "customer_follow_up_overdue",
        /// The management group has not reviewed the FTA and the IT environment for a long
        /// time, or ever (guidelines 4.1).
        ArchitectureReviewOverdue = "architecture_review_overdue",
        /// A system in use not reviewed for a long time (guidelines 4.1).
        SystemReviewOverdue = "system_review_overdue",
        /// A service in operation depends, directly or through other systems, on a retired
        /// system (an error) or one phasing out (a warning) (guidelines 1, 2).
        ServiceOnRetiredSystem = "service_on_retired_system",
        /// Nobody answers for a system: its responsible is unset or holds no role any more.
        SystemWithoutResponsible = "system_without_responsible",
    }
}

impl Rule {
    pub fn severity(self) -> Severity {
        use Rule::*;
        match self {
            PortfolioWithoutOwner
            | ServiceWithoutManager
            | DeliveryWithoutContract
            | PlanMissing
            | AssignmentOfUnknownRole
            | AssignmentOfUnknownDelegation
            | ServiceOnRetiredSystem => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// The section of the guidelines (riktlinjer för Sunets tjänsteförvaltning).
    pub fn guideline(self) -> &'static str {
        use Rule::*;
        match self {
            PortfolioWithoutOwner | PlanMissing | AssignmentNotAccepted => "2",
            AssignmentOfUnknownRole | AssignmentOfUnknownDelegation => "3",
            ServiceWithoutManager => "4.4",
            DeliveryWithoutContract => "4.7",
            ServiceWithoutSupplierContract => "4.2 item 2",
            PlanDeviation => "4.4 item 8",
            ChangeRequestWaiting => "4.4 item 12",
            ContractNoticeDue => "4.2 item 5",
            CatalogueReviewOverdue => "4.8",
            DocumentationReviewOverdue => "4.2 item 10",
            SecurityReviewOverdue => "4.2 item 3",
            SupportOrOrderingMissing => "4.2 item 8; 4.4 item 6",
            ServiceNotSelfSustaining => "1",
            NeedUnassessed => "4.4 item 12; 4.5",
            NeedUndecided => "4.6",
            ProposalWithoutNeed => "1; 2",
            CustomerFollowUpOverdue => "4.5 item 5; 4.6 item 6",
            ArchitectureReviewOverdue | SystemReviewOverdue | SystemWithoutResponsible => "4.1",
            ServiceOnRetiredSystem => "1; 2",
        }
    }

    /// What the rule asks, in Swedish and in English.
    pub fn description(self) -> (&'static str, &'static str) {
        use Rule::*;
        match self {
            PortfolioWithoutOwner => (
                "Varje aktiv tjänsteportfölj har en tjänsteägare (TÄ).",
                "Every active portfolio has a service owner (TÄ).",
            ),
            ServiceWithoutManager => (
                "Varje tjänst i drift har minst en tjänsteförvaltare (TJF).",
                "Every service in operation has at least one service manager (TJF).",
            ),
            DeliveryWithoutContract => (
                "Varje tjänsteleverans till en kund har ett giltigt kontrakt eller annan överenskommelse.",
                "Every delivery to a customer is covered by a valid contract or other agreement.",
            ),
            ServiceWithoutSupplierContract => (
                "Varje tjänst i drift som Sunet inte själv producerar täcks av ett leverantörsavtal.",
                "Every service in operation that Sunet does not produce itself is covered by a supplier contract.",
            ),
            PlanMissing => (
                "Varje aktiv tjänsteportfölj har en fastställd förvaltningsplan för året, i tid.",
                "Every active portfolio has an approved management plan for the year, in time.",
            ),
            PlanDeviation => (
                "Avvikelser från en fastställd förvaltningsplan rapporteras och hanteras.",
                "Deviations from an approved management plan are reported and dealt with.",
            ),
            ChangeRequestWaiting => (
                "Ändringsönskemål värderas och beslutas utan dröjsmål.",
                "Change requests are assessed and decided without delay.",
            ),
            ContractNoticeDue => (
                "Avtal följs upp i tid före sista dag för uppsägning.",
                "Contracts are followed up in time before their notice deadline.",
            ),
            CatalogueReviewOverdue => (
                "Publicerad kataloginformation om tjänsten granskas regelbundet.",
                "Published catalogue information about the service is reviewed regularly.",
            ),
            DocumentationReviewOverdue => (
                "Tjänstens dokumentation är korrekt och granskas regelbundet.",
                "The service's documentation is correct and reviewed regularly.",
            ),
            SecurityReviewOverdue => (
                "Tjänsten är informationsklassad och dess informationssäkerhet granskas regelbundet.",
                "The service has an information classification and its information security is reviewed regularly.",
            ),
            SupportOrOrderingMissing => (
                "Tjänsten i drift har en etablerad supportprocess och en fungerande beställningsrutin.",
                "A service in operation has an established support process and a working ordering routine.",
            ),
            AssignmentNotAccepted => (
                "Förvaltningsansvaret är dokumenterat och accepterat av alla berörda.",
                "Management responsibility is documented and accepted by everyone concerned.",
            ),
            ServiceNotSelfSustaining => (
                "Alla tjänster ska vara ekonomiskt självbärande.",
                "Every service is economically self-sustaining.",
            ),
            AssignmentOfUnknownRole => (
                "Varje uppdrag avser en roll i den förvaltningsmodell som gäller.",
                "Every assignment is of a role of the governance model in force.",
            ),
            AssignmentOfUnknownDelegation => (
                "Varje delegering i ett uppdrag finns i den förvaltningsmodell som gäller.",
                "Every delegation an assignment carries is one the governance model in force has.",
            ),
            NeedUnassessed => (
                "Behov från avnämarna värderas utan dröjsmål.",
                "Needs from the customers are assessed without delay.",
            ),
            NeedUndecided => (
                "Behov som föredragits för ledningsgruppen beslutas utan dröjsmål.",
                "Needs presented to the management group are decided without delay.",
            ),
            ProposalWithoutNeed => (
                "En tjänst etableras utifrån behov och krav från Sunets avnämare.",
                "A service is established from the needs and requirements of Sunet's customers.",
            ),
            CustomerFollowUpOverdue => (
                "Kundrelationer och leveranser följs upp regelbundet.",
                "Customer relations and deliveries are followed up regularly.",
            ),
            ArchitectureReviewOverdue => (
                "Ledningsgruppen håller förvaltningstjänstearkitekturen och it-miljön dokumenterade och aktuella.",
                "The management group keeps the service architecture and the IT environment documented and current.",
            ),
            SystemReviewOverdue => (
                "Varje informationssystem i bruk är dokumenterat och granskas regelbundet.",
                "Every information system in use is documented and reviewed regularly.",
            ),
            ServiceOnRetiredSystem => (
                "En tjänst i drift vilar inte på informationssystem som avvecklas eller har avvecklats.",
                "A service in operation does not rest on information systems being phased out or retired.",
            ),
            SystemWithoutResponsible => (
                "Varje informationssystem har en ansvarig som har en roll i förvaltningen.",
                "Every information system has a responsible person who holds a role in service management.",
            ),
        }
    }
}

/// The configurable limits of the rules (configuration file, `[governance]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// The plan for year Y is due on this month and day of year Y−1 (default 31 December).
    pub plan_deadline: (u32, u32),
    pub change_request_waiting_days: i64,
    pub contract_notice_days: i64,
    pub catalogue_review_months: u32,
    pub documentation_review_months: u32,
    pub security_review_months: u32,
    pub assignment_acceptance_days: i64,
    pub need_assessment_days: i64,
    pub need_decision_days: i64,
    pub customer_follow_up_months: u32,
    pub architecture_review_months: u32,
    pub system_review_months: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            plan_deadline: (12, 31),
            change_request_waiting_days: 30,
            contract_notice_days: 90,
            catalogue_review_months: 12,
            documentation_review_months: 12,
            security_review_months: 12,
            assignment_acceptance_days: 14,
            need_assessment_days: 30,
            need_decision_days: 60,
            customer_follow_up_months: 12,
            architecture_review_months: 12,
            system_review_months: 12,
        }
    }
}

/// A rule's limit as the rules list shows it: the configuration key, its value and unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Threshold {
    /// The key under `[governance]` in the configuration file.
    #[schema(example = "change_request_waiting_days")]
    pub setting: &'static str,
    #[schema(example = "30")]
    pub value: String,
    pub unit: ThresholdUnit,
}

/// A threshold's unit: `month_day` is `MM-DD` of the year before the plan's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdUnit {
    Days,
    Months,
    MonthDay,
}

impl ThresholdUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdUnit::Days => "days",
            ThresholdUnit::Months => "months",
            ThresholdUnit::MonthDay => "month_day",
        }
    }
}

impl Thresholds {
    /// Parses `MM-DD` (a day every year has: 02-29 is refused).
    pub fn parse_plan_deadline(text: &str) -> Result<(u32, u32), String> {
        let parsed = text.split_once('-').and_then(|(m, d)| {
            let (m, d) = (m.parse::<u32>().ok()?, d.parse::<u32>().ok()?);
            NaiveDate::from_ymd_opt(2023, m, d).map(|_| (m, d))
        });
        parsed.ok_or_else(|| format!("'{text}' is not a day of the year as MM-DD, such as 12-31"))
    }

    /// The last day to have the plan of `year` approved.
    pub fn plan_deadline_for(&self, year: i32) -> NaiveDate {
        let (month, day) = self.plan_deadline;
        NaiveDate::from_ymd_opt(year - 1, month, day)
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap_or(NaiveDate::MIN))
    }

    /// The latest plan year whose deadline has passed on `today`.
    pub fn latest_year_due(&self, today: NaiveDate) -> i32 {
        let next = today.year() + 1;
        if self.plan_deadline_for(next) < today {
            next
        } else {
            today.year()
        }
    }

    pub fn threshold(&self, rule: Rule) -> Option<Threshold> {
        use Rule::*;
        let days = |setting, value: i64| Threshold {
            setting,
            value: value.to_string(),
            unit: ThresholdUnit::Days,
        };
        let months = |setting, value: u32| Threshold {
            setting,
            value: value.to_string(),
            unit: ThresholdUnit::Months,
        };
        Some(match rule {
            PlanMissing => Threshold {
                setting: "plan_deadline",
                value: format!("{:02}-{:02}", self.plan_deadline.0, self.plan_deadline.1),
                unit: ThresholdUnit::MonthDay,
            },
            ChangeRequestWaiting => days(
                "change_request_waiting_days",
                self.change_request_waiting_days,
            ),
            ContractNoticeDue => days("contract_notice_days", self.contract_notice_days),
            CatalogueReviewOverdue => {
                months("catalogue_review_months", self.catalogue_review_months)
            }
            DocumentationReviewOverdue => months(
                "documentation_review_months",
                self.documentation_review_months,
            ),
            SecurityReviewOverdue => months("security_review_months", self.security_review_months),
            AssignmentNotAccepted => days(
                "assignment_acceptance_days",
                self.assignment_acceptance_days,
            ),
            NeedUnassessed => days("need_assessment_days", self.need_assessment_days),
            NeedUndecided => days("need_decision_days", self.need_decision_days),
            CustomerFollowUpOverdue => {
                months("customer_follow_up_months", self.customer_follow_up_months)
            }
            ArchitectureReviewOverdue => months(
                "architecture_review_months",
                self.architecture_review_months,
            ),
            SystemReviewOverdue => months("system_review_months", self.system_review_months),
            _ => return None,
        })
    }
}

/// `at` plus whole months (the month's last day where the day does not exist).
pub fn months_after(at: NaiveDateTime, months: u32) -> NaiveDateTime {
    at.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDateTime::MAX)
}

/// `now` minus whole months: a review at or before this is overdue.
pub fn months_before(now: NaiveDateTime, months: u32) -> NaiveDateTime {
    now.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDateTime::MIN)
}

pub fn days_before(now: NaiveDateTime, days: i64) -> NaiveDateTime {
    now - TimeDelta::days(days)
}

/// A level of information classification, 1 (low) to 4 (very high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "i32", into = "i32")]
#[schema(value_type = i32, minimum = 1, maximum = 4)]
pub struct Level(u8);

impl TryFrom<i32> for Level {
    type Error = String;
    fn try_from(value: i32) -> Result<Self, String> {
        match value {
            1..=4 => Ok(Level(value as u8)),
            _ => Err(format!("a classification level is 1 to 4, not {value}")),
        }
    }
}

impl From<Level> for i32 {
    fn from(level: Level) -> i32 {
        level.0 as i32
    }
}

/// Information classification (informationsklassning) as Swedish public agencies make it:
/// konfidentialitet, riktighet, tillgänglighet — each 1 to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityClassification {
    /// Konfidentialitet.
    #[schema(example = 2)]
    pub confidentiality: Level,
    /// Riktighet.
    #[schema(example = 3)]
    pub integrity: Level,
    /// Tillgänglighet.
    #[schema(example = 3)]
    pub availability: Level,
}

impl SecurityClassification {
    /// From the three stored columns; none or part of them: not classified.
    pub fn of(c: Option<i32>, i: Option<i32>, a: Option<i32>) -> Option<Self> {
        Some(SecurityClassification {
            confidentiality: Level::try_from(c?).ok()?,
            integrity: Level::try_from(i?).ok()?,
            availability: Level::try_from(a?).ok()?,
        })
    }

    /// As one cell of a CSV export: `K/R/T` (`2/3/3`).
    pub fn cell(&self) -> String {
        format!(
            "{}/{}/{}",
            i32::from(self.confidentiality),
            i32::from(self.integrity),
            i32::from(self.availability)
        )
    }

    pub fn columns(this: Option<Self>) -> (Option<i32>, Option<i32>, Option<i32>) {
        match this {
            Some(s) => (
                Some(s.confidentiality.into()),
                Some(s.integrity.into()),
                Some(s.availability.into()),
            ),
            None => (None, None, None),
        }
    }
}

/// A CSV cell's classification, `K/R/T` as [`SecurityClassification::cell`] writes it.
impl std::str::FromStr for SecurityClassification {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let wrong =
            || format!("'{text}' is not a classification K/R/T (three levels 1–4, as 2/3/3)");
        let levels: Vec<Level> = text
            .split('/')
            .map(|l| {
                l.trim()
                    .parse::<i32>()
                    .ok()
                    .and_then(|n| Level::try_from(n).ok())
            })
            .collect::<Option<_>>()
            .ok_or_else(wrong)?;
        match levels[..] {
            [confidentiality, integrity, availability] => Ok(SecurityClassification {
                confidentiality,
                integrity,
                availability,
            }),
            _ => Err(wrong()),
        }
    }
}

#[cfg(test)]
mod tests;
