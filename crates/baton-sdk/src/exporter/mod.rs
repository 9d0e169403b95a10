//! Exporters: where spans and metrics go.
//!
//! [`init`](crate::init) picks them from `OTEL_TRACES_EXPORTER` and `OTEL_METRICS_EXPORTER`;
//! this module also offers the ones baton writes itself for direct use.
//!
//! | value | traces | metrics | feature |
//! |---|---|---|---|
//! | `otlp` | OTLP over gRPC or HTTP/protobuf (`opentelemetry-otlp`) | same | `otlp-grpc`, `otlp-http` |
//! | `zipkin` | `ZipkinExporter`: Zipkin v2 JSON | — | `zipkin` |
//! | `console` | the terminal waterfall | [`ConsoleMetricExporter`] | `waterfall` (traces) |
//! | `none` | nothing | nothing | |
//!
//! Each is compiled only with its feature (all of them by default); a variable that selects
//! one this build leaves out fails [`init`](crate::init) with an error naming the variable,
//! its value and the feature to enable.
//!
//! With neither variable set, traces are drawn in the terminal and metrics are not
//! exported, unless an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`,
//! or the signal's `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `..._METRICS_ENDPOINT`), in which
//! case that signal goes over OTLP. The specification's default is always `otlp`; baton
//! departs from it so that a service started with no configuration shows its traces
//! instead of sending them to a collector that is not there.
//!
//! # A collector that is down never slows a request
//!
//! Spans wait in a bounded queue (`OTEL_BSP_MAX_QUEUE_SIZE`, default 2048) and are exported
//! from a background thread; when the queue is full, new spans are dropped, not waited
//! for, and counted: see [`batch`](crate::batch) for where drops are reported. Network exporters run on one small background runtime owned by baton (not the
//! application's), each export limited by `OTEL_BSP_EXPORT_TIMEOUT` /
//! `OTEL_METRIC_EXPORT_TIMEOUT` and by the exporter's own timeout
//! (`OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_EXPORTER_ZIPKIN_TIMEOUT`).

mod console_metrics;
#[cfg(any(feature = "otlp-http", feature = "zipkin"))]
pub(crate) mod http_client;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) mod otlp;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
pub(crate) mod runtime;
pub(crate) mod status;
#[cfg(feature = "zipkin")]
mod zipkin;

pub use console_metrics::ConsoleMetricExporter;
#[cfg(feature = "zipkin")]
pub use zipkin::{
    DEFAULT_ZIPKIN_ENDPOINT, ZipkinBuildError, ZipkinExporter, ZipkinExporterBuilder,
};
