//! TLS configuration: every bad file fails `build` with an `InitError` naming the variable
//! (or builder method) and the path, exactly; a server whose certificate baton cannot trust
//! (unknown CA, wrong host) makes exports fail, counted and reported with the endpoint
//! and rustls's reason, while spans keep ending at once. The happy paths (a private CA,
//! mTLS) are checked against a real Jaeger in the workspace's `tests/e2e_jaeger.rs`.

mod common;

use std::time::{Duration, Instant};

use baton_sdk::{Builder, Guard, InitError};
use baton_test_support::tls::{TestCa, TlsListener};
use common::{emit_trace, env};

fn build(pairs: &[(&str, &str)]) -> Result<Guard, InitError> {
    Builder::from_env_map(env(pairs))
        .install_global(false)
        .metrics(false)
        .build()
}

#[track_caller]
fn refused(pairs: &[(&str, &str)], message: &str) {
    let err = build(pairs).expect_err("the configuration should be refused");
    assert_eq!(err.to_string(), message);
}

const HTTPS: (&str, &str) = ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://127.0.0.1:1");
const GRPC: (&str, &str) = ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");

#[test]
fn a_missing_or_unreadable_file_is_named_with_its_variable() {
    refused(
        &[
            HTTPS,
            ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem"),
        ],
        r#"OTEL_EXPORTER_OTLP_CERTIFICATE="/nonexistent/ca.pem": cannot read the file: No such file or directory (os error 2)"#,
    );
    // A directory cannot be read as a file (and root reads any file, so permissions
    // cannot make one unreadable here).
    refused(
        &[HTTPS, GRPC, ("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/")],
        r#"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE="/": cannot read the file: Is a directory (os error 21)"#,
    );
}

#[test]
fn a_file_that_is_not_pem_is_refused() {
    let ca = TestCa::new("not-pem");
    let text = ca.dir().join("notes.txt");
    std::fs::write(&text, "just some text\n").unwrap();
    let broken = ca.dir().join("broken.pem");
    std::fs::write(&broken, "-----BEGIN CERTIFICATE-----\nMIIB\n").unwrap();
    let client = ca.client("baton");
    let (text, broken) = (text.to_str().unwrap(), broken.to_str().unwrap());
    refused(
        &[HTTPS, ("OTEL_EXPORTER_OTLP_CERTIFICATE", text)],
        &format!(
            r#"OTEL_EXPORTER_OTLP_CERTIFICATE="{text}": not a PEM certificate file: no "-----BEGIN CERTIFICATE-----" section"#
        ),
    );
    refused(
        &[HTTPS, ("OTEL_EXPORTER_OTLP_CERTIFICATE", broken)],
        &format!(
            r#"OTEL_EXPORTER_OTLP_CERTIFICATE="{broken}": not a valid PEM file: a section has no END line"#
        ),
    );
    // A certificate where the key should be.
    let cert = client.cert.to_str().unwrap();
    refused(
        &[
            HTTPS,
            ("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", cert),
            ("OTEL_EXPORTER_OTLP_CLIENT_KEY", cert),
        ],
        &format!(
            r#"OTEL_EXPORTER_OTLP_CLIENT_KEY="{cert}": not a PEM private key file: no "-----BEGIN PRIVATE KEY-----" (or RSA / EC PRIVATE KEY) section"#
        ),
    );
}

#[test]
fn a_key_that_does_not_match_its_certificate_is_refused() {
    let ca = TestCa::new("mismatch");
    let (one, two) = (ca.client("one"), ca.client("two"));
    let (cert, key) = (one.cert.to_str().unwrap(), two.key.to_str().unwrap());
    let ca_file = ca.ca_file();
    refused(
        &[
            HTTPS,
            ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca_file.to_str().unwrap()),
            ("OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE", "/unused"),
            ("OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", cert),
            ("OTEL_EXPORTER_OTLP_CLIENT_KEY", key),
        ],
        &format!(
            r#"OTEL_EXPORTER_OTLP_CLIENT_KEY="{key}": this key does not match the client certificate in OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE="{cert}""#
        ),
    );
    // Half an identity.
    refused(
        &[HTTPS, ("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", cert)],
        &format!(
            r#"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE="{cert}": mTLS needs a client key too, and none is configured"#
        ),
    );
}

#[test]
fn builder_paths_win_over_the_variables_and_are_named_in_errors() {
    let err = Builder::from_env_map(env(&[
        HTTPS,
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/also/missing.pem"),
    ]))
    .tls_certificate("/missing/ca.pem")
    .install_global(false)
    .build()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Builder::tls_certificate="/missing/ca.pem": cannot read the file: No such file or directory (os error 2)"#
    );
    // Zipkin over https takes the builder's files too.
    let err = Builder::from_env_map(env(&[
        ("OTEL_TRACES_EXPORTER", "zipkin"),
        (
            "OTEL_EXPORTER_ZIPKIN_ENDPOINT",
            "https://127.0.0.1:1/api/v2/spans",
        ),
    ]))
    .tls_client_identity("/missing/cert.pem", "/missing/key.pem")
    .install_global(false)
    .build()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Builder::tls_client_identity="/missing/cert.pem": cannot read the file: No such file or directory (os error 2)"#
    );
}

/// Exports 100 spans with `pairs` to a collector baton cannot trust, and checks what the
/// guard reports: every span counted as lost, and the shutdown error naming `endpoint`
/// and containing `reason` (rustls's words). Ending the spans must not wait for the export.
#[track_caller]
fn assert_export_fails(pairs: &[(&str, &str)], endpoint: &str, reason: &str) {
    let guard = Builder::from_env_map(env(pairs))
        .install_global(false)
        .metrics(false)
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..50 {
        emit_trace(&guard.tracer("tls-test"));
    }
    let ending = started.elapsed();
    let queues = guard.span_queues().to_vec();
    let report = guard
        .shutdown()
        .expect_err("the export cannot succeed")
        .to_string();
    // Reported, not asserted as a limit: ending 100 spans only queues them.
    eprintln!("100 spans ended in {ending:?} while the collector's TLS failed");
    assert_eq!(
        queues[0].failed(),
        100,
        "every span counted as lost: {report}"
    );
    assert!(
        report.contains(&format!("export to {endpoint} failed")),
        "{report}"
    );
    assert!(report.contains(reason), "{reason}: {report}");
}

/// `OTEL_EXPORTER_OTLP_CERTIFICATE` and a short timeout, for `url`.
fn trusting<'a>(ca: &'a str, url: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", url),
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "2000"),
    ]
}

#[test]
fn an_unknown_ca_fails_exports_with_the_endpoint_and_the_reason() {
    let (server_ca, other_ca) = (TestCa::new("server"), TestCa::new("other"));
    let listener = TlsListener::start(&server_ca.server("127.0.0.1"), None);
    let other = other_ca.ca_file();
    let url = format!("https://{}", listener.addr());
    for (protocol, endpoint) in [
        ("grpc", url.clone()),
        ("http/protobuf", format!("{url}/v1/traces")),
    ] {
        let mut pairs = trusting(other.to_str().unwrap(), &url).to_vec();
        pairs.push(("OTEL_EXPORTER_OTLP_PROTOCOL", protocol));
        assert_export_fails(&pairs, &endpoint, "invalid peer certificate: UnknownIssuer");
    }
    assert_eq!(listener.handshakes(), 0);
    assert!(!listener.failures().is_empty());
}

#[test]
fn a_certificate_for_another_host_fails_exports_and_zipkin_checks_it_too() {
    let ca = TestCa::new("wrong-host");
    let listener = TlsListener::start(&ca.server("collector.example"), None);
    let ca_file = ca.ca_file();
    let url = format!("https://{}", listener.addr());
    let mut pairs = trusting(ca_file.to_str().unwrap(), &url).to_vec();
    pairs.push(("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
    assert_export_fails(&pairs, &url, "certificate not valid for name \"127.0.0.1\"");

    // Zipkin over https, with the system's roots: the private CA is unknown to them.
    let zipkin = format!("{url}/api/v2/spans");
    assert_export_fails(
        &[
            ("OTEL_TRACES_EXPORTER", "zipkin"),
            ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", &zipkin),
            ("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "2000"),
        ],
        &zipkin,
        "invalid peer certificate: UnknownIssuer",
    );
}

#[test]
fn an_expired_certificate_fails_exports_over_http() {
    let ca = TestCa::new("expired");
    let listener = TlsListener::start(&ca.expired_server("127.0.0.1"), None);
    let ca_file = ca.ca_file();
    let url = format!("https://{}", listener.addr());
    assert_export_fails(
        &trusting(ca_file.to_str().unwrap(), &url),
        &format!("{url}/v1/traces"),
        "invalid peer certificate: certificate expired",
    );
}

/// The first failure is warned about on standard error, once: run in a child process
/// (this same test binary) so its standard error can be read.
#[test]
fn the_first_failure_is_warned_about_once() {
    const CHILD: &str = "BATON_TLS_WARN_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let ca = TestCa::new("warn");
        let listener = TlsListener::start(&ca.server("127.0.0.1"), None);
        let url = format!("https://{}", listener.addr());
        let guard = build(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &url),
            ("OTEL_BSP_SCHEDULE_DELAY", "10"),
        ])
        .unwrap();
        for _ in 0..3 {
            emit_trace(&guard.tracer("tls-test"));
            let queues = guard.span_queues().to_vec();
            let before = queues[0].failed_exports();
            let deadline = Instant::now() + Duration::from_secs(20);
            while queues[0].failed_exports() == before && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        assert_eq!(guard.span_queues()[0].failed_exports(), 3);
        let _ = guard.shutdown();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_first_failure_is_warned_about_once",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("baton: warning: an export failed"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("/v1/traces failed") && warnings[0].contains("UnknownIssuer"),
        "{}",
        warnings[0]
    );
}

/// The logs signal goes over the same TLS: records sent to a collector baton cannot trust
/// fail with the endpoint and rustls's reason in the shutdown error's logs part, and
/// `OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE` wins over the generic certificate variable.
#[cfg(feature = "logs")]
#[test]
fn log_exports_use_tls_and_their_own_certificate_variable() {
    use tracing_subscriber::layer::SubscriberExt;
    let (server_ca, other_ca) = (TestCa::new("server"), TestCa::new("other"));
    let listener = TlsListener::start(&server_ca.server("127.0.0.1"), None);
    let (trusted, other) = (server_ca.ca_file(), other_ca.ca_file());
    let url = format!("https://{}", listener.addr());
    let export = |extra: &[(&str, &str)]| {
        let mut pairs = trusting(other.to_str().unwrap(), &url).to_vec();
        pairs.extend([
            ("OTEL_TRACES_EXPORTER", "none"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ]);
        pairs.extend_from_slice(extra);
        let guard = Builder::from_env_map(env(&pairs))
            .install_global(false)
            .metrics(false)
            .log_writer(std::io::sink())
            .build()
            .unwrap();
        let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
        tracing::subscriber::with_default(subscriber, || tracing::warn!("over tls"));
        guard.shutdown().expect_err("the export cannot succeed")
    };
    let err = export(&[]);
    let logs = err.logs().expect("the logs export failed");
    assert!(
        logs.contains(&format!("export to {url}/v1/logs failed")),
        "{logs}"
    );
    assert!(
        logs.contains("invalid peer certificate: UnknownIssuer"),
        "{logs}"
    );
    assert_eq!(listener.handshakes(), 0);

    export(&[(
        "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE",
        trusted.to_str().unwrap(),
    )]);
    assert!(
        listener.handshakes() > 0,
        "the per-signal CA was used: {:?}",
        listener.failures()
    );
}
