//! The global `tracing` subscriber `init` installs: events from anywhere in the process
//! become lines (and `log` records too); a later `init` replaces the layers of the first,
//! since the global subscriber itself can be set only once per process.

use baton_test_support::lines::Lines;

/// With `filter` as `RUST_LOG`, or none (the default: `info`, and warnings only from
/// OpenTelemetry's own crates, whose internal logs say "provider installed" at `info`).
fn build(lines: &Lines, filter: Option<&str>) -> baton_sdk::Guard {
    let mut env = vec![
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_METRICS_EXPORTER", "none"),
    ];
    env.extend(filter.map(|f| ("RUST_LOG", f)));
    baton_sdk::Builder::from_env_map(env)
        .log_writer(lines.clone())
        .build()
        .unwrap()
}

#[test]
fn init_installs_the_subscriber_and_a_later_init_replaces_its_layers() {
    let first = Lines::default();
    let guard = build(&first, None);
    assert!(guard.warnings().is_empty(), "{:?}", guard.warnings());
    tracing::info!(n = 1, "from tracing");
    std::thread::spawn(|| log::warn!("from the log crate"))
        .join()
        .unwrap();
    tracing::debug!("below the filter");
    guard.shutdown().unwrap();

    let second = Lines::default();
    let guard = build(&second, Some("debug,opentelemetry=off"));
    tracing::debug!("now kept");
    guard.shutdown().unwrap();

    let first = first.text();
    let lines: Vec<&str> = first.lines().map(|l| &l[27..]).collect();
    assert_eq!(
        lines,
        [
            "  INFO logs_global: from tracing n=1",
            "  WARN logs_global: from the log crate"
        ]
    );
    let second = second.text();
    let lines: Vec<&str> = second.lines().map(|l| &l[27..]).collect();
    assert_eq!(lines, [" DEBUG logs_global: now kept"]);

    // tracing-opentelemetry is reachable through the installed subscriber (and still after
    // a later init replaced its parts): `set_parent` makes a `tracing` span continue a
    // remote trace, as tower-http's TraceLayer users do.
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let third = Lines::default();
    let guard = build(&third, None);
    let remote = opentelemetry::Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    ));
    let span = tracing::info_span!("handle");
    assert!(
        span.set_parent(remote).is_ok(),
        "tracing-opentelemetry found"
    );
    let context = span.context();
    assert_eq!(
        context.span().span_context().trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    span.in_scope(|| tracing::info!("inside"));
    drop(span);
    guard.shutdown().unwrap();
    let text = third.text();
    assert!(
        text.contains(
            "INFO logs_global: inside trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id="
        ),
        "{text}"
    );
}
