//! What the document says a JSON file holds: per kind, the create operation's object with
//! natural keys in place of ids, and the export's read-only members (accepted, ignored). The
//! import reads a file through `file` and `record`, not through these types; they describe it.
#![allow(dead_code)]

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::contracts::SubjectText;
use crate::api::organizations::Contact;
use crate::domain::contract::{ContractKind, OrganizationKind, Renewal};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::money::MoneyJson;

/// A JSON file: an array of one kind's objects (the `kind` parameter says which).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ImportFile {
    Organizations(Vec<ImportedOrganization>),
    Services(Vec<ImportedService>),
    Contracts(Vec<ImportedContract>),
    Deliveries(Vec<ImportedDelivery>),
    RoleAssignments(Vec<ImportedAssignment>),
    InformationSystems(Vec<ImportedSystem>),
    Needs(Vec<ImportedNeed>),
}

/// An organization of a file (`kind=organizations`), matched by `slug`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedOrganization {
    #[schema(
        example = "uppsala-universitet",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    slug: String,
    #[schema(example = "Uppsala universitet", max_length = 200)]
    name: String,
    kind: OrganizationKind,
    #[schema(example = "202100-2932", pattern = "^[0-9]{6}-[0-9]{4}$")]
    org_number: Option<String>,
    contact: Option<Contact>,
    #[schema(max_length = 10000)]
    notes: Option<String>,
    #[schema(value_type = Option<SubjectText>)]
    key_account: Option<String>,
    /// Read-only members of the export: accepted, ignored.
    id: Option<i64>,
    version: Option<i64>,
    #[schema(max_length = 100)]
    created_at: Option<String>,
    #[schema(max_length = 100)]
    updated_at: Option<String>,
}

/// A service of a file (`kind=services`), matched by `slug`: proposed when new, its fields
/// changed as a PATCH would, and moved along its lifecycle to `lifecycle` by the decisions
/// the operations record (an establishment records `it_assessment_summary` and
/// `it_assessment_systems`, a rejection `rejection_reason`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedService {
    #[schema(
        example = "eduroam",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    slug: String,
    #[schema(example = "eduroam", max_length = 200)]
    name: String,
    #[schema(
        example = "natverk",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    portfolio_slug: Option<String>,
    lifecycle: Option<Lifecycle>,
    #[schema(max_length = 2000)]
    rejection_reason: Option<String>,
    #[schema(max_length = 10000)]
    description: Option<String>,
    #[schema(max_length = 2000)]
    documentation_url: Option<String>,
    support_process_established: Option<bool>,
    #[schema(max_length = 10000)]
    ordering_routine: Option<String>,
    last_reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    published: Option<bool>,
    #[schema(max_length = 10000)]
    catalog_text: Option<String>,
    #[schema(max_length = 10000)]
    catalog_text_en: Option<String>,
    self_produced: Option<bool>,
    catalog_reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    documentation_reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    security_classification: Option<crate::domain::governance::SecurityClassification>,
    security_reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    #[schema(max_length = 10000)]
    it_assessment_summary: Option<String>,
    /// The assessed information systems, by slug.
    #[schema(max_items = 1000)]
    it_assessment_systems: Option<Vec<String>>,
    /// Read-only members of the export: accepted, ignored.
    id: Option<i64>,
    portfolio_id: Option<i64>,
    #[schema(max_length = 100)]
    lifecycle_changed_at: Option<String>,
    need_ids: Option<Vec<i64>>,
    version: Option<i64>,
    #[schema(max_length = 100)]
    created_at: Option<String>,
    #[schema(max_length = 100)]
    updated_at: Option<String>,
}

/// A covered service of a file's contract, by slug.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedShare {
    #[schema(
        example = "eduroam",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    service_slug: String,
    #[schema(minimum = 1, maximum = 100)]
    share_percent: i64,
}

/// A contract of a file (`kind=contracts`), matched by `reference`; `terminated_on` with
/// `termination_reason` records its termination.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedContract {
    kind: ContractKind,
    #[schema(example = "VR 2026-01234", max_length = 100)]
    reference: String,
    #[schema(example = "Anslutningsavtal eduroam", max_length = 300)]
    title: String,
    #[schema(
        example = "uppsala-universitet",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    organization_slug: String,
    #[schema(min_items = 1, max_items = 100)]
    services: Vec<ImportedShare>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    #[schema(minimum = 0, maximum = 120)]
    notice_period_months: Option<i64>,
    renewal: Option<Renewal>,
    #[schema(minimum = 1, maximum = 120)]
    renewal_term_months: Option<i64>,
    annual_value: MoneyJson,
    #[schema(
        max_length = 2000,
        pattern = "^[\\t\\n\\r ]*https?://[^/\\s\\u0000-\\u001F\\u007F-\\u009F][^\\s\\u0000-\\u001F\\u007F-\\u009F]*[\\t\\n\\r ]*$"
    )]
    document_url: Option<String>,
    #[schema(value_type = Option<Vec<SubjectText>>, max_items = 20)]
    responsible: Option<Vec<String>>,
    terminated_on: Option<NaiveDate>,
    #[schema(max_length = 2000)]
    termination_reason: Option<String>,
    /// Read-only members of the export: accepted, ignored.
    id: Option<i64>,
    #[schema(max_length = 200)]
    organization_name: Option<String>,
    current_term_end: Option<NaiveDate>,
    notice_deadline: Option<NaiveDate>,
    expires_in_days: Option<i64>,
    #[schema(max_length = 20)]
    status: Option<String>,
}

/// A delivery of a file (`kind=deliveries`), matched by service, customer and start date.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedDelivery {
    #[schema(
        example = "eduroam",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    service_slug: String,
    #[schema(
        example = "uppsala-universitet",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    organization_slug: String,
    /// The customer contract that covers it, by reference.
    #[schema(example = "UU 2026-001", max_length = 100)]
    contract_reference: Option<String>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    /// Read-only members of the export: accepted, ignored.
    id: Option<i64>,
    #[schema(max_length = 63)]
    portfolio_slug: Option<String>,
    contract_id: Option<i64>,
    active: Option<bool>,
    covered: Option<bool>,
    #[schema(max_length = 40)]
    coverage_problem: Option<String>,
}

/// A role assignment of a file (`kind=role_assignments`), matched by holder, role and place;
/// `active: false` brings in an ended one (history).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedAssignment {
    /// The holder's `sub`.
    #[schema(example = "tjf.eduroam@sunet.se", max_length = 255)]
    subject: String,
    #[schema(example = "service_manager", max_length = 64)]
    role: String,
    #[schema(
        example = "natverk",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    portfolio_slug: Option<String>,
    #[schema(
        example = "eduroam",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    service_slug: Option<String>,
    #[schema(max_items = 20)]
    delegations: Option<Vec<String>>,
    active: Option<bool>,
    /// Read-only members of the export: accepted, ignored.
    id: Option<i64>,
    #[schema(max_length = 200)]
    subject_name: Option<String>,
    person_id: Option<i64>,
    portfolio_id: Option<i64>,
    service_id: Option<i64>,
    #[schema(max_length = 100)]
    accepted_at: Option<String>,
    #[schema(max_length = 255)]
    created_by: Option<String>,
    #[schema(max_length = 100)]
    ended_at: Option<String>,
    #[schema(max_length = 255)]
    ended_by: Option<String>,
    version: Option<i64>,
    #[schema(max_length = 100)]
    created_at: Option<String>,
    #[schema(max_length = 100)]
    updated_at: Option<String>,
}

/// An information system of a file (`kind=information_systems`), matched by `slug`;
/// `lifecycle: retired` records its retirement.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedSystem {
    #[schema(
        example = "eduroam-radius",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    slug: String,
    #[schema(example = "eduroam RADIUS-proxy", max_length = 200)]
    name: String,
    kind: Option<crate::domain::it::SystemKind>,
    #[schema(max_length = 10000)]
    description: Option<String>,
    lifecycle: Option<crate::domain::it::SystemLifecycle>,
    hosting: Option<crate::domain::it::Hosting>,
    /// A supplier, by slug.
    #[schema(example = "atea", pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$")]
    supplier_slug: Option<String>,
    /// One of its supplier contracts, by reference.
    #[schema(example = "ATEA 2025-17", max_length = 100)]
    supplier_contract_reference: Option<String>,
    #[schema(max_length = 255)]
    responsible: Option<String>,
    security_classification: Option<crate::domain::governance::SecurityClassification>,
    #[schema(max_items = 20)]
    external_refs: Option<Vec<crate::domain::it::ExternalRef>>,
    reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Read-only members of the export: accepted, ignored.
    id: Option<i64>,
    supplier_id: Option<i64>,
    supplier_contract_id: Option<i64>,
    #[schema(max_length = 100)]
    retired_at: Option<String>,
    #[schema(max_length = 10000)]
    depends_on: Option<String>,
    #[schema(max_length = 100)]
    created_at: Option<String>,
    #[schema(max_length = 100)]
    updated_at: Option<String>,
}

/// A need of a file (`kind=needs`), matched by `reference`; the steps it states (assessment,
/// presentation, decision) are recorded as the importer's own.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedNeed {
    #[schema(
        example = "BEH-2026-014",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 100
    )]
    reference: String,
    #[schema(
        example = "Eduroam på pendeltåg",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 300
    )]
    title: String,
    #[schema(max_length = 10000)]
    description: Option<String>,
    #[schema(
        example = "natverk",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    portfolio_slug: Option<String>,
    #[schema(
        example = "eduroam",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    service_slug: Option<String>,
    source_channel: crate::domain::need::Channel,
    /// The customer organization that voiced it, by slug.
    #[schema(
        example = "uppsala-universitet",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$"
    )]
    source_organization_slug: Option<String>,
    #[schema(example = "2026-11-12")]
    source_date: NaiveDate,
    /// Checked against the steps the object states.
    status: Option<crate::domain::need::NeedStatus>,
    #[schema(minimum = 1, maximum = 5)]
    value: Option<i64>,
    #[schema(minimum = 1, maximum = 5)]
    urgency: Option<i64>,
    /// In SEK.
    #[schema(
        example = "250000.00",
        pattern = "^[0-9]+(\\.[0-9]{1,2})?$",
        max_length = 20
    )]
    estimated_cost: Option<String>,
    recommendation: Option<crate::domain::need::NeedRecommendation>,
    #[schema(max_length = 10000)]
    assessment_note: Option<String>,
    presented_on: Option<NaiveDate>,
    #[schema(max_length = 300)]
    presentation_reference: Option<String>,
    outcome: Option<crate::domain::need::Outcome>,
    #[schema(max_length = 10000)]
    decision_reason: Option<String>,
    /// Read-only members of the export: accepted, ignored.
    id: Option<i64>,
    portfolio_id: Option<i64>,
    service_id: Option<i64>,
    source_organization_id: Option<i64>,
    #[schema(max_length = 255)]
    created_by: Option<String>,
    #[schema(max_length = 100)]
    decided_at: Option<String>,
    endorsement_count: Option<i64>,
    #[schema(max_length = 10000)]
    links: Option<String>,
    realised: Option<bool>,
    #[schema(max_length = 100)]
    created_at: Option<String>,
    #[schema(max_length = 100)]
    updated_at: Option<String>,
}
