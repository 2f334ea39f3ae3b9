//! Behov: needs from customers and users, their workflow (assessed, presented to the management
//! group, decided), the endorsements of other customers and the links to what realises them.

mod links;
mod list;
pub mod report;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub use links::*;
pub use list::*;

use super::schema::needs;
use super::DbConnection;
use crate::domain::need::{Channel, NeedRecommendation, NeedState, NeedStatus, Outcome, Score};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = needs)]
pub struct Need {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    pub channel: String,
    pub source_organization_id: Option<i64>,
    pub source_date: NaiveDate,
    pub status: String,
    pub created_by: String,
    pub value: Option<i32>,
    pub urgency: Option<i32>,
    pub estimated_cost_minor: Option<i64>,
    pub recommendation: Option<String>,
    pub assessment_note: Option<String>,
    pub assessed_by: Option<String>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub assessed_at: Option<NaiveDateTime>,
    pub presented_on: Option<NaiveDate>,
    pub presentation_reference: Option<String>,
    pub presented_by: Option<String>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub presented_at: Option<NaiveDateTime>,
    pub outcome: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub decided_at: Option<NaiveDateTime>,
    pub endorsement_count: i64,
    pub search_text: String,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
    /// The register's own number for it, unique when given.
    pub reference: Option<String>,
}

impl Need {
    /// The stored state; the CHECK constraints keep it one of the four, with an outcome
    /// exactly when decided.
    pub fn status(&self) -> NeedStatus {
        self.status.parse().unwrap_or(NeedStatus::Identified)
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome.as_deref().and_then(|o| o.parse().ok())
    }

    pub fn state(&self) -> NeedState {
        NeedState {
            status: self.status(),
            outcome: self.outcome(),
        }
    }

    pub fn channel(&self) -> Channel {
        self.channel.parse().unwrap_or(Channel::Other)
    }

    pub fn recommendation(&self) -> Option<NeedRecommendation> {
        self.recommendation.as_deref().and_then(|r| r.parse().ok())
    }

    pub fn value(&self) -> Option<Score> {
        self.value.and_then(|v| Score::try_from(v).ok())
    }

    pub fn urgency(&self) -> Option<Score> {
        self.urgency.and_then(|v| Score::try_from(v).ok())
    }

    /// The assessment on record (a deferred need's stays until it is assessed again).
    pub fn assessment(&self) -> Option<Assessment> {
        Some(Assessment {
            value: self.value()?,
            urgency: self.urgency()?,
            estimated_cost_minor: self.estimated_cost_minor,
            recommendation: self.recommendation()?,
            note: self.assessment_note.clone(),
        })
    }

    pub fn presentation(&self) -> Option<Presentation> {
        Some(Presentation {
            on: self.presented_on?,
            reference: self.presentation_reference.clone(),
        })
    }

    pub fn decision(&self) -> Option<Decision> {
        Some(Decision {
            outcome: self.outcome()?,
            reason: self.decision_reason.clone().unwrap_or_default(),
        })
    }
}

/// What the recorder of a need says, already parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedFields {
    pub reference: Option<String>,
    pub title: String,
    pub description: String,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    pub channel: Channel,
    pub source_organization_id: Option<i64>,
    pub source_date: NaiveDate,
}

impl NeedFields {
    /// The fields of `n` placed in `portfolio_id` now (its service's portfolio, where it has
    /// a service: the one it was recorded in is not read once the service moves).
    pub fn of(n: &Need, portfolio_id: Option<i64>) -> Self {
        NeedFields {
            reference: n.reference.clone(),
            title: n.title.clone(),
            description: n.description.clone(),
            portfolio_id,
            service_id: n.service_id,
            channel: n.channel(),
            source_organization_id: n.source_organization_id,
            source_date: n.source_date,
        }
    }
}

/// The columns a need's fields are written to, by insert and update alike.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = needs, treat_none_as_null = true, treat_none_as_default_value = false)]
struct NeedColumns<'a> {
    reference: Option<&'a str>,
    title: &'a str,
    description: &'a str,
    portfolio_id: Option<i64>,
    service_id: Option<i64>,
    channel: &'static str,
    source_organization_id: Option<i64>,
    source_date: NaiveDate,
    /// Lowercased in Rust: SQLite's `lower()` folds only ASCII (å, ä, ö).
    search_text: String,
}

impl<'a> NeedColumns<'a> {
    fn of(f: &'a NeedFields) -> Self {
        NeedColumns {
            reference: f.reference.as_deref(),
            title: &f.title,
            description: &f.description,
            portfolio_id: f.portfolio_id,
            service_id: f.service_id,
            channel: f.channel.as_str(),
            source_organization_id: f.source_organization_id,
            source_date: f.source_date,
            search_text: format!(
                "{} {} {}",
                f.reference.as_deref().unwrap_or_default(),
                f.title,
                f.description
            )
            .to_lowercase(),
        }
    }
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Need> {
    needs::table
        .find(id)
        .select(Need::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such need."))
}

/// The needs of these ids that exist (a proposal's `need_ids`).
pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<Need>> {
    Ok(needs::table
        .filter(needs::id.eq_any(ids))
        .select(Need::as_select())
        .load(conn)?)
}

pub fn insert(conn: &mut DbConnection, fields: &NeedFields, created_by: &str) -> AppResult<Need> {
    let now = super::now();
    Ok(diesel::insert_into(needs::table)
        .values((
            NeedColumns::of(fields),
            needs::status.eq(NeedStatus::Identified.as_str()),
            needs::created_by.eq(created_by),
            needs::version.eq(1),
            needs::created_at.eq(now),
            needs::updated_at.eq(now),
        ))
        .returning(needs::all_columns)
        .get_result(conn)?)
}

pub fn update(conn: &mut DbConnection, current: &Need, fields: &NeedFields) -> AppResult<Need> {
    crate::db::update_versioned!(conn, needs, current, NeedColumns::of(fields))
}

/// The assessment: value, urgency, estimate (in SEK), recommendation.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub value: Score,
    pub urgency: Score,
    pub estimated_cost_minor: Option<i64>,
    pub recommendation: NeedRecommendation,
    pub note: Option<String>,
}

/// The management group meeting a need was presented at.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    pub on: NaiveDate,
    pub reference: Option<String>,
}

/// What was decided, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    pub reason: String,
}

/// Assessed (again): a deferred need's earlier presentation and decision are cleared, and kept
/// in the audit trail.
pub fn assess(
    conn: &mut DbConnection,
    current: &Need,
    a: &Assessment,
    by: &str,
) -> AppResult<Need> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        needs,
        current,
        at = now,
        (
            needs::status.eq(NeedStatus::Assessed.as_str()),
            needs::value.eq(Some(a.value.get())),
            needs::urgency.eq(Some(a.urgency.get())),
            needs::estimated_cost_minor.eq(a.estimated_cost_minor),
            needs::recommendation.eq(Some(a.recommendation.as_str())),
            needs::assessment_note.eq(a.note.as_deref()),
            needs::assessed_by.eq(Some(by)),
            needs::assessed_at.eq(Some(now)),
            (
                needs::presented_on.eq(None::<NaiveDate>),
                needs::presentation_reference.eq(None::<String>),
                needs::presented_by.eq(None::<String>),
                needs::presented_at.eq(None::<NaiveDateTime>),
                needs::outcome.eq(None::<String>),
                needs::decision_reason.eq(None::<String>),
                needs::decided_by.eq(None::<String>),
                needs::decided_at.eq(None::<NaiveDateTime>),
            ),
        )
    )
}

/// Presented to the management group (the KA's föredragning).
pub fn present(
    conn: &mut DbConnection,
    current: &Need,
    p: &Presentation,
    by: &str,
) -> AppResult<Need> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        needs,
        current,
        at = now,
        (
            needs::status.eq(NeedStatus::Presented.as_str()),
            needs::presented_on.eq(Some(p.on)),
            needs::presentation_reference.eq(p.reference.as_deref()),
            needs::presented_by.eq(Some(by)),
            needs::presented_at.eq(Some(now)),
        )
    )
}

pub fn decide(conn: &mut DbConnection, current: &Need, d: &Decision, by: &str) -> AppResult<Need> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        needs,
        current,
        at = now,
        (
            needs::status.eq(NeedStatus::Decided.as_str()),
            needs::outcome.eq(Some(d.outcome.as_str())),
            needs::decision_reason.eq(Some(d.reason.as_str())),
            needs::decided_by.eq(Some(by)),
            needs::decided_at.eq(Some(now)),
        )
    )
}

/// A new version of the need whose links or endorsements changed (its `ETag` moves with them).
pub fn touch(conn: &mut DbConnection, current: &Need, endorsements: i64) -> AppResult<Need> {
    crate::db::update_versioned!(
        conn,
        needs,
        current,
        needs::endorsement_count.eq(current.endorsement_count + endorsements)
    )
}
