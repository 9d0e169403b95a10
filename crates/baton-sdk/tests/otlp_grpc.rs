//! OTLP over gRPC, checked against the OTLP receiver of baton-test-support (the collector's
//! services served by tonic on 127.0.0.1), which decodes the real wire
//! format: spans with their parents, kinds, attributes and resource; metrics with names,
//! units and bucket bounds; headers as metadata; gzip; per-signal endpoints.

mod common;

use baton_sdk::Builder;
use baton_test_support::otlp::{CLIENT, Receiver, SERVER, Signal};
use common::{DURATION_BUCKETS, emit_metrics, emit_trace, env};

#[test]
fn otlp_grpc_traces_and_metrics_arrive_whole() {
    let rx = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_SERVICE_NAME", "users"),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment.name=test,team=core%2Cinfra,service.name=ignored",
        ),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "x-api-key=secret%20value,x-tenant=t1",
        ),
    ]))
    .service_version("1.2.3")
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("baton-test"));
    emit_metrics(guard.meter_provider());
    guard.shutdown().unwrap();

    let spans = rx.wait_for_spans(2);
    assert_eq!(spans.len(), 2);
    let server = spans.iter().find(|s| s.name == "GET /users/{id}").unwrap();
    let client = spans.iter().find(|s| s.name == "SELECT users").unwrap();
    assert_eq!(server.kind, SERVER);
    assert_eq!(client.kind, CLIENT);
    assert_eq!(server.parent_span_id, "");
    assert_eq!(client.parent_span_id, server.span_id);
    assert_eq!(client.trace_id, server.trace_id);
    assert_eq!(server.attributes["http.request.method"], "GET");
    assert_eq!(server.attributes["http.route"], "/users/{id}");
    assert_eq!(server.attributes["http.response.status_code"], "200");
    assert_eq!(client.attributes["db.system.name"], "postgresql");
    assert_eq!(server.scope, "baton-test");
    let resource = &server.resource;
    assert_eq!(resource["service.name"], "users");
    assert_eq!(resource["service.version"], "1.2.3");
    assert_eq!(resource["deployment.environment.name"], "test");
    assert_eq!(resource["team"], "core,infra");
    assert_eq!(resource["telemetry.sdk.language"], "rust");
    assert_eq!(resource["telemetry.sdk.name"], "opentelemetry");
    assert_eq!(resource["process.pid"], std::process::id().to_string());
    assert!(resource.contains_key("host.name"));

    let metadata = rx.exports_of(Signal::Traces);
    assert_eq!(metadata[0].headers()["x-api-key"], "secret value");
    assert_eq!(metadata[0].headers()["x-tenant"], "t1");
    assert!(!metadata[0].headers().contains_key("grpc-encoding"));

    let metrics = rx.wait_for_metric("http.server.request.duration");
    let duration = metrics
        .iter()
        .find(|m| m.name == "http.server.request.duration")
        .unwrap();
    assert_eq!(duration.unit, "s");
    assert_eq!(duration.description, "Duration of HTTP server requests.");
    assert_eq!(duration.kind, "histogram");
    assert_eq!(duration.bounds, DURATION_BUCKETS);
    // 20 ms falls in (10 ms, 25 ms], the third bucket.
    let mut counts = vec![0; DURATION_BUCKETS.len() + 1];
    counts[2] = 1;
    assert_eq!(duration.bucket_counts, counts);
    assert_eq!(duration.resource["service.name"], "users");
    let counter = metrics
        .iter()
        .find(|m| m.name == "baton.test.requests")
        .unwrap();
    assert_eq!((counter.unit.as_str(), counter.kind), ("{request}", "sum"));
    assert_eq!(
        rx.exports_of(Signal::Metrics)[0].headers()["x-api-key"],
        "secret value"
    );
}

#[test]
fn otlp_grpc_gzip_compression() {
    let rx = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
        ("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "none"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("baton-test"));
    emit_metrics(guard.meter_provider());
    guard.shutdown().unwrap();
    assert_eq!(rx.wait_for_spans(2).len(), 2);
    assert_eq!(
        rx.exports_of(Signal::Traces)[0].headers()["grpc-encoding"],
        "gzip"
    );
    rx.wait_for_metric("baton.test.requests");
    assert!(
        !rx.exports_of(Signal::Metrics)[0]
            .headers()
            .contains_key("grpc-encoding")
    );
}

#[test]
fn otlp_grpc_per_signal_endpoints_headers_and_protocols() {
    let traces = Receiver::start();
    let metrics = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        // The generic settings point elsewhere; the per-signal ones win.
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "x-which=generic"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &traces.grpc_url()),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-which=traces"),
        ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", &metrics.grpc_url()),
        ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "GRPC"),
        ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-which=metrics"),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "5000"),
        ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "5000"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("baton-test"));
    emit_metrics(guard.meter_provider());
    guard.shutdown().unwrap();
    traces.wait_for_spans(2);
    metrics.wait_for_metric("http.server.request.duration");
    assert!(traces.metrics().is_empty());
    assert!(metrics.spans().is_empty());
    assert_eq!(
        traces.exports_of(Signal::Traces)[0].headers()["x-which"],
        "traces"
    );
    assert_eq!(
        metrics.exports_of(Signal::Metrics)[0].headers()["x-which"],
        "metrics"
    );
}

/// Text that gzip cannot shrink, so the receiver's limit applies to its full size.
fn incompressible(bytes: usize, seed: u64) -> String {
    let mut x = seed | 1;
    (0..bytes)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect()
}

/// A receiver that refuses gRPC messages over 4 MiB (a collector's default), one batch of
/// 112 spans of which 12 carry 400 KB each (about 4.8 MB in all): the batch goes out in
/// parts under the limit, so every normal span arrives, and the huge ones too.
#[test]
fn a_few_huge_spans_do_not_cost_the_normal_ones_their_export() {
    use baton_test_support::otlp::Options;
    use opentelemetry::KeyValue;
    use opentelemetry::trace::{Span as _, Tracer as _};

    let rx = Receiver::with(Options {
        keep_exports: true,
        max_grpc_message: Some(4 << 20),
        ..Options::default()
    });
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_SERVICE_NAME", "users"),
        // Everything in one batch, sent at shutdown.
        ("OTEL_BSP_SCHEDULE_DELAY", "600000"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    let tracer = guard.tracer("baton-test");
    for i in 0..112u64 {
        let huge = i % 9 == 4 && i < 9 * 12;
        let mut span = tracer.start(if huge { "huge" } else { "normal" });
        if huge {
            span.set_attribute(KeyValue::new("payload", incompressible(400_000, i)));
        }
        span.end();
    }
    guard.shutdown().unwrap();
    let spans = rx.wait_for_spans(112);
    let count = |name: &str| spans.iter().filter(|s| s.name == name).count();
    assert_eq!((count("normal"), count("huge")), (100, 12));
    assert!(rx.trace_exports() >= 2, "the batch was split");
}

/// The limits come from baton's env layer (so `from_env_map` sees them): two attributes
/// kept of four, each string cut to five bytes, as exported.
#[test]
fn span_limits_from_the_environment_apply() {
    use opentelemetry::KeyValue;
    use opentelemetry::trace::{Span as _, Tracer as _};

    let rx = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "2"),
        ("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "5"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    let mut span = guard.tracer("baton-test").start("limited");
    for key in ["a", "b", "c", "d"] {
        span.set_attribute(KeyValue::new(key, "abcdefgh"));
    }
    span.end();
    guard.shutdown().unwrap();
    let spans = rx.wait_for_spans(1);
    let attributes = &spans[0].attributes;
    assert_eq!(attributes.len(), 2, "{attributes:?}");
    assert!(attributes.values().all(|v| v == "abcde"), "{attributes:?}");
}
