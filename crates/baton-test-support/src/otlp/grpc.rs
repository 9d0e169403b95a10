//! The OTLP/gRPC endpoint: the collector's trace and metrics services from
//! `opentelemetry-proto`, served by tonic, accepting gzip.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tonic::codec::CompressionEncoding;
use tonic::{Request, Response, Status};

use super::export::{METRICS_GRPC_PATH, Origin, TRACES_GRPC_PATH};
use super::span::GRPC_TRANSPORT;
use super::store::Store;

#[derive(Clone)]
struct Services(Arc<Store>);

/// Where a gRPC request came from: the method's path and its metadata.
fn origin<T>(request: &Request<T>, path: &str) -> Origin {
    let headers = request
        .metadata()
        .clone()
        .into_headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("<binary>").to_owned()))
        .collect();
    Origin {
        transport: GRPC_TRANSPORT,
        path: path.to_owned(),
        headers,
    }
}

#[tonic::async_trait]
impl TraceService for Services {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        self.0.pause().await;
        let origin = origin(&request, TRACES_GRPC_PATH);
        self.0.traces(request.get_ref(), origin);
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for Services {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        self.0.pause().await;
        let origin = origin(&request, METRICS_GRPC_PATH);
        self.0.metrics(request.get_ref(), origin);
        Ok(Response::new(ExportMetricsServiceResponse::default()))
    }
}

/// Serves both services on `listener` until the runtime stops.
pub(super) fn serve(
    runtime: &tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
    max_message: usize,
) {
    let router = tonic::transport::Server::builder()
        .add_service(
            TraceServiceServer::new(Services(store.clone()))
                .accept_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(max_message),
        )
        .add_service(
            MetricsServiceServer::new(Services(store))
                .accept_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(max_message),
        );
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    runtime.spawn(router.serve_with_incoming(incoming));
}
