//! `OTEL_METRICS_EXPORTER=console`: a short text summary of every metric at each export.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;

/// Prints metrics as text, one line per data point:
///
/// ```text
/// metrics · users
///   http.server.request.duration [s] histogram {http.request.method=GET, http.route=/users/{id}} count=3 sum=0.042 min=0.003 max=0.03
///   http.server.active_requests [{request}] sum {http.request.method=GET} value=0
/// ```
///
/// Meant for development, like the span waterfall; use OTLP for anything else.
///
/// ```
/// use baton_sdk::exporter::ConsoleMetricExporter;
/// use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
///
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(ConsoleMetricExporter::stdout()).build())
///     .build();
/// # provider.shutdown().unwrap();
/// ```
#[derive(Clone)]
pub struct ConsoleMetricExporter {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl std::fmt::Debug for ConsoleMetricExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleMetricExporter")
            .finish_non_exhaustive()
    }
}

impl ConsoleMetricExporter {
    /// Prints to standard output.
    pub fn stdout() -> Self {
        Self::new(std::io::stdout())
    }

    /// Prints to `out`.
    pub fn new(out: impl Write + Send + 'static) -> Self {
        ConsoleMetricExporter {
            out: Arc::new(Mutex::new(Box::new(out))),
        }
    }
}

impl PushMetricExporter for ConsoleMetricExporter {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let text = render(metrics);
        if text.is_empty() {
            return Ok(());
        }
        let mut out = self
            .out
            .lock()
            .map_err(|_| OTelSdkError::InternalFailure("console output lock poisoned".into()))?;
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| OTelSdkError::InternalFailure(format!("writing metrics failed: {e}")))
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

fn render(metrics: &ResourceMetrics) -> String {
    let mut lines = String::new();
    for scope in metrics.scope_metrics() {
        for metric in scope.metrics() {
            let head = if metric.unit().is_empty() {
                metric.name().to_owned()
            } else {
                format!("{} [{}]", metric.name(), metric.unit())
            };
            let points = match metric.data() {
                AggregatedMetrics::F64(d) => points(d),
                AggregatedMetrics::U64(d) => points(d),
                AggregatedMetrics::I64(d) => points(d),
            };
            for (kind, attrs, values) in points {
                let _ = writeln!(lines, "  {head} {kind} {} {values}", attributes(&attrs));
            }
        }
    }
    if lines.is_empty() {
        return lines;
    }
    let service = metrics
        .resource()
        .get(&opentelemetry::Key::from_static_str("service.name"))
        .map(|v| v.to_string())
        .unwrap_or_default();
    format!("metrics · {service}\n{lines}")
}

type Point = (&'static str, Vec<KeyValue>, String);

fn points<T: std::fmt::Display + Copy>(data: &MetricData<T>) -> Vec<Point> {
    let attrs = |it: &mut dyn Iterator<Item = &KeyValue>| it.cloned().collect::<Vec<_>>();
    match data {
        MetricData::Gauge(g) => g
            .data_points()
            .map(|p| {
                (
                    "gauge",
                    attrs(&mut p.attributes()),
                    format!("value={}", p.value()),
                )
            })
            .collect(),
        MetricData::Sum(s) => s
            .data_points()
            .map(|p| {
                (
                    "sum",
                    attrs(&mut p.attributes()),
                    format!("value={}", p.value()),
                )
            })
            .collect(),
        MetricData::Histogram(h) => h
            .data_points()
            .map(|p| {
                let mut v = format!("count={} sum={}", p.count(), p.sum());
                if let (Some(min), Some(max)) = (p.min(), p.max()) {
                    let _ = write!(v, " min={min} max={max}");
                }
                ("histogram", attrs(&mut p.attributes()), v)
            })
            .collect(),
        MetricData::ExponentialHistogram(h) => h
            .data_points()
            .map(|p| {
                (
                    "exponential histogram",
                    attrs(&mut p.attributes()),
                    format!("count={} sum={}", p.count(), p.sum()),
                )
            })
            .collect(),
    }
}

fn attributes(attrs: &[KeyValue]) -> String {
    let mut sorted: Vec<_> = attrs.iter().collect();
    sorted.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    let inner: Vec<String> = sorted
        .iter()
        .map(|kv| format!("{}={}", kv.key, kv.value))
        .collect();
    format!("{{{}}}", inner.join(", "))
}
