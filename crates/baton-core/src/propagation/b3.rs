//! B3 propagation, single (`b3`) and multi (`X-B3-*`) header
//! (<https://github.com/openzipkin/b3-propagation>).

use opentelemetry::Context;
use opentelemetry::propagation::{
    Extractor, Injector, TextMapPropagator, text_map_propagator::FieldIter,
};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use std::sync::OnceLock;

use super::debug::{deny, is_debug, with_remote};
use super::hex::{self, Case};
use super::trace_context::trim_ows;

const B3: &str = "b3";
const TRACE_ID: &str = "x-b3-traceid";
const SPAN_ID: &str = "x-b3-spanid";
const SAMPLED: &str = "x-b3-sampled";
const FLAGS: &str = "x-b3-flags";

/// Which B3 headers [`B3Propagator`] writes. Extraction always reads both forms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum B3Encoding {
    /// The single `b3` header (the default, and what `OTEL_PROPAGATORS=b3` means).
    #[default]
    Single,
    /// The `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled` / `X-B3-Flags` headers
    /// (`OTEL_PROPAGATORS=b3multi`).
    Multi,
    /// Both, for peers of either kind.
    SingleAndMulti,
}

/// Propagates span context in Zipkin's B3 format.
///
/// Extraction reads the single `b3` header first and the multi headers when it is absent or
/// invalid. 64-bit trace ids are left-padded to 128 bits. The debug flag (`d`, `X-B3-Flags: 1`)
/// implies sampled and is kept (see [`is_debug`](super::is_debug)), so injection sends it on.
/// A bare deny (`b3: 0`, or `X-B3-Sampled: 0` without ids) yields an unsampled remote parent,
/// so a parent-based sampler drops the trace here and downstream. A bare `1` or `d` without
/// ids cannot be expressed as a parent and is ignored. Absent sampling state ("defer") reads
/// as not sampled, as in the other OpenTelemetry implementations. `ParentSpanId` is never
/// sent.
///
/// ```
/// use baton_core::propagation::{B3Encoding, B3Propagator, HeaderExtractor, HeaderInjector};
/// use opentelemetry::propagation::TextMapPropagator;
///
/// let mut incoming = http::HeaderMap::new();
/// incoming.insert("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90".parse().unwrap());
/// let cx = B3Propagator::new().extract(&HeaderExtractor(&incoming));
///
/// let mut outgoing = http::HeaderMap::new();
/// B3Propagator::with_encoding(B3Encoding::Multi).inject_context(&cx, &mut HeaderInjector(&mut outgoing));
/// assert_eq!(outgoing["x-b3-traceid"], "80f198ee56343ba864fe8b2a57d3eff7");
/// assert_eq!(outgoing["x-b3-sampled"], "1");
/// assert!(!outgoing.contains_key("x-b3-parentspanid"));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct B3Propagator {
    encoding: B3Encoding,
}

impl B3Propagator {
    /// Single-header injection.
    pub const fn new() -> Self {
        B3Propagator {
            encoding: B3Encoding::Single,
        }
    }

    /// Injection in the given encoding.
    pub const fn with_encoding(encoding: B3Encoding) -> Self {
        B3Propagator { encoding }
    }

    /// The encoding used for injection.
    pub const fn encoding(&self) -> B3Encoding {
        self.encoding
    }
}

/// What a header said: a full context, a sampling decision without ids, or nothing usable.
enum Found {
    Context(SpanContext, bool),
    Deny,
    Nothing,
}

fn trace_id(s: &[u8]) -> Option<TraceId> {
    if s.len() != 16 && s.len() != 32 {
        return None;
    }
    hex::decode_u128(s, Case::Lower)
        .filter(|&t| t != 0)
        .map(TraceId::from)
}

fn span_id(s: &[u8]) -> Option<SpanId> {
    if s.len() != 16 {
        return None;
    }
    hex::decode_u64(s, Case::Lower)
        .filter(|&s| s != 0)
        .map(SpanId::from)
}

fn remote(trace_id: TraceId, span_id: SpanId, sampled: bool) -> SpanContext {
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::NOT_SAMPLED
    };
    SpanContext::new(trace_id, span_id, flags, true, TraceState::NONE)
}

fn single(value: &str) -> Found {
    let v = trim_ows(value.as_bytes());
    match v {
        b"0" => return Found::Deny,
        b"1" | b"d" => return Found::Nothing,
        _ => {}
    }
    let mut parts = v.split(|&b| b == b'-');
    let (Some(t), Some(s)) = (parts.next(), parts.next()) else {
        return Found::Nothing;
    };
    let (Some(t), Some(s)) = (trace_id(t), span_id(s)) else {
        return Found::Nothing;
    };
    let (sampled, debug) = match parts.next() {
        None => (false, false),
        Some(b"1") => (true, false),
        Some(b"0") => (false, false),
        Some(b"d") => (true, true),
        Some(_) => return Found::Nothing,
    };
    match (parts.next(), parts.next()) {
        (None, _) => {}
        (Some(parent), None) if span_id(parent).is_some() => {}
        _ => return Found::Nothing,
    }
    Found::Context(remote(t, s, sampled), debug)
}

fn multi(extractor: &dyn Extractor) -> Found {
    let get = |k| extractor.get(k).map(|v| trim_ows(v.as_bytes()));
    let debug = get(FLAGS) == Some(b"1");
    let sampled = match get(SAMPLED) {
        None => None,
        Some(b"1" | b"true") => Some(true),
        Some(b"0" | b"false") => Some(false),
        Some(_) => return Found::Nothing,
    };
    match (get(TRACE_ID), get(SPAN_ID)) {
        (Some(t), Some(s)) => match (trace_id(t), span_id(s)) {
            (Some(t), Some(s)) => {
                Found::Context(remote(t, s, debug || sampled == Some(true)), debug)
            }
            _ => Found::Nothing,
        },
        (None, None) if sampled == Some(false) && !debug => Found::Deny,
        _ => Found::Nothing,
    }
}

impl TextMapPropagator for B3Propagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        let debug = is_debug(cx);
        let trace = u128::from_be_bytes(sc.trace_id().to_bytes());
        let span_id = u128::from(u64::from_be_bytes(sc.span_id().to_bytes()));
        if self.encoding != B3Encoding::Multi {
            let mut v = String::with_capacity(51);
            hex::push_hex(&mut v, trace, 32);
            v.push('-');
            hex::push_hex(&mut v, span_id, 16);
            v.push_str(if debug {
                "-d"
            } else if sc.is_sampled() {
                "-1"
            } else {
                "-0"
            });
            injector.set(B3, v);
        }
        if self.encoding != B3Encoding::Single {
            let mut t = String::with_capacity(32);
            hex::push_hex(&mut t, trace, 32);
            let mut s = String::with_capacity(16);
            hex::push_hex(&mut s, span_id, 16);
            injector.set(TRACE_ID, t);
            injector.set(SPAN_ID, s);
            if debug {
                injector.set(FLAGS, "1".into());
            } else {
                injector.set(SAMPLED, if sc.is_sampled() { "1" } else { "0" }.into());
            }
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let found = match extractor.get(B3).map(single) {
            Some(found @ (Found::Context(..) | Found::Deny)) => found,
            _ => multi(extractor),
        };
        match found {
            Found::Context(sc, debug) => with_remote(cx, sc, debug),
            Found::Deny => deny(cx),
            Found::Nothing => cx.clone(),
        }
    }

    fn fields(&self) -> FieldIter<'_> {
        static SINGLE: OnceLock<Vec<String>> = OnceLock::new();
        static MULTI: OnceLock<Vec<String>> = OnceLock::new();
        static BOTH: OnceLock<Vec<String>> = OnceLock::new();
        let (cell, names): (_, &[&str]) = match self.encoding {
            B3Encoding::Single => (&SINGLE, &[B3]),
            B3Encoding::Multi => (&MULTI, &[TRACE_ID, SPAN_ID, SAMPLED, FLAGS]),
            B3Encoding::SingleAndMulti => (&BOTH, &[B3, TRACE_ID, SPAN_ID, SAMPLED, FLAGS]),
        };
        FieldIter::new(cell.get_or_init(|| names.iter().map(|n| (*n).to_owned()).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::carrier::{HeaderExtractor, HeaderInjector};
    use http::HeaderMap;

    const T128: &str = "80f198ee56343ba864fe8b2a57d3eff7";
    const T64: &str = "a3ce929d0e0e4736";
    const S: &str = "e457b5a2e4d86bd1";
    const P: &str = "05e3ac9a4f6e3b90";

    fn extract(pairs: &[(&str, &str)]) -> Context {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        B3Propagator::new().extract_with_context(&Context::new(), &HeaderExtractor(&h))
    }

    fn sc(cx: &Context) -> SpanContext {
        cx.span().span_context().clone()
    }

    #[test]
    fn single_header_forms() {
        let cx = extract(&[("b3", &format!("{T128}-{S}-1-{P}"))]);
        assert_eq!(sc(&cx).trace_id().to_string(), T128);
        assert_eq!(sc(&cx).span_id().to_string(), S);
        assert!(sc(&cx).is_sampled() && sc(&cx).is_remote() && !is_debug(&cx));
        assert!(!sc(&extract(&[("b3", &format!("{T128}-{S}-0"))])).is_sampled());
        let deferred = sc(&extract(&[("b3", &format!("{T128}-{S}"))]));
        assert!(deferred.is_valid() && !deferred.is_sampled());
        let debug = extract(&[("b3", &format!("{T128}-{S}-d"))]);
        assert!(sc(&debug).is_sampled() && is_debug(&debug));
        let short = sc(&extract(&[("b3", &format!("{T64}-{S}-1"))]));
        assert_eq!(
            short.trace_id().to_string(),
            format!("0000000000000000{T64}")
        );
    }

    #[test]
    fn single_header_invalid_forms() {
        for bad in [
            format!("{}-{S}-1", T128.to_uppercase()),
            format!("{T128}-{}-1", &S[..15]),
            format!("{}-{S}-1", &T128[..31]),
            format!("{T128}-{S}-2"),
            format!("{T128}-{S}-1-{P}-extra"),
            format!("{T128}-{S}-1-xyz"),
            format!("00000000000000000000000000000000-{S}-1"),
            format!("{T128}-0000000000000000-1"),
            "garbage".into(),
            String::new(),
        ] {
            assert!(
                !sc(&extract(&[("b3", &bad)])).is_valid(),
                "accepted {bad:?}"
            );
        }
    }

    #[test]
    fn deny_without_ids_yields_an_unsampled_parent() {
        for cx in [extract(&[("b3", "0")]), extract(&[("x-b3-sampled", "0")])] {
            assert!(sc(&cx).is_valid() && !sc(&cx).is_sampled());
        }
        assert!(!sc(&extract(&[("b3", "1")])).is_valid());
        assert!(!sc(&extract(&[("b3", "d")])).is_valid());
    }

    #[test]
    fn multi_header_forms() {
        let cx = extract(&[
            ("X-B3-TraceId", T128),
            ("X-B3-SpanId", S),
            ("X-B3-ParentSpanId", P),
            ("X-B3-Sampled", "1"),
        ]);
        assert!(sc(&cx).is_sampled());
        assert_eq!(sc(&cx).trace_id().to_string(), T128);
        assert!(
            sc(&extract(&[
                ("X-B3-TraceId", T64),
                ("X-B3-SpanId", S),
                ("X-B3-Sampled", "true")
            ]))
            .is_sampled()
        );
        assert!(
            !sc(&extract(&[
                ("X-B3-TraceId", T128),
                ("X-B3-SpanId", S),
                ("X-B3-Sampled", "false")
            ]))
            .is_sampled()
        );
        let debug = extract(&[
            ("X-B3-TraceId", T128),
            ("X-B3-SpanId", S),
            ("X-B3-Flags", "1"),
        ]);
        assert!(sc(&debug).is_sampled() && is_debug(&debug));
        assert!(
            !sc(&extract(&[
                ("X-B3-TraceId", T128),
                ("X-B3-SpanId", S),
                ("X-B3-Sampled", "yes")
            ]))
            .is_valid()
        );
        assert!(!sc(&extract(&[("X-B3-TraceId", T128)])).is_valid());
    }

    #[test]
    fn single_wins_over_multi_and_invalid_single_falls_back() {
        let other = "11111111111111111111111111111111";
        let cx = extract(&[
            ("b3", &format!("{T128}-{S}-1")),
            ("X-B3-TraceId", other),
            ("X-B3-SpanId", S),
        ]);
        assert_eq!(sc(&cx).trace_id().to_string(), T128);
        let cx = extract(&[("b3", "junk"), ("X-B3-TraceId", other), ("X-B3-SpanId", S)]);
        assert_eq!(sc(&cx).trace_id().to_string(), other);
    }

    #[test]
    fn inject_single_multi_and_debug() {
        let cx = extract(&[("b3", &format!("{T64}-{S}-d-{P}"))]);
        let mut h = HeaderMap::new();
        B3Propagator::with_encoding(B3Encoding::SingleAndMulti)
            .inject_context(&cx, &mut HeaderInjector(&mut h));
        assert_eq!(h["b3"], format!("0000000000000000{T64}-{S}-d").as_str());
        assert_eq!(h["x-b3-flags"], "1");
        assert!(!h.contains_key("x-b3-sampled") && !h.contains_key("x-b3-parentspanid"));

        let cx = extract(&[("b3", &format!("{T128}-{S}-0"))]);
        let mut h = HeaderMap::new();
        B3Propagator::with_encoding(B3Encoding::Multi)
            .inject_context(&cx, &mut HeaderInjector(&mut h));
        assert_eq!(h["x-b3-sampled"], "0");
        assert_eq!(h["x-b3-spanid"], S);
        assert!(!h.contains_key("b3"));

        let mut h = HeaderMap::new();
        B3Propagator::new().inject_context(&Context::new(), &mut HeaderInjector(&mut h));
        assert!(h.is_empty());
    }
}
