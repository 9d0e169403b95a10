//! `tracing` spans inside a handler become children of the server span through
//! tracing-opentelemetry, whatever the level filter says about baton's own spans (baton
//! creates no `tracing` span). Its own test binary: it installs a global subscriber.

mod common;

use axum::Router;
use axum::routing::get;
use common::{Telemetry, get as get_request, send, serve_axum};
use opentelemetry::trace::TracerProvider;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::test]
async fn tracing_spans_in_handlers_are_children_of_the_server_span() {
    let t = Telemetry::new();
    let otel = tracing_opentelemetry::layer().with_tracer(t.tracer_provider.tracer("app"));
    // Only INFO and above pass: the handler's span is INFO.
    let filter = tracing_subscriber::filter::LevelFilter::INFO;
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(otel).with(filter))
        .unwrap();

    let router = Router::new()
        .route(
            "/work",
            get(|| async {
                let span = tracing::info_span!("load_user");
                let _entered = span.enter();
                tracing::debug_span!("filtered_out").in_scope(|| ());
                "done"
            }),
        )
        .layer(t.layer());
    let addr = serve_axum(router).await;
    send(addr, get_request(addr, "/work", &[])).await;

    let spans = t.wait_for_spans(2).await;
    let server = spans.iter().find(|s| s.name == "GET /work").unwrap();
    let inner = spans.iter().find(|s| s.name == "load_user").unwrap();
    assert_eq!(inner.parent_span_id, server.span_context.span_id());
    assert_eq!(
        inner.span_context.trace_id(),
        server.span_context.trace_id()
    );
    assert!(spans.iter().all(|s| s.name != "filtered_out"));
}
