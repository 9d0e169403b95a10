//! Everything a [`TracingMiddleware`](crate::TracingMiddleware) was configured with.

use baton_core::conventions::{KnownMethods, UrlRedactor};
use baton_core::instrument::{MetricsSource, Side};
use opentelemetry::propagation::TextMapPropagator;
use std::sync::Arc;

/// Decides from a request's host whether it may receive something: trace headers, or
/// baggage. Implemented for closures `Fn(&str) -> bool`.
///
/// The host is the one in the request URL as [`reqwest::Url::host_str`] gives it: a domain
/// name (`api.example`), an IPv4 address (`127.0.0.1`), or an IPv6 address in brackets
/// (`[::1]`); never a port.
///
/// ```
/// use baton_reqwest::TracingMiddleware;
///
/// // Trace headers to our own services only; baggage (tenant ids) to none outside.
/// let middleware = TracingMiddleware::new()
///     .propagate_to(|host: &str| host.ends_with(".internal") || host == "127.0.0.1")
///     .propagate_baggage_to(|host: &str| host.ends_with(".internal"));
/// ```
pub trait HostPredicate: Send + Sync + 'static {
    /// Whether `host` may receive it.
    fn allows(&self, host: &str) -> bool;
}

impl<F> HostPredicate for F
where
    F: Fn(&str) -> bool + Send + Sync + 'static,
{
    fn allows(&self, host: &str) -> bool {
        self(host)
    }
}

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) propagator: Option<Arc<dyn TextMapPropagator + Send + Sync>>,
    pub(crate) trace_to: Option<Arc<dyn HostPredicate>>,
    pub(crate) baggage_to: Option<Arc<dyn HostPredicate>>,
    pub(crate) known_methods: KnownMethods,
    pub(crate) redactor: UrlRedactor,
    pub(crate) metrics: MetricsSource,
}

impl Config {
    pub(crate) fn new() -> Self {
        Config {
            propagator: None,
            trace_to: None,
            baggage_to: None,
            known_methods: KnownMethods::from_env().unwrap_or_default(),
            redactor: UrlRedactor::default(),
            metrics: MetricsSource::global(Side::Client, false),
        }
    }

    /// Whether trace headers, and baggage, may go to `host`.
    pub(crate) fn allows(&self, host: &str) -> (bool, bool) {
        let trace_ok = self.trace_to.as_ref().is_none_or(|p| p.allows(host));
        let baggage_ok = self.baggage_to.as_ref().is_none_or(|p| p.allows(host));
        (trace_ok, baggage_ok)
    }
}
