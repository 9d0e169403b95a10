//! A real OTLP receiver on 127.0.0.1: the collector's trace and metrics services over gRPC
//! (tonic, from `opentelemetry-proto`) and protobuf bodies posted to `/v1/traces` and
//! `/v1/metrics` over HTTP (axum, decoded with prost, gunzipped when sent compressed).
//! Both endpoints record into one store, so services exporting either way land together.
//!
//! It runs on its own Tokio runtime, so tests can block (as `Guard::shutdown` does)
//! without starving it.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
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
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use prost::Message;
use tonic::codec::CompressionEncoding;

/// `Span.kind` values of the OTLP protobuf.
pub const INTERNAL: i32 = 1;
pub const SERVER: i32 = 2;
pub const CLIENT: i32 = 3;

/// `Status.code` of the OTLP protobuf for an error.
pub const STATUS_ERROR: i32 = 2;

/// [`Span::transport`] of spans that came over gRPC and over HTTP.
pub const GRPC_TRANSPORT: &str = "grpc";
pub const HTTP_TRANSPORT: &str = "http";

/// One span as it arrived on the wire, flattened for assertions.
#[derive(Clone, Debug)]
pub struct Span {
    pub name: String,
    /// The OTLP `SpanKind` as an integer ([`SERVER`], [`CLIENT`], [`INTERNAL`], ...).
    pub kind: i32,
    pub trace_id: String,
    pub span_id: String,
    /// Empty for a root span.
    pub parent_span_id: String,
    pub start: u64,
    pub attributes: BTreeMap<String, String>,
    /// The resource's `service.name`.
    pub service: String,
    pub scope: String,
    /// 0 unset, 1 ok, 2 error.
    pub status_code: i32,
    pub status_message: String,
    /// `(trace id, span id)` of each link.
    pub links: Vec<(String, String)>,
    /// How the span arrived: `grpc` or `http`.
    pub transport: &'static str,
}

impl Span {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            INTERNAL => "INTERNAL",
            SERVER => "SERVER",
            CLIENT => "CLIENT",
            4 => "PRODUCER",
            5 => "CONSUMER",
            _ => "UNSPECIFIED",
        }
    }
}

fn value(v: &Option<AnyValue>) -> String {
    match v.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        other => format!("{other:?}"),
    }
}

fn attributes(kvs: &[KeyValue]) -> BTreeMap<String, String> {
    kvs.iter()
        .map(|kv| (kv.key.clone(), value(&kv.value)))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn flatten(request: &ExportTraceServiceRequest, transport: &'static str) -> Vec<Span> {
    let mut out = Vec::new();
    for rs in &request.resource_spans {
        let resource = rs
            .resource
            .as_ref()
            .map(|r| attributes(&r.attributes))
            .unwrap_or_default();
        let service = resource.get("service.name").cloned().unwrap_or_default();
        for ss in &rs.scope_spans {
            let scope = ss
                .scope
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            for span in &ss.spans {
                let status = span.status.clone().unwrap_or_default();
                out.push(Span {
                    name: span.name.clone(),
                    kind: span.kind,
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                    start: span.start_time_unix_nano,
                    attributes: attributes(&span.attributes),
                    service: service.clone(),
                    scope: scope.clone(),
                    status_code: status.code,
                    status_message: status.message,
                    links: span
                        .links
                        .iter()
                        .map(|l| (hex(&l.trace_id), hex(&l.span_id)))
                        .collect(),
                    transport,
                });
            }
        }
    }
    out
}

#[derive(Clone, Default)]
struct Store {
    spans: Arc<Mutex<Vec<Span>>>,
    /// `(service.name, metric name)` of every metric received.
    metrics: Arc<Mutex<Vec<(String, String)>>>,
    /// Requests that could not be decoded, as messages.
    errors: Arc<Mutex<Vec<String>>>,
}

impl Store {
    fn traces(&self, request: &ExportTraceServiceRequest, transport: &'static str) {
        let spans = flatten(request, transport);
        self.spans.lock().unwrap().extend(spans);
    }

    fn metrics(&self, request: &ExportMetricsServiceRequest) {
        let mut out = self.metrics.lock().unwrap();
        for rm in &request.resource_metrics {
            let service = rm
                .resource
                .as_ref()
                .map(|r| attributes(&r.attributes))
                .and_then(|a| a.get("service.name").cloned())
                .unwrap_or_default();
            for sm in &rm.scope_metrics {
                for m in &sm.metrics {
                    out.push((service.clone(), m.name.clone()));
                }
            }
        }
    }

    fn error(&self, message: String) {
        self.errors.lock().unwrap().push(message);
    }
}

#[tonic::async_trait]
impl TraceService for Store {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.traces(request.get_ref(), GRPC_TRANSPORT);
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for Store {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        self.metrics(request.get_ref());
        Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
    }
}

/// The body of an OTLP/HTTP request, gunzipped if it says it is gzipped.
fn body(store: &Store, headers: &HeaderMap, body: &Bytes) -> Option<Vec<u8>> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type != "application/x-protobuf" {
        store.error(format!("unexpected content-type {content_type:?}"));
        return None;
    }
    let gzip = headers
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes() == b"gzip");
    if !gzip {
        return Some(body.to_vec());
    }
    let mut out = Vec::new();
    match flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out) {
        Ok(_) => Some(out),
        Err(e) => {
            store.error(format!("bad gzip body: {e}"));
            None
        }
    }
}

/// An OTLP/HTTP answer: the status, with an empty (all defaults) protobuf response body.
fn answer(status: StatusCode) -> impl axum::response::IntoResponse {
    (status, [("content-type", "application/x-protobuf")])
}

fn http_app(store: Store) -> axum::Router {
    let traces = store.clone();
    let metrics = store;
    axum::Router::new()
        .route(
            "/v1/traces",
            axum::routing::post(move |headers: HeaderMap, bytes: Bytes| {
                let store = traces.clone();
                async move {
                    let Some(bytes) = body(&store, &headers, &bytes) else {
                        return answer(StatusCode::BAD_REQUEST);
                    };
                    match ExportTraceServiceRequest::decode(&bytes[..]) {
                        Ok(request) => {
                            store.traces(&request, HTTP_TRANSPORT);
                            answer(StatusCode::OK)
                        }
                        Err(e) => {
                            store.error(format!("bad trace export body: {e}"));
                            answer(StatusCode::BAD_REQUEST)
                        }
                    }
                }
            }),
        )
        .route(
            "/v1/metrics",
            axum::routing::post(move |headers: HeaderMap, bytes: Bytes| {
                let store = metrics.clone();
                async move {
                    let Some(bytes) = body(&store, &headers, &bytes) else {
                        return answer(StatusCode::BAD_REQUEST);
                    };
                    match ExportMetricsServiceRequest::decode(&bytes[..]) {
                        Ok(request) => {
                            store.metrics(&request);
                            answer(StatusCode::OK)
                        }
                        Err(e) => {
                            store.error(format!("bad metrics export body: {e}"));
                            answer(StatusCode::BAD_REQUEST)
                        }
                    }
                }
            }),
        )
}

/// A running receiver (stops when dropped).
pub struct Receiver {
    grpc: SocketAddr,
    http: SocketAddr,
    store: Store,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("receiver runtime");
        let store = Store::default();

        let grpc = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the gRPC receiver");
        let grpc_addr = grpc.local_addr().expect("gRPC receiver address");
        let router = tonic::transport::Server::builder()
            .add_service(
                TraceServiceServer::new(store.clone()).accept_compressed(CompressionEncoding::Gzip),
            )
            .add_service(
                MetricsServiceServer::new(store.clone())
                    .accept_compressed(CompressionEncoding::Gzip),
            );
        runtime
            .spawn(router.serve_with_incoming(tonic::transport::server::TcpIncoming::from(grpc)));

        let http = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the HTTP receiver");
        let http_addr = http.local_addr().expect("HTTP receiver address");
        let app = http_app(store.clone());
        runtime.spawn(async move { axum::serve(http, app).await });

        Receiver {
            grpc: grpc_addr,
            http: http_addr,
            store,
            _runtime: runtime,
        }
    }

    /// The OTLP/gRPC endpoint, `http://127.0.0.1:<port>`.
    pub fn grpc_url(&self) -> String {
        format!("http://{}", self.grpc)
    }

    /// The OTLP/HTTP endpoint base (exporters append `/v1/traces`), `http://127.0.0.1:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// Every span received so far, in arrival order.
    pub fn spans(&self) -> Vec<Span> {
        self.store.spans.lock().unwrap().clone()
    }

    /// `(service.name, metric name)` of every metric received so far.
    pub fn metrics(&self) -> Vec<(String, String)> {
        self.store.metrics.lock().unwrap().clone()
    }

    /// Requests that arrived but could not be decoded.
    pub fn errors(&self) -> Vec<String> {
        self.store.errors.lock().unwrap().clone()
    }

    /// Waits (at most `limit`) until `done` holds for the spans received, and returns them.
    /// Panics with what did arrive when it does not.
    pub fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        mut done: impl FnMut(&[Span]) -> bool,
    ) -> Vec<Span> {
        let start = std::time::Instant::now();
        loop {
            let spans = self.spans();
            if done(&spans) {
                return spans;
            }
            if start.elapsed() > limit {
                panic!(
                    "timed out after {limit:?} waiting for {what}; received {} spans:\n{}\nreceiver errors: {:?}",
                    spans.len(),
                    super::trace::render_all(&spans),
                    self.errors()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
