//! The IT environment (it-miljö, docs/domain.md; guidelines 1, 2, 4.1, 5): information systems,
//! their lifecycle, what depends on them and how much.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::vocabulary! {
    /// What kind of information system (guidelines 5: applications, services or other
    /// components that handle information, networks and infrastructure included).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum SystemKind("a kind of information system") {
        Application = "application",
        Component = "component",
        Network = "network",
        Infrastructure = "infrastructure",
        DataStore = "data_store",
        ExternalService = "external_service",
    }
}

crate::vocabulary! {
    /// `planned` → `in_use` → `phasing_out` → `retired` (final; the management group's step).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    pub enum SystemLifecycle("a system lifecycle") {
        Planned = "planned",
        InUse = "in_use",
        PhasingOut = "phasing_out",
        Retired = "retired",
    }
}

impl SystemLifecycle {
    /// May an update move a system from `self` to `to`? Forward only, and never into
    /// `retired` (that is the retire step) nor out of it.
    pub fn update_to(self, to: SystemLifecycle) -> Result<(), String> {
        match (self, to) {
            (from, to) if from == to => Ok(()),
            (_, SystemLifecycle::Retired) => {
                Err("a system is retired by POST /information-systems/{id}/retire".into())
            }
            (SystemLifecycle::Retired, _) => Err("a retired system stays retired".into()),
            (from, to) if to < from => {
                Err(format!("a system does not go back from {from} to {to}"))
            }
            _ => Ok(()),
        }
    }
}

crate::vocabulary! {
    /// Where a system runs.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum Hosting("a hosting") {
        Sunet = "sunet",
        Supplier = "supplier",
        Cloud = "cloud",
        Other = "other",
    }
}

crate::vocabulary! {
    /// How much a service needs a system, strongest first.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    pub enum Criticality("a criticality") {
        /// The service stops without it.
        Critical = "critical",
        /// The service is degraded without it.
        Important = "important",
        /// The service manages without it for a while.
        Supporting = "supporting",
    }
}

crate::vocabulary! {
    /// The inventory a system is referenced in (the details stay there).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum RefSystem("an external reference system (netbox, backstage, url)") {
        Netbox = "netbox",
        Backstage = "backstage",
        Url = "url",
    }
}

/// Where a detailed inventory keeps a system: a NetBox or Backstage name, or a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalRef {
    pub system: RefSystem,
    /// The name or id in that system; for `url`, an http(s) URL.
    #[schema(
        example = "dcim/devices/4711",
        max_length = 500,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    #[serde(rename = "ref")]
    pub reference: String,
}

/// At most this many references per system.
pub const MAX_EXTERNAL_REFS: usize = 20;

/// Why a list of references was refused: its form (what the document states), or a rule it
/// cannot state (a `url` reference that is no URL, one given twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    Form(String, String),
    Rule(String, String),
}

impl ExternalRef {
    /// The references as given, each checked: a non-blank line, a URL for `url`; no two alike.
    pub fn parse_all(refs: &[ExternalRef]) -> Result<Vec<ExternalRef>, RefError> {
        if refs.len() > MAX_EXTERNAL_REFS {
            return Err(RefError::Form(
                "external_refs".into(),
                format!("at most {MAX_EXTERNAL_REFS} references"),
            ));
        }
        let mut out: Vec<ExternalRef> = Vec::with_capacity(refs.len());
        for (i, r) in refs.iter().enumerate() {
            let field = format!("external_refs[{i}].ref");
            let line = super::text::line(&field, &r.reference, 500)
                .map_err(|(f, m)| RefError::Form(f, m))?;
            let reference = match r.system {
                RefSystem::Url => {
                    super::text::url(&field, &line).map_err(|(f, m)| RefError::Rule(f, m))?
                }
                _ => line,
            };
            let parsed = ExternalRef {
                system: r.system,
                reference,
            };
            if out.contains(&parsed) {
                return Err(RefError::Rule(field, "is given twice".into()));
            }
            out.push(parsed);
        }
        Ok(out)
    }
}

/// What the management group weighed of the IT environment when it established a service
/// (guidelines 1: "Sunets it-miljö skall beaktas"): kept on the service and in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItAssessment {
    /// What was considered and concluded (not blank).
    #[schema(
        example = "Körs på Sunets befintliga RADIUS-plattform; inga nya system behövs.",
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub summary: String,
    /// The existing systems the service will rest on (empty: it needs none of them).
    #[schema(max_items = 1000)]
    pub information_system_ids: Vec<i64>,
}

/// The strongest of two criticalities.
pub fn strongest(a: Criticality, b: Criticality) -> Criticality {
    a.min(b)
}

/// The dependency graph's edges by node: for each node, the nodes one step away.
pub type Neighbours = HashMap<i64, Vec<i64>>;

/// A breadth-first tree: each node reached, with the node one step closer to an origin (`None`
/// for an origin) and its distance from the origins.
pub type Tree = HashMap<i64, (Option<i64>, u32)>;

/// Breadth-first from `origins`. Each node is visited once, so cycles end it too.
pub fn breadth_first(origins: &[i64], neighbours: &Neighbours) -> Tree {
    let mut tree: Tree = origins.iter().map(|o| (*o, (None, 0))).collect();
    let mut queue: VecDeque<(i64, u32)> = origins.iter().map(|o| (*o, 0)).collect();
    while let Some((node, depth)) = queue.pop_front() {
        for next in neighbours.get(&node).map_or(&[][..], Vec::as_slice) {
            if !tree.contains_key(next) {
                tree.insert(*next, (Some(node), depth + 1));
                queue.push_back((*next, depth + 1));
            }
        }
    }
    tree
}

/// The path from `node` back to its origin in `tree` (both included); empty when not reached.
pub fn path_back(node: i64, tree: &Tree) -> Vec<i64> {
    let mut path = Vec::new();
    let mut at = tree.contains_key(&node).then_some(node);
    while let Some(n) = at {
        path.push(n);
        at = tree.get(&n).and_then(|(previous, _)| *previous);
    }
    path
}

/// Would `system` depending on `on` close a cycle? The path `on` → … → `system` that already
/// exists, if so (the new edge closes it back to `on`).
pub fn cycle_through(system: i64, on: i64, depends_on: &Neighbours) -> Option<Vec<i64>> {
    let tree = breadth_first(&[on], depends_on);
    let mut path = path_back(system, &tree);
    if path.is_empty() {
        return None;
    }
    path.reverse();
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_moves_forward_and_is_retired_only_by_its_own_step() {
        use SystemLifecycle::*;
        assert!(Planned.update_to(InUse).is_ok());
        assert!(InUse.update_to(PhasingOut).is_ok());
        assert!(InUse.update_to(InUse).is_ok());
        assert!(PhasingOut.update_to(InUse).is_err());
        assert!(InUse.update_to(Retired).is_err());
        assert!(Retired.update_to(InUse).is_err());
    }

    #[test]
    fn critical_is_the_strongest() {
        assert_eq!(
            strongest(Criticality::Supporting, Criticality::Critical),
            Criticality::Critical
        );
        assert_eq!(
            strongest(Criticality::Important, Criticality::Supporting),
            Criticality::Important
        );
    }

    #[test]
    fn references_are_checked_and_not_repeated() {
        let netbox = ExternalRef {
            system: RefSystem::Netbox,
            reference: "dcim/devices/4711".into(),
        };
        assert!(ExternalRef::parse_all(std::slice::from_ref(&netbox)).is_ok());
        let twice = ExternalRef::parse_all(&[netbox.clone(), netbox]).unwrap_err();
        assert_eq!(
            twice,
            RefError::Rule("external_refs[1].ref".into(), "is given twice".into())
        );
        let not_a_url = ExternalRef {
            system: RefSystem::Url,
            reference: "någonstans".into(),
        };
        assert!(matches!(
            ExternalRef::parse_all(&[not_a_url]),
            Err(RefError::Rule(..))
        ));
    }

    fn graph(edges: &[(i64, i64)]) -> Neighbours {
        let mut out = Neighbours::new();
        for (a, b) in edges {
            out.entry(*a).or_default().push(*b);
        }
        out
    }

    #[test]
    fn a_new_edge_that_closes_a_cycle_is_named_by_its_path() {
        // 1 depends on 2, 2 on 3: 3 depending on 1 closes 1 → 2 → 3 → 1.
        let depends_on = graph(&[(1, 2), (2, 3), (4, 3)]);
        assert_eq!(cycle_through(3, 1, &depends_on), Some(vec![1, 2, 3]));
        assert_eq!(cycle_through(4, 1, &depends_on), None);
        assert_eq!(cycle_through(1, 4, &depends_on), None);
    }

    #[test]
    fn breadth_first_finds_the_shortest_path_and_ends_on_a_cycle() {
        let g = graph(&[(1, 2), (2, 3), (3, 4), (1, 4), (4, 1)]);
        let tree = breadth_first(&[1], &g);
        assert_eq!(path_back(4, &tree), vec![4, 1]);
        assert_eq!(path_back(3, &tree), vec![3, 2, 1]);
        assert!(path_back(9, &tree).is_empty());
    }
}
