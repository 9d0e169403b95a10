//! Samplers beyond the standard ones.
//!
//! - [`AdaptiveSampler`]: samples a base ratio of new traces, and more (up to all) while the
//!   recent error rate is high, measured by its companion [`ErrorRateProcessor`].
//! - [`RateLimitingSampler`]: at most N new traces per second.
//!
//! Both follow the parent's decision for spans that have one, so every service in a trace
//! agrees, and decide new traces deterministically from the trace id where a ratio is
//! involved (the same rule as the SDK's `TraceIdRatioBased`).

mod adaptive;
mod clock;
mod rate_limiting;
mod window;

pub use adaptive::{AdaptiveSampler, AdaptiveSamplerBuilder, ErrorRateProcessor};
pub use rate_limiting::RateLimitingSampler;

use opentelemetry::Context;
use opentelemetry::trace::{TraceContextExt, TraceId, TraceState};
use opentelemetry_sdk::trace::{SamplingDecision, SamplingResult};

/// The SDK's `TraceIdRatioBased` rule: sample when the trace id's low 63 bits fall below
/// `ratio * 2^63`, so any two services with the same ratio agree.
pub(crate) fn ratio_samples(ratio: f64, trace_id: TraceId) -> bool {
    if ratio >= 1.0 {
        return true;
    }
    let bound = (ratio.max(0.0) * (1u64 << 63) as f64) as u64;
    let low = u64::from_be_bytes(trace_id.to_bytes()[8..].try_into().unwrap_or_default());
    (low >> 1) < bound
}

/// The parent's decision, when there is a valid parent span context.
pub(crate) fn follow_parent(parent: Option<&Context>) -> Option<SamplingResult> {
    let cx = parent?;
    let span = cx.span();
    let sc = span.span_context();
    if !sc.is_valid() {
        return None;
    }
    let decision = if sc.is_sampled() {
        SamplingDecision::RecordAndSample
    } else {
        SamplingDecision::Drop
    };
    Some(SamplingResult {
        decision,
        attributes: Vec::new(),
        trace_state: sc.trace_state().clone(),
    })
}

/// A decision for a new trace.
pub(crate) fn root(sample: bool) -> SamplingResult {
    let decision = if sample {
        SamplingDecision::RecordAndSample
    } else {
        SamplingDecision::Drop
    };
    SamplingResult {
        decision,
        attributes: Vec::new(),
        trace_state: TraceState::NONE,
    }
}
