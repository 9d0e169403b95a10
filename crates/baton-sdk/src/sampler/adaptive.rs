//! [`AdaptiveSampler`]: more traces while errors rise.

use opentelemetry::trace::{Link, SpanKind, Status, TraceId};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    ParentBasedSampler, Sampler, SamplingResult, ShouldSample, Span, SpanData, SpanProcessor,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use super::clock::Clock;
use super::window::ErrorWindow;

/// Samples `base_ratio` of new traces, raised to `max_ratio` while the error rate of recent
/// requests exceeds `error_threshold`, then relaxed back to the base, linearly over
/// `cooldown`. It is the SDK's own samplers put together: a
/// [`ParentBasedSampler`] (spans with a valid parent follow the parent's decision) whose
/// root decides new traces with a [`Sampler::TraceIdRatioBased`] at the ratio of the moment.
///
/// The error rate is measured by the [`ErrorRateProcessor`] from
/// [`processor`](Self::processor), which sits in front of the processor that exports (so
/// the SDK hands each span to one processor, not two): [`Builder::adaptive_sampler`]
/// installs it in front of baton's batch processor. It counts every local root and server
/// span that ends (requests), and those with an error status (5xx, panics, failed calls),
/// over a sliding `window`; below `min_requests` in the window the rate is not trusted and
/// the base ratio applies. Sampling reads a few atomics and takes no lock.
///
/// With a tracer provider built by hand:
///
/// ```
/// use baton_sdk::batch::{BatchOptions, BatchProcessor};
/// use baton_sdk::sampler::AdaptiveSampler;
/// use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
///
/// fn provider(exporter: impl SpanExporter + 'static) -> SdkTracerProvider {
///     let sampler = AdaptiveSampler::builder().base_ratio(0.05).error_threshold(0.02).build();
///     let export = BatchProcessor::new(exporter, BatchOptions::default());
///     SdkTracerProvider::builder()
///         .with_span_processor(sampler.processor(export))
///         .with_sampler(sampler)
///         .build()
/// }
/// ```
///
/// [`Builder::adaptive_sampler`]: crate::Builder::adaptive_sampler
#[derive(Clone, Debug)]
pub struct AdaptiveSampler {
    state: Arc<State>,
    sampler: ParentBasedSampler,
}

/// The root of the parent-based sampler: the SDK's ratio sampler at the current ratio.
#[derive(Clone, Debug)]
struct CurrentRatio {
    state: Arc<State>,
}

#[derive(Debug)]
struct State {
    base_ratio: f64,
    max_ratio: f64,
    error_threshold: f64,
    min_requests: u64,
    cooldown_ms: u64,
    window: ErrorWindow,
    /// When the error rate was last seen above the threshold, plus one (0: never).
    last_exceeded: AtomicU64,
    clock: Clock,
}

/// Settings for an [`AdaptiveSampler`].
#[derive(Clone, Debug)]
pub struct AdaptiveSamplerBuilder {
    base_ratio: f64,
    max_ratio: f64,
    error_threshold: f64,
    min_requests: u64,
    window: Duration,
    cooldown: Duration,
    clock: Clock,
}

impl Default for AdaptiveSamplerBuilder {
    fn default() -> Self {
        AdaptiveSamplerBuilder {
            base_ratio: 0.1,
            max_ratio: 1.0,
            error_threshold: 0.05,
            min_requests: 20,
            window: Duration::from_secs(10),
            cooldown: Duration::from_secs(30),
            clock: Clock::Monotonic,
        }
    }
}

impl AdaptiveSamplerBuilder {
    /// Ratio of new traces sampled while errors are normal (default 0.1). Clamped to 0..=1.
    pub fn base_ratio(mut self, ratio: f64) -> Self {
        self.base_ratio = ratio.clamp(0.0, 1.0);
        self
    }

    /// Ratio while errors are high (default 1.0). Clamped to base..=1.
    pub fn max_ratio(mut self, ratio: f64) -> Self {
        self.max_ratio = ratio.clamp(0.0, 1.0);
        self
    }

    /// Error rate (errors / requests in the window) above which the ratio is raised
    /// (default 0.05).
    pub fn error_threshold(mut self, threshold: f64) -> Self {
        self.error_threshold = threshold.clamp(0.0, 1.0);
        self
    }

    /// Requests the window must hold before its error rate counts (default 20).
    pub fn min_requests(mut self, n: u64) -> Self {
        self.min_requests = n;
        self
    }

    /// Length of the sliding window (default 10 s).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// How long the ratio takes to relax back to the base after errors fall (default 30 s).
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    #[cfg(test)]
    fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The sampler.
    pub fn build(self) -> AdaptiveSampler {
        let state = Arc::new(State {
            base_ratio: self.base_ratio,
            max_ratio: self.max_ratio.max(self.base_ratio),
            error_threshold: self.error_threshold,
            min_requests: self.min_requests.max(1),
            cooldown_ms: self.cooldown.as_millis() as u64,
            window: ErrorWindow::new(self.window.as_millis().max(1) as u64),
            last_exceeded: AtomicU64::new(0),
            clock: self.clock,
        });
        AdaptiveSampler {
            sampler: Sampler::parent_based(CurrentRatio {
                state: state.clone(),
            }),
            state,
        }
    }
}

impl AdaptiveSampler {
    /// Settings, starting from the defaults.
    pub fn builder() -> AdaptiveSamplerBuilder {
        AdaptiveSamplerBuilder::default()
    }

    /// The span processor that measures the error rate for this sampler, in front of
    /// `inner`, the processor that exports: it counts each span as it ends and hands it on,
    /// so spans are not copied for it. Give the tracer provider this instead of `inner`.
    pub fn processor<P: SpanProcessor>(&self, inner: P) -> ErrorRateProcessor<P> {
        ErrorRateProcessor {
            state: self.state.clone(),
            inner,
        }
    }

    /// The error rate in the current window, if it holds enough requests.
    pub fn error_rate(&self) -> Option<f64> {
        self.state.error_rate()
    }

    /// The ratio of new traces sampled right now.
    pub fn effective_ratio(&self) -> f64 {
        self.state.effective_ratio()
    }
}

impl State {
    fn error_rate(&self) -> Option<f64> {
        let (total, errors) = self.window.counts(self.clock.now_ms());
        (total >= self.min_requests).then(|| errors as f64 / total as f64)
    }

    fn effective_ratio(&self) -> f64 {
        let now = self.clock.now_ms();
        if self
            .error_rate()
            .is_some_and(|rate| rate > self.error_threshold)
        {
            self.last_exceeded.store(now + 1, Relaxed);
            return self.max_ratio;
        }
        let last = self.last_exceeded.load(Relaxed);
        if last == 0 || self.cooldown_ms == 0 {
            return self.base_ratio;
        }
        let since = now.saturating_sub(last - 1);
        if since >= self.cooldown_ms {
            return self.base_ratio;
        }
        let left = 1.0 - since as f64 / self.cooldown_ms as f64;
        self.base_ratio + (self.max_ratio - self.base_ratio) * left
    }
}

impl ShouldSample for CurrentRatio {
    fn should_sample(
        &self,
        parent: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        Sampler::TraceIdRatioBased(self.state.effective_ratio())
            .should_sample(parent, trace_id, name, kind, attributes, links)
    }
}

impl ShouldSample for AdaptiveSampler {
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

/// Measures the error rate an [`AdaptiveSampler`] reacts to, in front of the processor
/// that exports (`P`); made by [`AdaptiveSampler::processor`]. Only spans that were sampled
/// reach a processor, so the rate is measured on the sampled share of traffic, which is an
/// unbiased sample of it.
#[derive(Debug)]
pub struct ErrorRateProcessor<P> {
    state: Arc<State>,
    inner: P,
}

impl<P> ErrorRateProcessor<P> {
    fn record(&self, span: &SpanData) {
        let local_root = span.parent_span_id == opentelemetry::trace::SpanId::INVALID
            || span.parent_span_is_remote;
        if local_root || span.span_kind == SpanKind::Server {
            let error = matches!(span.status, Status::Error { .. });
            self.state.window.record(self.state.clock.now_ms(), error);
        }
    }
}

impl<P: SpanProcessor> SpanProcessor for ErrorRateProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.record(&span);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::InstrumentationScope;
    use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceState};
    use opentelemetry_sdk::trace::SamplingDecision;
    use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};

    fn server_span(error: bool) -> SpanData {
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(1),
                SpanId::from(1),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: SpanKind::Server,
            name: "GET /".into(),
            start_time: std::time::SystemTime::now(),
            end_time: std::time::SystemTime::now(),
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: if error {
                Status::error("")
            } else {
                Status::Unset
            },
            instrumentation_scope: InstrumentationScope::builder("t").build(),
        }
    }

    /// The processor behind the error-rate one: the names of the spans handed on.
    #[derive(Debug, Default)]
    struct Names(std::sync::Mutex<Vec<String>>);

    impl SpanProcessor for Names {
        fn on_start(&self, _: &mut Span, _: &Context) {}
        fn on_end(&self, span: SpanData) {
            self.0.lock().unwrap().push(span.name.into_owned());
        }
        fn force_flush(&self) -> OTelSdkResult {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
            Ok(())
        }
    }

    fn sampled_share(sampler: &AdaptiveSampler, n: u128) -> f64 {
        let kept = (1..=n)
            .filter(|i| {
                // Spread trace ids over the whole space, as random ids are.
                let id = TraceId::from(i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835));
                sampler
                    .should_sample(None, id, "x", &SpanKind::Server, &[], &[])
                    .decision
                    == SamplingDecision::RecordAndSample
            })
            .count();
        kept as f64 / n as f64
    }

    #[test]
    fn error_burst_raises_the_rate_and_it_relaxes_back() {
        let ms = Arc::new(AtomicU64::new(0));
        let sampler = AdaptiveSampler::builder()
            .base_ratio(0.1)
            .error_threshold(0.05)
            .window(Duration::from_secs(10))
            .cooldown(Duration::from_secs(30))
            .clock(Clock::Manual(ms.clone()))
            .build();
        let processor = sampler.processor(Names::default());
        let at = |t: u64| ms.store(t, Relaxed);

        // Calm: 1% errors over 10 s.
        for i in 0..200 {
            at(i * 50);
            processor.on_end(server_span(i % 100 == 0));
        }
        assert_eq!(sampler.effective_ratio(), 0.1);
        let calm = sampled_share(&sampler, 20_000);
        assert!((0.08..0.12).contains(&calm), "calm share {calm}");

        // Burst: 30% errors.
        for i in 0..100 {
            at(10_000 + i * 20);
            processor.on_end(server_span(i % 10 < 3));
        }
        assert!(sampler.error_rate().unwrap() > 0.05);
        assert_eq!(sampler.effective_ratio(), 1.0);
        assert_eq!(sampled_share(&sampler, 5_000), 1.0);

        // Errors stop. Traffic goes on, each new trace asking the sampler; the ratio stays
        // at the maximum until the burst has left the 10 s window, then relaxes.
        let mut dropped_at = None;
        for i in 0..400 {
            let t = 12_000 + i * 50;
            at(t);
            processor.on_end(server_span(false));
            if sampler.effective_ratio() < 1.0 && dropped_at.is_none() {
                dropped_at = Some(t);
            }
        }
        let dropped_at = dropped_at.expect("the ratio relaxes once the burst leaves the window");
        assert!(
            (19_000..=22_000).contains(&dropped_at),
            "relaxing began at {dropped_at} ms"
        );
        at(dropped_at + 15_000);
        let half = sampler.effective_ratio();
        assert!(
            (half - 0.55).abs() < 0.02,
            "half way through the cooldown: {half}"
        );
        let mid = sampled_share(&sampler, 20_000);
        assert!((0.5..0.6).contains(&mid), "share half way: {mid}");
        at(dropped_at + 30_100);
        assert_eq!(sampler.effective_ratio(), 0.1);
        let back = sampled_share(&sampler, 20_000);
        assert!((0.08..0.12).contains(&back), "after the cooldown {back}");
    }

    #[test]
    fn the_processor_counts_each_span_and_hands_it_on() {
        let ms = Arc::new(AtomicU64::new(0));
        let sampler = AdaptiveSampler::builder()
            .min_requests(2)
            .clock(Clock::Manual(ms))
            .build();
        let processor = sampler.processor(Names::default());
        processor.on_end(server_span(true));
        processor.on_end(server_span(false));
        assert_eq!(sampler.error_rate(), Some(0.5));
        assert_eq!(*processor.inner.0.lock().unwrap(), ["GET /", "GET /"]);
    }

    #[test]
    fn too_few_requests_keep_the_base_ratio() {
        let ms = Arc::new(AtomicU64::new(0));
        let sampler = AdaptiveSampler::builder()
            .min_requests(20)
            .clock(Clock::Manual(ms))
            .build();
        let processor = sampler.processor(Names::default());
        for _ in 0..19 {
            processor.on_end(server_span(true));
        }
        assert_eq!(sampler.error_rate(), None);
        assert_eq!(sampler.effective_ratio(), 0.1);
    }

    #[test]
    fn parents_are_honoured_and_decisions_are_deterministic() {
        let sampler = AdaptiveSampler::builder().base_ratio(0.0).build();
        let parent = Context::new().with_remote_span_context(SpanContext::new(
            TraceId::from(7),
            SpanId::from(7),
            TraceFlags::SAMPLED,
            true,
            TraceState::NONE,
        ));
        let d = sampler
            .should_sample(
                Some(&parent),
                TraceId::from(7),
                "x",
                &SpanKind::Server,
                &[],
                &[],
            )
            .decision;
        assert_eq!(
            d,
            SamplingDecision::RecordAndSample,
            "a sampled parent wins over a 0 ratio"
        );
        let all = AdaptiveSampler::builder().base_ratio(1.0).build();
        let decide = |parent: &Context| {
            all.should_sample(
                Some(parent),
                TraceId::from(7),
                "x",
                &SpanKind::Server,
                &[],
                &[],
            )
            .decision
        };
        let unsampled = Context::new().with_remote_span_context(SpanContext::new(
            TraceId::from(7),
            SpanId::from(7),
            TraceFlags::default(),
            true,
            TraceState::NONE,
        ));
        assert_eq!(
            decide(&unsampled),
            SamplingDecision::Drop,
            "an unsampled parent wins over a ratio of 1"
        );
        let invalid = Context::new().with_remote_span_context(SpanContext::empty_context());
        assert_eq!(
            decide(&invalid),
            SamplingDecision::RecordAndSample,
            "an invalid parent leaves the decision to the ratio"
        );
        let half = AdaptiveSampler::builder().base_ratio(0.5).build();
        let id = TraceId::from(0xdead_beef_u128 << 64 | 0x1234);
        let first = half
            .should_sample(None, id, "x", &SpanKind::Server, &[], &[])
            .decision;
        for _ in 0..10 {
            assert_eq!(
                half.should_sample(None, id, "y", &SpanKind::Client, &[], &[])
                    .decision,
                first
            );
        }
        let sdk = opentelemetry_sdk::trace::Sampler::TraceIdRatioBased(0.5);
        assert_eq!(
            sdk.should_sample(None, id, "x", &SpanKind::Server, &[], &[])
                .decision,
            first,
            "agrees with TraceIdRatioBased"
        );
    }
}
