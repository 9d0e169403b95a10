//! End to end across processes: the built example binary run as four processes
//! (`microservices --service NAME`), each configured only by `OTEL_*` variables to export
//! over OTLP/HTTP to a real receiver started here. The scripted requests, plus a caller
//! sending its own `traceparent`, must arrive as the same seven whole traces as in one
//! process (`e2e_common/flow.rs`): the trace context and baggage crossed real process
//! boundaries. Each process is stopped with SIGINT, must flush, and must exit 0.
#![cfg(unix)]

mod e2e_common;

use std::time::{Duration, Instant};

use baton_test_support::otlp::{HTTP_TRANSPORT, Receiver};
use e2e_common::flow;
use e2e_common::services::run_scripted_flow;

#[test]
fn services_in_separate_processes_draw_the_same_traces() {
    let receiver = Receiver::start();
    let started = Instant::now();
    let endpoint = receiver.http_url();
    let linked_trace_id = run_scripted_flow(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_PROPAGATORS", "tracecontext,baggage"),
    ]);

    // Every process installs tracing-opentelemetry, so `load_profile` is there; every span
    // was flushed before its process exited.
    let expected = flow::span_count(true);
    receiver.wait_for(
        &format!("{expected} spans"),
        Duration::from_secs(5),
        |spans| spans.len() >= expected,
    );
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
