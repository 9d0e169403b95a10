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

/// Adds 3 and then 2 to a counter, an up-down counter and a histogram (one measurement
/// each time), flushing after each, with `preference` set; returns, per instrument, the
/// temporality and the values each of the two exports carried (for the histogram, its
/// count).
fn two_intervals(preference: &str) -> Vec<(&'static str, i32, Vec<f64>)> {
    use baton_test_support::otlp::Metric;
    let rx = Receiver::start();
    let mut vars = grpc(&rx);
    vars.push((
        "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
        preference.into(),
    ));
    // Only the flushes export.
    vars.push(("OTEL_METRIC_EXPORT_INTERVAL", "600000".into()));
    let guard = Builder::from_env_map(vars)
        .install_global(false)
        .build()
        .unwrap();
    let meter = opentelemetry::metrics::MeterProvider::meter(guard.meter_provider(), "t");
    let counter = meter.u64_counter("t.counter").build();
    let updown = meter.i64_up_down_counter("t.updown").build();
    let histogram = meter.f64_histogram("t.histogram").build();
    for n in [3, 2] {
        counter.add(n, &[]);
        updown.add(n as i64, &[]);
        histogram.record(n as f64, &[]);
        guard.meter_provider().force_flush().unwrap();
    }
    // The two flushes' exports (the receiver has stored each before answering it); the
    // shutdown's own export would repeat cumulative values.
    let metrics = rx.metrics();
    guard.shutdown().unwrap();
    let of = |name: &str| -> Vec<&Metric> { metrics.iter().filter(|m| m.name == name).collect() };
    let series = |name: &'static str| {
        let exports = of(name);
        let temporality = exports[0].temporality;
        assert!(exports.iter().all(|m| m.temporality == temporality));
        (
            name,
            temporality,
            exports.iter().flat_map(|m| m.sum_values.clone()).collect(),
        )
    };
    let histogram = of("t.histogram");
    let counts: Vec<f64> = histogram
        .iter()
        .map(|m| m.bucket_counts.iter().sum::<u64>() as f64)
        .collect();
    vec![
        series("t.counter"),
        series("t.updown"),
        ("t.histogram", histogram[0].temporality, counts),
    ]
}

#[test]
fn env_metrics_temporality_preference_reaches_the_receiver() {
    use baton_test_support::otlp::{CUMULATIVE, DELTA};
    // Cumulative (the default): sums keep growing.
    assert_eq!(
        two_intervals("cumulative"),
        [
            ("t.counter", CUMULATIVE, vec![3.0, 5.0]),
            ("t.updown", CUMULATIVE, vec![3.0, 5.0]),
            ("t.histogram", CUMULATIVE, vec![1.0, 2.0]),
        ]
    );
    // Delta: each interval starts again from zero.
    assert_eq!(
        two_intervals("delta"),
        [
            ("t.counter", DELTA, vec![3.0, 2.0]),
            // The spec's delta preference keeps up-down counters cumulative.
            ("t.updown", CUMULATIVE, vec![3.0, 5.0]),
            ("t.histogram", DELTA, vec![1.0, 1.0]),
        ]
    );
    // Low memory: delta for counters and histograms, cumulative for up-down counters.
    assert_eq!(
        two_intervals("LowMemory"),
        [
            ("t.counter", DELTA, vec![3.0, 2.0]),
            ("t.updown", CUMULATIVE, vec![3.0, 5.0]),
            ("t.histogram", DELTA, vec![1.0, 1.0]),
        ]
    );
}

#[test]
fn env_metrics_temporality_preference_is_validated() {
    let err = Builder::from_env_map(env(&[
        ("OTEL_METRICS_EXPORTER", "otlp"),
        ("OTEL_TRACES_EXPORTER", "none"),
        (
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
            "weekly",
        ),
    ]))
    .install_global(false)
    .build()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="weekly": unknown temporality preference; expected cumulative, delta or lowmemory"#
    );
}
