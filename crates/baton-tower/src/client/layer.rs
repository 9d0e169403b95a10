//! [`ClientLayer`]: the [`tower_layer::Layer`] around a [`ClientTracing`].

use baton_core::exchange::{ClientTracing, GlobalTracer};
use tower_layer::Layer;

use super::service::ClientService;

/// Traces every request a tower HTTP client sends: one `CLIENT` span per attempt, the trace
/// headers injected for it, and the HTTP client metrics. See the [module docs](super).
///
/// The configuration is a [`ClientTracing`], the one the reqwest middleware uses too: the
/// builder methods here forward to it, and a layer can be made from one with `From`.
///
/// ```
/// use baton_core::exchange::ClientTracing;
/// use baton_tower::client::ClientLayer;
///
/// let layer = ClientLayer::new()
///     .propagate_to(|host: &str| host.ends_with(".internal"))
///     .sensitive_query_key("api_key");
/// // The same configuration, shared with a reqwest middleware:
/// let tracing = ClientTracing::new().propagate_to(|host: &str| host.ends_with(".internal"));
/// let layer = ClientLayer::from(tracing.clone());
/// ```
#[derive(Clone, Debug)]
pub struct ClientLayer<T = GlobalTracer> {
    tracing: ClientTracing<T>,
}

impl Default for ClientLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientLayer {
    /// A layer using the global tracer provider, meter provider and propagator.
    pub fn new() -> Self {
        ClientLayer::from(ClientTracing::new())
    }
}

impl<T> From<ClientTracing<T>> for ClientLayer<T> {
    fn from(tracing: ClientTracing<T>) -> Self {
        ClientLayer { tracing }
    }
}

baton_core::__forward_client_tracing_builder!(ClientLayer, tracing);

impl<S, T: Clone> Layer<S> for ClientLayer<T> {
    type Service = ClientService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        ClientService::new(inner, self.tracing.clone())
    }
}
