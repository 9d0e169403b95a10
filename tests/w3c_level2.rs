//! W3C Trace Context at the current editor's draft (Level 2), end to end on 127.0.0.1: a
//! caller sends `traceparent` with the `random-trace-id` flag and a `tracestate` using the
//! draft's key grammar (`foo@@bar`, `foo@`, a repeated key) to a baton server whose handler
//! calls a second server through the reqwest middleware. The second server must receive
//! the same trace, a new parent-id, the flag still set, and the list with one member per
//! key. Cases from the w3c/trace-context test suite (`test_propagates_random_flag`,
//! `test_tracestate_key_illegal_vendor_format`, `test_tracestate_duplicated_keys`).

use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::routing::get;
use baton::ServerLayer;
use baton::opentelemetry::Context;
use baton::propagation::{CompositePropagator, PropagatorKind};
use baton::reqwest::TracingMiddleware;
use baton::testing::TestTelemetry;
use baton_test_support::loopback::{runtime, serve_axum_on};

const TRACE_ID: &str = "12345678901234567890123456789012";
const PARENT_ID: &str = "1234567890123456";

fn w3c() -> CompositePropagator {
    CompositePropagator::new([PropagatorKind::TraceContext])
}

/// The `traceparent` and `tracestate` the downstream server received.
async fn echo(request: Request) -> axum::Json<serde_json::Value> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    axum::Json(serde_json::json!({
        "traceparent": header("traceparent"),
        "tracestate": header("tracestate"),
    }))
}

/// A downstream echo server, and a baton server whose `/call` handler calls it through the
/// reqwest middleware, both recording into `t`: the runtime and the baton server.
fn servers(t: &TestTelemetry) -> (tokio::runtime::Runtime, std::net::SocketAddr) {
    let rt = runtime("w3c-level2", 2);
    let downstream = serve_axum_on(&rt, Router::new().route("/echo", get(echo)));
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(
            TracingMiddleware::new()
                .propagator(w3c())
                .tracer_provider(t.tracer_provider())
                .meter_provider(t.meter_provider()),
        )
        .build();
    let url = format!("http://{downstream}/echo");
    let app = Router::new()
        .route(
            "/call",
            get(move |request: Request| {
                let (client, url) = (client.clone(), url.clone());
                async move {
                    let cx = request.extensions().get::<Context>().cloned();
                    let response = client
                        .get(url)
                        .with_extension(cx.unwrap_or_default())
                        .send()
                        .await
                        .expect("downstream");
                    response.text().await.expect("body")
                }
            }),
        )
        .layer(
            ServerLayer::new()
                .propagator(w3c())
                .tracer_provider(t.tracer_provider())
                .meter_provider(t.meter_provider())
                .traceresponse(),
        );
    let server = serve_axum_on(&rt, app);
    (rt, server)
}

#[test]
fn the_random_flag_and_the_draft_tracestate_reach_the_next_hop() {
    let t = TestTelemetry::new();
    let (rt, server) = servers(&t);

    for (flags, expected_flags) in [("02", "02"), ("03", "03")] {
        let body = rt.block_on(async {
            reqwest::Client::new()
                .get(format!("http://{server}/call"))
                .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-{flags}"))
                .header("tracestate", "foo@@bar=1,foo@=2,foo=3")
                .header("tracestate", "foo=4")
                .send()
                .await
                .expect("call")
                .text()
                .await
                .expect("body")
        });
        let seen: serde_json::Value = serde_json::from_str(&body).expect("json");
        let traceparent = seen["traceparent"].as_str().expect("traceparent sent");
        let parts: Vec<&str> = traceparent.split('-').collect();
        assert_eq!(parts[1], TRACE_ID, "{traceparent}");
        assert_ne!(parts[2], PARENT_ID, "{traceparent}");
        assert_eq!(
            parts[3], expected_flags,
            "random-trace-id kept: {traceparent}"
        );
        assert_eq!(seen["tracestate"], "foo@@bar=1,foo@=2,foo=3");
    }
    // The sampled call (`03`) recorded both hops, in the caller's trace; the `02` call
    // was not sampled, and still passed the flag on.
    let spans = t.wait_for_spans(2, Duration::from_secs(5));
    assert_eq!(spans.names(), ["GET", "GET /call"]);
    assert!(
        spans
            .all()
            .iter()
            .all(|s| s.trace_id().to_string() == TRACE_ID)
    );
}

/// Without `set_local_trace_ids_random` (nothing in this binary declares it), a trace the
/// server starts claims no `random-trace-id`: not downstream, not in the echo. (With the
/// declaration: `tests/w3c_random_local.rs`.)
#[test]
fn a_trace_started_here_claims_no_random_flag_undeclared() {
    assert!(!baton::propagation::local_trace_ids_random());
    let t = TestTelemetry::new();
    let (rt, server) = servers(&t);
    let (body, echoed) = rt.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("http://{server}/call"))
            .send()
            .await
            .expect("call");
        let echoed = response.headers()["traceresponse"]
            .to_str()
            .unwrap()
            .to_owned();
        (response.text().await.expect("body"), echoed)
    });
    let seen: serde_json::Value = serde_json::from_str(&body).expect("json");
    let sent = seen["traceparent"].as_str().expect("traceparent sent");
    let spans = t.wait_for_spans(2, Duration::from_secs(5));
    let (server_span, client_span) = (spans.named("GET /call"), spans.named("GET"));
    let trace = server_span.trace_id();
    assert_eq!(sent, format!("00-{trace}-{}-01", client_span.span_id()));
    assert_eq!(echoed, format!("00-{trace}-{}-01", server_span.span_id()));
}
