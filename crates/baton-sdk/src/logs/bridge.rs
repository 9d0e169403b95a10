//! The logs signal: every `tracing` event (and `log` record) as an OpenTelemetry log record,
//! emitted to the logger provider [`init`](crate::init) built.
//!
//! The record carries the event's level as severity, its message as the body, its fields as
//! attributes (with `code.file.path` and `code.line.number` where the event has them), and
//! its target as the instrumentation scope; the SDK adds the trace id, span id and trace
//! flags of the current context, which inside a request is the server span, the innermost
//! `tracing` span, or for an unsampled request the caller's (inside a `tracing` span of
//! such a request: the caller's trace id, and the unrecorded local span's id).

use std::borrow::Cow;
use std::time::SystemTime;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _};
use opentelemetry::{Context, Key};
use opentelemetry_sdk::logs::SdkLogger;

use super::fields::{Fields, Value};

/// Emits a log record for every event.
#[derive(Debug)]
pub(crate) struct Records {
    pub(crate) logger: SdkLogger,
    /// Bodies and string values are cut to this many bytes.
    pub(crate) value_length: Option<usize>,
}

impl Records {
    /// Emits the record of the event `meta` and `fields` describe. `callsite` is the
    /// event's own metadata when `meta` is it (not a `log` record's), whose strings live
    /// for the whole program and need no copy.
    pub(crate) fn emit(
        &self,
        meta: &tracing::Metadata<'_>,
        callsite: Option<&'static tracing::Metadata<'static>>,
        fields: Fields,
    ) {
        // The exporters' own events (their threads run suppressed) must not feed themselves.
        if Context::is_current_telemetry_suppressed() {
            return;
        }
        let mut record = self.logger.create_log_record();
        record.set_target(match callsite {
            Some(m) => Cow::Borrowed(m.target()),
            None => Cow::Owned(meta.target().to_owned()),
        });
        record.set_timestamp(SystemTime::now());
        record.set_severity_number(super::severity(*meta.level()));
        record.set_severity_text(meta.level().as_str());
        let cut = |mut s: String| {
            if let Some(max) = self.value_length {
                cut_to(&mut s, max);
            }
            s
        };
        record.set_body(AnyValue::String(cut(fields.message).into()));
        for (name, value) in fields.values {
            let value = match value {
                Value::Str(s) => Value::Str(cut(s)),
                other => other,
            };
            record.add_attribute(Key::from_static_str(name), any(value));
        }
        let file = match callsite {
            Some(m) => m.file().map(Cow::Borrowed),
            None => meta.file().map(|f| Cow::Owned(f.to_owned())),
        };
        if let Some(file) = file {
            record.add_attribute(
                Key::from_static_str("code.file.path"),
                AnyValue::String(file.into()),
            );
        }
        if let Some(line) = meta.line() {
            record.add_attribute(
                Key::from_static_str("code.line.number"),
                AnyValue::Int(i64::from(line)),
            );
        }
        self.logger.emit(record);
    }
}

/// Cuts `s` to at most `max` bytes, on a character boundary.
fn cut_to(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

fn any(value: Value) -> AnyValue {
    match value {
        Value::Str(s) => AnyValue::String(s.into()),
        Value::I64(v) => AnyValue::Int(v),
        // OTLP integers are signed: a larger `u64` keeps its digits as text.
        Value::U64(v) => {
            i64::try_from(v).map_or_else(|_| AnyValue::String(v.to_string().into()), AnyValue::Int)
        }
        Value::F64(v) => AnyValue::Double(v),
        Value::Bool(v) => AnyValue::Boolean(v),
    }
}

#[cfg(test)]
mod tests {
    use super::cut_to;

    #[test]
    fn cuts_on_a_character_boundary() {
        let mut s = "héllo".to_owned();
        cut_to(&mut s, 2);
        assert_eq!(s, "h");
        let mut s = "abc".to_owned();
        cut_to(&mut s, 8);
        assert_eq!(s, "abc");
    }
}
