//! An OTLP/HTTP receiver: decodes `ExportTraceServiceRequest` and
//! `ExportMetricsServiceRequest` protobuf bodies (prost) from the requests it captured.

use std::time::Duration;

use axum::http::StatusCode;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use super::http_capture::{Captured, HttpCapture};
use super::otlp::{self, ReceivedMetric, ReceivedSpan};

/// A running OTLP/HTTP receiver on 127.0.0.1.
pub struct HttpReceiver {
    capture: HttpCapture,
}

impl HttpReceiver {
    pub fn start() -> Self {
        HttpReceiver {
            capture: HttpCapture::start(StatusCode::OK, "application/x-protobuf"),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.capture.url()
    }

    /// The raw requests to `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Captured> {
        self.capture.requests_to(path)
    }

    /// Every path requested so far.
    pub fn paths(&self) -> Vec<String> {
        self.capture
            .requests()
            .into_iter()
            .map(|r| r.path)
            .collect()
    }

    /// The spans posted to `path`, decoded.
    pub fn spans_at(&self, path: &str) -> Vec<ReceivedSpan> {
        self.requests_to(path)
            .iter()
            .flat_map(|r| {
                let request =
                    ExportTraceServiceRequest::decode(&r.body[..]).expect("a trace export request");
                otlp::spans(&request)
            })
            .collect()
    }

    /// The metrics posted to `path`, decoded.
    pub fn metrics_at(&self, path: &str) -> Vec<ReceivedMetric> {
        self.requests_to(path)
            .iter()
            .flat_map(|r| {
                let request = ExportMetricsServiceRequest::decode(&r.body[..])
                    .expect("a metrics export request");
                otlp::metrics(&request)
            })
            .collect()
    }

    /// Waits until at least `n` spans have been posted to `path`.
    pub fn wait_for_spans(&self, path: &str, n: usize) -> Vec<ReceivedSpan> {
        super::wait_for(
            &format!("{n} spans at {path}"),
            Duration::from_secs(10),
            || {
                let spans = self.spans_at(path);
                (spans.len() >= n).then_some(spans)
            },
        )
    }

    /// Waits until a metric named `name` has been posted to `path`.
    pub fn wait_for_metric(&self, path: &str, name: &str) -> Vec<ReceivedMetric> {
        super::wait_for(
            &format!("metric {name} at {path}"),
            Duration::from_secs(10),
            || {
                let metrics = self.metrics_at(path);
                metrics.iter().any(|m| m.name == name).then_some(metrics)
            },
        )
    }
}
