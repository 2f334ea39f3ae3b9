//! The governance model's rules for appointments: which roles exist and where they hold, the
//! delegations a role may carry, at most N holders per place, and the holders a service under
//! management keeps.

use super::Place;
use crate::db::role_assignments as assignments;
use crate::db::{services, DbConnection};
use crate::domain::model::{Model, RoleDef};
use crate::domain::role::{Delegation, RoleCode};
use crate::error::{AppError, AppResult};

/// The role a request names, as the model in force defines it (422 when it has none).
pub(crate) fn requested_role<'m>(model: &'m Model, code: &RoleCode) -> AppResult<&'m RoleDef> {
    model.role(code).ok_or_else(|| {
        AppError::invalid_field(
            "role",
            format!(
                "there is no role '{code}' in the governance model in force (GET /api/v1/roles lists them)"
            ),
        )
    })
}

/// The role of a stored assignment: a role the model in force no longer has grants nothing
/// and is changed by nobody until the model has it again (409).
pub(super) fn stored_role<'m>(model: &'m Model, code: &str) -> AppResult<&'m RoleDef> {
    model.role_named(code).ok_or_else(|| {
        AppError::conflict(format!(
            "This assignment is of the role '{code}', which the governance model in force does not have."
        ))
    })
}

/// Only delegations the model has (400 otherwise, like any value outside a field's vocabulary),
/// and of those only the ones the role may carry (422).
pub(super) fn check_delegations(
    model: &Model,
    role: &RoleDef,
    delegations: &[Delegation],
) -> AppResult<()> {
    if let Some(d) = delegations.iter().find(|d| model.delegation(d).is_none()) {
        return Err(AppError::invalid_field(
            "delegations",
            format!("there is no delegation '{d}' in the governance model in force"),
        ));
    }
    match delegations.iter().find(|d| !role.delegations.contains(d)) {
        None => Ok(()),
        Some(_) if role.delegations.is_empty() => Err(AppError::unprocessable(
            "delegations",
            format!("a {} carries no delegations", role.short()),
        )),
        Some(d) => Err(AppError::unprocessable(
            "delegations",
            format!("a {} does not carry the delegation '{d}'", role.short()),
        )),
    }
}

fn ids(place: &Place) -> (Option<i64>, Option<i64>) {
    match *place {
        Place::Global => (None, None),
        Place::Portfolio(p) => (Some(p), None),
        Place::Service(s) => (None, Some(s)),
    }
}

/// Room for one more holder of `role` on `place` (the model's `max_per_place`); the place is
/// held until the write commits, so two appointments cannot both take the last seat.
pub(crate) fn room_for_one_more(
    conn: &mut DbConnection,
    role: &RoleDef,
    place: &Place,
) -> AppResult<()> {
    let Some(max) = role.max_per_place else {
        return Ok(());
    };
    let (portfolio, service) = ids(place);
    assignments::hold_place(conn, portfolio, service)?;
    let held = assignments::count_active(conn, &role.code, portfolio, service)?;
    if held >= i64::from(max) {
        let there = if portfolio.is_some() {
            "portfolio"
        } else {
            "service"
        };
        return Err(AppError::conflict(format!(
            "The {there} already has {held} active {} ({}), the most the governance model allows; revoke an assignment first.",
            role.name_en.to_lowercase(),
            role.short()
        )));
    }
    Ok(())
}

/// A service under management keeps the holders the model says it keeps: the last of them
/// is not revoked before a successor is appointed (guidelines 4.4 for TJF).
pub(super) fn keeps_enough(
    conn: &mut DbConnection,
    role: &RoleDef,
    portfolio: Option<i64>,
    service: Option<i64>,
) -> AppResult<()> {
    let Some(need) = role.in_operation.filter(|n| n.kept) else {
        return Ok(());
    };
    let under_management = match (portfolio, service) {
        (_, Some(s)) => services::find_by_id(conn, s)?
            .lifecycle()
            .under_management(),
        (Some(p), None) => services::count_under_management(conn, p)? > 0,
        (None, None) => false,
    };
    if !under_management {
        return Ok(());
    }
    assignments::hold_place(conn, portfolio, service)?;
    let held = assignments::count_active(conn, &role.code, portfolio, service)?;
    if held <= i64::from(need.min) {
        return Err(AppError::conflict(format!(
            "The service is under management and keeps at least {} {} ({}); appoint a successor before revoking this one.",
            need.min,
            role.name_en.to_lowercase(),
            role.short()
        )));
    }
    Ok(())
}
