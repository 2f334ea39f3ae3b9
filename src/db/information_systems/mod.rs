//! Informationssystem: the IT environment's systems, what depends on them (`dependencies`), the
//! dependency graph as each instance keeps it (`graph`), what the impact of one shows
//! (`impact`), and the management group's reviews (`reviews`).

mod dependencies;
mod graph;
mod impact;
mod list;
mod reviews;

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use dependencies::*;
pub use graph::*;
pub use impact::*;
pub use list::*;
pub use reviews::*;

use super::schema::information_systems;
use super::timestamps::{Stored, StoredOption};
use super::DbConnection;
use crate::domain::governance::SecurityClassification;
use crate::domain::it::{ExternalRef, Hosting, SystemKind, SystemLifecycle};
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = information_systems)]
pub struct InformationSystem {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub lifecycle: String,
    pub hosting: String,
    pub supplier_id: Option<i64>,
    pub supplier_contract_id: Option<i64>,
    pub responsible: Option<String>,
    pub security_confidentiality: Option<i32>,
    pub security_integrity: Option<i32>,
    pub security_availability: Option<i32>,
    pub external_refs: String,
    #[diesel(deserialize_as = Stored)]
    pub reviewed_at: NaiveDateTime,
    #[diesel(deserialize_as = StoredOption)]
    pub retired_at: Option<NaiveDateTime>,
    pub search_text: String,
    pub version: i64,
    #[diesel(deserialize_as = Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stored)]
    pub updated_at: NaiveDateTime,
}

impl InformationSystem {
    /// The stored values; the CHECK constraints keep them in their vocabularies.
    pub fn kind(&self) -> SystemKind {
        self.kind.parse().unwrap_or(SystemKind::Application)
    }

    pub fn lifecycle(&self) -> SystemLifecycle {
        self.lifecycle.parse().unwrap_or(SystemLifecycle::Planned)
    }

    pub fn hosting(&self) -> Hosting {
        self.hosting.parse().unwrap_or(Hosting::Other)
    }

    pub fn security_classification(&self) -> Option<SecurityClassification> {
        SecurityClassification::of(
            self.security_confidentiality,
            self.security_integrity,
            self.security_availability,
        )
    }

    /// What a dependency shows of it.
    pub fn outline(&self) -> SystemOutline {
        SystemOutline {
            id: self.id,
            slug: self.slug.clone(),
            name: self.name.clone(),
            lifecycle: self.lifecycle.clone(),
        }
    }

    /// The references as written (by this service, so always a valid list).
    pub fn external_refs(&self) -> Vec<ExternalRef> {
        serde_json::from_str(&self.external_refs).unwrap_or_default()
    }
}

/// What the recorder of a system says, already parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemFields {
    pub slug: String,
    pub name: String,
    pub kind: SystemKind,
    pub description: String,
    pub lifecycle: SystemLifecycle,
    pub hosting: Hosting,
    pub supplier_id: Option<i64>,
    pub supplier_contract_id: Option<i64>,
    pub responsible: Option<String>,
    pub security_classification: Option<SecurityClassification>,
    pub external_refs: Vec<ExternalRef>,
    pub reviewed_at: NaiveDateTime,
}

impl SystemFields {
    pub fn of(s: &InformationSystem) -> Self {
        SystemFields {
            slug: s.slug.clone(),
            name: s.name.clone(),
            kind: s.kind(),
            description: s.description.clone(),
            lifecycle: s.lifecycle(),
            hosting: s.hosting(),
            supplier_id: s.supplier_id,
            supplier_contract_id: s.supplier_contract_id,
            responsible: s.responsible.clone(),
            security_classification: s.security_classification(),
            external_refs: s.external_refs(),
            reviewed_at: s.reviewed_at,
        }
    }
}

/// The columns a system's fields are written to, by insert and update alike.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = information_systems, treat_none_as_null = true, treat_none_as_default_value = false)]
struct SystemColumns<'a> {
    slug: &'a str,
    name: &'a str,
    kind: &'static str,
    description: &'a str,
    lifecycle: &'static str,
    hosting: &'static str,
    supplier_id: Option<i64>,
    supplier_contract_id: Option<i64>,
    responsible: Option<&'a str>,
    security_confidentiality: Option<i32>,
    security_integrity: Option<i32>,
    security_availability: Option<i32>,
    external_refs: String,
    reviewed_at: NaiveDateTime,
    /// Lowercased in Rust: SQLite's `lower()` folds only ASCII (å, ä, ö).
    search_text: String,
}

impl<'a> SystemColumns<'a> {
    fn of(f: &'a SystemFields) -> Self {
        let (c, i, a) = SecurityClassification::columns(f.security_classification);
        SystemColumns {
            slug: &f.slug,
            name: &f.name,
            kind: f.kind.as_str(),
            description: &f.description,
            lifecycle: f.lifecycle.as_str(),
            hosting: f.hosting.as_str(),
            supplier_id: f.supplier_id,
            supplier_contract_id: f.supplier_contract_id,
            responsible: f.responsible.as_deref(),
            security_confidentiality: c,
            security_integrity: i,
            security_availability: a,
            external_refs: serde_json::to_string(&f.external_refs).unwrap_or_else(|_| "[]".into()),
            reviewed_at: f.reviewed_at,
            search_text: format!("{} {} {}", f.slug, f.name, f.description).to_lowercase(),
        }
    }
}

const NOT_FOUND: &str = "There is no such information system.";

pub fn find(conn: &mut DbConnection, key: &IdOrSlug) -> AppResult<InformationSystem> {
    let found = match key {
        IdOrSlug::Id(id) => information_systems::table
            .filter(information_systems::id.eq(*id))
            .select(InformationSystem::as_select())
            .first(conn),
        IdOrSlug::Slug(slug) => information_systems::table
            .filter(information_systems::slug.eq(slug))
            .select(InformationSystem::as_select())
            .first(conn),
    }
    .optional()?;
    found.ok_or_else(|| AppError::not_found(NOT_FOUND))
}

/// The systems of these ids that exist, in id order.
pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<InformationSystem>> {
    super::in_pieces(ids, |ids| {
        Ok(information_systems::table
            .filter(information_systems::id.eq_any(ids))
            .order(information_systems::id)
            .select(InformationSystem::as_select())
            .load(conn)?)
    })
}

pub fn insert(conn: &mut DbConnection, fields: &SystemFields) -> AppResult<InformationSystem> {
    let now = super::now();
    Ok(diesel::insert_into(information_systems::table)
        .values((
            SystemColumns::of(fields),
            information_systems::version.eq(1),
            information_systems::created_at.eq(now),
            information_systems::updated_at.eq(now),
        ))
        .returning(information_systems::all_columns)
        .get_result(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    current: &InformationSystem,
    fields: &SystemFields,
) -> AppResult<InformationSystem> {
    crate::db::update_versioned!(
        conn,
        information_systems,
        current,
        at = super::now(),
        returning = information_systems::all_columns,
        SystemColumns::of(fields)
    )
}

/// Retired now: final, and it takes no new dependants.
pub fn retire(
    conn: &mut DbConnection,
    current: &InformationSystem,
) -> AppResult<InformationSystem> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        information_systems,
        current,
        at = now,
        returning = information_systems::all_columns,
        (
            information_systems::lifecycle.eq(SystemLifecycle::Retired.as_str()),
            information_systems::retired_at.eq(Some(now)),
        )
    )
}

/// A new version of the system whose dependencies changed, reviewed now (its `ETag` moves).
pub fn touch_reviewed(
    conn: &mut DbConnection,
    current: &InformationSystem,
) -> AppResult<InformationSystem> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        information_systems,
        current,
        at = now,
        returning = information_systems::all_columns,
        information_systems::reviewed_at.eq(now)
    )
}
