//! Findings about the services in operation: managers, supplier cover, their records, their economics.

use super::*;
use crate::db::schema::{contract_services, contracts, role_assignments, services};
use crate::db::scope::service_in_reach;
use crate::db::DbConnection;
use crate::domain::access::Reach;
use crate::domain::contract::ContractKind;
use crate::domain::governance::{service_finding, Rule};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::role::RoleCode;
use crate::error::AppResult;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::{HashMap, HashSet};

pub(super) fn services_in_operation(
    conn: &mut DbConnection,
    reach: &Reach,
) -> AppResult<Vec<ServiceRecord>> {
    let rows: Vec<ServiceRow> = services::table
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
        .load(conn)?;
    Ok(rows.into_iter().map(service_record).collect())
}

/// The columns of a service the rules read, in the order of [`ServiceRecord`].
type ServiceRow = (
    i64,
    String,
    String,
    Option<i64>,
    NaiveDateTime,
    bool,
    Option<String>,
    bool,
    bool,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<i32>,
    Option<NaiveDateTime>,
);

fn service_record(row: ServiceRow) -> ServiceRecord {
    let (id, slug, name, portfolio_id, lifecycle_changed_at, support_process_established) =
        (row.0, row.1, row.2, row.3, row.4, row.5);
    ServiceRecord {
        id,
        slug,
        name,
        portfolio_id,
        lifecycle_changed_at,
        support_process_established,
        ordering_routine: row.6,
        published: row.7,
        self_produced: row.8,
        catalog_reviewed_at: row.9,
        documentation_reviewed_at: row.10,
        security_confidentiality: row.11,
        security_reviewed_at: row.12,
    }
}

/// Services in operation lacking a holder of a role the model requires on the service (the
/// TJF in Sunet's model).
pub(super) fn services_without_manager(
    conn: &mut DbConnection,
    reach: &Reach,
    operating: &[ServiceRecord],
    roles: &[RoleCode],
) -> AppResult<Vec<Finding>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut managers = role_assignments::table
        .filter(role_assignments::role.eq_any(codes(roles)))
        .filter(role_assignments::ended_at.is_null())
        .select((role_assignments::role, role_assignments::service_id))
        .into_boxed();
    if let Some(ids) = only(reach, operating.iter().map(|s| s.id).collect()) {
        managers = managers.filter(role_assignments::service_id.assume_not_null().eq_any(ids));
    }
    let managed = held_everywhere(managers.load::<(String, Option<i64>)>(conn)?, roles);
    let last_ended = last_ended_per(conn, roles, false)?;
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
    operating: &[ServiceRecord],
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

/// Services in operation whose revenue does not cover their costs this year (guidelines 1).
pub(super) fn services_not_self_sustaining(
    conn: &mut DbConnection,
    reach: &Reach,
    operating: &[ServiceRecord],
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
