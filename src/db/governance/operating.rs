//! Findings about the services in operation: managers, supplier cover, their records, their economics.

use super::*;
use crate::db::schema::{contract_services, contracts, role_assignments, services};
use crate::db::scope::service_in_reach;
use crate::db::DbConnection;
use crate::domain::access::Reach;
use crate::domain::contract::ContractKind;
use crate::domain::governance::{months_after, months_before, Rule, Thresholds};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::role::RoleCode;
use crate::error::AppResult;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::{HashMap, HashSet};

pub(super) fn services_in_operation(
    conn: &mut DbConnection,
    reach: &Reach,
) -> AppResult<Vec<ServiceFacts>> {
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

pub(super) fn service_finding(
    service: &ServiceFacts,
    rule: Rule,
    since: Option<NaiveDate>,
) -> Finding {
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

pub(super) fn services_without_manager(
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

pub(super) fn services_without_supplier_contract(
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
pub(super) fn service_record_findings(
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
pub(super) fn services_not_self_sustaining(
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
