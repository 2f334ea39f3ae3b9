//! Role codes (DESIGN.md §2) and TS delegations (guidelines 4.3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A governance role. Global roles hold everywhere; scoped roles hold on a portfolio or a service.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RoleCode {
    /// Sunets ledningsgrupp, avdelningschef (LG)
    ManagementGroup,
    /// Tjänsteägare (TÄ)
    ServiceOwner,
    /// Tjänstesamordnare (TS)
    ServiceCoordinator,
    /// Tjänsteförvaltare (TJF)
    ServiceManager,
    /// Tjänstespecialist
    ServiceSpecialist,
    /// Supportspecialist
    SupportSpecialist,
    /// Kontrakt- och avtalsansvarig / controller
    Controller,
    /// Kundansvarig (KA)
    AccountManager,
    /// Verksamhetsutvecklare (VU)
    BusinessDeveloper,
    /// Kommunikatör (KOM)
    Communicator,
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
    pub const ALL: [RoleCode; 10] = [
        RoleCode::ManagementGroup,
        RoleCode::ServiceOwner,
        RoleCode::ServiceCoordinator,
        RoleCode::ServiceManager,
        RoleCode::ServiceSpecialist,
        RoleCode::SupportSpecialist,
        RoleCode::Controller,
        RoleCode::AccountManager,
        RoleCode::BusinessDeveloper,
        RoleCode::Communicator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleCode::ManagementGroup => "management_group",
            RoleCode::ServiceOwner => "service_owner",
            RoleCode::ServiceCoordinator => "service_coordinator",
            RoleCode::ServiceManager => "service_manager",
            RoleCode::ServiceSpecialist => "service_specialist",
            RoleCode::SupportSpecialist => "support_specialist",
            RoleCode::Controller => "controller",
            RoleCode::AccountManager => "account_manager",
            RoleCode::BusinessDeveloper => "business_developer",
            RoleCode::Communicator => "communicator",
        }
    }

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

impl fmt::Display for RoleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RoleCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RoleCode::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("'{s}' is not a role code"))
    }
}

/// A duty TÄ can delegate to a TS ("alla eller vissa", guidelines 4.3).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Delegation {
    Contracts,
    Economy,
    Staffing,
    Plan,
    Support,
    Documentation,
    Prioritization,
}

impl Delegation {
    pub const ALL: [Delegation; 7] = [
        Delegation::Contracts,
        Delegation::Economy,
        Delegation::Staffing,
        Delegation::Plan,
        Delegation::Support,
        Delegation::Documentation,
        Delegation::Prioritization,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Delegation::Contracts => "contracts",
            Delegation::Economy => "economy",
            Delegation::Staffing => "staffing",
            Delegation::Plan => "plan",
            Delegation::Support => "support",
            Delegation::Documentation => "documentation",
            Delegation::Prioritization => "prioritization",
        }
    }
}

impl FromStr for Delegation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Delegation::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("'{s}' is not a delegation code"))
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
