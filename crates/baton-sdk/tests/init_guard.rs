//! The guard: dropping it flushes within its deadline even when the collector is gone or
//! hangs, `shutdown` reports what was lost, and a dead collector never slows span creation.
//! Times are measured with `Instant` against generous upper bounds, never exact values.

mod common;

use std::time::{Duration, Instant};

use baton_sdk::Builder;
use baton_test_support::loopback::{Blackhole, refused};
use baton_test_support::otlp::Receiver;
use common::{emit_metrics, emit_trace, env};
use opentelemetry::trace::{Span, Tracer};

const GENEROUS: Duration = Duration::from_secs(10);

#[test]
fn init_guard_drop_flushes_to_a_live_collector() {
    let rx = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("t"));
    emit_metrics(guard.meter_provider());
    // Nothing is exported before the 5 s batch delay... except by the drop.
    drop(guard);
    assert_eq!(rx.spans().len(), 2);
    assert!(rx.metrics().iter().any(|m| m.name == "baton.test.requests"));
}

#[test]
fn init_guard_drop_is_bounded_when_the_collector_is_gone() {
    for protocol in ["grpc", "http/protobuf"] {
        let addr = refused();
        let guard = Builder::from_env_map(env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &format!("http://{addr}")),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
        ]))
        .install_global(false)
        .build()
        .unwrap();
        emit_trace(&guard.tracer("t"));
        emit_metrics(guard.meter_provider());
        let start = Instant::now();
        drop(guard);
        assert!(
            start.elapsed() < GENEROUS,
            "{protocol}: drop took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn init_guard_shutdown_reports_a_refused_collector() {
    let addr = refused();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &format!("http://{addr}")),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    emit_trace(&guard.tracer("t"));
    emit_metrics(guard.meter_provider());
    let err = guard.shutdown().unwrap_err();
    let traces = err.traces().expect("the trace export failed");
    assert!(traces.starts_with("the last export failed ("), "{traces}");
    assert!(
        traces.ends_with("1 failed export since start, their data is lost"),
        "{traces}"
    );
    assert!(err.metrics().is_some(), "{err}");
    assert!(err.to_string().starts_with("telemetry was lost: traces: "));
}

#[test]
fn init_guard_deadline_bounds_a_hanging_collector() {
    for protocol in ["grpc", "http/protobuf"] {
        let hole = Blackhole::start();
        let guard = Builder::from_env_map(env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &hole.url()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
        ]))
        .shutdown_deadline(Duration::from_millis(500))
        .install_global(false)
        .build()
        .unwrap();
        emit_trace(&guard.tracer("t"));
        emit_metrics(guard.meter_provider());
        let start = Instant::now();
        let err = guard.shutdown().unwrap_err();
        let took = start.elapsed();
        // The OTLP timeout is 10 s; the 0.5 s deadline must win, to within scheduling.
        assert!(
            took < Duration::from_millis(550),
            "{protocol}: shutdown took {took:?}"
        );
        eprintln!("{protocol}: shutdown in {took:?}: {err}");
        let traces = err.traces().unwrap_or_default();
        assert!(
            traces.starts_with(
                "not finished within the shutdown deadline of 500ms; what was not exported is lost"
            ),
            "{protocol}: {err}"
        );
        assert!(err.metrics().is_some(), "{protocol}: {err}");
        assert!(
            hole.connections() > 0,
            "{protocol}: the exporter never connected"
        );
    }
}

#[test]
fn init_spans_do_not_wait_for_a_dead_collector() {
    let hole = Blackhole::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &hole.url()),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "64"),
        ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "16"),
        ("OTEL_BSP_SCHEDULE_DELAY", "10"),
    ]))
    .shutdown_deadline(Duration::from_millis(200))
    .install_global(false)
    .build()
    .unwrap();
    let tracer = guard.tracer("t");
    let start = Instant::now();
    for _ in 0..20_000 {
        tracer.start("request").end();
    }
    let took = start.elapsed();
    // Creating and ending 20 000 spans takes milliseconds; blocking on a hung collector
    // would take at least the 10 s export timeout.
    assert!(took < Duration::from_secs(5), "20 000 spans took {took:?}");
    drop(guard);
}

/// Log records behind a hanging collector queue up to `OTEL_BLRP_MAX_QUEUE_SIZE`; the rest
/// are dropped at once, counted, and reported by shutdown with the variable to raise.
#[cfg(feature = "logs")]
#[test]
fn log_records_beyond_a_full_queue_are_dropped_and_reported() {
    use tracing_subscriber::layer::SubscriberExt;
    let hole = Blackhole::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &hole.url()),
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_BLRP_MAX_QUEUE_SIZE", "8"),
        ("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "8"),
    ]))
    .log_writer(std::io::sink())
    .shutdown_deadline(Duration::from_millis(500))
    .install_global(false)
    .build()
    .unwrap();
    let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    tracing::subscriber::with_default(subscriber, || {
        for i in 0..50 {
            tracing::info!(i, "record");
        }
    });
    let queue = guard.log_queues()[0].clone();
    assert!(queue.dropped_queue_full() >= 50 - 2 * 8, "{queue:?}");
    let err = guard.shutdown().unwrap_err();
    let logs = err.logs().expect("logs were lost");
    assert!(
        logs.contains(
            " log records dropped because the export queue was full \
             (OTEL_BLRP_MAX_QUEUE_SIZE=8): the exporter did not keep up"
        ),
        "{logs}"
    );
    assert_eq!(err.traces(), None, "{err}");
}
