//! Collecting metrics, copied into plain values that are easy to assert on.

use opentelemetry::KeyValue;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// One data point of one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricPoint {
    /// The metric's name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// The point's attributes.
    pub attributes: Vec<KeyValue>,
    /// The value.
    pub value: PointValue,
}

/// The value of a data point.
#[derive(Clone, Debug, PartialEq)]
pub enum PointValue {
    /// A sum or gauge.
    Number(f64),
    /// A histogram.
    Histogram {
        /// Recorded values.
        count: u64,
        /// Their sum.
        sum: f64,
        /// Bucket boundaries.
        bounds: Vec<f64>,
    },
}

impl MetricPoint {
    /// Whether the point has this attribute value.
    pub fn has_attr(&self, key: &str, value: impl Into<opentelemetry::Value>) -> bool {
        let value = value.into();
        self.attributes
            .iter()
            .any(|kv| kv.key.as_str() == key && kv.value == value)
    }
}

/// The latest points of every metric.
///
/// ```
/// use baton_sdk::testing::{PointValue, TestTelemetry};
/// use opentelemetry::KeyValue;
/// use opentelemetry::metrics::MeterProvider;
///
/// let telemetry = TestTelemetry::new();
/// let meter = telemetry.meter_provider().meter("test");
/// let active = meter.i64_up_down_counter("active").build();
/// active.add(1, &[KeyValue::new("route", "/a")]);
/// active.add(2, &[KeyValue::new("route", "/b")]);
/// let duration = meter.f64_histogram("duration").with_unit("s").build();
/// duration.record(0.25, &[]);
/// duration.record(0.75, &[]);
///
/// let metrics = telemetry.metrics();
/// assert_eq!(metrics.total("active"), 3.0);
/// assert!(metrics.points("active").iter().any(|p| p.has_attr("route", "/b")));
/// assert_eq!(metrics.count("duration"), 2);
/// let point = metrics.points("duration")[0];
/// assert_eq!(point.unit, "s");
/// assert!(matches!(point.value, PointValue::Histogram { sum, .. } if sum == 1.0));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Metrics(Vec<MetricPoint>);

impl Metrics {
    /// The points of the named metric.
    pub fn points(&self, name: &str) -> Vec<&MetricPoint> {
        self.0.iter().filter(|p| p.name == name).collect()
    }

    /// The sum over all points of a sum metric (for example, active requests).
    pub fn total(&self, name: &str) -> f64 {
        self.points(name)
            .iter()
            .map(|p| {
                if let PointValue::Number(n) = p.value {
                    n
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// The number of values recorded into a histogram, over all points.
    pub fn count(&self, name: &str) -> u64 {
        self.points(name)
            .iter()
            .map(|p| {
                if let PointValue::Histogram { count, .. } = p.value {
                    count
                } else {
                    0
                }
            })
            .sum()
    }
}

/// A metric exporter that keeps the latest export in memory; clones share it (cumulative
/// temporality, so each export holds every point so far).
///
/// ```
/// use baton_sdk::testing::MetricCollector;
/// use opentelemetry::metrics::MeterProvider;
/// use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
///
/// let collector = MetricCollector::default();
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(collector.clone()).build())
///     .build();
/// provider.meter("test").u64_counter("jobs").build().add(1, &[]);
/// provider.force_flush().unwrap();
/// assert_eq!(collector.metrics().total("jobs"), 1.0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct MetricCollector {
    latest: Arc<Mutex<Metrics>>,
}

impl MetricCollector {
    /// The latest export.
    pub fn metrics(&self) -> Metrics {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn points(rm: &ResourceMetrics) -> Vec<MetricPoint> {
    let mut out = Vec::new();
    for metric in rm.scope_metrics().flat_map(|s| s.metrics()) {
        let mut push = |attributes: Vec<KeyValue>, value: PointValue| {
            out.push(MetricPoint {
                name: metric.name().to_owned(),
                unit: metric.unit().to_owned(),
                attributes,
                value,
            });
        };
        macro_rules! numbers {
            ($data:expr) => {
                match $data {
                    MetricData::Sum(s) => s.data_points().for_each(|p| {
                        push(
                            p.attributes().cloned().collect(),
                            PointValue::Number(p.value() as f64),
                        )
                    }),
                    MetricData::Gauge(g) => g.data_points().for_each(|p| {
                        push(
                            p.attributes().cloned().collect(),
                            PointValue::Number(p.value() as f64),
                        )
                    }),
                    MetricData::Histogram(h) => h.data_points().for_each(|p| {
                        push(
                            p.attributes().cloned().collect(),
                            PointValue::Histogram {
                                count: p.count(),
                                sum: p.sum() as f64,
                                bounds: p.bounds().collect(),
                            },
                        )
                    }),
                    MetricData::ExponentialHistogram(_) => {}
                }
            };
        }
        match metric.data() {
            AggregatedMetrics::F64(d) => numbers!(d),
            AggregatedMetrics::U64(d) => numbers!(d),
            AggregatedMetrics::I64(d) => numbers!(d),
        }
    }
    out
}

impl PushMetricExporter for MetricCollector {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) = Metrics(points(metrics));
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}
