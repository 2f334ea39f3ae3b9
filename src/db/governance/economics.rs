//! The economics of each service for a year: revenue, supplier and management costs, exact in öre.

use crate::db::schema::{
    contract_services, contracts, exchange_rates, plan_items, plans, services,
};
use crate::db::scope::{service_in_reach, services_in_reach};
use crate::db::DbConnection;
use crate::domain::access::Reach;
use crate::domain::contract::{ContractKind, Renewal};
use crate::domain::governance::{days_in_year, prorated_sek_minor, Rate};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::plan::PlanStatus;
use crate::error::AppResult;
use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

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
pub(super) struct ShareRow {
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
