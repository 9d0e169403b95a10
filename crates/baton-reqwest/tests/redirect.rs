//! Redirects and allow-lists: trace headers and baggage reach only the hosts allowed, on
//! every hop. Two host names, `allowed.test` and `refused.test`, resolve (through reqwest's
//! `resolve`) to recording servers on 127.0.0.1.

mod common;

use baton_reqwest::{FollowRedirects, TracingMiddleware};
use common::{Received, Server, Telemetry, attr};
use opentelemetry::baggage::BaggageExt;
use opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::trace::SdkTracer;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};

const ALLOWED: &str = "allowed.test";
const REFUSED: &str = "refused.test";
/// Every propagation header of every format, as a proxying handler could have copied them.
const COPIED: [(&str, &str); 6] = [
    (
        "traceparent",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    ),
    ("tracestate", "vendor=secret"),
    ("baggage", "tenant=acme"),
    ("b3", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"),
    (
        "uber-trace-id",
        "0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:1",
    ),
    ("uberctx-tenant", "acme"),
];

fn middleware(t: &Telemetry) -> TracingMiddleware<SdkTracer> {
    t.middleware()
        .propagate_to(|host: &str| host == ALLOWED)
        .propagate_baggage_to(|host: &str| host == ALLOWED)
}

/// A client that resolves both names to `server`, follows no redirect by itself, and has
/// `FollowRedirects` (when `follow`) before the tracing middleware.
fn client(t: &Telemetry, server: &Server, follow: bool) -> ClientWithMiddleware {
    let reqwest = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(ALLOWED, server.addr)
        .resolve(REFUSED, server.addr)
        .build()
        .unwrap();
    let builder = ClientBuilder::new(reqwest);
    let builder = if follow {
        builder.with(FollowRedirects::new())
    } else {
        builder
    };
    builder.with(middleware(t)).build()
}

/// A parent context with a span and baggage, as a handler would have.
fn parent(t: &Telemetry) -> Context {
    let tracer = t.tracer_provider.tracer("test");
    let span = tracer.start("handler");
    Context::new()
        .with_span(span)
        .with_baggage([KeyValue::new("tenant", "acme")])
}

fn propagation_headers(received: &Received) -> Vec<String> {
    let mut names: Vec<String> = received
        .headers
        .keys()
        .map(|n| n.as_str().to_owned())
        .filter(|n| {
            COPIED.iter().any(|(c, _)| c == n)
                || n.starts_with("uberctx-")
                || n.starts_with("x-b3-")
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn propagation_headers_already_on_a_request_never_reach_refused_hosts() {
    let t = Telemetry::new();
    let server = Server::start().await;
    let client = client(&t, &server, false);
    for host in [REFUSED, ALLOWED] {
        let mut request = client
            .get(server.url_as(host, "/echo"))
            .with_extension(parent(&t));
        for (name, value) in COPIED {
            request = request.header(name, value);
        }
        assert_eq!(request.send().await.unwrap().status(), 200);
    }
    let received = server.wait_for_requests(2).await;
    assert_eq!(
        propagation_headers(&received[0]),
        Vec::<String>::new(),
        "{REFUSED} got them"
    );
    // The allowed host gets this span's traceparent and the context's baggage, not the
    // copied ones.
    let spans = t.wait_for_client_spans(2).await;
    let allowed = &received[1].headers;
    assert_eq!(
        common::traceparent(allowed).unwrap().span_id(),
        spans[1].span_context.span_id()
    );
    assert_eq!(allowed["baggage"], "tenant=acme");
}

#[tokio::test]
async fn a_redirect_to_a_refused_host_carries_no_trace_headers_or_baggage() {
    let t = Telemetry::new();
    let server = Server::start().await;
    let client = client(&t, &server, true);
    let to = server.url_as(REFUSED, "/echo");
    let response = client
        .get(server.url_as(ALLOWED, &format!("/redirect/302?to={to}")))
        .with_extension(parent(&t))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().host_str(), Some(REFUSED));
    let received = server.wait_for_requests(2).await;
    assert_eq!(received[0].path, "/redirect/302");
    assert!(received[0].headers.contains_key("traceparent"));
    assert_eq!(received[0].headers["baggage"], "tenant=acme");
    assert_eq!(received[1].path, "/echo");
    assert_eq!(propagation_headers(&received[1]), Vec::<String>::new());

    // One span per hop, both children of the handler; the second is a resend.
    let spans = t.wait_for_client_spans(2).await;
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].parent_span_id, spans[1].parent_span_id);
    assert_eq!(
        attr(&spans[0], "http.response.status_code"),
        Some(Value::I64(302))
    );
    assert_eq!(
        attr(&spans[1], "http.request.resend_count"),
        Some(Value::I64(1))
    );
    assert_eq!(
        attr(&spans[1], "server.address"),
        Some(Value::from(REFUSED))
    );
}

#[tokio::test]
async fn a_redirect_back_to_an_allowed_host_carries_that_hops_context() {
    let t = Telemetry::new();
    let server = Server::start().await;
    let client = client(&t, &server, true);
    let to = server.url_as(ALLOWED, "/echo");
    client
        .get(server.url_as(REFUSED, &format!("/redirect/307?to={to}")))
        .with_extension(parent(&t))
        .send()
        .await
        .unwrap();
    let received = server.wait_for_requests(2).await;
    assert_eq!(propagation_headers(&received[0]), Vec::<String>::new());
    let spans = t.wait_for_client_spans(2).await;
    assert_eq!(
        common::traceparent(&received[1].headers).unwrap().span_id(),
        spans[1].span_context.span_id(),
        "the allowed hop's traceparent names its own span"
    );
}

#[tokio::test]
async fn redirects_follow_the_method_rules_and_stop_after_the_limit() {
    let t = Telemetry::new();
    let server = Server::start().await;
    let client = client(&t, &server, true);
    let echo = server.url_as(ALLOWED, "/echo");
    for (code, method, body) in [
        (303, "GET", &b""[..]),
        (302, "GET", b""),
        (307, "POST", b"payload"),
        (308, "POST", b"payload"),
    ] {
        let response = client
            .post(server.url_as(ALLOWED, &format!("/redirect/{code}?to={echo}")))
            .body("payload")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{code}");
        let received = server.received();
        let last = received.last().unwrap();
        assert_eq!(
            (last.method.as_str(), last.body.as_slice()),
            (method, body),
            "{code}"
        );
    }

    // A redirect to itself: the limit (3 here) ends it with an error naming it.
    let limited = ClientBuilder::new(
        reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .resolve(ALLOWED, server.addr)
            .build()
            .unwrap(),
    )
    .with(FollowRedirects::new().max_redirects(3))
    .with(middleware(&t))
    .build();
    let own = server.url_as(ALLOWED, "/redirect/302");
    let error = limited.get(own).send().await.unwrap_err();
    assert!(error.to_string().contains("3 redirects"), "{error}");
}
