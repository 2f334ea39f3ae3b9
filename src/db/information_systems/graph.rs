//! The dependency graph, kept in memory by each instance and read afresh when its generation
//! moves: every dependency written or removed moves it in the same transaction (an instance
//! makes its own committed changes in its copy instead). A recursive
//! query walks tens of thousands of edges row by row for a system everything rests on (see
//! bench/RESULTS.md); two plain reads of the edges after a change, then a walk in memory, answer
//! the same within a few milliseconds at any depth.

use std::sync::{Arc, Mutex};

use diesel::prelude::*;

use super::super::schema::{dependency_graph, service_dependencies, system_dependencies};
use super::super::DbConnection;
use crate::domain::it::Criticality;
use crate::domain::it_graph::{Change, Graph};
use crate::error::AppResult;

/// An instance's copy of the graph, with the generation it was read at.
#[derive(Default)]
pub struct GraphCache(Mutex<Option<(i64, Arc<Graph>)>>);

/// A dependency changed: the graph moves to its next generation.
pub(super) fn bump(conn: &mut DbConnection) -> AppResult<()> {
    diesel::update(dependency_graph::table.filter(dependency_graph::id.eq(1)))
        .set(dependency_graph::generation.eq(dependency_graph::generation + 1))
        .execute(conn)?;
    Ok(())
}

/// The generation the connection's transaction sees (after its own writes).
pub fn generation(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(dependency_graph::table
        .filter(dependency_graph::id.eq(1))
        .select(dependency_graph::generation)
        .first(conn)?)
}

impl GraphCache {
    /// The instance's own `change`, committed at `generation`: made in the copy when the copy is
    /// of the generation just before (else the next read reads the graph again).
    pub fn applied(&self, generation: i64, change: Change) {
        let Ok(mut held) = self.0.lock() else {
            return;
        };
        if let Some((at, graph)) = held.as_mut().filter(|(at, _)| *at + 1 == generation) {
            Arc::make_mut(graph).apply(change);
            *at = generation;
        }
    }
}

/// The graph as the connection's transaction sees it: the cached copy if its generation is
/// current, else read now (and kept).
pub fn graph(conn: &mut DbConnection, cache: &GraphCache) -> AppResult<Arc<Graph>> {
    let generation = generation(conn)?;
    if let Ok(held) = cache.0.lock() {
        if let Some((_, graph)) = held.as_ref().filter(|(at, _)| *at == generation) {
            return Ok(graph.clone());
        }
    }
    let graph = Arc::new(read(conn)?);
    if let Ok(mut held) = cache.0.lock() {
        // A newer copy another request read meanwhile stays.
        if held.as_ref().is_none_or(|(at, _)| *at < generation) {
            *held = Some((generation, graph.clone()));
        }
    }
    Ok(graph)
}

fn read(conn: &mut DbConnection) -> AppResult<Graph> {
    let systems: Vec<(i64, i64)> = system_dependencies::table
        .select((
            system_dependencies::information_system_id,
            system_dependencies::depends_on_id,
        ))
        .load(conn)?;
    let services: Vec<(i64, i64, String)> = service_dependencies::table
        .select((
            service_dependencies::service_id,
            service_dependencies::information_system_id,
            service_dependencies::criticality,
        ))
        .load(conn)?;
    let services: Vec<(i64, i64, Criticality)> = services
        .into_iter()
        .map(|(service, system, c)| {
            (
                service,
                system,
                c.parse().unwrap_or(Criticality::Supporting),
            )
        })
        .collect();
    Ok(Graph::new(&systems, &services))
}
