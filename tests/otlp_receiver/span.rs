//! The decoded span: one OTLP `Span` flattened with what the request said around it (its
//! resource's `service.name`, its scope, how it arrived), ids as lower-case hex and
//! attribute values as text, so tests compare it with plain strings.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;

pub(super) use super::decode::attributes;
use super::decode::hex;

/// `Span.kind` values of the OTLP protobuf.
pub const INTERNAL: i32 = 1;
pub const SERVER: i32 = 2;
pub const CLIENT: i32 = 3;

/// `Status.code` of the OTLP protobuf for an error.
pub const STATUS_ERROR: i32 = 2;

/// [`Span::transport`] of spans that came over gRPC and over HTTP.
pub const GRPC_TRANSPORT: &str = "grpc";
pub const HTTP_TRANSPORT: &str = "http";

/// One span as it arrived on the wire, flattened for assertions.
#[derive(Clone, Debug)]
pub struct Span {
    pub name: String,
    /// The OTLP `SpanKind` as an integer ([`SERVER`], [`CLIENT`], [`INTERNAL`], ...).
    pub kind: i32,
    pub trace_id: String,
    pub span_id: String,
    /// Empty for a root span.
    pub parent_span_id: String,
    /// The W3C `tracestate` the span carried, empty when none.
    pub trace_state: String,
    /// `start_time_unix_nano`.
    pub start: u64,
    pub attributes: BTreeMap<String, String>,
    /// The names of the span's events, in order.
    pub events: Vec<String>,
    /// `(trace id, span id)` of each link.
    pub links: Vec<(String, String)>,
    /// The resource's `service.name`.
    pub service: String,
    /// The instrumentation scope's name.
    pub scope: String,
    /// 0 unset, 1 ok, 2 error ([`STATUS_ERROR`]).
    pub status_code: i32,
    pub status_message: String,
    /// How the span arrived: [`GRPC_TRANSPORT`] or [`HTTP_TRANSPORT`].
    pub transport: &'static str,
}

impl Span {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            INTERNAL => "INTERNAL",
            SERVER => "SERVER",
            CLIENT => "CLIENT",
            4 => "PRODUCER",
            5 => "CONSUMER",
            _ => "UNSPECIFIED",
        }
    }
}

/// The `service.name` of a resource's attributes, empty when there is none.
pub(super) fn service_name(resource_attributes: &[KeyValue]) -> String {
    attributes(resource_attributes)
        .remove("service.name")
        .unwrap_or_default()
}

/// Every span of an export request, flattened, in the order the request holds them.
pub(super) fn flatten(request: &ExportTraceServiceRequest, transport: &'static str) -> Vec<Span> {
    let mut out = Vec::new();
    for rs in &request.resource_spans {
        let service = rs
            .resource
            .as_ref()
            .map(|r| service_name(&r.attributes))
            .unwrap_or_default();
        for ss in &rs.scope_spans {
            let scope = ss
                .scope
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            for span in &ss.spans {
                let status = span.status.clone().unwrap_or_default();
                out.push(Span {
                    name: span.name.clone(),
                    kind: span.kind,
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                    trace_state: span.trace_state.clone(),
                    start: span.start_time_unix_nano,
                    attributes: attributes(&span.attributes),
                    events: span.events.iter().map(|e| e.name.clone()).collect(),
                    links: span
                        .links
                        .iter()
                        .map(|l| (hex(&l.trace_id), hex(&l.span_id)))
                        .collect(),
                    service: service.clone(),
                    scope: scope.clone(),
                    status_code: status.code,
                    status_message: status.message,
                    transport,
                });
            }
        }
    }
    out
}
