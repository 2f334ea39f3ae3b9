//! Importing needs, matched by `reference`: a new one recorded as `POST /needs` records it,
//! an existing one corrected as `PATCH /needs/{id}` would, and the steps the row states
//! (assessed, presented, decided) taken as `POST /needs/{id}/assessment`, `…/presentation`
//! and `…/decision` take them — each under the same policy and workflow, recorded as the
//! importer's own. What realises a need (links) and who shares it (endorsements) name objects
//! by id and are made by their own operations (docs/imports.md).

mod row;
mod steps;

use std::collections::HashMap;
use std::sync::Arc;

use super::file::Columns;
use super::record::{self, Record, RowReader};
use super::run::{Kind, Planned, Step};
use crate::api::needs::{need_change, target_at, NeedPatch, NeedView, Surroundings, Whereabouts};
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::db::audit::Change;
use crate::db::needs::{self, Need, NeedFields};
use crate::db::{self, portfolios, DbConnection};
use crate::error::{AppError, AppResult};
use steps::StepWrite;

pub struct Needs;

/// What the rows name, looked up once for the whole file: ids by slug, the needs of the
/// file's references, and what the views of those and of the new ones show.
pub struct Known {
    needs: HashMap<String, (Need, Option<i64>)>,
    portfolios: HashMap<String, i64>,
    services: HashMap<String, i64>,
    organizations: HashMap<String, i64>,
    surroundings: Arc<Surroundings>,
}

impl Whereabouts for Known {
    fn portfolio_exists(&mut self, id: i64) -> AppResult<bool> {
        Ok(self.surroundings.portfolios.contains_key(&id))
    }

    fn service_portfolio(&mut self, id: i64) -> AppResult<Option<Option<i64>>> {
        Ok(self.surroundings.service_portfolios.get(&id).copied())
    }

    fn organization_exists(&mut self, id: i64) -> AppResult<bool> {
        Ok(self.surroundings.organizations.contains_key(&id))
    }
}

/// A planned need write: its fields where they are new, then the steps to record.
pub struct Write {
    current: Option<Box<Need>>,
    fields: Option<(NeedFields, Grant)>,
    steps: Vec<(StepWrite, Grant)>,
    surroundings: Arc<Surroundings>,
}

impl Kind for Needs {
    const COLUMNS: Columns = Columns {
        kind: "needs",
        export: <NeedView as crate::api::CsvRecord>::HEADER,
        required: &["reference", "title", "source_channel", "source_date"],
        ignored: &[
            "id",
            "portfolio_id",
            "service_id",
            "source_organization_id",
            "created_by",
            "decided_at",
            "endorsement_count",
            "links",
            "realised",
            "created_at",
            "updated_at",
        ],
    };
    const KEY: &'static str = "reference";
    const GROWS: &'static [&'static str] = &["needs"];
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
        caller: &Caller,
        write: &Write,
    ) -> AppResult<(i64, Vec<Change>)> {
        let view = |need: &Need| write.surroundings.view(need);
        let mut changes = Vec::new();
        let mut need = match (&write.current, &write.fields) {
            (None, Some((fields, grant))) => {
                let created = needs::insert(conn, fields, &caller.sub)?;
                changes.push(need_change(grant, None, &view(&created)));
                created
            }
            (Some(current), Some((fields, grant))) => {
                let updated = needs::update(conn, current, fields)?;
                changes.push(need_change(grant, Some(&view(current)), &view(&updated)));
                updated
            }
            (Some(current), None) => current.as_ref().clone(),
            (None, None) => return Err(AppError::internal("a planned need with no fields")),
        };
        for (step, grant) in &write.steps {
            let before = view(&need);
            need = step.take(conn, &need, &caller.sub)?;
            changes.push(need_change(grant, Some(&before), &view(&need)));
        }
        Ok((need.id, changes))
    }
}

/// The needs of the file's references, and the portfolios, services and organizations its
/// rows name, in a few queries.
fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
    let named = |column: &str| record::named(records, column);
    let existing = needs::with_references(conn, &named("reference"))?;
    // What a row leaves out keeps the need's own service and source, known from here.
    let mut surroundings = Surroundings::of(conn, &existing)?;
    let portfolios = portfolios::some_or_all(conn, None)?;
    let services = db::imports::service_places(conn, &named("service_slug"))?;
    let organizations = db::organizations::with_slugs(conn, &named("source_organization_slug"))?;
    for p in &portfolios {
        surroundings.portfolios.insert(p.id, p.slug.clone());
    }
    for (id, slug, portfolio) in &services {
        surroundings.services.insert(*id, slug.clone());
        surroundings.service_portfolios.insert(*id, *portfolio);
    }
    for o in &organizations {
        surroundings.organizations.insert(o.id, o.slug.clone());
    }
    Ok(Known {
        needs: existing
            .into_iter()
            .filter_map(|(n, sp)| Some((n.reference.clone()?, (n, sp))))
            .collect(),
        portfolios: portfolios.into_iter().map(|p| (p.slug, p.id)).collect(),
        services: services
            .into_iter()
            .map(|(id, slug, _)| (slug, id))
            .collect(),
        organizations: organizations.into_iter().map(|o| (o.slug, o.id)).collect(),
        surroundings: Arc::new(surroundings),
    })
}

/// One row: read, parsed by the operations' code, matched with the need of its reference,
/// authorised, its steps checked against the workflow.
fn plan_row(caller: &Caller, record: &Record, known: &mut Known) -> Planned<Write> {
    let mut reader = RowReader::new(record);
    let Some(read) = row::read(&mut reader, known) else {
        return reader.refused();
    };
    let reference = read.need.reference.clone().unwrap_or_default();
    let current = known.needs.get(&reference).cloned();
    let decided = plan(caller, &read, current.as_ref(), known);
    reader.decided(decided, row::column)
}

fn plan(
    caller: &Caller,
    read: &row::Read,
    current: Option<&(Need, Option<i64>)>,
    known: &mut Known,
) -> AppResult<Step<Write>> {
    let Some((need, service_portfolio)) = current else {
        let fields = read.need.parse(known)?;
        let target = target_at(caller, fields.service_id, fields.portfolio_id, &caller.sub);
        let grant = caller.authorize(Action::NeedCreate, &target)?;
        let wanted = read.stages.or(&steps::recorded(None));
        steps::check_status(read.status, &wanted)?;
        let steps = steps::planned(caller, &target, None, &wanted)?;
        return Ok(Step::Create(Write {
            current: None,
            fields: Some((fields, grant)),
            steps,
            surroundings: known.surroundings.clone(),
        }));
    };
    let placed = need.placed_in(*service_portfolio);
    let old = NeedFields::of(need, placed);
    let fields = patch(read, &old).apply_to(known, &old)?;
    let here = target_at(caller, need.service_id, placed, &need.created_by);
    if !caller.permits(Action::NeedRead, &here) {
        // As `POST /needs` with its reference would say, and no more.
        return Err(AppError::Taken {
            object: "need".into(),
            field: "reference".into(),
        });
    }
    let fields = match fields == old {
        true => None,
        false => Some((
            fields.clone(),
            corrected(caller, need, &here, &old, &fields)?,
        )),
    };
    let target = match &fields {
        Some((f, _)) => target_at(caller, f.service_id, f.portfolio_id, &need.created_by),
        None => here,
    };
    let wanted = read.stages.or(&steps::recorded(Some(need)));
    steps::check_status(read.status, &wanted)?;
    let steps = steps::planned(caller, &target, Some(need), &wanted)?;
    if fields.is_none() && steps.is_empty() {
        return Ok(Step::Unchanged(need.id));
    }
    Ok(Step::Update(Write {
        current: Some(Box::new(need.clone())),
        fields,
        steps,
        surroundings: known.surroundings.clone(),
    }))
}

/// The patch of what the row states of an existing need (its reference is the key); a
/// column the file leaves out leaves its value as it is.
fn patch(read: &row::Read, old: &NeedFields) -> NeedPatch {
    let need = &read.need;
    let stated = &read.stated;
    let mut source = need.source.clone();
    if !stated.source_organization {
        source.organization_id = old.source_organization_id;
    }
    NeedPatch {
        reference: None,
        title: Some(need.title.clone()),
        description: stated.description.then(|| need.description.clone()),
        portfolio_id: stated.portfolio.then_some(need.portfolio_id),
        service_id: stated.service.then_some(need.service_id),
        source: Some(source),
    }
}

/// The right to correct the need before its decision, where it is and where it lands, as
/// `PATCH /needs/{id}` asks it.
fn corrected(
    caller: &Caller,
    need: &Need,
    here: &Target,
    old: &NeedFields,
    fields: &NeedFields,
) -> AppResult<Grant> {
    crate::api::needs::allowed(need, crate::domain::need::NeedStep::Update)?;
    let grant = caller.authorize(Action::NeedUpdate, here)?;
    if (fields.portfolio_id, fields.service_id) == (old.portfolio_id, old.service_id) {
        return Ok(grant);
    }
    let landing = target_at(
        caller,
        fields.service_id,
        fields.portfolio_id,
        &need.created_by,
    );
    Ok(Grant::merge(
        Some(grant),
        caller.authorize(Action::NeedUpdate, &landing)?,
    ))
}
