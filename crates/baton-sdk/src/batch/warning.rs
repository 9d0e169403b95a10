//! The rate-limited warning printed when spans (or log records) are dropped on a full queue: the first drop
//! is reported at once, later ones at most once per interval, with how many since the last.

use std::time::{Duration, Instant};

use super::kind::{Kind, SPANS};

/// How often, at most, the drop warning is printed.
pub(crate) const WARNING_INTERVAL: Duration = Duration::from_secs(10);

/// Where warnings go: standard error, or a test's buffer.
pub(crate) type Sink = Box<dyn FnMut(&str) + Send>;

/// Decides when to warn about dropped spans. Lives on the export thread, so the request
/// path pays one atomic increment per drop and never formats or prints.
pub(crate) struct DropWarning {
    kind: Kind,
    interval: Duration,
    capacity: usize,
    reported: u64,
    last: Option<Instant>,
    /// Exporter panics seen, and when the last warning about them was printed.
    panics: u64,
    panics_reported: u64,
    last_panic: Option<Instant>,
    sink: Sink,
}

impl DropWarning {
    pub(crate) fn new(capacity: usize, interval: Duration, sink: Sink) -> Self {
        DropWarning {
            kind: SPANS,
            interval,
            capacity,
            reported: 0,
            last: None,
            panics: 0,
            panics_reported: 0,
            last_panic: None,
            sink,
        }
    }

    pub(crate) fn stderr(capacity: usize) -> Self {
        Self::new(
            capacity,
            WARNING_INTERVAL,
            Box::new(|line| eprintln!("baton: warning: {line}")),
        )
    }

    /// The same warnings about `kind` items.
    pub(crate) fn about(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// Warns if spans were dropped since the last warning and the interval has passed
    /// (or no warning was printed yet). `dropped` is the running total.
    pub(crate) fn check(&mut self, dropped: u64, now: Instant) {
        let new = dropped.saturating_sub(self.reported);
        if new == 0 {
            return;
        }
        if let Some(last) = self.last
            && now.duration_since(last) < self.interval
        {
            return;
        }
        let since = match self.last {
            None => String::new(),
            Some(last) => format!(" in the last {}s", now.duration_since(last).as_secs()),
        };
        (self.sink)(&format!(
            "{} dropped{since} because the export queue ({}={}) was full; {dropped} in all. \
             The exporter is not keeping up: check the collector, or raise the queue size for \
             bursts",
            self.kind.count(new),
            self.kind.queue_var,
            self.capacity
        ));
        self.reported = dropped;
        self.last = Some(now);
    }
}

impl DropWarning {
    /// The exporter panicked in `call`: warned at once the first time, then at most once per
    /// interval with the count since.
    pub(crate) fn exporter_panicked(&mut self, call: &str, message: &str, now: Instant) {
        self.panics += 1;
        if let Some(last) = self.last_panic
            && now.duration_since(last) < self.interval
        {
            return;
        }
        let new = self.panics - self.panics_reported;
        (self.sink)(&format!(
            "the {} exporter panicked in {call} ({message}); {new} time{} since the last \
             warning, {} in all. The {} it held are lost and counted as failed; export \
             goes on with the next batch",
            self.kind.one,
            super::stats::plural(new),
            self.panics,
            self.kind.many
        ));
        self.panics_reported = self.panics;
        self.last_panic = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn warning() -> (DropWarning, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let w = DropWarning::new(
            64,
            Duration::from_secs(10),
            Box::new(move |l| sink.lock().unwrap().push(l.to_owned())),
        );
        (w, lines)
    }

    #[test]
    fn first_drop_at_once_then_at_most_once_per_interval() {
        let (mut w, lines) = warning();
        let t0 = Instant::now();
        w.check(0, t0);
        assert!(lines.lock().unwrap().is_empty(), "no drop, no warning");
        w.check(3, t0);
        w.check(500, t0 + Duration::from_secs(9));
        w.check(920, t0 + Duration::from_secs(10));
        w.check(920, t0 + Duration::from_secs(30));
        assert_eq!(
            *lines.lock().unwrap(),
            [
                "3 spans dropped because the export queue (OTEL_BSP_MAX_QUEUE_SIZE=64) was full; \
                 3 in all. The exporter is not keeping up: check the collector, or raise the \
                 queue size for bursts",
                "917 spans dropped in the last 10s because the export queue \
                 (OTEL_BSP_MAX_QUEUE_SIZE=64) was full; 920 in all. The exporter is not keeping \
                 up: check the collector, or raise the queue size for bursts",
            ]
        );
    }
}
