//! [`LogBatchProcessor`]: the logs signal's batch processor, the span one's twin — the same
//! queue, export thread, counters, warnings and metrics (`otel.sdk.processor.log.*`),
//! configured by `OTEL_BLRP_*`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogExporter, LogProcessor, SdkLogRecord};

use super::exports::{LogExports, LogItem};
use super::kind::LOGS;
use super::queue::Queue;
use super::{BatchOptions, DropWarning, QueueStats};

/// A batching log record processor that counts what it drops: a record emitted while its
/// queue is full is dropped at once (the caller never waits), counted, and reported on
/// standard error at most every 10 s and by [`Guard::shutdown`](crate::Guard::shutdown).
///
/// ```
/// use baton_sdk::batch::{BatchOptions, LogBatchProcessor};
/// use opentelemetry::logs::{LogRecord, Logger, LoggerProvider};
/// use opentelemetry_sdk::error::OTelSdkResult;
/// use opentelemetry_sdk::logs::{LogBatch, LogExporter, SdkLoggerProvider};
///
/// #[derive(Debug)]
/// struct Stdout;
///
/// impl LogExporter for Stdout {
///     async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
///         for (record, _scope) in batch.iter() {
///             println!("{:?}", record.body());
///         }
///         Ok(())
///     }
/// }
///
/// let processor = LogBatchProcessor::new(Stdout, BatchOptions::default());
/// let stats = processor.stats();
/// let provider = SdkLoggerProvider::builder().with_log_processor(processor).build();
/// let logger = provider.logger("app");
/// let mut record = logger.create_log_record();
/// record.set_body("hello".into());
/// logger.emit(record);
/// provider.shutdown().unwrap();
/// assert_eq!((stats.exported(), stats.dropped()), (1, 0));
/// ```
pub struct LogBatchProcessor {
    queue: Queue<LogItem>,
}

impl fmt::Debug for LogBatchProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogBatchProcessor")
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

impl LogBatchProcessor {
    /// A processor feeding `exporter` from its own thread, as
    /// [`BatchProcessor::new`](super::BatchProcessor::new) does for spans.
    pub fn new<E: LogExporter + 'static>(exporter: E, options: BatchOptions) -> Self {
        Self::with_warning(
            exporter,
            options,
            DropWarning::stderr(options.max_queue_size),
        )
    }

    pub(super) fn with_warning<E: LogExporter + 'static>(
        exporter: E,
        options: BatchOptions,
        warning: DropWarning,
    ) -> Self {
        LogBatchProcessor {
            queue: Queue::start(LogExports(exporter), options, LOGS, warning),
        }
    }

    /// The processor's counters: queued, exported, failed and dropped log records.
    pub fn stats(&self) -> Arc<QueueStats> {
        self.queue.stats()
    }
}

impl LogProcessor for LogBatchProcessor {
    fn emit(&self, record: &mut SdkLogRecord, scope: &InstrumentationScope) {
        self.queue.push((record.clone(), scope.clone()));
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
mod tests {
    use super::*;
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
    use opentelemetry_sdk::logs::{LogBatch, SdkLoggerProvider};
    use std::sync::Mutex;

    /// Keeps each record's body and scope name.
    #[derive(Clone, Debug, Default)]
    struct Collect(Arc<Mutex<Vec<(String, String)>>>);

    impl LogExporter for Collect {
        async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
            for (record, scope) in batch.iter() {
                self.0
                    .lock()
                    .unwrap()
                    .push((format!("{:?}", record.body()), scope.name().to_owned()));
            }
            Ok(())
        }
    }

    /// An exporter that never answers.
    #[derive(Debug)]
    struct Hang;

    impl LogExporter for Hang {
        async fn export(&self, _batch: LogBatch<'_>) -> OTelSdkResult {
            std::future::pending().await
        }
    }

    #[test]
    fn records_beyond_the_queue_are_dropped_counted_and_reported() {
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = lines.clone();
        let warning = DropWarning::new(
            4,
            Duration::from_secs(10),
            Box::new(move |l| sink.lock().unwrap().push(l.to_owned())),
        );
        let options = BatchOptions::default()
            .max_queue_size(4)
            .max_export_batch_size(4)
            .export_timeout(Duration::from_millis(100));
        let processor = LogBatchProcessor::with_warning(Hang, options, warning);
        let stats = processor.stats();
        let provider = SdkLoggerProvider::builder()
            .with_log_processor(processor)
            .build();
        let logger = provider.logger("test");
        for _ in 0..20 {
            let mut record = logger.create_log_record();
            record.set_body("x".into());
            logger.emit(record);
        }
        let _ = provider.shutdown_with_timeout(Duration::from_millis(300));
        assert_eq!(
            stats.exported() + stats.dropped() + stats.queued() as u64,
            20
        );
        assert!(stats.dropped_queue_full() >= 12, "{stats:?}");
        let report = stats.loss_report().unwrap();
        assert!(
            report.contains(" log records dropped because the export queue was full (OTEL_BLRP_MAX_QUEUE_SIZE=4)"),
            "{report}"
        );
        let lines = lines.lock().unwrap();
        assert!(
            lines[0].contains(" log records dropped because the export queue (OTEL_BLRP_MAX_QUEUE_SIZE=4) was full"),
            "{lines:?}"
        );
    }

    #[test]
    fn records_reach_the_exporter_with_their_scope() {
        let exporter = Collect::default();
        let processor = LogBatchProcessor::new(exporter.clone(), BatchOptions::default());
        let stats = processor.stats();
        let provider = SdkLoggerProvider::builder()
            .with_log_processor(processor)
            .build();
        let logger = provider.logger("checkout");
        let mut record = logger.create_log_record();
        record.set_body("paid".into());
        logger.emit(record);
        provider.shutdown().unwrap();
        assert_eq!(
            *exporter.0.lock().unwrap(),
            [(
                r#"Some(String(Static("paid")))"#.to_owned(),
                "checkout".to_owned()
            )]
        );
        assert_eq!((stats.exported(), stats.dropped()), (1, 0));
    }
}
