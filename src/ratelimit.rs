//! A per-caller rate limit (DESIGN.md §6, `FORVALTNING_RATE_LIMIT`): a token bucket per caller
//! refilled at the configured rate, holding bursts of twice that. A caller is their bearer
//! token (hashed; a forged token naming someone else's `sub` cannot spend that person's
//! budget), or the peer address when there is none. Each instance limits its own traffic; a
//! fleet behind a load balancer admits at most the sum.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    pub fn key(caller: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        caller.hash(&mut hasher);
        hasher.finish()
    }

    /// Takes one request from the caller's bucket, or says how long until one is there.
    pub fn check(&self, key: u64, now: Instant) -> Result<(), Duration> {
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
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_twice_the_rate_then_the_rate() {
        let limiter = RateLimiter::new(5).unwrap();
        let start = Instant::now();
        let caller = RateLimiter::key("token-a");
        for _ in 0..10 {
            assert!(limiter.check(caller, start).is_ok());
        }
        let wait = limiter.check(caller, start).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(200),
            "{wait:?}"
        );
        // Another caller has a bucket of their own.
        assert!(limiter.check(RateLimiter::key("token-b"), start).is_ok());
        // A fifth of a second later, one more.
        let later = start + Duration::from_millis(201);
        assert!(limiter.check(caller, later).is_ok());
        assert!(limiter.check(caller, later).is_err());
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
            let _ = limiter.check(n as u64, start);
        }
        let later = start + Duration::from_secs(10);
        let _ = limiter.check(0, later);
        let kept = limiter.shards[0].lock().unwrap().buckets.len();
        assert!(kept < SHARD_CLEANUP_AT, "{kept}");
    }
}
