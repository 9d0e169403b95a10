//! A Zipkin v2 JSON span exporter: `POST {endpoint}` (by default
//! `http://localhost:9411/api/v2/spans`) with a JSON array of spans.
//!
//! baton writes its own rather than use `opentelemetry-zipkin`: that crate is deprecated
//! upstream (every use warns), reads its endpoint from the process environment behind the
//! caller's back, and brings a blocking HTTP client by default. This one is a page long,
//! shares the OTLP exporters' HTTP client and runtime, and maps spans as the
//! OpenTelemetry-to-Zipkin specification says (see [`model`]).

mod error;
mod model;

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Key;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::runtime::ExportRuntime;
use crate::env::TlsFiles;
pub use error::ZipkinBuildError;

/// The collector URL used when none is given: a Zipkin server on this machine.
pub const DEFAULT_ZIPKIN_ENDPOINT: &str = "http://localhost:9411/api/v2/spans";

/// Exports spans to a Zipkin collector in the v2 JSON format.
///
/// The Zipkin service name is the resource's `service.name`, which the SDK hands over when
/// the exporter is installed in a tracer provider.
///
/// ```no_run
/// use baton_sdk::exporter::ZipkinExporter;
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let zipkin = ZipkinExporter::builder()
///     .endpoint("http://zipkin:9411/api/v2/spans")
///     .build()?;
/// let provider = SdkTracerProvider::builder().with_batch_exporter(zipkin).build();
/// # Ok::<(), baton_sdk::exporter::ZipkinBuildError>(())
/// ```
///
/// With [`init`](crate::init), set `OTEL_TRACES_EXPORTER=zipkin` (and
/// `OTEL_EXPORTER_ZIPKIN_ENDPOINT` if the collector is elsewhere) instead.
#[derive(Debug)]
pub struct ZipkinExporter {
    client: reqwest::Client,
    endpoint: String,
    service_name: String,
    runtime: Arc<ExportRuntime>,
}

/// Configures a [`ZipkinExporter`]: the exporter's settings, which
/// [`init`](crate::init) fills in from `OTEL_EXPORTER_ZIPKIN_ENDPOINT` and
/// `OTEL_EXPORTER_ZIPKIN_TIMEOUT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipkinExporterBuilder {
    endpoint: String,
    timeout: Duration,
    tls: TlsFiles,
}

impl ZipkinExporter {
    /// A builder with the default endpoint and a 10 s timeout.
    pub fn builder() -> ZipkinExporterBuilder {
        ZipkinExporterBuilder {
            endpoint: DEFAULT_ZIPKIN_ENDPOINT.to_owned(),
            timeout: Duration::from_secs(10),
            tls: TlsFiles::default(),
        }
    }
}

impl ZipkinExporterBuilder {
    /// The full URL spans are posted to, including `/api/v2/spans`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// How long one export may take before it is abandoned.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// For an https endpoint, the PEM file of the CA certificates that verify the
    /// collector, instead of the system's roots (feature `tls`).
    #[cfg(feature = "tls")]
    pub fn tls_certificate(mut self, path: impl Into<String>) -> Self {
        self.tls
            .set_ca("ZipkinExporterBuilder::tls_certificate", path.into());
        self
    }

    /// For an https endpoint, the client certificate (PEM) and its private key (PEM) that
    /// authenticate baton to the collector (mTLS; feature `tls`).
    #[cfg(feature = "tls")]
    pub fn tls_client_identity(
        mut self,
        certificate: impl Into<String>,
        key: impl Into<String>,
    ) -> Self {
        self.tls.set_identity(
            "ZipkinExporterBuilder::tls_client_identity",
            certificate.into(),
            key.into(),
        );
        self
    }

    /// The TLS files `init`'s builder names, for each one not set here.
    pub(crate) fn tls_files(mut self, files: &TlsFiles) -> Self {
        self.tls = files.clone().overridden_by(&self.tls);
        self
    }

    /// The endpoint.
    pub(crate) fn endpoint_url(&self) -> &str {
        &self.endpoint
    }

    /// Builds the exporter (and starts the export thread if none is running).
    pub fn build(self) -> Result<ZipkinExporter, ZipkinBuildError> {
        if let Err(e) = self.endpoint.parse::<http::Uri>() {
            return Err(ZipkinBuildError::InvalidEndpoint {
                endpoint: self.endpoint,
                reason: e.to_string(),
            });
        }
        #[cfg(feature = "tls")]
        let tls = if crate::env::is_https(&self.endpoint) {
            Some(
                crate::tls::Tls::load(self.tls.clone(), &self.endpoint)
                    .map_err(|e| ZipkinBuildError::Tls(Box::new(e)))?,
            )
        } else {
            None
        };
        let client = super::http_client::client(
            self.timeout,
            #[cfg(feature = "tls")]
            tls.as_ref(),
        )
        .map_err(|reason| ZipkinBuildError::HttpClient { reason })?;
        Ok(ZipkinExporter {
            client,
            endpoint: self.endpoint,
            service_name: model::UNKNOWN_SERVICE.to_owned(),
            runtime: ExportRuntime::shared().map_err(ZipkinBuildError::Runtime)?,
        })
    }
}

impl SpanExporter for ZipkinExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let body = model::encode(&batch, &self.service_name);
        let request = self
            .client
            .post(&self.endpoint)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body);
        // `send` starts the request (and its timeout timer) at once, so it must be called
        // inside the runtime's context, not merely awaited there.
        let response = self
            .runtime
            .run(async move { request.send().await })
            .await
            .map_err(|e| {
                OTelSdkError::InternalFailure(format!(
                    "zipkin export failed: {}",
                    super::http_client::chain(&e)
                ))
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(OTelSdkError::InternalFailure(format!(
                "zipkin collector at {} answered {status}",
                self.endpoint
            )))
        }
    }

    fn set_resource(&mut self, resource: &Resource) {
        if let Some(name) = resource.get(&Key::from_static_str("service.name")) {
            self.service_name = name.as_str().into_owned();
        }
    }
}
