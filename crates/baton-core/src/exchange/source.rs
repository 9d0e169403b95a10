//! Where a layer takes its tracer, meter and propagator from: a *source* that is either
//! **given** (a provider or propagator passed to the layer's builder) or **global** (the
//! `opentelemetry::global` one, looked up when it is first needed, so a layer built before
//! the SDK is installed still records). The three sources are [`GlobalTracer`] (the global
//! arm of a layer's tracer type parameter; a given provider's tracer is the other),
//! [`PropagatorSource`] and [`MetricsSource`](super::MetricsSource), each with a `global`
//! and a `given` constructor.

use http::HeaderMap;
use opentelemetry::Context;
use opentelemetry::global::{self, BoxedSpan, BoxedTracer};
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanBuilder, Tracer};
use std::sync::{Arc, OnceLock};

use super::inject::injection_context;
use crate::propagation::{HeaderExtractor, HeaderInjector, remove_propagation_headers};

/// The instrumentation scope of baton's spans and metrics.
pub fn scope() -> opentelemetry::InstrumentationScope {
    opentelemetry::InstrumentationScope::builder("baton")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}

/// The global tracer provider's tracer, looked up when the first span starts rather than
/// when the layer is built, so a layer built before the SDK is installed still exports.
/// It is the default tracer type of every layer; `tracer_provider(&provider)` replaces it
/// with the given provider's tracer. Whether that provider's sampler is declared
/// parent-based ([`declare_global_sampler_parent_based`](super::declare_global_sampler_parent_based))
/// is read at the same moment and kept with it: a later declaration, made for another
/// provider, does not apply to the one this tracer holds.
#[derive(Clone, Debug, Default)]
pub struct GlobalTracer {
    cell: Arc<OnceLock<Global>>,
}

#[derive(Debug)]
struct Global {
    tracer: BoxedTracer,
    parent_based: bool,
}

impl GlobalTracer {
    fn global(&self) -> &Global {
        self.cell.get_or_init(|| {
            // The declaration first: `baton::init` withdraws it before it replaces the
            // provider and makes it after, so a tracer taken in between is never declared.
            let parent_based = super::sampling::global_sampler_parent_based();
            Global {
                tracer: global::tracer_with_scope(scope()),
                parent_based,
            }
        })
    }

    /// Whether the sampler of the provider this tracer holds was declared parent-based when
    /// the tracer was taken (at its first use).
    pub(super) fn parent_based(&self) -> bool {
        self.global().parent_based
    }
}

impl Tracer for GlobalTracer {
    type Span = BoxedSpan;

    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> BoxedSpan {
        self.global().tracer.build_with_context(builder, parent_cx)
    }
}

/// The propagator a layer uses: one it was [given](Self::given), or the
/// [global](Self::global) one, read at each call so that
/// `opentelemetry::global::set_text_map_propagator` after the layer was built applies.
#[derive(Clone, Default)]
pub struct PropagatorSource(Option<Arc<dyn TextMapPropagator + Send + Sync>>);

impl std::fmt::Debug for PropagatorSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "PropagatorSource::Given"
        } else {
            "PropagatorSource::Global"
        })
    }
}

impl PropagatorSource {
    /// The global propagator, read at each call (the default).
    pub fn global() -> Self {
        PropagatorSource(None)
    }

    /// Always this propagator.
    pub fn given(propagator: impl TextMapPropagator + Send + Sync + 'static) -> Self {
        PropagatorSource(Some(Arc::new(propagator)))
    }

    /// The caller's context from request headers, on top of the current context.
    ///
    /// ```
    /// use baton_core::exchange::PropagatorSource;
    /// use baton_core::propagation::TraceContextPropagator;
    /// use opentelemetry::trace::TraceContextExt;
    ///
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse().unwrap());
    /// let cx = PropagatorSource::given(TraceContextPropagator::new()).extract(&headers);
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
    /// permits of `cx` into outgoing headers, after removing from them the trace headers
    /// (every format) or baggage that decision refuses. Deciding first lets a layer read the host
    /// from the request and then write its headers without copying the host.
    ///
    /// ```
    /// use baton_core::exchange::{PropagationPolicy, PropagatorSource};
    /// use baton_core::propagation::TraceContextPropagator;
    /// use opentelemetry::Context;
    ///
    /// let mut policy = PropagationPolicy::default();
    /// policy.trace_to(|host: &str| host.ends_with(".internal"));
    /// let mut headers = http::HeaderMap::new();
    /// let allowed = policy.allows("api.partner.example");
    /// PropagatorSource::given(TraceContextPropagator::new()).inject_allowed(allowed, &Context::new(), &mut headers);
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
        } else {
            // Nor may headers already on the request (copied from an incoming one) go.
            remove_propagation_headers(headers, !trace_ok, !baggage_ok);
            if let Some(outgoing) = injection_context(cx, trace_ok, baggage_ok) {
                self.inject(&outgoing, headers);
            }
        }
    }
}
