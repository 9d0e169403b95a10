//! Tower layers that trace HTTP services with OpenTelemetry.
//!
//! - [`server::ServerLayer`]: one `SERVER` span per request for axum, hyper or tonic
//!   servers, ended when the response body has been sent, with HTTP server metrics.
//!
//! The layers use only the OpenTelemetry API: install an SDK (for example with `baton`'s
//! init) or pass providers to the builders.
//!
//! # Feature flags
//!
//! - `axum`: route templates from axum's `MatchedPath`, peer addresses from `ConnectInfo`,
//!   and the [`axum::RequestTrace`] extractor.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "axum")]
pub mod axum;
pub mod server;
mod tracer;

pub use tracer::GlobalTracer;

/// The instrumentation scope of baton's spans and metrics.
pub(crate) fn scope() -> opentelemetry::InstrumentationScope {
    opentelemetry::InstrumentationScope::builder("baton").with_version(env!("CARGO_PKG_VERSION")).build()
}
