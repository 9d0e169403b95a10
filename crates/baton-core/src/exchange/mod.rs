//! The life of one traced HTTP exchange, recorded the same way by every layer, on the
//! OpenTelemetry API only.
//!
//! - [`ServerExchange`] and [`ClientExchange`]: one request a server handles, one attempt
//!   a client sends. Each starts its span by its side's conventions (from a
//!   [`ServerRequest`] or a [`ClientRequest`]), is told about the response head, the body
//!   bytes and a service error, and ends with an [`Outcome`]. The end is one piece of code
//!   for both sides: status and `error.type` by the side's rules, the `exception` and
//!   `request cancelled` events, the duration, body-size and active-request metrics,
//!   exactly once (dropping an exchange finishes it).
//! - [`ClientTracing`]: the front-end both client layers share, with their builder
//!   methods.
//! - Where tracers, meters and propagators come from: given, or global ([`GlobalTracer`],
//!   [`PropagatorSource`], [`MetricsSource`]).
//!
//! Most users never touch this module; it is public so that other integrations can record
//! exactly what baton's layers record.

mod bound;
mod cache_hash;
mod client;
mod client_tracing;
mod grpc;
#[cfg(test)]
mod grpc_tests;
mod host;
mod inject;
mod intern;
mod metrics;
#[cfg(test)]
mod metrics_tests;
mod outcome;
mod record;
mod sampling;
mod server;
mod server_request;
mod source;
#[cfg(test)]
pub(crate) mod tests;

pub use bound::{MAX_SETS as MAX_BOUND_SETS, REBIND_SECS as BOUND_REBIND_SECS};
pub use cache_hash::{CacheHash, FoldHasher};
pub use client::{ClientExchange, ClientRequest, ClientSettings};
pub use client_tracing::{ClientTracing, Propagation};
pub use grpc::GrpcClientRequest;
pub use host::{HostPredicate, PropagationPolicy};
pub use inject::injection_context;
pub use intern::Interner;
pub use metrics::{HttpMetrics, Instruments, MetricsSource, Side};
pub use outcome::Outcome;
pub use record::MAX_ERROR_MESSAGE;
pub use sampling::{declare_global_sampler_parent_based, global_sampler_parent_based};
pub use server::ServerExchange;
pub use server_request::{ServerRequest, ServerSettings};
pub use source::{GlobalTracer, PropagatorSource, scope};
