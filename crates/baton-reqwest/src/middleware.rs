//! [`TracingMiddleware`]: the builder.

use baton_core::exchange::{ClientTracing, GlobalTracer};

/// Traces every request a [`reqwest_middleware::ClientWithMiddleware`] sends: one `CLIENT`
/// span per attempt, the trace headers injected for it, and the HTTP client metrics. See the
/// [crate docs](crate).
///
/// Add it to the [`ClientBuilder`](reqwest_middleware::ClientBuilder) **after** any retry
/// middleware, so that it runs once per attempt:
///
/// ```
/// use baton_reqwest::TracingMiddleware;
/// use reqwest_middleware::ClientBuilder;
/// use reqwest_retry::{RetryTransientMiddleware, policies::ExponentialBackoff};
///
/// let policy = ExponentialBackoff::builder().build_with_max_retries(2);
/// let client = ClientBuilder::new(reqwest::Client::new())
///     .with(RetryTransientMiddleware::new_with_policy(policy))
///     .with(TracingMiddleware::new())
///     .build();
/// ```
///
/// Every builder method returns the middleware, so configuration chains; the middleware
/// is cheap to clone (the configuration is shared).
///
/// The configuration is a [`ClientTracing`], the one the tower `ClientLayer` uses too: the
/// builder methods here forward to it (their examples are there), and a middleware can be
/// made from one with `From`:
///
/// ```
/// use baton_core::exchange::ClientTracing;
/// use baton_reqwest::TracingMiddleware;
///
/// let tracing = ClientTracing::new().propagate_to(|host: &str| host.ends_with(".internal"));
/// let middleware = TracingMiddleware::from(tracing);
/// ```
#[derive(Clone)]
pub struct TracingMiddleware<T = GlobalTracer> {
    pub(crate) tracing: ClientTracing<T>,
}

impl Default for TracingMiddleware {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for TracingMiddleware<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracingMiddleware")
            .field("tracing", &self.tracing)
            .finish()
    }
}

impl TracingMiddleware {
    /// A middleware using the global tracer provider, meter provider and propagator.
    ///
    /// The global providers are looked up when the first request is sent, not here, so a
    /// middleware built before the SDK is installed still records.
    ///
    /// ```
    /// use baton_reqwest::TracingMiddleware;
    /// use reqwest_middleware::ClientBuilder;
    ///
    /// let client = ClientBuilder::new(reqwest::Client::new()).with(TracingMiddleware::new()).build();
    /// ```
    pub fn new() -> Self {
        TracingMiddleware::from(ClientTracing::new())
    }
}

impl<T> From<ClientTracing<T>> for TracingMiddleware<T> {
    fn from(tracing: ClientTracing<T>) -> Self {
        TracingMiddleware { tracing }
    }
}

baton_core::__forward_client_tracing_builder!(TracingMiddleware, tracing);
