//! [`Builder`]: the environment, overridden from code where code knows better.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry_sdk::trace::{ShouldSample, SpanExporter, SpanProcessor};

use super::detect::ResourceDetector;
use super::guard::Guard;
use super::overrides::Overrides;
use super::processor::BoxedProcessor;
use super::{install, plan};
use crate::batch::BatchProcessor;
use crate::env::{Env, MapEnv, ProcessEnv};
use crate::error::InitError;
use crate::sampler::AdaptiveSampler;
#[cfg(feature = "waterfall")]
use crate::waterfall::WaterfallExporter;

/// How long [`Guard`] waits for telemetry to be flushed when it is dropped, unless
/// [`Builder::shutdown_deadline`] says otherwise.
pub const DEFAULT_SHUTDOWN_DEADLINE: Duration = Duration::from_secs(5);

/// Sets the SDK up from the `OTEL_*` environment, with code overrides.
///
/// Everything set here wins over the environment. Variables that do not apply to the
/// resulting setup are not read at all (the OTLP variables when traces go to Zipkin,
/// `OTEL_TRACES_SAMPLER` when [`sampler`](Self::sampler) is given), so they cannot fail it.
///
/// ```no_run
/// use opentelemetry_sdk::trace::Sampler;
/// use std::time::Duration;
///
/// let _guard = baton_sdk::Builder::new()
///     .service_name("checkout")
///     .service_version(env!("CARGO_PKG_VERSION"))
///     .resource_attribute(opentelemetry::KeyValue::new("deployment.environment.name", "staging"))
///     .sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(0.1))))
///     .shutdown_deadline(Duration::from_secs(2))
///     .build()?;
/// # Ok::<(), baton_sdk::InitError>(())
/// ```
pub struct Builder {
    overrides: Overrides,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.overrides.fmt(f)
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder reading the process environment.
    pub fn new() -> Self {
        Self::with_env(Box::new(ProcessEnv))
    }

    /// A builder reading only the given variables, as if they were the whole environment.
    /// For tests, which must not race on the process environment, and for configuration
    /// that comes from somewhere else (a file, flags).
    ///
    /// One leak remains: `opentelemetry-otlp` itself also reads
    /// `OTEL_EXPORTER_OTLP_{,TRACES_,METRICS_}HEADERS` and `..._COMPRESSION` from the
    /// process environment (it reads `..._INSECURE` too, but baton always hands it an
    /// endpoint with its scheme, which wins). Headers found there are added (a
    /// header set here keeps its value only if the process environment does not name it
    /// too), and process-level compression applies when the map asks for none. Nothing
    /// else is read from the process.
    ///
    /// ```
    /// let guard = baton_sdk::Builder::from_env_map([
    ///     ("OTEL_SERVICE_NAME", "users"),
    ///     ("OTEL_TRACES_EXPORTER", "none"),
    /// ])
    /// .install_global(false)
    /// .build()
    /// .unwrap();
    /// # drop(guard);
    /// ```
    pub fn from_env_map<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let map = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::with_env(Box::new(MapEnv(map)))
    }

    fn with_env(env: Box<dyn Env>) -> Self {
        Builder {
            overrides: Overrides::new(env, DEFAULT_SHUTDOWN_DEADLINE),
        }
    }

    /// The `service.name` resource attribute, over `OTEL_SERVICE_NAME` and
    /// `OTEL_RESOURCE_ATTRIBUTES`.
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.overrides.service_name = Some(name.into());
        self
    }

    /// The `service.version` resource attribute.
    pub fn service_version(mut self, version: impl Into<String>) -> Self {
        self.overrides.service_version = Some(version.into());
        self
    }

    /// Adds a resource attribute, over any of the same key in `OTEL_RESOURCE_ATTRIBUTES`.
    pub fn resource_attribute(mut self, attribute: KeyValue) -> Self {
        self.overrides.attributes.push(attribute);
        self
    }

    /// Adds resource attributes, over any of the same keys in `OTEL_RESOURCE_ATTRIBUTES`.
    pub fn resource_attributes(mut self, attributes: impl IntoIterator<Item = KeyValue>) -> Self {
        self.overrides.attributes.extend(attributes);
        self
    }

    /// Turns one resource detector off (all run by default). What each adds, and from
    /// where, is on [`ResourceDetector`]; `OTEL_RESOURCE_ATTRIBUTES` and the builder's
    /// attributes win over every detector anyway.
    ///
    /// ```
    /// use baton_sdk::ResourceDetector;
    ///
    /// let guard = baton_sdk::Builder::from_env_map([("OTEL_TRACES_EXPORTER", "none")])
    ///     .without_detector(ResourceDetector::Container)
    ///     .without_detector(ResourceDetector::Kubernetes)
    ///     .install_global(false)
    ///     .build()?;
    /// # drop(guard);
    /// # Ok::<(), baton_sdk::InitError>(())
    /// ```
    pub fn without_detector(mut self, detector: ResourceDetector) -> Self {
        self.overrides.detectors_off.push(detector);
        self
    }

    /// The sampler, instead of `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`: any
    /// [`ShouldSample`], such as the SDK's `Sampler` or baton's own
    /// [samplers](crate::sampler). An [`AdaptiveSampler`](crate::sampler::AdaptiveSampler)
    /// given here never sees an error rate, so it stays at its base ratio: use
    /// [`adaptive_sampler`](Self::adaptive_sampler) for it.
    pub fn sampler(mut self, sampler: impl ShouldSample + 'static) -> Self {
        self.overrides.sampler = Some(Box::new(sampler));
        self.overrides.adaptive = None;
        self
    }

    /// The sampler is `sampler`, fed with the error rate its
    /// [`ErrorRateProcessor`](crate::sampler::ErrorRateProcessor) measures in front of the
    /// first exporter's batch processor (each span is counted there as it passes, not
    /// copied for it). Instead of [`sampler`](Self::sampler) and `OTEL_TRACES_SAMPLER`.
    ///
    /// ```
    /// use baton_sdk::sampler::AdaptiveSampler;
    ///
    /// let sampler = AdaptiveSampler::builder().base_ratio(0.05).build();
    /// let guard = baton_sdk::Builder::from_env_map([("OTEL_TRACES_EXPORTER", "none")])
    ///     .adaptive_sampler(sampler.clone())
    ///     .install_global(false)
    ///     .build()?;
    /// assert_eq!(sampler.effective_ratio(), 0.05);
    /// # Ok::<(), baton_sdk::InitError>(())
    /// ```
    pub fn adaptive_sampler(mut self, sampler: AdaptiveSampler) -> Self {
        self.overrides.sampler = Some(Box::new(sampler.clone()));
        self.overrides.adaptive = Some(sampler);
        self
    }

    /// Exports spans to `exporter` instead of the exporters `OTEL_TRACES_EXPORTER` names,
    /// through a [`BatchProcessor`] configured by `OTEL_BSP_*`. Call it again to add more.
    pub fn span_exporter<E: SpanExporter + 'static>(mut self, exporter: E) -> Self {
        self.overrides.exporters.push(Box::new(move |options| {
            BatchProcessor::new(exporter, options)
        }));
        self
    }

    /// Adds a span processor ahead of the exporters (which it does not replace): a
    /// processor that enriches spans when they start, say. With more than one processor the
    /// SDK hands each its own copy of every ended span, so add only what needs them.
    pub fn span_processor(mut self, processor: impl SpanProcessor + 'static) -> Self {
        self.overrides
            .processors
            .push(BoxedProcessor(Box::new(processor)));
        self
    }

    /// The propagator, instead of the one `OTEL_PROPAGATORS` builds.
    pub fn propagator(
        mut self,
        propagator: impl TextMapPropagator + Send + Sync + 'static,
    ) -> Self {
        self.overrides.propagator = Some(Arc::new(propagator));
        self
    }

    /// Whether to export metrics at all (default `true`). With `false`,
    /// `OTEL_METRICS_EXPORTER` and the metric variables are not read and the meter
    /// provider has no reader, so instruments record nothing.
    pub fn metrics(mut self, enabled: bool) -> Self {
        self.overrides.metrics = enabled;
        self
    }

    /// How long dropping the [`Guard`] (or [`Guard::shutdown`]) may take to flush; default
    /// [`DEFAULT_SHUTDOWN_DEADLINE`].
    pub fn shutdown_deadline(mut self, deadline: Duration) -> Self {
        self.overrides.deadline = deadline;
        self
    }

    /// Draws spans into `waterfall`, which clones of it share. Give each service running in
    /// the same process its own builder (and `service_name`) and a clone of one waterfall,
    /// and their spans join one picture per trace.
    ///
    /// When the environment selects the console exporter (the default), this waterfall
    /// replaces the one baton would create; otherwise it is added to the exporters the
    /// environment selects.
    #[cfg(feature = "waterfall")]
    pub fn waterfall(mut self, waterfall: WaterfallExporter) -> Self {
        self.overrides.waterfall = Some(waterfall);
        self
    }

    /// The PEM file of the CA certificates that verify an https collector, over
    /// `OTEL_EXPORTER_OTLP_CERTIFICATE` and its per-signal forms; for the Zipkin exporter
    /// too. With a CA file only its certificates are trusted; without one, the system's
    /// roots (see the crate docs, "TLS"). Read when the endpoint is https; a file that
    /// cannot be read or holds no certificate fails [`build`](Self::build) naming this
    /// method and the path.
    #[cfg(feature = "tls")]
    pub fn tls_certificate(mut self, path: impl Into<String>) -> Self {
        self.overrides
            .tls
            .set_ca("Builder::tls_certificate", path.into());
        self
    }

    /// The client certificate (PEM, the chain from the leaf) and its private key (PEM:
    /// PKCS#8, PKCS#1 or SEC1) for mTLS, over `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE` /
    /// `..._CLIENT_KEY` and their per-signal forms; for the Zipkin exporter too. A key
    /// that is not the certificate's fails [`build`](Self::build).
    #[cfg(feature = "tls")]
    pub fn tls_client_identity(
        mut self,
        certificate: impl Into<String>,
        key: impl Into<String>,
    ) -> Self {
        self.overrides.tls.set_identity(
            "Builder::tls_client_identity",
            certificate.into(),
            key.into(),
        );
        self
    }

    /// Whether [`build`](Self::build) installs baton's global `tracing` subscriber (default
    /// `true`; never with [`install_global(false)`](Self::install_global)). With `false`,
    /// add [`Guard::tracing_layer`] to a subscriber of your own. See [`logs`](crate::logs).
    #[cfg(feature = "logs")]
    pub fn tracing_subscriber(mut self, install: bool) -> Self {
        self.overrides.logs.subscriber = install;
        self
    }

    /// The `tracing` filter, in `RUST_LOG`'s syntax, over `RUST_LOG` (default `info`).
    /// Directives that do not parse fail [`build`](Self::build) naming this method.
    #[cfg(feature = "logs")]
    pub fn log_filter(mut self, directives: impl Into<String>) -> Self {
        self.overrides.logs.filter = Some(directives.into());
        self
    }

    /// The format of the log lines, over `BATON_LOG_FORMAT` (default text).
    #[cfg(feature = "logs")]
    pub fn log_format(mut self, format: crate::logs::LogFormat) -> Self {
        self.overrides.logs.format = Some(format);
        self
    }

    /// Exports log records to `exporter` instead of the exporters `OTEL_LOGS_EXPORTER`
    /// names, through a [`LogBatchProcessor`](crate::batch::LogBatchProcessor) configured
    /// by `OTEL_BLRP_*`. Call it again to add more.
    #[cfg(feature = "logs")]
    pub fn log_exporter<E: opentelemetry_sdk::logs::LogExporter + 'static>(
        mut self,
        exporter: E,
    ) -> Self {
        self.overrides.logs.exporters.push(Box::new(move |options| {
            crate::batch::LogBatchProcessor::new(exporter, options)
        }));
        self
    }

    /// Writes the log lines to `out` instead of standard error (a file, or a buffer in
    /// tests).
    #[cfg(feature = "logs")]
    pub fn log_writer(mut self, out: impl std::io::Write + Send + 'static) -> Self {
        self.overrides.logs.sink = Some(crate::logs::Sink::writer(Box::new(out)));
        self
    }

    /// Whether to install the tracer provider, meter provider and propagator as the
    /// process-wide globals (default `true`), and baton's `tracing` subscriber as the global
    /// one. With `false` they are only returned in the [`Guard`], for processes that run
    /// several services, or for tests.
    pub fn install_global(mut self, install: bool) -> Self {
        self.overrides.install_global = install;
        self
    }

    /// Reads the environment, builds the providers and (unless told not to) installs them.
    ///
    /// When this fails nothing is installed, and whatever was already started is stopped.
    pub fn build(self) -> Result<Guard, InitError> {
        install::install(plan::Plan::resolve(self.overrides)?)
    }
}
