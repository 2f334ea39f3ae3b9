//! The dependency graph of the IT environment, in memory: what breaks when a system goes (its
//! impact), what a service rests on, and whether a new dependency would close a cycle. Each
//! answer walks only the part of the graph it concerns, breadth first, so paths are shortest.

use std::collections::HashMap;

use super::it::{breadth_first, cycle_through, path_back, Criticality, Neighbours, Tree};

/// Every dependency: systems on systems, services on systems (with criticality).
#[derive(Debug, Default, Clone)]
pub struct Graph {
    /// System → the systems that depend on it.
    dependants: Neighbours,
    /// System → the systems it depends on.
    depends_on: Neighbours,
    /// System → the services that depend on it directly.
    services_on: HashMap<i64, Vec<(i64, Criticality)>>,
    /// Service → the systems it depends on directly.
    systems_of: HashMap<i64, Vec<(i64, Criticality)>>,
}

/// One dependency written or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    SystemAdded {
        system: i64,
        on: i64,
    },
    SystemRemoved {
        system: i64,
        on: i64,
    },
    ServiceAdded {
        service: i64,
        system: i64,
        criticality: Criticality,
    },
    ServiceRemoved {
        service: i64,
        system: i64,
    },
}

/// `value` out of `list` (once), if it is there.
fn remove<T: PartialEq>(list: Option<&mut Vec<T>>, matches: impl Fn(&T) -> bool) {
    if let Some(list) = list {
        if let Some(at) = list.iter().position(matches) {
            list.swap_remove(at);
        }
    }
}

/// A service the system's loss reaches, and how much it needs what leads there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    pub service_id: i64,
    /// The system the service depends on directly, on the path to the system asked about.
    pub via: i64,
    /// The strongest criticality of the service's dependencies that lead there.
    pub criticality: Criticality,
}

/// Every service a system's loss reaches, strongest first, and the paths there.
#[derive(Debug)]
pub struct Impacts {
    pub lines: Vec<Impact>,
    tree: Tree,
}

impl Impacts {
    /// From the system `line`'s service depends on directly to the system asked about.
    pub fn path(&self, line: &Impact) -> Vec<i64> {
        path_back(line.via, &self.tree)
    }
}

/// A system a service rests on, directly or through others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub system_id: i64,
    /// From the system the service depends on directly to this one.
    pub path: Vec<i64>,
    pub criticality: Criticality,
}

impl Graph {
    /// From `(system, depends on)` and `(service, system, criticality)` pairs.
    pub fn new(system_edges: &[(i64, i64)], service_edges: &[(i64, i64, Criticality)]) -> Graph {
        let mut graph = Graph::default();
        for (system, on) in system_edges {
            graph.dependants.entry(*on).or_default().push(*system);
            graph.depends_on.entry(*system).or_default().push(*on);
        }
        for (service, system, criticality) in service_edges {
            graph
                .services_on
                .entry(*system)
                .or_default()
                .push((*service, *criticality));
            graph
                .systems_of
                .entry(*service)
                .or_default()
                .push((*system, *criticality));
        }
        graph
    }

    /// The graph with `change` made (an instance's own write, once committed).
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::SystemAdded { system, on } => {
                self.dependants.entry(on).or_default().push(system);
                self.depends_on.entry(system).or_default().push(on);
            }
            Change::SystemRemoved { system, on } => {
                remove(self.dependants.get_mut(&on), |s| *s == system);
                remove(self.depends_on.get_mut(&system), |s| *s == on);
            }
            Change::ServiceAdded {
                service,
                system,
                criticality,
            } => {
                self.services_on
                    .entry(system)
                    .or_default()
                    .push((service, criticality));
                self.systems_of
                    .entry(service)
                    .or_default()
                    .push((system, criticality));
            }
            Change::ServiceRemoved { service, system } => {
                remove(self.services_on.get_mut(&system), |(s, _)| *s == service);
                remove(self.systems_of.get_mut(&service), |(s, _)| *s == system);
            }
        }
    }

    /// Every service that depends on `system`, directly or through other systems; each once,
    /// through its strongest dependency that leads there, by the shortest path. Strongest
    /// first, then by service id.
    pub fn impact(&self, system: i64) -> Impacts {
        let tree = breadth_first(&[system], &self.dependants);
        // Per service: (criticality, distance, via), the least is the strongest and nearest.
        let mut best: HashMap<i64, (Criticality, u32, i64)> = HashMap::new();
        for (node, (_, depth)) in &tree {
            for (service, criticality) in self.services_on.get(node).map_or(&[][..], Vec::as_slice)
            {
                let candidate = (*criticality, *depth, *node);
                best.entry(*service)
                    .and_modify(|held| *held = (*held).min(candidate))
                    .or_insert(candidate);
            }
        }
        let mut lines: Vec<Impact> = best
            .into_iter()
            .map(|(service_id, (criticality, _, via))| Impact {
                service_id,
                via,
                criticality,
            })
            .collect();
        lines.sort_by_key(|l| (l.criticality, l.service_id));
        Impacts { lines, tree }
    }

    /// Every system `service` rests on: for each, the strongest of the service's dependencies
    /// that lead there, by the shortest path from it. Nearest first.
    pub fn below_service(&self, service: i64) -> Vec<Reached> {
        let direct = self.systems_of.get(&service).map_or(&[][..], Vec::as_slice);
        let mut reached: HashMap<i64, Reached> = HashMap::new();
        // Strongest first: a system reached by a critical dependency is critical, whatever else.
        for level in Criticality::ALL {
            let origins: Vec<i64> = direct
                .iter()
                .filter(|(_, c)| *c == level)
                .map(|(s, _)| *s)
                .collect();
            let tree = breadth_first(&origins, &self.depends_on);
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
        out
    }

    /// The path `on` → … → `system` that `system` depending on `on` would close into a cycle.
    pub fn cycle(&self, system: i64, on: i64) -> Option<Vec<i64>> {
        cycle_through(system, on, &self.depends_on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Criticality::*;

    /// eduroam (1) critical on RADIUS (10), RADIUS on the backbone (20); eduid (2) supporting
    /// on RADIUS and important on the backbone; Sunet Box (3) critical on storage (30), on the
    /// backbone.
    fn sunet() -> Graph {
        Graph::new(
            &[(10, 20), (30, 20)],
            &[
                (1, 10, Critical),
                (2, 10, Supporting),
                (2, 20, Important),
                (3, 30, Critical),
            ],
        )
    }

    #[test]
    fn the_backbone_takes_every_service_with_it_strongest_first() {
        let impacts = sunet().impact(20);
        let seen: Vec<(i64, Vec<i64>, Criticality)> = impacts
            .lines
            .iter()
            .map(|l| (l.service_id, impacts.path(l), l.criticality))
            .collect();
        assert_eq!(
            seen,
            [
                (1, vec![10, 20], Critical),
                (3, vec![30, 20], Critical),
                (2, vec![20], Important),
            ]
        );
    }

    #[test]
    fn a_service_rests_on_what_its_systems_rest_on() {
        let below = sunet().below_service(2);
        let seen: Vec<(i64, Vec<i64>, Criticality)> = below
            .into_iter()
            .map(|r| (r.system_id, r.path, r.criticality))
            .collect();
        // The backbone is reached both ways: its own important dependency is the stronger.
        assert_eq!(
            seen,
            [(20, vec![20], Important), (10, vec![10], Supporting)]
        );
    }

    #[test]
    fn a_change_made_in_memory_is_the_graph_read_again() {
        let mut graph = sunet();
        graph.apply(Change::ServiceRemoved {
            service: 1,
            system: 10,
        });
        graph.apply(Change::SystemRemoved { system: 30, on: 20 });
        graph.apply(Change::SystemAdded { system: 30, on: 10 });
        graph.apply(Change::ServiceAdded {
            service: 4,
            system: 30,
            criticality: Supporting,
        });
        let read = Graph::new(
            &[(10, 20), (30, 10)],
            &[
                (2, 10, Supporting),
                (2, 20, Important),
                (3, 30, Critical),
                (4, 30, Supporting),
            ],
        );
        assert_eq!(graph.impact(20).lines, read.impact(20).lines);
        assert_eq!(graph.below_service(3), read.below_service(3));
    }

    #[test]
    fn a_dependency_back_up_the_graph_closes_a_cycle() {
        assert_eq!(sunet().cycle(20, 10), Some(vec![10, 20]));
        assert_eq!(sunet().cycle(10, 30), None);
    }
}
