//! Wall-clock cost of reading and writing each header format, with baton's propagators and,
//! for W3C Trace Context and Baggage, the OpenTelemetry SDK's measured in the same run.
//!
//! Every case goes through the same [`http::HeaderMap`] and the same carriers
//! ([`HeaderExtractor`], [`HeaderInjector`]), so the difference is the propagator alone.
//! Groups are named `extract/<format>` and `inject/<format>`; within a group, `baton` and
//! `sdk` are the two implementations.
//!
//! ```text
//! cargo bench -p baton-core --bench propagation
//! cargo bench -p baton-core --bench propagation -- --warm-up-time 1 --measurement-time 2
//! ```

mod common;

use std::hint::black_box;

use baton_core::propagation::{
    B3Encoding, B3Propagator, BaggagePropagator, CompositePropagator, HeaderExtractor,
    HeaderInjector, JaegerPropagator, TraceContextPropagator, XRayPropagator,
};
use criterion::{Criterion, criterion_group, criterion_main};
use http::HeaderMap;
use opentelemetry::Context;
use opentelemetry::baggage::BaggageExt;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation as sdk;

/// One format: the headers to read, the context to write, and the propagators to compare.
struct Format<'a> {
    name: &'static str,
    headers: HeaderMap,
    cx: Context,
    /// `(label, propagator)`; the first is baton's.
    propagators: Vec<(&'static str, &'a dyn TextMapPropagator)>,
    /// Whether extraction yields a span context (false for baggage alone).
    has_span: bool,
}

/// Every propagator measured, built once.
struct Propagators {
    tc: TraceContextPropagator,
    sdk_tc: sdk::TraceContextPropagator,
    bg: BaggagePropagator,
    sdk_bg: sdk::BaggagePropagator,
    b3: B3Propagator,
    b3_multi: B3Propagator,
    jaeger: JaegerPropagator,
    xray: XRayPropagator,
    composite: CompositePropagator,
    sdk_composite: TextMapCompositePropagator,
}

impl Propagators {
    fn new() -> Self {
        Propagators {
            tc: TraceContextPropagator::new(),
            sdk_tc: sdk::TraceContextPropagator::new(),
            bg: BaggagePropagator::new(),
            sdk_bg: sdk::BaggagePropagator::new(),
            b3: B3Propagator::with_encoding(B3Encoding::Single),
            b3_multi: B3Propagator::with_encoding(B3Encoding::Multi),
            jaeger: JaegerPropagator::new(),
            xray: XRayPropagator::new(),
            composite: CompositePropagator::default(),
            sdk_composite: TextMapCompositePropagator::new(vec![
                Box::new(sdk::TraceContextPropagator::new()),
                Box::new(sdk::BaggagePropagator::new()),
            ]),
        }
    }
}

fn formats(p: &Propagators) -> Vec<Format<'_>> {
    let Propagators {
        tc,
        sdk_tc,
        bg,
        sdk_bg,
        b3,
        b3_multi,
        jaeger,
        xray,
        composite,
        sdk_composite,
    } = p;
    vec![
        Format {
            name: "traceparent",
            headers: common::traceparent_headers(),
            cx: common::span_cx(),
            propagators: vec![("baton", tc), ("sdk", sdk_tc)],
            has_span: true,
        },
        Format {
            name: "traceparent+tracestate",
            headers: common::tracestate_headers(),
            cx: common::tracestate_cx(),
            propagators: vec![("baton", tc), ("sdk", sdk_tc)],
            has_span: true,
        },
        Format {
            name: "baggage",
            headers: common::baggage_headers(),
            cx: common::baggage_cx(),
            propagators: vec![("baton", bg), ("sdk", sdk_bg)],
            has_span: false,
        },
        Format {
            name: "b3_single",
            headers: common::b3_single_headers(),
            cx: common::span_cx(),
            propagators: vec![("baton", b3)],
            has_span: true,
        },
        Format {
            name: "b3_multi",
            headers: common::b3_multi_headers(),
            cx: common::span_cx(),
            propagators: vec![("baton", b3_multi)],
            has_span: true,
        },
        Format {
            name: "jaeger",
            headers: common::jaeger_headers(),
            cx: common::span_cx(),
            propagators: vec![("baton", jaeger)],
            has_span: true,
        },
        Format {
            name: "xray",
            headers: common::xray_headers(),
            cx: common::span_cx(),
            propagators: vec![("baton", xray)],
            has_span: true,
        },
        Format {
            name: "composite_default",
            headers: common::composite_headers(),
            cx: common::composite_cx(),
            propagators: vec![("baton", composite), ("sdk", sdk_composite)],
            has_span: true,
        },
    ]
}

/// Fails loudly if a fixture does not extract to what it should, so that no case silently
/// measures the rejection path.
fn check(format: &Format<'_>, label: &str, propagator: &dyn TextMapPropagator) {
    let cx = propagator.extract_with_context(&Context::new(), &HeaderExtractor(&format.headers));
    let what = format!("{label} extracting {}", format.name);
    assert_eq!(
        cx.span().span_context().is_valid(),
        format.has_span,
        "{what}: span context"
    );
    if format.headers.contains_key("baggage") {
        assert_eq!(cx.baggage().len(), 5, "{what}: baggage");
    }
    let mut out = HeaderMap::new();
    propagator.inject_context(&format.cx, &mut HeaderInjector(&mut out));
    assert!(
        !out.is_empty(),
        "{label} injecting {}: wrote nothing",
        format.name
    );
}

fn propagation(c: &mut Criterion) {
    let propagators = Propagators::new();
    let formats = formats(&propagators);

    let parent = Context::new();
    for format in &formats {
        let mut group = c.benchmark_group(format!("extract/{}", format.name));
        for &(label, propagator) in &format.propagators {
            check(format, label, propagator);
            group.bench_function(label, |b| {
                b.iter(|| {
                    propagator.extract_with_context(
                        black_box(&parent),
                        &HeaderExtractor(black_box(&format.headers)),
                    )
                });
            });
        }
        group.finish();
    }
    for format in &formats {
        let mut group = c.benchmark_group(format!("inject/{}", format.name));
        for &(label, propagator) in &format.propagators {
            // Reused and cleared, as a client adds to a request's existing header map.
            let mut out = HeaderMap::with_capacity(8);
            group.bench_function(label, |b| {
                b.iter(|| {
                    out.clear();
                    propagator.inject_context(black_box(&format.cx), &mut HeaderInjector(&mut out));
                    black_box(&out);
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, propagation);
criterion_main!(benches);
