//! Recording helpers the layers share, on the OpenTelemetry API only: the lazily resolved
//! [`GlobalTracer`], the HTTP metric instruments ([`HttpMetrics`], [`MetricsSource`]), and
//! [`ClientExchange`], which records one client attempt the same way for every client
//! layer. Most users never touch this module; it is public so that other integrations can
//! record exactly what baton's layers record.

mod attrs;
mod client;
mod host;
mod inject;
mod intern;
mod metrics;
mod outcome;
mod tracer;

pub use attrs::AttributeBuf;
pub use client::{ClientExchange, ClientRequest, MAX_ERROR_MESSAGE};
pub use host::{HostPredicate, PropagationPolicy};
pub use inject::{PropagatorChoice, injection_context};
pub use intern::Interner;
pub use metrics::{HttpMetrics, Instruments, MetricsSource, Side};
pub use outcome::Outcome;
pub use tracer::GlobalTracer;

/// The instrumentation scope of baton's spans and metrics.
pub fn scope() -> opentelemetry::InstrumentationScope {
    opentelemetry::InstrumentationScope::builder("baton")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}
