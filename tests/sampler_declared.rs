//! The unsampled-caller shortcut, end to end on 127.0.0.1: `baton::init` declares the global
//! sampler parent-based for the samplers it builds, and a server layer on the global
//! provider then skips the span of a request whose caller did not sample it — with the same
//! outcome as asking the sampler: nothing exported, the handler and its outgoing call in the
//! caller's trace with the caller's flags. Where the sampler is not known to follow the
//! caller (one given to the builder, `always_on`), it is asked, and decides.
//!
//! The declaration and the global providers are process-wide: this file is its own test
//! binary, and its phases run in one test, one after another.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::routing::get;
use baton::ServerLayer;
use baton::exchange::global_sampler_parent_based;
use baton::opentelemetry::trace::{Link, SpanKind, TraceContextExt, TraceId};
use baton::opentelemetry::{Context, KeyValue};
use baton::reqwest::TracingMiddleware;
use baton_test_support::loopback::{runtime, serve_axum_on};
use opentelemetry_sdk::trace::{Sampler, SamplingResult, ShouldSample, SpanData, SpanProcessor};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

/// Keeps the name, trace id and parent of every span that ends.
#[derive(Clone, Debug, Default)]
struct Ended(Arc<Mutex<Vec<(String, String, String)>>>);

impl SpanProcessor for Ended {
    fn on_start(&self, _: &mut opentelemetry_sdk::trace::Span, _: &Context) {}
    fn on_end(&self, span: SpanData) {
        let ids = (
            span.name.to_string(),
            span.span_context.trace_id().to_string(),
            span.parent_span_id.to_string(),
        );
        self.0.lock().unwrap().push(ids);
    }
    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
}

impl Ended {
    fn take(&self) -> Vec<(String, String, String)> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    /// Waits until `n` spans have ended (or 5 s), then takes them.
    fn wait_for(&self, n: usize) -> Vec<(String, String, String)> {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.0.lock().unwrap().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.take()
    }
}

/// A sampler that counts its calls and asks `inner`.
#[derive(Clone, Debug)]
struct Counting {
    inner: Sampler,
    calls: Arc<AtomicUsize>,
}

impl ShouldSample for Counting {
    fn should_sample(
        &self,
        parent: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.inner
            .should_sample(parent, trace_id, name, kind, attributes, links)
    }
}

/// What one request showed: the handler's current span context (trace id, span id,
/// sampled), and the trace id and flags of the `traceparent` its call downstream sent (its
/// parent id is the client span's, new each time).
#[derive(Debug, PartialEq)]
struct Seen {
    handler: (String, String, bool),
    sent: (String, String),
}

/// A downstream echo server and, in front of it, a baton server on the global providers
/// (as `baton::init` users write it) whose handler calls downstream.
struct Servers {
    rt: tokio::runtime::Runtime,
    server: SocketAddr,
}

impl Servers {
    fn start() -> Servers {
        let rt = runtime("sampler-declared", 2);
        let echo = |request: Request| async move {
            let tp = request.headers().get("traceparent");
            tp.and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned()
        };
        let downstream = serve_axum_on(&rt, Router::new().route("/echo", get(echo)));
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(TracingMiddleware::new().without_metrics())
            .build();
        let url = format!("http://{downstream}/echo");
        let call = move || {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let cx = Context::current();
                let sc = cx.span().span_context().clone();
                let response = client.get(url).send().await.expect("downstream");
                let sent = response.text().await.expect("body");
                format!(
                    "{} {} {} {sent}",
                    sc.trace_id(),
                    sc.span_id(),
                    sc.is_sampled()
                )
            }
        };
        let app = Router::new()
            .route("/call", get(call))
            .layer(ServerLayer::new().without_metrics());
        let server = serve_axum_on(&rt, app);
        Servers { rt, server }
    }

    fn get(&self, flags: &str) -> Seen {
        let body = self.rt.block_on(async {
            let tp = format!("00-{TRACE_ID}-{PARENT_ID}-{flags}");
            let response = reqwest::Client::new()
                .get(format!("http://{}/call", self.server))
                .header("traceparent", tp)
                .send()
                .await
                .expect("call");
            response.text().await.expect("body")
        });
        let p: Vec<&str> = body.split(' ').collect();
        assert_eq!(p.len(), 4, "{body}");
        let sent: Vec<&str> = p[3].split('-').collect();
        assert_eq!(sent.len(), 4, "{body}");
        Seen {
            handler: (p[0].to_owned(), p[1].to_owned(), p[2] == "true"),
            sent: (sent[1].to_owned(), sent[3].to_owned()),
        }
    }
}

/// `baton::init` as an application calls it, with `env`, `sampler` when given, and the
/// spans kept by `ended`.
fn init(env: &[(&str, &str)], sampler: Option<Counting>, ended: &Ended) -> baton::Guard {
    let mut vars = vec![
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_METRICS_EXPORTER", "none"),
    ];
    vars.extend_from_slice(env);
    let mut builder = baton::Builder::from_env_map(vars)
        .span_processor(ended.clone())
        .tracing_subscriber(false);
    if let Some(sampler) = sampler {
        builder = builder.sampler(sampler);
    }
    builder.build().expect("init")
}

/// The server span ended, in the caller's trace, with the caller's span as parent.
fn assert_server_span_under_the_caller(spans: &[(String, String, String)]) {
    let server = (
        "GET /call".to_owned(),
        TRACE_ID.to_owned(),
        PARENT_ID.to_owned(),
    );
    assert!(spans.contains(&server), "{spans:?}");
}

#[test]
fn an_unsampled_caller_skips_the_span_only_where_the_sampler_is_known_to_drop_it() {
    let ended = Ended::default();
    let unsampled_seen = Seen {
        handler: (TRACE_ID.to_owned(), PARENT_ID.to_owned(), false),
        sent: (TRACE_ID.to_owned(), "00".to_owned()),
    };

    // The default sampler, parentbased_always_on: declared, skipped.
    let guard = init(&[], None, &ended);
    assert!(global_sampler_parent_based());
    let servers = Servers::start();
    assert_eq!(
        servers.get("00"),
        unsampled_seen,
        "the caller's context, unchanged"
    );
    // A sampled caller is traced: two spans (server, client), so spans do reach `ended`.
    let sampled = servers.get("01");
    assert_eq!(sampled.handler.0, TRACE_ID);
    let spans = ended.wait_for(2);
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert_server_span_under_the_caller(&spans);
    drop(servers);
    drop(guard);

    // A sampler given to the builder: not declared, asked for each span, and its
    // decision (parent-based too, so drop) gives the same outcome.
    let calls = Arc::new(AtomicUsize::new(0));
    let counting = Counting {
        inner: Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        calls: calls.clone(),
    };
    let guard = init(&[], Some(counting), &ended);
    assert!(!global_sampler_parent_based());
    let servers = Servers::start();
    assert_eq!(servers.get("00"), unsampled_seen);
    assert_eq!(
        calls.swap(0, Ordering::Relaxed),
        2,
        "the server span and the client span were offered to the sampler"
    );
    // Declared by the application (its sampler is parent-based). A layer that took the
    // global tracer before the declaration keeps asking (the declaration is read with the
    // tracer, for the provider it holds)...
    baton::exchange::declare_global_sampler_parent_based(true);
    assert_eq!(servers.get("00"), unsampled_seen);
    assert_eq!(
        calls.swap(0, Ordering::Relaxed),
        2,
        "taken before the declaration"
    );
    // ... and one that takes it after skips the server span; the client span (no
    // shortcut on the client side) is still offered.
    let declared = Servers::start();
    assert_eq!(declared.get("00"), unsampled_seen);
    assert_eq!(calls.swap(0, Ordering::Relaxed), 1, "only the client span");
    drop(declared);
    drop(servers);
    drop(guard);
    assert_eq!(
        ended.take(),
        vec![],
        "nothing recorded under the unsampled caller"
    );

    // `always_on` samples under any caller: not declared, so the request is traced.
    let guard = init(&[("OTEL_TRACES_SAMPLER", "always_on")], None, &ended);
    assert!(!global_sampler_parent_based());
    let servers = Servers::start();
    let seen = servers.get("00");
    assert_eq!(seen.handler.0, TRACE_ID);
    assert!(
        seen.handler.2,
        "sampled here although the caller did not: {seen:?}"
    );
    let spans = ended.wait_for(2);
    assert_server_span_under_the_caller(&spans);
    drop(servers);
    drop(guard);

    // parentbased_traceidratio and always_off are declared too.
    for sampler in [
        "parentbased_traceidratio",
        "parentbased_always_off",
        "always_off",
    ] {
        let guard = init(&[("OTEL_TRACES_SAMPLER", sampler)], None, &ended);
        assert!(global_sampler_parent_based(), "{sampler}");
        drop(guard);
    }
}
