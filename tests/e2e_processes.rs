//! End to end across processes: the built example binary run as four processes
//! (`microservices --service NAME`), each configured only by `OTEL_*` variables to export
//! over OTLP/HTTP to a real receiver started here. The scripted requests, plus a caller
//! sending its own `traceparent`, must arrive as the same seven whole traces as in one
//! process (`e2e_common/flow.rs`): the trace context and baggage crossed real process
//! boundaries. Each process is stopped with SIGINT, must flush, and must exit 0.
#![cfg(unix)]

#[path = "../examples/microservices/script.rs"]
mod script;

mod e2e_common;

use std::time::{Duration, Instant};

use baton_test_support::otlp::{HTTP_TRANSPORT, Receiver};
use e2e_common::flow;
use e2e_common::process::{Processes, example_service};

#[test]
fn services_in_separate_processes_draw_the_same_traces() {
    let receiver = Receiver::start();
    // Build (or check) the example before the clock starts.
    let _ = e2e_common::process::example_binary();
    let started = Instant::now();
    let endpoint = receiver.http_url();
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("OTEL_PROPAGATORS", "tracecontext,baggage"),
    ];
    let limit = Duration::from_secs(20);
    let mut processes = Processes::default();
    let db = processes.start("db", example_service("db", &[], &env), limit);
    let auth = processes.start("auth", example_service("auth", &[], &env), limit);
    let users = processes.start(
        "users",
        example_service("users", &[("--db", &db)], &env),
        limit,
    );
    let gateway = processes.start(
        "gateway",
        example_service("gateway", &[("--auth", &auth), ("--users", &users)], &env),
        limit,
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    runtime
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(20), script::run(&gateway)).await
        })
        .expect("the script finishes within 20 s")
        .expect("every scripted request gets the status the script expects");
    let linked_trace_id = runtime
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(10), flow::send_linked_request(&gateway)).await
        })
        .expect("the linked request finishes within 10 s");

    // Every process installs tracing-opentelemetry, so `load_profile` is there.
    let expected = flow::span_count(true);
    receiver.wait_for(
        &format!("{expected} spans"),
        Duration::from_secs(15),
        |spans| spans.len() >= expected,
    );
    for (name, status) in processes.interrupt_all(Duration::from_secs(15)) {
        assert!(
            status.is_some_and(|s| s.success()),
            "{name} should shut down cleanly on SIGINT and exit 0, got {status:?}"
        );
    }

    let spans = receiver.spans();
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
    assert!(
        spans.iter().all(|s| s.transport == HTTP_TRANSPORT),
        "every span came over OTLP/HTTP"
    );
    flow::check(&spans, true, &linked_trace_id);
    // Shutting down flushed each process's metrics too.
    let metrics = receiver.metric_sources();
    for service in ["gateway", "auth", "users", "db"] {
        assert!(
            metrics.contains(&(
                service.to_owned(),
                "http.server.request.duration".to_owned()
            )),
            "{service} exported http.server.request.duration when it shut down: {metrics:?}"
        );
    }
    eprintln!(
        "e2e_processes: {:?} after the build check",
        started.elapsed()
    );
}
