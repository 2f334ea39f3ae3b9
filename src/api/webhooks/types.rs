//! The webhooks' wire types, and the check of a subscription's fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::utc;
use crate::db::webhooks::{DeliveryAttempt, Webhook, WebhookFields};
use crate::domain::event::EventTypePattern;
use crate::domain::webhook::{is_public, WebhookUrl};
use crate::error::{AppError, AppResult};

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
pub(super) struct Changed<'a> {
    #[serde(flatten)]
    pub view: &'a WebhookView,
    pub secret_changed: bool,
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
pub(super) async fn checked(
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
pub struct WebhookQuery {}

impl crate::api::Listing for WebhookQuery {
    const ORDERING: &'static [&'static str] = &[];
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
pub struct DeliveryQuery {}

impl crate::api::Listing for DeliveryQuery {
    const ORDERING: &'static [&'static str] = &[];
    const KEYSET: bool = true;
    const OFFSET: bool = false;
}

/// A page of a webhook's delivery log, oldest first, paged by key.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    /// All attempts of the webhook, with `?count=true`; null otherwise.
    pub count: Option<i64>,
    /// The next page (by key), or null when this one is not full.
    pub next: Option<String>,
    /// Always null.
    pub previous: Option<String>,
    pub results: Vec<DeliveryAttemptView>,
}
