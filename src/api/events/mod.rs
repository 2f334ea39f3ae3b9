//! `GET /api/v1/events`: the event stream, for systems that follow changes without a public URL
//! to receive webhooks. Every audited change is an event (`type` = the action, `data` = the
//! object after it); a reader keeps the last id it saw and asks for what came `after` it.
//! Readers as the audit trail (LG, controller, VU; a TÄ for their scope), filtered in SQL.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::utc;
use crate::auth::policy::{Action, Caller};
use crate::auth::Authenticated;
use crate::db::events::{self, Event, EventFilter};
use crate::db::{DbConnection, DbPool};
use crate::domain::event::EventTypePattern;
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

/// One change, as other systems see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Increasing; the key to ask for what came after.
    pub id: i64,
    /// The audit action, e.g. `service.transition`, `role_assignment.create`.
    #[serde(rename = "type")]
    #[schema(example = "service.transition")]
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    #[schema(example = "service")]
    pub object_type: String,
    pub object_id: i64,
    pub portfolio_id: Option<i64>,
    /// The object after the change (null when the change left none).
    pub data: Option<serde_json::Value>,
    /// The import the change was part of (`GET /api/v1/imports/{id}`), if it was.
    pub import_id: Option<i64>,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        EventView {
            id: e.id,
            event_type: e.event_type.clone(),
            occurred_at: utc(e.occurred_at),
            object_type: e.object_type.clone(),
            object_id: e.object_id,
            portfolio_id: e.portfolio_id,
            data: e.data.as_deref().and_then(|d| serde_json::from_str(d).ok()),
            import_id: e.import_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// An event type (`service.transition`) or every type under a prefix (`service.*`).
    #[serde(rename = "type")]
    #[param(
        rename = "type",
        pattern = r"^[a-z_]+(\.[a-z_]+)*(\.\*)?$",
        max_length = 100
    )]
    pub event_type: Option<String>,
    #[param(example = "service")]
    pub object_type: Option<String>,
    pub object_id: Option<i64>,
}

impl crate::api::Listing for EventQuery {
    const ORDERING: &'static [&'static str] = &[];
    const KEYSET: bool = true;
    const OFFSET: bool = false;
}

/// A page of the stream, oldest first. `next` continues after this page's last event while
/// pages are full; once a page is not full, the reader has caught up and asks again later
/// with the last id it saw.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    /// All matching events, with `?count=true`; null otherwise.
    pub count: Option<i64>,
    /// The next page (by key), or null when this one is not full.
    pub next: Option<String>,
    /// Always null: the stream pages forward only.
    pub previous: Option<String>,
    pub results: Vec<EventView>,
}

/// Every audited change as an event, oldest first, after the id a reader saw last. Ids only
/// grow, and no event ever appears behind one already returned: an event shows once every write
/// that began before its own has ended (at once on SQLite; within milliseconds on PostgreSQL).
#[utoipa::path(
    tag = "events",
    operation_id = "listEvents",
    summary = "The event stream (LG, controller, VU; TÄ for their scope)",
    params(crate::api::ListQuery<EventQuery>),
    responses((status = 200, description = "OK", body = EventPage), crate::api::responses::ReadErrors)
)]
#[get("/events")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<EventQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let (after, limit, with_count) = (
        listing.after.unwrap_or(0),
        listing.page.limit,
        listing.with_count,
    );
    let event_type = query
        .event_type
        .as_deref()
        .map(EventTypePattern::parse)
        .transpose()
        .map_err(|e| AppError::invalid_field("type", e.to_string()))?;
    let (count, rows) = crate::api::read_long(
        &pool,
        who,
        move |conn: &mut DbConnection, caller: &Caller| {
            let reach = caller.reach(Action::EventRead);
            if reach.is_nowhere() {
                return Err(AppError::forbidden(Action::EventRead.code()));
            }
            let filter = EventFilter {
                event_type,
                object_type: query.object_type,
                object_id: query.object_id,
                hidden_types: crate::api::audit_events::unreadable_types(caller, &reach),
                portfolios: (!reach.everywhere).then_some(reach.portfolios),
                services: reach.services,
            };
            events::list(conn, &filter, after, limit, with_count)
        },
    )
    .await?;
    let results: Vec<EventView> = rows.iter().map(EventView::from).collect();
    crate::api::answer_keyset(&req, &listing, count, results, |e| e.id)
}

crate::csv_record!(EventView { id, event_type as "type", occurred_at, object_type, object_id, portfolio_id, data });
