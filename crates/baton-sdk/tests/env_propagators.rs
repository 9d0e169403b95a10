//! `OTEL_PROPAGATORS`: the propagator the guard (and, when installed, the global slot)
//! carries, including with the SDK disabled, and the builder's override.

mod common;

use std::collections::HashMap;

use baton_sdk::Builder;
use common::env;
use opentelemetry::Context;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};

fn injected(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    let mut pairs = pairs.to_vec();
    pairs.push(("OTEL_TRACES_EXPORTER", "none"));
    let guard = Builder::from_env_map(env(&pairs))
        .install_global(false)
        .build()
        .unwrap();
    inject(guard.propagator())
}

fn inject(propagator: &dyn TextMapPropagator) -> HashMap<String, String> {
    let cx = Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    ));
    let mut carrier = HashMap::new();
    propagator.inject_context(&cx, &mut carrier);
    carrier
}

#[test]
fn env_propagators_default_is_tracecontext_and_baggage() {
    let headers = injected(&[]);
    assert_eq!(
        headers["traceparent"],
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
    assert!(!headers.contains_key("b3"));
}

#[test]
fn env_propagators_b3_and_jaeger() {
    let headers = injected(&[("OTEL_PROPAGATORS", "b3,jaeger")]);
    assert_eq!(
        headers["b3"],
        "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"
    );
    assert_eq!(
        headers["uber-trace-id"],
        "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1"
    );
    assert!(!headers.contains_key("traceparent"));
}

#[test]
fn env_propagators_none() {
    assert!(injected(&[("OTEL_PROPAGATORS", "none")]).is_empty());
}

#[test]
fn env_propagators_apply_even_with_the_sdk_disabled() {
    let headers = injected(&[
        ("OTEL_SDK_DISABLED", "true"),
        ("OTEL_PROPAGATORS", "b3multi"),
    ]);
    assert_eq!(headers["x-b3-traceid"], "4bf92f3577b34da6a3ce929d0e0e4736");
}

#[test]
fn env_propagators_builder_override_wins() {
    let guard = Builder::from_env_map(env(&[
        ("OTEL_PROPAGATORS", "not-a-propagator"),
        ("OTEL_TRACES_EXPORTER", "none"),
    ]))
    .propagator(baton_core::propagation::B3Propagator::with_encoding(
        baton_core::propagation::B3Encoding::Single,
    ))
    .install_global(false)
    .build()
    .unwrap();
    assert!(inject(guard.propagator()).contains_key("b3"));
}
