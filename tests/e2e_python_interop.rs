//! Interop with OpenTelemetry Python: a Python service (tests/interop/relay.py, a Flask app
//! run under `opentelemetry-instrument` with the flask and requests instrumentations)
//! placed between two baton services, as separate processes:
//!
//! ```text
//! client → baton gateway → Python relay → baton users → baton db      (gateway → auth too)
//! ```
//!
//! For each `OTEL_PROPAGATORS` value (the same for every process), one request must make one
//! trace across baton and Python, exported by all of them to one real OTLP receiver (baton
//! and Python both over OTLP/HTTP): Python's SERVER span the child of gateway's CLIENT span,
//! baton users' SERVER span the child of Python's CLIENT span, the baggage the gateway sets
//! arriving intact at users when the format carries baggage, and the headers on the wire in
//! the format asked for.
//!
//! Needs the virtualenv that `scripts/test.sh` creates at the workspace root (`.venv`, from
//! tests/interop/requirements.txt); the tests fail, rather than skip, when it is missing.
#![cfg(unix)]

mod e2e_common;

use std::process::Command;
use std::time::{Duration, Instant};

use baton_test_support::otlp::trace::{assert_tree, by_trace, one, render_all};
use baton_test_support::otlp::{CLIENT, HTTP_TRANSPORT, Receiver, SERVER};
use e2e_common::process::{Processes, clean_env, example_service, root, venv_bin};

/// The trace every case must produce: the Python relay where `users` was.
const TRACE: &str = "
    gateway SERVER GET /profile/{id} 200
      gateway CLIENT POST /verify 204
        auth SERVER POST /verify 204
      gateway CLIENT GET /users/{id} 200
        relay SERVER GET /users/<int:user_id> 200
          relay CLIENT GET 200
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
const SPANS: usize = 15;

/// Runs gateway → Python → users → db with `OTEL_PROPAGATORS=propagators` everywhere,
/// sends one request, and checks the trace. `headers` are the propagation headers that
/// must cross the Python service in both directions; `baggage` says whether
/// `tenant.id=acme` must arrive at users (or, for a format without baggage, must not).
fn relay_between_baton_services(propagators: &str, headers: &str, baggage: bool) {
    let python = venv_bin("python");
    let instrument = venv_bin("opentelemetry-instrument");
    let receiver = Receiver::start();
    let _ = e2e_common::process::example_binary();
    let started = Instant::now();

    let endpoint = receiver.http_url();
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("OTEL_PROPAGATORS", propagators),
    ];
    let limit = Duration::from_secs(20);
    let mut processes = Processes::default();
    let db = processes.start("db", example_service("db", &[], &env), limit);
    let auth = processes.start("auth", example_service("auth", &[], &env), limit);
    let users = processes.start(
        "users",
        example_service("users", &[("--db", &db)], &env),
        limit,
    );

    // Started with SIGINT ignored, as under `nohup`, from `cmd &` in a script or by some CI
    // runners (`exec` keeps an ignored signal ignored): the relay must stop on SIGINT even
    // so, whatever started this test.
    let mut relay = Command::new("sh");
    relay
        .args(["-c", "trap '' INT; exec \"$0\" \"$@\""])
        .arg(instrument)
        .arg(python)
        .arg(root().join("tests/interop/relay.py"))
        .args(["--users", &users])
        .current_dir(root());
    clean_env(
        &mut relay,
        &[
            ("OTEL_SERVICE_NAME", "relay"),
            ("OTEL_TRACES_EXPORTER", "otlp"),
            ("OTEL_METRICS_EXPORTER", "none"),
            ("OTEL_LOGS_EXPORTER", "none"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_BSP_SCHEDULE_DELAY", "50"),
            ("OTEL_PROPAGATORS", propagators),
            // The stable HTTP conventions, as baton records them.
            ("OTEL_SEMCONV_STABILITY_OPT_IN", "http"),
            ("PYTHONUNBUFFERED", "1"),
        ],
    );
    let relay = processes.start("relay", relay, Duration::from_secs(30));
    let gateway = processes.start(
        "gateway",
        example_service("gateway", &[("--auth", &auth), ("--users", &relay)], &env),
        limit,
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let status = runtime
        .block_on(async {
            let request = reqwest::Client::new()
                .get(format!("{gateway}/profile/42"))
                .header("authorization", "Bearer demo-token")
                .send();
            tokio::time::timeout(Duration::from_secs(20), request).await
        })
        .expect("the request finishes within 20 s")
        .expect("the gateway answers")
        .status();
    assert_eq!(
        status.as_u16(),
        200,
        "GET /profile/42 through the Python relay"
    );

    receiver.wait_for(
        &format!("{SPANS} spans"),
        Duration::from_secs(20),
        |spans| spans.len() >= SPANS,
    );
    for (name, status) in processes.interrupt_all(Duration::from_secs(15)) {
        assert!(
            status.is_some_and(|s| s.success()),
            "{name} should shut down cleanly on SIGINT and exit 0, got {status:?}"
        );
    }

    let spans = receiver.spans();
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
    assert!(spans.iter().all(|s| s.transport == HTTP_TRANSPORT));
    assert_eq!(spans.len(), SPANS, "received:\n{}", render_all(&spans));
    let traces = by_trace(&spans);
    assert_eq!(
        traces.len(),
        1,
        "{propagators}: one trace id across baton and Python; received:\n{}",
        render_all(&spans)
    );
    assert_tree(propagators, &spans, TRACE);

    let gateway_client = one(&spans, "gateway CLIENT GET /users/{id}", |s| {
        s.service == "gateway" && s.kind == CLIENT && s.name == "GET /users/{id}"
    });
    let relay_server = one(&spans, "relay SERVER span", |s| {
        s.service == "relay" && s.kind == SERVER
    });
    let relay_client = one(&spans, "relay CLIENT span", |s| {
        s.service == "relay" && s.kind == CLIENT
    });
    let users_server = one(&spans, "users SERVER span", |s| {
        s.service == "users" && s.kind == SERVER
    });
    assert_eq!(
        relay_server.parent_span_id, gateway_client.span_id,
        "{propagators}: Python's SERVER span continues gateway's CLIENT span"
    );
    assert_eq!(
        relay_client.parent_span_id, relay_server.span_id,
        "{propagators}: Python's CLIENT span is a child of its SERVER span"
    );
    assert_eq!(
        users_server.parent_span_id, relay_client.span_id,
        "{propagators}: baton users' SERVER span continues Python's CLIENT span"
    );
    assert!(
        relay_server.scope.contains("flask") && relay_client.scope.contains("requests"),
        "the relay's spans come from the flask and requests instrumentations: {:?}, {:?}",
        relay_server.scope,
        relay_client.scope
    );

    // The formats really used on the wire, into Python and out of it.
    assert_eq!(
        relay_server.attr("relay.headers.in"),
        Some(headers),
        "{propagators}: the propagation headers baton's gateway sent to Python"
    );
    assert_eq!(
        relay_server.attr("relay.headers.out"),
        Some(headers),
        "{propagators}: the propagation headers Python sent to baton's users"
    );

    let tenant = users_server.attr("tenant.id");
    if baggage {
        assert_eq!(
            tenant,
            Some("acme"),
            "{propagators}: baggage tenant.id set by the gateway arrives intact at users"
        );
    } else {
        assert_eq!(
            tenant, None,
            "{propagators}: carries no baggage, so none can arrive at users"
        );
    }
    eprintln!(
        "{propagators}: {:?} after the build check",
        started.elapsed()
    );
}

#[test]
fn w3c_trace_context_and_baggage_cross_python() {
    relay_between_baton_services("tracecontext,baggage", "baggage,traceparent", true);
}

#[test]
fn b3_single_header_and_baggage_cross_python() {
    relay_between_baton_services("b3,baggage", "b3,baggage", true);
}

#[test]
fn b3_multi_header_and_baggage_cross_python() {
    relay_between_baton_services(
        "b3multi,baggage",
        "baggage,x-b3-sampled,x-b3-spanid,x-b3-traceid",
        true,
    );
}

#[test]
fn jaeger_with_its_baggage_crosses_python() {
    relay_between_baton_services(
        "jaeger",
        "uber-trace-id,uberctx-tenant.id,uberctx-user.id",
        true,
    );
}

#[test]
fn b3_alone_carries_the_trace_but_no_baggage() {
    relay_between_baton_services("b3", "b3", false);
}
