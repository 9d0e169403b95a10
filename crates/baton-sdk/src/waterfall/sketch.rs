//! [`Sketch`]: latency percentiles in a fixed amount of memory.
//!
//! Durations are counted in log-linear buckets: eight per power of two of microseconds,
//! so a percentile is known to within 1/16 of its value (the midpoint of a bucket whose
//! width is an eighth of its octave), from 1 µs to over an hour, in 256 counters whatever
//! the number of samples.

use std::time::Duration;

/// Sub-buckets per power of two.
const SUB: u32 = 8;
/// Buckets: values below `SUB` µs have one each, then `SUB` per octave up to 2^34 µs.
const BUCKETS: usize = 256;

/// A bounded latency histogram.
#[derive(Clone, Debug)]
pub(crate) struct Sketch {
    counts: Box<[u32; BUCKETS]>,
    total: u64,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            counts: Box::new([0; BUCKETS]),
            total: 0,
        }
    }
}

/// The bucket of `us` microseconds.
fn bucket(us: u64) -> usize {
    if us < u64::from(SUB) {
        return us as usize;
    }
    let octave = 63 - us.leading_zeros(); // >= 3
    let sub = (us >> (octave - 3)) & u64::from(SUB - 1);
    let index = (octave - 2) * SUB + sub as u32;
    (index as usize).min(BUCKETS - 1)
}

/// The smallest value of bucket `index`, and its width, in microseconds.
fn bounds(index: usize) -> (u64, u64) {
    let index = index as u64;
    let sub = u64::from(SUB);
    if index < sub {
        return (index, 1);
    }
    let octave = index / sub + 2;
    let low = (sub + index % sub) << (octave - 3);
    (low, 1 << (octave - 3))
}

impl Sketch {
    /// Counts one duration.
    pub(crate) fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let slot = &mut self.counts[bucket(us)];
        *slot = slot.saturating_add(1);
        self.total += 1;
    }

    /// How many durations were counted.
    pub(crate) fn count(&self) -> u64 {
        self.total
    }

    /// The `q` quantile (0 to 1): the midpoint of the bucket holding it.
    pub(crate) fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += u64::from(n);
            if seen >= rank {
                let (low, width) = bounds(i);
                return Duration::from_micros(low + width / 2);
            }
        }
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_values_in_order_and_within_a_sixteenth() {
        let mut last = 0;
        for us in [
            0u64,
            1,
            7,
            8,
            9,
            15,
            16,
            100,
            1_000,
            41_900,
            1_000_000,
            3_600_000_000,
        ] {
            let b = bucket(us);
            assert!(b >= last, "{us}");
            last = b;
            let (low, width) = bounds(b);
            assert!(
                low <= us && us < low + width,
                "{us} in [{low}, {})",
                low + width
            );
            let mid = low + width / 2;
            assert!(mid.abs_diff(us) * 16 <= us.max(16), "{us}: {mid}");
        }
        assert_eq!(bucket(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn quantiles_of_known_samples() {
        let mut s = Sketch::default();
        for ms in 1..=100u64 {
            s.record(Duration::from_millis(ms));
        }
        assert_eq!(s.count(), 100);
        let p50 = s.quantile(0.5).as_secs_f64() * 1e3;
        let p99 = s.quantile(0.99).as_secs_f64() * 1e3;
        assert!((p50 - 50.0).abs() <= 50.0 / 16.0, "{p50}");
        assert!((p99 - 99.0).abs() <= 99.0 / 16.0, "{p99}");
        assert_eq!(Sketch::default().quantile(0.5), Duration::ZERO);
    }
}
