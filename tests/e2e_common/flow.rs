//! The example's scripted flow (examples/microservices/script.rs) plus one request from a
//! caller that sends its own `traceparent`, and what the receiver must hold afterwards:
//! eight traces, each drawn exactly.

use std::collections::BTreeMap;

use baton_test_support::otlp::trace::{assert_tree, by_trace, one, render_all, roots};
use baton_test_support::otlp::{SERVER, Span};

/// The trace context the "outside" caller sends with the last request. The gateway is a
/// public endpoint: it must start a new trace and link to this one.
pub const CALLER_TRACE_ID: &str = "0af7651916cd43dd8448eb211c80319c";
pub const CALLER_SPAN_ID: &str = "b7ad6b7169203331";

/// Sends `GET /profile/42` with a good token and the caller's `traceparent` (and baggage
/// the gateway must not trust). Returns the trace id the gateway reports in
/// `server-timing: trace;desc=<traceparent>`.
pub async fn send_linked_request(gateway: &str) -> String {
    let response = reqwest::Client::new()
        .get(format!("{gateway}/profile/42"))
        .header("authorization", "Bearer demo-token")
        .header(
            "traceparent",
            format!("00-{CALLER_TRACE_ID}-{CALLER_SPAN_ID}-01"),
        )
        .header("baggage", "tenant.id=evil")
        .send()
        .await
        .expect("the linked request is answered");
    assert_eq!(
        response.status().as_u16(),
        200,
        "GET /profile/42 with a traceparent"
    );
    let timing = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // trace;desc=00-<trace id>-<span id>-<flags> (possibly quoted)
    let desc = timing
        .split("desc=")
        .nth(1)
        .map(|d| d.trim_matches('"'))
        .unwrap_or_default();
    let trace_id = desc.split('-').nth(1).unwrap_or_default().to_owned();
    assert_eq!(
        trace_id.len(),
        32,
        "server-timing should carry the gateway's traceparent, got {timing:?}"
    );
    trace_id
}

/// Spans in the traces below that come from the `tracing` span `load_profile`.
const LOAD_PROFILE_SPANS: usize = 4;

/// How many spans the flow produces (the `tracing` span `load_profile` only when the
/// test could install tracing-opentelemetry).
pub fn span_count(with_tracing: bool) -> usize {
    let all = 13 + 9 + 12 + 3 + 10 + 3 + 5 + 13;
    if with_tracing {
        all
    } else {
        all - LOAD_PROFILE_SPANS
    }
}

const PROFILE_OK: &str = "
    gateway SERVER GET /profile/{id} 200
      gateway CLIENT POST /verify 204
        auth SERVER POST /verify 204
      gateway CLIENT GET /users/{id} 200
        users SERVER GET /users/{id} 200
          users INTERNAL load_profile
          users CLIENT POST /query 200
            db SERVER POST /query 200
              db CLIENT SELECT users
          users CLIENT POST /query 200
            db SERVER POST /query 200
              db CLIENT SELECT orders
      gateway INTERNAL audit.record
";

const PROFILE_NOT_FOUND: &str = "
    gateway SERVER GET /profile/{id} 404
      gateway CLIENT POST /verify 204
        auth SERVER POST /verify 204
      gateway CLIENT GET /users/{id} 404 ERROR error.type=404
        users SERVER GET /users/{id} 404
          users INTERNAL load_profile
          users CLIENT POST /query 200
            db SERVER POST /query 200
              db CLIENT SELECT users
";

const PROFILE_DB_FAILS: &str = r#"
    gateway SERVER GET /profile/{id} 500 ERROR error.type=500
      gateway CLIENT POST /verify 204
        auth SERVER POST /verify 204
      gateway CLIENT GET /users/{id} 500 ERROR error.type=500
        users SERVER GET /users/{id} 500 ERROR error.type=500
          users INTERNAL load_profile
          users CLIENT POST /query 200
            db SERVER POST /query 200
              db CLIENT SELECT users
          users CLIENT POST /query 500 ERROR error.type=500
            db SERVER POST /query 500 ERROR error.type=500
              db CLIENT SELECT orders ERROR error.type=SQLITE_CORRUPT "database disk image is malformed"
"#;

const PROFILE_BAD_TOKEN: &str = "
    gateway SERVER GET /profile/{id} 401
      gateway CLIENT POST /verify 401 ERROR error.type=401
        auth SERVER POST /verify 401
";

const INVENTORY_RETRIED: &str = "
    gateway SERVER GET /inventory 200
      gateway CLIENT GET /inventory 200
        users SERVER GET /inventory 200
          users CLIENT POST /flaky 503 ERROR error.type=503
            db SERVER POST /flaky 503 ERROR error.type=503
          users CLIENT POST /flaky 503 resend=1 ERROR error.type=503
            db SERVER POST /flaky 503 ERROR error.type=503
          users CLIENT POST /flaky 200 resend=2
            db SERVER POST /flaky 200
              db CLIENT SELECT inventory
";

const REPORT_SLOW: &str = "
    gateway SERVER GET /report 200
      gateway CLIENT GET /report 200
        users SERVER GET /report 200
";

/// The gRPC hop: users asks db over gRPC (`shop.Stock/Check`); both spans follow the RPC
/// conventions (no HTTP status code; their attributes are checked in `check`).
const STOCK_GRPC: &str = "
    gateway SERVER GET /stock 200
      gateway CLIENT GET /stock 200
        users SERVER GET /stock 200
          users CLIENT shop.Stock/Check
            db SERVER shop.Stock/Check
";

fn without_tracing(tree: &str, with_tracing: bool) -> String {
    tree.lines()
        .filter(|l| with_tracing || !l.contains("load_profile"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks everything the flow must have produced, given every span received:
///
/// - exactly eight traces, one per request, each with one root (the gateway's `SERVER`
///   span) and every other span's parent in the same trace: one trace id across all
///   services per request, no orphans;
/// - each trace's exact tree: parents, span kinds, `service.name` of each span's resource,
///   HTTP status codes, error statuses and `error.type` (the 404, the 500 with the db's
///   `SQLITE_CORRUPT`, the 401), and `http.request.resend_count` 1 and 2 on the retried
///   `/flaky` calls;
/// - the baggage the gateway sets arriving at `users` (`tenant.id=acme` on its server span,
///   not the caller's `evil`);
/// - the public endpoint: the request that came with a `traceparent` starts a new trace
///   (the one `server-timing` reported, `linked_trace_id`) whose root links to the caller's
///   span; no other root has a link.
pub fn check(spans: &[Span], with_tracing: bool, linked_trace_id: &str) {
    assert_eq!(
        spans.len(),
        span_count(with_tracing),
        "span count; received:\n{}",
        render_all(spans)
    );
    let traces = by_trace(spans);
    assert_eq!(
        traces.len(),
        8,
        "one trace per request; received:\n{}",
        render_all(spans)
    );

    let mut seen: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for (trace_id, spans) in &traces {
        let roots = roots(spans);
        assert!(
            roots.len() == 1 && roots[0].parent_span_id.is_empty(),
            "trace {trace_id} should have one root and no orphans:\n{}",
            baton_test_support::otlp::trace::render(spans)
        );
        let root = roots[0];
        assert!(
            root.service == "gateway" && root.kind == SERVER,
            "trace {trace_id} should start at the gateway's SERVER span:\n{}",
            baton_test_support::otlp::trace::render(spans)
        );
        let linked = !root.links.is_empty();
        let key = format!(
            "{} {}{}",
            root.attr("url.path").unwrap_or("?"),
            root.attr("http.response.status_code").unwrap_or("?"),
            if linked { " linked" } else { "" }
        );
        if linked {
            assert_eq!(
                root.links,
                vec![(CALLER_TRACE_ID.to_owned(), CALLER_SPAN_ID.to_owned())],
                "the public endpoint links to the caller's span"
            );
            assert_ne!(
                trace_id, CALLER_TRACE_ID,
                "a public endpoint starts a new trace"
            );
            assert_eq!(
                trace_id, linked_trace_id,
                "server-timing reports the trace the gateway started"
            );
        }
        assert!(
            seen.insert(key.clone(), spans.clone()).is_none(),
            "two traces for {key}:\n{}",
            render_all(spans)
        );
    }

    let expected: [(&str, &str); 8] = [
        ("/profile/42 200", PROFILE_OK),
        ("/profile/7 404", PROFILE_NOT_FOUND),
        ("/profile/13 500", PROFILE_DB_FAILS),
        ("/profile/42 401", PROFILE_BAD_TOKEN),
        ("/inventory 200", INVENTORY_RETRIED),
        ("/report 200", REPORT_SLOW),
        ("/stock 200", STOCK_GRPC),
        ("/profile/42 200 linked", PROFILE_OK),
    ];
    let keys: Vec<&String> = seen.keys().collect();
    let mut wanted: Vec<&str> = expected.iter().map(|(k, _)| *k).collect();
    wanted.sort_unstable();
    assert_eq!(keys, wanted, "the requests the traces are for");

    check_grpc_hop(&seen["/stock 200"]);
    for (key, tree) in expected {
        let spans = &seen[key];
        assert_tree(key, spans, &without_tracing(tree, with_tracing));
        if key.starts_with("/profile/") && !key.contains("401") {
            let users = one(spans, "users SERVER span", |s| {
                s.service == "users" && s.kind == SERVER
            });
            assert_eq!(
                users.attr("tenant.id"),
                Some("acme"),
                "{key}: baggage tenant.id set by the gateway, seen by users"
            );
        }
    }
}

/// The gRPC hop's two spans by the RPC conventions v1.44.0: the same method, `OK`, the
/// client's `server.*` naming db, no HTTP attribute.
fn check_grpc_hop(spans: &[Span]) {
    let client = one(spans, "users' gRPC CLIENT span", |s| {
        s.service == "users" && s.name == "shop.Stock/Check"
    });
    let server = one(spans, "db's gRPC SERVER span", |s| {
        s.service == "db" && s.name == "shop.Stock/Check"
    });
    for span in [client, server] {
        assert_eq!(span.attr("rpc.system.name"), Some("grpc"), "{span:?}");
        assert_eq!(
            span.attr("rpc.method"),
            Some("shop.Stock/Check"),
            "{span:?}"
        );
        assert_eq!(
            span.attr("rpc.response.status_code"),
            Some("OK"),
            "{span:?}"
        );
        assert_eq!(span.attr("error.type"), None, "{span:?}");
        assert!(
            span.attributes.keys().all(|k| !k.starts_with("http.")),
            "{span:?}"
        );
    }
    assert_eq!(client.attr("server.address"), Some("127.0.0.1"));
    assert_eq!(client.attr("server.port"), server.attr("server.port"));
}
