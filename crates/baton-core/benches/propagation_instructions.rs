//! A driver for counting instructions per propagation operation under callgrind.
//!
//! ```text
//! propagation_instructions <case> <N>   # run <case> N times, after one untimed warm-up run
//! propagation_instructions list         # print the case names, one per line
//! ```
//!
//! Setup (header maps, propagators, contexts) and the warm-up run happen whatever `N` is, so
//! `(Ir(N) - Ir(0)) / N` is the steady-state cost of one operation. `scripts/instructions.sh`
//! builds this binary, runs every case under `valgrind --tool=callgrind` and prints the table.
//! Run by `cargo bench` (which passes `--bench`) or with no arguments, it does nothing.

mod common;

use std::hint::black_box;
use std::process::ExitCode;

use baton_core::propagation::{
    B3Encoding, B3Propagator, BaggagePropagator, CompositePropagator, HeaderExtractor,
    HeaderInjector, JaegerPropagator, TraceContextPropagator, XRayPropagator, parse_traceparent,
};
use http::HeaderMap;
use opentelemetry::Context;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation as sdk;

/// Every case, in the order the script reports them. A `baton_*` case whose name with `sdk_`
/// in place of `baton_` is also here has that case as its baseline.
const CASES: &[&str] = &[
    "baton_parse_traceparent",
    "context_with_remote_span",
    "baton_extract_traceparent",
    "sdk_extract_traceparent",
    "baton_extract_tracestate",
    "sdk_extract_tracestate",
    "baton_inject_traceparent",
    "sdk_inject_traceparent",
    "baton_inject_tracestate",
    "sdk_inject_tracestate",
    "baton_extract_baggage",
    "sdk_extract_baggage",
    "baton_inject_baggage",
    "sdk_inject_baggage",
    "baton_extract_b3",
    "baton_extract_b3multi",
    "baton_extract_jaeger",
    "baton_extract_xray",
    "baton_extract_composite",
    "sdk_extract_composite",
    "baton_inject_composite",
    "sdk_inject_composite",
];

/// Runs `op` once untimed, then `n` times, keeping the optimiser from dropping any run.
fn run<T>(n: u64, mut op: impl FnMut() -> T) {
    black_box(op());
    for _ in 0..n {
        black_box(op());
    }
}

/// Extracts from `headers` into a fresh context, `n` times.
fn extract(n: u64, propagator: &impl TextMapPropagator, headers: &HeaderMap) {
    let parent = Context::new();
    let cx = propagator.extract_with_context(&parent, &HeaderExtractor(headers));
    assert!(
        cx.span().span_context().is_valid() || headers.contains_key("baggage"),
        "fixture does not extract"
    );
    run(n, || {
        propagator.extract_with_context(black_box(&parent), &HeaderExtractor(black_box(headers)))
    });
}

/// Injects `cx` into a header map that is cleared and reused, `n` times.
fn inject(n: u64, propagator: &impl TextMapPropagator, cx: &Context) {
    let mut out = HeaderMap::with_capacity(8);
    run(n, || {
        out.clear();
        propagator.inject_context(black_box(cx), &mut HeaderInjector(&mut out));
        black_box(out.len())
    });
}

fn sdk_composite() -> TextMapCompositePropagator {
    TextMapCompositePropagator::new(vec![
        Box::new(sdk::TraceContextPropagator::new()),
        Box::new(sdk::BaggagePropagator::new()),
    ])
}

/// Runs `case` `n` times; `false` if there is no such case.
fn run_case(case: &str, n: u64) -> bool {
    let (tc, sdk_tc) = (
        TraceContextPropagator::new(),
        sdk::TraceContextPropagator::new(),
    );
    let (bg, sdk_bg) = (BaggagePropagator::new(), sdk::BaggagePropagator::new());
    match case {
        "baton_parse_traceparent" => run(n, || parse_traceparent(black_box(common::TRACEPARENT))),
        "context_with_remote_span" => {
            // The floor under any extraction: putting an already parsed span context into a
            // new context.
            let (parent, sc) = (
                Context::new(),
                common::span_cx().span().span_context().clone(),
            );
            run(n, || {
                black_box(&parent).with_remote_span_context(black_box(&sc).clone())
            });
        }
        "baton_extract_traceparent" => extract(n, &tc, &common::traceparent_headers()),
        "sdk_extract_traceparent" => extract(n, &sdk_tc, &common::traceparent_headers()),
        "baton_extract_tracestate" => extract(n, &tc, &common::tracestate_headers()),
        "sdk_extract_tracestate" => extract(n, &sdk_tc, &common::tracestate_headers()),
        "baton_inject_traceparent" => inject(n, &tc, &common::span_cx()),
        "sdk_inject_traceparent" => inject(n, &sdk_tc, &common::span_cx()),
        "baton_inject_tracestate" => inject(n, &tc, &common::tracestate_cx()),
        "sdk_inject_tracestate" => inject(n, &sdk_tc, &common::tracestate_cx()),
        "baton_extract_baggage" => extract(n, &bg, &common::baggage_headers()),
        "sdk_extract_baggage" => extract(n, &sdk_bg, &common::baggage_headers()),
        "baton_inject_baggage" => inject(n, &bg, &common::baggage_cx()),
        "sdk_inject_baggage" => inject(n, &sdk_bg, &common::baggage_cx()),
        "baton_extract_b3" => extract(n, &B3Propagator::new(), &common::b3_single_headers()),
        "baton_extract_b3multi" => {
            extract(
                n,
                &B3Propagator::with_encoding(B3Encoding::Multi),
                &common::b3_multi_headers(),
            );
        }
        "baton_extract_jaeger" => extract(n, &JaegerPropagator::new(), &common::jaeger_headers()),
        "baton_extract_xray" => extract(n, &XRayPropagator::new(), &common::xray_headers()),
        "baton_extract_composite" => extract(
            n,
            &CompositePropagator::default(),
            &common::composite_headers(),
        ),
        "sdk_extract_composite" => extract(n, &sdk_composite(), &common::composite_headers()),
        "baton_inject_composite" => {
            inject(n, &CompositePropagator::default(), &common::composite_cx())
        }
        "sdk_inject_composite" => inject(n, &sdk_composite(), &common::composite_cx()),
        _ => return false,
    }
    true
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        // `cargo bench` runs every bench target with `--bench` (and maybe a filter).
        [] => ExitCode::SUCCESS,
        [flag, ..] if flag.starts_with('-') => ExitCode::SUCCESS,
        [list] if list == "list" => {
            CASES.iter().for_each(|case| println!("{case}"));
            ExitCode::SUCCESS
        }
        [case, n] => match n.parse::<u64>() {
            Ok(n) if run_case(case, n) => ExitCode::SUCCESS,
            _ => usage(),
        },
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: propagation_instructions <case> <N> | list\ncases: {}",
        CASES.join(", ")
    );
    ExitCode::from(2)
}
