//! `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`: each standard sampler, observed on
//! real spans (roots and children of remote parents), and the ignored-argument warnings.

mod common;

use baton_sdk::{Builder, Guard};
use common::env;
use opentelemetry::Context;
use opentelemetry::trace::{
    Span, SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer,
};

fn guard(pairs: &[(&str, &str)]) -> Guard {
    let mut pairs = pairs.to_vec();
    pairs.push(("OTEL_TRACES_EXPORTER", "none"));
    Builder::from_env_map(env(&pairs))
        .install_global(false)
        .build()
        .unwrap()
}

/// How many of `n` new root spans are sampled.
fn sampled_roots(g: &Guard, n: usize) -> usize {
    let tracer = g.tracer("t");
    (0..n)
        .filter(|_| tracer.start("root").span_context().is_sampled())
        .count()
}

/// Whether a child of a remote parent with the given sampled flag is sampled.
fn child_sampled(g: &Guard, parent_sampled: bool) -> bool {
    let flags = if parent_sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::default()
    };
    let parent = SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        flags,
        true,
        TraceState::default(),
    );
    let cx = Context::new().with_remote_span_context(parent);
    g.tracer("t")
        .start_with_context("child", &cx)
        .span_context()
        .is_sampled()
}

#[test]
fn env_sampler_default_is_parentbased_always_on() {
    let g = guard(&[]);
    assert_eq!(sampled_roots(&g, 50), 50);
    assert!(child_sampled(&g, true));
    assert!(!child_sampled(&g, false));
}

#[test]
fn env_sampler_always_on_and_off() {
    let on = guard(&[("OTEL_TRACES_SAMPLER", "always_on")]);
    assert_eq!(sampled_roots(&on, 50), 50);
    assert!(child_sampled(&on, false), "always_on ignores the parent");
    let off = guard(&[("OTEL_TRACES_SAMPLER", "ALWAYS_OFF")]);
    assert_eq!(sampled_roots(&off, 50), 0);
    assert!(!child_sampled(&off, true), "always_off ignores the parent");
}

#[test]
fn env_sampler_traceidratio() {
    let none = guard(&[
        ("OTEL_TRACES_SAMPLER", "traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0"),
    ]);
    assert_eq!(sampled_roots(&none, 200), 0);
    let all = guard(&[
        ("OTEL_TRACES_SAMPLER", "traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "1"),
    ]);
    assert_eq!(sampled_roots(&all, 200), 200);
    let unset = guard(&[("OTEL_TRACES_SAMPLER", "traceidratio")]);
    assert_eq!(sampled_roots(&unset, 200), 200, "the ratio defaults to 1.0");
    let half = guard(&[
        ("OTEL_TRACES_SAMPLER", "traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
    ]);
    let n = sampled_roots(&half, 4000);
    assert!((1600..=2400).contains(&n), "{n} of 4000 sampled at 0.5");
    // Not parent-based: an unsampled parent does not stop a ratio of 1.
    assert!(child_sampled(&all, false));
}

#[test]
fn env_sampler_parentbased_variants() {
    let off = guard(&[("OTEL_TRACES_SAMPLER", "parentbased_always_off")]);
    assert_eq!(sampled_roots(&off, 50), 0);
    assert!(child_sampled(&off, true));
    let on = guard(&[("OTEL_TRACES_SAMPLER", "parentbased_always_on")]);
    assert_eq!(sampled_roots(&on, 50), 50);
    assert!(!child_sampled(&on, false));
    let ratio = guard(&[
        ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.0"),
    ]);
    assert_eq!(sampled_roots(&ratio, 200), 0);
    assert!(
        child_sampled(&ratio, true),
        "the sampled parent wins over the ratio"
    );
}

#[test]
fn env_sampler_arg_ignored_with_a_warning() {
    let g = guard(&[
        ("OTEL_TRACES_SAMPLER", "always_off"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
    ]);
    assert_eq!(sampled_roots(&g, 10), 0);
    assert_eq!(
        g.warnings(),
        [r#"OTEL_TRACES_SAMPLER_ARG="0.5" is ignored: always_off takes no argument"#]
    );
    let g = guard(&[("OTEL_TRACES_SAMPLER_ARG", "0")]);
    assert_eq!(sampled_roots(&g, 10), 10);
    assert_eq!(
        g.warnings(),
        [
            r#"OTEL_TRACES_SAMPLER_ARG="0" is ignored because OTEL_TRACES_SAMPLER is not set; using parentbased_always_on"#
        ]
    );
}

#[test]
fn env_sampler_builder_override_wins() {
    let g = Builder::from_env_map(env(&[
        ("OTEL_TRACES_SAMPLER", "always_on"),
        ("OTEL_TRACES_EXPORTER", "none"),
    ]))
    .sampler(opentelemetry_sdk::trace::Sampler::AlwaysOff)
    .install_global(false)
    .build()
    .unwrap();
    assert_eq!(sampled_roots(&g, 10), 0);
}
