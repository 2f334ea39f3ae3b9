//! People, known by the token's `sub` (created on first sight; the caller's roles: db::callers).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{Actor, Audited, Change, ObjectType};
use super::schema::people;
use super::search;
use super::{like_pattern, DbConnection, Page};
use crate::domain::access::Identity;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = people)]
pub struct Person {
    pub id: i64,
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
    #[serde(skip)]
    pub search_text: String,
    pub version: i64,
    #[serde(serialize_with = "super::rfc3339")]
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::rfc3339")]
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

/// Lowercased in Rust: SQLite's `lower()` and `LIKE` fold only ASCII (å, ä, ö).
fn search_text(sub: &str, name: Option<&str>, email: Option<&str>) -> String {
    format!("{sub} {} {}", name.unwrap_or(""), email.unwrap_or("")).to_lowercase()
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Person> {
    people::table
        .find(id)
        .select(Person::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("There is no person {id}.")))
}

pub fn find_by_sub(conn: &mut DbConnection, sub: &str) -> AppResult<Option<Person>> {
    Ok(people::table
        .filter(people::sub.eq(sub))
        .select(Person::as_select())
        .first(conn)
        .optional()?)
}

/// The person with this `sub`, created (and audited) on first sight.
pub fn ensure(
    conn: &mut DbConnection,
    sub: &str,
    name: Option<&str>,
    email: Option<&str>,
    actor: &Actor,
) -> AppResult<Person> {
    if let Some(person) = find_by_sub(conn, sub)? {
        // Appointed before their first sign-in: take name and e-mail from the first token
        // that carries them.
        let fill_name = person.name.is_none() && name.is_some();
        let fill_email = person.email.is_none() && email.is_some();
        if !(fill_name || fill_email) {
            return Ok(person);
        }
        let filled = conn.transaction(|conn| {
            let updated = update_profile(
                conn,
                &person,
                fill_name.then(|| name.map(str::to_string)),
                fill_email.then(|| email.map(str::to_string)),
            )?;
            let change = first_sight("person.update", person.id)
                .before(&person)
                .after(&updated);
            Audited::new(updated, change).record(conn, actor)
        });
        // A concurrent first request filled them already.
        return match filled {
            Err(AppError::PreconditionFailed(_)) => find_by_sub(conn, sub)?
                .ok_or_else(|| AppError::internal("person vanished while being updated")),
            other => other,
        };
    }
    // A savepoint inside a request's transaction, a transaction of its own otherwise. Two
    // first requests of the same person may race: the loser finds the winner's row.
    let created = conn.transaction(|conn| {
        let (person, change) = insert(conn, sub, name, email)?;
        Audited::new(person, change).record(conn, actor)
    });
    match created {
        Ok(person) => Ok(person),
        Err(other) => lost_race(conn, sub, other),
    }
}

/// The person a role assignment appoints, created if they have never signed in; the change of
/// their creation is the appointing write's to record.
pub fn appointee(conn: &mut DbConnection, sub: &str) -> AppResult<(Person, Option<Change>)> {
    if let Some(person) = find_by_sub(conn, sub)? {
        return Ok((person, None));
    }
    match conn.transaction(|conn| insert(conn, sub, None, None)) {
        Ok((person, change)) => Ok((person, Some(change))),
        Err(other) => lost_race(conn, sub, other).map(|person| (person, None)),
    }
}

/// A new person, and the change that records them.
fn insert(
    conn: &mut DbConnection,
    sub: &str,
    name: Option<&str>,
    email: Option<&str>,
) -> AppResult<(Person, Change)> {
    let now = super::now();
    let person: Person = diesel::insert_into(people::table)
        .values((
            people::sub.eq(sub),
            people::name.eq(name),
            people::email.eq(email),
            people::search_text.eq(search_text(sub, name, email)),
            people::version.eq(1),
            people::created_at.eq(now),
            people::updated_at.eq(now),
        ))
        .returning(people::all_columns)
        .get_result(conn)?;
    let change = first_sight("person.create", person.id).after(&person);
    Ok((person, change))
}

/// After an insert of `sub` failed with `error`: the winner of a race, or the error.
fn lost_race(conn: &mut DbConnection, sub: &str, error: AppError) -> AppResult<Person> {
    match error {
        // Inside a serializable write the winner's row is not in our snapshot: a collision,
        // which the write path retries.
        AppError::Conflict(_) | AppError::Taken { .. } => {
            find_by_sub(conn, sub)?.ok_or(AppError::TransactionConflict)
        }
        other => Err(other),
    }
}

/// Appointed before their first sign-in: name and e-mail come from the first token with them.
pub(super) fn needs_filling(person: &Person, identity: &Identity) -> bool {
    (person.name.is_none() && identity.name.is_some())
        || (person.email.is_none() && identity.email.is_some())
}

/// The person of a token, created on first sight, inside the caller's write transaction.
pub fn ensure_in_transaction(
    conn: &mut DbConnection,
    identity: &Identity,
    actor: &Actor,
) -> AppResult<Person> {
    ensure(
        conn,
        &identity.sub,
        identity.name.as_deref(),
        identity.email.as_deref(),
        actor,
    )
}

/// The person of a token, created on first sight. Called outside any transaction.
pub fn ensure_identity(
    conn: &mut DbConnection,
    identity: &Identity,
    actor: &Actor,
) -> AppResult<Person> {
    let ensure = |conn: &mut DbConnection| ensure_in_transaction(conn, identity, actor);
    match conn {
        // The insert's search-index trigger reads before it writes, and SQLite cannot make a
        // transaction that has read wait for the writer (SQLITE_BUSY at once): on first sight
        // take the writer's place first. Everyone else is found without a write.
        DbConnection::Sqlite(_) => match find_by_sub(conn, &identity.sub)? {
            Some(person) if !needs_filling(&person, identity) => Ok(person),
            _ => super::write_transaction(conn, ensure),
        },
        DbConnection::Postgresql(_) => ensure(conn),
    }
}

#[derive(Debug, Default)]
pub struct PeopleFilter {
    pub q: Option<String>,
    pub sub: Option<String>,
}

impl PeopleFilter {
    fn is_empty(&self) -> bool {
        self.q.is_none() && self.sub.is_none()
    }
}

pub const SORT_FIELDS: &[&str] = &["id", "sub", "name", "created_at"];

pub fn list(
    conn: &mut DbConnection,
    filter: &PeopleFilter,
    page: &Page,
) -> AppResult<(i64, Vec<Person>)> {
    let backend = search::SearchBackend::of(conn);
    let query = || {
        let mut q = people::table.into_boxed();
        if let Some(sub) = &filter.sub {
            q = q.filter(people::sub.eq(sub.clone()));
        }
        if let Some(text) = &filter.q {
            q = match search::sqlite_trigram_match(backend, search::Indexed::People, text) {
                Some(indexed) => q.filter(indexed),
                None => q.filter(people::search_text.like(like_pattern(text)).escape('\\')),
            };
        }
        q
    };
    let count = if filter.is_empty() {
        super::row_counts::rows(conn, super::row_counts::Counted::People)?
    } else {
        query().count().get_result(conn)?
    };
    let mut q = query();
    q = match (page.sort.field.as_str(), page.sort.descending) {
        ("sub", false) => q.order(people::sub.asc()),
        ("sub", true) => q.order(people::sub.desc()),
        ("name", false) => q.order(people::name.asc()),
        ("name", true) => q.order(people::name.desc()),
        ("created_at", false) => q.order(people::created_at.asc()),
        ("created_at", true) => q.order(people::created_at.desc()),
        (_, descending) if search::sort_matches_first(backend, filter.q.is_some()) => {
            let id = diesel::dsl::sql::<diesel::sql_types::BigInt>("people.id + 0");
            if descending {
                q.order(id.desc())
            } else {
                q.order(id.asc())
            }
        }
        (_, true) => q.order(people::id.desc()),
        (_, false) => q.order(people::id.asc()),
    };
    let rows = q
        .then_order_by(people::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(Person::as_select())
        .load(conn)?;
    Ok((count, rows))
}

/// Updates one's own name and e-mail; `None` leaves a field as it is, `Some(None)` clears it.
pub fn update_profile(
    conn: &mut DbConnection,
    current: &Person,
    name: Option<Option<String>>,
    email: Option<Option<String>>,
) -> AppResult<Person> {
    let name = name.unwrap_or_else(|| current.name.clone());
    let email = email.unwrap_or_else(|| current.email.clone());
    let search = search_text(&current.sub, name.as_deref(), email.as_deref());
    crate::db::update_versioned!(
        conn,
        people,
        current,
        (
            people::search_text.eq(search),
            people::name.eq(name),
            people::email.eq(email),
        )
    )
}

/// A change of a person made on their first sight (no role allowed it: the token did).
fn first_sight(action: &'static str, person_id: i64) -> Change {
    Change {
        action,
        roles: vec!["first_sight".to_string()],
        object_type: ObjectType::Person,
        object_id: person_id,
        portfolio_id: None,
        before: None,
        after: None,
        import_id: None,
    }
}

/// Does the person of `sub` hold one of `roles`: assigned in the database now, or named by
/// their token when they acted (recorded in the audit trail as a role that allowed a write)?
pub fn holds_any_role(conn: &mut DbConnection, sub: &str, roles: &[&str]) -> AppResult<bool> {
    use super::schema::{audit_events, role_assignments};
    if roles.is_empty() {
        return Ok(false);
    }
    let assigned: i64 = role_assignments::table
        .inner_join(people::table)
        .filter(people::sub.eq(sub))
        .filter(role_assignments::ended_at.is_null())
        .filter(role_assignments::role.eq_any(roles))
        .count()
        .get_result(conn)?;
    if assigned > 0 {
        return Ok(true);
    }
    for role in roles {
        // A global role's label in `actor_roles` is its bare code, quoted in the JSON array.
        let label = format!("%\"{}\"%", role.replace('_', "\\_"));
        let seen: i64 = audit_events::table
            .filter(audit_events::actor_sub.eq(sub))
            .filter(audit_events::actor_roles.like(label).escape('\\'))
            .count()
            .get_result(conn)?;
        if seen > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
