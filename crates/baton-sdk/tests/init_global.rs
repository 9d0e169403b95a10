//! `init`-style installation of the globals. The only test binary that touches them, so
//! nothing else races on the global providers.

mod common;

use std::collections::HashMap;

use baton_sdk::Builder;
use baton_test_support::otlp::Receiver;
use common::{emit_metrics, emit_trace, env};
use opentelemetry::global;
use opentelemetry::trace::{TraceContextExt, Tracer};

#[test]
fn init_installs_tracer_meter_and_propagator_globally() {
    let rx = Receiver::start();
    let guard = Builder::from_env_map(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.grpc_url()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_SERVICE_NAME", "global-service"),
        ("OTEL_PROPAGATORS", "b3"),
    ]))
    .build()
    .unwrap();

    emit_trace(&global::tracer("baton-test"));
    emit_metrics(&*global::meter_provider());
    let tracer = global::tracer("baton-test");
    let headers = tracer.in_span("outbound", |cx| {
        let mut headers = HashMap::new();
        global::get_text_map_propagator(|p| p.inject_context(&cx, &mut headers));
        assert!(cx.span().span_context().is_sampled());
        headers
    });
    assert!(headers.contains_key("b3"), "{headers:?}");
    assert!(!headers.contains_key("traceparent"));

    drop(guard);
    let spans = rx.wait_for_spans(3);
    assert!(
        spans
            .iter()
            .all(|s| s.resource["service.name"] == "global-service")
    );
    rx.wait_for_metric("http.server.request.duration");
}
