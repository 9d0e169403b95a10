//! The OTLP/gRPC endpoint: the collector's trace, metrics and logs services from
//! `opentelemetry-proto`, served by tonic, accepting gzip.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
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

use super::export::{LOGS_GRPC_PATH, METRICS_GRPC_PATH, Origin, TRACES_GRPC_PATH};
use super::span::GRPC_TRANSPORT;
use super::store::Store;

#[derive(Clone)]
struct Services(Arc<Store>);

impl Services {
    /// Answers an export to `path` after the configured delay, once `record` has recorded it.
    async fn export<T, R: Default>(
        &self,
        request: Request<T>,
        path: &str,
        record: fn(&Store, &T, Origin),
    ) -> Result<Response<R>, Status> {
        self.0.pause().await;
        let origin = origin(&request, path);
        record(&self.0, request.get_ref(), origin);
        Ok(Response::new(R::default()))
    }
}

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
        Services::export(self, request, TRACES_GRPC_PATH, Store::traces).await
    }
}

#[tonic::async_trait]
impl MetricsService for Services {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        Services::export(self, request, METRICS_GRPC_PATH, Store::metrics).await
    }
}

#[tonic::async_trait]
impl LogsService for Services {
    async fn export(
        &self,
        request: Request<ExportLogsServiceRequest>,
    ) -> Result<Response<ExportLogsServiceResponse>, Status> {
        Services::export(self, request, LOGS_GRPC_PATH, Store::logs).await
    }
}

/// Serves the three services on `listener` until the runtime stops.
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
            MetricsServiceServer::new(Services(store.clone()))
                .accept_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(max_message),
        )
        .add_service(
            LogsServiceServer::new(Services(store))
                .accept_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(max_message),
        );
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    runtime.spawn(router.serve_with_incoming(incoming));
}
