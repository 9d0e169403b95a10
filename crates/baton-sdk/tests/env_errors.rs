//! Every variable with a value baton cannot use: `build` fails with an `InitError` whose
//! message names the variable and the value, exactly.

mod common;

use baton_sdk::{Builder, InitError};
use common::env;

fn error(pairs: &[(&str, &str)]) -> InitError {
    Builder::from_env_map(env(pairs))
        .install_global(false)
        .build()
        .expect_err("the configuration should be refused")
}

#[track_caller]
fn refused(pairs: &[(&str, &str)], message: &str) {
    let err = error(pairs);
    assert_eq!(err.to_string(), message);
    let variable = err.variable().expect("names a variable");
    assert!(message.starts_with(variable), "{variable} / {message}");
}

const OTLP_GRPC: (&str, &str) = ("OTEL_TRACES_EXPORTER", "otlp");
const TIMEOUT_RULE: &str =
    "must be a whole number of milliseconds, at most 2147483647 (0 means no limit)";
const INTERVAL_RULE: &str = "must be a positive whole number of milliseconds, at most 2147483647";

#[test]
fn env_resource_attributes_malformed() {
    refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "team=core,oops")],
        r#"OTEL_RESOURCE_ATTRIBUTES="team=core,oops": entry 2 has no "="; expected key=value pairs separated by commas"#,
    );
    refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "=x")],
        r#"OTEL_RESOURCE_ATTRIBUTES="=x": entry 1 has an empty key"#,
    );
    refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "discount=50%")],
        r#"OTEL_RESOURCE_ATTRIBUTES="discount=50%": entry 1: value has a "%" that is not followed by two hex digits"#,
    );
    refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "k=%C3%28")],
        r#"OTEL_RESOURCE_ATTRIBUTES="k=%C3%28": entry 1: value is not UTF-8 once percent-decoded"#,
    );
}

#[test]
fn env_sampler_and_argument() {
    refused(
        &[
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
        ],
        r#"OTEL_TRACES_SAMPLER_ARG="1.5": must be a number between 0 and 1"#,
    );
    refused(
        &[
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "-0.1"),
        ],
        r#"OTEL_TRACES_SAMPLER_ARG="-0.1": must be a number between 0 and 1"#,
    );
    refused(
        &[
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "10%"),
        ],
        r#"OTEL_TRACES_SAMPLER_ARG="10%": must be a number between 0 and 1"#,
    );
    refused(
        &[("OTEL_TRACES_SAMPLER", "always")],
        r#"OTEL_TRACES_SAMPLER="always": unknown sampler; expected one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio"#,
    );
    refused(
        &[("OTEL_TRACES_SAMPLER", "xray")],
        r#"OTEL_TRACES_SAMPLER="xray": "xray" is not supported by baton; expected one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio"#,
    );
}

#[test]
fn env_propagators_unknown() {
    let err = error(&[("OTEL_PROPAGATORS", "tracecontext,w3c")]);
    assert!(
        err.to_string()
            .starts_with(r#"OTEL_PROPAGATORS="tracecontext,w3c": unknown propagator "w3c""#),
        "{err}"
    );
    assert_eq!(err.variable(), Some("OTEL_PROPAGATORS"));
}

#[test]
fn env_exporter_selection() {
    refused(
        &[("OTEL_TRACES_EXPORTER", "jaeger")],
        r#"OTEL_TRACES_EXPORTER="jaeger": unknown exporter "jaeger"; expected a comma-separated list of otlp, zipkin, console or none"#,
    );
    refused(
        &[("OTEL_TRACES_EXPORTER", "console,none")],
        r#"OTEL_TRACES_EXPORTER="console,none": "none" cannot be combined with other exporters"#,
    );
    refused(
        &[("OTEL_METRICS_EXPORTER", "zipkin")],
        r#"OTEL_METRICS_EXPORTER="zipkin": "zipkin" carries traces only; expected otlp, console or none"#,
    );
    refused(
        &[("OTEL_METRICS_EXPORTER", "prometheus")],
        r#"OTEL_METRICS_EXPORTER="prometheus": "prometheus" is not supported by baton; export otlp to a collector that serves Prometheus"#,
    );
    refused(
        &[("OTEL_METRICS_EXPORTER", "logging")],
        r#"OTEL_METRICS_EXPORTER="logging": "logging" is deprecated; use console"#,
    );
}

#[test]
fn env_otlp_endpoint_protocol_compression() {
    refused(
        &[OTLP_GRPC, ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")],
        r#"OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318": must be a URL with scheme http or https and a host, such as http://localhost:4318"#,
    );
    refused(
        &[OTLP_GRPC, ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://")],
        r#"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://": must be a URL with scheme http or https and a host, such as http://localhost:4318"#,
    );
    refused(
        &[
            OTLP_GRPC,
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector:4317"),
        ],
        r#"OTEL_EXPORTER_OTLP_ENDPOINT="ftp://collector:4317": must be a URL with scheme http or https and a host, such as http://localhost:4318"#,
    );
    refused(
        &[OTLP_GRPC, ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")],
        r#"OTEL_EXPORTER_OTLP_PROTOCOL="http/json": http/json is not supported by baton; use grpc or http/protobuf"#,
    );
    refused(
        &[OTLP_GRPC, ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "udp")],
        r#"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="udp": unknown protocol; expected grpc or http/protobuf"#,
    );
    refused(
        &[
            ("OTEL_METRICS_EXPORTER", "otlp"),
            ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json"),
        ],
        r#"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="http/json": http/json is not supported by baton; use grpc or http/protobuf"#,
    );
    refused(
        &[OTLP_GRPC, ("OTEL_EXPORTER_OTLP_COMPRESSION", "br")],
        r#"OTEL_EXPORTER_OTLP_COMPRESSION="br": unknown compression; expected gzip or none"#,
    );
    refused(
        &[
            ("OTEL_METRICS_EXPORTER", "otlp"),
            ("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "zstd"),
        ],
        r#"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION="zstd": unknown compression; expected gzip or none"#,
    );
    refused(
        &[
            OTLP_GRPC,
            ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "deflate"),
        ],
        r#"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION="deflate": unknown compression; expected gzip or none"#,
    );
}

#[test]
fn env_otlp_timeouts() {
    refused(
        &[OTLP_GRPC, ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s")],
        &format!(r#"OTEL_EXPORTER_OTLP_TIMEOUT="10s": {TIMEOUT_RULE}"#),
    );
    refused(
        &[OTLP_GRPC, ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "-1")],
        &format!(r#"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT="-1": {TIMEOUT_RULE}"#),
    );
    refused(
        &[
            ("OTEL_METRICS_EXPORTER", "otlp"),
            ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "2.5"),
        ],
        &format!(r#"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT="2.5": {TIMEOUT_RULE}"#),
    );
}

#[test]
fn env_otlp_headers_never_show_their_values() {
    let cases = [
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "api-key=s3cret,s3cret2",
            "entry 2 has no \"=\"; expected key=value pairs separated by commas",
        ),
        (
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
            "x key=s3cret",
            "entry 1: \"x key\" is not a valid header name",
        ),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "api-key=s3cret%0A",
            "entry 1 (\"api-key\"): the value is not a valid header value (visible ASCII only)",
        ),
        (
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
            "api-key=%s3cret",
            "entry 1: value has a \"%\" that is not followed by two hex digits",
        ),
    ];
    for (name, value, reason) in cases {
        let err = error(&[OTLP_GRPC, (name, value)]);
        assert_eq!(
            err.to_string(),
            format!("{name} (value not shown: it may hold credentials): {reason}")
        );
        assert!(!err.to_string().contains("s3cret"));
        assert_eq!(err.variable(), Some(name));
    }
    refused_metrics_headers();
}

fn refused_metrics_headers() {
    let err = error(&[
        ("OTEL_METRICS_EXPORTER", "otlp"),
        ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "token"),
    ]);
    assert_eq!(err.variable(), Some("OTEL_EXPORTER_OTLP_METRICS_HEADERS"));
}

#[test]
fn env_zipkin() {
    refused(
        &[
            ("OTEL_TRACES_EXPORTER", "zipkin"),
            ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "localhost:9411"),
        ],
        r#"OTEL_EXPORTER_ZIPKIN_ENDPOINT="localhost:9411": must be a URL with scheme http or https and a host, such as http://localhost:9411/api/v2/spans"#,
    );
    refused(
        &[
            ("OTEL_TRACES_EXPORTER", "zipkin"),
            ("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "soon"),
        ],
        &format!(r#"OTEL_EXPORTER_ZIPKIN_TIMEOUT="soon": {TIMEOUT_RULE}"#),
    );
}

#[test]
fn env_batch_span_processor() {
    refused(
        &[("OTEL_BSP_SCHEDULE_DELAY", "0")],
        &format!(r#"OTEL_BSP_SCHEDULE_DELAY="0": {INTERVAL_RULE}"#),
    );
    refused(
        &[("OTEL_BSP_SCHEDULE_DELAY", "5s")],
        &format!(r#"OTEL_BSP_SCHEDULE_DELAY="5s": {INTERVAL_RULE}"#),
    );
    refused(
        &[("OTEL_BSP_EXPORT_TIMEOUT", "-30000")],
        &format!(r#"OTEL_BSP_EXPORT_TIMEOUT="-30000": {TIMEOUT_RULE}"#),
    );
    refused(
        &[("OTEL_BSP_MAX_QUEUE_SIZE", "0")],
        r#"OTEL_BSP_MAX_QUEUE_SIZE="0": must be a whole number between 1 and 65536"#,
    );
    refused(
        &[("OTEL_BSP_MAX_QUEUE_SIZE", "2147483647")],
        r#"OTEL_BSP_MAX_QUEUE_SIZE="2147483647": must be a whole number between 1 and 65536"#,
    );
    refused(
        &[("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "many")],
        r#"OTEL_BSP_MAX_EXPORT_BATCH_SIZE="many": must be a whole number between 1 and 65536"#,
    );
}

#[test]
fn env_metric_reader() {
    let console = ("OTEL_METRICS_EXPORTER", "console");
    refused(
        &[console, ("OTEL_METRIC_EXPORT_INTERVAL", "0")],
        &format!(r#"OTEL_METRIC_EXPORT_INTERVAL="0": {INTERVAL_RULE}"#),
    );
    refused(
        &[console, ("OTEL_METRIC_EXPORT_TIMEOUT", "1m")],
        &format!(r#"OTEL_METRIC_EXPORT_TIMEOUT="1m": {TIMEOUT_RULE}"#),
    );
}

#[test]
fn env_values_that_do_not_apply_are_not_read() {
    // No trace exporter is selected, so the OTLP and Zipkin variables are irrelevant;
    // metrics are off, so are the metric ones; the sampler comes from code.
    let guard = Builder::from_env_map(env(&[
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "nowhere"),
        ("OTEL_METRICS_EXPORTER", "prometheus"),
        ("OTEL_TRACES_SAMPLER", "sometimes"),
    ]))
    .sampler(opentelemetry_sdk::trace::Sampler::AlwaysOn)
    .metrics(false)
    .install_global(false)
    .build()
    .unwrap();
    drop(guard);
}

#[test]
fn env_empty_values_are_unset() {
    let guard = Builder::from_env_map(env(&[
        ("OTEL_SDK_DISABLED", ""),
        ("OTEL_TRACES_SAMPLER", ""),
        ("OTEL_TRACES_SAMPLER_ARG", " "),
        ("OTEL_PROPAGATORS", ""),
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_METRICS_EXPORTER", ""),
        ("OTEL_BSP_MAX_QUEUE_SIZE", ""),
        ("OTEL_RESOURCE_ATTRIBUTES", ""),
    ]))
    .install_global(false)
    .build()
    .unwrap();
    assert!(guard.warnings().is_empty());
    assert!(!guard.is_disabled());
}

#[test]
fn env_known_methods_with_a_bad_entry() {
    // The layers fall back to the default list with a warning; through init the list is
    // refused, so a typo is found at start-up.
    refused(
        &[(
            "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS",
            "GET,POST,BAD METHOD",
        )],
        r#"OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS="GET,POST,BAD METHOD": "BAD METHOD" is not an HTTP method; expected a comma-separated list such as "GET,POST,PURGE""#,
    );
}

#[test]
fn env_attribute_and_span_limits() {
    refused(
        &[("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "-1")],
        r#"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="-1": must be a whole number between 0 and 4294967295"#,
    );
    refused(
        &[("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "1k")],
        r#"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT="1k": must be a whole number between 0 and 1073741824"#,
    );
}

#[cfg(feature = "logs")]
#[test]
fn env_logs_exporter_filter_and_format() {
    refused(
        &[("OTEL_LOGS_EXPORTER", "otlp,file")],
        r#"OTEL_LOGS_EXPORTER="otlp,file": unknown exporter "file"; expected a comma-separated list of otlp, console or none"#,
    );
    refused(
        &[("OTEL_LOGS_EXPORTER", "none,otlp")],
        r#"OTEL_LOGS_EXPORTER="none,otlp": "none" cannot be combined with other exporters"#,
    );
    refused(
        &[("RUST_LOG", "info,users=loud")],
        r#"RUST_LOG="info,users=loud": error parsing level filter: expected one of "off", "error", "warn", "info", "debug", "trace", or a number 0-5"#,
    );
    refused(
        &[("BATON_LOG_FORMAT", "xml")],
        r#"BATON_LOG_FORMAT="xml": unknown format; expected text or json"#,
    );
    refused(
        &[("OTEL_BLRP_MAX_QUEUE_SIZE", "0")],
        r#"OTEL_BLRP_MAX_QUEUE_SIZE="0": must be a whole number between 1 and 65536"#,
    );
}
