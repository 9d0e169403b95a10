//! [`BatchProcessor`]: the batch span processor [`init`](crate::init) installs in front of
//! every exporter, which counts and reports the spans it has to drop.
//!
//! It behaves as the specification's batching processor does, configured by the same
//! `OTEL_BSP_*` variables: ended spans wait in a bounded queue and a background thread
//! exports them in batches, when a batch is full or the schedule delay has passed. A span
//! that ends while the queue is full is dropped at once; the request that ended it never
//! waits for the exporter.
//!
//! What it adds to the SDK's own processor is that **losing spans is never silent**:
//!
//! - every drop is counted ([`QueueStats`], [`Guard::dropped_spans`](crate::Guard::dropped_spans));
//! - the export thread prints a warning on standard error at the first drop and then at
//!   most every 10 s, saying how many were dropped and which variable sizes the queue;
//! - [`Guard::shutdown`](crate::Guard::shutdown) returns an error that counts them;
//! - the SDK's own metrics, from the semantic conventions, are recorded on the guard's
//!   meter provider: `otel.sdk.processor.span.processed` (with `error.type=queue_full` for
//!   drops), `otel.sdk.processor.span.queue.size` and `otel.sdk.processor.span.queue.capacity`.
//!
//! Shutdown exports what is queued and gives up at its deadline, answering on time even
//! when the exporter hangs.
//!
//! It can also be used on its own, with any exporter and a tracer provider built by hand:
//!
//! ```
//! use baton_sdk::batch::{BatchOptions, BatchProcessor};
//! use opentelemetry::trace::{Tracer, TracerProvider};
//! use baton_sdk::testing::SpanCollector;
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//!
//! let exporter = SpanCollector::default();
//! let processor = BatchProcessor::new(exporter.clone(), BatchOptions::default().max_queue_size(4096));
//! let stats = processor.stats();
//! let provider = SdkTracerProvider::builder().with_span_processor(processor).build();
//! provider.tracer("app").in_span("work", |_cx| {});
//! provider.shutdown().unwrap();
//! assert_eq!(exporter.spans().names(), ["work"]);
//! assert_eq!((stats.exported(), stats.dropped()), (1, 0));
//! ```

pub(crate) mod block_on;
mod exports;
pub(crate) mod kind;
mod limit;
#[cfg(feature = "logs")]
mod logs;
mod metrics;
mod options;
mod queue;
mod stats;
mod warning;
mod worker;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};

use exports::SpanExports;
#[cfg(feature = "logs")]
pub use logs::LogBatchProcessor;
pub(crate) use metrics::register as register_metrics;
pub use options::{BatchOptions, DEFAULT_MAX_EXPORT_BYTES};
use queue::Queue;
pub use stats::QueueStats;
use warning::DropWarning;

/// A batching span processor that counts what it drops. See the [module docs](self).
pub struct BatchProcessor {
    queue: Queue<SpanData>,
}

impl fmt::Debug for BatchProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchProcessor")
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

impl BatchProcessor {
    /// A processor feeding `exporter` from its own thread (named `baton-batch`). A
    /// panicking exporter costs the batch it held (counted as a failed export, with a
    /// warning) and nothing more: the thread goes on. If the thread cannot be started,
    /// nothing drains the queue: spans are dropped and counted as if it were full.
    pub fn new<E: SpanExporter + 'static>(exporter: E, options: BatchOptions) -> Self {
        Self::with_warning(
            exporter,
            options,
            DropWarning::stderr(options.max_queue_size),
        )
    }

    fn with_warning<E: SpanExporter + 'static>(
        exporter: E,
        options: BatchOptions,
        warning: DropWarning,
    ) -> Self {
        BatchProcessor {
            queue: Queue::start(SpanExports(exporter), options, kind::SPANS, warning),
        }
    }

    /// The processor's counters: queued, exported, failed and dropped spans.
    pub fn stats(&self) -> Arc<QueueStats> {
        self.queue.stats()
    }
}

impl SpanProcessor for BatchProcessor {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if span.span_context.is_sampled() {
            self.queue.push(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.queue.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.queue.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.queue.set_resource(resource);
    }
}

#[cfg(test)]
mod tests;
