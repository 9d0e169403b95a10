//! OTLP protobuf values as text, for assertions: attribute values, ids, and the resource
//! and scope around a signal's items.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;

/// An attribute value as text: strings as they are, numbers and booleans formatted,
/// anything else (arrays, maps, bytes) as its `Debug` text.
pub fn value(v: &Option<AnyValue>) -> String {
    match v.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        other => format!("{other:?}"),
    }
}

/// Attributes as key -> value text.
pub fn attributes(kvs: &[KeyValue]) -> BTreeMap<String, String> {
    kvs.iter()
        .map(|kv| (kv.key.clone(), value(&kv.value)))
        .collect()
}

/// Attributes as `key=value` pairs sorted by key, joined by commas.
pub fn attributes_text(kvs: &[KeyValue]) -> String {
    attributes(kvs)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Trace and span ids as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A trace or span id as lower-case hex, empty when it is absent or all zeros (an id that
/// OTLP says to read as no id).
pub fn id(bytes: &[u8]) -> String {
    if bytes.iter().all(|&b| b == 0) {
        String::new()
    } else {
        hex(bytes)
    }
}

/// A resource's attributes as text, and its `service.name` (empty when there is none).
pub fn resource(resource: Option<&Resource>) -> (BTreeMap<String, String>, String) {
    let attributes = resource
        .map(|r| attributes(&r.attributes))
        .unwrap_or_default();
    let service = attributes.get("service.name").cloned().unwrap_or_default();
    (attributes, service)
}

/// An instrumentation scope's name (empty when there is no scope).
pub fn scope_name(scope: Option<&InstrumentationScope>) -> String {
    scope.map(|s| s.name.clone()).unwrap_or_default()
}
