//! The server layer on a real axum server on 127.0.0.1, called over real HTTP/1.1, with
//! spans and metrics read back from the SDK.

mod common;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::routing::get;
use baton_core::conventions::metrics::DURATION_BUCKETS;
use baton_core::propagation::{HeaderInjector, TraceContextPropagator};
use baton_sdk::testing::PointValue;
use baton_tower::axum::RequestTrace;
use baton_tower::server::ServerLayer;
use bytes::Bytes;
use common::{Telemetry, attr, get as get_request, has_attr, send, serve_axum};
use http::{HeaderName, Method, Request, StatusCode};
use http_body_util::Full;
use opentelemetry::baggage::BaggageExt;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanKind, Status, TraceContextExt};
use opentelemetry::{Context, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";
const TRACEPARENT: &[u8] = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn users(t: &Telemetry) -> Router {
    Router::new()
        .route(
            "/users/{id}",
            get(|Path(id): Path<u32>| async move {
                if id == 0 {
                    Err(StatusCode::NOT_FOUND)
                } else {
                    Ok(format!("user {id}"))
                }
            }),
        )
        .route(
            "/boom",
            get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "down") }),
        )
        .route(
            "/panic",
            get(|| async { if true { panic!("handler bug") } else { "never" } }),
        )
        .layer(t.layer())
}

#[tokio::test]
async fn attributes_of_a_request_by_exact_name_and_value() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    let request = get_request(
        addr,
        "/users/42?sig=secret&page=2",
        &[
            ("user-agent", b"baton-test/1.0"),
            ("x-forwarded-for", b"203.0.113.9, 10.0.0.1"),
        ],
    );
    let (response, body) = send(addr, request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(body, "user 42");

    let spans = t.wait_for_spans(1).await;
    let span = &spans[0];
    assert_eq!(span.name, "GET /users/{id}");
    assert_eq!(span.span_kind, SpanKind::Server);
    assert_eq!(span.status, Status::Unset);
    assert_eq!(
        span.parent_span_id,
        opentelemetry::trace::SpanId::INVALID,
        "a root span"
    );
    let expect: Vec<(&str, Value)> = vec![
        ("http.request.method", "GET".into()),
        ("url.scheme", "http".into()),
        ("url.path", "/users/42".into()),
        ("url.query", "sig=REDACTED&page=2".into()),
        ("http.route", "/users/{id}".into()),
        ("server.address", "127.0.0.1".into()),
        ("server.port", i64::from(addr.port()).into()),
        ("network.protocol.version", "1.1".into()),
        ("user_agent.original", "baton-test/1.0".into()),
        ("client.address", "203.0.113.9".into()),
        ("network.peer.address", "127.0.0.1".into()),
        ("http.response.status_code", 200_i64.into()),
    ];
    for (key, value) in &expect {
        assert_eq!(attr(span, key).as_ref(), Some(value), "attribute {key}");
    }
    assert!(matches!(attr(span, "network.peer.port"), Some(Value::I64(p)) if p > 0));
    // `http.response.body.size` is Opt-In: it comes with `with_body_size_metrics()`.
    for absent in [
        "error.type",
        "http.request.method_original",
        "http.response.body.size",
    ] {
        assert_eq!(attr(span, absent), None, "{absent} must not be set");
    }
    for kv in &span.attributes {
        assert_ne!(kv.value, Value::from(""), "{} is an empty string", kv.key);
    }
}

#[tokio::test]
async fn parent_and_baggage_come_from_the_incoming_headers() {
    let t = Telemetry::new();
    let router = Router::new()
        .route(
            "/who",
            get(|| async {
                Context::map_current(|cx| {
                    cx.baggage()
                        .get("tenant")
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
            }),
        )
        .layer(t.layer());
    let addr = serve_axum(router).await;
    let (_, body) = send(
        addr,
        get_request(
            addr,
            "/who",
            &[("traceparent", TRACEPARENT), ("baggage", b"tenant=acme")],
        ),
    )
    .await;
    assert_eq!(
        body, "acme",
        "baggage visible to the handler through the attached context"
    );
    let span = &t.wait_for_spans(1).await[0];
    assert_eq!(span.span_context.trace_id().to_string(), CALLER_TRACE);
    assert_eq!(span.parent_span_id.to_string(), CALLER_SPAN);
    assert!(span.parent_span_is_remote);
}

#[tokio::test]
async fn span_ends_after_the_last_chunk_of_a_streamed_body() {
    let t = Telemetry::new();
    let last_chunk = Arc::new(Mutex::new(None::<SystemTime>));
    let seen = last_chunk.clone();
    let router = Router::new()
        .route(
            "/stream",
            get(move || {
                let seen = seen.clone();
                async move {
                    let chunks = futures_stream(5, Duration::from_millis(50), seen);
                    Body::from_stream(chunks)
                }
            }),
        )
        .layer(t.layer().with_body_size_metrics());
    let addr = serve_axum(router).await;
    let (_, body) = send(addr, get_request(addr, "/stream", &[])).await;
    assert_eq!(body, "chunk0chunk1chunk2chunk3chunk4");
    let span = &t.wait_for_spans(1).await[0];
    let last = last_chunk.lock().unwrap().expect("last chunk produced");
    assert!(
        span.end_time >= last,
        "span ended before the last chunk was produced"
    );
    let duration = span.end_time.duration_since(span.start_time).unwrap();
    assert!(
        duration >= Duration::from_millis(200),
        "span lasted only {duration:?}"
    );
    assert_eq!(attr(span, "http.response.body.size"), Some(Value::I64(30)));
}

/// A body stream of `n` chunks `every` apart; records when the last one is handed over.
fn futures_stream(
    n: usize,
    every: Duration,
    last: Arc<Mutex<Option<SystemTime>>>,
) -> futures_core_stream::Chunks {
    futures_core_stream::chunks(n, every, last)
}

mod futures_core_stream {
    use bytes::Bytes;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll};
    use std::time::{Duration, SystemTime};

    pub use futures_core::Stream;

    pub struct Chunks {
        left: usize,
        total: usize,
        every: Duration,
        sleep: Pin<Box<tokio::time::Sleep>>,
        last: Arc<Mutex<Option<SystemTime>>>,
    }

    pub fn chunks(n: usize, every: Duration, last: Arc<Mutex<Option<SystemTime>>>) -> Chunks {
        Chunks {
            left: n,
            total: n,
            every,
            sleep: Box::pin(tokio::time::sleep(every)),
            last,
        }
    }

    impl Stream for Chunks {
        type Item = Result<Bytes, std::io::Error>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if self.left == 0 {
                return Poll::Ready(None);
            }
            if self.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let every = self.every;
            self.sleep = Box::pin(tokio::time::sleep(every));
            self.left -= 1;
            let index = self.total - self.left - 1;
            if self.left == 0 {
                *self.last.lock().unwrap() = Some(SystemTime::now());
            }
            Poll::Ready(Some(Ok(Bytes::from(format!("chunk{index}")))))
        }
    }

    use std::future::Future;
}

#[tokio::test]
async fn client_disconnect_mid_body_ends_the_span_without_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = Telemetry::new();
    let router = Router::new()
        .route(
            "/endless",
            get(|| async {
                Body::from_stream(futures_stream(
                    200,
                    Duration::from_millis(10),
                    Arc::default(),
                ))
            }),
        )
        .layer(t.layer().with_body_size_metrics());
    let addr = serve_axum(router).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("GET /endless HTTP/1.1\r\nhost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buf = vec![0u8; 256];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    drop(stream);

    let span = &t.wait_for_spans(1).await[0];
    assert_eq!(
        span.status,
        Status::Unset,
        "a client going away is not a server error"
    );
    assert_eq!(attr(span, "error.type"), None);
    assert_eq!(
        attr(span, "http.response.status_code"),
        Some(Value::I64(200))
    );
    assert!(
        matches!(attr(span, "http.response.body.size"), Some(Value::I64(n)) if n < 200 * 6),
        "only part of the body was sent"
    );
    assert!(span.events.iter().any(|e| e.name == "request cancelled"));
    assert_eq!(t.active_requests(), 0);
}

#[tokio::test]
async fn handler_panic_ends_the_span_as_an_error() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let result = sender.send_request(get_request(addr, "/panic", &[])).await;
    assert!(
        result.is_err(),
        "the connection is dropped when the handler panics"
    );
    let span = &t.wait_for_spans(1).await[0];
    assert_eq!(span.name, "GET /panic");
    assert_eq!(span.status, Status::error("panicked"));
    assert_eq!(attr(span, "error.type"), Some(Value::from("panic")));
    assert_eq!(t.active_requests(), 0);
}

#[tokio::test]
async fn status_rules_5xx_error_4xx_unset() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    assert_eq!(
        send(addr, get_request(addr, "/boom", &[])).await.0.status(),
        503
    );
    assert_eq!(
        send(addr, get_request(addr, "/users/0", &[]))
            .await
            .0
            .status(),
        404
    );
    let spans = t.wait_for_spans(2).await;
    let boom = spans.iter().find(|s| s.name == "GET /boom").unwrap();
    assert_eq!(boom.status, Status::error(""));
    assert_eq!(attr(boom, "error.type"), Some(Value::from("503")));
    let missing = spans.iter().find(|s| s.name == "GET /users/{id}").unwrap();
    assert_eq!(missing.status, Status::Unset);
    assert_eq!(attr(missing, "error.type"), None);
    assert_eq!(
        attr(missing, "http.response.status_code"),
        Some(Value::I64(404))
    );
}

#[tokio::test]
async fn unmatched_request_is_named_by_method_alone() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    assert_eq!(
        send(addr, get_request(addr, "/nowhere/7", &[]))
            .await
            .0
            .status(),
        404
    );
    let span = &t.wait_for_spans(1).await[0];
    assert_eq!(span.name, "GET");
    assert_eq!(attr(span, "http.route"), None);
    assert_eq!(attr(span, "url.path"), Some(Value::from("/nowhere/7")));
}

/// A proxy's `Forwarded` / `X-Forwarded-Proto` sets `url.scheme` only to `http` or
/// `https`; anything else a peer sends falls back to the listener's scheme, so the span and
/// the duration metric never carry a value a client made up.
#[tokio::test]
async fn url_scheme_from_proxies_is_http_or_https_only() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    let cases: [(&str, &[u8], &str); 3] = [
        ("forwarded", b"for=192.0.2.1;proto=HTTPS", "https"),
        ("x-forwarded-proto", b"gopher", "http"),
        ("x-forwarded-proto", b"made-up-scheme-1", "http"),
    ];
    for (i, (name, value, expected)) in cases.iter().enumerate() {
        let path = format!("/users/{i}");
        send(addr, get_request(addr, &path, &[(name, value)])).await;
        let spans = t.wait_for_spans(i + 1).await;
        let span = spans
            .iter()
            .find(|s| attr(s, "url.path") == Some(Value::from(path.clone())))
            .expect("the request's span");
        assert_eq!(
            attr(span, "url.scheme"),
            Some(Value::from(*expected)),
            "{name}"
        );
    }
    let metrics = t.metrics();
    let schemes: Vec<_> = metrics
        .points("http.server.request.duration")
        .iter()
        .filter_map(|p| {
            p.attributes
                .iter()
                .find(|kv| kv.key.as_str() == "url.scheme")
        })
        .map(|kv| kv.value.to_string())
        .collect();
    assert!(!schemes.is_empty());
    assert!(
        schemes.iter().all(|s| s == "http" || s == "https"),
        "{schemes:?}"
    );
}

#[tokio::test]
async fn unknown_method_is_other_and_named_http() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    let request = Request::builder()
        .method(Method::from_bytes(b"PURGE").unwrap())
        .uri("/users/1")
        .header("host", addr.to_string())
        .body(Full::<Bytes>::default())
        .unwrap();
    assert_eq!(send(addr, request).await.0.status(), 405);
    let span = &t.wait_for_spans(1).await[0];
    assert_eq!(span.name, "HTTP /users/{id}");
    assert_eq!(
        attr(span, "http.request.method"),
        Some(Value::from("_OTHER"))
    );
    assert_eq!(
        attr(span, "http.request.method_original"),
        Some(Value::from("PURGE"))
    );
}

#[tokio::test]
async fn public_endpoint_starts_a_new_trace_linked_to_the_caller() {
    let t = Telemetry::new();
    let router = Router::new()
        .route(
            "/public",
            get(|| async { Context::map_current(|cx| cx.baggage().len().to_string()) }),
        )
        .layer(t.layer().public_endpoint(|_: &http::request::Parts| true));
    let addr = serve_axum(router).await;
    let (_, body) = send(
        addr,
        get_request(
            addr,
            "/public",
            &[("traceparent", TRACEPARENT), ("baggage", b"tenant=evil")],
        ),
    )
    .await;
    assert_eq!(body, "0", "an untrusted caller's baggage is dropped");
    let span = &t.wait_for_spans(1).await[0];
    assert_ne!(span.span_context.trace_id().to_string(), CALLER_TRACE);
    assert_eq!(span.parent_span_id, opentelemetry::trace::SpanId::INVALID);
    let links: Vec<_> = span.links.iter().collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].span_context.trace_id().to_string(), CALLER_TRACE);
    assert_eq!(links[0].span_context.span_id().to_string(), CALLER_SPAN);
}

#[tokio::test]
async fn filtered_request_opens_no_span_but_downstream_continues_the_callers_trace() {
    let t = Telemetry::new();
    let downstream = serve_axum(
        Router::new()
            .route("/down", get(|| async { "ok" }))
            .layer(t.layer()),
    )
    .await;
    let router = Router::new()
        .route(
            "/health",
            get(move || async move {
                let mut request = get_request(downstream, "/down", &[]);
                TraceContextPropagator::new().inject_context(
                    &Context::current(),
                    &mut HeaderInjector(request.headers_mut()),
                );
                send(downstream, request).await.1
            }),
        )
        .layer(
            t.layer()
                .filter(|parts: &http::request::Parts| parts.uri.path() != "/health"),
        );
    let addr = serve_axum(router).await;
    let (_, body) = send(
        addr,
        get_request(addr, "/health", &[("traceparent", TRACEPARENT)]),
    )
    .await;
    assert_eq!(body, "ok");
    let spans = t.wait_for_spans(1).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let spans = if spans.len() == 1 {
        t.finished()
    } else {
        spans
    };
    assert_eq!(
        spans.len(),
        1,
        "only the downstream request is traced: {:?}",
        common::names(&spans)
    );
    assert_eq!(spans[0].name, "GET /down");
    assert_eq!(spans[0].span_context.trace_id().to_string(), CALLER_TRACE);
    assert_eq!(spans[0].parent_span_id.to_string(), CALLER_SPAN);
}

#[tokio::test]
async fn header_capture_honours_the_allow_list_and_the_deny_list() {
    let t = Telemetry::new();
    let router = Router::new()
        .route(
            "/h",
            get(|| async { ([("x-served-by", "node-1"), ("set-cookie", "s=1")], "ok") }),
        )
        .layer(
            t.layer()
                .capture_request_headers([
                    HeaderName::from_static("x-request-id"),
                    HeaderName::from_static("authorization"),
                ])
                .capture_response_headers([
                    HeaderName::from_static("x-served-by"),
                    HeaderName::from_static("set-cookie"),
                ]),
        );
    let addr = serve_axum(router).await;
    send(
        addr,
        get_request(
            addr,
            "/h",
            &[
                ("x-request-id", b"r-1"),
                ("authorization", b"Bearer secret"),
            ],
        ),
    )
    .await;
    let span = &t.wait_for_spans(1).await[0];
    let array = |v: &str| Value::Array(vec![opentelemetry::StringValue::from(v.to_owned())].into());
    assert!(has_attr(
        &span.attributes,
        "http.request.header.x-request-id",
        array("r-1")
    ));
    assert!(has_attr(
        &span.attributes,
        "http.response.header.x-served-by",
        array("node-1")
    ));
    for key in [
        "http.request.header.authorization",
        "http.response.header.set-cookie",
    ] {
        assert_eq!(attr(span, key), None, "{key} must never be captured");
    }
}

#[tokio::test]
async fn malformed_trace_headers_are_served_as_if_absent() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    let long = "a".repeat(20_000);
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    for tp in [
        "",
        "00",
        "garbage",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "\t",
        "00-%-%-%",
        "-------------------------------------------------------",
    ] {
        cases.push(("traceparent", tp.as_bytes().to_vec()));
    }
    cases.push((
        "traceparent",
        b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-\xff\xfe".to_vec(),
    ));
    cases.push(("traceparent", long.clone().into_bytes()));
    for ts in ["a=1,a=2", "=", ",,,,", "A=1", &long, "k=\u{e9}"] {
        cases.push(("tracestate", ts.as_bytes().to_vec()));
    }
    for bg in [
        "=",
        ";;;",
        "k=v;=",
        "%",
        "k=%ZZ",
        "k=\"v\"",
        &format!("k={long}"),
        &"k=v,".repeat(500),
        "\u{e9}=\u{e8}",
    ] {
        cases.push(("baggage", bg.as_bytes().to_vec()));
    }
    cases.push(("baggage", b"k=\xc3\x28".to_vec()));
    while cases.len() < 50 {
        let i = cases.len();
        cases.push((
            "traceparent",
            format!("00-{:032x}-{:016x}-zz", i + 1, i + 1).into_bytes(),
        ));
    }
    for (name, value) in &cases {
        let mut headers: Vec<(&str, &[u8])> = vec![(name, value.as_slice())];
        if *name != "traceparent" {
            headers.push((
                "traceparent",
                b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
            ));
        }
        let (response, _) = send(addr, get_request(addr, "/users/1", &headers)).await;
        assert_eq!(
            response.status(),
            200,
            "{name}: {:?}",
            String::from_utf8_lossy(value)
        );
    }
    let spans = t.wait_for_spans(cases.len()).await;
    for span in &spans {
        assert_eq!(
            span.parent_span_id,
            opentelemetry::trace::SpanId::INVALID,
            "every span is a new root"
        );
        assert_ne!(span.span_context.trace_id().to_string(), CALLER_TRACE);
    }
}

#[tokio::test]
async fn metrics_match_the_requests() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    for path in ["/users/1", "/users/2", "/boom"] {
        send(addr, get_request(addr, path, &[])).await;
    }
    t.wait_for_spans(3).await;
    let metrics = t.metrics();
    let points = metrics.points("http.server.request.duration");
    let ok = points
        .iter()
        .find(|p| p.has_attr("http.response.status_code", 200_i64))
        .expect("a 200 point");
    assert_eq!(ok.unit, "s");
    let PointValue::Histogram { count, bounds, .. } = &ok.value else {
        panic!("{:?}", ok.value)
    };
    assert_eq!(*count, 2);
    assert_eq!(bounds, &DURATION_BUCKETS.to_vec());
    assert!(ok.has_attr("http.request.method", "GET"));
    assert!(ok.has_attr("url.scheme", "http"));
    assert!(ok.has_attr("http.route", "/users/{id}"));
    assert!(ok.has_attr("network.protocol.version", "1.1"));
    let failed = points
        .iter()
        .find(|p| p.has_attr("error.type", "503"))
        .expect("a 503 point");
    assert!(matches!(
        failed.value,
        PointValue::Histogram { count: 1, .. }
    ));
    assert_eq!(t.active_requests(), 0);
}

#[tokio::test]
async fn metrics_are_recorded_for_unsampled_requests() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    send(
        addr,
        get_request(
            addr,
            "/users/1",
            &[(
                "traceparent",
                b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
            )],
        ),
    )
    .await;
    t.wait_until("the request's duration", |t| {
        t.metrics().count("http.server.request.duration") == 1
    })
    .await;
    assert!(t.finished().is_empty(), "the caller said not sampled");
}

#[tokio::test]
async fn server_timing_returns_the_server_span_and_never_baggage() {
    let t = Telemetry::new();
    let router = Router::new()
        .route(
            "/",
            get(|trace: RequestTrace| async move { trace.trace_id().to_string() }),
        )
        .layer(t.layer().server_timing().traceresponse());
    let addr = serve_axum(router).await;
    let (response, body) = send(
        addr,
        get_request(
            addr,
            "/",
            &[("traceparent", TRACEPARENT), ("baggage", b"secret=1")],
        ),
    )
    .await;
    assert_eq!(
        body, CALLER_TRACE,
        "the extractor sees the server span's trace"
    );
    let span = &t.wait_for_spans(1).await[0];
    let traceparent = format!("00-{CALLER_TRACE}-{}-01", span.span_context.span_id());
    assert_eq!(
        response.headers()["server-timing"],
        format!("trace;desc={traceparent}").as_str()
    );
    assert_eq!(response.headers()["traceresponse"], traceparent.as_str());
    assert!(
        response
            .headers()
            .iter()
            .all(|(_, v)| !v.to_str().unwrap_or("").contains("secret"))
    );
}

#[tokio::test]
async fn spawned_work_given_the_context_joins_the_trace() {
    let t = Telemetry::new();
    let tracer_provider = t.tracer_provider.clone();
    let router = Router::new()
        .route(
            "/spawn",
            get(move |trace: RequestTrace| {
                let provider = tracer_provider.clone();
                async move {
                    let cx = trace.context().clone();
                    tokio::spawn(async move {
                        use opentelemetry::trace::{Tracer, TracerProvider};
                        provider
                            .tracer("test")
                            .start_with_context("background", &cx);
                    })
                    .await
                    .unwrap();
                    "spawned"
                }
            }),
        )
        .layer(t.layer());
    let addr = serve_axum(router).await;
    send(addr, get_request(addr, "/spawn", &[])).await;
    let spans = t.wait_for_spans(2).await;
    let server = spans.iter().find(|s| s.name == "GET /spawn").unwrap();
    let background = spans.iter().find(|s| s.name == "background").unwrap();
    assert_eq!(background.parent_span_id, server.span_context.span_id());
    assert_eq!(
        background.span_context.trace_id(),
        server.span_context.trace_id()
    );
}

#[tokio::test]
async fn body_size_metrics_are_opt_in_and_count_the_bytes_sent() {
    let t = Telemetry::new();
    let router = Router::new()
        .route("/seven", axum::routing::post(|| async { "7 bytes" }))
        .layer(t.layer().with_body_size_metrics());
    let addr = serve_axum(router).await;
    let request = Request::post("/seven")
        .header("host", addr.to_string())
        .header("content-length", "5")
        .body(Full::<Bytes>::from("hello"))
        .unwrap();
    send(addr, request).await;
    t.wait_for_spans(1).await;
    let metrics = t.metrics();
    for (name, expected) in [
        ("http.server.response.body.size", 7.0),
        ("http.server.request.body.size", 5.0),
    ] {
        let points = metrics.points(name);
        assert_eq!(points.len(), 1, "{name}");
        assert_eq!(points[0].unit, "By");
        assert!(
            matches!(points[0].value, PointValue::Histogram { count: 1, sum, .. } if sum == expected),
            "{name}: {:?}",
            points[0].value
        );
    }
}

#[tokio::test]
async fn body_size_metrics_are_off_by_default() {
    let t = Telemetry::new();
    let addr = serve_axum(users(&t)).await;
    send(addr, get_request(addr, "/users/1", &[])).await;
    t.wait_for_spans(1).await;
    let metrics = t.metrics();
    assert_eq!(metrics.count("http.server.request.duration"), 1);
    for name in [
        "http.server.request.body.size",
        "http.server.response.body.size",
    ] {
        assert!(metrics.points(name).is_empty(), "{name} is opt-in");
    }
}

/// A sampler that keeps the attributes of each span it is asked about, and decides
/// `decision` for every one.
#[derive(Clone, Debug)]
struct Asked {
    seen: Arc<Mutex<Vec<Vec<opentelemetry::KeyValue>>>>,
    decision: opentelemetry_sdk::trace::SamplingDecision,
}

impl Asked {
    fn deciding(decision: opentelemetry_sdk::trace::SamplingDecision) -> Self {
        Asked {
            seen: Arc::default(),
            decision,
        }
    }
}

impl opentelemetry_sdk::trace::ShouldSample for Asked {
    fn should_sample(
        &self,
        _: Option<&Context>,
        _: opentelemetry::trace::TraceId,
        _: &str,
        _: &SpanKind,
        attributes: &[opentelemetry::KeyValue],
        _: &[opentelemetry::trace::Link],
    ) -> opentelemetry_sdk::trace::SamplingResult {
        self.seen.lock().unwrap().push(attributes.to_vec());
        opentelemetry_sdk::trace::SamplingResult {
            decision: self.decision.clone(),
            attributes: Vec::new(),
            trace_state: Default::default(),
        }
    }
}

#[tokio::test]
async fn unsampled_request_asks_the_sampler_and_continues_the_callers_context() {
    let sampler = Asked::deciding(opentelemetry_sdk::trace::SamplingDecision::Drop);
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_sampler(sampler.clone())
        .build();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let router = Router::new()
        .route(
            "/who",
            get(move |trace: RequestTrace| {
                let current = Context::map_current(|cx| cx.span().span_context().clone());
                record.lock().unwrap().push((trace.span_context(), current));
                async { "ok" }
            }),
        )
        .layer(
            ServerLayer::new()
                .without_metrics()
                .propagator(TraceContextPropagator::new())
                .tracer_provider(&provider),
        );
    let addr = serve_axum(router).await;
    let unsampled = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    send(
        addr,
        get_request(addr, "/who", &[("traceparent", unsampled)]),
    )
    .await;
    send(addr, get_request(addr, "/who", &[])).await;
    assert_eq!(
        sampler.seen.lock().unwrap().len(),
        2,
        "the sampler decides every request"
    );
    let seen = seen.lock().unwrap();
    // With a remote parent: the caller's context, unchanged (trace id, parent-id, flags).
    let (extension, attached) = &seen[0];
    assert_eq!(extension, attached);
    assert_eq!(extension.trace_id().to_string(), CALLER_TRACE);
    assert_eq!(extension.span_id().to_string(), CALLER_SPAN);
    assert!(!extension.is_sampled());
    // Without one: a local (non-recording) span, so that downstream calls share a trace id.
    let (extension, attached) = &seen[1];
    assert_eq!(extension, attached);
    assert!(extension.is_valid() && !extension.is_remote() && !extension.is_sampled());
}

#[tokio::test]
async fn active_requests_is_opt_in_and_counts_requests_in_flight() {
    // Default: only the Stable duration histogram.
    let t = Telemetry::new();
    let router = Router::new()
        .route("/users/{id}", get(|| async { "user" }))
        .layer(
            ServerLayer::new()
                .tracer_provider(&t.tracer_provider)
                .meter_provider(&t.meter_provider),
        );
    let addr = serve_axum(router).await;
    send(addr, get_request(addr, "/users/1", &[])).await;
    t.wait_for_spans(1).await;
    let metrics = t.metrics();
    assert_eq!(metrics.count("http.server.request.duration"), 1);
    assert!(
        metrics.points("http.server.active_requests").is_empty(),
        "http.server.active_requests is opt-in"
    );

    // Opted in: 1 while the handler runs, 0 after the body has been sent.
    let t = Telemetry::new();
    let (entered_tx, entered_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let gate = Arc::new(Mutex::new(Some((entered_tx, release_rx))));
    let router = Router::new()
        .route(
            "/slow",
            get(move || {
                let gate = gate.lock().unwrap().take();
                async move {
                    if let Some((entered, release)) = gate {
                        let _ = entered.send(());
                        let _ = release.await;
                    }
                    "done"
                }
            }),
        )
        .layer(
            ServerLayer::new()
                .with_active_requests_metric()
                .tracer_provider(&t.tracer_provider)
                .meter_provider(&t.meter_provider),
        );
    let addr = serve_axum(router).await;
    let request = tokio::spawn(send(addr, get_request(addr, "/slow", &[])));
    entered_rx.await.unwrap();
    let in_flight = t.metrics();
    let points = in_flight.points("http.server.active_requests");
    assert_eq!(in_flight.total("http.server.active_requests"), 1.0);
    assert!(
        points
            .iter()
            .any(|p| p.has_attr("http.request.method", "GET") && p.has_attr("url.scheme", "http"))
    );
    release_tx.send(()).unwrap();
    request.await.unwrap();
    t.wait_for_spans(1).await;
    assert_eq!(t.active_requests(), 0);
}

/// A body stream that sends one chunk, then fails.
struct FailingBody(u8);

impl futures_core::Stream for FailingBody {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0 += 1;
        std::task::Poll::Ready(Some(match self.0 {
            1 => Ok(Bytes::from_static(b"partial")),
            _ => Err(std::io::Error::other("disk on fire")),
        }))
    }
}

#[tokio::test]
async fn a_body_error_ends_the_span_as_an_error() {
    let t = Telemetry::new();
    let router = Router::new()
        .route(
            "/broken",
            get(|| async { Body::from_stream(FailingBody(0)) }),
        )
        .layer(t.layer().with_body_size_metrics());
    let addr = serve_axum(router).await;
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    // hyper aborts the response when its body fails; the head may or may not have gone out.
    if let Ok(response) = sender.send_request(get_request(addr, "/broken", &[])).await {
        assert!(
            http_body_util::BodyExt::collect(response.into_body())
                .await
                .is_err()
        );
    }

    let span = &t.wait_for_spans(1).await[0];
    assert!(
        matches!(&span.status, Status::Error { description } if description.contains("disk on fire")),
        "{:?}",
        span.status
    );
    assert_eq!(attr(span, "error.type"), Some(Value::from("body")));
    assert_eq!(attr(span, "http.response.body.size"), Some(Value::I64(7)));
    assert_eq!(t.active_requests(), 0);
}

#[tokio::test]
async fn span_name_override_and_extra_sensitive_query_keys() {
    let t = Telemetry::new();
    let layer = t
        .layer()
        .span_name(|parts: &http::request::Parts, route: Option<&str>| {
            format!("api {} {}", parts.method, route.unwrap_or("?"))
        })
        .sensitive_query_key("token");
    let router = Router::new()
        .route("/items/{id}", get(|| async { "ok" }))
        .layer(layer);
    let addr = serve_axum(router).await;
    send(addr, get_request(addr, "/items/9?token=abc&sig=x&q=1", &[])).await;
    let span = &t.wait_for_spans(1).await[0];
    assert_eq!(span.name, "api GET /items/{id}");
    assert_eq!(
        attr(span, "url.query"),
        Some(Value::from("token=REDACTED&sig=REDACTED&q=1"))
    );
}

#[tokio::test]
async fn a_filtered_request_to_a_public_endpoint_does_not_trust_the_caller() {
    // Filtered requests never trust more than traced ones: at a public endpoint the
    // caller's trace and baggage are not continued either way.
    let t = Telemetry::new();
    let router = Router::new()
        .route(
            "/public/health",
            get(|| async {
                Context::map_current(|cx| {
                    format!(
                        "{} {}",
                        cx.span().span_context().trace_id(),
                        cx.baggage().len()
                    )
                })
            }),
        )
        .layer(
            t.layer()
                .filter(|parts: &http::request::Parts| parts.uri.path() != "/public/health")
                .public_endpoint(|parts: &http::request::Parts| {
                    parts.uri.path().starts_with("/public")
                }),
        );
    let addr = serve_axum(router).await;
    let (_, body) = send(
        addr,
        get_request(
            addr,
            "/public/health",
            &[("traceparent", TRACEPARENT), ("baggage", b"tenant=evil")],
        ),
    )
    .await;
    assert_eq!(
        body,
        format!("{} 0", opentelemetry::trace::TraceId::INVALID)
    );
    assert!(t.finished().is_empty(), "filtered: no span");
}

#[tokio::test]
async fn responses_without_a_body_complete_rather_than_cancel() {
    let t = Telemetry::new();
    let router = Router::new()
        .route(
            "/page",
            get(|| async { "a page body that HEAD never sends" }),
        )
        .route(
            "/gone",
            get(|| async { (StatusCode::NO_CONTENT, "hyper drops a 204's body unsent") }),
        )
        .route(
            "/cached",
            get(|| async { (StatusCode::NOT_MODIFIED, "nor does a 304 carry one") }),
        )
        .layer(t.layer());
    let addr = serve_axum(router).await;
    let mut head = get_request(addr, "/page", &[]);
    *head.method_mut() = Method::HEAD;
    let (response, body) = send(addr, head).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.is_empty());
    for path in ["/gone", "/cached"] {
        send(addr, get_request(addr, path, &[])).await;
    }
    let spans = t.wait_for_spans(3).await;
    assert_eq!(spans.len(), 3, "{:?}", common::names(&spans));
    for span in &spans {
        let events: Vec<_> = span.events.iter().map(|e| e.name.to_string()).collect();
        assert!(events.is_empty(), "{}: {events:?}", span.name);
        assert_eq!(span.status, Status::Unset, "{}", span.name);
    }
    let code = |name: &str| {
        let span = spans.iter().find(|s| s.name == name).unwrap();
        attr(span, "http.response.status_code")
    };
    assert_eq!(code("HEAD /page"), Some(Value::I64(200)));
    assert_eq!(code("GET /gone"), Some(Value::I64(204)));
    assert_eq!(code("GET /cached"), Some(Value::I64(304)));
}

#[tokio::test]
async fn the_sampler_sees_every_attribute_the_conventions_want_at_creation() {
    // HTTP server spans: `client.address`, `http.request.header.<key>`, the method,
    // `server.*`, `url.*` and `user_agent.original` SHOULD be given at span creation, so
    // that samplers can decide by them.
    let sampler = Asked::deciding(opentelemetry_sdk::trace::SamplingDecision::RecordAndSample);
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_sampler(sampler.clone())
        .build();
    let router = Router::new()
        .route("/users/{id}", get(|| async { "user" }))
        .layer(
            ServerLayer::new()
                .without_metrics()
                .capture_request_headers([http::HeaderName::from_static("x-tenant")])
                .tracer_provider(&provider),
        );
    let addr = serve_axum(router).await;
    let request = get_request(
        addr,
        "/users/7?page=2",
        &[
            ("user-agent", b"baton-test/1.0"),
            ("x-forwarded-for", b"203.0.113.9"),
            ("x-tenant", b"acme"),
        ],
    );
    send(addr, request).await;
    let seen = sampler.seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "one span");
    let value = |key: &str| {
        seen[0]
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
    };
    let expect: Vec<(&str, Value)> = vec![
        ("http.request.method", "GET".into()),
        ("url.scheme", "http".into()),
        ("url.path", "/users/7".into()),
        ("url.query", "page=2".into()),
        ("http.route", "/users/{id}".into()),
        ("server.address", "127.0.0.1".into()),
        ("server.port", i64::from(addr.port()).into()),
        ("user_agent.original", "baton-test/1.0".into()),
        ("client.address", "203.0.113.9".into()),
        (
            "http.request.header.x-tenant",
            Value::Array(vec![opentelemetry::StringValue::from("acme")].into()),
        ),
        ("network.protocol.version", "1.1".into()),
        ("network.peer.address", "127.0.0.1".into()),
    ];
    for (key, expected) in &expect {
        assert_eq!(value(key).as_ref(), Some(expected), "{key} at creation");
    }
}
