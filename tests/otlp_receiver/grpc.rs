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

use super::MAX_MESSAGE;
use super::span::GRPC_TRANSPORT;
use super::store::Store;

#[derive(Clone)]
struct Services(Arc<Store>);

#[tonic::async_trait]
impl TraceService for Services {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        self.0.pause().await;
        self.0.traces(request.get_ref(), GRPC_TRANSPORT);
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
        self.0.metrics(request.get_ref());
        Ok(Response::new(ExportMetricsServiceResponse::default()))
    }
}

/// Serves both services on `listener` until the runtime stops.
pub(super) fn serve(
    runtime: &tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
) {
    let router = tonic::transport::Server::builder()
        .add_service(
            TraceServiceServer::new(Services(store.clone()))
                .accept_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(MAX_MESSAGE),
        )
        .add_service(
            MetricsServiceServer::new(Services(store))
                .accept_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(MAX_MESSAGE),
        );
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    runtime.spawn(router.serve_with_incoming(incoming));
}
