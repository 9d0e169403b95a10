//! What code asked of a [`Builder`](crate::Builder), waiting to be resolved against the
//! environment.

use std::fmt;
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::ShouldSample;

use super::detect::ResourceDetector;
use super::processor::{BoxedProcessor, ExporterFactory};
use super::propagator::SharedPropagator;
use crate::env::Env;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
use crate::env::TlsFiles;
use crate::sampler::AdaptiveSampler;
#[cfg(feature = "waterfall")]
use crate::waterfall::WaterfallExporter;

/// Everything set on a builder; `None` and empty mean "as the environment says".
pub(crate) struct Overrides {
    pub(crate) env: Box<dyn Env>,
    pub(crate) service_name: Option<String>,
    pub(crate) service_version: Option<String>,
    pub(crate) attributes: Vec<KeyValue>,
    pub(crate) sampler: Option<Box<dyn ShouldSample>>,
    /// The adaptive sampler whose error-rate processor goes in front of the first export
    /// processor.
    pub(crate) adaptive: Option<AdaptiveSampler>,
    pub(crate) exporters: Vec<ExporterFactory>,
    pub(crate) processors: Vec<BoxedProcessor>,
    pub(crate) propagator: Option<SharedPropagator>,
    pub(crate) metrics: bool,
    pub(crate) deadline: Duration,
    #[cfg(feature = "waterfall")]
    pub(crate) waterfall: Option<WaterfallExporter>,
    pub(crate) install_global: bool,
    /// The resource detectors turned off.
    pub(crate) detectors_off: Vec<ResourceDetector>,
    /// The TLS files every network exporter uses, over the `OTEL_EXPORTER_OTLP_*`
    /// certificate variables.
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
    pub(crate) tls: TlsFiles,
    /// What the `tracing` setup is told by code.
    #[cfg(feature = "logs")]
    pub(crate) logs: LogOverrides,
}

/// The builder's `tracing` settings.
#[cfg(feature = "logs")]
pub(crate) struct LogOverrides {
    /// Whether to install the global subscriber (with `install_global`).
    pub(crate) subscriber: bool,
    pub(crate) filter: Option<String>,
    pub(crate) format: Option<crate::logs::LogFormat>,
    pub(crate) sink: Option<crate::logs::Sink>,
    /// Log exporters given in code, instead of `OTEL_LOGS_EXPORTER`'s.
    pub(crate) exporters: Vec<LogExporterFactory>,
}

#[cfg(feature = "logs")]
impl fmt::Debug for LogOverrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogOverrides")
            .field("subscriber", &self.subscriber)
            .field("filter", &self.filter)
            .field("format", &self.format)
            .field("sink", &self.sink)
            .field("exporters", &self.exporters.len())
            .finish()
    }
}

/// Builds the batch processor of a log exporter given in code, once its options are known.
#[cfg(feature = "logs")]
pub(crate) type LogExporterFactory =
    Box<dyn FnOnce(crate::batch::BatchOptions) -> crate::batch::LogBatchProcessor>;

impl Overrides {
    /// Nothing overridden: everything from `env`.
    pub(crate) fn new(env: Box<dyn Env>, deadline: Duration) -> Self {
        Overrides {
            env,
            service_name: None,
            service_version: None,
            attributes: Vec::new(),
            sampler: None,
            adaptive: None,
            exporters: Vec::new(),
            processors: Vec::new(),
            propagator: None,
            metrics: true,
            deadline,
            #[cfg(feature = "waterfall")]
            waterfall: None,
            install_global: true,
            detectors_off: Vec::new(),
            #[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
            tls: TlsFiles::default(),
            #[cfg(feature = "logs")]
            logs: LogOverrides {
                subscriber: true,
                filter: None,
                format: None,
                sink: None,
                exporters: Vec::new(),
            },
        }
    }
}

impl fmt::Debug for Overrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Builder");
        d.field("env", &self.env)
            .field("service_name", &self.service_name)
            .field("service_version", &self.service_version)
            .field("attributes", &self.attributes)
            .field("sampler", &self.sampler)
            .field("exporters", &self.exporters.len())
            .field("processors", &self.processors)
            .field("propagator", &self.propagator.is_some())
            .field("metrics", &self.metrics)
            .field("deadline", &self.deadline);
        #[cfg(feature = "waterfall")]
        d.field("waterfall", &self.waterfall);
        #[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
        d.field("tls", &self.tls);
        #[cfg(feature = "logs")]
        d.field("logs", &self.logs);
        d.field("detectors_off", &self.detectors_off)
            .field("install_global", &self.install_global)
            .finish()
    }
}
