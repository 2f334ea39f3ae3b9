//! `/api/v1/webhooks`: subscriptions of other systems to the event stream (LG and controller),
//! and the log of their deliveries. Delivery itself is crate::webhooks. The secret is written,
//! never read back.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{list_page, with_etag, IfMatch, Page, Paginated};
use crate::auth::policy::{Action, Caller, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::webhooks;
use crate::db::DbPool;
use crate::error::{AppError, AppResult};

mod types;

pub use types::*;

/// A subscription receives the objects its events carry: only events of objects the caller may
/// read everywhere (the controller may not subscribe to change requests); 403 naming the read.
fn may_subscribe(caller: &Caller, patterns: &[String]) -> AppResult<()> {
    for (object_type, read) in crate::api::audit_events::OWN_READ_RULES {
        let named = patterns
            .iter()
            .any(|p| p.split('.').next() == Some(object_type.as_str()));
        if named && !caller.reach(read).everywhere {
            return Err(AppError::forbidden(read.code()));
        }
    }
    Ok(())
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove)
        .service(deliveries);
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhooks",
    summary = "List webhooks (LG, controller)",
    params(crate::api::ListQuery<WebhookQuery>),
    responses((status = 200, description = "OK", body = Paginated<WebhookView>), crate::api::responses::ReadErrors)
)]
#[get("/webhooks")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<WebhookQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (_, listing) = query.into_parts();
    let rows = move |conn: &mut _, caller: &crate::auth::policy::Caller, page: &Page| {
        caller.authorize(Action::WebhookManage, &Target::global())?;
        webhooks::list(conn, page)
    };
    list_page::<WebhookView, _, _>(&req, &pool, who, listing, rows).await
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "createWebhook",
    summary = "Subscribe a URL to events (LG, controller)",
    request_body = NewWebhook,
    responses((status = 201, description = "Created", body = WebhookView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
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
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let grant = caller.authorize(Action::WebhookManage, &Target::global())?;
        may_subscribe(caller, &fields.event_types)?;
        let created = webhooks::insert(conn, &fields, &caller.sub)?;
        let view = WebhookView::from(&created);
        let change = Change::by(&grant, ObjectType::Webhook, created.id).after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhook",
    summary = "Get a webhook (LG, controller)",
    params(("id" = i64, Path, description = "The webhook's id")),
    responses((status = 200, description = "OK", body = WebhookView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
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
        crate::api::IfMatch
    ),
    request_body = WebhookPatch,
    responses((status = 200, description = "OK", body = WebhookView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/webhooks/{id}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<WebhookPatch>,
    pool: web::Data<DbPool>,
    private: web::Data<PrivateTargets>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = body.into_inner();
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
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let grant = caller.authorize(Action::WebhookManage, &Target::global())?;
        may_subscribe(caller, &fields.event_types)?;
        let before = WebhookView::from(&current);
        let updated = webhooks::update(conn, &current, &fields)?;
        let view = WebhookView::from(&updated);
        let change = Change::by(&grant, ObjectType::Webhook, id)
            .before(&before)
            .after(&Changed {
                view: &view,
                secret_changed,
            });
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "deleteWebhook",
    summary = "Delete a webhook and its delivery log (LG, controller)",
    params(("id" = i64, Path, description = "The webhook's id")),
    responses((status = 204, description = "Deleted"), crate::api::responses::WriteErrors)
)]
#[delete("/webhooks/{id}")]
pub async fn remove(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    crate::api::write(&pool, who, move |conn, caller| {
        let grant = caller.authorize(Action::WebhookManage, &Target::global())?;
        let current = webhooks::find(conn, id)?;
        webhooks::delete(conn, id)?;
        let change =
            Change::by(&grant, ObjectType::Webhook, id).before(&WebhookView::from(&current));
        Ok(Audited::new((), change))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhookDeliveries",
    summary = "A webhook's delivery attempts (LG, controller)",
    params(("id" = i64, Path, description = "The webhook's id"), crate::api::ListQuery<DeliveryQuery>),
    responses((status = 200, description = "OK", body = DeliveryPage), crate::api::responses::ReadErrors)
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<i64>,
    query: crate::api::ListQuery<DeliveryQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (_, listing) = query.into_parts();
    let (after, limit, with_count) = (
        listing.after.unwrap_or(0),
        listing.page.limit,
        listing.with_count,
    );
    let (count, rows) = crate::api::read(&pool, who, move |conn, caller| {
        caller.authorize(Action::WebhookManage, &Target::global())?;
        webhooks::find(conn, id)?;
        let count = match with_count {
            true => Some(webhooks::count_attempts(conn, id)?),
            false => None,
        };
        Ok((count, webhooks::attempts(conn, id, after, limit)?))
    })
    .await?;
    let results: Vec<DeliveryAttemptView> = rows.iter().map(DeliveryAttemptView::from).collect();
    crate::api::answer_keyset(&req, &listing, count, results, |d| d.id)
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
