//! gRPC interop with OpenTelemetry Go: the Go peer (tests/go_peer, the Go SDK v1.47 with
//! otelgrpc v0.72 on a google.golang.org/grpc server and client, exporting over OTLP/HTTP
//! to a real receiver) and baton's tonic layers, both ways:
//!
//! ```text
//! traced tonic client → Go otelgrpc server     (baton starts the trace)
//! Go otelgrpc client → traced tonic server     (Go starts it)
//! ```
//!
//! One trace each, the right parents, and the attributes each side records for the same
//! call compared exactly; docs/interop-go.md explains every difference (otelgrpc v0.72
//! follows the same reworked RPC conventions, but sets no `error.type` and no
//! `network.peer.*` on its server).
//!
//! Needs the Go toolchain: the peer is built by `scripts/go_peer.sh` (cached outside the
//! repository), or taken from `BATON_GO_PEER`; the tests fail, never skip, without it.
#![cfg(unix)]

mod common;
mod grpc_echo;

use baton_test_support::otlp::{CLIENT, Receiver, SERVER, Span};
use baton_tower::client::GrpcClientLayer;
use common::Telemetry;
use grpc_echo::{EchoClient, Msg, client_tracing};
use opentelemetry::trace::SpanKind;
use opentelemetry_sdk::trace::SpanData;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tonic::Code;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Go peer's binary: `BATON_GO_PEER`, or what `scripts/go_peer.sh` builds and prints.
fn go_peer() -> PathBuf {
    if let Some(path) = std::env::var_os("BATON_GO_PEER") {
        return PathBuf::from(path);
    }
    let output = Command::new("bash")
        .arg(root().join("scripts/go_peer.sh"))
        .output()
        .expect("run scripts/go_peer.sh");
    assert!(
        output.status.success(),
        "scripts/go_peer.sh failed: the Go peer is needed by these tests\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

fn go_command(receiver: &Receiver, args: &[&str]) -> Command {
    let mut command = Command::new(go_peer());
    command.args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OTEL_") {
            command.env_remove(key);
        }
    }
    command
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.http_url())
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .env("OTEL_BSP_SCHEDULE_DELAY", "50")
        .env("OTEL_PROPAGATORS", "tracecontext,baggage")
        .env("OTEL_SERVICE_NAME", "go");
    command
}

/// The Go gRPC server, interrupted (so that it flushes) when dropped.
struct GoServer {
    child: Child,
    addr: SocketAddr,
}

impl GoServer {
    fn start(receiver: &Receiver) -> Self {
        let mut child = go_command(receiver, &["grpc-serve"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the Go peer");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("the Go peer said {line:?}, not where it listens"));
        GoServer { child, addr }
    }
}

impl Drop for GoServer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
    }
}

/// A Rust span's attributes as text, without the peer's ephemeral port.
fn rust_attrs(span: &SpanData) -> BTreeMap<String, String> {
    span.attributes
        .iter()
        .map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .filter(|(k, _)| k != "network.peer.port")
        .collect()
}

/// A Go span's attributes, without the peer's ephemeral port.
fn go_attrs(span: &Span) -> BTreeMap<String, String> {
    let mut attrs = span.attributes.clone();
    attrs.remove("network.peer.port");
    attrs
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_traced_tonic_client_calls_a_go_otelgrpc_server() {
    let receiver = Receiver::start();
    let go = GoServer::start(&receiver);
    let t = Telemetry::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let endpoint: http::Uri = format!("http://{}", go.addr).parse().unwrap();
        let layer = GrpcClientLayer::new(client_tracing(&t), &endpoint).unwrap();
        let channel = tonic::transport::Endpoint::from(endpoint).connect_lazy();
        let mut echo = EchoClient::new(tower::Layer::layer(&layer, channel));
        let reply = echo
            .unary(tonic::Request::new(Msg::new(Code::Ok, "rust", 0)))
            .await
            .unwrap();
        assert_eq!(reply.into_inner().text, "rust");
        let err = echo
            .unary(tonic::Request::new(Msg::new(Code::Internal, "boom", 0)))
            .await
            .unwrap_err();
        assert_eq!(
            (err.code(), err.message()),
            (Code::Internal, "boom asked for")
        );
    });
    let go_spans = receiver.wait_for("two Go server spans", Duration::from_secs(10), |s| {
        s.iter().filter(|s| s.kind == SERVER).count() == 2
    });
    let rust = t.finished();
    assert_eq!(rust.len(), 2);
    let port = go.addr.port().to_string();
    for (client, code) in [(&rust[0], "OK"), (&rust[1], "INTERNAL")] {
        assert_eq!(client.span_kind, SpanKind::Client);
        let server = go_spans
            .iter()
            .find(|s| s.parent_span_id == client.span_context.span_id().to_string())
            .unwrap_or_else(|| panic!("no Go span under {client:?}: {go_spans:?}"));
        assert_eq!(server.trace_id, client.span_context.trace_id().to_string());
        assert_eq!((server.service.as_str(), server.kind), ("go", SERVER));
        // The same call as each side records it.
        let mut ours = map(&[
            ("rpc.method", "baton.test.Echo/Unary"),
            ("rpc.response.status_code", code),
            ("rpc.system.name", "grpc"),
            ("server.address", "127.0.0.1"),
            ("server.port", &port),
        ]);
        if code != "OK" {
            ours.insert("error.type".into(), code.into());
        }
        assert_eq!(rust_attrs(client), ours);
        assert_eq!(client.name, "baton.test.Echo/Unary");
        // otelgrpc v0.72 records the same, but no `error.type` on a failed call.
        let mut theirs = ours.clone();
        theirs.remove("error.type");
        assert_eq!(go_attrs(server), theirs, "Go's server span: {server:?}");
        assert_eq!(server.name, "baton.test.Echo/Unary");
        let (status, message) = if code == "OK" {
            (0, "")
        } else {
            (2, "boom asked for")
        };
        assert_eq!(
            (server.status_code, server.status_message.as_str()),
            (status, message)
        );
    }
}

#[test]
fn a_go_otelgrpc_client_calls_a_traced_tonic_server() {
    let receiver = Receiver::start();
    let t = Telemetry::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = rt.block_on(grpc_echo::serve(t.layer()));
    for (code, name) in [("0", "OK"), ("5", "NotFound")] {
        let output = go_command(&receiver, &["grpc-call", "--code", code, &addr.to_string()])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            format!("code {name:?}")
        );
    }
    let go_spans = receiver.wait_for("two Go client spans", Duration::from_secs(10), |s| {
        s.iter().filter(|s| s.kind == CLIENT).count() == 2
    });
    let rust = rt.block_on(t.wait_for_spans(2));
    let port = addr.port().to_string();
    for (server, code) in [(&rust[0], "OK"), (&rust[1], "NOT_FOUND")] {
        let client = go_spans
            .iter()
            .find(|s| s.span_id == server.parent_span_id.to_string())
            .unwrap_or_else(|| panic!("no Go span above {server:?}: {go_spans:?}"));
        assert_eq!(client.trace_id, server.span_context.trace_id().to_string());
        assert_eq!(
            client.parent_span_id, "",
            "Go's client span starts the trace"
        );
        assert_eq!(
            (server.span_kind.clone(), server.name.as_ref()),
            (SpanKind::Server, "baton.test.Echo/Unary")
        );
        assert_eq!(
            rust_attrs(server),
            map(&[
                ("network.peer.address", "127.0.0.1"),
                ("rpc.method", "baton.test.Echo/Unary"),
                ("rpc.response.status_code", code),
                ("rpc.system.name", "grpc"),
                ("server.address", "127.0.0.1"),
                ("server.port", &port),
            ])
        );
        assert_eq!(client.name, "baton.test.Echo/Unary");
        // otelgrpc v0.72 records the same on its client, but no `error.type` (and, on
        // baton's side, the server adds the Recommended `network.peer.address`).
        assert_eq!(
            go_attrs(client),
            map(&[
                ("rpc.method", "baton.test.Echo/Unary"),
                ("rpc.response.status_code", code),
                ("rpc.system.name", "grpc"),
                ("server.address", "127.0.0.1"),
                ("server.port", &port),
            ]),
            "Go's client span: {client:?}"
        );
        // NOT_FOUND is an error on Go's client, not on baton's server.
        let (status, message) = if code == "OK" {
            (0, "")
        } else {
            (2, "go asked for")
        };
        assert_eq!(
            (client.status_code, client.status_message.as_str()),
            (status, message)
        );
        let unset = opentelemetry::trace::Status::Unset;
        assert_eq!(server.status, unset, "NOT_FOUND is not the server's error");
    }
}
