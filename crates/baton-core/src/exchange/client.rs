//! [`ClientExchange`]: one client request attempt, from its span's start to the moment it
//! ends and its metrics are recorded. Both client layers (tower and reqwest) use it,
//! through [`ClientTracing`](super::ClientTracing), so they record exactly the same thing.

use http::{Extensions, Method, Version};
use opentelemetry::trace::{SpanBuilder, SpanKind, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue, Value};
use std::time::SystemTime;

use super::grpc::{GrpcClientRequest, Opening, client_opening};
use super::metrics::{MetricsSource, Side};
use super::outcome::Outcome;
use super::record::{Flavour, MetricAttributes, Recorder};
use crate::conventions::{
    ClientUrl, ErrorType, KnownMethods, UrlRedactor, UrlTemplate, attributes as attr, http_scheme,
    protocol_version, span_name, start_attributes,
};
use crate::propagation::{local_trace_ids_random, with_span_declared};

/// Room for the attributes a client span usually gets (four or five at the start, two or
/// three in `finish`). A larger list costs more in the allocator than the rare growth.
const SPAN_ATTRIBUTES: usize = 7;

/// What a client layer knows about an attempt before sending it.
#[derive(Clone, Copy, Debug)]
pub struct ClientRequest<'a> {
    /// The request method.
    pub method: &'a Method,
    /// The request URL.
    pub url: ClientUrl<'a>,
    /// The request's extensions: a [`UrlTemplate`] there names the span and becomes
    /// `url.template`; an [`opentelemetry::Context`] there is the parent
    /// ([`ClientTracing::start`](super::ClientTracing::start)).
    pub extensions: &'a Extensions,
    /// Attempts made before this one (0 for the first): `http.request.resend_count` when
    /// above 0.
    pub resend_count: u32,
}

/// How a client records its attempts: the known methods, the URL redactor, the metrics.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// Methods recorded as themselves; any other is `_OTHER`.
    pub known_methods: KnownMethods,
    /// Redacts `url.full` and the URLs in error messages.
    pub redactor: UrlRedactor,
    /// The HTTP client metrics' instruments.
    pub metrics: MetricsSource,
}

impl Default for ClientSettings {
    /// The methods `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` names (the default list if it
    /// is unset, or invalid, with a warning: [`KnownMethods::from_env_or_warn`]), the
    /// default redactor, and the global meter provider.
    fn default() -> Self {
        ClientSettings {
            known_methods: KnownMethods::from_env_or_warn(),
            redactor: UrlRedactor::default(),
            metrics: MetricsSource::global(Side::Client, Default::default()),
        }
    }
}

/// One client request attempt in flight.
///
/// [`start`](Self::start) opens the `CLIENT` span (child of `parent`) with the start
/// attributes and counts the request as active (with `active_requests` on); the layer injects
/// [`context`](Self::context) into the outgoing headers, reports the response or error,
/// and calls [`finish`](Self::finish), which sets status and `error.type` by the client
/// rules, ends the span and records `http.client.request.duration`. Dropping an unfinished
/// exchange finishes it as [`Outcome::Dropped`] (or [`Outcome::Panicked`] while unwinding),
/// so no path leaks an active request. What happens at the end is the same on both sides:
/// see [`ServerExchange`](super::ServerExchange).
pub struct ClientExchange {
    rec: Recorder<Vec<KeyValue>>,
}

impl std::fmt::Debug for ClientExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientExchange")
            .field("status", &self.rec.status)
            .field("done", &self.rec.done())
            .finish_non_exhaustive()
    }
}

impl ClientExchange {
    /// Starts the span and counts the request as active (with `active_requests` on).
    ///
    /// ```
    /// use baton_core::conventions::ClientUrl;
    /// use baton_core::exchange::{ClientExchange, ClientRequest, ClientSettings, Outcome};
    /// use opentelemetry::{trace::noop::NoopTracer, Context};
    ///
    /// let extensions = http::Extensions::new();
    /// let url = ClientUrl { full: "http://api.example/x", scheme: Some("http"), host: Some("api.example"), port: None };
    /// let request = ClientRequest { method: &http::Method::GET, url, extensions: &extensions, resend_count: 0 };
    /// let mut exchange = ClientExchange::start(&NoopTracer::new(), &Context::new(), request, &ClientSettings::default());
    /// exchange.on_response(200, http::Version::HTTP_11);
    /// exchange.finish(Outcome::Completed);
    /// ```
    pub fn start<T>(
        tracer: &T,
        parent: &Context,
        request: ClientRequest<'_>,
        settings: &ClientSettings,
    ) -> Self
    where
        T: Tracer,
        T::Span: Send + Sync + 'static,
    {
        let start = SystemTime::now();
        let method = settings.known_methods.classify(request.method);
        let template = request.extensions.get::<UrlTemplate>();
        let mut attributes = start_attributes(
            &method,
            request.url,
            template,
            &settings.redactor,
            SPAN_ATTRIBUTES,
            // An owned copy: measured cheaper than sharing it as `Arc<str>` (+3,100
            // instructions a request with the SDK 0.33) and than interning it as the server
            // does (+1,150 with one codegen unit, `scripts/bench_instructions.sh
            // client_baton_batonprop`; the interner itself costs 69: the rest is not
            // explained).
            |host| Value::from(host.to_owned()),
        );
        if request.resend_count > 0 {
            attributes.push(KeyValue::new(
                attr::HTTP_REQUEST_RESEND_COUNT,
                i64::from(request.resend_count),
            ));
        }
        let metrics = settings
            .metrics
            .shared()
            .map(|m| (m, metric_attributes(&attributes, request.url, template)));

        let name = span_name(&method, template.map(|t| t.0.as_ref()));
        let span = (
            name,
            attributes,
            Flavour::Http {
                request_body_size: None,
            },
        );
        Self::begin(tracer, parent, start, span, metrics, settings)
    }

    /// Starts the `CLIENT` span named `name` with `attributes`, and the recorder (inlined
    /// into both starts, so nothing is copied on the way).
    #[inline(always)]
    fn begin<T>(
        tracer: &T,
        parent: &Context,
        start: SystemTime,
        (name, attributes, flavour): (std::borrow::Cow<'static, str>, Vec<KeyValue>, Flavour),
        metrics: Option<(
            &std::sync::Arc<super::HttpMetrics>,
            MetricAttributes<Vec<KeyValue>>,
        )>,
        settings: &ClientSettings,
    ) -> Self
    where
        T: Tracer,
        T::Span: Send + Sync + 'static,
    {
        // Built whole: `with_attributes` collects the list again, and is not always inlined.
        let builder = SpanBuilder {
            name,
            span_kind: Some(SpanKind::Client),
            start_time: Some(start),
            attributes: Some(attributes),
            events: None,
            links: None,
        };
        // A root (no trace around) claims `random-trace-id` when this process's ids are
        // declared random. Decided before the span is built, so that the span (an SDK
        // span is large) moves straight into the context either way.
        let cx = if local_trace_ids_random() {
            with_span_declared(parent, tracer.build_with_context(builder, parent), true)
        } else {
            parent.with_span(tracer.build_with_context(builder, parent))
        };
        let rec = Recorder::new(
            Side::Client,
            flavour,
            cx,
            start,
            None,
            &settings.redactor,
            metrics,
        );
        ClientExchange { rec }
    }

    /// Starts a gRPC call's span by the RPC conventions (v1.44.0): `CLIENT`, named
    /// `rpc.method` (`grpc` for `_OTHER`), with `rpc.system.name`, `rpc.method`,
    /// `server.address` and `server.port`; the end sets `rpc.response.status_code` from
    /// `grpc-status` (every code but `OK` an error) and records `rpc.client.call.duration`.
    ///
    /// ```
    /// use baton_core::exchange::{ClientExchange, ClientSettings, GrpcClientRequest, Outcome};
    /// use opentelemetry::{trace::noop::NoopTracer, Context};
    ///
    /// let (headers, extensions) = (http::HeaderMap::new(), http::Extensions::new());
    /// let request = GrpcClientRequest { path: "/pkg.Echo/Say", headers: &headers, host: "echo.internal", port: Some(50051), extensions: &extensions };
    /// let mut exchange = ClientExchange::start_grpc(&NoopTracer::new(), &Context::new(), request, &ClientSettings::default());
    /// exchange.on_grpc_response(200, &http::HeaderMap::new());
    /// exchange.finish(Outcome::Completed);
    /// ```
    pub fn start_grpc<T>(
        tracer: &T,
        parent: &Context,
        request: GrpcClientRequest<'_>,
        settings: &ClientSettings,
    ) -> Self
    where
        T: Tracer,
        T::Span: Send + Sync + 'static,
    {
        let start = SystemTime::now();
        let Opening {
            name,
            attributes,
            base,
            last,
            flavour,
        } = client_opening(&request);
        let metrics = settings
            .metrics
            .shared()
            .map(|m| (m, MetricAttributes { base, last }));
        Self::begin(
            tracer,
            parent,
            start,
            (name, attributes, flavour),
            metrics,
            settings,
        )
    }

    /// Whether this is a gRPC call ([`start_grpc`](Self::start_grpc)).
    pub fn is_grpc(&self) -> bool {
        self.rec.flavour.is_grpc()
    }

    /// A gRPC call's response head: `grpc-status` in it (a trailers-only response) ends
    /// the call's status; a status other than 200 without one gives the code gRPC infers
    /// from it. For an HTTP attempt, the same as [`on_response`](Self::on_response)
    /// without a version.
    pub fn on_grpc_response(&mut self, status: u16, headers: &http::HeaderMap) {
        if self.rec.flavour.is_grpc() {
            self.rec.grpc_head(status, headers);
        } else {
            self.rec.status = Some(status);
        }
    }

    /// The response trailers arrived: for a gRPC call, `grpc-status` (and
    /// `grpc-message`) in them are its end; ignored for HTTP.
    pub fn on_trailers(&mut self, trailers: &http::HeaderMap) {
        self.rec.grpc_trailers(trailers);
    }

    /// The context holding the attempt's span: inject it into the request, attach it while
    /// the request is sent.
    pub fn context(&self) -> &Context {
        self.rec.context()
    }

    /// The response head arrived.
    pub fn on_response(&mut self, status: u16, version: Version) {
        self.rec.status = Some(status);
        self.rec.protocol = protocol_version(version);
    }

    /// The attempt failed with a transport error. URLs in `message` are redacted as in
    /// `url.full` (error texts often name the URL), then the text is cut to
    /// [`MAX_ERROR_MESSAGE`](super::MAX_ERROR_MESSAGE) bytes: redacting first, so a cut
    /// never leaves half a secret.
    pub fn on_error(&mut self, kind: ErrorType, message: impl Into<String>) {
        self.rec.on_error(kind, message.into());
    }

    /// Counts response body bytes read.
    pub fn add_body_bytes(&mut self, n: u64) {
        self.rec.add_body_bytes(n);
    }

    /// Ends the span and records the metrics, once; later calls do nothing.
    pub fn finish(&mut self, outcome: Outcome) {
        self.rec.finish(outcome);
    }
}

/// The duration's attributes besides status, error and protocol: method, `server.address`,
/// `server.port` (from the span's), `url.scheme`, and `url.template` last.
fn metric_attributes(
    span: &[KeyValue],
    url: ClientUrl<'_>,
    template: Option<&UrlTemplate>,
) -> MetricAttributes<Vec<KeyValue>> {
    let mut base = Vec::with_capacity(4);
    for kv in span.iter().filter(|kv| {
        kv.key == attr::HTTP_REQUEST_METHOD
            || kv.key == attr::SERVER_ADDRESS
            || kv.key == attr::SERVER_PORT
    }) {
        base.push(kv.clone());
    }
    let scheme = match url.scheme {
        Some(s) => http_scheme(s).map_or_else(|| Value::from(s.to_owned()), Value::from),
        None => Value::from("http"),
    };
    base.push(KeyValue::new(attr::URL_SCHEME, scheme));
    MetricAttributes {
        base,
        last: template.map(|t| KeyValue::new(attr::URL_TEMPLATE, t.0.clone())),
    }
}
