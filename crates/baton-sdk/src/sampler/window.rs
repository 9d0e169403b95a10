//! A lock-free sliding window of request and error counts.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counts in `BUCKETS` buckets of `bucket_ms` each. Recording and reading take no lock: a
/// bucket is reclaimed for a new period with one compare-and-swap. Counts racing with a
/// reclaim may be lost, which only makes the rate approximate.
#[derive(Debug)]
pub(crate) struct ErrorWindow {
    bucket_ms: u64,
    buckets: [Bucket; BUCKETS],
}

const BUCKETS: usize = 10;

#[derive(Debug, Default)]
struct Bucket {
    period: AtomicU64,
    total: AtomicU64,
    errors: AtomicU64,
}

impl ErrorWindow {
    /// A window `window_ms` long.
    pub(crate) fn new(window_ms: u64) -> Self {
        ErrorWindow {
            bucket_ms: (window_ms / BUCKETS as u64).max(1),
            buckets: Default::default(),
        }
    }

    pub(crate) fn record(&self, now_ms: u64, error: bool) {
        // Periods start at 1 so that a fresh bucket (period 0) is never mistaken for one.
        let period = now_ms / self.bucket_ms + 1;
        let bucket = &self.buckets[(period % BUCKETS as u64) as usize];
        let seen = bucket.period.load(Relaxed);
        if seen != period
            && bucket
                .period
                .compare_exchange(seen, period, Relaxed, Relaxed)
                .is_ok()
        {
            bucket.total.store(0, Relaxed);
            bucket.errors.store(0, Relaxed);
        }
        bucket.total.fetch_add(1, Relaxed);
        if error {
            bucket.errors.fetch_add(1, Relaxed);
        }
    }

    /// Requests and errors within the window ending now.
    pub(crate) fn counts(&self, now_ms: u64) -> (u64, u64) {
        let current = now_ms / self.bucket_ms + 1;
        self.buckets
            .iter()
            .filter(|b| {
                let p = b.period.load(Relaxed);
                p <= current && current - p < BUCKETS as u64
            })
            .fold((0, 0), |(t, e), b| {
                (t + b.total.load(Relaxed), e + b.errors.load(Relaxed))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_within_the_window_and_forgets_after() {
        let w = ErrorWindow::new(10_000);
        for i in 0..100 {
            w.record(i * 10, i % 4 == 0);
        }
        assert_eq!(w.counts(1_000), (100, 25));
        assert_eq!(w.counts(9_999), (100, 25));
        assert_eq!(w.counts(20_000), (0, 0));
        w.record(20_000, true);
        assert_eq!(w.counts(20_000), (1, 1));
    }
}
