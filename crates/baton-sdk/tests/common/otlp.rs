//! Flattened views of decoded OTLP requests, for assertions.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::metric;

use super::decode::{attributes, hex};

/// One span as it arrived, with its resource and scope.
#[derive(Clone, Debug)]
pub struct ReceivedSpan {
    pub name: String,
    /// `opentelemetry_proto::tonic::trace::v1::span::SpanKind` as an integer.
    pub kind: i32,
    pub trace_id: String,
    pub span_id: String,
    /// Empty for a root span.
    pub parent_span_id: String,
    pub attributes: BTreeMap<String, String>,
    pub resource: BTreeMap<String, String>,
    pub scope: String,
    /// `Status.code`: 0 unset, 1 ok, 2 error.
    pub status_code: i32,
    pub status_message: String,
}

/// One metric as it arrived.
#[derive(Clone, Debug)]
pub struct ReceivedMetric {
    pub name: String,
    pub unit: String,
    pub description: String,
    pub resource: BTreeMap<String, String>,
    /// `histogram`, `sum` or `gauge`.
    pub kind: &'static str,
    /// Explicit bucket bounds of the first histogram data point.
    pub bounds: Vec<f64>,
    /// Counts of the first histogram data point.
    pub bucket_counts: Vec<u64>,
    pub points: usize,
}

pub fn spans(request: &ExportTraceServiceRequest) -> Vec<ReceivedSpan> {
    let mut out = Vec::new();
    for rs in &request.resource_spans {
        let resource = rs
            .resource
            .as_ref()
            .map(|r| attributes(&r.attributes))
            .unwrap_or_default();
        for ss in &rs.scope_spans {
            let scope = ss
                .scope
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            for span in &ss.spans {
                let status = span.status.clone().unwrap_or_default();
                out.push(ReceivedSpan {
                    name: span.name.clone(),
                    kind: span.kind,
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                    attributes: attributes(&span.attributes),
                    resource: resource.clone(),
                    scope: scope.clone(),
                    status_code: status.code,
                    status_message: status.message,
                });
            }
        }
    }
    out
}

pub fn metrics(request: &ExportMetricsServiceRequest) -> Vec<ReceivedMetric> {
    let mut out = Vec::new();
    for rm in &request.resource_metrics {
        let resource = rm
            .resource
            .as_ref()
            .map(|r| attributes(&r.attributes))
            .unwrap_or_default();
        for sm in &rm.scope_metrics {
            for m in &sm.metrics {
                let (kind, bounds, bucket_counts, points) = match &m.data {
                    Some(metric::Data::Histogram(h)) => {
                        let first = h.data_points.first();
                        (
                            "histogram",
                            first.map(|p| p.explicit_bounds.clone()).unwrap_or_default(),
                            first.map(|p| p.bucket_counts.clone()).unwrap_or_default(),
                            h.data_points.len(),
                        )
                    }
                    Some(metric::Data::Sum(s)) => ("sum", vec![], vec![], s.data_points.len()),
                    Some(metric::Data::Gauge(g)) => ("gauge", vec![], vec![], g.data_points.len()),
                    _ => ("other", vec![], vec![], 0),
                };
                out.push(ReceivedMetric {
                    name: m.name.clone(),
                    unit: m.unit.clone(),
                    description: m.description.clone(),
                    resource: resource.clone(),
                    kind,
                    bounds,
                    bucket_counts,
                    points,
                });
            }
        }
    }
    out
}
