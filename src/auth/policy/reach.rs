//! Where a caller may take an action, for lists that filter in SQL (`db::scope`): the other
//! half of the policy's answer, kept in agreement with `Caller::may`.

use super::{ObjectClass, ScopedRole};

/// See [`super::Caller::reach`]. A list of objects of one service filters with [`Reach::portfolios`]
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

    pub(super) fn add(&mut self, scoped: &ScopedRole) {
        let push = |list: &mut Vec<i64>, id: Option<i64>| {
            if let Some(id) = id.filter(|id| !list.contains(id)) {
                list.push(id);
            }
        };
        push(&mut self.portfolios, scoped.portfolio_id);
        push(&mut self.services, scoped.service_id);
        push(&mut self.portfolio_wide, scoped.portfolio_id);
        push(
            &mut self.portfolio_wide,
            scoped.portfolio_wide_through_service(),
        );
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
