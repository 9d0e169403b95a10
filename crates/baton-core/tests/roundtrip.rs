//! Property tests for the header propagators.
//!
//! - Every span-context format (W3C Trace Context, B3 single and multi, Jaeger, X-Ray) reads
//!   back exactly the trace id, span id and sampled flag it wrote.
//! - Trace Context keeps the `random-trace-id` flag, and a valid `tracestate` survives the
//!   round trip unchanged (or, past 512 characters, as an ordered sub-list that fits).
//! - Baggage with any token keys and any Unicode values reads back exactly, properties too.
//! - No header value, however malformed, makes extraction (or re-injection) panic.

use std::collections::BTreeMap;

use baton_core::propagation::{
    B3Encoding, B3Propagator, BaggagePropagator, CompositePropagator, HeaderExtractor,
    HeaderInjector, JaegerPropagator, PropagatorKind, RANDOM_TRACE_ID, TextMapPropagator,
    TraceContextPropagator, XRayPropagator, limits, percent_encode,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::baggage::{Baggage, BaggageExt, BaggageMetadata};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::{Context, Key, StringValue};
use proptest::prelude::*;
use proptest::sample::Index;

/// The propagators that carry a span context, by name.
fn span_propagators() -> Vec<(&'static str, Box<dyn TextMapPropagator>)> {
    vec![
        ("tracecontext", Box::new(TraceContextPropagator::new())),
        (
            "b3",
            Box::new(B3Propagator::with_encoding(B3Encoding::Single)),
        ),
        (
            "b3multi",
            Box::new(B3Propagator::with_encoding(B3Encoding::Multi)),
        ),
        (
            "b3 single+multi",
            Box::new(B3Propagator::with_encoding(B3Encoding::SingleAndMulti)),
        ),
        ("jaeger", Box::new(JaegerPropagator::new())),
        ("xray", Box::new(XRayPropagator::new())),
    ]
}

/// Injects `cx` with `propagator` into empty headers and extracts from them again.
fn round_trip(propagator: &dyn TextMapPropagator, cx: &Context) -> (HeaderMap, Context) {
    let mut headers = HeaderMap::new();
    propagator.inject_context(cx, &mut HeaderInjector(&mut headers));
    let back = propagator.extract_with_context(&Context::new(), &HeaderExtractor(&headers));
    (headers, back)
}

fn span_cx(trace_id: u128, span_id: u64, flags: u8, state: TraceState) -> Context {
    let sc = SpanContext::new(
        TraceId::from(trace_id),
        SpanId::from(span_id),
        TraceFlags::new(flags),
        false,
        state,
    );
    Context::new().with_remote_span_context(sc)
}

/// Nonzero trace ids, half of them 64-bit ones (as B3 and Jaeger peers may send).
fn trace_id() -> impl Strategy<Value = u128> {
    prop_oneof![1..=u128::MAX, (1..=u64::MAX).prop_map(u128::from)]
}

/// `tracestate` keys the W3C grammar allows and the OpenTelemetry API accepts (which limits
/// a multi-tenant system id to 13 characters where the spec allows 14).
fn tracestate_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_*/-]{0,15}",
        "[a-z0-9][a-z0-9_*/-]{0,10}@[a-z][a-z0-9_*/-]{0,12}",
    ]
}

/// `tracestate` values by the W3C grammar: printable ASCII but `,` and `=`, not ending in a
/// space.
fn tracestate_value() -> impl Strategy<Value = String> {
    "[\\x20-\\x2B\\x2D-\\x3C\\x3E-\\x7E]{0,24}[\\x21-\\x2B\\x2D-\\x3C\\x3E-\\x7E]"
}

/// 1 to 32 members with distinct keys, in order.
fn tracestate_members() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (tracestate_key(), tracestate_value()),
        1..=limits::TRACESTATE_MAX_MEMBERS,
    )
    .prop_map(|mut members| {
        let mut seen = std::collections::HashSet::new();
        members.retain(|(k, _)| seen.insert(k.clone()));
        members
    })
}

/// RFC 7230 tokens: what a baggage key may be.
fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}"
}

/// A baggage property list as baton stores it (`k1;k2=v`), values of baggage octets.
fn properties() -> impl Strategy<Value = String> {
    let property = (
        token(),
        proptest::option::of("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]{0,8}"),
    )
        .prop_map(|(k, v)| v.map_or_else(|| k.clone(), |v| format!("{k}={}", v.replace('%', ""))));
    prop::collection::vec(property, 0..3).prop_map(|p| p.join(";"))
}

/// Every header name a propagator reads (`uberctx-*` by one example).
const READ: &[&str] = &[
    "traceparent",
    "tracestate",
    "baggage",
    "b3",
    "x-b3-traceid",
    "x-b3-spanid",
    "x-b3-sampled",
    "x-b3-flags",
    "uber-trace-id",
    "uberctx-tenant",
    "x-amzn-trace-id",
];

/// Valid values of every format, for mutation: random bytes alone rarely get past the
/// first check of a parser.
const SAMPLES: &[&str] = &[
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-future",
    "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7, t@v=1",
    "userId=alice,serverNode=DF%2028;prop;k=v, u=Am%C3%A9lie",
    "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90",
    "a3ce929d0e0e4736-e457b5a2e4d86bd1-d",
    "80f198ee56343ba864fe8b2a57d3eff7",
    "e457b5a2e4d86bd1",
    "true",
    "0",
    "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:3",
    "abc%3Adef%3A0%3A1",
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
];

/// Arbitrary bytes, or a valid value of some format with a few bytes changed and maybe cut.
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    let mutated = (
        prop::sample::select(SAMPLES),
        prop::collection::vec((any::<Index>(), any::<u8>()), 0..4),
        any::<Index>(),
        any::<bool>(),
    )
        .prop_map(|(sample, edits, cut, do_cut)| {
            let mut v = sample.as_bytes().to_vec();
            for (at, byte) in edits {
                let at = at.index(v.len());
                v[at] = byte;
            }
            if do_cut {
                v.truncate(cut.index(v.len() + 1));
            }
            v
        });
    prop_oneof![prop::collection::vec(any::<u8>(), 0..96), mutated]
}

/// Headers as a peer could send them: values an HTTP parser would reject are left out.
fn headers_of(pairs: &[(usize, Vec<u8>)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(HeaderName::from_static(READ[*name]), value);
        }
    }
    headers
}

proptest! {
    #[test]
    fn span_context_round_trips(trace_id in trace_id(), span_id in 1..=u64::MAX, sampled in any::<bool>()) {
        let flags = if sampled { TraceFlags::SAMPLED } else { TraceFlags::NOT_SAMPLED };
        let cx = span_cx(trace_id, span_id, flags.to_u8(), TraceState::NONE);
        for (name, propagator) in span_propagators() {
            let (headers, back) = round_trip(propagator.as_ref(), &cx);
            let sc = back.span().span_context().clone();
            prop_assert!(sc.is_valid() && sc.is_remote(), "{name}: nothing read back from {headers:?}");
            prop_assert_eq!(sc.trace_id(), TraceId::from(trace_id), "{}: trace id, {:?}", name, headers);
            prop_assert_eq!(sc.span_id(), SpanId::from(span_id), "{}: span id, {:?}", name, headers);
            prop_assert_eq!(sc.is_sampled(), sampled, "{}: sampled, {:?}", name, headers);
        }
    }

    #[test]
    fn trace_context_keeps_known_flags_and_clears_reserved_ones(
        trace_id in trace_id(),
        span_id in 1..=u64::MAX,
        flags in any::<u8>(),
    ) {
        let cx = span_cx(trace_id, span_id, flags, TraceState::NONE);
        let (headers, back) = round_trip(&TraceContextPropagator::new(), &cx);
        let expected = flags & (TraceFlags::SAMPLED.to_u8() | RANDOM_TRACE_ID.to_u8());
        let traceparent = headers["traceparent"].to_str().unwrap();
        prop_assert!(traceparent.ends_with(&format!("-{expected:02x}")), "{}", traceparent);
        let sc = back.span().span_context().clone();
        prop_assert_eq!(sc.trace_flags().to_u8(), expected);
        prop_assert_eq!(sc.trace_flags() & RANDOM_TRACE_ID == RANDOM_TRACE_ID, flags & 0x02 != 0);
    }

    #[test]
    fn valid_tracestate_round_trips_or_is_cut_to_an_ordered_sublist(members in tracestate_members()) {
        let state = TraceState::from_key_value(members.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let state = state.expect("the generator makes only valid members");
        let sent = state.header();
        let cx = span_cx(1, 1, 1, state);
        let (headers, back) = round_trip(&TraceContextPropagator::new(), &cx);
        let received = back.span().span_context().trace_state().header();
        if sent.len() <= limits::TRACESTATE_MAX_HEADER_LEN {
            prop_assert_eq!(&received, &sent);
            prop_assert_eq!(headers["tracestate"].to_str().unwrap(), sent.as_str());
        } else {
            prop_assert!(received.len() <= limits::TRACESTATE_MAX_HEADER_LEN, "{} characters", received.len());
            prop_assert!(!received.is_empty());
            // Whole entries, in the order sent.
            let mut sent_entries = sent.split(',');
            for entry in received.split(',') {
                prop_assert!(sent_entries.any(|s| s == entry), "{:?} not an ordered sub-list of {:?}", received, sent);
            }
        }
    }

    #[test]
    fn baggage_round_trips_any_unicode_value(
        entries in prop::collection::vec((token(), any::<String>(), properties()), 0..16),
    ) {
        let mut baggage = Baggage::new();
        for (key, value, props) in &entries {
            baggage.insert_with_metadata(
                Key::new(key.clone()),
                StringValue::from(value.clone()),
                BaggageMetadata::from(props.as_str()),
            );
        }
        let expected: BTreeMap<String, (String, String)> = baggage
            .iter()
            .map(|(k, (v, m))| (k.to_string(), (v.to_string(), m.as_str().to_owned())))
            .collect();
        // Within the limits: everything the API kept fits in one header.
        let encoded: usize = expected
            .iter()
            .map(|(k, (v, m))| k.len() + 1 + percent_encode(v).len() + if m.is_empty() { 0 } else { m.len() + 1 })
            .sum::<usize>()
            + expected.len().saturating_sub(1);
        prop_assume!(encoded <= limits::BAGGAGE_MAX_BYTES);

        let (headers, back) = round_trip(&BaggagePropagator::new(), &Context::new().with_baggage(baggage));
        let received: BTreeMap<String, (String, String)> = back
            .baggage()
            .iter()
            .map(|(k, (v, m))| (k.to_string(), (v.to_string(), m.as_str().to_owned())))
            .collect();
        prop_assert_eq!(received, expected, "through {:?}", headers);
    }

    #[test]
    fn extraction_never_panics(pairs in prop::collection::vec((0..READ.len(), header_bytes()), 0..8)) {
        let headers = headers_of(&pairs);
        let mut propagators = span_propagators();
        propagators.push(("baggage", Box::new(BaggagePropagator::new())));
        propagators.push(("all", Box::new(CompositePropagator::new([
            PropagatorKind::TraceContext,
            PropagatorKind::Baggage,
            PropagatorKind::B3,
            PropagatorKind::B3Multi,
            PropagatorKind::Jaeger,
            PropagatorKind::XRay,
        ]))));
        for (_, propagator) in &propagators {
            let cx = propagator.extract_with_context(&Context::new(), &HeaderExtractor(&headers));
            let mut out = HeaderMap::new();
            propagator.inject_context(&cx, &mut HeaderInjector(&mut out));
        }
        // Also: what is extracted re-injects to the same span context, in every format.
        #[cfg(feature = "fuzzing")]
        baton_core::fuzzing::extract_inject(&headers);
    }
}
