//! Zipkin v2 JSON export, checked against a receiver on 127.0.0.1 that decodes the body
//! with serde_json: ids, parent links, kinds, microsecond times, service name, tags and
//! the error tag.

mod common;

use baton_sdk::Builder;
use baton_sdk::exporter::ZipkinExporter;
use baton_test_support::zipkin::ZipkinReceiver;
use common::{emit_trace, env};
use opentelemetry::KeyValue;
use opentelemetry::trace::{Span, Status, Tracer, TracerProvider};
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::time::{SystemTime, UNIX_EPOCH};

fn hex_len(v: &serde_json::Value) -> usize {
    let s = v.as_str().expect("a string id");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{s}"
    );
    s.len()
}

#[test]
fn zipkin_from_env_posts_v2_json() {
    let rx = ZipkinReceiver::start();
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64;
    let guard = Builder::from_env_map(env(&[
        ("OTEL_TRACES_EXPORTER", "zipkin"),
        ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", &rx.spans_url()),
        ("OTEL_SERVICE_NAME", "users"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("baton-test"));
    let tracer = guard.tracer("baton-test");
    let mut failed = tracer.start("charge card");
    failed.set_attribute(KeyValue::new("retries", 2));
    failed.set_status(Status::error("card declined"));
    failed.end();
    guard.shutdown().unwrap();

    let spans = rx.wait_for_spans(3);
    let request = &rx.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.headers["content-type"], "application/json");

    let by_name = |name: &str| spans.iter().find(|s| s["name"] == name).unwrap().clone();
    let server = by_name("GET /users/{id}");
    let client = by_name("SELECT users");
    let internal = by_name("charge card");
    assert_eq!(hex_len(&server["traceId"]), 32);
    assert_eq!(hex_len(&server["id"]), 16);
    assert_eq!(server["kind"], "SERVER");
    assert_eq!(client["kind"], "CLIENT");
    assert!(
        internal.get("kind").is_none(),
        "internal spans have no kind"
    );
    assert!(server.get("parentId").is_none());
    assert_eq!(client["parentId"], server["id"]);
    assert_eq!(client["traceId"], server["traceId"]);
    assert_eq!(server["localEndpoint"]["serviceName"], "users");
    assert_eq!(client["remoteEndpoint"]["serviceName"], "db");
    let timestamp = server["timestamp"].as_u64().unwrap();
    assert!(
        timestamp >= before && timestamp < before + 60_000_000,
        "µs since epoch"
    );
    assert!(server["duration"].as_u64().unwrap() >= 1);
    assert_eq!(server["tags"]["http.request.method"], "GET");
    assert_eq!(server["tags"]["http.response.status_code"], "200");
    assert_eq!(server["tags"]["otel.scope.name"], "baton-test");
    assert!(server["tags"].get("error").is_none());
    assert_eq!(internal["tags"]["error"], "card declined");
    assert_eq!(internal["tags"]["otel.status_code"], "ERROR");
    assert_eq!(internal["tags"]["retries"], "2");
}

#[test]
fn zipkin_exporter_used_directly() {
    let rx = ZipkinReceiver::start();
    let exporter = ZipkinExporter::builder()
        .endpoint(rx.spans_url())
        .build()
        .unwrap();
    let provider = SdkTracerProvider::builder()
        .with_resource(
            opentelemetry_sdk::Resource::builder_empty()
                .with_service_name("db")
                .build(),
        )
        .with_batch_exporter(exporter)
        .build();
    provider.tracer("t").in_span("query", |_| {});
    provider.shutdown().unwrap();
    let spans = rx.wait_for_spans(1);
    assert_eq!(spans[0]["localEndpoint"]["serviceName"], "db");
    assert_eq!(spans[0]["name"], "query");
}

#[test]
fn zipkin_export_to_a_refused_endpoint_reports_the_failure() {
    let addr = baton_test_support::loopback::refused();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_TRACES_EXPORTER", "zipkin"),
        (
            "OTEL_EXPORTER_ZIPKIN_ENDPOINT",
            &format!("http://{addr}/api/v2/spans"),
        ),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("t"));
    let err = guard.shutdown().unwrap_err();
    assert!(
        err.traces().unwrap().contains("zipkin export failed"),
        "{err}"
    );
    assert_eq!(err.metrics(), None);
}

#[test]
fn zipkin_timeout_from_env_limits_a_hanging_collector() {
    let hole = baton_test_support::loopback::Blackhole::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_TRACES_EXPORTER", "zipkin"),
        (
            "OTEL_EXPORTER_ZIPKIN_ENDPOINT",
            &format!("{}/api/v2/spans", hole.url()),
        ),
        ("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "300"),
    ]))
    .shutdown_deadline(std::time::Duration::from_secs(20))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("t"));
    let start = std::time::Instant::now();
    let err = guard.shutdown().unwrap_err();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(
        err.traces().unwrap().contains("zipkin export failed"),
        "{err}"
    );
}
