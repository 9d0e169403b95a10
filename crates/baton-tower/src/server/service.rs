//! [`ServerService`]: starts a [`ServerExchange`] for each request.

use baton_core::conventions::span_name;
use baton_core::exchange::{ServerExchange, ServerRequest};
use http::request::Parts;
use http::{Request, Response};
use http_body::Body;
use opentelemetry::Context;
use opentelemetry::trace::{TraceContextExt, Tracer};
use std::borrow::Cow;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use tower_service::Service;

use super::config::Config;
use super::response::{ServerBody, ServerFuture};
use super::traced::TracedRequest;

/// The service a [`ServerLayer`](super::ServerLayer) wraps around yours.
#[derive(Clone)]
pub struct ServerService<S, T> {
    inner: S,
    config: Arc<Config>,
    tracer: T,
}

impl<S, T> ServerService<S, T> {
    pub(crate) fn new(inner: S, config: Arc<Config>, tracer: T) -> Self {
        ServerService {
            inner,
            config,
            tracer,
        }
    }
}

impl<S: std::fmt::Debug, T> std::fmt::Debug for ServerService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, T, B, R> Service<Request<B>> for ServerService<S, T>
where
    S: Service<Request<B>, Response = Response<R>>,
    S::Error: 'static,
    R: Body,
    T: Tracer + 'static,
    T::Span: Send + Sync + 'static,
{
    type Response = Response<ServerBody<R>>;
    type Error = S::Error;
    type Future = ServerFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let config = &*self.config;
        let caller = config.propagator.extract(&parts.headers);
        let public = || config.public.as_ref().is_some_and(|p| p.test(&parts));
        let (traced, cx) = if config.filter.as_ref().is_some_and(|f| !f.test(&parts)) {
            // Filtered out: no span, but the handler still continues the caller's trace —
            // unless the endpoint is public, where a traced request would not trust the
            // caller either (its trace and baggage are dropped).
            (None, if public() { Context::new() } else { caller })
        } else if ServerExchange::skips(
            &self.tracer,
            &caller,
            &config.recording,
            config.echoes_trace(),
        ) && !public()
        {
            // Known to record nothing (an unsampled caller): no route, name or exchange.
            (None, caller)
        } else {
            let traced = start(&self.config, &self.tracer, &parts, caller);
            let cx = traced.context().clone();
            (Some(traced), cx)
        };
        parts.extensions.insert(cx.clone());
        let future = {
            let _attached = cx.clone().attach();
            self.inner.call(Request::from_parts(parts, body))
        };
        ServerFuture::new(future, cx, traced)
    }
}

/// Starts the exchange of a traced request from what the layer reads off it: the
/// classified method, the route and span name (cached per route), the peer, and for a
/// public endpoint a link to the caller instead of the caller as parent. (The description
/// stays in this frame, borrowed by the exchange's start: it is not moved.)
fn start<T>(config: &Arc<Config>, tracer: &T, parts: &Parts, caller: Context) -> TracedRequest
where
    T: Tracer + 'static,
    T::Span: Send + Sync + 'static,
{
    let method = config.known_methods.classify(&parts.method);
    let route = config.route.route(parts);
    let (name, route): (Cow<'static, str>, Option<Cow<'static, str>>) = match (&config.namer, route)
    {
        (Some(namer), route) => (
            namer.name(parts, route.as_deref()).into(),
            route.map(|r| Cow::Owned(r.into_owned())),
        ),
        (None, Some(route)) => {
            let (name, route) = config.names.get(&method, &route);
            (name, Some(route))
        }
        (None, None) => (span_name(&method, None), None),
    };
    let (parent, link) = match &config.public {
        Some(public) if public.test(parts) => {
            let remote = caller.span().span_context().clone();
            (Context::new(), remote.is_valid().then_some(remote))
        }
        _ => (caller, None),
    };
    let request = ServerRequest {
        method,
        name,
        route,
        uri: &parts.uri,
        version: parts.version,
        headers: &parts.headers,
        extensions: &parts.extensions,
        peer: peer_address,
        default_scheme: config.scheme,
        link,
        span_in_response: config.echoes_trace(),
    };
    let exchange = ServerExchange::start(tracer, parent, &request, &config.recording);
    TracedRequest::new(exchange, Arc::clone(config))
}

/// The peer from axum's `ConnectInfo`, a `SocketAddr` extension, or tonic's
/// `TcpConnectInfo` (with the `tonic` feature).
fn peer_address(extensions: &http::Extensions) -> Option<std::net::SocketAddr> {
    axum_peer(extensions)
        .or_else(|| extensions.get::<std::net::SocketAddr>().copied())
        .or_else(|| tonic_peer(extensions))
}

#[cfg(feature = "axum")]
fn axum_peer(extensions: &http::Extensions) -> Option<std::net::SocketAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0)
}

#[cfg(not(feature = "axum"))]
fn axum_peer(_: &http::Extensions) -> Option<std::net::SocketAddr> {
    None
}

#[cfg(feature = "tonic")]
fn tonic_peer(extensions: &http::Extensions) -> Option<std::net::SocketAddr> {
    extensions
        .get::<tonic::transport::server::TcpConnectInfo>()
        .and_then(|c| c.remote_addr)
}

#[cfg(not(feature = "tonic"))]
fn tonic_peer(_: &http::Extensions) -> Option<std::net::SocketAddr> {
    None
}

#[cfg(test)]
mod tests {
    use super::super::ServerLayer;
    use opentelemetry::Value;
    use opentelemetry::trace::Status;
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
    use tower::{Layer, ServiceExt};

    #[tokio::test]
    async fn a_service_error_is_classified_like_a_client_error_with_an_exception() {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let layer = ServerLayer::new()
            .without_metrics()
            .tracer_provider(&provider);
        let service = layer.layer(tower::service_fn(|_: http::Request<()>| async {
            Err::<http::Response<String>, _>(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "upstream http://u:pw@db.internal/ timed out",
            ))
        }));
        let request = http::Request::get("/x").body(()).unwrap();
        assert!(service.oneshot(request).await.is_err());

        let spans = exporter.get_finished_spans().unwrap();
        let span = &spans[0];
        let attr = |k: &str| {
            span.attributes
                .iter()
                .find(|kv| kv.key.as_str() == k)
                .map(|kv| kv.value.clone())
        };
        assert_eq!(attr("error.type"), Some(Value::from("timeout")));
        let message = "upstream http://REDACTED:REDACTED@db.internal/ timed out";
        assert_eq!(span.status, Status::error(message));
        let exception = span.events.iter().find(|e| e.name == "exception").unwrap();
        assert!(
            exception
                .attributes
                .iter()
                .any(|kv| kv.key.as_str() == "exception.message" && kv.value.as_str() == message)
        );
    }
}
