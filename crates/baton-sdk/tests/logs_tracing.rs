//! `tracing` through baton's layers, composed into a subscriber of the test's own: spans
//! nest under the current OpenTelemetry span (and client spans under them), and every log
//! line names the trace and span of the current context, by exact value.

use baton_sdk::logs::LogFormat;
use baton_sdk::testing::SpanCollector;
use baton_test_support::lines::Lines;
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer,
};
use opentelemetry::{Context, trace::Span as _};
use tracing_subscriber::layer::SubscriberExt;

fn guard(format: LogFormat, spans: &SpanCollector, lines: &Lines) -> baton_sdk::Guard {
    baton_sdk::Builder::from_env_map([
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_LOGS_EXPORTER", "none"),
        ("RUST_LOG", "info,logs_tracing::quiet=warn"),
    ])
    .span_exporter(spans.clone())
    .log_format(format)
    .log_writer(lines.clone())
    .install_global(false)
    .build()
    .unwrap()
}

/// The line without its timestamp (`2026-…Z`, 27 characters).
fn untimed(line: &str) -> &str {
    assert_eq!(line.as_bytes()[10], b'T', "{line}");
    &line[27..]
}

#[test]
fn tracing_spans_nest_under_the_current_span_and_client_spans_under_them() {
    let (spans, lines) = (SpanCollector::default(), Lines::default());
    let guard = guard(LogFormat::Text, &spans, &lines);
    let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    let tracer = guard.tracer("test");
    tracing::subscriber::with_default(subscriber, || {
        let server = tracer
            .span_builder("GET /users/{id}")
            .with_kind(SpanKind::Server)
            .start(&tracer);
        let cx = Context::current_with_span(server);
        let _attached = cx.clone().attach();
        tracing::info!(user.id = 7, "in the handler");
        {
            let span = tracing::info_span!("load_profile", user.id = 7);
            let _entered = span.enter();
            tracing::info!(rows = 3_u64, cached = false, "loading profile");
            tracing::info!(target: "logs_tracing::quiet", "filtered out by RUST_LOG");
            let mut client = tracer
                .span_builder("GET")
                .with_kind(SpanKind::Client)
                .start(&tracer);
            client.end();
        }
        cx.span().end();
    });
    guard.shutdown().unwrap();

    let exported = spans.spans();
    let server = exported.named("GET /users/{id}");
    let load = exported.named("load_profile");
    let client = exported.named("GET");
    load.assert_child_of(&server);
    client.assert_child_of(&load);
    assert_eq!(load.attr("user.id"), Some(7_i64.into()));

    let lines = lines.lines();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(
        untimed(&lines[0]),
        format!(
            "  INFO logs_tracing: in the handler user.id=7 trace_id={} span_id={}",
            server.trace_id(),
            server.span_id()
        )
    );
    assert_eq!(
        untimed(&lines[1]),
        format!(
            "  INFO logs_tracing: loading profile rows=3 cached=false trace_id={} span_id={}",
            load.trace_id(),
            load.span_id()
        )
    );
}

#[test]
fn an_unsampled_callers_context_gives_the_callers_ids_in_json() {
    let (spans, lines) = (SpanCollector::default(), Lines::default());
    let guard = guard(LogFormat::Json, &spans, &lines);
    let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    let caller = SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::default(),
        true,
        TraceState::default(),
    );
    tracing::subscriber::with_default(subscriber, || {
        tracing::warn!("before any request");
        let _attached = Context::new().with_remote_span_context(caller).attach();
        tracing::warn!(
            user.id = 7,
            path = "/a \"b\"",
            ratio = 0.5,
            "quota \"low\"\n"
        );
    });
    guard.shutdown().unwrap();
    assert!(spans.spans().is_empty(), "nothing sampled");
    let lines = lines.lines();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let (stamp, rest) = lines[0].split_at(43);
    assert!(
        stamp.starts_with("{\"timestamp\":\"20") && stamp.ends_with("Z\","),
        "{stamp}"
    );
    assert_eq!(
        rest,
        r#""level":"WARN","severity_number":13,"target":"logs_tracing","message":"before any request"}"#
    );
    assert_eq!(
        &lines[1][43..],
        r#""level":"WARN","severity_number":13,"target":"logs_tracing","message":"quota \"low\"\n","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"00","attributes":{"user.id":7,"path":"/a \"b\"","ratio":0.5}}"#
    );
}

/// The `RUST_LOG` filter is a per-layer filter on baton's layers: the user's own layers of
/// the same subscriber still see every event.
#[test]
fn the_filter_applies_to_batons_layers_only() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Count(std::sync::Arc<AtomicUsize>);
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Count {
        fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
    let (spans, lines) = (SpanCollector::default(), Lines::default());
    let guard = guard(LogFormat::Text, &spans, &lines);
    let seen = std::sync::Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry()
        .with(guard.tracing_layer())
        .with(Count(seen.clone()));
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("kept by both");
        tracing::debug!("below RUST_LOG=info: the user's layer only");
    });
    guard.shutdown().unwrap();
    assert_eq!(seen.load(Ordering::Relaxed), 2);
    assert_eq!(lines.lines().len(), 1, "{:?}", lines.lines());
}

/// `OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT` cuts a record's body and string attributes
/// (on a character boundary) before it is queued; other values are kept.
#[test]
fn log_record_values_are_cut_to_the_limit() {
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::logs::{LogBatch, LogExporter};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Debug, Default)]
    struct Collect(Arc<Mutex<Vec<String>>>);
    impl LogExporter for Collect {
        async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
            for (record, _) in batch.iter() {
                let mut parts = vec![format!("{:?}", record.body())];
                parts.extend(
                    record
                        .attributes_iter()
                        .filter(|(k, _)| !k.as_str().starts_with("code."))
                        .map(|(k, v)| format!("{k}={v:?}")),
                );
                self.0.lock().unwrap().push(parts.join(" "));
            }
            Ok(())
        }
    }
    let records = Collect::default();
    let guard = baton_sdk::Builder::from_env_map([
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "6"),
    ])
    .log_exporter(records.clone())
    .log_writer(std::io::sink())
    .install_global(false)
    .build()
    .unwrap();
    let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(token = "ééééé-long", n = 123_456_789, "a long message");
    });
    guard.shutdown().unwrap();
    assert_eq!(
        *records.0.lock().unwrap(),
        [r#"Some(String(Owned("a long"))) token=String(Owned("ééé")) n=Int(123456789)"#]
    );
}

/// `console` for logs draws records in the traces' waterfall: asked for while traces go
/// elsewhere, it says what it amounts to; by default it says nothing.
#[test]
fn console_logs_without_a_waterfall_are_explained() {
    let build = |pairs: &[(&str, &str)]| {
        baton_sdk::Builder::from_env_map(pairs.to_vec())
            .install_global(false)
            .build()
            .unwrap()
    };
    let asked = build(&[
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_LOGS_EXPORTER", "console"),
    ]);
    assert_eq!(
        asked.warnings(),
        [
            "OTEL_LOGS_EXPORTER=console: traces are not drawn in the terminal, so log records are \
          not drawn either; the log lines on standard error are the console output"
        ]
    );
    assert!(asked.logger_provider().is_none());
    let default = build(&[
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_METRICS_EXPORTER", "none"),
    ]);
    assert!(default.warnings().is_empty(), "{:?}", default.warnings());
}
