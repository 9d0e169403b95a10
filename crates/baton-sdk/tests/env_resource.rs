//! `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`: decoding, precedence between them and
//! over code, and the detected attributes. The resource is read from what the exporter is
//! given by the SDK.

mod common;

use baton_sdk::Builder;
use common::capture::Capture;
use common::env;
use opentelemetry::KeyValue;

fn resource_of(builder: Builder) -> Capture {
    let capture = Capture::default();
    let guard = builder
        .span_exporter(capture.clone())
        .install_global(false)
        .build()
        .unwrap();
    drop(guard);
    capture
}

#[test]
fn env_service_name_and_attributes() {
    let c = resource_of(Builder::from_env_map(env(&[
        ("OTEL_SERVICE_NAME", "users"),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "service.name=not-this, deployment.environment.name = prod ,note=a%2Cb%3Dc%20%C3%A9,empty=",
        ),
    ])));
    assert_eq!(c.resource_attr("service.name").as_deref(), Some("users"));
    assert_eq!(
        c.resource_attr("deployment.environment.name").as_deref(),
        Some("prod")
    );
    assert_eq!(c.resource_attr("note").as_deref(), Some("a,b=c é"));
    assert_eq!(c.resource_attr("empty").as_deref(), Some(""));
}

#[test]
fn env_service_name_from_resource_attributes() {
    let c = resource_of(Builder::from_env_map(env(&[(
        "OTEL_RESOURCE_ATTRIBUTES",
        "service.name=from-attributes",
    )])));
    assert_eq!(
        c.resource_attr("service.name").as_deref(),
        Some("from-attributes")
    );
}

#[test]
fn env_service_name_default_is_unknown_service_and_the_executable() {
    let c = resource_of(Builder::from_env_map(env(&[])));
    let name = c.resource_attr("service.name").unwrap();
    let exe = c.resource_attr("process.executable.name").unwrap();
    assert!(exe.starts_with("env_resource"), "{exe}");
    assert_eq!(name, format!("unknown_service:{exe}"));
}

#[test]
fn env_resource_code_wins_over_environment() {
    let c = resource_of(
        Builder::from_env_map(env(&[
            ("OTEL_SERVICE_NAME", "env-name"),
            ("OTEL_RESOURCE_ATTRIBUTES", "team=env,region=eu"),
        ]))
        .service_name("code-name")
        .service_version("2.0.0")
        .resource_attribute(KeyValue::new("team", "code")),
    );
    assert_eq!(
        c.resource_attr("service.name").as_deref(),
        Some("code-name")
    );
    assert_eq!(c.resource_attr("service.version").as_deref(), Some("2.0.0"));
    assert_eq!(c.resource_attr("team").as_deref(), Some("code"));
    assert_eq!(c.resource_attr("region").as_deref(), Some("eu"));
}

#[test]
fn env_resource_has_sdk_host_and_process() {
    let c = resource_of(Builder::from_env_map(env(&[])));
    assert_eq!(
        c.resource_attr("telemetry.sdk.name").as_deref(),
        Some("opentelemetry")
    );
    assert_eq!(
        c.resource_attr("telemetry.sdk.language").as_deref(),
        Some("rust")
    );
    assert!(c.resource_attr("telemetry.sdk.version").is_some());
    assert_eq!(
        c.resource_attr("process.pid"),
        Some(std::process::id().to_string())
    );
    assert!(!c.resource_attr("host.name").unwrap_or_default().is_empty());
}
