//! The export thread of a batch processor (spans or log records): takes items off the queue
//! in batches, hands them to the exporter, and answers flush and shutdown requests. The
//! comments say "span"; log records go through the same steps.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};

use super::block_on::block_on_until;
use super::exports::Exports;
use super::stats::QueueStats;
use super::warning::DropWarning;

/// What the processor asks of its export thread, besides exporting on schedule.
pub(super) enum Control {
    /// The queue holds a full batch: export without waiting for the timer.
    BatchReady,
    /// Hand the exporter its resource (sent once, when the provider is built).
    SetResource(Box<Resource>),
    /// Export everything queued now, then answer.
    Flush(Sender<OTelSdkResult>),
    /// Export everything queued (giving up at the instant, if any), shut the exporter
    /// down, answer and stop.
    Shutdown(Sender<OTelSdkResult>, Option<Instant>),
}

pub(super) struct Worker<E: Exports> {
    pub(super) exporter: E,
    pub(super) spans: Receiver<E::Item>,
    pub(super) control: Receiver<Control>,
    pub(super) stats: Arc<QueueStats>,
    pub(super) batch_size: usize,
    pub(super) delay: Duration,
    /// Each export is abandoned after this (`OTEL_BSP_EXPORT_TIMEOUT`), whatever the
    /// exporter: the thread must come back to the queue.
    pub(super) export_timeout: Duration,
    /// The most bytes (estimated) in one export.
    pub(super) max_export_bytes: usize,
    /// String attribute values are cut to this many bytes.
    pub(super) max_value_length: Option<usize>,
    /// A span taken off the queue that did not fit in the last batch: the next one starts
    /// with it (still counted as queued).
    pub(super) carry: Option<E::Item>,
    pub(super) warning: DropWarning,
}

impl<E: Exports> Worker<E> {
    pub(super) fn run(mut self) {
        let mut next = Instant::now() + self.delay;
        // Whether the last round of full batches exported anything: a span counted but not
        // yet in the channel (its sender pre-empted) must not make the loop spin.
        let mut progress = true;
        loop {
            // While a full batch waits, export without sleeping, but still look at requests
            // (flush, shutdown) and report drops between batches: under a sustained overload
            // the queue never empties, and that is when drops need reporting.
            let wait = if progress && self.stats.queued() >= self.batch_size {
                Duration::ZERO
            } else {
                next.saturating_duration_since(Instant::now())
            };
            match self.control.recv_timeout(wait) {
                Ok(Control::BatchReady) => progress = self.export_full_batches(),
                Ok(Control::SetResource(resource)) => {
                    let _ = self.guarded("set_resource", |e| {
                        e.set_resource(&resource);
                        Ok(())
                    });
                }
                Ok(Control::Flush(reply)) => {
                    let result = self.export_queued(None);
                    let result = result.and(self.guarded("force_flush", |e| e.force_flush()));
                    let _ = reply.send(result);
                }
                Ok(Control::Shutdown(reply, until)) => {
                    let result = self.export_queued(until);
                    let left = until.map_or(Duration::from_secs(24 * 3600), |u| {
                        u.saturating_duration_since(Instant::now())
                    });
                    let result =
                        result.and(self.guarded("shutdown", |e| e.shutdown_with_timeout(left)));
                    if until.is_some_and(|u| Instant::now() >= u) {
                        self.drop_left_at_deadline();
                    }
                    self.drop_late_spans();
                    self.warning
                        .check(self.stats.dropped_queue_full(), Instant::now());
                    let _ = reply.send(result);
                    return;
                }
                Err(RecvTimeoutError::Timeout) if Instant::now() < next => {
                    progress = self.export_full_batches();
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.export_queued(None);
                    next = Instant::now() + self.delay;
                    progress = true;
                }
                // The processor was dropped without a shutdown: send what is left.
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = self.export_queued(None);
                    let _ = self.guarded("shutdown", |e| {
                        e.shutdown_with_timeout(Duration::from_secs(5))
                    });
                    return;
                }
            }
            self.warning
                .check(self.stats.dropped_queue_full(), Instant::now());
        }
    }

    /// Exports full batches, as many as the queue held when called (a steady stream of
    /// new spans cannot keep it here). Returns whether it exported anything.
    fn export_full_batches(&mut self) -> bool {
        let mut budget = self.stats.queued();
        let mut progress = false;
        while budget >= self.batch_size && self.stats.queued() >= self.batch_size {
            let (sent, _) = self.export_batch(None);
            if sent == 0 {
                break;
            }
            progress = true;
            budget -= sent.min(budget);
        }
        progress
    }

    /// The next span waiting: the one carried over from the last batch, or the queue's.
    fn next_span(&mut self) -> Option<E::Item> {
        self.carry.take().or_else(|| self.spans.try_recv().ok())
    }

    /// Spans still queued when shutdown ran out of time: dropped, and counted as lost to
    /// the deadline. (They are the oldest in the queue; any that arrive after them ended
    /// after shutdown, see [`drop_late_spans`](Self::drop_late_spans).)
    fn drop_left_at_deadline(&mut self) {
        for _ in 0..self.stats.queued() {
            if self.next_span().is_none() {
                break;
            }
            self.stats.dequeue();
            self.stats.drop_at_deadline();
        }
    }

    /// Spans that passed the processor's shutdown check just before it closed and arrived
    /// after the final export: dropped, and counted as ending after shutdown.
    fn drop_late_spans(&mut self) {
        while self.next_span().is_some() {
            self.stats.dequeue();
            self.stats.drop_after_shutdown();
        }
    }

    /// Exports the spans queued now (not those that arrive meanwhile, so a steady stream
    /// cannot keep it going forever), in batches, stopping at `until`. Returns the first
    /// failure, or a timeout if spans were left behind.
    fn export_queued(&mut self, until: Option<Instant>) -> OTelSdkResult {
        let mut left = self.stats.queued();
        let mut result = Ok(());
        while left > 0 {
            if let Some(until) = until
                && Instant::now() >= until
            {
                return result.and(Err(OTelSdkError::InternalFailure(format!(
                    "{left} spans not exported before the shutdown deadline"
                ))));
            }
            let (sent, outcome) = self.export_batch(until);
            if sent == 0 {
                break;
            }
            left = left.saturating_sub(sent);
            result = result.and(outcome);
        }
        result
    }

    /// Takes up to one batch off the queue and exports it, returning how many spans it
    /// held and how the export went. The export is abandoned (its future dropped) after the
    /// export timeout, or at `until` if that comes first.
    fn export_batch(&mut self, until: Option<Instant>) -> (usize, OTelSdkResult) {
        let mut batch = Vec::with_capacity(self.batch_size.min(self.stats.queued()));
        let mut bytes = 0;
        while batch.len() < self.batch_size {
            let Some(mut span) = self.next_span() else {
                break;
            };
            let size = E::prepare(&mut span, self.max_value_length);
            if !batch.is_empty() && bytes + size > self.max_export_bytes {
                self.carry = Some(span);
                break;
            }
            bytes += size;
            self.stats.dequeue();
            batch.push(span);
        }
        let sent = batch.len();
        if sent == 0 {
            return (0, Ok(()));
        }
        self.stats.record_submitted(sent);
        let now = Instant::now();
        let limit = now.checked_add(self.export_timeout);
        let deadline = match (limit, until) {
            (Some(limit), Some(until)) => Some(limit.min(until)),
            (limit, until) => limit.or(until),
        };
        let timeout = OTelSdkError::Timeout(deadline.map_or(self.export_timeout, |d| d - now));
        let result = self.guarded("export", |e| {
            block_on_until(e.export(batch), deadline).unwrap_or(Err(timeout))
        });
        self.stats.record_result(sent, &result);
        (sent, result)
    }

    /// Calls the exporter, catching a panic: the batch in hand is lost and counted as a
    /// failed export, a warning names the panic, and the thread carries on with the next
    /// batch instead of dying (which would leave every later span dropped as "queue full").
    fn guarded(&mut self, call: &str, f: impl FnOnce(&mut E) -> OTelSdkResult) -> OTelSdkResult {
        let exporter = &mut self.exporter;
        match catch_unwind(AssertUnwindSafe(|| f(exporter))) {
            Ok(result) => result,
            Err(panic) => {
                let message = panic_message(&*panic);
                self.warning
                    .exporter_panicked(call, &message, Instant::now());
                Err(OTelSdkError::InternalFailure(format!(
                    "the exporter panicked in {call}: {message}"
                )))
            }
        }
    }
}

/// The text a panic was raised with, when it is text.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-text panic payload".to_owned())
}
