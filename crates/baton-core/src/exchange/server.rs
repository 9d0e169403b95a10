//! [`ServerExchange`]: one request a server received, from its span's start to the moment
//! its response body has been sent and its metrics are recorded. The mirror of
//! [`ClientExchange`](super::ClientExchange): the server layers read what they need off the
//! request ([`ServerRequest`]) and report the response, the body and the end.

use http::HeaderMap;
use opentelemetry::trace::{Link, SpanBuilder, SpanKind, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue, StringValue, Value};
use std::time::SystemTime;

use super::grpc::{self, Opening};
use super::metrics::Side;
use super::outcome::Outcome;
use super::record::{Flavour, MetricAttributes, Recorder};
use super::sampling;
use super::server_request::{
    ServerRequest, ServerSettings, keeps_caller, request_body_size, span_attributes,
};
use crate::conventions::rpc::is_grpc_request;
use crate::conventions::{
    ErrorType, ProxyHeaders, attributes as attr, http_scheme, protocol_version,
};

/// One request a server is handling.
///
/// [`start`](Self::start) opens the `SERVER` span (child of `parent`) with the start
/// attributes and counts the request as active (with `active_requests` on); the layer attaches
/// [`context`](Self::context) while the handler runs, reports the response head
/// ([`on_response`](Self::on_response)), the body bytes sent, a service error, and calls
/// [`finish`](Self::finish) when the body has been sent.
///
/// What happens at the end is the same on both sides (server and client):
/// - status and `error.type`: 5xx is an error on a server, 4xx and 5xx on a client
///   (`error.type` = the code); a service error is an error with its type as `error.type`
///   and its message as the status description; a body error is `body`; a panic is
///   `panic` with the description `panicked`;
/// - an `exception` event (`exception.type` = the `error.type` value, `exception.message`
///   = the message, URLs redacted, cut to [`MAX_ERROR_MESSAGE`](super::MAX_ERROR_MESSAGE)
///   bytes) for a service error or a body error;
/// - a `request cancelled` event when the exchange is dropped before its end, before or
///   after the response head;
/// - the duration (and, on request, body sizes and active requests) recorded once.
///
/// Dropping an unfinished exchange finishes it as [`Outcome::Dropped`] (or
/// [`Outcome::Panicked`] while unwinding).
pub struct ServerExchange {
    state: State,
}

/// What an exchange has to do at its end.
#[allow(
    clippy::large_enum_variant,
    reason = "boxing the live recorder would cost an allocation on every traced request"
)]
enum State {
    /// Record the span's end and the metrics.
    Live(Recorder<[KeyValue; 2]>),
    /// Nothing: the sampler dropped the span, the request runs in its caller's context
    /// (see [`keeps_caller`]), no response header names the span and metrics are off. The
    /// end of such an exchange would only end a span that records nothing.
    Inert(Context),
}

impl std::fmt::Debug for ServerExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("ServerExchange");
        match &self.state {
            State::Live(rec) => d.field("status", &rec.status).field("done", &rec.done()),
            State::Inert(_) => d.field("recorded", &false),
        };
        d.finish_non_exhaustive()
    }
}

impl ServerExchange {
    /// Starts the span and counts the request as active (with `active_requests` on). The tracer (and so the user's
    /// sampler) decides every request, except where its decision is known beforehand: for a
    /// request whose caller sent an unsampled context, on the global tracer provider
    /// declared parent-based
    /// ([`declare_global_sampler_parent_based`](super::declare_global_sampler_parent_based)),
    /// and with no response header naming the span, no span is built (and with metrics off,
    /// nothing is recorded). `request` is borrowed: its name and route are
    /// cloned, which costs nothing for the `&'static` ones a route cache gives.
    ///
    /// ```
    /// use baton_core::conventions::KnownMethods;
    /// use baton_core::exchange::{Outcome, ServerExchange, ServerRequest, ServerSettings};
    /// use opentelemetry::{trace::noop::NoopTracer, Context};
    ///
    /// let request = http::Request::get("/users/42").header("host", "api.example").body(()).unwrap();
    /// let method = KnownMethods::default().classify(request.method());
    /// let settings = ServerSettings::default();
    /// let description = ServerRequest {
    ///     name: "GET /users/{id}".into(),
    ///     method,
    ///     route: Some("/users/{id}".into()),
    ///     uri: request.uri(),
    ///     version: request.version(),
    ///     headers: request.headers(),
    ///     extensions: request.extensions(),
    ///     peer: |_| None,
    ///     default_scheme: "http",
    ///     link: None,
    ///     span_in_response: false,
    /// };
    /// let mut exchange = ServerExchange::start(&NoopTracer::new(), Context::new(), &description, &settings);
    /// exchange.on_response(200, &http::HeaderMap::new(), &settings);
    /// exchange.finish(Outcome::Completed);
    /// ```
    pub fn start<T>(
        tracer: &T,
        parent: Context,
        request: &ServerRequest<'_>,
        settings: &ServerSettings,
    ) -> Self
    where
        T: Tracer + 'static,
        T::Span: Send + Sync + 'static,
    {
        let start = SystemTime::now();
        // A span the sampler is known to drop is not built (see `declare_global_sampler_parent_based`).
        let dropped = !request.span_in_response && sampling::known_dropped(tracer, &parent);
        let metrics = settings.metrics.shared();
        if dropped && metrics.is_none() {
            return ServerExchange {
                state: State::Inert(parent),
            };
        }
        let proxy = ProxyHeaders::read(request.headers);
        let version = protocol_version(request.version);
        // gRPC is always a POST: other methods never look at the content type.
        let opening = if request.method.value == "POST" && is_grpc_request(request.headers) {
            grpc::server_opening(request, &proxy, settings)
        } else {
            http_opening(request, &proxy, settings, !dropped, version)
        };
        let Opening {
            name,
            attributes,
            base,
            last: route,
            flavour,
        } = opening;

        let (cx, recording) = if dropped {
            (parent, false)
        } else {
            // Built whole: `with_attributes` collects the list again, and is not always
            // inlined (~80 instructions a request, measured).
            let builder = SpanBuilder {
                name,
                span_kind: Some(SpanKind::Server),
                start_time: Some(start),
                attributes: Some(attributes),
                events: None,
                links: request
                    .link
                    .as_ref()
                    .map(|link| vec![Link::with_context(link.clone())]),
            };
            let span = tracer.build_with_context(builder, &parent);
            let recording = opentelemetry::trace::Span::is_recording(&span);
            if !recording && !request.span_in_response && keeps_caller(&parent) {
                // `end` on a non-recording span does nothing, so dropping it loses nothing.
                drop(span);
                if metrics.is_none() {
                    return ServerExchange {
                        state: State::Inert(parent),
                    };
                }
                (parent, false)
            } else {
                // A root claims `random-trace-id` when this process's ids are declared random.
                (crate::propagation::with_span(&parent, span), recording)
            }
        };
        let grpc = flavour.is_grpc();
        let protocol = version.filter(|_| !grpc);
        if recording && grpc {
            grpc::record_peer(&cx, request);
        }

        let metrics = metrics.map(|m| (m, MetricAttributes { base, last: route }));
        // Only `http.server.request.body.size` (opt-in) reads it.
        let request_body_size = (settings.metrics.body_sizes() && !grpc)
            .then(|| request_body_size(request.headers))
            .flatten();
        let flavour = match flavour {
            Flavour::Http { .. } => Flavour::Http { request_body_size },
            grpc => grpc,
        };
        let mut rec = Recorder::new(
            Side::Server,
            flavour,
            cx,
            start,
            protocol,
            &settings.redactor,
            metrics,
        );
        // A `HEAD` request's response never has a body to send.
        rec.no_body = request.method.value == "HEAD";
        ServerExchange {
            state: State::Live(rec),
        }
    }

    /// Whether a request under `parent` needs no exchange at all: the span its exchange
    /// would start is known to be dropped (on the global tracer provider declared
    /// parent-based, under an unsampled caller, with no response header naming the span:
    /// see [`start`](Self::start)) and metrics are off. The layer then runs the handler in
    /// `parent` and records nothing, as [`start`](Self::start) would, without reading the
    /// route or naming the span first. (A public endpoint's request, which does not
    /// continue `parent`, is never one of these: ask with the parent it gets.)
    ///
    /// ```
    /// use baton_core::exchange::{GlobalTracer, ServerExchange, ServerSettings};
    /// use opentelemetry::Context;
    ///
    /// // No caller: the sampler decides.
    /// let settings = ServerSettings::default();
    /// assert!(!ServerExchange::skips(&GlobalTracer::default(), &Context::new(), &settings, false));
    /// ```
    pub fn skips<T: 'static>(
        tracer: &T,
        parent: &Context,
        settings: &ServerSettings,
        span_in_response: bool,
    ) -> bool {
        !span_in_response && !settings.metrics.is_on() && sampling::known_dropped(tracer, parent)
    }

    /// The context holding the server span (or, for an unsampled request under a valid
    /// remote parent, the caller's context): attach it while the handler runs, hand it to
    /// spawned tasks.
    pub fn context(&self) -> &Context {
        match &self.state {
            State::Live(rec) => rec.context(),
            State::Inert(cx) => cx,
        }
    }

    /// The response head is ready: its status, and the response headers `settings`
    /// captures, recorded on the span.
    pub fn on_response(&mut self, status: u16, headers: &HeaderMap, settings: &ServerSettings) {
        let State::Live(rec) = &mut self.state else {
            return;
        };
        if rec.flavour.is_grpc() {
            rec.grpc_head(status, headers);
        } else {
            rec.status = Some(status);
        }
        let span = rec.context().span();
        if !settings.response_headers.is_empty() && span.is_recording() {
            span.set_attributes(
                settings
                    .response_headers
                    .capture(headers, &settings.redactor),
            );
        }
    }

    /// The service failed instead of responding: `error.type` is `kind`, and `message`
    /// (redacted, cut to [`MAX_ERROR_MESSAGE`](super::MAX_ERROR_MESSAGE) bytes) the status
    /// description and the `exception` event's message.
    pub fn on_error(&mut self, kind: ErrorType, message: impl Into<String>) {
        if let State::Live(rec) = &mut self.state {
            rec.on_error(kind, message.into());
        }
    }

    /// The response trailers were sent: for a gRPC call, `grpc-status` (and
    /// `grpc-message`) in them are its end; ignored for HTTP.
    pub fn on_trailers(&mut self, trailers: &HeaderMap) {
        if let State::Live(rec) = &mut self.state {
            rec.grpc_trailers(trailers);
        }
    }

    /// Counts response body bytes sent.
    pub fn add_body_bytes(&mut self, n: u64) {
        if let State::Live(rec) = &mut self.state {
            rec.add_body_bytes(n);
        }
    }

    /// Ends the span and records the metrics, once; later calls do nothing.
    ///
    /// A response that has no body to send — to a `HEAD` request, or with status 1xx, 204
    /// or 304 — is complete once its head is out: servers drop its body unpolled, so
    /// [`Outcome::Dropped`] after its head counts as [`Outcome::Completed`].
    pub fn finish(&mut self, outcome: Outcome) {
        if let State::Live(rec) = &mut self.state {
            rec.finish(outcome);
        }
    }
}

/// The HTTP conventions' start: the method, `url.scheme` and `http.route` (kept for the
/// metrics too), and, for a span, the attributes of [`span_attributes`] (with `protocol`,
/// `network.protocol.version`). Inlined: the opening is built
/// in place in `start`, not returned by copy (the hot path of every HTTP request).
#[inline(always)]
fn http_opening(
    request: &ServerRequest<'_>,
    proxy: &ProxyHeaders<'_>,
    settings: &ServerSettings,
    span: bool,
    protocol: Option<&'static str>,
) -> Opening<[KeyValue; 2]> {
    // Only `http` / `https`, whoever says so: the value is a metric attribute.
    let scheme = request
        .uri
        .scheme_str()
        .and_then(http_scheme)
        .or_else(|| proxy.scheme())
        .unwrap_or(request.default_scheme);
    let method = KeyValue::new(attr::HTTP_REQUEST_METHOD, request.method.value.clone());
    let scheme = KeyValue::new(attr::URL_SCHEME, Value::from(scheme));
    let route = request
        .route
        .clone()
        .map(|r| KeyValue::new(attr::HTTP_ROUTE, StringValue::from(r)));
    let attributes = if span {
        span_attributes(
            request,
            proxy,
            settings,
            [&method, &scheme],
            &route,
            protocol,
        )
    } else {
        Vec::new()
    };
    Opening {
        name: request.name.clone(),
        attributes,
        base: [method, scheme],
        last: route,
        flavour: Flavour::Http {
            request_body_size: None,
        },
    }
}
