//! Interop with OpenTelemetry Python's propagators: what baton injects, Python extracts to
//! the same context, and what Python injects, baton extracts to the same context.
//!
//! Needs the virtualenv that `scripts/test.sh` creates at the workspace root (`.venv`); the
//! test fails, rather than skips, when it is missing.

use baton_core::propagation::{
    B3Encoding, B3Propagator, BaggagePropagator, HeaderExtractor, HeaderInjector, JaegerPropagator,
    TraceContextPropagator, XRayPropagator, is_debug,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::baggage::BaggageExt;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::{Context, KeyValue};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/test.sh, which creates the virtualenv with OpenTelemetry Python",
        python.display()
    );
    python
}

/// Runs all cases through the Python peer in one process.
fn run_python(cases: &[Value]) -> Vec<Value> {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/propagators.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("python output");
    assert!(out.status.success(), "python peer failed");
    serde_json::from_slice(&out.stdout).expect("python JSON")
}

fn propagator(name: &str) -> Box<dyn TextMapPropagator> {
    match name {
        "tracecontext" => Box::new(TraceContextPropagator::new()),
        "baggage" => Box::new(BaggagePropagator::new()),
        "b3" => Box::new(B3Propagator::new()),
        "b3multi" => Box::new(B3Propagator::with_encoding(B3Encoding::Multi)),
        "jaeger" => Box::new(JaegerPropagator::new()),
        "xray" => Box::new(XRayPropagator::new()),
        other => panic!("unknown {other}"),
    }
}

fn headers_json(h: &HeaderMap) -> Value {
    Value::Object(
        h.iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    Value::String(v.to_str().unwrap().to_owned()),
                )
            })
            .collect(),
    )
}

fn headers_from_json(v: &Value) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in v.as_object().unwrap() {
        h.insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v.as_str().unwrap()).unwrap(),
        );
    }
    h
}

struct Sample {
    trace_id: &'static str,
    span_id: &'static str,
    sampled: bool,
}

const SAMPLES: [Sample; 4] = [
    Sample {
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        span_id: "00f067aa0ba902b7",
        sampled: true,
    },
    Sample {
        trace_id: "00000000000000000000000000000001",
        span_id: "0000000000000001",
        sampled: false,
    },
    Sample {
        trace_id: "ffffffffffffffffffffffffffffffff",
        span_id: "ffffffffffffffff",
        sampled: true,
    },
    Sample {
        trace_id: "5759e988bd862e3fe1be46a994272793",
        span_id: "53995c3f42cd8ad8",
        sampled: false,
    },
];

const FORMATS: [&str; 5] = ["tracecontext", "b3", "b3multi", "jaeger", "xray"];

fn context(s: &Sample, state: &str) -> Context {
    let flags = if s.sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::NOT_SAMPLED
    };
    let state = if state.is_empty() {
        TraceState::NONE
    } else {
        state.parse().unwrap()
    };
    let sc = SpanContext::new(
        TraceId::from_hex(s.trace_id).unwrap(),
        SpanId::from_hex(s.span_id).unwrap(),
        flags,
        true,
        state,
    );
    Context::new().with_remote_span_context(sc)
}

#[test]
fn span_context_both_ways_for_every_format() {
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for format in FORMATS {
        for s in &SAMPLES {
            // X-Ray trace ids carry a timestamp in their first 8 hex digits; any value works.
            let mut h = HeaderMap::new();
            propagator(format).inject_context(&context(s, ""), &mut HeaderInjector(&mut h));
            cases.push(json!({"op": "extract", "propagator": format, "headers": headers_json(&h)}));
            cases.push(json!({"op": "inject", "propagator": format, "trace_id": s.trace_id, "span_id": s.span_id, "sampled": s.sampled}));
            expected.push((format, s));
        }
    }
    let results = run_python(&cases);
    for (pair, (format, s)) in results.chunks(2).zip(expected) {
        let py = &pair[0];
        assert_eq!(
            py["valid"], true,
            "{format}: python rejected baton's headers for {}",
            s.trace_id
        );
        assert_eq!(
            py["trace_id"], s.trace_id,
            "{format}: trace id baton -> python"
        );
        assert_eq!(
            py["span_id"], s.span_id,
            "{format}: span id baton -> python"
        );
        assert_eq!(
            py["sampled"], s.sampled,
            "{format}: sampled baton -> python"
        );

        let h = headers_from_json(&pair[1]["headers"]);
        let cx = propagator(format).extract_with_context(&Context::new(), &HeaderExtractor(&h));
        let span = cx.span();
        let sc = span.span_context();
        assert!(
            sc.is_valid(),
            "{format}: baton rejected python's headers {h:?}"
        );
        assert_eq!(
            sc.trace_id().to_string(),
            s.trace_id,
            "{format}: trace id python -> baton"
        );
        assert_eq!(
            sc.span_id().to_string(),
            s.span_id,
            "{format}: span id python -> baton"
        );
        assert_eq!(
            sc.is_sampled(),
            s.sampled,
            "{format}: sampled python -> baton"
        );
    }
}

#[test]
fn tracestate_both_ways() {
    let state = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,tenant@vendor=x";
    let s = &SAMPLES[0];
    let mut h = HeaderMap::new();
    TraceContextPropagator::new().inject_context(&context(s, state), &mut HeaderInjector(&mut h));
    let results = run_python(&[
        json!({"op": "extract", "propagator": "tracecontext", "headers": headers_json(&h)}),
        json!({"op": "inject", "propagator": "tracecontext", "trace_id": s.trace_id, "span_id": s.span_id, "sampled": true, "trace_state": state}),
    ]);
    assert_eq!(results[0]["trace_state"], state);
    let h = headers_from_json(&results[1]["headers"]);
    let cx =
        TraceContextPropagator::new().extract_with_context(&Context::new(), &HeaderExtractor(&h));
    assert_eq!(cx.span().span_context().trace_state().header(), state);
}

#[test]
fn baggage_values_survive_both_ways() {
    let entries = [
        ("tenant.id", "acme"),
        ("user", "Amélie Poulain"),
        ("list", "a,b;c=d"),
        ("percent", "100% \"sure\""),
        ("emoji", "🚀✓"),
        ("plus", "1+1"),
    ];
    let cx = Context::new().with_baggage(
        entries
            .iter()
            .map(|(k, v)| KeyValue::new(*k, *v))
            .collect::<Vec<_>>(),
    );
    let mut w3c = HeaderMap::new();
    BaggagePropagator::new().inject_context(&cx, &mut HeaderInjector(&mut w3c));
    let mut jaeger = HeaderMap::new();
    let traced = context(&SAMPLES[0], "").with_baggage(
        entries
            .iter()
            .map(|(k, v)| KeyValue::new(*k, *v))
            .collect::<Vec<_>>(),
    );
    JaegerPropagator::new().inject_context(&traced, &mut HeaderInjector(&mut jaeger));
    let map: serde_json::Map<String, Value> = entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    let results = run_python(&[
        json!({"op": "extract", "propagator": "baggage", "headers": headers_json(&w3c)}),
        json!({"op": "inject", "propagator": "baggage", "baggage": map}),
        json!({"op": "extract", "propagator": "jaeger", "headers": headers_json(&jaeger)}),
        json!({"op": "inject", "propagator": "jaeger", "trace_id": SAMPLES[0].trace_id, "span_id": SAMPLES[0].span_id, "sampled": true, "baggage": map}),
    ]);
    for (k, v) in entries {
        assert_eq!(results[0]["baggage"][k], v, "w3c baton -> python {k}");
        assert_eq!(results[2]["baggage"][k], v, "jaeger baton -> python {k}");
    }
    for (i, p) in [(1, "baggage"), (3, "jaeger")] {
        let h = headers_from_json(&results[i]["headers"]);
        let cx = propagator(p).extract_with_context(&Context::new(), &HeaderExtractor(&h));
        for (k, v) in entries {
            // OpenTelemetry Python form-encodes W3C baggage (a space as `+`,
            // open-telemetry/opentelemetry-python#5566); the spec makes `+` a literal, and
            // baton reads it so. Its Jaeger propagator percent-encodes and round-trips.
            let expected = if p == "baggage" {
                v.replace(' ', "+")
            } else {
                v.to_owned()
            };
            assert_eq!(
                cx.baggage().get(k).map(|v| v.as_str()),
                Some(expected.as_str()),
                "{p} python -> baton {k}: {h:?}"
            );
        }
    }
}

#[test]
fn b3_debug_from_python_is_kept() {
    // Python's B3 propagators send debug as `d` / `X-B3-Flags: 1` when extracted with it.
    let mut h = HeaderMap::new();
    h.insert(
        "b3",
        HeaderValue::from_static("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d"),
    );
    let results =
        run_python(&[json!({"op": "extract", "propagator": "b3", "headers": headers_json(&h)})]);
    assert_eq!(results[0]["sampled"], true);
    let cx = B3Propagator::new().extract_with_context(&Context::new(), &HeaderExtractor(&h));
    assert!(is_debug(&cx) && cx.span().span_context().is_sampled());
}
