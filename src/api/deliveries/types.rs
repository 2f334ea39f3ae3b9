use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{cell, double_option, utc, CsvRecord};
use crate::db::deliveries::DeliveryRow;
use crate::domain::contract::CoverageReason;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub service_id: i64,
    #[schema(example = "eduroam")]
    pub service_slug: String,
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
    pub organization_id: i64,
    #[schema(example = "uppsala-universitet")]
    pub organization_slug: String,
    /// The customer contract that covers the delivery.
    pub contract_id: Option<i64>,
    /// That contract's reference.
    #[schema(example = "UU 2026-001")]
    pub contract_reference: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// Not ended (no end date, or one today or later).
    pub active: bool,
    /// Active and covered by a customer contract in force (guidelines 4.7).
    pub covered: bool,
    /// Why an active delivery lacks cover.
    pub coverage_problem: Option<CoverageReason>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl DeliveryView {
    pub fn of(row: &DeliveryRow, today: NaiveDate) -> Self {
        let d = &row.delivery;
        let active = d.is_active_on(today);
        DeliveryView {
            id: d.id,
            service_id: d.service_id,
            service_slug: row.service_slug.clone(),
            portfolio_id: row.portfolio_id,
            portfolio_slug: row.portfolio_slug.clone(),
            organization_id: d.organization_id,
            organization_slug: row.organization_slug.clone(),
            contract_id: d.contract_id,
            contract_reference: row.contract_reference.clone(),
            start_date: d.start_date,
            end_date: d.end_date,
            active,
            covered: active && row.uncovered.is_none(),
            coverage_problem: row.uncovered,
            version: d.version,
            created_at: utc(d.created_at),
            updated_at: utc(d.updated_at),
        }
    }
}

impl CsvRecord for DeliveryView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "service_slug",
        "portfolio_slug",
        "organization_slug",
        "contract_id",
        "contract_reference",
        "start_date",
        "end_date",
        "active",
        "covered",
        "coverage_problem",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.service_slug.clone(),
            cell(&self.portfolio_slug),
            self.organization_slug.clone(),
            cell(&self.contract_id),
            cell(&self.contract_reference),
            self.start_date.to_string(),
            cell(&self.end_date),
            self.active.to_string(),
            self.covered.to_string(),
            cell(&self.coverage_problem),
        ]
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDelivery {
    /// A service in operation.
    pub service_id: i64,
    /// A customer.
    pub organization_id: i64,
    /// A customer contract with the organization, covering the service, in force today.
    pub contract_id: Option<i64>,
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    pub end_date: Option<NaiveDate>,
}

/// Link a contract (`null` unlinks) or set the end date (`null` clears it).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct DeliveryPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub contract_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Service id or slug.
    pub service: Option<String>,
    /// Organization id or slug.
    pub organization: Option<String>,
    /// Portfolio id or slug (of the service).
    pub portfolio: Option<String>,
    /// Only active deliveries with (true) or without (false) valid cover.
    pub covered: Option<bool>,
    /// Only active (true) or only ended (false) deliveries.
    pub active: Option<bool>,
}

impl crate::api::Listing for DeliveryQuery {
    const ORDERING: &'static [&'static str] = crate::db::deliveries::SORT_FIELDS;
}
