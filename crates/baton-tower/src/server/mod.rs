//! Tracing for HTTP servers: [`ServerLayer`].
//!
//! Add the layer to an axum `Router` (or around any tower service that takes an
//! `http::Request` and returns an `http::Response`: plain hyper, tonic) and every request
//! gets a `SERVER` span and HTTP server metrics:
//!
//! ```
//! use axum::{routing::get, Router};
//! use baton_tower::server::ServerLayer;
//!
//! let app: Router = Router::new()
//!     .route("/users/{id}", get(|| async { "user" }))
//!     .layer(ServerLayer::new());
//! ```
//!
//! # What each request gets
//!
//! - The caller's context is read from the headers with the configured propagator (the
//!   global one by default), and the span is its child: `SERVER` kind, named
//!   `{method} {http.route}` (`{method}` when no route matched, `HTTP` for unknown methods).
//! - Attributes of the stable HTTP semantic conventions: `http.request.method` (and
//!   `_original`), `url.scheme`, `url.path`, `url.query` (redacted), `http.route`,
//!   `server.address` / `server.port`, then, when the span is recording,
//!   `network.protocol.version`, `user_agent.original`, `client.address`,
//!   `network.peer.address` / `port`, captured headers; at the end
//!   `http.response.status_code` and `error.type` (and `http.response.body.size`, Opt-In,
//!   with [`ServerLayer::with_body_size_metrics`]).
//! - While the inner service runs (and while a body of unknown length streams) the context
//!   is attached, so handler code, baton's client middleware and `tracing` spans (with
//!   `tracing-opentelemetry`) become children of the server span. The context is also in
//!   the request extensions as an [`opentelemetry::Context`], to hand to spawned tasks.
//!   When the sampler drops a request whose caller sent a valid trace context, that
//!   context is the caller's own (same trace id, parent-id and unsampled flag): there is
//!   no recording span to be a child of.
//! - The span ends when the response body has been sent: at its end, on a body error, or
//!   when it is dropped because the client went away. 5xx and panics are errors (a panic:
//!   `error.type` `panic`, status description `panicked`); 4xx are not; a request cancelled
//!   by its client is not an error but gets a `request cancelled` event.
//! - A service error sets `error.type` by the same rule as the client layer (timeouts,
//!   connection errors and I/O errors understood, otherwise the error's type name) and an
//!   `exception` event; so does a body error (`error.type` `body`), with its message
//!   redacted and cut as a client's.
//! - Metrics: `http.server.request.duration` (same start and end as the span), sampled or
//!   not; `http.server.active_requests` (status Development) and the body-size histograms
//!   on request ([`ServerLayer::with_active_requests_metric`],
//!   [`ServerLayer::with_body_size_metrics`]).
//!
//! # Options
//!
//! Each builder method on [`ServerLayer`] has an example: tracer and meter providers,
//! propagator, route extractor, filter, public endpoints, span names, header capture,
//! redaction, known methods, scheme, and returning the trace to the caller.
//!
//! ```
//! use baton_tower::server::ServerLayer;
//! use http::{request::Parts, HeaderName};
//!
//! let layer = ServerLayer::new()
//!     .filter(|parts: &Parts| parts.uri.path() != "/health")
//!     .public_endpoint(|parts: &Parts| parts.uri.path().starts_with("/public/"))
//!     .capture_request_headers([HeaderName::from_static("x-request-id")])
//!     .sensitive_query_key("token")
//!     .server_timing();
//! ```

mod config;
mod hooks;
mod layer;
mod names;
mod response;
mod service;
mod traced;

#[cfg(feature = "axum")]
pub use hooks::MatchedPathRoute;
pub use hooks::{NoRoute, RequestPredicate, RouteExtractor, SpanNamer};
pub use layer::{NEVER_CAPTURED, ServerLayer};
pub use response::{ServerBody, ServerFuture};
pub use service::ServerService;
pub use traced::TracedRequest;
