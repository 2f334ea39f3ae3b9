//! Role codes (docs/roles.md) and TS delegations (guidelines 4.3).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::vocabulary! {
    /// A governance role. Global roles hold everywhere; scoped roles hold on a portfolio or a service.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    pub enum RoleCode("a role code") {
        /// Sunets ledningsgrupp, avdelningschef (LG)
        ManagementGroup = "management_group",
        /// Tjänsteägare (TÄ)
        ServiceOwner = "service_owner",
        /// Tjänstesamordnare (TS)
        ServiceCoordinator = "service_coordinator",
        /// Tjänsteförvaltare (TJF)
        ServiceManager = "service_manager",
        /// Tjänstespecialist
        ServiceSpecialist = "service_specialist",
        /// Supportspecialist
        SupportSpecialist = "support_specialist",
        /// Kontrakt- och avtalsansvarig / controller
        Controller = "controller",
        /// Kundansvarig (KA)
        AccountManager = "account_manager",
        /// Verksamhetsutvecklare (VU)
        BusinessDeveloper = "business_developer",
        /// Kommunikatör (KOM)
        Communicator = "communicator",
    }
}

/// Where a role holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Global,
    Portfolio,
    PortfolioOrService,
    Service,
}

impl RoleCode {
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            RoleCode::ServiceOwner => ScopeKind::Portfolio,
            RoleCode::ServiceCoordinator => ScopeKind::PortfolioOrService,
            RoleCode::ServiceManager
            | RoleCode::ServiceSpecialist
            | RoleCode::SupportSpecialist => ScopeKind::Service,
            _ => ScopeKind::Global,
        }
    }

    pub fn is_global(self) -> bool {
        self.scope_kind() == ScopeKind::Global
    }

    pub fn is_specialist(self) -> bool {
        matches!(
            self,
            RoleCode::ServiceSpecialist | RoleCode::SupportSpecialist
        )
    }
}

crate::vocabulary! {
    /// A duty TÄ can delegate to a TS ("alla eller vissa", guidelines 4.3).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    pub enum Delegation("a delegation code") {
        Contracts = "contracts",
        Economy = "economy",
        Staffing = "staffing",
        Plan = "plan",
        Support = "support",
        Documentation = "documentation",
        Prioritization = "prioritization",
    }
}

/// A set of delegations, stored as a sorted comma-separated list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delegations(Vec<Delegation>);

impl Delegations {
    pub fn new(mut items: Vec<Delegation>) -> Self {
        items.sort();
        items.dedup();
        Delegations(items)
    }

    pub fn contains(&self, d: Delegation) -> bool {
        self.0.contains(&d)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn items(&self) -> &[Delegation] {
        &self.0
    }

    /// Parses the stored form; unknown codes (from a newer version) are skipped, never granted.
    pub fn from_stored(text: &str) -> Self {
        Delegations::new(
            text.split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect(),
        )
    }

    pub fn to_stored(&self) -> String {
        self.0
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for role in RoleCode::ALL {
            assert_eq!(role.as_str().parse::<RoleCode>().unwrap(), role);
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert!("tjänsteägare".parse::<RoleCode>().is_err());
    }

    #[test]
    fn delegations_are_stored_sorted_and_unique() {
        let d = Delegations::new(vec![
            Delegation::Staffing,
            Delegation::Contracts,
            Delegation::Staffing,
        ]);
        assert_eq!(d.to_stored(), "contracts,staffing");
        assert_eq!(Delegations::from_stored("staffing,contracts"), d);
        assert!(Delegations::from_stored("").is_empty());
    }
}
