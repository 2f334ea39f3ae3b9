//! `GET /api/v1/catalog` (public): published services in operation, public fields only.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::Paginated;
use crate::db::{self, services, DbPool};
use crate::error::AppResult;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(catalog);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogEntry {
    pub slug: String,
    pub name: String,
    /// Swedish catalogue text.
    pub text: Option<String>,
    /// English catalogue text.
    pub text_en: Option<String>,
    pub documentation_url: Option<String>,
    pub ordering_routine: Option<String>,
    pub portfolio_slug: Option<String>,
    pub portfolio_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl crate::api::Listing for CatalogQuery {
    const ORDERING: &'static [&'static str] = &[];
}

#[utoipa::path(
    tag = "catalog",
    operation_id = "getCatalog",
    security(()),
    summary = "The public service catalogue (no token needed)",
    params(crate::api::ListQuery<CatalogQuery>),
    responses((status = 200, description = "OK", body = Paginated<CatalogEntry>), crate::api::responses::PublicErrors)
)]
#[get("/catalog")]
pub async fn catalog(
    req: HttpRequest,
    query: crate::api::ListQuery<CatalogQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, mut listing) = query.into_parts();
    // The catalogue has one order: by name.
    listing.page.sort = crate::db::Sort {
        field: "name".into(),
        descending: false,
    };
    let for_query = listing.page.clone();
    let (count, rows) = db::run_read(&pool, move |conn| {
        services::catalog(conn, query.q.as_deref(), &for_query)
    })
    .await?;
    let results = rows
        .into_iter()
        .map(|(s, portfolio)| {
            let (portfolio_slug, portfolio_name) = portfolio.unzip();
            CatalogEntry {
                slug: s.slug,
                name: s.name,
                text: s.catalog_text,
                text_en: s.catalog_text_en,
                documentation_url: s.documentation_url,
                ordering_routine: s.ordering_routine,
                portfolio_slug,
                portfolio_name,
            }
        })
        .collect::<Vec<CatalogEntry>>();
    crate::api::answer_list(&req, &listing, count, results)
}

crate::csv_record!(CatalogEntry {
    slug,
    name,
    text,
    text_en,
    documentation_url,
    ordering_routine,
    portfolio_slug,
    portfolio_name
});
