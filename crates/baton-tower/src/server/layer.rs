//! [`ServerLayer`]: the builder, and the [`tower_layer::Layer`] it is.

use baton_core::conventions::{HeaderCapture, HeaderSide, KnownMethods};
use http::HeaderName;
use opentelemetry::metrics::MeterProvider;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider;
use std::sync::Arc;
use tower_layer::Layer;

use super::config::Config;
use super::hooks::{RequestPredicate, RouteExtractor, SpanNamer};
use super::service::ServerService;
use baton_core::exchange::{GlobalTracer, MetricsSource, PropagatorSource, Side, scope};

/// Headers that are never captured, whatever the allow-list says: they carry credentials.
pub const NEVER_CAPTURED: [&str; 4] = [
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// Traces every request of the service it wraps: one `SERVER` span per request, following
/// the stable HTTP semantic conventions, ended when the response body has been sent; and
/// the HTTP server metrics. See the [module docs](super) for a tour.
///
/// `T` is the tracer: [`GlobalTracer`] unless [`tracer_provider`](Self::tracer_provider)
/// names a provider.
#[derive(Clone)]
pub struct ServerLayer<T = GlobalTracer> {
    config: Arc<Config>,
    tracer: T,
}

impl Default for ServerLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ServerLayer<GlobalTracer> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerLayer")
            .field("metrics", &self.config.recording.metrics)
            .finish_non_exhaustive()
    }
}

impl ServerLayer {
    /// A layer using the global tracer provider, meter provider and propagator, and the
    /// methods `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` names (the default list if it is
    /// unset or invalid).
    pub fn new() -> Self {
        ServerLayer {
            config: Arc::new(Config::new()),
            tracer: GlobalTracer::default(),
        }
    }
}

impl<T> ServerLayer<T> {
    fn config(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Creates spans with this provider's tracer instead of the global one.
    ///
    /// ```
    /// use baton_tower::server::ServerLayer;
    /// use opentelemetry_sdk::trace::SdkTracerProvider;
    ///
    /// let provider = SdkTracerProvider::builder().build();
    /// let layer = ServerLayer::new().tracer_provider(&provider);
    /// ```
    pub fn tracer_provider<P>(self, provider: &P) -> ServerLayer<P::Tracer>
    where
        P: TracerProvider,
    {
        ServerLayer {
            config: self.config,
            tracer: provider.tracer_with_scope(scope()),
        }
    }

    /// Records metrics with this provider instead of the global one.
    ///
    /// ```
    /// use baton_tower::server::ServerLayer;
    /// use opentelemetry_sdk::metrics::SdkMeterProvider;
    ///
    /// let provider = SdkMeterProvider::builder().build();
    /// let layer = ServerLayer::new().meter_provider(&provider);
    /// ```
    pub fn meter_provider<P: MeterProvider>(mut self, provider: &P) -> Self {
        let instruments = self.config.recording.metrics.instruments();
        self.config().recording.metrics = MetricsSource::given(provider, Side::Server, instruments);
        self
    }

    /// Turns the HTTP server metrics off (they are on by default).
    pub fn without_metrics(mut self) -> Self {
        self.config().recording.metrics = MetricsSource::off();
        self
    }

    /// Also records the opt-in `http.server.request.body.size` (from `Content-Length`) and
    /// `http.server.response.body.size` histograms, and the Opt-In span attribute
    /// `http.response.body.size` (the bytes of the response body sent).
    pub fn with_body_size_metrics(mut self) -> Self {
        let metrics = self.config.recording.metrics.with_body_sizes(true);
        self.config().recording.metrics = metrics;
        self
    }

    /// Also records `http.server.active_requests`, the number of requests in flight (an
    /// up-down counter, +1 when a request starts, −1 when its response body ends).
    ///
    /// Off by default: the conventions mark it Development (only
    /// `http.server.request.duration` is Stable), and its two measurements per request
    /// would double the cost of the layer's metrics. Turn it on where a gauge of in-flight
    /// requests is worth that.
    ///
    /// ```
    /// use baton_tower::server::ServerLayer;
    ///
    /// let layer = ServerLayer::new().with_active_requests_metric();
    /// ```
    pub fn with_active_requests_metric(mut self) -> Self {
        let metrics = self.config.recording.metrics.with_active_requests(true);
        self.config().recording.metrics = metrics;
        self
    }

    /// Reads incoming trace context with this propagator instead of the global one.
    ///
    /// ```
    /// use baton_core::propagation::{B3Propagator, CompositePropagator};
    /// use baton_tower::server::ServerLayer;
    ///
    /// let layer = ServerLayer::new().propagator(B3Propagator::new());
    /// let from_env = ServerLayer::new().propagator(CompositePropagator::from_env().unwrap());
    /// ```
    pub fn propagator(
        mut self,
        propagator: impl TextMapPropagator + Send + Sync + 'static,
    ) -> Self {
        self.config().propagator = PropagatorSource::given(propagator);
        self
    }

    /// Takes `http.route` from this extractor (with the `axum` feature the default reads
    /// axum's `MatchedPath`).
    pub fn route(mut self, extractor: impl RouteExtractor) -> Self {
        self.config().route = Arc::new(extractor);
        self
    }

    /// Traces only the requests for which `filter` returns `true`. A filtered-out request
    /// opens no span and records no metrics, but the caller's context still reaches the
    /// handler, so its outgoing calls continue the caller's trace.
    pub fn filter(mut self, filter: impl RequestPredicate) -> Self {
        self.config().filter = Some(Arc::new(filter));
        self
    }

    /// Marks public endpoints: for requests where `is_public` returns `true`, the caller's
    /// trace context and baggage are not trusted. The server span starts a new trace and
    /// carries a link to the caller's span context instead.
    ///
    /// ```
    /// use baton_tower::server::ServerLayer;
    ///
    /// let layer = ServerLayer::new().public_endpoint(|parts: &http::request::Parts| parts.uri.path().starts_with("/api/"));
    /// ```
    pub fn public_endpoint(mut self, is_public: impl RequestPredicate) -> Self {
        self.config().public = Some(Arc::new(is_public));
        self
    }

    /// Names spans with `namer` instead of `{method} {route}`.
    pub fn span_name(mut self, namer: impl SpanNamer) -> Self {
        self.config().namer = Some(Arc::new(namer));
        self
    }

    /// Records these request headers as `http.request.header.<name>`. `authorization`,
    /// `cookie`, `set-cookie` and `proxy-authorization` are never recorded.
    ///
    /// ```
    /// use baton_tower::server::ServerLayer;
    /// use http::HeaderName;
    ///
    /// let layer = ServerLayer::new().capture_request_headers([HeaderName::from_static("x-request-id")]);
    /// ```
    pub fn capture_request_headers(mut self, names: impl IntoIterator<Item = HeaderName>) -> Self {
        self.config().recording.request_headers = capture(HeaderSide::Request, names);
        self
    }

    /// Records these response headers as `http.response.header.<name>`, with the same
    /// deny-list as [`capture_request_headers`](Self::capture_request_headers).
    pub fn capture_response_headers(mut self, names: impl IntoIterator<Item = HeaderName>) -> Self {
        self.config().recording.response_headers = capture(HeaderSide::Response, names);
        self
    }

    /// Also redacts the value of query parameter `key` in `url.query`, in URL-valued
    /// captured headers (`Location`, `Referer`) and in error messages.
    pub fn sensitive_query_key(mut self, key: impl Into<String>) -> Self {
        let redactor = std::mem::take(&mut self.config().recording.redactor);
        self.config().recording.redactor = redactor.with_query_key(key);
        self
    }

    /// Replaces the known methods (default: from `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`).
    pub fn known_methods(mut self, methods: KnownMethods) -> Self {
        self.config().known_methods = methods;
        self
    }

    /// The `url.scheme` to report when neither the request URI nor a proxy
    /// (`Forwarded`, `X-Forwarded-Proto`) says: `"http"` by default, `"https"` behind TLS.
    pub fn scheme(mut self, scheme: &'static str) -> Self {
        self.config().scheme = scheme;
        self
    }

    /// Returns the trace to the caller in a `server-timing: trace;desc=<traceparent>`
    /// response header (the W3C Trace Context Level 2 draft), naming the server span.
    /// Baggage is never echoed.
    pub fn server_timing(mut self) -> Self {
        self.config().server_timing = true;
        self
    }

    /// Also returns the older draft's `traceresponse: <traceparent>` header.
    pub fn traceresponse(mut self) -> Self {
        self.config().traceresponse = true;
        self
    }
}

fn capture(side: HeaderSide, names: impl IntoIterator<Item = HeaderName>) -> HeaderCapture {
    let allowed = names
        .into_iter()
        .filter(|n| !NEVER_CAPTURED.contains(&n.as_str()));
    // Every `HeaderName` is valid, so building the capture cannot fail.
    HeaderCapture::new(side, allowed.map(|n| n.as_str().to_owned())).unwrap_or_default()
}

impl<S, T: Clone> Layer<S> for ServerLayer<T> {
    type Service = ServerService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        ServerService::new(inner, self.config.clone(), self.tracer.clone())
    }
}
