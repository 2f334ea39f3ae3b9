//! The governance model: which roles and delegations exist, who may take each action, and how
//! many holders a role has per place. It is data, read from a TOML file ([`Model::load`]);
//! Sunet's model (`models/sunet.toml`) is built in ([`Model::builtin`]). docs/governance-model.md
//! describes the file and shows Sunet's model.

mod file;
mod show;

use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};

pub use file::ModelError;
pub use show::{ModelDocument, RuleDocument};

use super::action::{Action, ObjectClass};
use super::role::{Delegation, RoleCode, ScopeKind};

/// Sunet's model, as shipped.
pub const BUILTIN_SOURCE: &str = include_str!("../../../models/sunet.toml");
pub const BUILTIN_FILE: &str = "models/sunet.toml";

/// A model in force: what it says, and the text it was read from.
#[derive(Debug)]
pub struct Model {
    pub name: String,
    pub version: String,
    pub title_sv: String,
    pub title_en: String,
    pub delegations: Vec<DelegationDef>,
    pub roles: Vec<RoleDef>,
    /// One entry per action, in the order of `Action::ALL`.
    rules: Vec<(Action, Vec<Who>)>,
    /// SHA-256 (hex) of the canonical form: the same model written differently has the same.
    pub sha256: String,
    /// The canonical form (JSON), as kept on record.
    pub canonical: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DelegationDef {
    pub code: Delegation,
    pub name_sv: String,
    pub name_en: String,
    pub section: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Duty {
    pub sv: String,
    pub en: String,
}

/// At least `min` holders for a service to go into operation; with `kept`, the holders cannot
/// fall below `min` while it is under management (in operation or being decommissioned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OperationNeed {
    pub min: u32,
    pub kept: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RoleDef {
    pub code: RoleCode,
    pub name_sv: String,
    pub name_en: String,
    pub abbreviation: Option<String>,
    pub section: String,
    pub scope: ScopeKind,
    /// A holder on one service is in scope of the portfolio's portfolio-wide objects.
    pub reaches_portfolio: bool,
    /// The delegations a holder may carry.
    pub delegations: Vec<Delegation>,
    /// A global role that token claims may carry.
    pub from_claims: bool,
    /// A holder may be named a customer organization's key account (kundansvarig).
    pub key_account: bool,
    /// The action that appoints and revokes a holder.
    pub assigned_through: Action,
    pub max_per_place: Option<u32>,
    pub in_operation: Option<OperationNeed>,
    pub duties: Vec<Duty>,
}

impl RoleDef {
    pub fn is_global(&self) -> bool {
        self.scope == ScopeKind::Global
    }

    /// The short name where there is one (TÄ), else the code.
    pub fn short(&self) -> &str {
        self.abbreviation.as_deref().unwrap_or(self.code.as_str())
    }
}

/// Who a rule lets through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A global role, from the token or assigned in the database.
    Global(RoleCode),
    /// A scoped role assigned in scope of the target.
    InScope(RoleCode),
    /// A scoped role in scope holding this delegation.
    Delegated(RoleCode, Delegation),
    /// The person the target (a role assignment) appoints.
    Appointee,
    /// The person who submitted the target (a change request) or recorded it (a need).
    Submitter,
    /// A global role, for objects of one class only (KA: customer contracts).
    GlobalOn(RoleCode, ObjectClass),
    /// The person the target (an information system) names as responsible.
    Responsible,
    /// A scoped role held on any portfolio or service (a TÄ records an information system).
    Anywhere(RoleCode),
    /// Any authenticated caller.
    Anyone,
}

impl std::fmt::Display for Who {
    /// The form the model file writes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Who::Global(role) => write!(f, "{role}"),
            Who::InScope(role) => write!(f, "{role} in scope"),
            Who::Delegated(role, d) => write!(f, "{role}[{d}] in scope"),
            Who::Appointee => f.write_str("appointee"),
            Who::Submitter => f.write_str("submitter"),
            Who::GlobalOn(role, class) => write!(f, "{role} on {class}"),
            Who::Responsible => f.write_str("responsible"),
            Who::Anywhere(role) => write!(f, "{role} anywhere"),
            Who::Anyone => f.write_str("anyone"),
        }
    }
}

impl Model {
    /// Sunet's model, read once per process.
    pub fn builtin() -> Arc<Model> {
        static BUILTIN: OnceLock<Arc<Model>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                // The built-in file is checked by a unit test; it cannot fail at run time.
                Arc::new(
                    Model::load(BUILTIN_FILE, BUILTIN_SOURCE)
                        .unwrap_or_else(|e| panic!("the built-in model is invalid: {e}")),
                )
            })
            .clone()
    }

    /// Who may take `action`.
    pub fn rule(&self, action: Action) -> &[Who] {
        // The loader keeps one rule per action in the order of `Action::ALL`, the variants' order.
        self.rules
            .get(action as usize)
            .map_or(&[], |(_, who)| who.as_slice())
    }

    pub fn rules(&self) -> impl Iterator<Item = (Action, &[Who])> {
        self.rules.iter().map(|(a, w)| (*a, w.as_slice()))
    }

    /// The role of `code`, if this model has it.
    pub fn role(&self, code: &RoleCode) -> Option<&RoleDef> {
        self.roles.iter().find(|r| &r.code == code)
    }

    /// The role of a stored or claimed code, if this model has it.
    pub fn role_named(&self, code: &str) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.code.as_str() == code)
    }

    pub fn delegation(&self, code: &Delegation) -> Option<&DelegationDef> {
        self.delegations.iter().find(|d| &d.code == code)
    }

    /// The roles whose holders may be a customer's key account.
    pub fn key_account_roles(&self) -> impl Iterator<Item = &RoleDef> {
        self.roles.iter().filter(|r| r.key_account)
    }

    /// The roles a service needs to go into operation.
    pub fn operation_needs(&self) -> impl Iterator<Item = (&RoleDef, OperationNeed)> {
        self.roles
            .iter()
            .filter_map(|r| r.in_operation.map(|need| (r, need)))
    }

    fn new(parts: file::Parts) -> Model {
        let mut model = Model {
            name: parts.name,
            version: parts.version,
            title_sv: parts.title_sv,
            title_en: parts.title_en,
            delegations: parts.delegations,
            roles: parts.roles,
            rules: parts.rules,
            sha256: String::new(),
            canonical: String::new(),
        };
        model.canonical = show::canonical(&model);
        model.sha256 = Sha256::digest(model.canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        model
    }

    pub fn markdown(&self) -> String {
        show::markdown(self)
    }
}

#[cfg(test)]
mod tests;
