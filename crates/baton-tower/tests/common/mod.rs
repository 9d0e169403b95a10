//! Shared test kit: an SDK that keeps spans and metrics in memory, servers on 127.0.0.1,
//! and a real HTTP/1.1 client.
#![allow(dead_code)]

use baton_core::propagation::{CompositePropagator, PropagatorKind};
use baton_sdk::testing::{Metrics, TestTelemetry, eventually};
use baton_tower::server::ServerLayer;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use opentelemetry::{Key, KeyValue, Value};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider, SpanData};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

/// How long the bounded waits wait before failing.
pub const WAIT: Duration = Duration::from_secs(5);

/// baton's test kit (`baton_sdk::testing`), with the layer under test and the kit's async
/// waits in the shapes these tests use.
pub struct Telemetry {
    kit: TestTelemetry,
    pub tracer_provider: SdkTracerProvider,
    pub meter_provider: SdkMeterProvider,
}

impl Telemetry {
    pub fn new() -> Self {
        let kit = TestTelemetry::new();
        let tracer_provider = kit.tracer_provider().clone();
        let meter_provider = kit.meter_provider().clone();
        Telemetry {
            kit,
            tracer_provider,
            meter_provider,
        }
    }

    /// A server layer recording into this telemetry, reading W3C trace context and baggage,
    /// with the opt-in `http.server.active_requests` on (so that tests can check it comes
    /// back to 0).
    pub fn layer(&self) -> ServerLayer<SdkTracer> {
        ServerLayer::new()
            .with_active_requests_metric()
            .propagator(CompositePropagator::new([
                PropagatorKind::TraceContext,
                PropagatorKind::Baggage,
            ]))
            .tracer_provider(&self.tracer_provider)
            .meter_provider(&self.meter_provider)
    }

    pub fn finished(&self) -> Vec<SpanData> {
        self.kit
            .spans()
            .all()
            .iter()
            .map(|s| s.data().clone())
            .collect()
    }

    /// Waits (up to 5 s, without blocking the runtime) until at least `n` spans have ended.
    pub async fn wait_for_spans(&self, n: usize) -> Vec<SpanData> {
        let spans = self.kit.spans_eventually(n, WAIT).await;
        spans.all().iter().map(|s| s.data().clone()).collect()
    }

    /// The metrics collected now.
    pub fn metrics(&self) -> Metrics {
        self.kit.metrics()
    }

    /// Waits (at most 5 s, without blocking the runtime) until `done` holds, panicking
    /// with `what` if it never does: metrics are recorded when the response body ends, just
    /// after the client has it.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&Self) -> bool) {
        eventually(what, WAIT, || done(self).then_some(())).await
    }

    /// Sum of `http.server.active_requests` over all attribute sets; panics if the metric
    /// was never recorded, so that "back to 0" cannot pass for a metric that is off.
    pub fn active_requests(&self) -> i64 {
        let metrics = self.metrics();
        assert!(
            !metrics.points("http.server.active_requests").is_empty(),
            "http.server.active_requests was never recorded"
        );
        metrics.total("http.server.active_requests") as i64
    }
}

pub fn names(spans: &[SpanData]) -> Vec<String> {
    spans.iter().map(|s| s.name.to_string()).collect()
}

/// The value of attribute `key` on a span.
pub fn attr(span: &SpanData, key: &str) -> Option<Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.clone())
}

pub fn has_attr(attrs: &[KeyValue], key: &str, value: Value) -> bool {
    attrs
        .iter()
        .any(|kv| kv.key == Key::from(key.to_owned()) && kv.value == value)
}

/// Serves an axum router on 127.0.0.1 with peer addresses available.
#[allow(unused_imports)] // not every test binary serves axum
pub use baton_test_support::loopback::serve_axum;

/// Sends one request over a new HTTP/1.1 connection and reads the whole response.
pub async fn send(addr: SocketAddr, request: Request<Full<Bytes>>) -> (Response<()>, Bytes) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let response = sender.send_request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (Response::from_parts(parts, ()), body)
}

/// A GET request for `path` with the given extra headers.
pub fn get(addr: SocketAddr, path: &str, headers: &[(&str, &[u8])]) -> Request<Full<Bytes>> {
    let mut builder = Request::get(path).header("host", addr.to_string());
    for (k, v) in headers {
        builder = builder.header(*k, http::HeaderValue::from_bytes(v).unwrap());
    }
    builder.body(Full::default()).unwrap()
}
