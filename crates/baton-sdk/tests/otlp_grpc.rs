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
