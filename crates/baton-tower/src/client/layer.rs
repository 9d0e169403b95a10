//! [`ClientLayer`]: the builder, and the [`tower_layer::Layer`] it is.

use baton_core::conventions::KnownMethods;
use opentelemetry::metrics::MeterProvider;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider;
use std::sync::Arc;
use tower_layer::Layer;

use super::config::ClientConfig;
use super::service::ClientService;
use baton_core::instrument::HostPredicate;
use baton_core::instrument::{GlobalTracer, MetricsSource, PropagatorChoice, Side, scope};

/// Traces every request a tower HTTP client sends: one `CLIENT` span per attempt, the trace
/// headers injected for it, and the HTTP client metrics. See the [module docs](super).
#[derive(Clone)]
pub struct ClientLayer<T = GlobalTracer> {
    config: Arc<ClientConfig>,
    tracer: T,
}

impl Default for ClientLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ClientLayer<GlobalTracer> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientLayer")
            .field("metrics", &self.config.metrics)
            .finish_non_exhaustive()
    }
}

impl ClientLayer {
    /// A layer using the global tracer provider, meter provider and propagator.
    pub fn new() -> Self {
        ClientLayer {
            config: Arc::new(ClientConfig::new()),
            tracer: GlobalTracer::default(),
        }
    }
}

impl<T> ClientLayer<T> {
    fn config(&mut self) -> &mut ClientConfig {
        Arc::make_mut(&mut self.config)
    }

    /// Creates spans with this provider's tracer instead of the global one.
    pub fn tracer_provider<P: TracerProvider>(self, provider: &P) -> ClientLayer<P::Tracer> {
        ClientLayer {
            config: self.config,
            tracer: provider.tracer_with_scope(scope()),
        }
    }

    /// Records metrics with this provider instead of the global one.
    pub fn meter_provider<P: MeterProvider>(mut self, provider: &P) -> Self {
        let instruments = self.config.metrics.instruments();
        self.config().metrics = MetricsSource::from_provider(provider, Side::Client, instruments);
        self
    }

    /// Turns the HTTP client metrics off.
    pub fn without_metrics(mut self) -> Self {
        self.config().metrics = MetricsSource::off();
        self
    }

    /// Also records `http.client.response.body.size`.
    pub fn with_body_size_metrics(mut self) -> Self {
        let metrics = self.config.metrics.with_body_sizes(true);
        self.config().metrics = metrics;
        self
    }

    /// Also records `http.client.active_requests`, the requests in flight (off by default,
    /// as on the server: the conventions mark it Development).
    pub fn with_active_requests_metric(mut self) -> Self {
        let metrics = self.config.metrics.with_active_requests(true);
        self.config().metrics = metrics;
        self
    }

    /// Injects trace headers with this propagator instead of the global one.
    pub fn propagator(
        mut self,
        propagator: impl TextMapPropagator + Send + Sync + 'static,
    ) -> Self {
        self.config().propagator = PropagatorChoice::given(propagator);
        self
    }

    /// Sends trace headers only to hosts `allows` accepts (all hosts by default). The span
    /// is recorded either way.
    pub fn propagate_to(mut self, allows: impl HostPredicate) -> Self {
        self.config().policy.trace_to(allows);
        self
    }

    /// Sends baggage only to hosts `allows` accepts (all hosts by default), so values such
    /// as tenant ids never reach third parties.
    pub fn propagate_baggage_to(mut self, allows: impl HostPredicate) -> Self {
        self.config().policy.baggage_to(allows);
        self
    }

    /// Also redacts the value of query parameter `key` in `url.full`.
    pub fn sensitive_query_key(mut self, key: impl Into<String>) -> Self {
        let redactor = std::mem::take(&mut self.config().redactor);
        self.config().redactor = redactor.with_query_key(key);
        self
    }

    /// Replaces the known methods (default: from `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`).
    pub fn known_methods(mut self, methods: KnownMethods) -> Self {
        self.config().known_methods = methods;
        self
    }
}

impl<S, T: Clone> Layer<S> for ClientLayer<T> {
    type Service = ClientService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        ClientService::new(inner, self.config.clone(), self.tracer.clone())
    }
}
