//! The measured cases: their setup, one request, and shutdown.

use axum::Router;
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::routing::get;
use baton_core::propagation::HeaderExtractor;
use http::header::{HOST, USER_AGENT};
use http::{HeaderName, HeaderValue, Request, Response, Uri};
use http_body_util::BodyExt;
use opentelemetry::context::FutureExt as _;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{
    SpanBuilder, SpanKind, Status, TraceContextExt, Tracer, TracerProvider,
};
use opentelemetry::{Context, KeyValue, global};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracer, SdkTracerProvider};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower::ServiceExt;
use tracing::Dispatch;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;

use crate::export::{CountingExporter, DiscardingMetricExporter};
use crate::minimal::MinimalLayer;

/// A sampled caller (flags `01`): every request of a server case carries one.
pub const TRACEPARENT_SAMPLED: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
/// An unsampled caller (flags `00`): the parent-based sampler drops the server span.
pub const TRACEPARENT_UNSAMPLED: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
/// No caller (the `baton_root*` cases): the request carries no `traceparent`.
pub const NO_TRACEPARENT: &str = "";

/// One measured case.
#[derive(Clone, Copy, Debug)]
pub struct CaseInfo {
    /// The name `per_request` and the benches know it by.
    pub name: &'static str,
    /// Spans exported per request when nothing is dropped.
    pub spans_per_request: u64,
    /// What is measured.
    pub description: &'static str,
}

const fn case(name: &'static str, spans: u64, description: &'static str) -> CaseInfo {
    CaseInfo {
        name,
        spans_per_request: spans,
        description,
    }
}

/// The in-process server cases, in the order the scripts report them.
pub const SERVER_CASES: &[CaseInfo] = &[
    case("bare", 0, "axum router, no layer"),
    case(
        "noop_layer",
        0,
        "axum router with a pass-through layer: what any Router::layer costs (boxed route, boxed body)",
    ),
    case(
        "baton_sampled",
        1,
        "baton ServerLayer, default config (metrics on the global meter provider: none installed, so no-op)",
    ),
    case(
        "baton_sampled_nometrics",
        1,
        "baton ServerLayer .without_metrics(): tracing only",
    ),
    case(
        "baton_unsampled",
        0,
        "baton ServerLayer, default config, caller's traceparent flags 00",
    ),
    case(
        "baton_unsampled_nometrics",
        0,
        "baton ServerLayer .without_metrics(), caller's traceparent flags 00",
    ),
    case(
        "baton_alwaysoff",
        0,
        "baton ServerLayer .without_metrics(), AlwaysOff sampler",
    ),
    case(
        "baton_metrics",
        1,
        "baton ServerLayer with an SDK meter provider (periodic reader, hourly, discarding), sampled",
    ),
    case(
        "baton_metrics_unsampled",
        0,
        "baton ServerLayer with an SDK meter provider (periodic reader, hourly, discarding), flags 00",
    ),
    case(
        "baton_sampled_batonprop",
        1,
        "baton ServerLayer .without_metrics() .propagator(baton's TraceContextPropagator)",
    ),
    case(
        "baton_init_path",
        1,
        "what a service set up by baton::init pays: baton ServerLayer::new().without_metrics() on \
         the global tracer provider, baton's propagator, baton-sdk's BatchProcessor (counts \
         drops) instead of the SDK's, trace ids declared random and the sampler declared \
         parent-based, as baton::init declares them",
    ),
    case(
        "baton_init_path_unsampled",
        0,
        "as baton_init_path, caller's traceparent flags 00",
    ),
    case(
        "baton_given_path",
        1,
        "as baton_init_path, on a provider given to the layer (.tracer_provider), nothing \
         declared: what the layer costs where it cannot know the sampler",
    ),
    case(
        "baton_given_path_unsampled",
        0,
        "as baton_given_path, caller's traceparent flags 00: the sampler decides",
    ),
    case(
        "baton_init_path_metrics",
        1,
        "as baton_init_path, with metrics on an SDK meter provider (periodic reader, hourly, \
         discarding), as baton::init sets them up",
    ),
    case(
        "baton_init_path_metrics_unsampled",
        0,
        "as baton_init_path_metrics, caller's traceparent flags 00",
    ),
    case(
        "baton_init_tracing",
        1,
        "as baton_init_path, plus everything baton::init sets up for `tracing` (the registry with \
         the RUST_LOG filter, tracing-opentelemetry, the log lines, the logs bridge); the \
         handler logs nothing",
    ),
    case(
        "baton_init_tracing_info",
        1,
        "as baton_init_tracing, the handler emits one info! (a line with the trace ids, written \
         to a sink, and a log record through baton's LogBatchProcessor to a counting exporter)",
    ),
    case(
        "baton_init_tracing_span",
        2,
        "as baton_init_tracing, the handler enters one info_span! (a span through \
         tracing-opentelemetry)",
    ),
    case(
        "baton_root",
        1,
        "as baton_init_path, no traceparent: the server span is a root",
    ),
    case(
        "baton_root_random",
        1,
        "as baton_root, with trace ids declared random (set_local_trace_ids_random, as \
         baton::init does): the root carries random-trace-id",
    ),
    case(
        "baton_root_unsampled",
        0,
        "as baton_root, AlwaysOff sampler: an unsampled root",
    ),
    case(
        "baton_root_unsampled_random",
        0,
        "as baton_root_unsampled, with trace ids declared random",
    ),
    case(
        "sdk_floor",
        1,
        "no layer: extract (SDK propagator), build a span with a static name and no attributes, attach, end",
    ),
    case(
        "sdk_floor_unsampled",
        0,
        "as sdk_floor, caller's traceparent flags 00",
    ),
    case(
        "sdk_floor_attrs",
        1,
        "as sdk_floor, plus baton's attribute set (8 at start, status code, body size, status)",
    ),
    case(
        "sdk_floor_batonprop",
        1,
        "as sdk_floor, extracting with baton's TraceContextPropagator (not through the global)",
    ),
    case(
        "sdk_floor_batonprop_unsampled",
        0,
        "as sdk_floor_batonprop, caller's traceparent flags 00",
    ),
    case(
        "sdk_floor_attrs_batonprop",
        1,
        "as sdk_floor_attrs, extracting with baton's TraceContextPropagator",
    ),
    case(
        "sdk_floor_attrs_batonprop_unsampled",
        0,
        "as sdk_floor_attrs_batonprop, caller's traceparent flags 00",
    ),
    case(
        "minimal_sampled",
        1,
        "a minimal hand-written layer on the SDK (see MinimalLayer)",
    ),
    case(
        "minimal_unsampled",
        0,
        "a minimal hand-written layer on the SDK, flags 00",
    ),
    case(
        "tower_http_sampled",
        1,
        "tower-http TraceLayer (info_span with parent from headers) + tracing-opentelemetry",
    ),
    case(
        "tower_http_unsampled",
        0,
        "tower-http TraceLayer + tracing-opentelemetry, flags 00",
    ),
    case(
        "axum_otel_sampled",
        1,
        "axum-tracing-opentelemetry OtelAxumLayer + tracing-opentelemetry",
    ),
    case(
        "axum_otel_unsampled",
        0,
        "axum-tracing-opentelemetry OtelAxumLayer + tracing-opentelemetry, flags 00",
    ),
    case(
        "otel_tower_sampled",
        1,
        "opentelemetry-instrumentation-tower Layer, metrics off (global tracer provider)",
    ),
    case(
        "otel_tower_unsampled",
        0,
        "opentelemetry-instrumentation-tower Layer, metrics off, flags 00",
    ),
];

/// The client cases: a `reqwest_middleware` client against an untraced loopback server.
pub const CLIENT_CASES: &[CaseInfo] = &[
    case("client_bare", 0, "reqwest-middleware client, no middleware"),
    case(
        "client_baton",
        1,
        "+ baton TracingMiddleware, default config (global meter provider: no-op)",
    ),
    case(
        "client_baton_nometrics",
        1,
        "+ baton TracingMiddleware .without_metrics()",
    ),
    case(
        "client_baton_batonprop",
        1,
        "+ baton TracingMiddleware .without_metrics() .propagator(baton's TraceContextPropagator)",
    ),
    case(
        "client_baton_random",
        1,
        "as client_baton_batonprop, with trace ids declared random (set_local_trace_ids_random, \
         as baton::init does): each root client span carries random-trace-id",
    ),
    case(
        "client_baton_metrics",
        1,
        "+ baton TracingMiddleware with an SDK meter provider (periodic reader, hourly, discarding)",
    ),
    case(
        "client_reqwest_tracing",
        1,
        "+ reqwest-tracing 0.7.1 TracingMiddleware + tracing-opentelemetry (no header injection: \
         0.7.1 has no opentelemetry 0.33 feature)",
    ),
];

/// The case named `name`, server or client.
pub fn case_info(name: &str) -> Option<CaseInfo> {
    SERVER_CASES
        .iter()
        .chain(CLIENT_CASES)
        .find(|c| c.name == name)
        .copied()
}

/// The application every case serves: one route with a path parameter, a static body.
///
/// Call it in-process only after `with_state(())` (the cases do), as `axum::serve` does.
pub fn routes() -> Router {
    Router::new().route("/users/{id}", get(|| async { "hello, world" }))
}

/// [`routes`] whose handler emits one `info!`, or enters one `info_span!`.
fn traced_routes(span: bool) -> Router {
    if span {
        Router::new().route(
            "/users/{id}",
            get(|| async { tracing::info_span!("load_profile").in_scope(|| "hello, world") }),
        )
    } else {
        Router::new().route(
            "/users/{id}",
            get(|| async {
                tracing::info!(user.id = 42, "loading profile");
                "hello, world"
            }),
        )
    }
}

/// What `baton::init` builds, exporting spans and log records to counting exporters and log
/// lines to a sink; the `tracing` layers it would install as a subscriber.
fn init_guard(exporter: CountingExporter) -> (baton_sdk::Guard, Dispatch) {
    let guard = baton_sdk::Builder::from_env_map([("OTEL_METRICS_EXPORTER", "none")])
        .span_exporter(exporter)
        .log_exporter(crate::export::CountingLogExporter::default())
        .log_writer(std::io::sink())
        .install_global(false)
        .build()
        .expect("baton_sdk::Builder");
    let dispatch = Dispatch::new(tracing_subscriber::registry().with(guard.tracing_layer()));
    (guard, dispatch)
}

/// The request of every server case: `GET /users/42` with a host, a user agent and the
/// caller's `traceparent` (none if it is empty), built without allocating header
/// values.
pub fn server_request(traceparent: &'static str) -> Request<Body> {
    let mut request = Request::new(Body::empty());
    *request.uri_mut() = Uri::from_static("/users/42");
    let headers = request.headers_mut();
    headers.insert(HOST, HeaderValue::from_static("localhost:3000"));
    headers.insert(USER_AGENT, HeaderValue::from_static("baton-bench/1.0"));
    if !traceparent.is_empty() {
        headers.insert(
            HeaderName::from_static("traceparent"),
            HeaderValue::from_static(traceparent),
        );
    }
    request
}

fn install_globals() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| global::set_text_map_propagator(TraceContextPropagator::new()));
}

/// A provider exporting through the SDK's batch processor, or through baton-sdk's
/// [`BatchProcessor`](baton_sdk::batch::BatchProcessor) (same defaults) when `baton_batch`.
fn tracer_provider(sampler: Sampler, baton_batch: bool) -> (SdkTracerProvider, Arc<AtomicU64>) {
    let exporter = CountingExporter::new();
    let exported = exporter.counter();
    let builder = SdkTracerProvider::builder().with_sampler(sampler);
    let provider = if baton_batch {
        let options = baton_sdk::batch::BatchOptions::default();
        builder
            .with_span_processor(baton_sdk::batch::BatchProcessor::new(exporter, options))
            .build()
    } else {
        builder.with_batch_exporter(exporter).build()
    };
    (provider, exported)
}

/// An SDK meter provider whose reader collects only at shutdown (the interval is an hour)
/// into an exporter that drops everything: a request pays for recording, nothing else.
fn meter_provider() -> SdkMeterProvider {
    let reader = PeriodicReader::builder(DiscardingMetricExporter)
        .with_interval(Duration::from_secs(3600))
        .build();
    SdkMeterProvider::builder().with_reader(reader).build()
}

/// A `tracing` subscriber that turns spans into OpenTelemetry spans of `provider`.
fn otel_dispatch(provider: &SdkTracerProvider) -> Dispatch {
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("baton-bench"));
    Dispatch::new(tracing_subscriber::registry().with(layer))
}

/// What the `sdk_floor*` cases do around the bare router: the least any layer on the SDK
/// pays per request.
struct Floor {
    tracer: SdkTracer,
    attributes: bool,
    baton_propagator: bool,
}

impl Floor {
    fn start(&self, request: &Request<Body>) -> Context {
        let headers = HeaderExtractor(request.headers());
        let parent = if self.baton_propagator {
            baton_core::propagation::TraceContextPropagator::new().extract(&headers)
        } else {
            global::get_text_map_propagator(|p| p.extract(&headers))
        };
        let mut builder = SpanBuilder::from_name("GET /users/{id}").with_kind(SpanKind::Server);
        if self.attributes {
            builder = builder.with_attributes([
                KeyValue::new("http.request.method", "GET"),
                KeyValue::new("url.scheme", "http"),
                KeyValue::new("url.path", request.uri().path().to_owned()),
                KeyValue::new("http.route", "/users/{id}"),
                KeyValue::new("server.address", "localhost"),
                KeyValue::new("server.port", 3000_i64),
                KeyValue::new("network.protocol.version", "1.1"),
                KeyValue::new("user_agent.original", "baton-bench/1.0".to_owned()),
            ]);
        }
        let span = self.tracer.build_with_context(builder, &parent);
        parent.with_span(span)
    }

    fn end(&self, cx: &Context, status: u16, body_bytes: usize) {
        let span = cx.span();
        if self.attributes {
            span.set_attribute(KeyValue::new(
                "http.response.status_code",
                i64::from(status),
            ));
            span.set_attribute(KeyValue::new("http.response.body.size", body_bytes as i64));
            span.set_status(Status::Unset);
        }
        span.end();
    }
}

enum Kind {
    Server {
        router: Router,
        traceparent: &'static str,
        floor: Option<Floor>,
    },
    Client {
        client: reqwest_middleware::ClientWithMiddleware,
        url: String,
        server: tokio::task::JoinHandle<()>,
    },
}

/// One case, set up: send requests with [`run_one`](Self::run_one), then
/// [`shutdown`](Self::shutdown) to flush the exporter and read its count.
pub struct Bench {
    info: CaseInfo,
    kind: Kind,
    tracer_provider: SdkTracerProvider,
    meter_provider: Option<SdkMeterProvider>,
    exported: Arc<AtomicU64>,
    dispatch: Option<Dispatch>,
    /// The SDK as `baton::init` sets it up, for the `baton_init_tracing*` cases.
    guard: Option<baton_sdk::Guard>,
}

impl Bench {
    /// Sets up the case named `name`, or `None` for an unknown name. Client cases spawn
    /// their loopback server on the current tokio runtime, so call this inside one.
    ///
    /// A case built on `tracing` returns its subscriber from [`dispatch`](Self::dispatch):
    /// the caller installs it (globally, or scoped with `tracing::dispatcher::set_default`).
    /// The `otel_tower_*` cases set the global tracer provider, as that crate reads it.
    pub async fn new(name: &str) -> Option<Bench> {
        install_globals();
        let info = case_info(name)?;
        // One case a process: the declaration is process-wide.
        let init_path = name.starts_with("baton_init_path");
        baton_core::propagation::set_local_trace_ids_random(name.ends_with("_random") || init_path);
        baton_core::exchange::declare_global_sampler_parent_based(init_path);
        let sampler = if name == "baton_alwaysoff" || name.starts_with("baton_root_unsampled") {
            Sampler::AlwaysOff
        } else {
            Sampler::ParentBased(Box::new(Sampler::AlwaysOn))
        };
        let (mut tracer_provider, mut exported) = tracer_provider(
            sampler,
            name.starts_with("baton_init_path")
                || name.starts_with("baton_given_path")
                || name.starts_with("baton_root"),
        );
        let mut meter = None;
        let mut dispatch = None;
        let mut guard = None;
        if name.starts_with("baton_init_tracing") {
            let exporter = CountingExporter::new();
            exported = exporter.counter();
            let (g, d) = init_guard(exporter);
            tracer_provider = g.tracer_provider().clone();
            dispatch = Some(d);
            guard = Some(g);
        }
        let traceparent = if name.starts_with("baton_root") {
            NO_TRACEPARENT
        } else if name.contains("unsampled") {
            TRACEPARENT_UNSAMPLED
        } else {
            TRACEPARENT_SAMPLED
        };
        let tp = &tracer_provider;
        // `with_state` turns every handler into a `Route` once, as `axum::serve` does
        // (`Router::into_make_service`); without it axum rebuilds each route, and applies
        // each layer again, on every request.
        let server = |router: Router| Kind::Server {
            router: router.with_state(()),
            traceparent,
            floor: None,
        };
        let baton = baton_tower::server::ServerLayer::new;
        let kind = match name {
            "bare" => server(routes()),
            "noop_layer" => server(routes().layer(tower::layer::layer_fn(|inner| inner))),
            "baton_sampled" | "baton_unsampled" => {
                server(routes().layer(baton().tracer_provider(tp)))
            }
            "baton_sampled_nometrics" | "baton_unsampled_nometrics" | "baton_alwaysoff" => {
                server(routes().layer(baton().without_metrics().tracer_provider(tp)))
            }
            "baton_metrics" | "baton_metrics_unsampled" => {
                let mp = meter_provider();
                let layer = baton().meter_provider(&mp).tracer_provider(tp);
                meter = Some(mp);
                server(routes().layer(layer))
            }
            "baton_init_path_metrics" | "baton_init_path_metrics_unsampled" => {
                let mp = meter_provider();
                global::set_tracer_provider(tp.clone());
                let layer = baton()
                    .propagator(baton_core::propagation::TraceContextPropagator::new())
                    .meter_provider(&mp);
                meter = Some(mp);
                server(routes().layer(layer))
            }
            "baton_init_path" | "baton_init_path_unsampled" => {
                global::set_tracer_provider(tp.clone());
                let layer = baton()
                    .without_metrics()
                    .propagator(baton_core::propagation::TraceContextPropagator::new());
                server(routes().layer(layer))
            }
            "baton_sampled_batonprop"
            | "baton_given_path"
            | "baton_given_path_unsampled"
            | "baton_root"
            | "baton_root_random"
            | "baton_root_unsampled"
            | "baton_root_unsampled_random" => server(
                routes().layer(
                    baton()
                        .without_metrics()
                        .propagator(baton_core::propagation::TraceContextPropagator::new())
                        .tracer_provider(tp),
                ),
            ),
            "baton_init_tracing" | "baton_init_tracing_info" | "baton_init_tracing_span" => {
                let router = match name {
                    "baton_init_tracing" => routes(),
                    _ => traced_routes(name.ends_with("span")),
                };
                server(
                    router.layer(
                        baton()
                            .without_metrics()
                            .propagator(baton_core::propagation::TraceContextPropagator::new())
                            .tracer_provider(tp),
                    ),
                )
            }
            "sdk_floor"
            | "sdk_floor_unsampled"
            | "sdk_floor_attrs"
            | "sdk_floor_batonprop"
            | "sdk_floor_batonprop_unsampled"
            | "sdk_floor_attrs_batonprop"
            | "sdk_floor_attrs_batonprop_unsampled" => Kind::Server {
                router: routes().with_state(()),
                traceparent,
                floor: Some(Floor {
                    tracer: tp.tracer("baton-bench"),
                    attributes: name.starts_with("sdk_floor_attrs"),
                    baton_propagator: name.contains("batonprop"),
                }),
            },
            "minimal_sampled" | "minimal_unsampled" => {
                server(routes().layer(MinimalLayer::new(tp.tracer("baton-bench"))))
            }
            "tower_http_sampled" | "tower_http_unsampled" => {
                dispatch = Some(otel_dispatch(tp));
                server(routes().layer(tower_http_layer()))
            }
            "axum_otel_sampled" | "axum_otel_unsampled" => {
                dispatch = Some(otel_dispatch(tp));
                server(
                    routes()
                        .layer(axum_tracing_opentelemetry::middleware::OtelAxumLayer::default()),
                )
            }
            "otel_tower_sampled" | "otel_tower_unsampled" => {
                global::set_tracer_provider(tp.clone());
                let layer =
                    opentelemetry_instrumentation_tower::http::server::LayerBuilder::builder()
                        .with_metrics(false)
                        .build()
                        .ok()?;
                server(routes().layer(layer))
            }
            client_case => {
                let builder = reqwest_middleware::ClientBuilder::new(reqwest::Client::new());
                let client = match client_case {
                    "client_bare" => builder.build(),
                    "client_baton" => builder
                        .with(baton_reqwest::TracingMiddleware::new().tracer_provider(tp))
                        .build(),
                    "client_baton_nometrics" => builder
                        .with(
                            baton_reqwest::TracingMiddleware::new()
                                .without_metrics()
                                .tracer_provider(tp),
                        )
                        .build(),
                    "client_baton_batonprop" | "client_baton_random" => builder
                        .with(
                            baton_reqwest::TracingMiddleware::new()
                                .without_metrics()
                                .propagator(baton_core::propagation::TraceContextPropagator::new())
                                .tracer_provider(tp),
                        )
                        .build(),
                    "client_baton_metrics" => {
                        let mp = meter_provider();
                        let middleware = baton_reqwest::TracingMiddleware::new()
                            .meter_provider(&mp)
                            .tracer_provider(tp);
                        meter = Some(mp);
                        builder.with(middleware).build()
                    }
                    "client_reqwest_tracing" => {
                        dispatch = Some(otel_dispatch(tp));
                        builder
                            .with(reqwest_tracing::TracingMiddleware::default())
                            .build()
                    }
                    _ => return None,
                };
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
                let addr = listener.local_addr().ok()?;
                let server = tokio::spawn(async move {
                    let _ = axum::serve(listener, routes()).await;
                });
                Kind::Client {
                    client,
                    url: format!("http://{addr}/users/42"),
                    server,
                }
            }
        };
        Some(Bench {
            info,
            kind,
            tracer_provider,
            meter_provider: meter,
            exported,
            dispatch,
            guard,
        })
    }

    /// The case.
    pub fn info(&self) -> CaseInfo {
        self.info
    }

    /// The `tracing` subscriber this case needs installed, if it is built on `tracing`.
    pub fn dispatch(&self) -> Option<&Dispatch> {
        self.dispatch.as_ref()
    }

    /// Sends one request and collects its response body; returns the body's length.
    ///
    /// # Panics
    ///
    /// If the request fails: a benchmark must not silently measure errors.
    pub async fn run_one(&self) -> usize {
        match &self.kind {
            Kind::Server {
                router,
                traceparent,
                floor,
            } => {
                let request = server_request(traceparent);
                match floor {
                    None => collect(router.clone().oneshot(request).await).await,
                    Some(floor) => {
                        let cx = floor.start(&request);
                        let response = router
                            .clone()
                            .oneshot(request)
                            .with_context(cx.clone())
                            .await;
                        let status = response.as_ref().map_or(0, |r| r.status().as_u16());
                        let len = collect(response).await;
                        floor.end(&cx, status, len);
                        len
                    }
                }
            }
            Kind::Client { client, url, .. } => {
                let response = client.get(url.as_str()).send().await.expect("request");
                assert!(
                    response.status().is_success(),
                    "status {}",
                    response.status()
                );
                response.bytes().await.expect("response body").len()
            }
        }
    }

    /// Shuts the providers down (flushing the batch processor) and returns the number of
    /// spans the exporter received.
    pub fn shutdown(self) -> u64 {
        if let Kind::Client { server, .. } = &self.kind {
            server.abort();
        }
        let _ = self.tracer_provider.shutdown();
        if let Some(mp) = &self.meter_provider {
            let _ = mp.shutdown();
        }
        if let Some(guard) = self.guard {
            // The tracer provider is already shut down; the logs are flushed here.
            let _ = guard.shutdown();
        }
        self.exported.load(Ordering::Relaxed)
    }
}

async fn collect(response: Result<Response<Body>, std::convert::Infallible>) -> usize {
    let Ok(response) = response;
    assert!(
        response.status().is_success(),
        "status {}",
        response.status()
    );
    response
        .into_body()
        .collect()
        .await
        .expect("response body")
        .to_bytes()
        .len()
}

type TowerHttpLayer = tower_http::trace::TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    fn(&Request<Body>) -> tracing::Span,
    (),
    fn(&Response<Body>, Duration, &tracing::Span),
    (),
    (),
>;

/// tower-http's TraceLayer configured the way its docs and tracing-opentelemetry's suggest
/// for OpenTelemetry: an `info` span with `otel.*` fields and the HTTP attributes, its
/// parent read from the headers with the global propagator, the status code recorded on
/// the response; the per-request `DEBUG` events off.
fn tower_http_layer() -> TowerHttpLayer {
    fn make_span(request: &Request<Body>) -> tracing::Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("", MatchedPath::as_str);
        let method = request.method();
        let span = tracing::info_span!(
            "request",
            otel.name = %format_args!("{method} {route}"),
            otel.kind = "server",
            http.request.method = %method,
            url.path = request.uri().path(),
            http.route = route,
            http.response.status_code = tracing::field::Empty,
        );
        let parent =
            global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(request.headers())));
        let _ = span.set_parent(parent);
        span
    }
    fn on_response(response: &Response<Body>, _: Duration, span: &tracing::Span) {
        span.record("http.response.status_code", response.status().as_u16());
    }
    tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(make_span as fn(&Request<Body>) -> tracing::Span)
        .on_request(())
        .on_response(on_response as fn(&Response<Body>, Duration, &tracing::Span))
        .on_body_chunk(())
        .on_eos(())
}
