//! The parts of the global subscriber a later `init` replaces in place. The subscriber
//! itself is set once per process and keeps its layers, because tracing-opentelemetry is
//! found through them (`OpenTelemetrySpanExt::set_parent`, `context()`): a layer swapped
//! wholesale (tracing-subscriber's `reload`) would hide it. What changes is behind a lock:
//! the tracer the spans are built with, the filter, and the event outputs.

use std::sync::{Arc, RwLock};

use opentelemetry::Context;
use opentelemetry::trace::{SpanBuilder, Tracer};
use opentelemetry_sdk::trace::SdkTracer;
use tracing::subscriber::Interest;
use tracing::{Metadata, Subscriber, span};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context as LayerContext, Filter, Layer};

use super::events::EventLayer;

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

/// A tracer that builds spans with whichever SDK tracer the latest `init` set.
#[derive(Clone, Debug)]
pub(crate) struct SwapTracer(Arc<RwLock<SdkTracer>>);

impl SwapTracer {
    pub(crate) fn new(tracer: SdkTracer) -> Self {
        SwapTracer(Arc::new(RwLock::new(tracer)))
    }

    pub(crate) fn set(&self, tracer: SdkTracer) {
        *write(&self.0) = tracer;
    }
}

impl Tracer for SwapTracer {
    type Span = opentelemetry_sdk::trace::Span;

    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> Self::Span {
        read(&self.0).build_with_context(builder, parent_cx)
    }
}

/// The event layer the latest `init` set.
#[derive(Clone, Debug)]
pub(crate) struct SwapEvents(Arc<RwLock<EventLayer>>);

impl SwapEvents {
    pub(crate) fn new(events: EventLayer) -> Self {
        SwapEvents(Arc::new(RwLock::new(events)))
    }

    pub(crate) fn set(&self, events: EventLayer) {
        *write(&self.0) = events;
    }
}

impl<S: Subscriber> Layer<S> for SwapEvents {
    fn on_event(&self, event: &tracing::Event<'_>, ctx: LayerContext<'_, S>) {
        read(&self.0).on_event(event, ctx);
    }
}

/// The filter the latest `init` set (callsites' interest is rebuilt when it changes).
#[derive(Clone, Debug)]
pub(crate) struct SwapFilter(Arc<RwLock<EnvFilter>>);

impl SwapFilter {
    pub(crate) fn new(filter: EnvFilter) -> Self {
        SwapFilter(Arc::new(RwLock::new(filter)))
    }

    pub(crate) fn set(&self, filter: EnvFilter) {
        *write(&self.0) = filter;
        tracing::callsite::rebuild_interest_cache();
    }

    pub(crate) fn max_level(&self) -> Option<LevelFilter> {
        <EnvFilter as Layer<tracing_subscriber::Registry>>::max_level_hint(&read(&self.0))
    }
}

impl<S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>> Filter<S>
    for SwapFilter
{
    fn enabled(&self, meta: &Metadata<'_>, cx: &LayerContext<'_, S>) -> bool {
        Filter::<S>::enabled(&*read(&self.0), meta, cx)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        Filter::<S>::callsite_enabled(&*read(&self.0), meta)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Filter::<S>::max_level_hint(&*read(&self.0))
    }

    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: LayerContext<'_, S>) {
        Filter::<S>::on_new_span(&*read(&self.0), attrs, id, ctx);
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: LayerContext<'_, S>) {
        Filter::<S>::on_record(&*read(&self.0), id, values, ctx);
    }

    fn on_enter(&self, id: &span::Id, ctx: LayerContext<'_, S>) {
        Filter::<S>::on_enter(&*read(&self.0), id, ctx);
    }

    fn on_exit(&self, id: &span::Id, ctx: LayerContext<'_, S>) {
        Filter::<S>::on_exit(&*read(&self.0), id, ctx);
    }

    fn on_close(&self, id: span::Id, ctx: LayerContext<'_, S>) {
        Filter::<S>::on_close(&*read(&self.0), id, ctx);
    }
}
