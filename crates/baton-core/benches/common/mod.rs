//! Header values and contexts shared by the propagation benchmarks, so that the wall-clock
//! bench (`propagation`) and the instruction-count bench (`propagation_instructions`) measure
//! exactly the same inputs.

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::baggage::BaggageExt;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::{Context, KeyValue};

/// The W3C spec's example `traceparent` (sampled).
pub const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
/// A two-member `tracestate`, as the W3C spec's examples have it.
pub const TRACESTATE: &str = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
/// Five baggage members: one percent-encoded value and one with a property.
pub const BAGGAGE: &str = "userId=alice,serverNode=DF%2028,isProduction=false,tenant.id=acme,request.priority=high;ttl=30";
/// The same span in B3 single-header form.
pub const B3_SINGLE: &str = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1";
/// The same span in Jaeger form.
pub const UBER_TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1";
/// The same span in AWS X-Ray form.
pub const AMZN_TRACE_ID: &str =
    "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1";

/// A header map holding the given `(name, value)` pairs, in order.
pub fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for &(name, value) in pairs {
        map.append(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    map
}

/// `traceparent` alone.
pub fn traceparent_headers() -> HeaderMap {
    headers(&[("traceparent", TRACEPARENT)])
}

/// `traceparent` and `tracestate`.
pub fn tracestate_headers() -> HeaderMap {
    headers(&[("traceparent", TRACEPARENT), ("tracestate", TRACESTATE)])
}

/// `baggage` with five members.
pub fn baggage_headers() -> HeaderMap {
    headers(&[("baggage", BAGGAGE)])
}

/// The single `b3` header.
pub fn b3_single_headers() -> HeaderMap {
    headers(&[("b3", B3_SINGLE)])
}

/// The `X-B3-*` headers for the same span.
pub fn b3_multi_headers() -> HeaderMap {
    headers(&[
        ("x-b3-traceid", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("x-b3-spanid", "00f067aa0ba902b7"),
        ("x-b3-sampled", "1"),
    ])
}

/// `uber-trace-id`.
pub fn jaeger_headers() -> HeaderMap {
    headers(&[("uber-trace-id", UBER_TRACE_ID)])
}

/// `x-amzn-trace-id`.
pub fn xray_headers() -> HeaderMap {
    headers(&[("x-amzn-trace-id", AMZN_TRACE_ID)])
}

/// What the default composite (`tracecontext,baggage`) reads: all three W3C headers.
pub fn composite_headers() -> HeaderMap {
    headers(&[
        ("traceparent", TRACEPARENT),
        ("tracestate", TRACESTATE),
        ("baggage", BAGGAGE),
    ])
}

fn span_context(state: TraceState) -> SpanContext {
    SpanContext::new(
        TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
        SpanId::from(0x00f0_67aa_0ba9_02b7),
        TraceFlags::SAMPLED,
        true,
        state,
    )
}

/// A context with a sampled remote span and no trace state, for injecting `traceparent`,
/// B3, Jaeger and X-Ray.
pub fn span_cx() -> Context {
    Context::new().with_remote_span_context(span_context(TraceState::NONE))
}

/// [`span_cx`] with the two-member trace state of [`TRACESTATE`].
pub fn tracestate_cx() -> Context {
    let state =
        TraceState::from_key_value([("congo", "t61rcWkgMzE"), ("rojo", "00f067aa0ba902b7")])
            .expect("valid trace state");
    Context::new().with_remote_span_context(span_context(state))
}

/// A context holding five baggage entries, one of which needs percent-encoding.
pub fn baggage_cx() -> Context {
    Context::new().with_baggage(baggage_entries())
}

/// [`tracestate_cx`] plus the baggage of [`baggage_cx`], for the default composite.
pub fn composite_cx() -> Context {
    tracestate_cx().with_baggage(baggage_entries())
}

fn baggage_entries() -> Vec<KeyValue> {
    vec![
        KeyValue::new("userId", "alice"),
        KeyValue::new("serverNode", "DF 28"),
        KeyValue::new("isProduction", "false"),
        KeyValue::new("tenant.id", "acme"),
        KeyValue::new("request.priority", "high"),
    ]
}
