//! `OTEL_METRICS_EXPORTER`, `OTEL_METRIC_EXPORT_INTERVAL` and `OTEL_METRIC_EXPORT_TIMEOUT`.

mod common;

use std::time::{Duration, Instant};

use baton_sdk::Builder;
use baton_sdk::exporter::ConsoleMetricExporter;
use baton_test_support::loopback::Blackhole;
use baton_test_support::otlp::Receiver;
use common::capture::SharedBuf;
use common::{emit_metrics, emit_trace, env};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};

fn grpc(rx: &Receiver) -> Vec<(&'static str, String)> {
    vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", rx.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".into()),
    ]
}

#[test]
fn env_metric_export_interval() {
    let rx = Receiver::start();
    let mut vars = grpc(&rx);
    vars.push(("OTEL_METRIC_EXPORT_INTERVAL", "100".into()));
    let guard = Builder::from_env_map(vars)
        .install_global(false)
        .build()
        .unwrap();
    emit_metrics(guard.meter_provider());
    // Exported by the 100 ms timer, without a flush (the default interval is 60 s).
    rx.wait_for_metric("baton.test.requests");
    drop(guard);
}

#[test]
fn env_metric_export_timeout() {
    let hole = Blackhole::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_METRICS_EXPORTER", "otlp"),
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &hole.url()),
        ("OTEL_METRIC_EXPORT_TIMEOUT", "300"),
    ]))
    .shutdown_deadline(Duration::from_secs(20))
    .install_global(false)
    .build()
    .unwrap();
    emit_metrics(guard.meter_provider());
    let start = Instant::now();
    let err = guard.shutdown().unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(err.traces(), None);
    assert!(
        err.metrics()
            .unwrap()
            .starts_with("the last export failed (no answer within 300ms)"),
        "{err}"
    );
}

#[test]
fn env_metrics_exporter_none_and_disabled_metrics() {
    for (none, enabled) in [(true, true), (false, false)] {
        let rx = Receiver::start();
        let mut vars = grpc(&rx);
        if none {
            vars.push(("OTEL_METRICS_EXPORTER", "none".into()));
        }
        let guard = Builder::from_env_map(vars)
            .metrics(enabled)
            .install_global(false)
            .build()
            .unwrap();
        emit_trace(&guard.tracer("t"));
        emit_metrics(guard.meter_provider());
        guard.shutdown().unwrap();
        assert_eq!(rx.wait_for_spans(2).len(), 2);
        assert!(rx.metrics().is_empty());
    }
}

#[test]
fn env_traces_exporter_none_sends_no_spans() {
    let rx = Receiver::start();
    let mut vars = grpc(&rx);
    vars.push(("OTEL_TRACES_EXPORTER", "none".into()));
    let guard = Builder::from_env_map(vars)
        .install_global(false)
        .build()
        .unwrap();
    emit_trace(&guard.tracer("t"));
    emit_metrics(guard.meter_provider());
    guard.shutdown().unwrap();
    rx.wait_for_metric("baton.test.requests");
    assert!(rx.spans().is_empty());
}

#[test]
fn env_traces_exporter_list_sends_to_each() {
    let otlp = Receiver::start();
    let zipkin = baton_test_support::zipkin::ZipkinReceiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_TRACES_EXPORTER", "otlp, zipkin"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", &zipkin.spans_url()),
    ]))
    .metrics(false)
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("t"));
    guard.shutdown().unwrap();
    assert_eq!(otlp.wait_for_spans(2).len(), 2);
    assert_eq!(zipkin.wait_for_spans(2).len(), 2);
}

#[test]
fn env_console_metric_exporter_prints_a_summary() {
    let out = SharedBuf::default();
    let provider = SdkMeterProvider::builder()
        .with_resource(
            opentelemetry_sdk::Resource::builder_empty()
                .with_service_name("users")
                .build(),
        )
        .with_reader(PeriodicReader::builder(ConsoleMetricExporter::new(out.clone())).build())
        .build();
    emit_metrics(&provider);
    provider.shutdown().unwrap();
    assert_eq!(
        out.text(),
        "metrics · users\n  \
         http.server.request.duration [s] histogram {http.request.method=GET} count=1 sum=0.02 min=0.02 max=0.02\n  \
         baton.test.requests [{request}] sum {} value=3\n"
    );
}
