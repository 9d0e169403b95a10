//! Trace continuity across a real hop, retries, hostile baggage and host allow-lists.

mod common;

use baton_core::propagation::{HeaderInjector, TraceContextPropagator};
use baton_reqwest::{Attempts, TracingMiddleware};
use common::{Server, Telemetry, attr, reqwest_client, traceparent};
use opentelemetry::baggage::BaggageExt;
use opentelemetry::context::FutureExt;
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Injector, TextMapPropagator};
use opentelemetry::trace::{SpanId, Status, TraceContextExt, Tracer, TracerProvider};
use opentelemetry::{Context, KeyValue, Value};
use reqwest_middleware::ClientBuilder;
use reqwest_retry::RetryTransientMiddleware;
use reqwest_retry::policies::ExponentialBackoff;
use std::time::Duration;

/// A context holding a fresh local span of the test's tracer.
fn parent_context(telemetry: &Telemetry, name: &'static str) -> Context {
    Context::new().with_span(telemetry.tracer_provider.tracer("test").start(name))
}

#[tokio::test]
async fn trace_continues_across_a_real_hop() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let parent = parent_context(&telemetry, "parent");
    let parent_sc = parent.span().span_context().clone();

    let response = telemetry
        .client()
        .get(server.url("/echo"))
        .with_extension(parent.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let echoed = response.text().await.unwrap();

    let spans = telemetry.wait_for_client_spans(1).await;
    assert_eq!(spans.len(), 1);
    let client = &spans[0];
    assert_eq!(client.parent_span_id, parent_sc.span_id());
    assert_eq!(client.span_context.trace_id(), parent_sc.trace_id());

    let received = server.received();
    let sent = traceparent(&received[0].headers).expect("the server received a valid traceparent");
    assert_eq!(sent.trace_id(), parent_sc.trace_id());
    assert_eq!(
        sent.span_id(),
        client.span_context.span_id(),
        "the server's parent is the client span"
    );
    assert!(sent.is_sampled());
    assert_eq!(echoed, received[0].headers["traceparent"].to_str().unwrap());
}

#[tokio::test]
async fn parent_is_the_current_context_without_an_extension() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let current = parent_context(&telemetry, "current");
    let current_sc = current.span().span_context().clone();

    telemetry
        .client()
        .get(server.url("/"))
        .send()
        .with_context(current.clone())
        .await
        .unwrap();

    let client = telemetry.wait_for_client_spans(1).await.remove(0);
    assert_eq!(client.parent_span_id, current_sc.span_id());
    assert_eq!(client.span_context.trace_id(), current_sc.trace_id());
}

#[tokio::test]
async fn the_extension_wins_over_the_current_context() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let current = parent_context(&telemetry, "current");
    let given = parent_context(&telemetry, "given");
    assert_ne!(
        current.span().span_context().trace_id(),
        given.span().span_context().trace_id()
    );

    telemetry
        .client()
        .get(server.url("/"))
        .with_extension(given.clone())
        .send()
        .with_context(current)
        .await
        .unwrap();

    let client = telemetry.wait_for_client_spans(1).await.remove(0);
    assert_eq!(client.parent_span_id, given.span().span_context().span_id());
    assert_eq!(
        client.span_context.trace_id(),
        given.span().span_context().trace_id()
    );
}

#[tokio::test]
async fn without_a_parent_the_client_span_is_a_root() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;

    telemetry
        .client()
        .get(server.url("/"))
        .send()
        .await
        .unwrap();

    let client = telemetry.wait_for_client_spans(1).await.remove(0);
    assert_eq!(client.parent_span_id, SpanId::INVALID);
    let sent = traceparent(&server.received()[0].headers).unwrap();
    assert_eq!(sent.span_id(), client.span_context.span_id());
    assert_eq!(sent.trace_id(), client.span_context.trace_id());
}

fn fast_retries() -> RetryTransientMiddleware<ExponentialBackoff> {
    let policy = ExponentialBackoff::builder()
        .retry_bounds(Duration::from_millis(1), Duration::from_millis(5))
        .build_with_max_retries(3);
    RetryTransientMiddleware::new_with_policy(policy)
}

#[tokio::test]
async fn retries_give_one_span_per_attempt_in_the_documented_order() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let client = ClientBuilder::new(reqwest_client())
        .with(fast_retries())
        .with(telemetry.middleware())
        .build();
    let parent = parent_context(&telemetry, "parent");
    let parent_sc = parent.span().span_context().clone();

    let request = client.get(server.url("/flaky")).build().unwrap();
    let mut extensions = http::Extensions::new();
    extensions.insert(parent);
    let response = client
        .execute_with_extensions(request, &mut extensions)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(extensions.get::<Attempts>().map(|a| a.count()), Some(3));

    let spans = telemetry.wait_for_client_spans(3).await;
    assert_eq!(spans.len(), 3, "one span per attempt");
    let resend: Vec<Option<Value>> = spans
        .iter()
        .map(|s| attr(s, "http.request.resend_count"))
        .collect();
    assert_eq!(resend, [None, Some(Value::I64(1)), Some(Value::I64(2))]);
    let statuses: Vec<Option<Value>> = spans
        .iter()
        .map(|s| attr(s, "http.response.status_code"))
        .collect();
    assert_eq!(
        statuses,
        [
            Some(Value::I64(503)),
            Some(Value::I64(503)),
            Some(Value::I64(200))
        ]
    );
    assert_eq!(attr(&spans[0], "error.type"), Some(Value::from("503")));
    assert!(matches!(spans[1].status, Status::Error { .. }));
    assert_eq!(attr(&spans[2], "error.type"), None);
    assert_eq!(spans[2].status, Status::Unset);

    let mut ids: Vec<SpanId> = spans.iter().map(|s| s.span_context.span_id()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three distinct span ids");
    for span in &spans {
        assert_eq!(span.parent_span_id, parent_sc.span_id());
        assert_eq!(span.span_context.trace_id(), parent_sc.trace_id());
    }

    let received = server.received();
    assert_eq!(received.len(), 3);
    for (attempt, (request, span)) in received.iter().zip(&spans).enumerate() {
        let sent = traceparent(&request.headers)
            .unwrap_or_else(|| panic!("attempt {attempt} had no traceparent"));
        assert_eq!(
            sent.span_id(),
            span.span_context.span_id(),
            "attempt {attempt}'s server parent is its own span"
        );
        assert_eq!(sent.trace_id(), parent_sc.trace_id());
    }
}

#[tokio::test]
async fn tracing_before_the_retry_middleware_sees_one_call() {
    // The order the docs warn against: the whole retried call is one span, and every
    // attempt carries the same traceparent. This pins down why the order is documented.
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let client = ClientBuilder::new(reqwest_client())
        .with(telemetry.middleware())
        .with(fast_retries())
        .build();

    client.get(server.url("/flaky")).send().await.unwrap();

    let spans = telemetry.wait_for_client_spans(1).await;
    assert_eq!(spans.len(), 1);
    let received = server.received();
    assert_eq!(received.len(), 3);
    for request in &received {
        assert_eq!(
            traceparent(&request.headers).unwrap().span_id(),
            spans[0].span_context.span_id()
        );
    }
}

/// Writes `traceparent` and every baggage entry unencoded as `x-raw-{key}`, as a careless
/// propagator might: the middleware must skip the fields that cannot be headers.
#[derive(Debug)]
struct RawBaggagePropagator;

impl TextMapPropagator for RawBaggagePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        TraceContextPropagator::default().inject_context(cx, injector);
        for (key, (value, _)) in cx.baggage() {
            injector.set(&format!("x-raw-{key}"), value.to_string());
        }
    }

    fn extract_with_context(
        &self,
        cx: &Context,
        _: &dyn opentelemetry::propagation::Extractor,
    ) -> Context {
        cx.clone()
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::new(&[])
    }
}

fn hostile_baggage(cx: &Context) -> Context {
    cx.with_baggage([
        KeyValue::new("newline", "a\nb"),
        KeyValue::new("crlf", "a\r\nx-injected: 1"),
        KeyValue::new("nonascii", "héllo ✓"),
        KeyValue::new("big", "x".repeat(10 * 1024)),
        KeyValue::new("ok", "1"),
    ])
}

#[tokio::test]
async fn hostile_baggage_values_do_not_stop_the_request() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let cx = hostile_baggage(&parent_context(&telemetry, "parent"));

    let response = telemetry
        .client()
        .get(server.url("/"))
        .with_extension(cx)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let span = telemetry.wait_for_client_spans(1).await.remove(0);
    let received = server.received();
    assert_eq!(received.len(), 1);
    let headers = &received[0].headers;
    assert_eq!(
        traceparent(headers).unwrap().span_id(),
        span.span_context.span_id()
    );
    assert!(!headers.contains_key("x-injected"));
    // The W3C propagator percent-encodes what it keeps and drops what exceeds the limits.
    let baggage = headers
        .get("baggage")
        .expect("the members within the limits are sent")
        .to_str()
        .expect("baggage is visible ASCII");
    assert!(
        baggage.len() <= 8192,
        "baggage header of {} bytes",
        baggage.len()
    );
    let members: Vec<&str> = baggage.split(',').collect();
    assert!(members.contains(&"ok=1"), "{baggage}");
    assert!(members.contains(&"newline=a%0Ab"), "{baggage}");
    assert!(
        !members.iter().any(|m| m.starts_with("big=")),
        "the 10 KB member is dropped: {baggage}"
    );
}

#[tokio::test]
async fn fields_that_cannot_be_headers_are_skipped() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let client = ClientBuilder::new(reqwest_client())
        .with(telemetry.middleware().propagator(RawBaggagePropagator))
        .build();
    let cx = hostile_baggage(&parent_context(&telemetry, "parent"));

    let response = client
        .get(server.url("/"))
        .with_extension(cx)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let span = telemetry.wait_for_client_spans(1).await.remove(0);
    let headers = &server.received()[0].headers;
    assert_eq!(
        traceparent(headers).unwrap().span_id(),
        span.span_context.span_id()
    );
    assert_eq!(
        headers.get("x-raw-ok").map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    assert!(
        !headers.contains_key("x-raw-newline"),
        "a value with a newline is skipped"
    );
    assert!(!headers.contains_key("x-raw-crlf"));
    assert!(
        !headers.contains_key("x-injected"),
        "no header injection through a value"
    );
    // The opentelemetry API itself keeps baggage under 8,192 bytes: the 10 KB value never
    // reaches the propagator.
    assert!(!headers.contains_key("x-raw-big"));
}

#[test]
fn header_injector_skips_invalid_values() {
    // The guarantee the middleware relies on, checked directly.
    let mut headers = http::HeaderMap::new();
    HeaderInjector(&mut headers).set("x-raw", "a\nb".to_owned());
    assert!(headers.is_empty());
}

/// Sends one request with baggage to the server as `host`, returning the headers received.
async fn send_as(
    telemetry: &Telemetry,
    middleware: TracingMiddleware<opentelemetry_sdk::trace::SdkTracer>,
    server: &Server,
    host: &str,
) -> http::HeaderMap {
    let client = ClientBuilder::new(reqwest_client())
        .with(middleware)
        .build();
    let cx = parent_context(telemetry, "parent").with_baggage([KeyValue::new("tenant", "acme")]);
    let before = server.received().len();
    let response = client
        .get(server.url_as(host, "/"))
        .with_extension(cx)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let received = server.wait_for_requests(before + 1).await;
    received[before].headers.clone()
}

#[tokio::test]
async fn trace_headers_only_to_allowed_hosts() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let middleware = || {
        telemetry
            .middleware()
            .propagate_to(|host: &str| host == "127.0.0.1")
    };

    let allowed = send_as(&telemetry, middleware(), &server, "127.0.0.1").await;
    assert!(traceparent(&allowed).is_some());
    assert_eq!(allowed["baggage"], "tenant=acme");

    let refused = send_as(&telemetry, middleware(), &server, "localhost").await;
    assert!(
        !refused.contains_key("traceparent"),
        "no trace headers to a refused host"
    );
    assert!(!refused.contains_key("tracestate"));
    assert_eq!(
        refused["baggage"], "tenant=acme",
        "baggage is governed separately"
    );

    // Both requests were traced all the same.
    let spans = telemetry.wait_for_client_spans(2).await;
    assert_eq!(
        attr(&spans[1], "server.address"),
        Some(Value::from("localhost"))
    );
}

#[tokio::test]
async fn baggage_only_to_allowed_hosts() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let middleware = || {
        telemetry
            .middleware()
            .propagate_baggage_to(|host: &str| host == "127.0.0.1")
    };

    let allowed = send_as(&telemetry, middleware(), &server, "127.0.0.1").await;
    assert!(traceparent(&allowed).is_some());
    assert_eq!(allowed["baggage"], "tenant=acme");

    let refused = send_as(&telemetry, middleware(), &server, "localhost").await;
    assert!(
        traceparent(&refused).is_some(),
        "trace headers are governed separately"
    );
    assert!(
        !refused.contains_key("baggage"),
        "no baggage to a refused host"
    );
}

#[tokio::test]
async fn nothing_to_a_host_refused_both() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let middleware = telemetry
        .middleware()
        .propagate_to(|_: &str| false)
        .propagate_baggage_to(|_: &str| false);

    let refused = send_as(&telemetry, middleware, &server, "localhost").await;
    assert!(!refused.contains_key("traceparent"));
    assert!(!refused.contains_key("baggage"));
    assert_eq!(telemetry.wait_for_client_spans(1).await.len(), 1);
}

/// Records the span that is current while it runs.
struct RecordCurrent(std::sync::Arc<std::sync::Mutex<Option<opentelemetry::trace::SpanContext>>>);

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for RecordCurrent {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        *self.0.lock().unwrap() = Some(Context::current().span().span_context().clone());
        next.run(request, extensions).await
    }
}

#[tokio::test]
async fn the_attempt_span_is_current_for_the_rest_of_the_chain() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let seen = std::sync::Arc::default();
    let client = ClientBuilder::new(reqwest_client())
        .with(telemetry.middleware())
        .with(RecordCurrent(std::sync::Arc::clone(&seen)))
        .build();

    client.get(server.url("/")).send().await.unwrap();

    let span = telemetry.wait_for_client_spans(1).await.remove(0);
    let seen = seen
        .lock()
        .unwrap()
        .clone()
        .expect("the later middleware ran");
    assert_eq!(seen.span_id(), span.span_context.span_id());
}
