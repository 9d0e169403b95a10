//! What the receiver records of each decoded request, shared by its two endpoints: exports
//! (with their origin and decoded content, or only counted), the metrics seen and their
//! latest values, requests kept whole, and requests it could not decode.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};

use super::Options;
use super::export::{Export, Origin, Signal};
use super::span::SERVER;
use super::{log, metric as flat_metric, span};
use crate::decode::{attributes_text, resource};

#[derive(Default)]
pub(super) struct Store {
    pub(super) options: Options,
    /// Decoded exports, with `keep_exports` only.
    pub(super) exports: Mutex<Vec<Export>>,
    pub(super) span_count: AtomicUsize,
    pub(super) server_span_count: AtomicUsize,
    pub(super) trace_exports: AtomicUsize,
    pub(super) log_count: AtomicUsize,
    /// `(service.name, metric name)` of every metric seen, each pair once.
    pub(super) metric_sources: Mutex<BTreeSet<(String, String)>>,
    /// `(metric name, point attributes)` -> latest value (sums and gauges), or latest
    /// count (histograms).
    pub(super) points: Mutex<BTreeMap<(String, String), f64>>,
    /// Decoded requests as `Debug` text, with `keep_raw` only.
    pub(super) raw: Mutex<Vec<String>>,
    /// Requests that could not be decoded, as messages.
    pub(super) errors: Mutex<Vec<String>>,
}

impl Store {
    pub(super) fn new(options: Options) -> Self {
        Store {
            options,
            ..Store::default()
        }
    }

    /// Keeps `request` whole (with `keep_raw`) and `decode`d (with `keep_exports`).
    fn keep<R: Debug>(&self, request: &R, decode: impl FnOnce(&R) -> Export) {
        if self.options.keep_raw {
            self.raw.lock().unwrap().push(format!("{request:?}"));
        }
        if self.options.keep_exports {
            let export = decode(request);
            self.exports.lock().unwrap().push(export);
        }
    }

    /// Records a trace export. Exports are stored before their spans are counted, so a
    /// count never runs ahead of what is kept.
    pub(super) fn traces(&self, request: &ExportTraceServiceRequest, origin: Origin) {
        self.keep(request, |request| Export {
            spans: span::flatten(request, origin.transport),
            ..Export::empty(Signal::Traces, origin)
        });
        let spans = request
            .resource_spans
            .iter()
            .flat_map(|rs| &rs.scope_spans)
            .flat_map(|ss| &ss.spans);
        let (all, server) = spans.fold((0, 0), |(all, server), s| {
            (all + 1, server + usize::from(s.kind == SERVER))
        });
        self.span_count.fetch_add(all, Ordering::SeqCst);
        self.server_span_count.fetch_add(server, Ordering::SeqCst);
        self.trace_exports.fetch_add(1, Ordering::SeqCst);
    }

    /// Records a metrics export: which metrics each service sent, and the latest value of
    /// every sum, gauge and histogram point.
    pub(super) fn metrics(&self, request: &ExportMetricsServiceRequest, origin: Origin) {
        self.latest_points(request);
        self.keep(request, |request| Export {
            metrics: flat_metric::flatten(request),
            ..Export::empty(Signal::Metrics, origin)
        });
    }

    /// Records a logs export. As with spans, records are kept before they are counted.
    pub(super) fn logs(&self, request: &ExportLogsServiceRequest, origin: Origin) {
        self.keep(request, |request| Export {
            logs: log::flatten(request, origin.transport),
            ..Export::empty(Signal::Logs, origin)
        });
        let records = request
            .resource_logs
            .iter()
            .flat_map(|rl| &rl.scope_logs)
            .map(|sl| sl.log_records.len())
            .sum();
        self.log_count.fetch_add(records, Ordering::SeqCst);
    }

    fn latest_points(&self, request: &ExportMetricsServiceRequest) {
        let mut seen = self.metric_sources.lock().unwrap();
        let mut points = self.points.lock().unwrap();
        for rm in &request.resource_metrics {
            let (_, service) = resource(rm.resource.as_ref());
            for m in rm.scope_metrics.iter().flat_map(|sm| &sm.metrics) {
                seen.insert((service.clone(), m.name.clone()));
                let mut latest = |attrs: &[KeyValue], v: f64| {
                    points.insert((m.name.clone(), attributes_text(attrs)), v);
                };
                match &m.data {
                    Some(metric::Data::Sum(s)) => {
                        for p in &s.data_points {
                            latest(&p.attributes, number(&p.value));
                        }
                    }
                    Some(metric::Data::Gauge(g)) => {
                        for p in &g.data_points {
                            latest(&p.attributes, number(&p.value));
                        }
                    }
                    Some(metric::Data::Histogram(h)) => {
                        for p in &h.data_points {
                            latest(&p.attributes, p.count as f64);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    pub(super) fn error(&self, message: String) {
        self.errors.lock().unwrap().push(message);
    }

    /// Waits the configured delay, as an overloaded collector would before answering.
    pub(super) async fn pause(&self) {
        if !self.options.delay.is_zero() {
            tokio::time::sleep(self.options.delay).await;
        }
    }
}

fn number(v: &Option<number_data_point::Value>) -> f64 {
    match v {
        Some(number_data_point::Value::AsInt(i)) => *i as f64,
        Some(number_data_point::Value::AsDouble(d)) => *d,
        None => f64::NAN,
    }
}
