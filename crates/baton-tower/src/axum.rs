//! axum integration: the [`RequestTrace`] extractor.

use axum::extract::FromRequestParts;
use http::request::Parts;
use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, TraceContextExt, TraceId};
use std::convert::Infallible;

/// The trace of the current request, for handlers: its ids to log or return, and the
/// [`Context`] to pass to spawned work.
///
/// ```
/// use axum::{routing::get, Router};
/// use baton_tower::{axum::RequestTrace, server::ServerLayer};
///
/// async fn handler(trace: RequestTrace) -> String {
///     format!("trace {}", trace.trace_id())
/// }
///
/// let app: Router = Router::new().route("/", get(handler)).layer(ServerLayer::new());
/// ```
///
/// Without a [`ServerLayer`](crate::server::ServerLayer) it holds the current context.
#[derive(Clone, Debug)]
pub struct RequestTrace(Context);

impl RequestTrace {
    /// The trace id of the server span.
    pub fn trace_id(&self) -> TraceId {
        self.0.span().span_context().trace_id()
    }

    /// The span context of the server span. When the sampler dropped a request whose
    /// caller sent a valid trace context, no server span is kept and this is the caller's
    /// (same trace id, not sampled).
    pub fn span_context(&self) -> SpanContext {
        self.0.span().span_context().clone()
    }

    /// The whole context: attach it in spawned tasks so their spans join the trace.
    pub fn context(&self) -> &Context {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestTrace {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestTrace(
            parts
                .extensions
                .get::<Context>()
                .cloned()
                .unwrap_or_else(Context::current),
        ))
    }
}
