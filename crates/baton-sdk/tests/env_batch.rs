//! `OTEL_BSP_*`: batch size, schedule delay, the bounded queue (spans beyond it are
//! dropped, not waited for) and the export timeout.

mod common;

use std::time::{Duration, Instant};

use baton_sdk::Builder;
use baton_test_support::loopback::Blackhole;
use baton_test_support::wait::wait_for;
use common::capture::{Capture, Gate};
use common::env;
use opentelemetry::trace::{Span, Tracer};

#[test]
fn env_bsp_max_export_batch_size() {
    let capture = Capture::default();
    let guard = Builder::from_env_map(env(&[("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "3")]))
        .span_exporter(capture.clone())
        .install_global(false)
        .build()
        .unwrap();
    let tracer = guard.tracer("t");
    for _ in 0..10 {
        tracer.start("s").end();
    }
    guard.shutdown().unwrap();
    let sizes = capture.batch_sizes();
    assert_eq!(sizes.iter().sum::<usize>(), 10);
    assert!(sizes.iter().all(|&n| n <= 3), "{sizes:?}");
}

#[test]
fn env_bsp_schedule_delay() {
    let capture = Capture::default();
    let guard = Builder::from_env_map(env(&[("OTEL_BSP_SCHEDULE_DELAY", "50")]))
        .span_exporter(capture.clone())
        .install_global(false)
        .build()
        .unwrap();
    guard.tracer("t").start("s").end();
    // Exported by the timer, without any flush (the default delay is 5 s).
    wait_for("a timed export", Duration::from_secs(4), || {
        (!capture.spans().is_empty()).then_some(())
    });
    drop(guard);
}

#[test]
fn env_bsp_max_queue_size_drops_instead_of_waiting() {
    let gate = Gate::default();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_BSP_MAX_QUEUE_SIZE", "4"),
        ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4"),
        ("OTEL_BSP_SCHEDULE_DELAY", "10"),
    ]))
    .span_exporter(gate.clone())
    .install_global(false)
    .build()
    .unwrap();
    let tracer = guard.tracer("t");
    tracer.start("first").end();
    gate.wait_entered();
    // The exporter is stuck: four spans fit in the queue, the rest are dropped at once.
    let start = Instant::now();
    for _ in 0..1000 {
        tracer.start("s").end();
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(guard.dropped_spans(), 996);
    gate.open();
    let err = guard.shutdown().unwrap_err();
    assert_eq!(gate.spans(), 1 + 4);
    assert_eq!(
        err.traces(),
        Some(
            "996 spans dropped because the export queue was full (OTEL_BSP_MAX_QUEUE_SIZE=4): \
             the exporter did not keep up"
        )
    );
}

#[test]
fn env_bsp_batch_larger_than_queue_is_lowered_with_a_warning() {
    let capture = Capture::default();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_BSP_MAX_QUEUE_SIZE", "2"),
        ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "100"),
    ]))
    .span_exporter(capture.clone())
    .install_global(false)
    .build()
    .unwrap();
    assert_eq!(
        guard.warnings(),
        ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE=100 is larger than OTEL_BSP_MAX_QUEUE_SIZE=2; using 2"]
    );
    let tracer = guard.tracer("t");
    tracer.start("a").end();
    tracer.start("b").end();
    guard.shutdown().unwrap();
    assert!(capture.batch_sizes().iter().all(|&n| n <= 2));
}

#[test]
fn env_bsp_export_timeout_abandons_a_hanging_export() {
    let hole = Blackhole::start();
    let guard = Builder::from_env_map(env(&[
        (
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            &format!("{}/v1/traces", hole.url()),
        ),
        ("OTEL_BSP_EXPORT_TIMEOUT", "300"),
    ]))
    .shutdown_deadline(Duration::from_secs(20))
    .install_global(false)
    .build()
    .unwrap();
    guard.tracer("t").start("s").end();
    let start = Instant::now();
    let err = guard.shutdown().unwrap_err();
    // The OTLP timeout (10 s) and the deadline (20 s) are longer: the 300 ms export
    // timeout is what ended the export.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        err.traces(),
        Some(
            "the last export failed (no answer within 300ms); 1 failed export since start, their data is lost"
        )
    );
}

#[test]
fn env_otlp_timeout_limits_each_export() {
    let hole = Blackhole::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &hole.url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "300"),
    ]))
    .metrics(false)
    .shutdown_deadline(Duration::from_secs(20))
    .install_global(false)
    .build()
    .unwrap();
    guard.tracer("t").start("s").end();
    let start = Instant::now();
    let err = guard.shutdown().unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(
        err.traces().unwrap().starts_with("the last export failed"),
        "{err}"
    );
}
