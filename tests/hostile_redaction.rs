//! Secrets a hostile or careless peer puts where redaction used to miss them, through real
//! servers and clients on 127.0.0.1: relative and network-path `Location` headers, an
//! upper-case scheme in a captured `Referer`, and a URL with parentheses in a client error
//! message. Each secret must be absent from every exported attribute, event and status.

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use baton::ServerLayer;
use baton::propagation::{CompositePropagator, PropagatorKind};
use baton::reqwest::TracingMiddleware;
use baton::testing::TestTelemetry;
use baton_test_support::loopback::{runtime, serve_axum_on};
use http::HeaderName;

const SIG: &str = "s3cr3t-sig-0b9e";
const AMZ: &str = "s3cr3t-amz-77d1";
const PASSWORD: &str = "hunter2-pw-c4f2";

fn w3c() -> CompositePropagator {
    CompositePropagator::new([PropagatorKind::TraceContext, PropagatorKind::Baggage])
}

/// Everything a span exports as text: attributes, events with theirs, the status.
fn exported(span: &opentelemetry_sdk::trace::SpanData) -> String {
    format!(
        "{:?} {:?} {:?}",
        span.attributes, span.events.events, span.status
    )
}

fn assert_no_secret(text: &str) {
    for secret in [SIG, AMZ, PASSWORD] {
        assert!(!text.contains(secret), "{secret} exported: {text}");
    }
}

#[test]
fn captured_relative_and_network_path_locations_and_upper_case_referers_are_redacted() {
    let t = TestTelemetry::new();
    let app = Router::new()
        .route(
            "/relative",
            get(|| async {
                (
                    http::StatusCode::FOUND,
                    [("location", format!("/download?sig={SIG}&page=2"))],
                )
            }),
        )
        .route(
            "/network-path",
            get(|| async {
                (
                    http::StatusCode::FOUND,
                    [("location", format!("//bucket/k?X-Amz-Signature={AMZ}"))],
                )
            }),
        )
        .layer(
            ServerLayer::new()
                .propagator(w3c())
                .tracer_provider(t.tracer_provider())
                .capture_request_headers([HeaderName::from_static("referer")])
                .capture_response_headers([HeaderName::from_static("location")]),
        );
    let rt = runtime("hostile-redaction", 1);
    let addr = serve_axum_on(&rt, app);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for path in ["/relative", "/network-path"] {
        let referer = format!("HTTPS://alice:{PASSWORD}@app.example/page?sig={SIG}");
        let response = rt
            .block_on(
                client
                    .get(format!("http://{addr}{path}"))
                    .header("referer", referer)
                    .send(),
            )
            .expect("response");
        assert_eq!(response.status(), 302);
    }
    let spans = t.wait_for_spans(2, Duration::from_secs(5));
    let all = spans.all();
    let location = |i: usize| format!("{:?}", all[i].attr("http.response.header.location"));
    assert!(
        location(0).contains("/download?sig=REDACTED&page=2"),
        "{}",
        location(0)
    );
    assert!(
        location(1).contains("//bucket/k?X-Amz-Signature=REDACTED"),
        "{}",
        location(1)
    );
    for span in &all {
        let referer = format!("{:?}", span.attr("http.request.header.referer"));
        assert!(
            referer.contains("HTTPS://REDACTED:REDACTED@app.example/page?sig=REDACTED"),
            "{referer}"
        );
        assert_no_secret(&exported(span.data()));
    }
}

/// reqwest names the URL in its error, in parentheses: `error sending request for url
/// (http://127.0.0.1:PORT/report(1).pdf?sig=…)`. The `)` inside the URL does not end it.
#[test]
fn client_error_messages_with_parentheses_in_the_url_are_redacted() {
    let t = TestTelemetry::new();
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(
            TracingMiddleware::new()
                .propagator(w3c())
                .tracer_provider(t.tracer_provider())
                .meter_provider(t.meter_provider()),
        )
        .build();
    let refused = baton_test_support::loopback::refused();
    let url = format!("http://{refused}/report(1).pdf?sig={SIG}&X-Amz-Signature={AMZ}");
    let rt = runtime("hostile-redaction-client", 1);
    let error = rt
        .block_on(client.get(url.as_str()).send())
        .expect_err("nothing listens there");
    assert!(error.to_string().contains(SIG), "the raw error names it");
    let spans = t.wait_for_spans(1, Duration::from_secs(5));
    let span = spans.all()[0].data().clone();
    let text = exported(&span);
    assert!(
        text.contains("/report(1).pdf?sig=REDACTED&X-Amz-Signature=REDACTED)"),
        "{text}"
    );
    assert_no_secret(&text);
}
