//! Anslutna organisationer: customers, suppliers and partners.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::organizations;
use super::{like_pattern, DbConnection, Page};
use crate::domain::contract::OrganizationKind;
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub org_number: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub notes: String,
    pub search_text: String,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
    /// The `sub` of the customer's key account (kundansvarig).
    pub key_account: Option<String>,
}

impl Organization {
    /// The stored kind; the CHECK constraint keeps it one of the three.
    pub fn kind(&self) -> OrganizationKind {
        self.kind.parse().unwrap_or(OrganizationKind::Partner)
    }
}

/// The writable fields, already parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationFields {
    pub slug: String,
    pub name: String,
    pub kind: OrganizationKind,
    pub org_number: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub notes: String,
    pub key_account: Option<String>,
}

impl OrganizationFields {
    pub fn of(o: &Organization) -> Self {
        OrganizationFields {
            slug: o.slug.clone(),
            name: o.name.clone(),
            kind: o.kind(),
            org_number: o.org_number.clone(),
            contact_name: o.contact_name.clone(),
            contact_email: o.contact_email.clone(),
            notes: o.notes.clone(),
            key_account: o.key_account.clone(),
        }
    }

    /// Lowercased in Rust: SQLite's `lower()` folds only ASCII (å, ä, ö).
    fn search_text(&self) -> String {
        format!(
            "{} {} {}",
            self.slug,
            self.name,
            self.org_number.as_deref().unwrap_or("")
        )
        .to_lowercase()
    }
}

pub fn find(conn: &mut DbConnection, key: &IdOrSlug) -> AppResult<Organization> {
    // Two typed queries rather than one boxed: diesel keeps their prepared statements.
    let found = match key {
        IdOrSlug::Id(id) => organizations::table
            .filter(organizations::id.eq(*id))
            .select(Organization::as_select())
            .first(conn),
        IdOrSlug::Slug(slug) => organizations::table
            .filter(organizations::slug.eq(slug))
            .select(Organization::as_select())
            .first(conn),
    }
    .optional()?;
    found.ok_or_else(|| AppError::not_found("There is no such organization."))
}

/// The organisation a request body names by id: 400 naming `field` when there is none.
pub fn named_in_body(conn: &mut DbConnection, field: &str, id: i64) -> AppResult<Organization> {
    match find(conn, &IdOrSlug::Id(id)) {
        Err(AppError::NotFound(_)) => Err(AppError::unprocessable(
            field,
            format!("there is no organization {id}"),
        )),
        other => other,
    }
}

/// The columns an organisation's fields are written to, by insert and update alike.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true, treat_none_as_default_value = false)]
struct OrganizationColumns<'a> {
    slug: &'a str,
    name: &'a str,
    kind: &'static str,
    org_number: Option<&'a str>,
    contact_name: Option<&'a str>,
    contact_email: Option<&'a str>,
    notes: &'a str,
    key_account: Option<&'a str>,
    search_text: String,
}

impl<'a> OrganizationColumns<'a> {
    fn of(fields: &'a OrganizationFields) -> Self {
        OrganizationColumns {
            slug: &fields.slug,
            name: &fields.name,
            kind: fields.kind.as_str(),
            org_number: fields.org_number.as_deref(),
            contact_name: fields.contact_name.as_deref(),
            contact_email: fields.contact_email.as_deref(),
            notes: &fields.notes,
            key_account: fields.key_account.as_deref(),
            search_text: fields.search_text(),
        }
    }
}

pub fn insert(conn: &mut DbConnection, fields: &OrganizationFields) -> AppResult<Organization> {
    let now = super::now();
    Ok(diesel::insert_into(organizations::table)
        .values((
            OrganizationColumns::of(fields),
            organizations::version.eq(1),
            organizations::created_at.eq(now),
            organizations::updated_at.eq(now),
        ))
        .returning(organizations::all_columns)
        .get_result(conn)?)
}

/// Writes `fields` if the row still has `current.version`.
pub fn update(
    conn: &mut DbConnection,
    current: &Organization,
    fields: &OrganizationFields,
) -> AppResult<Organization> {
    crate::db::update_versioned!(
        conn,
        organizations,
        current,
        OrganizationColumns::of(fields)
    )
}

#[derive(Debug, Default)]
pub struct OrganizationFilter {
    pub kind: Option<OrganizationKind>,
    pub q: Option<String>,
}

pub const SORT_FIELDS: &[&str] = &["id", "slug", "name", "kind", "created_at", "updated_at"];

pub fn list(
    conn: &mut DbConnection,
    filter: &OrganizationFilter,
    page: &Page,
) -> AppResult<(i64, Vec<Organization>)> {
    let query = || {
        let mut q = organizations::table.into_boxed();
        if let Some(kind) = filter.kind {
            q = q.filter(organizations::kind.eq(kind.as_str()));
        }
        if let Some(text) = &filter.q {
            q = q.filter(
                organizations::search_text
                    .like(like_pattern(text))
                    .escape('\\'),
            );
        }
        q
    };
    let count = query().count().get_result(conn)?;
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("slug", false) => query().order(organizations::slug.asc()),
        ("slug", true) => query().order(organizations::slug.desc()),
        ("name", false) => query().order(organizations::name.asc()),
        ("name", true) => query().order(organizations::name.desc()),
        ("kind", false) => query().order(organizations::kind.asc()),
        ("kind", true) => query().order(organizations::kind.desc()),
        ("created_at", false) => query().order(organizations::created_at.asc()),
        ("created_at", true) => query().order(organizations::created_at.desc()),
        ("updated_at", false) => query().order(organizations::updated_at.asc()),
        ("updated_at", true) => query().order(organizations::updated_at.desc()),
        (_, true) => query().order(organizations::id.desc()),
        (_, false) => query().order(organizations::id.asc()),
    };
    let rows = q
        .then_order_by(organizations::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(Organization::as_select())
        .load(conn)?;
    Ok((count, rows))
}

/// The slug and name of each of these organizations.
pub fn names_of(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<(i64, String, String)>> {
    Ok(organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, organizations::slug, organizations::name))
        .load(conn)?)
}

/// The organizations with these slugs (an import's rows, matched in chunks of
/// [`super::IN_CHUNK`]).
pub fn with_slugs(conn: &mut DbConnection, slugs: &[String]) -> AppResult<Vec<Organization>> {
    let mut found = Vec::new();
    for chunk in slugs.chunks(super::IN_CHUNK) {
        found.extend(
            organizations::table
                .filter(organizations::slug.eq_any(chunk))
                .select(Organization::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}
