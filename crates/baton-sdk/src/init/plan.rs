//! Everything the environment and the builder decide, resolved before anything starts, so
//! a bad variable fails `build` without leaving threads behind.

use std::sync::Arc;
use std::time::Duration;

use baton_core::propagation::CompositePropagator;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, ShouldSample};

use super::detect;
use super::overrides::Overrides;
use super::processor::{BoxedProcessor, ExporterFactory};
use super::propagator::SharedPropagator;
use super::resource::{self, CodeResource};
use crate::batch::BatchOptions;
use crate::env::names::{OTEL_PROPAGATORS, OTEL_SDK_DISABLED};
use crate::env::{self, MetricExporterKind, ReaderSettings, TraceExporterKind, Vars};
use crate::error::InitError;
#[cfg(feature = "zipkin")]
use crate::exporter::ZipkinExporterBuilder;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use crate::exporter::otlp::OtlpSettings;
use crate::sampler::AdaptiveSampler;
#[cfg(feature = "waterfall")]
use crate::waterfall::WaterfallExporter;
use opentelemetry_sdk::trace::SpanLimits;

/// The TLS files the builder names (nothing to name without a network exporter).
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
type Tls = crate::env::TlsFiles;
#[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin")))]
type Tls = NoTls;
/// What a build without network exporters has in place of TLS files.
#[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin")))]
struct NoTls;

/// Where spans go.
pub(crate) enum TraceTarget {
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
    Otlp(OtlpSettings),
    #[cfg(feature = "zipkin")]
    Zipkin(ZipkinExporterBuilder),
    #[cfg(feature = "waterfall")]
    Console(WaterfallExporter),
    Custom(ExporterFactory),
}

/// Where metrics go.
pub(crate) enum MetricTarget {
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
    Otlp(OtlpSettings),
    Console,
}

/// Where log records go.
#[cfg(feature = "logs")]
pub(crate) enum LogTarget {
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
    Otlp(OtlpSettings),
    /// The terminal: the waterfall that draws the traces, if there is one.
    #[cfg(feature = "waterfall")]
    Waterfall(WaterfallExporter),
    /// An exporter given to the builder.
    Custom(super::overrides::LogExporterFactory),
}

/// The resolved `tracing` setup and logs signal.
#[cfg(feature = "logs")]
pub(crate) struct LogPlan {
    pub(crate) targets: Vec<LogTarget>,
    pub(crate) batch: BatchOptions,
    pub(crate) filter: crate::logs::Filter,
    pub(crate) format: crate::logs::LogFormat,
    pub(crate) sink: crate::logs::Sink,
    pub(crate) subscriber: bool,
    /// String attribute values and bodies of log records are cut to this many bytes.
    pub(crate) value_length: Option<usize>,
}

/// The resolved setup.
pub(crate) struct Plan {
    pub(crate) disabled: bool,
    pub(crate) propagator: SharedPropagator,
    pub(crate) resource: Resource,
    pub(crate) sampler: Box<dyn ShouldSample>,
    /// The sampler drops every span under an unsampled remote parent, whatever else the
    /// span carries (see `baton_core::exchange::declare_global_sampler_parent_based`).
    pub(crate) sampler_parent_based: bool,
    pub(crate) adaptive: Option<AdaptiveSampler>,
    pub(crate) processors: Vec<BoxedProcessor>,
    pub(crate) traces: Vec<TraceTarget>,
    pub(crate) batch: BatchOptions,
    /// The span limits from `OTEL_SPAN_*_LIMIT` / `OTEL_ATTRIBUTE_COUNT_LIMIT`.
    pub(crate) span_limits: SpanLimits,
    pub(crate) metrics: Vec<MetricTarget>,
    pub(crate) reader: Option<ReaderSettings>,
    pub(crate) deadline: Duration,
    pub(crate) install_global: bool,
    #[cfg(feature = "logs")]
    pub(crate) logs: LogPlan,
    pub(crate) warnings: Vec<String>,
}

impl Plan {
    pub(crate) fn resolve(overrides: Overrides) -> Result<Plan, InitError> {
        let Overrides {
            env,
            service_name,
            service_version,
            attributes,
            sampler,
            adaptive,
            exporters,
            processors,
            propagator,
            metrics,
            deadline,
            #[cfg(feature = "waterfall")]
            mut waterfall,
            install_global,
            detectors_off,
            #[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
            tls,
            #[cfg(feature = "logs")]
                logs: mut log_overrides,
        } = overrides;
        #[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin")))]
        let tls = NoTls;
        let mut vars = Vars::new(&*env);
        let disabled = vars.flag(OTEL_SDK_DISABLED)?;
        // OTEL_SDK_DISABLED leaves propagation alone, as the spec says.
        let propagator = match propagator {
            Some(p) => p,
            None => Arc::new(CompositePropagator::parse(
                &vars.get(OTEL_PROPAGATORS)?.unwrap_or_default(),
            )?),
        };
        // The filter and the line format apply even with the SDK disabled: log lines are the
        // program's own output.
        #[cfg(feature = "logs")]
        let mut logs = LogPlan {
            targets: Vec::new(),
            batch: BatchOptions::default(),
            filter: env::log_filter(&vars, log_overrides.filter.take())?,
            format: env::log_format(&vars, log_overrides.format)?,
            sink: log_overrides
                .sink
                .take()
                .unwrap_or_else(crate::logs::Sink::stderr),
            subscriber: log_overrides.subscriber,
            value_length: None,
        };
        if disabled {
            return Ok(Plan {
                disabled,
                propagator,
                resource: Resource::builder_empty().build(),
                sampler: Box::new(Sampler::AlwaysOff),
                sampler_parent_based: true,
                adaptive: None,
                processors: Vec::new(),
                traces: Vec::new(),
                batch: BatchOptions::default(),
                span_limits: SpanLimits::default(),
                metrics: Vec::new(),
                reader: None,
                deadline,
                install_global,
                #[cfg(feature = "logs")]
                logs,
                warnings: vars.into_warnings(),
            });
        }

        let code = CodeResource {
            service_name,
            service_version,
            attributes,
        };
        env::check_known_methods(&vars)?;
        let detected = detect::detect(&vars, &detectors_off)?;
        let resource = resource::build(code, env::env_resource(&vars)?, detected);
        // Parent-based when baton knows the sampler: the environment's `parentbased_*` and
        // `always_off`, the adaptive sampler (parent-based with the SDK's defaults). Not a
        // sampler the builder was given, which may sample under any parent.
        let (sampler, sampler_parent_based): (Box<dyn ShouldSample>, bool) = match sampler {
            Some(s) => (s, adaptive.is_some()),
            None => {
                let s = env::sampler(&mut vars)?;
                let parent_based = matches!(s, Sampler::ParentBased(_) | Sampler::AlwaysOff);
                (Box::new(s), parent_based)
            }
        };

        let mut traces = Vec::new();
        if exporters.is_empty() {
            for kind in env::trace_exporters(&vars)? {
                #[cfg(feature = "waterfall")]
                let target = trace_target(kind, &mut vars, &tls, &mut waterfall)?;
                #[cfg(not(feature = "waterfall"))]
                let target = trace_target(kind, &mut vars, &tls)?;
                traces.push(target);
            }
        } else {
            traces.extend(exporters.into_iter().map(TraceTarget::Custom));
        }
        #[cfg(feature = "waterfall")]
        if let Some(w) = waterfall {
            traces.push(TraceTarget::Console(w));
        }
        let limits = env::limits(&vars)?;
        let batch = if traces.is_empty() {
            BatchOptions::default()
        } else {
            env::batch_options(&mut vars, &env::BSP)?
        }
        .attribute_value_length_limit(limits.value_length);

        #[cfg(feature = "logs")]
        {
            if log_overrides.exporters.is_empty() {
                for kind in env::log_exporters(&vars)? {
                    if let Some(target) = log_target(kind, &mut vars, &tls, &traces)? {
                        logs.targets.push(target);
                    }
                }
            } else {
                logs.targets
                    .extend(log_overrides.exporters.into_iter().map(LogTarget::Custom));
            }
            if !logs.targets.is_empty() {
                logs.batch = env::batch_options(&mut vars, &env::BLRP)?;
                logs.value_length = limits.log_value_length;
            }
        }

        let mut metric_targets = Vec::new();
        if metrics {
            for kind in env::metric_exporters(&vars)? {
                metric_targets.push(metric_target(kind, &mut vars, &tls)?);
            }
        }
        let reader = if metric_targets.is_empty() {
            None
        } else {
            Some(env::reader_settings(&vars)?)
        };

        Ok(Plan {
            disabled,
            propagator,
            resource,
            sampler,
            sampler_parent_based,
            adaptive,
            processors,
            traces,
            batch,
            span_limits: limits.spans,
            metrics: metric_targets,
            reader,
            deadline,
            install_global,
            #[cfg(feature = "logs")]
            logs,
            warnings: vars.into_warnings(),
        })
    }
}

/// Where the environment sends log records, for one exporter it names: `console` is the
/// waterfall the traces are drawn in, and nothing more than the lines on standard error
/// when they are not drawn.
#[cfg(feature = "logs")]
fn log_target(
    kind: env::LogExporterKind,
    vars: &mut Vars<'_>,
    tls: &Tls,
    traces: &[TraceTarget],
) -> Result<Option<LogTarget>, InitError> {
    let _ = (&vars, tls, traces);
    match kind {
        #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
        env::LogExporterKind::Otlp => Ok(Some(LogTarget::Otlp(env::otlp_settings(
            vars,
            env::Signal::Logs,
            tls,
        )?))),
        env::LogExporterKind::Console => {
            #[cfg(feature = "waterfall")]
            if let Some(waterfall) = traces.iter().find_map(|t| match t {
                TraceTarget::Console(w) => Some(w.clone()),
                _ => None,
            }) {
                return Ok(Some(LogTarget::Waterfall(waterfall)));
            }
            // Asked for (not the default): say what it amounts to.
            if vars.get(crate::env::names::OTEL_LOGS_EXPORTER)?.is_some() {
                vars.warn(
                    "OTEL_LOGS_EXPORTER=console: traces are not drawn in the terminal, so log \
                     records are not drawn either; the log lines on standard error are the \
                     console output"
                        .to_owned(),
                );
            }
            Ok(None)
        }
    }
}

/// Where the environment sends spans, for one exporter it names. The waterfall given to
/// the builder, if any, replaces the one `console` would create.
fn trace_target(
    kind: TraceExporterKind,
    vars: &mut Vars<'_>,
    tls: &Tls,
    #[cfg(feature = "waterfall")] waterfall: &mut Option<WaterfallExporter>,
) -> Result<TraceTarget, InitError> {
    let _ = (&vars, tls);
    match kind {
        #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
        TraceExporterKind::Otlp => Ok(TraceTarget::Otlp(env::otlp_settings(
            vars,
            env::Signal::Traces,
            tls,
        )?)),
        #[cfg(feature = "zipkin")]
        TraceExporterKind::Zipkin => Ok(TraceTarget::Zipkin(
            env::zipkin_exporter(vars)?.tls_files(tls),
        )),
        #[cfg(feature = "waterfall")]
        TraceExporterKind::Console => Ok(TraceTarget::Console(
            waterfall.take().unwrap_or_else(WaterfallExporter::stdout),
        )),
    }
}

/// Where the environment sends metrics, for one exporter it names.
fn metric_target(
    kind: MetricExporterKind,
    vars: &mut Vars<'_>,
    tls: &Tls,
) -> Result<MetricTarget, InitError> {
    let _ = (&vars, tls);
    match kind {
        #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
        MetricExporterKind::Otlp => Ok(MetricTarget::Otlp(env::otlp_settings(
            vars,
            env::Signal::Metrics,
            tls,
        )?)),
        MetricExporterKind::Console => Ok(MetricTarget::Console),
    }
}
