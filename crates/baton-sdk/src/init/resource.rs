//! The resource every span and metric carries: service name and version, the attributes from
//! code and from `OTEL_RESOURCE_ATTRIBUTES`, SDK information, and what the detectors found
//! (see `detect`).

use opentelemetry::KeyValue;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::resource::TelemetryResourceDetector;

use super::detect::executable_name;
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
/// builder over `OTEL_RESOURCE_ATTRIBUTES` over the `detected` attributes.
pub(crate) fn build(code: CodeResource, env: EnvResource, detected: Vec<KeyValue>) -> Resource {
    let service_name = code
        .service_name
        .or_else(|| find(&code.attributes, SERVICE_NAME))
        .or(env.service_name)
        .or_else(|| find(&env.attributes, SERVICE_NAME))
        .unwrap_or_else(default_service_name);
    let mut builder = Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_attributes(detected)
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
            assert_eq!(
                get(&build(code, env, Vec::new()), SERVICE_NAME).as_deref(),
                Some(want)
            );
        }
        let fallback = get(
            &build(code(None, None), env(None, None), Vec::new()),
            SERVICE_NAME,
        )
        .unwrap();
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
                    KeyValue::new("host.name", "from-env"),
                ],
            },
            vec![
                KeyValue::new("host.name", "detected"),
                KeyValue::new("process.pid", i64::from(std::process::id())),
                KeyValue::new("container.id", "detected"),
            ],
        );
        // The environment wins over a detector.
        assert_eq!(get(&r, "host.name").as_deref(), Some("from-env"));
        assert_eq!(get(&r, "container.id").as_deref(), Some("detected"));
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
    }
}
