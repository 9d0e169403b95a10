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

mod metrics;
mod spans;

pub use metrics::{MetricCollector, MetricPoint, Metrics, PointValue};
pub use spans::{SpanCollector, SpanView, Spans};

use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanProcessor};
use std::time::{Duration, Instant};

/// A tracer provider and a meter provider that keep everything in memory.
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
    /// Adds a span processor (ahead of the collector).
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

    /// Waits (up to `timeout`) until at least `n` spans have ended, and returns them; panics
    /// naming what did end if they do not.
    pub fn wait_for_spans(&self, n: usize, timeout: Duration) -> Spans {
        let deadline = Instant::now() + timeout;
        loop {
            let spans = self.spans();
            if spans.len() >= n {
                return spans;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} spans within {timeout:?}, got {}: {:?}",
                spans.len(),
                spans.names()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Collects the metrics now and returns their latest points.
    pub fn metrics(&self) -> Metrics {
        let _ = self.meter_provider.force_flush();
        self.metrics.metrics()
    }

    /// Forgets the spans collected so far.
    pub fn clear_spans(&self) {
        self.spans.clear();
    }
}
