//! Claim mapping: which token claims carry global roles, and how their values become role codes.
//! Configuration, not code (DESIGN.md §4): rules come from the `[[claims.roles]]` tables of the
//! TOML file; with none, the `roles` claim carries the role codes themselves.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

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
    pub fn check(&self) -> Result<(), String> {
        if !self.claim.starts_with('/') {
            return Err(format!(
                "claim '{}' must be a JSON pointer starting with '/'",
                self.claim
            ));
        }
        for role in self.values.values().chain(self.role.iter()) {
            let code: RoleCode = role.parse()?;
            if !code.is_global() {
                return Err(format!(
                    "'{role}' is a scoped role; scoped roles are role assignments, not claims"
                ));
            }
        }
        if self.role.is_some() && self.prefix.is_none() {
            return Err("'role' needs a 'prefix'".to_string());
        }
        Ok(())
    }

    fn map_value(&self, value: &str) -> Option<RoleCode> {
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

/// A global role read from the token, and the claim it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRole {
    pub role: RoleCode,
    pub claim: String,
}

/// Applies the rules to a token's claims. A claim may be a string or an array of strings; any
/// other shape yields no role (never an error). Only global roles are taken from tokens.
pub fn map_roles(rules: &[ClaimRule], claims: &Value) -> Vec<ClaimedRole> {
    let mut found: Vec<ClaimedRole> = Vec::new();
    for rule in rules {
        let values: Vec<&str> = match claims.pointer(&rule.claim) {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for value in values {
            if let Some(role) = rule.map_value(value).filter(|r| r.is_global()) {
                if !found.iter().any(|f| f.role == role) {
                    found.push(ClaimedRole {
                        role,
                        claim: rule.claim.clone(),
                    });
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn roles(rules: &[ClaimRule], claims: Value) -> Vec<RoleCode> {
        map_roles(rules, &claims)
            .into_iter()
            .map(|c| c.role)
            .collect()
    }

    #[test]
    fn default_rule_reads_role_codes_from_roles() {
        let rules = [ClaimRule::default_roles_claim()];
        assert_eq!(
            roles(&rules, json!({"roles": ["management_group", "okänd"]})),
            vec![RoleCode::ManagementGroup]
        );
        assert_eq!(
            roles(&rules, json!({"roles": "controller"})),
            vec![RoleCode::Controller]
        );
    }

    #[test]
    fn scoped_roles_are_never_taken_from_tokens() {
        let rules = [ClaimRule::default_roles_claim()];
        assert!(roles(&rules, json!({"roles": ["service_owner"]})).is_empty());
    }

    #[test]
    fn malformed_claims_yield_no_role() {
        let rules = [ClaimRule::default_roles_claim()];
        for claims in [
            json!({"roles": 17}),
            json!({"roles": {"a": "management_group"}}),
            json!({"roles": [null, 3, ["management_group"]]}),
            json!({}),
        ] {
            assert!(roles(&rules, claims).is_empty());
        }
    }

    #[test]
    fn keycloak_exact_values_and_swamid_prefixes() {
        let rules: Vec<ClaimRule> = toml::from_str::<BTreeMap<String, Vec<ClaimRule>>>(
            r#"
[[r]]
claim = "/realm_access/roles"
values = { "forvaltning-lg" = "management_group" }
[[r]]
claim = "/eduPersonEntitlement"
prefix = "urn:mace:sunet.se:forvaltning:role:"
[[r]]
claim = "/groups"
prefix = "/sunet/kommunikation"
role = "communicator"
"#,
        )
        .unwrap()
        .remove("r")
        .unwrap();
        for rule in &rules {
            rule.check().unwrap();
        }
        let claims = json!({
            "realm_access": {"roles": ["offline_access", "forvaltning-lg"]},
            "eduPersonEntitlement": ["urn:mace:sunet.se:forvaltning:role:controller", "urn:mace:other"],
            "groups": ["/sunet/kommunikation/webb"]
        });
        assert_eq!(
            roles(&rules, claims),
            vec![
                RoleCode::ManagementGroup,
                RoleCode::Controller,
                RoleCode::Communicator
            ]
        );
    }

    #[test]
    fn bad_rules_are_refused_at_startup() {
        let mut rule = ClaimRule::default_roles_claim();
        rule.claim = "roles".into();
        assert!(rule.check().is_err());
        let mut rule = ClaimRule::default_roles_claim();
        rule.values.insert("x".into(), "service_owner".into());
        assert!(rule.check().is_err());
        let mut rule = ClaimRule::default_roles_claim();
        rule.values.insert("x".into(), "boss".into());
        assert!(rule.check().is_err());
    }
}
