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
mod limit;
mod metrics;
mod options;
mod stats;
mod warning;
mod worker;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};

pub(crate) use metrics::register as register_metrics;
pub use options::{BatchOptions, DEFAULT_MAX_EXPORT_BYTES};
pub use stats::QueueStats;
use warning::DropWarning;
use worker::{Control, Worker};

/// A batching span processor that counts what it drops. See the [module docs](self).
pub struct BatchProcessor {
    spans: SyncSender<SpanData>,
    control: Sender<Control>,
    stats: Arc<QueueStats>,
    batch_size: usize,
    flush_timeout: Duration,
    shut_down: AtomicBool,
}

impl fmt::Debug for BatchProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchProcessor")
            .field("stats", &self.stats)
            .field("batch_size", &self.batch_size)
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
        let (spans, span_queue) = mpsc::sync_channel(options.max_queue_size);
        let (control, control_queue) = mpsc::channel();
        let stats = Arc::new(QueueStats::new(options.max_queue_size));
        let worker = Worker {
            exporter,
            spans: span_queue,
            control: control_queue,
            stats: stats.clone(),
            batch_size: options.max_export_batch_size,
            delay: options.delay(),
            export_timeout: options.export_timeout,
            max_export_bytes: options.max_export_bytes,
            max_value_length: options.max_value_length,
            carry: None,
            warning,
        };
        let _ = std::thread::Builder::new()
            .name("baton-batch".into())
            .spawn(move || worker.run());
        BatchProcessor {
            spans,
            control,
            stats,
            batch_size: options.max_export_batch_size,
            flush_timeout: options.export_timeout,
            shut_down: AtomicBool::new(false),
        }
    }

    /// The processor's counters: queued, exported, failed and dropped spans.
    pub fn stats(&self) -> Arc<QueueStats> {
        self.stats.clone()
    }

    fn send(&self, message: Control) -> bool {
        self.control.send(message).is_ok()
    }

    /// Sends a request with a reply channel and waits for the answer until `timeout`.
    fn ask(
        &self,
        make: impl FnOnce(Sender<OTelSdkResult>) -> Control,
        timeout: Duration,
    ) -> OTelSdkResult {
        let (reply, answer) = mpsc::channel();
        if !self.send(make(reply)) {
            return Err(OTelSdkError::InternalFailure(
                "the batch export thread has stopped".into(),
            ));
        }
        match answer.recv_timeout(timeout) {
            Ok(result) => result,
            Err(_) => Err(OTelSdkError::Timeout(timeout)),
        }
    }
}

impl SpanProcessor for BatchProcessor {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        if self.shut_down.load(Ordering::Relaxed) {
            self.stats.drop_after_shutdown();
            return;
        }
        let queued = self.stats.enqueue();
        match self.spans.try_send(span) {
            Ok(()) => {
                if queued == self.batch_size {
                    self.send(Control::BatchReady);
                }
            }
            Err(e) => {
                self.stats.dequeue();
                match e {
                    TrySendError::Disconnected(_) if self.shut_down.load(Ordering::Relaxed) => {
                        self.stats.drop_after_shutdown();
                    }
                    // Disconnected before shutdown: the export thread is gone, so the
                    // queue can take nothing more.
                    TrySendError::Full(_) | TrySendError::Disconnected(_) => {
                        self.stats.drop_queue_full();
                    }
                }
            }
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        if self.shut_down.load(Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        self.ask(Control::Flush, self.flush_timeout)
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        if self.shut_down.swap(true, Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        // A timeout too long to represent means no limit.
        let until = Instant::now().checked_add(timeout);
        let result = self.ask(|reply| Control::Shutdown(reply, until), timeout);
        // Out of time, as opposed to an export that failed (or timed out) on its own.
        if result.is_err() && until.is_some_and(|u| Instant::now() >= u) {
            self.stats.mark_timed_out();
        }
        result
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.send(Control::SetResource(Box::new(resource.clone())));
    }
}

#[cfg(test)]
mod tests;
