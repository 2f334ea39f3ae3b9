//! The service lifecycle (docs/domain.md, guidelines 1 and 4.1–4.2):
//! `proposed` → `established` → `in_operation` → `decommissioning` → `decommissioned`, and
//! `proposed` → `rejected` when the management group turns a proposal down (final).

use utoipa::ToSchema;

crate::vocabulary! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum Lifecycle("a lifecycle state") {
        /// From a needs inventory (behovsinventering); not yet decided.
        Proposed = "proposed",
        /// The management group has decided and placed it in a portfolio.
        Established = "established",
        /// Under management (i förvaltning).
        InOperation = "in_operation",
        /// Decommissioning initiated by the service owner.
        Decommissioning = "decommissioning",
        /// Decommissioned by decision of the management group.
        Decommissioned = "decommissioned",
        /// A proposal the management group turned down (final; the reason is kept).
        Rejected = "rejected",
    }
}

impl Lifecycle {
    /// A service that was never decided on, or was turned down: it does not keep a portfolio
    /// from being retired.
    pub fn is_undecided_or_rejected(self) -> bool {
        matches!(self, Lifecycle::Proposed | Lifecycle::Rejected)
    }

    /// Under management: in operation, or being decommissioned. Such a service keeps the
    /// holders the governance model says it keeps (guidelines 4.4: at least one TJF).
    pub fn under_management(self) -> bool {
        matches!(self, Lifecycle::InOperation | Lifecycle::Decommissioning)
    }

    /// May a service go from this state straight to `to`?
    fn may_go_to(self, to: Lifecycle) -> bool {
        matches!(
            (self, to),
            (Lifecycle::Proposed, Lifecycle::Established)
                | (Lifecycle::Proposed, Lifecycle::Rejected)
                | (Lifecycle::Established, Lifecycle::InOperation)
                | (Lifecycle::InOperation, Lifecycle::Decommissioning)
                | (Lifecycle::Decommissioning, Lifecycle::Decommissioned)
        )
    }
}

impl Lifecycle {
    /// The steps from this state to `to`, in order (none when it is `to`); `None` when the
    /// lifecycle does not lead there (it never goes back).
    pub fn path_to(self, to: Lifecycle) -> Option<Vec<Lifecycle>> {
        const FORWARD: [Lifecycle; 5] = [
            Lifecycle::Proposed,
            Lifecycle::Established,
            Lifecycle::InOperation,
            Lifecycle::Decommissioning,
            Lifecycle::Decommissioned,
        ];
        if self == to {
            return Some(Vec::new());
        }
        if self.may_go_to(to) {
            return Some(vec![to]);
        }
        let from = FORWARD.iter().position(|s| *s == self)?;
        let until = FORWARD.iter().position(|s| *s == to)?;
        (from < until).then(|| FORWARD[from + 1..=until].to_vec())
    }
}

/// What the rules need to know about the service and its surroundings.
#[derive(Debug, Clone, Default)]
pub struct TransitionFacts {
    /// The portfolio the service will be in after the transition.
    pub portfolio_id: Option<i64>,
    pub portfolio_retired: bool,
    /// The holders the governance model requires in operation, and how many there are.
    pub staffing: Vec<Staffing>,
    /// Active (not ended) customer deliveries of the service.
    pub active_deliveries: i64,
}

/// Holders of one role a service needs in operation: on its portfolio or on itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staffing {
    /// The role in words: "service owner (TÄ)".
    pub role: String,
    pub on_portfolio: bool,
    pub min: i64,
    pub held: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a service cannot go from {from} to {to}")]
    NotAllowed { from: Lifecycle, to: Lifecycle },
    #[error("establishing a service places it in a portfolio: give portfolio_id")]
    PortfolioRequired,
    #[error("the portfolio is retired")]
    PortfolioRetired,
    #[error("putting a service in operation needs at least {min} {role} on its {place}")]
    Understaffed {
        role: String,
        place: &'static str,
        min: i64,
    },
    #[error("the service still has {0} active customer deliveries")]
    ActiveDeliveries(i64),
}

/// Checks one lifecycle step against the rules.
pub fn check_transition(
    from: Lifecycle,
    to: Lifecycle,
    facts: &TransitionFacts,
) -> Result<(), TransitionError> {
    if !from.may_go_to(to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    match to {
        Lifecycle::Established => {
            if facts.portfolio_id.is_none() {
                return Err(TransitionError::PortfolioRequired);
            }
            if facts.portfolio_retired {
                return Err(TransitionError::PortfolioRetired);
            }
        }
        Lifecycle::InOperation => {
            if let Some(short) = facts.staffing.iter().find(|s| s.held < s.min) {
                return Err(TransitionError::Understaffed {
                    role: short.role.clone(),
                    place: if short.on_portfolio {
                        "portfolio"
                    } else {
                        "service"
                    },
                    min: short.min,
                });
            }
        }
        Lifecycle::Decommissioned => {
            if facts.active_deliveries > 0 {
                return Err(TransitionError::ActiveDeliveries(facts.active_deliveries));
            }
        }
        Lifecycle::Proposed | Lifecycle::Decommissioning | Lifecycle::Rejected => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lifecycle::*;

    #[test]
    fn a_path_leads_forward_only() {
        assert_eq!(
            Proposed.path_to(InOperation),
            Some(vec![Established, InOperation])
        );
        assert_eq!(Proposed.path_to(Rejected), Some(vec![Rejected]));
        assert_eq!(
            Established.path_to(Decommissioned),
            Some(vec![InOperation, Decommissioning, Decommissioned])
        );
        assert_eq!(InOperation.path_to(InOperation), Some(vec![]));
        assert_eq!(InOperation.path_to(Established), None);
        assert_eq!(Established.path_to(Rejected), None);
        assert_eq!(Rejected.path_to(Established), None);
    }

    fn staffing(role: &str, on_portfolio: bool, held: i64) -> Staffing {
        Staffing {
            role: role.into(),
            on_portfolio,
            min: 1,
            held,
        }
    }

    fn ready() -> TransitionFacts {
        TransitionFacts {
            portfolio_id: Some(1),
            portfolio_retired: false,
            staffing: vec![
                staffing("service owner (TÄ)", true, 1),
                staffing("service manager (TJF)", false, 1),
            ],
            active_deliveries: 0,
        }
    }

    #[test]
    fn the_lifecycle_runs_forward_one_step_at_a_time() {
        for (from, to) in [
            (Proposed, Established),
            (Proposed, Rejected),
            (Established, InOperation),
            (InOperation, Decommissioning),
            (Decommissioning, Decommissioned),
        ] {
            assert_eq!(check_transition(from, to, &ready()), Ok(()));
        }
        for (from, to) in [
            (Proposed, InOperation),
            (Established, Proposed),
            (InOperation, Decommissioned),
            (Decommissioned, Proposed),
            (InOperation, InOperation),
            (Rejected, Proposed),
            (Rejected, Established),
            (Established, Rejected),
        ] {
            assert_eq!(
                check_transition(from, to, &ready()),
                Err(TransitionError::NotAllowed { from, to })
            );
        }
    }

    #[test]
    fn a_service_under_management_keeps_a_manager() {
        assert!(!Proposed.under_management());
        assert!(!Established.under_management());
        assert!(InOperation.under_management());
        assert!(Decommissioning.under_management());
        assert!(!Decommissioned.under_management());
    }

    #[test]
    fn establishing_needs_a_portfolio() {
        let facts = TransitionFacts {
            portfolio_id: None,
            ..ready()
        };
        assert_eq!(
            check_transition(Proposed, Established, &facts),
            Err(TransitionError::PortfolioRequired)
        );
    }

    #[test]
    fn operation_needs_an_owner_and_a_manager() {
        let no_owner = TransitionFacts {
            staffing: vec![
                staffing("service owner (TÄ)", true, 0),
                staffing("service manager (TJF)", false, 1),
            ],
            ..ready()
        };
        assert_eq!(
            check_transition(Established, InOperation, &no_owner)
                .unwrap_err()
                .to_string(),
            "putting a service in operation needs at least 1 service owner (TÄ) on its portfolio"
        );
        let no_manager = TransitionFacts {
            staffing: vec![
                staffing("service owner (TÄ)", true, 1),
                staffing("service manager (TJF)", false, 0),
            ],
            ..ready()
        };
        assert_eq!(
            check_transition(Established, InOperation, &no_manager)
                .unwrap_err()
                .to_string(),
            "putting a service in operation needs at least 1 service manager (TJF) on its service"
        );
    }

    #[test]
    fn decommissioned_is_refused_while_deliveries_are_active() {
        let facts = TransitionFacts {
            active_deliveries: 2,
            ..ready()
        };
        assert_eq!(
            check_transition(Decommissioning, Decommissioned, &facts),
            Err(TransitionError::ActiveDeliveries(2))
        );
    }
}
