//! The decoded log record: one OTLP `LogRecord` flattened with what the request said
//! around it (its resource, its scope, how it arrived), ids as lower-case hex and values as
//! text, so tests compare it with plain strings.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::AnyValue;

use crate::decode::{attributes, id, resource, scope_name, value};

/// `LogRecord.severity_number` of the OTLP protobuf for `TRACE` (the lowest of its four
/// `TRACE` numbers; likewise below).
pub const SEVERITY_TRACE: i32 = 1;
/// `LogRecord.severity_number` for `DEBUG`.
pub const SEVERITY_DEBUG: i32 = 5;
/// `LogRecord.severity_number` for `INFO`.
pub const SEVERITY_INFO: i32 = 9;
/// `LogRecord.severity_number` for `WARN`.
pub const SEVERITY_WARN: i32 = 13;
/// `LogRecord.severity_number` for `ERROR`.
pub const SEVERITY_ERROR: i32 = 17;
/// `LogRecord.severity_number` for `FATAL`.
pub const SEVERITY_FATAL: i32 = 21;

/// The bits of `LogRecord.flags` that hold the W3C trace flags.
const TRACE_FLAGS_MASK: u32 = 0xff;

/// One log record as it arrived on the wire, flattened for assertions (compare whole
/// records with `==`).
#[derive(Clone, Debug, PartialEq)]
pub struct Log {
    /// Lower-case hex; empty when the record has no trace id, or an all-zero one.
    pub trace_id: String,
    /// Lower-case hex; empty when the record has no span id, or an all-zero one.
    pub span_id: String,
    /// The record's `flags` as sent: the lower 8 bits are the W3C trace flags
    /// ([`Log::trace_flags`]), the rest are reserved.
    pub flags: u32,
    /// The OTLP `SeverityNumber` as an integer ([`SEVERITY_INFO`], [`SEVERITY_ERROR`], ...;
    /// `0` when unspecified).
    pub severity_number: i32,
    /// The severity text (the level as the source spelled it), empty when none.
    pub severity_text: String,
    /// The body as text: a string body as it is, a number or boolean formatted, anything
    /// else (arrays, maps, bytes) as its `Debug` text; empty when the record has no body
    /// (or an empty one).
    pub body: String,
    /// The body as it was decoded, for structured bodies.
    pub body_value: Option<AnyValue>,
    /// The record's `event_name`, empty when it is not an event.
    pub event_name: String,
    /// The record's attributes as text.
    pub attributes: BTreeMap<String, String>,
    /// `dropped_attributes_count`: attributes the sender's limits dropped.
    pub dropped_attributes_count: u32,
    /// `time_unix_nano`: when the event occurred (`0` when unknown).
    pub time_unix_nano: u64,
    /// `observed_time_unix_nano`: when it was observed (`0` when unknown).
    pub observed_time_unix_nano: u64,
    /// The resource's attributes as text.
    pub resource: BTreeMap<String, String>,
    /// The resource's `service.name`, empty when there is none.
    pub service: String,
    /// The instrumentation scope's name.
    pub scope: String,
    /// How the record arrived: [`GRPC_TRANSPORT`](super::GRPC_TRANSPORT) or
    /// [`HTTP_TRANSPORT`](super::HTTP_TRANSPORT).
    pub transport: &'static str,
}

impl Log {
    /// An attribute's value as text.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    /// The W3C trace flags: the lower 8 bits of [`Log::flags`] (`1` sampled).
    pub fn trace_flags(&self) -> u8 {
        (self.flags & TRACE_FLAGS_MASK) as u8
    }

    /// One line for the record, as [`Receiver::wait_for_logs`](super::Receiver::wait_for_logs)
    /// shows what arrived: `service SEVERITY(number) "body"`, then the trace id, span id and
    /// flags, the event name when there is one, and the attributes.
    pub fn line(&self) -> String {
        let mut out = format!(
            "{} {}({}) {:?} trace={} span={} flags={:02x}",
            self.service,
            self.severity_text,
            self.severity_number,
            self.body,
            self.trace_id,
            self.span_id,
            self.flags
        );
        if !self.event_name.is_empty() {
            out.push_str(&format!(" event={}", self.event_name));
        }
        out.push_str(&format!(" {:?}", self.attributes));
        out
    }
}

/// Every record drawn one per line, for failure messages.
pub(super) fn render_all(logs: &[Log]) -> String {
    let lines: Vec<String> = logs.iter().map(Log::line).collect();
    lines.join("\n")
}

/// Every log record of an export request, flattened, in the order the request holds them.
pub(super) fn flatten(request: &ExportLogsServiceRequest, transport: &'static str) -> Vec<Log> {
    let mut out = Vec::new();
    for rl in &request.resource_logs {
        let (resource, service) = resource(rl.resource.as_ref());
        for sl in &rl.scope_logs {
            let scope = scope_name(sl.scope.as_ref());
            for record in &sl.log_records {
                let body = match record.body.as_ref().and_then(|b| b.value.as_ref()) {
                    None => String::new(),
                    Some(_) => value(&record.body),
                };
                out.push(Log {
                    trace_id: id(&record.trace_id),
                    span_id: id(&record.span_id),
                    flags: record.flags,
                    severity_number: record.severity_number,
                    severity_text: record.severity_text.clone(),
                    body,
                    body_value: record.body.clone(),
                    event_name: record.event_name.clone(),
                    attributes: attributes(&record.attributes),
                    dropped_attributes_count: record.dropped_attributes_count,
                    time_unix_nano: record.time_unix_nano,
                    observed_time_unix_nano: record.observed_time_unix_nano,
                    resource: resource.clone(),
                    service: service.clone(),
                    scope: scope.clone(),
                    transport,
                });
            }
        }
    }
    out
}
