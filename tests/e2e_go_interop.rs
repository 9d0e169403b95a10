//! Interop with OpenTelemetry Go: a Go service (tests/go_peer, the Go SDK v1.47 with
//! otelhttp v0.72 on its server and its client, OTLP/HTTP export, the propagators
//! `OTEL_PROPAGATORS` names through contrib's autoprop) and baton's example services, as
//! separate processes exporting to one real OTLP receiver:
//!
//! ```text
//! client → baton gateway → Go relay → baton users → baton db     (gateway → auth too)
//! Go caller → baton users → baton db                             (Go starts the trace)
//! client → baton gateway → Go callee                             (Go ends it)
//! ```
//!
//! For each `OTEL_PROPAGATORS` value (the same for every process) one request makes one
//! trace, drawn whole: every parent across the languages right, the headers on the wire in
//! the format asked for both ways, and the baggage crossing both ways wherever both
//! implementations carry it in that format. Go's Jaeger propagator carries no baggage
//! (it neither reads nor writes `uberctx-*`), so with `jaeger` alone none crosses a Go
//! service; `jaeger,baggage` carries it in the W3C header.
//!
//! Sampling: the Go SDK's `TraceIDRatioBased` (what `OTEL_TRACES_SAMPLER=traceidratio`
//! installs there) and the one baton installs for the same setting decide the same for the
//! same trace ids: compared id by id in-process for 20,000 ids and the rule's boundaries,
//! and end to end for traces started on either side.
//!
//! Needs the Go toolchain: the peer is built by `scripts/go_peer.sh` (cached outside the
//! repository); the tests fail, rather than skip, when it cannot be built.
#![cfg(unix)]

mod e2e_common;
#[path = "e2e_common/go_peer.rs"]
mod go_peer;

use std::time::Duration;

use baton_test_support::otlp::trace::{assert_tree, by_trace, one, render_all};
use baton_test_support::otlp::{CLIENT, HTTP_TRANSPORT, Receiver, SERVER, Span};
use e2e_common::process::{Processes, example_service};

/// The baggage baton's gateway sets for `GET /profile/42`, as the Go peer records it.
const GATEWAY_BAGGAGE: &str = "tenant.id=acme,user.id=42";

/// One `OTEL_PROPAGATORS` value and what must cross the wire with it.
struct Format {
    propagators: &'static str,
    /// The propagation headers baton sends (to Go), sorted.
    from_baton: &'static str,
    /// The propagation headers Go sends (to baton), sorted.
    from_go: &'static str,
    /// Whether baggage crosses between baton and Go (in both directions).
    baggage: bool,
}

const W3C: Format = Format {
    propagators: "tracecontext,baggage",
    from_baton: "baggage,traceparent",
    from_go: "baggage,traceparent",
    baggage: true,
};
const B3: Format = Format {
    propagators: "b3",
    from_baton: "b3",
    from_go: "b3",
    baggage: false,
};
const B3_BAGGAGE: Format = Format {
    propagators: "b3,baggage",
    from_baton: "b3,baggage",
    from_go: "b3,baggage",
    baggage: true,
};
const B3_MULTI: Format = Format {
    propagators: "b3multi",
    from_baton: "x-b3-sampled,x-b3-spanid,x-b3-traceid",
    from_go: "x-b3-sampled,x-b3-spanid,x-b3-traceid",
    baggage: false,
};
const B3_MULTI_BAGGAGE: Format = Format {
    propagators: "b3multi,baggage",
    from_baton: "baggage,x-b3-sampled,x-b3-spanid,x-b3-traceid",
    from_go: "baggage,x-b3-sampled,x-b3-spanid,x-b3-traceid",
    baggage: true,
};
/// baton sends Jaeger's baggage headers; Go's Jaeger propagator neither reads nor writes
/// them.
const JAEGER: Format = Format {
    propagators: "jaeger",
    from_baton: "uber-trace-id,uberctx-tenant.id,uberctx-user.id",
    from_go: "uber-trace-id",
    baggage: false,
};
const JAEGER_BAGGAGE: Format = Format {
    propagators: "jaeger,baggage",
    from_baton: "baggage,uber-trace-id,uberctx-tenant.id,uberctx-user.id",
    from_go: "baggage,uber-trace-id",
    baggage: true,
};

/// How long a service may take to say it is listening, and to stop on SIGINT.
const START: Duration = Duration::from_secs(20);
const STOP: Duration = Duration::from_secs(15);

/// The environment of every process: export to `receiver` over OTLP/HTTP, propagate in
/// `propagators`, and `extra` (the sampler).
fn telemetry_env<'a>(
    receiver: &'a str,
    propagators: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("OTEL_PROPAGATORS", propagators),
    ];
    env.extend_from_slice(extra);
    env
}

/// The Go peer serving, as `go`, relaying to `upstream` when given.
fn start_go(processes: &mut Processes, env: &[(&str, &str)], upstream: Option<&str>) -> String {
    let mut args = vec!["serve"];
    if let Some(upstream) = upstream {
        args.extend(["--upstream", upstream]);
    }
    let mut env = env.to_vec();
    env.push(("OTEL_SERVICE_NAME", "go"));
    processes.start("go", go_peer::command(&args, &env), START)
}

/// Runs the Go peer's `call` mode, as `go`, with `flags` against `{users}/users/42`
/// (at most `limit`), checks it succeeded, and returns the requests it reports.
fn go_call(
    env: &[(&str, &str)],
    flags: &[&str],
    users: &str,
    limit: Duration,
) -> Vec<go_peer::Call> {
    let mut env = env.to_vec();
    env.push(("OTEL_SERVICE_NAME", "go"));
    let url = format!("{users}/users/42");
    let mut args = vec!["call"];
    args.extend_from_slice(flags);
    args.push(&url);
    let output =
        go_peer::run(go_peer::command(&args, &env), &[], limit).unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success(), "go_peer call: {:?}", output.status);
    go_peer::parse_calls(&String::from_utf8_lossy(&output.stdout))
}

/// baton's db and users (asking that db), started in `processes`; returns users' URL.
fn start_users(processes: &mut Processes, env: &[(&str, &str)]) -> String {
    let db = processes.start("db", example_service("db", &[], env), START);
    processes.start(
        "users",
        example_service("users", &[("--db", &db)], env),
        START,
    )
}

/// Stops every process with SIGINT (each flushes its spans on the way out) and checks each
/// exited 0; then the receiver holds everything they exported.
fn stop_all(processes: &mut Processes) {
    for (name, status) in processes.interrupt_all(STOP) {
        assert!(
            status.is_some_and(|s| s.success()),
            "{name} should shut down cleanly on SIGINT and exit 0, got {status:?}"
        );
    }
}

/// Every span the receiver holds, checked to have come over OTLP/HTTP and decoded.
fn received(receiver: &Receiver) -> Vec<Span> {
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
    let spans = receiver.spans();
    assert!(spans.iter().all(|s| s.transport == HTTP_TRANSPORT));
    spans
}

/// `GET {gateway}/profile/42` with the demo token: the status, the `server-timing`
/// header and the body.
async fn get_profile(client: &reqwest::Client, gateway: &str) -> (u16, String, String) {
    let request = client
        .get(format!("{gateway}/profile/42"))
        .header("authorization", "Bearer demo-token")
        .send();
    let response = tokio::time::timeout(Duration::from_secs(20), request)
        .await
        .expect("the request finishes within 20 s")
        .expect("the gateway answers");
    let status = response.status().as_u16();
    let timing = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.expect("the body");
    (status, timing, body)
}

/// Sends `count` `GET /profile/42` to the gateway, checking each answer is 200; returns
/// each answer's body and its trace as the gateway reported it in `server-timing`
/// (`trace;desc=00-<trace id>-<span id>-<flags>`): the trace id and whether it was sampled.
fn profiles(gateway: &str, count: usize) -> Vec<(String, String, bool)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let client = reqwest::Client::new();
    runtime.block_on(async {
        let mut out = Vec::new();
        for _ in 0..count {
            let (status, timing, body) = get_profile(&client, gateway).await;
            assert_eq!(status, 200, "GET /profile/42 answered {status}: {body}");
            let desc = timing.split("desc=").nth(1).unwrap_or_default();
            let parts: Vec<&str> = desc.trim_matches('"').split('-').collect();
            assert!(
                parts.len() == 4 && parts[1].len() == 32,
                "server-timing should carry the gateway's traceparent, got {timing:?}"
            );
            // The sampled bit alone: a trace the gateway started may also say
            // `random-trace-id` (`03`) once its trace ids are declared random.
            let sampled = u8::from_str_radix(parts[3], 16).is_ok_and(|f| f & 0x01 == 0x01);
            out.push((body, parts[1].to_owned(), sampled));
        }
        out
    })
}

/// The trace baton users and db make below a caller, indented under it.
const USERS_BELOW: &str = "
    users SERVER GET /users/{id} 200
      users INTERNAL load_profile
      users CLIENT POST /query 200
        db SERVER POST /query 200
          db CLIENT SELECT users
      users CLIENT POST /query 200
        db SERVER POST /query 200
          db CLIENT SELECT orders
";

/// `tree` (a drawing, its common indentation ignored) with every line indented by
/// `depth` levels.
fn indent(tree: &str, depth: usize) -> String {
    let lines: Vec<&str> = tree.lines().filter(|l| !l.trim().is_empty()).collect();
    let common = lines
        .iter()
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| format!("{}{}", "  ".repeat(depth), &l[common..]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The gateway's trace with `below` (indented) under its `GET /users/{id}` call.
fn gateway_tree(below: &str) -> String {
    format!(
        "gateway SERVER GET /profile/{{id}} 200\n  gateway CLIENT POST /verify 204\n    auth SERVER POST /verify 204\n  gateway CLIENT GET /users/{{id}} 200\n{}\n  gateway INTERNAL audit.record",
        indent(below, 2)
    )
}

// ---------------------------------------------------------------------------------------
// Go between baton services, as the root caller of one, as the callee of one.
// ---------------------------------------------------------------------------------------

/// The one span of `spans` from `service` of `kind`.
#[track_caller]
fn span_of<'a>(spans: &'a [Span], service: &str, kind: i32, name: &str) -> &'a Span {
    one(spans, &format!("{service} {kind} {name} span"), |s| {
        s.service == service && s.kind == kind && s.name == name
    })
}

/// What every Go span must show: otelhttp's scope.
fn assert_otelhttp(span: &Span) {
    assert_eq!(
        span.scope, "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
        "the Go span comes from otelhttp"
    );
}

/// Runs gateway → Go → users → db with `format.propagators` everywhere, sends one
/// request, and checks the trace.
fn go_between_baton_services(format: &Format) {
    let receiver = Receiver::start();
    let endpoint = receiver.http_url();
    let env = telemetry_env(&endpoint, format.propagators, &[]);
    let mut processes = Processes::default();
    let db = processes.start("db", example_service("db", &[], &env), START);
    let auth = processes.start("auth", example_service("auth", &[], &env), START);
    let users = processes.start(
        "users",
        example_service("users", &[("--db", &db)], &env),
        START,
    );
    let go = start_go(&mut processes, &env, Some(&users));
    let gateway = processes.start(
        "gateway",
        example_service("gateway", &[("--auth", &auth), ("--users", &go)], &env),
        START,
    );
    let answers = profiles(&gateway, 1);
    stop_all(&mut processes);

    let spans = received(&receiver);
    let what = format.propagators;
    assert_eq!(
        by_trace(&spans).len(),
        1,
        "{what}: one trace id across baton and Go; received:\n{}",
        render_all(&spans)
    );
    assert_eq!(
        spans[0].trace_id, answers[0].1,
        "{what}: the trace the gateway reported"
    );
    let below = format!(
        "go SERVER GET /users/{{id}} 200\n  go CLIENT HTTP GET 200\n{}",
        indent(USERS_BELOW, 2)
    );
    assert_tree(what, &spans, &gateway_tree(&below));

    let gateway_client = span_of(&spans, "gateway", CLIENT, "GET /users/{id}");
    let go_server = span_of(&spans, "go", SERVER, "GET /users/{id}");
    let go_client = span_of(&spans, "go", CLIENT, "HTTP GET");
    let users_server = span_of(&spans, "users", SERVER, "GET /users/{id}");
    assert_eq!(
        go_server.parent_span_id, gateway_client.span_id,
        "{what}: Go's SERVER span continues gateway's CLIENT span"
    );
    assert_eq!(
        go_client.parent_span_id, go_server.span_id,
        "{what}: Go's CLIENT span is a child of its SERVER span"
    );
    assert_eq!(
        users_server.parent_span_id, go_client.span_id,
        "{what}: baton users' SERVER span continues Go's CLIENT span"
    );
    assert_otelhttp(go_server);
    assert_otelhttp(go_client);
    assert_eq!(
        go_server.attr("relay.headers.in"),
        Some(format.from_baton),
        "{what}: the headers baton's gateway sent to Go"
    );
    assert_eq!(
        go_server.attr("relay.headers.out"),
        Some(format.from_go),
        "{what}: the headers Go sent to baton's users"
    );
    assert_baggage(format, go_server, users_server);
}

/// Baggage set by the gateway seen by Go (`relay.baggage`) and passed on by Go to users
/// (`tenant.id`), when the format carries it; none at all when it does not.
fn assert_baggage(format: &Format, go_server: &Span, users_server: &Span) {
    let what = format.propagators;
    let (at_go, at_users) = if format.baggage {
        (GATEWAY_BAGGAGE, Some("acme"))
    } else {
        ("", None)
    };
    assert_eq!(
        go_server.attr("relay.baggage"),
        Some(at_go),
        "{what}: the baggage Go received from baton"
    );
    assert_eq!(
        users_server.attr("tenant.id"),
        at_users,
        "{what}: the baggage baton users received from Go"
    );
}

/// Go's `call` mode sends `GET /users/42` with baggage to baton users → db, its otelhttp
/// CLIENT span the root of the trace.
fn go_calls_baton(format: &Format) {
    let receiver = Receiver::start();
    let endpoint = receiver.http_url();
    let env = telemetry_env(&endpoint, format.propagators, &[]);
    let mut processes = Processes::default();
    let users = start_users(&mut processes, &env);
    let calls = go_call(
        &env,
        &["--baggage", "tenant.id=acme"],
        &users,
        Duration::from_secs(30),
    );
    stop_all(&mut processes);

    let what = format.propagators;
    assert_eq!(calls.len(), 1, "{what}: one request: {calls:?}");
    let call = &calls[0];
    assert!(call.sampled && call.status == 200, "{what}: {call:?}");
    assert_eq!(
        call.headers, format.from_go,
        "{what}: the headers Go sent to baton's users"
    );
    let spans = received(&receiver);
    assert_eq!(
        by_trace(&spans).len(),
        1,
        "{what}: one trace id across Go and baton; received:\n{}",
        render_all(&spans)
    );
    assert_tree(
        what,
        &spans,
        &format!("go CLIENT HTTP GET 200\n{}", indent(USERS_BELOW, 1)),
    );
    let go_client = span_of(&spans, "go", CLIENT, "HTTP GET");
    let users_server = span_of(&spans, "users", SERVER, "GET /users/{id}");
    assert_otelhttp(go_client);
    assert_eq!(
        (go_client.trace_id.as_str(), go_client.span_id.as_str()),
        (call.trace_id.as_str(), call.span_id.as_str()),
        "{what}: the span Go reported"
    );
    assert_eq!(
        users_server.parent_span_id, go_client.span_id,
        "{what}: baton users' SERVER span continues Go's root CLIENT span"
    );
    let tenant = format.baggage.then_some("acme");
    assert_eq!(
        users_server.attr("tenant.id"),
        tenant,
        "{what}: the baggage Go set, at baton users"
    );
}

/// baton's gateway calls the Go peer as its `users` service, which answers itself.
fn baton_calls_go(format: &Format) {
    let receiver = Receiver::start();
    let endpoint = receiver.http_url();
    let env = telemetry_env(&endpoint, format.propagators, &[]);
    let mut processes = Processes::default();
    let auth = processes.start("auth", example_service("auth", &[], &env), START);
    let go = start_go(&mut processes, &env, None);
    let gateway = processes.start(
        "gateway",
        example_service("gateway", &[("--auth", &auth), ("--users", &go)], &env),
        START,
    );
    let answers = profiles(&gateway, 1);
    stop_all(&mut processes);

    let what = format.propagators;
    let spans = received(&receiver);
    assert_eq!(
        by_trace(&spans).len(),
        1,
        "{what}: one trace id across baton and Go; received:\n{}",
        render_all(&spans)
    );
    assert_tree(what, &spans, &gateway_tree("go SERVER GET /users/{id} 200"));
    let gateway_client = span_of(&spans, "gateway", CLIENT, "GET /users/{id}");
    let go_server = span_of(&spans, "go", SERVER, "GET /users/{id}");
    assert_otelhttp(go_server);
    assert_eq!(
        go_server.parent_span_id, gateway_client.span_id,
        "{what}: Go's SERVER span continues baton's CLIENT span"
    );
    assert_eq!(
        go_server.attr("relay.headers.in"),
        Some(format.from_baton),
        "{what}: the headers baton sent to Go"
    );
    let (baggage, tenant) = if format.baggage {
        (GATEWAY_BAGGAGE, "\"acme\"")
    } else {
        ("", "null")
    };
    assert_eq!(
        go_server.attr("relay.baggage"),
        Some(baggage),
        "{what}: the baggage Go received from baton"
    );
    let body = &answers[0].0;
    assert_eq!(
        body.trim(),
        format!(r#"{{"id":42,"orders":[],"tenant":{tenant}}}"#),
        "{what}: Go's answer names the tenant it read from the baggage"
    );
}

#[test]
fn w3c_trace_context_and_baggage_cross_go() {
    go_between_baton_services(&W3C);
}

#[test]
fn b3_single_header_crosses_go_without_baggage() {
    go_between_baton_services(&B3);
}

#[test]
fn b3_single_header_and_baggage_cross_go() {
    go_between_baton_services(&B3_BAGGAGE);
}

#[test]
fn b3_multi_header_crosses_go_without_baggage() {
    go_between_baton_services(&B3_MULTI);
}

#[test]
fn b3_multi_header_and_baggage_cross_go() {
    go_between_baton_services(&B3_MULTI_BAGGAGE);
}

#[test]
fn jaeger_crosses_go_but_go_drops_jaeger_baggage() {
    go_between_baton_services(&JAEGER);
}

#[test]
fn jaeger_with_w3c_baggage_crosses_go() {
    go_between_baton_services(&JAEGER_BAGGAGE);
}

#[test]
fn go_root_caller_of_baton_w3c() {
    go_calls_baton(&W3C);
}

#[test]
fn go_root_caller_of_baton_b3() {
    go_calls_baton(&B3);
}

#[test]
fn go_root_caller_of_baton_b3multi() {
    go_calls_baton(&B3_MULTI);
}

#[test]
fn go_root_caller_of_baton_jaeger() {
    go_calls_baton(&JAEGER);
}

#[test]
fn go_callee_of_baton_w3c() {
    baton_calls_go(&W3C);
}

#[test]
fn go_callee_of_baton_b3() {
    baton_calls_go(&B3);
}

#[test]
fn go_callee_of_baton_b3multi() {
    baton_calls_go(&B3_MULTI);
}

#[test]
fn go_callee_of_baton_jaeger() {
    baton_calls_go(&JAEGER);
}

// ---------------------------------------------------------------------------------------
// The HTTP attributes otelhttp and baton record for the same requests (docs/interop-go.md).
// ---------------------------------------------------------------------------------------

/// A span's attributes as `key=value` lines, ports (which the OS picks) as `PORT`, and
/// the peer's own attributes (`relay.*`, `tenant.id`) left out.
fn http_attributes(span: &Span) -> String {
    span.attributes
        .iter()
        .filter(|(k, _)| !k.starts_with("relay.") && k.as_str() != "tenant.id")
        .map(|(k, v)| {
            let v = if k.ends_with(".port") {
                "PORT".to_owned()
            } else {
                mask_port(v)
            };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A span's kind and name, then its [`http_attributes`].
fn described(span: &Span) -> String {
    format!(
        "{} {}\n{}",
        span.kind_name(),
        span.name,
        http_attributes(span)
    )
}

/// `text` without its blank lines and the indentation of each line.
fn dedent(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `v` with the port after `127.0.0.1:` replaced by `PORT`.
fn mask_port(v: &str) -> String {
    match v.split_once("127.0.0.1:") {
        Some((head, tail)) => {
            let rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{head}127.0.0.1:PORT{rest}")
        }
        None => v.to_owned(),
    }
}

/// `GET {base}/users/42?verbose=1` from a plain client with a `User-Agent`: the same
/// request to the Go peer and to baton's users.
fn get_user_directly(base: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let status = runtime.block_on(async {
        let request = reqwest::Client::new()
            .get(format!("{base}/users/42?verbose=1"))
            .header("user-agent", "interop-test/1.0")
            .send();
        tokio::time::timeout(Duration::from_secs(20), request)
            .await
            .expect("the request finishes within 20 s")
            .expect("answered")
            .status()
    });
    assert_eq!(status.as_u16(), 200, "GET {base}/users/42?verbose=1");
}

/// The same `GET /users/42?verbose=1` sent to Go's otelhttp server and to baton's server
/// layer, and the `GET /users/42` calls of baton's client (gateway) and Go's otelhttp
/// client (relaying to users): every attribute of each span, exactly.
#[test]
fn otelhttp_and_baton_http_attributes_side_by_side() {
    let receiver = Receiver::start();
    let endpoint = receiver.http_url();
    let env = telemetry_env(&endpoint, "tracecontext,baggage", &[]);
    let mut processes = Processes::default();
    let db = processes.start("db", example_service("db", &[], &env), START);
    let auth = processes.start("auth", example_service("auth", &[], &env), START);
    let users = processes.start(
        "users",
        example_service("users", &[("--db", &db)], &env),
        START,
    );
    let go = start_go(&mut processes, &env, Some(&users));
    let gateway = processes.start(
        "gateway",
        example_service("gateway", &[("--auth", &auth), ("--users", &go)], &env),
        START,
    );
    get_user_directly(&go);
    get_user_directly(&users);
    profiles(&gateway, 1);
    stop_all(&mut processes);

    let spans = received(&receiver);
    let root = |service: &str| {
        one(
            &spans,
            &format!("{service}'s SERVER span for the direct request"),
            |s| s.service == service && s.kind == SERVER && s.parent_span_id.is_empty(),
        )
    };
    let side_by_side = [
        ("Go SERVER", root("go"), GO_SERVER),
        ("baton SERVER", root("users"), BATON_SERVER),
        (
            "baton CLIENT",
            span_of(&spans, "gateway", CLIENT, "GET /users/{id}"),
            BATON_CLIENT,
        ),
    ];
    for (what, span, expected) in side_by_side {
        assert_eq!(described(span), dedent(expected), "{what} span");
    }
    let go_clients: Vec<&Span> = spans
        .iter()
        .filter(|s| s.service == "go" && s.kind == CLIENT)
        .collect();
    assert_eq!(go_clients.len(), 2, "Go relayed two requests");
    for span in go_clients {
        assert_eq!(described(span), dedent(GO_CLIENT), "Go CLIENT span");
    }
}

/// Go's otelhttp server for `GET /users/42?verbose=1` (wrapping the whole `ServeMux`, as
/// the Go tutorials do): no `url.query`, no `http.route` (the route is known only after
/// the span started; it is used for the name).
const GO_SERVER: &str = "
    SERVER GET /users/{id}
    client.address=127.0.0.1
    http.request.method=GET
    http.response.status_code=200
    network.peer.address=127.0.0.1
    network.peer.port=PORT
    network.protocol.version=1.1
    server.address=127.0.0.1
    server.port=PORT
    url.path=/users/42
    url.scheme=http
    user_agent.original=interop-test/1.0
";
/// baton's server layer (axum) for the same request.
const BATON_SERVER: &str = "
    SERVER GET /users/{id}
    client.address=127.0.0.1
    http.request.method=GET
    http.response.status_code=200
    http.route=/users/{id}
    network.peer.address=127.0.0.1
    network.peer.port=PORT
    network.protocol.version=1.1
    server.address=127.0.0.1
    server.port=PORT
    url.path=/users/42
    url.query=verbose=1
    url.scheme=http
    user_agent.original=interop-test/1.0
";
/// Go's otelhttp transport for `GET /users/42`: named `HTTP GET`.
const GO_CLIENT: &str = "
    CLIENT HTTP GET
    http.request.method=GET
    http.response.status_code=200
    network.protocol.version=1.1
    server.address=127.0.0.1
    server.port=PORT
    url.full=http://127.0.0.1:PORT/users/42
";
/// baton's reqwest middleware for `GET /users/42`, given the template `/users/{id}`.
const BATON_CLIENT: &str = "
    CLIENT GET /users/{id}
    http.request.method=GET
    http.response.status_code=200
    network.protocol.version=1.1
    server.address=127.0.0.1
    server.port=PORT
    url.full=http://127.0.0.1:PORT/users/42
    url.template=/users/{id}
";

// ---------------------------------------------------------------------------------------
// Sampling across languages: `traceidratio` in Go and in baton.
// ---------------------------------------------------------------------------------------

/// The ratio the issue asks about, and others to catch a rounding difference.
const RATIOS: [&str; 6] = ["0.5", "0.25", "0.1", "0.001", "0.999", "0"];

/// The sampler environment both sides are given.
fn ratio_env(ratio: &str) -> [(&'static str, String); 2] {
    [
        ("OTEL_TRACES_SAMPLER", "traceidratio".to_owned()),
        ("OTEL_TRACES_SAMPLER_ARG", ratio.to_owned()),
    ]
}

/// 20,000 trace ids from a fixed sequence (splitmix64), then, for each ratio r, the ids
/// whose low 64 bits sit on either side of the rule's boundary `2 * floor(r * 2^63)`.
fn trace_ids() -> Vec<u128> {
    let mut state = 0x5eed_u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut ids: Vec<u128> = (0..20_000)
        .map(|_| (u128::from(next()) << 64) | u128::from(next()))
        .collect();
    for ratio in RATIOS {
        let bound = (ratio.parse::<f64>().unwrap() * (1u64 << 63) as f64) as u64;
        for low in [2 * bound, 2 * bound + 1] {
            for low in [low.wrapping_sub(2), low.wrapping_sub(1), low, low + 2] {
                ids.push((0xabcd_u128 << 64) | u128::from(low));
            }
        }
    }
    ids.extend([1, u128::from(u64::MAX), u128::MAX]);
    ids
}

/// One trace id's decisions: a root span, a span continuing a sampled remote parent, one
/// continuing an unsampled remote parent.
type Decisions = (bool, bool, bool);

/// The Go SDK's decisions for `ids`, from the peer's `sample` mode given the sampler
/// environment of `ratio`.
fn go_decisions(ratio: &str, ids: &[u128]) -> Vec<Decisions> {
    let input: String = ids.iter().map(|id| format!("{id:032x}\n")).collect();
    let env = ratio_env(ratio);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let output = go_peer::run(
        go_peer::command(&["sample"], &env),
        input.as_bytes(),
        Duration::from_secs(60),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "go_peer sample: {:?}",
        output.status
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), ids.len(), "one line per trace id");
    lines
        .iter()
        .zip(ids)
        .map(|(line, id)| {
            let words: Vec<&str> = line.split(' ').collect();
            assert_eq!(words[0], format!("{id:032x}"), "Go answers in order");
            (words[1] == "1", words[2] == "1", words[3] == "1")
        })
        .collect()
}

/// baton's decisions for `ids`: spans continuing remote parents, started by a tracer of
/// the provider baton builds from the sampler environment of `ratio`; roots decided by the
/// sampler that environment installs (`opentelemetry_sdk`'s `TraceIdRatioBased`, per
/// crates/baton-sdk/src/env/sampler.rs), since a root's trace id cannot be chosen.
fn baton_decisions(ratio: &str, ids: &[u128]) -> Vec<Decisions> {
    use opentelemetry::trace::{
        Span as _, SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags, TraceId, TraceState,
        Tracer,
    };
    use opentelemetry_sdk::trace::{Sampler, SamplingDecision, ShouldSample};

    let mut env = vec![
        ("OTEL_TRACES_EXPORTER", "none".to_owned()),
        ("OTEL_METRICS_EXPORTER", "none".to_owned()),
    ];
    env.extend(ratio_env(ratio));
    let guard = baton::Builder::from_env_map(env)
        .install_global(false)
        .build()
        .expect("baton from the sampler environment");
    let tracer = guard.tracer("sampling-interop");
    let root_sampler = Sampler::TraceIdRatioBased(ratio.parse().unwrap());
    let continued = |id: TraceId, flags: TraceFlags| {
        let parent = SpanContext::new(id, SpanId::from(1), flags, true, TraceState::default());
        let cx = opentelemetry::Context::new().with_remote_span_context(parent);
        tracer
            .start_with_context("decide", &cx)
            .span_context()
            .is_sampled()
    };
    let decisions = ids
        .iter()
        .map(|&id| {
            let id = TraceId::from(id);
            let root = root_sampler.should_sample(None, id, "decide", &SpanKind::Server, &[], &[]);
            (
                root.decision == SamplingDecision::RecordAndSample,
                continued(id, TraceFlags::SAMPLED),
                continued(id, TraceFlags::default()),
            )
        })
        .collect();
    guard.shutdown().expect("shutdown");
    decisions
}

#[test]
fn go_and_baton_traceidratio_decide_alike_for_every_trace_id() {
    let ids = trace_ids();
    for ratio in RATIOS {
        let go = go_decisions(ratio, &ids);
        let baton = baton_decisions(ratio, &ids);
        let differ: Vec<String> = ids
            .iter()
            .zip(go.iter().zip(&baton))
            .filter(|(_, (g, b))| g != b)
            .map(|(id, (g, b))| format!("{id:032x}: Go {g:?}, baton {b:?}"))
            .take(10)
            .collect();
        assert!(
            differ.is_empty(),
            "traceidratio {ratio}: (root, sampled parent, unsampled parent) differ:\n{}",
            differ.join("\n")
        );
        // traceidratio ignores the parent's decision: the trace id alone decides.
        assert!(
            go.iter().all(|&(r, s, u)| r == s && s == u),
            "traceidratio {ratio}: Go follows a parent"
        );
        let sampled = go.iter().filter(|d| d.0).count();
        let expected = ratio.parse::<f64>().unwrap() * 20_000.0;
        assert!(
            (sampled as f64 - expected).abs() <= 400.0,
            "traceidratio {ratio}: {sampled} of {} sampled",
            ids.len()
        );
    }
    // The rule both follow: sample when (low 64 bits of the trace id) >> 1 < floor(r * 2^63).
    let edge = [
        0xabcd_0000_0000_0000_7fff_ffff_ffff_ffff_u128,
        0xabcd_0000_0000_0000_8000_0000_0000_0000,
    ];
    assert_eq!(
        go_decisions("0.5", &edge),
        vec![(true, true, true), (false, false, false)]
    );
}

/// Go starts 200 traces with `traceidratio` 0.5 and calls baton users (→ db), which
/// continue them with `traceidratio` 0.5: baton exports exactly the traces Go sampled.
#[test]
fn traces_go_starts_are_sampled_alike_by_baton() {
    let receiver = Receiver::start();
    let endpoint = receiver.http_url();
    let sampler = [
        ("OTEL_TRACES_SAMPLER", "traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
    ];
    let env = telemetry_env(&endpoint, "tracecontext,baggage", &sampler);
    let mut processes = Processes::default();
    let users = start_users(&mut processes, &env);
    let calls = go_call(&env, &["--count", "200"], &users, Duration::from_secs(120));
    stop_all(&mut processes);

    assert_eq!(calls.len(), 200, "every request answered");
    let go_sampled: Vec<&str> = calls
        .iter()
        .filter(|c| c.sampled)
        .map(|c| c.trace_id.as_str())
        .collect();
    assert!(
        !go_sampled.is_empty() && go_sampled.len() < 200,
        "{} of 200 sampled by Go",
        go_sampled.len()
    );
    let spans = received(&receiver);
    let traces = by_trace(&spans);
    let exported: Vec<&str> = traces.keys().map(String::as_str).collect();
    let mut wanted = go_sampled.clone();
    wanted.sort_unstable();
    assert_eq!(
        exported, wanted,
        "the traces exported are exactly those Go sampled"
    );
    let tree = format!("go CLIENT HTTP GET 200\n{}", indent(USERS_BELOW, 1));
    for (trace_id, spans) in &traces {
        assert_tree(trace_id, spans, &tree);
    }
}

/// baton's gateway starts 200 traces with `traceidratio` 0.5 and calls the Go peer, which
/// continues them with `traceidratio` 0.5: Go exports exactly the traces baton sampled.
#[test]
fn traces_baton_starts_are_sampled_alike_by_go() {
    let receiver = Receiver::start();
    let endpoint = receiver.http_url();
    let sampler = [
        ("OTEL_TRACES_SAMPLER", "traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
    ];
    let env = telemetry_env(&endpoint, "tracecontext,baggage", &sampler);
    let mut processes = Processes::default();
    let auth = processes.start("auth", example_service("auth", &[], &env), START);
    let go = start_go(&mut processes, &env, None);
    let gateway = processes.start(
        "gateway",
        example_service("gateway", &[("--auth", &auth), ("--users", &go)], &env),
        START,
    );
    let answers = profiles(&gateway, 200);
    stop_all(&mut processes);

    let mut baton_sampled: Vec<&str> = answers
        .iter()
        .filter(|a| a.2)
        .map(|a| a.1.as_str())
        .collect();
    assert!(
        !baton_sampled.is_empty() && baton_sampled.len() < 200,
        "{} of 200 sampled by baton",
        baton_sampled.len()
    );
    baton_sampled.sort_unstable();
    let spans = received(&receiver);
    let traces = by_trace(&spans);
    let exported: Vec<&str> = traces.keys().map(String::as_str).collect();
    assert_eq!(
        exported, baton_sampled,
        "the traces exported are exactly those baton sampled"
    );
    let tree = gateway_tree("go SERVER GET /users/{id} 200");
    for (trace_id, spans) in &traces {
        assert_tree(trace_id, spans, &tree);
    }
}
