//! Everything a [`ClientLayer`](super::ClientLayer) was configured with.

use baton_core::conventions::{KnownMethods, UrlRedactor};
use opentelemetry::propagation::TextMapPropagator;
use std::sync::Arc;

use baton_core::instrument::{MetricsSource, PropagationPolicy, Side};

#[derive(Clone)]
pub(crate) struct ClientConfig {
    pub(crate) propagator: Option<Arc<dyn TextMapPropagator + Send + Sync>>,
    pub(crate) policy: PropagationPolicy,
    pub(crate) known_methods: KnownMethods,
    pub(crate) redactor: UrlRedactor,
    pub(crate) metrics: MetricsSource,
}

impl ClientConfig {
    pub(crate) fn new() -> Self {
        ClientConfig {
            propagator: None,
            policy: PropagationPolicy::default(),
            known_methods: KnownMethods::from_env().unwrap_or_default(),
            redactor: UrlRedactor::default(),
            metrics: MetricsSource::global(Side::Client, false),
        }
    }
}
