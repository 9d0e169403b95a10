//! An OTLP receiver for the reliability tests, built like the end-to-end one
//! (`tests/e2e_common/receiver.rs`: the collector's gRPC services from `opentelemetry-proto`
//! through tonic, and protobuf bodies posted to `/v1/traces` and `/v1/metrics` through axum,
//! decoded with prost), with what these tests need on top:
//!
//! - binding to a given address, so a receiver can come back on the port an exporter was
//!   refused on;
//! - answering slowly (a delay before each answer), like an overloaded collector;
//! - counting without keeping (the load test receives hundreds of thousands of spans and
//!   measures memory), or keeping every decoded request whole, so the secrets sweep can
//!   scan every string the wire carried;
//! - the latest value of every metric data point, to read `http.server.active_requests`
//!   and the request-duration count as they arrived.
//!
//! It runs on its own Tokio runtime, so tests can block (as `Guard::shutdown` does)
//! without starving it.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};
use prost::Message;
use tonic::codec::CompressionEncoding;

/// `Span.kind` of a server span in the OTLP protobuf.
pub const SERVER: i32 = 2;

/// One span as it arrived, flattened for assertions.
#[derive(Clone, Debug)]
pub struct Span {
    pub name: String,
    pub kind: i32,
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: String,
    pub trace_state: String,
    pub attributes: BTreeMap<String, String>,
    pub events: Vec<String>,
    pub links: Vec<(String, String)>,
    pub service: String,
}

impl Span {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }
}

/// How the receiver behaves.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Bind the gRPC endpoint here (`127.0.0.1:0` when `None`).
    pub grpc_addr: Option<SocketAddr>,
    /// Bind the HTTP endpoint here (`127.0.0.1:0` when `None`).
    pub http_addr: Option<SocketAddr>,
    /// Wait this long before answering each export.
    pub delay: Duration,
    /// Keep flattened spans (otherwise only count them).
    pub keep_spans: bool,
    /// Keep every decoded request in full, as its `Debug` text: every string the wire
    /// carried (resource, scope, span, event and link attributes, names, status messages,
    /// trace state, metric names and point attributes) appears in it verbatim.
    pub keep_raw: bool,
}

#[derive(Default)]
struct Store {
    options: Options,
    spans: Mutex<Vec<Span>>,
    span_count: AtomicUsize,
    server_span_count: AtomicUsize,
    trace_exports: AtomicUsize,
    /// `(metric name, point attributes)` -> latest value (sums and gauges), or latest
    /// count (histograms).
    points: Mutex<BTreeMap<(String, String), f64>>,
    raw: Mutex<Vec<String>>,
    errors: Mutex<Vec<String>>,
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

fn attributes_text(kvs: &[KeyValue]) -> String {
    attributes(kvs)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    fn traces(&self, request: &ExportTraceServiceRequest) {
        self.trace_exports.fetch_add(1, Ordering::SeqCst);
        if self.options.keep_raw {
            self.raw.lock().unwrap().push(format!("{request:?}"));
        }
        let mut kept = Vec::new();
        for rs in &request.resource_spans {
            let service = rs
                .resource
                .as_ref()
                .map(|r| attributes(&r.attributes))
                .and_then(|a| a.get("service.name").cloned())
                .unwrap_or_default();
            for ss in &rs.scope_spans {
                for span in &ss.spans {
                    self.span_count.fetch_add(1, Ordering::SeqCst);
                    if span.kind == SERVER {
                        self.server_span_count.fetch_add(1, Ordering::SeqCst);
                    }
                    if self.options.keep_spans {
                        kept.push(Span {
                            name: span.name.clone(),
                            kind: span.kind,
                            trace_id: hex(&span.trace_id),
                            span_id: hex(&span.span_id),
                            parent_span_id: hex(&span.parent_span_id),
                            trace_state: span.trace_state.clone(),
                            attributes: attributes(&span.attributes),
                            events: span.events.iter().map(|e| e.name.clone()).collect(),
                            links: span
                                .links
                                .iter()
                                .map(|l| (hex(&l.trace_id), hex(&l.span_id)))
                                .collect(),
                            service: service.clone(),
                        });
                    }
                }
            }
        }
        if !kept.is_empty() {
            self.spans.lock().unwrap().extend(kept);
        }
    }

    fn metrics(&self, request: &ExportMetricsServiceRequest) {
        if self.options.keep_raw {
            self.raw.lock().unwrap().push(format!("{request:?}"));
        }
        let mut points = self.points.lock().unwrap();
        for rm in &request.resource_metrics {
            for sm in &rm.scope_metrics {
                for m in &sm.metrics {
                    let mut latest = |attrs: &[KeyValue], v: f64| {
                        points.insert((m.name.clone(), attributes_text(attrs)), v);
                    };
                    match &m.data {
                        Some(metric::Data::Sum(s)) => {
                            for p in &s.data_points {
                                latest(&p.attributes, number(&p.value));
                            }
                        }
                        Some(metric::Data::Gauge(g)) => {
                            for p in &g.data_points {
                                latest(&p.attributes, number(&p.value));
                            }
                        }
                        Some(metric::Data::Histogram(h)) => {
                            for p in &h.data_points {
                                latest(&p.attributes, p.count as f64);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn error(&self, message: String) {
        self.errors.lock().unwrap().push(message);
    }

    async fn pause(&self) {
        if !self.options.delay.is_zero() {
            tokio::time::sleep(self.options.delay).await;
        }
    }
}

fn number(v: &Option<number_data_point::Value>) -> f64 {
    match v {
        Some(number_data_point::Value::AsInt(i)) => *i as f64,
        Some(number_data_point::Value::AsDouble(d)) => *d,
        None => f64::NAN,
    }
}

#[derive(Clone)]
struct Shared(Arc<Store>);

#[tonic::async_trait]
impl TraceService for Shared {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.0.pause().await;
        self.0.traces(request.get_ref());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for Shared {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        self.0.pause().await;
        self.0.metrics(request.get_ref());
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

fn answer(status: StatusCode) -> impl axum::response::IntoResponse {
    (status, [("content-type", "application/x-protobuf")])
}

fn http_app(store: Shared) -> axum::Router {
    let traces = store.clone();
    let metrics = store;
    axum::Router::new()
        .route(
            "/v1/traces",
            axum::routing::post(move |headers: HeaderMap, bytes: Bytes| {
                let store = traces.clone();
                async move {
                    store.0.pause().await;
                    let Some(bytes) = body(&store.0, &headers, &bytes) else {
                        return answer(StatusCode::BAD_REQUEST);
                    };
                    match ExportTraceServiceRequest::decode(&bytes[..]) {
                        Ok(request) => {
                            store.0.traces(&request);
                            answer(StatusCode::OK)
                        }
                        Err(e) => {
                            store.0.error(format!("bad trace export body: {e}"));
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
                    store.0.pause().await;
                    let Some(bytes) = body(&store.0, &headers, &bytes) else {
                        return answer(StatusCode::BAD_REQUEST);
                    };
                    match ExportMetricsServiceRequest::decode(&bytes[..]) {
                        Ok(request) => {
                            store.0.metrics(&request);
                            answer(StatusCode::OK)
                        }
                        Err(e) => {
                            store.0.error(format!("bad metrics export body: {e}"));
                            answer(StatusCode::BAD_REQUEST)
                        }
                    }
                }
            }),
        )
        // Exports of a few thousand spans are larger than axum's 2 MB default.
        .layer(axum::extract::DefaultBodyLimit::max(64 << 20))
}

/// A running receiver (stops when dropped).
pub struct Receiver {
    grpc: SocketAddr,
    http: SocketAddr,
    store: Arc<Store>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // Stop at once, closing the listeners and every connection, so the port is free
        // and exporters see the receiver gone.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Receiver {
    /// A receiver on ephemeral ports that keeps flattened spans.
    pub fn start() -> Self {
        Self::with(Options {
            keep_spans: true,
            ..Options::default()
        })
    }

    pub fn with(options: Options) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("otlp-receiver")
            .enable_all()
            .build()
            .expect("receiver runtime");
        let store = Arc::new(Store {
            options: options.clone(),
            ..Store::default()
        });
        let any = SocketAddr::from(([127, 0, 0, 1], 0));

        let grpc = runtime
            .block_on(tokio::net::TcpListener::bind(
                options.grpc_addr.unwrap_or(any),
            ))
            .expect("bind the gRPC receiver");
        let grpc_addr = grpc.local_addr().expect("gRPC receiver address");
        let router = tonic::transport::Server::builder()
            .add_service(
                TraceServiceServer::new(Shared(store.clone()))
                    .accept_compressed(CompressionEncoding::Gzip)
                    .max_decoding_message_size(64 << 20),
            )
            .add_service(
                MetricsServiceServer::new(Shared(store.clone()))
                    .accept_compressed(CompressionEncoding::Gzip)
                    .max_decoding_message_size(64 << 20),
            );
        runtime
            .spawn(router.serve_with_incoming(tonic::transport::server::TcpIncoming::from(grpc)));

        let http = runtime
            .block_on(tokio::net::TcpListener::bind(
                options.http_addr.unwrap_or(any),
            ))
            .expect("bind the HTTP receiver");
        let http_addr = http.local_addr().expect("HTTP receiver address");
        let app = http_app(Shared(store.clone()));
        runtime.spawn(async move { axum::serve(http, app).await });

        Receiver {
            grpc: grpc_addr,
            http: http_addr,
            store,
            runtime: Some(runtime),
        }
    }

    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.http
    }

    /// The OTLP/gRPC endpoint, `http://127.0.0.1:<port>`.
    pub fn grpc_url(&self) -> String {
        format!("http://{}", self.grpc)
    }

    /// The OTLP/HTTP endpoint base, `http://127.0.0.1:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// Spans received so far (all kinds).
    pub fn span_count(&self) -> usize {
        self.store.span_count.load(Ordering::SeqCst)
    }

    /// `SERVER` spans received so far.
    pub fn server_span_count(&self) -> usize {
        self.store.server_span_count.load(Ordering::SeqCst)
    }

    /// Trace export requests answered so far.
    pub fn trace_exports(&self) -> usize {
        self.store.trace_exports.load(Ordering::SeqCst)
    }

    /// The flattened spans kept so far (with `keep_spans`).
    pub fn spans(&self) -> Vec<Span> {
        self.store.spans.lock().unwrap().clone()
    }

    /// Every decoded request kept so far, as `Debug` text (with `keep_raw`).
    pub fn raw(&self) -> Vec<String> {
        self.store.raw.lock().unwrap().clone()
    }

    /// The sum of the latest values of metric `name` over all its attribute sets (for a
    /// histogram: the sum of the latest counts).
    pub fn metric_total(&self, name: &str) -> Option<f64> {
        let points = self.store.points.lock().unwrap();
        let mut found = None;
        for ((n, _), v) in points.iter() {
            if n == name {
                *found.get_or_insert(0.0) += v;
            }
        }
        found
    }

    /// The latest value of metric `name` for exactly the point attributes `attributes`
    /// (`key=value` pairs sorted by key, joined by commas).
    pub fn metric_value(&self, name: &str, attributes: &str) -> Option<f64> {
        let points = self.store.points.lock().unwrap();
        points
            .get(&(name.to_owned(), attributes.to_owned()))
            .copied()
    }

    /// Requests that arrived but could not be decoded.
    pub fn errors(&self) -> Vec<String> {
        self.store.errors.lock().unwrap().clone()
    }

    /// Waits (at most `limit`) until `done` holds for the receiver, polling every 10 ms.
    /// Returns whether it did.
    pub fn wait_until(&self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let start = Instant::now();
        loop {
            if done(self) {
                return true;
            }
            if start.elapsed() > limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
