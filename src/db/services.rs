//! Tjänster.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::schema::{portfolios, services};
use super::search;
use super::timestamps::{Stored, StoredOption};
use super::{like_pattern, DbConnection, MultiBackend, Page};
use crate::domain::governance::SecurityClassification;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};

/// A service as stored, without its search texts (only the database reads them).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = services)]
pub struct Service {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub portfolio_id: Option<i64>,
    pub lifecycle: String,
    pub description: String,
    pub documentation_url: Option<String>,
    pub support_process_established: bool,
    pub ordering_routine: Option<String>,
    #[diesel(deserialize_as = StoredOption)]
    pub last_reviewed_at: Option<NaiveDateTime>,
    pub published: bool,
    pub catalog_text: Option<String>,
    pub catalog_text_en: Option<String>,
    #[diesel(deserialize_as = Stored)]
    pub lifecycle_changed_at: NaiveDateTime,
    pub version: i64,
    #[diesel(deserialize_as = Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stored)]
    pub updated_at: NaiveDateTime,
    pub rejection_reason: Option<String>,
    pub self_produced: bool,
    #[diesel(deserialize_as = StoredOption)]
    pub catalog_reviewed_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = StoredOption)]
    pub documentation_reviewed_at: Option<NaiveDateTime>,
    pub security_confidentiality: Option<i32>,
    pub security_integrity: Option<i32>,
    pub security_availability: Option<i32>,
    #[diesel(deserialize_as = StoredOption)]
    pub security_reviewed_at: Option<NaiveDateTime>,
    /// The IT assessment of its establishment, as JSON (`domain::it::ItAssessment`).
    pub it_assessment: Option<String>,
}

impl Service {
    /// The stored state; the CHECK constraint keeps it one of the five.
    pub fn lifecycle(&self) -> Lifecycle {
        self.lifecycle.parse().unwrap_or(Lifecycle::Proposed)
    }

    pub fn security_classification(&self) -> Option<SecurityClassification> {
        SecurityClassification::of(
            self.security_confidentiality,
            self.security_integrity,
            self.security_availability,
        )
    }
}

/// What the architecture view shows of a service (it reads them by the hundred thousand).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = services)]
pub struct ServiceOutline {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub portfolio_id: Option<i64>,
    pub lifecycle: String,
}

impl ServiceOutline {
    pub fn lifecycle(&self) -> Lifecycle {
        self.lifecycle.parse().unwrap_or(Lifecycle::Proposed)
    }
}

/// Every writable field of a service, already parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFields {
    pub slug: String,
    pub name: String,
    pub portfolio_id: Option<i64>,
    pub description: String,
    pub documentation_url: Option<String>,
    pub support_process_established: bool,
    pub ordering_routine: Option<String>,
    pub last_reviewed_at: Option<NaiveDateTime>,
    pub published: bool,
    pub catalog_text: Option<String>,
    pub catalog_text_en: Option<String>,
    pub self_produced: bool,
    pub catalog_reviewed_at: Option<NaiveDateTime>,
    pub documentation_reviewed_at: Option<NaiveDateTime>,
    pub security_classification: Option<SecurityClassification>,
    pub security_reviewed_at: Option<NaiveDateTime>,
}

impl ServiceFields {
    pub fn of(service: &Service) -> Self {
        ServiceFields {
            slug: service.slug.clone(),
            name: service.name.clone(),
            portfolio_id: service.portfolio_id,
            description: service.description.clone(),
            documentation_url: service.documentation_url.clone(),
            support_process_established: service.support_process_established,
            ordering_routine: service.ordering_routine.clone(),
            last_reviewed_at: service.last_reviewed_at,
            published: service.published,
            catalog_text: service.catalog_text.clone(),
            catalog_text_en: service.catalog_text_en.clone(),
            self_produced: service.self_produced,
            catalog_reviewed_at: service.catalog_reviewed_at,
            documentation_reviewed_at: service.documentation_reviewed_at,
            security_classification: service.security_classification(),
            security_reviewed_at: service.security_reviewed_at,
        }
    }

    fn search_text(&self) -> String {
        format!("{} {} {}", self.slug, self.name, self.description).to_lowercase()
    }

    /// What the public catalogue's `q` searches: public text only.
    fn catalog_search_text(&self) -> String {
        catalog_search_text(
            &self.name,
            self.catalog_text.as_deref(),
            self.catalog_text_en.as_deref(),
        )
    }
}

/// Lowercased in Rust: SQLite's `lower()` folds only ASCII (å, ä, ö).
fn catalog_search_text(name: &str, text: Option<&str>, text_en: Option<&str>) -> String {
    format!("{name} {} {}", text.unwrap_or(""), text_en.unwrap_or("")).to_lowercase()
}

/// Fills `catalog_search_text` where it is still empty: rows written before the migration that
/// added it (every service has a name, so a written one is never empty).
pub fn fill_catalog_search_texts(conn: &mut DbConnection) -> AppResult<usize> {
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = services::table
        .filter(services::catalog_search_text.eq(""))
        .select((
            services::id,
            services::name,
            services::catalog_text,
            services::catalog_text_en,
        ))
        .load(conn)?;
    for (id, name, text, text_en) in &rows {
        diesel::update(services::table.find(*id))
            .set(services::catalog_search_text.eq(catalog_search_text(
                name,
                text.as_deref(),
                text_en.as_deref(),
            )))
            .execute(conn)?;
    }
    Ok(rows.len())
}

pub fn find(conn: &mut DbConnection, key: &IdOrSlug) -> AppResult<Service> {
    // Two typed queries rather than one boxed: diesel keeps their prepared statements.
    let found = match key {
        IdOrSlug::Id(id) => super::on_backend!(conn, |c| services::table
            .filter(services::id.eq(*id))
            .select(Service::as_select())
            .first(c)),
        IdOrSlug::Slug(slug) => super::on_backend!(conn, |c| services::table
            .filter(services::slug.eq(slug))
            .select(Service::as_select())
            .first(c)),
    }
    .optional()?;
    found.ok_or_else(|| AppError::not_found("There is no such service."))
}

/// Services of `portfolio` under management (in operation or being decommissioned).
pub fn count_under_management(conn: &mut DbConnection, portfolio: i64) -> AppResult<i64> {
    let states = [
        Lifecycle::InOperation.as_str(),
        Lifecycle::Decommissioning.as_str(),
    ];
    Ok(services::table
        .filter(services::portfolio_id.eq(portfolio))
        .filter(services::lifecycle.eq_any(states))
        .count()
        .get_result(conn)?)
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> AppResult<Service> {
    find(conn, &IdOrSlug::Id(id))
}

/// The columns a service's fields are written to, by insert and update alike.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = services, treat_none_as_null = true, treat_none_as_default_value = false)]
struct ServiceColumns<'a> {
    slug: &'a str,
    name: &'a str,
    portfolio_id: Option<i64>,
    description: &'a str,
    documentation_url: Option<&'a str>,
    support_process_established: bool,
    ordering_routine: Option<&'a str>,
    last_reviewed_at: Option<NaiveDateTime>,
    published: bool,
    catalog_text: Option<&'a str>,
    catalog_text_en: Option<&'a str>,
    search_text: String,
    catalog_search_text: String,
    self_produced: bool,
    catalog_reviewed_at: Option<NaiveDateTime>,
    documentation_reviewed_at: Option<NaiveDateTime>,
    security_confidentiality: Option<i32>,
    security_integrity: Option<i32>,
    security_availability: Option<i32>,
    security_reviewed_at: Option<NaiveDateTime>,
}

impl<'a> ServiceColumns<'a> {
    fn of(fields: &'a ServiceFields) -> Self {
        let (security_confidentiality, security_integrity, security_availability) =
            SecurityClassification::columns(fields.security_classification);
        ServiceColumns {
            slug: &fields.slug,
            name: &fields.name,
            portfolio_id: fields.portfolio_id,
            description: &fields.description,
            documentation_url: fields.documentation_url.as_deref(),
            support_process_established: fields.support_process_established,
            ordering_routine: fields.ordering_routine.as_deref(),
            last_reviewed_at: fields.last_reviewed_at,
            published: fields.published,
            catalog_text: fields.catalog_text.as_deref(),
            catalog_text_en: fields.catalog_text_en.as_deref(),
            search_text: fields.search_text(),
            catalog_search_text: fields.catalog_search_text(),
            self_produced: fields.self_produced,
            catalog_reviewed_at: fields.catalog_reviewed_at,
            documentation_reviewed_at: fields.documentation_reviewed_at,
            security_confidentiality,
            security_integrity,
            security_availability,
            security_reviewed_at: fields.security_reviewed_at,
        }
    }
}

pub fn insert(conn: &mut DbConnection, fields: &ServiceFields) -> AppResult<Service> {
    let now = super::now();
    Ok(diesel::insert_into(services::table)
        .values((
            ServiceColumns::of(fields),
            services::lifecycle.eq(Lifecycle::Proposed.as_str()),
            services::lifecycle_changed_at.eq(now),
            services::version.eq(1),
            services::created_at.eq(now),
            services::updated_at.eq(now),
        ))
        .returning(<Service as Selectable<MultiBackend>>::construct_selection())
        .get_result(conn)?)
}

/// A lifecycle step to write with the fields: the new state, and for a rejection its reason.
#[derive(Debug, Clone)]
pub struct Step {
    pub to: Lifecycle,
    pub rejection_reason: Option<String>,
}

/// Writes `fields` (and, when given, a lifecycle step) if the row still has
/// `current.version`: compare and write in one statement.
pub fn update(
    conn: &mut DbConnection,
    current: &Service,
    fields: &ServiceFields,
    step: Option<Step>,
) -> AppResult<Service> {
    let now = super::now();
    let (state, changed_at, rejection_reason) = match step {
        Some(step) => (step.to.as_str().to_string(), now, step.rejection_reason),
        None => (
            current.lifecycle.clone(),
            current.lifecycle_changed_at,
            current.rejection_reason.clone(),
        ),
    };
    crate::db::update_versioned!(
        conn,
        services,
        current,
        at = now,
        returning = <Service as Selectable<MultiBackend>>::construct_selection(),
        (
            ServiceColumns::of(fields),
            services::lifecycle.eq(state),
            services::rejection_reason.eq(rejection_reason),
            services::lifecycle_changed_at.eq(changed_at),
        )
    )
}

#[derive(Debug, Default)]
pub struct ServiceFilter {
    pub portfolio_id: Option<i64>,
    pub lifecycle: Option<Lifecycle>,
    pub published: Option<bool>,
    pub q: Option<String>,
}

impl ServiceFilter {
    fn is_empty(&self) -> bool {
        self.portfolio_id.is_none()
            && self.lifecycle.is_none()
            && self.published.is_none()
            && self.q.is_none()
    }
}

pub const SORT_FIELDS: &[&str] = &[
    "id",
    "slug",
    "name",
    "lifecycle",
    "created_at",
    "updated_at",
];

pub fn list(
    conn: &mut DbConnection,
    filter: &ServiceFilter,
    page: &Page,
) -> AppResult<(i64, Vec<Service>)> {
    let backend = search::SearchBackend::of(conn);
    let total = if filter.is_empty() {
        Some(super::row_counts::rows(
            conn,
            super::row_counts::Counted::Services,
        )?)
    } else {
        None
    };
    // On the backend's own connection: a page is the hottest list (see `on_backend`).
    super::on_backend!(conn, |c| {
        let query = || {
            let mut q = services::table.into_boxed();
            if let Some(p) = filter.portfolio_id {
                q = q.filter(services::portfolio_id.eq(p));
            }
            if let Some(l) = filter.lifecycle {
                q = q.filter(services::lifecycle.eq(l.as_str()));
            }
            if let Some(p) = filter.published {
                q = q.filter(services::published.eq(p));
            }
            if let Some(text) = &filter.q {
                q = match search::fts_phrase(backend, search::Indexed::Services, text) {
                    Some((condition, phrase)) => {
                        q.filter(sql::<Bool>(&condition).bind::<Text, _>(phrase).sql(")"))
                    }
                    None => q.filter(services::search_text.like(like_pattern(text)).escape('\\')),
                };
            }
            q
        };
        let count = match total {
            Some(n) => n,
            None => query().count().get_result(c)?,
        };
        let q = match (page.sort.field.as_str(), page.sort.descending) {
            ("slug", false) => query().order(services::slug.asc()),
            ("slug", true) => query().order(services::slug.desc()),
            ("name", false) => query().order(services::name.asc()),
            ("name", true) => query().order(services::name.desc()),
            ("lifecycle", false) => query().order(services::lifecycle.asc()),
            ("lifecycle", true) => query().order(services::lifecycle.desc()),
            ("created_at", false) => query().order(services::created_at.asc()),
            ("created_at", true) => query().order(services::created_at.desc()),
            ("updated_at", false) => query().order(services::updated_at.asc()),
            ("updated_at", true) => query().order(services::updated_at.desc()),
            (_, descending) if search::sort_matches_first(backend, filter.q.is_some()) => {
                let id = sql::<diesel::sql_types::BigInt>("services.id + 0");
                if descending {
                    query().order(id.desc())
                } else {
                    query().order(id.asc())
                }
            }
            (_, true) => query().order(services::id.desc()),
            (_, false) => query().order(services::id.asc()),
        };
        let rows = q
            .then_order_by(services::id.asc())
            .limit(page.limit)
            .offset(page.offset)
            .select(Service::as_select())
            .load(c)?;
        Ok((count, rows))
    })
}

/// The services of these portfolios, or the unplaced ones (`None`), by name (for the
/// architecture view, a chunk of portfolios at a time).
pub fn of_portfolios(
    conn: &mut DbConnection,
    portfolio_ids: Option<&[i64]>,
) -> AppResult<Vec<ServiceOutline>> {
    let mut q = services::table.into_boxed();
    q = match portfolio_ids {
        Some(ids) => q.filter(services::portfolio_id.eq_any(ids.to_vec())),
        None => q.filter(services::portfolio_id.is_null()),
    };
    Ok(q.order((services::name.asc(), services::id.asc()))
        .select(ServiceOutline::as_select())
        .load(conn)?)
}

/// A catalogue row: the service and its portfolio's slug and name.
pub type CatalogRow = (Service, Option<(String, String)>);

/// The public catalogue: published services in operation, with their portfolio's slug and name.
pub fn catalog(
    conn: &mut DbConnection,
    q: Option<&str>,
    page: &Page,
) -> AppResult<(i64, Vec<CatalogRow>)> {
    let query = || {
        let mut query = services::table
            .left_join(portfolios::table)
            .filter(services::published.eq(true))
            .filter(services::lifecycle.eq(Lifecycle::InOperation.as_str()))
            .into_boxed();
        if let Some(text) = q {
            query = query.filter(
                services::catalog_search_text
                    .like(like_pattern(text))
                    .escape('\\'),
            );
        }
        query
    };
    let count = query().count().get_result(conn)?;
    let rows = query()
        .order((services::name.asc(), services::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select((
            Service::as_select(),
            (portfolios::slug, portfolios::name).nullable(),
        ))
        .load(conn)?;
    Ok((count, rows))
}

/// (id, slug) of each of these services that exists, in one query.
pub fn slugs_of(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    Ok(services::table
        .filter(services::id.eq_any(ids))
        .select((services::id, services::slug))
        .load(conn)?)
}

/// (id, portfolio) of each of these services that exists, in one query.
pub fn places(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<(i64, Option<i64>)>> {
    Ok(services::table
        .filter(services::id.eq_any(ids))
        .select((services::id, services::portfolio_id))
        .load(conn)?)
}

/// Records when the service was established (the finding `proposal_without_need` looks at the
/// services established since needs were recorded).
/// The IT assessment (JSON) is kept with it.
pub fn mark_established(conn: &mut DbConnection, id: i64, it_assessment: &str) -> AppResult<()> {
    diesel::update(services::table.filter(services::id.eq(id)))
        .set((
            services::established_at.eq(Some(super::now())),
            services::it_assessment.eq(Some(it_assessment)),
        ))
        .execute(conn)?;
    Ok(())
}
