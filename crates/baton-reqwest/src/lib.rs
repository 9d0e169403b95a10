//! Distributed tracing for [reqwest] clients: a [`reqwest_middleware`] middleware that gives
//! every request attempt an OpenTelemetry `CLIENT` span, carries the trace to the next
//! service in its headers, and records the HTTP client metrics.
//!
//! # Quick start
//!
//! ```
//! use baton_reqwest::{TracingMiddleware, UrlTemplate};
//! use reqwest_middleware::ClientBuilder;
//! use reqwest_retry::{RetryTransientMiddleware, policies::ExponentialBackoff};
//!
//! # async fn run() -> Result<(), reqwest_middleware::Error> {
//! let policy = ExponentialBackoff::builder().build_with_max_retries(3);
//! let client = ClientBuilder::new(reqwest::Client::new())
//!     .with(RetryTransientMiddleware::new_with_policy(policy)) // retries first…
//!     .with(TracingMiddleware::new()) // …then tracing: one span per attempt
//!     .build();
//!
//! let response = client
//!     .get("http://users.internal/users/42")
//!     .with_extension(UrlTemplate::new("/users/{id}")) // span name "GET /users/{id}"
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! With nothing else configured the middleware uses the global tracer provider, meter
//! provider and propagator (`opentelemetry::global`), looked up at the first request, so it
//! can be built before the SDK is installed. It depends on the OpenTelemetry API only.
//!
//! # What each attempt records
//!
//! - A `SpanKind::Client` span, child of the [`opentelemetry::Context`] found in the
//!   request's extensions (`.with_extension(cx)`), otherwise of [`Context::current`]. It is
//!   named `{method}`, or `{method} {template}` when the request carries a [`UrlTemplate`];
//!   never after the raw path.
//! - At the start: `http.request.method` (`_OTHER` plus `http.request.method_original` for
//!   methods outside [`known_methods`](TracingMiddleware::known_methods)), `server.address`,
//!   `server.port` (80 and 443 made explicit), `url.full` with credentials and signed-URL
//!   query values replaced by `REDACTED`, `url.template`, and `http.request.resend_count`
//!   on every attempt after the first.
//! - When the response head arrives: `http.response.status_code` and
//!   `network.protocol.version`. Statuses 400 and above set the span status to error and
//!   `error.type` to the code (`"404"`). The span ends here: reading the body is not part
//!   of it.
//! - When the attempt fails: `error.type` from reqwest's classification (`timeout`,
//!   `connect`, `request`, `body`, `redirect`, else `_OTHER`), an error status and an
//!   `exception` event whose message has the URL redacted.
//! - When the request future is dropped (a timeout around it, a cancelled task): the span
//!   ends with a `request cancelled` event and the request stops counting as active.
//!
//! The middleware records through `baton_core::exchange`, like the tower layers: the same
//! rules for status, `error.type`, events and metrics on every side.
//! - Metrics: `http.client.request.duration` (seconds, the advised buckets; method, server
//!   address and port, scheme, status code, protocol version, `error.type`, `url.template`)
//!   and, on request, `http.client.active_requests`
//!   ([`TracingMiddleware::with_active_requests_metric`]).
//!
//! Redirects that reqwest follows by itself happen below the middleware chain: one span
//! covers the whole redirect chain, with the first URL, and every hop carries the headers
//! the first host was given. Build the client with `reqwest::redirect::Policy::none()` and
//! add [`FollowRedirects`] before this middleware: every hop is then its own attempt, with
//! its own span and the allow-lists decided for its host.
//!
//! [`Context::current`]: opentelemetry::Context::current
//!
//! # Retries: the order matters
//!
//! Middleware runs in the order it is added. Add [`TracingMiddleware`] **after**
//! reqwest-retry's `RetryTransientMiddleware`: the retry middleware then calls it once per
//! attempt, and each attempt gets its own span and its own `traceparent`, so the server
//! span of every attempt is the child of that attempt's client span. The retry middleware
//! hands every attempt the same `Extensions`, which is where the attempts are counted (see
//! [`Attempts`]). Added before the retry middleware, tracing would see one call covering
//! every attempt: a single span, and every attempt sent with the same `traceparent`.
//!
//! # Choosing the parent span
//!
//! ```
//! use baton_reqwest::TracingMiddleware;
//! use opentelemetry::Context;
//! use reqwest_middleware::ClientBuilder;
//!
//! # async fn run(parent: Context) -> Result<(), reqwest_middleware::Error> {
//! let client = ClientBuilder::new(reqwest::Client::new()).with(TracingMiddleware::new()).build();
//! // The span of this request is a child of `parent`, whatever context is current.
//! client.get("http://users.internal/users/42").with_extension(parent).send().await?;
//! # Ok(()) }
//! ```
//!
//! While the rest of the chain runs, the attempt's context is current, so middleware added
//! after this one sees the client span as the active span.
//!
//! # Keeping trace headers and baggage inside
//!
//! By default every host receives the trace headers and the baggage. Restrict them
//! separately, so that values such as tenant ids never reach a third party:
//!
//! ```
//! use baton_reqwest::TracingMiddleware;
//!
//! let middleware = TracingMiddleware::new()
//!     .propagate_to(|host: &str| host.ends_with(".internal") || host == "api.partner.example")
//!     .propagate_baggage_to(|host: &str| host.ends_with(".internal"));
//! ```
//!
//! Trace headers and baggage already on a request (a handler that copied the incoming
//! headers, say) are removed, in every format baton knows, before it goes to a host the
//! allow-lists refuse them. Redirects: see [`FollowRedirects`].
//!
//! Injection never fails a request: a field the propagator produces that cannot be an HTTP
//! header value (a baggage value with a newline, say) is left out.
//!
//! # Your own providers and propagator
//!
//! ```
//! use baton_core::propagation::{CompositePropagator, PropagatorKind};
//! use baton_reqwest::TracingMiddleware;
//! use opentelemetry_sdk::{metrics::SdkMeterProvider, trace::SdkTracerProvider};
//!
//! let tracer_provider = SdkTracerProvider::builder().build();
//! let meter_provider = SdkMeterProvider::builder().build();
//! let middleware = TracingMiddleware::new()
//!     .tracer_provider(&tracer_provider)
//!     .meter_provider(&meter_provider)
//!     .propagator(CompositePropagator::new([PropagatorKind::TraceContext, PropagatorKind::Baggage]))
//!     .sensitive_query_key("api_key");
//! ```
//!
//! # Feature flags
//!
//! - `fuzzing`: the entry point of the `client_redirect` fuzz target in `fuzz/`; not part
//!   of the stable API.
//!
//! The crate builds reqwest with `default-features = false`; enable TLS and the rest on
//! your own `reqwest` dependency.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod attempts;
mod errors;
#[cfg(feature = "fuzzing")]
mod fuzz_entry;
mod handle;
mod middleware;
mod redirect;

pub use attempts::Attempts;
pub use baton_core::conventions::UrlTemplate;
pub use baton_core::exchange::{ClientTracing, HostPredicate};
pub use middleware::TracingMiddleware;

/// The entry point of the `client_redirect` fuzz target in `fuzz/`. Not part of the stable
/// API.
#[cfg(feature = "fuzzing")]
#[cfg_attr(docsrs, doc(cfg(feature = "fuzzing")))]
pub mod fuzzing {
    pub use crate::fuzz_entry::redirect_hop;
}
pub use redirect::{DEFAULT_MAX_REDIRECTS, FollowRedirects, TooManyRedirects};
