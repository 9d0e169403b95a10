//! The log lines on standard error: one per event, in text or JSON, each naming the trace
//! and span of the current context.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::LogFormat;
use super::current::{self, Ids};
use super::fields::{Fields, Value};
use super::time::rfc3339;

/// Where lines go: standard error, or a writer the builder was given.
#[derive(Clone)]
pub(crate) struct Sink(Option<Arc<Mutex<Box<dyn Write + Send>>>>);

impl Sink {
    /// Standard error, locked for each line.
    pub(crate) fn stderr() -> Sink {
        Sink(None)
    }

    /// `out`, shared by every layer built from this sink.
    pub(crate) fn writer(out: Box<dyn Write + Send>) -> Sink {
        Sink(Some(Arc::new(Mutex::new(out))))
    }

    fn write(&self, line: &str) {
        match &self.0 {
            None => {
                let _ = std::io::stderr().lock().write_all(line.as_bytes());
            }
            Some(out) => {
                let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
                let _ = out.write_all(line.as_bytes());
                let _ = out.flush();
            }
        }
    }
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "writer" } else { "stderr" })
    }
}

/// Writes a line for every event, in one format.
#[derive(Debug)]
pub(crate) struct Lines {
    pub(crate) format: LogFormat,
    pub(crate) sink: Sink,
}

impl Lines {
    /// Writes the line of the event `meta` and `fields` describe.
    pub(crate) fn write(&self, meta: &tracing::Metadata<'_>, fields: &Fields) {
        let ids = current::current();
        let mut line = String::with_capacity(160);
        rfc3339(SystemTime::now(), &mut line);
        match self.format {
            LogFormat::Text => text(&mut line, meta, fields, ids),
            LogFormat::Json => json(&mut line, meta, fields, ids),
        }
        line.push('\n');
        self.sink.write(&line);
    }
}

/// The level, right-aligned in five columns.
fn level(meta: &tracing::Metadata<'_>) -> &'static str {
    match *meta.level() {
        tracing::Level::TRACE => "TRACE",
        tracing::Level::DEBUG => "DEBUG",
        tracing::Level::INFO => " INFO",
        tracing::Level::WARN => " WARN",
        tracing::Level::ERROR => "ERROR",
    }
}

/// `bytes` in lowercase hex.
fn hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
}

/// `2026-12-01T15:35:38.123456Z  INFO users: loading profile user.id=7 trace_id=… span_id=…`
fn text(out: &mut String, meta: &tracing::Metadata<'_>, fields: &Fields, ids: Option<Ids>) {
    use std::fmt::Write as _;
    out.push(' ');
    out.push_str(level(meta));
    out.push(' ');
    out.push_str(meta.target());
    out.push_str(": ");
    escaped(out, &fields.message);
    for (name, value) in &fields.values {
        let _ = write!(out, " {name}=");
        match value {
            Value::Str(s) => {
                // Quoted (with Rust's escapes) when it could be read as more than one value
                // or hold a line break or terminal control: a value never forges a line.
                if s.is_empty()
                    || s.contains(|c: char| matches!(c, ' ' | '"' | '=') || c.is_control())
                {
                    let _ = write!(out, "{s:?}");
                } else {
                    out.push_str(s);
                }
            }
            Value::I64(v) => {
                let _ = write!(out, "{v}");
            }
            Value::U64(v) => {
                let _ = write!(out, "{v}");
            }
            Value::F64(v) => {
                let _ = write!(out, "{v}");
            }
            Value::Bool(v) => {
                let _ = write!(out, "{v}");
            }
        }
    }
    if let Some(ids) = ids {
        out.push_str(" trace_id=");
        hex(out, &ids.trace_id.to_bytes());
        out.push_str(" span_id=");
        hex(out, &ids.span_id.to_bytes());
    }
}

/// `s` with its control characters escaped (`\n`, `\r`, `\t`, `\u{1b}`), so a message
/// can neither start a line of its own nor drive the terminal.
fn escaped(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    if !s.contains(char::is_control) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// One JSON object per line: `trace_id`, `span_id`, `trace_flags` (lowercase hex, as the
/// specification's "trace context in non-OTLP log formats" names them), the names log
/// backends commonly read (`timestamp`, `level`: the severity text, `target`, `message`:
/// the body), the data model's `severity_number`, and the event's fields under
/// `attributes`.
fn json(out: &mut String, meta: &tracing::Metadata<'_>, fields: &Fields, ids: Option<Ids>) {
    use std::fmt::Write as _;
    let timestamp = std::mem::take(out);
    out.push_str("{\"timestamp\":");
    string(out, &timestamp);
    let _ = write!(
        out,
        ",\"level\":\"{}\",\"severity_number\":{},\"target\":",
        meta.level(),
        super::severity(*meta.level()) as i32
    );
    string(out, meta.target());
    out.push_str(",\"message\":");
    string(out, &fields.message);
    if let Some(ids) = ids {
        out.push_str(",\"trace_id\":\"");
        hex(out, &ids.trace_id.to_bytes());
        out.push_str("\",\"span_id\":\"");
        hex(out, &ids.span_id.to_bytes());
        out.push_str("\",\"trace_flags\":\"");
        hex(out, &[ids.flags.to_u8()]);
        out.push('"');
    }
    if !fields.values.is_empty() {
        out.push_str(",\"attributes\":{");
        for (i, (name, value)) in fields.values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(out, name);
            out.push(':');
            match value {
                Value::Str(s) => string(out, s),
                Value::I64(v) => {
                    let _ = write!(out, "{v}");
                }
                Value::U64(v) => {
                    let _ = write!(out, "{v}");
                }
                // JSON has no NaN or infinities: those are written as strings.
                Value::F64(v) if v.is_finite() => {
                    let _ = write!(out, "{v}");
                }
                Value::F64(v) => string(out, &v.to_string()),
                Value::Bool(v) => {
                    let _ = write!(out, "{v}");
                }
            }
        }
        out.push('}');
    }
    out.push('}');
}

/// `s` as a JSON string literal.
fn string(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_leave_the_line() {
        let mut out = String::new();
        escaped(&mut out, "a\nINFO forged trace_id=1\r\t\u{1b}[31m");
        assert_eq!(out, "a\\nINFO forged trace_id=1\\r\\t\\u{1b}[31m");
        let mut out = String::new();
        string(&mut out, "q\"\\\n\u{1b}");
        assert_eq!(out, "\"q\\\"\\\\\\n\\u001b\"");
    }
}
