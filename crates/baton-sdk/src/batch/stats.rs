//! What a [`BatchProcessor`](super::BatchProcessor) counts: spans queued, handed to the
//! exporter, lost in failed exports, and dropped, so that losing telemetry is never silent.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use opentelemetry_sdk::error::OTelSdkResult;

use super::kind::Kind;
use crate::exporter::status::ExportStatus;

/// Live counters of one batch processor (spans, or log records for the
/// [`LogBatchProcessor`](super::LogBatchProcessor), which counts the same way), shared with
/// the application through
/// [`BatchProcessor::stats`](super::BatchProcessor::stats) and
/// [`Guard::dropped_spans`](crate::Guard::dropped_spans).
///
/// Every sampled span that ends is counted exactly once, eventually, as
/// [`exported`](Self::exported) (handed to the exporter, in an export that succeeded or
/// not), [`dropped_queue_full`](Self::dropped_queue_full),
/// [`dropped_at_shutdown_deadline`](Self::dropped_at_shutdown_deadline) or
/// [`dropped_after_shutdown`](Self::dropped_after_shutdown); until then it is
/// [`queued`](Self::queued). [`failed`](Self::failed) counts the exported spans whose
/// export failed.
#[derive(Debug)]
pub struct QueueStats {
    kind: Kind,
    capacity: usize,
    queued: AtomicUsize,
    timed_out: AtomicBool,
    exports: ExportStatus,
    exported: AtomicU64,
    failed: AtomicU64,
    failed_exports: AtomicU64,
    dropped_queue_full: AtomicU64,
    dropped_after_shutdown: AtomicU64,
    dropped_at_deadline: AtomicU64,
}

impl QueueStats {
    #[cfg(test)]
    pub(super) fn new(capacity: usize) -> Self {
        Self::of(super::kind::SPANS, capacity)
    }

    /// The counters of a queue of `kind` items.
    pub(super) fn of(kind: Kind, capacity: usize) -> Self {
        QueueStats {
            kind,
            capacity,
            queued: AtomicUsize::new(0),
            timed_out: AtomicBool::new(false),
            exports: ExportStatus::default(),
            exported: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            failed_exports: AtomicU64::new(0),
            dropped_queue_full: AtomicU64::new(0),
            dropped_after_shutdown: AtomicU64::new(0),
            dropped_at_deadline: AtomicU64::new(0),
        }
    }

    /// How many items (spans or log records) the queue holds at most
    /// (`OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BLRP_MAX_QUEUE_SIZE`).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Spans waiting in the queue now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Spans handed to the exporter so far, whether their export then succeeded or not.
    pub fn exported(&self) -> u64 {
        self.exported.load(Ordering::Relaxed)
    }

    /// Spans handed to the exporter in an export that failed (timed out, refused, …).
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// Exports that failed.
    pub fn failed_exports(&self) -> u64 {
        self.failed_exports.load(Ordering::Relaxed)
    }

    /// Spans dropped because the queue was full when they ended: the exporter was not
    /// keeping up (a slow or unreachable collector, or more spans than it can send).
    pub fn dropped_queue_full(&self) -> u64 {
        self.dropped_queue_full.load(Ordering::Relaxed)
    }

    /// Spans that ended after the processor was shut down.
    pub fn dropped_after_shutdown(&self) -> u64 {
        self.dropped_after_shutdown.load(Ordering::Relaxed)
    }

    /// Spans still queued when shutdown ran out of time (its deadline passed before they
    /// could be exported).
    pub fn dropped_at_shutdown_deadline(&self) -> u64 {
        self.dropped_at_deadline.load(Ordering::Relaxed)
    }

    /// Every span that ended and will not be exported: dropped on a full queue, at the
    /// shutdown deadline, or after shutdown.
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full()
            + self.dropped_at_shutdown_deadline()
            + self.dropped_after_shutdown()
    }

    /// A span entered the queue (counted before it is sent, so the export thread never
    /// takes more than was counted).
    pub(super) fn enqueue(&self) -> usize {
        self.queued.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A span left the queue (taken by the export thread, or its send failed).
    pub(super) fn dequeue(&self) {
        self.queued.fetch_sub(1, Ordering::Relaxed);
    }

    /// Shutdown ran out of time: what is still queued is lost.
    pub(super) fn mark_timed_out(&self) {
        self.timed_out.store(true, Ordering::Relaxed);
    }

    /// Whether shutdown ran out of time before this queue was exported.
    pub fn shutdown_timed_out(&self) -> bool {
        self.timed_out.load(Ordering::Relaxed)
    }

    pub(super) fn drop_queue_full(&self) {
        self.dropped_queue_full.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn drop_at_deadline(&self) {
        self.dropped_at_deadline.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn drop_after_shutdown(&self) {
        self.dropped_after_shutdown.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts spans as handed to the exporter (the conventions count a span as processed
    /// when it is submitted, not when the export answers).
    pub(super) fn record_submitted(&self, spans: usize) {
        self.exported.fetch_add(spans as u64, Ordering::Relaxed);
    }

    /// Records how an export of `spans` spans went.
    pub(super) fn record_result(&self, spans: usize, result: &OTelSdkResult) {
        if result.is_err() {
            self.failed.fetch_add(spans as u64, Ordering::Relaxed);
            self.failed_exports.fetch_add(1, Ordering::Relaxed);
        }
        self.exports.record(result);
    }

    /// Why the most recent export failed and how many failed, if any did (see
    /// [`ExportStatus::last_failure`]).
    pub(crate) fn failure_report(&self) -> Option<String> {
        self.exports.last_failure()
    }

    /// What was lost, in a sentence, or `None` when nothing was: the spans dropped and
    /// why, naming the variable that sizes the queue. After a shutdown that ran out of
    /// time, the spans still queued are lost too.
    pub(crate) fn loss_report(&self) -> Option<String> {
        let mut parts = Vec::new();
        let full = self.dropped_queue_full();
        let kind = self.kind;
        if full > 0 {
            parts.push(format!(
                "{} dropped because the export queue was full ({}={}): the exporter did not \
                 keep up",
                kind.count(full),
                kind.queue_var,
                self.capacity
            ));
        }
        let left = self.queued() as u64 + self.dropped_at_shutdown_deadline();
        if left > 0 {
            parts.push(format!(
                "{} still queued when shutdown gave up, lost",
                kind.count(left)
            ));
        }
        let late = self.dropped_after_shutdown();
        if late > 0 {
            parts.push(format!(
                "{} dropped: {} after shutdown",
                kind.count(late),
                kind.arrives
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

pub(crate) fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_lost_reports_nothing() {
        let stats = QueueStats::new(8);
        stats.record_submitted(5);
        assert_eq!(stats.loss_report(), None);
        assert_eq!(
            (stats.exported(), stats.failed(), stats.dropped()),
            (5, 0, 0)
        );
    }

    #[test]
    fn losses_are_counted_and_described() {
        let stats = QueueStats::new(64);
        stats.record_submitted(16);
        stats.record_result(
            16,
            &Err(opentelemetry_sdk::error::OTelSdkError::Timeout(
                std::time::Duration::from_secs(1),
            )),
        );
        for _ in 0..920 {
            stats.drop_queue_full();
        }
        stats.drop_after_shutdown();
        assert_eq!(stats.failed(), 16);
        assert_eq!(stats.failed_exports(), 1);
        assert_eq!(stats.dropped(), 921);
        assert_eq!(
            stats.loss_report().unwrap(),
            "920 spans dropped because the export queue was full (OTEL_BSP_MAX_QUEUE_SIZE=64): \
             the exporter did not keep up; 1 span dropped: ended after shutdown"
        );
    }
}
