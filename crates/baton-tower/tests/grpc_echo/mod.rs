//! A small gRPC service for the tests, written with tonic's generic server and client
//! APIs and hand-written prost messages (no protoc, no build script): `baton.test.Echo`
//! with one method of each kind.
//!
//! - `Unary`: answers `text`, or fails with `code` when it is not 0; sleeps `count`
//!   milliseconds first.
//! - `ServerStream`: `count` messages, then ends with `code` (`count` 0 streams until the
//!   client goes away).
//! - `ClientStream`: one reply whose `count` is the number of messages received.
//! - `Bidi`: echoes every message.
#![allow(dead_code)]

use baton_tower::server::ServerLayer;
use http::uri::PathAndQuery;
use opentelemetry_sdk::trace::SdkTracer;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;
use tokio_stream::wrappers::ReceiverStream;
use tonic::body::Body;
use tonic::codec::Streaming;
use tonic::server::{
    ClientStreamingService, Grpc, NamedService, ServerStreamingService, StreamingService,
    UnaryService,
};
use tonic::{Code, Request, Response, Status};
use tonic_prost::ProstCodec;

/// The one message every method takes and returns.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Msg {
    #[prost(int32, tag = "1")]
    pub code: i32,
    #[prost(string, tag = "2")]
    pub text: String,
    #[prost(uint32, tag = "3")]
    pub count: u32,
}

impl Msg {
    pub fn new(code: Code, text: &str, count: u32) -> Self {
        Msg {
            code: code as i32,
            text: text.to_owned(),
            count,
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
type MsgStream = ReceiverStream<Result<Msg, Status>>;

pub const SERVICE: &str = "baton.test.Echo";

/// The service, to add to a tonic server.
#[derive(Clone, Debug, Default)]
pub struct Echo;

impl NamedService for Echo {
    const NAME: &'static str = SERVICE;
}

fn status(msg: &Msg) -> Result<(), Status> {
    match Code::from_i32(msg.code) {
        Code::Ok => Ok(()),
        code => Err(Status::new(code, format!("{} asked for", msg.text))),
    }
}

struct UnarySvc;
impl UnaryService<Msg> for UnarySvc {
    type Response = Msg;
    type Future = BoxFuture<Result<Response<Msg>, Status>>;
    fn call(&mut self, request: Request<Msg>) -> Self::Future {
        Box::pin(async move {
            let msg = request.into_inner();
            tokio::time::sleep(Duration::from_millis(msg.count.into())).await;
            status(&msg)?;
            Ok(Response::new(msg))
        })
    }
}

struct ServerStreamSvc;
impl ServerStreamingService<Msg> for ServerStreamSvc {
    type Response = Msg;
    type ResponseStream = MsgStream;
    type Future = BoxFuture<Result<Response<MsgStream>, Status>>;
    fn call(&mut self, request: Request<Msg>) -> Self::Future {
        Box::pin(async move {
            let msg = request.into_inner();
            let (tx, rx) = tokio::sync::mpsc::channel(4);
            tokio::spawn(async move {
                let mut i = 0;
                while msg.count == 0 || i < msg.count {
                    i += 1;
                    let item = Msg::new(Code::Ok, &format!("{} {i}", msg.text), i);
                    if tx.send(Ok(item)).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                if let Err(e) = status(&msg) {
                    let _ = tx.send(Err(e)).await;
                }
            });
            Ok(Response::new(ReceiverStream::new(rx)))
        })
    }
}

struct ClientStreamSvc;
impl ClientStreamingService<Msg> for ClientStreamSvc {
    type Response = Msg;
    type Future = BoxFuture<Result<Response<Msg>, Status>>;
    fn call(&mut self, request: Request<Streaming<Msg>>) -> Self::Future {
        Box::pin(async move {
            let mut stream = request.into_inner();
            let mut n = 0;
            while stream.message().await?.is_some() {
                n += 1;
            }
            Ok(Response::new(Msg::new(Code::Ok, "received", n)))
        })
    }
}

struct BidiSvc;
impl StreamingService<Msg> for BidiSvc {
    type Response = Msg;
    type ResponseStream = MsgStream;
    type Future = BoxFuture<Result<Response<MsgStream>, Status>>;
    fn call(&mut self, request: Request<Streaming<Msg>>) -> Self::Future {
        Box::pin(async move {
            let mut stream = request.into_inner();
            let (tx, rx) = tokio::sync::mpsc::channel(4);
            tokio::spawn(async move {
                while let Ok(Some(msg)) = stream.message().await {
                    if tx.send(Ok(msg)).await.is_err() {
                        return;
                    }
                }
            });
            Ok(Response::new(ReceiverStream::new(rx)))
        })
    }
}

impl tower::Service<http::Request<Body>> for Echo {
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
        let path = request.uri().path().to_owned();
        Box::pin(async move {
            let mut grpc = Grpc::new(ProstCodec::<Msg, Msg>::default());
            Ok(match path.strip_prefix("/baton.test.Echo/") {
                Some("Unary") => grpc.unary(UnarySvc, request).await,
                Some("ServerStream") => grpc.server_streaming(ServerStreamSvc, request).await,
                Some("ClientStream") => grpc.client_streaming(ClientStreamSvc, request).await,
                Some("Bidi") => grpc.streaming(BidiSvc, request).await,
                _ => Status::unimplemented("no such method").into_http(),
            })
        })
    }
}

/// A client for [`Echo`] over any gRPC service (a channel, or a traced channel).
pub struct EchoClient<T> {
    grpc: tonic::client::Grpc<T>,
}

impl<T> EchoClient<T>
where
    T: tonic::client::GrpcService<Body>,
    T::Error: Into<tonic::codegen::StdError>,
    T::ResponseBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    <T::ResponseBody as http_body::Body>::Error: Into<tonic::codegen::StdError> + Send,
{
    pub fn new(service: T) -> Self {
        EchoClient {
            grpc: tonic::client::Grpc::new(service),
        }
    }

    async fn ready(&mut self) -> Result<(), Status> {
        self.grpc
            .ready()
            .await
            .map_err(|e| Status::unavailable(e.into().to_string()))
    }

    fn path(method: &str) -> PathAndQuery {
        PathAndQuery::try_from(format!("/{SERVICE}/{method}")).unwrap()
    }

    pub async fn unary(&mut self, request: Request<Msg>) -> Result<Response<Msg>, Status> {
        self.ready().await?;
        self.grpc
            .unary(request, Self::path("Unary"), ProstCodec::default())
            .await
    }

    /// Calls a method this service does not have.
    pub async fn missing(&mut self, request: Request<Msg>) -> Result<Response<Msg>, Status> {
        self.ready().await?;
        self.grpc
            .unary(request, Self::path("Missing"), ProstCodec::default())
            .await
    }

    pub async fn server_stream(
        &mut self,
        request: Request<Msg>,
    ) -> Result<Response<Streaming<Msg>>, Status> {
        self.ready().await?;
        self.grpc
            .server_streaming(request, Self::path("ServerStream"), ProstCodec::default())
            .await
    }

    pub async fn client_stream(&mut self, messages: Vec<Msg>) -> Result<Response<Msg>, Status> {
        self.ready().await?;
        self.grpc
            .client_streaming(
                Request::new(tokio_stream::iter(messages)),
                Self::path("ClientStream"),
                ProstCodec::default(),
            )
            .await
    }

    pub async fn bidi(&mut self, messages: Vec<Msg>) -> Result<Response<Streaming<Msg>>, Status> {
        self.ready().await?;
        self.grpc
            .streaming(
                Request::new(tokio_stream::iter(messages)),
                Self::path("Bidi"),
                ProstCodec::default(),
            )
            .await
    }
}

/// A tonic server with the health service, [`Echo`] and a plain HTTP route (`GET /plain`,
/// HTTP/1.1 accepted), behind `layer`.
pub async fn serve(layer: ServerLayer<SdkTracer>) -> SocketAddr {
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_serving::<tonic_health::pb::health_server::HealthServer<tonic_health::server::HealthService>>()
        .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = tonic::service::Routes::new(health)
        .add_service(Echo)
        .into_axum_router()
        .route("/plain", axum::routing::get(|| async { "plain" }));
    tokio::spawn(
        tonic::transport::Server::builder()
            .accept_http1(true)
            .layer(layer)
            .add_routes(tonic::service::Routes::from(router))
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );
    addr
}

pub async fn channel(addr: SocketAddr) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// A gRPC client's tracing recording into `t`, with W3C trace context and baggage.
pub fn client_tracing(
    t: &crate::common::Telemetry,
) -> baton_core::exchange::ClientTracing<SdkTracer> {
    use baton_core::propagation::{CompositePropagator, PropagatorKind};
    baton_core::exchange::ClientTracing::new()
        .propagator(CompositePropagator::new([
            PropagatorKind::TraceContext,
            PropagatorKind::Baggage,
        ]))
        .meter_provider(&t.meter_provider)
        .tracer_provider(&t.tracer_provider)
}
