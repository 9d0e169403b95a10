//! An OTLP/gRPC receiver: a tonic server implementing the collector's trace and metrics
//! services from `opentelemetry-proto`, recording each request's metadata and message.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

use super::otlp::{self, ReceivedMetric, ReceivedSpan};

/// Request metadata as lower-case name -> value.
pub type Metadata = BTreeMap<String, String>;

#[derive(Clone, Default)]
struct Sink {
    traces: Arc<Mutex<Vec<(Metadata, ExportTraceServiceRequest)>>>,
    metrics: Arc<Mutex<Vec<(Metadata, ExportMetricsServiceRequest)>>>,
}

fn metadata<T>(request: &Request<T>) -> Metadata {
    request
        .metadata()
        .clone()
        .into_headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("<binary>").to_owned()))
        .collect()
}

#[tonic::async_trait]
impl TraceService for Sink {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let md = metadata(&request);
        self.traces.lock().unwrap().push((md, request.into_inner()));
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for Sink {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        let md = metadata(&request);
        self.metrics
            .lock()
            .unwrap()
            .push((md, request.into_inner()));
        Ok(Response::new(ExportMetricsServiceResponse::default()))
    }
}

/// A running OTLP/gRPC receiver on 127.0.0.1 (stops when dropped).
pub struct GrpcReceiver {
    addr: SocketAddr,
    sink: Sink,
    _runtime: tokio::runtime::Runtime,
}

impl GrpcReceiver {
    pub fn start() -> Self {
        let runtime = super::server_runtime();
        let sink = Sink::default();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let incoming = tonic::transport::server::TcpIncoming::from(listener);
        let router = tonic::transport::Server::builder()
            .add_service(
                TraceServiceServer::new(sink.clone()).accept_compressed(CompressionEncoding::Gzip),
            )
            .add_service(
                MetricsServiceServer::new(sink.clone())
                    .accept_compressed(CompressionEncoding::Gzip),
            );
        runtime.spawn(router.serve_with_incoming(incoming));
        GrpcReceiver {
            addr,
            sink,
            _runtime: runtime,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        let traces = self.sink.traces.lock().unwrap();
        traces.iter().flat_map(|(_, r)| otlp::spans(r)).collect()
    }

    /// Every metric received so far.
    pub fn metrics(&self) -> Vec<ReceivedMetric> {
        let metrics = self.sink.metrics.lock().unwrap();
        metrics.iter().flat_map(|(_, r)| otlp::metrics(r)).collect()
    }

    /// The metadata of every trace export request.
    pub fn trace_metadata(&self) -> Vec<Metadata> {
        let traces = self.sink.traces.lock().unwrap();
        traces.iter().map(|(m, _)| m.clone()).collect()
    }

    /// The metadata of every metrics export request.
    pub fn metric_metadata(&self) -> Vec<Metadata> {
        let metrics = self.sink.metrics.lock().unwrap();
        metrics.iter().map(|(m, _)| m.clone()).collect()
    }

    /// Waits until at least `n` spans have arrived, and returns them all.
    pub fn wait_for_spans(&self, n: usize) -> Vec<ReceivedSpan> {
        super::wait_for(
            &format!("{n} spans over gRPC"),
            Duration::from_secs(10),
            || {
                let spans = self.spans();
                (spans.len() >= n).then_some(spans)
            },
        )
    }

    /// Waits until a metric named `name` has arrived, and returns every metric received.
    pub fn wait_for_metric(&self, name: &str) -> Vec<ReceivedMetric> {
        super::wait_for(
            &format!("metric {name} over gRPC"),
            Duration::from_secs(10),
            || {
                let metrics = self.metrics();
                metrics.iter().any(|m| m.name == name).then_some(metrics)
            },
        )
    }
}
