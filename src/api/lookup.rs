//! Filters that name a portfolio, service or organization by id or slug (docs/conventions.md).

use crate::db::{organizations, portfolios, services, DbConnection};
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};

/// What a filter naming an object by id or slug came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// No filter given.
    Any,
    /// The object with this id.
    Id(i64),
    /// Nothing has that id or slug: the list is empty.
    Nothing,
}

impl Named {
    /// `Ok(None)` when the list must be empty; otherwise the id to filter on, if any.
    pub fn filter(self) -> Option<Option<i64>> {
        match self {
            Named::Any => Some(None),
            Named::Id(id) => Some(Some(id)),
            Named::Nothing => None,
        }
    }
}

fn named<T>(
    key: Option<&str>,
    find: impl FnOnce(&IdOrSlug) -> AppResult<T>,
    id: impl Fn(&T) -> i64,
) -> AppResult<Named> {
    let Some(key) = key else {
        return Ok(Named::Any);
    };
    match find(&IdOrSlug::parse(key)) {
        Ok(found) => Ok(Named::Id(id(&found))),
        Err(AppError::NotFound(_)) => Ok(Named::Nothing),
        Err(e) => Err(e),
    }
}

pub fn portfolio(conn: &mut DbConnection, key: Option<&str>) -> AppResult<Named> {
    named(key, |k| portfolios::find(conn, k), |p| p.id)
}

pub fn service(conn: &mut DbConnection, key: Option<&str>) -> AppResult<Named> {
    named(key, |k| services::find(conn, k), |s| s.id)
}

pub fn organization(conn: &mut DbConnection, key: Option<&str>) -> AppResult<Named> {
    named(key, |k| organizations::find(conn, k), |o| o.id)
}
