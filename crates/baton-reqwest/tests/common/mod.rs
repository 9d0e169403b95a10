//! Shared test kit: an SDK that keeps spans and metrics in memory, a recording HTTP server on
//! 127.0.0.1, and clients wrapped in the middleware under test.
#![allow(dead_code)]

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use baton_core::propagation::{CompositePropagator, PropagatorKind, parse_traceparent};
use baton_reqwest::TracingMiddleware;
use baton_sdk::testing::{Metrics, TestTelemetry, eventually};
use opentelemetry::trace::{SpanContext, SpanKind};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider, SpanData};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

/// How long the bounded waits wait before failing.
pub const WAIT: Duration = Duration::from_secs(10);

/// baton's test kit (`baton_sdk::testing`), with the middleware under test and the kit's
/// async waits in the shapes these tests use.
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

    /// The middleware under test, recording here and writing W3C trace context and baggage.
    pub fn middleware(&self) -> TracingMiddleware<SdkTracer> {
        TracingMiddleware::new()
            .propagator(CompositePropagator::new([
                PropagatorKind::TraceContext,
                PropagatorKind::Baggage,
            ]))
            .tracer_provider(&self.tracer_provider)
            .meter_provider(&self.meter_provider)
            .with_active_requests_metric()
    }

    /// A client with only the middleware under test.
    pub fn client(&self) -> ClientWithMiddleware {
        ClientBuilder::new(reqwest_client())
            .with(self.middleware())
            .build()
    }

    pub fn finished(&self) -> Vec<SpanData> {
        self.kit
            .spans()
            .all()
            .iter()
            .map(|s| s.data().clone())
            .collect()
    }

    /// The metrics collected now.
    pub fn metrics(&self) -> Metrics {
        self.kit.metrics()
    }

    /// The ended client spans, oldest start first.
    pub fn client_spans(&self) -> Vec<SpanData> {
        let mut spans: Vec<SpanData> = self
            .finished()
            .into_iter()
            .filter(|s| s.span_kind == SpanKind::Client)
            .collect();
        spans.sort_by_key(|s| s.start_time);
        spans
    }

    /// Waits (bounded, without blocking the runtime) until at least `n` client spans have
    /// ended.
    pub async fn wait_for_client_spans(&self, n: usize) -> Vec<SpanData> {
        eventually(&format!("{n} client spans"), WAIT, || {
            let spans = self.client_spans();
            (spans.len() >= n).then_some(spans)
        })
        .await
    }

    /// Sum of `http.client.active_requests` over all attribute sets; panics if the metric
    /// was never recorded (a 0 from nothing would prove nothing).
    pub fn active_requests(&self) -> i64 {
        let metrics = self.metrics();
        assert!(
            !metrics.points("http.client.active_requests").is_empty(),
            "http.client.active_requests was never recorded"
        );
        metrics.total("http.client.active_requests") as i64
    }

    /// Waits (bounded, without blocking the runtime) until `http.client.active_requests`
    /// sums to `n`.
    pub async fn wait_for_active_requests(&self, n: i64) {
        let what = format!("http.client.active_requests == {n}");
        eventually(&what, WAIT, || (self.active_requests() == n).then_some(())).await
    }
}

/// A plain reqwest client that ignores proxy settings in the environment.
pub fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
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

/// The attribute keys of a span (or data point), sorted.
pub fn keys(attributes: &[KeyValue]) -> Vec<String> {
    let mut keys: Vec<String> = attributes.iter().map(|kv| kv.key.to_string()).collect();
    keys.sort();
    keys
}

/// The span context a received `traceparent` header names: the caller's span.
pub fn traceparent(headers: &HeaderMap) -> Option<SpanContext> {
    parse_traceparent(headers.get("traceparent")?.to_str().ok()?)
}

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

#[derive(Clone, Default)]
struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    flaky: Arc<AtomicUsize>,
}

/// A server on 127.0.0.1 that records every request it receives, then answers by path:
/// `/status/{code}` with that status; `/redirect/{code}?to={url}` with that status and
/// `Location: {url}` (itself without `to`); `/flaky` with 503, 503, then 200; `/slow` after 60 s; anything else
/// with 200 and the `traceparent` it received as the body.
pub struct Server {
    pub addr: SocketAddr,
    shared: Shared,
}

impl Server {
    pub async fn start() -> Self {
        let shared = Shared::default();
        let router = axum::Router::new()
            .fallback(respond)
            .with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Server { addr, shared }
    }

    /// `http://127.0.0.1:{port}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The same server under another host name: `http://{host}:{port}{path}`.
    pub fn url_as(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.addr.port())
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits (bounded, without blocking the runtime) until the server has received at
    /// least `n` requests.
    pub async fn wait_for_requests(&self, n: usize) -> Vec<Received> {
        eventually(&format!("{n} requests"), WAIT, || {
            let received = self.received();
            (received.len() >= n).then_some(received)
        })
        .await
    }
}

async fn respond(
    State(shared): State<Shared>,
    request: Request,
) -> (StatusCode, HeaderMap, String) {
    let path = request.uri().path().to_owned();
    let traceparent = request
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let query = request.uri().query().map(str::to_owned);
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    shared.received.lock().unwrap().push(Received {
        method: parts.method.to_string(),
        path: path.clone(),
        headers: parts.headers.clone(),
        body: body.to_vec(),
    });
    let status = |code: &str| {
        code.parse()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::BAD_REQUEST)
    };
    if let Some(code) = path.strip_prefix("/status/") {
        return (status(code), HeaderMap::new(), String::new());
    }
    if let Some(code) = path.strip_prefix("/redirect/") {
        let to = query.as_deref().and_then(|q| q.strip_prefix("to="));
        let mut headers = HeaderMap::new();
        headers.insert("location", to.unwrap_or(&path).parse().unwrap());
        return (status(code), headers, String::new());
    }
    match path.as_str() {
        "/flaky" if shared.flaky.fetch_add(1, Ordering::SeqCst) < 2 => (
            StatusCode::SERVICE_UNAVAILABLE,
            HeaderMap::new(),
            String::new(),
        ),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            (StatusCode::OK, HeaderMap::new(), String::new())
        }
        _ => (StatusCode::OK, HeaderMap::new(), traceparent),
    }
}
