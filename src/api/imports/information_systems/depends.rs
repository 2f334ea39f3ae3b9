//! A system row's `depends_on` (slugs separated by `;`, as exported): the dependencies it adds
//! and removes, checked as `POST`/`DELETE /information-systems/{id}/dependencies` check them
//! (LG or the system's responsible; not on itself, not on a retired system, closing no cycle)
//! against the graph as the file's earlier rows leave it. A system a later row creates is named
//! by its slug until it exists: the edges are written after every row.

use std::collections::HashMap;

use super::Known;
use crate::api::information_systems::SystemDependencyView;
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::db::audit::{Change, ObjectType};
use crate::db::information_systems::{self as systems, InformationSystem};
use crate::db::DbConnection;
use crate::domain::it::SystemLifecycle;
use crate::domain::it_graph::{Change as GraphChange, Graph};
use crate::error::{AppError, AppResult};

/// The graph of system dependencies as planned so far, and the systems the file creates.
pub struct Edges {
    /// (edge, system, on) as stored.
    pub stored: Vec<(i64, i64, i64)>,
    pub graph: Graph,
    /// The systems the file creates: a stand-in id (minus the row) and whether it is retired.
    pub in_file: HashMap<String, (i64, bool)>,
}

/// The system depended on: one that exists, or one the file creates.
#[derive(Debug, Clone)]
pub enum On {
    Existing(i64),
    InFile(String),
}

/// The dependency changes of one row.
pub struct Dependencies {
    pub adds: Vec<On>,
    /// (edge, the system it was on).
    pub removes: Vec<(i64, i64)>,
    pub grant: Grant,
}

/// The row's dependency changes (none when it leaves `depends_on` out or changes nothing).
pub fn plan(
    caller: &Caller,
    known: &mut Known,
    slug: &str,
    given: Option<&[String]>,
    system: Option<&InformationSystem>,
    targets: &[Target],
) -> AppResult<Option<Dependencies>> {
    let Some(given) = given else { return Ok(None) };
    let id = match system {
        Some(s) => s.id,
        None => known.depends.in_file.get(slug).map_or(0, |(id, _)| *id),
    };
    let mut wanted = Vec::new();
    for on in given {
        if on == slug {
            return Err(AppError::unprocessable(
                "depends_on",
                "a system does not depend on itself",
            ));
        }
        let (on_id, retired) = match (known.systems.get(on), known.depends.in_file.get(on)) {
            (Some(s), _) => (s.id, s.lifecycle() == SystemLifecycle::Retired),
            (None, Some((id, retired))) => (*id, *retired),
            (None, None) => {
                return Err(AppError::unprocessable(
                    "depends_on",
                    format!("there is no information system {on}"),
                ))
            }
        };
        if retired {
            return Err(AppError::unprocessable(
                "depends_on",
                format!("{on} is retired"),
            ));
        }
        wanted.push((on_id, on.clone()));
    }
    let current: Vec<(i64, i64)> = known
        .depends
        .stored
        .iter()
        .filter(|(_, s, _)| *s == id)
        .map(|(edge, _, on)| (*edge, *on))
        .collect();
    let removes: Vec<(i64, i64)> = current
        .iter()
        .filter(|(_, on)| !wanted.iter().any(|(w, _)| w == on))
        .copied()
        .collect();
    let adds: Vec<(i64, String)> = wanted
        .into_iter()
        .filter(|(on, _)| !current.iter().any(|(_, c)| c == on))
        .collect();
    if adds.is_empty() && removes.is_empty() {
        return Ok(None);
    }
    let grant = caller
        .may_any(Action::SystemDependencyManage, targets)
        .ok_or_else(|| AppError::forbidden(Action::SystemDependencyManage.code()))?;
    for (_, on) in &removes {
        known.depends.graph.apply(GraphChange::SystemRemoved {
            system: id,
            on: *on,
        });
    }
    for (on, _) in &adds {
        if let Some(path) = known.depends.graph.cycle(id, *on) {
            return Err(AppError::unprocessable(
                "depends_on",
                format!("would close a cycle: {}", cycle_text(known, id, &path)),
            ));
        }
        known.depends.graph.apply(GraphChange::SystemAdded {
            system: id,
            on: *on,
        });
    }
    Ok(Some(Dependencies {
        adds: adds
            .into_iter()
            .map(|(on, slug)| match on > 0 {
                true => On::Existing(on),
                false => On::InFile(slug),
            })
            .collect(),
        removes,
        grant,
    }))
}

/// `a → b → … → a` by slug.
fn cycle_text(known: &Known, system: i64, path: &[i64]) -> String {
    let slug = |id: i64| {
        known
            .systems
            .values()
            .find(|s| s.id == id)
            .map(|s| s.slug.clone())
            .or_else(|| {
                known
                    .depends
                    .in_file
                    .iter()
                    .find(|(_, (i, _))| *i == id)
                    .map(|(s, _)| s.clone())
            })
            .unwrap_or_else(|| id.to_string())
    };
    std::iter::once(system)
        .chain(path.iter().copied())
        .map(slug)
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Writes the dependency changes of `system`, its id known now; `ids` are the file's systems'.
pub fn write(
    conn: &mut DbConnection,
    caller: &Caller,
    system: i64,
    dependencies: &Dependencies,
    ids: &HashMap<String, i64>,
) -> AppResult<Vec<Change>> {
    let mut changes = Vec::new();
    for (edge, on) in &dependencies.removes {
        let on = systems::find_many(conn, &[*on])?;
        let Some(on) = on.first() else { continue };
        let gone = systems::find_of_system(conn, system, *edge)?;
        systems::delete_of_system(conn, *edge)?;
        changes.push(
            Change::as_action(
                "information_system.dependency_remove",
                &dependencies.grant,
                ObjectType::SystemDependency,
                *edge,
            )
            .before(&SystemDependencyView::of(&gone, &on.outline())),
        );
    }
    for on in &dependencies.adds {
        let on_id = match on {
            On::Existing(id) => *id,
            On::InFile(slug) => *ids
                .get(slug)
                .ok_or_else(|| AppError::internal("a planned system was not written"))?,
        };
        let on = systems::find_many(conn, &[on_id])?;
        let Some(on) = on.first() else { continue };
        let edge = systems::insert_of_system(conn, system, on.id, None, &caller.sub)?;
        changes.push(
            Change::as_action(
                "information_system.dependency_add",
                &dependencies.grant,
                ObjectType::SystemDependency,
                edge.id,
            )
            .after(&SystemDependencyView::of(&edge, &on.outline())),
        );
    }
    Ok(changes)
}
