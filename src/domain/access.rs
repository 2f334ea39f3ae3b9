//! Who a caller is and where they reach, as plain values: what the token says (`Identity`), the
//! roles they hold, a permission granted (`Grant`), and the reach of an action (`Reach`). The
//! store fills them and the policy (`auth::policy`) decides with them; neither names the other.

use serde::Serialize;
use utoipa::ToSchema;

use super::action::{Action, ObjectClass};
use super::role::{Delegations, RoleCode};

/// Who a valid token says the caller is.
#[derive(Debug, Clone)]
pub struct Identity {
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub claimed_roles: Vec<ClaimedRole>,
}

/// A global role read from the token, and the claim it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRole {
    pub role: RoleCode,
    pub claim: String,
}

/// Where a global role came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoleSource {
    /// Mapped from a token claim (named by its JSON pointer).
    Token { claim: String },
    /// A global role assignment in the database.
    Assignment { assignment_id: i64 },
}

#[derive(Debug, Clone)]
pub struct GlobalRole {
    pub role: RoleCode,
    pub source: RoleSource,
}

/// An active scoped role assignment of the caller, with the portfolio of its service resolved.
#[derive(Debug, Clone)]
pub struct ScopedRole {
    pub assignment_id: i64,
    pub role: RoleCode,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    /// For a service assignment: the service's current portfolio.
    pub service_portfolio_id: Option<i64>,
    pub delegations: Delegations,
}

/// A permitted action and the roles that permitted it (recorded in the audit event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub action: Action,
    pub roles: Vec<String>,
}

impl Grant {
    /// `next` added to `so_far`: the first grant's action, the roles of both.
    pub fn merge(so_far: Option<Grant>, next: Grant) -> Grant {
        match so_far {
            None => next,
            Some(mut g) => {
                for role in next.roles {
                    if !g.roles.contains(&role) {
                        g.roles.push(role);
                    }
                }
                g
            }
        }
    }
}

/// Where a caller may take an action, for lists that filter in SQL: the policy's answer for
/// many objects (`Caller::reach` in `auth::policy`), always in agreement with its answer for one. A list of objects of one service filters with [`Reach::portfolios`]
/// and [`Reach::services`]; a list of portfolio-wide objects with [`Reach::portfolio_wide`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub everywhere: bool,
    /// Roles held on these portfolios: all of each portfolio, its services included.
    pub portfolios: Vec<i64>,
    /// Roles held on these services.
    pub services: Vec<i64>,
    /// The portfolios whose portfolio-wide objects are in reach: `portfolios`, and the current
    /// portfolios of the services a TJF or specialist holds a role on.
    pub portfolio_wide: Vec<i64>,
    /// Classes of objects in reach everywhere (a KA: every customer contract).
    pub classes: Vec<ObjectClass>,
    /// Objects this `sub` submitted are in reach (a change request's submitter).
    pub submitter: Option<String>,
}

impl Reach {
    /// Everything (the service's own background work, which acts for no caller).
    pub fn everywhere() -> Self {
        Reach {
            everywhere: true,
            ..Reach::default()
        }
    }

    /// An object of service `service` in `portfolio`: in reach? (What the SQL filter says.)
    pub fn covers_service(&self, service: i64, portfolio: Option<i64>) -> bool {
        self.everywhere
            || self.services.contains(&service)
            || portfolio.is_some_and(|p| self.portfolios.contains(&p))
    }

    /// A change request of `service` in `portfolio` submitted by `submitted_by`: in reach?
    /// (What `db::change_requests::in_reach` says in SQL.)
    pub fn covers_request(&self, service: i64, portfolio: Option<i64>, submitted_by: &str) -> bool {
        self.covers_service(service, portfolio) || self.submitter.as_deref() == Some(submitted_by)
    }

    /// A portfolio-wide object of `portfolio`: in reach?
    pub fn covers_portfolio(&self, portfolio: i64) -> bool {
        self.everywhere || self.portfolio_wide.contains(&portfolio)
    }

    pub fn is_nowhere(&self) -> bool {
        !self.everywhere
            && self.portfolios.is_empty()
            && self.services.is_empty()
            && self.classes.is_empty()
            && self.submitter.is_none()
    }
}
