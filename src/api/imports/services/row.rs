//! One service row read into the operations' requests: the proposal's fields and the patch of
//! the rest (`PATCH /services/{slug}` reads it), the portfolio and the assessed systems by
//! slug, and the lifecycle.

use super::Known;
use crate::api::imports::record::{Record, RowReader};
use crate::api::services::ServicePatch;
use crate::domain::it::ItAssessment;
use crate::domain::lifecycle::Lifecycle;

/// A row read.
pub struct Read {
    pub slug: String,
    pub name: String,
    /// The fields the row states, as a patch (name, description and portfolio included).
    pub patch: ServicePatch,
    /// The lifecycle the row states.
    pub lifecycle: Option<Lifecycle>,
    pub rejection_reason: Option<String>,
    /// The IT assessment the row states (checked only when the import establishes).
    pub assessment: Option<ItAssessment>,
    /// Does the row state the review time of a reviewed text (else an unchanged text keeps
    /// its review)?
    pub states_review: Reviews,
}

/// Which review times a row states.
pub struct Reviews {
    pub documentation: bool,
    pub catalog: bool,
    pub security: bool,
}

/// The file's column of an operation's field.
pub fn column(field: &str) -> String {
    match field {
        "portfolio_id" => "portfolio_slug".into(),
        "it_assessment" | "it_assessment.summary" => "it_assessment_summary".into(),
        "it_assessment.information_system_ids" => "it_assessment_systems".into(),
        "reason" => "rejection_reason".into(),
        other => other.replace('.', "_"),
    }
}

/// Reads the row; `None` when what it names cannot be read (its errors are in `row`).
pub fn read(row: &mut RowReader, known: &Known) -> Option<Read> {
    let slug = row.required("slug").trim().to_string();
    let name = row.required("name");
    let portfolio_id = portfolio(row, known);
    let lifecycle = row.parsed::<Lifecycle>("lifecycle");
    let assessment = assessment(row, known);
    let patch = ServicePatch {
        name: Some(name.clone()),
        description: row
            .stated("description", |r, c| r.optional(c))
            .map(Option::unwrap_or_default),
        documentation_url: row.stated("documentation_url", |r, c| r.optional(c)),
        support_process_established: row.boolean("support_process_established"),
        ordering_routine: row.stated("ordering_routine", |r, c| r.optional(c)),
        last_reviewed_at: row.stated("last_reviewed_at", |r, c| r.timestamp(c)),
        published: row.boolean("published"),
        catalog_text: row.stated("catalog_text", |r, c| r.optional(c)),
        catalog_text_en: row.stated("catalog_text_en", |r, c| r.optional(c)),
        self_produced: row.boolean("self_produced"),
        documentation_reviewed_at: row.stated("documentation_reviewed_at", |r, c| r.timestamp(c)),
        catalog_reviewed_at: row.stated("catalog_reviewed_at", |r, c| r.timestamp(c)),
        security_classification: row.stated("security_classification", |r, c| r.classification(c)),
        security_reviewed_at: row.stated("security_reviewed_at", |r, c| r.timestamp(c)),
        portfolio_id: portfolio_id.flatten(),
        ..ServicePatch::default()
    };
    let record = row.record();
    let read = Read {
        slug,
        name,
        patch,
        lifecycle,
        rejection_reason: row.optional("rejection_reason"),
        assessment,
        states_review: Reviews {
            documentation: record.states("documentation_reviewed_at"),
            catalog: record.states("catalog_reviewed_at"),
            security: record.states("security_reviewed_at"),
        },
    };
    (portfolio_id.is_some() || !record.states("portfolio_slug")).then_some(read)
}

/// The portfolio by slug: `Some(None)` when the row names none, `None` when it names one that
/// does not exist.
fn portfolio(row: &mut RowReader, known: &Known) -> Option<Option<i64>> {
    let Some(slug) = row.optional("portfolio_slug") else {
        return Some(None);
    };
    let slug = slug.trim().to_string();
    match known.portfolios.get(&slug) {
        Some(p) => Some(Some(p.id)),
        None => {
            row.error("portfolio_slug", format!("there is no portfolio {slug}"));
            None
        }
    }
}

/// The IT assessment the row states: its summary, and its systems by slug.
fn assessment(row: &mut RowReader, known: &Known) -> Option<ItAssessment> {
    let systems = row.list("it_assessment_systems");
    let Some(summary) = row.optional("it_assessment_summary") else {
        if !systems.is_empty() {
            row.error(
                "it_assessment_summary",
                "is required with it_assessment_systems",
            );
        }
        return None;
    };
    let mut ids = Vec::new();
    for slug in systems {
        match known.systems.get(&slug) {
            Some(id) => ids.push(*id),
            None => row.error(
                "it_assessment_systems",
                format!("there is no information system {slug}"),
            ),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Some(ItAssessment {
        summary,
        information_system_ids: ids,
    })
}

/// The slugs of the systems a row names (looked up before the rows are read).
pub fn system_slugs(record: &Record) -> Vec<String> {
    let mut reader = RowReader::new(record);
    reader.list("it_assessment_systems")
}
