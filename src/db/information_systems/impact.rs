//! What breaks if a system goes (its impact), what a service rests on (its dependencies through
//! systems), and whether a new dependency would close a cycle: one recursive query each, the
//! paths found in memory.

use std::collections::HashMap;

use diesel::prelude::*;

use super::super::DbConnection;
use super::{edges_above_system, edges_below_service, edges_below_system, Edge};
use crate::domain::it::{breadth_first, cycle_through, path_back, Criticality, Neighbours};
use crate::error::AppResult;

/// A service the system's loss reaches: through which systems, and how much it needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct Impact {
    pub service_id: i64,
    /// From the system the service depends on directly to the system asked about.
    pub path: Vec<i64>,
    /// The strongest criticality of the service's dependencies that lead there.
    pub criticality: Criticality,
}

/// A system a service rests on, directly or through others.
#[derive(Debug, Clone, PartialEq)]
pub struct Reached {
    pub system_id: i64,
    /// From the system the service depends on directly to this one.
    pub path: Vec<i64>,
    pub criticality: Criticality,
}

fn criticality(edge: &Edge) -> Criticality {
    edge.criticality
        .as_deref()
        .and_then(|c| c.parse().ok())
        .unwrap_or(Criticality::Supporting)
}

/// Every service that depends on `system`, directly or through other systems. Each service once:
/// through its strongest dependency that leads there, by the shortest path.
pub fn impact(conn: &mut DbConnection, system: i64) -> AppResult<Vec<Impact>> {
    let edges = edges_above_system(conn, system)?;
    let mut dependants = Neighbours::new();
    for e in edges.iter().filter(|e| !e.is_service()) {
        dependants.entry(e.to_id).or_default().push(e.from_id);
    }
    let tree = breadth_first(&[system], &dependants);
    let mut best: HashMap<i64, Impact> = HashMap::new();
    for e in edges.iter().filter(|e| e.is_service()) {
        let path = path_back(e.to_id, &tree);
        let candidate = Impact {
            service_id: e.from_id,
            path,
            criticality: criticality(e),
        };
        let better = best.get(&e.from_id).is_none_or(|held| {
            (candidate.criticality, candidate.path.len()) < (held.criticality, held.path.len())
        });
        if better {
            best.insert(e.from_id, candidate);
        }
    }
    let mut lines: Vec<Impact> = best.into_values().collect();
    lines.sort_by_key(|l| (l.criticality, l.service_id));
    Ok(lines)
}

/// Every system `service` rests on: for each, the strongest of the service's dependencies that
/// lead there, by the shortest path from it.
pub fn below_service(conn: &mut DbConnection, service: i64) -> AppResult<Vec<Reached>> {
    let edges = edges_below_service(conn, service)?;
    let mut depends_on = Neighbours::new();
    for e in edges.iter().filter(|e| !e.is_service()) {
        depends_on.entry(e.from_id).or_default().push(e.to_id);
    }
    let mut reached: HashMap<i64, Reached> = HashMap::new();
    // Strongest first: a system reached by a critical dependency is critical, whatever else.
    for level in Criticality::ALL {
        let origins: Vec<i64> = edges
            .iter()
            .filter(|e| e.is_service() && criticality(e) == level)
            .map(|e| e.to_id)
            .collect();
        let tree = breadth_first(&origins, &depends_on);
        for node in tree.keys() {
            if reached.contains_key(node) {
                continue;
            }
            let mut path = path_back(*node, &tree);
            path.reverse();
            reached.insert(
                *node,
                Reached {
                    system_id: *node,
                    path,
                    criticality: level,
                },
            );
        }
    }
    let mut out: Vec<Reached> = reached.into_values().collect();
    out.sort_by_key(|r| (r.path.len(), r.criticality, r.system_id));
    Ok(out)
}

/// The path `on` → … → `system` that `system` depending on `on` would close into a cycle.
pub fn cycle(conn: &mut DbConnection, system: i64, on: i64) -> AppResult<Option<Vec<i64>>> {
    let mut depends_on = Neighbours::new();
    for e in edges_below_system(conn, on)? {
        depends_on.entry(e.from_id).or_default().push(e.to_id);
    }
    Ok(cycle_through(system, on, &depends_on))
}

/// A service as the impact shows it, with its portfolio's slug.
#[derive(Debug, Clone, Queryable)]
pub struct ImpactedService {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub lifecycle: String,
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
}

pub fn impacted_services(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<ImpactedService>> {
    use super::super::schema::{portfolios, services};
    super::super::in_pieces(ids, |ids| {
        Ok(services::table
            .left_join(portfolios::table)
            .filter(services::id.eq_any(ids))
            .select((
                services::id,
                services::slug,
                services::name,
                services::lifecycle,
                services::portfolio_id,
                portfolios::slug.nullable(),
            ))
            .load(conn)?)
    })
}

/// An active holder: on a portfolio or on a service, by `sub`.
pub type Holder = (Option<i64>, Option<i64>, String);

/// The active holders of `roles` on these portfolios and these services, in order of
/// appointment.
pub fn holders(
    conn: &mut DbConnection,
    roles: &[String],
    portfolio_ids: &[i64],
    service_ids: &[i64],
) -> AppResult<Vec<Holder>> {
    use super::super::schema::{people, role_assignments};
    let active = || {
        role_assignments::table
            .inner_join(people::table)
            .filter(role_assignments::ended_at.is_null())
            .filter(role_assignments::role.eq_any(roles.to_vec()))
            .order(role_assignments::id)
            .select((
                role_assignments::portfolio_id,
                role_assignments::service_id,
                people::sub,
            ))
    };
    let mut out = super::super::in_pieces(portfolio_ids, |ids| {
        Ok(active()
            .filter(role_assignments::portfolio_id.eq_any(ids))
            .load(conn)?)
    })?;
    out.extend(super::super::in_pieces(service_ids, |ids| {
        Ok(active()
            .filter(role_assignments::service_id.eq_any(ids))
            .load(conn)?)
    })?);
    Ok(out)
}
