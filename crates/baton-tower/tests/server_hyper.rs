//! The server layer around a plain hyper service (no axum), served by hyper on 127.0.0.1.

mod common;

use baton_tower::server::ServerLayer;
use bytes::Bytes;
use common::{Telemetry, attr, get, send};
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_layer::Layer;

/// A bare tower service: no routing framework.
#[derive(Clone)]
struct Hello;

impl tower_service::Service<Request<Incoming>> for Hello {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        let status = if request.uri().path() == "/fail" {
            500
        } else {
            200
        };
        std::future::ready(Ok(Response::builder()
            .status(status)
            .body(Full::from("hello"))
            .unwrap()))
    }
}

async fn serve(layer: ServerLayer<opentelemetry_sdk::trace::SdkTracer>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, peer) = listener.accept().await.unwrap();
            let layer = layer.clone();
            tokio::spawn(async move {
                // The peer address reaches the layer as a `SocketAddr` request extension.
                let service = tower_util_map(layer.layer(Hello), peer);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                    .await;
            });
        }
    });
    addr
}

/// Adds the peer address to each request's extensions before the traced service sees it.
fn tower_util_map<S: Clone>(inner: S, peer: SocketAddr) -> AddPeer<S> {
    AddPeer { inner, peer }
}

#[derive(Clone)]
struct AddPeer<S> {
    inner: S,
    peer: SocketAddr,
}

impl<S, B> tower_service::Service<Request<B>> for AddPeer<S>
where
    S: tower_service::Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> S::Future {
        request.extensions_mut().insert(self.peer);
        self.inner.call(request)
    }
}

#[tokio::test]
async fn traces_a_plain_hyper_service() {
    let t = Telemetry::new();
    let addr = serve(
        t.layer()
            .with_body_size_metrics()
            .route(|parts: &http::request::Parts| {
                (parts.uri.path() == "/fail").then(|| "/fail".to_owned())
            }),
    )
    .await;
    let (ok, body) = send(
        addr,
        get(
            addr,
            "/hi?x=1",
            &[(
                "traceparent",
                b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            )],
        ),
    )
    .await;
    assert_eq!(
        (ok.status().as_u16(), body.as_ref()),
        (200, b"hello".as_ref())
    );
    let (fail, _) = send(addr, get(addr, "/fail", &[])).await;
    assert_eq!(fail.status(), 500);

    let spans = t.wait_for_spans(2).await;
    let hi = spans
        .iter()
        .find(|s| s.name == "GET")
        .expect("no route: named by method");
    assert_eq!(hi.span_kind, SpanKind::Server);
    assert_eq!(hi.parent_span_id.to_string(), "00f067aa0ba902b7");
    assert_eq!(attr(hi, "url.path"), Some(Value::from("/hi")));
    assert_eq!(attr(hi, "url.query"), Some(Value::from("x=1")));
    assert_eq!(
        attr(hi, "network.peer.address"),
        Some(Value::from("127.0.0.1"))
    );
    assert_eq!(attr(hi, "http.response.body.size"), Some(Value::I64(5)));

    let fail = spans
        .iter()
        .find(|s| s.name == "GET /fail")
        .expect("route from the custom extractor");
    assert_eq!(fail.status, Status::error(""));
    assert_eq!(attr(fail, "error.type"), Some(Value::from("500")));
    assert_eq!(attr(fail, "http.route"), Some(Value::from("/fail")));
    assert_eq!(t.active_requests(), 0);
}
