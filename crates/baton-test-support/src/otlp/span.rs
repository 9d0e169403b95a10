//! The decoded span: one OTLP `Span` flattened with what the request said around it (its
//! resource, its scope, how it arrived), ids as lower-case hex and attribute values as
//! text, so tests compare it with plain strings.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use crate::decode::{attributes, hex, resource, scope_name};

/// `Span.kind` of the OTLP protobuf for an internal span.
pub const INTERNAL: i32 = 1;
/// `Span.kind` of the OTLP protobuf for a server span.
pub const SERVER: i32 = 2;
/// `Span.kind` of the OTLP protobuf for a client span.
pub const CLIENT: i32 = 3;

/// `Status.code` of the OTLP protobuf for an error.
pub const STATUS_ERROR: i32 = 2;

/// [`Span::transport`] of spans that came over gRPC.
pub const GRPC_TRANSPORT: &str = "grpc";
/// [`Span::transport`] of spans that came over HTTP.
pub const HTTP_TRANSPORT: &str = "http";

/// One span as it arrived on the wire, flattened for assertions.
#[derive(Clone, Debug)]
pub struct Span {
    /// The span's name.
    pub name: String,
    /// The OTLP `SpanKind` as an integer ([`SERVER`], [`CLIENT`], [`INTERNAL`], ...).
    pub kind: i32,
    /// Lower-case hex.
    pub trace_id: String,
    /// Lower-case hex.
    pub span_id: String,
    /// Empty for a root span.
    pub parent_span_id: String,
    /// The W3C `tracestate` the span carried, empty when none.
    pub trace_state: String,
    /// `start_time_unix_nano`.
    pub start: u64,
    /// The span's attributes as text.
    pub attributes: BTreeMap<String, String>,
    /// The names of the span's events, in order.
    pub events: Vec<String>,
    /// `(trace id, span id)` of each link.
    pub links: Vec<(String, String)>,
    /// The resource's attributes as text.
    pub resource: BTreeMap<String, String>,
    /// The resource's `service.name`, empty when there is none.
    pub service: String,
    /// The instrumentation scope's name.
    pub scope: String,
    /// 0 unset, 1 ok, 2 error ([`STATUS_ERROR`]).
    pub status_code: i32,
    /// The status message.
    pub status_message: String,
    /// How the span arrived: [`GRPC_TRANSPORT`] or [`HTTP_TRANSPORT`].
    pub transport: &'static str,
}

impl Span {
    /// An attribute's value as text.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    /// The kind's name, as the OTLP enum spells it: `SERVER`, `CLIENT`, `INTERNAL`, ...
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

/// Every span of an export request, flattened, in the order the request holds them.
pub(super) fn flatten(request: &ExportTraceServiceRequest, transport: &'static str) -> Vec<Span> {
    let mut out = Vec::new();
    for rs in &request.resource_spans {
        let (resource, service) = resource(rs.resource.as_ref());
        for ss in &rs.scope_spans {
            let scope = scope_name(ss.scope.as_ref());
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
                    resource: resource.clone(),
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
