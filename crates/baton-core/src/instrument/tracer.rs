//! The tracer the layers use when they are not given a provider.

use opentelemetry::Context;
use opentelemetry::global::{self, BoxedSpan, BoxedTracer};
use opentelemetry::trace::{SpanBuilder, Tracer};
use std::sync::{Arc, OnceLock};

use super::scope;

/// The global tracer provider's tracer, looked up when the first span starts rather than
/// when the layer is built, so a layer built before the SDK is installed still exports.
#[derive(Clone, Debug, Default)]
pub struct GlobalTracer {
    cell: Arc<OnceLock<BoxedTracer>>,
}

impl Tracer for GlobalTracer {
    type Span = BoxedSpan;

    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> BoxedSpan {
        self.cell
            .get_or_init(|| global::tracer_with_scope(scope()))
            .build_with_context(builder, parent_cx)
    }
}
