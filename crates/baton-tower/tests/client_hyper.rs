//! The client layer around hyper-util's client, calling real servers on 127.0.0.1.

mod common;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use baton_core::conventions::UrlTemplate;
use baton_core::propagation::{CompositePropagator, PropagatorKind};
use baton_tower::client::{ClientLayer, CountAttemptsLayer};
use bytes::Bytes;
use common::{Telemetry, attr, serve_axum};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use opentelemetry::baggage::BaggageExt;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::{Context, KeyValue, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tower::{Service, ServiceBuilder, ServiceExt};

type Body = Full<Bytes>;

/// Echoes the propagation headers it received, one per line.
async fn echo(headers: HeaderMap) -> String {
    ["traceparent", "baggage"]
        .iter()
        .map(|h| {
            format!(
                "{h}={}",
                headers.get(*h).and_then(|v| v.to_str().ok()).unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Clone, Default)]
struct Flaky {
    calls: Arc<AtomicU32>,
    seen: Arc<std::sync::Mutex<Vec<String>>>,
}

async fn flaky(State(state): State<Flaky>, headers: HeaderMap) -> StatusCode {
    state.seen.lock().unwrap().push(
        headers
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned(),
    );
    if state.calls.fetch_add(1, Ordering::SeqCst) < 2 {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

async fn server(flaky_state: Flaky) -> std::net::SocketAddr {
    let router = Router::new()
        .route("/echo", get(echo))
        .route(
            "/status/{code}",
            get(|Path(code): Path<u16>| async move { StatusCode::from_u16(code).unwrap() }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "late"
            }),
        )
        .route("/flaky", get(flaky))
        .with_state(flaky_state);
    serve_axum(router).await
}

fn layer(t: &Telemetry) -> ClientLayer<opentelemetry_sdk::trace::SdkTracer> {
    ClientLayer::new()
        .propagator(CompositePropagator::new([
            PropagatorKind::TraceContext,
            PropagatorKind::Baggage,
        ]))
        .tracer_provider(&t.tracer_provider)
        .meter_provider(&t.meter_provider)
        .with_active_requests_metric()
}

fn hyper_client() -> Client<hyper_util::client::legacy::connect::HttpConnector, Body> {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn call<S>(service: &mut S, request: Request<Body>) -> Result<(Response<()>, Bytes), S::Error>
where
    S: Service<
            Request<Body>,
            Response = Response<baton_tower::client::ClientBody<hyper::body::Incoming>>,
        >,
{
    let response = service.ready().await?.call(request).await?;
    let (parts, body) = response.into_parts();
    Ok((
        Response::from_parts(parts, ()),
        body.collect().await.unwrap().to_bytes(),
    ))
}

fn get_req(url: String) -> Request<Body> {
    Request::get(url).body(Body::default()).unwrap()
}

#[tokio::test]
async fn trace_continues_across_a_real_hop() {
    let t = Telemetry::new();
    let addr = server(Flaky::default()).await;
    let mut client = ServiceBuilder::new()
        .layer(layer(&t))
        .service(hyper_client());
    let mut request = get_req(format!("http://user:pw@{addr}/echo?sig=secret&q=1"));
    request.extensions_mut().insert(UrlTemplate::new("/echo"));
    let parent = Context::new().with_baggage([KeyValue::new("tenant", "acme")]);
    request.extensions_mut().insert(parent);
    let (response, body) = call(&mut client, request).await.unwrap();
    assert_eq!(response.status(), 200);

    let span = &t.wait_for_spans(1).await[0];
    let body = String::from_utf8(body.to_vec()).unwrap();
    let expected = format!(
        "traceparent=00-{}-{}-01\nbaggage=tenant=acme",
        span.span_context.trace_id(),
        span.span_context.span_id()
    );
    assert_eq!(
        body, expected,
        "the server received the client span as parent, and the baggage"
    );
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.name, "GET /echo");
    for (key, value) in [
        ("http.request.method", Value::from("GET")),
        ("server.address", Value::from("127.0.0.1")),
        ("server.port", Value::I64(i64::from(addr.port()))),
        (
            "url.full",
            Value::from(format!(
                "http://REDACTED:REDACTED@{addr}/echo?sig=REDACTED&q=1"
            )),
        ),
        ("url.template", Value::from("/echo")),
        ("http.response.status_code", Value::I64(200)),
        ("network.protocol.version", Value::from("1.1")),
    ] {
        assert_eq!(attr(span, key), Some(value), "{key}");
    }
    assert_eq!(attr(span, "http.request.resend_count"), None);
    assert_eq!(span.status, Status::Unset);
}

#[derive(Clone)]
struct RetryUnavailable(u32);

impl<E>
    tower::retry::Policy<
        Request<Body>,
        Response<baton_tower::client::ClientBody<hyper::body::Incoming>>,
        E,
    > for RetryUnavailable
{
    type Future = std::future::Ready<()>;

    fn retry(
        &mut self,
        _: &mut Request<Body>,
        result: &mut Result<Response<baton_tower::client::ClientBody<hyper::body::Incoming>>, E>,
    ) -> Option<Self::Future> {
        match result {
            Ok(r) if r.status() == 503 && self.0 > 0 => {
                self.0 -= 1;
                Some(std::future::ready(()))
            }
            _ => None,
        }
    }

    fn clone_request(&mut self, request: &Request<Body>) -> Option<Request<Body>> {
        let mut clone = Request::builder()
            .method(request.method())
            .uri(request.uri())
            .body(request.body().clone())
            .ok()?;
        *clone.headers_mut() = request.headers().clone();
        *clone.extensions_mut() = request.extensions().clone();
        Some(clone)
    }
}

#[tokio::test]
async fn retries_give_one_span_per_attempt_with_resend_counts() {
    let t = Telemetry::new();
    let state = Flaky::default();
    let addr = server(state.clone()).await;
    let mut client = ServiceBuilder::new()
        .layer(CountAttemptsLayer)
        .layer(tower::retry::RetryLayer::new(RetryUnavailable(3)))
        .layer(layer(&t))
        .service(hyper_client());
    let (response, _) = call(&mut client, get_req(format!("http://{addr}/flaky")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let mut spans = t.wait_for_spans(3).await;
    spans.sort_by_key(|s| s.start_time);
    let counts: Vec<_> = spans
        .iter()
        .map(|s| attr(s, "http.request.resend_count"))
        .collect();
    assert_eq!(counts, [None, Some(Value::I64(1)), Some(Value::I64(2))]);
    let codes: Vec<_> = spans
        .iter()
        .map(|s| attr(s, "http.response.status_code"))
        .collect();
    assert_eq!(
        codes,
        [
            Some(Value::I64(503)),
            Some(Value::I64(503)),
            Some(Value::I64(200))
        ]
    );
    let seen = state.seen.lock().unwrap().clone();
    for (span, traceparent) in spans.iter().zip(&seen) {
        assert_eq!(
            *traceparent,
            format!(
                "00-{}-{}-01",
                span.span_context.trace_id(),
                span.span_context.span_id()
            ),
            "each attempt carries its own span"
        );
    }
    let ids: std::collections::HashSet<_> =
        spans.iter().map(|s| s.span_context.span_id()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(spans[0].status, Status::error(""));
}

#[tokio::test]
async fn error_statuses_and_transport_errors() {
    let t = Telemetry::new();
    let addr = server(Flaky::default()).await;
    let mut client = ServiceBuilder::new()
        .layer(layer(&t))
        .timeout(Duration::from_millis(200))
        .service(hyper_client());
    for code in [404, 500] {
        let (response, _) = call(&mut client, get_req(format!("http://{addr}/status/{code}")))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), code);
    }
    let timeout = call(&mut client, get_req(format!("http://{addr}/slow"))).await;
    assert!(timeout.is_err());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut plain = ServiceBuilder::new()
        .layer(layer(&t))
        .service(hyper_client());
    assert!(
        call(&mut plain, get_req(format!("http://{closed}/")))
            .await
            .is_err()
    );

    let spans = t.wait_for_spans(4).await;
    let by_url = |part: &str| {
        spans.iter().find(|s| matches!(attr(s, "url.full"), Some(Value::String(u)) if u.as_str().contains(part))).unwrap()
    };
    for code in ["404", "500"] {
        let span = by_url(&format!("/status/{code}"));
        assert_eq!(attr(span, "error.type"), Some(Value::from(code.to_owned())));
        assert_eq!(span.status, Status::error(""));
    }
    let slow = by_url("/slow");
    assert_eq!(attr(slow, "error.type"), Some(Value::from("timeout")));
    assert!(
        matches!(&slow.status, Status::Error { description } if description.contains("timed out"))
    );
    assert!(slow.events.iter().any(|e| e.name == "exception"));
    let refused = by_url(&closed.to_string());
    assert_eq!(attr(refused, "error.type"), Some(Value::from("connect")));
    assert_active_requests_back_to_zero(&t);
}

#[tokio::test]
async fn hostile_baggage_values_are_skipped_without_panic() {
    let t = Telemetry::new();
    let addr = server(Flaky::default()).await;
    let mut client = ServiceBuilder::new()
        .layer(layer(&t))
        .service(hyper_client());
    let huge = "x".repeat(10_000);
    // Each value goes out percent-encoded, or (over the 8,192-byte baggage limit) not at
    // all; never as raw bytes that would break the header.
    let cases = [
        ("line\nbreak", "baggage=k=line%0Abreak"),
        ("naïve ☃", "baggage=k=na%C3%AFve%20%E2%98%83"),
        (huge.as_str(), "baggage=-"),
        ("\r\n\0", "baggage=k=%0D%0A%00"),
    ];
    for (value, expected) in cases {
        let mut request = get_req(format!("http://{addr}/echo"));
        request
            .extensions_mut()
            .insert(Context::new().with_baggage([KeyValue::new("k", value.to_owned())]));
        let (response, body) = call(&mut client, request).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            body.starts_with("traceparent=00-"),
            "the trace still goes out: {body}"
        );
        assert_eq!(body.lines().nth(1), Some(expected), "{value:?}");
    }
}

/// A request in origin form (`/path`, as tower clients behind a connection pool send)
/// names its host in `Host`: `server.address` and `server.port` come from there, IPv6
/// brackets removed, and the allow-list judges that host.
#[tokio::test]
async fn origin_form_requests_take_host_and_port_from_the_host_header() {
    let t = Telemetry::new();
    let mut client = ServiceBuilder::new()
        .layer(
            ClientLayer::new()
                .propagator(CompositePropagator::new([PropagatorKind::TraceContext]))
                .tracer_provider(&t.tracer_provider)
                .without_metrics()
                .propagate_to(|host: &str| host == "::1"),
        )
        .service(tower::service_fn(|request: Request<Body>| async move {
            let traced = request.headers().contains_key("traceparent");
            Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from(
                traced.to_string(),
            ))))
        }));
    let request = Request::get("/x")
        .header("host", "[::1]:8080")
        .body(Body::default())
        .unwrap();
    let response = client.ready().await.unwrap().call(request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "true", "the allow-list saw host ::1");
    let spans = t.wait_for_spans(1).await;
    assert_eq!(attr(&spans[0], "server.address"), Some(Value::from("::1")));
    assert_eq!(attr(&spans[0], "server.port"), Some(Value::I64(8080)));
}

#[tokio::test]
async fn host_allow_lists_withhold_trace_headers_and_baggage_separately() {
    let t = Telemetry::new();
    let addr = server(Flaky::default()).await;
    let port = addr.port();
    let mut client = ServiceBuilder::new()
        .layer(
            layer(&t)
                .propagate_to(|host: &str| host == "127.0.0.1")
                .propagate_baggage_to(|host: &str| host == "localhost"),
        )
        .service(hyper_client());
    let body = |b: Bytes| String::from_utf8(b.to_vec()).unwrap();
    let with_baggage = |url: String| {
        let mut r = get_req(url);
        r.extensions_mut()
            .insert(Context::new().with_baggage([KeyValue::new("tenant", "acme")]));
        r
    };
    let (_, ip) = call(
        &mut client,
        with_baggage(format!("http://127.0.0.1:{port}/echo")),
    )
    .await
    .unwrap();
    let ip = body(ip);
    assert!(
        ip.starts_with("traceparent=00-") && ip.ends_with("baggage=-"),
        "{ip}"
    );
    let (_, name) = call(
        &mut client,
        with_baggage(format!("http://localhost:{port}/echo")),
    )
    .await
    .unwrap();
    assert_eq!(body(name), "traceparent=-\nbaggage=tenant=acme");
    assert_eq!(
        t.wait_for_spans(2).await.len(),
        2,
        "spans are recorded for both hosts"
    );
}

#[tokio::test]
async fn span_ends_when_the_body_is_read_and_metrics_are_recorded() {
    let t = Telemetry::new();
    let addr = server(Flaky::default()).await;
    let mut client = ServiceBuilder::new()
        .layer(layer(&t))
        .service(hyper_client());
    let response = client
        .ready()
        .await
        .unwrap()
        .call(get_req(format!("http://{addr}/echo")))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(
        t.finished().is_empty(),
        "the span is still open while the body is unread"
    );
    let _ = response.into_body().collect().await.unwrap();
    let span = &t.wait_for_spans(1).await[0];
    assert!(matches!(
        attr(span, "http.response.status_code"),
        Some(Value::I64(200))
    ));
    let metrics = t.metrics();
    let points = metrics.points("http.client.request.duration");
    assert_eq!(points.len(), 1);
    let point = points[0];
    assert_eq!(point.unit, "s");
    assert!(matches!(
        point.value,
        baton_sdk::testing::PointValue::Histogram { count: 1, .. }
    ));
    assert!(point.has_attr("http.request.method", "GET"));
    assert!(point.has_attr("server.address", "127.0.0.1"));
    assert!(point.has_attr("server.port", i64::from(addr.port())));
    assert!(point.has_attr("http.response.status_code", 200_i64));
}

#[tokio::test]
async fn a_dropped_request_future_ends_its_span_and_leaks_no_active_request() {
    let t = Telemetry::new();
    let addr = server(Flaky::default()).await;
    let mut client = ServiceBuilder::new()
        .layer(layer(&t))
        .service(hyper_client());
    let future = client
        .ready()
        .await
        .unwrap()
        .call(get_req(format!("http://{addr}/slow")));
    // Give the request time to reach the server, then give up on it.
    let abandoned = tokio::time::timeout(Duration::from_millis(100), future).await;
    assert!(abandoned.is_err(), "the slow endpoint has not answered yet");
    let span = &t.wait_for_spans(1).await[0];
    assert!(span.events.iter().any(|e| e.name == "request cancelled"));
    assert_eq!(attr(span, "http.response.status_code"), None);
    assert_active_requests_back_to_zero(&t);
}

/// `http.client.active_requests` was recorded (the test layer opts in) and sums to 0.
fn assert_active_requests_back_to_zero(t: &Telemetry) {
    let metrics = t.metrics();
    assert!(
        !metrics.points("http.client.active_requests").is_empty(),
        "http.client.active_requests was never recorded"
    );
    assert_eq!(metrics.total("http.client.active_requests"), 0.0);
}
