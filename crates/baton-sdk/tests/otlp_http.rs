//! OTLP over HTTP/protobuf, checked against the OTLP receiver of baton-test-support on
//! 127.0.0.1, which decodes the request bodies with prost: paths from the generic and per-signal endpoints, content
//! type, headers, gzip, and the same span and metric content as over gRPC.

mod common;

use baton_sdk::Builder;
use baton_test_support::otlp::Receiver;
use common::{DURATION_BUCKETS, emit_metrics, emit_trace, env};

#[test]
fn otlp_http_is_the_default_protocol_and_appends_signal_paths() {
    let rx = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        // A trailing slash must not produce `//v1/traces`.
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            &format!("{}/otlp/", rx.http_url()),
        ),
        ("OTEL_SERVICE_NAME", "gateway"),
        ("OTEL_RESOURCE_ATTRIBUTES", "region=eu-west-1"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20t0k3n"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("baton-test"));
    emit_metrics(guard.meter_provider());
    guard.shutdown().unwrap();

    let spans = rx.wait_for_spans_at("/otlp/v1/traces", 2);
    let server = spans.iter().find(|s| s.name == "GET /users/{id}").unwrap();
    let client = spans.iter().find(|s| s.name == "SELECT users").unwrap();
    assert_eq!((server.kind, client.kind), (2, 3));
    assert_eq!(client.parent_span_id, server.span_id);
    assert_eq!(client.trace_id, server.trace_id);
    assert_eq!(client.attributes["server.address"], "db");
    assert_eq!(server.resource["service.name"], "gateway");
    assert_eq!(server.resource["region"], "eu-west-1");

    // The receiver accepts only `POST`s of `application/x-protobuf` (anything else is an
    // error), and records the headers.
    assert!(rx.errors().is_empty(), "{:?}", rx.errors());
    let headers = rx.exports_to("/otlp/v1/traces")[0].headers().clone();
    assert_eq!(headers["content-type"], "application/x-protobuf");
    assert_eq!(headers["authorization"], "Bearer t0k3n");
    assert!(!headers.contains_key("content-encoding"));

    let metrics = rx.wait_for_metric_at("/otlp/v1/metrics", "http.server.request.duration");
    let duration = metrics
        .iter()
        .find(|m| m.name == "http.server.request.duration")
        .unwrap();
    assert_eq!((duration.unit.as_str(), duration.kind), ("s", "histogram"));
    assert_eq!(duration.bounds, DURATION_BUCKETS);
    assert_eq!(duration.bucket_counts.iter().sum::<u64>(), 1);
    assert_eq!(duration.resource["service.name"], "gateway");
    assert!(
        metrics
            .iter()
            .any(|m| m.name == "baton.test.requests" && m.unit == "{request}")
    );
    assert!(
        rx.paths()
            .iter()
            .all(|p| p == "/otlp/v1/traces" || p == "/otlp/v1/metrics")
    );
}

#[test]
fn otlp_http_per_signal_endpoints_are_used_as_is() {
    let rx = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        (
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            &format!("{}/custom/spans", rx.http_url()),
        ),
        (
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            &format!("{}/custom/metrics", rx.http_url()),
        ),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-signal=traces"),
        ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-signal=metrics"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("baton-test"));
    emit_metrics(guard.meter_provider());
    guard.shutdown().unwrap();
    assert_eq!(rx.wait_for_spans_at("/custom/spans", 2).len(), 2);
    rx.wait_for_metric_at("/custom/metrics", "baton.test.requests");
    assert_eq!(
        rx.exports_to("/custom/spans")[0].headers()["x-signal"],
        "traces"
    );
    assert_eq!(
        rx.exports_to("/custom/metrics")[0].headers()["x-signal"],
        "metrics"
    );
}

#[test]
fn otlp_http_gzip_compression() {
    let rx = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.http_url()),
        ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip"),
        ("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "gzip"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("baton-test"));
    emit_metrics(guard.meter_provider());
    guard.shutdown().unwrap();
    // The receiver gunzips bodies sent with `content-encoding: gzip` before decoding.
    assert_eq!(rx.wait_for_spans_at("/v1/traces", 2).len(), 2);
    rx.wait_for_metric_at("/v1/metrics", "http.server.request.duration");
    assert_eq!(
        rx.exports_to("/v1/traces")[0].headers()["content-encoding"],
        "gzip"
    );
    assert_eq!(
        rx.exports_to("/v1/metrics")[0].headers()["content-encoding"],
        "gzip"
    );
}

#[test]
fn otlp_mixed_protocols_per_signal() {
    let grpc = Receiver::start();
    let http = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &grpc.grpc_url()),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"),
        (
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            &format!("{}/v1/metrics", http.http_url()),
        ),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("baton-test"));
    emit_metrics(guard.meter_provider());
    guard.shutdown().unwrap();
    assert_eq!(grpc.wait_for_spans(2).len(), 2);
    http.wait_for_metric_at("/v1/metrics", "http.server.request.duration");
    assert!(http.exports_to("/v1/traces").is_empty());
    assert!(grpc.metrics().is_empty());
}
