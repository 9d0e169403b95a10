//! The propagator chosen by `OTEL_PROPAGATORS`.

use opentelemetry::Context;
use opentelemetry::propagation::{
    Extractor, Injector, TextMapPropagator, text_map_propagator::FieldIter,
};
use std::fmt;
use std::str::FromStr;

use super::b3::{B3Encoding, B3Propagator};
use super::baggage::BaggagePropagator;
use super::jaeger::JaegerPropagator;
use super::trace_context::TraceContextPropagator;
use super::xray::XRayPropagator;

/// The environment variable that selects propagators.
pub const OTEL_PROPAGATORS: &str = "OTEL_PROPAGATORS";
/// Its value when unset or empty, as the OpenTelemetry specification defines.
pub const DEFAULT_PROPAGATORS: &str = "tracecontext,baggage";

/// One value of `OTEL_PROPAGATORS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PropagatorKind {
    /// `tracecontext`: W3C Trace Context.
    TraceContext,
    /// `baggage`: W3C Baggage.
    Baggage,
    /// `b3`: B3 single header.
    B3,
    /// `b3multi`: B3 multi header.
    B3Multi,
    /// `jaeger`: Jaeger `uber-trace-id` and `uberctx-*`.
    Jaeger,
    /// `xray`: AWS X-Ray `X-Amzn-Trace-Id`.
    XRay,
    /// `none`: no propagation.
    None,
}

const KINDS: [(&str, PropagatorKind); 7] = [
    ("tracecontext", PropagatorKind::TraceContext),
    ("baggage", PropagatorKind::Baggage),
    ("b3", PropagatorKind::B3),
    ("b3multi", PropagatorKind::B3Multi),
    ("jaeger", PropagatorKind::Jaeger),
    ("xray", PropagatorKind::XRay),
    ("none", PropagatorKind::None),
];

impl PropagatorKind {
    /// The name used in `OTEL_PROPAGATORS`.
    pub fn name(self) -> &'static str {
        KINDS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("none", |(n, _)| n)
    }

    fn build(self) -> Option<Box<dyn TextMapPropagator + Send + Sync>> {
        Some(match self {
            PropagatorKind::TraceContext => Box::new(TraceContextPropagator::new()),
            PropagatorKind::Baggage => Box::new(BaggagePropagator::new()),
            PropagatorKind::B3 => Box::new(B3Propagator::with_encoding(B3Encoding::Single)),
            PropagatorKind::B3Multi => Box::new(B3Propagator::with_encoding(B3Encoding::Multi)),
            PropagatorKind::Jaeger => Box::new(JaegerPropagator::new()),
            PropagatorKind::XRay => Box::new(XRayPropagator::new()),
            PropagatorKind::None => return None,
        })
    }
}

impl fmt::Display for PropagatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PropagatorKind {
    type Err = PropagatorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        KINDS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, k)| *k)
            .ok_or_else(|| PropagatorError::Unknown {
                value: s.to_owned(),
                name: name.to_owned(),
            })
    }
}

/// Why `OTEL_PROPAGATORS` could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PropagatorError {
    /// The list names a propagator baton does not know.
    Unknown {
        /// The whole value of the variable.
        value: String,
        /// The name that is not known.
        name: String,
    },
    /// The variable is set but is not valid Unicode.
    NotUnicode,
}

impl fmt::Display for PropagatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropagatorError::Unknown { value, name } => {
                let known: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
                write!(
                    f,
                    "{OTEL_PROPAGATORS}={value:?}: unknown propagator {name:?}; expected a comma-separated list of {}",
                    known.join(", ")
                )
            }
            PropagatorError::NotUnicode => write!(f, "{OTEL_PROPAGATORS} is not valid Unicode"),
        }
    }
}

impl std::error::Error for PropagatorError {}

/// Several propagators used as one: extraction runs them in order, each seeing the context
/// the previous one returned (so a later format wins when two carry a span context), and
/// injection writes every format.
///
/// ```
/// use baton_core::propagation::{CompositePropagator, PropagatorKind};
/// use opentelemetry::propagation::TextMapPropagator;
///
/// let p = CompositePropagator::parse("tracecontext, baggage, b3, tracecontext").unwrap();
/// assert_eq!(p.kinds(), [PropagatorKind::TraceContext, PropagatorKind::Baggage, PropagatorKind::B3]);
/// assert_eq!(p.fields().collect::<Vec<_>>(), ["traceparent", "tracestate", "baggage", "b3"]);
///
/// let err = CompositePropagator::parse("tracecontext,w3c").unwrap_err();
/// assert!(err.to_string().starts_with(r#"OTEL_PROPAGATORS="tracecontext,w3c": unknown propagator "w3c""#));
/// ```
#[derive(Debug)]
pub struct CompositePropagator {
    kinds: Vec<PropagatorKind>,
    parts: Vec<Box<dyn TextMapPropagator + Send + Sync>>,
    fields: Vec<String>,
}

impl CompositePropagator {
    /// The propagators named by `OTEL_PROPAGATORS`, or `tracecontext,baggage` when it is
    /// unset or empty.
    pub fn from_env() -> Result<Self, PropagatorError> {
        match std::env::var(OTEL_PROPAGATORS) {
            Ok(value) => Self::parse(&value),
            Err(std::env::VarError::NotPresent) => Self::parse(DEFAULT_PROPAGATORS),
            Err(std::env::VarError::NotUnicode(_)) => Err(PropagatorError::NotUnicode),
        }
    }

    /// Parses a list in `OTEL_PROPAGATORS` syntax: comma-separated names, case-insensitive,
    /// duplicates removed (first occurrence kept), `none` contributing nothing. An empty list
    /// means the default.
    pub fn parse(list: &str) -> Result<Self, PropagatorError> {
        let list = if list.trim().is_empty() {
            DEFAULT_PROPAGATORS
        } else {
            list
        };
        let mut kinds = Vec::new();
        for name in list.split(',').filter(|n| !n.trim().is_empty()) {
            let kind = name.parse::<PropagatorKind>().map_err(|e| match e {
                PropagatorError::Unknown { name, .. } => PropagatorError::Unknown {
                    value: list.to_owned(),
                    name,
                },
                other => other,
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        Ok(Self::new(kinds))
    }

    /// The given propagators, in order, without duplicates.
    pub fn new(kinds: impl IntoIterator<Item = PropagatorKind>) -> Self {
        let mut unique: Vec<PropagatorKind> = Vec::new();
        for kind in kinds {
            if !unique.contains(&kind) {
                unique.push(kind);
            }
        }
        unique.retain(|k| *k != PropagatorKind::None);
        let parts: Vec<_> = unique.iter().filter_map(|k| k.build()).collect();
        let mut fields: Vec<String> = Vec::new();
        for field in parts.iter().flat_map(|p| p.fields()) {
            if !fields.iter().any(|f| f == field) {
                fields.push(field.to_owned());
            }
        }
        CompositePropagator {
            kinds: unique,
            parts,
            fields,
        }
    }

    /// The propagators in use, in order (empty for `none`).
    pub fn kinds(&self) -> &[PropagatorKind] {
        &self.kinds
    }
}

impl Default for CompositePropagator {
    fn default() -> Self {
        Self::new([PropagatorKind::TraceContext, PropagatorKind::Baggage])
    }
}

impl TextMapPropagator for CompositePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        for p in &self.parts {
            p.inject_context(cx, injector);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        match self.parts.as_slice() {
            [] => cx.clone(),
            [first, rest @ ..] => rest
                .iter()
                .fold(first.extract_with_context(cx, extractor), |cx, p| {
                    p.extract_with_context(&cx, extractor)
                }),
        }
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::new(&self.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::carrier::{HeaderExtractor, HeaderInjector};
    use opentelemetry::baggage::BaggageExt;
    use opentelemetry::trace::TraceContextExt;

    #[test]
    fn default_and_empty_mean_tracecontext_baggage() {
        for list in ["", "  ", DEFAULT_PROPAGATORS] {
            assert_eq!(
                CompositePropagator::parse(list).unwrap().kinds(),
                [PropagatorKind::TraceContext, PropagatorKind::Baggage]
            );
        }
        assert_eq!(
            CompositePropagator::default().kinds(),
            [PropagatorKind::TraceContext, PropagatorKind::Baggage]
        );
    }

    #[test]
    fn names_are_case_insensitive_trimmed_and_deduplicated() {
        let p = CompositePropagator::parse(" B3Multi ,Jaeger,xray,b3multi,,").unwrap();
        assert_eq!(
            p.kinds(),
            [
                PropagatorKind::B3Multi,
                PropagatorKind::Jaeger,
                PropagatorKind::XRay
            ]
        );
    }

    #[test]
    fn none_propagates_nothing() {
        let p = CompositePropagator::parse("none").unwrap();
        assert!(p.kinds().is_empty());
        assert_eq!(p.fields().count(), 0);
        let mut h = http::HeaderMap::new();
        h.insert(
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                .parse()
                .unwrap(),
        );
        assert!(
            !p.extract_with_context(&Context::new(), &HeaderExtractor(&h))
                .has_active_span()
        );
    }

    #[test]
    fn unknown_name_is_an_error_naming_it() {
        let err = CompositePropagator::parse("tracecontext, ottrace").unwrap_err();
        assert_eq!(
            err,
            PropagatorError::Unknown {
                value: "tracecontext, ottrace".into(),
                name: "ottrace".into()
            }
        );
        let msg = err.to_string();
        assert!(
            msg.contains("OTEL_PROPAGATORS")
                && msg.contains("\"ottrace\"")
                && msg.contains("b3multi"),
            "{msg}"
        );
    }

    #[test]
    fn later_format_wins_and_all_are_injected() {
        let p = CompositePropagator::parse("tracecontext,b3,baggage").unwrap();
        let mut h = http::HeaderMap::new();
        h.insert(
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                .parse()
                .unwrap(),
        );
        h.insert(
            "b3",
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"
                .parse()
                .unwrap(),
        );
        h.insert("baggage", "k=v".parse().unwrap());
        let cx = p.extract_with_context(&Context::new(), &HeaderExtractor(&h));
        assert_eq!(
            cx.span().span_context().trace_id().to_string(),
            "80f198ee56343ba864fe8b2a57d3eff7"
        );
        assert_eq!(cx.baggage().get("k").map(|v| v.as_str()), Some("v"));
        let mut out = http::HeaderMap::new();
        p.inject_context(&cx, &mut HeaderInjector(&mut out));
        assert_eq!(
            out["traceparent"],
            "00-80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-01"
        );
        assert_eq!(
            out["b3"],
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"
        );
        assert_eq!(out["baggage"], "k=v");
    }
}
