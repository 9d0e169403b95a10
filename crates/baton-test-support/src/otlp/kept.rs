//! What the receiver hands back of the exports it kept, one signal's items at a time, and
//! the waits on them that show what did arrive when they give up: one implementation for
//! spans, metrics and log records.

use std::time::Duration;

use super::{Export, Log, Metric, Receiver, Span, log, trace};

/// An item that exports carry, flattened: a span, a metric or a log record.
pub(super) trait Kept: Clone {
    /// What the items are called in a failure message.
    const NOUN: &'static str;

    /// The items of this kind that `export` carries.
    fn of(export: &Export) -> &[Self];

    /// The items drawn for a failure message.
    fn render(items: &[Self]) -> String;
}

impl Kept for Span {
    const NOUN: &'static str = "spans";

    fn of(export: &Export) -> &[Self] {
        &export.spans
    }

    /// As traces, each a tree.
    fn render(items: &[Self]) -> String {
        trace::render_all(items)
    }
}

impl Kept for Metric {
    const NOUN: &'static str = "metrics";

    fn of(export: &Export) -> &[Self] {
        &export.metrics
    }

    /// One `service kind name` line per metric.
    fn render(items: &[Self]) -> String {
        let lines: Vec<String> = items
            .iter()
            .map(|m| format!("{} {} {}", m.service, m.kind, m.name))
            .collect();
        lines.join("\n")
    }
}

impl Kept for Log {
    const NOUN: &'static str = "log records";

    fn of(export: &Export) -> &[Self] {
        &export.logs
    }

    /// One [`Log::line`] per record.
    fn render(items: &[Self]) -> String {
        log::render_all(items)
    }
}

impl Receiver {
    /// The items of every export kept so far that `keep` accepts, in arrival order.
    pub(super) fn kept<T: Kept>(&self, keep: impl Fn(&Export) -> bool) -> Vec<T> {
        let exports = self.store.exports.lock().unwrap();
        exports
            .iter()
            .filter(|e| keep(e))
            .flat_map(|e| T::of(e).iter().cloned())
            .collect()
    }

    /// Waits (at most `limit`) until `done` holds for the items of the exports kept that
    /// `keep` accepts, and returns them. Panics naming `what`, with the items that did
    /// arrive and the receiver's errors, when it does not.
    #[track_caller]
    pub(super) fn wait_kept<T: Kept>(
        &self,
        what: &str,
        limit: Duration,
        keep: impl Fn(&Export) -> bool,
        mut done: impl FnMut(&[T]) -> bool,
    ) -> Vec<T> {
        let mut items = Vec::new();
        let arrived = self.wait_until(limit, |r| {
            items = r.kept(&keep);
            done(&items)
        });
        assert!(
            arrived,
            "timed out after {limit:?} waiting for {what}; received {} {}:\n{}\nreceiver errors: {:?}",
            items.len(),
            T::NOUN,
            T::render(&items),
            self.errors()
        );
        items
    }
}
