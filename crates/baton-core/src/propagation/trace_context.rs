//! W3C Trace Context: the `traceparent` and `tracestate` headers.

use opentelemetry::Context;
use opentelemetry::propagation::{
    Extractor, Injector, TextMapPropagator, text_map_propagator::FieldIter,
};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use std::sync::OnceLock;

use super::continued::ContinuedTrace;
use super::hex::{self, Case};
use super::tracestate;

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";
/// Length of a version `00` traceparent, and the least any version may have.
const LEN: usize = 55;
/// The flags baton understands and forwards: `sampled` (Level 1) and `random-trace-id`
/// (Level 2). Every other bit is reserved and sent as zero, as the spec requires.
pub(crate) const KNOWN_FLAGS: u8 = 0x03;
/// The Level 2 `random-trace-id` flag.
pub const RANDOM_TRACE_ID: TraceFlags = TraceFlags::new(0x02);

/// Propagates span context in the W3C Trace Context format
/// (<https://www.w3.org/TR/trace-context/>), Level 1 plus Level 2's `random-trace-id` flag.
///
/// The flag is sent for a trace continued from a caller exactly as the caller sent it, and
/// for a trace that a root span of baton's layers started in this process when the
/// process declares its trace ids random
/// ([`set_local_trace_ids_random`](super::set_local_trace_ids_random), which `baton::init`
/// calls). A root span started by the application itself claims nothing.
///
/// Compared with `opentelemetry_sdk::propagation::TraceContextPropagator` it keeps the
/// `random-trace-id` flag as received, rejects a version `00` header with trailing data,
/// treats two `traceparent` headers as invalid, keeps a `tracestate` whose multi-tenant
/// system id has the full 14 characters, truncates an oversize `tracestate` by whole entries
/// before sending it, and reads a `traceparent` in a fraction of the instructions.
///
/// ```
/// use baton_core::propagation::{HeaderExtractor, TraceContextPropagator};
/// use opentelemetry::propagation::TextMapPropagator;
/// use opentelemetry::trace::TraceContextExt;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse().unwrap());
/// let cx = TraceContextPropagator::new().extract(&HeaderExtractor(&headers));
/// let span = cx.span();
/// assert_eq!(span.span_context().trace_id().to_string(), "0af7651916cd43dd8448eb211c80319c");
/// assert!(span.span_context().is_sampled() && span.span_context().is_remote());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TraceContextPropagator {
    _private: (),
}

impl TraceContextPropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        TraceContextPropagator { _private: () }
    }
}

/// Parses one `traceparent` value into a remote span context (with an empty trace state),
/// or `None` if the value is invalid by the spec. Space and tab around the value are ignored.
///
/// ```
/// use baton_core::propagation::parse_traceparent;
///
/// let sc = parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03").unwrap();
/// assert_eq!(sc.trace_flags().to_u8(), 0x03); // sampled + random-trace-id, kept
/// assert!(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra").is_none());
/// assert!(parse_traceparent("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra").is_some());
/// ```
pub fn parse_traceparent(value: &str) -> Option<SpanContext> {
    let v = trim_ows(value.as_bytes());
    if v.len() < LEN || v[2] != b'-' || v[35] != b'-' || v[52] != b'-' {
        return None;
    }
    let version = hex::decode_u8(&v[0..2], Case::Lower)?;
    match version {
        0xff => return None,
        0x00 if v.len() != LEN => return None,
        _ if v.len() > LEN && v[LEN] != b'-' => return None,
        _ => {}
    }
    let trace_id = hex::decode_u128(&v[3..35], Case::Lower).filter(|&t| t != 0)?;
    let span_id = hex::decode_u64(&v[36..52], Case::Lower).filter(|&s| s != 0)?;
    let flags = hex::decode_u8(&v[53..55], Case::Lower)?;
    Some(SpanContext::new(
        TraceId::from(trace_id),
        SpanId::from(span_id),
        TraceFlags::new(flags & KNOWN_FLAGS),
        true,
        TraceState::NONE,
    ))
}

/// Formats the `traceparent` value (version `00`) for a span context, or `None` if the
/// context is not valid.
///
/// ```
/// use baton_core::propagation::{format_traceparent, parse_traceparent};
///
/// let value = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
/// assert_eq!(format_traceparent(&parse_traceparent(value).unwrap()).as_deref(), Some(value));
/// ```
pub fn format_traceparent(sc: &SpanContext) -> Option<String> {
    format_with_flags(sc, sc.trace_flags())
}

/// Formats the `traceparent` value (version `00`) for the span in `cx`, as the propagator
/// injects it: with the `random-trace-id` flag of the caller whose trace the span continues,
/// or of a trace started here with ids declared random, which the span context itself may
/// have lost (the SDK gives an unsampled child no flags). For a response header naming the server span (`traceresponse`).
///
/// ```
/// use baton_core::propagation::{HeaderExtractor, TraceContextPropagator, format_traceparent_in};
/// use opentelemetry::propagation::TextMapPropagator;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02".parse().unwrap());
/// let cx = TraceContextPropagator::new().extract(&HeaderExtractor(&headers));
/// assert!(format_traceparent_in(&cx).unwrap().ends_with("-02"));
/// ```
pub fn format_traceparent_in(cx: &Context) -> Option<String> {
    let span = cx.span();
    let sc = span.span_context();
    format_with_flags(sc, flags_in(cx, sc))
}

/// The flags to send for `sc` in `cx`: its own, plus `random-trace-id` when the trace it
/// belongs to was continued from a caller that set it, or is an unsampled one started here
/// with trace ids declared random (both leave a [`ContinuedTrace`] record).
fn flags_in(cx: &Context, sc: &SpanContext) -> TraceFlags {
    match ContinuedTrace::of(cx, sc) {
        Some(c) if c.random => sc.trace_flags() | RANDOM_TRACE_ID,
        _ => sc.trace_flags(),
    }
}

/// The `traceparent` value of `sc` with `flags` in place of its own.
fn format_with_flags(sc: &SpanContext, flags: TraceFlags) -> Option<String> {
    if !sc.is_valid() {
        return None;
    }
    let mut out = String::with_capacity(LEN);
    out.push_str("00-");
    hex::push_hex(&mut out, u128::from_be_bytes(sc.trace_id().to_bytes()), 32);
    out.push('-');
    hex::push_hex(
        &mut out,
        u128::from(u64::from_be_bytes(sc.span_id().to_bytes())),
        16,
    );
    out.push('-');
    hex::push_hex(&mut out, u128::from(flags.to_u8() & KNOWN_FLAGS), 2);
    Some(out)
}

/// Strips the optional whitespace (space and tab) HTTP allows around a header value.
pub(crate) fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |e| e + 1);
    &v[start..end]
}

impl TextMapPropagator for TraceContextPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        // What the span context lost of the trace it continues: the caller's
        // `random-trace-id` flag, members of its `tracestate` the API could not hold.
        let Some(traceparent) = format_with_flags(sc, flags_in(cx, sc)) else {
            return;
        };
        injector.set(TRACEPARENT, traceparent);
        let state = match ContinuedTrace::of(cx, sc).and_then(|c| c.full_tracestate(sc)) {
            Some(full) => tracestate::truncate(full.to_owned()),
            None => tracestate::header(sc.trace_state()),
        };
        if let Some(state) = state {
            injector.set(TRACESTATE, state);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let Some(parents) = extractor.get_all(TRACEPARENT) else {
            return cx.clone();
        };
        let [parent] = parents.as_slice() else {
            return cx.clone();
        };
        let Some(sc) = parse_traceparent(parent) else {
            return cx.clone();
        };
        let (sc, full) = match extractor.get_all(TRACESTATE) {
            Some(states) => {
                let list = tracestate::parse(&states);
                let flags = sc.trace_flags();
                let sc = SpanContext::new(sc.trace_id(), sc.span_id(), flags, true, list.state);
                (sc, list.full)
            }
            None => (sc, None),
        };
        let random = sc.trace_flags().to_u8() & RANDOM_TRACE_ID.to_u8() != 0;
        let cx = cx.with_remote_span_context(sc.clone());
        ContinuedTrace::attach(cx, &sc, random, full)
    }

    fn fields(&self) -> FieldIter<'_> {
        static FIELDS: OnceLock<[String; 2]> = OnceLock::new();
        FieldIter::new(FIELDS.get_or_init(|| [TRACEPARENT.to_owned(), TRACESTATE.to_owned()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::carrier::{HeaderExtractor, HeaderInjector};
    use http::{HeaderMap, HeaderValue};

    const TID: &str = "12345678901234567890123456789012";
    const SID: &str = "1234567890123456";

    fn extract(pairs: &[(&str, &[u8])]) -> SpanContext {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_bytes(v).unwrap(),
            );
        }
        TraceContextPropagator::new()
            .extract_with_context(&Context::new(), &HeaderExtractor(&h))
            .span()
            .span_context()
            .clone()
    }

    fn tp(value: &str) -> SpanContext {
        extract(&[("traceparent", value.as_bytes())])
    }

    #[test]
    fn accepts_the_spec_examples() {
        let sc = tp(&format!("00-{TID}-{SID}-01"));
        assert!(sc.is_valid() && sc.is_remote() && sc.is_sampled());
        assert_eq!(sc.trace_id().to_string(), TID);
        assert_eq!(sc.span_id().to_string(), SID);
        assert!(!tp("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").is_sampled());
    }

    #[test]
    fn header_name_is_case_insensitive_and_lookalikes_are_ignored() {
        let good = format!("00-{TID}-{SID}-01");
        assert!(extract(&[("TraceParent", good.as_bytes())]).is_valid());
        assert!(extract(&[("TRACEPARENT", good.as_bytes())]).is_valid());
        assert!(!extract(&[("trace-parent", good.as_bytes())]).is_valid());
        assert!(!extract(&[("trace.parent", good.as_bytes())]).is_valid());
    }

    #[test]
    fn future_versions_parse_the_known_prefix() {
        assert!(tp(&format!("cc-{TID}-{SID}-01")).is_valid());
        assert!(tp(&format!("cc-{TID}-{SID}-01-what-the-future-will-be-like")).is_valid());
        assert!(!tp(&format!("cc-{TID}-{SID}-01.what-the-future-will-be-like")).is_valid());
        assert!(!tp(&format!("00-{TID}-{SID}-01-what-the-future-will-be-like")).is_valid());
        assert!(!tp(&format!("00-{TID}-{SID}-01-")).is_valid());
        assert!(!tp(&format!("00-{TID}-{SID}-01.")).is_valid());
    }

    #[test]
    fn rejects_every_invalid_form_from_the_test_suite() {
        let bad = [
            format!("ff-{TID}-{SID}-01"),
            format!(".0-{TID}-{SID}-01"),
            format!("0.-{TID}-{SID}-01"),
            format!("000-{TID}-{SID}-01"),
            format!("0000-{TID}-{SID}-01"),
            format!("0-{TID}-{SID}-01"),
            format!("00-00000000000000000000000000000000-{SID}-01"),
            format!("00-{TID}-0000000000000000-01"),
            format!("00-{}-{SID}-01", &TID[..31]),
            format!("00-{TID}3-{SID}-01"),
            format!("00-1234567890123456789012345678901.-{SID}-01"),
            format!("00-{TID}-{}-01", &SID[..15]),
            format!("00-{TID}-{SID}7-01"),
            format!("00-{TID}-123456789012345.-01"),
            format!("00-{TID}-{SID}-.0"),
            format!("00-{TID}-{SID}-0."),
            format!("00-{TID}-{SID}-001"),
            format!("00-{TID}-{SID}-1"),
            format!("00-ABCDEF78901234567890123456789012-{SID}-01"),
            format!("00-{TID}-ABCDEF7890123456-01"),
            format!("00-{TID}-{SID}-0A"),
            format!("0A-{TID}-{SID}-01"),
            String::new(),
            "00".into(),
        ];
        for value in &bad {
            assert!(!tp(value).is_valid(), "accepted {value:?}");
        }
    }

    #[test]
    fn tolerates_surrounding_whitespace() {
        assert!(tp(&format!(" \t00-{TID}-{SID}-01 \t")).is_valid());
        assert_eq!(
            parse_traceparent(&format!("\t 00-{TID}-{SID}-01"))
                .unwrap()
                .span_id()
                .to_string(),
            SID
        );
    }

    #[test]
    fn two_traceparent_headers_make_the_context_invalid() {
        let a = format!("00-{TID}-{SID}-01");
        let b = format!("00-12345678901234567890123456789011-{SID}-01");
        assert!(
            !extract(&[("traceparent", a.as_bytes()), ("traceparent", b.as_bytes())]).is_valid()
        );
        assert!(!extract(&[("traceparent", a.as_bytes()), ("traceparent", b"\xff")]).is_valid());
    }

    #[test]
    fn non_ascii_bytes_are_ignored() {
        let mut v = format!("00-{TID}-{SID}-01").into_bytes();
        v[10] = 0xc3;
        assert!(!extract(&[("traceparent", &v)]).is_valid());
    }

    #[test]
    fn random_flag_kept_and_reserved_flags_cleared() {
        assert_eq!(
            tp(&format!("00-{TID}-{SID}-03")).trace_flags().to_u8(),
            0x03
        );
        assert_eq!(
            tp(&format!("00-{TID}-{SID}-02")).trace_flags().to_u8(),
            0x02
        );
        assert_eq!(
            tp(&format!("00-{TID}-{SID}-ff")).trace_flags().to_u8(),
            0x03
        );
        assert_eq!(
            tp(&format!("00-{TID}-{SID}-08")).trace_flags().to_u8(),
            0x00
        );
    }

    #[test]
    fn tracestate_only_with_a_valid_traceparent() {
        let good = format!("00-{TID}-{SID}-01");
        let sc = extract(&[
            ("traceparent", good.as_bytes()),
            ("tracestate", b"foo=1,bar=2"),
            ("TraceState", b"baz=3"),
        ]);
        assert_eq!(sc.trace_state().header(), "foo=1,bar=2,baz=3");
        let sc = extract(&[
            ("traceparent", good.as_bytes()),
            ("tracestate", b"foo=1"),
            ("tracestate", b"foo=2"),
        ]);
        assert!(sc.is_valid());
        assert_eq!(
            sc.trace_state().header(),
            "foo=1",
            "a duplicate keeps the first"
        );
        assert!(!extract(&[("tracestate", b"foo=1")]).is_valid());
        assert!(!extract(&[("traceparent", b"garbage"), ("tracestate", b"foo=1")]).is_valid());
        let sc = extract(&[
            ("traceparent", good.as_bytes()),
            ("tracestate", b""),
            ("tracestate", b"foo=1"),
        ]);
        assert_eq!(sc.trace_state().get("foo"), Some("1"));
    }

    #[test]
    fn injects_version_00_and_tracestate() {
        let sc = SpanContext::new(
            TraceId::from_hex(TID).unwrap(),
            SpanId::from_hex(SID).unwrap(),
            TraceFlags::new(0x07),
            false,
            "a=1,b=2".parse().unwrap(),
        );
        let mut h = HeaderMap::new();
        TraceContextPropagator::new().inject_context(
            &Context::new().with_remote_span_context(sc),
            &mut HeaderInjector(&mut h),
        );
        assert_eq!(h.get("traceparent").unwrap(), &format!("00-{TID}-{SID}-03"));
        assert_eq!(h.get("tracestate").unwrap(), "a=1,b=2");
    }

    /// Extracts `traceparent` / `tracestate`, starts an SDK span as the child of what was
    /// extracted (or, with `new_trace`, a root of another trace in the same context), and
    /// returns the headers injected for that span.
    fn through_a_child(traceparent: &str, tracestate: &str, new_trace: bool) -> HeaderMap {
        let cx = child_context(traceparent, tracestate, new_trace);
        let mut out = HeaderMap::new();
        TraceContextPropagator::new().inject_context(&cx, &mut HeaderInjector(&mut out));
        out
    }

    /// The context of an SDK span started as [`through_a_child`] describes.
    fn child_context(traceparent: &str, tracestate: &str, new_trace: bool) -> Context {
        use opentelemetry::trace::{Tracer, TracerProvider};
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let tracer = provider.tracer("test");
        let mut h = HeaderMap::new();
        h.insert("traceparent", traceparent.parse().unwrap());
        h.insert("tracestate", tracestate.parse().unwrap());
        let p = TraceContextPropagator::new();
        let cx = p.extract_with_context(&Context::new(), &HeaderExtractor(&h));
        let parent = if new_trace {
            Context::new()
        } else {
            cx.clone()
        };
        let child = tracer.start_with_context("child", &parent);
        cx.with_span(child)
    }

    /// What a `traceresponse` naming the server span would say.
    #[test]
    fn format_traceparent_in_keeps_the_callers_random_flag() {
        let cx = child_context(&format!("00-{TID}-{SID}-02"), "a=1", false);
        let own = format_traceparent(cx.span().span_context()).unwrap();
        assert!(own.ends_with("-00"), "the SDK's child lost it: {own}");
        let sent = format_traceparent_in(&cx).unwrap();
        assert_eq!(&sent[..53], &own[..53]);
        assert!(sent.ends_with("-02"), "{sent}");
    }

    /// Level 2: "If the flag is set in the incoming traceparent header, it MUST also be set
    /// in all outgoing traceparent headers which use the same trace-id" (the test suite's
    /// `test_propagates_random_flag` sends `...-02`); the SDK's child span context drops it.
    #[test]
    fn random_flag_reaches_the_injection_of_a_child_span() {
        for (incoming, outgoing) in [("02", "02"), ("03", "03"), ("01", "01"), ("00", "00")] {
            let out = through_a_child(&format!("00-{TID}-{SID}-{incoming}"), "a=1", false);
            let tp = out["traceparent"].to_str().unwrap();
            assert!(tp.starts_with(&format!("00-{TID}-")), "{tp}");
            assert_ne!(&tp[36..52], SID, "a new parent-id: {tp}");
            assert!(tp.ends_with(&format!("-{outgoing}")), "{incoming} -> {tp}");
        }
        // Another trace in the same context does not inherit the flag.
        let out = through_a_child(&format!("00-{TID}-{SID}-03"), "a=1", true);
        let tp = out["traceparent"].to_str().unwrap();
        assert!(!tp.contains(TID) && tp.ends_with("-01"), "{tp}");
    }

    /// Keys the draft allows and the API's `TraceState` refuses still reach the next hop.
    #[test]
    fn the_full_tracestate_reaches_the_injection_of_a_child_span() {
        let list = "foo@@bar=1,foo@=2,bar=3,bar=4";
        let out = through_a_child(&format!("00-{TID}-{SID}-01"), list, false);
        assert_eq!(out["tracestate"], "foo@@bar=1,foo@=2,bar=3");
        let out = through_a_child(&format!("00-{TID}-{SID}-01"), list, true);
        assert!(out.get("tracestate").is_none(), "not for another trace");
    }

    #[test]
    fn injects_nothing_for_an_invalid_context() {
        let mut h = HeaderMap::new();
        TraceContextPropagator::new().inject_context(&Context::new(), &mut HeaderInjector(&mut h));
        assert!(h.is_empty());
        assert_eq!(
            TraceContextPropagator::new().fields().collect::<Vec<_>>(),
            ["traceparent", "tracestate"]
        );
    }
}
