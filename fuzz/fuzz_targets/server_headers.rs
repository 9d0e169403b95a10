//! Arbitrary requests through `baton_tower::server::ServerLayer`: the request target and
//! every header name and value come from the input, as a peer could send them. The layer
//! wraps a trivial service and records with a real SDK (always-on sampler, spans ended
//! into an exporter that drops them, metrics collected every 100 ms and dropped), reading every
//! propagator baton has, capturing some headers, returning the trace to the caller, and
//! treating the request as a public endpoint when the input says so. Nothing may panic,
//! every request must end exactly one span, and what the layer returns to the caller and
//! hands to the handler must respect the limits.
//!
//! Input: byte 0 holds options (bit 0: public endpoint; bits 1-2: method; bit 3: the
//! handler answers with the status in byte 1), then lines: the first is the request target,
//! each later one a header `name:value` (split at the first `:`). Lines that are not a
//! valid URI, header name or header value are dropped, as an HTTP parser would.
#![no_main]

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll, Waker};

use baton_core::propagation::{CompositePropagator, PropagatorKind, parse_traceparent};
use baton_tower::server::ServerLayer;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body::Body;
use http_body_util::Full;
use libfuzzer_sys::fuzz_target;
use opentelemetry::Context;
use opentelemetry::baggage::BaggageExt;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
use opentelemetry_sdk::trace::{
    Sampler, SdkTracer, SdkTracerProvider, SimpleSpanProcessor, SpanData, SpanExporter,
};
use tower::Layer;
use tower::Service;

/// Counts the spans ended, keeps none.
#[derive(Debug)]
struct Count;

static ENDED: AtomicUsize = AtomicUsize::new(0);

impl SpanExporter for Count {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        ENDED.fetch_add(batch.len(), Ordering::SeqCst);
        Ok(())
    }
}

/// Takes the metrics the reader collects (every 100 ms), keeps none.
#[derive(Debug)]
struct Discard;

impl PushMetricExporter for Discard {
    async fn export(&self, _: &ResourceMetrics) -> OTelSdkResult {
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

/// Marks a request the input made public.
#[derive(Clone, Copy)]
struct Public;

fn layer() -> &'static ServerLayer<SdkTracer> {
    static LAYER: OnceLock<ServerLayer<SdkTracer>> = OnceLock::new();
    LAYER.get_or_init(|| {
        let tracer_provider = SdkTracerProvider::builder()
            .with_sampler(Sampler::AlwaysOn)
            .with_span_processor(SimpleSpanProcessor::new(Count))
            .build();
        let meter_provider = SdkMeterProvider::builder()
            .with_reader(
                PeriodicReader::builder(Discard)
                    .with_interval(std::time::Duration::from_millis(100))
                    .build(),
            )
            .build();
        ServerLayer::new()
            .propagator(CompositePropagator::new([
                PropagatorKind::TraceContext,
                PropagatorKind::Baggage,
                PropagatorKind::B3,
                PropagatorKind::B3Multi,
                PropagatorKind::Jaeger,
                PropagatorKind::XRay,
            ]))
            .tracer_provider(&tracer_provider)
            .meter_provider(&meter_provider)
            .with_body_size_metrics()
            .public_endpoint(|parts: &http::request::Parts| {
                parts.extensions.get::<Public>().is_some()
            })
            .capture_request_headers(
                [
                    "x-request-id",
                    "user-agent",
                    "traceparent",
                    "baggage",
                    "forwarded",
                    "authorization",
                    "referer",
                ]
                .map(HeaderName::from_static),
            )
            .capture_response_headers(
                ["content-type", "set-cookie", "location"].map(HeaderName::from_static),
            )
            .sensitive_query_key("token")
            .server_timing()
            .traceresponse()
    })
}

/// Polls a future that must be ready without waiting (nothing here waits).
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    for _ in 0..16 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("the service future did not complete");
}

fn request(data: &[u8]) -> Option<Request<Full<Bytes>>> {
    let (&options, rest) = data.split_first()?;
    let status = rest.first().copied().unwrap_or(0);
    let mut lines = rest.split(|&b| b == b'\n');
    let target = lines.next().unwrap_or_default();
    let uri = Uri::try_from(target).unwrap_or_else(|_| Uri::from_static("/"));
    let method = match (options >> 1) & 3 {
        0 => Method::GET,
        1 => Method::POST,
        2 => Method::from_bytes(b"PURGE").ok()?,
        _ => Method::OPTIONS,
    };
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Full::new(Bytes::from_static(b"body")))
        .ok()?;
    for line in lines.take(256) {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            request.headers_mut().append(name, value);
        }
    }
    if options & 1 == 1 {
        request.extensions_mut().insert(Public);
    }
    if options & 8 == 8 {
        request
            .extensions_mut()
            .insert(StatusCode::from_u16(100 + u16::from(status) * 2).unwrap_or(StatusCode::OK));
    }
    Some(request)
}

fuzz_target!(|data: &[u8]| {
    let Some(request) = request(data) else {
        return;
    };
    let mut service = layer().layer(tower::service_fn(|request: Request<Full<Bytes>>| {
        // What the handler is handed must respect the limits.
        let cx = request
            .extensions()
            .get::<Context>()
            .cloned()
            .unwrap_or_default();
        assert!(
            cx.baggage().len() <= 64,
            "baggage of {} entries",
            cx.baggage().len()
        );
        let status = request
            .extensions()
            .get::<StatusCode>()
            .copied()
            .unwrap_or(StatusCode::OK);
        let mut response = Response::new(Full::new(Bytes::from_static(b"ok")));
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("text/plain"));
        std::future::ready(Ok::<_, Infallible>(response))
    }));
    let before = ENDED.load(Ordering::SeqCst);
    let response = now(service.call(request)).expect("infallible");

    // The trace returned to the caller is a valid traceparent of the server span.
    let traceresponse = response
        .headers()
        .get("traceresponse")
        .expect("always-on sampler");
    let traceresponse = traceresponse.to_str().expect("ASCII");
    assert!(
        parse_traceparent(traceresponse).is_some(),
        "{traceresponse:?}"
    );
    let timing = response
        .headers()
        .get("server-timing")
        .expect("server-timing");
    assert_eq!(
        timing.to_str().ok(),
        Some(format!("trace;desc={traceresponse}").as_str())
    );
    assert!(
        response.headers().get("baggage").is_none(),
        "baggage is never echoed"
    );

    // Send the body; the span ends with its last frame.
    let mut body = pin!(response.into_body());
    let mut cx = TaskContext::from_waker(Waker::noop());
    while let Poll::Ready(Some(frame)) = body.as_mut().poll_frame(&mut cx) {
        frame.expect("infallible");
    }
    assert_eq!(
        ENDED.load(Ordering::SeqCst),
        before + 1,
        "one span per request"
    );
});
