//! Findings about deliveries, change requests, contracts and appointments.

use super::*;
use crate::db::contracts::in_reach as contract_in_reach;
use crate::db::deliveries;
use crate::db::schema::{
    change_requests, contract_services, contracts, people, role_assignments, services,
};
use crate::db::scope::{service_in_reach, services_in_reach};
use crate::db::DbConnection;
use crate::domain::access::Reach;
use crate::domain::governance::{days_before, Rule, Thresholds};
use crate::domain::plan::ChangeRequestStatus;
use crate::error::AppResult;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashMap;

/// The coverage report's own query (one implementation of guidelines 4.7).
pub(super) fn deliveries_without_contract(
    conn: &mut DbConnection,
    reach: &Reach,
    today: NaiveDate,
) -> AppResult<Vec<Finding>> {
    Ok(deliveries::all_uncovered(conn, reach, today)?
        .into_iter()
        .map(|row| Finding {
            rule: Rule::DeliveryWithoutContract,
            object_type: ObjectKind::Delivery,
            object_id: row.delivery.id,
            object_slug: None,
            object_name: format!("{} → {}", row.service_slug, row.organization_slug),
            portfolio_id: row.portfolio_id,
            since: Some(row.delivery.start_date),
            detail: Detail::Text(row.uncovered.map(|r| r.to_string()).unwrap_or_default()),
        })
        .collect())
}

pub(super) fn change_requests_waiting(
    conn: &mut DbConnection,
    sight: &Sight,
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> AppResult<Vec<Finding>> {
    let cutoff = days_before(now, thresholds.change_request_waiting_days);
    type Row = (
        (i64, i64, String),
        String,
        String,
        Option<i64>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = change_requests::table
        .inner_join(services::table)
        .filter(service_in_reach(&sight.report))
        .filter(
            change_requests::status
                .eq(ChangeRequestStatus::Submitted.as_str())
                .and(change_requests::created_at.le(cutoff))
                .or(change_requests::status
                    .eq(ChangeRequestStatus::Assessed.as_str())
                    .and(change_requests::assessed_at.le(cutoff).assume_not_null())),
        )
        .select((
            (
                change_requests::id,
                change_requests::service_id,
                change_requests::submitted_by,
            ),
            change_requests::title,
            change_requests::status,
            services::portfolio_id,
            change_requests::created_at,
            change_requests::assessed_at,
        ))
        .load(conn)?;
    let wait = thresholds.change_request_waiting_days;
    let readable = &sight.change_requests;
    Ok(rows
        .into_iter()
        .filter(|((_, service, submitter), _, _, portfolio, _, _)| {
            readable.covers_request(*service, *portfolio, submitter)
        })
        .map(
            |((id, _, _), title, status, portfolio_id, created_at, assessed_at)| {
                let waiting_since = assessed_at.unwrap_or(created_at);
                Finding {
                    rule: Rule::ChangeRequestWaiting,
                    object_type: ObjectKind::ChangeRequest,
                    object_id: id,
                    object_slug: None,
                    object_name: title,
                    portfolio_id,
                    since: Some((waiting_since + chrono::TimeDelta::days(wait)).date()),
                    detail: Detail::Text(status),
                }
            },
        )
        .collect())
}

pub(super) fn contracts_notice_due(
    conn: &mut DbConnection,
    sight: &Sight,
    thresholds: &Thresholds,
    today: NaiveDate,
) -> AppResult<Vec<Finding>> {
    let horizon = today + chrono::TimeDelta::days(thresholds.contract_notice_days);
    let rows: Vec<(i64, String, String, Option<NaiveDate>)> = contracts::table
        .filter(contract_in_reach(&sight.report))
        .filter(contract_in_reach(&sight.contracts))
        .filter(contracts::terminated_on.is_null())
        .filter(
            contracts::notice_deadline
                .between(today, horizon)
                .assume_not_null(),
        )
        .select((
            contracts::id,
            contracts::title,
            contracts::reference,
            contracts::notice_deadline,
        ))
        .load(conn)?;
    // A contract belongs to the portfolio of its first covered service (for the totals).
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let portfolio_of = first_portfolio_of_contracts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, reference, deadline)| Finding {
            rule: Rule::ContractNoticeDue,
            object_type: ObjectKind::Contract,
            object_id: id,
            object_slug: None,
            object_name: if reference.is_empty() {
                title
            } else {
                format!("{title} ({reference})")
            },
            portfolio_id: portfolio_of.get(&id).copied(),
            since: deadline.map(|d| d - chrono::TimeDelta::days(thresholds.contract_notice_days)),
            detail: deadline.map_or(Detail::None, Detail::Date),
        })
        .collect())
}

pub(super) fn first_portfolio_of_contracts(
    conn: &mut DbConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(10_000) {
        let rows: Vec<(i64, Option<i64>)> = contract_services::table
            .inner_join(services::table)
            .filter(contract_services::contract_id.eq_any(chunk.to_vec()))
            .order((
                contract_services::contract_id,
                contract_services::service_id,
            ))
            .select((contract_services::contract_id, services::portfolio_id))
            .load(conn)?;
        for (contract, portfolio) in rows {
            if let Some(p) = portfolio {
                out.entry(contract).or_insert(p);
            }
        }
    }
    Ok(out)
}

pub(super) fn assignments_not_accepted(
    conn: &mut DbConnection,
    reach: &Reach,
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> AppResult<Vec<Finding>> {
    let cutoff = days_before(now, thresholds.assignment_acceptance_days);
    let base = role_assignments::table
        .inner_join(people::table)
        .filter(role_assignments::ended_at.is_null())
        .filter(role_assignments::accepted_at.is_null())
        .filter(role_assignments::created_at.le(cutoff));
    type Row = (i64, String, String, Option<i64>, Option<i64>, NaiveDateTime);
    let columns = (
        role_assignments::id,
        role_assignments::role,
        people::sub,
        role_assignments::portfolio_id,
        role_assignments::service_id,
        role_assignments::created_at,
    );
    let rows: Vec<Row> = if reach.everywhere {
        base.select(columns).load(conn)?
    } else {
        let portfolios_held: Vec<i64> = reach.portfolios.clone();
        base.filter(
            role_assignments::portfolio_id
                .assume_not_null()
                .eq_any(portfolios_held)
                .or(role_assignments::service_id
                    .assume_not_null()
                    .eq_any(services_in_reach(reach))),
        )
        .select(columns)
        .load(conn)?
    };
    let service_portfolio = portfolios_of(conn, rows.iter().filter_map(|r| r.4).collect())?;
    let days = thresholds.assignment_acceptance_days;
    Ok(rows
        .into_iter()
        .map(
            |(id, role, sub, portfolio_id, service_id, created_at)| Finding {
                rule: Rule::AssignmentNotAccepted,
                object_type: ObjectKind::RoleAssignment,
                object_id: id,
                object_slug: None,
                object_name: format!("{sub} ({role})"),
                portfolio_id: portfolio_id.or_else(|| {
                    service_id.and_then(|s| service_portfolio.get(&s).copied().flatten())
                }),
                since: Some((created_at + chrono::TimeDelta::days(days)).date()),
                detail: Detail::None,
            },
        )
        .collect())
}

/// The portfolio of each of `services` (in chunks, so that no statement has too many binds).
pub(super) fn portfolios_of(
    conn: &mut DbConnection,
    services: Vec<i64>,
) -> AppResult<HashMap<i64, Option<i64>>> {
    let mut portfolio = HashMap::new();
    for chunk in services.chunks(10_000) {
        portfolio.extend(
            services::table
                .filter(services::id.eq_any(chunk.to_vec()))
                .select((services::id, services::portfolio_id))
                .load::<(i64, Option<i64>)>(conn)?,
        );
    }
    Ok(portfolio)
}
