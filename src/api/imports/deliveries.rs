//! Importing deliveries, matched by service, customer and start date: a new one recorded as
//! `POST /deliveries` records it, an existing one's contract and end changed as `PATCH` would —
//! under the same policy (the controller, KA; TÄ, TS, TJF in scope; a contract linked by the
//! controller, TÄ, TS[contracts]) and the same rules (a service in operation, a customer, a
//! customer contract of theirs in force today that covers the service).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::file::Columns;
use super::record::{self, Record, RowReader};
use super::run::{Kind, Planned, Step};
use crate::api::deliveries::DeliveryView;
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::db::audit::{Change, ObjectType};
use crate::db::contracts::{self, Contract};
use crate::db::deliveries::{self, coverage_reason, Delivery, DeliveryRow};
use crate::db::organizations::{self, Organization};
use crate::db::services::Service;
use crate::db::{self, portfolios, DbConnection};
use crate::domain::contract::OrganizationKind;
use crate::domain::lifecycle::Lifecycle;
use crate::error::{AppError, AppResult};

pub struct Deliveries;

/// What the rows name, looked up once for the whole file.
pub struct Known {
    services: HashMap<String, Service>,
    organizations: HashMap<String, Organization>,
    /// The file's contracts by reference, and those of the existing deliveries.
    contracts: HashMap<String, Contract>,
    /// (contract, service, its portfolio) of the services the contracts cover.
    covers: Vec<(i64, i64, Option<i64>)>,
    /// Existing deliveries by (service, organization, start), with their contracts' references.
    deliveries: HashMap<(i64, i64, NaiveDate), (Delivery, Option<String>)>,
    portfolio_slugs: HashMap<i64, String>,
    today: NaiveDate,
}

/// What a delivery's view shows besides the delivery.
#[derive(Clone)]
pub struct Context {
    service: Service,
    portfolio_slug: Option<String>,
    organization_slug: String,
    contract: Option<(Contract, bool)>,
    today: NaiveDate,
}

impl Context {
    fn view(&self, delivery: &Delivery) -> DeliveryView {
        let contract = self.contract.as_ref();
        let row = DeliveryRow {
            delivery: delivery.clone(),
            service_slug: self.service.slug.clone(),
            portfolio_id: self.service.portfolio_id,
            portfolio_slug: self.portfolio_slug.clone(),
            organization_slug: self.organization_slug.clone(),
            contract_reference: contract.map(|(c, _)| c.reference.clone()),
            uncovered: delivery
                .is_active_on(self.today)
                .then(|| {
                    coverage_reason(
                        delivery,
                        contract.map(|(c, _)| c),
                        contract.is_some_and(|(_, covers)| *covers),
                        self.today,
                    )
                })
                .flatten(),
        };
        DeliveryView::of(&row, self.today)
    }
}

/// A planned delivery write.
pub struct Write {
    current: Option<(Delivery, DeliveryView)>,
    new: deliveries::NewDelivery,
    context: Context,
    grant: Grant,
}

impl Kind for Deliveries {
    const COLUMNS: Columns = Columns {
        kind: "deliveries",
        export: <DeliveryView as crate::api::CsvRecord>::HEADER,
        required: &["service_slug", "organization_slug", "start_date"],
        ignored: &[
            "id",
            "portfolio_slug",
            "contract_id",
            "active",
            "covered",
            "coverage_problem",
        ],
    };
    const KEY: &'static str = "start_date";
    const GROWS: &'static [&'static str] = &["deliveries"];
    type Write = Write;
    type Known = Known;

    fn key(record: &Record) -> Option<String> {
        let part = |c: &str| record.text(c).map(|t| t.trim().to_string());
        Some(format!(
            "{}|{}|{}",
            part("service_slug")?,
            part("organization_slug")?,
            part("start_date")?
        ))
    }

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
        let (written, before) = match &write.current {
            None => (deliveries::insert(conn, &write.new)?, None),
            Some((current, before)) => (
                deliveries::update(conn, current, write.new.contract_id, write.new.end_date)?,
                Some(before),
            ),
        };
        let change = Change::by(&write.grant, ObjectType::Delivery, written.id)
            .in_portfolio(write.context.service.portfolio_id)
            .before_if(before)
            .after(&write.context.view(&written));
        Ok((written.id, vec![change]))
    }
}

/// Every service, customer, contract and delivery the file names, in a few queries.
fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
    let named = |column: &str| record::named(records, column);
    let services = db::imports::services_named(conn, &named("service_slug"))?;
    let service_ids: Vec<i64> = services.iter().map(|s| s.id).collect();
    let existing = db::imports::deliveries_of(conn, &service_ids)?;
    let mut contracts: HashMap<String, Contract> =
        contracts::with_references(conn, &named("contract_reference"))?
            .into_iter()
            .map(|c| (c.reference.clone(), c))
            .collect();
    for (_, contract) in &existing {
        if let Some(c) = contract {
            contracts.insert(c.reference.clone(), c.clone());
        }
    }
    let contract_ids: Vec<i64> = contracts.values().map(|c| c.id).collect();
    let mut covers = Vec::new();
    for chunk in contract_ids.chunks(db::IN_CHUNK) {
        covers.extend(
            contracts::covered(conn, chunk)?
                .into_iter()
                .map(|c| (c.contract_id, c.service_id, c.portfolio_id)),
        );
    }
    Ok(Known {
        organizations: organizations::with_slugs(conn, &named("organization_slug"))?
            .into_iter()
            .map(|o| (o.slug.clone(), o))
            .collect(),
        services: services.into_iter().map(|s| (s.slug.clone(), s)).collect(),
        covers,
        deliveries: existing
            .into_iter()
            .map(|(d, c)| {
                (
                    (d.service_id, d.organization_id, d.start_date),
                    (d, c.map(|c| c.reference)),
                )
            })
            .collect(),
        contracts,
        portfolio_slugs: portfolios::some_or_all(conn, None)?
            .into_iter()
            .map(|p| (p.id, p.slug))
            .collect(),
        today: db::today(),
    })
}

/// A row read: what it names, found.
struct Read<'k> {
    service: &'k Service,
    organization: &'k Organization,
    contract: Option<&'k Contract>,
    start_date: NaiveDate,
    end_date: Option<Option<NaiveDate>>,
    /// Does the row state `contract_reference` (empty: no contract)?
    states_contract: bool,
}

fn read<'k>(row: &mut RowReader, known: &'k Known) -> Option<Read<'k>> {
    let named = |row: &mut RowReader, column: &str, what: &str| {
        let slug = row.required(column).trim().to_string();
        if slug.is_empty() {
            return None;
        }
        let found = match column {
            "service_slug" => known.services.contains_key(&slug),
            _ => known.organizations.contains_key(&slug),
        };
        if !found {
            row.error(column, format!("there is no {what} {slug}"));
            return None;
        }
        Some(slug)
    };
    let service = named(row, "service_slug", "service");
    let organization = named(row, "organization_slug", "organization");
    let start_date = match row.record().text("start_date") {
        Some(_) => row.date("start_date"),
        None => {
            row.error("start_date", "is required");
            None
        }
    };
    let end_date = row.stated("end_date", |r, c| r.date(c));
    let contract = match row.optional("contract_reference") {
        Some(reference) => match known.contracts.get(reference.trim()) {
            Some(c) => Some(c),
            None => {
                row.error(
                    "contract_reference",
                    format!("there is no contract {}", reference.trim()),
                );
                return None;
            }
        },
        None => None,
    };
    Some(Read {
        service: known.services.get(&service?)?,
        organization: known.organizations.get(&organization?)?,
        contract,
        start_date: start_date?,
        end_date,
        states_contract: row.record().states("contract_reference"),
    })
}

/// One row: read, matched with the delivery of its service, customer and start, authorised
/// and checked by the rules of the single operation.
fn plan_row(caller: &Caller, record: &Record, known: &Known) -> Planned<Write> {
    let mut reader = RowReader::new(record);
    let Some(read) = read(&mut reader, known) else {
        return reader.refused();
    };
    let decided = plan(caller, &read, known);
    reader.decided(decided, |field| field.to_string())
}

fn plan(caller: &Caller, read: &Read, known: &Known) -> AppResult<Step<Write>> {
    let service = read.service;
    let target = Target::service(service.id, service.portfolio_id);
    let key = (service.id, read.organization.id, read.start_date);
    let current = known.deliveries.get(&key);
    let contract_id = match (read.contract, current) {
        (Some(c), _) => Some(c.id),
        (None, Some((d, _))) if !read.states_contract => d.contract_id,
        (None, _) => None,
    };
    let end_date = match (read.end_date, current) {
        (Some(end), _) => end,
        (None, Some((d, _))) => d.end_date,
        (None, None) => None,
    };
    if end_date.is_some_and(|end| end < read.start_date) {
        return Err(AppError::unprocessable(
            "end_date",
            "must not be before start_date",
        ));
    }
    let mut actions = Vec::new();
    let linked = match current {
        None => {
            actions.push(Action::DeliveryCreate);
            contract_id.is_some()
        }
        Some((d, _)) => {
            if caller.may(Action::DeliveryRead, &target).is_none() {
                return Err(AppError::forbidden(Action::DeliveryRead.code()));
            }
            if d.end_date != end_date {
                actions.push(Action::DeliveryEnd);
            }
            d.contract_id != contract_id
        }
    };
    if linked {
        actions.push(Action::DeliveryLink);
    }
    if let (Some((d, _)), true) = (current, actions.is_empty()) {
        return Ok(Step::Unchanged(d.id));
    }
    let grant = caller.authorize_all(&actions, &target)?;
    if current.is_none() {
        deliverable(service, read.organization)?;
    }
    if let (true, Some(contract)) = (linked, read.contract) {
        check_link(caller, contract, service, read.organization.id, known)?;
    }
    let contract = contract_id
        .and_then(|id| known.contracts.values().find(|c| c.id == id))
        .map(|c| (c.clone(), covers(known, c.id, service.id)));
    let context = Context {
        service: service.clone(),
        portfolio_slug: service
            .portfolio_id
            .and_then(|p| known.portfolio_slugs.get(&p).cloned()),
        organization_slug: read.organization.slug.clone(),
        contract,
        today: known.today,
    };
    let new = deliveries::NewDelivery {
        service_id: service.id,
        organization_id: read.organization.id,
        contract_id,
        start_date: read.start_date,
        end_date,
    };
    let Some((current, _)) = current else {
        return Ok(Step::Create(Write {
            current: None,
            new,
            context,
            grant,
        }));
    };
    let mut before_context = context.clone();
    before_context.contract = current
        .contract_id
        .and_then(|id| known.contracts.values().find(|c| c.id == id))
        .map(|c| (c.clone(), covers(known, c.id, service.id)));
    let before = before_context.view(current);
    Ok(Step::Update(Write {
        current: Some((current.clone(), before)),
        new,
        context,
        grant,
    }))
}

/// A delivery goes from a service in operation to a customer.
fn deliverable(service: &Service, organization: &Organization) -> AppResult<()> {
    if organization.kind() != OrganizationKind::Customer {
        return Err(AppError::unprocessable(
            "organization_slug",
            format!(
                "{} is a {}; deliveries go to customers",
                organization.slug,
                organization.kind()
            ),
        ));
    }
    if service.lifecycle() != Lifecycle::InOperation {
        return Err(AppError::unprocessable(
            "service_slug",
            format!(
                "the service is {}; only a service in operation is delivered",
                service.lifecycle()
            ),
        ));
    }
    Ok(())
}

/// The contract a row links: one the caller may see, a customer contract of the delivery's
/// customer, in force today, covering the service.
fn check_link(
    caller: &Caller,
    contract: &Contract,
    service: &Service,
    organization_id: i64,
    known: &Known,
) -> AppResult<()> {
    let targets: Vec<Target> = known
        .covers
        .iter()
        .filter(|(c, _, _)| *c == contract.id)
        .map(|(_, s, p)| Target::service(*s, *p).of_class(contract.class()))
        .collect();
    if caller.may_any(Action::ContractRead, &targets).is_none() {
        return Err(AppError::unprocessable(
            "contract_reference",
            format!("there is no contract {}", contract.reference),
        ));
    }
    let covers_service = covers(known, contract.id, service.id);
    match deliveries::link_problem(contract, covers_service, organization_id, known.today) {
        Some(problem) => Err(AppError::unprocessable("contract_reference", problem)),
        None => Ok(()),
    }
}

/// Does the contract cover the service?
fn covers(known: &Known, contract: i64, service: i64) -> bool {
    known
        .covers
        .iter()
        .any(|(c, s, _)| *c == contract && *s == service)
}
