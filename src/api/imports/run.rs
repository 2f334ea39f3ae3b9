//! The run of an import: every row planned (read, authorised, validated, matched by natural
//! key) before anything is written; then, unless it is a dry run or a row was refused, each
//! planned write made in the request's one transaction, audited with the import's id.

use std::collections::HashMap;

use super::file::{self, Columns, Format};
use super::record::Record;
use super::types::{ImportKind, ImportReport, ImportView, ImportedRow, RowOutcome};
use super::{
    contracts, deliveries, information_systems, needs, organizations, role_assignments, services,
};
use crate::auth::policy::{Action, Caller, Target};
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, FieldError};

/// How many rows an import writes between refreshes of the statistics of the tables it grows.
const STATISTICS_EVERY: usize = 1000;

/// What one row will do.
pub enum Step<W> {
    /// The row matches an object as it is (its id): nothing to write.
    Unchanged(i64),
    Create(W),
    Update(W),
}

/// A row's step, or why it is refused.
pub type Planned<W> = Result<Step<W>, Vec<FieldError>>;

/// The report of a planned file, and each row's step by its number.
type Plan<W> = (ImportReport, Vec<(u64, Step<W>)>);

/// One kind of object a file may hold.
pub trait Kind {
    const COLUMNS: Columns;
    /// The natural key's column(s), for the message on a repeated key.
    const KEY: &'static str;
    /// The tables its writes grow (their statistics are refreshed as they grow).
    const GROWS: &'static [&'static str];
    /// A planned write.
    type Write;
    /// What the rows name, looked up for the whole file.
    type Known;
    /// The record's natural key (`None` when it lacks one: its plan says why); by default the
    /// text of the one column [`Kind::KEY`].
    fn key(record: &Record) -> Option<String> {
        record.text(Self::KEY).map(|k| k.trim().to_string())
    }
    /// Everything the file's rows name, in a bounded number of queries (not one per row).
    fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Self::Known>;
    /// One record's step, without writing (`known` keeps what earlier rows planned, where a
    /// rule counts them).
    fn plan_row(
        conn: &mut DbConnection,
        caller: &Caller,
        record: &Record,
        known: &mut Self::Known,
    ) -> AppResult<Planned<Self::Write>>;
    /// What needs every row's object first (a system's dependency on a system a later row
    /// creates): written after all rows, given each planned write with its object's id.
    fn finish(
        _conn: &mut DbConnection,
        _caller: &Caller,
        _written: &[(&Self::Write, i64)],
    ) -> AppResult<Vec<Change>> {
        Ok(Vec::new())
    }
    /// Makes one planned write: the object's id and the changes to audit.
    fn apply(
        conn: &mut DbConnection,
        caller: &Caller,
        write: &Self::Write,
    ) -> AppResult<(i64, Vec<Change>)>;
}

/// A file read and checked against its kind's columns.
pub struct File {
    kind: ImportKind,
    format: Format,
    records: Vec<Record>,
}

/// `$body` with `$k` the [`Kind`] of `$kind`.
macro_rules! with_kind {
    ($kind:expr, $k:ident => $body:expr) => {
        match $kind {
            ImportKind::Organizations => {
                type $k = organizations::Organizations;
                $body
            }
            ImportKind::Services => {
                type $k = services::Services;
                $body
            }
            ImportKind::Contracts => {
                type $k = contracts::Contracts;
                $body
            }
            ImportKind::Deliveries => {
                type $k = deliveries::Deliveries;
                $body
            }
            ImportKind::RoleAssignments => {
                type $k = role_assignments::RoleAssignments;
                $body
            }
            ImportKind::InformationSystems => {
                type $k = information_systems::InformationSystems;
                $body
            }
            ImportKind::Needs => {
                type $k = needs::Needs;
                $body
            }
        }
    };
}

impl File {
    pub fn read(kind: ImportKind, format: Format, body: &[u8]) -> AppResult<File> {
        let columns = with_kind!(kind, K => &K::COLUMNS);
        let records = file::read(body, format, columns)?;
        Ok(File {
            kind,
            format,
            records,
        })
    }
}

pub fn dry_run(conn: &mut DbConnection, caller: &Caller, file: &File) -> AppResult<ImportReport> {
    with_kind!(file.kind, K => plan::<K>(conn, caller, file, true).map(|(r, _)| r))
}

pub fn import(
    conn: &mut DbConnection,
    caller: &Caller,
    file: &File,
    request_id: &str,
) -> AppResult<Audited<ImportReport>> {
    with_kind!(file.kind, K => write::<K>(conn, caller, file, request_id))
}

/// Every row planned: the report of what would happen, or 422 with every refused row.
fn plan<K: Kind>(
    conn: &mut DbConnection,
    caller: &Caller,
    file: &File,
    dry_run: bool,
) -> AppResult<Plan<K::Write>> {
    let mut errors = repeated_keys::<K>(&file.records);
    let mut known = K::look_up(conn, &file.records)?;
    let planned = file
        .records
        .iter()
        .map(|record| K::plan_row(conn, caller, record, &mut known))
        .collect::<AppResult<Vec<_>>>()?;
    let mut report = ImportReport {
        id: None,
        kind: file.kind,
        dry_run,
        rows: file.records.len() as i64,
        created: 0,
        updated: 0,
        unchanged: 0,
        errors: Vec::new(),
    };
    let mut steps = Vec::with_capacity(planned.len());
    for (record, step) in file.records.iter().zip(planned) {
        match step {
            Ok(step) => {
                match step {
                    Step::Unchanged(_) => report.unchanged += 1,
                    Step::Create(_) => report.created += 1,
                    Step::Update(_) => report.updated += 1,
                }
                steps.push((record.row, step));
            }
            Err(row_errors) => errors.extend(row_errors),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(refused(&report, errors));
    }
    Ok((report, steps))
}

/// A row whose natural key an earlier row of the file has.
fn repeated_keys<K: Kind>(records: &[Record]) -> Vec<FieldError> {
    let mut first_row: HashMap<String, u64> = HashMap::new();
    let mut errors = Vec::new();
    for record in records {
        let Some(key) = K::key(record) else { continue };
        match first_row.get(&key) {
            Some(first) => errors.push(FieldError::in_row(
                record.row,
                K::KEY,
                format!("repeats row {first}: a file names each object once"),
            )),
            None => {
                first_row.insert(key, record.row);
            }
        }
    }
    errors
}

fn refused(report: &ImportReport, errors: Vec<FieldError>) -> AppError {
    let mut members = serde_json::Map::new();
    members.insert("kind".into(), serde_json::json!(report.kind));
    members.insert("dry_run".into(), serde_json::json!(report.dry_run));
    members.insert("rows".into(), serde_json::json!(report.rows));
    AppError::ImportRefused {
        detail: format!(
            "{} of the file's {} rows were refused; nothing was written.",
            errors
                .iter()
                .filter_map(|e| e.row)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            report.rows
        ),
        errors,
        members: Box::new(members),
    }
}

/// Every row planned, then written: the import recorded, each write audited with its id.
fn write<K: Kind>(
    conn: &mut DbConnection,
    caller: &Caller,
    file: &File,
    request_id: &str,
) -> AppResult<Audited<ImportReport>> {
    let grant = caller.authorize(Action::ImportCreate, &Target::global())?;
    let (mut report, steps) = plan::<K>(conn, caller, file, false)?;
    let import = db::imports::insert(
        conn,
        &db::imports::NewImport {
            kind: file.kind.as_str(),
            format: file.format.as_str(),
            imported_by: &caller.sub,
            request_id,
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
        },
    )?;
    report.id = Some(import.id);
    let mut outcomes = Vec::with_capacity(steps.len());
    let mut changes = Vec::new();
    for (done, (row, step)) in steps.iter().enumerate() {
        if done > 0 && done % STATISTICS_EVERY == 0 {
            db::imports::refresh_statistics(conn, K::GROWS)?;
        }
        let (outcome, object_id) = match step {
            Step::Unchanged(id) => (RowOutcome::Unchanged, *id),
            Step::Create(w) | Step::Update(w) => {
                let (id, made) = K::apply(conn, caller, w)?;
                changes.extend(made.into_iter().map(|c| c.in_import(import.id)));
                let outcome = match step {
                    Step::Create(_) => RowOutcome::Created,
                    _ => RowOutcome::Updated,
                };
                (outcome, id)
            }
        };
        outcomes.push(ImportedRow {
            row: *row,
            outcome,
            object_id,
        });
    }
    let written: Vec<(&K::Write, i64)> = steps
        .iter()
        .zip(&outcomes)
        .filter_map(|((_, step), outcome)| match step {
            Step::Create(w) | Step::Update(w) => Some((w, outcome.object_id)),
            Step::Unchanged(_) => None,
        })
        .collect();
    let finished = K::finish(conn, caller, &written)?;
    changes.extend(finished.into_iter().map(|c| c.in_import(import.id)));
    let outcomes_json = serde_json::to_string(&outcomes).map_err(AppError::internal)?;
    db::imports::set_outcomes(conn, import.id, &outcomes_json)?;
    let mut recorded = import.clone();
    recorded.outcomes = outcomes_json;
    // The import's own event says what it did, not every row again (those have their own).
    let mut summary = ImportView::from(&recorded);
    summary.outcomes.clear();
    let change = Change::by(&grant, ObjectType::Import, import.id)
        .after(&summary)
        .in_import(import.id);
    Ok(Audited::new(report, change).and_all(changes))
}
