//! The logs signal end to end: an axum service set up by `baton::Builder` (its global
//! `tracing` subscriber included), whose handler logs with `tracing::info!`, exporting to a
//! real OTLP receiver over HTTP/protobuf and then over gRPC. Each log record carries, by
//! exact value, the trace id, span id and flags of the request's context: the server span
//! with no caller and under a sampled caller, and the caller's own ids under an unsampled
//! one (no span is recorded then, and the line still names the caller's trace). The lines
//! on standard error (here, a buffer) carry the same ids.

use baton_test_support::lines::Lines;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use baton::ServerLayer;
use baton_test_support::loopback::{runtime, serve_axum_on};
use baton_test_support::otlp::{Log, Receiver, SEVERITY_INFO};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const SAMPLED_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SAMPLED_PARENT: &str = "00f067aa0ba902b7";
const UNSAMPLED_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const UNSAMPLED_PARENT: &str = "b7ad6b7169203331";

async fn profile(Path(id): Path<u64>) -> &'static str {
    tracing::info!(user.id = id, "loading profile");
    "ok"
}

async fn get_with(addr: SocketAddr, path: &str, traceparent: Option<&str>) -> u16 {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<bytes::Bytes>>();
    let mut request = http::Request::get(format!("http://{addr}{path}"));
    if let Some(tp) = traceparent {
        request = request.header("traceparent", tp);
    }
    let response = client
        .request(request.body(Full::default()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    status
}

fn log_of<'a>(logs: &'a [Log], user: &str) -> &'a Log {
    logs.iter()
        .find(|l| l.attr("user.id") == Some(user))
        .unwrap_or_else(|| panic!("no log for user {user} among {logs:#?}"))
}

fn run(protocol: &str, endpoint: &str, receiver: &Receiver) {
    let lines = Lines::default();
    let guard = baton::Builder::from_env_map([
        ("OTEL_SERVICE_NAME", "users"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("OTEL_BLRP_SCHEDULE_DELAY", "50"),
    ])
    .log_writer(lines.clone())
    .build()
    .unwrap();
    let rt = runtime("logs-otlp", 2);
    let router = Router::new()
        .route("/users/{id}", get(profile))
        .layer(ServerLayer::new());
    let addr = serve_axum_on(&rt, router);
    rt.block_on(async {
        assert_eq!(get_with(addr, "/users/1", None).await, 200);
        let sampled = format!("00-{SAMPLED_TRACE}-{SAMPLED_PARENT}-01");
        assert_eq!(get_with(addr, "/users/2", Some(&sampled)).await, 200);
        let unsampled = format!("00-{UNSAMPLED_TRACE}-{UNSAMPLED_PARENT}-00");
        assert_eq!(get_with(addr, "/users/3", Some(&unsampled)).await, 200);
    });
    let path = if protocol == "grpc" {
        baton_test_support::otlp::LOGS_GRPC_PATH
    } else {
        "/v1/logs"
    };
    let logs = receiver.wait_for_logs(&format!("3 logs at {path}"), Duration::from_secs(10), |l| {
        l.iter().filter(|l| l.service == "users").count() >= 3
    });
    let spans = receiver.wait_for("2 server spans", Duration::from_secs(10), |s| {
        s.iter().filter(|s| s.name == "GET /users/{id}").count() >= 2
    });
    guard.shutdown().unwrap();

    let root = spans
        .iter()
        .find(|s| s.name == "GET /users/{id}" && s.parent_span_id.is_empty())
        .expect("the server span of the request without a caller");
    let child = spans
        .iter()
        .find(|s| s.name == "GET /users/{id}" && s.parent_span_id == SAMPLED_PARENT)
        .expect("the server span under the sampled caller");
    assert_eq!(child.trace_id, SAMPLED_TRACE);

    // The root started here carries W3C Level 2's random-trace-id (0x02) besides sampled:
    // `init` declares its trace ids random. Continued traces keep the caller's flags.
    let expect = [
        ("1", root.trace_id.as_str(), root.span_id.as_str(), 3),
        ("2", SAMPLED_TRACE, child.span_id.as_str(), 1),
        ("3", UNSAMPLED_TRACE, UNSAMPLED_PARENT, 0),
    ];
    for (user, trace_id, span_id, flags) in expect {
        let log = log_of(&logs, user);
        assert_eq!(
            (
                log.trace_id.as_str(),
                log.span_id.as_str(),
                log.trace_flags()
            ),
            (trace_id, span_id, flags),
            "{protocol}: user {user}"
        );
        assert_eq!(log.severity_number, SEVERITY_INFO);
        assert_eq!(log.severity_text, "INFO");
        assert_eq!(log.body, "loading profile");
        assert_eq!(log.scope, "logs_otlp");
        assert_eq!(
            log.resource.get("service.name").map(String::as_str),
            Some("users")
        );
        assert_eq!(log.attr("code.file.path"), Some("tests/logs_otlp.rs"));
        let text = lines.text();
        let line = text
            .lines()
            .find(|l| l.contains(&format!("user.id={user} ")))
            .unwrap_or_else(|| panic!("no line for user {user} in {text}"));
        assert!(
            line.ends_with(&format!(
                "  INFO logs_otlp: loading profile user.id={user} trace_id={trace_id} span_id={span_id}"
            )),
            "{line}"
        );
    }
}

#[test]
fn log_records_carry_the_requests_trace_context_over_http_and_grpc() {
    let receiver = Receiver::start();
    run("http/protobuf", &receiver.http_url(), &receiver);
    let grpc = Receiver::start();
    run("grpc", &grpc.grpc_url(), &grpc);
}
