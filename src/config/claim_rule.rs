//! Claim mapping rules: which token claims carry global roles, and how their values become
//! role codes. Configuration, not code: rules come from the `[[claims.roles]]` tables of the TOML
//! file; with none, the `roles` claim carries the role codes themselves.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::model::Model;
use crate::domain::role::RoleCode;

/// One mapping rule.
///
/// ```toml
/// # Keycloak realm roles with their own names
/// [[claims.roles]]
/// claim = "/realm_access/roles"
/// values = { "forvaltning-lg" = "management_group", "forvaltning-controller" = "controller" }
///
/// # SWAMID entitlements: the part after the prefix is the role code
/// [[claims.roles]]
/// claim = "/eduPersonEntitlement"
/// prefix = "urn:mace:sunet.se:forvaltning:role:"
/// ```
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClaimRule {
    /// JSON pointer into the token's claims (RFC 6901), e.g. `/realm_access/roles`.
    pub claim: String,
    /// Exact claim value → role code.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// A value starting with this prefix maps to `role`, or, without `role`, to the role code
    /// that follows the prefix.
    pub prefix: Option<String>,
    pub role: Option<String>,
}

impl ClaimRule {
    /// The default: `roles` carries role codes.
    pub fn default_roles_claim() -> Self {
        ClaimRule {
            claim: "/roles".to_string(),
            values: BTreeMap::new(),
            prefix: None,
            role: None,
        }
    }

    /// Checks the rule once at startup, so that a typo is a configuration error, not a silent
    /// loss of rights.
    pub fn check(&self, model: &Model) -> Result<(), String> {
        if !self.claim.starts_with('/') {
            return Err(format!(
                "claim '{}' must be a JSON pointer starting with '/'",
                self.claim
            ));
        }
        for role in self.values.values().chain(self.role.iter()) {
            let code: RoleCode = role.parse()?;
            match model.role(&code) {
                None => {
                    return Err(format!(
                        "'{role}' is not a role of the governance model '{}'",
                        model.name
                    ))
                }
                Some(r) if !r.from_claims => {
                    return Err(format!(
                        "'{role}' is not taken from token claims (the governance model says so: scoped roles are role assignments)"
                    ))
                }
                Some(_) => {}
            }
        }
        if self.role.is_some() && self.prefix.is_none() {
            return Err("'role' needs a 'prefix'".to_string());
        }
        Ok(())
    }

    /// The role code one claim value maps to, if any.
    pub fn map_value(&self, value: &str) -> Option<RoleCode> {
        if let Some(role) = self.values.get(value) {
            return role.parse().ok();
        }
        if let Some(prefix) = &self.prefix {
            let rest = value.strip_prefix(prefix.as_str())?;
            return match &self.role {
                Some(role) => role.parse().ok(),
                None => rest.parse().ok(),
            };
        }
        if self.values.is_empty() {
            return value.parse().ok();
        }
        None
    }
}
