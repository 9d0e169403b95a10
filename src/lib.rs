//! # baton
//!
//! End-to-end distributed tracing for Rust HTTP services with OpenTelemetry: one layer on an
//! axum `Router`, one middleware on a reqwest client, one init call, and every request is a
//! span in a trace that crosses services.
//!
//! This facade re-exports the suite's crates so an application depends on `baton` alone,
//! and re-exports [`opentelemetry`] so the API version always matches the one baton uses.
//!
//! What is in it:
//!
//! - [`propagation`]: W3C Trace Context and Baggage, B3, Jaeger and X-Ray over
//!   `http::HeaderMap`, chosen by `OTEL_PROPAGATORS`.
//! - [`conventions`]: the stable OpenTelemetry HTTP semantic conventions as code.
//! - [`server`]: [`ServerLayer`], one layer that traces every request of an axum, hyper or
//!   tonic server and records the HTTP server metrics.
//! - [`client`]: [`ClientLayer`], the same for any tower HTTP client (hyper-util).
//! - [`reqwest`]: [`TracingMiddleware`](reqwest::TracingMiddleware) for reqwest-middleware,
//!   one span per attempt under reqwest-retry.
//! - [`init`]: the SDK set up from the `OTEL_*` environment in one call ([`Builder`] for
//!   code overrides, [`Guard`] to flush at the end), with OTLP, Zipkin and the terminal
//!   waterfall; the parts (exporters, the batch processor that counts and reports the spans
//!   it must drop, samplers, baggage helpers) are in [`sdk`].
//! - `testing` (feature `testing`): a kit to assert on spans and metrics in your own tests.
//!
//! Each item has one path: the one-call start (`init`, `Builder`, `Guard` and their
//! errors) at the root, the rest of the SDK under [`sdk`].
//!
//! # Quick start: a traced service
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use baton::reqwest::TracingMiddleware;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Service name, sampler, exporter, propagators: from OTEL_* (a terminal waterfall
//!     // when no exporter is configured). Flushes when dropped.
//!     let _telemetry = baton::init()?;
//!
//!     // Outgoing calls: a CLIENT span per attempt, trace headers injected.
//!     let _client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!         .with(TracingMiddleware::new())
//!         .build();
//!
//!     // Incoming requests: a SERVER span each, ended after the last body byte.
//!     let app = Router::new()
//!         .route("/users/{id}", get(|| async { "user" }))
//!         .layer(baton::ServerLayer::new());
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Feature flags
//!
//! - `axum` (default): route templates from axum's `MatchedPath`, peer addresses from
//!   `ConnectInfo`, and the [`axum::RequestTrace`] extractor.
//! - `reqwest` (default): the reqwest-middleware middleware, [`reqwest`].
//! - `hyper-util`: `error.type` (`connect`, `timeout`) for hyper-util client errors.
//! - `tonic`: `network.peer.*` on tonic servers' spans, and `error.type` for tonic's
//!   transport errors (gRPC itself is traced without it, by the RPC conventions).
//! - `sdk` (default): [`init`], [`Builder`], [`Guard`] and [`sdk`]. Without it baton pulls
//!   no SDK, and the layers record through the providers the application installs.
//! - `otlp-grpc`, `otlp-http`, `zipkin`, `waterfall` (all default): the exporters, each with
//!   only the dependencies it needs (each turns `sdk` on). An `OTEL_*` variable that selects
//!   one left out fails [`init`] with an error naming the variable, its value and the
//!   feature. `default-features = false, features = ["sdk", "otlp-http"]` keeps one.
//! - `tls` (default): `https://` endpoints for those exporters, with rustls (no OpenSSL),
//!   the system's roots, a private CA and mTLS from `OTEL_EXPORTER_OTLP_*CERTIFICATE*` /
//!   `..._CLIENT_KEY` (see `baton_sdk`'s "TLS"). Without it an https endpoint fails [`init`]
//!   naming the feature.
//! - `logs` (default): `tracing` set up by [`init`] — `tracing` spans inside the trace, a
//!   log line with the trace id and span id on standard error for every event (text or
//!   JSON), the `RUST_LOG` filter — and the OpenTelemetry logs signal (`OTEL_LOGS_EXPORTER`,
//!   OTLP, drawn in the waterfall by default); see [`sdk::logs`].
//! - `testing`: the test kit, `baton::testing`.
//!
//! # Propagation on its own: continue a trace from incoming headers
//!
//! ```
//! use baton::opentelemetry::propagation::TextMapPropagator;
//! use baton::opentelemetry::trace::TraceContextExt;
//! use baton::propagation::{CompositePropagator, HeaderExtractor, HeaderInjector};
//!
//! // The propagators OTEL_PROPAGATORS names (tracecontext,baggage by default).
//! let propagator = CompositePropagator::from_env()?;
//!
//! let mut incoming = http::HeaderMap::new();
//! incoming.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse()?);
//! let cx = propagator.extract(&HeaderExtractor(&incoming));
//! assert_eq!(cx.span().span_context().trace_id().to_string(), "0af7651916cd43dd8448eb211c80319c");
//!
//! // Pass it on to the next service.
//! let mut outgoing = http::HeaderMap::new();
//! propagator.inject_context(&cx, &mut HeaderInjector(&mut outgoing));
//! assert!(outgoing["traceparent"].to_str()?.contains("0af7651916cd43dd8448eb211c80319c"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use baton_core::{conventions, exchange, propagation};
#[cfg(feature = "testing")]
pub use baton_sdk::testing;
#[cfg(feature = "sdk")]
pub use baton_sdk::{
    Builder, DEFAULT_SHUTDOWN_DEADLINE, Guard, InitError, ResourceDetector, ShutdownError, init,
};
#[cfg(feature = "axum")]
pub use baton_tower::axum;
pub use baton_tower::client;
/// The client layer, here for the quick start; documented in [`client`].
#[doc(no_inline)]
pub use baton_tower::client::ClientLayer;

/// The SDK's parts: exporters, the batch processor, samplers, baggage helpers and the
/// terminal waterfall. The one-call start ([`init`], [`Builder`], [`Guard`]) is at the
/// crate root.
#[cfg(feature = "sdk")]
pub mod sdk {
    #[cfg(feature = "logs")]
    pub use baton_sdk::logs;
    #[cfg(feature = "waterfall")]
    pub use baton_sdk::waterfall;
    pub use baton_sdk::{baggage, batch, exporter, sampler};
}
pub use baton_tower::server;
/// The server layer, here for the quick start; documented in [`server`].
#[doc(no_inline)]
pub use baton_tower::server::ServerLayer;

/// The reqwest-middleware middleware: one `CLIENT` span per attempt.
#[cfg(feature = "reqwest")]
pub mod reqwest {
    pub use baton_reqwest::{Attempts, TracingMiddleware};
    // Shared with the other modules, documented there: one page per item.
    #[doc(no_inline)]
    pub use baton_reqwest::{HostPredicate, UrlTemplate};
}
pub use opentelemetry;
