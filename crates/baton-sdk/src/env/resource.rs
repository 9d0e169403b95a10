//! `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`.

use opentelemetry::KeyValue;

use super::kv::parse_pairs;
use super::names::{OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME};
use super::vars::Vars;
use crate::error::InitError;

/// The resource information the environment supplies.
#[derive(Debug, Default)]
pub(crate) struct EnvResource {
    /// `OTEL_SERVICE_NAME`.
    pub(crate) service_name: Option<String>,
    /// `OTEL_RESOURCE_ATTRIBUTES`, decoded, in order (a later duplicate wins).
    pub(crate) attributes: Vec<KeyValue>,
}

/// Reads both variables. A malformed `OTEL_RESOURCE_ATTRIBUTES` is refused whole: the
/// spec says to discard the entire value and report an error.
pub(crate) fn env_resource(vars: &Vars<'_>) -> Result<EnvResource, InitError> {
    let service_name = vars.get(OTEL_SERVICE_NAME)?;
    let attributes = match vars.get(OTEL_RESOURCE_ATTRIBUTES)? {
        None => Vec::new(),
        Some(value) => parse_pairs(&value)
            .map_err(|e| InitError::invalid(OTEL_RESOURCE_ATTRIBUTES, &value, e.0))?
            .into_iter()
            .map(|(k, v)| KeyValue::new(k, v))
            .collect(),
    };
    Ok(EnvResource {
        service_name,
        attributes,
    })
}
