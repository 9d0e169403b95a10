//! The example's one gRPC hop: `users` asks `db` for a stock count over gRPC
//! (`shop.Stock/Check`), on db's own port beside its HTTP routes. Hand-written prost
//! messages and tonic's generic server and client: no `.proto`, no `protoc`. Both ends are
//! traced by the RPC conventions: db's `ServerLayer` sees `application/grpc`, and users'
//! channel goes through a `GrpcClientLayer` that knows db's address.

use baton::client::{ClientTracing, GrpcClientLayer, GrpcClientService};
use opentelemetry_sdk::trace::SdkTracer;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use tonic::body::Body;
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

/// `shop.CheckRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CheckRequest {
    #[prost(string, tag = "1")]
    pub sku: String,
}

/// `shop.CheckReply`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CheckReply {
    #[prost(uint32, tag = "1")]
    pub count: u32,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// db's side: `shop.Stock/Check` answers from a pretend table; an unknown SKU is
/// `NOT_FOUND`.
#[derive(Clone, Debug, Default)]
pub struct StockServer;

impl NamedService for StockServer {
    const NAME: &'static str = "shop.Stock";
}

struct Check;

impl UnaryService<CheckRequest> for Check {
    type Response = CheckReply;
    type Future = BoxFuture<Result<Response<CheckReply>, Status>>;

    fn call(&mut self, request: Request<CheckRequest>) -> Self::Future {
        Box::pin(async move {
            tokio::time::sleep(std::time::Duration::from_millis(4)).await;
            match request.into_inner().sku.as_str() {
                "apple" => Ok(Response::new(CheckReply { count: 12 })),
                sku => Err(Status::not_found(format!("no stock for {sku}"))),
            }
        })
    }
}

impl tower::Service<http::Request<Body>> for StockServer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<http::Response<Body>, Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(async move {
            Ok(match request.uri().path() {
                "/shop.Stock/Check" => {
                    let mut grpc = Grpc::new(ProstCodec::<CheckReply, CheckRequest>::default());
                    grpc.unary(Check, request).await
                }
                _ => Status::unimplemented("").into_http(),
            })
        })
    }
}

/// db's gRPC routes, to merge into its axum router (under its `ServerLayer`).
pub fn routes() -> axum::Router {
    tonic::service::Routes::new(StockServer).into_axum_router()
}

type Traced = tonic::client::Grpc<GrpcClientService<tonic::transport::Channel, SdkTracer>>;

/// users' side: a traced channel to db, made on first use (a channel needs a runtime).
#[derive(Clone)]
pub struct StockClient {
    endpoint: http::Uri,
    layer: GrpcClientLayer<SdkTracer>,
    grpc: Arc<OnceLock<Traced>>,
}

impl StockClient {
    /// A client for db at `url` (`http://host:port`), traced with `tracing`; fails naming
    /// `--db` and the value when it is not such a URL.
    pub fn new(url: &str, tracing: ClientTracing<SdkTracer>) -> Result<Self, String> {
        let endpoint: http::Uri = url.parse().map_err(|e| format!("--db {url:?}: {e}"))?;
        let layer = GrpcClientLayer::new(tracing, &endpoint).map_err(|e| format!("--db: {e}"))?;
        Ok(StockClient {
            endpoint,
            layer,
            grpc: Arc::default(),
        })
    }

    /// Calls `shop.Stock/Check`.
    pub async fn check(&self, sku: &str) -> Result<u32, Status> {
        let mut grpc = self
            .grpc
            .get_or_init(|| {
                let channel =
                    tonic::transport::Endpoint::from(self.endpoint.clone()).connect_lazy();
                tonic::client::Grpc::new(tower::Layer::layer(&self.layer, channel))
            })
            .clone();
        grpc.ready()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        let path = http::uri::PathAndQuery::from_static("/shop.Stock/Check");
        let request = Request::new(CheckRequest {
            sku: sku.to_owned(),
        });
        let reply: Response<CheckReply> = grpc.unary(request, path, ProstCodec::default()).await?;
        Ok(reply.into_inner().count)
    }
}
