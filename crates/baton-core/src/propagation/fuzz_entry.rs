//! Entry points for fuzzing: every extractor fed from raw header bytes, then re-injected.

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::Context;
use opentelemetry::propagation::TextMapPropagator;

use super::carrier::{HeaderExtractor, HeaderInjector};
use super::composite::{CompositePropagator, PropagatorKind};

/// Every propagator baton has, in one composite.
fn all() -> CompositePropagator {
    CompositePropagator::new([
        PropagatorKind::TraceContext,
        PropagatorKind::Baggage,
        PropagatorKind::B3,
        PropagatorKind::B3Multi,
        PropagatorKind::Jaeger,
        PropagatorKind::XRay,
    ])
}

/// Splits `data` into header values (one per line, at most 64) and gives each to `name`,
/// as a peer could send them; lines that are not valid header values are dropped, as an
/// HTTP parser would.
pub fn headers_from(name: &'static str, data: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n').take(64) {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
    headers
}

/// Extracts with every propagator from `headers`, then injects the result again; the fuzz
/// targets check that neither step panics and that what is injected extracts to the same
/// span context.
pub fn extract_inject(headers: &HeaderMap) {
    let propagator = all();
    let cx = propagator.extract_with_context(&Context::new(), &HeaderExtractor(headers));
    let mut out = HeaderMap::new();
    propagator.inject_context(&cx, &mut HeaderInjector(&mut out));
    let again = propagator.extract_with_context(&Context::new(), &HeaderExtractor(&out));
    use opentelemetry::trace::TraceContextExt;
    let (a, b) = (
        cx.span().span_context().clone(),
        again.span().span_context().clone(),
    );
    assert_eq!(
        a.is_valid(),
        b.is_valid(),
        "validity changed through inject: {headers:?} -> {out:?}"
    );
    if a.is_valid() {
        assert_eq!(
            (a.trace_id(), a.span_id(), a.is_sampled()),
            (b.trace_id(), b.span_id(), b.is_sampled())
        );
    }
    if let Some(value) = out.get("baggage") {
        assert!(value.len() <= super::limits::BAGGAGE_MAX_BYTES);
    }
}
