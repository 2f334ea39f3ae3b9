//! Role and delegation codes, and where a role holds. Which roles and delegations exist, and
//! what they may do, is the governance model's to say (`domain::model`, docs/governance-model.md):
//! a code here is only well formed, and a code stored by an earlier model stays readable.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A code as the model, the API and the database spell it: a lowercase letter, then up to 63
/// lowercase letters, digits or underscores.
fn parse_code(text: &str, what: &str) -> Result<String, String> {
    let mut chars = text.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && text.len() <= 64;
    if well_formed {
        Ok(text.to_string())
    } else {
        Err(format!(
            "'{text}' is not {what} (lowercase letters, digits and underscores, starting with a letter)"
        ))
    }
}

macro_rules! code_type {
    ($(#[$meta:meta])* $name:ident, $what:literal, $example:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, example = $example)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// A code as the database holds it, written by this or an earlier model: shown as
            /// it is, never checked again.
            pub fn stored(text: &str) -> Self {
                $name(text.to_string())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_code(s, $what).map($name)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

code_type!(
    /// A governance role, by its code (`service_owner`). The model in force says which exist.
    RoleCode,
    "a role code",
    "service_owner"
);

code_type!(
    /// A duty a role may carry by delegation (`contracts`), by its code.
    Delegation,
    "a delegation code",
    "contracts"
);

crate::vocabulary! {
    /// Where a role holds: everywhere, or on a portfolio, a service, or either.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
    pub enum ScopeKind("a scope (global, portfolio, service, portfolio_or_service)") {
        Global = "global",
        Portfolio = "portfolio",
        PortfolioOrService = "portfolio_or_service",
        Service = "service",
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

    pub fn contains(&self, d: &Delegation) -> bool {
        self.0.contains(d)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn items(&self) -> &[Delegation] {
        &self.0
    }

    /// Parses the stored form. A code the model in force does not know is kept (it grants
    /// nothing: no rule names it); only a malformed one is dropped.
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
            .map(Delegation::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_lowercase_words() {
        assert_eq!(
            "service_owner".parse::<RoleCode>().unwrap().as_str(),
            "service_owner"
        );
        for bad in [
            "tjänsteägare",
            "",
            "Service_owner",
            "1st",
            "a-b",
            &"x".repeat(65),
        ] {
            assert!(bad.parse::<RoleCode>().is_err(), "{bad}");
        }
        let role: RoleCode = serde_json::from_str("\"controller\"").unwrap();
        assert_eq!(serde_json::to_string(&role).unwrap(), "\"controller\"");
        assert!(serde_json::from_str::<RoleCode>("\"Controller\"").is_err());
    }

    #[test]
    fn delegations_are_stored_sorted_and_unique() {
        let d = |s: &str| s.parse::<Delegation>().unwrap();
        let set = Delegations::new(vec![d("staffing"), d("contracts"), d("staffing")]);
        assert_eq!(set.to_stored(), "contracts,staffing");
        assert_eq!(Delegations::from_stored("staffing,contracts"), set);
        assert!(Delegations::from_stored("").is_empty());
    }
}
