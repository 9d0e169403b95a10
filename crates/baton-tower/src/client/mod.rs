//! Tracing for HTTP clients: [`ClientLayer`].
//!
//! Wrap any tower service that sends an `http::Request` and returns an `http::Response`
//! (hyper-util's client, a `reqwest::Client` used as a tower service, a tonic channel):
//!
//! ```
//! use baton_tower::client::ClientLayer;
//! use tower::ServiceBuilder;
//!
//! # fn wrap<S>(hyper_util_client: S) {
//! let client = ServiceBuilder::new().layer(ClientLayer::new()).service(hyper_util_client);
//! # }
//! ```
//!
//! # What each request gets
//!
//! - A `CLIENT` span, child of the request's [`opentelemetry::Context`] extension when it
//!   has one, otherwise of the current context; named `{method}`, or `{method} {template}`
//!   when the request carries a [`UrlTemplate`](baton_core::conventions::UrlTemplate).
//! - Attributes: `http.request.method` (and `_original`), `server.address`, `server.port`
//!   (80 / 443 made explicit), `url.full` with credentials and signed query values
//!   redacted, `url.template`, `http.request.resend_count` from the second attempt on (see
//!   [`CountAttemptsLayer`]), and at the end `http.response.status_code`,
//!   `network.protocol.version` and `error.type`: the status code for 4xx and 5xx, or
//!   `timeout`, `connect`, `_OTHER` for transport errors the layer understands (boxed, I/O
//!   and, with the `hyper-util` feature, hyper-util errors), otherwise the error's type
//!   name; an error status and an `exception` event with the redacted message.
//! - Trace headers for the span, written with the configured propagator (global by
//!   default), only to the hosts you allow; baggage only to the hosts you allow for it.
//! - The span ends when the response body has been read to the end, or dropped (then
//!   with a `request cancelled` event).
//! - Metrics: `http.client.request.duration`; on request `http.client.active_requests`
//!   ([`ClientLayer::with_active_requests_metric`]) and the response-body-size histogram.

mod attempts;
mod grpc;
mod layer;
mod response;
mod service;

pub use attempts::{Attempts, CountAttempts, CountAttemptsLayer};
pub use baton_core::exchange::{ClientTracing, HostPredicate};
pub use grpc::{GrpcClientLayer, GrpcClientService, GrpcTargetError};
pub use layer::ClientLayer;
pub use response::{ClientBody, ClientFuture};
pub use service::ClientService;
