//! Who may do what: the rules of the governance model in force (`domain::model`, written out
//! as docs/governance-model.md), and how a caller's roles meet a target (`may`, for one object)
//! or a list (`reach`, for SQL filters; both always agree).
//!
//! "In scope": the role is assigned on the target's portfolio, or on the target service; for a
//! target that belongs to a portfolio as a whole (a plan, a budget frame, the portfolio itself),
//! a holder on one of its services is in scope when the model says their role reaches the
//! portfolio (TJF and specialists in Sunet's model, not TS; docs/roles.md).
//! Anything the model does not list is refused, and a role the model does not know grants nothing.

use std::ops::ControlFlow;
use std::sync::Arc;

pub use crate::domain::access::{
    ClaimedRole, GlobalRole, Grant, Identity, Reach, RoleSource, ScopedRole,
};
pub use crate::domain::action::{Action, ObjectClass};
pub use crate::domain::model::{Model, Who};
use crate::domain::role::{Delegation, RoleCode};
use crate::error::AppError;

use Who::*;

/// The caller, as loaded once per request, with the model that decides for them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub person_id: i64,
    pub sub: String,
    pub global_roles: Vec<GlobalRole>,
    pub scoped_roles: Vec<ScopedRole>,
    pub model: Arc<Model>,
    /// The positions in `scoped_roles` of each role code held, so that a rule naming a role
    /// looks at that role's assignments only.
    by_role: Vec<(RoleCode, Vec<usize>)>,
}

/// The object an action is attempted on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Target {
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    /// For a role assignment: the person it appoints.
    pub appointee: Option<i64>,
    /// For a change request: the person who submitted it.
    pub submitter: Option<i64>,
    /// The target's class, where a rule singles one out.
    pub class: Option<ObjectClass>,
    /// For an information system: the person named responsible for it.
    pub responsible: Option<i64>,
}

impl Target {
    /// Something that belongs to no portfolio (creating a portfolio, a global role).
    pub fn global() -> Self {
        Target::default()
    }

    /// A portfolio, or something that belongs to a portfolio as a whole.
    pub fn portfolio(id: i64) -> Self {
        Target {
            portfolio_id: Some(id),
            ..Target::default()
        }
    }

    /// A service (in its portfolio, if it has one yet).
    pub fn service(id: i64, portfolio_id: Option<i64>) -> Self {
        Target {
            portfolio_id,
            service_id: Some(id),
            ..Target::default()
        }
    }

    pub fn of_class(mut self, class: Option<ObjectClass>) -> Self {
        self.class = class;
        self
    }

    pub fn with_appointee(mut self, person_id: i64) -> Self {
        self.appointee = Some(person_id);
        self
    }

    pub fn with_submitter(mut self, person_id: i64) -> Self {
        self.submitter = Some(person_id);
        self
    }

    pub fn with_responsible(mut self, person_id: i64) -> Self {
        self.responsible = Some(person_id);
        self
    }
}

/// How a scoped role meets a target: the policy's reading of where the role is held.
impl ScopedRole {
    fn in_scope(&self, target: &Target, model: &Model) -> bool {
        match (target.service_id, target.portfolio_id) {
            (Some(service), portfolio) => {
                self.service_id == Some(service)
                    || (portfolio.is_some() && self.portfolio_id == portfolio)
            }
            (None, Some(portfolio)) => {
                self.portfolio_id == Some(portfolio)
                    || (self.service_id.is_some()
                        && self.service_portfolio_id == Some(portfolio)
                        && self.portfolio_wide_through_service(model) == Some(portfolio))
            }
            (None, None) => false,
        }
    }

    /// The portfolio whose portfolio-wide objects a role on one of its services reaches, when
    /// the model says the role reaches it (a TS on one service is in scope of that service only).
    fn portfolio_wide_through_service(&self, model: &Model) -> Option<i64> {
        let reaches = model.role(&self.role).is_some_and(|r| r.reaches_portfolio);
        if !reaches || self.service_id.is_none() {
            return None;
        }
        self.service_portfolio_id
    }

    fn label(&self) -> String {
        let scope = match (self.portfolio_id, self.service_id) {
            (Some(p), _) => format!("portfolio:{p}"),
            (_, Some(s)) => format!("service:{s}"),
            _ => "global".to_string(),
        };
        if self.delegations.is_empty() {
            format!("{}@{scope}", self.role)
        } else {
            format!("{}[{}]@{scope}", self.role, self.delegations.to_stored())
        }
    }
}

/// What satisfied a rule, as a grant names it.
enum Holding<'a> {
    Role(&'a RoleCode),
    Scoped(&'a ScopedRole),
    Appointee,
    Submitter,
    Responsible,
    Anyone,
}

impl Holding<'_> {
    fn label(&self) -> String {
        match self {
            Holding::Role(role) => role.to_string(),
            Holding::Scoped(scoped) => scoped.label(),
            Holding::Appointee => "appointee".into(),
            Holding::Submitter => "submitter".into(),
            Holding::Responsible => "responsible".into(),
            Holding::Anyone => "authenticated".into(),
        }
    }
}

/// `scoped` added to `reach`: its portfolio or service, and the portfolio-wide objects it reaches.
fn add_to_reach(reach: &mut Reach, scoped: &ScopedRole, model: &Model) {
    let push = |list: &mut Vec<i64>, id: Option<i64>| {
        if let Some(id) = id.filter(|id| !list.contains(id)) {
            list.push(id);
        }
    };
    push(&mut reach.portfolios, scoped.portfolio_id);
    push(&mut reach.services, scoped.service_id);
    push(&mut reach.portfolio_wide, scoped.portfolio_id);
    push(
        &mut reach.portfolio_wide,
        scoped.portfolio_wide_through_service(model),
    );
}

impl Caller {
    pub fn new(
        person_id: i64,
        sub: String,
        global_roles: Vec<GlobalRole>,
        scoped_roles: Vec<ScopedRole>,
        model: Arc<Model>,
    ) -> Caller {
        let mut by_role: Vec<(RoleCode, Vec<usize>)> = Vec::new();
        for (i, scoped) in scoped_roles.iter().enumerate() {
            match by_role.iter_mut().find(|(role, _)| *role == scoped.role) {
                Some((_, positions)) => positions.push(i),
                None => by_role.push((scoped.role.clone(), vec![i])),
            }
        }
        Caller {
            person_id,
            sub,
            global_roles,
            scoped_roles,
            model,
            by_role,
        }
    }

    pub fn has_global(&self, role: &RoleCode) -> bool {
        self.global_roles.iter().any(|g| &g.role == role)
    }

    /// The caller's assignments of `role` (holding `delegation`, if given) in scope of `target`.
    fn scoped_matching<'a>(
        &'a self,
        role: &'a RoleCode,
        delegation: Option<&'a Delegation>,
        target: &'a Target,
    ) -> impl Iterator<Item = &'a ScopedRole> + 'a {
        let positions = self
            .by_role
            .iter()
            .find(|(held, _)| held == role)
            .map_or(&[][..], |(_, positions)| positions.as_slice());
        positions
            .iter()
            .map(|i| &self.scoped_roles[*i])
            .filter(move |s| {
                s.in_scope(target, &self.model)
                    && delegation.is_none_or(|d| s.delegations.contains(d))
            })
    }

    /// Calls `found` with each of the caller's holdings that satisfies `who` on `target`, until
    /// it says stop; nothing is allocated (the labels are made only for a grant).
    fn each_match<'a>(
        &'a self,
        who: &'a Who,
        target: &'a Target,
        mut found: impl FnMut(Holding<'a>) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        match who {
            Global(role) if self.has_global(role) => found(Holding::Role(role)),
            GlobalOn(role, class) if target.class == Some(*class) && self.has_global(role) => {
                found(Holding::Role(role))
            }
            InScope(role) => self
                .scoped_matching(role, None, target)
                .try_for_each(|s| found(Holding::Scoped(s))),
            Delegated(role, d) => self
                .scoped_matching(role, Some(d), target)
                .try_for_each(|s| found(Holding::Scoped(s))),
            Appointee if target.appointee == Some(self.person_id) => found(Holding::Appointee),
            Submitter if target.submitter == Some(self.person_id) => found(Holding::Submitter),
            Responsible if target.responsible == Some(self.person_id) => {
                found(Holding::Responsible)
            }
            Anywhere(role) => match self.by_role.iter().find(|(held, _)| held == role) {
                Some((_, positions)) => positions
                    .iter()
                    .try_for_each(|i| found(Holding::Scoped(&self.scoped_roles[*i]))),
                None => ControlFlow::Continue(()),
            },
            Anyone => found(Holding::Anyone),
            _ => ControlFlow::Continue(()),
        }
    }

    /// May the caller do `action` on `target`? The grant names the roles that allowed it.
    pub fn may(&self, action: Action, target: &Target) -> Option<Grant> {
        let mut roles: Vec<String> = Vec::new();
        for who in self.model.rule(action) {
            let _ = self.each_match(who, target, |holding| {
                let label = holding.label();
                if !roles.contains(&label) {
                    roles.push(label);
                }
                ControlFlow::Continue(())
            });
        }
        (!roles.is_empty()).then_some(Grant { action, roles })
    }

    /// [`Caller::may`] as yes or no, without naming the roles (what `/me` lists).
    pub fn permits(&self, action: Action, target: &Target) -> bool {
        self.model.rule(action).iter().any(|who| {
            self.each_match(who, target, |_| ControlFlow::Break(()))
                .is_break()
        })
    }

    /// Like [`Caller::may`], as a 403 problem naming the action.
    pub fn authorize(&self, action: Action, target: &Target) -> Result<Grant, AppError> {
        self.may(action, target)
            .ok_or_else(|| AppError::forbidden(action.code()))
    }

    /// All of `actions`, as one grant (a PATCH touching fields that need different rights).
    /// The caller passes at least one action; a request that needs none was refused earlier.
    pub fn authorize_all(&self, actions: &[Action], target: &Target) -> Result<Grant, AppError> {
        let mut grant: Option<Grant> = None;
        for action in actions {
            grant = Some(Grant::merge(grant, self.authorize(*action, target)?));
        }
        grant.ok_or_else(|| AppError::internal("authorize_all called without an action"))
    }

    /// May the caller do `action` on any of `targets` (reading a contract: in scope of one
    /// covered service is enough)?
    pub fn may_any(&self, action: Action, targets: &[Target]) -> Option<Grant> {
        targets.iter().find_map(|t| self.may(action, t))
    }

    /// `action` on every one of `targets` (writing a contract: in scope of every covered
    /// service), as one grant; 403 naming the action if one is refused. No targets, no grant.
    pub fn authorize_every(&self, action: Action, targets: &[Target]) -> Result<Grant, AppError> {
        let mut grant: Option<Grant> = None;
        for target in targets {
            grant = Some(Grant::merge(grant, self.authorize(action, target)?));
        }
        grant.ok_or_else(|| AppError::forbidden(action.code()))
    }

    /// Where the caller may do `action`: everywhere (a global role), or on these portfolios and
    /// services. For list endpoints that must filter by scope in SQL.
    pub fn reach(&self, action: Action) -> Reach {
        let mut reach = Reach::default();
        for who in self.model.rule(action) {
            match who {
                Global(role) if self.has_global(role) => reach.everywhere = true,
                GlobalOn(role, class)
                    if self.has_global(role) && !reach.classes.contains(class) =>
                {
                    reach.classes.push(*class)
                }
                Anyone => reach.everywhere = true,
                Anywhere(role) if self.by_role.iter().any(|(held, _)| held == role) => {
                    reach.everywhere = true
                }
                Submitter => reach.submitter = Some(self.sub.clone()),
                InScope(role) => self
                    .scoped_roles
                    .iter()
                    .filter(|s| &s.role == role)
                    .for_each(|s| add_to_reach(&mut reach, s, &self.model)),
                Delegated(role, delegation) => self
                    .scoped_roles
                    .iter()
                    .filter(|s| &s.role == role && s.delegations.contains(delegation))
                    .for_each(|s| add_to_reach(&mut reach, s, &self.model)),
                _ => {}
            }
        }
        reach
    }
}

#[cfg(test)]
mod tests;
