//! The resource every span and metric carries: service name and version, the attributes from
//! code and from `OTEL_RESOURCE_ATTRIBUTES`, SDK information, and what is cheap to know
//! about the host and the process.

use std::sync::OnceLock;

use opentelemetry::KeyValue;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::resource::TelemetryResourceDetector;

use crate::env::EnvResource;

const SERVICE_NAME: &str = "service.name";

/// What code asked for, to be merged over what the environment says.
#[derive(Debug, Default)]
pub(crate) struct CodeResource {
    pub(crate) service_name: Option<String>,
    pub(crate) service_version: Option<String>,
    pub(crate) attributes: Vec<KeyValue>,
}

/// Builds the resource. Precedence, highest first, as the spec orders code over environment:
/// [`Builder::service_name`](crate::Builder::service_name), `service.name` among the
/// builder's attributes, `OTEL_SERVICE_NAME`, `service.name` in
/// `OTEL_RESOURCE_ATTRIBUTES`, then `unknown_service:<executable name>`. Other attributes:
/// builder over `OTEL_RESOURCE_ATTRIBUTES` over the detectors.
pub(crate) fn build(code: CodeResource, env: EnvResource) -> Resource {
    let service_name = code
        .service_name
        .or_else(|| find(&code.attributes, SERVICE_NAME))
        .or(env.service_name)
        .or_else(|| find(&env.attributes, SERVICE_NAME))
        .unwrap_or_else(default_service_name);
    let mut builder = Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_attributes(host_and_process())
        .with_attributes(env.attributes)
        .with_attributes(code.attributes);
    if let Some(version) = code.service_version {
        builder = builder.with_attribute(KeyValue::new("service.version", version));
    }
    builder.with_service_name(service_name).build()
}

fn find(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes
        .iter()
        .rev()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.as_str().into_owned())
}

/// `unknown_service:<executable name>`, as the spec defines the default.
fn default_service_name() -> String {
    match executable_name() {
        Some(exe) => format!("unknown_service:{exe}"),
        None => "unknown_service".to_owned(),
    }
}

fn host_and_process() -> Vec<KeyValue> {
    let mut attributes = vec![KeyValue::new("process.pid", i64::from(std::process::id()))];
    if let Some(exe) = executable_name() {
        attributes.push(KeyValue::new("process.executable.name", exe.to_owned()));
    }
    if let Some(host) = host_name() {
        attributes.push(KeyValue::new("host.name", host.to_owned()));
    }
    attributes
}

fn executable_name() -> Option<&'static str> {
    static NAME: OnceLock<Option<String>> = OnceLock::new();
    NAME.get_or_init(|| {
        let path = std::env::current_exe()
            .ok()
            .or_else(|| std::env::args_os().next().map(Into::into))?;
        Some(path.file_name()?.to_string_lossy().into_owned())
    })
    .as_deref()
}

/// The host name from the kernel (Linux), `/etc/hostname`, or `HOSTNAME`/`COMPUTERNAME`;
/// no system call and no dependency.
fn host_name() -> Option<&'static str> {
    static NAME: OnceLock<Option<String>> = OnceLock::new();
    NAME.get_or_init(|| {
        let from_file = |path: &str| std::fs::read_to_string(path).ok();
        let from_env = |name: &str| std::env::var(name).ok();
        [
            from_file("/proc/sys/kernel/hostname"),
            from_file("/etc/hostname"),
            from_env("HOSTNAME"),
            from_env("COMPUTERNAME"),
        ]
        .into_iter()
        .flatten()
        .map(|name| name.trim().to_owned())
        .find(|name| !name.is_empty())
    })
    .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::Key;

    fn get(resource: &Resource, key: &'static str) -> Option<String> {
        resource
            .get(&Key::from_static_str(key))
            .map(|v| v.as_str().into_owned())
    }

    #[test]
    fn service_name_precedence() {
        let env = |name: Option<&str>, attr: Option<&str>| EnvResource {
            service_name: name.map(Into::into),
            attributes: attr
                .map(|a| vec![KeyValue::new(SERVICE_NAME, a.to_owned())])
                .unwrap_or_default(),
        };
        let code = |name: Option<&str>, attr: Option<&str>| CodeResource {
            service_name: name.map(Into::into),
            service_version: None,
            attributes: attr
                .map(|a| vec![KeyValue::new(SERVICE_NAME, a.to_owned())])
                .unwrap_or_default(),
        };
        let cases = [
            (code(Some("a"), Some("b")), env(Some("c"), Some("d")), "a"),
            (code(None, Some("b")), env(Some("c"), Some("d")), "b"),
            (code(None, None), env(Some("c"), Some("d")), "c"),
            (code(None, None), env(None, Some("d")), "d"),
        ];
        for (code, env, want) in cases {
            assert_eq!(get(&build(code, env), SERVICE_NAME).as_deref(), Some(want));
        }
        let fallback = get(&build(code(None, None), env(None, None)), SERVICE_NAME).unwrap();
        assert!(fallback.starts_with("unknown_service:"), "{fallback}");
    }

    #[test]
    fn detectors_and_overrides() {
        let r = build(
            CodeResource {
                service_name: Some("users".into()),
                service_version: Some("1.2.3".into()),
                attributes: vec![KeyValue::new("deployment.environment.name", "prod")],
            },
            EnvResource {
                service_name: None,
                attributes: vec![
                    KeyValue::new("deployment.environment.name", "dev"),
                    KeyValue::new("team", "core"),
                ],
            },
        );
        assert_eq!(get(&r, "service.version").as_deref(), Some("1.2.3"));
        assert_eq!(
            get(&r, "deployment.environment.name").as_deref(),
            Some("prod")
        );
        assert_eq!(get(&r, "team").as_deref(), Some("core"));
        assert_eq!(get(&r, "telemetry.sdk.language").as_deref(), Some("rust"));
        assert_eq!(
            get(&r, "telemetry.sdk.name").as_deref(),
            Some("opentelemetry")
        );
        assert!(get(&r, "telemetry.sdk.version").is_some());
        assert_eq!(
            r.get(&Key::from_static_str("process.pid")),
            Some(opentelemetry::Value::I64(i64::from(std::process::id())))
        );
        assert!(get(&r, "process.executable.name").is_some());
    }
}
