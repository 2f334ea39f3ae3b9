//! One need row read into the operations' requests: the recorder's fields as `POST /needs`
//! takes them (the portfolio, service and source organization by slug), and the steps it
//! states as the bodies of `…/assessment`, `…/presentation` and `…/decision`.

use serde_json::Value;

use super::Known;
use crate::api::imports::record::RowReader;
use crate::api::needs::{
    NeedAssessmentRequest, NeedDecisionRequest, NewNeed, PresentationRequest, Source,
};
use crate::db::needs::{Assessment, Decision, Presentation};
use crate::domain::money::{Currency, MoneyJson};
use crate::domain::need::{Channel, NeedRecommendation, NeedStatus, Outcome};

/// A row read.
pub struct Read {
    /// The create operation's request (its reference is the row's natural key).
    pub need: NewNeed,
    /// The optional columns the row states (else an existing need's values stay).
    pub stated: Stated,
    /// The steps the need has taken, as the row states them.
    pub stages: StatedStages,
    /// The status the row states, if it does: the one its steps must make.
    pub status: Option<NeedStatus>,
}

/// The steps a row states: `None` for a step whose columns the file leaves out (an existing
/// need's record of it stays).
pub struct StatedStages {
    pub assessment: Option<Option<Assessment>>,
    pub presentation: Option<Option<Presentation>>,
    pub decision: Option<Option<Decision>>,
}

impl StatedStages {
    /// The steps the need is to have: what the row states, else what `now` has.
    pub fn or(&self, now: &Stages) -> Stages {
        Stages {
            assessment: self.assessment.clone().unwrap_or(now.assessment.clone()),
            presentation: self
                .presentation
                .clone()
                .unwrap_or(now.presentation.clone()),
            decision: self.decision.clone().unwrap_or(now.decision.clone()),
        }
    }
}

/// Which of the optional columns a row states.
pub struct Stated {
    pub description: bool,
    pub portfolio: bool,
    pub service: bool,
    pub source_organization: bool,
}

/// What a need's steps recorded: its assessment, its presentation, its decision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stages {
    pub assessment: Option<Assessment>,
    pub presentation: Option<Presentation>,
    pub decision: Option<Decision>,
}

impl Stages {
    /// The status these steps make.
    pub fn status(&self) -> NeedStatus {
        match (&self.assessment, &self.presentation, &self.decision) {
            (_, _, Some(_)) => NeedStatus::Decided,
            (_, Some(_), None) => NeedStatus::Presented,
            (Some(_), None, None) => NeedStatus::Assessed,
            (None, None, None) => NeedStatus::Identified,
        }
    }
}

/// The file's column of an operation's field.
pub fn column(field: &str) -> String {
    match field {
        "portfolio_id" => "portfolio_slug".into(),
        "service_id" => "service_slug".into(),
        "source.organization_id" => "source_organization_slug".into(),
        "note" => "assessment_note".into(),
        "estimated_cost.amount" | "estimated_cost.currency" => "estimated_cost".into(),
        "date" => "presented_on".into(),
        "reason" => "decision_reason".into(),
        other => other.replace('.', "_"),
    }
}

/// Reads the row; `None` when something it states cannot be read (its errors are in `row`).
pub fn read(row: &mut RowReader, known: &Known) -> Option<Read> {
    let reference = row.required("reference").trim().to_string();
    let title = row.required("title");
    let description = row.optional("description");
    let portfolio_id = named(row, "portfolio_slug", "portfolio", &known.portfolios);
    let service_id = named(row, "service_slug", "service", &known.services);
    let organization_id = named(
        row,
        "source_organization_slug",
        "organization",
        &known.organizations,
    );
    let channel = row.required_parsed::<Channel>("source_channel");
    let date = match row.record().text("source_date") {
        Some(_) => row.date("source_date"),
        None => {
            row.error("source_date", "is required");
            None
        }
    };
    let stages = stages(row);
    let status = row.parsed::<NeedStatus>("status");
    let record = row.record();
    let read = Read {
        need: NewNeed {
            reference: Some(reference),
            title,
            description: description.unwrap_or_default(),
            portfolio_id: portfolio_id?,
            service_id: service_id?,
            source: Source {
                channel: channel?,
                organization_id: organization_id?,
                date: date?,
            },
        },
        stated: Stated {
            description: record.states("description"),
            portfolio: record.states("portfolio_slug"),
            service: record.states("service_slug"),
            source_organization: record.states("source_organization_slug"),
        },
        stages: stages?,
        status,
    };
    Some(read)
}

/// The id of what `column` names by slug: `Some(None)` when the row names nothing, `None` when
/// it names what does not exist.
fn named(
    row: &mut RowReader,
    column: &str,
    what: &str,
    ids: &std::collections::HashMap<String, i64>,
) -> Option<Option<i64>> {
    let Some(slug) = row.optional(column) else {
        return Some(None);
    };
    let slug = slug.trim().to_string();
    match ids.get(&slug) {
        Some(id) => Some(Some(*id)),
        None => {
            row.error(column, format!("there is no {what} {slug}"));
            None
        }
    }
}

/// The steps the row states, each parsed by its operation's own code; a later step the row
/// states needs the earlier ones.
fn stages(row: &mut RowReader) -> Option<StatedStages> {
    let record = row.record();
    let states = |columns: &[&str]| columns.iter().any(|c| record.states(c));
    let (assessed, presented, decided) = (
        states(&ASSESSMENT),
        states(&["presented_on", "presentation_reference"]),
        states(&["outcome", "decision_reason"]),
    );
    let assessment = assessment(row)?;
    let presentation = presentation(row)?;
    let decision = decision(row)?;
    if presentation.is_some() && assessed && assessment.is_none() {
        row.error(
            "presented_on",
            "is recorded once the need is assessed (value, urgency, recommendation)",
        );
        return None;
    }
    if decision.is_some() && presented && presentation.is_none() {
        row.error(
            "outcome",
            "is recorded once the need is presented (presented_on)",
        );
        return None;
    }
    Some(StatedStages {
        assessment: assessed.then_some(assessment),
        presentation: presented.then_some(presentation),
        decision: decided.then_some(decision),
    })
}

/// The columns of an assessment.
const ASSESSMENT: [&str; 5] = [
    "value",
    "urgency",
    "recommendation",
    "estimated_cost",
    "assessment_note",
];

/// `Some(None)` when the row states no assessment; `None` when it states one that is wrong.
fn assessment(row: &mut RowReader) -> Option<Option<Assessment>> {
    if ASSESSMENT.iter().all(|c| row.record().text(c).is_none()) {
        return Some(None);
    }
    let value = required(row, "value", RowReader::integer);
    let urgency = required(row, "urgency", RowReader::integer);
    let recommendation = required(
        row,
        "recommendation",
        RowReader::parsed::<NeedRecommendation>,
    );
    let estimated_cost = estimated_cost(row);
    let note = row.optional("assessment_note");
    let request = NeedAssessmentRequest {
        value: value?,
        urgency: urgency?,
        estimated_cost: estimated_cost?,
        recommendation: recommendation?,
        note,
    };
    parsed(row, request.parse())
}

fn presentation(row: &mut RowReader) -> Option<Option<Presentation>> {
    let reference = row.optional("presentation_reference");
    if row.record().text("presented_on").is_none() {
        if reference.is_some() {
            row.error("presented_on", "is required with presentation_reference");
            return None;
        }
        return Some(None);
    }
    let request = PresentationRequest {
        date: row.date("presented_on")?,
        reference,
    };
    parsed(row, request.parse())
}

fn decision(row: &mut RowReader) -> Option<Option<Decision>> {
    let reason = row.optional("decision_reason");
    if row.record().text("outcome").is_none() {
        if reason.is_some() {
            row.error("outcome", "is required with decision_reason");
            return None;
        }
        return Some(None);
    }
    let outcome = row.parsed::<Outcome>("outcome")?;
    let Some(reason) = reason else {
        row.error(
            "decision_reason",
            "is required with outcome: the grounds of the decision",
        );
        return None;
    };
    parsed(row, NeedDecisionRequest { outcome, reason }.parse())
}

/// The estimate in SEK: a CSV cell's amount, or a JSON file's amount or money object.
fn estimated_cost(row: &mut RowReader) -> Option<Option<MoneyJson>> {
    if let Some(Value::Object(object)) = row.record().json("estimated_cost") {
        return match serde_json::from_value(Value::Object(object.clone())) {
            Ok(money) => Some(Some(money)),
            Err(e) => {
                row.error("estimated_cost", e.to_string());
                None
            }
        };
    }
    Some(row.optional("estimated_cost").map(|amount| MoneyJson {
        amount: amount.trim().to_string(),
        currency: Currency::SEK.to_string(),
    }))
}

fn required<'a, T>(
    row: &mut RowReader<'a>,
    column: &str,
    read: impl FnOnce(&mut RowReader<'a>, &str) -> Option<T>,
) -> Option<T> {
    if row.record().text(column).is_none() {
        row.error(column, "is required with an assessment");
        return None;
    }
    read(row, column)
}

/// A step parsed by its operation's code, its errors named by the file's columns.
fn parsed<T>(row: &mut RowReader, result: crate::error::AppResult<T>) -> Option<Option<T>> {
    match result {
        Ok(step) => Some(Some(step)),
        Err(e) => {
            row.failed(e, column);
            None
        }
    }
}
