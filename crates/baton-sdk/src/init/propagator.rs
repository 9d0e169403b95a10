//! A propagator shared between the global slot and the [`Guard`](crate::Guard).

use std::sync::Arc;

use opentelemetry::Context;
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};

/// The propagator in use, shared.
pub(crate) type SharedPropagator = Arc<dyn TextMapPropagator + Send + Sync>;

/// Lets a shared propagator be installed globally while the guard keeps it too.
#[derive(Debug)]
pub(crate) struct GlobalPropagator(pub(crate) SharedPropagator);

impl TextMapPropagator for GlobalPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        self.0.inject_context(cx, injector);
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        self.0.extract_with_context(cx, extractor)
    }

    fn fields(&self) -> FieldIter<'_> {
        self.0.fields()
    }
}
