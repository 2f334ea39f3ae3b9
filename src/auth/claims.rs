//! Claim mapping: the global roles a token's claims carry, by the configured rules
//! ([`ClaimRule`], in `config`).

use serde_json::Value;

pub use crate::config::ClaimRule;
use crate::domain::access::ClaimedRole;
use crate::domain::model::Model;
use crate::domain::role::RoleCode;

/// Applies the rules to a token's claims. A claim may be a string or an array of strings; any
/// other shape yields no role (never an error). Only the roles the model takes from claims are.
pub fn map_roles(rules: &[ClaimRule], claims: &Value, model: &Model) -> Vec<ClaimedRole> {
    let mut found: Vec<ClaimedRole> = Vec::new();
    for rule in rules {
        let values: Vec<&str> = match claims.pointer(&rule.claim) {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for value in values {
            let from_claims = |r: &RoleCode| model.role(r).is_some_and(|d| d.from_claims);
            if let Some(role) = rule.map_value(value).filter(from_claims) {
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
    use std::collections::BTreeMap;

    fn roles(rules: &[ClaimRule], claims: Value) -> Vec<String> {
        map_roles(rules, &claims, &Model::builtin())
            .into_iter()
            .map(|c| c.role.to_string())
            .collect()
    }

    #[test]
    fn default_rule_reads_role_codes_from_roles() {
        let rules = [ClaimRule::default_roles_claim()];
        assert_eq!(
            roles(&rules, json!({"roles": ["management_group", "okänd"]})),
            vec!["management_group"]
        );
        assert_eq!(
            roles(&rules, json!({"roles": "controller"})),
            vec!["controller"]
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
            rule.check(&Model::builtin()).unwrap();
        }
        let claims = json!({
            "realm_access": {"roles": ["offline_access", "forvaltning-lg"]},
            "eduPersonEntitlement": ["urn:mace:sunet.se:forvaltning:role:controller", "urn:mace:other"],
            "groups": ["/sunet/kommunikation/webb"]
        });
        assert_eq!(
            roles(&rules, claims),
            vec!["management_group", "controller", "communicator"]
        );
    }

    #[test]
    fn bad_rules_are_refused_at_startup() {
        let mut rule = ClaimRule::default_roles_claim();
        rule.claim = "roles".into();
        assert!(rule.check(&Model::builtin()).is_err());
        let mut rule = ClaimRule::default_roles_claim();
        rule.values.insert("x".into(), "service_owner".into());
        assert!(rule.check(&Model::builtin()).is_err());
        let mut rule = ClaimRule::default_roles_claim();
        rule.values.insert("x".into(), "boss".into());
        assert!(rule.check(&Model::builtin()).is_err());
    }
}
