// The IT environment (migration `it_environment`), beside the rest of the schema.

use super::services;

diesel::table! {
    information_systems (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        kind -> Text,
        description -> Text,
        lifecycle -> Text,
        hosting -> Text,
        supplier_id -> Nullable<BigInt>,
        supplier_contract_id -> Nullable<BigInt>,
        responsible -> Nullable<Text>,
        security_confidentiality -> Nullable<Integer>,
        security_integrity -> Nullable<Integer>,
        security_availability -> Nullable<Integer>,
        external_refs -> Text,
        reviewed_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
        search_text -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_dependencies (id) {
        id -> BigInt,
        service_id -> BigInt,
        information_system_id -> BigInt,
        criticality -> Text,
        note -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    system_dependencies (id) {
        id -> BigInt,
        information_system_id -> BigInt,
        depends_on_id -> BigInt,
        note -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    dependency_graph (id) {
        id -> Integer,
        generation -> BigInt,
    }
}

diesel::table! {
    architecture_reviews (id) {
        id -> BigInt,
        note -> Nullable<Text>,
        reviewed_by -> Text,
        reviewed_at -> Timestamp,
        information_systems -> BigInt,
        services -> BigInt,
    }
}

diesel::joinable!(service_dependencies -> information_systems (information_system_id));
diesel::joinable!(service_dependencies -> services (service_id));
