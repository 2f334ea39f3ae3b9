use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{double_option, utc, Fields};
use crate::auth::policy::Action;
use crate::db::services::{Service, ServiceFields};
use crate::domain::governance::SecurityClassification;
use crate::domain::it::ItAssessment;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::slug::Slug;
use crate::domain::text;
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceView {
    pub id: i64,
    #[schema(example = "eduroam")]
    pub slug: String,
    #[schema(example = "eduroam")]
    pub name: String,
    /// The portfolio (null while only proposed without one).
    pub portfolio_id: Option<i64>,
    /// The portfolio's slug (null while only proposed without one).
    #[schema(example = "natverk")]
    pub portfolio_slug: Option<String>,
    pub lifecycle: Lifecycle,
    #[serde(serialize_with = "crate::api::time::rfc3339")]
    pub lifecycle_changed_at: DateTime<Utc>,
    /// Why the management group turned the proposal down (only when `rejected`).
    pub rejection_reason: Option<String>,
    pub description: String,
    pub documentation_url: Option<String>,
    /// Guidelines 4.2 item 8: the support process is established and works.
    pub support_process_established: bool,
    /// Guidelines 4.4 item 6: how customers order the service.
    pub ordering_routine: Option<String>,
    #[serde(serialize_with = "crate::api::time::rfc3339_option")]
    pub last_reviewed_at: Option<DateTime<Utc>>,
    /// Shown in the public catalogue (when in operation).
    pub published: bool,
    /// Catalogue text, Swedish.
    pub catalog_text: Option<String>,
    /// Catalogue text, English.
    pub catalog_text_en: Option<String>,
    /// Sunet produces the service itself: no supplier contract is expected.
    pub self_produced: bool,
    /// When the catalogue texts were last reviewed (set when they are written).
    #[serde(serialize_with = "crate::api::time::rfc3339_option")]
    pub catalog_reviewed_at: Option<DateTime<Utc>>,
    /// When the documentation was last reviewed (set when `documentation_url` is written).
    #[serde(serialize_with = "crate::api::time::rfc3339_option")]
    pub documentation_reviewed_at: Option<DateTime<Utc>>,
    /// Information classification (null: not classified yet).
    pub security_classification: Option<SecurityClassification>,
    /// The last information-security review (set when the classification is written).
    #[serde(serialize_with = "crate::api::time::rfc3339_option")]
    pub security_reviewed_at: Option<DateTime<Utc>>,
    /// The needs that point at the service (a proposal made for them, docs/domain.md).
    pub need_ids: Vec<i64>,
    /// What the management group weighed of the IT environment when it established the service.
    pub it_assessment: Option<ItAssessment>,
    /// The slugs of the assessment's systems (the CSV export's `it_assessment_systems`).
    #[serde(skip)]
    pub it_assessment_systems: Vec<String>,
    pub version: i64,
    #[serde(serialize_with = "crate::api::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<&Service> for ServiceView {
    fn from(s: &Service) -> Self {
        ServiceView {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            portfolio_id: s.portfolio_id,
            portfolio_slug: None,
            lifecycle: s.lifecycle(),
            lifecycle_changed_at: utc(s.lifecycle_changed_at),
            rejection_reason: s.rejection_reason.clone(),
            description: s.description.clone(),
            documentation_url: s.documentation_url.clone(),
            support_process_established: s.support_process_established,
            ordering_routine: s.ordering_routine.clone(),
            last_reviewed_at: s.last_reviewed_at.map(utc),
            published: s.published,
            catalog_text: s.catalog_text.clone(),
            catalog_text_en: s.catalog_text_en.clone(),
            self_produced: s.self_produced,
            catalog_reviewed_at: s.catalog_reviewed_at.map(utc),
            documentation_reviewed_at: s.documentation_reviewed_at.map(utc),
            security_classification: s.security_classification(),
            security_reviewed_at: s.security_reviewed_at.map(utc),
            need_ids: Vec::new(),
            it_assessment: s
                .it_assessment
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok()),
            it_assessment_systems: Vec::new(),
            version: s.version,
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
        }
    }
}

/// A proposal (from a needs inventory). The management group establishes it later.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    #[schema(
        example = "eduroam",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$",
        min_length = 2,
        max_length = 63
    )]
    pub slug: String,
    #[schema(
        example = "eduroam",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 200
    )]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// The portfolio the service is proposed for; TÄ, TS and TJF propose within their own.
    pub portfolio_id: Option<i64>,
    /// The needs the proposal answers (none declined).
    #[serde(default)]
    pub need_ids: Vec<i64>,
}

fn slug_field(value: &str) -> Result<String, (String, String)> {
    Slug::parse(value)
        .map(String::from)
        .map_err(|m| ("slug".to_string(), m))
}

impl NewService {
    pub fn parse(&self) -> AppResult<ServiceFields> {
        let mut f = Fields::default();
        let slug = f.take(slug_field(&self.slug));
        let name = f.take(text::line("name", &self.name, 200));
        let description = f.take(text::bounded("description", &self.description, 10_000));
        f.finish()?;
        Ok(ServiceFields {
            slug: slug.unwrap_or_default(),
            name: name.unwrap_or_default(),
            portfolio_id: self.portfolio_id,
            description: description.unwrap_or_default(),
            documentation_url: None,
            support_process_established: false,
            ordering_routine: None,
            last_reviewed_at: None,
            published: false,
            catalog_text: None,
            catalog_text_en: None,
            self_produced: false,
            catalog_reviewed_at: None,
            documentation_reviewed_at: None,
            security_classification: None,
            security_reviewed_at: None,
        })
    }
}

/// Fields to change; absent fields stay, `null` clears an optional field. Which fields are
/// present decides which rights are needed: `slug` and `name` (management group, TÄ), the other
/// service fields (TÄ, TS[documentation], TJF), catalogue fields (communicator, TÄ),
/// security fields (TÄ, TS[documentation]), `portfolio_id` (management group). Writing the
/// documentation URL, a catalogue text or the classification also records a review now, unless
/// the patch gives the review time itself.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct ServicePatch {
    #[schema(
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$",
        min_length = 2,
        max_length = 63
    )]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub slug: Option<String>,
    #[schema(
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 200
    )]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[schema(max_length = 10000)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = "^[\\t\\n\\r ]*https?://[^/\\s\\u0000-\\u001F\\u007F-\\u009F][^\\s\\u0000-\\u001F\\u007F-\\u009F]*[\\t\\n\\r ]*$")]
    pub documentation_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub support_process_established: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub ordering_routine: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub last_reviewed_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub published: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub catalog_text: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub catalog_text_en: Option<Option<String>>,
    /// Sunet produces the service itself (no supplier contract expected).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub self_produced: Option<bool>,
    /// The documentation was reviewed at this time (not in the future).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub documentation_reviewed_at: Option<Option<DateTime<Utc>>>,
    /// The catalogue texts were reviewed at this time (not in the future).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub catalog_reviewed_at: Option<Option<DateTime<Utc>>>,
    /// Konfidentialitet, riktighet, tillgänglighet, each 1–4.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<SecurityClassification>)]
    pub security_classification: Option<Option<SecurityClassification>>,
    /// The information-security review was made at this time (not in the future).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub security_reviewed_at: Option<Option<DateTime<Utc>>>,
    /// Moves the service to another portfolio (management group only).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub portfolio_id: Option<i64>,
}

impl ServicePatch {
    /// The actions this patch needs.
    pub fn actions(&self) -> Vec<Action> {
        let mut actions = Vec::new();
        // The identity other systems use in paths: LG or the TÄ, never a TJF or TS.
        if self.slug.is_some() || self.name.is_some() {
            actions.push(Action::ServiceRename);
        }
        if self.description.is_some()
            || self.documentation_url.is_some()
            || self.last_reviewed_at.is_some()
            || self.self_produced.is_some()
            || self.documentation_reviewed_at.is_some()
        {
            actions.push(Action::ServiceUpdate);
        }
        // The support process and ordering routine (guidelines 4.2 item 8, 4.3 item 6).
        if self.support_process_established.is_some() || self.ordering_routine.is_some() {
            actions.push(Action::ServiceUpdateSupport);
        }
        if self.published.is_some()
            || self.catalog_text.is_some()
            || self.catalog_text_en.is_some()
            || self.catalog_reviewed_at.is_some()
        {
            actions.push(Action::ServiceUpdateCatalog);
        }
        if self.security_classification.is_some() || self.security_reviewed_at.is_some() {
            actions.push(Action::ServiceUpdateSecurity);
        }
        if self.portfolio_id.is_some() {
            actions.push(Action::ServiceMove);
        }
        actions
    }

    pub fn apply(self, current: &Service) -> AppResult<ServiceFields> {
        self.apply_to(ServiceFields::of(current))
    }

    /// The patch changes only what differs between `old` and `new` (an import's row, whose
    /// changes need the rights a PATCH of them would).
    pub fn between(old: &ServiceFields, new: &ServiceFields) -> ServicePatch {
        fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
            (old != new).then(|| new.clone())
        }
        let time = |old: &Option<chrono::NaiveDateTime>, new: &Option<chrono::NaiveDateTime>| {
            changed(old, new).map(|t| t.map(|t| t.and_utc()))
        };
        ServicePatch {
            slug: changed(&old.slug, &new.slug),
            name: changed(&old.name, &new.name),
            description: changed(&old.description, &new.description),
            documentation_url: changed(&old.documentation_url, &new.documentation_url),
            support_process_established: changed(
                &old.support_process_established,
                &new.support_process_established,
            ),
            ordering_routine: changed(&old.ordering_routine, &new.ordering_routine),
            last_reviewed_at: time(&old.last_reviewed_at, &new.last_reviewed_at),
            published: changed(&old.published, &new.published),
            catalog_text: changed(&old.catalog_text, &new.catalog_text),
            catalog_text_en: changed(&old.catalog_text_en, &new.catalog_text_en),
            self_produced: changed(&old.self_produced, &new.self_produced),
            documentation_reviewed_at: time(
                &old.documentation_reviewed_at,
                &new.documentation_reviewed_at,
            ),
            catalog_reviewed_at: time(&old.catalog_reviewed_at, &new.catalog_reviewed_at),
            security_classification: changed(
                &old.security_classification,
                &new.security_classification,
            ),
            security_reviewed_at: time(&old.security_reviewed_at, &new.security_reviewed_at),
            portfolio_id: changed(&old.portfolio_id, &new.portfolio_id).flatten(),
        }
    }

    /// The patch written onto `fields` (validated as a PATCH is).
    pub fn apply_to(self, fields: ServiceFields) -> AppResult<ServiceFields> {
        let wrote_documentation = self.documentation_url.is_some();
        let wrote_catalog = self.catalog_text.is_some() || self.catalog_text_en.is_some();
        let mut f = Fields::default();
        let mut out = fields;
        if let Some(slug) = self.slug {
            out.slug = f.take(slug_field(&slug)).unwrap_or_default();
        }
        if let Some(name) = self.name {
            out.name = f.take(text::line("name", &name, 200)).unwrap_or_default();
        }
        if let Some(description) = self.description {
            out.description = f
                .take(text::bounded("description", &description, 10_000))
                .unwrap_or_default();
        }
        if let Some(url) = self.documentation_url {
            out.documentation_url = url.and_then(|u| f.take(text::url("documentation_url", &u)));
        }
        if let Some(flag) = self.support_process_established {
            out.support_process_established = flag;
        }
        if let Some(routine) = self.ordering_routine {
            out.ordering_routine =
                routine.and_then(|r| f.take(text::bounded("ordering_routine", &r, 10_000)));
        }
        if let Some(at) = self.last_reviewed_at {
            out.last_reviewed_at = at.map(|t| t.naive_utc());
        }
        if let Some(flag) = self.published {
            out.published = flag;
        }
        if let Some(t) = self.catalog_text {
            out.catalog_text = t.and_then(|t| f.take(text::bounded("catalog_text", &t, 10_000)));
        }
        if let Some(t) = self.catalog_text_en {
            out.catalog_text_en =
                t.and_then(|t| f.take(text::bounded("catalog_text_en", &t, 10_000)));
        }
        if let Some(p) = self.portfolio_id {
            out.portfolio_id = Some(p);
        }
        if let Some(flag) = self.self_produced {
            out.self_produced = flag;
        }
        // Writing a text is reviewing it; a review time given in the patch wins.
        let now = crate::db::now();
        let reviewed = |f: &mut Fields,
                        field: &str,
                        given: Option<Option<DateTime<Utc>>>,
                        wrote: bool,
                        current| {
            match given {
                Some(at) => at.and_then(|t| not_in_the_future(f, field, t, now)),
                None if wrote => Some(now),
                None => current,
            }
        };
        out.documentation_reviewed_at = reviewed(
            &mut f,
            "documentation_reviewed_at",
            self.documentation_reviewed_at,
            wrote_documentation,
            out.documentation_reviewed_at,
        );
        out.catalog_reviewed_at = reviewed(
            &mut f,
            "catalog_reviewed_at",
            self.catalog_reviewed_at,
            wrote_catalog,
            out.catalog_reviewed_at,
        );
        if let Some(classification) = self.security_classification {
            out.security_classification = classification;
        }
        out.security_reviewed_at = reviewed(
            &mut f,
            "security_reviewed_at",
            self.security_reviewed_at,
            self.security_classification.is_some(),
            out.security_reviewed_at,
        );
        f.finish()?;
        Ok(out)
    }
}

/// A review time: now or earlier (a minute's grace for clocks). A later one is well-formed
/// but breaks a rule the document cannot state: 422.
pub(crate) fn not_in_the_future(
    f: &mut Fields,
    field: &str,
    at: DateTime<Utc>,
    now: chrono::NaiveDateTime,
) -> Option<chrono::NaiveDateTime> {
    let at = at.naive_utc();
    if at > now + chrono::TimeDelta::minutes(1) {
        f.rule(field, "must not be in the future");
        return None;
    }
    Some(at)
}

/// A lifecycle step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub to: Lifecycle,
    /// Why (the decision, a reference to minutes …); kept in the audit trail. Required when
    /// rejecting a proposal, and then also kept on the service as `rejection_reason`.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// With `to: established`: the portfolio the management group places the service in.
    pub portfolio_id: Option<i64>,
    /// Required with `to: established` (and only then): what of the IT environment was weighed.
    pub it_assessment: Option<ItAssessment>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// Portfolio id or slug.
    pub portfolio: Option<String>,
    pub lifecycle: Option<Lifecycle>,
    pub published: Option<bool>,
    /// Text search in slug, name and description.
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl crate::api::Listing for ServiceQuery {
    const ORDERING: &'static [&'static str] = crate::db::services::SORT_FIELDS;
}
