//! Samplers beyond the standard ones.
//!
//! - [`AdaptiveSampler`]: samples a base ratio of new traces, and more (up to all) while the
//!   recent error rate is high, measured by its companion [`ErrorRateProcessor`].
//! - [`RateLimitingSampler`]: at most N new traces per second.
//!
//! Both are built on the SDK's own samplers: a `ParentBasedSampler`, so spans with a parent
//! follow the parent's decision and every service in a trace agrees, whose root decides new
//! traces (for the adaptive one, with the SDK's `TraceIdRatioBased`, deterministic in the
//! trace id).

mod adaptive;
mod clock;
mod rate_limiting;
mod window;

pub use adaptive::{AdaptiveSampler, AdaptiveSamplerBuilder, ErrorRateProcessor};
pub use rate_limiting::RateLimitingSampler;
