//! What the database holds of a caller: their person, their global role assignments and their
//! scoped assignments — loaded in one query, and kept between requests while nothing that
//! decides them has changed. The policy's `Caller` is assembled from it in `auth::caller`.
//!
//! The cache is safe against revocation on every instance: the database counts the changes
//! that alter what a caller may do (triggers of the migration `caller_changes`, in the writing
//! transaction), and a request reads that count *before* it uses or loads a caller. A caller
//! loaded under one count is used only while the count is the same, so the very next request
//! after a revocation commits sees it, whichever instance or tool wrote it. No time-to-live.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use diesel::prelude::*;

use super::audit::Actor;
use super::people::{ensure_identity, Person};
use super::row_counts::{self, Counted};
use super::schema::{people, role_assignments, services};
use super::DbConnection;
use crate::domain::access::{GlobalRole, Identity, RoleSource, ScopedRole};
use crate::domain::role::{Delegations, RoleCode};
use crate::error::{AppError, AppResult};

/// (id, role, portfolio, service, delegations, the service's portfolio)
type AssignmentRow = (i64, String, Option<i64>, Option<i64>, String, Option<i64>);

/// What the database says of a caller: everything but the roles their token claims.
#[derive(Debug, Clone)]
pub struct Held {
    pub person_id: i64,
    pub sub: String,
    has_name: bool,
    has_email: bool,
    /// Global roles assigned in the database.
    pub assigned_global: Vec<GlobalRole>,
    /// Scoped role assignments in force, each with its service's portfolio.
    pub scoped: Vec<ScopedRole>,
}

impl Held {
    fn of(person_id: i64, sub: String, has: (bool, bool), rows: Vec<AssignmentRow>) -> Held {
        let mut assigned_global = Vec::new();
        let mut scoped = Vec::new();
        for (id, role, portfolio_id, service_id, delegations, service_portfolio) in rows {
            // As stored: a code the model in force does not know is kept and grants nothing
            // (no rule names it). An assignment on no place is of a global role.
            let role = RoleCode::stored(&role);
            if portfolio_id.is_none() && service_id.is_none() {
                assigned_global.push(GlobalRole {
                    role,
                    source: RoleSource::Assignment { assignment_id: id },
                });
            } else {
                scoped.push(ScopedRole {
                    assignment_id: id,
                    role,
                    portfolio_id,
                    service_id,
                    service_portfolio_id: service_portfolio,
                    delegations: Delegations::from_stored(&delegations),
                });
            }
        }
        Held {
            person_id,
            sub,
            has_name: has.0,
            has_email: has.1,
            assigned_global,
            scoped,
        }
    }

    /// Appointed before their first sign-in: name and e-mail come from the first token with
    /// them (a write, on the slower path).
    fn needs_filling(&self, identity: &Identity) -> bool {
        (!self.has_name && identity.name.is_some()) || (!self.has_email && identity.email.is_some())
    }
}

/// At most this many callers are kept; a full cache starts over (a cold cache costs one query
/// per caller, and the number of distinct callers of this service is small).
const CAPACITY: usize = 10_000;

/// Callers between requests, each under the count of caller changes it was loaded at.
#[derive(Debug, Default)]
pub struct CallerCache {
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    /// The count of caller changes every entry was loaded at; a higher count empties the cache.
    changes: i64,
    held: HashMap<String, Arc<Held>>,
}

impl CallerCache {
    fn get(&self, changes: i64, sub: &str) -> Option<Arc<Held>> {
        let mut state = self.lock();
        if changes > state.changes {
            state.changes = changes;
            state.held.clear();
        }
        if changes != state.changes {
            // An older count (a statement that began before another request's): not for us.
            return None;
        }
        state.held.get(sub).cloned()
    }

    fn put(&self, changes: i64, held: Arc<Held>) {
        let mut state = self.lock();
        if changes > state.changes {
            state.changes = changes;
            state.held.clear();
        }
        if changes != state.changes {
            return;
        }
        if state.held.len() >= CAPACITY {
            state.held.clear();
        }
        state.held.insert(held.sub.clone(), held);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        // The state is consistent after every statement: a panic elsewhere cannot break it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Loads what is held of the caller: their person (created on first sight), their global
/// assignments, and their scoped assignments with each service's portfolio. From the cache, or
/// one query, when the person exists and has nothing to fill in.
pub fn load(
    conn: &mut DbConnection,
    cache: &CallerCache,
    identity: &Identity,
    actor: &Actor,
) -> AppResult<Arc<Held>> {
    match known(conn, cache, identity)? {
        Some(held) => Ok(held),
        // First sight, or a name or e-mail to take from the token: the slower path.
        None => {
            let person = ensure_identity(conn, identity, actor)?;
            held_by_person(conn, person).map(Arc::new)
        }
    }
}

/// What is held of the caller, without writing: from the cache if no caller changed since it
/// was loaded, else in one query. `None` when the person is not known yet or has a name or
/// e-mail to take from the token (then [`load`] writes).
pub fn known(
    conn: &mut DbConnection,
    cache: &CallerCache,
    identity: &Identity,
) -> AppResult<Option<Arc<Held>>> {
    // Read first: a caller loaded after this count can only be newer than it, never older.
    let changes = row_counts::rows(conn, Counted::CallerChanges)?;
    let held = match cache.get(changes, &identity.sub) {
        Some(held) => held,
        None => {
            let Some(held) = held_by(conn, &identity.sub)? else {
                return Ok(None);
            };
            let held = Arc::new(held);
            cache.put(changes, held.clone());
            held
        }
    };
    Ok((!held.needs_filling(identity)).then_some(held))
}

/// What the database holds of the caller now, in one query, never from the cache (inside a
/// write transaction: a write decides on what it reads itself). `None` as for [`known`].
pub fn current(conn: &mut DbConnection, identity: &Identity) -> AppResult<Option<Held>> {
    Ok(held_by(conn, &identity.sub)?.filter(|held| !held.needs_filling(identity)))
}

/// The person of `sub` and their assignments in force, in one query.
fn held_by(conn: &mut DbConnection, sub: &str) -> AppResult<Option<Held>> {
    type Row = ((i64, String, bool, bool), Option<AssignmentRow>);
    let rows: Vec<Row> = super::on_backend!(conn, |c| people::table
        .left_join(
            role_assignments::table.on(role_assignments::person_id
                .eq(people::id)
                .and(role_assignments::ended_at.is_null())),
        )
        .left_join(services::table.on(services::id.nullable().eq(role_assignments::service_id)))
        .filter(people::sub.eq(sub))
        .select((
            (
                people::id,
                people::sub,
                people::name.is_not_null(),
                people::email.is_not_null(),
            ),
            (
                role_assignments::id,
                role_assignments::role,
                role_assignments::portfolio_id,
                role_assignments::service_id,
                role_assignments::delegations,
                services::portfolio_id,
            )
                .nullable(),
        ))
        .load(c))?;
    let Some(((person_id, sub, has_name, has_email), _)) = rows.first().cloned() else {
        return Ok(None);
    };
    let assignments = rows.into_iter().filter_map(|(_, a)| a).collect();
    Ok(Some(Held::of(
        person_id,
        sub,
        (has_name, has_email),
        assignments,
    )))
}

/// What is held of `person` (just written).
pub fn held_by_person(conn: &mut DbConnection, person: Person) -> AppResult<Held> {
    held_by(conn, &person.sub)?.ok_or_else(|| AppError::internal("the caller's person vanished"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(sub: &str) -> Arc<Held> {
        Arc::new(Held::of(1, sub.into(), (true, true), Vec::new()))
    }

    #[test]
    fn a_caller_is_kept_only_under_the_count_it_was_loaded_at() {
        let cache = CallerCache::default();
        cache.put(3, held("anna@kth.se"));
        assert!(cache.get(3, "anna@kth.se").is_some());
        // A change committed: everything loaded before it is gone.
        assert!(cache.get(4, "anna@kth.se").is_none());
        assert!(cache.get(3, "anna@kth.se").is_none());
        // Loaded under an older count than the cache has seen: not kept.
        cache.put(3, held("björn@su.se"));
        assert!(cache.get(4, "björn@su.se").is_none());
        cache.put(4, held("björn@su.se"));
        assert!(cache.get(4, "björn@su.se").is_some());
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = CallerCache::default();
        for i in 0..CAPACITY {
            cache.put(1, held(&format!("person-{i}@sunet.se")));
        }
        assert!(cache.get(1, "person-0@sunet.se").is_some());
        cache.put(1, held("örjan@lu.se"));
        assert!(cache.get(1, "person-0@sunet.se").is_none());
        assert!(cache.get(1, "örjan@lu.se").is_some());
    }
}
