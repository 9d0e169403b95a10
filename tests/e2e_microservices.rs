//! End to end in one process: the example's four services (their own code, from
//! examples/microservices/) on 127.0.0.1, each with its own `service.name` and its own
//! SDK exporting over OTLP/gRPC to a real receiver started here, which decodes the wire
//! format. The example's scripted requests, plus one caller that sends a `traceparent`,
//! must arrive as seven whole traces, each exactly as drawn in `e2e_common/flow.rs`.

#[path = "../examples/microservices/auth.rs"]
mod auth;
#[path = "../examples/microservices/db.rs"]
mod db;
#[path = "../examples/microservices/gateway.rs"]
mod gateway;
#[path = "../examples/microservices/stock.rs"]
mod stock;
#[path = "../examples/microservices/support.rs"]
mod support;
#[path = "../examples/microservices/users.rs"]
mod users;

mod e2e_common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use baton_test_support::otlp::{GRPC_TRANSPORT, Receiver};
use e2e_common::flow;
use support::{Peers, Service};
use tracing_subscriber::layer::SubscriberExt;

const SERVICES: [&str; 4] = ["gateway", "auth", "users", "db"];

/// `tracing` spans join the traces, and events become log records, through the `users`
/// guard's layers, as in the example's `main.rs`. Returns whether this test binary's global
/// subscriber could be installed.
fn install_tracing(guard: &baton::Guard) -> bool {
    let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    tracing::subscriber::set_global_default(subscriber).is_ok()
}

#[test]
fn scripted_flow_arrives_at_the_otlp_receiver_as_connected_traces() {
    let started = Instant::now();
    let receiver = Receiver::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("services runtime");

    let listeners: Vec<tokio::net::TcpListener> = runtime.block_on(async {
        let mut listeners = Vec::new();
        for _ in SERVICES {
            listeners.push(
                tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind a service"),
            );
        }
        listeners
    });
    let urls: Vec<String> = listeners
        .iter()
        .map(|l| format!("http://{}", l.local_addr().expect("service address")))
        .collect();
    let peers = Peers {
        auth: urls[1].clone(),
        users: urls[2].clone(),
        db: urls[3].clone(),
    };

    let mut guards = Vec::new();
    let mut with_tracing = false;
    for (name, listener) in SERVICES.into_iter().zip(listeners) {
        let guard = baton::Builder::from_env_map([
            ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.grpc_url()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".to_owned()),
            ("OTEL_BSP_SCHEDULE_DELAY", "50".to_owned()),
            ("OTEL_BLRP_SCHEDULE_DELAY", "50".to_owned()),
        ])
        .log_writer(std::io::sink())
        .service_name(name)
        .install_global(false)
        .build()
        .expect("telemetry for a service");
        let service = Service::new(
            guard.tracer_provider().clone(),
            guard.meter_provider().clone(),
            peers.clone(),
        )
        .expect("the example's peers are valid URLs");
        if name == "users" {
            with_tracing = install_tracing(&guard);
        }
        let router = match name {
            "gateway" => gateway::router(service),
            "auth" => auth::router(service),
            "users" => users::router(service),
            _ => db::router(service),
        };
        let app = router.into_make_service_with_connect_info::<SocketAddr>();
        runtime.spawn(async move { axum::serve(listener, app).await });
        guards.push(guard);
    }
    // This binary has this one test, so nothing else can have taken the global subscriber.
    assert!(
        with_tracing,
        "the global tracing subscriber could not be installed"
    );

    let linked_trace_id = e2e_common::services::drive(&runtime, &urls[0]);

    // The batch processors export every 50 ms; wait until all spans (including the
    // gateway's background `audit.record`) are there, then shut down, which flushes metrics.
    let expected = flow::span_count(with_tracing);
    receiver.wait_for(
        &format!("{expected} spans"),
        Duration::from_secs(15),
        |spans| spans.len() >= expected,
    );
    // The handlers' log lines: the gateway's for each profile request, users' for each
    // profile loaded, auth's refusal and db's failed query.
    receiver.wait_for_logs(
        "the handlers' log records",
        Duration::from_secs(15),
        |logs| {
            logs.iter().any(|l| l.body == "query failed")
                && logs.iter().filter(|l| l.body == "loading profile").count() >= 3
        },
    );
    for guard in guards {
        guard
            .shutdown()
            .expect("each service flushes its telemetry to the receiver");
    }
    drop(runtime);

    let spans = receiver.spans();
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
    assert!(
        spans.iter().all(|s| s.transport == GRPC_TRANSPORT),
        "every span came over gRPC"
    );
    flow::check(&spans, with_tracing, &linked_trace_id);

    // The tracing span is recorded through the users service's provider, under the scope of
    // baton's `tracing` setup.
    let load_profile: Vec<_> = spans.iter().filter(|s| s.name == "load_profile").collect();
    assert!(
        load_profile.iter().all(|s| s.scope == "baton::tracing"
            && s.service == "users"
            && s.attr("user.id").is_some()),
        "{load_profile:#?}"
    );

    // Every log record names the span it was written in, by id: "loading profile" its
    // `load_profile` span, db's failed query db's failing server span, in that trace.
    let logs = receiver.logs();
    let span_of = |log: &baton_test_support::otlp::Log| {
        spans
            .iter()
            .find(|s| s.span_id == log.span_id && s.trace_id == log.trace_id)
            .unwrap_or_else(|| {
                panic!(
                    "no span {} in trace {}: {log:#?}",
                    log.span_id, log.trace_id
                )
            })
    };
    let loading: Vec<_> = logs
        .iter()
        .filter(|l| l.body == "loading profile")
        .collect();
    assert!(loading.len() >= 3, "{logs:#?}");
    for log in loading {
        let span = span_of(log);
        assert_eq!(span.name, "load_profile");
        assert_eq!(log.attr("user.id"), span.attr("user.id"));
        assert_eq!((log.severity_text.as_str(), log.trace_flags()), ("INFO", 1));
    }
    let failed = logs
        .iter()
        .find(|l| l.body == "query failed")
        .expect("db's error");
    let span = span_of(failed);
    assert_eq!(
        (span.name.as_str(), span.service.as_str()),
        ("POST /query", "db")
    );
    assert_eq!(
        span.status_code, 2,
        "the failing query's server span is an error"
    );
    assert_eq!(failed.severity_text, "ERROR");
    assert_eq!(failed.attr("table"), Some("orders"));
    assert_eq!(failed.attr("id"), Some("13"));

    // Metrics travel the same way: every service's server duration, and the client
    // duration of the two services that call others.
    let metrics = receiver.metric_sources();
    for service in SERVICES {
        assert!(
            metrics.contains(&(
                service.to_owned(),
                "http.server.request.duration".to_owned()
            )),
            "{service} exported http.server.request.duration: {metrics:?}"
        );
    }
    for service in ["gateway", "users"] {
        assert!(
            metrics.contains(&(
                service.to_owned(),
                "http.client.request.duration".to_owned()
            )),
            "{service} exported http.client.request.duration: {metrics:?}"
        );
    }
    eprintln!("e2e_microservices: {:?}", started.elapsed());
}
