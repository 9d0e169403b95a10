//! Capture spans and metrics in-process and assert on them, for your own tests; baton's
//! tests use it too.
//!
//! ```
//! use baton_sdk::testing::TestTelemetry;
//! use opentelemetry::trace::{Tracer, TracerProvider};
//!
//! let telemetry = TestTelemetry::new();
//! let tracer = telemetry.tracer_provider().tracer("test");
//! tracer.in_span("parent", |_| tracer.in_span("child", |_| {}));
//!
//! let spans = telemetry.spans();
//! spans.named("child").assert_child_of(&spans.named("parent"));
//! ```
//!
//! Spans end, and metrics are recorded, when the code under test gets to it: often after a
//! test's client already has its answer. So the kit waits, bounded: blocking
//! ([`TestTelemetry::wait_for_spans`]) in plain tests, and without blocking the thread
//! ([`TestTelemetry::spans_eventually`], [`TestTelemetry::metrics_eventually`],
//! [`eventually`]) in async ones. The async waits run on any executor and need no timer
//! from it.

mod metrics;
mod spans;
mod wait;

pub use metrics::{MetricCollector, MetricPoint, Metrics, PointValue};
pub use spans::{SpanCollector, SpanView, Spans};
pub use wait::eventually;

use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanProcessor};
use std::time::Duration;

/// A tracer provider and a meter provider that keep everything in memory.
///
/// Spans are exported as they end (a simple processor); metrics are collected when read
/// ([`TestTelemetry::metrics`]). Clones share what was collected.
#[derive(Clone, Debug)]
pub struct TestTelemetry {
    spans: SpanCollector,
    metrics: MetricCollector,
    tracer_provider: SdkTracerProvider,
    meter_provider: SdkMeterProvider,
}

/// Options for a [`TestTelemetry`].
#[derive(Default)]
pub struct TestTelemetryBuilder {
    processors: Vec<
        Box<
            dyn FnOnce(
                opentelemetry_sdk::trace::TracerProviderBuilder,
            ) -> opentelemetry_sdk::trace::TracerProviderBuilder,
        >,
    >,
}

impl std::fmt::Debug for TestTelemetryBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestTelemetryBuilder")
            .field("processors", &self.processors.len())
            .finish()
    }
}

impl TestTelemetryBuilder {
    /// Adds a span processor (ahead of the collector): what it does to a span as it ends
    /// is seen by the collector.
    ///
    /// ```
    /// use baton_sdk::testing::{SpanCollector, TestTelemetry};
    /// use opentelemetry::trace::{Tracer, TracerProvider};
    /// use opentelemetry_sdk::trace::SimpleSpanProcessor;
    ///
    /// let other = SpanCollector::default();
    /// let telemetry = TestTelemetry::builder()
    ///     .span_processor(SimpleSpanProcessor::new(other.clone()))
    ///     .build();
    /// telemetry.tracer_provider().tracer("test").in_span("work", |_| {});
    /// assert_eq!(telemetry.spans().len(), 1);
    /// assert_eq!(other.spans().len(), 1);
    /// ```
    pub fn span_processor(mut self, processor: impl SpanProcessor + 'static) -> Self {
        self.processors
            .push(Box::new(move |b| b.with_span_processor(processor)));
        self
    }

    /// The telemetry.
    pub fn build(self) -> TestTelemetry {
        let spans = SpanCollector::default();
        let metrics = MetricCollector::default();
        let mut builder = SdkTracerProvider::builder();
        for add in self.processors {
            builder = add(builder);
        }
        let tracer_provider = builder.with_simple_exporter(spans.clone()).build();
        let meter_provider = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(metrics.clone()).build())
            .build();
        TestTelemetry {
            spans,
            metrics,
            tracer_provider,
            meter_provider,
        }
    }
}

impl Default for TestTelemetry {
    fn default() -> Self {
        Self::new()
    }
}

impl TestTelemetry {
    /// Telemetry with no extra processors.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Options.
    pub fn builder() -> TestTelemetryBuilder {
        TestTelemetryBuilder::default()
    }

    /// The tracer provider: give it to the layers under test.
    pub fn tracer_provider(&self) -> &SdkTracerProvider {
        &self.tracer_provider
    }

    /// The meter provider: give it to the layers under test.
    pub fn meter_provider(&self) -> &SdkMeterProvider {
        &self.meter_provider
    }

    /// The spans that have ended so far.
    pub fn spans(&self) -> Spans {
        self.spans.spans()
    }

    /// Waits (up to `timeout`), blocking the thread, until at least `n` spans have ended,
    /// and returns them; panics naming what did end if they do not. For plain `#[test]`
    /// functions; async tests use [`TestTelemetry::spans_eventually`], which leaves the
    /// thread to the code under test.
    ///
    /// ```
    /// use baton_sdk::testing::TestTelemetry;
    /// use opentelemetry::trace::{Tracer, TracerProvider};
    /// use std::time::Duration;
    ///
    /// let telemetry = TestTelemetry::new();
    /// let tracer = telemetry.tracer_provider().tracer("test");
    /// std::thread::spawn(move || tracer.in_span("background", |_| {}));
    /// let spans = telemetry.wait_for_spans(1, Duration::from_secs(5));
    /// spans.named("background");
    /// ```
    #[track_caller]
    pub fn wait_for_spans(&self, n: usize, timeout: Duration) -> Spans {
        let found = wait::block_until(timeout, || self.spans_if_at_least(n));
        found.unwrap_or_else(|| self.no_spans_in_time(n, timeout))
    }

    /// Waits (up to `timeout`) without blocking the thread until at least `n` spans have
    /// ended, and returns them; panics naming what did end if they do not. It runs on any
    /// executor and needs no timer from it.
    ///
    /// ```
    /// use baton_sdk::testing::TestTelemetry;
    /// use opentelemetry::trace::{Tracer, TracerProvider};
    /// use std::time::Duration;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let telemetry = TestTelemetry::new();
    /// let tracer = telemetry.tracer_provider().tracer("test");
    /// std::thread::spawn(move || tracer.in_span("background", |_| {}));
    /// let spans = telemetry.spans_eventually(1, Duration::from_secs(5)).await;
    /// spans.named("background");
    /// # });
    /// ```
    pub async fn spans_eventually(&self, n: usize, timeout: Duration) -> Spans {
        let found = wait::poll_until(timeout, || self.spans_if_at_least(n)).await;
        found.unwrap_or_else(|| self.no_spans_in_time(n, timeout))
    }

    fn spans_if_at_least(&self, n: usize) -> Option<Spans> {
        Some(self.spans()).filter(|spans| spans.len() >= n)
    }

    #[track_caller]
    fn no_spans_in_time(&self, n: usize, timeout: Duration) -> ! {
        let spans = self.spans();
        panic!(
            "expected {n} spans within {timeout:?}, got {}: {:?}",
            spans.len(),
            spans.names()
        )
    }

    /// Collects the metrics now and returns their latest points.
    ///
    /// ```
    /// use baton_sdk::testing::TestTelemetry;
    /// use opentelemetry::metrics::MeterProvider;
    ///
    /// let telemetry = TestTelemetry::new();
    /// let counter = telemetry.meter_provider().meter("test").u64_counter("jobs").build();
    /// counter.add(2, &[]);
    /// assert_eq!(telemetry.metrics().total("jobs"), 2.0);
    /// ```
    pub fn metrics(&self) -> Metrics {
        let _ = self.meter_provider.force_flush();
        self.metrics.metrics()
    }

    /// Waits (up to `timeout`) without blocking the thread until the metrics, collected
    /// anew at each poll, satisfy `done`, and returns them; panics naming `what` (and
    /// showing the last points) if they never do. It runs on any executor and needs no
    /// timer from it.
    ///
    /// ```
    /// use baton_sdk::testing::TestTelemetry;
    /// use opentelemetry::metrics::MeterProvider;
    /// use std::time::Duration;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let telemetry = TestTelemetry::new();
    /// let counter = telemetry.meter_provider().meter("test").u64_counter("jobs").build();
    /// std::thread::spawn(move || counter.add(3, &[]));
    /// let metrics = telemetry
    ///     .metrics_eventually("3 jobs", Duration::from_secs(5), |m| m.total("jobs") == 3.0)
    ///     .await;
    /// assert_eq!(metrics.points("jobs").len(), 1);
    /// # });
    /// ```
    pub async fn metrics_eventually(
        &self,
        what: &str,
        timeout: Duration,
        mut done: impl FnMut(&Metrics) -> bool,
    ) -> Metrics {
        let found = wait::poll_until(timeout, || Some(self.metrics()).filter(|m| done(m))).await;
        found.unwrap_or_else(|| {
            panic!(
                "timed out after {timeout:?} waiting for {what}; the metrics: {:?}",
                self.metrics()
            )
        })
    }

    /// Forgets the spans collected so far.
    ///
    /// ```
    /// use baton_sdk::testing::TestTelemetry;
    /// use opentelemetry::trace::{Tracer, TracerProvider};
    ///
    /// let telemetry = TestTelemetry::new();
    /// telemetry.tracer_provider().tracer("test").in_span("warm-up", |_| {});
    /// telemetry.clear_spans();
    /// assert!(telemetry.spans().is_empty());
    /// ```
    pub fn clear_spans(&self) {
        self.spans.clear();
    }
}
