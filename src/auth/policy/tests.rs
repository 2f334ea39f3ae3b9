//! The policy's own examples; the exhaustive table runs over HTTP in tests/api.

use super::*;
use crate::domain::role::Delegations;
use Action::*;

fn code(text: &str) -> RoleCode {
    text.parse().unwrap()
}

fn caller(global: &[&str], scoped: Vec<ScopedRole>) -> Caller {
    let global = global
        .iter()
        .map(|r| GlobalRole {
            role: code(r),
            source: RoleSource::Token {
                claim: "/roles".into(),
            },
        })
        .collect();
    Caller::new(1, "kim@sunet.se".into(), global, scoped, Model::builtin())
}

fn on_portfolio(role: &str, portfolio: i64, delegations: &[&str]) -> ScopedRole {
    ScopedRole {
        assignment_id: 10,
        role: code(role),
        portfolio_id: Some(portfolio),
        service_id: None,
        service_portfolio_id: None,
        delegations: Delegations::new(delegations.iter().map(|d| d.parse().unwrap()).collect()),
    }
}

fn on_service(role: &str, service: i64, portfolio: i64) -> ScopedRole {
    ScopedRole {
        assignment_id: 11,
        role: code(role),
        portfolio_id: None,
        service_id: Some(service),
        service_portfolio_id: Some(portfolio),
        delegations: Delegations::default(),
    }
}

#[test]
fn the_management_group_creates_portfolios_and_nobody_else() {
    assert!(caller(&["management_group"], vec![])
        .may(PortfolioCreate, &Target::global())
        .is_some());
    assert!(
        caller(&["controller"], vec![on_portfolio("service_owner", 1, &[])])
            .may(PortfolioCreate, &Target::global())
            .is_none()
    );
}

#[test]
fn a_service_owner_acts_only_in_their_own_portfolio() {
    let owner = caller(&[], vec![on_portfolio("service_owner", 1, &[])]);
    let grant = owner
        .may(ServiceStartOperation, &Target::service(7, Some(1)))
        .unwrap();
    assert_eq!(grant.roles, vec!["service_owner@portfolio:1".to_string()]);
    assert!(owner
        .may(ServiceStartOperation, &Target::service(8, Some(2)))
        .is_none());
}

#[test]
fn a_coordinator_acts_only_within_their_delegations() {
    let ts = caller(
        &[],
        vec![on_portfolio("service_coordinator", 1, &["staffing"])],
    );
    assert!(ts
        .may(AssignManager, &Target::service(7, Some(1)))
        .is_some());
    assert!(ts
        .may(ServiceUpdate, &Target::service(7, Some(1)))
        .is_none());
}

#[test]
fn a_service_manager_is_in_scope_of_their_portfolio_as_a_whole() {
    let tjf = caller(&[], vec![on_service("service_manager", 7, 1)]);
    assert!(tjf.may(ServicePropose, &Target::portfolio(1)).is_some());
    assert!(tjf.may(ServicePropose, &Target::portfolio(2)).is_none());
    // ... but not of the portfolio's other services.
    assert!(tjf
        .may(ServiceUpdate, &Target::service(8, Some(1)))
        .is_none());
}

#[test]
fn a_coordinator_of_one_service_is_not_in_scope_of_its_portfolio_as_a_whole() {
    let mut ts = on_service("service_coordinator", 7, 1);
    ts.delegations = Delegations::new(vec!["staffing".parse().unwrap()]);
    let ts = caller(&[], vec![ts]);
    assert!(ts
        .may(AssignManager, &Target::service(7, Some(1)))
        .is_some());
    assert!(ts.may(ServicePropose, &Target::portfolio(1)).is_none());
    let reach = ts.reach(AssignManager);
    assert!(reach.covers_service(7, Some(1)));
    assert!(!reach.covers_portfolio(1));
}

#[test]
fn any_service_owner_records_a_system_and_its_responsible_corrects_it() {
    let owner = caller(&[], vec![on_portfolio("service_owner", 3, &[])]);
    let manager = caller(&[], vec![on_service("service_manager", 7, 1)]);
    assert!(owner
        .may(InformationSystemCreate, &Target::global())
        .is_some());
    assert!(manager
        .may(InformationSystemCreate, &Target::global())
        .is_none());
    // The responsible (person 1, the test callers' id) corrects it; nobody else by that.
    let theirs = Target::global().with_responsible(1);
    let grant = manager.may(InformationSystemUpdate, &theirs).unwrap();
    assert_eq!(grant.roles, vec!["responsible".to_string()]);
    assert!(manager
        .may(InformationSystemUpdate, &Target::global())
        .is_none());
    assert!(manager.may(InformationSystemRetire, &theirs).is_none());
    // A TÄ corrects it through a portfolio of theirs whose service depends on it.
    assert!(owner
        .may(InformationSystemUpdate, &Target::portfolio(3))
        .is_some());
    assert!(owner
        .may(InformationSystemUpdate, &Target::portfolio(4))
        .is_none());
}

#[test]
fn reach_lists_where_an_action_is_allowed() {
    let owner = caller(&[], vec![on_portfolio("service_owner", 3, &[])]);
    assert_eq!(
        owner.reach(AuditRead),
        Reach {
            everywhere: false,
            portfolios: vec![3],
            services: vec![],
            portfolio_wide: vec![3],
            classes: vec![],
            submitter: None,
        }
    );
    assert!(caller(&["communicator"], vec![])
        .reach(AuditRead)
        .is_nowhere());
}
