//! Counters and a latency histogram in the Prometheus text exposition format (version 0.0.4).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// What the server counts. Keys are ordered so that the exposition is deterministic.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    documents: AtomicU64,
    rejected: AtomicU64,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *requests.entry((route.to_owned(), method.to_owned(), status)).or_default() += 1;
        drop(requests);
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let histogram = latency.entry(route.to_owned()).or_default();
        for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    /// A document analysed to the end.
    pub fn document(&self) {
        self.documents.fetch_add(1, Ordering::Relaxed);
    }

    /// A document the engine refused (empty, not UTF-8, …).
    pub fn rejected(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP casus_http_requests_total HTTP requests by route, method and status.\n");
        out.push_str("# TYPE casus_http_requests_total counter\n");
        for ((route, method, status), count) in self.requests.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(
                out,
                "casus_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {count}",
                escape(route),
                escape(method)
            );
        }
        out.push_str("# HELP casus_http_request_duration_seconds Time to answer a request, by route.\n");
        out.push_str("# TYPE casus_http_request_duration_seconds histogram\n");
        for (route, histogram) in self.latency.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let route = escape(route);
            for (count, bound) in histogram.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "casus_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "casus_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(out, "casus_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", histogram.sum);
            let _ = writeln!(out, "casus_http_request_duration_seconds_count{{route=\"{route}\"}} {}", histogram.count);
        }
        out.push_str("# HELP casus_documents_analysed_total Documents analysed to the end.\n");
        out.push_str("# TYPE casus_documents_analysed_total counter\n");
        let _ = writeln!(out, "casus_documents_analysed_total {}", self.documents.load(Ordering::Relaxed));
        out.push_str("# HELP casus_documents_rejected_total Documents the engine refused as bad input.\n");
        out.push_str("# TYPE casus_documents_rejected_total counter\n");
        let _ = writeln!(out, "casus_documents_rejected_total {}", self.rejected.load(Ordering::Relaxed));
        out
    }
}

/// Label values escape backslash, quote and newline.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Middleware: counts every request by its route pattern (never its concrete path, which could
/// grow the label set without bound) and logs it when the access log is on.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics.observe(&route, &method, status, seconds);
    if state.config.access_log {
        eprintln!("casus: {method} {route} {status} {:.1} ms", seconds * 1000.0);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_counts_and_buckets() {
        let metrics = Metrics::default();
        metrics.observe("/v1/analyze", "POST", 200, 0.003);
        metrics.observe("/v1/analyze", "POST", 200, 0.2);
        metrics.observe("/v1/analyze", "POST", 413, 0.0001);
        metrics.document();
        let text = metrics.render();
        assert!(text.contains("casus_http_requests_total{route=\"/v1/analyze\",method=\"POST\",status=\"200\"} 2"));
        assert!(text.contains("casus_http_requests_total{route=\"/v1/analyze\",method=\"POST\",status=\"413\"} 1"));
        assert!(text.contains("casus_http_request_duration_seconds_bucket{route=\"/v1/analyze\",le=\"0.001\"} 1"));
        assert!(text.contains("casus_http_request_duration_seconds_bucket{route=\"/v1/analyze\",le=\"0.005\"} 2"));
        assert!(text.contains("casus_http_request_duration_seconds_bucket{route=\"/v1/analyze\",le=\"+Inf\"} 3"));
        assert!(text.contains("casus_documents_analysed_total 1"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
