//! Several services in one process, as the examples run them: each has its own builder,
//! tracer provider and `service.name`, none touches the globals, and all draw into one
//! shared waterfall while also exporting to one collector.

mod common;

use baton_sdk::waterfall::WaterfallExporter;
use baton_sdk::{Builder, Guard};
use baton_test_support::otlp::Receiver;
use common::capture::SharedBuf;
use common::env;
use opentelemetry::Context;
use opentelemetry::trace::{SpanKind, TraceContextExt, Tracer};

fn service(name: &str, rx: &Receiver, waterfall: &WaterfallExporter) -> Guard {
    Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_SERVICE_NAME", "overridden-by-code"),
    ]))
    .service_name(name)
    .waterfall(waterfall.clone())
    .metrics(false)
    .install_global(false)
    .build()
    .unwrap()
}

#[test]
fn init_services_in_one_process_keep_their_own_names() {
    let rx = Receiver::start();
    let picture = SharedBuf::default();
    let shared = WaterfallExporter::new(picture.clone());
    let names = ["gateway", "auth", "users", "db"];
    let guards: Vec<Guard> = names.iter().map(|n| service(n, &rx, &shared)).collect();

    // gateway -> auth, gateway -> users -> db, in one trace.
    let gateway = guards[0].tracer("gateway");
    let root = gateway
        .span_builder("GET /profile")
        .with_kind(SpanKind::Server)
        .start(&gateway);
    let cx = Context::current_with_span(root);
    for (guard, name) in guards[1..].iter().zip(&names[1..]) {
        let tracer = guard.tracer("svc");
        let _span = tracer
            .span_builder(format!("{name} work"))
            .with_kind(SpanKind::Server)
            .start_with_context(&tracer, &cx);
    }
    cx.span().end();
    let trace_id = cx.span().span_context().trace_id().to_string();
    // Each service's spans wait in its own batch queue; flush them all before the first
    // shutdown, which draws whatever the shared waterfall holds at that moment.
    for guard in &guards {
        guard.tracer_provider().force_flush().unwrap();
    }
    for guard in guards {
        guard.shutdown().unwrap();
    }

    let spans = rx.wait_for_spans(4);
    assert_eq!(spans.len(), 4);
    for name in names {
        let span = spans
            .iter()
            .find(|s| s.resource["service.name"] == name)
            .unwrap_or_else(|| panic!("no span from {name}"));
        assert_eq!(span.trace_id, trace_id);
    }

    // One picture for the trace, with a row per service.
    let text = picture.text();
    assert_eq!(
        text.matches(&format!("trace {trace_id}")).count(),
        1,
        "{text}"
    );
    for row in ["GET /profile", "auth work", "users work", "db work"] {
        let line = text
            .lines()
            .find(|l| l.contains(row) && !l.starts_with("trace "))
            .unwrap_or_else(|| panic!("no row {row:?} in\n{text}"));
        let service = row.split(' ').next().unwrap();
        let service = if service == "GET" { "gateway" } else { service };
        assert!(line.trim_start().starts_with(service), "{line}");
    }
}
