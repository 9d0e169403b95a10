//! W3C Trace Context Level 2's `random-trace-id` flag on traces that start in this process,
//! end to end on 127.0.0.1, with the process's trace ids declared random
//! (`set_local_trace_ids_random(true)`, as `baton::init` does). A baton server whose
//! handler calls a second server through the reqwest middleware: the second server must
//! receive `-03` (`-02` unsampled) for a trace the first server started — no `traceparent`,
//! or a public endpoint — and exactly the caller's flag for a trace it continued; the
//! `traceresponse` and `server-timing` echo says the same. The declaration is process-wide,
//! so these tests have their own binary, and every test in it declares the same; that
//! nothing is claimed without the declaration is checked in `tests/w3c_level2.rs`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::routing::get;
use baton::ServerLayer;
use baton::opentelemetry::Context;
use baton::opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider};
use baton::propagation::{CompositePropagator, PropagatorKind, set_local_trace_ids_random};
use baton::reqwest::TracingMiddleware;
use baton::testing::TestTelemetry;
use baton_test_support::loopback::{runtime, serve_axum_on};
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};

const TRACE_ID: &str = "12345678901234567890123456789012";
const PARENT_ID: &str = "1234567890123456";

fn w3c() -> CompositePropagator {
    CompositePropagator::new([PropagatorKind::TraceContext])
}

/// The `traceparent` the downstream server received.
async fn echo(request: Request) -> String {
    request
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_owned()
}

/// What one call to the first server gave: the `traceparent` its handler's call sent
/// downstream, and its `traceresponse` and `server-timing` headers.
#[derive(Debug)]
struct Seen {
    sent: String,
    traceresponse: String,
    server_timing: String,
}

/// A downstream echo server and a baton server in front of it whose spans `provider`
/// starts. Routes: `/call` calls downstream in the request's context; `/nested` from a
/// span the handler starts under it; `/fresh` from a root span the handler starts itself;
/// `/public/call` as `/call` on a public endpoint.
struct Servers {
    rt: tokio::runtime::Runtime,
    server: SocketAddr,
    downstream: SocketAddr,
    client: reqwest_middleware::ClientWithMiddleware,
}

impl Servers {
    fn start(provider: &SdkTracerProvider) -> Servers {
        set_local_trace_ids_random(true);
        let rt = runtime("w3c-random-local", 2);
        let downstream = serve_axum_on(&rt, Router::new().route("/echo", get(echo)));
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(
                TracingMiddleware::new()
                    .propagator(w3c())
                    .tracer_provider(provider)
                    .without_metrics(),
            )
            .build();
        let outside = client.clone();
        let url = format!("http://{downstream}/echo");
        let tracer = provider.tracer("app");
        let call = move |parent: fn(&Context, &opentelemetry_sdk::trace::SdkTracer) -> Context| {
            let (client, url, tracer) = (client.clone(), url.clone(), tracer.clone());
            move |request: Request| async move {
                let cx = request
                    .extensions()
                    .get::<Context>()
                    .cloned()
                    .unwrap_or_default();
                let cx = parent(&cx, &tracer);
                let response = client.get(url).with_extension(cx).send().await;
                response.expect("downstream").text().await.expect("body")
            }
        };
        let app = Router::new()
            .route("/call", get(call(|cx, _| cx.clone())))
            .route("/public/call", get(call(|cx, _| cx.clone())))
            .route(
                "/nested",
                get(call(|cx, tracer| {
                    cx.with_span(tracer.start_with_context("work", cx))
                })),
            )
            .route(
                "/fresh",
                get(call(|cx, tracer| {
                    cx.with_span(tracer.start_with_context("fresh", &Context::new()))
                })),
            )
            .layer(
                ServerLayer::new()
                    .propagator(w3c())
                    .tracer_provider(provider)
                    .without_metrics()
                    .public_endpoint(|parts: &http::request::Parts| {
                        parts.uri.path().starts_with("/public/")
                    })
                    .server_timing()
                    .traceresponse(),
            );
        let server = serve_axum_on(&rt, app);
        Servers {
            rt,
            server,
            downstream,
            client: outside,
        }
    }

    /// Calls `path` on the baton server, with `traceparent` when given.
    fn get(&self, path: &str, traceparent: Option<&str>) -> Seen {
        self.rt.block_on(async {
            let mut request = reqwest::Client::new().get(format!("http://{}{path}", self.server));
            if let Some(tp) = traceparent {
                request = request.header("traceparent", tp);
            }
            let response = request.send().await.expect("call");
            let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
            let (traceresponse, server_timing) = (header("traceresponse"), header("server-timing"));
            let sent = response.text().await.expect("body");
            Seen {
                sent,
                traceresponse,
                server_timing,
            }
        })
    }

    /// What the downstream server receives from a baton client call made outside any
    /// request or trace.
    fn call_outside_any_trace(&self) -> String {
        self.rt.block_on(async {
            let url = format!("http://{}/echo", self.downstream);
            let response = self.client.get(url).send().await.expect("downstream");
            response.text().await.expect("body")
        })
    }
}

/// The parts of a `traceparent`: trace id, parent id, flags.
fn parts(traceparent: &str) -> (&str, &str, &str) {
    let p: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(p.len(), 4, "{traceparent}");
    assert_eq!(p[0], "00", "{traceparent}");
    (p[1], p[2], p[3])
}

/// The echo names the server span, with the same flags as the call sent on.
fn assert_echo(seen: &Seen, trace_id: &str, flags: &str) {
    let (t, _, f) = parts(&seen.traceresponse);
    assert_eq!((t, f), (trace_id, flags), "{seen:?}");
    assert_eq!(
        seen.server_timing,
        format!("trace;desc={}", seen.traceresponse),
        "{seen:?}"
    );
}

#[test]
fn a_trace_started_here_sends_the_random_flag_a_continued_one_the_callers() {
    let t = TestTelemetry::new();
    let servers = Servers::start(t.tracer_provider());

    // No caller: the server span is a root; the client span under it, and the echo, say
    // sampled + random.
    let seen = servers.get("/call", None);
    let (trace, parent, flags) = parts(&seen.sent);
    assert_eq!(flags, "03", "{seen:?}");
    assert_echo(&seen, trace, "03");
    let spans = t.wait_for_spans(2, Duration::from_secs(5));
    let server = spans.named("GET /call");
    let client = spans.named("GET");
    assert_eq!(server.trace_id().to_string(), trace);
    client.assert_child_of(&server);
    assert_eq!(
        client.span_id().to_string(),
        parent,
        "the client span is the parent"
    );
    assert_eq!(
        parts(&seen.traceresponse).1,
        server.span_id().to_string(),
        "the echo names the server span"
    );
    t.clear_spans();

    // A caller's trace: exactly the caller's flag, set or not, sampled or not.
    for flags in ["01", "03", "00", "02"] {
        let seen = servers.get("/call", Some(&format!("00-{TRACE_ID}-{PARENT_ID}-{flags}")));
        let (trace, parent, sent) = parts(&seen.sent);
        assert_eq!((trace, sent), (TRACE_ID, flags), "{seen:?}");
        assert_ne!(parent, PARENT_ID, "{seen:?}");
        assert_echo(&seen, TRACE_ID, flags);
    }

    // A public endpoint starts a new trace here (the caller only linked): flagged.
    let seen = servers.get(
        "/public/call",
        Some(&format!("00-{TRACE_ID}-{PARENT_ID}-01")),
    );
    let (trace, _, flags) = parts(&seen.sent);
    assert_ne!(trace, TRACE_ID, "{seen:?}");
    assert_eq!(flags, "03", "{seen:?}");
    assert_echo(&seen, trace, "03");

    // A span the handler starts under the server span inherits the flag.
    let seen = servers.get("/nested", None);
    assert_eq!(parts(&seen.sent).2, "03", "{seen:?}");
    assert_echo(&seen, parts(&seen.sent).0, "03");

    // A root the handler starts itself (`Context::new()` as parent): baton cannot tell whose
    // generator made its id, and claims nothing (documented on set_local_trace_ids_random).
    let seen = servers.get("/fresh", None);
    assert_eq!(parts(&seen.sent).2, "01", "{seen:?}");
    assert_ne!(parts(&seen.sent).0, parts(&seen.traceresponse).0);
    assert_echo(&seen, parts(&seen.traceresponse).0, "03");

    // A client call outside any trace is a root too.
    let sent = servers.call_outside_any_trace();
    assert_eq!(parts(&sent).2, "03", "{sent}");
}

#[test]
fn an_unsampled_trace_started_here_sends_the_random_flag_unsampled() {
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::AlwaysOff)
        .build();
    let servers = Servers::start(&provider);

    let seen = servers.get("/call", None);
    let (trace, _, flags) = parts(&seen.sent);
    assert_eq!(flags, "02", "{seen:?}");
    assert_echo(&seen, trace, "02");
    // Through a span the handler starts (which the SDK gives no flags at all).
    let seen = servers.get("/nested", None);
    let (trace, _, flags) = parts(&seen.sent);
    assert_eq!(flags, "02", "{seen:?}");
    assert_echo(&seen, trace, "02");
    // The caller's flags still win.
    for flags in ["00", "02"] {
        let seen = servers.get("/call", Some(&format!("00-{TRACE_ID}-{PARENT_ID}-{flags}")));
        assert_eq!(parts(&seen.sent).2, flags, "{seen:?}");
        assert_echo(&seen, TRACE_ID, flags);
    }
    let sent = servers.call_outside_any_trace();
    assert_eq!(parts(&sent).2, "02", "{sent}");
}
