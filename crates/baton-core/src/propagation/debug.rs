//! Sampling hints that some formats carry besides the span context: B3's and Jaeger's debug
//! flag, and B3's "deny" (`b3: 0`) sent without any ids.

use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// Marks a context whose trace was flagged "debug" by the caller (B3 `d` or `X-B3-Flags: 1`,
/// Jaeger flag `0x02`). The OpenTelemetry span context has no bit for it, so it travels as a
/// context value; B3 and Jaeger injection send it on, and a sampler may honour it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebugFlag;

/// Whether the caller asked for this trace to be force-sampled as a debug trace.
///
/// ```
/// use baton_core::propagation::{is_debug, B3Propagator, HeaderExtractor};
/// use opentelemetry::propagation::TextMapPropagator;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d".parse().unwrap());
/// assert!(is_debug(&B3Propagator::new().extract(&HeaderExtractor(&headers))));
/// ```
pub fn is_debug(cx: &Context) -> bool {
    cx.get::<DebugFlag>().is_some()
}

/// A remote, unsampled parent with fresh ids: how a caller's "do not sample" (`b3: 0` with
/// no ids) is expressed to a parent-based sampler, so this service and everything after it
/// drop the trace. The ids are never recorded anywhere, since nothing under them is sampled.
pub(crate) fn deny(cx: &Context) -> Context {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let high = hasher.finish();
    hasher.write_u64(high);
    let low = hasher.finish() | 1;
    let sc = SpanContext::new(
        TraceId::from((u128::from(high) << 64) | u128::from(low)),
        SpanId::from(low),
        TraceFlags::NOT_SAMPLED,
        true,
        TraceState::NONE,
    );
    cx.with_remote_span_context(sc)
}

/// Adds the remote span context, with the debug marker when `debug` is set.
pub(crate) fn with_remote(cx: &Context, sc: SpanContext, debug: bool) -> Context {
    let cx = cx.with_remote_span_context(sc);
    if debug { cx.with_value(DebugFlag) } else { cx }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_gives_distinct_valid_unsampled_parents() {
        let a = deny(&Context::new());
        let b = deny(&Context::new());
        let (a, b) = (
            a.span().span_context().clone(),
            b.span().span_context().clone(),
        );
        assert!(a.is_valid() && a.is_remote() && !a.is_sampled());
        assert_ne!(a.trace_id(), b.trace_id());
    }
}
