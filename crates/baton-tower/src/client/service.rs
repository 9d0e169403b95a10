//! [`ClientService`]: one client span per attempt, and the trace headers injected for it.

use baton_core::conventions::{ClientUrl, parse_host_port};
use baton_core::exchange::{ClientExchange, ClientRequest, ClientTracing, Propagation};
use http::{Request, Response};
use http_body::Body;
use opentelemetry::trace::Tracer;
use std::task::{Context as TaskContext, Poll};
use tower_service::Service;

use super::attempts::Attempts;
use super::response::{ClientBody, ClientFuture};

/// The service a [`ClientLayer`](super::ClientLayer) wraps around a client.
#[derive(Clone)]
pub struct ClientService<S, T> {
    inner: S,
    tracing: ClientTracing<T>,
}

impl<S, T> ClientService<S, T> {
    pub(crate) fn new(inner: S, tracing: ClientTracing<T>) -> Self {
        ClientService { inner, tracing }
    }
}

impl<S: std::fmt::Debug, T> std::fmt::Debug for ClientService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, T, B, R> Service<Request<B>> for ClientService<S, T>
where
    S: Service<Request<B>, Response = Response<R>>,
    S::Error: 'static,
    R: Body,
    T: Tracer,
    T::Span: Send + Sync + 'static,
{
    type Response = Response<ClientBody<R>>;
    type Error = S::Error;
    type Future = ClientFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let resend_count = request
            .extensions()
            .get::<Attempts>()
            .map_or(0, Attempts::next);
        let uri = request.uri();
        let full = uri.to_string();
        // An origin-form URI names no host: the `Host` header does (`[::1]:8080` included).
        let (host, port) = match uri.host() {
            Some(h) => (Some(h), uri.port_u16()),
            None => request
                .headers()
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(parse_host_port)
                .map_or((None, None), |hp| (Some(hp.host), hp.port)),
        };
        let (exchange, propagation) = self.tracing.start(ClientRequest {
            method: request.method(),
            url: ClientUrl {
                full: &full,
                scheme: uri.scheme_str(),
                host,
                port,
            },
            extensions: request.extensions(),
            resend_count,
        });
        send(
            &mut self.inner,
            &self.tracing,
            exchange,
            propagation,
            request,
        )
    }
}

/// Injects the attempt's context into `request` (as `propagation` allows) and sends it
/// with the context attached: the end of every client layer's `call` (inlined: the
/// request and the exchange are not copied into a call).
#[inline(always)]
pub(super) fn send<S, T, B, R>(
    inner: &mut S,
    tracing: &ClientTracing<T>,
    exchange: ClientExchange,
    propagation: Propagation,
    mut request: Request<B>,
) -> ClientFuture<S::Future>
where
    S: Service<Request<B>, Response = Response<R>>,
    T: Tracer,
    T::Span: Send + Sync + 'static,
{
    let cx = exchange.context().clone();
    tracing.inject(propagation, &cx, request.headers_mut());
    let future = {
        let _attached = cx.clone().attach();
        inner.call(request)
    };
    ClientFuture::new(future, cx, Some(exchange))
}
