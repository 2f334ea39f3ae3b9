//! Findings about data that outlived a change of the governance model: active assignments of a
//! role, or carrying a delegation, that the model in force does not have. They grant nothing
//! (the policy names only the model's roles), and are shown with their stored codes.

use super::records::portfolios_of;
use super::*;
use crate::db::schema::{people, role_assignments};
use crate::db::scope::services_in_reach;
use crate::db::DbConnection;
use crate::domain::access::Reach;
use crate::domain::governance::Rule;
use crate::domain::model::Model;
use crate::domain::role::Delegations;
use crate::error::AppResult;

/// Active assignments in reach of a role the model lacks, or with a delegation it lacks or does
/// not let the role carry. One query for the candidates (roles not in the model, or carrying
/// delegations at all), one for their services' portfolios.
pub(super) fn assignments_outside_model(
    conn: &mut DbConnection,
    reach: &Reach,
    model: &Model,
) -> AppResult<Vec<Finding>> {
    let known: Vec<String> = model.roles.iter().map(|r| r.code.to_string()).collect();
    let mut candidates = role_assignments::table
        .inner_join(people::table)
        .filter(role_assignments::ended_at.is_null())
        .filter(
            role_assignments::role
                .ne_all(known)
                .or(role_assignments::delegations.ne("")),
        )
        .select((
            role_assignments::id,
            role_assignments::role,
            people::sub,
            role_assignments::portfolio_id,
            role_assignments::service_id,
            role_assignments::created_at,
            role_assignments::delegations,
        ))
        .into_boxed();
    if !reach.everywhere {
        candidates = candidates.filter(
            role_assignments::portfolio_id
                .assume_not_null()
                .eq_any(reach.portfolios.clone())
                .or(role_assignments::service_id
                    .assume_not_null()
                    .eq_any(services_in_reach(reach))),
        );
    }
    type Row = (
        i64,
        String,
        String,
        Option<i64>,
        Option<i64>,
        NaiveDateTime,
        String,
    );
    let rows: Vec<Row> = candidates.load(conn)?;
    let portfolio_of = portfolios_of(conn, rows.iter().filter_map(|r| r.4).collect())?;
    let mut found = Vec::new();
    for (id, role, sub, portfolio_id, service_id, created_at, delegations) in rows {
        let (rule, detail) = match model.role_named(&role) {
            None => (Rule::AssignmentOfUnknownRole, role.clone()),
            Some(def) => {
                let held = Delegations::from_stored(&delegations);
                let unknown: Vec<&str> = held
                    .items()
                    .iter()
                    .filter(|d| !def.delegations.contains(d))
                    .map(|d| d.as_str())
                    .collect();
                if unknown.is_empty() {
                    continue;
                }
                (Rule::AssignmentOfUnknownDelegation, unknown.join(", "))
            }
        };
        found.push(Finding {
            rule,
            object_type: ObjectKind::RoleAssignment,
            object_id: id,
            object_slug: None,
            object_name: format!("{sub} ({role})"),
            portfolio_id: portfolio_id
                .or_else(|| service_id.and_then(|s| portfolio_of.get(&s).copied().flatten())),
            since: Some(created_at.date()),
            detail: Detail::Text(detail),
        });
    }
    Ok(found)
}
