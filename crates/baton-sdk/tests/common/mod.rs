//! What the SDK's export tests share: in-memory exporters for tests that need no network,
//! the settings map, and the trace and metrics every export test emits. The receivers that
//! decode what arrives on the wire (OTLP over gRPC and HTTP, Zipkin) and the collectors
//! that are not there are baton-test-support's, shared with the other crates' tests.
#![allow(dead_code)]

pub mod capture;

use opentelemetry::trace::{SpanKind, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue};

/// Owned `(name, value)` pairs for `Builder::from_env_map`.
pub fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The HTTP server duration buckets the semantic conventions recommend.
pub const DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Emits one trace: a server span `GET /users/{id}` with a client child `SELECT users`.
pub fn emit_trace(tracer: &impl Tracer<Span: Send + Sync + 'static>) {
    let server = tracer
        .span_builder("GET /users/{id}")
        .with_kind(SpanKind::Server)
        .with_attributes([
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("http.route", "/users/{id}"),
            KeyValue::new("http.response.status_code", 200),
        ])
        .start(tracer);
    let cx = Context::current_with_span(server);
    let mut client = tracer
        .span_builder("SELECT users")
        .with_kind(SpanKind::Client)
        .with_attributes([
            KeyValue::new("db.system.name", "postgresql"),
            KeyValue::new("server.address", "db"),
        ])
        .start_with_context(tracer, &cx);
    opentelemetry::trace::Span::end(&mut client);
    cx.span().end();
}

/// Records one request duration (20 ms) in a histogram with the recommended buckets, and
/// adds 3 to a counter.
pub fn emit_metrics(provider: &(impl opentelemetry::metrics::MeterProvider + ?Sized)) {
    let meter = provider.meter("baton-test");
    let histogram = meter
        .f64_histogram("http.server.request.duration")
        .with_unit("s")
        .with_description("Duration of HTTP server requests.")
        .with_boundaries(DURATION_BUCKETS.to_vec())
        .build();
    histogram.record(0.02, &[KeyValue::new("http.request.method", "GET")]);
    let counter = meter
        .u64_counter("baton.test.requests")
        .with_unit("{request}")
        .build();
    counter.add(3, &[]);
}
