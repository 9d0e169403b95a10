//! W3C Trace Context Level 2's `random-trace-id` flag on the traces that start in this
//! process: the process-wide declaration that the trace ids generated here are random
//! ([`set_local_trace_ids_random`], off by default; `baton::init` turns it on), and how a
//! root span baton starts carries the flag.
//!
//! The SDK (0.33) builds a root span's flags from its sampling decision alone, so no span
//! context it generates says `random-trace-id`, whatever its id generator. With the
//! declaration on, a span baton starts as a root (a server span with no valid parent: no
//! `traceparent`, or a public endpoint; a client span outside any trace) goes into its
//! context wrapped, with the flag added to the span context the context holds. That copy
//! is what `cx.span().span_context()` returns, what the propagator and the
//! `traceresponse` / `server-timing` echo format, and what the SDK's sampled children
//! inherit (it keeps the parent's flags and sets the sampled bit). The wrapper costs no
//! allocation: the context boxes the span anyway. The SDK gives an *unsampled* child no
//! flags at all, so an unsampled root also gets the record the propagator already keeps
//! for a caller's flag (one `Context::with_value`), which reaches every injection for that
//! trace id through any spans started in between.

use opentelemetry::trace::{Span, SpanContext, Status, TraceContextExt};
use opentelemetry::{Context, KeyValue};
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use super::continued::ContinuedTrace;
use super::trace_context::RANDOM_TRACE_ID;

static LOCAL_TRACE_IDS_RANDOM: AtomicBool = AtomicBool::new(false);

/// Declares, for the whole process, whether the trace ids generated here are random in the
/// sense of W3C Trace Context Level 2 (at least the rightmost 7 bytes drawn at random), so
/// that the traces baton's layers start carry the `random-trace-id` flag (`0x02`) in every
/// `traceparent` they send (client calls, `traceresponse`, `server-timing`). Off by default.
///
/// `baton::init` turns it on: its tracer provider uses the SDK's `RandomIdGenerator`. An
/// application that sets up its own SDK turns it on only if its id generator is random
/// too; one that installs a non-random generator after `baton::init` turns it off.
///
/// What it covers: the trace ids generated for spans baton itself starts as roots — a
/// server span with no valid parent (no usable `traceparent`, or a public endpoint's new
/// trace) and a client span started outside any trace — and every span of those traces
/// after them. A trace continued from a caller keeps exactly the caller's flag, set or not.
/// A root span the application starts itself (with `Context::new()` as parent, say) does
/// not carry the flag: baton cannot tell whose id generator made its id.
///
/// ```
/// use baton_core::propagation::{local_trace_ids_random, set_local_trace_ids_random};
///
/// assert!(!local_trace_ids_random());
/// set_local_trace_ids_random(true);
/// assert!(local_trace_ids_random());
/// # set_local_trace_ids_random(false);
/// ```
pub fn set_local_trace_ids_random(random: bool) {
    LOCAL_TRACE_IDS_RANDOM.store(random, Ordering::Relaxed);
}

/// Whether [`set_local_trace_ids_random`] declared this process's trace ids random.
#[inline]
pub fn local_trace_ids_random() -> bool {
    LOCAL_TRACE_IDS_RANDOM.load(Ordering::Relaxed)
}

/// `parent` with `span`, started under it, as the current span: in place of
/// `parent.with_span(span)` for the spans baton starts. With the declaration off this is
/// exactly that (one relaxed load more).
pub(crate) fn with_span<S>(parent: &Context, span: S) -> Context
where
    S: Span + Send + Sync + 'static,
{
    if !local_trace_ids_random() {
        return parent.with_span(span);
    }
    with_span_declared(parent, span, true)
}

/// [`with_span`] with the declaration given: for a caller that read it before building
/// the span (the client exchange, so the span moves once), and for tests, which need not
/// touch the process-wide one.
#[inline(never)]
pub(crate) fn with_span_declared<S>(parent: &Context, span: S, declared: bool) -> Context
where
    S: Span + Send + Sync + 'static,
{
    if !claims_random(declared, parent, span.span_context()) {
        return parent.with_span(span);
    }
    let sc = span.span_context();
    let flagged = SpanContext::new(
        sc.trace_id(),
        sc.span_id(),
        sc.trace_flags() | RANDOM_TRACE_ID,
        sc.is_remote(),
        sc.trace_state().clone(),
    );
    let sampled = flagged.is_sampled();
    let cx = parent.with_span(RandomRoot {
        span,
        context: flagged,
    });
    if sampled {
        return cx;
    }
    let sc = cx.span().span_context().clone();
    ContinuedTrace::attach(cx, &sc, true, None)
}

/// Whether a span with context `sc`, started under `parent`, claims `random-trace-id`:
/// trace ids generated here are `declared` random, `parent` holds no valid span context
/// (so the tracer generated `sc`'s trace id, as the SDK does exactly then), `sc` is valid,
/// and does not say so already.
pub(crate) fn claims_random(declared: bool, parent: &Context, sc: &SpanContext) -> bool {
    declared
        && sc.is_valid()
        && sc.trace_flags() & RANDOM_TRACE_ID != RANDOM_TRACE_ID
        && !parent.span().span_context().is_valid()
}

/// A root span whose context says `random-trace-id`; everything else is the span's.
#[derive(Debug)]
struct RandomRoot<S> {
    span: S,
    context: SpanContext,
}

impl<S: Span> Span for RandomRoot<S> {
    fn add_event_with_timestamp<T>(
        &mut self,
        name: T,
        timestamp: SystemTime,
        attributes: Vec<KeyValue>,
    ) where
        T: Into<Cow<'static, str>>,
    {
        self.span
            .add_event_with_timestamp(name, timestamp, attributes);
    }

    fn span_context(&self) -> &SpanContext {
        &self.context
    }

    fn is_recording(&self) -> bool {
        self.span.is_recording()
    }

    fn set_attribute(&mut self, attribute: KeyValue) {
        self.span.set_attribute(attribute);
    }

    fn set_attributes(&mut self, attributes: impl IntoIterator<Item = KeyValue>) {
        self.span.set_attributes(attributes);
    }

    fn set_status(&mut self, status: Status) {
        self.span.set_status(status);
    }

    fn update_name<T>(&mut self, new_name: T)
    where
        T: Into<Cow<'static, str>>,
    {
        self.span.update_name(new_name);
    }

    fn add_link(&mut self, span_context: SpanContext, attributes: Vec<KeyValue>) {
        self.span.add_link(span_context, attributes);
    }

    fn end(&mut self) {
        self.span.end();
    }

    fn end_with_timestamp(&mut self, timestamp: SystemTime) {
        self.span.end_with_timestamp(timestamp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::tests::Collect;
    use crate::propagation::{HeaderExtractor, HeaderInjector, TraceContextPropagator};
    use opentelemetry::propagation::TextMapPropagator;
    use opentelemetry::trace::{SpanId, TraceFlags, TraceId, TraceState, Tracer, TracerProvider};
    use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};

    const TID: &str = "0af7651916cd43dd8448eb211c80319c";
    const SID: &str = "b7ad6b7169203331";

    fn provider(sampler: Sampler) -> (SdkTracerProvider, Collect) {
        let spans = Collect::default();
        let provider = SdkTracerProvider::builder()
            .with_sampler(sampler)
            .with_span_processor(spans.clone())
            .build();
        (provider, spans)
    }

    fn on() -> Sampler {
        Sampler::ParentBased(Box::new(Sampler::AlwaysOn))
    }

    fn off() -> Sampler {
        Sampler::ParentBased(Box::new(Sampler::AlwaysOff))
    }

    /// The `traceparent` the propagator injects for `cx`.
    fn injected(cx: &Context) -> String {
        let mut headers = http::HeaderMap::new();
        TraceContextPropagator::new().inject_context(cx, &mut HeaderInjector(&mut headers));
        headers["traceparent"].to_str().unwrap().to_owned()
    }

    fn flags_of(traceparent: &str) -> &str {
        &traceparent[53..]
    }

    /// The context a caller's `traceparent` gives a server.
    fn caller(flags: &str) -> Context {
        let mut headers = http::HeaderMap::new();
        let value = format!("00-{TID}-{SID}-{flags}");
        headers.insert("traceparent", value.parse().unwrap());
        TraceContextPropagator::new().extract(&HeaderExtractor(&headers))
    }

    /// A span started by `tracer` under `parent`, put in its context as the exchanges do.
    fn started(
        tracer: &impl Tracer<Span: Send + Sync + 'static>,
        parent: &Context,
        declared: bool,
    ) -> Context {
        with_span_declared(parent, tracer.start_with_context("root", parent), declared)
    }

    fn sc(flags: u8) -> SpanContext {
        SpanContext::new(
            TraceId::from_hex(TID).unwrap(),
            SpanId::from_hex(SID).unwrap(),
            TraceFlags::new(flags),
            true,
            TraceState::NONE,
        )
    }

    #[test]
    fn only_a_declared_root_with_a_valid_new_context_claims_the_flag() {
        let root = Context::new();
        let continued = Context::new().with_remote_span_context(sc(0x01));
        assert!(claims_random(true, &root, &sc(0x01)));
        assert!(claims_random(true, &root, &sc(0x00)));
        assert!(!claims_random(false, &root, &sc(0x01)), "not declared");
        assert!(
            !claims_random(true, &continued, &sc(0x01)),
            "the caller's id"
        );
        assert!(!claims_random(true, &root, &sc(0x03)), "says so already");
        assert!(
            !claims_random(true, &root, &SpanContext::empty_context()),
            "no span (a no-op tracer)"
        );
        // A parent that holds an invalid span context is no parent: the SDK generates.
        let invalid = Context::new().with_remote_span_context(SpanContext::empty_context());
        assert!(claims_random(true, &invalid, &sc(0x01)));
    }

    #[test]
    fn a_declared_sampled_root_and_its_sdk_children_send_the_flag() {
        let (provider, exporter) = provider(on());
        let tracer = provider.tracer("test");
        let cx = started(&tracer, &Context::new(), true);
        assert_eq!(cx.span().span_context().trace_flags().to_u8(), 0x03);
        let root = injected(&cx);
        assert_eq!(flags_of(&root), "03");
        // A child the SDK starts (a handler's span, a client span) inherits it.
        let child = cx.with_span(tracer.start_with_context("child", &cx));
        let sent = injected(&child);
        assert_eq!(&sent[..36], &root[..36], "same trace: {sent}");
        assert_eq!(flags_of(&sent), "03");
        // The wrapped span is the SDK's: attributes and the end reach the exporter, and
        // no record was added (the sampled path allocates nothing more).
        cx.span().set_attribute(KeyValue::new("k", "v"));
        assert!(cx.get::<ContinuedTrace>().is_none());
        child.span().end();
        cx.span().end();
        let spans = exporter.0.lock().unwrap();
        let root_span = spans.iter().find(|s| s.name == "root").unwrap();
        assert_eq!(root_span.attributes, [KeyValue::new("k", "v")]);
        let child_span = spans.iter().find(|s| s.name == "child").unwrap();
        assert_eq!(child_span.parent_span_id, root_span.span_context.span_id());
    }

    #[test]
    fn a_declared_unsampled_root_sends_the_flag_through_unsampled_children() {
        let (provider, _) = provider(off());
        let tracer = provider.tracer("test");
        let cx = started(&tracer, &Context::new(), true);
        assert_eq!(flags_of(&injected(&cx)), "02");
        // The SDK gives an unsampled child no flags; the record restores the one it lost.
        let child = cx.with_span(tracer.start_with_context("child", &cx));
        assert_eq!(child.span().span_context().trace_flags().to_u8(), 0x00);
        let grandchild = child.with_span(tracer.start_with_context("grandchild", &child));
        assert_eq!(flags_of(&injected(&grandchild)), "02");
        // Another trace started in that context (a fresh root of the application's) does
        // not inherit it.
        let other = cx.with_span(tracer.start_with_context("other", &Context::new()));
        assert_eq!(flags_of(&injected(&other)), "00");
    }

    #[test]
    fn undeclared_roots_and_continued_traces_keep_their_flags() {
        let (provider, _) = provider(on());
        let tracer = provider.tracer("test");
        assert_eq!(
            flags_of(&injected(&started(&tracer, &Context::new(), false))),
            "01"
        );
        let (unsampled, _) = self::provider(off());
        let unsampled = unsampled.tracer("test");
        assert_eq!(
            flags_of(&injected(&started(&unsampled, &Context::new(), false))),
            "00"
        );
        // A caller's trace, declared or not: exactly the caller's flag.
        for declared in [true, false] {
            for (incoming, tracer) in [
                ("01", &tracer),
                ("03", &tracer),
                ("00", &unsampled),
                ("02", &unsampled),
            ] {
                let cx = started(tracer, &caller(incoming), declared);
                let sent = injected(&cx);
                assert!(sent.starts_with(&format!("00-{TID}-")), "{sent}");
                assert_eq!(flags_of(&sent), incoming, "{declared}: {sent}");
            }
        }
    }

    #[test]
    fn a_declared_root_next_to_a_continued_trace_is_flagged_the_callers_is_not() {
        // A public endpoint: the server span is a new root (under `Context::new()`, the
        // caller only linked); the same caller trusted keeps its own flag.
        let (provider, _) = provider(on());
        let tracer = provider.tracer("test");
        let caller = caller("01");
        let cx = started(&tracer, &Context::new(), true);
        let sent = injected(&cx);
        assert!(!sent.contains(TID) && flags_of(&sent) == "03", "{sent}");
        assert_eq!(flags_of(&injected(&started(&tracer, &caller, true))), "01");
    }

    #[test]
    fn the_declaration_is_off_by_default() {
        // No test in this binary turns it on (the end-to-end tests that do run in their
        // own binaries).
        assert!(!local_trace_ids_random());
    }
}
