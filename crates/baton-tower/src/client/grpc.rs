//! [`GrpcClientLayer`]: tracing for tonic channels, which know their target below the
//! layers.

use baton_core::conventions::rpc::is_grpc_request;
use baton_core::conventions::{ClientUrl, default_port};
use baton_core::exchange::{ClientRequest, ClientTracing, GlobalTracer, GrpcClientRequest};
use http::{Request, Response, Uri};
use http_body::Body;
use opentelemetry::trace::Tracer;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use tower_layer::Layer;
use tower_service::Service;

use super::response::{ClientBody, ClientFuture};
use super::service::send;

/// Traces the calls a tonic [`Channel`] (or any gRPC client service) sends, by the RPC
/// semantic conventions v1.44.0: one `CLIENT` span per call named `package.Service/Method`,
/// with `rpc.system.name` = `grpc`, `rpc.method`, `server.address` and `server.port` from
/// the endpoint the channel was built with, `rpc.response.status_code` from `grpc-status`
/// (in the trailers, or in the head of a trailers-only response) and `error.type` for
/// every code but `OK`; `rpc.client.call.duration`; trace context injected into the call's
/// metadata for the hosts the [`ClientTracing`]'s allow-lists accept.
///
/// A tonic client hands its channel requests with a path only (the channel adds the
/// origin itself, below any layer), so the layer is given the endpoint's URI. A request
/// that is not gRPC (no `application/grpc` content type) gets an HTTP client span, with
/// the endpoint as its origin.
///
/// ```
/// use baton_core::exchange::ClientTracing;
/// use baton_tower::client::GrpcClientLayer;
///
/// let endpoint: http::Uri = "http://users.internal:50051".parse().unwrap();
/// let layer = GrpcClientLayer::new(
///     ClientTracing::new().propagate_to(|host: &str| host.ends_with(".internal")),
///     &endpoint,
/// )
/// .unwrap();
/// // let channel = tonic::transport::Endpoint::from(endpoint).connect_lazy();
/// // let client = MyClient::new(tower::ServiceBuilder::new().layer(layer).service(channel));
/// ```
///
/// [`Channel`]: https://docs.rs/tonic/0.14/tonic/transport/struct.Channel.html
#[derive(Clone, Debug)]
pub struct GrpcClientLayer<T = GlobalTracer> {
    tracing: ClientTracing<T>,
    target: Arc<Target>,
}

/// Where a channel sends its calls.
#[derive(Debug)]
struct Target {
    scheme: String,
    /// `host[:port]` as in the endpoint, for the origin of an HTTP request's `url.full`.
    authority: String,
    host: String,
    port: Option<u16>,
}

/// The endpoint given to [`GrpcClientLayer::new`] names no host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrpcTargetError(String);

impl std::fmt::Display for GrpcTargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "gRPC endpoint `{}` names no host (expected scheme://host[:port])",
            self.0
        )
    }
}

impl std::error::Error for GrpcTargetError {}

impl GrpcClientLayer {
    /// A layer for a channel built with `endpoint` (`http://host:port`), recording as
    /// `tracing` says (tracer, meter, propagator, allow-lists). `server.port` is the
    /// endpoint's port, or the scheme's default (80, 443) that the channel connects to.
    pub fn new<T>(
        tracing: ClientTracing<T>,
        endpoint: &Uri,
    ) -> Result<GrpcClientLayer<T>, GrpcTargetError> {
        let host = endpoint
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| GrpcTargetError(endpoint.to_string()))?;
        let scheme = endpoint.scheme_str().unwrap_or("http");
        let host = host.trim_start_matches('[').trim_end_matches(']');
        Ok(GrpcClientLayer {
            tracing,
            target: Arc::new(Target {
                scheme: scheme.to_owned(),
                authority: endpoint
                    .authority()
                    .map_or_else(String::new, |a| a.to_string()),
                host: host.to_owned(),
                port: endpoint.port_u16().or_else(|| default_port(scheme)),
            }),
        })
    }
}

impl<S, T: Clone> Layer<S> for GrpcClientLayer<T> {
    type Service = GrpcClientService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcClientService {
            inner,
            tracing: self.tracing.clone(),
            target: Arc::clone(&self.target),
        }
    }
}

/// The service a [`GrpcClientLayer`] wraps around a channel.
#[derive(Clone, Debug)]
pub struct GrpcClientService<S, T> {
    inner: S,
    tracing: ClientTracing<T>,
    target: Arc<Target>,
}

impl<S, T, B, R> Service<Request<B>> for GrpcClientService<S, T>
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
        let target = &*self.target;
        let (exchange, propagation) = if is_grpc_request(request.headers()) {
            self.tracing.start_grpc(GrpcClientRequest {
                path: request.uri().path(),
                headers: request.headers(),
                host: &target.host,
                port: target.port,
                extensions: request.extensions(),
            })
        } else {
            let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
            let full = format!("{}://{}{path}", target.scheme, target.authority);
            self.tracing.start(ClientRequest {
                method: request.method(),
                url: ClientUrl {
                    full: &full,
                    scheme: Some(&target.scheme),
                    host: Some(&target.host),
                    port: target.port,
                },
                extensions: request.extensions(),
                resend_count: 0,
            })
        };
        send(
            &mut self.inner,
            &self.tracing,
            exchange,
            propagation,
            request,
        )
    }
}
