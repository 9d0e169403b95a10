//! Tower layers that trace HTTP services with OpenTelemetry.
//!
//! - [`server::ServerLayer`]: one `SERVER` span per request for axum, hyper or tonic
//!   servers, ended when the response body has been sent, with HTTP server metrics.
//! - [`client::ClientLayer`]: one `CLIENT` span per attempt for any tower HTTP client
//!   (hyper-util), trace headers injected, with HTTP client metrics.
//! - gRPC: `ServerLayer` traces a request with content-type `application/grpc` by the RPC
//!   semantic conventions v1.44.0 (span named `package.Service/Method`, status from
//!   `grpc-status` in the trailers, `rpc.server.call.duration`);
//!   [`client::GrpcClientLayer`] does the same for the calls a tonic channel sends.
//!
//! The layers use only the OpenTelemetry API: install an SDK (for example with `baton`'s
//! init) or pass providers to the builders.
//!
//! The layers are thin adapters around `baton_core::exchange`: [`ServerExchange`] and
//! [`ClientExchange`] record what each request gets, the same way for every integration;
//! the layers add the tower plumbing (the service, its [`ResponseFuture`] and
//! [`ResponseBody`]), route extraction, the trace echoed in response headers, and the
//! classification of the inner service's errors for `error.type` (the same rule on both
//! sides).
//!
//! [`ServerExchange`]: baton_core::exchange::ServerExchange
//! [`ClientExchange`]: baton_core::exchange::ClientExchange
//!
//! # Feature flags
//!
//! - `axum`: route templates from axum's `MatchedPath`, peer addresses from `ConnectInfo`,
//!   and the `axum::RequestTrace` extractor.
//! - `hyper-util`: `error.type` for hyper-util's client errors (`connect`, `timeout`).
//! - `tonic`: `network.peer.address` / `port` on tonic servers' spans (from tonic's
//!   `TcpConnectInfo`).
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
pub mod axum;
mod body;
pub mod client;
mod errors;
mod future;
mod in_flight;
pub mod server;

pub use baton_core::exchange::GlobalTracer;
pub use body::ResponseBody;
pub use future::ResponseFuture;
pub use in_flight::InFlight;
