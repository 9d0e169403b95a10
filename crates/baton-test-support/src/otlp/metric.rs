//! The decoded metric: one OTLP `Metric` flattened with its resource, for assertions on
//! names, units, kinds and histogram buckets.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{NumberDataPoint, metric, number_data_point};

use crate::decode::resource;

/// One metric as it arrived.
#[derive(Clone, Debug)]
pub struct Metric {
    /// The metric's name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Its description.
    pub description: String,
    /// The resource's attributes as text.
    pub resource: BTreeMap<String, String>,
    /// The resource's `service.name`, empty when there is none.
    pub service: String,
    /// `histogram`, `sum`, `gauge` or `other`.
    pub kind: &'static str,
    /// Explicit bucket bounds of the first histogram data point.
    pub bounds: Vec<f64>,
    /// Counts of the first histogram data point.
    pub bucket_counts: Vec<u64>,
    /// How many data points it carried.
    pub points: usize,
    /// The aggregation temporality of a sum or histogram: [`DELTA`] or [`CUMULATIVE`]
    /// (`0` for a gauge).
    pub temporality: i32,
    /// The values of a sum's data points, in order (integers as `f64`).
    pub sum_values: Vec<f64>,
}

/// [`Metric::temporality`] of a delta sum or histogram.
pub const DELTA: i32 = 1;
/// [`Metric::temporality`] of a cumulative sum or histogram.
pub const CUMULATIVE: i32 = 2;

/// One number data point's value.
fn number(point: &NumberDataPoint) -> f64 {
    match point.value {
        Some(number_data_point::Value::AsDouble(d)) => d,
        Some(number_data_point::Value::AsInt(i)) => i as f64,
        None => f64::NAN,
    }
}

/// Every metric of an export request, flattened, in the order the request holds them.
pub(super) fn flatten(request: &ExportMetricsServiceRequest) -> Vec<Metric> {
    let mut out = Vec::new();
    for rm in &request.resource_metrics {
        let (resource, service) = resource(rm.resource.as_ref());
        for m in rm.scope_metrics.iter().flat_map(|sm| &sm.metrics) {
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
            let (temporality, sum_values) = match &m.data {
                Some(metric::Data::Histogram(h)) => (h.aggregation_temporality, vec![]),
                Some(metric::Data::Sum(s)) => (
                    s.aggregation_temporality,
                    s.data_points.iter().map(number).collect(),
                ),
                _ => (0, vec![]),
            };
            out.push(Metric {
                name: m.name.clone(),
                unit: m.unit.clone(),
                description: m.description.clone(),
                resource: resource.clone(),
                service: service.clone(),
                kind,
                bounds,
                bucket_counts,
                points,
                temporality,
                sum_values,
            });
        }
    }
    out
}
