//! Importing information systems, matched by slug: a new one recorded as
//! `POST /information-systems` records it, an existing one corrected as `PATCH` would, and a
//! row whose lifecycle is `retired` retired as `POST …/retire` would — each under the same
//! policy (recording: LG, TÄ; correcting: LG, the responsible, the TÄ of a portfolio whose
//! service depends on it; retiring: LG), the retirement the importer's own recorded decision.
//! What a system depends on (`depends_on`) is added and removed as `POST`/`DELETE
//! …/dependencies` would, after every row is written (`depends`).

mod depends;
mod row;

use std::collections::{HashMap, HashSet};

use super::file::Columns;
use super::record::{self, Record, RowReader};
use super::run::{Kind, Planned, Step};
use crate::api::information_systems::fields::{self, References};
use crate::api::information_systems::{targets_among, view_of, SystemView};
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::db::audit::{Change, ObjectType};
use crate::db::contracts::{self, Contract};
use crate::db::information_systems::{self as systems, InformationSystem, SystemFields};
use crate::db::organizations::{self, Organization};
use crate::db::{self, DbConnection};
use crate::domain::it::SystemLifecycle;
use crate::error::{AppError, AppResult};

pub struct InformationSystems;

/// What the rows name, looked up once for the whole file.
pub struct Known {
    systems: HashMap<String, InformationSystem>,
    /// The portfolios whose services depend on each existing system.
    portfolios: HashMap<i64, Vec<i64>>,
    /// By id: the suppliers the rows name and those of the existing systems.
    organizations: HashMap<i64, Organization>,
    /// By id: the contracts the rows name and those of the existing systems.
    contracts: HashMap<i64, Contract>,
    /// The subs of the people the rows name who exist.
    people: HashSet<String>,
    /// The dependency graph as the rows planned so far leave it.
    depends: depends::Edges,
}

impl References for &Known {
    fn person_exists(&mut self, sub: &str) -> AppResult<bool> {
        Ok(self.people.contains(sub))
    }

    fn organization(&mut self, id: i64) -> AppResult<Option<Organization>> {
        Ok(self.organizations.get(&id).cloned())
    }

    fn contract(&mut self, id: i64) -> AppResult<Option<Contract>> {
        Ok(self.contracts.get(&id).cloned())
    }
}

/// A planned system write: its fields (none when only a retirement is new), and a retirement
/// to record after them.
pub struct Write {
    slug: String,
    current: Option<Box<InformationSystem>>,
    fields: Option<(SystemFields, Grant)>,
    retirement: Option<Grant>,
    dependencies: Option<depends::Dependencies>,
}

impl Kind for InformationSystems {
    const COLUMNS: Columns = Columns {
        kind: "information_systems",
        export: <SystemView as crate::api::CsvRecord>::HEADER,
        required: &["slug", "name"],
        ignored: &[
            "id",
            "supplier_id",
            "supplier_contract_id",
            "retired_at",
            "created_at",
            "updated_at",
        ],
    };
    const KEY: &'static str = "slug";
    const GROWS: &'static [&'static str] = &["information_systems"];
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

    fn finish(
        conn: &mut DbConnection,
        caller: &Caller,
        written: &[(&Write, i64)],
    ) -> AppResult<Vec<Change>> {
        finish_dependencies(conn, caller, written)
    }

    fn apply(
        conn: &mut DbConnection,
        _caller: &Caller,
        write: &Write,
    ) -> AppResult<(i64, Vec<Change>)> {
        let mut changes = Vec::new();
        let mut system = match (&write.current, &write.fields) {
            (None, Some((fields, grant))) => {
                let created = systems::insert(conn, fields)?;
                changes.push(change(grant, None, view_of(conn, &created)?));
                created
            }
            (Some(current), Some((fields, grant))) => {
                let before = view_of(conn, current)?;
                let updated = systems::update(conn, current, fields)?;
                changes.push(change(grant, Some(&before), view_of(conn, &updated)?));
                updated
            }
            (Some(current), None) => current.as_ref().clone(),
            (None, None) => {
                return Err(AppError::internal("a planned system with nothing to write"))
            }
        };
        if let Some(grant) = &write.retirement {
            let before = view_of(conn, &system)?;
            system = systems::retire(conn, &system)?;
            changes.push(change(grant, Some(&before), view_of(conn, &system)?));
        }
        Ok((system.id, changes))
    }
}

/// The dependencies the rows change, now that every system of the file exists.
fn finish_dependencies(
    conn: &mut DbConnection,
    caller: &Caller,
    written: &[(&Write, i64)],
) -> AppResult<Vec<Change>> {
    let ids: HashMap<String, i64> = written
        .iter()
        .map(|(w, id)| (w.slug.clone(), *id))
        .collect();
    let mut changes = Vec::new();
    for (write, id) in written {
        if let Some(dependencies) = &write.dependencies {
            changes.extend(depends::write(conn, caller, *id, dependencies, &ids)?);
        }
    }
    Ok(changes)
}

fn change(grant: &Grant, before: Option<&SystemView>, after: SystemView) -> Change {
    Change::by(grant, ObjectType::InformationSystem, after.id)
        .before_if(before)
        .after(&after)
}

/// Every system, supplier, contract and person the file names, in a few queries.
fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
    let named = |column: &str| record::named(records, column);
    let mut slugs = named("slug");
    slugs.extend(records.iter().flat_map(row::depends_on));
    let existing = db::imports::systems_with_slugs(conn, &slugs)?;
    let stored = db::imports::system_edges(conn)?;
    let pairs: Vec<(i64, i64)> = stored.iter().map(|(_, s, on)| (*s, *on)).collect();
    let in_file = records
        .iter()
        .filter_map(|r| {
            let slug = r.text("slug")?.trim().to_string();
            let retired = r.text("lifecycle").is_some_and(|l| l.trim() == "retired");
            Some((slug, (-(r.row as i64), retired)))
        })
        .filter(|(slug, _)| !existing.iter().any(|s| s.slug == *slug))
        .collect();
    let ids: Vec<i64> = existing.iter().map(|s| s.id).collect();
    let mut portfolios: HashMap<i64, Vec<i64>> = HashMap::new();
    for (system, portfolio) in db::imports::dependant_portfolios(conn, &ids)? {
        portfolios.entry(system).or_default().push(portfolio);
    }
    let mut organizations = organizations::with_slugs(conn, &named("supplier_slug"))?;
    let supplier_ids: Vec<i64> = existing.iter().filter_map(|s| s.supplier_id).collect();
    organizations.extend(db::imports::organizations_with_ids(conn, &supplier_ids)?);
    let mut contracts = contracts::with_references(conn, &named("supplier_contract_reference"))?;
    let contract_ids: Vec<i64> = existing
        .iter()
        .filter_map(|s| s.supplier_contract_id)
        .collect();
    contracts.extend(db::imports::contracts_with_ids(conn, &contract_ids)?);
    let mut subs = named("responsible");
    subs.extend(existing.iter().filter_map(|s| s.responsible.clone()));
    Ok(Known {
        people: db::imports::people_named(conn, &subs)?
            .into_iter()
            .map(|(_, sub)| sub)
            .collect(),
        systems: existing.into_iter().map(|s| (s.slug.clone(), s)).collect(),
        portfolios,
        organizations: organizations.into_iter().map(|o| (o.id, o)).collect(),
        contracts: contracts.into_iter().map(|c| (c.id, c)).collect(),
        depends: depends::Edges {
            stored,
            graph: crate::domain::it_graph::Graph::new(&pairs, &[]),
            in_file,
        },
    })
}

/// One row: read, parsed by the operations' code, matched with the system of its slug,
/// authorised.
fn plan_row(caller: &Caller, record: &Record, known: &mut Known) -> Planned<Write> {
    let mut reader = RowReader::new(record);
    let Some(read) = row::read(&mut reader, known) else {
        return reader.refused();
    };
    let current = known.systems.get(&read.slug).cloned();
    let request = match current {
        None => match read.request(&mut reader) {
            Some(request) => Some(request),
            None => return reader.refused(),
        },
        Some(_) => None,
    };
    let targets = match &current {
        Some(s) => targets_among(
            caller,
            s,
            &known.portfolios.get(&s.id).cloned().unwrap_or_default(),
        ),
        None => vec![new_system_target(caller, &read)],
    };
    let dependencies = depends::plan(
        caller,
        known,
        &read.slug,
        read.depends_on.as_deref(),
        current.as_ref(),
        &targets,
    );
    let decided = dependencies.and_then(|dependencies| match (current, request) {
        (Some(current), _) => update(caller, &read, &current, known, &targets, dependencies),
        (None, Some(request)) => create(caller, &read, request, known, dependencies),
        (None, None) => Err(AppError::internal("a new system without its request")),
    });
    reader.decided(decided, row::column)
}

/// Where a new system is answered for: everywhere, and by the caller if the row makes them its
/// responsible.
fn new_system_target(caller: &Caller, read: &row::Read) -> Target {
    let responsible = read.patch.responsible.clone().flatten();
    match responsible.as_deref() == Some(caller.sub.as_str()) {
        true => Target::global().with_responsible(caller.person_id),
        false => Target::global(),
    }
}

fn create(
    caller: &Caller,
    read: &row::Read,
    request: crate::api::information_systems::NewInformationSystem,
    known: &Known,
    dependencies: Option<depends::Dependencies>,
) -> AppResult<Step<Write>> {
    let grant = caller.authorize(Action::InformationSystemCreate, &Target::global())?;
    let fields = fields::of_new(&mut { known }, &request)?;
    let retirement = read
        .retired
        .then(|| caller.authorize(Action::InformationSystemRetire, &Target::global()))
        .transpose()?;
    Ok(Step::Create(Write {
        slug: read.slug.clone(),
        current: None,
        fields: Some((fields, grant)),
        retirement,
        dependencies,
    }))
}

fn update(
    caller: &Caller,
    read: &row::Read,
    current: &InformationSystem,
    known: &Known,
    targets: &[Target],
    dependencies: Option<depends::Dependencies>,
) -> AppResult<Step<Write>> {
    let old = SystemFields::of(current);
    let fields = fields::patched(&mut { known }, current, &read.patch)?;
    let retired = current.lifecycle() == SystemLifecycle::Retired;
    let retire = read.retired && !retired;
    if fields == old && !retire && dependencies.is_none() {
        return Ok(Step::Unchanged(current.id));
    }
    let may = |action: Action| {
        caller
            .may_any(action, targets)
            .ok_or_else(|| AppError::forbidden(action.code()))
    };
    let fields = match fields == old {
        true => None,
        false => Some((fields, may(Action::InformationSystemUpdate)?)),
    };
    let retirement = retire
        .then(|| may(Action::InformationSystemRetire))
        .transpose()?;
    Ok(Step::Update(Write {
        slug: read.slug.clone(),
        current: Some(Box::new(current.clone())),
        fields,
        retirement,
        dependencies,
    }))
}
