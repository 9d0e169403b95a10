//! OpenTelemetry spans as Zipkin v2 JSON, following the specification's mapping: ids in
//! lower-case hex, `kind` only for client/server/producer/consumer, times in whole
//! microseconds, attributes as string tags (arrays as JSON lists), status as
//! `otel.status_code` and `error`, events as annotations, a remote endpoint for client and
//! producer spans from the highest-ranked peer attribute.

use std::time::{SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{SpanId, SpanKind, Status};
use opentelemetry::{Array, KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use serde_json::{Map, Value as Json, json};

/// The service name used until the resource supplies one.
pub(crate) const UNKNOWN_SERVICE: &str = "unknown_service";

/// The request body for `batch`: a JSON array of Zipkin v2 spans.
pub(crate) fn encode(batch: &[SpanData], service_name: &str) -> Vec<u8> {
    let spans: Vec<Json> = batch.iter().map(|s| span(s, service_name)).collect();
    serde_json::to_vec(&spans).unwrap_or_else(|_| b"[]".to_vec())
}

fn span(span: &SpanData, service_name: &str) -> Json {
    let mut out = Map::new();
    let cx = &span.span_context;
    out.insert("traceId".into(), json!(cx.trace_id().to_string()));
    out.insert("id".into(), json!(cx.span_id().to_string()));
    if span.parent_span_id != SpanId::INVALID {
        out.insert("parentId".into(), json!(span.parent_span_id.to_string()));
    }
    out.insert("name".into(), json!(span.name));
    if let Some(kind) = kind(&span.span_kind) {
        out.insert("kind".into(), json!(kind));
    }
    let start = micros(span.start_time);
    out.insert("timestamp".into(), json!(start));
    // Zipkin rounds durations below one microsecond up to one.
    out.insert(
        "duration".into(),
        json!(micros(span.end_time).saturating_sub(start).max(1)),
    );
    out.insert(
        "localEndpoint".into(),
        json!({ "serviceName": service_name }),
    );
    if matches!(span.span_kind, SpanKind::Client | SpanKind::Producer)
        && let Some(remote) = remote_endpoint(&span.attributes)
    {
        out.insert("remoteEndpoint".into(), remote);
    }
    let annotations: Vec<Json> = span
        .events
        .iter()
        .map(|event| {
            let value = if event.attributes.is_empty() {
                event.name.to_string()
            } else {
                let attrs: Map<String, Json> = event
                    .attributes
                    .iter()
                    .map(|kv| (kv.key.to_string(), json!(tag_value(&kv.value))))
                    .collect();
                format!("{:?}: {}", event.name, Json::Object(attrs))
            };
            json!({ "timestamp": micros(event.timestamp), "value": value })
        })
        .collect();
    if !annotations.is_empty() {
        out.insert("annotations".into(), Json::Array(annotations));
    }
    let tags = tags(span);
    if !tags.is_empty() {
        out.insert("tags".into(), Json::Object(tags));
    }
    Json::Object(out)
}

fn kind(kind: &SpanKind) -> Option<&'static str> {
    match kind {
        SpanKind::Client => Some("CLIENT"),
        SpanKind::Server => Some("SERVER"),
        SpanKind::Producer => Some("PRODUCER"),
        SpanKind::Consumer => Some("CONSUMER"),
        SpanKind::Internal => None,
    }
}

fn micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn tags(span: &SpanData) -> Map<String, Json> {
    let mut tags = Map::new();
    for kv in &span.attributes {
        // A boolean `error` attribute would mark the span failed in Zipkin whatever its
        // value; the status decides that instead.
        if kv.key.as_str() == "error" && matches!(kv.value, Value::Bool(_)) {
            continue;
        }
        tags.insert(kv.key.to_string(), json!(tag_value(&kv.value)));
    }
    let scope = &span.instrumentation_scope;
    if !scope.name().is_empty() {
        tags.insert("otel.scope.name".into(), json!(scope.name()));
    }
    if let Some(version) = scope.version() {
        tags.insert("otel.scope.version".into(), json!(version));
    }
    match &span.status {
        Status::Unset => {}
        Status::Ok => {
            tags.insert("otel.status_code".into(), json!("OK"));
        }
        Status::Error { description } => {
            tags.insert("otel.status_code".into(), json!("ERROR"));
            tags.insert("error".into(), json!(description));
        }
    }
    for (name, count) in [
        (
            "otel.dropped_attributes_count",
            span.dropped_attributes_count,
        ),
        ("otel.dropped_events_count", span.events.dropped_count),
        ("otel.dropped_links_count", span.links.dropped_count),
    ] {
        if count > 0 {
            tags.insert(name.into(), json!(count.to_string()));
        }
    }
    tags
}

/// Attribute values as Zipkin tag strings: booleans in lower case, arrays as JSON lists.
fn tag_value(value: &Value) -> String {
    match value {
        Value::Array(array) => {
            let list: Json = match array {
                Array::Bool(v) => json!(v),
                Array::I64(v) => json!(v),
                Array::F64(v) => json!(v),
                Array::String(v) => json!(v.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
                _ => json!(value.to_string()),
            };
            list.to_string()
        }
        other => other.to_string(),
    }
}

/// The remote endpoint from the first attribute in the specification's ranking.
fn remote_endpoint(attributes: &[KeyValue]) -> Option<Json> {
    let get = |key: &str| {
        attributes
            .iter()
            .rev()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    };
    const NAMES: [&str; 3] = ["peer.service", "server.address", "net.peer.name"];
    if let Some(name) = NAMES.iter().find_map(|k| get(k)) {
        let mut endpoint = json!({ "serviceName": name });
        if let Some(port) = get("server.port").and_then(|p| p.parse::<u16>().ok()) {
            endpoint["port"] = json!(port);
        }
        return Some(endpoint);
    }
    let address = get("network.peer.address")?;
    let mut endpoint = Map::new();
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => endpoint.insert("ipv4".into(), json!(ip.to_string())),
        Ok(std::net::IpAddr::V6(ip)) => endpoint.insert("ipv6".into(), json!(ip.to_string())),
        Err(_) => endpoint.insert("serviceName".into(), json!(address)),
    };
    if let Some(port) = get("network.peer.port").and_then(|p| p.parse::<u16>().ok()) {
        endpoint.insert("port".into(), json!(port));
    }
    Some(Json::Object(endpoint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, TraceFlags, TraceId, TraceState};
    use opentelemetry::{InstrumentationScope, KeyValue};
    use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};
    use std::time::Duration;

    fn sample() -> SpanData {
        let start = UNIX_EPOCH + Duration::from_micros(1_700_000_000_000_123);
        let mut events = SpanEvents::default();
        events.events.push(opentelemetry::trace::Event::new(
            "retry",
            start + Duration::from_micros(5),
            vec![KeyValue::new("attempt", 2)],
            0,
        ));
        SpanData {
            span_context: SpanContext::new(
                TraceId::from_hex("0af7651916cd43dd8448eb211c80319c").unwrap(),
                SpanId::from_hex("b7ad6b7169203331").unwrap(),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            parent_span_is_remote: false,
            span_kind: SpanKind::Client,
            name: "GET".into(),
            start_time: start,
            end_time: start + Duration::from_nanos(1_234_567),
            attributes: vec![
                KeyValue::new("http.request.method", "GET"),
                KeyValue::new("http.response.status_code", 503),
                KeyValue::new("server.address", "users"),
                KeyValue::new("server.port", 8080),
                KeyValue::new("retry", true),
                KeyValue::new(
                    "tags",
                    Value::Array(Array::String(vec!["a".into(), "b\"".into()])),
                ),
                KeyValue::new("error", false),
            ],
            dropped_attributes_count: 0,
            events,
            links: SpanLinks::default(),
            status: Status::error("upstream unavailable"),
            instrumentation_scope: InstrumentationScope::builder("baton")
                .with_version("0.1.0")
                .build(),
        }
    }

    #[test]
    fn maps_a_client_span() {
        let json: Json = serde_json::from_slice(&encode(&[sample()], "gateway")).unwrap();
        assert_eq!(
            json,
            json!([{
                "traceId": "0af7651916cd43dd8448eb211c80319c",
                "id": "b7ad6b7169203331",
                "parentId": "00f067aa0ba902b7",
                "name": "GET",
                "kind": "CLIENT",
                "timestamp": 1_700_000_000_000_123u64,
                "duration": 1234,
                "localEndpoint": { "serviceName": "gateway" },
                "remoteEndpoint": { "serviceName": "users", "port": 8080 },
                "annotations": [{ "timestamp": 1_700_000_000_000_128u64, "value": "\"retry\": {\"attempt\":\"2\"}" }],
                "tags": {
                    "http.request.method": "GET",
                    "http.response.status_code": "503",
                    "server.address": "users",
                    "server.port": "8080",
                    "retry": "true",
                    "tags": "[\"a\",\"b\\\"\"]",
                    "otel.scope.name": "baton",
                    "otel.scope.version": "0.1.0",
                    "otel.status_code": "ERROR",
                    "error": "upstream unavailable"
                }
            }])
        );
    }

    #[test]
    fn internal_root_span_omits_optional_fields() {
        let mut s = sample();
        s.span_kind = SpanKind::Internal;
        s.parent_span_id = SpanId::INVALID;
        s.attributes.clear();
        s.events = SpanEvents::default();
        s.status = Status::Ok;
        s.end_time = s.start_time;
        s.instrumentation_scope = InstrumentationScope::builder("").build();
        let json: Json = serde_json::from_slice(&encode(&[s], "db")).unwrap();
        let span = &json[0];
        for absent in ["parentId", "kind", "remoteEndpoint", "annotations"] {
            assert!(span.get(absent).is_none(), "{absent} should be omitted");
        }
        assert_eq!(span["duration"], 1);
        assert_eq!(span["tags"], json!({ "otel.status_code": "OK" }));
    }

    #[test]
    fn remote_endpoint_from_peer_address() {
        let attrs = [
            KeyValue::new("network.peer.address", "10.1.2.3"),
            KeyValue::new("network.peer.port", 5432),
        ];
        assert_eq!(
            remote_endpoint(&attrs),
            Some(json!({ "ipv4": "10.1.2.3", "port": 5432 }))
        );
        assert_eq!(remote_endpoint(&[]), None);
    }
}
