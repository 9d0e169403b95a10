//! [`ClientService`]: one client span per attempt, and the trace headers injected for it.

use baton_core::conventions::{ClientUrl, UrlTemplate, parse_host_port};
use baton_core::instrument::{ClientExchange, ClientRequest};
use http::{Request, Response};
use http_body::Body;
use opentelemetry::Context;
use opentelemetry::trace::Tracer;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use tower_service::Service;

use super::attempts::Attempts;
use super::config::ClientConfig;
use crate::body::ResponseBody;
use crate::future::ResponseFuture;
use crate::tracked::Tracked;

/// The service a [`ClientLayer`](super::ClientLayer) wraps around a client.
#[derive(Clone)]
pub struct ClientService<S, T> {
    inner: S,
    config: Arc<ClientConfig>,
    tracer: T,
}

impl<S, T> ClientService<S, T> {
    pub(crate) fn new(inner: S, config: Arc<ClientConfig>, tracer: T) -> Self {
        ClientService {
            inner,
            config,
            tracer,
        }
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
    type Response = Response<ResponseBody<R>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let config = &*self.config;
        let parent = request
            .extensions()
            .get::<Context>()
            .cloned()
            .unwrap_or_else(Context::current);
        let template = request.extensions().get::<UrlTemplate>().cloned();
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
        // Decided now, while the host is borrowed from the request.
        let allowed = config.policy.allows(host.unwrap_or(""));
        let exchange = ClientExchange::start(
            &self.tracer,
            &parent,
            ClientRequest {
                method: request.method(),
                url: ClientUrl {
                    full: &full,
                    scheme: uri.scheme_str(),
                    host,
                    port,
                },
                template: template.as_ref(),
                resend_count,
            },
            &config.known_methods,
            &config.redactor,
            config.metrics.get(),
        );
        let cx = exchange.context().clone();

        config
            .propagator
            .inject_allowed(allowed, &cx, request.headers_mut());

        let future = {
            let _attached = cx.clone().attach();
            self.inner.call(request)
        };
        ResponseFuture::new(future, cx, Some(Tracked::Client(exchange)))
    }
}
