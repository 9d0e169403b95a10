//! Collecting finished spans, and finding and asserting on them.

use opentelemetry::Value;
use opentelemetry::trace::{SpanId, SpanKind, Status, TraceId};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use std::sync::{Arc, Mutex, PoisonError};

/// A span exporter that keeps spans in memory; clones share them.
/// [`TestTelemetry`](super::TestTelemetry) uses one; use it alone to collect behind your own
/// processor.
///
/// ```
/// use baton_sdk::testing::SpanCollector;
/// use opentelemetry::trace::{Tracer, TracerProvider};
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let collector = SpanCollector::default();
/// let provider = SdkTracerProvider::builder()
///     .with_simple_exporter(collector.clone())
///     .build();
/// provider.tracer("test").in_span("work", |_| {});
/// assert_eq!(collector.spans().names(), ["work"]);
/// collector.clear();
/// assert!(collector.spans().is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct SpanCollector {
    spans: Arc<Mutex<Vec<SpanData>>>,
}

impl SpanCollector {
    /// The spans collected so far.
    pub fn spans(&self) -> Spans {
        Spans(
            self.spans
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }

    /// Forgets them.
    pub fn clear(&self) {
        self.spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl SpanExporter for SpanCollector {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(batch);
        Ok(())
    }
}

/// A snapshot of finished spans, with finders that panic with a useful message when nothing
/// (or more than one span) matches.
///
/// ```
/// use baton_sdk::testing::TestTelemetry;
/// use opentelemetry::KeyValue;
/// use opentelemetry::trace::{SpanKind, Tracer, TracerProvider};
///
/// let telemetry = TestTelemetry::new();
/// let tracer = telemetry.tracer_provider().tracer("test");
/// tracer.in_span("GET /users", |_| {
///     tracer
///         .span_builder("SELECT users")
///         .with_kind(SpanKind::Client)
///         .with_attributes([KeyValue::new("db.system.name", "postgresql")])
///         .start(&tracer);
/// });
///
/// let spans = telemetry.spans();
/// assert_eq!(spans.names(), ["SELECT users", "GET /users"]);
/// let parent = spans.named("GET /users");
/// let query = spans.find("of the database", |s| s.attr("db.system.name").is_some());
/// assert_eq!(spans.children_of(&parent).len(), 1);
/// assert_eq!(spans.of_kind(SpanKind::Client).len(), 1);
/// assert_eq!(spans.with_attr("db.system.name", "postgresql").len(), 1);
/// assert_eq!(spans.in_trace(parent.trace_id()).len(), 2);
/// query.assert_child_of(&parent);
/// ```
#[derive(Clone, Debug)]
pub struct Spans(Vec<SpanData>);

impl Spans {
    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Their names, in the order they ended.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|s| s.name.to_string()).collect()
    }

    /// All of them.
    pub fn all(&self) -> Vec<SpanView<'_>> {
        self.0.iter().map(SpanView).collect()
    }

    /// Those matching `pred`.
    pub fn filter(&self, pred: impl Fn(&SpanView<'_>) -> bool) -> Vec<SpanView<'_>> {
        self.0.iter().map(SpanView).filter(|s| pred(s)).collect()
    }

    /// The one span matching `pred`; panics if there is none or several.
    pub fn find(&self, what: &str, pred: impl Fn(&SpanView<'_>) -> bool) -> SpanView<'_> {
        let found = self.filter(pred);
        match found.as_slice() {
            [one] => *one,
            [] => panic!("no span {what} among {:?}", self.names()),
            many => panic!(
                "{} spans {what}: {:?}",
                many.len(),
                many.iter().map(|s| s.name()).collect::<Vec<_>>()
            ),
        }
    }

    /// The one span with this name.
    pub fn named(&self, name: &str) -> SpanView<'_> {
        self.find(&format!("named {name:?}"), |s| s.name() == name)
    }

    /// Spans of this kind.
    pub fn of_kind(&self, kind: SpanKind) -> Vec<SpanView<'_>> {
        self.filter(|s| s.data().span_kind == kind)
    }

    /// Spans with this attribute value.
    pub fn with_attr(&self, key: &str, value: impl Into<Value>) -> Vec<SpanView<'_>> {
        let value = value.into();
        self.filter(|s| s.attr(key).as_ref() == Some(&value))
    }

    /// Spans of this trace.
    pub fn in_trace(&self, trace_id: TraceId) -> Vec<SpanView<'_>> {
        self.filter(|s| s.trace_id() == trace_id)
    }

    /// The children of `parent`.
    pub fn children_of(&self, parent: &SpanView<'_>) -> Vec<SpanView<'_>> {
        let id = parent.span_id();
        self.filter(|s| s.data().parent_span_id == id)
    }
}

/// One finished span, with assertions that name the span when they fail and return it,
/// so they chain.
///
/// ```
/// use baton_sdk::testing::TestTelemetry;
/// use opentelemetry::KeyValue;
/// use opentelemetry::trace::{Span, SpanKind, Status, Tracer, TracerProvider};
///
/// let telemetry = TestTelemetry::new();
/// let tracer = telemetry.tracer_provider().tracer("test");
/// let mut span = tracer
///     .span_builder("GET /users/{id}")
///     .with_kind(SpanKind::Server)
///     .with_attributes([KeyValue::new("http.response.status_code", 500)])
///     .start(&tracer);
/// span.set_status(Status::error("boom"));
/// span.end();
///
/// telemetry
///     .spans()
///     .named("GET /users/{id}")
///     .assert_kind(SpanKind::Server)
///     .assert_attr("http.response.status_code", 500)
///     .assert_error();
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SpanView<'a>(&'a SpanData);

impl<'a> SpanView<'a> {
    /// The SDK's record of it.
    pub fn data(&self) -> &'a SpanData {
        self.0
    }

    /// Its name.
    pub fn name(&self) -> &'a str {
        &self.0.name
    }

    /// Its trace id.
    pub fn trace_id(&self) -> TraceId {
        self.0.span_context.trace_id()
    }

    /// Its span id.
    pub fn span_id(&self) -> SpanId {
        self.0.span_context.span_id()
    }

    /// Its parent's span id (`SpanId::INVALID` for a root).
    pub fn parent_id(&self) -> SpanId {
        self.0.parent_span_id
    }

    /// An attribute's value.
    pub fn attr(&self, key: &str) -> Option<Value> {
        self.0
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
    }

    /// Panics unless the attribute has this value.
    pub fn assert_attr(&self, key: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        assert_eq!(
            self.attr(key).as_ref(),
            Some(&value),
            "attribute {key} of span {:?}",
            self.name()
        );
        *self
    }

    /// Panics unless the span is `parent`'s child in the same trace.
    pub fn assert_child_of(&self, parent: &SpanView<'_>) -> Self {
        assert_eq!(
            self.trace_id(),
            parent.trace_id(),
            "{:?} is not in {:?}'s trace",
            self.name(),
            parent.name()
        );
        assert_eq!(
            self.parent_id(),
            parent.span_id(),
            "{:?} is not a child of {:?}",
            self.name(),
            parent.name()
        );
        *self
    }

    /// Panics unless the span's status is an error.
    pub fn assert_error(&self) -> Self {
        assert!(
            matches!(self.0.status, Status::Error { .. }),
            "span {:?} has status {:?}",
            self.name(),
            self.0.status
        );
        *self
    }

    /// Panics unless the span's kind is `kind`.
    pub fn assert_kind(&self, kind: SpanKind) -> Self {
        assert_eq!(self.0.span_kind, kind, "kind of span {:?}", self.name());
        *self
    }
}
