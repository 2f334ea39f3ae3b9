//! `/api/v1/architecture/reviews`: the management group records that it reviewed the service
//! architecture and the IT environment (guidelines 4.1); everyone signed in reads the record.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{utc, Paginated};
use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::information_systems::{self as systems, ArchitectureReview};
use crate::db::{DbConnection, DbPool};
use crate::error::AppResult;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchitectureReviewRequest {
    /// What was reviewed, found or decided (minutes, a reference).
    #[schema(
        example = "LG 2026-12-01 § 4: FTA och it-miljö genomgångna.",
        max_length = 10000
    )]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArchitectureReviewView {
    pub id: i64,
    pub note: Option<String>,
    /// The `sub` of whoever recorded it.
    pub reviewed_by: String,
    pub reviewed_at: DateTime<Utc>,
    /// The size of what was reviewed: information systems and services.
    pub information_systems: i64,
    pub services: i64,
}

impl From<&ArchitectureReview> for ArchitectureReviewView {
    fn from(r: &ArchitectureReview) -> Self {
        ArchitectureReviewView {
            id: r.id,
            note: r.note.clone(),
            reviewed_by: r.reviewed_by.clone(),
            reviewed_at: utc(r.reviewed_at),
            information_systems: r.information_systems,
            services: r.services,
        }
    }
}

crate::csv_record!(ArchitectureReviewView {
    id,
    note,
    reviewed_by,
    reviewed_at,
    information_systems,
    services
});

#[utoipa::path(
    tag = "architecture",
    operation_id = "recordArchitectureReview",
    summary = "Record that the management group reviewed the FTA and the IT environment (LG)",
    request_body = ArchitectureReviewRequest,
    responses((status = 201, description = "Recorded", body = ArchitectureReviewView), crate::api::responses::WriteErrors)
)]
#[post("/architecture/reviews")]
pub async fn record(
    who: Authenticated,
    body: web::Json<ArchitectureReviewRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn: &mut DbConnection, caller| {
        let grant = caller.authorize(Action::ArchitectureReviewRecord, &Target::global())?;
        let note = crate::api::information_systems::note(request.note.as_deref(), 10_000)?;
        let review = systems::record(conn, note.as_deref(), &caller.sub)?;
        let view = ArchitectureReviewView::from(&review);
        let change = Change::by(&grant, ObjectType::ArchitectureReview, view.id).after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(
    tag = "architecture",
    operation_id = "listArchitectureReviews",
    summary = "The management group's reviews of the FTA and the IT environment, latest first",
    params(crate::api::ListQuery<ReviewQuery>),
    responses((status = 200, description = "OK", body = Paginated<ArchitectureReviewView>), crate::api::responses::ReadErrors)
)]
#[get("/architecture/reviews")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<ReviewQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (_, listing) = query.into_parts();
    let views = move |conn: &mut DbConnection, _: &_, page: &crate::db::Page| {
        let (count, rows) = systems::list_reviews(conn, page)?;
        Ok((
            count,
            rows.iter().map(ArchitectureReviewView::from).collect(),
        ))
    };
    crate::api::list_views::<ArchitectureReviewView, _>(&req, &pool, who, listing, views).await
}

/// The reviews take no filters; they are paged, latest first.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {}

impl crate::api::Listing for ReviewQuery {
    const ORDERING: &'static [&'static str] = &[];
}
