//! The trace a log line belongs to: the span of the current OpenTelemetry context.
//!
//! Inside a request that is the server span baton's layer attached, or the innermost
//! `tracing` span (tracing-opentelemetry attaches each span's context while it is entered).
//! For an unsampled request continuing a caller it is the caller's span context (the
//! caller's trace id and span id); inside a `tracing` span of such a request, the trace id
//! is still the caller's and the span id that of the unrecorded local span. Either way the
//! line names the trace it belongs to.

use opentelemetry::Context;
use opentelemetry::trace::{SpanId, TraceContextExt, TraceFlags, TraceId};

/// The ids a log line carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ids {
    pub(crate) trace_id: TraceId,
    pub(crate) span_id: SpanId,
    pub(crate) flags: TraceFlags,
}

/// The ids of the current context's span, if it has a valid one.
pub(crate) fn current() -> Option<Ids> {
    Context::map_current(|cx| {
        let span = cx.span();
        let sc = span.span_context();
        sc.is_valid().then(|| Ids {
            trace_id: sc.trace_id(),
            span_id: sc.span_id(),
            flags: sc.trace_flags(),
        })
    })
}
