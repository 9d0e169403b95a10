//! [`RateLimitingSampler`]: at most N new traces per second.

use opentelemetry::trace::TraceState;
use opentelemetry::trace::{Link, SpanKind, TraceId};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::{
    ParentBasedSampler, Sampler, SamplingDecision, SamplingResult, ShouldSample,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::clock::Clock;

/// Samples at most `per_second` new traces each second, with bursts of up to one second's
/// worth, like Jaeger's rate-limiting sampler; spans with a parent follow the parent.
/// The limit is a generic cell rate algorithm on one atomic: no lock. Parents are followed
/// by the SDK's own [`ParentBasedSampler`], with the limit as its root.
///
/// ```
/// use baton_sdk::sampler::RateLimitingSampler;
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let provider = SdkTracerProvider::builder().with_sampler(RateLimitingSampler::new(100.0)).build();
/// ```
#[derive(Clone, Debug)]
pub struct RateLimitingSampler {
    sampler: ParentBasedSampler,
}

/// The root of the parent-based sampler: one new trace per interval, bursts allowed.
#[derive(Clone, Debug)]
struct Limit {
    /// Microseconds between traces at the limit.
    interval_us: u64,
    /// How far ahead of now the schedule may run: the burst.
    burst_us: u64,
    /// The theoretical arrival time of the next trace, in microseconds.
    next: Arc<AtomicU64>,
    clock: Clock,
}

impl RateLimitingSampler {
    /// At most `per_second` new traces per second (0 or less: none).
    pub fn new(per_second: f64) -> Self {
        Self::with_clock(per_second, Clock::Monotonic)
    }

    fn with_clock(per_second: f64, clock: Clock) -> Self {
        RateLimitingSampler {
            sampler: Sampler::parent_based(Limit::new(per_second, clock)),
        }
    }
}

impl Limit {
    fn new(per_second: f64, clock: Clock) -> Self {
        let interval_us = if per_second > 0.0 {
            (1_000_000.0 / per_second).max(1.0) as u64
        } else {
            u64::MAX
        };
        Limit {
            interval_us,
            burst_us: 1_000_000,
            next: Arc::new(AtomicU64::new(0)),
            clock,
        }
    }

    fn take(&self) -> bool {
        if self.interval_us == u64::MAX {
            return false;
        }
        let now = self.clock.now_ms() * 1_000;
        // A request conforms while the schedule runs at most a burst (less one interval) ahead.
        let tolerance = now + self.burst_us.saturating_sub(self.interval_us);
        let mut next = self.next.load(Relaxed);
        loop {
            let start = next.max(now);
            if start > tolerance {
                return false;
            }
            match self
                .next
                .compare_exchange_weak(next, start + self.interval_us, Relaxed, Relaxed)
            {
                Ok(_) => return true,
                Err(seen) => next = seen,
            }
        }
    }
}

impl ShouldSample for RateLimitingSampler {
    fn should_sample(
        &self,
        parent: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        self.sampler
            .should_sample(parent, trace_id, name, kind, attributes, links)
    }
}

impl ShouldSample for Limit {
    fn should_sample(
        &self,
        _: Option<&Context>,
        _: TraceId,
        _: &str,
        _: &SpanKind,
        _: &[KeyValue],
        _: &[Link],
    ) -> SamplingResult {
        SamplingResult {
            decision: if self.take() {
                SamplingDecision::RecordAndSample
            } else {
                SamplingDecision::Drop
            },
            attributes: Vec::new(),
            trace_state: TraceState::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_new_traces_per_second() {
        let ms = Arc::new(AtomicU64::new(0));
        let sampler = RateLimitingSampler::with_clock(10.0, Clock::Manual(ms.clone()));
        let count = |n: usize| {
            (0..n)
                .filter(|_| {
                    sampler
                        .should_sample(None, TraceId::from(1), "x", &SpanKind::Server, &[], &[])
                        .decision
                        == SamplingDecision::RecordAndSample
                })
                .count()
        };
        assert_eq!(count(100), 10, "a burst of one second's worth");
        ms.store(500, Relaxed);
        assert_eq!(count(100), 5, "half a second refills five");
        for second in 1..=10u64 {
            ms.store(500 + second * 1_000, Relaxed);
            assert_eq!(count(1_000), 10, "ten per second, second {second}");
        }
        assert!(!Limit::new(0.0, Clock::Monotonic).take());
    }
}
