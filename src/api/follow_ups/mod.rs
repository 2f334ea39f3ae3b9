//! `/api/v1/follow-ups`: uppföljning av kundrelationer och leveranser (guidelines 4.5 item 5,
//! 4.6 item 6). The KA and VU record them with any customer, and the TÄ, TS and TJF for the
//! services in their scope; they are read by those who record them, LG and the controller.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::csv::{csv_cell, CsvRecord};
use crate::api::{lookup, utc, with_etag, Fields, Paginated};
use crate::auth::policy::{Action, Caller, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::follow_ups::{self, FollowUp, Named, NewFollowUp};
use crate::db::{organizations, services, DbConnection, DbPool};
use crate::domain::contract::OrganizationKind;
use crate::domain::need::{FollowUpKind, Score};
use crate::domain::slug::IdOrSlug;
use crate::domain::text;
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(list_of_organization)
        .service(create)
        .service(get_one);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpView {
    pub id: i64,
    pub organization_id: i64,
    #[schema(example = "2026-11-20")]
    pub date: NaiveDate,
    pub kind: FollowUpKind,
    pub service_ids: Vec<i64>,
    pub satisfaction: Option<Score>,
    #[schema(
        example = "Genomgång av eduroam-leveransen; nöjda, vill ha bättre täckning i Ångström."
    )]
    pub summary: String,
    pub actions: Option<String>,
    pub need_ids: Vec<i64>,
    /// The `sub` of whoever recorded it.
    pub recorded_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FollowUpView {
    fn of(f: &FollowUp, named: &Named) -> Self {
        FollowUpView {
            id: f.id,
            organization_id: f.organization_id,
            date: f.held_on,
            kind: f.kind(),
            service_ids: named
                .services
                .iter()
                .filter(|(id, _, _)| *id == f.id)
                .map(|(_, s, _)| *s)
                .collect(),
            satisfaction: f.satisfaction(),
            summary: f.summary.clone(),
            actions: f.actions.clone(),
            need_ids: named
                .needs
                .iter()
                .filter(|(id, _)| *id == f.id)
                .map(|(_, n)| *n)
                .collect(),
            recorded_by: f.recorded_by.clone(),
            version: f.version,
            created_at: utc(f.created_at),
            updated_at: utc(f.updated_at),
        }
    }
}

fn joined(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(";")
}

/// Flat columns; the lists of ids separated by `;`.
impl CsvRecord for FollowUpView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "organization_id",
        "date",
        "kind",
        "service_ids",
        "satisfaction",
        "summary",
        "actions",
        "need_ids",
        "recorded_by",
        "created_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            csv_cell(&self.id),
            csv_cell(&self.organization_id),
            csv_cell(&self.date),
            csv_cell(&self.kind),
            joined(&self.service_ids),
            csv_cell(&self.satisfaction),
            csv_cell(&self.summary),
            csv_cell(&self.actions),
            joined(&self.need_ids),
            csv_cell(&self.recorded_by),
            csv_cell(&self.created_at),
        ]
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFollowUpRequest {
    /// When it took place (not in the future).
    #[schema(example = "2026-11-20")]
    pub date: NaiveDate,
    pub kind: FollowUpKind,
    /// The services it concerned; a delivery review or complaint names only services the
    /// customer has (had) a delivery of.
    #[serde(default)]
    pub service_ids: Vec<i64>,
    /// 1 (poor) to 5 (very satisfied).
    #[schema(minimum = 1, maximum = 5)]
    pub satisfaction: Option<i64>,
    #[schema(max_length = 10000)]
    pub summary: String,
    /// What was agreed to do (free text).
    #[schema(max_length = 10000)]
    pub actions: Option<String>,
    /// Needs it raised or followed.
    #[serde(default)]
    pub need_ids: Vec<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// Organization id or slug.
    pub organization: Option<String>,
    /// Service id or slug.
    pub service: Option<String>,
    pub kind: Option<FollowUpKind>,
    /// On or after this date.
    pub from: Option<NaiveDate>,
    /// On or before this date.
    pub to: Option<NaiveDate>,
}

impl crate::api::Listing for FollowUpQuery {
    const ORDERING: &'static [&'static str] = follow_ups::SORT_FIELDS;
}

/// The policy's targets of a follow-up: each service it names (none: the customer as a whole,
/// for global roles only).
fn targets(named: &[(i64, Option<i64>)]) -> Vec<Target> {
    if named.is_empty() {
        return vec![Target::global()];
    }
    named.iter().map(|(s, p)| Target::service(*s, *p)).collect()
}

#[utoipa::path(
    tag = "follow-ups",
    operation_id = "listFollowUps",
    summary = "List customer follow-ups",
    params(crate::api::ListQuery<FollowUpQuery>),
    responses((status = 200, description = "OK", body = Paginated<FollowUpView>), crate::api::responses::ReadErrors)
)]
#[get("/follow-ups")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<FollowUpQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    list_views(req, who, query, None, listing, pool).await
}

#[utoipa::path(
    tag = "follow-ups",
    operation_id = "listOrganizationFollowUps",
    summary = "List the follow-ups of one customer",
    params(("organization" = String, Path, description = "Id or slug"), crate::api::ListQuery<FollowUpQuery>),
    responses((status = 200, description = "OK", body = Paginated<FollowUpView>), crate::api::responses::ReadErrors)
)]
#[get("/organizations/{organization}/follow-ups")]
pub async fn list_of_organization(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<String>,
    query: crate::api::ListQuery<FollowUpQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    list_views(req, who, query, Some(path.into_inner()), listing, pool).await
}

async fn list_views(
    req: HttpRequest,
    who: Authenticated,
    query: FollowUpQuery,
    organization: Option<String>,
    listing: crate::api::ListRequest,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let views = move |conn: &mut DbConnection, caller: &Caller, page: &crate::db::Page| {
        if let Some(key) = &organization {
            organizations::find(conn, &IdOrSlug::parse(key))?;
        }
        let named = organization.as_deref().or(query.organization.as_deref());
        let (Some(organization_id), Some(service_id)) = (
            lookup::organization(conn, named)?.filter(),
            lookup::service(conn, query.service.as_deref())?.filter(),
        ) else {
            return Ok((0, Vec::new()));
        };
        let filter = follow_ups::FollowUpFilter {
            organization_id,
            service_id,
            kind: query.kind,
            from: query.from,
            to: query.to,
        };
        let reach = caller.reach(Action::FollowUpRead);
        let (count, rows) = follow_ups::list(conn, &filter, &reach, page)?;
        let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
        let named = follow_ups::named_by(conn, &ids)?;
        let views = rows.iter().map(|f| FollowUpView::of(f, &named)).collect();
        Ok((count, views))
    };
    crate::api::list_views::<FollowUpView, _>(&req, &pool, who, listing, views).await
}

#[utoipa::path(
    tag = "follow-ups",
    operation_id = "getFollowUp",
    summary = "Get a customer follow-up",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = FollowUpView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/follow-ups/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, caller| {
        let found = follow_ups::find(conn, id)?;
        let named = follow_ups::named_by(conn, &[id])?;
        let places: Vec<(i64, Option<i64>)> =
            named.services.iter().map(|(_, s, p)| (*s, *p)).collect();
        caller
            .may_any(Action::FollowUpRead, &targets(&places))
            .ok_or_else(|| AppError::not_found("There is no such follow-up."))?;
        Ok(FollowUpView::of(&found, &named))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// The named services, each with its portfolio: 422 naming `service_ids` for one that is none.
fn services_named(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<(i64, Option<i64>)>> {
    ids.iter()
        .map(|id| match services::find_by_id(conn, *id) {
            Err(AppError::NotFound(_)) => Err(AppError::unprocessable(
                "service_ids",
                format!("there is no service {id}"),
            )),
            other => other.map(|s| (s.id, s.portfolio_id)),
        })
        .collect()
}

fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[utoipa::path(
    tag = "follow-ups",
    operation_id = "createFollowUp",
    summary = "Record a follow-up with a customer (KA, VU; TÄ, TS, TJF in scope of every named service)",
    params(("organization" = String, Path, description = "Id or slug")),
    request_body = NewFollowUpRequest,
    responses((status = 201, description = "Created", body = FollowUpView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/organizations/{organization}/follow-ups")]
pub async fn create(
    who: Authenticated,
    path: web::Path<String>,
    body: web::Json<NewFollowUpRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let organization = organizations::find(conn, &key)?;
        let service_ids = distinct(&request.service_ids);
        let need_ids = distinct(&request.need_ids);
        let places = services_named(conn, &service_ids)?;
        let grant = caller.authorize_every(Action::FollowUpCreate, &targets(&places))?;
        if organization.kind() != OrganizationKind::Customer {
            return Err(AppError::unprocessable(
                "organization",
                format!("is a {}; follow-ups are with customers", organization.kind()),
            ));
        }
        let mut f = Fields::default();
        let satisfaction = request
            .satisfaction
            .and_then(|n| f.take(Score::parse("satisfaction", n)));
        let summary = f.take(text::line("summary", &request.summary, 10_000));
        let actions = request
            .actions
            .as_ref()
            .and_then(|a| f.take(text::bounded("actions", a, 10_000)));
        if request.date > crate::db::today() {
            f.rule("date", "is in the future");
        }
        if let Some(id) = follow_ups::missing_needs(conn, &need_ids)?.first() {
            f.rule("need_ids", format!("there is no need {id}"));
        }
        if request.kind.reviews_deliveries() {
            if let Some(s) = follow_ups::not_delivered(conn, organization.id, &service_ids)?.first()
            {
                f.rule(
                    "service_ids",
                    format!(
                        "the customer has no delivery of service {s}; a {} names delivered services",
                        request.kind.as_str().replace('_', " ")
                    ),
                );
            }
        }
        f.finish()?;
        let created = follow_ups::insert(
            conn,
            &NewFollowUp {
                organization_id: organization.id,
                held_on: request.date,
                kind: request.kind,
                satisfaction,
                summary: &summary.unwrap_or_default(),
                actions: actions.as_deref(),
                service_ids: &service_ids,
                need_ids: &need_ids,
                recorded_by: &caller.sub,
            },
        )?;
        let view = FollowUpView::of(&created, &follow_ups::named_by(conn, &[created.id])?);
        let change = Change::by(&grant, ObjectType::FollowUp, created.id)
            .in_portfolio(places.first().and_then(|(_, p)| *p))
            .after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}
