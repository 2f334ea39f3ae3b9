//! Which contracts a caller sees, and how lists of them filter, order and page.

use super::*;
use crate::db::schema::{contract_services, contracts, organizations, services};
use crate::db::scope::services_in_reach;
use crate::db::{like_pattern, DbConnection, Page};
use crate::domain::access::Reach;
use crate::domain::action::ObjectClass;
use crate::domain::contract::{ContractKind, ContractStatus, Renewal, EXPIRING_DAYS};
use crate::error::AppResult;
use chrono::{NaiveDate, TimeDelta};

/// Contracts the caller may read (docs/governance-model.md): everywhere, or covering a service in reach,
/// or (a KA) every customer contract.
pub fn in_reach(reach: &Reach) -> Condition {
    if reach.everywhere {
        return Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 1"));
    }
    let covering = contracts::id.eq_any(
        contract_services::table
            .filter(contract_services::service_id.eq_any(services_in_reach(reach)))
            .select(contract_services::contract_id),
    );
    if reach.classes.contains(&ObjectClass::CustomerContract) {
        Box::new(covering.or(contracts::kind.eq(ContractKind::Customer.as_str())))
    } else {
        Box::new(covering)
    }
}

#[derive(Debug, Default)]
pub struct ContractFilter {
    pub kind: Option<ContractKind>,
    pub organization_id: Option<i64>,
    pub service_id: Option<i64>,
    pub portfolio_id: Option<i64>,
    pub status: Option<ContractStatus>,
    pub expiring_within_days: Option<i64>,
    pub notice_within_days: Option<i64>,
    pub q: Option<String>,
}

pub const SORT_FIELDS: &[&str] = &[
    "id",
    "reference",
    "title",
    "start_date",
    "current_term_end",
    "notice_deadline",
    "created_at",
    "updated_at",
];

/// The status filter in SQL, matching [`Contract::status_on`].
pub(super) fn status_condition(status: ContractStatus, today: NaiveDate) -> Condition {
    let horizon = today + TimeDelta::days(EXPIRING_DAYS);
    let live = contracts::terminated_on.is_null();
    let not_automatic = contracts::renewal.ne(Renewal::Automatic.as_str());
    match status {
        ContractStatus::Terminated => Box::new(contracts::terminated_on.is_not_null()),
        ContractStatus::Expired => {
            Box::new(live.and(contracts::current_term_end.lt(today).assume_not_null()))
        }
        ContractStatus::Expiring => Box::new(
            live.and(not_automatic).and(
                contracts::current_term_end
                    .between(today, horizon)
                    .assume_not_null(),
            ),
        ),
        ContractStatus::Active => Box::new(
            live.and(
                contracts::current_term_end
                    .is_null()
                    .or(contracts::current_term_end
                        .ge(today)
                        .and(
                            contracts::renewal
                                .eq(Renewal::Automatic.as_str())
                                .nullable()
                                .or(contracts::current_term_end.gt(horizon)),
                        )
                        .assume_not_null()),
            ),
        ),
    }
}

pub(super) fn filtered(
    filter: &ContractFilter,
    reach: &Reach,
    today: NaiveDate,
) -> contracts::BoxedQuery<'static, Backend> {
    let mut q = contracts::table.into_boxed().filter(in_reach(reach));
    if let Some(kind) = filter.kind {
        q = q.filter(contracts::kind.eq(kind.as_str()));
    }
    if let Some(id) = filter.organization_id {
        q = q.filter(contracts::organization_id.eq(id));
    }
    if let Some(id) = filter.service_id {
        q = q.filter(
            contracts::id.eq_any(
                contract_services::table
                    .filter(contract_services::service_id.eq(id))
                    .select(contract_services::contract_id),
            ),
        );
    }
    if let Some(id) = filter.portfolio_id {
        q = q.filter(
            contracts::id.eq_any(
                contract_services::table
                    .filter(
                        contract_services::service_id.eq_any(
                            services::table
                                .filter(services::portfolio_id.eq(id))
                                .select(services::id),
                        ),
                    )
                    .select(contract_services::contract_id),
            ),
        );
    }
    if let Some(status) = filter.status {
        q = q.filter(status_condition(status, today));
    }
    if let Some(days) = filter.expiring_within_days {
        q = q
            .filter(contracts::terminated_on.is_null())
            .filter(contracts::renewal.ne(Renewal::Automatic.as_str()))
            .filter(contracts::current_term_end.between(today, today + TimeDelta::days(days)));
    }
    if let Some(days) = filter.notice_within_days {
        q = q
            .filter(contracts::terminated_on.is_null())
            .filter(contracts::notice_deadline.between(today, today + TimeDelta::days(days)));
    }
    if let Some(text) = &filter.q {
        q = q.filter(contracts::search_text.like(like_pattern(text)).escape('\\'));
    }
    q
}

/// A contract with its organisation's slug and name.
pub type ContractRow = (Contract, String, String);

pub fn list(
    conn: &mut DbConnection,
    filter: &ContractFilter,
    reach: &Reach,
    page: &Page,
    today: NaiveDate,
) -> AppResult<(i64, Vec<ContractRow>)> {
    let count = filtered(filter, reach, today).count().get_result(conn)?;
    let q = filtered(filter, reach, today);
    let q = match (page.sort.field.as_str(), page.sort.descending) {
        ("reference", false) => q.order(contracts::reference.asc()),
        ("reference", true) => q.order(contracts::reference.desc()),
        ("title", false) => q.order(contracts::title.asc()),
        ("title", true) => q.order(contracts::title.desc()),
        ("start_date", false) => q.order(contracts::start_date.asc()),
        ("start_date", true) => q.order(contracts::start_date.desc()),
        ("current_term_end", false) => q.order(contracts::current_term_end.asc()),
        ("current_term_end", true) => q.order(contracts::current_term_end.desc()),
        ("notice_deadline", false) => q.order(contracts::notice_deadline.asc()),
        ("notice_deadline", true) => q.order(contracts::notice_deadline.desc()),
        ("created_at", false) => q.order(contracts::created_at.asc()),
        ("created_at", true) => q.order(contracts::created_at.desc()),
        ("updated_at", false) => q.order(contracts::updated_at.asc()),
        ("updated_at", true) => q.order(contracts::updated_at.desc()),
        (_, true) => q.order(contracts::id.desc()),
        (_, false) => q.order(contracts::id.asc()),
    };
    let page_rows: Vec<Contract> = q
        .then_order_by(contracts::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .select(Contract::as_select())
        .load(conn)?;
    let organization_ids: Vec<i64> = page_rows.iter().map(|c| c.organization_id).collect();
    let names: Vec<(i64, String, String)> = organizations::table
        .filter(organizations::id.eq_any(organization_ids))
        .select((organizations::id, organizations::slug, organizations::name))
        .load(conn)?;
    let rows = page_rows
        .into_iter()
        .map(|c| {
            let (slug, name) = names
                .iter()
                .find(|(id, _, _)| *id == c.organization_id)
                .map(|(_, s, n)| (s.clone(), n.clone()))
                .unwrap_or_default();
            (c, slug, name)
        })
        .collect();
    Ok((count, rows))
}

/// The ids of the contracts in reach, in order (what a list of every contract would show).
pub fn ids_in_reach(conn: &mut DbConnection, reach: &Reach) -> AppResult<Vec<i64>> {
    Ok(contracts::table
        .filter(in_reach(reach))
        .select(contracts::id)
        .order(contracts::id)
        .load(conn)?)
}
