//! Tjänsteportföljer.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{portfolios, services};
use super::{like_pattern, DbConnection, Page};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = portfolios)]
pub struct Portfolio {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub search_text: String,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub retired_at: Option<NaiveDateTime>,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

/// The writable fields, already parsed.
#[derive(Debug, Clone)]
pub struct PortfolioFields {
    pub slug: String,
    pub name: String,
    pub description: String,
}

fn search_text(fields: &PortfolioFields) -> String {
    format!("{} {} {}", fields.slug, fields.name, fields.description).to_lowercase()
}

pub fn find(conn: &mut DbConnection, key: &IdOrSlug) -> AppResult<Portfolio> {
    // Two typed queries rather than one boxed: diesel keeps their prepared statements.
    let found = match key {
        IdOrSlug::Id(id) => portfolios::table
            .filter(portfolios::id.eq(*id))
            .select(Portfolio::as_select())
            .first(conn),
        IdOrSlug::Slug(slug) => portfolios::table
            .filter(portfolios::slug.eq(slug))
            .select(Portfolio::as_select())
            .first(conn),
    }
    .optional()?;
    found.ok_or_else(|| AppError::not_found("There is no such portfolio."))
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> AppResult<Portfolio> {
    find(conn, &IdOrSlug::Id(id))
}

/// The columns a portfolio's fields are written to, by insert and update alike.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = portfolios)]
struct PortfolioColumns<'a> {
    slug: &'a str,
    name: &'a str,
    description: &'a str,
    search_text: String,
}

impl<'a> PortfolioColumns<'a> {
    fn of(fields: &'a PortfolioFields) -> Self {
        PortfolioColumns {
            slug: &fields.slug,
            name: &fields.name,
            description: &fields.description,
            search_text: search_text(fields),
        }
    }
}

pub fn insert(conn: &mut DbConnection, fields: &PortfolioFields) -> AppResult<Portfolio> {
    let now = super::now();
    Ok(diesel::insert_into(portfolios::table)
        .values((
            PortfolioColumns::of(fields),
            portfolios::version.eq(1),
            portfolios::created_at.eq(now),
            portfolios::updated_at.eq(now),
        ))
        .returning(portfolios::all_columns)
        .get_result(conn)?)
}

/// Writes `fields` if the row still has `current.version` (compare and write in one statement).
pub fn update(
    conn: &mut DbConnection,
    current: &Portfolio,
    fields: &PortfolioFields,
) -> AppResult<Portfolio> {
    crate::db::update_versioned!(conn, portfolios, current, PortfolioColumns::of(fields))
}

pub fn retire(conn: &mut DbConnection, current: &Portfolio) -> AppResult<Portfolio> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        portfolios,
        current,
        at = now,
        (portfolios::retired_at.eq(Some(now)),)
    )
}

/// Services of the portfolio that are not decommissioned (they keep it from retiring).
/// Services that keep a portfolio from being retired: every one but the decommissioned, and
/// proposals that were never decided on or were rejected.
pub fn count_live_services(conn: &mut DbConnection, portfolio_id: i64) -> AppResult<i64> {
    let not_live: Vec<&str> = Lifecycle::ALL
        .into_iter()
        .filter(|l| *l == Lifecycle::Decommissioned || l.is_undecided_or_rejected())
        .map(Lifecycle::as_str)
        .collect();
    Ok(services::table
        .filter(services::portfolio_id.eq(portfolio_id))
        .filter(services::lifecycle.ne_all(not_live))
        .count()
        .get_result(conn)?)
}

#[derive(Debug, Default)]
pub struct PortfolioFilter {
    pub q: Option<String>,
    pub retired: Option<bool>,
}

pub const SORT_FIELDS: &[&str] = &["id", "slug", "name", "created_at", "updated_at"];

pub fn list(
    conn: &mut DbConnection,
    filter: &PortfolioFilter,
    page: &Page,
) -> AppResult<(i64, Vec<Portfolio>)> {
    let query = || {
        let mut q = portfolios::table.into_boxed();
        match filter.retired {
            Some(true) => q = q.filter(portfolios::retired_at.is_not_null()),
            Some(false) => q = q.filter(portfolios::retired_at.is_null()),
            None => {}
        }
        if let Some(text) = &filter.q {
            q = q.filter(
                portfolios::search_text
                    .like(like_pattern(text))
                    .escape('\\'),
            );
        }
        q
    };
    let count = query().count().get_result(conn)?;
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("slug", false) => query().order(portfolios::slug.asc()),
        ("slug", true) => query().order(portfolios::slug.desc()),
        ("name", false) => query().order(portfolios::name.asc()),
        ("name", true) => query().order(portfolios::name.desc()),
        ("created_at", false) => query().order(portfolios::created_at.asc()),
        ("created_at", true) => query().order(portfolios::created_at.desc()),
        ("updated_at", false) => query().order(portfolios::updated_at.asc()),
        ("updated_at", true) => query().order(portfolios::updated_at.desc()),
        (_, true) => query().order(portfolios::id.desc()),
        (_, false) => query().order(portfolios::id.asc()),
    };
    let rows = q
        .then_order_by(portfolios::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(Portfolio::as_select())
        .load(conn)?;
    Ok((count, rows))
}

/// Every portfolio that is not retired, by name (for the architecture view).
pub fn all_active(conn: &mut DbConnection) -> AppResult<Vec<Portfolio>> {
    Ok(portfolios::table
        .filter(portfolios::retired_at.is_null())
        .order(portfolios::name.asc())
        .select(Portfolio::as_select())
        .load(conn)?)
}

/// The portfolios with these ids, or every one when `ids` is `None`, by name.
pub fn some_or_all(conn: &mut DbConnection, ids: Option<&[i64]>) -> AppResult<Vec<Portfolio>> {
    let mut q = portfolios::table.into_boxed();
    if let Some(ids) = ids {
        q = q.filter(portfolios::id.eq_any(ids.to_vec()));
    }
    Ok(q.order((portfolios::name.asc(), portfolios::id.asc()))
        .select(Portfolio::as_select())
        .load(conn)?)
}
