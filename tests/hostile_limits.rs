//! Peer-controlled values are capped before they reach a span, with nothing configured:
//! one request through a real server on 127.0.0.1 (hyper with room for a 4 MiB head, so
//! the values reach baton) carries a 300 KB `User-Agent` and method, a 30 KB path and query
//! (`http` refuses a longer target), a
//! `Forwarded` host and an `X-Forwarded-For` of 300 KB, and a captured header of 300 KB
//! repeated 40 times. Every attribute is at most its limit
//! (`baton::conventions::limits`), and cut values keep their start and end in `…`.

mod reliability_common;

use std::time::Duration;

use axum::Router;
use baton::ServerLayer;
use baton::conventions::limits;
use baton::opentelemetry::Value;
use baton::testing::TestTelemetry;
use baton_test_support::loopback::runtime;
use http::HeaderName;
use reliability_common::serve_hyper;

const BIG: usize = 300 * 1024;

fn string(v: &Value) -> String {
    match v {
        Value::String(s) => s.as_str().to_owned(),
        other => panic!("not a string: {other:?}"),
    }
}

fn assert_capped(name: &str, value: &str, start: &str, max: usize) {
    assert!(
        value.len() <= max,
        "{name}: {} bytes, the limit is {max}",
        value.len()
    );
    assert!(value.starts_with(start), "{name}: {:?}", &value[..32]);
    assert!(value.ends_with('…'), "{name} is marked as cut");
}

#[test]
fn peer_controlled_attribute_values_are_capped_by_default() {
    let t = TestTelemetry::new();
    let app = Router::new().fallback(|| async { "ok" }).layer(
        ServerLayer::new()
            .tracer_provider(t.tracer_provider())
            .capture_request_headers([HeaderName::from_static("x-note")]),
    );
    let rt = runtime("hostile-limits", 1);
    let addr = serve_hyper(&rt, app, 256, 16 << 20);
    let method = format!("M{}", "X".repeat(BIG));
    // `http` refuses a request target over 64 KB (414): path and query share that.
    let path = format!("/p{}", "a".repeat(30 * 1024));
    let query = format!("q={}", "b".repeat(30 * 1024));
    let mut head = format!("{method} {path}?{query} HTTP/1.1\r\nhost: api.example\r\n");
    head.push_str(&format!("user-agent: ua/{}\r\n", "c".repeat(BIG)));
    head.push_str(&format!("forwarded: host={}\r\n", "d".repeat(BIG)));
    head.push_str(&format!("x-forwarded-for: {}\r\n", "e".repeat(BIG)));
    for _ in 0..40 {
        head.push_str(&format!("x-note: n{}\r\n", "f".repeat(BIG / 4)));
    }
    head.push_str("connection: close\r\n\r\n");
    let status = rt.block_on(reliability_common::raw_status_line(addr, &head));
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");

    let spans = t.wait_for_spans(1, Duration::from_secs(5));
    let span = spans.all()[0];
    let attr = |key: &str| span.attr(key).unwrap_or_else(|| panic!("{key} absent"));
    assert_capped(
        "http.request.method_original",
        &string(&attr("http.request.method_original")),
        "MXXX",
        limits::MAX_METHOD_ORIGINAL,
    );
    assert_capped(
        "url.path",
        &string(&attr("url.path")),
        "/paaa",
        limits::MAX_URL_PATH,
    );
    assert_capped(
        "url.query",
        &string(&attr("url.query")),
        "q=bbb",
        limits::MAX_URL_QUERY,
    );
    assert_capped(
        "user_agent.original",
        &string(&attr("user_agent.original")),
        "ua/ccc",
        limits::MAX_USER_AGENT,
    );
    // A host name longer than DNS allows is not an address: `server.address` comes from
    // the next source (`Host`); `client.address` from the connection, which this hyper
    // server does not hand to the router (no `ConnectInfo`), so there is none.
    assert_eq!(attr("server.address"), Value::from("api.example"));
    assert_eq!(span.attr("client.address"), None);
    let Value::Array(baton::opentelemetry::Array::String(notes)) =
        attr("http.request.header.x-note")
    else {
        panic!("x-note is a string array");
    };
    assert_eq!(notes.len(), limits::MAX_HEADER_VALUES);
    for note in &notes {
        assert_capped("x-note", note.as_str(), "nfff", limits::MAX_HEADER_VALUE);
    }
}
