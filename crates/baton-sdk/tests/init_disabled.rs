//! `OTEL_SDK_DISABLED`: `true` (any case) gives providers that record and export nothing,
//! while propagation keeps working; other values warn and leave the SDK on.

mod common;

use baton_sdk::Builder;
use baton_test_support::otlp::Receiver;
use common::{emit_metrics, emit_trace, env};
use opentelemetry::trace::{Span, Tracer};

#[test]
fn init_sdk_disabled_records_and_exports_nothing() {
    for value in ["true", "TRUE", "True"] {
        let rx = Receiver::start();
        let guard = Builder::from_env_map(env(&[
            ("OTEL_SDK_DISABLED", value),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.grpc_url()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            // Not read when disabled, so not refused either.
            ("OTEL_TRACES_SAMPLER", "bogus"),
        ]))
        .install_global(false)
        .build()
        .unwrap();
        assert!(guard.is_disabled());
        let span = guard.tracer("t").start("s");
        assert!(!span.is_recording());
        assert!(!span.span_context().is_sampled());
        emit_trace(&guard.tracer("t"));
        emit_metrics(guard.meter_provider());
        guard.shutdown().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(rx.spans().is_empty());
        assert!(rx.metrics().is_empty());
    }
}

#[test]
fn init_sdk_disabled_false_or_other_values_leave_it_on() {
    let guard = Builder::from_env_map(env(&[
        ("OTEL_SDK_DISABLED", "false"),
        ("OTEL_TRACES_EXPORTER", "none"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    assert!(!guard.is_disabled());
    assert!(guard.warnings().is_empty());
    assert!(guard.tracer("t").start("s").is_recording());

    let guard = Builder::from_env_map(env(&[
        ("OTEL_SDK_DISABLED", "yes"),
        ("OTEL_TRACES_EXPORTER", "none"),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    assert!(!guard.is_disabled());
    assert_eq!(
        guard.warnings(),
        [r#"OTEL_SDK_DISABLED="yes" is neither true nor false; using false"#]
    );
}
