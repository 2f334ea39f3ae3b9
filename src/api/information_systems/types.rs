//! The wire types of `/api/v1/information-systems`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::csv::{csv_cell, CsvRecord};
use crate::api::utc;
use crate::db::information_systems::{InformationSystem, SystemDependency, SystemOutline};
use crate::domain::governance::SecurityClassification;
use crate::domain::it::{ExternalRef, Hosting, SystemKind, SystemLifecycle};

/// A system named in another object: enough to show it and follow it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystemSummary {
    pub id: i64,
    #[schema(example = "netbox")]
    pub slug: String,
    #[schema(example = "NetBox")]
    pub name: String,
    pub lifecycle: SystemLifecycle,
}

impl From<&SystemOutline> for SystemSummary {
    fn from(s: &SystemOutline) -> Self {
        SystemSummary {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            lifecycle: s.lifecycle.parse().unwrap_or(SystemLifecycle::Planned),
        }
    }
}

/// One step of a dependency path.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PathStep {
    pub id: i64,
    #[schema(example = "sunet-backbone")]
    pub slug: String,
}

impl From<&SystemOutline> for PathStep {
    fn from(s: &SystemOutline) -> Self {
        PathStep {
            id: s.id,
            slug: s.slug.clone(),
        }
    }
}

/// What a system depends on directly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystemDependencyView {
    /// For `DELETE /information-systems/{id}/dependencies/{dependency}`.
    pub id: i64,
    pub depends_on: SystemSummary,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl SystemDependencyView {
    pub fn of(d: &SystemDependency, on: &SystemOutline) -> Self {
        SystemDependencyView {
            id: d.id,
            depends_on: SystemSummary::from(on),
            note: d.note.clone(),
            created_by: d.created_by.clone(),
            created_at: utc(d.created_at),
        }
    }
}

/// Flat columns: the system depended on by id and slug.
impl CsvRecord for SystemDependencyView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "depends_on_id",
        "depends_on_slug",
        "note",
        "created_by",
        "created_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            csv_cell(&self.id),
            csv_cell(&self.depends_on.id),
            csv_cell(&self.depends_on.slug),
            csv_cell(&self.note),
            csv_cell(&self.created_by),
            csv_cell(&self.created_at),
        ]
    }
}

/// A path of systems in one CSV cell: their slugs, separated by `;`.
pub fn path_cell(path: &[PathStep]) -> String {
    path.iter()
        .map(|s| s.slug.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystemView {
    pub id: i64,
    #[schema(example = "eduroam-radius")]
    pub slug: String,
    #[schema(example = "eduroam RADIUS-proxy")]
    pub name: String,
    pub kind: SystemKind,
    pub description: String,
    pub lifecycle: SystemLifecycle,
    pub hosting: Hosting,
    /// The supplier organization that runs or delivers it.
    pub supplier_id: Option<i64>,
    /// That organization's slug.
    #[schema(example = "atea")]
    pub supplier_slug: Option<String>,
    /// The supplier contract it is delivered under (one of the supplier's).
    pub supplier_contract_id: Option<i64>,
    /// That contract's reference.
    #[schema(example = "ATEA 2025-17")]
    pub supplier_contract_reference: Option<String>,
    /// The `sub` of the person who answers for it.
    pub responsible: Option<String>,
    pub security_classification: Option<SecurityClassification>,
    /// Where detailed inventories (NetBox, Backstage) keep it.
    pub external_refs: Vec<ExternalRef>,
    /// When its description or dependencies were last reviewed.
    pub reviewed_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    /// The systems it depends on directly.
    pub depends_on: Vec<PathStep>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SystemView {
    pub fn of(s: &InformationSystem, depends_on: Vec<PathStep>) -> Self {
        SystemView {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            kind: s.kind(),
            description: s.description.clone(),
            lifecycle: s.lifecycle(),
            hosting: s.hosting(),
            supplier_id: s.supplier_id,
            supplier_slug: None,
            supplier_contract_id: s.supplier_contract_id,
            supplier_contract_reference: None,
            responsible: s.responsible.clone(),
            security_classification: s.security_classification(),
            external_refs: s.external_refs(),
            reviewed_at: utc(s.reviewed_at),
            retired_at: s.retired_at.map(utc),
            depends_on,
            version: s.version,
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
        }
    }
}

/// Flat columns: the classification as `K/R/T`, references and dependencies as lists in one
/// cell, separated by `;` (`system:ref`, slugs).
impl CsvRecord for SystemView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "slug",
        "name",
        "kind",
        "description",
        "lifecycle",
        "hosting",
        "supplier_id",
        "supplier_slug",
        "supplier_contract_id",
        "supplier_contract_reference",
        "responsible",
        "security_classification",
        "external_refs",
        "reviewed_at",
        "retired_at",
        "depends_on",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        let classification = self.security_classification.as_ref().map(|c| c.cell());
        let refs: Vec<String> = self
            .external_refs
            .iter()
            .map(|r| format!("{}:{}", r.system, r.reference))
            .collect();

        vec![
            csv_cell(&self.id),
            csv_cell(&self.slug),
            csv_cell(&self.name),
            csv_cell(&self.kind),
            csv_cell(&self.description),
            csv_cell(&self.lifecycle),
            csv_cell(&self.hosting),
            csv_cell(&self.supplier_id),
            csv_cell(&self.supplier_slug),
            csv_cell(&self.supplier_contract_id),
            csv_cell(&self.supplier_contract_reference),
            csv_cell(&self.responsible),
            classification.unwrap_or_default(),
            refs.join(";"),
            csv_cell(&self.reviewed_at),
            csv_cell(&self.retired_at),
            path_cell(&self.depends_on),
            csv_cell(&self.created_at),
            csv_cell(&self.updated_at),
        ]
    }
}

/// The views with their suppliers' slugs and contracts' references, in two queries.
pub fn with_supplier_names(
    conn: &mut crate::db::DbConnection,
    mut views: Vec<SystemView>,
) -> crate::error::AppResult<Vec<SystemView>> {
    let distinct = |mut ids: Vec<i64>| {
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let suppliers = distinct(views.iter().filter_map(|v| v.supplier_id).collect());
    let contracts = distinct(
        views
            .iter()
            .filter_map(|v| v.supplier_contract_id)
            .collect(),
    );
    let slugs: std::collections::HashMap<i64, String> = match suppliers.is_empty() {
        true => Default::default(),
        false => crate::db::organizations::names_of(conn, &suppliers)?
            .into_iter()
            .map(|(id, slug, _)| (id, slug))
            .collect(),
    };
    let references: std::collections::HashMap<i64, String> = match contracts.is_empty() {
        true => Default::default(),
        false => crate::db::contracts::references_of(conn, &contracts)?
            .into_iter()
            .collect(),
    };
    for view in &mut views {
        view.supplier_slug = view.supplier_id.and_then(|o| slugs.get(&o).cloned());
        view.supplier_contract_reference = view
            .supplier_contract_id
            .and_then(|c| references.get(&c).cloned());
    }
    Ok(views)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInformationSystem {
    #[schema(
        example = "eduroam-radius",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$",
        min_length = 2,
        max_length = 63
    )]
    pub slug: String,
    #[schema(
        example = "eduroam RADIUS-proxy",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 200
    )]
    pub name: String,
    pub kind: SystemKind,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// Not `retired`: a system is retired by its own step.
    pub lifecycle: SystemLifecycle,
    pub hosting: Hosting,
    /// An organization of kind `supplier`.
    pub supplier_id: Option<i64>,
    /// A supplier contract of `supplier_id`.
    pub supplier_contract_id: Option<i64>,
    /// The `sub` of a person the service knows.
    #[schema(
        example = "anna.svensson@sunet.se",
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub responsible: Option<String>,
    pub security_classification: Option<SecurityClassification>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub external_refs: Vec<ExternalRef>,
    /// When it was last reviewed (not in the future); now when not given.
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// Fields to change; absent fields stay, `null` clears an optional one. Changing the
/// description records a review now, unless `reviewed_at` is given.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct InformationSystemPatch {
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(
        nullable = false,
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$",
        min_length = 2,
        max_length = 63
    )]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(
        nullable = false,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 200
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub kind: Option<SystemKind>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false, max_length = 10000)]
    pub description: Option<String>,
    /// Forward only (`planned` → `in_use` → `phasing_out`); retiring is its own step.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub lifecycle: Option<SystemLifecycle>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub hosting: Option<Hosting>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<i64>)]
    pub supplier_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<i64>)]
    pub supplier_contract_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>, max_length = 255, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub responsible: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<SecurityClassification>)]
    pub security_classification: Option<Option<SecurityClassification>>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false, max_items = 20)]
    pub external_refs: Option<Vec<ExternalRef>>,
    /// Reviewed at this time (not in the future).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl InformationSystemPatch {
    pub fn is_empty(&self) -> bool {
        self.slug.is_none()
            && self.name.is_none()
            && self.kind.is_none()
            && self.description.is_none()
            && self.lifecycle.is_none()
            && self.hosting.is_none()
            && self.supplier_id.is_none()
            && self.supplier_contract_id.is_none()
            && self.responsible.is_none()
            && self.security_classification.is_none()
            && self.external_refs.is_none()
            && self.reviewed_at.is_none()
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemDependencyRequest {
    /// The system it depends on (not retired, not itself, closing no cycle).
    pub depends_on_id: i64,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InformationSystemQuery {
    pub kind: Option<SystemKind>,
    pub lifecycle: Option<SystemLifecycle>,
    pub hosting: Option<Hosting>,
    /// Supplier organization id or slug.
    pub supplier: Option<String>,
    /// Service id or slug: the systems it depends on directly.
    pub used_by: Option<String>,
    /// Portfolio id or slug: the systems its services depend on directly.
    pub portfolio: Option<String>,
    /// A person's `sub`: the systems they answer for.
    #[param(max_length = 255)]
    pub responsible: Option<String>,
    /// Text search in the slug, name and description.
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl crate::api::Listing for InformationSystemQuery {
    const ORDERING: &'static [&'static str] = crate::db::information_systems::SORT_FIELDS;
}
