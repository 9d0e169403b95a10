//! One export request as it arrived: which signal, how and where it was sent, with what
//! headers, and what it carried, decoded.

use std::collections::BTreeMap;

use super::log::Log;
use super::metric::Metric;
use super::span::Span;

/// The gRPC path of the collector's trace service (the [`Export::path`] of trace exports
/// over gRPC).
pub const TRACES_GRPC_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
/// The gRPC path of the collector's metrics service.
pub const METRICS_GRPC_PATH: &str =
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
/// The gRPC path of the collector's logs service.
pub const LOGS_GRPC_PATH: &str = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

/// What an export carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// An `ExportTraceServiceRequest`.
    Traces,
    /// An `ExportMetricsServiceRequest`.
    Metrics,
    /// An `ExportLogsServiceRequest`.
    Logs,
}

/// Where an export came from: its transport, path and headers.
#[derive(Clone, Debug)]
pub struct Origin {
    /// [`GRPC_TRANSPORT`](super::GRPC_TRANSPORT) or [`HTTP_TRANSPORT`](super::HTTP_TRANSPORT).
    pub transport: &'static str,
    /// The HTTP path posted to, or the gRPC method's path ([`TRACES_GRPC_PATH`],
    /// [`METRICS_GRPC_PATH`], [`LOGS_GRPC_PATH`]).
    pub path: String,
    /// HTTP headers, or gRPC metadata, as lower-case name -> value (`<binary>` for a value
    /// that is not text).
    pub headers: BTreeMap<String, String>,
}

/// One export request, decoded (kept with [`Options::keep_exports`](super::Options)).
#[derive(Clone, Debug)]
pub struct Export {
    /// What it carries.
    pub signal: Signal,
    /// How and where it was sent.
    pub origin: Origin,
    /// Its spans, flattened (empty for other signals).
    pub spans: Vec<Span>,
    /// Its metrics, flattened (empty for other signals).
    pub metrics: Vec<Metric>,
    /// Its log records, flattened (empty for other signals).
    pub logs: Vec<Log>,
}

impl Export {
    /// An export of `signal` from `origin` that carries nothing yet.
    pub(super) fn empty(signal: Signal, origin: Origin) -> Self {
        Export {
            signal,
            origin,
            spans: Vec::new(),
            metrics: Vec::new(),
            logs: Vec::new(),
        }
    }

    /// The path it was sent to.
    pub fn path(&self) -> &str {
        &self.origin.path
    }

    /// The headers (or gRPC metadata) it was sent with.
    pub fn headers(&self) -> &BTreeMap<String, String> {
        &self.origin.headers
    }
}
