//! Tower layers that trace HTTP services with OpenTelemetry.
//!
//! - [`server::ServerLayer`]: one `SERVER` span per request for axum, hyper or tonic
//!   servers, ended when the response body has been sent, with HTTP server metrics.
//! - [`client::ClientLayer`]: one `CLIENT` span per attempt for any tower HTTP client
//!   (hyper-util), trace headers injected, with HTTP client metrics.
//!
//! The layers use only the OpenTelemetry API: install an SDK (for example with `baton`'s
//! init) or pass providers to the builders.
//!
//! # Feature flags
//!
//! - `axum`: route templates from axum's `MatchedPath`, peer addresses from `ConnectInfo`,
//!   and the [`axum::RequestTrace`] extractor.
//! - `hyper-util`: `error.type` for hyper-util's client errors (`connect`, `timeout`).
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
pub mod axum;
mod body;
pub mod client;
mod future;
pub mod server;
mod tracked;

pub use baton_core::instrument::GlobalTracer;
pub use body::ResponseBody;
pub use future::ResponseFuture;
