//! The names of the variables baton reads.

pub(crate) const OTEL_SDK_DISABLED: &str = "OTEL_SDK_DISABLED";
pub(crate) const OTEL_SERVICE_NAME: &str = "OTEL_SERVICE_NAME";
pub(crate) const OTEL_RESOURCE_ATTRIBUTES: &str = "OTEL_RESOURCE_ATTRIBUTES";
pub(crate) const OTEL_TRACES_SAMPLER: &str = "OTEL_TRACES_SAMPLER";
pub(crate) const OTEL_TRACES_SAMPLER_ARG: &str = "OTEL_TRACES_SAMPLER_ARG";
pub(crate) const OTEL_PROPAGATORS: &str = baton_core::propagation::OTEL_PROPAGATORS;
pub(crate) const OTEL_TRACES_EXPORTER: &str = "OTEL_TRACES_EXPORTER";
pub(crate) const OTEL_METRICS_EXPORTER: &str = "OTEL_METRICS_EXPORTER";
#[cfg(feature = "logs")]
pub(crate) const OTEL_LOGS_EXPORTER: &str = "OTEL_LOGS_EXPORTER";
/// The `tracing` filter, as every Rust program reads it.
#[cfg(feature = "logs")]
pub(crate) const RUST_LOG: &str = "RUST_LOG";
/// The format of the log lines on standard error: `text` or `json` (baton's own).
#[cfg(feature = "logs")]
pub(crate) const BATON_LOG_FORMAT: &str = "BATON_LOG_FORMAT";

pub(crate) const OTEL_EXPORTER_OTLP_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_HEADERS: &str = "OTEL_EXPORTER_OTLP_HEADERS";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TIMEOUT";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_COMPRESSION: &str = "OTEL_EXPORTER_OTLP_COMPRESSION";
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_HEADERS: &str = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: &str =
    "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION";
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_HEADERS: &str = "OTEL_EXPORTER_OTLP_METRICS_HEADERS";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: &str =
    "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: &str =
    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";

// TLS, per signal and generic.
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_CERTIFICATE: &str = "OTEL_EXPORTER_OTLP_CERTIFICATE";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: &str =
    "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_CLIENT_KEY: &str = "OTEL_EXPORTER_OTLP_CLIENT_KEY";
#[cfg(feature = "otlp-grpc")]
pub(crate) const OTEL_EXPORTER_OTLP_INSECURE: &str = "OTEL_EXPORTER_OTLP_INSECURE";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: &str =
    "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: &str =
    "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: &str =
    "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY";
#[cfg(feature = "otlp-grpc")]
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_INSECURE: &str = "OTEL_EXPORTER_OTLP_TRACES_INSECURE";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: &str =
    "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE: &str =
    "OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE";
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY: &str =
    "OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY";
#[cfg(feature = "otlp-grpc")]
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_INSECURE: &str = "OTEL_EXPORTER_OTLP_METRICS_INSECURE";

#[cfg(feature = "logs")]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT";
#[cfg(all(feature = "logs", any(feature = "otlp-grpc", feature = "otlp-http")))]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL";
#[cfg(all(feature = "logs", any(feature = "otlp-grpc", feature = "otlp-http")))]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_HEADERS: &str = "OTEL_EXPORTER_OTLP_LOGS_HEADERS";
#[cfg(all(feature = "logs", any(feature = "otlp-grpc", feature = "otlp-http")))]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT";
#[cfg(all(feature = "logs", any(feature = "otlp-grpc", feature = "otlp-http")))]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: &str = "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION";
#[cfg(all(feature = "logs", any(feature = "otlp-grpc", feature = "otlp-http")))]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: &str = "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE";
#[cfg(all(feature = "logs", any(feature = "otlp-grpc", feature = "otlp-http")))]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE: &str =
    "OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE";
#[cfg(all(feature = "logs", any(feature = "otlp-grpc", feature = "otlp-http")))]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY: &str = "OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY";
#[cfg(all(feature = "logs", feature = "otlp-grpc"))]
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_INSECURE: &str = "OTEL_EXPORTER_OTLP_LOGS_INSECURE";

#[cfg(feature = "zipkin")]
pub(crate) const OTEL_EXPORTER_ZIPKIN_ENDPOINT: &str = "OTEL_EXPORTER_ZIPKIN_ENDPOINT";
#[cfg(feature = "zipkin")]
pub(crate) const OTEL_EXPORTER_ZIPKIN_TIMEOUT: &str = "OTEL_EXPORTER_ZIPKIN_TIMEOUT";

pub(crate) const OTEL_BSP_SCHEDULE_DELAY: &str = "OTEL_BSP_SCHEDULE_DELAY";
pub(crate) const OTEL_BSP_EXPORT_TIMEOUT: &str = "OTEL_BSP_EXPORT_TIMEOUT";
pub(crate) const OTEL_BSP_MAX_QUEUE_SIZE: &str = "OTEL_BSP_MAX_QUEUE_SIZE";
pub(crate) const OTEL_BSP_MAX_EXPORT_BATCH_SIZE: &str = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";
#[cfg(feature = "logs")]
pub(crate) const OTEL_BLRP_SCHEDULE_DELAY: &str = "OTEL_BLRP_SCHEDULE_DELAY";
#[cfg(feature = "logs")]
pub(crate) const OTEL_BLRP_EXPORT_TIMEOUT: &str = "OTEL_BLRP_EXPORT_TIMEOUT";
#[cfg(feature = "logs")]
pub(crate) const OTEL_BLRP_MAX_QUEUE_SIZE: &str = "OTEL_BLRP_MAX_QUEUE_SIZE";
#[cfg(feature = "logs")]
pub(crate) const OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: &str = "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE";

pub(crate) const OTEL_METRIC_EXPORT_INTERVAL: &str = "OTEL_METRIC_EXPORT_INTERVAL";
pub(crate) const OTEL_METRIC_EXPORT_TIMEOUT: &str = "OTEL_METRIC_EXPORT_TIMEOUT";
pub(crate) const OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: &str = "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT";
#[cfg(feature = "logs")]
pub(crate) const OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: &str =
    "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT";
pub(crate) const OTEL_ATTRIBUTE_COUNT_LIMIT: &str = "OTEL_ATTRIBUTE_COUNT_LIMIT";
pub(crate) const OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: &str =
    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT";
pub(crate) const OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: &str = "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT";
pub(crate) const OTEL_SPAN_EVENT_COUNT_LIMIT: &str = "OTEL_SPAN_EVENT_COUNT_LIMIT";
pub(crate) const OTEL_SPAN_LINK_COUNT_LIMIT: &str = "OTEL_SPAN_LINK_COUNT_LIMIT";
pub(crate) const OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: &str = "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT";
pub(crate) const OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: &str = "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT";
