//! Everything a [`ClientLayer`](super::ClientLayer) was configured with.

use baton_core::conventions::{KnownMethods, UrlRedactor};
use opentelemetry::propagation::TextMapPropagator;
use std::sync::Arc;

use baton_core::instrument::{MetricsSource, Side};

/// Decides from a request's host whether it may receive something: trace headers, or
/// baggage. Implemented for closures.
///
/// ```
/// use baton_tower::client::ClientLayer;
///
/// // Trace headers to our own services only; baggage (tenant ids) to none outside.
/// let layer = ClientLayer::new()
///     .propagate_to(|host: &str| host.ends_with(".internal") || host == "127.0.0.1")
///     .propagate_baggage_to(|host: &str| host.ends_with(".internal"));
/// ```
pub trait HostPredicate: Send + Sync + 'static {
    /// Whether `host` may receive it.
    fn allows(&self, host: &str) -> bool;
}

impl<F> HostPredicate for F
where
    F: Fn(&str) -> bool + Send + Sync + 'static,
{
    fn allows(&self, host: &str) -> bool {
        self(host)
    }
}

#[derive(Clone)]
pub(crate) struct ClientConfig {
    pub(crate) propagator: Option<Arc<dyn TextMapPropagator + Send + Sync>>,
    pub(crate) trace_to: Option<Arc<dyn HostPredicate>>,
    pub(crate) baggage_to: Option<Arc<dyn HostPredicate>>,
    pub(crate) known_methods: KnownMethods,
    pub(crate) redactor: UrlRedactor,
    pub(crate) metrics: MetricsSource,
}

impl ClientConfig {
    pub(crate) fn new() -> Self {
        ClientConfig {
            propagator: None,
            trace_to: None,
            baggage_to: None,
            known_methods: KnownMethods::from_env().unwrap_or_default(),
            redactor: UrlRedactor::default(),
            metrics: MetricsSource::global(Side::Client, false),
        }
    }
}
