//! What the W3C Trace Context extractor keeps in the [`Context`], next to the remote span,
//! for the trace it continues: what OpenTelemetry API 0.33 span contexts lose on the way to
//! the outgoing calls. The SDK builds a child's flags from its sampling decision alone, so
//! Level 2's `random-trace-id` flag does not survive the server span; and the API's
//! `TraceState` refuses keys the current draft allows (`foo@@bar`), so they would not be
//! sent on. The injector looks the record up for the span it injects, by trace id. An
//! unsampled root that baton starts with trace ids declared random gets one too
//! ([`local_roots`](super::local_roots)): the SDK gives its unsampled children no flags.

use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, TraceId, TraceState};
use std::sync::Arc;

/// The trace a `traceparent` continued: its id, whether the caller set `random-trace-id`,
/// and the received `tracestate` in full when the API's could not hold all of it.
#[derive(Clone, Debug)]
pub(crate) struct ContinuedTrace {
    trace_id: TraceId,
    pub(crate) random: bool,
    /// The API's `TraceState` as extracted: the full list stands for it only while a span
    /// still carries exactly this state (nobody changed it since).
    state: TraceState,
    full: Option<Arc<str>>,
}

impl ContinuedTrace {
    /// `cx` with the record of the trace `sc` continues, when there is something the span
    /// context cannot carry itself (otherwise `cx` unchanged, at no cost).
    pub(crate) fn attach(
        cx: Context,
        sc: &SpanContext,
        random: bool,
        full: Option<String>,
    ) -> Context {
        if !random && full.is_none() {
            return cx;
        }
        cx.with_value(ContinuedTrace {
            trace_id: sc.trace_id(),
            random,
            state: sc.trace_state().clone(),
            full: full.map(Arc::from),
        })
    }

    /// The record in `cx` for the trace of `sc`, if `cx` holds one.
    pub(crate) fn of<'a>(cx: &'a Context, sc: &SpanContext) -> Option<&'a ContinuedTrace> {
        cx.get::<ContinuedTrace>()
            .filter(|c| c.trace_id == sc.trace_id())
    }

    /// The full received list, while `sc` carries the state extracted with it.
    pub(crate) fn full_tracestate(&self, sc: &SpanContext) -> Option<&str> {
        self.full
            .as_deref()
            .filter(|_| self.state == *sc.trace_state())
    }
}
