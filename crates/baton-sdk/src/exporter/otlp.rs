//! OTLP exporters (gRPC through tonic, HTTP/protobuf through reqwest) built from
//! [`OtlpSettings`], on the export runtime.

use std::collections::HashMap;
use std::sync::Arc;

use opentelemetry_otlp::tonic_types::metadata::MetadataMap;
use opentelemetry_otlp::{
    MetricExporter, SpanExporter, WithExportConfig, WithHttpConfig, WithTonicConfig,
};

use super::runtime::ExportRuntime;
use crate::env::{Compression, OtlpSettings, Protocol};
use crate::init::InitError;

/// An OTLP span exporter for `settings`.
pub(crate) fn span_exporter(
    settings: &OtlpSettings,
    runtime: &Arc<ExportRuntime>,
) -> Result<SpanExporter, InitError> {
    // tonic's channel spawns its worker task when it is created.
    let _entered = runtime.enter();
    let builder = SpanExporter::builder();
    match settings.protocol {
        Protocol::Grpc => grpc(builder.with_tonic(), settings).build(),
        Protocol::HttpProtobuf => http(builder.with_http(), settings).build(),
    }
    .map_err(build_error)
}

/// An OTLP metric exporter for `settings` (cumulative temporality, the OTLP default).
pub(crate) fn metric_exporter(
    settings: &OtlpSettings,
    runtime: &Arc<ExportRuntime>,
) -> Result<MetricExporter, InitError> {
    let _entered = runtime.enter();
    let builder = MetricExporter::builder();
    match settings.protocol {
        Protocol::Grpc => grpc(builder.with_tonic(), settings).build(),
        Protocol::HttpProtobuf => http(builder.with_http(), settings).build(),
    }
    .map_err(build_error)
}

/// The gRPC settings, for spans and metrics alike.
fn grpc<B: WithExportConfig + WithTonicConfig>(builder: B, settings: &OtlpSettings) -> B {
    let builder = builder
        .with_protocol(opentelemetry_otlp::Protocol::Grpc)
        .with_endpoint(&settings.endpoint)
        .with_timeout(settings.timeout)
        .with_metadata(metadata(settings));
    match settings.compression {
        Compression::Gzip => builder.with_compression(opentelemetry_otlp::Compression::Gzip),
        Compression::None => builder,
    }
}

/// The HTTP/protobuf settings, for spans and metrics alike.
fn http<B: WithExportConfig + WithHttpConfig>(builder: B, settings: &OtlpSettings) -> B {
    let builder = builder
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_endpoint(&settings.endpoint)
        .with_timeout(settings.timeout)
        .with_headers(headers(settings));
    match settings.compression {
        Compression::Gzip => builder.with_compression(opentelemetry_otlp::Compression::Gzip),
        Compression::None => builder,
    }
}

fn build_error(e: opentelemetry_otlp::ExporterBuildError) -> InitError {
    InitError::Exporter {
        exporter: "otlp",
        reason: e.to_string(),
    }
}

fn headers(settings: &OtlpSettings) -> HashMap<String, String> {
    settings.headers.iter().cloned().collect()
}

fn metadata(settings: &OtlpSettings) -> MetadataMap {
    let mut map = http::HeaderMap::new();
    for (key, value) in &settings.headers {
        // Names and values were validated when the variable was read.
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            map.insert(k, v);
        }
    }
    MetadataMap::from_headers(map)
}
