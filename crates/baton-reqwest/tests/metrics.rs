//! `http.client.request.duration` and the opt-in `http.client.active_requests`, including
//! cancelled requests.

mod common;

use baton_reqwest::UrlTemplate;
use baton_sdk::testing::PointValue;
use common::{Server, Telemetry, keys};
use opentelemetry::{KeyValue, Value};
use reqwest_middleware::ClientBuilder;
use std::time::Duration;

/// The duration data points: (sorted attributes, count, bucket bounds).
fn durations(telemetry: &Telemetry) -> Vec<(Vec<KeyValue>, u64, Vec<f64>)> {
    let metrics = telemetry.metrics();
    metrics
        .points("http.client.request.duration")
        .into_iter()
        .map(|p| {
            assert_eq!(p.unit, "s");
            let mut attrs = p.attributes.clone();
            attrs.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
            match &p.value {
                PointValue::Histogram { count, bounds, .. } => (attrs, *count, bounds.clone()),
                other => panic!("unexpected duration data {other:?}"),
            }
        })
        .collect()
}

fn get<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attrs
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

#[tokio::test]
async fn duration_is_recorded_once_per_request_with_the_semconv_attributes() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let port = server.addr.port();
    let client = telemetry.client();

    for _ in 0..2 {
        client
            .get(server.url("/users/7"))
            .with_extension(UrlTemplate::new("/users/{id}"))
            .send()
            .await
            .unwrap();
    }
    client.get(server.url("/status/500")).send().await.unwrap();

    let points = durations(&telemetry);
    assert_eq!(points.len(), 2, "{points:?}");
    let ok = points
        .iter()
        .find(|(a, ..)| get(a, "error.type").is_none())
        .expect("the 200 series");
    assert_eq!(ok.1, 2);
    assert_eq!(
        keys(&ok.0),
        [
            "http.request.method",
            "http.response.status_code",
            "network.protocol.version",
            "server.address",
            "server.port",
            "url.scheme",
            "url.template",
        ]
    );
    assert_eq!(get(&ok.0, "http.request.method"), Some(&Value::from("GET")));
    assert_eq!(
        get(&ok.0, "server.address"),
        Some(&Value::from("127.0.0.1"))
    );
    assert_eq!(
        get(&ok.0, "server.port"),
        Some(&Value::I64(i64::from(port)))
    );
    assert_eq!(get(&ok.0, "url.scheme"), Some(&Value::from("http")));
    assert_eq!(
        get(&ok.0, "http.response.status_code"),
        Some(&Value::I64(200))
    );
    assert_eq!(
        get(&ok.0, "network.protocol.version"),
        Some(&Value::from("1.1"))
    );
    assert_eq!(
        get(&ok.0, "url.template"),
        Some(&Value::from("/users/{id}"))
    );
    assert_eq!(
        ok.2,
        [
            0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
        ],
        "advised buckets"
    );

    let failed = points
        .iter()
        .find(|(a, ..)| get(a, "error.type").is_some())
        .expect("the 500 series");
    assert_eq!(failed.1, 1);
    assert_eq!(get(&failed.0, "error.type"), Some(&Value::from("500")));
    assert_eq!(
        get(&failed.0, "http.response.status_code"),
        Some(&Value::I64(500))
    );
    assert_eq!(get(&failed.0, "url.template"), None);

    assert_eq!(telemetry.active_requests(), 0);
}

#[tokio::test]
async fn active_requests_is_opt_in() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let middleware = baton_reqwest::TracingMiddleware::new()
        .tracer_provider(&telemetry.tracer_provider)
        .meter_provider(&telemetry.meter_provider);
    let client = ClientBuilder::new(common::reqwest_client())
        .with(middleware)
        .build();
    client.get(server.url("/users/7")).send().await.unwrap();
    let metrics = telemetry.metrics();
    assert_eq!(metrics.count("http.client.request.duration"), 1);
    assert!(
        metrics.points("http.client.active_requests").is_empty(),
        "off unless asked for"
    );
    // Asked for (the kit's middleware): recorded, and back to 0 once the request is done.
    telemetry
        .client()
        .get(server.url("/users/7"))
        .send()
        .await
        .unwrap();
    assert_eq!(telemetry.active_requests(), 0);
}

#[tokio::test]
async fn transport_errors_are_counted_with_their_error_type() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let reqwest = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let client = ClientBuilder::new(reqwest)
        .with(telemetry.middleware())
        .build();

    client.get(server.url("/slow")).send().await.unwrap_err();

    let points = durations(&telemetry);
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].1, 1);
    assert_eq!(
        get(&points[0].0, "error.type"),
        Some(&Value::from("timeout"))
    );
    assert_eq!(get(&points[0].0, "http.response.status_code"), None);
    assert_eq!(telemetry.active_requests(), 0);
}

#[tokio::test]
async fn a_request_dropped_mid_flight_is_no_longer_active() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let client = telemetry.client();

    let url = server.url("/slow");
    let request = tokio::spawn(async move { client.get(url).send().await });
    server.wait_for_requests(1).await;
    telemetry.wait_for_active_requests(1).await;

    request.abort();
    let joined = request.await;
    assert!(
        joined.is_err_and(|e| e.is_cancelled()),
        "the request was still in flight when aborted"
    );

    telemetry.wait_for_active_requests(0).await;
    let span = telemetry.wait_for_client_spans(1).await.remove(0);
    assert!(
        span.events.iter().any(|e| e.name == "request cancelled"),
        "{:?}",
        span.events
    );
    assert_eq!(common::attr(&span, "http.response.status_code"), None);
    let points = durations(&telemetry);
    assert_eq!(points.len(), 1);
    assert_eq!(
        points[0].1, 1,
        "the cancelled request's duration is recorded once"
    );
}

#[tokio::test]
async fn without_metrics_nothing_is_recorded() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let client = ClientBuilder::new(common::reqwest_client())
        .with(telemetry.middleware().without_metrics())
        .build();

    client.get(server.url("/")).send().await.unwrap();

    let metrics = telemetry.metrics();
    let names: Vec<&str> = [
        "http.client.request.duration",
        "http.client.active_requests",
    ]
    .into_iter()
    .filter(|n| !metrics.points(n).is_empty())
    .collect();
    assert!(names.is_empty(), "{names:?}");
    assert_eq!(
        telemetry.wait_for_client_spans(1).await.len(),
        1,
        "spans are still recorded"
    );
}
