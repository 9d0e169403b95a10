//! The request side of a batch processor, for either signal: a bounded queue in front of
//! the export thread, with the flush and shutdown requests that go to it. Adding to the
//! queue never blocks: an item that finds it full is dropped and counted.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};

use super::exports::Exports;
use super::kind::Kind;
use super::options::BatchOptions;
use super::stats::QueueStats;
use super::warning::DropWarning;
use super::worker::{Control, Worker};

pub(super) struct Queue<T> {
    items: SyncSender<T>,
    control: Sender<Control>,
    stats: Arc<QueueStats>,
    batch_size: usize,
    flush_timeout: Duration,
    shut_down: AtomicBool,
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("stats", &self.stats)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Queue<T> {
    /// A queue feeding `exporter` from its own thread (`baton-batch`). If the thread cannot
    /// be started, nothing drains the queue: items are dropped and counted as if it were
    /// full.
    pub(super) fn start<E: Exports<Item = T>>(
        exporter: E,
        options: BatchOptions,
        kind: Kind,
        warning: DropWarning,
    ) -> Self {
        let (items, queue) = mpsc::sync_channel(options.max_queue_size);
        let (control, control_queue) = mpsc::channel();
        let stats = Arc::new(QueueStats::of(kind, options.max_queue_size));
        let worker = Worker {
            exporter,
            spans: queue,
            control: control_queue,
            stats: stats.clone(),
            batch_size: options.max_export_batch_size,
            delay: options.delay(),
            export_timeout: options.export_timeout,
            max_export_bytes: options.max_export_bytes,
            max_value_length: options.max_value_length,
            carry: None,
            warning: warning.about(kind),
        };
        let _ = std::thread::Builder::new()
            .name("baton-batch".into())
            .spawn(move || {
                // The exporter's own `tracing` events must not become log records to export.
                let _suppressed = opentelemetry::Context::enter_telemetry_suppressed_scope();
                worker.run()
            });
        Queue {
            items,
            control,
            stats,
            batch_size: options.max_export_batch_size,
            flush_timeout: options.export_timeout,
            shut_down: AtomicBool::new(false),
        }
    }

    /// The counters: queued, exported, failed and dropped.
    pub(super) fn stats(&self) -> Arc<QueueStats> {
        self.stats.clone()
    }

    /// Queues `item`, or drops and counts it when the queue is full or shut down.
    pub(super) fn push(&self, item: T) {
        if self.shut_down.load(Ordering::Relaxed) {
            self.stats.drop_after_shutdown();
            return;
        }
        let queued = self.stats.enqueue();
        match self.items.try_send(item) {
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

    /// Exports everything queued now, waiting at most the export timeout.
    pub(super) fn force_flush(&self) -> OTelSdkResult {
        if self.shut_down.load(Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        self.ask(Control::Flush, self.flush_timeout)
    }

    /// Exports what is queued and shuts the exporter down, giving up after `timeout`.
    pub(super) fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
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

    /// Hands the exporter its resource.
    pub(super) fn set_resource(&self, resource: &Resource) {
        self.send(Control::SetResource(Box::new(resource.clone())));
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
