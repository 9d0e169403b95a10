//! The receiver's logs signal, over the network on 127.0.0.1: a logs export encoded with
//! `opentelemetry-proto`'s types, posted over HTTP (plain and gzipped) and sent over gRPC
//! (tonic's generated `LogsServiceClient`, plain and gzipped), arrives decoded with the
//! exact ids, flags, severity, body, attributes, resource and scope; malformed bodies get
//! the answer the traces path gives; counting-only mode counts; a wait that gives up shows
//! what did arrive.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use baton_test_support::otlp::{
    GRPC_TRANSPORT, HTTP_TRANSPORT, LOGS_GRPC_PATH, Log, Options, Receiver, SEVERITY_ERROR,
    SEVERITY_INFO, SEVERITY_WARN, Signal,
};
use baton_test_support::wait::WAIT;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use tonic::codec::CompressionEncoding;

const TRACE_ID: [u8; 16] = [
    0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36,
];
const SPAN_ID: [u8; 8] = [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7];

fn string(s: &str) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(any_value::Value::StringValue(s.into())),
    })
}

fn int(i: i64) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(any_value::Value::IntValue(i)),
    })
}

fn kv(key: &str, value: Option<AnyValue>) -> KeyValue {
    KeyValue {
        key: key.into(),
        value,
        ..Default::default()
    }
}

/// One resource (`checkout`), one scope, three records: one in a sampled span with a
/// string body, attributes and an event name; one with no trace id, an all-zero span id
/// and an integer body; one with no body at all.
fn request() -> ExportLogsServiceRequest {
    let in_span = LogRecord {
        time_unix_nano: 1_700_000_000_000_000_001,
        observed_time_unix_nano: 1_700_000_000_000_000_002,
        severity_number: SEVERITY_ERROR,
        severity_text: "ERROR".into(),
        body: string("payment declined"),
        attributes: vec![
            kv("order.id", int(42)),
            kv("http.route", string("/pay")),
            kv(
                "retry",
                Some(AnyValue {
                    value: Some(any_value::Value::BoolValue(true)),
                }),
            ),
        ],
        dropped_attributes_count: 2,
        // Sampled, and a reserved bit the receiver must keep as sent.
        flags: 0x101,
        trace_id: TRACE_ID.to_vec(),
        span_id: SPAN_ID.to_vec(),
        event_name: "payment.declined".into(),
    };
    let outside = LogRecord {
        severity_number: SEVERITY_INFO,
        severity_text: "INFO".into(),
        body: int(7),
        span_id: vec![0; 8],
        ..Default::default()
    };
    let bodyless = LogRecord {
        severity_number: SEVERITY_WARN,
        ..Default::default()
    };
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource {
                attributes: vec![
                    kv("service.name", string("checkout")),
                    kv("deployment.environment.name", string("test")),
                ],
                ..Default::default()
            }),
            scope_logs: vec![ScopeLogs {
                scope: Some(InstrumentationScope {
                    name: "baton-test".into(),
                    version: "1.0".into(),
                    ..Default::default()
                }),
                log_records: vec![in_span, outside, bodyless],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn text(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The records of [`request`] as the receiver must decode them.
fn expected(transport: &'static str) -> Vec<Log> {
    let around = Log {
        trace_id: String::new(),
        span_id: String::new(),
        flags: 0,
        severity_number: 0,
        severity_text: String::new(),
        body: String::new(),
        body_value: None,
        event_name: String::new(),
        attributes: text(&[]),
        dropped_attributes_count: 0,
        time_unix_nano: 0,
        observed_time_unix_nano: 0,
        resource: text(&[
            ("deployment.environment.name", "test"),
            ("service.name", "checkout"),
        ]),
        service: "checkout".into(),
        scope: "baton-test".into(),
        transport,
    };
    vec![
        Log {
            trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
            span_id: "00f067aa0ba902b7".into(),
            flags: 0x101,
            severity_number: 17,
            severity_text: "ERROR".into(),
            body: "payment declined".into(),
            body_value: string("payment declined"),
            event_name: "payment.declined".into(),
            attributes: text(&[
                ("http.route", "/pay"),
                ("order.id", "42"),
                ("retry", "true"),
            ]),
            dropped_attributes_count: 2,
            time_unix_nano: 1_700_000_000_000_000_001,
            observed_time_unix_nano: 1_700_000_000_000_000_002,
            ..around.clone()
        },
        Log {
            severity_number: 9,
            severity_text: "INFO".into(),
            body: "7".into(),
            body_value: int(7),
            ..around.clone()
        },
        Log {
            severity_number: 13,
            ..around
        },
    ]
}

/// `POST`s `body` to `path` over one HTTP/1.1 connection, with `headers` added, and
/// returns the whole answer.
fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect to the receiver");
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send the head");
    stream.write_all(body).expect("send the body");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    answer
}

/// [`post`], answered `200 OK`.
fn post_ok(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let answer = post(addr, path, headers, body);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    answer
}

const PROTOBUF: (&str, &str) = ("content-type", "application/x-protobuf");

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn logs_posted_over_http_arrive_decoded_exactly() {
    let rx = Receiver::start();
    let body = request().encode_to_vec();
    let answer = post_ok(
        rx.http_addr(),
        "/v1/logs",
        &[PROTOBUF, ("x-tenant", "acme")],
        &body,
    );
    assert!(
        answer.contains("content-type: application/x-protobuf\r\n"),
        "{answer}"
    );

    let logs = rx.wait_for_logs("3 log records", WAIT, |l| l.len() == 3);
    assert_eq!(logs, expected(HTTP_TRANSPORT));
    assert_eq!(logs[0].trace_flags(), 1);
    assert_eq!(logs[0].attr("order.id"), Some("42"));
    assert_eq!(rx.log_count(), 3);
    assert_eq!(rx.logs_at("/v1/logs"), logs);
    assert!(rx.spans().is_empty() && rx.metrics().is_empty());

    let exports = rx.exports_of(Signal::Logs);
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].path(), "/v1/logs");
    assert_eq!(exports[0].headers()["x-tenant"], "acme");
    assert_eq!(exports[0].origin.transport, HTTP_TRANSPORT);
    assert!(exports[0].spans.is_empty() && exports[0].metrics.is_empty());
    assert!(rx.errors().is_empty(), "{:?}", rx.errors());
}

#[test]
fn gzipped_logs_posted_to_a_per_signal_path_arrive_decoded_exactly() {
    let rx = Receiver::start();
    let body = gzip(&request().encode_to_vec());
    post_ok(
        rx.http_addr(),
        "/custom/logs",
        &[PROTOBUF, ("content-encoding", "gzip")],
        &body,
    );
    assert_eq!(
        rx.wait_for_logs_at("/custom/logs", 3),
        expected(HTTP_TRANSPORT)
    );
    assert_eq!(rx.exports()[0].headers()["content-encoding"], "gzip");
    assert!(rx.errors().is_empty(), "{:?}", rx.errors());
}

#[test]
fn logs_sent_over_grpc_plain_and_gzipped_arrive_decoded_exactly() {
    let rx = Receiver::start();
    let runtime = baton_test_support::loopback::runtime("logs-client", 1);
    runtime.block_on(async {
        for (tenant, gzip) in [("plain", false), ("gzip", true)] {
            let mut client = LogsServiceClient::connect(rx.grpc_url())
                .await
                .expect("connect to the receiver");
            if gzip {
                client = client.send_compressed(CompressionEncoding::Gzip);
            }
            let mut export = tonic::Request::new(request());
            export
                .metadata_mut()
                .insert("x-tenant", tenant.parse().unwrap());
            let answer = client.export(export).await.expect("the export is accepted");
            assert_eq!(answer.into_inner().partial_success, None);
        }
    });

    let logs = rx.wait_for_logs("6 log records", WAIT, |l| l.len() == 6);
    let twice: Vec<Log> = [expected(GRPC_TRANSPORT), expected(GRPC_TRANSPORT)].concat();
    assert_eq!(logs, twice);
    assert_eq!(rx.log_count(), 6);
    let exports = rx.exports_to(LOGS_GRPC_PATH);
    let tenants: Vec<&str> = exports
        .iter()
        .map(|e| e.headers()["x-tenant"].as_str())
        .collect();
    assert_eq!(tenants, ["plain", "gzip"]);
    let encodings: Vec<Option<&String>> = exports
        .iter()
        .map(|e| e.headers().get("grpc-encoding"))
        .collect();
    assert_eq!(encodings, [None, Some(&"gzip".to_owned())]);
    assert!(exports.iter().all(|e| e.signal == Signal::Logs));
    assert!(rx.errors().is_empty(), "{:?}", rx.errors());
}

#[test]
fn a_malformed_logs_body_gets_the_answer_a_malformed_traces_body_gets() {
    let rx = Receiver::start();
    // A field key whose varint never ends: not a valid message of any type, refused before
    // any field is read (so the decode error names no message type).
    let garbage = [0xff, 0xff, 0xff];
    let traces = post(rx.http_addr(), "/v1/traces", &[PROTOBUF], &garbage);
    let logs = post(rx.http_addr(), "/v1/logs", &[PROTOBUF], &garbage);
    assert!(logs.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{logs}");
    // The same answer but for the date.
    let without_date = |answer: &str| -> Vec<String> {
        let lines = answer.lines().filter(|l| !l.starts_with("date: "));
        lines.map(str::to_owned).collect()
    };
    assert_eq!(without_date(&logs), without_date(&traces));

    let not_gzip = post(
        rx.http_addr(),
        "/v1/logs",
        &[PROTOBUF, ("content-encoding", "gzip")],
        &request().encode_to_vec(),
    );
    assert!(
        not_gzip.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{not_gzip}"
    );

    let errors = rx.errors();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].starts_with("bad Traces export body: "),
        "{errors:?}"
    );
    assert_eq!(
        errors[1],
        errors[0].replace("bad Traces export body", "bad Logs export body")
    );
    assert!(errors[2].starts_with("bad gzip body: "), "{errors:?}");
    assert!(rx.exports().is_empty());
    assert_eq!(rx.log_count(), 0);
}

#[test]
fn a_counting_receiver_counts_log_records_without_keeping_them() {
    let rx = Receiver::with(Options::default());
    let body = request().encode_to_vec();
    for _ in 0..2 {
        post_ok(rx.http_addr(), "/v1/logs", &[PROTOBUF], &body);
    }
    assert_eq!(rx.log_count(), 6);
    assert!(rx.logs().is_empty());
    assert!(rx.exports().is_empty());
    assert_eq!(rx.span_count(), 0);
}

#[test]
fn a_wait_for_logs_that_gives_up_shows_every_record_that_arrived() {
    let rx = Receiver::start();
    let body = request().encode_to_vec();
    post_ok(rx.http_addr(), "/v1/logs", &[PROTOBUF], &body);
    let gave_up = std::panic::catch_unwind(|| {
        rx.wait_for_logs("4 log records", Duration::from_millis(50), |l| l.len() >= 4)
    });
    let message = *gave_up
        .expect_err("only 3 records arrived")
        .downcast::<String>()
        .expect("a formatted panic message");
    let attributes = r#"{"http.route": "/pay", "order.id": "42", "retry": "true"}"#;
    assert_eq!(
        message,
        format!(
            "timed out after 50ms waiting for 4 log records; received 3 log records:\n\
             checkout ERROR(17) \"payment declined\" trace=4bf92f3577b34da6a3ce929d0e0e4736 \
             span=00f067aa0ba902b7 flags=101 event=payment.declined {attributes}\n\
             checkout INFO(9) \"7\" trace= span= flags=00 {{}}\n\
             checkout (13) \"\" trace= span= flags=00 {{}}\n\
             receiver errors: []"
        )
    );
}
