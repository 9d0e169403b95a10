//! The one OTLP receiver of baton's tests, on 127.0.0.1. It receives the three signals:
//!
//! - over gRPC, the collector's trace, metrics and logs services (tonic, from
//!   `opentelemetry-proto`): [`TRACES_GRPC_PATH`], [`METRICS_GRPC_PATH`], [`LOGS_GRPC_PATH`];
//! - over HTTP, protobuf bodies `POST`ed to `/v1/traces`, `/v1/metrics` and `/v1/logs` (or
//!   any path ending in `traces`, `spans`, `metrics` or `logs`; axum, decoded with prost),
//!   answered `400 Bad Request` when the body is not one (JSON bodies are not accepted);
//!
//! gzip accepted on both. Both endpoints record into one store, so services exporting
//! either way land together.
//!
//! It runs on its own Tokio runtime, so tests can block (as `Guard::shutdown` does)
//! without starving it, and it stops at once when dropped, closing its listeners and every
//! connection, so its ports are free again and exporters see it gone.
//!
//! # Keeping what arrived
//!
//! [`Receiver::start`] keeps every export ([`Export`]: its signal, path and headers or
//! gRPC metadata, with its spans flattened into [`Span`]s, its metrics into [`Metric`]s and
//! its log records into [`Log`]s), and shows what did arrive when a wait gives up: spans
//! drawn as trees ([`trace`]) by [`Receiver::wait_for`], one [`Log::line`] per record by
//! [`Receiver::wait_for_logs`]:
//!
//! ```
//! use baton_test_support::otlp::{GRPC_TRANSPORT, Receiver};
//! use std::time::Duration;
//!
//! let receiver = Receiver::start();
//! // ... export to receiver.grpc_url() or receiver.http_url() ...
//! # send_one_span(&receiver.http_url());
//! let spans = receiver.wait_for("1 span", Duration::from_secs(10), |s| s.len() >= 1);
//! assert_eq!(spans[0].name, "GET /users/{id}");
//! assert_eq!(receiver.exports()[0].path(), "/v1/traces");
//! # fn send_one_span(url: &str) {
//! #     use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
//! #     use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
//! #     use prost::Message;
//! #     use std::io::{Read, Write};
//! #     let span = Span { name: "GET /users/{id}".into(), kind: 2, ..Default::default() };
//! #     let request = ExportTraceServiceRequest { resource_spans: vec![ResourceSpans {
//! #         scope_spans: vec![ScopeSpans { spans: vec![span], ..Default::default() }],
//! #         ..Default::default() }] };
//! #     let body = request.encode_to_vec();
//! #     let addr = url.trim_start_matches("http://");
//! #     let mut stream = std::net::TcpStream::connect(addr).unwrap();
//! #     write!(stream, "POST /v1/traces HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-protobuf\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len()).unwrap();
//! #     stream.write_all(&body).unwrap();
//! #     let mut answer = String::new();
//! #     stream.read_to_string(&mut answer).unwrap();
//! #     assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
//! # }
//! ```
//!
//! # Behaving like a troubled collector
//!
//! [`Receiver::with`] takes [`Options`]:
//!
//! - binding to a given address, so a receiver can come back on the port an exporter was
//!   refused on;
//! - answering slowly (a delay before each answer), like an overloaded collector;
//! - counting without keeping (the default of `Options`: the load tests receive hundreds
//!   of thousands of spans and measure memory), or keeping every decoded request whole, so
//!   a secrets sweep can scan every string the wire carried.
//!
//! Whatever it keeps, it counts spans ([`Receiver::span_count`],
//! [`Receiver::server_span_count`]), log records ([`Receiver::log_count`]) and trace
//! export requests, notes which service sent which metric
//! ([`Receiver::metric_sources`]), and holds the latest value of every metric data
//! point ([`Receiver::metric_total`], [`Receiver::metric_value`]), to read
//! `http.server.active_requests` and the request-duration count as they arrived.

mod export;
mod grpc;
mod http;
mod kept;
mod log;
mod metric;
mod span;
mod store;
pub mod trace;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use export::{Export, LOGS_GRPC_PATH, METRICS_GRPC_PATH, Origin, Signal, TRACES_GRPC_PATH};
pub use log::{
    Log, SEVERITY_DEBUG, SEVERITY_ERROR, SEVERITY_FATAL, SEVERITY_INFO, SEVERITY_TRACE,
    SEVERITY_WARN,
};
pub use metric::{CUMULATIVE, DELTA, Metric};
pub use span::{CLIENT, GRPC_TRANSPORT, HTTP_TRANSPORT, INTERNAL, SERVER, STATUS_ERROR, Span};
use store::Store;

use crate::wait::{self, WAIT};

/// The largest export either endpoint accepts (exports of a few thousand spans are
/// larger than the 2 MB axum and 4 MB tonic accept by default).
const MAX_MESSAGE: usize = 64 << 20;

/// How the receiver behaves. The default binds ephemeral ports, answers at once and only
/// counts.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Bind the gRPC endpoint here (`127.0.0.1:0` when `None`).
    pub grpc_addr: Option<SocketAddr>,
    /// Bind the HTTP endpoint here (`127.0.0.1:0` when `None`).
    pub http_addr: Option<SocketAddr>,
    /// Wait this long before answering each export.
    pub delay: Duration,
    /// Keep every export decoded, with its origin (otherwise only count).
    pub keep_exports: bool,
    /// Keep every decoded request in full, as its `Debug` text: every string the wire
    /// carried (resource, scope, span, event and link attributes, names, status messages,
    /// trace state, metric names and point attributes, log bodies, severity texts and
    /// attributes) appears in it verbatim.
    pub keep_raw: bool,
    /// The largest gRPC export accepted, as a collector's `max_recv_msg_size_mib` (64 MiB
    /// when `None`); larger ones are refused with `RESOURCE_EXHAUSTED`, nothing kept.
    pub max_grpc_message: Option<usize>,
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
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Receiver {
    /// A receiver on ephemeral ports that keeps every export.
    pub fn start() -> Self {
        Self::with(Options {
            keep_exports: true,
            ..Options::default()
        })
    }

    /// A receiver behaving as `options` say.
    pub fn with(options: Options) -> Self {
        let runtime = crate::loopback::runtime("otlp-receiver", 1);
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        let bind = |addr: Option<SocketAddr>, what: &str| {
            let listener = runtime
                .block_on(tokio::net::TcpListener::bind(addr.unwrap_or(any)))
                .unwrap_or_else(|e| panic!("bind the {what} receiver: {e}"));
            let addr = listener
                .local_addr()
                .unwrap_or_else(|e| panic!("{what} receiver address: {e}"));
            (listener, addr)
        };
        let (grpc_listener, grpc) = bind(options.grpc_addr, "gRPC");
        let (http_listener, http) = bind(options.http_addr, "HTTP");
        let max_grpc = options.max_grpc_message.unwrap_or(MAX_MESSAGE);
        let store = Arc::new(Store::new(options));
        grpc::serve(&runtime, grpc_listener, store.clone(), max_grpc);
        http::serve(&runtime, http_listener, store.clone());
        Receiver {
            grpc,
            http,
            store,
            runtime: Some(runtime),
        }
    }

    /// The gRPC endpoint's address.
    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc
    }

    /// The HTTP endpoint's address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http
    }

    /// The OTLP/gRPC endpoint, `http://127.0.0.1:<port>`.
    pub fn grpc_url(&self) -> String {
        format!("http://{}", self.grpc)
    }

    /// The OTLP/HTTP endpoint base (exporters append `/v1/traces`, `/v1/metrics`,
    /// `/v1/logs`), `http://127.0.0.1:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// Every export kept so far (with `keep_exports`), in arrival order.
    pub fn exports(&self) -> Vec<Export> {
        self.store.exports.lock().unwrap().clone()
    }

    /// The exports kept so far that carry `signal`.
    pub fn exports_of(&self, signal: Signal) -> Vec<Export> {
        self.keep_exports(|e| e.signal == signal)
    }

    /// The exports kept so far that were sent to `path`.
    pub fn exports_to(&self, path: &str) -> Vec<Export> {
        self.keep_exports(|e| e.path() == path)
    }

    fn keep_exports(&self, keep: impl Fn(&Export) -> bool) -> Vec<Export> {
        let exports = self.store.exports.lock().unwrap();
        exports.iter().filter(|e| keep(e)).cloned().collect()
    }

    /// The path of every export kept so far, in arrival order.
    pub fn paths(&self) -> Vec<String> {
        let exports = self.store.exports.lock().unwrap();
        exports.iter().map(|e| e.path().to_owned()).collect()
    }

    /// Every span kept so far, in arrival order.
    pub fn spans(&self) -> Vec<Span> {
        self.kept(|_| true)
    }

    /// The spans kept so far that were sent to `path`.
    pub fn spans_at(&self, path: &str) -> Vec<Span> {
        self.kept(|e| e.path() == path)
    }

    /// Every metric kept so far, in arrival order (a metric exported twice is there twice).
    pub fn metrics(&self) -> Vec<Metric> {
        self.kept(|_| true)
    }

    /// The metrics kept so far that were sent to `path`.
    pub fn metrics_at(&self, path: &str) -> Vec<Metric> {
        self.kept(|e| e.path() == path)
    }

    /// Every log record kept so far, in arrival order.
    pub fn logs(&self) -> Vec<Log> {
        self.kept(|_| true)
    }

    /// The log records kept so far that were sent to `path`.
    pub fn logs_at(&self, path: &str) -> Vec<Log> {
        self.kept(|e| e.path() == path)
    }

    /// Spans received so far (all kinds), kept or not.
    pub fn span_count(&self) -> usize {
        self.store.span_count.load(Ordering::SeqCst)
    }

    /// `SERVER` spans received so far, kept or not.
    pub fn server_span_count(&self) -> usize {
        self.store.server_span_count.load(Ordering::SeqCst)
    }

    /// Trace export requests received so far.
    pub fn trace_exports(&self) -> usize {
        self.store.trace_exports.load(Ordering::SeqCst)
    }

    /// Log records received so far, kept or not.
    pub fn log_count(&self) -> usize {
        self.store.log_count.load(Ordering::SeqCst)
    }

    /// `(service.name, metric name)` of every metric received so far, each pair once, kept
    /// or not.
    pub fn metric_sources(&self) -> Vec<(String, String)> {
        let sources = self.store.metric_sources.lock().unwrap();
        sources.iter().cloned().collect()
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

    /// Every decoded request kept so far, as `Debug` text (with `keep_raw`).
    pub fn raw(&self) -> Vec<String> {
        self.store.raw.lock().unwrap().clone()
    }

    /// Requests that arrived but could not be decoded (or went to a path that carries
    /// no signal).
    pub fn errors(&self) -> Vec<String> {
        self.store.errors.lock().unwrap().clone()
    }

    /// Waits (at most `limit`) until `done` holds for the receiver, polling every 10 ms.
    /// Returns whether it did.
    pub fn wait_until(&self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        wait::until(limit, || done(self))
    }

    /// Waits (at most `limit`) until `done` holds for the spans kept (so only with
    /// `keep_exports`), and returns them. Panics with what did arrive, drawn as traces, when
    /// it does not.
    #[track_caller]
    pub fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        done: impl FnMut(&[Span]) -> bool,
    ) -> Vec<Span> {
        self.wait_kept(what, limit, |_| true, done)
    }

    /// Waits (10 s at most) until at least `n` spans have been kept, and returns them all.
    #[track_caller]
    pub fn wait_for_spans(&self, n: usize) -> Vec<Span> {
        self.wait_for(&format!("{n} spans"), WAIT, |s| s.len() >= n)
    }

    /// Waits (10 s at most) until at least `n` spans sent to `path` have been kept, and
    /// returns those. Panics with what did arrive there when they do not.
    #[track_caller]
    pub fn wait_for_spans_at(&self, path: &str, n: usize) -> Vec<Span> {
        let what = format!("{n} spans at {path}");
        self.wait_kept(&what, WAIT, |e| e.path() == path, |s| s.len() >= n)
    }

    /// Waits (10 s at most) until a metric named `name` has been kept, and returns every
    /// metric kept. Panics with the metrics that did arrive when it does not.
    #[track_caller]
    pub fn wait_for_metric(&self, name: &str) -> Vec<Metric> {
        let what = format!("metric {name}");
        self.wait_kept(&what, WAIT, |_| true, has_metric(name))
    }

    /// Waits (10 s at most) until a metric named `name` sent to `path` has been kept, and
    /// returns every metric sent there. Panics with what did arrive there when it does not.
    #[track_caller]
    pub fn wait_for_metric_at(&self, path: &str, name: &str) -> Vec<Metric> {
        let what = format!("metric {name} at {path}");
        self.wait_kept(&what, WAIT, |e| e.path() == path, has_metric(name))
    }

    /// Waits (at most `limit`) until `done` holds for the log records kept (so only with
    /// `keep_exports`), and returns them. Panics with what did arrive, one [`Log::line`] per
    /// record, when it does not.
    #[track_caller]
    pub fn wait_for_logs(
        &self,
        what: &str,
        limit: Duration,
        done: impl FnMut(&[Log]) -> bool,
    ) -> Vec<Log> {
        self.wait_kept(what, limit, |_| true, done)
    }

    /// Waits (10 s at most) until at least `n` log records sent to `path` have been kept,
    /// and returns those. Panics with what did arrive there when they do not.
    #[track_caller]
    pub fn wait_for_logs_at(&self, path: &str, n: usize) -> Vec<Log> {
        let what = format!("{n} log records at {path}");
        self.wait_kept(&what, WAIT, |e| e.path() == path, |l| l.len() >= n)
    }
}

/// Whether metrics include one named `name`.
fn has_metric(name: &str) -> impl Fn(&[Metric]) -> bool + '_ {
    move |metrics| metrics.iter().any(|m| m.name == name)
}
