//! Prometheus metrics of the service: requests by route and status, a latency histogram by
//! route, errors by kind, and how often the service read its store for a token or a snapshot
//! of the active model. Counted in memory, written as the text exposition format.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Route {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, Route>>,
    errors: Mutex<BTreeMap<String, u64>>,
    token_reads: AtomicU64,
    snapshot_reads: AtomicU64,
}

/// What the service reads from its store besides a request's own work.
#[derive(Debug, Clone, Copy)]
pub enum StoreRead {
    /// A token not in the cache.
    Token,
    /// The active model, the sectors and (when due) their medians.
    Snapshot,
}

impl Metrics {
    /// Counts one answered request.
    pub fn observe(&self, route: &str, status: u16, seconds: f64, error_kind: Option<&str>) {
        if let Ok(mut routes) = self.routes.lock() {
            // The route's name is copied only the first time it is seen.
            if !routes.contains_key(route) {
                routes.insert(route.to_string(), Route::default());
            }
            let Some(r) = routes.get_mut(route) else {
                return;
            };
            *r.by_status.entry(status).or_default() += 1;
            r.count += 1;
            r.sum += seconds;
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    r.buckets[i] += 1;
                }
            }
        }
        if let Some(kind) = error_kind {
            if let Ok(mut e) = self.errors.lock() {
                match e.get_mut(kind) {
                    Some(n) => *n += 1,
                    None => {
                        e.insert(kind.to_string(), 1);
                    }
                }
            }
        }
    }

    /// Counts one read of the store.
    pub fn store_read(&self, what: StoreRead) {
        let counter = match what {
            StoreRead::Token => &self.token_reads,
            StoreRead::Snapshot => &self.snapshot_reads,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP precre_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE precre_requests_total counter\n");
        let routes = self.routes.lock().map(|r| {
            r.iter()
                .map(|(k, v)| (k.clone(), v.by_status.clone(), v.buckets, v.count, v.sum))
                .collect::<Vec<_>>()
        });
        let routes = routes.unwrap_or_default();
        for (route, by_status, _, _, _) in &routes {
            for (status, n) in by_status {
                out.push_str(&format!(
                    "precre_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}\n"
                ));
            }
        }
        out.push_str(
            "# HELP precre_request_duration_seconds Time to answer a request, by route.\n",
        );
        out.push_str("# TYPE precre_request_duration_seconds histogram\n");
        for (route, _, buckets, count, sum) in &routes {
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "precre_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}\n",
                    buckets[i]
                ));
            }
            out.push_str(&format!(
                "precre_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}\n"
            ));
            out.push_str(&format!(
                "precre_request_duration_seconds_sum{{route=\"{route}\"}} {sum}\n"
            ));
            out.push_str(&format!(
                "precre_request_duration_seconds_count{{route=\"{route}\"}} {count}\n"
            ));
        }
        out.push_str("# HELP precre_errors_total Error answers, by kind.\n");
        out.push_str("# TYPE precre_errors_total counter\n");
        if let Ok(e) = self.errors.lock() {
            for (kind, n) in e.iter() {
                out.push_str(&format!("precre_errors_total{{kind=\"{kind}\"}} {n}\n"));
            }
        }
        out.push_str(
            "# HELP precre_store_reads_total Reads of the store for a token not in the cache or a snapshot of the active model.\n",
        );
        out.push_str("# TYPE precre_store_reads_total counter\n");
        for (what, n) in [
            ("token", &self.token_reads),
            ("snapshot", &self.snapshot_reads),
        ] {
            let n = n.load(Ordering::Relaxed);
            out.push_str(&format!(
                "precre_store_reads_total{{what=\"{what}\"}} {n}\n"
            ));
        }
        out
    }
}
