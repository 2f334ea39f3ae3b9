//! `/api/v1/webhooks`: subscriptions of other systems to the event stream (LG and controller),
//! and the log of their deliveries. Delivery itself is crate::webhooks. The secret is written,
//! never read back.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{keyset_link, list_page, utc, with_etag, IfMatch, Page, Paginated};
use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::audit::{self, Change, ObjectType};
use crate::db::webhooks::{self, DeliveryAttempt, Webhook, WebhookFields};
use crate::db::DbPool;
use crate::domain::event::EventTypePattern;
use crate::domain::webhook::{is_public, WebhookUrl};
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove)
        .service(deliveries);
}

/// An exact event type (`service.transition`) or every type under a prefix (`service.*`).
// (The document's type; the service parses the text as domain::event::EventTypePattern.)
#[derive(ToSchema)]
#[schema(
    value_type = String,
    pattern = r"^[a-z_]+(\.[a-z_]+)*(\.\*)?$",
    max_length = 100,
    example = "service.*"
)]
#[allow(dead_code)]
pub struct EventTypeText(String);

/// Whether webhooks may target http and private addresses (development, or
/// `webhooks.allow_private`).
#[derive(Debug, Clone, Copy)]
pub struct PrivateTargets(pub bool);

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    #[schema(example = "https://hooks.sunet.se/forvaltning")]
    pub url: String,
    /// Exact event types or prefixes (`service.*`).
    #[schema(value_type = Vec<EventTypeText>, example = json!(["service.*", "contract.create"]))]
    pub event_types: Vec<String>,
    pub active: bool,
    /// The last event handled (delivered, or not wanted); delivery continues after it.
    pub last_event_id: i64,
    /// Failed attempts at the next event, in a row (0 when the last attempt succeeded).
    pub failed_attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
    pub created_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Webhook> for WebhookView {
    fn from(w: &Webhook) -> Self {
        WebhookView {
            id: w.id,
            url: w.url.clone(),
            event_types: w.patterns(),
            active: w.active,
            last_event_id: w.last_event_id,
            failed_attempts: w.failed_attempts,
            next_attempt_at: utc(w.next_attempt_at),
            created_by: w.created_by.clone(),
            version: w.version,
            created_at: utc(w.created_at),
            updated_at: utc(w.updated_at),
        }
    }
}

/// A webhook as its change is audited: the view, and whether the secret changed (the secret
/// itself is never recorded).
#[derive(Serialize)]
struct Changed<'a> {
    #[serde(flatten)]
    view: &'a WebhookView,
    secret_changed: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https`, resolving to public addresses (development, or `webhooks.allow_private`, also
    /// allow `http` and private targets).
    #[schema(example = "https://hooks.sunet.se/forvaltning", max_length = 2000)]
    pub url: String,
    /// Keys the HMAC-SHA256 signature of every delivery; 16 to 256 characters. Never shown again.
    #[schema(
        example = "en-lång-hemlighet-för-signaturer",
        min_length = 16,
        max_length = 256
    )]
    pub secret: String,
    /// Exact event types or prefixes (`service.*`), 1 to 50.
    #[schema(value_type = Vec<EventTypeText>, example = json!(["service.*", "role_assignment.*"]), min_items = 1, max_items = 50)]
    pub event_types: Vec<String>,
    /// Deliver now (default) or hold.
    pub active: Option<bool>,
}

/// Fields to change; at least one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false, max_length = 2000)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false, min_length = 16, max_length = 256)]
    pub secret: Option<String>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = Option<Vec<EventTypeText>>, nullable = false, min_items = 1, max_items = 50)]
    pub event_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

/// The checked fields of a subscription; with `check_url`, the URL's host is resolved (unless
/// private targets are allowed) so that a subscription to an internal address is refused when
/// it is made, given a new URL or resumed. (Every delivery checks it again.)
async fn checked(
    url: String,
    secret: String,
    event_types: Vec<String>,
    active: bool,
    private: PrivateTargets,
    check_url: bool,
) -> AppResult<WebhookFields> {
    let mut errors = crate::api::Fields::default();
    if url.chars().count() > 2000 {
        errors.error("url", "must be at most 2000 characters");
    }
    let secret_length = secret.chars().count();
    if !(16..=256).contains(&secret_length) {
        errors.error("secret", "must be 16 to 256 characters");
    }
    if event_types.is_empty() || event_types.len() > 50 {
        errors.error("event_types", "must name 1 to 50 event types");
    }
    for t in &event_types {
        if let Err(e) = EventTypePattern::parse(t) {
            errors.error("event_types", format!("'{t}' {e}"));
        }
    }
    errors.finish()?;
    if !check_url {
        return Ok(WebhookFields {
            url,
            secret,
            event_types,
            active,
        });
    }
    let target =
        WebhookUrl::parse(&url, private.0).map_err(|e| AppError::unprocessable("url", e))?;
    if !private.0 {
        let resolved = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            tokio::net::lookup_host((target.host(), target.port())),
        )
        .await
        .map_err(|_| AppError::unprocessable("url", "its host did not resolve in time"))?
        .map_err(|_| AppError::unprocessable("url", "its host does not resolve"))?;
        if let Some(private) = resolved.into_iter().find(|a| !is_public(a.ip())) {
            return Err(AppError::unprocessable(
                "url",
                format!(
                    "resolves to {}, which is not a public address",
                    private.ip()
                ),
            ));
        }
    }
    Ok(WebhookFields {
        url: target.as_str().to_string(),
        secret,
        event_types,
        active,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WebhookQuery {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhooks",
    summary = "List webhooks (LG, controller)",
    params(WebhookQuery),
    responses((status = 200, description = "OK", body = Paginated<WebhookView>), crate::openapi::ReadErrors),
    security(("bearer" = []))
)]
#[get("/webhooks")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: web::Query<WebhookQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let page = Page::parse(query.limit, query.offset, None, &["id"])?;
    let rows = move |conn: &mut _, caller: &crate::auth::policy::Caller, page: &Page| {
        caller.authorize(Action::WebhookManage, &Target::global())?;
        webhooks::list(conn, page)
    };
    list_page::<WebhookView, _, _>(&req, &pool, who, page, rows).await
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "createWebhook",
    summary = "Subscribe a URL to events (LG, controller)",
    request_body = NewWebhook,
    responses((status = 201, description = "Created", body = WebhookView, headers(("ETag" = String))), crate::openapi::WriteErrors),
    security(("bearer" = []))
)]
#[post("/webhooks")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewWebhook>,
    pool: web::Data<DbPool>,
    private: web::Data<PrivateTargets>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    // Refused before the URL is looked up; the write asks again, in its transaction.
    crate::api::read(&pool, who.clone(), |_, caller| {
        caller.authorize(Action::WebhookManage, &Target::global())?;
        Ok(())
    })
    .await?;
    let fields = checked(
        request.url,
        request.secret,
        request.event_types,
        request.active.unwrap_or(true),
        **private,
        true,
    )
    .await?;
    let view = crate::api::write(&pool, who, move |conn, caller, actor| {
        let grant = caller.authorize(Action::WebhookManage, &Target::global())?;
        let created = webhooks::insert(conn, &fields, &caller.sub)?;
        let view = WebhookView::from(&created);
        audit::record(
            conn,
            actor,
            Change::by(&grant, ObjectType::Webhook, created.id).after(&view),
        )?;
        Ok(view)
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhook",
    summary = "Get a webhook (LG, controller)",
    params(("id" = i64, Path, description = "The webhook's id")),
    responses((status = 200, description = "OK", body = WebhookView, headers(("ETag" = String))), crate::openapi::ReadErrors),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, caller| {
        caller.authorize(Action::WebhookManage, &Target::global())?;
        Ok(WebhookView::from(&webhooks::find(conn, id)?))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "updateWebhook",
    summary = "Change a webhook (LG, controller)",
    params(
        ("id" = i64, Path, description = "The webhook's id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]+\"(, *\"[0-9]+\")*)$", description = "The ETag last seen; 412 if the webhook changed since")
    ),
    request_body = WebhookPatch,
    responses((status = 200, description = "OK", body = WebhookView, headers(("ETag" = String))), crate::openapi::WriteErrors),
    security(("bearer" = []))
)]
#[patch("/webhooks/{id}")]
pub async fn update(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<WebhookPatch>,
    pool: web::Data<DbPool>,
    private: web::Data<PrivateTargets>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = body.into_inner();
    let if_match = IfMatch::from_request(&req);
    if patch.url.is_none()
        && patch.secret.is_none()
        && patch.event_types.is_none()
        && patch.active.is_none()
    {
        return Err(AppError::invalid_field("body", "names no field to change"));
    }
    // The current subscription (and the caller's right to it) first; then the new URL is
    // checked outside the write, and the write applies only to the version that was read.
    let current = crate::api::read(&pool, who.clone(), move |conn, caller| {
        caller.authorize(Action::WebhookManage, &Target::global())?;
        webhooks::find(conn, id)
    })
    .await?;
    if_match.check(current.version)?;
    // Pausing, or changing what is sent, needs no check of a URL that stays as it is (it may
    // have stopped passing one: pausing is how it is stopped); a new URL or a resumed delivery is
    // checked.
    let check_url = patch.url.is_some() || (patch.active == Some(true) && !current.active);
    let secret_changed = patch.secret.as_ref().is_some_and(|s| *s != current.secret);
    let fields = checked(
        patch.url.unwrap_or_else(|| current.url.clone()),
        patch.secret.unwrap_or_else(|| current.secret.clone()),
        patch.event_types.unwrap_or_else(|| current.patterns()),
        patch.active.unwrap_or(current.active),
        **private,
        check_url,
    )
    .await?;
    let view = crate::api::write(&pool, who, move |conn, caller, actor| {
        let grant = caller.authorize(Action::WebhookManage, &Target::global())?;
        let before = WebhookView::from(&current);
        let updated = webhooks::update(conn, &current, &fields)?;
        let view = WebhookView::from(&updated);
        audit::record(
            conn,
            actor,
            Change::by(&grant, ObjectType::Webhook, id)
                .before(&before)
                .after(&Changed {
                    view: &view,
                    secret_changed,
                }),
        )?;
        Ok(view)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "deleteWebhook",
    summary = "Delete a webhook and its delivery log (LG, controller)",
    params(("id" = i64, Path, description = "The webhook's id")),
    responses((status = 204, description = "Deleted"), crate::openapi::WriteErrors),
    security(("bearer" = []))
)]
#[delete("/webhooks/{id}")]
pub async fn remove(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    crate::api::write(&pool, who, move |conn, caller, actor| {
        let grant = caller.authorize(Action::WebhookManage, &Target::global())?;
        let current = webhooks::find(conn, id)?;
        webhooks::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            Change::by(&grant, ObjectType::Webhook, id).before(&WebhookView::from(&current)),
        )?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One attempt to deliver one event.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttemptView {
    pub id: i64,
    pub event_id: i64,
    #[schema(example = "service.transition")]
    pub event_type: String,
    /// 1 for the first attempt at this event, counting up while it fails.
    pub attempt: i32,
    /// `delivered` (answered 2xx) or `failed`.
    #[schema(example = "delivered")]
    pub outcome: String,
    /// The receiver's HTTP status, when it answered.
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub attempted_at: DateTime<Utc>,
}

impl From<&DeliveryAttempt> for DeliveryAttemptView {
    fn from(d: &DeliveryAttempt) -> Self {
        DeliveryAttemptView {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type.clone(),
            attempt: d.attempt,
            outcome: d.outcome.clone(),
            response_status: d.response_status,
            error: d.error.clone(),
            duration_ms: d.duration_ms,
            attempted_at: utc(d.attempted_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// The attempts after this id (oldest first).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A page of a webhook's delivery log, oldest first, paged by key.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    /// Always null: the log pages by key.
    pub count: Option<i64>,
    /// The next page (by key), or null when this one is not full.
    pub next: Option<String>,
    /// Always null.
    pub previous: Option<String>,
    pub results: Vec<DeliveryAttemptView>,
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhookDeliveries",
    summary = "A webhook's delivery attempts (LG, controller)",
    params(("id" = i64, Path, description = "The webhook's id"), DeliveryQuery),
    responses((status = 200, description = "OK", body = DeliveryPage), crate::openapi::ReadErrors),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<i64>,
    query: web::Query<DeliveryQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(crate::api::DEFAULT_LIMIT);
    if after < 0 {
        return Err(AppError::invalid_field("after", "must not be negative"));
    }
    if !(1..=crate::api::MAX_LIMIT).contains(&limit) {
        return Err(AppError::invalid_field(
            "limit",
            "must be between 1 and 500",
        ));
    }
    let rows = crate::api::read(&pool, who, move |conn, caller| {
        caller.authorize(Action::WebhookManage, &Target::global())?;
        webhooks::find(conn, id)?;
        webhooks::attempts(conn, id, after, limit)
    })
    .await?;
    let results: Vec<DeliveryAttemptView> = rows.iter().map(DeliveryAttemptView::from).collect();
    if crate::api::wants_csv(&req, None) {
        return crate::api::csv_response("deliveries.csv", results.len() as i64, &results);
    }
    let next = (results.len() as i64 == limit)
        .then(|| results.last().map(|d| keyset_link(&req, d.id)))
        .flatten();
    Ok(HttpResponse::Ok().json(DeliveryPage {
        count: None,
        next,
        previous: None,
        results,
    }))
}

crate::csv_record!(WebhookView {
    id,
    url,
    event_types,
    active,
    last_event_id,
    failed_attempts,
    next_attempt_at,
    created_by,
    version,
    created_at,
    updated_at
});
crate::csv_record!(DeliveryAttemptView {
    id,
    event_id,
    event_type,
    attempt,
    outcome,
    response_status,
    error,
    duration_ms,
    attempted_at
});
