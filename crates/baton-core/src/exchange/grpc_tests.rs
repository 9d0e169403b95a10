//! The gRPC flavour of the exchange, with a real SDK: where the code comes from (trailers,
//! a trailers-only head, the HTTP status, none), the deadline and cancellation rules, the
//! method, and which requests are gRPC at all.

use http::{Extensions, HeaderMap, HeaderValue, Method, Version};
use opentelemetry::trace::{Status, TracerProvider as _};
use opentelemetry::{Context, Value};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData};

use super::tests::Collect;

use super::{
    ClientExchange, ClientSettings, GrpcClientRequest, MetricsSource, Outcome, ServerExchange,
    ServerRequest, ServerSettings,
};

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.insert(*k, HeaderValue::from_static(v));
    }
    map
}

/// A server exchange for `method path` with `request` headers, driven by `f`; its span.
fn server(
    method: Method,
    path: &str,
    request: &HeaderMap,
    f: impl FnOnce(&mut ServerExchange, &ServerSettings),
) -> SpanData {
    let spans = Collect::default();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(spans.clone())
        .build();
    let settings = ServerSettings {
        metrics: MetricsSource::off(),
        ..ServerSettings::default()
    };
    let uri: http::Uri = path.parse().unwrap();
    let extensions = Extensions::new();
    let description = ServerRequest {
        name: "HTTP name".into(),
        version: Version::HTTP_2,
        ..super::tests::server_request(&method, &uri, request, &extensions)
    };
    let tracer = provider.tracer("test");
    let mut exchange = ServerExchange::start(&tracer, Context::new(), &description, &settings);
    f(&mut exchange, &settings);
    drop(exchange);
    spans.0.lock().unwrap().remove(0)
}

fn attr(span: &SpanData, key: &str) -> Option<Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.clone())
}

fn grpc() -> HeaderMap {
    headers(&[("content-type", "application/grpc")])
}

fn code(span: &SpanData) -> Option<String> {
    attr(span, "rpc.response.status_code").map(|v| v.to_string())
}

#[test]
fn the_code_comes_from_the_trailers_with_the_message() {
    let span = server(Method::POST, "/pkg.Svc/Do", &grpc(), |x, s| {
        x.on_response(200, &HeaderMap::new(), s);
        x.on_trailers(&headers(&[
            ("grpc-status", "13"),
            ("grpc-message", "db%20down"),
        ]));
        x.finish(Outcome::Completed);
    });
    assert_eq!(span.name, "pkg.Svc/Do");
    assert_eq!(code(&span).as_deref(), Some("INTERNAL"));
    assert_eq!(attr(&span, "error.type"), Some(Value::from("INTERNAL")));
    assert_eq!(span.status, Status::error("db down"));
    assert_eq!(attr(&span, "http.response.status_code"), None);
    assert_eq!(attr(&span, "http.request.method"), None);
}

#[test]
fn a_trailers_only_head_and_a_missing_status() {
    let not_found = server(Method::POST, "/pkg.Svc/Do", &grpc(), |x, s| {
        x.on_response(200, &headers(&[("grpc-status", "5")]), s);
        x.finish(Outcome::Completed);
    });
    assert_eq!(code(&not_found).as_deref(), Some("NOT_FOUND"));
    assert_eq!(attr(&not_found, "error.type"), None);
    assert_eq!(not_found.status, Status::Unset);

    // A body that ends without grpc-status is not a success.
    let missing = server(Method::POST, "/pkg.Svc/Do", &grpc(), |x, s| {
        x.on_response(200, &HeaderMap::new(), s);
        x.finish(Outcome::Completed);
    });
    assert_eq!(code(&missing).as_deref(), Some("UNKNOWN"));
    assert_eq!(attr(&missing, "error.type"), Some(Value::from("UNKNOWN")));

    // A proxy's 503 without grpc-status is UNAVAILABLE (grpc's HTTP mapping).
    let proxy = server(Method::POST, "/pkg.Svc/Do", &grpc(), |x, s| {
        x.on_response(503, &HeaderMap::new(), s);
        x.finish(Outcome::Completed);
    });
    assert_eq!(code(&proxy).as_deref(), Some("UNAVAILABLE"));
}

#[test]
fn dropped_calls_are_cancelled_or_past_their_deadline() {
    let cancelled = server(Method::POST, "/pkg.Svc/Do", &grpc(), |x, s| {
        x.on_response(200, &HeaderMap::new(), s);
    });
    assert_eq!(code(&cancelled).as_deref(), Some("CANCELLED"));
    assert_eq!(
        cancelled.status,
        Status::Unset,
        "CANCELLED is not the server's error"
    );
    assert!(
        cancelled
            .events
            .iter()
            .any(|e| e.name == "request cancelled")
    );

    let mut timed = grpc();
    timed.insert("grpc-timeout", HeaderValue::from_static("2m"));
    let late = server(Method::POST, "/pkg.Svc/Do", &timed, |_, _| {
        std::thread::sleep(std::time::Duration::from_millis(10));
    });
    assert_eq!(code(&late).as_deref(), Some("DEADLINE_EXCEEDED"));
    assert_eq!(
        attr(&late, "error.type"),
        Some(Value::from("DEADLINE_EXCEEDED"))
    );

    // Within its deadline, OK stays OK.
    let mut roomy = grpc();
    roomy.insert("grpc-timeout", HeaderValue::from_static("10S"));
    let ok = server(Method::POST, "/pkg.Svc/Do", &roomy, |x, s| {
        x.on_response(200, &headers(&[("grpc-status", "0")]), s);
        x.finish(Outcome::Completed);
    });
    assert_eq!(code(&ok).as_deref(), Some("OK"));
}

#[test]
fn only_a_grpc_post_is_grpc_and_a_bad_path_is_other() {
    let get = server(Method::GET, "/pkg.Svc/Do", &grpc(), |x, s| {
        x.on_response(200, &HeaderMap::new(), s);
        x.finish(Outcome::Completed);
    });
    assert_eq!(get.name, "HTTP name");
    assert_eq!(
        attr(&get, "http.response.status_code"),
        Some(Value::I64(200))
    );
    assert_eq!(attr(&get, "rpc.system.name"), None);

    let web = headers(&[("content-type", "application/grpc-web")]);
    let web = server(Method::POST, "/pkg.Svc/Do", &web, |x, s| {
        x.on_response(200, &HeaderMap::new(), s);
        x.finish(Outcome::Completed);
    });
    assert_eq!(attr(&web, "rpc.system.name"), None);

    let bad = server(Method::POST, "/not/a/method", &grpc(), |x, s| {
        x.on_response(200, &headers(&[("grpc-status", "12")]), s);
        x.finish(Outcome::Completed);
    });
    assert_eq!(bad.name, "grpc");
    assert_eq!(attr(&bad, "rpc.method"), Some(Value::from("_OTHER")));
    assert_eq!(
        attr(&bad, "rpc.method_original"),
        Some(Value::from("/not/a/method"))
    );
}

#[test]
fn a_client_call_infers_its_code_and_every_non_ok_code_is_an_error() {
    let spans = Collect::default();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(spans.clone())
        .build();
    let tracer = provider.tracer("test");
    let settings = ClientSettings {
        metrics: MetricsSource::off(),
        ..ClientSettings::default()
    };
    let (request_headers, extensions) = (HeaderMap::new(), Extensions::new());
    let request = GrpcClientRequest {
        path: "/pkg.Svc/Do",
        headers: &request_headers,
        host: "svc.internal",
        port: Some(50051),
        extensions: &extensions,
    };
    for (status, head, trailers, expected) in [
        (503, HeaderMap::new(), None, "UNAVAILABLE"),
        (
            200,
            HeaderMap::new(),
            Some(headers(&[("grpc-status", "5")])),
            "NOT_FOUND",
        ),
        (
            200,
            HeaderMap::new(),
            Some(headers(&[("grpc-status", "0")])),
            "OK",
        ),
    ] {
        let mut x = ClientExchange::start_grpc(&tracer, &Context::new(), request, &settings);
        assert!(x.is_grpc());
        x.on_grpc_response(status, &head);
        if let Some(t) = &trailers {
            x.on_trailers(t);
        }
        x.finish(Outcome::Completed);
        let span = spans.0.lock().unwrap().pop().unwrap();
        assert_eq!(code(&span).as_deref(), Some(expected));
        let error = (expected != "OK").then(|| Value::from(expected.to_owned()));
        assert_eq!(
            attr(&span, "error.type").map(|v| v.to_string()),
            error.map(|v| v.to_string())
        );
        assert_eq!(
            attr(&span, "server.address"),
            Some(Value::from("svc.internal"))
        );
        assert_eq!(attr(&span, "server.port"), Some(Value::I64(50051)));
    }
}

#[test]
fn the_flavour_costs_no_byte_over_what_http_keeps() {
    // The futures and bodies carrying an exchange are moved by value: the gRPC flavour
    // shares its field with the request body size that only HTTP keeps.
    assert_eq!(
        std::mem::size_of::<super::record::Flavour>(),
        std::mem::size_of::<Option<u64>>()
    );
}
