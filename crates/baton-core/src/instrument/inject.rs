//! What a client may inject.

use http::HeaderMap;
use opentelemetry::Context;
use opentelemetry::baggage::{Baggage, BaggageExt};
use opentelemetry::global;
use opentelemetry::propagation::TextMapPropagator;
use std::sync::Arc;

use crate::propagation::{HeaderExtractor, HeaderInjector};

/// The context a client injects into a request: the span's, the span's without baggage,
/// the baggage alone, or nothing, as the caller's host predicates allow.
///
/// ```
/// use baton_core::instrument::injection_context;
/// use opentelemetry::{baggage::BaggageExt, Context, KeyValue};
///
/// let cx = Context::new().with_baggage([KeyValue::new("tenant", "acme")]);
/// assert_eq!(injection_context(&cx, true, false).unwrap().baggage().len(), 0);
/// assert!(injection_context(&cx, false, false).is_none());
/// ```
pub fn injection_context(cx: &Context, trace_ok: bool, baggage_ok: bool) -> Option<Context> {
    match (trace_ok, baggage_ok) {
        (true, true) => Some(cx.clone()),
        (true, false) => Some(cx.with_cleared_baggage()),
        (false, true) => {
            let baggage: Baggage = cx
                .baggage()
                .iter()
                .map(|(k, (v, m))| (k.clone(), (v.clone(), m.clone())))
                .collect();
            Some(Context::new().with_baggage(baggage))
        }
        (false, false) => None,
    }
}

/// The propagator a layer uses: one it was given, or the global one, read at each call so
/// that `opentelemetry::global::set_text_map_propagator` after the layer was built applies.
#[derive(Clone, Default)]
pub struct PropagatorChoice(Option<Arc<dyn TextMapPropagator + Send + Sync>>);

impl std::fmt::Debug for PropagatorChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "PropagatorChoice::Given"
        } else {
            "PropagatorChoice::Global"
        })
    }
}

impl PropagatorChoice {
    /// Always this propagator.
    pub fn given(propagator: impl TextMapPropagator + Send + Sync + 'static) -> Self {
        PropagatorChoice(Some(Arc::new(propagator)))
    }

    /// The caller's context from request headers, on top of the current context.
    ///
    /// ```
    /// use baton_core::instrument::PropagatorChoice;
    /// use baton_core::propagation::TraceContextPropagator;
    /// use opentelemetry::trace::TraceContextExt;
    ///
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse().unwrap());
    /// let cx = PropagatorChoice::given(TraceContextPropagator::new()).extract(&headers);
    /// assert!(cx.span().span_context().is_remote());
    /// ```
    pub fn extract(&self, headers: &HeaderMap) -> Context {
        let base = Context::current();
        match &self.0 {
            Some(p) => p.extract_with_context(&base, &HeaderExtractor(headers)),
            None => global::get_text_map_propagator(|p| {
                p.extract_with_context(&base, &HeaderExtractor(headers))
            }),
        }
    }

    /// Writes `cx` into outgoing headers; a field that cannot be a header is skipped.
    pub fn inject(&self, cx: &Context, headers: &mut HeaderMap) {
        let mut injector = HeaderInjector(headers);
        match &self.0 {
            Some(p) => p.inject_context(cx, &mut injector),
            None => global::get_text_map_propagator(|p| p.inject_context(cx, &mut injector)),
        }
    }

    /// Writes what a [`PropagationPolicy::allows`](super::PropagationPolicy::allows) decision (trace headers, baggage)
    /// permits of `cx` into outgoing headers. Deciding first lets a layer read the host
    /// from the request and then write its headers without copying the host.
    ///
    /// ```
    /// use baton_core::instrument::{PropagationPolicy, PropagatorChoice};
    /// use baton_core::propagation::TraceContextPropagator;
    /// use opentelemetry::Context;
    ///
    /// let mut policy = PropagationPolicy::default();
    /// policy.trace_to(|host: &str| host.ends_with(".internal"));
    /// let mut headers = http::HeaderMap::new();
    /// let allowed = policy.allows("api.partner.example");
    /// PropagatorChoice::given(TraceContextPropagator::new()).inject_allowed(allowed, &Context::new(), &mut headers);
    /// assert!(headers.is_empty());
    /// ```
    pub fn inject_allowed(
        &self,
        (trace_ok, baggage_ok): (bool, bool),
        cx: &Context,
        headers: &mut HeaderMap,
    ) {
        if trace_ok && baggage_ok {
            // Everything may go: no need for a filtered copy of the context.
            self.inject(cx, headers);
        } else if let Some(outgoing) = injection_context(cx, trace_ok, baggage_ok) {
            self.inject(&outgoing, headers);
        }
    }
}
