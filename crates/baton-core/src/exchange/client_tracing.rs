//! [`ClientTracing`]: the front-end every client layer shares (the tower `ClientLayer` and
//! the reqwest `TracingMiddleware`): its configuration, its builder methods, and the start
//! of each attempt (parent, policy decision, [`ClientExchange::start`], injection).

use http::HeaderMap;
use opentelemetry::Context;
use opentelemetry::metrics::MeterProvider;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{Tracer, TracerProvider};
use std::sync::Arc;

use super::client::{ClientExchange, ClientRequest, ClientSettings};
use super::grpc::GrpcClientRequest;
use super::host::{HostPredicate, PropagationPolicy};
use super::metrics::{MetricsSource, Side};
use super::source::{GlobalTracer, PropagatorSource, scope};
use crate::conventions::KnownMethods;

#[derive(Clone, Debug, Default)]
struct Config {
    settings: ClientSettings,
    propagator: PropagatorSource,
    policy: PropagationPolicy,
}

/// How a client traces its requests: one `CLIENT` span per attempt, trace headers injected
/// for it (to the hosts allowed), the HTTP client metrics. Configure it here, then turn it
/// into a layer with `From`: the tower `ClientLayer` and the reqwest `TracingMiddleware`
/// are both built from it, and both offer the same builder methods, which forward here.
///
/// ```
/// use baton_core::exchange::ClientTracing;
///
/// let tracing = ClientTracing::new()
///     .propagate_to(|host: &str| host.ends_with(".internal"))
///     .sensitive_query_key("api_key")
///     .with_active_requests_metric();
/// // baton_reqwest::TracingMiddleware::from(tracing.clone()), baton_tower::client::ClientLayer::from(tracing)
/// ```
///
/// `T` is the tracer: [`GlobalTracer`] unless [`tracer_provider`](Self::tracer_provider)
/// names a provider. Cloning is cheap: the configuration is shared.
#[derive(Clone)]
pub struct ClientTracing<T = GlobalTracer> {
    config: Arc<Config>,
    tracer: T,
}

impl Default for ClientTracing {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for ClientTracing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTracing")
            .field("tracer", &std::any::type_name::<T>())
            .field("metrics", &self.config.settings.metrics)
            .field("propagator", &self.config.propagator)
            .field("policy", &self.config.policy)
            .finish_non_exhaustive()
    }
}

impl ClientTracing {
    /// The global tracer provider, meter provider and propagator (looked up at the first
    /// request, so this can be built before the SDK is installed), and the methods
    /// `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` names.
    pub fn new() -> Self {
        ClientTracing {
            config: Arc::default(),
            tracer: GlobalTracer::default(),
        }
    }
}

impl<T> ClientTracing<T> {
    fn config(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Creates spans with this provider's tracer instead of the global one.
    ///
    /// ```
    /// use baton_core::exchange::ClientTracing;
    /// use opentelemetry_sdk::trace::SdkTracerProvider;
    ///
    /// let provider = SdkTracerProvider::builder().build();
    /// let tracing = ClientTracing::new().tracer_provider(&provider);
    /// ```
    pub fn tracer_provider<P: TracerProvider>(self, provider: &P) -> ClientTracing<P::Tracer> {
        ClientTracing {
            config: self.config,
            tracer: provider.tracer_with_scope(scope()),
        }
    }

    /// Records the HTTP client metrics with this provider instead of the global one.
    ///
    /// ```
    /// use baton_core::exchange::ClientTracing;
    /// use opentelemetry_sdk::metrics::SdkMeterProvider;
    ///
    /// let provider = SdkMeterProvider::builder().build();
    /// let tracing = ClientTracing::new().meter_provider(&provider);
    /// ```
    pub fn meter_provider<P: MeterProvider>(mut self, provider: &P) -> Self {
        let instruments = self.config.settings.metrics.instruments();
        self.config().settings.metrics = MetricsSource::given(provider, Side::Client, instruments);
        self
    }

    /// Turns the HTTP client metrics off; spans are still recorded.
    pub fn without_metrics(mut self) -> Self {
        self.config().settings.metrics = MetricsSource::off();
        self
    }

    /// Also records `http.client.response.body.size`, the bytes of each response body
    /// read.
    pub fn with_body_size_metrics(mut self) -> Self {
        let metrics = self.config.settings.metrics.with_body_sizes(true);
        self.config().settings.metrics = metrics;
        self
    }

    /// Also records `http.client.active_requests`, the requests in flight: +1 when an
    /// attempt starts, −1 when it ends or is dropped. Off by default (the conventions mark
    /// it Development, and it doubles the cost of the metrics).
    ///
    /// ```
    /// use baton_core::exchange::ClientTracing;
    ///
    /// let tracing = ClientTracing::new().with_active_requests_metric();
    /// ```
    pub fn with_active_requests_metric(mut self) -> Self {
        let metrics = self.config.settings.metrics.with_active_requests(true);
        self.config().settings.metrics = metrics;
        self
    }

    /// Injects trace headers with this propagator instead of the global one.
    ///
    /// ```
    /// use baton_core::exchange::ClientTracing;
    /// use baton_core::propagation::{CompositePropagator, PropagatorKind};
    ///
    /// let tracing = ClientTracing::new()
    ///     .propagator(CompositePropagator::new([PropagatorKind::TraceContext, PropagatorKind::Baggage]));
    /// ```
    pub fn propagator(
        mut self,
        propagator: impl TextMapPropagator + Send + Sync + 'static,
    ) -> Self {
        self.config().propagator = PropagatorSource::given(propagator);
        self
    }

    /// Sends trace headers only to hosts `allows` accepts (all hosts by default). The span
    /// is recorded either way; a host that is refused receives no trace headers, so the
    /// trace does not continue there.
    ///
    /// ```
    /// use baton_core::exchange::ClientTracing;
    ///
    /// let tracing = ClientTracing::new().propagate_to(|host: &str| host.ends_with(".internal"));
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
    /// use baton_core::exchange::ClientTracing;
    ///
    /// let tracing = ClientTracing::new().propagate_baggage_to(|host: &str| host == "billing.internal");
    /// ```
    pub fn propagate_baggage_to(mut self, allows: impl HostPredicate) -> Self {
        self.config().policy.baggage_to(allows);
        self
    }

    /// Also redacts the value of query parameter `key` in `url.full` and in error messages
    /// (credentials and the signed-URL parameters `AWSAccessKeyId`, `Signature`, `sig`,
    /// `X-Goog-Signature` and `X-Amz-*` always are).
    ///
    /// ```
    /// use baton_core::exchange::ClientTracing;
    ///
    /// let tracing = ClientTracing::new().sensitive_query_key("api_key");
    /// ```
    pub fn sensitive_query_key(mut self, key: impl Into<String>) -> Self {
        let redactor = std::mem::take(&mut self.config().settings.redactor);
        self.config().settings.redactor = redactor.with_query_key(key);
        self
    }

    /// Replaces the methods recorded as themselves in `http.request.method` (default: from
    /// `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`, or the standard ones); any other method is
    /// recorded as `_OTHER`, with the original in `http.request.method_original`.
    ///
    /// ```
    /// use baton_core::conventions::KnownMethods;
    /// use baton_core::exchange::ClientTracing;
    ///
    /// let tracing = ClientTracing::new().known_methods(KnownMethods::parse("GET,POST,PURGE").unwrap());
    /// ```
    pub fn known_methods(mut self, methods: KnownMethods) -> Self {
        self.config().settings.known_methods = methods;
        self
    }

    /// The metrics source (to show in a layer's `Debug`).
    pub fn metrics(&self) -> &MetricsSource {
        &self.config.settings.metrics
    }
}

impl<T> ClientTracing<T>
where
    T: Tracer,
    T::Span: Send + Sync + 'static,
{
    /// Starts an attempt: its span is a child of the [`Context`] in the request's
    /// extensions, or of the current context; the propagation policy is decided for the
    /// URL's host. Returns the exchange and that decision, for [`inject`](Self::inject)
    /// (separate, so a layer can describe the request with borrows of it and then write
    /// its headers).
    pub fn start(&self, request: ClientRequest<'_>) -> (ClientExchange, Propagation) {
        let parent = parent(request.extensions);
        let (trace, baggage) = self.config.policy.allows(request.url.host.unwrap_or(""));
        let exchange = ClientExchange::start(&self.tracer, &parent, request, &self.config.settings);
        (exchange, Propagation { trace, baggage })
    }

    /// Starts a gRPC call (see [`ClientExchange::start_grpc`]): parent as in
    /// [`start`](Self::start), the propagation policy decided for the target's host.
    pub fn start_grpc(&self, request: GrpcClientRequest<'_>) -> (ClientExchange, Propagation) {
        let parent = parent(request.extensions);
        let (trace, baggage) = self.config.policy.allows(request.host);
        let exchange =
            ClientExchange::start_grpc(&self.tracer, &parent, request, &self.config.settings);
        (exchange, Propagation { trace, baggage })
    }

    /// Writes the attempt's trace headers (and baggage) into the outgoing `headers`, as
    /// far as `propagation` allows; a field that cannot be a header value is skipped,
    /// never sent broken.
    pub fn inject(&self, propagation: Propagation, cx: &Context, headers: &mut HeaderMap) {
        self.config.propagator.inject_allowed(
            (propagation.trace, propagation.baggage),
            cx,
            headers,
        );
    }
}

/// The parent of a client span: the [`Context`] in the request's extensions, or the
/// current one.
fn parent(extensions: &http::Extensions) -> Context {
    extensions
        .get::<Context>()
        .cloned()
        .unwrap_or_else(Context::current)
}

/// What a request may carry to its host, as [`ClientTracing::start`] decided: trace
/// headers, baggage, both or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Propagation {
    trace: bool,
    baggage: bool,
}

/// The builder methods of [`ClientTracing`], forwarded, for a client layer `$layer<T>` that
/// implements `From<ClientTracing<T>>` and holds its `ClientTracing<T>` in field `$field`:
/// the tower and reqwest layers offer the same methods without writing them twice.
#[doc(hidden)]
#[macro_export]
macro_rules! __forward_client_tracing_builder {
    ($layer:ident, $field:ident) => {
        impl<T> $layer<T> {
            /// Creates spans with this provider's tracer instead of the global one (see
            /// [`ClientTracing::tracer_provider`](baton_core::exchange::ClientTracing::tracer_provider)).
            pub fn tracer_provider<P: $crate::__private::TracerProvider>(
                self,
                provider: &P,
            ) -> $layer<P::Tracer> {
                $layer::from(self.$field.tracer_provider(provider))
            }

            /// Records the HTTP client metrics with this provider instead of the global
            /// one (see [`ClientTracing::meter_provider`](baton_core::exchange::ClientTracing::meter_provider)).
            pub fn meter_provider<P: $crate::__private::MeterProvider>(self, provider: &P) -> Self {
                $layer::from(self.$field.meter_provider(provider))
            }

            /// Turns the HTTP client metrics off; spans are still recorded.
            pub fn without_metrics(self) -> Self {
                $layer::from(self.$field.without_metrics())
            }

            /// Also records `http.client.response.body.size`.
            pub fn with_body_size_metrics(self) -> Self {
                $layer::from(self.$field.with_body_size_metrics())
            }

            /// Also records `http.client.active_requests`, the requests in flight (off by
            /// default: the conventions mark it Development; see
            /// [`ClientTracing::with_active_requests_metric`](baton_core::exchange::ClientTracing::with_active_requests_metric)).
            pub fn with_active_requests_metric(self) -> Self {
                $layer::from(self.$field.with_active_requests_metric())
            }

            /// Injects trace headers with this propagator instead of the global one.
            pub fn propagator(
                self,
                propagator: impl $crate::__private::TextMapPropagator + Send + Sync + 'static,
            ) -> Self {
                $layer::from(self.$field.propagator(propagator))
            }

            /// Sends trace headers only to hosts `allows` accepts (all hosts by default);
            /// the span is recorded either way (see
            /// [`ClientTracing::propagate_to`](baton_core::exchange::ClientTracing::propagate_to)).
            pub fn propagate_to(self, allows: impl $crate::__private::HostPredicate) -> Self {
                $layer::from(self.$field.propagate_to(allows))
            }

            /// Sends baggage only to hosts `allows` accepts (all hosts by default), so
            /// values such as tenant ids never reach third parties.
            pub fn propagate_baggage_to(
                self,
                allows: impl $crate::__private::HostPredicate,
            ) -> Self {
                $layer::from(self.$field.propagate_baggage_to(allows))
            }

            /// Also redacts the value of query parameter `key` in `url.full` and in error
            /// messages (see
            /// [`ClientTracing::sensitive_query_key`](baton_core::exchange::ClientTracing::sensitive_query_key)).
            pub fn sensitive_query_key(self, key: impl Into<String>) -> Self {
                $layer::from(self.$field.sensitive_query_key(key))
            }

            /// Replaces the known methods (default: from
            /// `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`); any other method is `_OTHER`.
            pub fn known_methods(self, methods: $crate::conventions::KnownMethods) -> Self {
                $layer::from(self.$field.known_methods(methods))
            }
        }
    };
}
