//! [`BatchOptions`]: how a batch processor queues and batches.

use std::time::Duration;

/// The schedule delay when none is given: the specification's 5 s.
const DEFAULT_SCHEDULED_DELAY: Duration = Duration::from_secs(5);

/// How a [`BatchProcessor`](super::BatchProcessor) queues and batches: the `OTEL_BSP_*`
/// settings. The defaults are the specification's (`OTEL_BSP_*` unset);
/// [`init`](crate::init) fills them in from the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchOptions {
    pub(super) max_queue_size: usize,
    pub(super) max_export_batch_size: usize,
    /// `None` until given: [`init`](crate::init) then picks one per exporter (shorter for
    /// the terminal), and a processor built by hand uses the specification's 5 s.
    scheduled_delay: Option<Duration>,
    pub(super) export_timeout: Duration,
    /// The most bytes (estimated) in one export.
    pub(super) max_export_bytes: usize,
    /// String attribute values are cut to this many bytes before export.
    pub(super) max_value_length: Option<usize>,
}

/// The default bound on one export's size: 3 MiB, under the 4 MiB an OTLP/gRPC collector
/// accepts by default, with room for the encoding's overhead.
pub const DEFAULT_MAX_EXPORT_BYTES: usize = 3 * 1024 * 1024;

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            max_queue_size: 2048,
            max_export_batch_size: 512,
            scheduled_delay: None,
            export_timeout: Duration::from_secs(30),
            max_export_bytes: DEFAULT_MAX_EXPORT_BYTES,
            max_value_length: None,
        }
    }
}

impl BatchOptions {
    /// The most spans waiting for export (`OTEL_BSP_MAX_QUEUE_SIZE`, default 2048; at least
    /// 1). Spans ending while it is full are dropped and counted.
    pub fn max_queue_size(mut self, spans: usize) -> Self {
        self.max_queue_size = spans.max(1);
        self.max_export_batch_size = self.max_export_batch_size.min(self.max_queue_size);
        self
    }

    /// The most spans in one export (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, default 512; at least
    /// 1 and at most the queue size).
    pub fn max_export_batch_size(mut self, spans: usize) -> Self {
        self.max_export_batch_size = spans.clamp(1, self.max_queue_size);
        self
    }

    /// How long spans wait for a batch to fill before they are exported anyway
    /// (`OTEL_BSP_SCHEDULE_DELAY`, default 5 s).
    pub fn scheduled_delay(mut self, delay: Duration) -> Self {
        self.scheduled_delay = Some(delay);
        self
    }

    /// These options, with `delay` as the schedule delay unless one was given (the
    /// terminal's shorter default).
    #[cfg(any(feature = "waterfall", feature = "logs"))]
    pub(crate) fn or_scheduled_delay(mut self, delay: Duration) -> Self {
        self.scheduled_delay.get_or_insert(delay);
        self
    }

    /// The schedule delay in effect.
    pub(super) fn delay(&self) -> Duration {
        self.scheduled_delay.unwrap_or(DEFAULT_SCHEDULED_DELAY)
    }

    /// The queue size (`OTEL_BSP_MAX_QUEUE_SIZE`).
    pub(crate) fn queue_size(&self) -> usize {
        self.max_queue_size
    }

    /// The export timeout (`OTEL_BSP_EXPORT_TIMEOUT`).
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
    pub(crate) fn timeout(&self) -> Duration {
        self.export_timeout
    }

    /// The most bytes one export may carry, estimated from the spans' text (default
    /// [`DEFAULT_MAX_EXPORT_BYTES`]): a batch is cut short when the next span would pass it,
    /// so a few huge spans cannot make a receiver refuse a whole batch of normal ones. A
    /// span larger than this on its own is exported alone.
    pub fn max_export_bytes(mut self, bytes: usize) -> Self {
        self.max_export_bytes = bytes.max(1);
        self
    }

    /// Cuts string attribute values (of spans, events and links) to `bytes`, on the export
    /// thread (`OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`, `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`;
    /// default: no limit, as in the specification — baton's layers cap the values a peer
    /// controls at their source).
    pub fn attribute_value_length_limit(mut self, bytes: Option<usize>) -> Self {
        self.max_value_length = bytes;
        self
    }

    /// How long one export may take before it is abandoned, whatever the exporter
    /// (`OTEL_BSP_EXPORT_TIMEOUT`, default 30 s); also how long
    /// [`SpanProcessor::force_flush`](opentelemetry_sdk::trace::SpanProcessor::force_flush) waits.
    pub fn export_timeout(mut self, timeout: Duration) -> Self {
        self.export_timeout = timeout;
        self
    }
}
