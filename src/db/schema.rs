// The tables of migrations/{sqlite,postgres}; both backends share this one schema.

mod customers;
mod it;
mod onboarding;
pub use customers::*;
pub use it::*;
pub use onboarding::*;

diesel::table! {
    people (id) {
        id -> BigInt,
        sub -> Text,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        search_text -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    portfolios (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        search_text -> Text,
        retired_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    services (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        portfolio_id -> Nullable<BigInt>,
        lifecycle -> Text,
        description -> Text,
        documentation_url -> Nullable<Text>,
        support_process_established -> Bool,
        ordering_routine -> Nullable<Text>,
        last_reviewed_at -> Nullable<Timestamp>,
        published -> Bool,
        catalog_text -> Nullable<Text>,
        catalog_text_en -> Nullable<Text>,
        search_text -> Text,
        lifecycle_changed_at -> Timestamp,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        rejection_reason -> Nullable<Text>,
        catalog_search_text -> Text,
        self_produced -> Bool,
        catalog_reviewed_at -> Nullable<Timestamp>,
        documentation_reviewed_at -> Nullable<Timestamp>,
        security_confidentiality -> Nullable<Integer>,
        security_integrity -> Nullable<Integer>,
        security_availability -> Nullable<Integer>,
        security_reviewed_at -> Nullable<Timestamp>,
        established_at -> Nullable<Timestamp>,
        it_assessment -> Nullable<Text>,
    }
}

diesel::table! {
    role_assignments (id) {
        id -> BigInt,
        person_id -> BigInt,
        role -> Text,
        portfolio_id -> Nullable<BigInt>,
        service_id -> Nullable<BigInt>,
        delegations -> Text,
        accepted_at -> Nullable<Timestamp>,
        created_by -> Text,
        ended_at -> Nullable<Timestamp>,
        ended_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_sub -> Text,
        actor_roles -> Text,
        action -> Text,
        object_type -> Text,
        object_id -> BigInt,
        portfolio_id -> Nullable<BigInt>,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        request_id -> Nullable<Text>,
        governance_model -> Nullable<Text>,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    governance_models (sha256) {
        sha256 -> Text,
        name -> Text,
        version -> Text,
        document -> Text,
        first_loaded_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        kind -> Text,
        org_number -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        notes -> Text,
        search_text -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        key_account -> Nullable<Text>,
    }
}

diesel::table! {
    contracts (id) {
        id -> BigInt,
        kind -> Text,
        organization_id -> BigInt,
        title -> Text,
        reference -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        notice_period_months -> Integer,
        renewal -> Text,
        renewal_term_months -> Nullable<Integer>,
        annual_value_minor -> BigInt,
        currency -> Text,
        document_url -> Nullable<Text>,
        responsible -> Text,
        terminated_on -> Nullable<Date>,
        termination_reason -> Nullable<Text>,
        current_term_end -> Nullable<Date>,
        notice_deadline -> Nullable<Date>,
        search_text -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contract_services (contract_id, service_id) {
        contract_id -> BigInt,
        service_id -> BigInt,
        share_percent -> Integer,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        service_id -> BigInt,
        organization_id -> BigInt,
        contract_id -> Nullable<BigInt>,
        start_date -> Date,
        end_date -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    budget_frames (id) {
        id -> BigInt,
        portfolio_id -> BigInt,
        year -> Integer,
        amount_minor -> BigInt,
        note -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plans (id) {
        id -> BigInt,
        portfolio_id -> BigInt,
        year -> Integer,
        status -> Text,
        revision -> Integer,
        summary -> Text,
        goals -> Text,
        return_reason -> Nullable<Text>,
        annual_report -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        approved_at -> Nullable<Timestamp>,
        approved_by -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        deviation -> Bool,
        reported_deviations -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_items (id) {
        id -> BigInt,
        plan_id -> BigInt,
        title -> Text,
        description -> Text,
        service_id -> Nullable<BigInt>,
        category -> Text,
        priority -> Text,
        planned_cost_minor -> BigInt,
        actual_cost_minor -> Nullable<BigInt>,
        outcome -> Text,
        progress -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_versions (id) {
        id -> BigInt,
        plan_id -> BigInt,
        revision -> Integer,
        document -> Text,
        approved_at -> Nullable<Timestamp>,
        superseded_at -> Timestamp,
    }
}

diesel::table! {
    change_requests (id) {
        id -> BigInt,
        service_id -> BigInt,
        title -> Text,
        description -> Text,
        status -> Text,
        submitted_by -> Text,
        priority -> Nullable<Text>,
        estimated_cost_minor -> Nullable<BigInt>,
        estimated_cost_currency -> Nullable<Text>,
        recommendation -> Nullable<Text>,
        assessment_note -> Nullable<Text>,
        assessed_by -> Nullable<Text>,
        assessed_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        released_at -> Nullable<Timestamp>,
        plan_item_id -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        subject -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        state -> Text,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Each audit event under the portfolios whose trail holds it (kept by triggers; read as
    /// SQL text by `db::audit`).
    audit_trails (portfolio_id, event_id) {
        portfolio_id -> BigInt,
        event_id -> BigInt,
    }
}

diesel::table! {
    audit_seals (event_id) {
        event_id -> BigInt,
        previous_hash -> Text,
        content_hash -> Text,
        hash -> Text,
        sealed_at -> Timestamp,
    }
}

diesel::joinable!(services -> portfolios (portfolio_id));
diesel::joinable!(budget_frames -> portfolios (portfolio_id));
diesel::joinable!(plans -> portfolios (portfolio_id));
diesel::joinable!(plan_items -> plans (plan_id));
diesel::joinable!(plan_versions -> plans (plan_id));
diesel::joinable!(change_requests -> services (service_id));
diesel::joinable!(contracts -> organizations (organization_id));
diesel::joinable!(contract_services -> contracts (contract_id));
diesel::table! {
    row_counts (table_name) {
        table_name -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        txid -> BigInt,
        event_type -> Text,
        occurred_at -> Timestamp,
        object_type -> Text,
        object_id -> BigInt,
        portfolio_id -> Nullable<BigInt>,
        data -> Nullable<Text>,
        position -> Nullable<BigInt>,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    event_marks (mark) {
        mark -> Text,
        event_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        secret -> Text,
        event_types -> Text,
        active -> Bool,
        last_event_id -> BigInt,
        next_attempt_at -> Timestamp,
        failed_attempts -> Integer,
        lease_until -> Nullable<Timestamp>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        event_type -> Text,
        attempt -> Integer,
        outcome -> Text,
        response_status -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    /// A view: `row_counts` plus the changes not folded yet.
    row_totals (table_name) {
        table_name -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    row_count_changes (id) {
        id -> BigInt,
        table_name -> Text,
        n -> BigInt,
    }
}

diesel::joinable!(contract_services -> services (service_id));
diesel::joinable!(deliveries -> services (service_id));
diesel::joinable!(deliveries -> organizations (organization_id));
diesel::joinable!(deliveries -> contracts (contract_id));
diesel::joinable!(role_assignments -> people (person_id));
diesel::joinable!(role_assignments -> services (service_id));

diesel::table! {
    exchange_rates (id) {
        id -> BigInt,
        currency -> Text,
        year -> Integer,
        sek_per_unit_micro -> BigInt,
        note -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    people,
    portfolios,
    services,
    role_assignments,
    audit_events,
    organizations,
    contracts,
    contract_services,
    deliveries,
    budget_frames,
    plans,
    plan_items,
    plan_versions,
    change_requests,
    idempotency_keys,
    audit_seals,
    audit_trails,
    row_counts,
    row_count_changes,
    exchange_rates,
    governance_models,
    needs,
    need_endorsements,
    need_links,
    follow_ups,
    follow_up_services,
    follow_up_needs,
    information_systems,
    service_dependencies,
    system_dependencies,
    architecture_reviews,
    dependency_graph,
    imports
);
