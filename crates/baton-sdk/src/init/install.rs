//! Builds the providers a [`Plan`] describes and installs them.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::global;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::SdkTracerProvider;

use super::error::InitError;
use super::guard::Guard;
use super::plan::{MetricTarget, Plan, TraceTarget};
use super::propagator::GlobalPropagator;
use super::warn;
use crate::batch::{self, BatchOptions, BatchProcessor, QueueStats};
use crate::env::BatchSettings;
use crate::exporter::runtime::{ExportRuntime, OnRuntime};
use crate::exporter::status::ExportStatus;
use crate::exporter::{ConsoleMetricExporter, ZipkinExporter, otlp};

/// The batch delay for network exporters when `OTEL_BSP_SCHEDULE_DELAY` is unset (the
/// spec's default).
const NETWORK_DELAY: Duration = Duration::from_secs(5);
/// The batch delay for the terminal when `OTEL_BSP_SCHEDULE_DELAY` is unset: a trace should
/// appear as soon as it ends, not five seconds later.
const CONSOLE_DELAY: Duration = Duration::from_millis(100);

pub(crate) fn install(plan: Plan) -> Result<Guard, InitError> {
    warn::print_once(&plan.warnings);
    let mut runtime: Option<Arc<ExportRuntime>> = None;
    let metrics_status = Arc::new(ExportStatus::default());

    let mut tracing = SdkTracerProvider::builder()
        .with_resource(plan.resource.clone())
        .with_sampler(plan.sampler);
    for processor in plan.processors {
        tracing = tracing.with_span_processor(processor);
    }
    let batch = plan.batch;
    let mut queues: Vec<Arc<QueueStats>> = Vec::new();
    for target in plan.traces {
        let processor = match target {
            TraceTarget::Otlp(settings) => {
                let rt = shared(&mut runtime)?;
                let exporter = otlp::span_exporter(&settings, &rt)?;
                let exporter = OnRuntime::new(exporter, rt, batch.export_timeout, None);
                BatchProcessor::new(exporter, options(&batch, NETWORK_DELAY))
            }
            TraceTarget::Zipkin(settings) => {
                let rt = shared(&mut runtime)?;
                let exporter = ZipkinExporter::builder()
                    .endpoint(settings.endpoint)
                    .timeout(settings.timeout)
                    .build()?;
                let exporter = OnRuntime::new(exporter, rt, batch.export_timeout, None);
                BatchProcessor::new(exporter, options(&batch, NETWORK_DELAY))
            }
            TraceTarget::Console(waterfall) => {
                BatchProcessor::new(waterfall, options(&batch, CONSOLE_DELAY))
            }
            TraceTarget::Custom(factory) => factory(options(&batch, NETWORK_DELAY)),
        };
        queues.push(processor.stats());
        tracing = tracing.with_span_processor(processor);
    }
    let tracer_provider = tracing.build();

    let mut metering = SdkMeterProvider::builder().with_resource(plan.resource);
    if let Some(reader) = plan.reader {
        for target in plan.metrics {
            metering = match target {
                MetricTarget::Otlp(settings) => {
                    let rt = shared(&mut runtime)?;
                    let exporter = otlp::metric_exporter(&settings, &rt)?;
                    let exporter =
                        OnRuntime::new(exporter, rt, reader.timeout, Some(metrics_status.clone()));
                    metering.with_reader(
                        PeriodicReader::builder(exporter)
                            .with_interval(reader.interval)
                            .build(),
                    )
                }
                MetricTarget::Console => metering.with_reader(
                    PeriodicReader::builder(ConsoleMetricExporter::stdout())
                        .with_interval(reader.interval)
                        .build(),
                ),
            };
        }
    }
    let meter_provider = metering.build();
    batch::register_metrics(&meter_provider, &queues);

    if plan.install_global {
        global::set_tracer_provider(tracer_provider.clone());
        global::set_meter_provider(meter_provider.clone());
        global::set_text_map_propagator(GlobalPropagator(plan.propagator.clone()));
    }
    Ok(Guard {
        tracer_provider,
        meter_provider,
        propagator: plan.propagator,
        deadline: plan.deadline,
        warnings: plan.warnings,
        disabled: plan.disabled,
        metrics_status,
        span_queues: queues,
        done: false,
    })
}

fn shared(runtime: &mut Option<Arc<ExportRuntime>>) -> Result<Arc<ExportRuntime>, InitError> {
    if let Some(rt) = runtime {
        return Ok(rt.clone());
    }
    let rt = ExportRuntime::shared().map_err(InitError::Runtime)?;
    *runtime = Some(rt.clone());
    Ok(rt)
}

fn options(batch: &BatchSettings, default_delay: Duration) -> BatchOptions {
    BatchOptions::default()
        .max_queue_size(batch.max_queue_size)
        .max_export_batch_size(batch.max_export_batch_size)
        .scheduled_delay(batch.schedule_delay.unwrap_or(default_delay))
        .export_timeout(batch.export_timeout)
}
