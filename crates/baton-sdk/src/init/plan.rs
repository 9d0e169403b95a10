//! Everything the environment and the builder decide, resolved before anything starts, so
//! a bad variable fails `build` without leaving threads behind.

use std::sync::Arc;
use std::time::Duration;

use baton_core::propagation::CompositePropagator;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, ShouldSample};

use super::builder::Builder;
use super::error::InitError;
use super::processor::{BoxedProcessor, ExporterFactory};
use super::propagator::SharedPropagator;
use super::resource::{self, CodeResource};
use crate::env::names::{OTEL_PROPAGATORS, OTEL_SDK_DISABLED};
use crate::env::{
    self, BatchSettings, MetricExporterKind, OtlpSettings, ReaderSettings, Signal,
    TraceExporterKind, Vars, ZipkinSettings,
};
use crate::waterfall::WaterfallExporter;

/// Where spans go.
pub(crate) enum TraceTarget {
    Otlp(OtlpSettings),
    Zipkin(ZipkinSettings),
    Console(WaterfallExporter),
    Custom(ExporterFactory),
}

/// Where metrics go.
pub(crate) enum MetricTarget {
    Otlp(OtlpSettings),
    Console,
}

/// The resolved setup.
pub(crate) struct Plan {
    pub(crate) disabled: bool,
    pub(crate) propagator: SharedPropagator,
    pub(crate) resource: Resource,
    pub(crate) sampler: Box<dyn ShouldSample>,
    pub(crate) processors: Vec<BoxedProcessor>,
    pub(crate) traces: Vec<TraceTarget>,
    pub(crate) batch: BatchSettings,
    pub(crate) metrics: Vec<MetricTarget>,
    pub(crate) reader: Option<ReaderSettings>,
    pub(crate) deadline: Duration,
    pub(crate) install_global: bool,
    pub(crate) warnings: Vec<String>,
}

impl Plan {
    pub(crate) fn resolve(builder: Builder) -> Result<Plan, InitError> {
        let Builder {
            env,
            service_name,
            service_version,
            attributes,
            sampler,
            exporters,
            processors,
            propagator,
            metrics,
            deadline,
            mut waterfall,
            install_global,
        } = builder;
        let mut vars = Vars::new(&*env);
        let disabled = vars.flag(OTEL_SDK_DISABLED)?;
        // OTEL_SDK_DISABLED leaves propagation alone, as the spec says.
        let propagator = match propagator {
            Some(p) => p,
            None => Arc::new(CompositePropagator::parse(
                &vars.get(OTEL_PROPAGATORS)?.unwrap_or_default(),
            )?),
        };
        if disabled {
            return Ok(Plan {
                disabled,
                propagator,
                resource: Resource::builder_empty().build(),
                sampler: Box::new(Sampler::AlwaysOff),
                processors: Vec::new(),
                traces: Vec::new(),
                batch: BatchSettings::default(),
                metrics: Vec::new(),
                reader: None,
                deadline,
                install_global,
                warnings: vars.into_warnings(),
            });
        }

        let code = CodeResource {
            service_name,
            service_version,
            attributes,
        };
        let resource = resource::build(code, env::env_resource(&vars)?);
        let sampler = match sampler {
            Some(s) => s,
            None => Box::new(env::sampler(&mut vars)?),
        };

        let mut traces = Vec::new();
        if exporters.is_empty() {
            for kind in env::trace_exporters(&vars)? {
                traces.push(match kind {
                    TraceExporterKind::Otlp => {
                        TraceTarget::Otlp(env::otlp_settings(&vars, Signal::Traces)?)
                    }
                    TraceExporterKind::Zipkin => TraceTarget::Zipkin(env::zipkin_settings(&vars)?),
                    TraceExporterKind::Console => TraceTarget::Console(
                        waterfall.take().unwrap_or_else(WaterfallExporter::stdout),
                    ),
                });
            }
        } else {
            traces.extend(exporters.into_iter().map(TraceTarget::Custom));
        }
        if let Some(w) = waterfall {
            traces.push(TraceTarget::Console(w));
        }
        let batch = if traces.is_empty() {
            BatchSettings::default()
        } else {
            env::batch_settings(&mut vars)?
        };

        let mut metric_targets = Vec::new();
        if metrics {
            for kind in env::metric_exporters(&vars)? {
                metric_targets.push(match kind {
                    MetricExporterKind::Otlp => {
                        MetricTarget::Otlp(env::otlp_settings(&vars, Signal::Metrics)?)
                    }
                    MetricExporterKind::Console => MetricTarget::Console,
                });
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
            processors,
            traces,
            batch,
            metrics: metric_targets,
            reader,
            deadline,
            install_global,
            warnings: vars.into_warnings(),
        })
    }
}
