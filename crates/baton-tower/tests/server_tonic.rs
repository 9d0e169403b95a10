//! The server layer in front of a tonic gRPC server, called by a real tonic client.

mod common;

use common::{Telemetry, attr};
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

#[tokio::test]
async fn traces_grpc_calls() {
    let t = Telemetry::new();
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter.set_serving::<tonic_health::pb::health_server::HealthServer<tonic_health::server::HealthService>>().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let layer = t
        .layer()
        .route(|parts: &http::request::Parts| Some(parts.uri.path().to_owned()));
    tokio::spawn(
        tonic::transport::Server::builder()
            .layer(layer)
            .add_service(health)
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );

    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = HealthClient::new(channel);
    let reply = client
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap();
    assert_eq!(reply.into_inner().status, 1, "SERVING");
    let unknown = client
        .check(HealthCheckRequest {
            service: "nope".into(),
        })
        .await;
    assert!(
        unknown.is_err(),
        "an unknown service is a gRPC error (NOT_FOUND) in an HTTP 200"
    );

    let spans = t.wait_for_spans(2).await;
    t.wait_until("both requests to end", |t| t.active_requests() == 0)
        .await;
    let span = &spans[0];
    assert_eq!(span.name, "POST /grpc.health.v1.Health/Check");
    assert_eq!(span.span_kind, SpanKind::Server);
    assert_eq!(
        attr(span, "network.protocol.version"),
        Some(Value::from("2"))
    );
    assert_eq!(
        attr(span, "http.response.status_code"),
        Some(Value::I64(200))
    );
    assert_eq!(span.status, Status::Unset);
    assert_eq!(t.active_requests(), 0);
}
