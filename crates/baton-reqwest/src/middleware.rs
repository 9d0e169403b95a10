//! [`TracingMiddleware`]: the builder.

use baton_core::conventions::KnownMethods;
use baton_core::instrument::{GlobalTracer, MetricsSource, PropagatorChoice, Side, scope};
use opentelemetry::metrics::MeterProvider;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider;
use std::sync::Arc;

use crate::config::Config;
use baton_core::instrument::HostPredicate;

/// Traces every request a [`reqwest_middleware::ClientWithMiddleware`] sends: one `CLIENT`
/// span per attempt, the trace headers injected for it, and the HTTP client metrics. See the
/// [crate docs](crate).
///
/// Add it to the [`ClientBuilder`](reqwest_middleware::ClientBuilder) **after** any retry
/// middleware, so that it runs once per attempt:
///
/// ```
/// use baton_reqwest::TracingMiddleware;
/// use reqwest_middleware::ClientBuilder;
/// use reqwest_retry::{RetryTransientMiddleware, policies::ExponentialBackoff};
///
/// let policy = ExponentialBackoff::builder().build_with_max_retries(2);
/// let client = ClientBuilder::new(reqwest::Client::new())
///     .with(RetryTransientMiddleware::new_with_policy(policy))
///     .with(TracingMiddleware::new())
///     .build();
/// ```
///
/// Every builder method returns the middleware, so configuration chains; the middleware
/// is cheap to clone (the configuration is shared).
#[derive(Clone)]
pub struct TracingMiddleware<T = GlobalTracer> {
    pub(crate) config: Arc<Config>,
    pub(crate) tracer: T,
}

impl Default for TracingMiddleware {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for TracingMiddleware<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracingMiddleware")
            .field("tracer", &std::any::type_name::<T>())
            .field("metrics", &self.config.metrics)
            .field("propagator", &self.config.propagator)
            .field("policy", &self.config.policy)
            .finish_non_exhaustive()
    }
}

impl TracingMiddleware {
    /// A middleware using the global tracer provider, meter provider and propagator.
    ///
    /// The global providers are looked up when the first request is sent, not here, so a
    /// middleware built before the SDK is installed still records.
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    /// use reqwest_middleware::ClientBuilder;
    ///
    /// let client = ClientBuilder::new(reqwest::Client::new()).with(TracingMiddleware::new()).build();
    /// ```
    pub fn new() -> Self {
        TracingMiddleware {
            config: Arc::new(Config::new()),
            tracer: GlobalTracer::default(),
        }
    }
}

impl<T> TracingMiddleware<T> {
    fn config(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Creates spans with this provider's tracer instead of the global one.
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    /// use opentelemetry_sdk::trace::SdkTracerProvider;
    ///
    /// let provider = SdkTracerProvider::builder().build();
    /// let middleware = TracingMiddleware::new().tracer_provider(&provider);
    /// ```
    pub fn tracer_provider<P: TracerProvider>(self, provider: &P) -> TracingMiddleware<P::Tracer> {
        TracingMiddleware {
            config: self.config,
            tracer: provider.tracer_with_scope(scope()),
        }
    }

    /// Records the HTTP client metrics with this provider instead of the global one.
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    /// use opentelemetry_sdk::metrics::SdkMeterProvider;
    ///
    /// let provider = SdkMeterProvider::builder().build();
    /// let middleware = TracingMiddleware::new().meter_provider(&provider);
    /// ```
    pub fn meter_provider<P: MeterProvider>(mut self, provider: &P) -> Self {
        let instruments = self.config.metrics.instruments();
        self.config().metrics = MetricsSource::from_provider(provider, Side::Client, instruments);
        self
    }

    /// Also records `http.client.active_requests`, the requests in flight: +1 when an
    /// attempt starts, −1 when it ends or is dropped. Off by default (the conventions mark
    /// it Development, and it doubles the cost of the metrics).
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    ///
    /// let middleware = TracingMiddleware::new().with_active_requests_metric();
    /// ```
    pub fn with_active_requests_metric(mut self) -> Self {
        let metrics = self.config.metrics.with_active_requests(true);
        self.config().metrics = metrics;
        self
    }

    /// Turns the HTTP client metrics off; spans are still recorded.
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    ///
    /// let middleware = TracingMiddleware::new().without_metrics();
    /// ```
    pub fn without_metrics(mut self) -> Self {
        self.config().metrics = MetricsSource::off();
        self
    }

    /// Injects trace headers with this propagator instead of the global one.
    ///
    /// ```
    /// use baton_core::propagation::{CompositePropagator, PropagatorKind};
    /// use baton_reqwest::TracingMiddleware;
    ///
    /// let middleware = TracingMiddleware::new()
    ///     .propagator(CompositePropagator::new([PropagatorKind::TraceContext, PropagatorKind::Baggage]));
    /// ```
    pub fn propagator(
        mut self,
        propagator: impl TextMapPropagator + Send + Sync + 'static,
    ) -> Self {
        self.config().propagator = PropagatorChoice::given(propagator);
        self
    }

    /// Sends trace headers only to hosts `allows` accepts (all hosts by default). The span
    /// is recorded either way; a host that is refused receives no trace headers from this
    /// middleware, so the trace does not continue there.
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    ///
    /// let middleware = TracingMiddleware::new().propagate_to(|host: &str| host.ends_with(".internal"));
    /// ```
    pub fn propagate_to(mut self, allows: impl HostPredicate) -> Self {
        self.config().policy.trace_to(allows);
        self
    }

    /// Sends baggage only to hosts `allows` accepts (all hosts by default), so values such
    /// as tenant ids never reach third parties. Independent of
    /// [`propagate_to`](Self::propagate_to).
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    ///
    /// let middleware = TracingMiddleware::new().propagate_baggage_to(|host: &str| host == "billing.internal");
    /// ```
    pub fn propagate_baggage_to(mut self, allows: impl HostPredicate) -> Self {
        self.config().policy.baggage_to(allows);
        self
    }

    /// Also redacts the value of query parameter `key` in `url.full` (credentials and the
    /// signed-URL parameters `AWSAccessKeyId`, `Signature`, `sig`, `X-Goog-Signature` and
    /// `X-Amz-*` always are).
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    ///
    /// let middleware = TracingMiddleware::new().sensitive_query_key("api_key");
    /// ```
    pub fn sensitive_query_key(mut self, key: impl Into<String>) -> Self {
        let redactor = std::mem::take(&mut self.config().redactor);
        self.config().redactor = redactor.with_query_key(key);
        self
    }

    /// Replaces the methods recorded as themselves in `http.request.method` (default: from
    /// `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`, or the standard ones); any other method is
    /// recorded as `_OTHER`, with the original in `http.request.method_original`.
    ///
    /// ```
    /// use baton_core::conventions::KnownMethods;
    /// use baton_reqwest::TracingMiddleware;
    ///
    /// let methods = KnownMethods::parse("GET,POST,PURGE").unwrap();
    /// let middleware = TracingMiddleware::new().known_methods(methods);
    /// ```
    pub fn known_methods(mut self, methods: KnownMethods) -> Self {
        self.config().known_methods = methods;
        self
    }
}
