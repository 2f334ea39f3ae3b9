//! Importing contracts, matched by `reference`: each row read as `POST /contracts` reads its
//! body (organizations and services by slug), an existing contract changed as `PATCH` would,
//! and a termination in the file applied as `POST /contracts/{id}/terminate` would — each
//! under the same policy (the controller; TÄ, TS[contracts] in scope of every covered service).

mod row;

use std::collections::HashMap;

use chrono::NaiveDate;

use super::file::Columns;
use super::record::{Record, RowReader};
use super::run::{Kind, Planned, Step};
use crate::api::contracts::{change, places_of, targets, ContractPatch, ContractView};
use crate::auth::policy::{Action, Caller, Grant};
use crate::db::audit::Change;
use crate::db::contracts::{self, Contract, ContractFields, Covered};
use crate::db::organizations::{self, Organization};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};
use row::Shares;

pub struct Contracts;

/// What the rows name, looked up once for the whole file.
pub struct Known {
    contracts: HashMap<String, Contract>,
    /// The covered services of those contracts, by contract id.
    covered: HashMap<i64, Vec<Covered>>,
    organizations: HashMap<String, Organization>,
    /// The slug and name of those contracts' organizations as they are (for the audit's
    /// "before" when a row names another).
    names: HashMap<i64, (String, String)>,
    /// Services by slug: id and portfolio.
    services: HashMap<String, (i64, Option<i64>)>,
    today: NaiveDate,
}

/// A planned contract write: its fields (none when only a termination is new), and a
/// termination to record after them.
pub struct Write {
    current: Option<(Box<Contract>, ContractView)>,
    fields: Option<(ContractFields, Grant)>,
    organization: (String, String),
    shares: Shares,
    termination: Option<(NaiveDate, String, Grant)>,
}

impl Kind for Contracts {
    const COLUMNS: Columns = Columns {
        kind: "contracts",
        export: <ContractView as crate::api::CsvRecord>::HEADER,
        required: &[
            "kind",
            "reference",
            "title",
            "organization_slug",
            "services",
            "start_date",
            "annual_value_amount",
            "annual_value_currency",
        ],
        ignored: &[
            "id",
            "organization_name",
            "current_term_end",
            "notice_deadline",
            "expires_in_days",
            "status",
        ],
    };
    const KEY: &'static str = "reference";
    const GROWS: &'static [&'static str] = &["contracts", "contract_services"];
    type Write = Write;
    type Known = Known;

    fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
        look_up(conn, records)
    }

    fn plan_row(
        _conn: &mut DbConnection,
        caller: &Caller,
        record: &Record,
        known: &mut Known,
    ) -> AppResult<Planned<Write>> {
        Ok(plan_row(caller, record, known))
    }

    fn apply(
        conn: &mut DbConnection,
        _caller: &Caller,
        write: &Write,
    ) -> AppResult<(i64, Vec<Change>)> {
        let today = db::today();
        let places = write.shares.places();
        let organization = (write.organization.0.as_str(), write.organization.1.as_str());
        let view =
            |c: &Contract| ContractView::of(c, organization, &write.shares.covered(c.id), today);
        let mut changes = Vec::new();
        let mut contract = match (&write.current, &write.fields) {
            (None, Some((fields, grant))) => {
                let created = contracts::insert(conn, fields, today)?;
                changes.push(change(grant, created.id, &places, None, &view(&created)));
                created
            }
            (Some((current, before)), Some((fields, grant))) => {
                let updated = contracts::update(conn, current, fields, today)?;
                changes.push(change(
                    grant,
                    current.id,
                    &places,
                    Some(before),
                    &view(&updated),
                ));
                updated
            }
            (Some((current, _)), None) => current.as_ref().clone(),
            (None, None) => {
                return Err(AppError::internal(
                    "a planned contract with nothing to write",
                ))
            }
        };
        if let Some((date, reason, grant)) = &write.termination {
            let before = view(&contract);
            contract = contracts::terminate(conn, &contract, *date, reason)?;
            changes.push(change(
                grant,
                contract.id,
                &places,
                Some(&before),
                &view(&contract),
            ));
        }
        Ok((contract.id, changes))
    }
}

/// Every contract, organization and service the file names, in a few queries.
fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
    let references: Vec<String> = records.iter().filter_map(Contracts::key).collect();
    let found = contracts::with_references(conn, &references)?;
    let ids: Vec<i64> = found.iter().map(|c| c.id).collect();
    let mut covered: HashMap<i64, Vec<Covered>> = HashMap::new();
    for chunk in ids.chunks(db::IN_CHUNK) {
        for row in contracts::covered(conn, chunk)? {
            covered.entry(row.contract_id).or_default().push(row);
        }
    }
    let mut organization_ids: Vec<i64> = found.iter().map(|c| c.organization_id).collect();
    organization_ids.sort_unstable();
    organization_ids.dedup();
    let mut names = HashMap::new();
    for chunk in organization_ids.chunks(db::IN_CHUNK) {
        for (id, slug, name) in organizations::names_of(conn, chunk)? {
            names.insert(id, (slug, name));
        }
    }
    let mut slugs: Vec<String> = records
        .iter()
        .filter_map(|r| r.text("organization_slug"))
        .collect();
    slugs.iter_mut().for_each(|s| *s = s.trim().to_string());
    let named_services: Vec<String> = records.iter().flat_map(row::service_slugs).collect();
    Ok(Known {
        contracts: found
            .into_iter()
            .map(|c| (c.reference.clone(), c))
            .collect(),
        covered,
        names,
        organizations: organizations::with_slugs(conn, &slugs)?
            .into_iter()
            .map(|o| (o.slug.clone(), o))
            .collect(),
        services: db::imports::service_places(conn, &named_services)?
            .into_iter()
            .map(|(id, slug, portfolio)| (slug, (id, portfolio)))
            .collect(),
        today: db::today(),
    })
}

/// One row: read, parsed by the create operation's code, matched with the contract of its
/// reference, authorised.
fn plan_row(caller: &Caller, record: &Record, known: &Known) -> Planned<Write> {
    let mut reader = RowReader::new(record);
    let current = Contracts::key(record).and_then(|r| known.contracts.get(&r));
    let covered: Vec<Covered> = current
        .and_then(|c| known.covered.get(&c.id).cloned())
        .unwrap_or_default();
    let base = current.map(|c| ContractPatch::default().onto(c, &covered));
    let Some(read) = row::read(&mut reader, known, base) else {
        return reader.refused();
    };
    let decided = match current {
        None => create(caller, read),
        Some(current) => {
            let before_names = known
                .names
                .get(&current.organization_id)
                .cloned()
                .unwrap_or_default();
            update(caller, current, &covered, read, before_names, known.today)
        }
    };
    reader.decided(decided, row::column)
}

fn create(caller: &Caller, read: row::Read) -> AppResult<Step<Write>> {
    let places = read.shares.places();
    let class = (read.request.kind == crate::domain::contract::ContractKind::Customer)
        .then_some(crate::auth::policy::ObjectClass::CustomerContract);
    let grant = caller.authorize_every(Action::ContractCreate, &targets(&places, class))?;
    let fields = read.request.parse()?;
    check_counterpart(&fields, &read.organization)?;
    let termination = read
        .termination
        .map(|(date, reason)| terminate(caller, &places, class, &fields, date, reason))
        .transpose()?;
    Ok(Step::Create(Write {
        current: None,
        fields: Some((fields, grant)),
        organization: (
            read.organization.slug.clone(),
            read.organization.name.clone(),
        ),
        shares: read.shares,
        termination,
    }))
}

fn update(
    caller: &Caller,
    current: &Contract,
    covered: &[Covered],
    read: row::Read,
    before_names: (String, String),
    today: NaiveDate,
) -> AppResult<Step<Write>> {
    let class = current.class();
    let before_places = places_of(covered);
    if caller
        .may_any(Action::ContractRead, &targets(&before_places, class))
        .is_none()
    {
        return Err(AppError::forbidden(Action::ContractUpdate.code()));
    }
    if read.request.kind != current.kind() {
        return Err(AppError::unprocessable(
            "kind",
            "a contract's kind does not change",
        ));
    }
    let old = ContractPatch::default().onto(current, covered).parse()?;
    let fields = read.request.parse()?;
    check_counterpart(&fields, &read.organization)?;
    let places = read.shares.places();
    let changed = fields != old;
    let new_termination = match (&current.terminated_on, read.termination) {
        (Some(on), Some((date, _))) if *on == date => None,
        (Some(_), Some(_)) => {
            return Err(AppError::unprocessable(
                "terminated_on",
                "a terminated contract's end does not change",
            ))
        }
        (Some(_), None) if read.states_termination => {
            return Err(AppError::unprocessable(
                "terminated_on",
                "a terminated contract stays terminated",
            ))
        }
        (Some(_), None) => None,
        (None, termination) => termination,
    };
    if !changed && new_termination.is_none() {
        return Ok(Step::Unchanged(current.id));
    }
    let fields = if changed {
        if current.terminated_on.is_some() {
            return Err(AppError::conflict("The contract is terminated."));
        }
        let mut grant =
            caller.authorize_every(Action::ContractUpdate, &targets(&before_places, class))?;
        if fields.services != old.services {
            grant = caller.authorize_every(Action::ContractUpdate, &targets(&places, class))?;
        }
        Some((fields.clone(), grant))
    } else {
        None
    };
    let termination = new_termination
        .map(|(date, reason)| {
            terminate(
                caller,
                &places,
                class,
                fields_or(&fields, &old),
                date,
                reason,
            )
        })
        .transpose()?;
    let organization = (
        read.organization.slug.clone(),
        read.organization.name.clone(),
    );
    let before = ContractView::of(current, (&before_names.0, &before_names.1), covered, today);
    Ok(Step::Update(Write {
        current: Some((Box::new(current.clone()), before)),
        fields,
        organization,
        shares: read.shares,
        termination,
    }))
}

fn fields_or<'a>(
    fields: &'a Option<(ContractFields, Grant)>,
    old: &'a ContractFields,
) -> &'a ContractFields {
    fields.as_ref().map(|(f, _)| f).unwrap_or(old)
}

/// A termination the file records: the same rule and policy as `POST …/terminate`.
fn terminate(
    caller: &Caller,
    places: &[(i64, Option<i64>)],
    class: Option<crate::auth::policy::ObjectClass>,
    fields: &ContractFields,
    date: NaiveDate,
    reason: String,
) -> AppResult<(NaiveDate, String, Grant)> {
    let grant = caller.authorize_every(Action::ContractTerminate, &targets(places, class))?;
    if date < fields.terms.start_date {
        return Err(AppError::unprocessable(
            "terminated_on",
            format!(
                "must not be before the contract's start ({})",
                fields.terms.start_date
            ),
        ));
    }
    Ok((date, reason, grant))
}

/// A supplier contract is made with a supplier, a customer contract with a customer.
fn check_counterpart(fields: &ContractFields, organization: &Organization) -> AppResult<()> {
    let needed = fields.kind.counterpart();
    if organization.kind() != needed {
        return Err(AppError::unprocessable(
            "organization_slug",
            format!(
                "a {} contract is made with a {needed}; {} is a {}",
                fields.kind,
                organization.slug,
                organization.kind()
            ),
        ));
    }
    Ok(())
}
