//! Jaeger propagation: `uber-trace-id` and `uberctx-*` baggage headers
//! (<https://www.jaegertracing.io/docs/1.x/client-libraries/#propagation-format>).

use opentelemetry::Context;
use opentelemetry::baggage::BaggageExt;
use opentelemetry::propagation::{
    Extractor, Injector, TextMapPropagator, text_map_propagator::FieldIter,
};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use std::borrow::Cow;
use std::sync::OnceLock;

use super::baggage::{is_token, merge};
use super::debug::{is_debug, with_remote};
use super::hex::{self, Case};
use super::percent::{form_decode, percent_decode, percent_encode};

const HEADER: &str = "uber-trace-id";
const BAGGAGE_PREFIX: &str = "uberctx-";
const FLAG_SAMPLED: u8 = 0x01;
const FLAG_DEBUG: u8 = 0x02;

/// Propagates span context and baggage in Jaeger's native format.
///
/// `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}`. Ids shorter than 32 / 16
/// hex digits are left-padded with zeros, either letter case is accepted, and a URL-encoded
/// value (`%3A` for `:`) is decoded first. Flag `0x02` (debug) implies sampled and is kept.
/// Baggage travels one `uberctx-{key}` header per entry, URL-encoded (read as form data, as
/// jaeger-client libraries write it: `+` is a space; sent with `%20` and `%2B`, which both
/// decoders read alike); injection sends only
/// keys that are valid lowercase header names. The deprecated parent span id is sent as `0`.
///
/// ```
/// use baton_core::propagation::{HeaderExtractor, JaegerPropagator};
/// use opentelemetry::baggage::BaggageExt;
/// use opentelemetry::propagation::TextMapPropagator;
/// use opentelemetry::trace::TraceContextExt;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("uber-trace-id", "abc%3Adef%3A0%3A1".parse().unwrap());
/// headers.insert("uberctx-tenant", "acme%20corp".parse().unwrap());
/// let cx = JaegerPropagator::new().extract(&HeaderExtractor(&headers));
/// assert_eq!(cx.span().span_context().trace_id().to_string(), "00000000000000000000000000000abc");
/// assert_eq!(cx.baggage().get("tenant").map(|v| v.as_str()), Some("acme corp"));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct JaegerPropagator {
    _private: (),
}

impl JaegerPropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        JaegerPropagator { _private: () }
    }
}

fn parse(value: &str) -> Option<(SpanContext, bool)> {
    let value: Cow<'_, str> = if value.contains(':') {
        Cow::Borrowed(value)
    } else {
        percent_decode(value)
    };
    let mut parts = value.trim_matches(|c| c == ' ' || c == '\t').split(':');
    let (Some(t), Some(s), Some(_parent), Some(f), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let trace_id = hex::decode_u128(t.as_bytes(), Case::Any).filter(|&t| t != 0)?;
    let span_id = hex::decode_u64(s.as_bytes(), Case::Any).filter(|&s| s != 0)?;
    let flags = match f.len() {
        1 => hex::decode_u8(&[b'0', f.as_bytes()[0]], Case::Any)?,
        _ => hex::decode_u8(f.as_bytes(), Case::Any)?,
    };
    let debug = flags & FLAG_DEBUG != 0;
    let sampled = debug || flags & FLAG_SAMPLED != 0;
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::NOT_SAMPLED
    };
    Some((
        SpanContext::new(
            TraceId::from(trace_id),
            SpanId::from(span_id),
            flags,
            true,
            TraceState::NONE,
        ),
        debug,
    ))
}

impl TextMapPropagator for JaegerPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if sc.is_valid() {
            let flags = if is_debug(cx) {
                "3"
            } else if sc.is_sampled() {
                "1"
            } else {
                "0"
            };
            let mut v = String::with_capacity(53);
            hex::push_hex(&mut v, u128::from_be_bytes(sc.trace_id().to_bytes()), 32);
            v.push(':');
            hex::push_hex(
                &mut v,
                u128::from(u64::from_be_bytes(sc.span_id().to_bytes())),
                16,
            );
            v.push_str(":0:");
            v.push_str(flags);
            injector.set(HEADER, v);
        }
        for (key, (value, _)) in cx.baggage() {
            let key = key.as_str();
            if is_token(key) && !key.bytes().any(|b| b.is_ascii_uppercase()) {
                injector.set(
                    &format!("{BAGGAGE_PREFIX}{key}"),
                    percent_encode(value.as_str()).into_owned(),
                );
            }
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let cx = match extractor.get(HEADER).and_then(parse) {
            Some((sc, debug)) => with_remote(cx, sc, debug),
            None => cx.clone(),
        };
        let entries: Vec<(String, String, String)> = extractor
            .keys()
            .into_iter()
            .filter_map(|name| {
                let key = name
                    .get(..BAGGAGE_PREFIX.len())
                    .filter(|p| p.eq_ignore_ascii_case(BAGGAGE_PREFIX))
                    .map(|_| &name[BAGGAGE_PREFIX.len()..])?;
                let value = extractor.get(name)?;
                (!key.is_empty()).then(|| {
                    (
                        key.to_ascii_lowercase(),
                        // jaeger-client peers encode values as form data (`+` for a space).
                        form_decode(value.trim()).into_owned(),
                        String::new(),
                    )
                })
            })
            .collect();
        merge(&cx, entries)
    }

    fn fields(&self) -> FieldIter<'_> {
        static FIELDS: OnceLock<[String; 1]> = OnceLock::new();
        FieldIter::new(FIELDS.get_or_init(|| [HEADER.to_owned()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::carrier::{HeaderExtractor, HeaderInjector};
    use http::HeaderMap;
    use opentelemetry::KeyValue;

    fn extract(pairs: &[(&str, &str)]) -> Context {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        JaegerPropagator::new().extract_with_context(&Context::new(), &HeaderExtractor(&h))
    }

    fn sc(cx: &Context) -> SpanContext {
        cx.span().span_context().clone()
    }

    #[test]
    fn full_and_short_ids() {
        let cx = extract(&[(
            "uber-trace-id",
            "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1",
        )]);
        assert_eq!(
            sc(&cx).trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(sc(&cx).span_id().to_string(), "00f067aa0ba902b7");
        assert!(sc(&cx).is_sampled() && !is_debug(&cx));
        let cx = extract(&[(
            "uber-trace-id",
            "A3CE929D0E0E4736:F067AA0BA902B7:53995c3f42cd8ad8:0",
        )]);
        assert_eq!(
            sc(&cx).trace_id().to_string(),
            "0000000000000000a3ce929d0e0e4736"
        );
        assert_eq!(sc(&cx).span_id().to_string(), "00f067aa0ba902b7");
        assert!(!sc(&cx).is_sampled());
    }

    #[test]
    fn debug_implies_sampled_and_url_encoding_is_accepted() {
        let cx = extract(&[("uber-trace-id", "1%3A2%3A0%3A02")]);
        assert!(sc(&cx).is_sampled() && is_debug(&cx));
        assert_eq!(sc(&cx).span_id().to_string(), "0000000000000002");
    }

    #[test]
    fn invalid_forms() {
        for bad in [
            "",
            "1:2:0",
            "1:2:0:1:5",
            "0:2:0:1",
            "1:0:0:1",
            "1:2:0:123",
            "1:2:0:x",
            &format!("{}:2:0:1", "1".repeat(33)),
            "1:11111111111111111:0:1",
            "1%3A2",
        ] {
            assert!(
                !sc(&extract(&[("uber-trace-id", bad)])).is_valid(),
                "accepted {bad:?}"
            );
        }
    }

    #[test]
    fn baggage_both_ways() {
        let cx = extract(&[
            ("uber-trace-id", "1:2:0:1"),
            ("uberctx-user-id", "Am%C3%A9lie"),
            ("UberCtx-Plan", "gold"),
        ]);
        assert_eq!(
            cx.baggage().get("user-id").map(|v| v.as_str()),
            Some("Amélie")
        );
        assert_eq!(cx.baggage().get("plan").map(|v| v.as_str()), Some("gold"));

        let cx = cx.with_baggage(vec![
            KeyValue::new("k", "a b"),
            KeyValue::new("Upper", "x"),
            KeyValue::new("bad key", "x"),
        ]);
        let mut h = HeaderMap::new();
        JaegerPropagator::new().inject_context(&cx, &mut HeaderInjector(&mut h));
        assert_eq!(
            h["uber-trace-id"],
            "00000000000000000000000000000001:0000000000000002:0:1"
        );
        assert_eq!(h["uberctx-k"], "a%20b");
        assert_eq!(h.len(), 2);
    }

    /// jaeger-client libraries encode baggage values as form data (Go's
    /// `url.QueryEscape`, Java's `URLEncoder`): a space is `+`, a literal `+` is `%2B`.
    #[test]
    fn baggage_from_jaeger_clients_decodes_plus_as_space() {
        let cx = extract(&[
            ("uber-trace-id", "1:2:0:1"),
            ("uberctx-tenant", "acme+corp"),
            ("uberctx-sum", "1%2B1+%3D+2"),
            ("uberctx-name", "Am%C3%A9lie+D"),
        ]);
        let get = |k: &str| cx.baggage().get(k).map(|v| v.as_str().to_owned());
        assert_eq!(get("tenant").as_deref(), Some("acme corp"));
        assert_eq!(get("sum").as_deref(), Some("1+1 = 2"));
        assert_eq!(get("name").as_deref(), Some("Amélie D"));
        // And back: a space goes as %20, a plus as %2B, so a form decoder reads the same.
        let mut h = HeaderMap::new();
        JaegerPropagator::new().inject_context(&cx, &mut HeaderInjector(&mut h));
        assert_eq!(h["uberctx-sum"], "1%2B1%20=%202");
    }
}
