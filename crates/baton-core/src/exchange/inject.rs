//! What a client may inject.

use opentelemetry::Context;
use opentelemetry::baggage::{Baggage, BaggageExt};

/// The context a client injects into a request: the span's, the span's without baggage,
/// the baggage alone, or nothing, as the caller's host predicates allow.
///
/// ```
/// use baton_core::exchange::injection_context;
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
