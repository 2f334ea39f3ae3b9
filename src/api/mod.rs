//! The HTTP API: one module per resource (handlers and wire types), and what they share: the
//! unit of work (`unit`), the list path (`list`), CSV (`csv`), `If-Match`/`ETag` (`if_match`)
//! and the extractors' limits and problems (`extract`).

pub mod architecture;
pub mod audit_events;
pub mod budget_frames;
pub mod catalog;
pub mod change_requests;
pub mod contracts;
pub mod deliveries;
pub mod events;
pub mod exchange_rates;
pub mod follow_ups;
pub mod governance_model;
pub mod health;
pub mod idempotency;
pub mod imports;
pub mod information_systems;
pub mod lookup;
pub mod markdown;
pub mod me;
pub mod needs;
pub mod organizations;
pub mod people;
pub mod plans;
pub mod portfolios;
pub mod reports;
pub mod responses;
pub mod role_assignments;
pub mod roles;
pub mod services;
pub mod time;
pub mod webhooks;

pub mod csv;
pub mod extract;
pub mod if_match;
pub mod list;
pub mod page;
pub mod unit;

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use utoipa_actix_web::service_config::ServiceConfig;

pub use crate::db::Page;
pub use csv::{cell, csv_cell, csv_response, CsvRecord};
pub use extract::{
    double_option, json_config, not_null, path_config, query_config, read_body, BodyLimit, Fields,
    BODY_TIMEOUT,
};
pub use if_match::{etag, with_etag, IfMatch};
pub use list::{
    wants_markdown, ListFormat, ListQuery, ListRequest, Listing, NoFilters, DEFAULT_LIMIT,
    MAX_EXPORT_ROWS, MAX_LIMIT,
};
pub use page::{
    answer_array, answer_keyset, answer_list, answer_whole, list_page, list_views, Paginated,
};
pub use unit::{read, read_long, write, ReadCost};

/// Registers every endpoint (utoipa-actix-web collects their OpenAPI paths from here).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(health::configure);
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(portfolios::configure)
            .configure(services::configure)
            .configure(people::configure)
            .configure(role_assignments::configure)
            .configure(roles::configure)
            .configure(me::configure)
            .configure(architecture::configure)
            .configure(catalog::configure)
            .configure(audit_events::configure)
            .configure(events::configure)
            .configure(webhooks::configure)
            .configure(organizations::configure)
            .configure(contracts::configure)
            .configure(deliveries::configure)
            .configure(reports::configure)
            .configure(plans::configure)
            .configure(budget_frames::configure)
            .configure(change_requests::configure)
            .configure(exchange_rates::configure)
            .configure(governance_model::configure)
            .configure(needs::configure)
            .configure(follow_ups::configure)
            .configure(information_systems::configure)
            .configure(imports::configure)
            .service(openapi_json),
    );
}

/// The OpenAPI document, serialised once at startup.
pub struct OpenApiJson(pub String);

/// The OpenAPI document of this API (public).
#[utoipa::path(
    tag = "meta",
    operation_id = "getOpenApi",
    security(()),
    summary = "The OpenAPI document",
    responses((status = 200, description = "OpenAPI 3.1 JSON", content_type = "application/json"))
)]
#[get("/openapi.json")]
pub async fn openapi_json(document: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.0.clone())
}

/// Timestamps leave the service as RFC 3339 UTC with `Z`.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}
