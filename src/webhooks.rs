//! Delivers the event stream to webhook subscriptions: a background task of every instance
//! claims due subscriptions (db::webhooks::claim_due; a claim is a lease, so a subscription is
//! served by one delivery at a time and its events stay in order) and hands each to a delivery
//! of its own, up to `CONCURRENT` at once, so a slow receiver holds up only its own stream. A
//! delivery posts the next event the subscription wants and records the attempt. A 2xx moves
//! the subscription's cursor past the event; anything else is retried after a backoff (1 s
//! doubling to an hour).
//!
//! Each POST carries the event as JSON and `X-Forvaltning-Event`, `X-Forvaltning-Delivery` (the
//! event id) and `X-Forvaltning-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
//! keyed with the subscription's secret. The target's host is resolved before every delivery
//! and the connection pinned to an address checked to be public (unless private targets are
//! allowed): a DNS answer that changes to an internal address after the subscription was
//! checked is refused, not followed. Redirects are not followed, and no proxy is used unless one
//! is configured (`webhooks.proxy`): `HTTP(S)_PROXY` in the environment would undo the pinning.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::Semaphore;

use crate::db::events::Event;
use crate::db::webhooks::{self, Outcome, Webhook};
use crate::db::DbPool;
use crate::domain::event::EventTypePattern;
use crate::domain::webhook::{is_public, WebhookUrl};
use crate::error::AppError;

/// How long one delivery may take (connect, send, answer).
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long the target's name may take to resolve.
const DNS_TIMEOUT: Duration = Duration::from_secs(5);
/// Deliveries in flight at once in one instance, each to another subscription.
const CONCURRENT: usize = 16;
/// How often an idle deliverer looks for due subscriptions.
const IDLE_POLL: Duration = Duration::from_millis(250);
/// Events read past a subscription's cursor at once, looking for one it wants.
const SCAN: i64 = 200;

/// `X-Forvaltning-Signature` of `body` at `t` (unix seconds) with `secret`.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// The JSON of an event as posted (the same shape as `GET /api/v1/events` answers).
pub fn payload(event: &Event) -> Vec<u8> {
    let data: Option<serde_json::Value> = event
        .data
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok());
    serde_json::to_vec(&serde_json::json!({
        "id": event.id,
        "type": event.event_type,
        "occurred_at": crate::api::utc(event.occurred_at),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "portfolio_id": event.portfolio_id,
        "data": data,
        "import_id": event.import_id,
    }))
    .unwrap_or_default()
}

/// How often an instance prunes the delivery log, and how much at once.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
const PRUNE_BATCH: i64 = 10_000;

/// How deliveries leave this instance.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// Whether http and private addresses may be targets (`webhooks.allow_private`).
    pub allow_private: bool,
    /// A proxy for every delivery (`webhooks.proxy`); none by default, whatever the environment.
    pub proxy: Option<String>,
}

/// Starts the deliverer of this instance; it also keeps the delivery log to `log_days`.
pub fn spawn(pool: DbPool, delivery: Delivery, log_days: u32) {
    tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(CONCURRENT));
        let delivery = Arc::new(delivery);
        let mut pruned_at: Option<Instant> = None;
        loop {
            if pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
                prune_log(&pool, log_days).await;
                pruned_at = Some(Instant::now());
            }
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            match crate::db::run(&pool, webhooks::claim_due).await {
                Ok(Some(webhook)) => {
                    let (pool, delivery) = (pool.clone(), delivery.clone());
                    tokio::spawn(async move {
                        if let Err(e) = deliver(&pool, webhook, &delivery).await {
                            if !matches!(e, AppError::Unavailable(_)) {
                                log::warn!("webhook delivery failed: {}", e.cause());
                            }
                        }
                        drop(slot);
                    });
                    // Another subscription may be due; when none is, the claim says so.
                    continue;
                }
                Ok(None) | Err(AppError::Unavailable(_)) => {}
                Err(e) => log::warn!("claiming a webhook failed: {}", e.cause()),
            }
            drop(slot);
            tokio::time::sleep(IDLE_POLL).await;
        }
    });
}

/// Deletes attempts older than `log_days`, a batch at a time until none is left.
async fn prune_log(pool: &DbPool, log_days: u32) {
    let before = crate::db::now() - chrono::TimeDelta::days(i64::from(log_days));
    loop {
        match crate::db::run(pool, move |conn| {
            webhooks::prune_attempts(conn, before, PRUNE_BATCH)
        })
        .await
        {
            Ok(n) if n as i64 == PRUNE_BATCH => continue,
            Ok(n) => {
                if n > 0 {
                    log::info!("pruned {n} webhook delivery attempts older than {log_days} days");
                }
                break;
            }
            Err(AppError::Unavailable(_)) => break,
            Err(e) => {
                log::warn!("pruning the webhook delivery log failed: {}", e.cause());
                break;
            }
        }
    }
}

/// Handles one claimed subscription: posts the next event it wants, or moves past those it
/// does not, and records what came of it.
async fn deliver(pool: &DbPool, webhook: Webhook, delivery: &Delivery) -> Result<(), AppError> {
    let cursor = webhook.last_event_id;
    let pending =
        crate::db::run(pool, move |conn| webhooks::events_after(conn, cursor, SCAN)).await?;
    let patterns: Vec<EventTypePattern> = webhook
        .patterns()
        .iter()
        .filter_map(|p| EventTypePattern::parse(p).ok())
        .collect();
    let wanted = pending
        .iter()
        .find(|e| patterns.iter().any(|p| p.matches(&e.event_type)));
    let outcome = match (wanted, pending.last()) {
        (Some(event), _) => post(&webhook, event, delivery).await,
        (None, Some(last)) => Outcome::Skipped { cursor: last.id },
        (None, None) => Outcome::Idle,
    };
    crate::db::run(pool, move |conn| webhooks::finish(conn, &webhook, &outcome)).await
}

/// One POST of `event` to `webhook`, and what came of it.
async fn post(webhook: &Webhook, event: &Event, delivery: &Delivery) -> Outcome {
    let started = Instant::now();
    let result = try_post(webhook, event, delivery).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (delivered, response_status, error) = match result {
        Ok(status) => (
            (200..300).contains(&status),
            Some(i32::from(status)),
            (!(200..300).contains(&status)).then(|| format!("answered {status}")),
        ),
        Err(error) => (false, None, Some(error)),
    };
    let counter = if delivered {
        &crate::metrics::WEBHOOKS_DELIVERED
    } else {
        &crate::metrics::WEBHOOKS_FAILED
    };
    counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Outcome::Attempted {
        event: event.clone(),
        delivered,
        response_status,
        error,
        duration_ms,
    }
}

async fn try_post(webhook: &Webhook, event: &Event, delivery: &Delivery) -> Result<u16, String> {
    let target = WebhookUrl::parse(&webhook.url, delivery.allow_private)?;
    let address = resolve(&target, delivery.allow_private).await?;
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve(target.host(), address)
        .user_agent(concat!("forvaltning/", env!("CARGO_PKG_VERSION")));
    let builder = match &delivery.proxy {
        Some(proxy) => builder
            .proxy(reqwest::Proxy::all(proxy.as_str()).map_err(|e| format!("the proxy: {e}"))?),
        None => builder.no_proxy(),
    };
    let client = builder
        .build()
        .map_err(|e| format!("no HTTP client: {e}"))?;
    let body = payload(event);
    let t = chrono::Utc::now().timestamp();
    let response = client
        .post(target.url().clone())
        .header("Content-Type", "application/json")
        .header("X-Forvaltning-Event", &event.event_type)
        .header("X-Forvaltning-Delivery", event.id.to_string())
        .header(
            "X-Forvaltning-Signature",
            signature(&webhook.secret, t, &body),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| format!("not delivered: {e}"))?;
    Ok(response.status().as_u16())
}

/// The address to connect to: the first the host resolves to, if every one is public (or
/// private targets are allowed).
async fn resolve(target: &WebhookUrl, allow_private: bool) -> Result<SocketAddr, String> {
    let lookup = tokio::net::lookup_host((target.host(), target.port()));
    let addresses: Vec<SocketAddr> = tokio::time::timeout(DNS_TIMEOUT, lookup)
        .await
        .map_err(|_| {
            format!(
                "{} did not resolve within {} s",
                target.host(),
                DNS_TIMEOUT.as_secs()
            )
        })?
        .map_err(|e| format!("{} does not resolve: {e}", target.host()))?
        .collect();
    if !allow_private {
        if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
            return Err(format!(
                "{} resolves to {}, which is not a public address",
                target.host(),
                private.ip()
            ));
        }
    }
    addresses
        .first()
        .copied()
        .ok_or_else(|| format!("{} resolves to no address", target.host()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the signature scheme, computed independently (Python:
    /// `hmac.new(b"hemlig", b"1700000000.{\"a\":1}", hashlib.sha256).hexdigest()`).
    #[test]
    fn signatures_are_hmac_sha256_of_time_dot_body() {
        assert_eq!(
            signature("hemlig", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=249cc40ad5c509d2bdbe9911cf0d786048f9fedc7c09c16108e0c4194f097dcb"
        );
    }
}
