//! The caller as the policy sees them: what the database holds of them (`db::callers`) with the
//! global roles their token claims, claimed roles first.

use std::sync::Arc;

use crate::auth::policy::{Caller, GlobalRole, Model, RoleSource};
use crate::db::audit::Actor;
use crate::db::callers::{self, CallerCache, Held};
use crate::db::DbConnection;
use crate::domain::access::Identity;
use crate::error::AppResult;

impl Caller {
    /// The caller of `identity`, holding what `held` says, judged by `model`.
    pub fn of(held: &Held, identity: &Identity, model: &Arc<Model>) -> Caller {
        let claimed = identity.claimed_roles.iter().map(|c| GlobalRole {
            role: c.role.clone(),
            source: RoleSource::Token {
                claim: c.claim.clone(),
            },
        });
        Caller::new(
            held.person_id,
            held.sub.clone(),
            claimed
                .chain(held.assigned_global.iter().cloned())
                .collect(),
            held.scoped.clone(),
            model.clone(),
        )
    }
}

/// The caller, their person created on first sight (see [`callers::load`]).
pub fn load(
    conn: &mut DbConnection,
    cache: &CallerCache,
    identity: &Identity,
    model: &Arc<Model>,
    actor: &Actor,
) -> AppResult<Caller> {
    let held = callers::load(conn, cache, identity, actor)?;
    Ok(Caller::of(&held, identity, model))
}

/// The caller without writing, or `None` (see [`callers::known`]).
pub fn known(
    conn: &mut DbConnection,
    cache: &CallerCache,
    identity: &Identity,
    model: &Arc<Model>,
) -> AppResult<Option<Caller>> {
    let held = callers::known(conn, cache, identity)?;
    Ok(held.map(|held| Caller::of(&held, identity, model)))
}

/// The caller as this transaction sees them, or `None` (see [`callers::current`]).
pub fn current(
    conn: &mut DbConnection,
    identity: &Identity,
    model: &Arc<Model>,
) -> AppResult<Option<Caller>> {
    let held = callers::current(conn, identity)?;
    Ok(held.map(|held| Caller::of(&held, identity, model)))
}
