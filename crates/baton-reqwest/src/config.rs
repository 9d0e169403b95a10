//! Everything a [`TracingMiddleware`](crate::TracingMiddleware) was configured with.

use baton_core::conventions::{KnownMethods, UrlRedactor};
use baton_core::instrument::{MetricsSource, PropagationPolicy, Side};
use opentelemetry::propagation::TextMapPropagator;
use std::sync::Arc;

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) propagator: Option<Arc<dyn TextMapPropagator + Send + Sync>>,
    pub(crate) policy: PropagationPolicy,
    pub(crate) known_methods: KnownMethods,
    pub(crate) redactor: UrlRedactor,
    pub(crate) metrics: MetricsSource,
}

impl Config {
    pub(crate) fn new() -> Self {
        Config {
            propagator: None,
            policy: PropagationPolicy::default(),
            known_methods: KnownMethods::from_env().unwrap_or_default(),
            redactor: UrlRedactor::default(),
            metrics: MetricsSource::global(Side::Client, false),
        }
    }

    /// Whether trace headers, and baggage, may go to `host`.
    pub(crate) fn allows(&self, host: &str) -> (bool, bool) {
        self.policy.allows(host)
    }
}
