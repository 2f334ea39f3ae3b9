//! Leverantörsavtal and kundavtal, with the services each covers and its share of each.
//!
//! The dates that follow from a contract's terms (`current_term_end`, `notice_deadline`) are
//! stored, so that lists filter, order and page by them in SQL; automatic renewal moves them
//! forward as time passes, which [`catch_up_terms`] catches up on before contracts are read.

mod listing;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{contract_services, contracts, services};
use crate::db::DbConnection;
use crate::domain::action::ObjectClass;
use crate::domain::contract::{ContractKind, ContractStatus, OrganizationKind, Renewal, Terms};
use crate::domain::money::{Currency, Money};
use crate::error::{AppError, AppResult};

pub use listing::*;

type Backend = <DbConnection as diesel::Connection>::Backend;
type Condition =
    Box<dyn BoxableExpression<contracts::table, Backend, SqlType = diesel::sql_types::Bool>>;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contracts)]
pub struct Contract {
    pub id: i64,
    pub kind: String,
    pub organization_id: i64,
    pub title: String,
    pub reference: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub notice_period_months: i32,
    pub renewal: String,
    pub renewal_term_months: Option<i32>,
    pub annual_value_minor: i64,
    pub currency: String,
    pub document_url: Option<String>,
    pub responsible: String,
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    pub current_term_end: Option<NaiveDate>,
    pub notice_deadline: Option<NaiveDate>,
    pub search_text: String,
    pub version: i64,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub updated_at: NaiveDateTime,
}

impl Contract {
    /// The stored kind; the CHECK constraint keeps it one of the two.
    pub fn kind(&self) -> ContractKind {
        self.kind.parse().unwrap_or(ContractKind::Supplier)
    }

    pub fn renewal(&self) -> Renewal {
        self.renewal.parse().unwrap_or(Renewal::None)
    }

    pub fn terms(&self) -> Terms {
        Terms {
            start_date: self.start_date,
            end_date: self.end_date,
            notice_period_months: self.notice_period_months.max(0) as u32,
            renewal: self.renewal(),
            renewal_term_months: self.renewal_term_months.map(|m| m.max(0) as u32),
        }
    }

    pub fn annual_value(&self) -> Money {
        Money::new(
            self.annual_value_minor,
            Currency::parse(&self.currency).unwrap_or(Currency::SEK),
        )
    }

    pub fn responsible(&self) -> Vec<String> {
        serde_json::from_str(&self.responsible).unwrap_or_default()
    }

    /// The policy's class of this contract.
    pub fn class(&self) -> Option<ObjectClass> {
        (self.kind() == ContractKind::Customer).then_some(ObjectClass::CustomerContract)
    }

    /// The status on `today` (the stored dates are current: see [`refresh_terms`]).
    pub fn status_on(&self, today: NaiveDate) -> ContractStatus {
        let dates = crate::domain::contract::TermDates {
            current_term_end: self.current_term_end,
            notice_deadline: self.notice_deadline,
        };
        crate::domain::contract::status_on(
            today,
            &dates,
            self.renewal(),
            self.terminated_on.is_some(),
        )
    }

    /// In force on `day`: started, not past its term, not terminated.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.terminated_on.is_none()
            && self.start_date <= day
            && self.current_term_end.is_none_or(|end| end >= day)
    }
}

/// One covered service of a contract, with what the views and the policy need of it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Covered {
    pub contract_id: i64,
    pub service_id: i64,
    pub share_percent: i32,
    pub service_slug: String,
    pub portfolio_id: Option<i64>,
}

/// Every writable field of a contract, already parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractFields {
    pub kind: ContractKind,
    pub organization_id: i64,
    pub title: String,
    pub reference: String,
    pub terms: Terms,
    pub annual_value: Money,
    pub document_url: Option<String>,
    pub responsible: Vec<String>,
    /// (service id, share in percent)
    pub services: Vec<(i64, i64)>,
}

impl ContractFields {
    fn search_text(&self) -> String {
        format!("{} {}", self.title, self.reference).to_lowercase()
    }
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Contract> {
    contracts::table
        .find(id)
        .select(Contract::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no such contract."))
}

/// The covered services of these contracts, in one query.
pub fn covered(conn: &mut DbConnection, contract_ids: &[i64]) -> AppResult<Vec<Covered>> {
    Ok(contract_services::table
        .inner_join(services::table)
        .filter(contract_services::contract_id.eq_any(contract_ids))
        .order((
            contract_services::contract_id,
            contract_services::service_id,
        ))
        .select((
            contract_services::contract_id,
            contract_services::service_id,
            contract_services::share_percent,
            services::slug,
            services::portfolio_id,
        ))
        .load(conn)?)
}

fn write_services(conn: &mut DbConnection, id: i64, shares: &[(i64, i64)]) -> AppResult<()> {
    diesel::delete(contract_services::table.filter(contract_services::contract_id.eq(id)))
        .execute(conn)?;
    // One statement per service: a contract covers a handful, and SQLite over diesel's
    // MultiConnection has no batch insert.
    for (service, share) in shares {
        diesel::insert_into(contract_services::table)
            .values((
                contract_services::contract_id.eq(id),
                contract_services::service_id.eq(*service),
                contract_services::share_percent.eq(*share as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The columns a contract's fields are written to, by insert and update alike (its kind is
/// written once, at insert). The term dates are derived for the day of the write.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contracts, treat_none_as_null = true, treat_none_as_default_value = false)]
struct ContractColumns<'a> {
    organization_id: i64,
    title: &'a str,
    reference: &'a str,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    notice_period_months: i32,
    renewal: &'static str,
    renewal_term_months: Option<i32>,
    annual_value_minor: i64,
    currency: &'a str,
    document_url: Option<&'a str>,
    responsible: String,
    current_term_end: Option<NaiveDate>,
    notice_deadline: Option<NaiveDate>,
    search_text: String,
}

impl<'a> ContractColumns<'a> {
    fn of(fields: &'a ContractFields, today: NaiveDate) -> Self {
        let terms = &fields.terms;
        let dates = terms.dates_on(today);
        ContractColumns {
            organization_id: fields.organization_id,
            title: &fields.title,
            reference: &fields.reference,
            start_date: terms.start_date,
            end_date: terms.end_date,
            notice_period_months: terms.notice_period_months as i32,
            renewal: terms.renewal.as_str(),
            renewal_term_months: terms.renewal_term_months.map(|m| m as i32),
            annual_value_minor: fields.annual_value.minor,
            currency: fields.annual_value.currency.as_str(),
            document_url: fields.document_url.as_deref(),
            responsible: responsible_json(&fields.responsible),
            current_term_end: dates.current_term_end,
            notice_deadline: dates.notice_deadline,
            search_text: fields.search_text(),
        }
    }
}

pub fn insert(
    conn: &mut DbConnection,
    fields: &ContractFields,
    today: NaiveDate,
) -> AppResult<Contract> {
    let now = super::now();
    let contract: Contract = diesel::insert_into(contracts::table)
        .values((
            ContractColumns::of(fields, today),
            contracts::kind.eq(fields.kind.as_str()),
            contracts::version.eq(1),
            contracts::created_at.eq(now),
            contracts::updated_at.eq(now),
        ))
        .returning(contracts::all_columns)
        .get_result(conn)?;
    write_services(conn, contract.id, &fields.services)?;
    Ok(contract)
}

fn responsible_json(subs: &[String]) -> String {
    serde_json::to_string(subs).unwrap_or_else(|_| "[]".into())
}

/// Writes `fields` if the row still has `current.version`.
pub fn update(
    conn: &mut DbConnection,
    current: &Contract,
    fields: &ContractFields,
    today: NaiveDate,
) -> AppResult<Contract> {
    let updated: Contract =
        crate::db::update_versioned!(conn, contracts, current, ContractColumns::of(fields, today))?;
    if fields.services != current_shares(conn, current.id)? {
        write_services(conn, current.id, &fields.services)?;
    }
    Ok(updated)
}

fn current_shares(conn: &mut DbConnection, id: i64) -> AppResult<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i32)> = contract_services::table
        .filter(contract_services::contract_id.eq(id))
        .order(contract_services::service_id)
        .select((
            contract_services::service_id,
            contract_services::share_percent,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(s, p)| (s, i64::from(p))).collect())
}

/// Records the termination (the contract ends on `date`) if the row still has `current.version`.
pub fn terminate(
    conn: &mut DbConnection,
    current: &Contract,
    date: NaiveDate,
    reason: &str,
) -> AppResult<Contract> {
    crate::db::update_versioned!(
        conn,
        contracts,
        current,
        (
            contracts::terminated_on.eq(Some(date)),
            contracts::termination_reason.eq(Some(reason)),
        )
    )
}

/// Before a read that uses the stored term dates: rolls them forward to today through the
/// write path, once a day per process. Writes compute the dates of the day they write, so
/// once caught up on a day, the dates stay current until the next.
pub async fn catch_up_terms(pool: &super::DbPool) -> AppResult<()> {
    fn caught_up(pool: &super::DbPool) -> std::sync::MutexGuard<'_, Option<NaiveDate>> {
        // A plain date: a panic elsewhere cannot leave it half written.
        pool.terms_caught_up
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
    let today = super::today();
    if *caught_up(pool) == Some(today) {
        return Ok(());
    }
    super::run_write(pool, move |conn| refresh_terms(conn, today)).await?;
    *caught_up(pool) = Some(today);
    Ok(())
}

/// Rolls the stored term dates of automatically renewing contracts forward to `today`. Only
/// rows whose term ended since the last catch-up are touched (an index range on
/// `current_term_end`), each by a compare-and-write, so concurrent catch-ups are harmless. The
/// dates are derived, so this is no change of the contract: no version, no audit event.
pub fn refresh_terms(conn: &mut DbConnection, today: NaiveDate) -> AppResult<usize> {
    let stale: Vec<Contract> = contracts::table
        .filter(contracts::current_term_end.lt(today))
        .filter(contracts::renewal.eq(Renewal::Automatic.as_str()))
        .filter(contracts::terminated_on.is_null())
        .select(Contract::as_select())
        .load(conn)?;
    for contract in &stale {
        let dates = contract.terms().dates_on(today);
        diesel::update(
            contracts::table
                .filter(contracts::id.eq(contract.id))
                .filter(contracts::current_term_end.eq(contract.current_term_end)),
        )
        .set((
            contracts::current_term_end.eq(dates.current_term_end),
            contracts::notice_deadline.eq(dates.notice_deadline),
        ))
        .execute(conn)?;
    }
    Ok(stale.len())
}

/// Contracts of organisation `id` that would not fit it if it were of `kind`.
pub fn count_of_organization_not_fitting(
    conn: &mut DbConnection,
    id: i64,
    kind: OrganizationKind,
) -> AppResult<i64> {
    let fitting: Vec<&str> = ContractKind::ALL
        .iter()
        .filter(|k| k.counterpart() == kind)
        .map(|k| k.as_str())
        .collect();
    Ok(contracts::table
        .filter(contracts::organization_id.eq(id))
        .filter(contracts::kind.ne_all(fitting))
        .count()
        .get_result(conn)?)
}

/// The contracts with these references (an import's rows, in chunks of [`super::IN_CHUNK`]).
pub fn with_references(conn: &mut DbConnection, references: &[String]) -> AppResult<Vec<Contract>> {
    let mut found = Vec::new();
    for chunk in references.chunks(super::IN_CHUNK) {
        found.extend(
            contracts::table
                .filter(contracts::reference.eq_any(chunk))
                .select(Contract::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// (id, reference) of each of these contracts that exists.
pub fn references_of(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(super::IN_CHUNK) {
        found.extend(
            contracts::table
                .filter(contracts::id.eq_any(chunk))
                .select((contracts::id, contracts::reference))
                .load::<(i64, String)>(conn)?,
        );
    }
    Ok(found)
}
