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

#[test]
fn env_resource_detectors_per_semantic_conventions() {
    let c = resource_of(Builder::from_env_map(env(&[
        ("KUBERNETES_SERVICE_HOST", "10.0.0.1"),
        ("POD_NAME", "users-7d9f"),
        ("K8S_NAMESPACE_NAME", "shop"),
    ])));
    let id = c.resource_attr("service.instance.id").unwrap();
    assert_eq!(
        id.split('-').map(str::len).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{id}"
    );
    assert_eq!(&id[14..15], "4", "a version 4 UUID: {id}");
    // One id per process: a second builder gets the same.
    let again = resource_of(Builder::from_env_map(env(&[])));
    assert_eq!(again.resource_attr("service.instance.id"), Some(id));
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        assert_eq!(c.resource_attr("host.arch").as_deref(), Some("amd64"));
        assert_eq!(c.resource_attr("os.type").as_deref(), Some("linux"));
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
        let description = c.resource_attr("os.description").unwrap();
        assert!(
            description.ends_with(&format!("Linux {})", kernel.trim()))
                || description == format!("Linux {}", kernel.trim()),
            "{description}"
        );
    }
    assert_eq!(
        c.resource_attr("process.runtime.name").as_deref(),
        Some("rust")
    );
    assert!(
        c.resource_attr("process.runtime.description")
            .unwrap()
            .starts_with("rustc ")
    );
    assert_eq!(
        c.resource_attr("k8s.pod.name").as_deref(),
        Some("users-7d9f")
    );
    assert_eq!(
        c.resource_attr("k8s.namespace.name").as_deref(),
        Some("shop")
    );
}

#[test]
fn env_resource_attributes_win_over_detectors_and_each_detector_turns_off() {
    use baton_sdk::ResourceDetector;
    let c = resource_of(Builder::from_env_map(env(&[
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "service.instance.id=users-1,host.name=edge-7",
        ),
        ("K8S_POD_NAME", "users-7d9f"),
    ])));
    assert_eq!(
        c.resource_attr("service.instance.id").as_deref(),
        Some("users-1")
    );
    assert_eq!(c.resource_attr("host.name").as_deref(), Some("edge-7"));

    let mut builder = Builder::from_env_map(env(&[("K8S_POD_NAME", "users-7d9f")]));
    for detector in ResourceDetector::ALL {
        builder = builder.without_detector(detector);
    }
    let none = resource_of(builder);
    for key in [
        "service.instance.id",
        "host.name",
        "host.arch",
        "os.type",
        "os.description",
        "process.pid",
        "process.executable.name",
        "process.runtime.name",
        "container.id",
        "k8s.pod.name",
    ] {
        assert_eq!(none.resource_attr(key), None, "{key}");
    }
    // The SDK's own attributes and the service name stay.
    assert_eq!(
        none.resource_attr("telemetry.sdk.language").as_deref(),
        Some("rust")
    );
    assert!(none.resource_attr("service.name").is_some());
    // One off, the others still on.
    let no_host =
        resource_of(Builder::from_env_map(env(&[])).without_detector(ResourceDetector::Host));
    assert_eq!(no_host.resource_attr("host.name"), None);
    assert_eq!(no_host.resource_attr("host.arch"), None);
    assert!(no_host.resource_attr("os.type").is_some());
    assert!(no_host.resource_attr("process.pid").is_some());
}
