//! The integration suite: the real application over HTTP. Every test runs against SQLite and,
//! when `TEST_DATABASE_URL` is set, against PostgreSQL (a schema of its own per test); without
//! it the PostgreSQL tests are reported as ignored (build.rs).

mod agreement;
mod attacks;
mod audit_chain;
mod audit_trail;
mod authorization;
mod callers;
mod cli;
mod client;
mod contracts;
mod conventions;
mod demo;
mod docs;
mod durability;
mod events;
mod export;
mod fuzz;
mod governance;
mod governance_model;
mod helpers;
mod imports;
mod imports_deliveries;
mod imports_needs;
mod imports_roles;
mod imports_services;
mod imports_systems;
mod it_environment;
mod needs;
mod openapi;
mod plans;
mod readme;
mod requests;
mod scale;
mod services;
mod stories;
mod tokens;
mod upgrade;
mod webhooks;

/// Generates one `#[tokio::test]` per backend for each story.
macro_rules! on_both_backends {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::$module::$name(crate::helpers::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(
                    not(postgres_tests),
                    ignore = "needs PostgreSQL: set TEST_DATABASE_URL (read when the tests are built)"
                )]
                async fn $name() {
                    crate::$module::$name(crate::helpers::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    agreement::may_and_reach_agree_on_random_assignments,
    attacks::an_anonymous_file_is_answered_before_it_is_read,
    attacks::invented_methods_leave_the_metrics_bounded,
    attacks::one_person_has_one_allowance_however_they_knock,
    attacks::only_a_trusted_proxy_names_the_client,
    attacks::slow_bodies_and_long_uris_get_problems,
    attacks::searches_are_bounded_on_every_list,
    attacks::names_and_subjects_stay_on_one_line,
    attacks::change_requests_are_read_only_by_those_who_may,
    attacks::no_report_shows_what_its_object_hides,
    attacks::markdown_reports_survive_hostile_names,
    authorization::every_action_by_every_caller,
    demo::a_newcomer_looks_at_a_filled_demo,
    imports::a_contract_register_comes_in_and_goes_back_out,
    imports::bad_files_are_refused_naming_row_and_field,
    imports::json_files_and_limits,
    imports_deliveries::deliveries_come_in_after_their_contracts,
    imports_deliveries::delivery_rows_keep_the_single_rules,
    imports_roles::an_organisation_comes_in_after_its_services,
    imports_roles::appointments_keep_the_single_rules,
    imports_services::a_service_register_comes_in_with_its_decisions,
    imports_services::each_step_needs_its_own_right,
    imports_systems::an_inventory_comes_in_with_its_suppliers,
    imports_systems::system_rows_keep_the_single_rules,
    imports_needs::a_needs_register_comes_in_and_goes_back_out,
    imports_needs::need_rows_keep_the_single_rules,
    imports_needs::a_json_file_of_needs_takes_the_create_operations_objects,
    it_environment::what_breaks_when_a_system_goes_is_one_answer,
    it_environment::bad_systems_and_dependencies_are_refused_and_change_nothing,
    it_environment::a_neglected_it_environment_is_a_finding,
    needs::a_need_goes_from_a_customer_meeting_to_a_new_service_in_operation,
    needs::a_need_of_a_service_is_realised_by_a_released_change,
    needs::customers_share_needs_and_the_list_shows_demand,
    needs::bad_needs_are_refused_and_change_nothing,
    needs::customers_are_followed_up_by_those_who_answer_for_them,
    needs::a_customer_names_its_key_account,
    needs::what_is_left_undone_is_a_finding,
    needs::the_management_group_sees_demand_and_its_agenda,
    needs::a_model_that_restricts_reading_needs_lists_what_it_lets_read,
    authorization::a_service_owner_reads_only_their_portfolios_audit_trail,
    authorization::only_the_appointee_accepts_an_appointment,
    authorization::foreign_ids_in_bodies_are_refused,
    authorization::no_answer_leaks_what_its_caller_may_not_read,
    services::only_the_management_group_or_the_owner_renames_a_service,
    services::the_management_group_rejects_a_proposal_for_good,
    services::the_catalogue_searches_public_text_only,
    services::a_taken_slug_is_named_as_a_field,
    callers::a_burst_of_first_requests_creates_one_person,
    requests::control_characters_are_refused_everywhere,
    callers::accepting_honours_if_match,
    audit_trail::a_service_owner_reads_the_history_of_a_service_that_moved_in,
    requests::authorization_comes_before_validation,
    audit_trail::the_audit_trail_pages_by_key,
    requests::bodies_cannot_set_what_the_service_decides,
    callers::a_revoked_role_is_gone_on_the_very_next_read,
    callers::a_change_elsewhere_is_seen_on_the_very_next_request,
    scale::text_search_finds_substrings_and_follows_edits,
    scale::the_architecture_streams_as_one_document,
    scale::assignment_filters_take_ids_and_slugs,
    contracts::organizations_are_kept_by_the_controller_and_account_managers,
    contracts::contracts_are_validated_and_their_dates_derived,
    contracts::contracts_are_visible_only_in_scope,
    contracts::deliveries_without_valid_cover_are_reported,
    contracts::exports_are_proper_csv,
    contracts::a_portfolios_trail_follows_what_is_in_it_now,
    plans::a_portfolio_year_runs_from_frame_to_annual_report,
    plans::plan_steps_are_taken_only_by_those_allowed,
    plans::change_requests_are_channelled_and_decided,
    stories::a_service_goes_from_proposal_to_the_catalogue,
    stories::a_portfolio_has_one_service_owner_at_a_time,
    stories::assignments_must_fit_their_role,
    stories::me_lists_roles_and_permissions_per_scope,
    stories::people_appear_on_first_sight_and_edit_themselves,
    stories::portfolios_are_found_by_slug_and_retire_only_when_empty,
    stories::service_lists_filter_search_order_and_page,
    conventions::bad_input_gets_a_problem_and_changes_nothing,
    conventions::the_body_limit_is_configurable,
    conventions::unknown_paths_and_methods_are_problems,
    conventions::metrics_count_requests_by_route,
    events::changes_are_followed_by_key,
    events::dates_make_events_once,
    export::every_list_answers_csv_with_its_rows,
    webhooks::subscribers_get_signed_events_in_order_after_a_retry,
    webhooks::webhooks_reach_only_public_addresses_outside_development,
    webhooks::the_delivery_log_keeps_its_days,
    webhooks::a_hanging_receiver_delays_no_other_subscription,
    webhooks::a_webhook_is_paused_whatever_its_url,
    webhooks::deliveries_ignore_the_environments_proxy,
    conventions::writes_carry_etags_and_if_match_is_atomic,
    conventions::request_ids_are_echoed_or_made,
    conventions::health_and_public_endpoints_need_no_token,
    conventions::rules_spanning_rows_hold_under_concurrent_writes,
    conventions::callers_are_rate_limited,
    conventions::responses_carry_security_headers,
    conventions::retried_posts_with_an_idempotency_key_write_once,
    conventions::cors_serves_only_configured_origins,
    tokens::valid_tokens_of_every_configured_key_are_accepted,
    tokens::bad_tokens_get_401,
    tokens::a_missing_token_is_a_plain_bearer_challenge,
    tokens::jwks_keys_are_matched_by_kid_and_refetched_at_most_once_per_cooldown,
    tokens::claim_mapping_reads_keycloak_roles_and_swamid_entitlements,
    tokens::every_claim_shape_maps_to_its_exact_roles,
    audit_chain::the_audit_trail_is_sealed_and_tampering_is_found,
    durability::kill_9_during_writes_loses_no_acknowledged_write,
    durability::idempotency_keys_hold_across_instances,
    durability::instances_share_one_dependency_graph,
    durability::sigterm_finishes_requests_in_flight,
    durability::writes_arriving_together_succeed_or_fail_alone,
    openapi::the_document_matches_the_committed_snapshot,
    docs::the_model_page_is_the_built_in_model,
    governance_model::the_model_in_force_is_visible_and_on_record,
    governance_model::another_organisations_model_runs_its_own_story,
    governance_model::assignments_the_model_no_longer_has_grant_nothing_and_are_findings,
    governance_model::at_most_n_holders_hold_under_concurrent_appointments,
    cli::a_bad_governance_model_stops_startup_naming_file_line_and_key,
    docs::the_repository_cites_only_itself,
    openapi::every_operation_is_complete,
    cli::a_development_token_is_accepted_by_serve,
    cli::bad_configuration_stops_startup_naming_the_variable,
    cli::production_refuses_the_development_secret,
    cli::token_refuses_when_only_public_keys_are_configured,
    cli::migrate_brings_the_database_up_to_date,
    upgrade::a_foundation_database_is_upgraded_without_loss,
    readme::every_readme_example_runs,
    governance::every_rule_is_found_and_repaired,
    governance::findings_and_economics_keep_to_scope,
    governance::economics_are_exact_to_the_ore,
    governance::thresholds_come_from_the_configuration,
);

/// Which libpq the binary was built with decides how it treats another host.
#[test]
fn a_remote_database_without_tls_is_refused() {
    cli::a_remote_database_without_tls_is_refused();
}

/// What the binary shows an operator needs no database that answers.
#[test]
fn secrets_stay_out_of_what_operators_see() {
    attacks::secrets_stay_out_of_what_operators_see();
}

/// Stories of one backend only, so that the other does not report a test it never ran.
mod sqlite_only {
    /// SQLite's single writer under 32 clients.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_serves_32_writers_for_30_seconds() {
        crate::durability::sqlite_serves_32_writers_for_30_seconds().await;
    }
}

mod postgres_only {
    /// An SQLite file cannot become unreachable while the process runs; a database server can.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "needs PostgreSQL: set TEST_DATABASE_URL (read when the tests are built)"
    )]
    async fn a_database_outage_gives_503_and_recovers() {
        crate::durability::a_database_outage_gives_503_and_recovers().await;
    }

    /// Identity values of PostgreSQL are taken at insert; SQLite commits one writer at a time.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "needs PostgreSQL: set TEST_DATABASE_URL (read when the tests are built)"
    )]
    async fn a_reader_never_skips_an_event_committed_late() {
        crate::events::a_reader_never_skips_an_event_committed_late().await;
    }

    /// SQLite serves one instance; PostgreSQL any number.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "needs PostgreSQL: set TEST_DATABASE_URL (read when the tests are built)"
    )]
    async fn two_instances_deliver_each_event_once() {
        crate::webhooks::two_instances_deliver_each_event_once().await;
    }
}

/// Schemathesis needs its `st` (SCHEMATHESIS) and, for the PostgreSQL half, TEST_DATABASE_URL,
/// both read when the tests are built; without them these are ignored, never passed.
mod schemathesis {
    macro_rules! run {
        ($name:ident, $story:ident, $backend:ident, $($needs:ident),+) => {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(all($($needs),+)),
                ignore = "needs schemathesis (SCHEMATHESIS, which .ci/run installs) and for PostgreSQL TEST_DATABASE_URL"
            )]
            async fn $name() {
                crate::fuzz::$story(crate::helpers::Backend::$backend).await;
            }
        };
    }

    run!(
        sqlite_as_the_management_group,
        as_the_management_group,
        Sqlite,
        schemathesis_tests
    );
    run!(
        sqlite_as_a_user_without_roles,
        as_a_user_without_roles,
        Sqlite,
        schemathesis_tests
    );
    run!(
        postgres_as_the_management_group,
        as_the_management_group,
        Postgres,
        schemathesis_tests,
        postgres_tests
    );
    run!(
        postgres_as_a_user_without_roles,
        as_a_user_without_roles,
        Postgres,
        schemathesis_tests,
        postgres_tests
    );
}

/// The generated Python client needs PYTHON_CLIENT and PYTHON_CLIENT_PACKAGES (which .ci/run
/// prepares) and, for the PostgreSQL half, TEST_DATABASE_URL, read when the tests are built.
mod generated_client {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(client_tests),
        ignore = "needs the generated Python client (PYTHON_CLIENT, which .ci/run prepares)"
    )]
    async fn sqlite_runs_the_year() {
        crate::client::a_generated_client_runs_the_year(crate::helpers::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(client_tests, postgres_tests)),
        ignore = "needs the generated Python client (PYTHON_CLIENT, which .ci/run prepares) and TEST_DATABASE_URL"
    )]
    async fn postgres_runs_the_year() {
        crate::client::a_generated_client_runs_the_year(crate::helpers::Backend::Postgres).await;
    }
}
