//! Prometheus metrics (`GET /metrics`, text exposition format 0.0.4) with the conventional
//! names: requests by method, route and status; request durations by route; the database
//! pool's connections and the wait for one; webhook deliveries by outcome.
//!
//! Every label value comes from a closed set, so the number of series is bounded by the API, not
//! by its callers: routes are the matched patterns (`/api/v1/services/{service}`), never raw
//! paths; methods are the standard ones or `other` (actix accepts extension methods of any
//! length). With `metrics = false` nothing is recorded. One short lock per request.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

/// Upper bounds of the duration buckets, in seconds (Prometheus' defaults, finer below 5 ms).
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A route a request matched none of.
const UNMATCHED: &str = "unmatched";

/// What the process has counted since it started.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<Requests>,
}

#[derive(Default)]
struct Requests {
    /// (method, route, status) → requests answered.
    answered: BTreeMap<(&'static str, String, u16), u64>,
    /// route → durations.
    durations: BTreeMap<String, Histogram>,
}

/// A cumulative histogram of seconds.
#[derive(Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bucket, bound) in self.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (count, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = |labels: &str| {
            if labels.is_empty() {
                String::new()
            } else {
                format!("{{{labels}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {}", braces(labels), self.sum);
        let _ = writeln!(out, "{name}_count{} {}", braces(labels), self.count);
    }
}

impl Metrics {
    pub fn observe(&self, method: &Method, route: &str, status: u16, took: Duration) {
        let method = method_label(method);
        let mut requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *requests
            .answered
            .entry((method, route.to_string(), status))
            .or_default() += 1;
        match requests.durations.get_mut(route) {
            Some(histogram) => histogram.observe(took.as_secs_f64()),
            None => {
                let mut histogram = Histogram::default();
                histogram.observe(took.as_secs_f64());
                requests.durations.insert(route.to_string(), histogram);
            }
        }
    }

    /// The exposition text, with the database pool's gauges as they are now.
    pub fn render(&self, state: PoolGauge) -> String {
        let (answered, durations) = {
            let requests = self
                .requests
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            (requests.answered.clone(), requests.durations.clone())
        };
        let mut out = String::with_capacity(4096 + answered.len() * 96);
        header(
            &mut out,
            "http_requests_total",
            "counter",
            "HTTP requests answered, by method, matched route and status.",
        );
        for ((method, route, status), n) in &answered {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
        header(
            &mut out,
            "http_request_duration_seconds",
            "histogram",
            "Time from a request's arrival to its answer, by matched route.",
        );
        for (route, histogram) in &durations {
            let labels = format!("route=\"{}\"", escape(route));
            histogram.write(&mut out, "http_request_duration_seconds", &labels);
        }
        header(
            &mut out,
            "db_pool_connections",
            "gauge",
            "Open database connections of the pool, idle or in use.",
        );
        let _ = writeln!(out, "db_pool_connections{{state=\"idle\"}} {}", state.idle);
        let _ = writeln!(
            out,
            "db_pool_connections{{state=\"in_use\"}} {}",
            state.open.saturating_sub(state.idle)
        );
        header(
            &mut out,
            "db_pool_max_connections",
            "gauge",
            "The pool's size (FORVALTNING_DATABASE_POOL_SIZE, or sized to the machine).",
        );
        let _ = writeln!(out, "db_pool_max_connections {}", state.max);
        header(
            &mut out,
            "db_pool_wait_seconds",
            "histogram",
            "Time a request waited for a database connection (the gate and the pool).",
        );
        POOL_WAIT
            .snapshot()
            .write(&mut out, "db_pool_wait_seconds", "");
        header(
            &mut out,
            "webhook_deliveries_total",
            "counter",
            "Webhook delivery attempts of this instance, by outcome.",
        );
        for (outcome, counter) in [
            ("delivered", &WEBHOOKS_DELIVERED),
            ("failed", &WEBHOOKS_FAILED),
        ] {
            let _ = writeln!(
                out,
                "webhook_deliveries_total{{outcome=\"{outcome}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A method as a label: one of the standard methods, or `other`.
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

/// A label value as the exposition format quotes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Webhook delivery attempts of this instance: posted and answered 2xx, or not.
pub static WEBHOOKS_DELIVERED: AtomicU64 = AtomicU64::new(0);
pub static WEBHOOKS_FAILED: AtomicU64 = AtomicU64::new(0);

/// The waits for a connection, lock-free (recorded on the database path of every request).
pub struct WaitHistogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    nanos: AtomicU64,
}

pub static POOL_WAIT: WaitHistogram = WaitHistogram {
    buckets: [const { AtomicU64::new(0) }; BUCKETS.len()],
    count: AtomicU64::new(0),
    nanos: AtomicU64::new(0),
};

impl WaitHistogram {
    pub fn observe(&self, waited: Duration) {
        let seconds = waited.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn snapshot(&self) -> Histogram {
        let mut histogram = Histogram {
            count: self.count.load(Ordering::Relaxed),
            sum: self.nanos.load(Ordering::Relaxed) as f64 / 1e9,
            ..Histogram::default()
        };
        for (into, from) in histogram.buckets.iter_mut().zip(&self.buckets) {
            *into = from.load(Ordering::Relaxed);
        }
        histogram
    }
}

/// The database pool's connections, for the exposition.
#[derive(Debug, Clone, Copy)]
pub struct PoolGauge {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// Whether `/metrics` answers (configuration `metrics`, on by default).
#[derive(Clone, Copy)]
pub struct MetricsEnabled(pub bool);

/// Counts every answer by the route it matched (middleware; outermost but the log).
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let counted = req.app_data::<web::Data<Metrics>>().cloned().filter(|_| {
        req.app_data::<web::Data<MetricsEnabled>>()
            .is_some_and(|enabled| enabled.0)
    });
    let method = req.method().clone();
    let response = next.call(req).await;
    if let Some(counted) = counted {
        let took = started.elapsed();
        match &response {
            Ok(res) => {
                let route = res.request().match_pattern();
                let route = route.as_deref().unwrap_or(UNMATCHED);
                counted.observe(&method, route, res.status().as_u16(), took);
            }
            Err(e) => {
                let status = e.as_response_error().status_code().as_u16();
                counted.observe(&method, UNMATCHED, status, took);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_cumulative_with_its_sum_and_count() {
        let mut h = Histogram::default();
        h.observe(0.003);
        h.observe(0.3);
        let mut out = String::new();
        h.write(&mut out, "x", "route=\"/a\"");
        assert!(out.contains("x_bucket{route=\"/a\",le=\"0.0025\"} 0\n"));
        assert!(out.contains("x_bucket{route=\"/a\",le=\"0.005\"} 1\n"));
        assert!(out.contains("x_bucket{route=\"/a\",le=\"0.5\"} 2\n"));
        assert!(out.contains("x_bucket{route=\"/a\",le=\"+Inf\"} 2\n"));
        assert!(out.contains("x_sum{route=\"/a\"} 0.303\n"));
        assert!(out.contains("x_count{route=\"/a\"} 2\n"));
    }

    #[test]
    fn methods_outside_the_standard_set_share_one_label() {
        let metrics = Metrics::default();
        for n in 0..100 {
            let method = Method::from_bytes(format!("X{n:0>3000}").as_bytes()).unwrap();
            metrics.observe(&method, UNMATCHED, 400, Duration::ZERO);
        }
        metrics.observe(&Method::PATCH, UNMATCHED, 400, Duration::ZERO);
        let requests = metrics.requests.lock().unwrap();
        let keys: Vec<_> = requests.answered.keys().cloned().collect();
        assert_eq!(
            keys,
            [
                ("PATCH", UNMATCHED.to_string(), 400),
                ("other", UNMATCHED.to_string(), 400)
            ]
        );
        assert_eq!(
            requests.answered[&("other", UNMATCHED.to_string(), 400)],
            100
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
