//! Jaeger itself as the backend: the example services as four processes export to a real
//! Jaeger v2 (built by `scripts/jaeger.sh` from the Go module proxy, started on free
//! loopback ports with in-memory storage), and every trace is read back through Jaeger's
//! query API (`/api/v3/traces/{id}`, OTLP JSON) and checked as a whole tree — one trace id
//! per request, parents, kinds, service names, status codes, `error.type`, resend counts,
//! baggage downstream, the public endpoint's link — over OTLP/HTTP, OTLP/gRPC and Zipkin.
//! The Zipkin path is compared span by span with the OTLP path for the same spans.
//!
//! Over TLS: Jaeger's receivers behind a certificate from a CA the test makes, the services
//! configured through the environment alone (`baton::init()`): the CA file
//! (`OTEL_EXPORTER_OTLP_CERTIFICATE`), mTLS (`..._CLIENT_CERTIFICATE` / `..._CLIENT_KEY`,
//! Jaeger requiring client certificates), Zipkin over https trusting the system's roots
//! (`SSL_CERT_FILE`), and an mTLS receiver refusing a service that has no client
//! certificate.
#![cfg(unix)]

mod e2e_common;

use std::collections::BTreeMap;
use std::time::Duration;

use baton_test_support::jaeger::{Jaeger, ReceiverTls};
use baton_test_support::otlp::Span;
use baton_test_support::tls::TestCa;
use e2e_common::flow;
use e2e_common::services::run_scripted_flow;

/// Waits until Jaeger holds every span of the flow, and returns them.
fn flow_spans(jaeger: &Jaeger) -> Vec<Span> {
    let expected = flow::span_count(true);
    jaeger.wait_for(
        "gateway",
        &format!("the flow's {expected} spans"),
        Duration::from_secs(20),
        |spans| spans.len() >= expected,
    )
}

#[test]
fn otlp_http_traces_read_back_from_jaeger() {
    let jaeger = Jaeger::start();
    let endpoint = jaeger.otlp_http_url();
    let linked = run_scripted_flow(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        // Jaeger stores traces only.
        ("OTEL_METRICS_EXPORTER", "none"),
        // Jaeger stores traces only: it refuses the logs signal.
        ("OTEL_LOGS_EXPORTER", "none"),
    ]);
    let spans = flow_spans(&jaeger);
    flow::check(&spans, true, &linked);
    assert_gateway_attributes(&spans);
}

#[test]
fn otlp_grpc_traces_read_back_from_jaeger() {
    let jaeger = Jaeger::start();
    let endpoint = jaeger.otlp_grpc_url();
    let linked = run_scripted_flow(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_METRICS_EXPORTER", "none"),
        // Jaeger stores traces only: it refuses the logs signal.
        ("OTEL_LOGS_EXPORTER", "none"),
    ]);
    flow::check(&flow_spans(&jaeger), true, &linked);
}

/// A CA, and Jaeger's receivers behind a certificate it issued for 127.0.0.1; with `mtls`,
/// Jaeger also requires client certificates from that CA.
fn jaeger_tls(ca: &TestCa, mtls: bool) -> Jaeger {
    let server = ca.server("127.0.0.1");
    Jaeger::start_tls(&ReceiverTls {
        cert: server.cert,
        key: server.key,
        client_ca: mtls.then(|| ca.ca_file()),
    })
}

/// The flow exported over `protocol` to a Jaeger behind TLS (mTLS with `mtls`), configured
/// by the OTEL_* environment alone, read back and checked as a whole.
fn flow_over_tls(protocol: &str, mtls: bool) {
    let ca = TestCa::new("jaeger");
    let jaeger = jaeger_tls(&ca, mtls);
    let endpoint = match protocol {
        "grpc" => jaeger.otlp_grpc_url(),
        _ => jaeger.otlp_http_url(),
    };
    assert!(endpoint.starts_with("https://"), "{endpoint}");
    let ca_file = ca.ca_file();
    let client = ca.client("baton-services");
    let mut env = vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca_file.to_str().unwrap()),
        ("OTEL_METRICS_EXPORTER", "none"),
        // Jaeger stores traces only: it refuses the logs signal.
        ("OTEL_LOGS_EXPORTER", "none"),
    ];
    if mtls {
        // The per-signal forms, which win over the generic ones.
        env.push((
            "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE",
            client.cert.to_str().unwrap(),
        ));
        env.push((
            "OTEL_EXPORTER_OTLP_CLIENT_KEY",
            client.key.to_str().unwrap(),
        ));
    }
    let linked = run_scripted_flow(&env);
    let spans = flow_spans(&jaeger);
    flow::check(&spans, true, &linked);
    assert_gateway_attributes(&spans);
}

#[test]
fn otlp_grpc_over_tls_with_a_private_ca_read_back_from_jaeger() {
    flow_over_tls("grpc", false);
}

#[test]
fn otlp_http_over_tls_with_a_private_ca_read_back_from_jaeger() {
    flow_over_tls("http/protobuf", false);
}

#[test]
fn otlp_grpc_over_mtls_read_back_from_jaeger() {
    flow_over_tls("grpc", true);
}

#[test]
fn otlp_http_over_mtls_read_back_from_jaeger() {
    flow_over_tls("http/protobuf", true);
}

#[test]
fn zipkin_over_https_trusting_the_system_roots_read_back_from_jaeger() {
    let ca = TestCa::new("jaeger-zipkin");
    let jaeger = jaeger_tls(&ca, false);
    let zipkin = jaeger.zipkin_url();
    assert!(zipkin.starts_with("https://"), "{zipkin}");
    let ca_file = ca.ca_file();
    // No OTEL_ variable names a CA for Zipkin: the system's roots are used, and
    // SSL_CERT_FILE is how a system's roots are replaced (rustls-native-certs reads it).
    let linked = run_scripted_flow(&[
        ("OTEL_TRACES_EXPORTER", "zipkin"),
        ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", zipkin.as_str()),
        ("SSL_CERT_FILE", ca_file.to_str().unwrap()),
        ("OTEL_METRICS_EXPORTER", "none"),
        // Jaeger stores traces only: it refuses the logs signal.
        ("OTEL_LOGS_EXPORTER", "none"),
    ]);
    let spans = flow_spans(&jaeger);
    assert_eq!(spans.len(), flow::span_count(true));
    // Over Zipkin the link is lost (see zipkin_and_otlp_give_jaeger_the_same_spans), so
    // the tree is checked without it: one trace per request, every parent present.
    let linked_spans: Vec<&Span> = spans.iter().filter(|s| s.trace_id == linked).collect();
    assert!(
        !linked_spans.is_empty(),
        "the linked request's trace arrived"
    );
    for span in &spans {
        assert!(
            span.parent_span_id.is_empty()
                || spans
                    .iter()
                    .any(|p| p.span_id == span.parent_span_id && p.trace_id == span.trace_id),
            "{} {}: its parent arrived in the same trace",
            span.service,
            span.name
        );
    }
}

#[test]
fn an_mtls_receiver_refuses_a_service_without_a_client_certificate() {
    use baton::opentelemetry::trace::{Span as _, Tracer as _};
    let ca = TestCa::new("jaeger-refuses");
    let jaeger = jaeger_tls(&ca, true);
    let endpoint = jaeger.otlp_grpc_url();
    let ca_file = ca.ca_file();
    let guard = baton::Builder::from_env_map([
        ("OTEL_SERVICE_NAME", "no-client-cert"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca_file.to_str().unwrap()),
        ("OTEL_METRICS_EXPORTER", "none"),
        // Jaeger stores traces only: it refuses the logs signal.
        ("OTEL_LOGS_EXPORTER", "none"),
    ])
    .install_global(false)
    .build()
    .unwrap();
    let tracer = guard.tracer("refused");
    tracer.start("GET /refused").end();
    let lost = guard
        .shutdown()
        .expect_err("Jaeger requires a client certificate");
    let traces = lost.traces().unwrap();
    // Under TLS 1.3 the server refuses the missing certificate after the client's side of
    // the handshake is done: the client sees the server's alert, or the connection it
    // closed (a write on it: broken pipe; a read or the pending request: connection
    // closed / reset), whichever reaches it first. Which one is timing; that the export
    // failed, at this endpoint, with nothing stored, is not.
    let refusals = [
        "received fatal alert: CertificateRequired",
        "broken pipe",
        "connection closed",
        "connection reset",
    ];
    assert!(
        traces.contains(&format!("export to {endpoint} failed"))
            && refusals.iter().any(|r| traces.contains(r)),
        "{traces}"
    );
    assert!(jaeger.trace_ids("no-client-cert").is_empty());
}

/// The attributes Jaeger returns for the OK profile request's gateway spans, exactly, with
/// ports (chosen at random) masked.
fn assert_gateway_attributes(spans: &[Span]) {
    let masked = |span: &Span| -> Vec<String> {
        span.attributes
            .iter()
            .map(|(k, v)| match k.as_str() {
                "server.port" | "network.peer.port" => {
                    assert!(v.parse::<u16>().is_ok(), "{k}={v}");
                    format!("{k}=<port>")
                }
                "url.full" => format!("{k}={}", mask_port(v)),
                _ => format!("{k}={v}"),
            })
            .collect()
    };
    let server = spans
        .iter()
        .find(|s| {
            s.service == "gateway"
                && s.kind == baton_test_support::otlp::SERVER
                && s.attr("url.path") == Some("/profile/42")
                && s.attr("http.response.status_code") == Some("200")
                && s.links.is_empty()
        })
        .expect("the gateway's SERVER span of GET /profile/42");
    assert_eq!(server.name, "GET /profile/{id}");
    assert_eq!(
        masked(server),
        [
            "client.address=127.0.0.1",
            "http.request.method=GET",
            "http.response.status_code=200",
            "http.route=/profile/{id}",
            "network.peer.address=127.0.0.1",
            "network.peer.port=<port>",
            "network.protocol.version=1.1",
            "server.address=127.0.0.1",
            "server.port=<port>",
            "url.path=/profile/42",
            "url.scheme=http",
        ]
    );
    assert_eq!(
        (server.status_code, server.resource["service.name"].as_str()),
        (0, "gateway")
    );
    let client = spans
        .iter()
        .find(|s| {
            s.trace_id == server.trace_id
                && s.kind == baton_test_support::otlp::CLIENT
                && s.name == "GET /users/{id}"
        })
        .expect("the gateway's CLIENT span to users");
    assert_eq!(client.parent_span_id, server.span_id);
    assert_eq!(
        masked(client),
        [
            "http.request.method=GET",
            "http.response.status_code=200",
            "network.protocol.version=1.1",
            "server.address=127.0.0.1",
            "server.port=<port>",
            "url.full=http://127.0.0.1:<port>/users/42",
            "url.template=/users/{id}",
        ]
    );
}

fn mask_port(url: &str) -> String {
    match url.split_once("127.0.0.1:") {
        Some((head, rest)) => {
            let tail = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{head}127.0.0.1:<port>{tail}")
        }
        None => url.to_owned(),
    }
}

/// What Zipkin's model loses or moves, as Jaeger returns it, against the same span sent over
/// OTLP (`otlp`). Everything else must be identical.
fn assert_same_span_over_zipkin(otlp: &Span, zipkin: &Span) {
    let what = format!("{} {} ({})", otlp.service, otlp.name, otlp.span_id);
    assert_eq!(
        (
            &zipkin.trace_id,
            &zipkin.parent_span_id,
            &zipkin.name,
            &zipkin.service
        ),
        (
            &otlp.trace_id,
            &otlp.parent_span_id,
            &otlp.name,
            &otlp.service
        ),
        "{what}: ids, parent, name and service"
    );
    // The error status survives; its description comes back only in the `error` tag.
    assert_eq!(
        (zipkin.status_code, zipkin.status_message.as_str()),
        (otlp.status_code, ""),
        "{what}: status"
    );
    // Zipkin's model has no links: the public endpoint's link to its caller is lost.
    assert!(zipkin.links.is_empty(), "{what}: links");
    // Zipkin has no INTERNAL kind: such spans come back with no kind.
    let kind = if otlp.kind == baton_test_support::otlp::INTERNAL {
        0
    } else {
        otlp.kind
    };
    assert_eq!(zipkin.kind, kind, "{what}: kind");
    // Only the service name of the resource travels (as the local endpoint).
    assert_eq!(
        zipkin.resource,
        BTreeMap::from([("service.name".to_owned(), otlp.service.clone())]),
        "{what}: resource"
    );
    // The instrumentation scope travels as tags.
    assert_eq!(zipkin.scope, "", "{what}: scope");
    let mut expected = otlp.attributes.clone();
    expected.insert("otel.scope.name".into(), otlp.scope.clone());
    // baton's scopes (`baton`, and `baton::tracing` for the application's `tracing` spans)
    // carry its version.
    if otlp.scope == "baton" || otlp.scope == "baton::tracing" {
        expected.insert(
            "otel.scope.version".into(),
            env!("CARGO_PKG_VERSION").into(),
        );
    }
    // An error status travels as Zipkin's `error` tag (its message as the value), which
    // Jaeger keeps beside the status it derives from it.
    if otlp.status_code == baton_test_support::otlp::STATUS_ERROR {
        expected.insert("error".into(), otlp.status_message.clone());
    }
    // A client span's remote endpoint (from server.address and server.port) comes back as
    // the older `peer.service` / `net.peer.port` tags.
    if otlp.kind == baton_test_support::otlp::CLIENT {
        if let Some(host) = otlp.attr("server.address") {
            expected.insert("peer.service".into(), host.into());
        }
        if let Some(port) = otlp.attr("server.port") {
            expected.insert("net.peer.port".into(), port.into());
        }
    }
    let mut actual = zipkin.attributes.clone();
    // Jaeger's own notes (clock-skew adjustment), not data.
    actual.retain(|k, _| !k.starts_with("@jaeger@"));
    assert_eq!(actual, expected, "{what}: attributes");
    // Events become annotations: the name, then the attributes as JSON in the same text.
    assert_eq!(zipkin.events.len(), otlp.events.len(), "{what}: events");
    for (z, o) in zipkin.events.iter().zip(&otlp.events) {
        assert!(
            z == o || z.starts_with(&format!("\"{o}\": {{")),
            "{what}: event {o:?} came back as {z:?}"
        );
    }
}

#[test]
fn zipkin_and_otlp_give_jaeger_the_same_spans() {
    // The same spans, exported both ways at once: OTLP to one Jaeger, Zipkin to another.
    let over_otlp = Jaeger::start();
    let over_zipkin = Jaeger::start();
    let otlp = over_otlp.otlp_http_url();
    let zipkin = over_zipkin.zipkin_url();
    let linked = run_scripted_flow(&[
        ("OTEL_TRACES_EXPORTER", "otlp,zipkin"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.as_str()),
        ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", zipkin.as_str()),
        ("OTEL_METRICS_EXPORTER", "none"),
        // Jaeger stores traces only: it refuses the logs signal.
        ("OTEL_LOGS_EXPORTER", "none"),
    ]);
    let sent = flow_spans(&over_otlp);
    let received = flow_spans(&over_zipkin);
    flow::check(&sent, true, &linked);
    assert_eq!(received.len(), sent.len(), "every span arrives both ways");
    let by_id: BTreeMap<&str, &Span> = received.iter().map(|s| (s.span_id.as_str(), s)).collect();
    for span in &sent {
        let over_zipkin = by_id
            .get(span.span_id.as_str())
            .unwrap_or_else(|| panic!("{} {} never arrived over Zipkin", span.service, span.name));
        assert_same_span_over_zipkin(span, over_zipkin);
    }
    // Events with attributes did travel (the `tracing` event in load_profile).
    assert!(
        received.iter().any(|s| s
            .events
            .iter()
            .any(|e| e.starts_with("\"loading profile\": {"))),
        "load_profile's event, with its fields"
    );
}
