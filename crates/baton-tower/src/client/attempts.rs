//! Counting the attempts of a request through a tower retry layer, for
//! `http.request.resend_count`.

use http::Request;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// A request extension shared by every attempt of one logical request: a retry policy
/// clones the request, and the clones share this counter. The client layer counts each
/// attempt here and sets `http.request.resend_count` on every attempt after the first.
/// [`CountAttemptsLayer`] inserts it; place that layer outside the retry layer.
#[derive(Clone, Debug, Default)]
pub struct Attempts(Arc<AtomicU32>);

impl Attempts {
    /// Counts one attempt, returning how many came before it.
    pub(crate) fn next(&self) -> u32 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }

    /// How many attempts have been made so far.
    pub fn count(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Inserts a fresh [`Attempts`] counter into each request that has none. Put it outside
/// (before) the retry layer, and the [`ClientLayer`](super::ClientLayer) inside it:
///
/// ```
/// use baton_tower::client::{ClientLayer, CountAttemptsLayer};
/// use tower::ServiceBuilder;
///
/// # fn wrap<S>(client: S) {
/// let stack = ServiceBuilder::new()
///     .layer(CountAttemptsLayer)
///     // .retry(policy)
///     .layer(ClientLayer::new())
///     .service(client);
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CountAttemptsLayer;

impl<S> Layer<S> for CountAttemptsLayer {
    type Service = CountAttempts<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CountAttempts { inner }
    }
}

/// The service [`CountAttemptsLayer`] builds.
#[derive(Clone, Debug)]
pub struct CountAttempts<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for CountAttempts<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> S::Future {
        if request.extensions().get::<Attempts>().is_none() {
            request.extensions_mut().insert(Attempts::default());
        }
        self.inner.call(request)
    }
}
