//! AWS X-Ray propagation: the `X-Amzn-Trace-Id` header.

use opentelemetry::Context;
use opentelemetry::propagation::{
    Extractor, Injector, TextMapPropagator, text_map_propagator::FieldIter,
};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use std::sync::OnceLock;

use super::hex::{self, Case};

const HEADER: &str = "x-amzn-trace-id";

/// Propagates span context in AWS X-Ray's format:
/// `X-Amzn-Trace-Id: Root=1-{8 hex time}-{24 hex};Parent={16 hex};Sampled={0|1}`.
///
/// Fields may come in any order and unknown ones (`Lineage`, `Self`) are ignored. A missing
/// or deferred (`?`) `Sampled` reads as not sampled.
///
/// ```
/// use baton_core::propagation::{HeaderExtractor, XRayPropagator};
/// use opentelemetry::propagation::TextMapPropagator;
/// use opentelemetry::trace::TraceContextExt;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".parse().unwrap());
/// let cx = XRayPropagator::new().extract(&HeaderExtractor(&headers));
/// assert_eq!(cx.span().span_context().trace_id().to_string(), "5759e988bd862e3fe1be46a994272793");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct XRayPropagator {
    _private: (),
}

impl XRayPropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        XRayPropagator { _private: () }
    }
}

fn parse(value: &str) -> Option<SpanContext> {
    let (mut root, mut parent, mut sampled) = (None, None, false);
    for field in value.split(';') {
        let (k, v) = field.trim().split_once('=')?;
        match k {
            "Root" => {
                let v = v.as_bytes();
                if v.len() != 35 || &v[..2] != b"1-" || v[10] != b'-' {
                    return None;
                }
                let time = hex::decode_u128(&v[2..10], Case::Any)?;
                let random = hex::decode_u128(&v[11..35], Case::Any)?;
                root = Some((time << 96) | random).filter(|&t| t != 0);
            }
            "Parent" if v.len() == 16 => {
                parent = hex::decode_u64(v.as_bytes(), Case::Any).filter(|&s| s != 0)
            }
            "Sampled" => sampled = v == "1",
            _ => {}
        }
    }
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::NOT_SAMPLED
    };
    Some(SpanContext::new(
        TraceId::from(root?),
        SpanId::from(parent?),
        flags,
        true,
        TraceState::NONE,
    ))
}

impl TextMapPropagator for XRayPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        let trace = u128::from_be_bytes(sc.trace_id().to_bytes());
        let mut v = String::with_capacity(72);
        v.push_str("Root=1-");
        hex::push_hex(&mut v, trace >> 96, 8);
        v.push('-');
        hex::push_hex(&mut v, trace, 24);
        v.push_str(";Parent=");
        hex::push_hex(
            &mut v,
            u128::from(u64::from_be_bytes(sc.span_id().to_bytes())),
            16,
        );
        v.push_str(if sc.is_sampled() {
            ";Sampled=1"
        } else {
            ";Sampled=0"
        });
        injector.set(HEADER, v);
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        match extractor.get(HEADER).and_then(parse) {
            Some(sc) => cx.with_remote_span_context(sc),
            None => cx.clone(),
        }
    }

    fn fields(&self) -> FieldIter<'_> {
        static FIELDS: OnceLock<[String; 1]> = OnceLock::new();
        FieldIter::new(FIELDS.get_or_init(|| [HEADER.to_owned()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_in_any_order() {
        let sc = parse("Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793").unwrap();
        assert!(sc.is_sampled());
        assert_eq!(sc.span_id().to_string(), "53995c3f42cd8ad8");
        assert!(
            !parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?")
                .unwrap()
                .is_sampled()
        );
    }

    #[test]
    fn rejects_invalid_values() {
        for bad in [
            "Root=1-5759e988-bd862e3fe1be46a994272793",
            "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
            "Root=1-5759e988-bd862e3fe1be46a99427279;Parent=53995c3f42cd8ad8",
            "Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000",
            "garbage",
            "",
        ] {
            assert!(parse(bad).is_none(), "accepted {bad:?}");
        }
    }

    #[test]
    fn round_trips() {
        let value = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        let cx = Context::new().with_remote_span_context(parse(value).unwrap());
        let mut h = http::HeaderMap::new();
        XRayPropagator::new().inject_context(
            &cx,
            &mut crate::propagation::carrier::HeaderInjector(&mut h),
        );
        assert_eq!(h[HEADER], value);
    }
}
