//! The wire types of `/api/v1/needs`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::csv::{csv_cell, CsvRecord};
use crate::api::utc;
use crate::db::needs::{Endorsement, Link, Need};
use crate::domain::money::{Currency, Money, MoneyJson};
use crate::domain::need::{
    realised, Channel, LinkKind, NeedRecommendation, NeedStatus, Outcome, Score,
};

/// Where a need was heard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub channel: Channel,
    /// The customer organization that voiced it.
    pub organization_id: Option<i64>,
    /// When it was heard (not in the future).
    #[schema(example = "2026-11-12")]
    pub date: NaiveDate,
}

/// What realises a decided need.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    /// For `DELETE /needs/{id}/links/{link}`.
    pub id: i64,
    pub kind: LinkKind,
    /// The service, change request or plan activity.
    pub object_id: i64,
    /// The service is in operation, the change request released, the activity done.
    pub done: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeedView {
    pub id: i64,
    /// The register's own number for it (unique): what an import matches it by.
    #[schema(example = "BEH-2026-014")]
    pub reference: Option<String>,
    #[schema(example = "Eduroam på pendeltåg")]
    pub title: String,
    pub description: String,
    /// The portfolio it belongs to now: its service's, or its own when it names no service.
    pub portfolio_id: Option<i64>,
    /// That portfolio's slug.
    pub portfolio_slug: Option<String>,
    pub service_id: Option<i64>,
    /// The service's slug.
    pub service_slug: Option<String>,
    pub source: Source,
    /// The slug of the organization that voiced it (`source.organization_id`).
    pub source_organization_slug: Option<String>,
    pub status: NeedStatus,
    /// The `sub` of whoever recorded it.
    pub created_by: String,
    pub value: Option<Score>,
    pub urgency: Option<Score>,
    pub estimated_cost: Option<MoneyJson>,
    pub recommendation: Option<NeedRecommendation>,
    pub assessment_note: Option<String>,
    pub assessed_by: Option<String>,
    pub assessed_at: Option<DateTime<Utc>>,
    /// The management group meeting it was presented at.
    pub presented_on: Option<NaiveDate>,
    /// The meeting's minutes or agenda item.
    pub presentation_reference: Option<String>,
    pub presented_by: Option<String>,
    pub outcome: Option<Outcome>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// How many customer organizations share it.
    pub endorsement_count: i64,
    pub links: Vec<LinkView>,
    /// Decided, with at least one link, and everything linked done.
    pub realised: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl NeedView {
    /// The view of `need` (placed in `portfolio_id` now) with its links, from all `links`.
    pub fn of(need: &Need, portfolio_id: Option<i64>, links: &[Link]) -> NeedView {
        let links: Vec<LinkView> = links
            .iter()
            .filter(|l| l.need_id == need.id)
            .map(|l| LinkView {
                id: l.id,
                kind: l.kind,
                object_id: l.object_id,
                done: l.done,
            })
            .collect();
        NeedView {
            id: need.id,
            reference: need.reference.clone(),
            title: need.title.clone(),
            description: need.description.clone(),
            portfolio_id,
            portfolio_slug: None,
            service_id: need.service_id,
            service_slug: None,
            source: Source {
                channel: need.channel(),
                organization_id: need.source_organization_id,
                date: need.source_date,
            },
            source_organization_slug: None,
            status: need.status(),
            created_by: need.created_by.clone(),
            value: need.value(),
            urgency: need.urgency(),
            estimated_cost: need
                .estimated_cost_minor
                .map(|m| MoneyJson::from(Money::new(m, Currency::SEK))),
            recommendation: need.recommendation(),
            assessment_note: need.assessment_note.clone(),
            assessed_by: need.assessed_by.clone(),
            assessed_at: need.assessed_at.map(utc),
            presented_on: need.presented_on,
            presentation_reference: need.presentation_reference.clone(),
            presented_by: need.presented_by.clone(),
            outcome: need.outcome(),
            decision_reason: need.decision_reason.clone(),
            decided_by: need.decided_by.clone(),
            decided_at: need.decided_at.map(utc),
            endorsement_count: need.endorsement_count,
            realised: realised(need.status(), links.iter().map(|l| l.done)),
            links,
            version: need.version,
            created_at: utc(need.created_at),
            updated_at: utc(need.updated_at),
        }
    }
}

/// Flat columns: the source's members each in their own, the portfolio, service and source
/// organization also by slug, links as `kind:id` pairs.
impl CsvRecord for NeedView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "reference",
        "title",
        "description",
        "portfolio_id",
        "portfolio_slug",
        "service_id",
        "service_slug",
        "source_channel",
        "source_organization_id",
        "source_organization_slug",
        "source_date",
        "status",
        "created_by",
        "value",
        "urgency",
        "estimated_cost",
        "recommendation",
        "assessment_note",
        "presented_on",
        "presentation_reference",
        "outcome",
        "decision_reason",
        "decided_at",
        "endorsement_count",
        "links",
        "realised",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        let links: Vec<String> = self
            .links
            .iter()
            .map(|l| format!("{}:{}", l.kind, l.object_id))
            .collect();
        vec![
            csv_cell(&self.id),
            csv_cell(&self.reference),
            csv_cell(&self.title),
            csv_cell(&self.description),
            csv_cell(&self.portfolio_id),
            csv_cell(&self.portfolio_slug),
            csv_cell(&self.service_id),
            csv_cell(&self.service_slug),
            csv_cell(&self.source.channel),
            csv_cell(&self.source.organization_id),
            csv_cell(&self.source_organization_slug),
            csv_cell(&self.source.date),
            csv_cell(&self.status),
            csv_cell(&self.created_by),
            csv_cell(&self.value),
            csv_cell(&self.urgency),
            self.estimated_cost
                .as_ref()
                .map(|m| m.amount.clone())
                .unwrap_or_default(),
            csv_cell(&self.recommendation),
            csv_cell(&self.assessment_note),
            csv_cell(&self.presented_on),
            csv_cell(&self.presentation_reference),
            csv_cell(&self.outcome),
            csv_cell(&self.decision_reason),
            csv_cell(&self.decided_at),
            csv_cell(&self.endorsement_count),
            links.join(";"),
            csv_cell(&self.realised),
            csv_cell(&self.created_at),
            csv_cell(&self.updated_at),
        ]
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNeed {
    /// The register's own number for it, unique (an import matches needs by it).
    #[schema(
        example = "BEH-2026-014",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 100
    )]
    pub reference: Option<String>,
    #[schema(
        example = "Eduroam på pendeltåg",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 300
    )]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// The portfolio it concerns, if known.
    pub portfolio_id: Option<i64>,
    /// The service it concerns, if any (in `portfolio_id` when both are given).
    pub service_id: Option<i64>,
    pub source: Source,
}

/// Fields to correct before the decision; absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct NeedPatch {
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(
        value_type = Option<String>,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 100
    )]
    pub reference: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(
        nullable = false,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 300
    )]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false, max_length = 10000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<i64>)]
    pub portfolio_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<i64>)]
    pub service_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub source: Option<Source>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedAssessmentRequest {
    #[schema(minimum = 1, maximum = 5)]
    pub value: i64,
    #[schema(minimum = 1, maximum = 5)]
    pub urgency: i64,
    /// In SEK.
    #[schema(value_type = Option<crate::domain::money::SekJson>)]
    pub estimated_cost: Option<MoneyJson>,
    pub recommendation: NeedRecommendation,
    #[schema(max_length = 10000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresentationRequest {
    /// The management group meeting (not in the future).
    #[schema(example = "2026-12-01")]
    pub date: NaiveDate,
    /// The minutes or agenda item.
    #[schema(example = "LG 2026-12-01 § 7", max_length = 300)]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedDecisionRequest {
    pub outcome: Outcome,
    /// The grounds of the decision, kept with it.
    #[schema(
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 10000
    )]
    pub reason: String,
}

/// Exactly one of the three.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1, max_properties = 1)]
pub struct LinkRequest {
    /// A service (a proposal made for the need).
    pub service_id: Option<i64>,
    pub change_request_id: Option<i64>,
    pub plan_item_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndorsementRequest {
    /// A customer organization that shares the need.
    pub organization_id: i64,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndorsementView {
    pub id: i64,
    pub organization_id: i64,
    #[schema(example = "lunds-universitet")]
    pub organization_slug: String,
    #[schema(example = "Lunds universitet")]
    pub organization_name: String,
    pub note: Option<String>,
    /// The `sub` of whoever recorded it.
    pub endorsed_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Endorsement> for EndorsementView {
    fn from(e: &Endorsement) -> Self {
        EndorsementView {
            id: e.id,
            organization_id: e.organization_id,
            organization_slug: e.organization_slug.clone(),
            organization_name: e.organization_name.clone(),
            note: e.note.clone(),
            endorsed_by: e.endorsed_by.clone(),
            created_at: utc(e.created_at),
        }
    }
}

crate::csv_record!(EndorsementView {
    id,
    organization_id,
    organization_slug,
    organization_name,
    note,
    endorsed_by,
    created_at
});

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NeedQuery {
    pub status: Option<NeedStatus>,
    /// Portfolio id or slug.
    pub portfolio: Option<String>,
    /// Service id or slug: the needs about it.
    pub service: Option<String>,
    /// Service id or slug: the needs that point at it to be realised (a service's needs).
    pub linked_service: Option<String>,
    /// Organization id or slug: the source or an endorser.
    pub organization: Option<String>,
    pub channel: Option<Channel>,
    pub outcome: Option<Outcome>,
    pub realised: Option<bool>,
    /// Text search in the reference, title and description.
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl crate::api::Listing for NeedQuery {
    const ORDERING: &'static [&'static str] = crate::db::needs::SORT_FIELDS;
}
