//! Trust boundaries.
//!
//! - A public endpoint does not let its caller decide: a caller that says "not sampled"
//!   and sends baggage gets a new root span, sampled by the server's own (always-on)
//!   sampler, linked to the caller's span, and its handler sees no baggage. The same
//!   request to a trusted endpoint follows the caller (no span, baggage passed on).
//! - Clients send trace headers and baggage only to the hosts they are allowed to: checked
//!   for the tower `ClientLayer` over hyper-util and the reqwest middleware, against one
//!   server that echoes what it received, reached under three host names.
//! - Credentials never reach telemetry: requests carrying `authorization`, `cookie`,
//!   `proxy-authorization`, URL credentials and signed query parameters, answered with
//!   `set-cookie`, through the server layer (asked to capture every one of those headers)
//!   and both clients, all exporting spans and metrics over OTLP to a real receiver; every
//!   string the receiver decoded is scanned for every secret.

mod reliability_common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::routing::get;
use baton::ServerLayer;
use baton::client::ClientLayer;
use baton::opentelemetry::baggage::BaggageExt;
use baton::opentelemetry::trace::{SpanKind, TraceContextExt, Tracer, TracerProvider};
use baton::opentelemetry::{Context, KeyValue};
use baton::propagation::{CompositePropagator, PropagatorKind};
use baton::testing::TestTelemetry;
use baton_test_support::loopback::{runtime, serve_axum_on};
use baton_test_support::otlp::{Options, Receiver};
use bytes::Bytes;
use http::HeaderName;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use reliability_common::telemetry;
use tower::{Service, ServiceBuilder, ServiceExt};

fn w3c() -> CompositePropagator {
    CompositePropagator::new([PropagatorKind::TraceContext, PropagatorKind::Baggage])
}

/// The trace headers the server received, and the context its handler saw.
async fn echo(request: Request) -> axum::Json<serde_json::Value> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let cx = request
        .extensions()
        .get::<Context>()
        .cloned()
        .unwrap_or_default();
    let mut baggage: Vec<String> = cx
        .baggage()
        .iter()
        .map(|(k, (v, _))| format!("{k}={v}"))
        .collect();
    baggage.sort();
    axum::Json(serde_json::json!({
        "traceparent": header("traceparent"),
        "tracestate": header("tracestate"),
        "baggage_header": header("baggage"),
        "trace_id": cx.span().span_context().trace_id().to_string(),
        "baggage": baggage,
    }))
}

async fn get_json(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let client = reliability_common::client();
    let mut request = http::Request::get(format!("http://{addr}{path}"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = client
        .request(request.body(Full::<Bytes>::default()).expect("request"))
        .await
        .expect("response");
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

const CALLER_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN: &str = "b7ad6b7169203331";

#[test]
fn public_endpoints_ignore_the_callers_sampling_decision_and_baggage() {
    let t = TestTelemetry::new(); // ParentBased(AlwaysOn): roots are sampled
    let app = Router::new()
        .route("/public/echo", get(echo))
        .route("/internal/echo", get(echo))
        .layer(
            ServerLayer::new()
                .propagator(w3c())
                .tracer_provider(t.tracer_provider())
                .meter_provider(t.meter_provider())
                .public_endpoint(|parts: &http::request::Parts| {
                    parts.uri.path().starts_with("/public/")
                }),
        );
    let rt = runtime("trust-public", 1);
    let addr = serve_axum_on(&rt, app);
    let caller = [
        (
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
        ),
        ("baggage", "tenant=acme,user.id=42"),
    ];

    // Trusted: the caller's "not sampled" holds, and its baggage reaches the handler.
    let (status, internal) = rt.block_on(get_json(addr, "/internal/echo", &caller));
    assert_eq!(status, 200);
    assert_eq!(internal["trace_id"], CALLER_TRACE);
    assert_eq!(
        internal["baggage"],
        serde_json::json!(["tenant=acme", "user.id=42"])
    );

    // Public: a new, sampled root linked to the caller; no baggage.
    let (status, public) = rt.block_on(get_json(addr, "/public/echo", &caller));
    assert_eq!(status, 200);
    assert_ne!(public["trace_id"], CALLER_TRACE, "a new trace");
    assert_eq!(
        public["baggage"],
        serde_json::json!([]),
        "untrusted baggage is dropped"
    );
    let spans = t.wait_for_spans(1, Duration::from_secs(5));
    assert_eq!(
        spans.len(),
        1,
        "only the public request was sampled: {:?}",
        spans.names()
    );
    let span = spans.all()[0];
    assert_eq!(span.name(), "GET /public/echo");
    assert_eq!(span.data().span_kind, SpanKind::Server);
    assert!(span.data().span_context.is_sampled());
    assert_eq!(span.trace_id().to_string(), public["trace_id"]);
    assert_eq!(
        span.parent_id(),
        baton::opentelemetry::trace::SpanId::INVALID,
        "a root"
    );
    let links: Vec<(String, String)> = span
        .data()
        .links
        .iter()
        .map(|l| {
            (
                l.span_context.trace_id().to_string(),
                l.span_context.span_id().to_string(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [(CALLER_TRACE.to_owned(), CALLER_SPAN.to_owned())],
        "linked to the caller"
    );
}

/// A hyper-util client whose resolver sends every name to `addr`.
fn resolving_to(addr: SocketAddr) -> Client<HttpConnector<ResolveTo>, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new_with_resolver(ResolveTo(addr)))
}

#[derive(Clone)]
struct ResolveTo(SocketAddr);

impl Service<hyper_util::client::legacy::connect::dns::Name> for ResolveTo {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = std::future::Ready<Result<Self::Response, Self::Error>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: hyper_util::client::legacy::connect::dns::Name) -> Self::Future {
        std::future::ready(Ok(vec![self.0].into_iter()))
    }
}

/// `internal.test` may get trace headers and baggage, `partner.test` trace headers only,
/// `evil.test` nothing; every request gets its client span either way.
#[test]
fn trace_headers_and_baggage_go_only_to_allowed_hosts() {
    let server_t = TestTelemetry::new();
    let app = Router::new().route("/echo", get(echo)).layer(
        ServerLayer::new()
            .propagator(w3c())
            .tracer_provider(server_t.tracer_provider()),
    );
    let rt = runtime("trust-hosts", 1);
    let addr = serve_axum_on(&rt, app);
    let port = addr.port();

    let trace_ok = |host: &str| host == "internal.test" || host == "partner.test";
    let baggage_ok = |host: &str| host == "internal.test";
    let expected = [
        ("internal.test", true, true),
        ("partner.test", true, false),
        ("evil.test", false, false),
    ];

    let t = TestTelemetry::new();
    let tracer = t.tracer_provider().tracer("caller");
    let parent = || {
        let span = tracer.start("caller");
        Context::new()
            .with_baggage([KeyValue::new("tenant", "acme")])
            .with_span(span)
    };

    // The tower layer over hyper-util.
    let tower_client = ServiceBuilder::new()
        .layer(
            ClientLayer::new()
                .propagator(w3c())
                .tracer_provider(t.tracer_provider())
                .without_metrics()
                .propagate_to(trace_ok)
                .propagate_baggage_to(baggage_ok),
        )
        .service(resolving_to(addr));
    // The reqwest middleware.
    let mut builder = reqwest::Client::builder();
    for (host, _, _) in expected {
        builder = builder.resolve(host, addr);
    }
    let reqwest_client = reqwest_middleware::ClientBuilder::new(builder.build().expect("reqwest"))
        .with(
            baton::reqwest::TracingMiddleware::new()
                .propagator(w3c())
                .tracer_provider(t.tracer_provider())
                .without_metrics()
                .propagate_to(trace_ok)
                .propagate_baggage_to(baggage_ok),
        )
        .build();

    let mut failures = Vec::new();
    for (host, trace, baggage) in expected {
        let url = format!("http://{host}:{port}/echo");
        let mut request = http::Request::get(&url)
            .body(Full::<Bytes>::default())
            .expect("request");
        request.extensions_mut().insert(parent());
        let tower_seen: serde_json::Value = rt.block_on(async {
            let response = tower_client
                .clone()
                .oneshot(request)
                .await
                .expect("tower client");
            let body = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            serde_json::from_slice(&body).expect("json")
        });
        let reqwest_seen: serde_json::Value = rt.block_on(async {
            reqwest_client
                .get(&url)
                .with_extension(parent())
                .send()
                .await
                .expect("reqwest client")
                .json()
                .await
                .expect("json")
        });
        for (client, seen) in [("tower", tower_seen), ("reqwest", reqwest_seen)] {
            let got_trace = seen["traceparent"].is_string();
            let got_baggage = seen["baggage_header"].is_string();
            eprintln!(
                "{client:<8} -> {host:<14} traceparent={} baggage={}",
                seen["traceparent"], seen["baggage_header"]
            );
            if (got_trace, got_baggage) != (trace, baggage) {
                failures.push(format!(
                    "{client} -> {host}: traceparent {got_trace} (allowed {trace}), baggage {got_baggage} (allowed {baggage}): {seen}"
                ));
            }
            if !trace && seen["tracestate"].is_string() {
                failures.push(format!("{client} -> {host}: tracestate sent"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let spans = t.wait_for_spans(6, Duration::from_secs(5));
    assert_eq!(
        spans.of_kind(SpanKind::Client).len(),
        6,
        "a client span per request, allowed or not"
    );
}

/// Every secret the sweep sends, by where it travels.
const PASSWORD: &str = "S3CRETpassw0rd";
const USER: &str = "S3CRETuser";
const BEARER: &str = "S3CRETbearer";
const COOKIE: &str = "S3CRETcookie";
const PROXY: &str = "S3CRETproxy";
const SET_COOKIE: &str = "S3CRETsetcookie";
const SIG: &str = "S3CRETsig";
const AMZ_SIG: &str = "S3CRETamzsignature";
const AMZ_KEY: &str = "S3CRETakid";
const AMZ_CRED: &str = "S3CRETamzcredential";
const SIGNATURE: &str = "S3CRETsignature";
/// Values that must appear, so the scan is known to see what the capture recorded.
const VISIBLE_REQUEST: &str = "VISIBLEreqid";
const VISIBLE_RESPONSE: &str = "VISIBLErespid";
const VISIBLE_QUERY: &str = "VISIBLEq";

fn secrets() -> Vec<String> {
    use base64_free::encode;
    let mut all: Vec<String> = [
        PASSWORD, USER, BEARER, COOKIE, PROXY, SET_COOKIE, SIG, AMZ_SIG, AMZ_KEY, AMZ_CRED,
        SIGNATURE,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // What reqwest turns URL credentials into: `authorization: Basic base64(user:password)`.
    all.push(encode(format!("{USER}:{PASSWORD}").as_bytes()));
    all
}

/// Base64 without a dependency, for the one value above.
mod base64_free {
    pub fn encode(input: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(T[(n >> (18 - 6 * i)) as usize & 63] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

fn secret_query() -> String {
    format!(
        "sig={SIG}&X-Amz-Signature={AMZ_SIG}&AWSAccessKeyId={AMZ_KEY}&X-Amz-Credential={AMZ_CRED}&Signature={SIGNATURE}&q={VISIBLE_QUERY}"
    )
}

const SENSITIVE: [&str; 4] = [
    "authorization",
    "cookie",
    "proxy-authorization",
    "set-cookie",
];

async fn login() -> impl axum::response::IntoResponse {
    (
        [
            ("set-cookie", format!("session={SET_COOKIE}; HttpOnly")),
            ("authorization", format!("Bearer {BEARER}")),
            ("x-request-id", VISIBLE_RESPONSE.to_owned()),
        ],
        "welcome",
    )
}

async fn fail() -> impl axum::response::IntoResponse {
    (
        http::StatusCode::INTERNAL_SERVER_ERROR,
        [("set-cookie", format!("session={SET_COOKIE}"))],
        "boom",
    )
}

fn otlp(receiver: &Receiver, protocol: &str) -> Vec<(&'static str, String)> {
    let endpoint = if protocol == "grpc" {
        receiver.grpc_url()
    } else {
        receiver.http_url()
    };
    vec![
        ("OTEL_TRACES_EXPORTER", "otlp".into()),
        ("OTEL_METRICS_EXPORTER", "otlp".into()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.into()),
        ("OTEL_BSP_SCHEDULE_DELAY", "50".into()),
        ("OTEL_METRIC_EXPORT_INTERVAL", "200".into()),
    ]
}

/// Where each secret was found: the service that exported it and the text around it.
fn leaks(raw: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for secret in secrets() {
        for text in raw {
            if let Some(at) = text.find(&secret) {
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(300)
                    .map_or(0, |(i, _)| i);
                let to = (at + secret.len() + 80).min(text.len());
                let to = (to..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(text.len());
                let service = text
                    .find("service.name")
                    .map(|i| &text[i..(i + 120).min(text.len())])
                    .unwrap_or("?");
                found.push(format!(
                    "{secret:?} in an export from [{service}…]: …{}…",
                    &text[from..to]
                ));
            }
        }
    }
    found
}

/// Sends `GET {target} HTTP/1.1` as it is (absolute form) with `headers`; returns the
/// status line.
async fn raw_request(addr: SocketAddr, target: &str, headers: &[(&str, String)]) -> String {
    let mut head = format!("GET {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    reliability_common::raw_status_line(addr, &head).await
}

#[test]
fn no_credential_or_signature_reaches_any_exported_attribute_event_or_resource() {
    let receiver = Receiver::with(Options {
        keep_exports: true,
        keep_raw: true,
        ..Options::default()
    });
    let deadline = Duration::from_secs(5);
    let server_guard = telemetry("sweep-server", &otlp(&receiver, "grpc"), deadline);
    let tower_guard = telemetry(
        "sweep-tower-client",
        &otlp(&receiver, "http/protobuf"),
        deadline,
    );
    let reqwest_guard = telemetry("sweep-reqwest-client", &otlp(&receiver, "grpc"), deadline);

    let asked: Vec<HeaderName> = SENSITIVE
        .iter()
        .chain(&["x-request-id"])
        .map(|h| HeaderName::from_static(h))
        .collect();
    let app = Router::new()
        .route("/login", get(login))
        .route("/fail", get(fail))
        .layer(
            ServerLayer::new()
                .propagator(w3c())
                .tracer_provider(server_guard.tracer_provider())
                .meter_provider(server_guard.meter_provider())
                .capture_request_headers(asked.clone())
                .capture_response_headers(asked),
        );
    let rt = runtime("sweep", 1);
    let addr = serve_axum_on(&rt, app);
    let refused = baton_test_support::loopback::refused();

    let headers = [
        ("authorization", format!("Bearer {BEARER}")),
        ("cookie", format!("session={COOKIE}; theme=dark")),
        ("proxy-authorization", format!("Basic {PROXY}")),
        ("x-request-id", VISIBLE_REQUEST.to_owned()),
    ];
    let urls: Vec<String> = [
        format!("http://{USER}:{PASSWORD}@{addr}/login?{}", secret_query()),
        format!("http://{USER}:{PASSWORD}@{addr}/fail?{}", secret_query()),
        format!("http://{USER}:{PASSWORD}@{addr}/missing?{}", secret_query()),
        // Transport errors: the exception messages must not carry the URL's secrets.
        format!(
            "http://{USER}:{PASSWORD}@{refused}/login?{}",
            secret_query()
        ),
    ]
    .into();

    let tower_client = ServiceBuilder::new()
        .layer(
            ClientLayer::new()
                .propagator(w3c())
                .tracer_provider(tower_guard.tracer_provider())
                .meter_provider(tower_guard.meter_provider()),
        )
        .service(Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>());
    let reqwest_client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(
            baton::reqwest::TracingMiddleware::new()
                .propagator(w3c())
                .tracer_provider(reqwest_guard.tracer_provider())
                .meter_provider(reqwest_guard.meter_provider()),
        )
        .build();

    let mut outcomes = Vec::new();
    rt.block_on(async {
        for url in &urls {
            let mut request = http::Request::get(url.as_str());
            for (k, v) in &headers {
                request = request.header(*k, v.as_str());
            }
            let request = request.body(Full::<Bytes>::default()).expect("request");
            let tower = match tower_client.clone().oneshot(request).await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let _ = r.into_body().collect().await;
                    status.to_string()
                }
                Err(e) => format!("error ({e})"),
            };
            let mut request = reqwest_client.get(url.as_str());
            for (k, v) in &headers {
                request = request.header(*k, v.as_str());
            }
            let reqwest = match request.send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    status.to_string()
                }
                Err(e) => format!("error ({e})"),
            };
            outcomes.push(format!("tower {tower}, reqwest {reqwest}"));
        }
        // A raw request in absolute form, credentials and signature in its target.
        outcomes.push(format!(
            "raw {}",
            raw_request(addr, &urls[0], &headers).await
        ));
    });
    eprintln!("sweep outcomes per URL: {outcomes:#?}");
    assert!(
        outcomes[0].starts_with("tower 200, reqwest 200"),
        "{}",
        outcomes[0]
    );

    for guard in [server_guard, tower_guard, reqwest_guard] {
        guard.shutdown().expect("flushed to the receiver");
    }
    let raw = receiver.raw();
    let all = raw.join("\n");
    let spans = receiver.spans();
    eprintln!(
        "sweep: {} export requests decoded, {} spans, {} bytes of decoded text scanned",
        raw.len(),
        spans.len(),
        all.len()
    );
    assert_eq!(
        spans.iter().filter(|s| s.service == "sweep-server").count(),
        7,
        "server spans: 3 URLs x 2 clients, and the raw request"
    );
    assert_eq!(
        spans
            .iter()
            .filter(|s| s.service.ends_with("-client"))
            .count(),
        8,
        "client spans: 4 URLs x 2 clients"
    );
    // The scan sees what was captured and recorded.
    for visible in [VISIBLE_REQUEST, VISIBLE_RESPONSE, VISIBLE_QUERY, "REDACTED"] {
        assert!(
            all.contains(visible),
            "{visible} was expected in the export"
        );
    }
    let leaks = leaks(&raw);
    assert!(
        leaks.is_empty(),
        "secrets exported:\n{}",
        leaks.join("\n\n")
    );
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The tower `ClientLayer` records the inner client's error message (span status and
/// `exception.message`) with every URL in it redacted as `url.full` is: here reqwest used
/// as a tower service, with its errors boxed as tower stacks box them, failing to connect.
/// Its message, `error sending request for url (http://127.0.0.1:PORT/login?sig=...)`,
/// must reach the collector without the secrets.
#[test]
fn tower_client_error_messages_never_carry_url_secrets() {
    let receiver = Receiver::with(Options {
        keep_exports: true,
        keep_raw: true,
        ..Options::default()
    });
    let guard = telemetry(
        "sweep-tower-over-reqwest",
        &otlp(&receiver, "grpc"),
        Duration::from_secs(5),
    );
    let reqwest = reqwest::Client::new();
    let over_reqwest = tower::service_fn(move |request: http::Request<Full<Bytes>>| {
        let reqwest = reqwest.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await?.to_bytes();
            let request = reqwest::Request::try_from(http::Request::from_parts(parts, body))?;
            let response = reqwest.execute(request).await?;
            let status = response.status();
            let body = response.bytes().await?;
            let mut out = http::Response::new(Full::new(body));
            *out.status_mut() = status;
            Ok::<_, BoxError>(out)
        }
    });
    let client = ServiceBuilder::new()
        .layer(
            ClientLayer::new()
                .propagator(w3c())
                .tracer_provider(guard.tracer_provider())
                .meter_provider(guard.meter_provider()),
        )
        .service(over_reqwest);
    let refused = baton_test_support::loopback::refused();
    let url = format!("http://{refused}/login?{}", secret_query());
    let rt = runtime("tower-over-reqwest", 1);
    let Err(error) = rt.block_on(
        client.oneshot(
            http::Request::get(url.as_str())
                .body(Full::<Bytes>::default())
                .expect("request"),
        ),
    ) else {
        panic!("nothing listens on {refused}");
    };
    guard.shutdown().expect("flushed");
    let raw = receiver.raw();
    assert!(
        raw.iter().any(|r| r.contains("REDACTED")),
        "url.full is redacted: the span was exported"
    );
    let leaks = leaks(&raw);
    assert!(
        leaks.is_empty(),
        "the inner error was {error}; secrets exported:\n{}",
        leaks.join("\n\n")
    );
}

/// Header capture redacts URL-valued headers the application asks to capture (`referer`
/// on requests, `location` on responses, such as a redirect to a pre-signed S3 URL) as
/// `url.full` is: "whatever is configured", no secret leaves.
#[test]
fn captured_url_valued_headers_never_carry_url_secrets() {
    let t = TestTelemetry::new();
    let app = Router::new()
        .route(
            "/download",
            get(|| async {
                (
                    http::StatusCode::FOUND,
                    [(
                        "location",
                        format!("https://bucket.s3.amazonaws.com/file?{}", secret_query()),
                    )],
                )
            }),
        )
        .layer(
            ServerLayer::new()
                .propagator(w3c())
                .tracer_provider(t.tracer_provider())
                .capture_request_headers([HeaderName::from_static("referer")])
                .capture_response_headers([HeaderName::from_static("location")]),
        );
    let rt = runtime("captured-urls", 1);
    let addr = serve_axum_on(&rt, app);
    let referer = format!(
        "http://{USER}:{PASSWORD}@app.example/page?{}",
        secret_query()
    );
    let (status, _) = rt.block_on(get_json(addr, "/download", &[("referer", &referer)]));
    assert_eq!(status, 302);
    let spans = t.wait_for_spans(1, Duration::from_secs(5));
    let text = format!("{:?}", spans.all()[0].data().attributes);
    assert!(text.contains("http.response.header.location"), "{text}");
    assert!(text.contains("http.request.header.referer"), "{text}");
    let leaked: Vec<String> = secrets().into_iter().filter(|s| text.contains(s)).collect();
    assert!(
        leaked.is_empty(),
        "captured headers exported {leaked:?}: {text}"
    );
}
