//! Förvaltningsorganisationen: who holds which role where. Revoking ends an assignment; it is
//! kept with `ended_at`, never erased.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{people, role_assignments, services};
use super::{DbConnection, Page};
use crate::domain::role::{Delegations, RoleCode};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = role_assignments)]
pub struct RoleAssignment {
    pub id: i64,
    pub person_id: i64,
    pub role: String,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    pub delegations: String,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub accepted_at: Option<NaiveDateTime>,
    pub created_by: String,
    #[diesel(deserialize_as = super::timestamps::StoredOption)]
    pub ended_at: Option<NaiveDateTime>,
    pub ended_by: Option<String>,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

/// An assignment with the holder's `sub` and name.
#[derive(Debug, Clone)]
pub struct Held {
    pub assignment: RoleAssignment,
    pub sub: String,
    pub name: Option<String>,
}

type HeldRow = (RoleAssignment, String, Option<String>);

fn held((assignment, sub, name): HeldRow) -> Held {
    Held {
        assignment,
        sub,
        name,
    }
}

pub struct NewAssignment<'a> {
    pub person_id: i64,
    pub role: RoleCode,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    pub delegations: &'a Delegations,
    pub created_by: &'a str,
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Held> {
    role_assignments::table
        .inner_join(people::table)
        .filter(role_assignments::id.eq(id))
        .select((RoleAssignment::as_select(), people::sub, people::name))
        .first::<HeldRow>(conn)
        .optional()?
        .map(held)
        .ok_or_else(|| AppError::not_found(format!("There is no role assignment {id}.")))
}

pub fn insert(conn: &mut DbConnection, new: &NewAssignment<'_>) -> AppResult<RoleAssignment> {
    let now = super::now();
    Ok(diesel::insert_into(role_assignments::table)
        .values((
            role_assignments::person_id.eq(new.person_id),
            role_assignments::role.eq(new.role.as_str()),
            role_assignments::portfolio_id.eq(new.portfolio_id),
            role_assignments::service_id.eq(new.service_id),
            role_assignments::delegations.eq(new.delegations.to_stored()),
            role_assignments::created_by.eq(new.created_by),
            role_assignments::version.eq(1),
            role_assignments::created_at.eq(now),
            role_assignments::updated_at.eq(now),
        ))
        .returning(role_assignments::all_columns)
        .get_result(conn)?)
}

/// Ends (revokes) an active assignment.
pub fn end(
    conn: &mut DbConnection,
    current: &RoleAssignment,
    by: &str,
) -> AppResult<RoleAssignment> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        role_assignments,
        current,
        at = now,
        (
            role_assignments::ended_at.eq(Some(now)),
            role_assignments::ended_by.eq(Some(by)),
        )
    )
}

pub fn accept(conn: &mut DbConnection, current: &RoleAssignment) -> AppResult<RoleAssignment> {
    let now = super::now();
    crate::db::update_versioned!(
        conn,
        role_assignments,
        current,
        at = now,
        (role_assignments::accepted_at.eq(Some(now)),)
    )
}

/// The active holders of `role` on a portfolio (`portfolio_id`) or a service (`service_id`).
/// Active holders of `role` on a portfolio or a service.
pub fn count_active(
    conn: &mut DbConnection,
    role: &RoleCode,
    portfolio_id: Option<i64>,
    service_id: Option<i64>,
) -> AppResult<i64> {
    let mut q = role_assignments::table
        .filter(role_assignments::role.eq(role.as_str()))
        .filter(role_assignments::ended_at.is_null())
        .into_boxed();
    if let Some(p) = portfolio_id {
        q = q.filter(role_assignments::portfolio_id.eq(p));
    }
    if let Some(s) = service_id {
        q = q.filter(role_assignments::service_id.eq(s));
    }
    Ok(q.count().get_result(conn)?)
}

/// Holds the appointments of one place (a portfolio or a service) for the rest of the write
/// transaction, so that a count of its holders stays true until the write commits: the
/// model's "at most N per place" holds under concurrent appointments for any role. SQLite
/// writes one transaction at a time already; PostgreSQL takes a transaction advisory lock.
pub fn hold_place(
    conn: &mut DbConnection,
    portfolio_id: Option<i64>,
    service_id: Option<i64>,
) -> AppResult<()> {
    let DbConnection::Postgresql(_) = conn else {
        return Ok(());
    };
    // Two lock spaces (7466240 portfolios, 7466241 services), the place's id in the other half.
    let (space, id) = match (portfolio_id, service_id) {
        (Some(p), _) => (7_466_240, p),
        (None, Some(s)) => (7_466_241, s),
        (None, None) => return Ok(()),
    };
    diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashint8($2))")
        .bind::<diesel::sql_types::Integer, _>(space)
        .bind::<diesel::sql_types::BigInt, _>(id)
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct AssignmentFilter {
    pub subject: Option<String>,
    pub role: Option<RoleCode>,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    pub active: Option<bool>,
}

impl AssignmentFilter {
    fn is_empty(&self) -> bool {
        self.subject.is_none()
            && self.role.is_none()
            && self.portfolio_id.is_none()
            && self.service_id.is_none()
            && self.active.is_none()
    }
}

pub const SORT_FIELDS: &[&str] = &["id", "role", "created_at", "ended_at"];

pub fn list(
    conn: &mut DbConnection,
    filter: &AssignmentFilter,
    page: &Page,
) -> AppResult<(i64, Vec<Held>)> {
    // The filters and the count read role_assignments alone (the holder by a subselect);
    // only the page's rows are joined to their holders.
    let query = || {
        let mut q = role_assignments::table.into_boxed();
        if let Some(subject) = &filter.subject {
            q = q.filter(
                role_assignments::person_id.eq_any(
                    people::table
                        .filter(people::sub.eq(subject.clone()))
                        .select(people::id),
                ),
            );
        }
        if let Some(role) = &filter.role {
            q = q.filter(role_assignments::role.eq(role.as_str().to_string()));
        }
        if let Some(p) = filter.portfolio_id {
            q = q.filter(role_assignments::portfolio_id.eq(p));
        }
        if let Some(s) = filter.service_id {
            q = q.filter(role_assignments::service_id.eq(s));
        }
        match filter.active {
            Some(true) => q = q.filter(role_assignments::ended_at.is_null()),
            Some(false) => q = q.filter(role_assignments::ended_at.is_not_null()),
            None => {}
        }
        q
    };
    let count = if filter.is_empty() {
        super::row_counts::rows(conn, super::row_counts::Counted::RoleAssignments)?
    } else {
        query().count().get_result(conn)?
    };
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("role", false) => query().order(role_assignments::role.asc()),
        ("role", true) => query().order(role_assignments::role.desc()),
        ("created_at", false) => query().order(role_assignments::created_at.asc()),
        ("created_at", true) => query().order(role_assignments::created_at.desc()),
        ("ended_at", false) => query().order(role_assignments::ended_at.asc()),
        ("ended_at", true) => query().order(role_assignments::ended_at.desc()),
        (_, true) => query().order(role_assignments::id.desc()),
        (_, false) => query().order(role_assignments::id.asc()),
    };
    let rows = q
        .inner_join(people::table)
        .then_order_by(role_assignments::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select((RoleAssignment::as_select(), people::sub, people::name))
        .load::<HeldRow>(conn)?;
    Ok((count, rows.into_iter().map(held).collect()))
}

/// An active assignment as the architecture view shows it: who holds which role where.
#[derive(Debug, Clone, Queryable)]
pub struct Holding {
    pub assignment_id: i64,
    pub role: String,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    pub sub: String,
    pub name: Option<String>,
}

/// The active assignments on these portfolios and on their services, or on the unplaced
/// services (`None`), by id (for the architecture view, which reads them by the hundred
/// thousand: only the columns it shows). Two indexed lookups: one query with OR between them
/// is answered by PostgreSQL with a scan of every assignment.
pub fn active_in_portfolios(
    conn: &mut DbConnection,
    portfolio_ids: Option<&[i64]>,
) -> AppResult<Vec<Holding>> {
    let active = || {
        role_assignments::table
            .inner_join(people::table)
            .filter(role_assignments::ended_at.is_null())
            .select((
                role_assignments::id,
                role_assignments::role,
                role_assignments::portfolio_id,
                role_assignments::service_id,
                people::sub,
                people::name,
            ))
            .into_boxed()
    };
    let mut rows: Vec<Holding> = Vec::new();
    match portfolio_ids {
        Some(ids) => {
            rows.extend(
                active()
                    .filter(role_assignments::portfolio_id.eq_any(ids.to_vec()))
                    .load::<Holding>(conn)?,
            );
            let services_of = services::table
                .filter(services::portfolio_id.eq_any(ids.to_vec()))
                .select(services::id.nullable());
            rows.extend(
                active()
                    .filter(role_assignments::service_id.eq_any(services_of))
                    .load::<Holding>(conn)?,
            );
        }
        None => {
            let unplaced = services::table
                .filter(services::portfolio_id.is_null())
                .select(services::id.nullable());
            rows.extend(
                active()
                    .filter(role_assignments::service_id.eq_any(unplaced))
                    .load::<Holding>(conn)?,
            );
        }
    }
    rows.sort_by_key(|h| h.assignment_id);
    Ok(rows)
}

/// Every active assignment with its holder, or those of one person (for `/me`).
pub fn all_active(conn: &mut DbConnection, person_id: Option<i64>) -> AppResult<Vec<Held>> {
    let mut q = role_assignments::table
        .inner_join(people::table)
        .filter(role_assignments::ended_at.is_null())
        .into_boxed();
    if let Some(p) = person_id {
        q = q.filter(role_assignments::person_id.eq(p));
    }
    let rows = q
        .order(role_assignments::id.asc())
        .select((RoleAssignment::as_select(), people::sub, people::name))
        .load::<HeldRow>(conn)?;
    Ok(rows.into_iter().map(held).collect())
}
