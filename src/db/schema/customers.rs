// Needs and customer follow-ups (migration `needs`), beside the rest of the schema.

use super::organizations;

diesel::table! {
    needs (id) {
        id -> BigInt,
        title -> Text,
        description -> Text,
        portfolio_id -> Nullable<BigInt>,
        service_id -> Nullable<BigInt>,
        channel -> Text,
        source_organization_id -> Nullable<BigInt>,
        source_date -> Date,
        status -> Text,
        created_by -> Text,
        value -> Nullable<Integer>,
        urgency -> Nullable<Integer>,
        estimated_cost_minor -> Nullable<BigInt>,
        recommendation -> Nullable<Text>,
        assessment_note -> Nullable<Text>,
        assessed_by -> Nullable<Text>,
        assessed_at -> Nullable<Timestamp>,
        presented_on -> Nullable<Date>,
        presentation_reference -> Nullable<Text>,
        presented_by -> Nullable<Text>,
        presented_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        endorsement_count -> BigInt,
        search_text -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        reference -> Nullable<Text>,
    }
}

diesel::table! {
    need_endorsements (id) {
        id -> BigInt,
        need_id -> BigInt,
        organization_id -> BigInt,
        note -> Nullable<Text>,
        endorsed_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    need_links (id) {
        id -> BigInt,
        need_id -> BigInt,
        service_id -> Nullable<BigInt>,
        change_request_id -> Nullable<BigInt>,
        plan_item_id -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> BigInt,
        organization_id -> BigInt,
        held_on -> Date,
        kind -> Text,
        satisfaction -> Nullable<Integer>,
        summary -> Text,
        actions -> Nullable<Text>,
        recorded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    follow_up_services (follow_up_id, service_id) {
        follow_up_id -> BigInt,
        service_id -> BigInt,
    }
}

diesel::table! {
    follow_up_needs (follow_up_id, need_id) {
        follow_up_id -> BigInt,
        need_id -> BigInt,
    }
}

diesel::joinable!(need_endorsements -> needs (need_id));
diesel::joinable!(need_endorsements -> organizations (organization_id));
diesel::joinable!(need_links -> needs (need_id));
diesel::joinable!(follow_up_services -> follow_ups (follow_up_id));
diesel::joinable!(follow_up_needs -> follow_ups (follow_up_id));
