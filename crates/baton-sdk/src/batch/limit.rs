//! What the export thread does to a span before it is batched: string values cut to the
//! attribute value length limit (`OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`), and its encoded size
//! estimated, so that one export never exceeds what a receiver accepts (4 MiB by default
//! for an OTLP/gRPC collector) because of a few huge spans. Both run on the export thread,
//! never on the request path.

use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;

/// Bytes a span (or a link) costs in an export besides its strings: ids, timestamps, kind,
/// status code, field tags, and a `tracestate` (at most 512 characters as propagated, rarely
/// more than a few dozen); a generous round figure, so the estimate errs on the large side.
const SPAN_OVERHEAD: usize = 256;
/// Bytes an attribute costs besides its key and value text.
const ATTRIBUTE_OVERHEAD: usize = 16;

/// Cuts every string value of `span` (attributes, event and link attributes, string
/// arrays) to `limit` bytes, on a character boundary.
pub(super) fn cut_values(span: &mut SpanData, limit: usize) {
    let cut_all = |attributes: &mut Vec<KeyValue>| {
        for kv in attributes.iter_mut() {
            cut_value(&mut kv.value, limit);
        }
    };
    cut_all(&mut span.attributes);
    for event in span.events.events.iter_mut() {
        cut_all(&mut event.attributes);
    }
    for link in span.links.links.iter_mut() {
        cut_all(&mut link.attributes);
    }
}

fn cut_value(value: &mut Value, limit: usize) {
    match value {
        Value::String(s) => {
            if let Some(cut) = cut_str(s.as_str(), limit) {
                *s = StringValue::from(cut.to_owned());
            }
        }
        Value::Array(Array::String(items)) => {
            for s in items.iter_mut() {
                if let Some(cut) = cut_str(s.as_str(), limit) {
                    *s = StringValue::from(cut.to_owned());
                }
            }
        }
        _ => {}
    }
}

/// `s` cut to at most `limit` bytes, if it is longer.
fn cut_str(s: &str, limit: usize) -> Option<&str> {
    if s.len() <= limit {
        return None;
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Some(&s[..end])
}

/// An upper estimate of the bytes `span` takes in an export.
pub(super) fn encoded_size(span: &SpanData) -> usize {
    let attributes = |attributes: &[KeyValue]| -> usize {
        attributes
            .iter()
            .map(|kv| ATTRIBUTE_OVERHEAD + kv.key.as_str().len() + value_size(&kv.value))
            .sum()
    };
    let events: usize = span
        .events
        .events
        .iter()
        .map(|e| SPAN_OVERHEAD / 4 + e.name.len() + attributes(&e.attributes))
        .sum();
    let links: usize = span
        .links
        .links
        .iter()
        .map(|l| SPAN_OVERHEAD + attributes(&l.attributes))
        .sum();
    let status = match &span.status {
        opentelemetry::trace::Status::Error { description } => description.len(),
        _ => 0,
    };
    SPAN_OVERHEAD + span.name.len() + status + attributes(&span.attributes) + events + links
}

/// The estimated bytes of a log record in an export: its body, attributes and target.
#[cfg(feature = "logs")]
pub(super) fn log_size(record: &opentelemetry_sdk::logs::SdkLogRecord) -> usize {
    use opentelemetry::logs::AnyValue;
    fn any_size(value: &AnyValue) -> usize {
        match value {
            AnyValue::String(s) => s.as_str().len(),
            AnyValue::Bytes(b) => b.len(),
            AnyValue::ListAny(items) => items.iter().map(|v| 2 + any_size(v)).sum(),
            AnyValue::Map(map) => map
                .iter()
                .map(|(k, v)| ATTRIBUTE_OVERHEAD + k.as_str().len() + any_size(v))
                .sum(),
            _ => 8,
        }
    }
    let attributes: usize = record
        .attributes_iter()
        .map(|(k, v)| ATTRIBUTE_OVERHEAD + k.as_str().len() + any_size(v))
        .sum();
    SPAN_OVERHEAD
        + record.body().map_or(0, any_size)
        + record.target().map_or(0, |t| t.len())
        + attributes
}

fn value_size(value: &Value) -> usize {
    match value {
        Value::String(s) => s.as_str().len(),
        Value::Array(Array::String(items)) => items.iter().map(|s| s.as_str().len() + 2).sum(),
        Value::Array(Array::Bool(items)) => items.len(),
        Value::Array(Array::I64(items)) => items.len() * 10,
        Value::Array(Array::F64(items)) => items.len() * 8,
        _ => 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cut_on_character_boundaries() {
        assert_eq!(cut_str("short", 10), None);
        assert_eq!(cut_str("abcdef", 3), Some("abc"));
        // "é" is two bytes: a cut inside it backs off to before it.
        assert_eq!(cut_str("aé", 2), Some("a"));
        let mut v = Value::Array(Array::String(vec!["x".repeat(10).into(), "y".into()]));
        cut_value(&mut v, 4);
        assert_eq!(
            v,
            Value::Array(Array::String(vec!["xxxx".into(), "y".into()]))
        );
        let mut n = Value::I64(123_456_789);
        cut_value(&mut n, 1);
        assert_eq!(n, Value::I64(123_456_789), "only text is cut");
    }
}
