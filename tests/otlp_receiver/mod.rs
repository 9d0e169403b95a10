//! A real OTLP receiver on 127.0.0.1, shared by the end-to-end and the reliability tests:
//! the collector's trace and metrics services over gRPC (tonic, from `opentelemetry-proto`)
//! and protobuf bodies posted to `/v1/traces` and `/v1/metrics` over HTTP (axum, decoded
//! with prost, gunzipped when sent compressed). Both endpoints record into one store, so
//! services exporting either way land together.
//!
//! It runs on its own Tokio runtime, so tests can block (as `Guard::shutdown` does)
//! without starving it, and it stops at once when dropped, closing its listeners and every
//! connection, so its ports are free again and exporters see it gone.
//!
//! The test families include it with `#[path = "../otlp_receiver/mod.rs"] pub mod receiver;`.
//!
//! # Keeping what arrived
//!
//! [`Receiver::start`] keeps every span, flattened into a [`Span`], and draws them as
//! trees ([`trace`]) when [`Receiver::wait_for`] gives up:
//!
//! ```ignore
//! let receiver = Receiver::start();
//! // ... export to receiver.grpc_url() or receiver.http_url() ...
//! let spans = receiver.wait_for("3 spans", Duration::from_secs(10), |s| s.len() >= 3);
//! assert!(spans.iter().all(|s| s.transport == GRPC_TRANSPORT));
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
//!   the secrets sweep can scan every string the wire carried.
//!
//! Whatever it keeps, it counts spans ([`Receiver::span_count`],
//! [`Receiver::server_span_count`]) and export requests, notes which service sent which
//! metric ([`Receiver::metrics`]), and holds the latest value of every metric data point
//! ([`Receiver::metric_total`], [`Receiver::metric_value`]), to read
//! `http.server.active_requests` and the request-duration count as they arrived.

/// Attribute values and ids as text, shared with baton-sdk's own test receivers.
#[path = "../../crates/baton-sdk/tests/common/decode.rs"]
mod decode;
mod grpc;
mod http;
mod span;
mod store;
pub mod trace;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

// Each test binary uses only some of these names (its common module allows dead code
// for the same reason).
#[allow(unused_imports)]
pub use span::{CLIENT, GRPC_TRANSPORT, HTTP_TRANSPORT, INTERNAL, SERVER, STATUS_ERROR, Span};
use store::Store;

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
    /// Keep flattened spans (otherwise only count them).
    pub keep_spans: bool,
    /// Keep every decoded request in full, as its `Debug` text: every string the wire
    /// carried (resource, scope, span, event and link attributes, names, status messages,
    /// trace state, metric names and point attributes) appears in it verbatim.
    pub keep_raw: bool,
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
        let store = Arc::new(Store::new(options));
        grpc::serve(&runtime, grpc_listener, store.clone());
        http::serve(&runtime, http_listener, store.clone());
        Receiver {
            grpc,
            http,
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

    /// The OTLP/HTTP endpoint base (exporters append `/v1/traces`), `http://127.0.0.1:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// Every span kept so far (with `keep_spans`), in arrival order.
    pub fn spans(&self) -> Vec<Span> {
        self.store.spans.lock().unwrap().clone()
    }

    /// Spans received so far (all kinds), kept or not.
    pub fn span_count(&self) -> usize {
        self.store.span_count.load(Ordering::SeqCst)
    }

    /// `SERVER` spans received so far, kept or not.
    pub fn server_span_count(&self) -> usize {
        self.store.server_span_count.load(Ordering::SeqCst)
    }

    /// Trace export requests recorded so far.
    pub fn trace_exports(&self) -> usize {
        self.store.trace_exports.load(Ordering::SeqCst)
    }

    /// `(service.name, metric name)` of every metric received so far, each pair once.
    pub fn metrics(&self) -> Vec<(String, String)> {
        self.store.metrics.lock().unwrap().iter().cloned().collect()
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

    /// Waits (at most `limit`) until `done` holds for the spans kept (so only with
    /// `keep_spans`), and returns them. Panics with what did arrive, drawn as traces, when
    /// it does not.
    pub fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        mut done: impl FnMut(&[Span]) -> bool,
    ) -> Vec<Span> {
        let mut spans = Vec::new();
        let arrived = self.wait_until(limit, |r| {
            spans = r.spans();
            done(&spans)
        });
        assert!(
            arrived,
            "timed out after {limit:?} waiting for {what}; received {} spans:\n{}\nreceiver errors: {:?}",
            spans.len(),
            trace::render_all(&spans),
            self.errors()
        );
        spans
    }
}
