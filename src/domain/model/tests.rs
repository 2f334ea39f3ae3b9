//! The model file: Sunet's loads, and each kind of mistake is refused naming its line and key.

use super::*;

#[test]
fn sunets_model_is_built_in_and_complete() {
    let model = Model::builtin();
    assert_eq!(model.name, "sunet");
    assert_eq!(model.roles.len(), 10);
    assert_eq!(model.delegations.len(), 7);
    for action in Action::ALL {
        assert!(!model.rule(action).is_empty(), "{action} has no rule");
    }
    let owner = model.role_named("service_owner").unwrap();
    assert_eq!(owner.max_per_place, Some(1));
    assert_eq!(owner.abbreviation.as_deref(), Some("TÄ"));
    assert_eq!(
        model.rule(Action::ServiceUpdateSupport),
        &[
            Who::InScope("service_owner".parse().unwrap()),
            Who::Delegated(
                "service_coordinator".parse().unwrap(),
                "support".parse().unwrap()
            ),
            Who::InScope("service_manager".parse().unwrap()),
        ]
    );
    assert_eq!(model.sha256.len(), 64);
}

#[test]
fn the_digest_is_of_what_the_model_says_not_how_it_is_written() {
    let respaced = BUILTIN_SOURCE
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let again = Model::load("respaced.toml", &respaced).unwrap();
    assert_eq!(again.sha256, Model::builtin().sha256);
    let changed = BUILTIN_SOURCE.replace(
        "\"exchange_rate.set\" = [\"controller\"]",
        "\"exchange_rate.set\" = [\"controller\", \"management_group\"]",
    );
    assert_ne!(
        Model::load("changed.toml", &changed).unwrap().sha256,
        Model::builtin().sha256
    );
}

/// The built-in file with `from` replaced by `to`, refused: its problems as text.
fn refused(from: &str, to: &str) -> String {
    assert!(
        BUILTIN_SOURCE.contains(from),
        "the built-in file has no {from:?}"
    );
    let text = BUILTIN_SOURCE.replacen(from, to, 1);
    match Model::load("modell.toml", &text) {
        Ok(_) => panic!("{to:?} was accepted"),
        Err(e) => e.to_string(),
    }
}

/// The line of the first occurrence of `needle` after replacing (1-based).
fn line_of(from: &str, to: &str, needle: &str) -> usize {
    let text = BUILTIN_SOURCE.replacen(from, to, 1);
    let at = text.find(needle).expect("the needle");
    text[..at].matches('\n').count() + 1
}

#[test]
fn an_unknown_action_is_refused_at_its_line() {
    let (from, to) = (
        "\"exchange_rate.set\" = [\"controller\"]",
        "\"exchange_rate.set\" = [\"controller\"]\n\"budget.spend\" = [\"controller\"]",
    );
    let message = refused(from, to);
    let line = line_of(from, to, "\"budget.spend\"");
    assert!(
        message.contains(&format!(
            "modell.toml:{line}: rules.\"budget.spend\": 'budget.spend' is not an action"
        )),
        "{message}"
    );
}

#[test]
fn an_unknown_role_or_delegation_in_a_rule_is_refused() {
    let (from, to) = (
        "\"exchange_rate.set\" = [\"controller\"]",
        "\"exchange_rate.set\" = [\"kassör\"]",
    );
    let message = refused(from, to);
    let line = line_of(from, to, "\"exchange_rate.set\"");
    assert!(
        message.contains(&format!(
            "modell.toml:{line}: rules.\"exchange_rate.set\": 'kassör': there is no role 'kassör'"
        )),
        "{message}"
    );
    let message = refused(
        "\"service_coordinator[prioritization] in scope\"]",
        "\"service_coordinator[brådska] in scope\"]",
    );
    assert!(
        message.contains("rules.\"change_request.assess\": 'service_coordinator[brådska] in scope': there is no delegation 'brådska'"),
        "{message}"
    );
}

#[test]
fn an_action_without_a_rule_is_refused() {
    let message = refused("\"exchange_rate.set\" = [\"controller\"]\n", "");
    let line = line_of("", "", "[rules]");
    assert!(
        message.contains(&format!(
            "modell.toml:{line}: rules.\"exchange_rate.set\": this action has no rule"
        )),
        "{message}"
    );
}

#[test]
fn a_delegation_no_rule_uses_is_refused() {
    let (from, to) = (
        "[[delegations]]\ncode = \"contracts\"",
        "[[delegations]]\ncode = \"fika\"\nname_sv = \"Fika\"\nname_en = \"Coffee\"\nsection = \"4.3\"\n\n[[delegations]]\ncode = \"contracts\"",
    );
    let message = refused(from, to);
    let line = line_of(from, to, "\"fika\"");
    assert!(
        message.contains(&format!(
            "modell.toml:{line}: delegations.fika: no rule uses this delegation"
        )),
        "{message}"
    );
}

#[test]
fn a_scoped_rule_for_a_global_role_and_the_reverse_are_refused() {
    let message = refused(
        "\"exchange_rate.set\" = [\"controller\"]",
        "\"exchange_rate.set\" = [\"controller in scope\"]",
    );
    assert!(
        message.contains("'controller in scope': controller is a global role"),
        "{message}"
    );
    let message = refused(
        "\"change_request.decide\" = [\"service_owner in scope\"]",
        "\"change_request.decide\" = [\"service_owner\"]",
    );
    assert!(
        message.contains("rules.\"change_request.decide\": 'service_owner': service_owner is held on a portfolio or service"),
        "{message}"
    );
}

#[test]
fn a_model_that_contradicts_itself_is_refused() {
    let (from, to) = ("in_operation = { min = 1 }", "in_operation = { min = 2 }");
    let message = refused(from, to);
    let line = line_of(from, to, "in_operation = { min = 2 }");
    assert!(
        message.contains(&format!(
            "modell.toml:{line}: roles.service_owner.in_operation: min 2 is above max_per_place 1"
        )),
        "{message}"
    );
}

#[test]
fn a_need_in_operation_must_know_where_it_is_counted() {
    let message = refused(
        "reaches_portfolio = false\n",
        "reaches_portfolio = false\nin_operation = { min = 1 }\n",
    );
    assert!(
        message.contains("roles.service_coordinator.in_operation: a service's needs are counted on its portfolio or on itself"),
        "{message}"
    );
}

#[test]
fn a_delegation_the_role_does_not_carry_is_refused() {
    let message = refused(
        "\"change_request.release\" = [\"service_manager in scope\"]",
        "\"change_request.release\" = [\"service_manager[plan] in scope\"]",
    );
    assert!(
        message.contains("service_manager does not carry the delegation 'plan'"),
        "{message}"
    );
}

#[test]
fn a_misspelt_key_or_a_broken_file_is_refused_at_its_line() {
    let (from, to) = ("max_per_place = 1", "max_per_plats = 1");
    let message = refused(from, to);
    let line = line_of(from, to, "max_per_plats");
    assert!(
        message.starts_with(&format!(
            "modell.toml:{line}: max_per_plats: unknown field `max_per_plats`"
        )),
        "{message}"
    );
    let message = refused("[rules]", "[rules");
    assert!(message.starts_with("modell.toml:"), "{message}");
}

#[test]
fn a_role_taken_from_claims_must_be_global() {
    let message = refused(
        "scope = \"portfolio\"\nassigned_through = \"role_assignment.service_owner\"",
        "scope = \"portfolio\"\nfrom_claims = true\nassigned_through = \"role_assignment.service_owner\"",
    );
    assert!(
        message.contains(
            "roles.service_owner.from_claims: only a global role is taken from token claims"
        ),
        "{message}"
    );
}
