//! The gRPC client layer around a real tonic channel, calling a real tonic server on
//! 127.0.0.1 traced by the server layer: client spans and metrics by the RPC semantic
//! conventions v1.44.0, context through gRPC metadata, the allow-list honoured, and the
//! ends of calls (server down, deadline, cancelled stream, client streaming, bidi).

mod common;
mod grpc_echo;

use baton_core::exchange::ClientTracing;
use baton_tower::client::{GrpcClientLayer, GrpcClientService};
use common::{Telemetry, attr};
use grpc_echo::{EchoClient, Msg, client_tracing};
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::trace::{SdkTracer, SpanData};
use std::net::SocketAddr;
use std::time::Duration;
use tonic::Code;
use tonic::transport::Channel;

type Traced = GrpcClientService<Channel, SdkTracer>;

/// A traced client for the endpoint `http://{addr}` (connected lazily, so a server that
/// is down fails the call, not the setup).
fn client(tracing: ClientTracing<SdkTracer>, addr: SocketAddr) -> EchoClient<Traced> {
    let endpoint: http::Uri = format!("http://{addr}").parse().unwrap();
    let layer = GrpcClientLayer::new(tracing, &endpoint).unwrap();
    let channel = tonic::transport::Endpoint::from(endpoint).connect_lazy();
    EchoClient::new(tower::Layer::layer(&layer, channel))
}

/// A span's attributes, sorted, without the peer's ephemeral port.
fn sorted(span: &SpanData) -> Vec<(String, String)> {
    let mut attrs: Vec<_> = span
        .attributes
        .iter()
        .filter(|kv| kv.key.as_str() != "network.peer.port")
        .map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .collect();
    attrs.sort();
    attrs
}

fn client_attrs(addr: SocketAddr, method: &str, code: &str) -> Vec<(String, String)> {
    let mut attrs = vec![
        ("rpc.method".to_owned(), method.to_owned()),
        ("rpc.response.status_code".to_owned(), code.to_owned()),
        ("rpc.system.name".to_owned(), "grpc".to_owned()),
        ("server.address".to_owned(), "127.0.0.1".to_owned()),
        ("server.port".to_owned(), addr.port().to_string()),
    ];
    if code != "OK" {
        attrs.push(("error.type".to_owned(), code.to_owned()));
    }
    attrs.sort();
    attrs
}

fn of_kind(spans: &[SpanData], kind: SpanKind) -> Vec<&SpanData> {
    spans.iter().filter(|s| s.span_kind == kind).collect()
}

fn assert_parent(server: &SpanData, client: &SpanData) {
    assert_eq!(
        server.span_context.trace_id(),
        client.span_context.trace_id()
    );
    assert_eq!(server.parent_span_id, client.span_context.span_id());
}

/// The sorted `key=value` attribute lists of every `rpc.client.call.duration` point.
fn client_durations(t: &Telemetry) -> Vec<Vec<String>> {
    let mut points: Vec<Vec<String>> = t
        .metrics()
        .points("rpc.client.call.duration")
        .iter()
        .map(|p| {
            let mut a: Vec<String> = p
                .attributes
                .iter()
                .map(|kv| format!("{}={}", kv.key, kv.value))
                .collect();
            a.sort();
            a
        })
        .collect();
    points.sort();
    points
}

#[tokio::test]
async fn unary_calls_carry_the_target_and_the_context_through_metadata() {
    let t = Telemetry::new();
    let addr = grpc_echo::serve(t.layer()).await;
    let mut echo = client(client_tracing(&t), addr);
    let reply = echo
        .unary(tonic::Request::new(Msg::new(Code::Ok, "hi", 0)))
        .await
        .unwrap();
    assert_eq!(reply.into_inner().text, "hi");
    let err = echo
        .unary(tonic::Request::new(Msg::new(Code::NotFound, "who", 0)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);

    let spans = t.wait_for_spans(4).await;
    let clients = of_kind(&spans, SpanKind::Client);
    let servers = of_kind(&spans, SpanKind::Server);
    assert_eq!((clients.len(), servers.len()), (2, 2), "{spans:?}");
    let ok = clients
        .iter()
        .find(|s| attr(s, "rpc.response.status_code") == Some(Value::from("OK")))
        .unwrap();
    assert_eq!(ok.name, "baton.test.Echo/Unary");
    assert_eq!(
        sorted(ok),
        client_attrs(addr, "baton.test.Echo/Unary", "OK")
    );
    assert_eq!(ok.status, Status::Unset);
    let not_found = clients
        .iter()
        .find(|s| attr(s, "rpc.response.status_code") == Some(Value::from("NOT_FOUND")))
        .unwrap();
    // Every code but OK is an error on a client (NOT_FOUND is not one on the server).
    assert_eq!(
        sorted(not_found),
        client_attrs(addr, "baton.test.Echo/Unary", "NOT_FOUND")
    );
    assert_eq!(not_found.status, Status::error("who asked for"));
    for (server, client) in [(servers[0], clients[0]), (servers[1], clients[1])] {
        let client = clients
            .iter()
            .find(|c| c.span_context.span_id() == server.parent_span_id)
            .unwrap_or_else(|| panic!("server span {server:?} has no client parent ({client:?})"));
        assert_parent(server, client);
        assert_eq!(
            attr(server, "rpc.response.status_code"),
            attr(client, "rpc.response.status_code")
        );
    }
    let server_not_found = servers
        .iter()
        .find(|s| attr(s, "rpc.response.status_code") == Some(Value::from("NOT_FOUND")))
        .unwrap();
    assert_eq!(server_not_found.status, Status::Unset);

    t.wait_until("two client durations", |t| {
        t.metrics().count("rpc.client.call.duration") == 2
    })
    .await;
    let port = format!("server.port={}", addr.port());
    assert_eq!(
        client_durations(&t),
        vec![
            vec![
                "error.type=NOT_FOUND".to_owned(),
                "rpc.method=baton.test.Echo/Unary".to_owned(),
                "rpc.response.status_code=NOT_FOUND".to_owned(),
                "rpc.system.name=grpc".to_owned(),
                "server.address=127.0.0.1".to_owned(),
                port.clone(),
            ],
            vec![
                "rpc.method=baton.test.Echo/Unary".to_owned(),
                "rpc.response.status_code=OK".to_owned(),
                "rpc.system.name=grpc".to_owned(),
                "server.address=127.0.0.1".to_owned(),
                port,
            ],
        ]
    );
    assert!(
        t.metrics()
            .points("http.client.request.duration")
            .is_empty()
    );
}

#[tokio::test]
async fn the_allow_list_decides_whether_the_context_travels() {
    let t = Telemetry::new();
    let addr = grpc_echo::serve(t.layer()).await;
    let mut refused = client(
        client_tracing(&t).propagate_to(|h: &str| h == "elsewhere"),
        addr,
    );
    refused
        .unary(tonic::Request::new(Msg::new(Code::Ok, "a", 0)))
        .await
        .unwrap();
    let spans = t.wait_for_spans(2).await;
    let client = of_kind(&spans, SpanKind::Client)[0].clone();
    let server = of_kind(&spans, SpanKind::Server)[0].clone();
    assert_ne!(
        server.span_context.trace_id(),
        client.span_context.trace_id()
    );
    assert_eq!(server.parent_span_id, opentelemetry::trace::SpanId::INVALID);

    let mut allowed = client_for_host(&t, addr);
    allowed
        .unary(tonic::Request::new(Msg::new(Code::Ok, "b", 0)))
        .await
        .unwrap();
    let spans = t.wait_for_spans(4).await;
    let client = of_kind(&spans, SpanKind::Client)[1].clone();
    let server = of_kind(&spans, SpanKind::Server)[1].clone();
    assert_parent(&server, &client);
}

fn client_for_host(t: &Telemetry, addr: SocketAddr) -> EchoClient<Traced> {
    client(
        client_tracing(t).propagate_to(|h: &str| h == "127.0.0.1"),
        addr,
    )
}

#[tokio::test]
async fn a_server_that_is_down_is_unavailable() {
    let t = Telemetry::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut echo = client(client_tracing(&t), addr);
    let err = echo
        .unary(tonic::Request::new(Msg::new(Code::Ok, "x", 0)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err:?}");

    let spans = t.wait_for_spans(1).await;
    let span = &spans[0];
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(
        sorted(span),
        client_attrs(addr, "baton.test.Echo/Unary", "UNAVAILABLE")
    );
    assert!(
        matches!(span.status, Status::Error { .. }),
        "{:?}",
        span.status
    );
    let exception = span.events.iter().find(|e| e.name == "exception").unwrap();
    assert!(
        exception
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "exception.type" && kv.value.as_str() == "UNAVAILABLE"),
        "{exception:?}"
    );
    t.wait_until("one client duration", |t| {
        t.metrics().count("rpc.client.call.duration") == 1
    })
    .await;
    assert!(client_durations(&t)[0].contains(&"error.type=UNAVAILABLE".to_owned()));
}

#[tokio::test]
async fn a_call_past_its_deadline_is_deadline_exceeded_on_both_sides() {
    let t = Telemetry::new();
    let addr = grpc_echo::serve(t.layer()).await;
    let mut echo = client(client_tracing(&t), addr);
    // The handler sleeps 2 s; the call allows 100 ms (grpc-timeout: tonic's server stops
    // the handler when it runs out).
    let mut request = tonic::Request::new(Msg::new(Code::Ok, "slow", 2000));
    request.set_timeout(Duration::from_millis(100));
    let started = std::time::Instant::now();
    let err = echo.unary(request).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    // tonic reports its own timeout as CANCELLED; the conventions' code is DEADLINE_EXCEEDED.
    assert_eq!(err.code(), Code::Cancelled, "{err:?}");

    let spans = t.wait_for_spans(2).await;
    let client = of_kind(&spans, SpanKind::Client)[0];
    let server = of_kind(&spans, SpanKind::Server)[0];
    assert_eq!(
        sorted(client),
        client_attrs(addr, "baton.test.Echo/Unary", "DEADLINE_EXCEEDED")
    );
    assert_eq!(
        attr(server, "rpc.response.status_code"),
        Some(Value::from("DEADLINE_EXCEEDED"))
    );
    assert_eq!(
        attr(server, "error.type"),
        Some(Value::from("DEADLINE_EXCEEDED"))
    );
    assert!(matches!(server.status, Status::Error { .. }));
    assert_parent(server, client);
}

#[tokio::test]
async fn a_stream_the_client_cancels_is_cancelled() {
    let t = Telemetry::new();
    let addr = grpc_echo::serve(t.layer()).await;
    let mut echo = client(client_tracing(&t), addr);
    // count 0: the server streams until the client goes away.
    let mut stream = echo
        .server_stream(tonic::Request::new(Msg::new(Code::Ok, "tick", 0)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stream.message().await.unwrap().unwrap().count, 1);
    assert_eq!(stream.message().await.unwrap().unwrap().count, 2);
    drop(stream);

    let spans = t.wait_for_spans(2).await;
    let client = of_kind(&spans, SpanKind::Client)[0];
    let server = of_kind(&spans, SpanKind::Server)[0];
    assert_eq!(
        sorted(client),
        client_attrs(addr, "baton.test.Echo/ServerStream", "CANCELLED")
    );
    assert!(matches!(client.status, Status::Error { .. }));
    assert!(client.events.iter().any(|e| e.name == "request cancelled"));
    // CANCELLED is not the server's error.
    assert_eq!(
        attr(server, "rpc.response.status_code"),
        Some(Value::from("CANCELLED"))
    );
    assert_eq!(attr(server, "error.type"), None);
    assert_eq!(server.status, Status::Unset);
    assert!(server.events.iter().any(|e| e.name == "request cancelled"));
    assert_parent(server, client);
}

#[tokio::test]
async fn client_streaming_and_bidi_calls_end_at_their_trailers() {
    let t = Telemetry::new();
    let addr = grpc_echo::serve(t.layer()).await;
    let mut echo = client(client_tracing(&t), addr);
    let three = vec![Msg::new(Code::Ok, "a", 1); 3];
    let reply = echo.client_stream(three.clone()).await.unwrap();
    assert_eq!(reply.into_inner().count, 3);
    let mut bidi = echo.bidi(three).await.unwrap().into_inner();
    let mut echoed = 0;
    while bidi.message().await.unwrap().is_some() {
        echoed += 1;
    }
    assert_eq!(echoed, 3);

    let spans = t.wait_for_spans(4).await;
    for method in ["baton.test.Echo/ClientStream", "baton.test.Echo/Bidi"] {
        let client = spans
            .iter()
            .find(|s| s.span_kind == SpanKind::Client && s.name == method)
            .unwrap();
        let server = spans
            .iter()
            .find(|s| s.span_kind == SpanKind::Server && s.name == method)
            .unwrap();
        assert_eq!(sorted(client), client_attrs(addr, method, "OK"));
        assert_eq!(
            attr(server, "rpc.response.status_code"),
            Some(Value::from("OK"))
        );
        assert_parent(server, client);
        assert_eq!(
            (client.status.clone(), server.status.clone()),
            (Status::Unset, Status::Unset)
        );
    }
}

#[test]
fn an_endpoint_without_a_host_is_refused_by_name() {
    let err =
        GrpcClientLayer::new(ClientTracing::new(), &"/just/a/path".parse().unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "gRPC endpoint `/just/a/path` names no host (expected scheme://host[:port])"
    );
}

#[tokio::test]
async fn a_plain_http_request_through_the_channel_gets_an_http_span_with_the_endpoint() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let t = Telemetry::new();
    let addr = grpc_echo::serve(t.layer()).await;
    let endpoint: http::Uri = format!("http://{addr}").parse().unwrap();
    let layer = GrpcClientLayer::new(client_tracing(&t), &endpoint).unwrap();
    let channel = tonic::transport::Endpoint::from(endpoint).connect_lazy();
    let traced = tower::Layer::layer(&layer, channel);
    let request = http::Request::get("/plain")
        .body(tonic::body::Body::empty())
        .unwrap();
    let response = traced.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"plain");

    let spans = t.wait_for_spans(2).await;
    let client = of_kind(&spans, SpanKind::Client)[0];
    let server = of_kind(&spans, SpanKind::Server)[0];
    assert_eq!(client.name, "GET");
    let port = addr.port().to_string();
    let full = format!("http://127.0.0.1:{port}/plain");
    let mut expected = vec![
        ("http.request.method".to_owned(), "GET".to_owned()),
        ("http.response.status_code".to_owned(), "200".to_owned()),
        ("network.protocol.version".to_owned(), "2".to_owned()),
        ("server.address".to_owned(), "127.0.0.1".to_owned()),
        ("server.port".to_owned(), port),
        ("url.full".to_owned(), full),
    ];
    expected.sort();
    assert_eq!(sorted(client), expected);
    assert_parent(server, client);
    assert_eq!(
        attr(server, "http.request.method"),
        Some(Value::from("GET"))
    );
}
