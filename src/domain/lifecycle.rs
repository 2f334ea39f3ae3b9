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

    /// Guidelines 4.4: "för varje tjänst finns en eller flera tjänsteförvaltare" — a service
    /// under management (in operation, or being decommissioned) keeps at least one TJF.
    pub fn requires_manager(self) -> bool {
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

/// What the rules need to know about the service and its surroundings.
#[derive(Debug, Clone, Default)]
pub struct TransitionFacts {
    /// The portfolio the service will be in after the transition.
    pub portfolio_id: Option<i64>,
    pub portfolio_retired: bool,
    /// An active service owner (TÄ) on that portfolio.
    pub portfolio_has_owner: bool,
    /// Active service managers (TJF) on the service.
    pub managers: i64,
    /// Active (not ended) customer deliveries of the service.
    pub active_deliveries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a service cannot go from {from} to {to}")]
    NotAllowed { from: Lifecycle, to: Lifecycle },
    #[error("establishing a service places it in a portfolio: give portfolio_id")]
    PortfolioRequired,
    #[error("the portfolio is retired")]
    PortfolioRetired,
    #[error("putting a service in operation needs a service owner (TÄ) on its portfolio")]
    NoServiceOwner,
    #[error("putting a service in operation needs at least one service manager (TJF)")]
    NoServiceManager,
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
            if !facts.portfolio_has_owner {
                return Err(TransitionError::NoServiceOwner);
            }
            if facts.managers < 1 {
                return Err(TransitionError::NoServiceManager);
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

    fn ready() -> TransitionFacts {
        TransitionFacts {
            portfolio_id: Some(1),
            portfolio_retired: false,
            portfolio_has_owner: true,
            managers: 1,
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
        assert!(!Proposed.requires_manager());
        assert!(!Established.requires_manager());
        assert!(InOperation.requires_manager());
        assert!(Decommissioning.requires_manager());
        assert!(!Decommissioned.requires_manager());
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
            portfolio_has_owner: false,
            ..ready()
        };
        assert_eq!(
            check_transition(Established, InOperation, &no_owner),
            Err(TransitionError::NoServiceOwner)
        );
        let no_manager = TransitionFacts {
            managers: 0,
            ..ready()
        };
        assert_eq!(
            check_transition(Established, InOperation, &no_manager),
            Err(TransitionError::NoServiceManager)
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
