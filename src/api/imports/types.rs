use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::utc;
use crate::db::imports::Import;
use crate::error::FieldError;

crate::vocabulary! {
    /// What a file imports: the name of the list whose CSV export it follows.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
    pub enum ImportKind("a kind of import (organizations, services, contracts, deliveries, role_assignments, information_systems, needs)") {
        Organizations = "organizations",
        Services = "services",
        Contracts = "contracts",
        Deliveries = "deliveries",
        RoleAssignments = "role_assignments",
        InformationSystems = "information_systems",
        Needs = "needs",
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// What the file holds: `organizations`, `services`, `contracts`, `deliveries`,
    /// `role_assignments`, `information_systems` or `needs`.
    #[param(value_type = ImportKind)]
    pub kind: String,
    /// Say what would happen, write nothing (default false).
    pub dry_run: Option<bool>,
}

/// What a row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Created,
    Updated,
    Unchanged,
}

/// What an import did, or for a dry run would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// The import (`GET /api/v1/imports/{id}`); null for a dry run.
    pub id: Option<i64>,
    pub kind: ImportKind,
    pub dry_run: bool,
    /// The file's rows (records; a quoted field with line breaks is one).
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Empty: a refused import answers 422 ([`ImportRefusal`]).
    pub errors: Vec<FieldError>,
}

/// A refused import (422): a problem (`/problems/import-refused`) whose `errors` name each
/// refused row and field, with what the file held (`kind`, `dry_run`, `rows`); or a file the
/// service cannot read as the kind's (`/problems/unprocessable`: its columns, its rows), or an
/// Idempotency-Key used before with another request.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportRefusal {
    #[schema(example = "/problems/import-refused")]
    r#type: String,
    title: String,
    status: u16,
    detail: String,
    errors: Option<Vec<FieldError>>,
    request_id: Option<String>,
    kind: Option<ImportKind>,
    dry_run: Option<bool>,
    rows: Option<i64>,
}

/// One row's outcome in a recorded import.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportedRow {
    /// The record's number in the file (the header is 1).
    pub row: u64,
    pub outcome: RowOutcome,
    /// The object the row created, updated or matched.
    pub object_id: i64,
}

/// A recorded import: who sent which file, and what each row did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportView {
    pub id: i64,
    pub kind: String,
    /// `csv` or `json`.
    pub format: String,
    /// The importer's `sub`.
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
    /// The request that made it (its audit events carry this import's id too).
    pub request_id: Option<String>,
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub outcomes: Vec<ImportedRow>,
}

impl From<&Import> for ImportView {
    fn from(i: &Import) -> Self {
        ImportView {
            id: i.id,
            kind: i.kind.clone(),
            format: i.format.clone(),
            imported_by: i.imported_by.clone(),
            imported_at: utc(i.imported_at),
            request_id: i.request_id.clone(),
            rows: i.rows,
            created: i.created,
            updated: i.updated,
            unchanged: i.unchanged,
            outcomes: serde_json::from_str(&i.outcomes).unwrap_or_default(),
        }
    }
}
