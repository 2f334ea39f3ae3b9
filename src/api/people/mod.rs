//! `/api/v1/people`: the people the service has seen or appointed, known by their `sub`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{list_page, utc, with_etag, Page, Paginated};
use crate::auth::Authenticated;
use crate::db::people::{self as db_people, Person};
use crate::db::DbPool;
use crate::error::AppResult;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(get_one);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    /// The `sub` of the person's tokens.
    #[schema(example = "asa.oberg@sunet.se")]
    pub sub: String,
    #[schema(example = "Åsa Öberg")]
    pub name: Option<String>,
    pub email: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        PersonView {
            id: p.id,
            sub: p.sub.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            version: p.version,
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Text search in sub, name and e-mail.
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Exactly this `sub`.
    pub sub: Option<String>,
}

impl crate::api::Listing for PeopleQuery {
    const ORDERING: &'static [&'static str] = crate::db::people::SORT_FIELDS;
}

#[utoipa::path(
    tag = "people",
    operation_id = "listPeople",
    summary = "List people",
    params(crate::api::ListQuery<PeopleQuery>),
    responses((status = 200, description = "OK", body = Paginated<PersonView>), crate::api::responses::ReadErrors)
)]
#[get("/people")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<PeopleQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let filter = db_people::PeopleFilter {
        q: query.q,
        sub: query.sub,
    };
    let rows = move |conn: &mut _, _: &_, page: &Page| db_people::list(conn, &filter, page);
    list_page::<PersonView, _, _>(&req, &pool, who, listing, rows).await
}

#[utoipa::path(
    tag = "people",
    operation_id = "getPerson",
    summary = "Get a person",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = PersonView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/people/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        Ok(PersonView::from(&db_people::find(conn, id)?))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

crate::csv_record!(PersonView {
    id,
    sub,
    name,
    email,
    version,
    created_at,
    updated_at
});
