//! The service map: which services call which, with calls, errors and latency per edge, and
//! a summary line per service, gathered from every trace the waterfall draws.
//!
//! A *request to a service* is an entry span: one whose parent is in another service, or
//! not in the trace at all. A *call* from service A to service B is an entry span of B
//! whose parent is a span of A; its latency is that entry span's duration. Memory is
//! bounded: at most [`MAX_SERVICES`] services and [`MAX_EDGES`] edges are kept (later ones
//! are counted as not shown), each with a fixed-size [`Sketch`].

use opentelemetry::trace::{SpanId, Status};
use std::collections::HashMap;
use std::fmt::Write as _;

use super::render::{ServiceSpan, format_duration, pad};
use super::sketch::Sketch;
use super::style::Style;

/// Most services kept.
pub const MAX_SERVICES: usize = 128;
/// Most caller → callee edges kept.
pub const MAX_EDGES: usize = 256;

#[derive(Debug, Default)]
struct Stats {
    errors: u64,
    latency: Sketch,
}

impl Stats {
    fn record(&mut self, s: &ServiceSpan) {
        if matches!(s.span.status, Status::Error { .. }) {
            self.errors += 1;
        }
        let d = s
            .span
            .end_time
            .duration_since(s.span.start_time)
            .unwrap_or_default();
        self.latency.record(d);
    }
}

/// Edges and services seen so far.
#[derive(Debug, Default)]
pub(crate) struct ServiceMap {
    edges: Vec<((String, String), Stats)>,
    services: Vec<(String, Stats)>,
    traces: u64,
    /// Requests and calls that found no room.
    unshown_requests: u64,
    unshown_calls: u64,
}

fn find<'a, K: PartialEq, V>(items: &'a mut [(K, V)], key: &K) -> Option<&'a mut V> {
    items.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
}

impl ServiceMap {
    /// Adds one trace's spans.
    pub(crate) fn add_trace(&mut self, spans: &[ServiceSpan]) {
        self.traces += 1;
        let service_of: HashMap<SpanId, &str> = spans
            .iter()
            .map(|s| (s.span.span_context.span_id(), s.service.as_str()))
            .collect();
        for s in spans {
            let caller = service_of.get(&s.span.parent_span_id).copied();
            if caller == Some(s.service.as_str()) {
                continue; // inside a service: not a request to it
            }
            self.add_request(s);
            if let Some(caller) = caller {
                self.add_call(caller, s);
            }
        }
    }

    fn add_request(&mut self, s: &ServiceSpan) {
        if let Some(stats) = find(&mut self.services, &s.service) {
            stats.record(s);
        } else if self.services.len() < MAX_SERVICES {
            let mut stats = Stats::default();
            stats.record(s);
            self.services.push((s.service.clone(), stats));
        } else {
            self.unshown_requests += 1;
        }
    }

    fn add_call(&mut self, caller: &str, s: &ServiceSpan) {
        let key = (caller.to_owned(), s.service.clone());
        if let Some(stats) = find(&mut self.edges, &key) {
            stats.record(s);
        } else if self.edges.len() < MAX_EDGES {
            let mut stats = Stats::default();
            stats.record(s);
            self.edges.push((key, stats));
        } else {
            self.unshown_calls += 1;
        }
    }

    /// Whether anything was seen.
    pub(crate) fn is_empty(&self) -> bool {
        self.traces == 0
    }

    /// Draws the map: one line per edge, then one per service.
    pub(crate) fn render(&self, style: Style) -> String {
        let mut out = String::new();
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let _ = writeln!(
            out,
            "{}  {}, {}, from {}",
            style.bold("service map"),
            plural(self.services.len(), "service", "services"),
            plural(self.edges.len(), "edge", "edges"),
            plural(self.traces as usize, "trace", "traces"),
        );
        let width = |names: &mut dyn Iterator<Item = usize>| names.max().unwrap_or(0).max(7);
        let caller_w = width(&mut self.edges.iter().map(|((a, _), _)| a.chars().count()));
        let callee_w = width(&mut self.edges.iter().map(|((_, b), _)| b.chars().count()));
        let mut edges: Vec<_> = self.edges.iter().collect();
        edges.sort_by(|a, b| a.0.cmp(&b.0));
        for ((caller, callee), stats) in edges {
            let _ = writeln!(
                out,
                "  {} → {}  {}",
                pad(caller, caller_w),
                pad(callee, callee_w),
                figures(stats, ["call", "calls"], style)
            );
        }
        if self.unshown_calls > 0 {
            let _ = writeln!(
                out,
                "  … {} calls on edges not shown (the map keeps {MAX_EDGES} edges)",
                self.unshown_calls
            );
        }
        // Service lines align their figures with the edges'.
        let service_w = width(&mut self.services.iter().map(|(s, _)| s.chars().count()))
            .max(caller_w + 3 + callee_w);
        let mut services: Vec<_> = self.services.iter().collect();
        services.sort_by(|a, b| a.0.cmp(&b.0));
        for (service, stats) in services {
            let _ = writeln!(
                out,
                "  {}  {}",
                pad(service, service_w),
                figures(stats, ["request", "requests"], style)
            );
        }
        if self.unshown_requests > 0 {
            let _ = writeln!(
                out,
                "  … {} requests to services not shown (the map keeps {MAX_SERVICES} services)",
                self.unshown_requests
            );
        }
        out
    }
}

/// `12 calls  3 errors (25.0 %)  p50 35.0 ms  p99 36.2 ms`.
fn figures(stats: &Stats, [one, many]: [&str; 2], style: Style) -> String {
    let n = stats.latency.count();
    let what = if n == 1 { one } else { many };
    let errors = if stats.errors == 0 {
        pad("0 errors", 18)
    } else {
        style.error(&pad(
            &format!(
                "{} error{} ({:.1} %)",
                stats.errors,
                if stats.errors == 1 { "" } else { "s" },
                stats.errors as f64 * 100.0 / n.max(1) as f64
            ),
            18,
        ))
    };
    format!(
        "{:>6} {:<8}  {}  p50 {:>9}  p99 {:>9}",
        n,
        what,
        errors,
        format_duration(stats.latency.quantile(0.5)),
        format_duration(stats.latency.quantile(0.99)),
    )
}
