//! The governance findings and the economics of each service, computed set-based: a fixed
//! number of queries whatever the number of portfolios, services, contracts or assignments,
//! each filtered to the caller's reach in SQL. The rules themselves are `domain::governance`.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::max;
use diesel::prelude::*;

use crate::db::schema::{plan_versions, plans, portfolios, role_assignments};
use crate::db::scope::portfolio_in_reach;
use crate::db::DbConnection;
use crate::domain::access::Reach;
use crate::domain::governance::{service_record_findings, Rule, Thresholds};
use crate::domain::model::Model;
use crate::domain::plan::PlanStatus;
use crate::domain::role::{RoleCode, ScopeKind};
use crate::error::AppResult;

mod economics;
mod it;
mod model_fit;
mod needs;
mod operating;
mod records;

pub use crate::domain::governance::{Detail, Finding, ObjectKind, ServiceRecord};
pub use economics::*;
use operating::*;
use records::*;

/// What a caller may see of the findings: the report's own scope, and where a finding is about
/// an object with a read rule of its own (a contract, a change request, a service's figures),
/// that rule's reach too, so that no finding shows what the object's own endpoint would refuse.
pub struct Sight {
    pub report: Reach,
    pub contracts: Reach,
    pub change_requests: Reach,
    pub economics: Reach,
}

/// Every finding in reach on `now`: a fixed number of queries (about twenty), whatever the
/// size of the data.
pub fn findings(
    conn: &mut DbConnection,
    sight: &Sight,
    model: &Model,
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> AppResult<Vec<Finding>> {
    let reach = &sight.report;
    let today = now.date();
    let needed = |scope: ScopeKind| -> Vec<RoleCode> {
        model
            .operation_needs()
            .filter(|(role, _)| role.scope == scope)
            .map(|(role, _)| role.code.clone())
            .collect()
    };
    let mut found = Vec::new();
    found.extend(portfolios_without_owner(
        conn,
        reach,
        &needed(ScopeKind::Portfolio),
    )?);
    found.extend(plans_missing(conn, reach, thresholds, today)?);
    found.extend(plan_deviations(conn, reach)?);
    let operating = services_in_operation(conn, reach)?;
    found.extend(services_without_manager(
        conn,
        reach,
        &operating,
        &needed(ScopeKind::Service),
    )?);
    found.extend(services_without_supplier_contract(
        conn, reach, &operating, today,
    )?);
    found.extend(service_record_findings(&operating, thresholds, now));
    found.extend(deliveries_without_contract(conn, reach, today)?);
    found.extend(change_requests_waiting(conn, sight, thresholds, now)?);
    found.extend(contracts_notice_due(conn, sight, thresholds, today)?);
    found.extend(assignments_not_accepted(conn, reach, thresholds, now)?);
    found.extend(model_fit::assignments_outside_model(conn, reach, model)?);
    found.extend(needs::needs_waiting(conn, reach, thresholds, now)?);
    found.extend(needs::proposals_without_need(conn, reach)?);
    found.extend(needs::customers_not_followed_up(
        conn, reach, thresholds, now,
    )?);
    found.extend(it::architecture_review_overdue(
        conn, reach, thresholds, now,
    )?);
    found.extend(it::systems_not_reviewed(conn, reach, thresholds, now)?);
    found.extend(it::services_on_retired_systems(conn, &operating)?);
    found.extend(it::systems_without_responsible(conn, reach, model)?);
    let mut deficits = services_not_self_sustaining(conn, reach, &operating, today)?;
    for finding in &mut deficits {
        // Whether a service pays its way is shown to every reader; by how much, only to those
        // who may read its economics.
        if !sight
            .economics
            .covers_service(finding.object_id, finding.portfolio_id)
        {
            finding.detail = Detail::None;
        }
    }
    found.extend(deficits);
    Ok(found)
}

/// The ids a scoped caller's query may be narrowed to: none for a caller who reaches
/// everything (the whole table is the answer), nor for more ids than one statement binds well.
fn only(reach: &Reach, ids: Vec<i64>) -> Option<Vec<i64>> {
    (!reach.everywhere && ids.len() <= 10_000).then_some(ids)
}

/// The slugs of portfolios by id (for `portfolio_slug`); all of them, a short table.
pub fn portfolio_slugs(conn: &mut DbConnection) -> AppResult<HashMap<i64, String>> {
    Ok(portfolios::table
        .select((portfolios::id, portfolios::slug))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Portfolios in reach not retired: (id, slug, name, created_at).
fn active_portfolios(
    conn: &mut DbConnection,
    reach: &Reach,
) -> AppResult<Vec<(i64, String, String, NaiveDateTime)>> {
    Ok(portfolios::table
        .filter(portfolio_in_reach(reach))
        .filter(portfolios::retired_at.is_null())
        .select((
            portfolios::id,
            portfolios::slug,
            portfolios::name,
            portfolios::created_at,
        ))
        .load(conn)?)
}

/// Active portfolios lacking a holder of a role the model requires on a portfolio for its
/// services to be in operation (the TÄ in Sunet's model).
fn portfolios_without_owner(
    conn: &mut DbConnection,
    reach: &Reach,
    roles: &[RoleCode],
) -> AppResult<Vec<Finding>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let active = active_portfolios(conn, reach)?;
    let mut owners = role_assignments::table
        .filter(role_assignments::role.eq_any(codes(roles)))
        .filter(role_assignments::ended_at.is_null())
        .select((role_assignments::role, role_assignments::portfolio_id))
        .into_boxed();
    let ids: Vec<i64> = active.iter().map(|p| p.0).collect();
    if let Some(ids) = only(reach, ids) {
        owners = owners.filter(role_assignments::portfolio_id.assume_not_null().eq_any(ids));
    }
    let owned = held_everywhere(owners.load::<(String, Option<i64>)>(conn)?, roles);
    let last_ended = last_ended_per(conn, roles, true)?;
    Ok(active
        .into_iter()
        .filter(|(id, ..)| !owned.contains(id))
        .map(|(id, slug, name, created_at)| Finding {
            rule: Rule::PortfolioWithoutOwner,
            object_type: ObjectKind::Portfolio,
            object_id: id,
            object_slug: Some(slug),
            object_name: name,
            portfolio_id: Some(id),
            since: Some(last_ended.get(&id).copied().unwrap_or(created_at).date()),
            detail: Detail::None,
        })
        .collect())
}

/// When the last assignment of `role` ended, per portfolio (`on_portfolio`) or per service.
/// The codes of `roles` as the database stores them.
fn codes(roles: &[RoleCode]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_string()).collect()
}

/// The places (portfolio or service ids) where every one of `roles` has an active holder,
/// from (role, place) rows.
fn held_everywhere(rows: Vec<(String, Option<i64>)>, roles: &[RoleCode]) -> HashSet<i64> {
    let mut by_place: HashMap<i64, HashSet<String>> = HashMap::new();
    for (role, place) in rows {
        if let Some(place) = place {
            by_place.entry(place).or_default().insert(role);
        }
    }
    by_place
        .into_iter()
        .filter(|(_, held)| roles.iter().all(|r| held.contains(r.as_str())))
        .map(|(place, _)| place)
        .collect()
}

fn last_ended_per(
    conn: &mut DbConnection,
    roles: &[RoleCode],
    on_portfolio: bool,
) -> AppResult<HashMap<i64, NaiveDateTime>> {
    let base = role_assignments::table
        .filter(role_assignments::role.eq_any(codes(roles)))
        .filter(role_assignments::ended_at.is_not_null());
    let rows: Vec<(Option<i64>, Option<NaiveDateTime>)> = if on_portfolio {
        base.group_by(role_assignments::portfolio_id)
            .select((
                role_assignments::portfolio_id,
                max(role_assignments::ended_at),
            ))
            .load(conn)?
    } else {
        base.group_by(role_assignments::service_id)
            .select((
                role_assignments::service_id,
                max(role_assignments::ended_at),
            ))
            .load(conn)?
    };
    Ok(rows
        .into_iter()
        .filter_map(|(id, at)| Some((id?, at?)))
        .collect())
}

/// Active portfolios in reach without an approved plan for the latest year whose deadline
/// has passed. A plan being revised still has its approved version.
fn plans_missing(
    conn: &mut DbConnection,
    reach: &Reach,
    thresholds: &Thresholds,
    today: NaiveDate,
) -> AppResult<Vec<Finding>> {
    let year = thresholds.latest_year_due(today);
    let deadline = thresholds.plan_deadline_for(year);
    let active = active_portfolios(conn, reach)?;
    let approved = [PlanStatus::Approved.as_str(), PlanStatus::Closed.as_str()];
    let with_plan: HashSet<i64> = plans::table
        .filter(plans::year.eq(year))
        .filter(
            plans::status.eq_any(approved).or(plans::id.eq_any(
                plan_versions::table
                    .filter(plan_versions::approved_at.is_not_null())
                    .select(plan_versions::plan_id),
            )),
        )
        .select(plans::portfolio_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    Ok(active
        .into_iter()
        // A portfolio made after the deadline was not due to have that plan.
        .filter(|(id, _, _, created_at)| !with_plan.contains(id) && created_at.date() <= deadline)
        .map(|(id, slug, name, _)| Finding {
            rule: Rule::PlanMissing,
            object_type: ObjectKind::Portfolio,
            object_id: id,
            object_slug: Some(slug),
            object_name: name,
            portfolio_id: Some(id),
            since: deadline.succ_opt(),
            detail: Detail::Year(year),
        })
        .collect())
}

fn plan_deviations(conn: &mut DbConnection, reach: &Reach) -> AppResult<Vec<Finding>> {
    let rows: Vec<(i64, i64, i32, String, NaiveDateTime)> = plans::table
        .inner_join(portfolios::table)
        .filter(portfolio_in_reach(reach))
        .filter(plans::status.eq(PlanStatus::Approved.as_str()))
        .filter(plans::deviation.eq(true))
        .select((
            plans::id,
            plans::portfolio_id,
            plans::year,
            portfolios::name,
            plans::updated_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, portfolio_id, year, name, _)| Finding {
            rule: Rule::PlanDeviation,
            object_type: ObjectKind::Plan,
            object_id: id,
            object_slug: None,
            object_name: format!("{name} {year}"),
            portfolio_id: Some(portfolio_id),
            since: None,
            detail: Detail::Year(year),
        })
        .collect())
}
