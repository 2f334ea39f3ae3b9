//! The governance findings and the economics of each service, computed set-based: a fixed
//! number of queries whatever the number of portfolios, services, contracts or assignments,
//! each filtered to the caller's reach in SQL. The rules themselves are `domain::governance`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::max;
use diesel::prelude::*;

use super::contracts::in_reach as contract_in_reach;
use super::deliveries;
use super::schema::{
    change_requests, contract_services, contracts, exchange_rates, people, plan_items,
    plan_versions, plans, portfolios, role_assignments, services,
};
use super::scope::{portfolio_in_reach, service_in_reach, services_in_reach};
use super::DbConnection;
use crate::domain::access::Reach;
use crate::domain::contract::{ContractKind, Renewal};
use crate::domain::governance::{
    days_before, days_in_year, months_after, months_before, prorated_sek_minor, Rate, Rule,
    Thresholds,
};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::plan::{ChangeRequestStatus, PlanStatus};
use crate::domain::role::RoleCode;
use crate::error::AppResult;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectKind {
    Portfolio,
    Service,
    Delivery,
    Plan,
    ChangeRequest,
    Contract,
    RoleAssignment,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Portfolio => "portfolio",
            ObjectKind::Service => "service",
            ObjectKind::Delivery => "delivery",
            ObjectKind::Plan => "plan",
            ObjectKind::ChangeRequest => "change_request",
            ObjectKind::Contract => "contract",
            ObjectKind::RoleAssignment => "role_assignment",
        }
    }
}

/// One rule broken by one object, with what its messages name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub object_type: ObjectKind,
    pub object_id: i64,
    pub object_slug: Option<String>,
    /// The object's name or title, for the messages.
    pub object_name: String,
    pub portfolio_id: Option<i64>,
    /// When it became true, where that can be known.
    pub since: Option<NaiveDate>,
    /// The rule's particulars (a year, a deadline, a reason), for the messages.
    pub detail: Detail,
}

/// What a message says beyond the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    None,
    Year(i32),
    Date(NaiveDate),
    Text(String),
    Amount(i64),
}

/// A service under management, with what the service rules read.
#[derive(Debug, Clone, Queryable)]
struct ServiceFacts {
    id: i64,
    slug: String,
    name: String,
    portfolio_id: Option<i64>,
    lifecycle_changed_at: NaiveDateTime,
    support_process_established: bool,
    ordering_routine: Option<String>,
    published: bool,
    self_produced: bool,
    catalog_reviewed_at: Option<NaiveDateTime>,
    documentation_reviewed_at: Option<NaiveDateTime>,
    security_confidentiality: Option<i32>,
    security_reviewed_at: Option<NaiveDateTime>,
}

/// Every finding in reach on `now`: a fixed number of queries (about twenty), whatever the
/// size of the data.
/// What a caller may see of the findings: the report's own scope, and where a finding is about
/// an object with a read rule of its own (a contract, a change request, a service's figures),
/// that rule's reach too, so that no finding shows what the object's own endpoint would refuse.
pub struct Sight {
    pub report: Reach,
    pub contracts: Reach,
    pub change_requests: Reach,
    pub economics: Reach,
}

pub fn findings(
    conn: &mut DbConnection,
    sight: &Sight,
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> AppResult<Vec<Finding>> {
    let reach = &sight.report;
    let today = now.date();
    let mut found = Vec::new();
    found.extend(portfolios_without_owner(conn, reach)?);
    found.extend(plans_missing(conn, reach, thresholds, today)?);
    found.extend(plan_deviations(conn, reach)?);
    let operating = services_in_operation(conn, reach)?;
    found.extend(services_without_manager(conn, reach, &operating)?);
    found.extend(services_without_supplier_contract(
        conn, reach, &operating, today,
    )?);
    found.extend(service_record_findings(&operating, thresholds, now));
    found.extend(deliveries_without_contract(conn, reach, today)?);
    found.extend(change_requests_waiting(conn, sight, thresholds, now)?);
    found.extend(contracts_notice_due(conn, sight, thresholds, today)?);
    found.extend(assignments_not_accepted(conn, reach, thresholds, now)?);
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

fn portfolios_without_owner(conn: &mut DbConnection, reach: &Reach) -> AppResult<Vec<Finding>> {
    let active = active_portfolios(conn, reach)?;
    let mut owners = role_assignments::table
        .filter(role_assignments::role.eq(RoleCode::ServiceOwner.as_str()))
        .filter(role_assignments::ended_at.is_null())
        .select(role_assignments::portfolio_id)
        .into_boxed();
    let ids: Vec<i64> = active.iter().map(|p| p.0).collect();
    if let Some(ids) = only(reach, ids) {
        owners = owners.filter(role_assignments::portfolio_id.assume_not_null().eq_any(ids));
    }
    let owned: HashSet<i64> = owners
        .load::<Option<i64>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    let last_ended = last_ended_per(conn, RoleCode::ServiceOwner, true)?;
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
fn last_ended_per(
    conn: &mut DbConnection,
    role: RoleCode,
    on_portfolio: bool,
) -> AppResult<HashMap<i64, NaiveDateTime>> {
    let base = role_assignments::table
        .filter(role_assignments::role.eq(role.as_str()))
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

fn services_in_operation(conn: &mut DbConnection, reach: &Reach) -> AppResult<Vec<ServiceFacts>> {
    Ok(services::table
        .filter(service_in_reach(reach))
        .filter(services::lifecycle.eq(Lifecycle::InOperation.as_str()))
        .select((
            services::id,
            services::slug,
            services::name,
            services::portfolio_id,
            services::lifecycle_changed_at,
            services::support_process_established,
            services::ordering_routine,
            services::published,
            services::self_produced,
            services::catalog_reviewed_at,
            services::documentation_reviewed_at,
            services::security_confidentiality,
            services::security_reviewed_at,
        ))
        .order(services::id)
        .load(conn)?)
}

fn service_finding(service: &ServiceFacts, rule: Rule, since: Option<NaiveDate>) -> Finding {
    Finding {
        rule,
        object_type: ObjectKind::Service,
        object_id: service.id,
        object_slug: Some(service.slug.clone()),
        object_name: service.name.clone(),
        portfolio_id: service.portfolio_id,
        since,
        detail: Detail::None,
    }
}

fn services_without_manager(
    conn: &mut DbConnection,
    reach: &Reach,
    operating: &[ServiceFacts],
) -> AppResult<Vec<Finding>> {
    let mut managers = role_assignments::table
        .filter(role_assignments::role.eq(RoleCode::ServiceManager.as_str()))
        .filter(role_assignments::ended_at.is_null())
        .select(role_assignments::service_id)
        .into_boxed();
    if let Some(ids) = only(reach, operating.iter().map(|s| s.id).collect()) {
        managers = managers.filter(role_assignments::service_id.assume_not_null().eq_any(ids));
    }
    let managed: HashSet<i64> = managers
        .load::<Option<i64>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    let last_ended = last_ended_per(conn, RoleCode::ServiceManager, false)?;
    Ok(operating
        .iter()
        .filter(|s| !managed.contains(&s.id))
        .map(|s| {
            let since = last_ended
                .get(&s.id)
                .copied()
                .unwrap_or(s.lifecycle_changed_at)
                .max(s.lifecycle_changed_at);
            service_finding(s, Rule::ServiceWithoutManager, Some(since.date()))
        })
        .collect())
}

fn services_without_supplier_contract(
    conn: &mut DbConnection,
    reach: &Reach,
    operating: &[ServiceFacts],
    today: NaiveDate,
) -> AppResult<Vec<Finding>> {
    let mut cover = contract_services::table
        .inner_join(contracts::table)
        .filter(contracts::kind.eq(ContractKind::Supplier.as_str()))
        .filter(contracts::terminated_on.is_null())
        .filter(contracts::start_date.le(today))
        .filter(
            contracts::current_term_end
                .is_null()
                .or(contracts::current_term_end.ge(today)),
        )
        .select(contract_services::service_id)
        .distinct()
        .into_boxed();
    if let Some(ids) = only(reach, operating.iter().map(|s| s.id).collect()) {
        cover = cover.filter(contract_services::service_id.eq_any(ids));
    }
    let covered: HashSet<i64> = cover.load::<i64>(conn)?.into_iter().collect();
    Ok(operating
        .iter()
        .filter(|s| !s.self_produced && !covered.contains(&s.id))
        .map(|s| service_finding(s, Rule::ServiceWithoutSupplierContract, None))
        .collect())
}

/// The rules that read only the service's own record: reviews, classification, support.
fn service_record_findings(
    operating: &[ServiceFacts],
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> Vec<Finding> {
    let overdue = |reviewed: Option<NaiveDateTime>, months: u32| match reviewed {
        None => Some(None),
        Some(at) if at <= months_before(now, months) => Some(Some(months_after(at, months).date())),
        Some(_) => None,
    };
    let mut found = Vec::new();
    for s in operating {
        if s.published {
            if let Some(since) = overdue(s.catalog_reviewed_at, thresholds.catalogue_review_months)
            {
                found.push(service_finding(s, Rule::CatalogueReviewOverdue, since));
            }
        }
        if let Some(since) = overdue(
            s.documentation_reviewed_at,
            thresholds.documentation_review_months,
        ) {
            found.push(service_finding(s, Rule::DocumentationReviewOverdue, since));
        }
        // An unclassified service is overdue whatever its review time says (the three levels
        // are written together, so one column tells).
        let reviewed = s.security_confidentiality.and(s.security_reviewed_at);
        if let Some(since) = overdue(reviewed, thresholds.security_review_months) {
            let mut finding = service_finding(s, Rule::SecurityReviewOverdue, since);
            if s.security_confidentiality.is_none() {
                finding.detail = Detail::Text("unclassified".into());
            }
            found.push(finding);
        }
        let routine_missing = s
            .ordering_routine
            .as_deref()
            .is_none_or(|r| r.trim().is_empty());
        if !s.support_process_established || routine_missing {
            let mut finding = service_finding(s, Rule::SupportOrOrderingMissing, None);
            finding.detail = Detail::Text(
                match (!s.support_process_established, routine_missing) {
                    (true, true) => "both",
                    (true, false) => "support",
                    _ => "ordering",
                }
                .into(),
            );
            found.push(finding);
        }
    }
    found
}

/// The coverage report's own query (one implementation of guidelines 4.7).
fn deliveries_without_contract(
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

fn change_requests_waiting(
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

fn contracts_notice_due(
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

fn first_portfolio_of_contracts(
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

fn assignments_not_accepted(
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
    let service_ids: Vec<i64> = rows.iter().filter_map(|r| r.4).collect();
    let mut service_portfolio: HashMap<i64, Option<i64>> = HashMap::new();
    for chunk in service_ids.chunks(10_000) {
        service_portfolio.extend(
            services::table
                .filter(services::id.eq_any(chunk.to_vec()))
                .select((services::id, services::portfolio_id))
                .load::<(i64, Option<i64>)>(conn)?,
        );
    }
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

fn services_not_self_sustaining(
    conn: &mut DbConnection,
    reach: &Reach,
    operating: &[ServiceFacts],
    today: NaiveDate,
) -> AppResult<Vec<Finding>> {
    use chrono::Datelike;
    let economics = economics(conn, reach, today.year())?;
    let by_service: HashMap<i64, &ServiceEconomics> = economics
        .services
        .iter()
        .map(|e| (e.service_id, e))
        .collect();
    Ok(operating
        .iter()
        .filter_map(|s| {
            let e = by_service.get(&s.id)?;
            // Incomplete figures (a missing rate) are reported by the economics report.
            if !e.missing_rates.is_empty() || e.result() >= 0 {
                return None;
            }
            let mut finding = service_finding(s, Rule::ServiceNotSelfSustaining, None);
            finding.detail = Detail::Amount(e.result());
            Some(finding)
        })
        .collect())
}

/// One service's year in öre (SEK).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEconomics {
    pub service_id: i64,
    pub slug: String,
    pub name: String,
    pub portfolio_id: Option<i64>,
    pub revenue: i64,
    pub supplier_costs: i64,
    pub management_costs: i64,
    /// Currencies without a rate for the year: their contracts are left out of the figures.
    pub missing_rates: Vec<String>,
}

impl ServiceEconomics {
    pub fn result(&self) -> i64 {
        self.revenue - self.supplier_costs - self.management_costs
    }
}

/// The economics of every service in reach for `year`.
pub struct Economics {
    pub year: i32,
    pub services: Vec<ServiceEconomics>,
}

/// A contract's share of one service, as the year's arithmetic reads it.
#[derive(Debug, Clone, Queryable)]
struct ShareRow {
    service_id: i64,
    share_percent: i32,
    kind: String,
    annual_value_minor: i64,
    currency: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    renewal: String,
    terminated_on: Option<NaiveDate>,
}

impl ShareRow {
    /// The last day in force: the termination date, else the end of a term that does not
    /// renew by itself; automatic renewal runs on until terminated.
    fn last_day(&self) -> Option<NaiveDate> {
        match self.terminated_on {
            Some(day) => Some(self.end_date.map_or(day, |end| end.min(day))),
            None if self.renewal == Renewal::Automatic.as_str() => None,
            None => self.end_date,
        }
    }
}

/// Revenue (customer contracts), supplier costs (supplier contracts) — each contract's annual
/// value × the service's share, pro rata for its days in force in the year, converted with
/// the controller's rate — and management costs (the approved plan's activities for the
/// service, and its unassigned activities spread evenly over the portfolio's services), per
/// service in reach. Five queries.
pub fn economics(conn: &mut DbConnection, reach: &Reach, year: i32) -> AppResult<Economics> {
    let (first, last) = (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX),
    );
    let managed = [
        Lifecycle::Established.as_str(),
        Lifecycle::InOperation.as_str(),
        Lifecycle::Decommissioning.as_str(),
    ];
    let listed: Vec<(i64, String, String, Option<i64>)> = services::table
        .filter(service_in_reach(reach))
        .filter(services::lifecycle.eq_any(managed))
        .select((
            services::id,
            services::slug,
            services::name,
            services::portfolio_id,
        ))
        .order(services::id)
        .load(conn)?;
    let shares: Vec<ShareRow> = contract_services::table
        .inner_join(contracts::table)
        .filter(contract_services::service_id.eq_any(services_in_reach(reach)))
        .filter(contracts::start_date.le(last))
        .filter(
            contracts::terminated_on
                .is_null()
                .or(contracts::terminated_on.ge(first)),
        )
        .select((
            contract_services::service_id,
            contract_services::share_percent,
            contracts::kind,
            contracts::annual_value_minor,
            contracts::currency,
            contracts::start_date,
            contracts::end_date,
            contracts::renewal,
            contracts::terminated_on,
        ))
        .load(conn)?;
    let rates: HashMap<String, Rate> = exchange_rates::table
        .filter(exchange_rates::year.eq(year))
        .select((exchange_rates::currency, exchange_rates::sek_per_unit_micro))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(c, r)| (c, Rate(r)))
        .collect();
    let portfolio_ids: Vec<i64> = {
        let set: HashSet<i64> = listed.iter().filter_map(|s| s.3).collect();
        set.into_iter().collect()
    };
    let approved = [PlanStatus::Approved.as_str(), PlanStatus::Closed.as_str()];
    let items: Vec<(i64, Option<i64>, i64)> = plan_items::table
        .inner_join(plans::table)
        .filter(plans::year.eq(year))
        .filter(plans::status.eq_any(approved))
        .filter(plans::portfolio_id.eq_any(portfolio_ids.clone()))
        .select((
            plans::portfolio_id,
            plan_items::service_id,
            plan_items::planned_cost_minor,
        ))
        .load(conn)?;
    // The services an unassigned activity is spread over: every managed service of the
    // portfolio, in reach or not, so a TÄ's and the management group's figures agree.
    let members: Vec<(i64, Option<i64>)> = services::table
        .filter(services::portfolio_id.eq_any(portfolio_ids.clone()))
        .filter(services::lifecycle.eq_any(managed))
        .select((services::id, services::portfolio_id))
        .order(services::id)
        .load(conn)?;

    let mut figures: BTreeMap<i64, ServiceEconomics> = listed
        .into_iter()
        .map(|(id, slug, name, portfolio_id)| {
            (
                id,
                ServiceEconomics {
                    service_id: id,
                    slug,
                    name,
                    portfolio_id,
                    revenue: 0,
                    supplier_costs: 0,
                    management_costs: 0,
                    missing_rates: Vec::new(),
                },
            )
        })
        .collect();
    for share in &shares {
        let Some(entry) = figures.get_mut(&share.service_id) else {
            continue;
        };
        let days = days_in_year(year, share.start_date, share.last_day());
        if days.0 == 0 {
            continue;
        }
        let rate = if share.currency == "SEK" {
            Rate::ONE
        } else if let Some(rate) = rates.get(&share.currency) {
            *rate
        } else {
            if !entry.missing_rates.contains(&share.currency) {
                entry.missing_rates.push(share.currency.clone());
            }
            continue;
        };
        let amount = prorated_sek_minor(share.annual_value_minor, share.share_percent, days, rate);
        if share.kind == ContractKind::Customer.as_str() {
            entry.revenue += amount;
        } else {
            entry.supplier_costs += amount;
        }
    }
    let mut unassigned: HashMap<i64, i64> = HashMap::new();
    for (portfolio_id, service_id, cost) in items {
        match service_id.and_then(|s| figures.get_mut(&s)) {
            Some(entry) => entry.management_costs += cost,
            None if service_id.is_none() => *unassigned.entry(portfolio_id).or_default() += cost,
            // An activity of a service out of reach or no longer managed: not this report's.
            None => {}
        }
    }
    let mut by_portfolio: HashMap<i64, Vec<i64>> = HashMap::new();
    for (service, portfolio) in members {
        if let Some(p) = portfolio {
            by_portfolio.entry(p).or_default().push(service);
        }
    }
    for (portfolio, total) in unassigned {
        let Some(services) = by_portfolio.get(&portfolio) else {
            continue;
        };
        // Even shares in whole öre; the first services by id take the remainder, one öre each,
        // so the parts always sum to the whole.
        let n = services.len() as i64;
        for (i, service) in services.iter().enumerate() {
            let part = total / n + i64::from((i as i64) < total % n);
            if let Some(entry) = figures.get_mut(service) {
                entry.management_costs += part;
            }
        }
    }
    for entry in figures.values_mut() {
        entry.missing_rates.sort();
    }
    Ok(Economics {
        year,
        services: figures.into_values().collect(),
    })
}
