//! A per-caller rate limit (`FORVALTNING_RATE_LIMIT`, see docs in README): a token bucket per
//! caller refilled at the configured rate, holding bursts of twice that. A caller is the
//! verified `sub` of their token — however the header is spelled and however many tokens they
//! hold — or, with no valid bearer token, the client's address (the peer, or what a trusted
//! proxy says it forwarded: `client_address`). Expensive reports cost more than one request.
//! Each instance limits its own traffic; a fleet behind a load balancer admits at most the sum.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

use crate::client_address::{client_address, TrustedProxies};
use crate::error::AppError;

/// Buckets live in shards, so that concurrent requests of different callers rarely meet.
const SHARDS: usize = 16;
/// A shard this full drops the buckets of callers that have been quiet long enough to be
/// full again (they would start from a full bucket anyway).
const SHARD_CLEANUP_AT: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    shards: Vec<Mutex<Shard>>,
}

#[derive(Default)]
struct Shard {
    buckets: HashMap<u64, Bucket>,
    /// The size at which the next cleanup runs: doubled when one frees too little, so that a
    /// flood of new callers costs amortised constant time per request.
    cleanup_at: usize,
}

impl RateLimiter {
    /// `None` when the limit is 0 (off, for load tests).
    pub fn new(per_second: u32) -> Option<Self> {
        (per_second > 0).then(|| RateLimiter {
            per_second: f64::from(per_second),
            burst: 2.0 * f64::from(per_second),
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        buckets: HashMap::new(),
                        cleanup_at: SHARD_CLEANUP_AT,
                    })
                })
                .collect(),
        })
    }

    /// The key of a caller.
    pub fn key(caller: &Caller) -> u64 {
        let mut hasher = DefaultHasher::new();
        caller.hash(&mut hasher);
        hasher.finish()
    }

    /// Takes `cost` requests from the caller's bucket (never more than a full bucket holds), or
    /// says how long until they are there.
    pub fn check(&self, key: u64, now: Instant, cost: f64) -> Result<(), Duration> {
        let cost = cost.clamp(1.0, self.burst);
        let shard = &self.shards[(key as usize) % SHARDS];
        let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
        if shard.buckets.len() >= shard.cleanup_at {
            let full_after = Duration::from_secs_f64(self.burst / self.per_second);
            shard
                .buckets
                .retain(|_, b| now.duration_since(b.updated) < full_after);
            shard.cleanup_at = (shard.buckets.len() * 2).max(SHARD_CLEANUP_AT);
        }
        let bucket = shard.buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (cost - bucket.tokens) / self.per_second,
            ))
        }
    }
}

/// Whom a bucket belongs to.
#[derive(Debug, Hash)]
pub enum Caller {
    /// The verified `sub` of a valid bearer token.
    Person(String),
    /// No valid bearer token: the client's address.
    Anonymous(IpAddr),
}

/// What a request costs, in requests: a report reads a whole portfolio or more.
fn cost(path: &str) -> f64 {
    if path.starts_with("/api/v1/reports/") || path.starts_with("/api/v1/architecture") {
        REPORT_COST
    } else {
        1.0
    }
}

/// A report (`/api/v1/reports/…`, `/api/v1/architecture`) costs this many requests.
pub const REPORT_COST: f64 = 5.0;

/// The caller of a request: the token is verified here (the verification is handed on to the
/// handler's extractor, so it happens once), an invalid or non-bearer header is anonymous.
async fn caller(req: &ServiceRequest) -> Caller {
    if crate::auth::bearer_token(req.headers()).is_ok() {
        if let Ok(identity) = crate::auth::verify_once(req).await {
            return Caller::Person(identity.sub);
        }
    }
    let peer = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let trusted = req.app_data::<web::Data<TrustedProxies>>();
    Caller::Anonymous(match trusted {
        Some(trusted) => client_address(peer, req.headers(), trusted),
        None => peer,
    })
}

/// The limit on the API (health, metrics and documentation are not limited): 429 with
/// `Retry-After` when a caller's bucket is empty.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let limiter = req
        .app_data::<web::Data<Option<RateLimiter>>>()
        .filter(|l| l.is_some() && req.path().starts_with("/api/"))
        .cloned();
    if let Some(limiter) = limiter.as_ref().and_then(|l| l.get_ref().as_ref()) {
        let key = RateLimiter::key(&caller(&req).await);
        if let Err(wait) = limiter.check(key, Instant::now(), cost(req.path())) {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let error = AppError::TooManyRequests(seconds.max(1));
            return Ok(req
                .into_response(error.error_response())
                .map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_twice_the_rate_then_the_rate() {
        let limiter = RateLimiter::new(5).unwrap();
        let start = Instant::now();
        let caller = RateLimiter::key(&Caller::Person("anna@sunet.se".into()));
        for _ in 0..10 {
            assert!(limiter.check(caller, start, 1.0).is_ok());
        }
        let wait = limiter.check(caller, start, 1.0).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(200),
            "{wait:?}"
        );
        // Another caller has a bucket of their own.
        let other = Caller::Person("bertil@sunet.se".into());
        assert!(limiter.check(RateLimiter::key(&other), start, 1.0).is_ok());
        // A fifth of a second later, one more.
        let later = start + Duration::from_millis(201);
        assert!(limiter.check(caller, later, 1.0).is_ok());
        assert!(limiter.check(caller, later, 1.0).is_err());
    }

    #[test]
    fn a_report_costs_more_but_never_more_than_a_full_bucket() {
        let limiter = RateLimiter::new(2).unwrap();
        let start = Instant::now();
        let caller = RateLimiter::key(&Caller::Anonymous(Ipv4Addr::LOCALHOST.into()));
        assert!(limiter.check(caller, start, REPORT_COST).is_ok());
        assert!(limiter.check(caller, start, 1.0).is_err());
        let full = start + Duration::from_secs(2);
        for _ in 0..4 {
            assert!(limiter.check(caller, full, 1.0).is_ok());
        }
        assert!(limiter.check(caller, full, 1.0).is_err());
        assert_eq!(cost("/api/v1/reports/governance"), REPORT_COST);
        assert_eq!(cost("/api/v1/services"), 1.0);
    }

    #[test]
    fn zero_turns_it_off() {
        assert!(RateLimiter::new(0).is_none());
    }

    #[test]
    fn quiet_callers_are_forgotten_when_a_shard_fills() {
        let limiter = RateLimiter::new(1000).unwrap();
        let start = Instant::now();
        for n in 0..(SHARDS * SHARD_CLEANUP_AT * 2) {
            let _ = limiter.check(n as u64, start, 1.0);
        }
        let later = start + Duration::from_secs(10);
        let _ = limiter.check(0, later, 1.0);
        let kept = limiter.shards[0].lock().unwrap().buckets.len();
        assert!(kept < SHARD_CLEANUP_AT, "{kept}");
    }
}
