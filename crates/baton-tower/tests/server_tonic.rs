//! The server layer in front of a real tonic gRPC server on 127.0.0.1, called by a real
//! tonic client: calls traced by the RPC semantic conventions v1.44.0 for gRPC, plain HTTP
//! on the same server by the HTTP conventions.

mod common;
mod grpc_echo;

use common::{Telemetry, attr};
use grpc_echo::{EchoClient, Msg};
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::trace::SpanData;
use std::net::SocketAddr;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

async fn serve(t: &Telemetry) -> SocketAddr {
    grpc_echo::serve(t.layer()).await
}

async fn channel(addr: SocketAddr) -> Channel {
    grpc_echo::channel(addr).await
}

/// The attributes of a gRPC server span, sorted, without the peer's (ephemeral) port.
fn grpc_attributes(span: &SpanData) -> Vec<(String, Value)> {
    let mut attrs: Vec<_> = span
        .attributes
        .iter()
        .filter(|kv| kv.key.as_str() != "network.peer.port")
        .map(|kv| (kv.key.to_string(), kv.value.clone()))
        .collect();
    attrs.sort_by(|a, b| a.0.cmp(&b.0));
    attrs
}

fn expected(addr: SocketAddr, method: &str, code: &str, error: bool) -> Vec<(String, Value)> {
    let mut attrs = vec![
        ("network.peer.address".to_owned(), Value::from("127.0.0.1")),
        ("rpc.method".to_owned(), Value::from(method.to_owned())),
        (
            "rpc.response.status_code".to_owned(),
            Value::from(code.to_owned()),
        ),
        ("rpc.system.name".to_owned(), Value::from("grpc")),
        ("server.address".to_owned(), Value::from("127.0.0.1")),
        ("server.port".to_owned(), Value::I64(i64::from(addr.port()))),
    ];
    if error {
        attrs.push(("error.type".to_owned(), Value::from(code.to_owned())));
    }
    attrs.sort_by(|a, b| a.0.cmp(&b.0));
    attrs
}

fn span_named<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name} in {:?}", common::names(spans)))
}

/// The `rpc.server.call.duration` point with these attributes (sorted `key=value` list).
fn duration_points(t: &Telemetry) -> Vec<Vec<String>> {
    let metrics = t.metrics();
    let mut points: Vec<Vec<String>> = metrics
        .points("rpc.server.call.duration")
        .iter()
        .map(|p| {
            assert_eq!(p.unit, "s");
            let mut attrs: Vec<String> = p
                .attributes
                .iter()
                .map(|kv| format!("{}={}", kv.key, kv.value))
                .collect();
            attrs.sort();
            attrs
        })
        .collect();
    points.sort();
    points
}

#[tokio::test]
async fn unary_calls_ok_not_found_and_internal_by_the_rpc_conventions() {
    let t = Telemetry::new();
    let addr = serve(&t).await;
    let channel = channel(addr).await;
    let mut health = HealthClient::new(channel.clone());
    let reply = health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap();
    assert_eq!(reply.into_inner().status, 1, "SERVING");
    let unknown = health
        .check(HealthCheckRequest {
            service: "nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    let mut echo = EchoClient::new(channel);
    let internal = echo
        .unary(tonic::Request::new(Msg::new(Code::Internal, "boom", 0)))
        .await
        .unwrap_err();
    assert_eq!(internal.code(), Code::Internal);

    let spans = t.wait_for_spans(3).await;
    let ok = &spans[0];
    assert_eq!(ok.name, "grpc.health.v1.Health/Check");
    assert_eq!(ok.span_kind, SpanKind::Server);
    assert_eq!(
        grpc_attributes(ok),
        expected(addr, "grpc.health.v1.Health/Check", "OK", false)
    );
    assert!(attr(ok, "network.peer.port").is_some());
    assert_eq!(ok.status, Status::Unset);

    // NOT_FOUND is the caller's error, not the server's: no error.type, status unset.
    let not_found = &spans[1];
    assert_eq!(
        grpc_attributes(not_found),
        expected(addr, "grpc.health.v1.Health/Check", "NOT_FOUND", false)
    );
    assert_eq!(not_found.status, Status::Unset);

    let internal = span_named(&spans, "baton.test.Echo/Unary");
    assert_eq!(
        grpc_attributes(internal),
        expected(addr, "baton.test.Echo/Unary", "INTERNAL", true)
    );
    assert_eq!(internal.status, Status::error("boom asked for"));

    t.wait_until("three durations", |t| {
        t.metrics().count("rpc.server.call.duration") == 3
    })
    .await;
    assert_eq!(
        duration_points(&t),
        vec![
            vec![
                "error.type=INTERNAL".to_owned(),
                "rpc.method=baton.test.Echo/Unary".to_owned(),
                "rpc.response.status_code=INTERNAL".to_owned(),
                "rpc.system.name=grpc".to_owned(),
            ],
            vec![
                "rpc.method=grpc.health.v1.Health/Check".to_owned(),
                "rpc.response.status_code=NOT_FOUND".to_owned(),
                "rpc.system.name=grpc".to_owned(),
            ],
            vec![
                "rpc.method=grpc.health.v1.Health/Check".to_owned(),
                "rpc.response.status_code=OK".to_owned(),
                "rpc.system.name=grpc".to_owned(),
            ],
        ]
    );
    let metrics = t.metrics();
    assert!(metrics.points("http.server.request.duration").is_empty());
    let point = metrics.points("rpc.server.call.duration")[0];
    assert!(matches!(
        &point.value,
        baton_sdk::testing::PointValue::Histogram { bounds, .. }
            if bounds == &[0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0]
    ));
    // No HTTP attribute on a gRPC span.
    assert!(
        spans.iter().all(|s| s
            .attributes
            .iter()
            .all(|kv| !kv.key.as_str().starts_with("http."))),
        "{spans:?}"
    );
}

#[tokio::test]
async fn a_server_stream_ends_at_its_trailers_with_their_status() {
    let t = Telemetry::new();
    let addr = serve(&t).await;
    let mut echo = EchoClient::new(channel(addr).await);
    let mut received = Vec::new();
    let mut stream = echo
        .server_stream(tonic::Request::new(Msg::new(Code::Ok, "tick", 4)))
        .await
        .unwrap()
        .into_inner();
    while let Some(msg) = stream.message().await.unwrap() {
        received.push(msg.count);
    }
    assert_eq!(received, [1, 2, 3, 4]);
    let mut failing = echo
        .server_stream(tonic::Request::new(Msg::new(Code::DataLoss, "lost", 2)))
        .await
        .unwrap()
        .into_inner();
    assert!(failing.message().await.unwrap().is_some());
    assert!(failing.message().await.unwrap().is_some());
    assert_eq!(failing.message().await.unwrap_err().code(), Code::DataLoss);

    let spans = t.wait_for_spans(2).await;
    let ok = &spans[0];
    assert_eq!(ok.name, "baton.test.Echo/ServerStream");
    // The head (HTTP 200, no grpc-status) went out at once; OK came in the trailers, after
    // four messages 5 ms apart: the span covers them all.
    assert_eq!(
        grpc_attributes(ok),
        expected(addr, "baton.test.Echo/ServerStream", "OK", false)
    );
    let lasted = ok.end_time.duration_since(ok.start_time).unwrap();
    assert!(lasted >= std::time::Duration::from_millis(20), "{lasted:?}");
    assert_eq!(ok.status, Status::Unset);
    assert!(ok.events.is_empty(), "{:?}", ok.events);

    let lost = &spans[1];
    assert_eq!(
        grpc_attributes(lost),
        expected(addr, "baton.test.Echo/ServerStream", "DATA_LOSS", true)
    );
    assert_eq!(lost.status, Status::error("lost asked for"));
}

#[tokio::test]
async fn an_unknown_method_is_other_in_the_metric_and_plain_http_keeps_the_http_conventions() {
    let t = Telemetry::new();
    let addr = serve(&t).await;
    let mut echo = EchoClient::new(channel(addr).await);
    let missing = echo
        .missing(tonic::Request::new(Msg::new(Code::Ok, "x", 0)))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::Unimplemented);
    let (response, body) = common::send(addr, common::get(addr, "/plain", &[])).await;
    assert_eq!(
        (response.status().as_u16(), &body[..]),
        (200, &b"plain"[..])
    );

    let spans = t.wait_for_spans(2).await;
    // The span keeps the method it started with (the sampler saw it); the metric does not.
    let unknown = span_named(&spans, "baton.test.Echo/Missing");
    assert_eq!(
        attr(unknown, "rpc.method"),
        Some(Value::from("baton.test.Echo/Missing"))
    );
    assert_eq!(
        attr(unknown, "rpc.response.status_code"),
        Some(Value::from("UNIMPLEMENTED"))
    );
    assert_eq!(
        attr(unknown, "error.type"),
        Some(Value::from("UNIMPLEMENTED"))
    );
    assert_eq!(unknown.status, Status::error("no such method"));

    let plain = span_named(&spans, "GET");
    assert_eq!(attr(plain, "http.request.method"), Some(Value::from("GET")));
    assert_eq!(
        attr(plain, "http.response.status_code"),
        Some(Value::I64(200))
    );
    assert_eq!(attr(plain, "url.path"), Some(Value::from("/plain")));
    assert_eq!(attr(plain, "rpc.system.name"), None);

    t.wait_until("both metrics", |t| {
        let m = t.metrics();
        m.count("rpc.server.call.duration") == 1 && m.count("http.server.request.duration") == 1
    })
    .await;
    let metrics = t.metrics();
    let point = metrics.points("rpc.server.call.duration")[0];
    assert!(point.has_attr("rpc.method", "_OTHER"), "{point:?}");
    assert!(
        !point
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "rpc.method_original"),
        "{point:?}"
    );
    assert_eq!(t.active_requests(), 0);
}
