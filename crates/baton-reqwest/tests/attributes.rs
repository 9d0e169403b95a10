//! Exact span attributes, names, statuses and `error.type` against a real server.

mod common;

use baton_core::conventions::KnownMethods;
use baton_reqwest::UrlTemplate;
use common::{Server, Telemetry, attr, keys};
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use reqwest_middleware::ClientBuilder;
use std::time::Duration;

fn int(v: u16) -> Option<Value> {
    Some(Value::I64(i64::from(v)))
}

fn text(v: &str) -> Option<Value> {
    Some(Value::from(v.to_owned()))
}

#[tokio::test]
async fn exact_attributes_with_a_template_and_a_redacted_url() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let port = server.addr.port();
    // A request built directly keeps the credentials in its URL (reqwest's `get` would move
    // them into an Authorization header).
    let url = format!("http://user:pass@127.0.0.1:{port}/users/42?sig=x&page=2")
        .parse()
        .unwrap();
    let request = reqwest::Request::new(reqwest::Method::GET, url);
    let client = telemetry.client();
    let mut extensions = http::Extensions::new();
    extensions.insert(UrlTemplate::new("/users/{id}"));

    let response = client
        .execute_with_extensions(request, &mut extensions)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let span = telemetry.wait_for_client_spans(1).await.remove(0);
    assert_eq!(span.name, "GET /users/{id}");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    assert_eq!(span.instrumentation_scope.name(), "baton");
    assert_eq!(attr(&span, "http.request.method"), text("GET"));
    assert_eq!(attr(&span, "server.address"), text("127.0.0.1"));
    assert_eq!(attr(&span, "server.port"), int(port));
    assert_eq!(
        attr(&span, "url.full"),
        text(&format!(
            "http://REDACTED:REDACTED@127.0.0.1:{port}/users/42?sig=REDACTED&page=2"
        ))
    );
    assert_eq!(attr(&span, "url.template"), text("/users/{id}"));
    assert_eq!(attr(&span, "http.response.status_code"), int(200));
    assert_eq!(attr(&span, "network.protocol.version"), text("1.1"));
    assert_eq!(
        keys(&span.attributes),
        [
            "http.request.method",
            "http.response.status_code",
            "network.protocol.version",
            "server.address",
            "server.port",
            "url.full",
            "url.template",
        ],
        "no other attribute, in particular no resend count on a first attempt and no error.type"
    );
    assert_eq!(server.received()[0].path, "/users/42");
}

#[tokio::test]
async fn credentials_given_through_get_never_reach_the_span() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let port = server.addr.port();

    telemetry
        .client()
        .get(format!("http://user:pass@127.0.0.1:{port}/x?sig=x"))
        .send()
        .await
        .unwrap();

    let span = telemetry.wait_for_client_spans(1).await.remove(0);
    // reqwest moved them into a basic Authorization header before the middleware ran.
    assert_eq!(
        attr(&span, "url.full"),
        text(&format!("http://127.0.0.1:{port}/x?sig=REDACTED"))
    );
    assert_eq!(
        span.name, "GET",
        "without a template the span is named by the method alone"
    );
    assert!(server.received()[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn extra_sensitive_query_keys_and_methods() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let port = server.addr.port();
    let purge = reqwest::Method::from_bytes(b"PURGE").unwrap();

    let plain = telemetry.client();
    plain
        .request(purge.clone(), server.url("/cache?api_key=secret"))
        .send()
        .await
        .unwrap();
    let custom = ClientBuilder::new(common::reqwest_client())
        .with(
            telemetry
                .middleware()
                .sensitive_query_key("api_key")
                .known_methods(KnownMethods::parse("GET,PURGE").unwrap()),
        )
        .build();
    custom
        .request(purge, server.url("/cache?api_key=secret"))
        .send()
        .await
        .unwrap();

    let spans = telemetry.wait_for_client_spans(2).await;
    assert_eq!(spans[0].name, "HTTP");
    assert_eq!(attr(&spans[0], "http.request.method"), text("_OTHER"));
    assert_eq!(
        attr(&spans[0], "http.request.method_original"),
        text("PURGE")
    );
    assert_eq!(
        attr(&spans[0], "url.full"),
        text(&format!("http://127.0.0.1:{port}/cache?api_key=secret"))
    );
    assert_eq!(spans[1].name, "PURGE");
    assert_eq!(attr(&spans[1], "http.request.method"), text("PURGE"));
    assert_eq!(attr(&spans[1], "http.request.method_original"), None);
    assert_eq!(
        attr(&spans[1], "url.full"),
        text(&format!("http://127.0.0.1:{port}/cache?api_key=REDACTED"))
    );
}

#[tokio::test]
async fn error_statuses_are_errors() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let client = telemetry.client();

    for code in [404, 500, 204] {
        let response = client
            .get(server.url(&format!("/status/{code}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            code,
            "the response is returned unchanged"
        );
    }

    let spans = telemetry.wait_for_client_spans(3).await;
    assert_eq!(attr(&spans[0], "http.response.status_code"), int(404));
    assert_eq!(attr(&spans[0], "error.type"), text("404"));
    assert!(matches!(spans[0].status, Status::Error { .. }));
    assert_eq!(attr(&spans[1], "http.response.status_code"), int(500));
    assert_eq!(attr(&spans[1], "error.type"), text("500"));
    assert!(matches!(spans[1].status, Status::Error { .. }));
    assert_eq!(attr(&spans[2], "http.response.status_code"), int(204));
    assert_eq!(attr(&spans[2], "error.type"), None);
    assert_eq!(spans[2].status, Status::Unset);
}

fn exception_message(span: &opentelemetry_sdk::trace::SpanData) -> String {
    let event = span
        .events
        .iter()
        .find(|e| e.name == "exception")
        .expect("an exception event");
    let message = event
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "exception.message")
        .expect("exception.message");
    message.value.to_string()
}

#[tokio::test]
async fn timeouts_are_timeout_errors() {
    let telemetry = Telemetry::new();
    let server = Server::start().await;
    let reqwest = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let client = ClientBuilder::new(reqwest)
        .with(telemetry.middleware())
        .build();

    let error = client.get(server.url("/slow")).send().await.unwrap_err();
    assert!(error.is_timeout(), "{error}");

    let span = telemetry.wait_for_client_spans(1).await.remove(0);
    assert_eq!(attr(&span, "error.type"), text("timeout"));
    assert!(matches!(span.status, Status::Error { .. }));
    assert_eq!(attr(&span, "http.response.status_code"), None);
    assert_eq!(attr(&span, "network.protocol.version"), None);
    assert!(!exception_message(&span).is_empty());
}

#[tokio::test]
async fn refused_connections_are_connect_errors() {
    let telemetry = Telemetry::new();
    // A port nobody listens on any more.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://user:pass@127.0.0.1:{port}/x?sig=secret")
        .parse()
        .unwrap();

    let error = telemetry
        .client()
        .execute(reqwest::Request::new(reqwest::Method::GET, url))
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error}");

    let span = telemetry.wait_for_client_spans(1).await.remove(0);
    assert_eq!(attr(&span, "error.type"), text("connect"));
    let Status::Error { description } = &span.status else {
        panic!("status {:?}", span.status)
    };
    assert!(!description.is_empty());
    let message = exception_message(&span);
    assert_eq!(&message, description.as_ref());
    assert!(
        message.contains(&format!(
            "http://REDACTED:REDACTED@127.0.0.1:{port}/x?sig=REDACTED"
        )),
        "{message}"
    );
    assert!(
        !message.contains("pass") && !message.contains("secret"),
        "the message is redacted: {message}"
    );
}
