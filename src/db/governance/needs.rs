//! Findings about needs and customers: needs waiting for assessment or decision, services
//! established without a need, customers not followed up.

use super::*;
use crate::db::governance::ObjectKind;
use crate::db::schema::{deliveries, follow_ups, need_links, needs, organizations, services};
use crate::db::scope::{service_in_reach, services_in_reach};
use crate::domain::governance::{days_before, months_after, months_before};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::need::NeedStatus;

/// A need's row for the findings: (id, title, service, portfolio, the service's portfolio,
/// when the waiting began).
type NeedRow = (
    i64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    NaiveDateTime,
);

/// A need is in the report's reach by its service, else its portfolio; an unplaced one only
/// for those who read the report everywhere.
fn need_in_reach(reach: &Reach, row: &NeedRow) -> bool {
    let (_, _, service, portfolio, service_portfolio, _) = row;
    match (service, portfolio) {
        (Some(s), _) => reach.covers_service(*s, *service_portfolio),
        (None, Some(p)) => reach.covers_portfolio(*p),
        (None, None) => reach.everywhere,
    }
}

fn need_finding(rule: Rule, row: NeedRow, days: i64) -> Finding {
    let (id, title, service, portfolio, service_portfolio, waiting_since) = row;
    Finding {
        rule,
        object_type: ObjectKind::Need,
        object_id: id,
        object_slug: None,
        object_name: title,
        portfolio_id: if service.is_some() {
            service_portfolio
        } else {
            portfolio
        },
        since: Some((waiting_since + chrono::TimeDelta::days(days)).date()),
        detail: Detail::None,
    }
}

/// Needs identified more than `need_assessment_days` ago and not assessed; needs presented more
/// than `need_decision_days` ago and not decided. One query each.
pub(super) fn needs_waiting(
    conn: &mut DbConnection,
    reach: &Reach,
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> AppResult<Vec<Finding>> {
    let waits = [
        (
            Rule::NeedUnassessed,
            NeedStatus::Identified,
            thresholds.need_assessment_days,
        ),
        (
            Rule::NeedUndecided,
            NeedStatus::Presented,
            thresholds.need_decision_days,
        ),
    ];
    let mut found = Vec::new();
    for (rule, status, days) in waits {
        let cutoff = days_before(now, days);
        let query = needs::table
            .left_join(services::table.on(services::id.nullable().eq(needs::service_id)))
            .filter(needs::status.eq(status.as_str()))
            .into_boxed();
        let query = match status {
            NeedStatus::Presented => query.filter(needs::presented_at.le(cutoff)),
            _ => query.filter(needs::created_at.le(cutoff)),
        };
        let rows: Vec<(NeedRow, Option<NaiveDateTime>)> = query
            .select((
                (
                    needs::id,
                    needs::title,
                    needs::service_id,
                    needs::portfolio_id,
                    services::portfolio_id.nullable(),
                    needs::created_at,
                ),
                needs::presented_at,
            ))
            .load(conn)?;
        found.extend(
            rows.into_iter()
                .map(|((id, title, s, p, sp, created), presented)| {
                    (id, title, s, p, sp, presented.unwrap_or(created))
                })
                .filter(|row| need_in_reach(reach, row))
                .map(|row| need_finding(rule, row, days)),
        );
    }
    Ok(found)
}

/// Services established since needs were recorded (`established_at` set), still established or
/// under management, that no need points at.
pub(super) fn proposals_without_need(
    conn: &mut DbConnection,
    reach: &Reach,
) -> AppResult<Vec<Finding>> {
    let kept = [
        Lifecycle::Established,
        Lifecycle::InOperation,
        Lifecycle::Decommissioning,
    ]
    .map(Lifecycle::as_str);
    let rows: Vec<(i64, String, String, Option<i64>, NaiveDateTime)> = services::table
        .filter(services::established_at.is_not_null())
        .filter(services::lifecycle.eq_any(kept))
        .filter(service_in_reach(reach))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            need_links::table.filter(need_links::service_id.eq(services::id.nullable())),
        )))
        .select((
            services::id,
            services::slug,
            services::name,
            services::portfolio_id,
            services::established_at.assume_not_null(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, name, portfolio_id, established)| Finding {
            rule: Rule::ProposalWithoutNeed,
            object_type: ObjectKind::Service,
            object_id: id,
            object_slug: Some(slug),
            object_name: name,
            portfolio_id,
            since: Some(established.date()),
            detail: Detail::None,
        })
        .collect())
}

/// Customers with an active delivery (of a service in reach) whose last follow-up is older than
/// `customer_follow_up_months`, or who have none.
pub(super) fn customers_not_followed_up(
    conn: &mut DbConnection,
    reach: &Reach,
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> AppResult<Vec<Finding>> {
    let today = now.date();
    let active: Vec<(i64, String, String, NaiveDate)> = organizations::table
        .inner_join(deliveries::table)
        .filter(deliveries::start_date.le(today))
        .filter(
            deliveries::end_date
                .is_null()
                .or(deliveries::end_date.ge(today)),
        )
        .filter(deliveries::service_id.eq_any(services_in_reach(reach)))
        .select((
            organizations::id,
            organizations::slug,
            organizations::name,
            deliveries::start_date,
        ))
        .load(conn)?;
    let mut customers: Vec<(i64, String, String, NaiveDate)> = Vec::new();
    for (id, slug, name, start) in active {
        match customers.iter_mut().find(|c| c.0 == id) {
            Some(c) => c.3 = c.3.min(start),
            None => customers.push((id, slug, name, start)),
        }
    }
    let ids: Vec<i64> = customers.iter().map(|c| c.0).collect();
    let last: Vec<(i64, Option<NaiveDate>)> = follow_ups::table
        .filter(follow_ups::organization_id.eq_any(&ids))
        .group_by(follow_ups::organization_id)
        .select((
            follow_ups::organization_id,
            diesel::dsl::max(follow_ups::held_on),
        ))
        .load(conn)?;
    let months = thresholds.customer_follow_up_months;
    let cutoff = months_before(now, months).date();
    Ok(customers
        .into_iter()
        .filter_map(|(id, slug, name, first_delivery)| {
            let last = last.iter().find(|l| l.0 == id).and_then(|l| l.1);
            // Due a follow-up `months` after the last one, or after the first delivery began.
            let from = last.unwrap_or(first_delivery);
            (from <= cutoff).then(|| Finding {
                rule: Rule::CustomerFollowUpOverdue,
                object_type: ObjectKind::Organization,
                object_id: id,
                object_slug: Some(slug),
                object_name: name,
                portfolio_id: None,
                since: Some(months_after(from.and_time(chrono::NaiveTime::MIN), months).date()),
                detail: last.map_or(Detail::None, Detail::Date),
            })
        })
        .collect())
}
