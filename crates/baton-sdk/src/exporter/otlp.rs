//! OTLP exporters (gRPC through tonic, HTTP/protobuf through reqwest): their settings, and
//! the exporters built from them on the export runtime.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry_otlp::{ExporterBuildError, MetricExporter, SpanExporter, WithExportConfig};
use opentelemetry_sdk::metrics::Temporality;

use super::runtime::ExportRuntime;
pub(crate) use super::status::LastError;

/// The OTLP transport: only those this build has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// `grpc` (feature `otlp-grpc`).
    #[cfg(feature = "otlp-grpc")]
    Grpc,
    /// `http/protobuf`, the spec's recommended default (feature `otlp-http`).
    #[cfg(feature = "otlp-http")]
    HttpProtobuf,
}

/// Request compression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    /// `none` (or unset).
    None,
    /// `gzip`.
    Gzip,
}

/// Everything one OTLP exporter needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OtlpSettings {
    pub(crate) protocol: Protocol,
    /// The full URL requests go to (for HTTP, including `/v1/traces` or `/v1/metrics`).
    pub(crate) endpoint: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Duration,
    pub(crate) compression: Compression,
    /// The TLS client for an https endpoint; `None` for http.
    pub(crate) tls: TlsClient,
    /// The metric exporter's temporality preference (cumulative for traces, unused).
    pub(crate) temporality: Temporality,
}

/// The TLS client an exporter gets: `None` for an http endpoint.
#[cfg(feature = "tls")]
pub(crate) type TlsClient = Option<Arc<crate::tls::Tls>>;
/// Without the `tls` feature every endpoint is http.
#[cfg(not(feature = "tls"))]
pub(crate) type TlsClient = Option<std::convert::Infallible>;

/// `$builder` (an exporter builder of `opentelemetry-otlp`) set up with `$settings` over
/// their transport and built, with where its HTTP client keeps why a request failed: the
/// same steps for every signal, whose builders share no trait that has `with_tonic` and
/// `with_http`.
macro_rules! over_transport {
    ($settings:expr, $builder:expr) => {{
        let settings: &OtlpSettings = $settings;
        let last = LastError::default();
        let exporter = match settings.protocol {
            #[cfg(feature = "otlp-grpc")]
            Protocol::Grpc => grpc::configure($builder.with_tonic(), settings).build(),
            #[cfg(feature = "otlp-http")]
            Protocol::HttpProtobuf => {
                http_protobuf::configure($builder.with_http(), settings, &last)?.build()
            }
        }?;
        Ok((exporter, last))
    }};
}

impl OtlpSettings {
    /// An OTLP span exporter with these settings, and where its HTTP client keeps why a
    /// request failed (nothing over gRPC, whose errors carry their reason).
    pub(crate) fn span_exporter(
        &self,
        runtime: &Arc<ExportRuntime>,
    ) -> Result<(SpanExporter, LastError), ExporterBuildError> {
        // tonic's channel spawns its worker task when it is created.
        let _entered = runtime.enter();
        over_transport!(self, SpanExporter::builder())
    }

    /// An OTLP metric exporter with these settings and their temporality preference.
    pub(crate) fn metric_exporter(
        &self,
        runtime: &Arc<ExportRuntime>,
    ) -> Result<(MetricExporter, LastError), ExporterBuildError> {
        let _entered = runtime.enter();
        over_transport!(
            self,
            MetricExporter::builder().with_temporality(self.temporality)
        )
    }

    /// An OTLP log exporter with these settings.
    #[cfg(feature = "logs")]
    pub(crate) fn log_exporter(
        &self,
        runtime: &Arc<ExportRuntime>,
    ) -> Result<(opentelemetry_otlp::LogExporter, LastError), ExporterBuildError> {
        let _entered = runtime.enter();
        over_transport!(self, opentelemetry_otlp::LogExporter::builder())
    }

    /// The settings both transports share.
    fn common<B: WithExportConfig>(&self, builder: B, protocol: opentelemetry_otlp::Protocol) -> B {
        builder
            .with_protocol(protocol)
            .with_endpoint(&self.endpoint)
            .with_timeout(self.timeout)
    }
}

#[cfg(feature = "otlp-grpc")]
mod grpc {
    use opentelemetry_otlp::WithTonicConfig;
    use opentelemetry_otlp::tonic_types::metadata::MetadataMap;

    use super::{Compression, OtlpSettings};

    /// The gRPC settings, for spans and metrics alike.
    pub(super) fn configure<B: super::WithExportConfig + WithTonicConfig>(
        builder: B,
        settings: &OtlpSettings,
    ) -> B {
        let builder = settings
            .common(builder, opentelemetry_otlp::Protocol::Grpc)
            .with_metadata(metadata(settings));
        #[cfg(feature = "tls")]
        let builder = match &settings.tls {
            Some(tls) => builder.with_tls_config(tls.tonic_config()),
            None => builder,
        };
        match settings.compression {
            Compression::Gzip => builder.with_compression(opentelemetry_otlp::Compression::Gzip),
            Compression::None => builder,
        }
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
}

#[cfg(feature = "otlp-http")]
mod http_protobuf {
    use opentelemetry_otlp::{ExporterBuildError, WithHttpConfig};

    use super::LastError;
    use super::{Compression, OtlpSettings};
    use crate::exporter::http_client::Reporting;

    /// The HTTP/protobuf settings, for spans and metrics alike.
    pub(super) fn configure<B: super::WithExportConfig + WithHttpConfig>(
        builder: B,
        settings: &OtlpSettings,
        last: &LastError,
    ) -> Result<B, ExporterBuildError> {
        let client = crate::exporter::http_client::client(
            settings.timeout,
            #[cfg(feature = "tls")]
            settings.tls.as_deref(),
        )
        .map_err(|e| {
            ExporterBuildError::InternalFailure(format!("the HTTP client could not be built: {e}"))
        })?;
        let builder = settings
            .common(builder, opentelemetry_otlp::Protocol::HttpBinary)
            .with_headers(settings.headers.iter().cloned().collect())
            .with_http_client(Reporting {
                client,
                last: last.clone(),
            });
        Ok(match settings.compression {
            Compression::Gzip => builder.with_compression(opentelemetry_otlp::Compression::Gzip),
            Compression::None => builder,
        })
    }
}
